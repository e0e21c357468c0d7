#!/bin/sh
# The main job on the embedded default, on data maat generates itself:
# a contact history in Dutch and English, an intent classifier trained on
# it, an honest measurement, a few live messages classified, and a day of a
# 50-agent team routed under the wellbeing-aware policy and the
# efficiency-only one, side by side.
set -eu
maat=${1:-build/src/cli/maat}
dir=${2:-demo}
mkdir -p "$dir"

echo "== 1. generate 6,000 past contacts (nl and en)"
"$maat" gen --messages 6000 --seed 1 --split history -o "$dir/history.jsonl"
head -n 3 "$dir/history.jsonl"

echo
echo "== 2. train an intent model on the history"
"$maat" train --seed 1 --valid-split 0.1 -o "$dir/intent.model" "$dir/history.jsonl"

echo
echo "== 3. measure it on 1,000 new contacts"
"$maat" gen --messages 1000 --seed 2 --split history -o "$dir/new.jsonl"
"$maat" gen --messages 1000 --seed 3 --split new -o "$dir/unseen.jsonl"
echo "-- worded as in the history (new names, amounts, typos):"
"$maat" eval --model "$dir/intent.model" --confused 0 "$dir/new.jsonl" | head -n 4
echo "-- worded in ways the history never used (the honest test):"
"$maat" eval --model "$dir/intent.model" --confused 3 "$dir/unseen.jsonl" |
  sed -n '1,4p;/confused/,$p'

echo
echo "== 4. classify messages as they come in"
cat > "$dir/incoming.txt" <<'MSG'
Mijn pas is gestolen, kunnen jullie hem blokkeren?
I ordered a jacket two weeks ago and it still hasn't arrived
Waarom is mijn factuur deze maand zo hoog??
I want to cancel my subscription
Wat zijn jullie openingstijden op zaterdag?
MSG
"$maat" classify --model "$dir/intent.model" --top 2 "$dir/incoming.txt"

echo
echo "== 5. route a day of a 50-agent team: wellbeing-aware vs efficiency-only"
"$maat" gen --team 50 -o "$dir/team.json"
"$maat" gen --events --team "$dir/team.json" --days 1 --seed 1 -o "$dir/day.jsonl"
for policy in maat efficiency; do
  "$maat" route --team "$dir/team.json" --policy "$policy" --replay \
    --db "$dir/route-$policy.db" --summary "$dir/summary-$policy.json" \
    "$dir/day.jsonl" > "$dir/decisions-$policy.jsonl"
  echo "-- $policy: $(cat "$dir/summary-$policy.json")"
done
echo
echo "Decisions with their reasons are in $dir/decisions-*.jsonl, the durable"
echo "event logs in $dir/route-*.db. See README.md for what else maat does."

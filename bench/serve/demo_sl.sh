#!/bin/sh
# bench/serve/demo_sl.sh MAAT [SPEED] - does the live server route a day as
# the replay does? A generated day of the demo's 50-agent team (the demo's
# seeds) is routed twice: by 'maat route --replay' and through 'maat
# serve' at SPEED x real time (default 60) by scripts/demo-feed.mjs posting
# each contact as generated (DEMO_AS_IS=1), closing each after its
# handling time and letting a customer leave after her patience. The
# figure: the share of contacts given to a person within the 60 s target,
# both ways. Takes the day's length / SPEED (12 minutes at 60x).
set -eu
maat=${1:?usage: bench/serve/demo_sl.sh PATH_TO_MAAT [SPEED]}
speed=${2:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
maat=$(cd "$(dirname "$maat")" && pwd)/$(basename "$maat")
for tool in node curl jq; do
  command -v $tool >/dev/null 2>&1 || {
    echo "demo_sl: skipped: '$tool' not installed"; exit 0; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maat-demo-sl.XXXXXX")
trap 'kill $pid $feeder 2>/dev/null; rm -rf "$tmp"' EXIT
pid="" feeder=""
cd "$tmp"
"$maat" gen --team 50 -o team.json
"$maat" gen --events --team team.json --days 1 --seed 7 -o day.jsonl
"$maat" route --team team.json --replay day.jsonl >replay.jsonl
replay=$(jq -s '[.[] | select(.type == "assign" and .to != "bot")] |
  (map(select(.wait_s <= 60)) | length) / length' replay.jsonl)
admin=$("$maat" token add --db s.db --role admin 2>/dev/null)
int=$("$maat" token add --db s.db --role integration 2>/dev/null)
lead=$("$maat" token add --db s.db --role lead 2>/dev/null)
"$maat" serve --team team.json --db s.db --port 0 --clock-speed "$speed" \
  2>serve.err &
pid=$!
while ! grep -q listening serve.err; do sleep 0.1; done
url=$(sed -n 's|.*listening on \(http://[0-9.:]*\)/.*|\1|p' serve.err)
: >msgs.jsonl
DEMO_AS_IS=1 MAAT_INTEGRATION=$int MAAT_ADMIN=$admin \
  node "$root/scripts/demo-feed.mjs" "$url" day.jsonl msgs.jsonl "$speed" \
  >feed.log 2>&1 &
feeder=$!
while ! grep -q "the day is over" feed.log; do
  sleep 5
  tail -n 1 feed.log
done
sleep 10
live=$(curl -s -H "Authorization: Bearer $lead" "$url/v1/team" | jq .service_level)
echo "demo_sl: $(date -u '+%Y-%m-%d %H:%M UTC'), speed ${speed}x"
jq -rn --argjson r "$replay" --argjson l "$live" '
  "  to a person within 60 s: replay \(($r * 1000 | round) / 10) %, live \(($l * 1000 | round) / 10) %",
  "  difference: \((($l - $r) * 1000 | round) / 10) points (goal: within 5)"'

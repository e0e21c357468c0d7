#!/bin/sh
# The main job on the embedded default: generate a realistic synthetic
# contact history in Dutch and English, train an intent classifier on it,
# measure it on held-out messages, and classify a few new ones.
set -eu
maat=${1:-build/src/cli/maat}
dir=${2:-demo}
mkdir -p "$dir"

echo "== 1. generate 6,000 past contacts (nl and en) and 1,000 new ones"
"$maat" gen --messages 6000 --seed 1 --lang mixed -o "$dir/history.jsonl"
"$maat" gen --messages 1000 --seed 2 --lang mixed -o "$dir/new.jsonl"
head -n 3 "$dir/history.jsonl"

echo
echo "== 2. train an intent model on the history"
"$maat" train --seed 1 --valid-split 0.1 -o "$dir/intent.model" "$dir/history.jsonl"

echo
echo "== 3. how well it does on the new contacts"
"$maat" eval --model "$dir/intent.model" "$dir/new.jsonl"

echo
echo "== 4. classify messages as they come in"
cat > "$dir/incoming.txt" <<'MSG'
Mijn pas is gestolen, kunnen jullie hem blokkeren?
I ordered a jacket two weeks ago and it still hasn't arrived
Waarom is mijn factuur deze maand zo hoog??
I want to cancel my subscription
Wat zijn jullie openingstijden op zaterdag?
MSG
"$maat" classify --model "$dir/intent.model" "$dir/incoming.txt"
echo
echo "The files are in $dir/. See README.md for what else maat does."

#!/bin/sh
# bench/pii/run.sh MAAT - recall and precision per type of 'maat redact'
# on the personal-data sets in ../shared/data/pii (evaluation only: nothing
# in maat's rules was fitted on them).
set -eu
maat=${1:?usage: bench/pii/run.sh PATH_TO_MAAT}
data=$(cd "$(dirname "$0")/../.." && pwd)/../shared/data/pii
command -v python3 >/dev/null || { echo "pii: skipped: python3 is not installed"; exit 0; }
for set in presidio-synth-en deduce-nl; do
  [ -f "$data/$set.jsonl" ] || { echo "pii: skipped $set: $data is absent"; continue; }
  python3 "$(dirname "$0")/eval.py" "$maat" "$data/$set.jsonl"
done

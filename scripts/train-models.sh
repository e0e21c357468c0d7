#!/bin/sh
# 'make models': trains the default English tone model from the labelled
# public data in ../shared/data and writes models/tone.model and the
# figures into models/MODEL.md's "Last run" section. Deterministic: one
# thread, fixed seed, so the committed model is reproduced bit for bit.
#
# Data (licences in each set's SOURCE.md; both may train shipped models):
#  - GoEmotions train (Apache-2.0): 43,410 Reddit comments, 28 emotions
#    mapped to maat's tones by scripts/tone-data.awk; dev for calibration;
#  - CLINC150 train + oos_train (CC BY 3.0): 15,100 assistant queries, all
#    labelled neutral, so that service questions read as calm.
# Usage: scripts/train-models.sh PATH_TO_MAAT [OUT_DIR]   (needs jq)
set -eu
maat=${1:?usage: scripts/train-models.sh PATH_TO_MAAT [OUT_DIR]}
out=${2:-models}
here=$(cd "$(dirname "$0")" && pwd)
data=${MAAT_SHARED_DATA:-$here/../../shared/data}
ge=$data/goemotions
clinc=$data/clinc150/data_full.json
if [ ! -f "$ge/train.tsv" ] || [ ! -f "$clinc" ]; then
  echo "train-models: needs $ge and $clinc (../shared/data);" \
       "the committed models/tone.model stays as it is" >&2
  exit 1
fi
command -v jq >/dev/null || { echo "train-models: jq is needed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

awk -v set=goemotions -f "$here/tone-data.awk" "$ge/train.tsv" >"$tmp/train.jsonl"
jq -c '(.train + .oos_train)[] | {text: .[0], label: "neutral"}' "$clinc" \
  >>"$tmp/train.jsonl"
awk -v set=goemotions -f "$here/tone-data.awk" "$ge/dev.tsv" >"$tmp/dev.jsonl"
awk -v set=goemotions -f "$here/tone-data.awk" "$ge/test.tsv" >"$tmp/test.jsonl"

# Word unigrams and their stems, 2^16 buckets: a model small enough to
# commit (about 0.7 MB); bigrams and character n-grams made it ten times
# larger for one point of agreement (docs/internals/tone.md).
"$maat" train --seed 1 --threads 1 --epochs 5 --word-ngrams 1 --maxn 0 \
  --bits 16 --stem --valid "$tmp/dev.jsonl" -o "$out/tone.model" \
  "$tmp/train.jsonl" >"$tmp/train.txt"
"$maat" eval --model "$out/tone.model" --json "$tmp/test.jsonl" >"$tmp/eval.json"
cat "$tmp/train.txt"
acc=$(jq -r '.accuracy' "$tmp/eval.json")
f1=$(jq -r '.macro_f1' "$tmp/eval.json")
echo "GoEmotions test, five tones: accuracy $acc, macro-F1 $f1"
sum=$(sha256sum "$out/tone.model" | cut -c1-16)
echo "wrote $out/tone.model ($(wc -c <"$out/tone.model") bytes, sha256 $sum...)"

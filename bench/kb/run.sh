#!/bin/sh
# bench/kb/run.sh MAAT - the knowledge base against SQLite FTS5 (bm25) on
# the same articles and questions, in one run (bench_kb): precision@1 and
# MRR@10 on the test questions of covidfaq (English) and policyqa-nl
# (Dutch), without and with the organisation's history (the training
# questions), the answer/hand-off trade-off over thresholds, and import
# and question latency with 10,000 articles.
set -eu
maat=${1:?usage: bench/kb/run.sh PATH_TO_MAAT}
bench=$(dirname "$maat")/../../bench/bench_kb
[ -x "$bench" ] || { echo "kb: skipped: $bench is not built"; exit 0; }
data=$(cd "$(dirname "$0")/../.." && pwd)/../shared/data
for set in covidfaq policyqa-nl; do
  [ -f "$data/$set/articles.jsonl" ] || { echo "kb: skipped $set: $data/$set is absent"; continue; }
  for h in "" --history; do
    echo "== $set ${h:-(no history)}"
    "$bench" "$data/$set/articles.jsonl" "$data/$set/questions.jsonl" $h
  done
  echo "== $set scaled to 10,000 articles"
  "$bench" "$data/$set/articles.jsonl" "$data/$set/questions.jsonl" --scale 10000
done

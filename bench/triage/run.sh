#!/bin/sh
# bench/triage/run.sh MAAT - triage measured on real data (figures in
# bench/README.md, "Triage"), with the shipped tone model (models/) and an
# intent model trained here with 'maat train' on CLINC150's training split
# including its oos examples (validation: val + oos_val), no configuration:
#  - CLINC150 test, in-scope: share T1, share frustrated/angry/distressed;
#  - CLINC150 oos_test: share T1;
#  - twitter-airline, negative with annotator confidence 1.0, deduplicated
#    on tweet_id: share frustrated/angry/distressed, share T1;
#  - bolcom-polarity-nl, label -1: share negative, share T1;
#  - xsid-nl (test + valid), Dutch assistant requests: share negative
#    (calm Dutch text that must not read as upset);
#  - in-domain: a tone model trained on 80 % of twitter-airline (tweet_id
#    mod 5 != 0; deduplicated) against fastText on the same split, F1 of
#    negative against the rest on the other 20 %;
#  - throughput of the whole 'maat triage' process on 100,000 generated
#    messages, next to 'maat classify' with the same intent model.
# Environment: MAAT_BENCH_OUT (results directory), RUNS (hyperfine runs, 3).
set -eu
maat=${1:?usage: bench/triage/run.sh PATH_TO_MAAT}
maat=$(cd "$(dirname "$maat")" && pwd)/$(basename "$maat")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data=${MAAT_SHARED_DATA:-$root/../shared/data}
RUNS=${RUNS:-3}
for f in clinc150/data_full.json twitter-airline/Tweets.csv \
    bolcom-polarity-nl/polarity-nl-bol.com.csv; do
  if [ ! -f "$data/$f" ]; then
    echo "triage: skipped: $data/$f not found"
    exit 0
  fi
done
for tool in fasttext hyperfine jq python3; do
  if ! command -v $tool >/dev/null 2>&1; then
    echo "triage: skipped: '$tool' not installed (MAAT_BENCH_DEPS=1 sh scripts/install-deps.sh)"
    exit 0
  fi
done
export MAAT_TONE_MODEL="$root/models/tone.model" MAAT_NO_PROGRESS=1
out=${MAAT_BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/maat-bench-triage.XXXXXX")}
mkdir -p "$out"
cd "$out"
echo "triage: results in $out ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores)"

j=$data/clinc150/data_full.json
jq -c '(.train + .oos_train)[] | {text: .[0], label: .[1]}' "$j" >clinc.train.jsonl
jq -c '(.val + .oos_val)[] | {text: .[0], label: .[1]}' "$j" >clinc.valid.jsonl
jq -c '.test[] | {text: .[0]}' "$j" >clinc.in.jsonl
jq -c '.oos_test[] | {text: .[0]}' "$j" >clinc.oos.jsonl
python3 - "$data" <<'PY'
import csv, json, sys
data = sys.argv[1]
seen, rows = set(), []
with open(f"{data}/twitter-airline/Tweets.csv", encoding="utf-8") as f:
    for r in csv.DictReader(f):
        if r["tweet_id"] in seen:
            continue
        seen.add(r["tweet_id"])
        rows.append(r)
with open("tw.neg.jsonl", "w") as f:
    for r in rows:
        if r["airline_sentiment"] == "negative" and float(r["airline_sentiment_confidence"]) == 1.0:
            f.write(json.dumps({"id": r["tweet_id"], "text": r["text"]}) + "\n")
# In-domain split: deterministic, by tweet_id (mod 5 == 0 is the test 20 %).
with open("tw.train.jsonl", "w") as tr, open("tw.test.jsonl", "w") as te, \
     open("tw.train.ft", "w") as ftr, open("tw.test.ft", "w") as fte:
    for r in rows:
        text = " ".join(r["text"].split())
        rec = json.dumps({"text": text, "label": r["airline_sentiment"]}) + "\n"
        ft = "__label__" + r["airline_sentiment"] + " " + text.lower() + "\n"
        if int(r["tweet_id"]) % 5 == 0:
            te.write(rec); fte.write(ft)
        else:
            tr.write(rec); ftr.write(ft)
with open(f"{data}/bolcom-polarity-nl/polarity-nl-bol.com.csv", encoding="utf-8") as f, \
     open("bol.neg.jsonl", "w") as out:
    for r in csv.reader(f):
        if r and r[0] == "-1":
            out.write(json.dumps({"text": r[1]}) + "\n")
PY
for f in "$data/xsid-nl/nl.test.conll" "$data/xsid-nl/nl.valid.conll"; do
  [ -f "$f" ] && sed -n 's/^# text = //p' "$f"
done | jq -R -c '{text: .}' >xsid.nl.jsonl
echo "sets: CLINC150 in-scope $(wc -l <clinc.in.jsonl), oos $(wc -l <clinc.oos.jsonl);" \
  "twitter negative (conf 1.0, dedup) $(wc -l <tw.neg.jsonl); bolcom -1 $(wc -l <bol.neg.jsonl)"

"$maat" train --seed 1 -q --valid clinc.valid.jsonl -o clinc.model clinc.train.jsonl

rate() { # FILE: T1 share, negative-tone share
  jq -s -r 'length as $n |
    "\(map(select(.tier == "T1")) | length / $n * 1000 | round / 10) % T1, " +
    "\(map(select(.tone == "frustrated" or .tone == "angry" or .tone == "distressed")) | length / $n * 1000 | round / 10) % negative tone"' "$1"
}
echo
echo "| set | messages | with the tone model | lexicon only |"
echo "| --- | --- | --- | --- |"
for s in clinc.in clinc.oos tw.neg bol.neg xsid.nl; do
  [ -s $s.jsonl ] || continue
  "$maat" triage --intent-model clinc.model $s.jsonl >$s.tri.jsonl
  "$maat" triage --intent-model clinc.model --no-tone-model $s.jsonl >$s.lex.jsonl
  echo "| $s | $(wc -l <$s.jsonl) | $(rate $s.tri.jsonl) | $(rate $s.lex.jsonl) |"
done

echo
echo "## In-domain tone: twitter-airline 80/20 (tweet_id mod 5), negative vs rest"
"$maat" train --seed 1 -q -o tw.maat tw.train.jsonl
"$maat" classify --model tw.maat tw.test.jsonl >tw.maat.out
fasttext supervised -input tw.train.ft -output tw.ft -epoch 10 -wordNgrams 2 \
  -minn 3 -maxn 5 -bucket 1048576 -thread 1 -seed 1 -verbose 0 2>/dev/null || \
fasttext supervised -input tw.train.ft -output tw.ft -epoch 10 -wordNgrams 2 \
  -minn 3 -maxn 5 -bucket 1048576 -thread 1 -verbose 0
cut -d' ' -f2- tw.test.ft | fasttext predict tw.ft.bin - >tw.ft.out
python3 - <<'PY'
import json
gold = [json.loads(l)["label"] for l in open("tw.test.jsonl")]
maat = [json.loads(l)["label"] for l in open("tw.maat.out")]
ft = [l.strip().replace("__label__", "") for l in open("tw.ft.out")]
def f1(pred):
    tp = sum(g == "negative" and p == "negative" for g, p in zip(gold, pred))
    fp = sum(g != "negative" and p == "negative" for g, p in zip(gold, pred))
    fn = sum(g == "negative" and p != "negative" for g, p in zip(gold, pred))
    pr = tp / (tp + fp) if tp + fp else 0
    rc = tp / (tp + fn) if tp + fn else 0
    return 2 * pr * rc / (pr + rc) if pr + rc else 0, pr, rc
acc = lambda pred: sum(g == p for g, p in zip(gold, pred)) / len(gold)
for name, pred in (("maat", maat), ("fastText", ft)):
    f, p, r = f1(pred)
    print(f"{name}: negative-vs-rest F1 {f:.4f} (precision {p:.4f}, recall {r:.4f}); 3-class accuracy {acc(pred):.4f}; {len(gold)} test tweets")
PY

echo
echo "## Throughput: 100,000 generated messages, whole process"
"$maat" gen --messages 100000 --seed 9 -o gen.jsonl 2>/dev/null
"$maat" train --seed 1 -q -o gen.model gen.jsonl
hyperfine -N --runs "$RUNS" --export-json speed.json \
  "$maat triage --intent-model gen.model gen.jsonl" \
  "$maat classify --model gen.model gen.jsonl" >/dev/null 2>&1 || \
hyperfine --runs "$RUNS" --export-json speed.json \
  "$maat triage --intent-model gen.model gen.jsonl >/dev/null" \
  "$maat classify --model gen.model gen.jsonl >/dev/null" >/dev/null
jq -r '.results[] | "\(.command | split(" ")[1]): \(.mean * 1000 | round) ms = \(100000 / .mean | round) messages/s"' speed.json

#!/bin/sh
# bench/triage/oos.sh MAAT - does the bot know its limits? CLINC150 (test
# split; models trained on its training split, calibrated on its
# validation split), each figure the share of messages 'maat triage' sends
# to the bot (T1), with the shipped tone model and the default triage
# configuration:
#  1. trained without oos_train (the usual case: no out-of-scope examples):
#     in-scope test and oos_test;
#  2. trained with oos_train (validation with oos_val): the same two;
#  3. every third intent (alphabetical order of the labels) left out of
#     training, no oos examples: test messages of the left-out intents and
#     of the known ones.
# Also the critical rules on the messages written for them and the sets
# written later (tests/data). Figures in bench/README.md ("Triage").
set -eu
maat=${1:?usage: bench/triage/oos.sh PATH_TO_MAAT}
maat=$(cd "$(dirname "$maat")" && pwd)/$(basename "$maat")
root=$(cd "$(dirname "$0")/../.." && pwd)
data=${MAAT_SHARED_DATA:-$root/../shared/data}
[ -f "$data/clinc150/data_full.json" ] || { echo "oos: skipped: $data/clinc150 not found"; exit 0; }
command -v python3 >/dev/null || { echo "oos: skipped: python3 not installed"; exit 0; }
export MAAT_NO_PROGRESS=1
out=$(mktemp -d "${TMPDIR:-/tmp}/maat-bench-oos.XXXXXX")
trap 'rm -rf "$out"' EXIT

python3 - "$data/clinc150/data_full.json" "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); o = sys.argv[2]
def w(name, rows):
    with open(f"{o}/{name}.jsonl", "w") as f:
        for t, l in rows:
            f.write(json.dumps({"text": t, "label": l}) + "\n")
labels = sorted({l for _, l in d["train"]})
left = set(labels[2::3])
w("train", d["train"]); w("val", d["val"]); w("test", d["test"])
w("oos_test", [(t, "oos") for t, _ in d["oos_test"]])
w("train_oos", d["train"] + [(t, "oos") for t, _ in d["oos_train"]])
w("val_oos", d["val"] + [(t, "oos") for t, _ in d["oos_val"]])
w("train_known", [r for r in d["train"] if r[1] not in left])
w("val_known", [r for r in d["val"] if r[1] not in left])
w("test_known", [r for r in d["test"] if r[1] not in left])
w("test_left", [r for r in d["test"] if r[1] in left])
PY
train() { "$maat" train -q --seed 1 --epochs 10 --valid "$out/$2.jsonl" -o "$out/$3.model" "$out/$1.jsonl"; }
train train val noos
train train_oos val_oos withoos
train train_known val_known known
t1() { # MODEL SET -> share T1
  "$maat" triage --intent-model "$out/$1.model" "$out/$2.jsonl" 2>/dev/null |
    awk '{ n++ } /"tier":"T1"/ { t++ } END { printf "%.1f %% (%d of %d)", 100 * t / n, t, n }'
}
echo "without oos examples: in-scope test T1 $(t1 noos test); oos_test T1 $(t1 noos oos_test)"
echo "with oos_train:       in-scope test T1 $(t1 withoos test); oos_test T1 $(t1 withoos oos_test)"
echo "a third left out:     known intents T1 $(t1 known test_known); left-out intents T1 $(t1 known test_left)"

crit() { # FILE -> flagged of n
  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' "$1" |
    awk -F '\t' '{ printf "{\"text\":\"%s\"}\n", (NF > 1 ? $2 : $1) }' >"$out/c.jsonl"
  "$maat" triage "$out/c.jsonl" 2>/dev/null |
    awk '{ n++ } /"critical":true/ { c++ } END { printf "%d of %d", c, n }'
}
td=$root/tests/data
echo "critical, written with the rules: $(cat "$td"/critical-en.txt "$td"/critical-nl.txt > "$out/w.txt"; crit "$out/w.txt") flagged"
echo "critical, written later (held out, then tuned on): $(cat "$td"/heldout-critical.txt "$td"/fresh-critical.txt > "$out/h.txt"; crit "$out/h.txt") flagged"
echo "critical, written last (9 of 18 when first measured; the rules were then broadened): $(crit "$td/unseen-critical.txt") flagged"
echo "routine (all sets): $(cat "$td"/routine-*.txt "$td"/heldout-routine.txt "$td"/fresh-routine.txt "$td"/unseen-routine.txt > "$out/r.txt"; crit "$out/r.txt") flagged critical"

#!/bin/sh
# bench/classify/run.sh MAAT - maat's text classifier against fastText on
# Banking77 and CLINC150 (with its out-of-scope class), both trained on the
# same split with the same epochs, word n-grams, character n-grams and hash
# space, measured in the same run: test accuracy (CLINC150: in-scope accuracy
# and oos recall too), calibration (ECE, 15 bins), training time, and the
# throughput of the whole classify process (load, read, classify, write) on
# the test file repeated to at least 100,000 lines.
#
# Environment: EPOCHS (25), THREADS (1), RUNS (3, hyperfine runs per timing),
# MAAT_BENCH_OUT (results directory; default a new temporary directory).
# The data sets are read from ../shared/data and converted into the results
# directory; nothing is written into the repository.
set -eu
maat=${1:?usage: bench/classify/run.sh PATH_TO_MAAT}
maat=$(cd "$(dirname "$maat")" && pwd)/$(basename "$maat")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data=${MAAT_SHARED_DATA:-$root/../shared/data}
EPOCHS=${EPOCHS:-25}
THREADS=${THREADS:-1}
RUNS=${RUNS:-3}

if [ ! -f "$data/banking77/train.csv" ] || [ ! -f "$data/clinc150/data_full.json" ]; then
  echo "classify: skipped: data sets not found under $data"
  exit 0
fi
for tool in fasttext hyperfine jq python3; do
  if ! command -v $tool >/dev/null 2>&1; then
    echo "classify: skipped: '$tool' not installed (MAAT_BENCH_DEPS=1 sh scripts/install-deps.sh)"
    exit 0
  fi
done
out=${MAAT_BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/maat-bench-classify.XXXXXX")}
mkdir -p "$out"
cd "$out"
echo "classify: results in $out ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores)"

# fastText's own tutorial preprocessing: punctuation apart, lower case.
ftprep() { sed -e "s/\([.\!?,'/()]\)/ \1 /g" | tr '[:upper:]' '[:lower:]'; }

# Banking77 has no validation split: hold out 10% of train.csv (seeded), the
# same 90% train both systems; maat calibrates on the 10%.
python3 - "$data/banking77" <<'PY'
import csv, random, sys
src = sys.argv[1]
rows = list(csv.reader(open(src + "/train.csv", newline="", encoding="utf-8")))[1:]
test = list(csv.reader(open(src + "/test.csv", newline="", encoding="utf-8")))[1:]
rows = [(" ".join(t.split()), l) for t, l in rows]
test = [(" ".join(t.split()), l) for t, l in test]
random.Random(1).shuffle(rows)
nv = len(rows) // 10
def write(name, part):
    with open(name + ".csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["text", "category"])
        w.writerows(part)
    with open(name + ".ft.raw", "w", encoding="utf-8") as f:
        for text, label in part:
            f.write("__label__%s %s\n" % (label, text))
write("b77.train", rows[nv:])
write("b77.valid", rows[:nv])
write("b77.test", test)
PY
# CLINC150 "full": train+oos_train / val+oos_val / test+oos_test.
j="$data/clinc150/data_full.json"
jq -c '(.train + .oos_train)[] | {text: .[0], label: .[1]}' "$j" > clinc.train.jsonl
jq -c '(.val + .oos_val)[] | {text: .[0], label: .[1]}' "$j" > clinc.valid.jsonl
jq -c '(.test + .oos_test)[] | {text: .[0], label: .[1]}' "$j" > clinc.test.jsonl
for part in train test; do
  jq -r '"__label__" + .label + " " + (.text | gsub("\\s+"; " "))' clinc.$part.jsonl > clinc.$part.ft.raw
done
for set in b77 clinc; do
  for part in train test; do
    ftprep < $set.$part.ft.raw > $set.$part.ft
  done
  # Text only, for predict; repeated to at least 100,000 lines.
  cut -d' ' -f2- $set.test.ft > $set.test.ft.txt
  cut -d' ' -f1 $set.test.ft > $set.test.gold
  n=$(wc -l < $set.test.ft.txt)
  reps=$(( (100000 + n - 1) / n ))
  : > $set.big.ft.txt
  : > $set.big.txt
  i=0
  while [ $i -lt $reps ]; do
    cat $set.test.ft.txt >> $set.big.ft.txt
    i=$((i + 1))
  done
done
# maat reads the raw text (it tokenizes and case-folds itself).
python3 - <<'PY'
import csv, json
with open("b77.test.txt", "w", encoding="utf-8") as f:
    for text, label in list(csv.reader(open("b77.test.csv", newline="", encoding="utf-8")))[1:]:
        f.write(" ".join(text.split()) + "\n")
with open("clinc.test.txt", "w", encoding="utf-8") as f:
    for line in open("clinc.test.jsonl", encoding="utf-8"):
        f.write(" ".join(json.loads(line)["text"].split()) + "\n")
PY
for set in b77 clinc; do
  n=$(wc -l < $set.test.txt)
  reps=$(( (100000 + n - 1) / n ))
  i=0
  while [ $i -lt $reps ]; do
    cat $set.test.txt >> $set.big.txt
    i=$((i + 1))
  done
done

FT_OPTS="-epoch $EPOCHS -lr 1.0 -wordNgrams 2 -minn 3 -maxn 5 -bucket 1048576 -dim 100 -thread $THREADS -seed 1 -verbose 0"
MAAT_OPTS="--epochs $EPOCHS --lr 2 --word-ngrams 2 --minn 3 --maxn 5 --bits 20 --threads $THREADS --seed 1 -q"

mean() { jq -r '.results[0].mean' "$1"; }
calc() { awk "BEGIN { print $1 }"; }

# ECE over 15 bins from "label prob" lines (fastText predict-prob) and gold.
ft_ece() {
  paste -d' ' "$1" "$2" | awk '{
    c = $2; ok = ($1 == $3); b = int(c * 15); if (b > 14) b = 14;
    n++; cs[b] += c; as[b] += ok; cnt[b]++ }
    END { e = 0; for (b in cnt) { d = as[b] - cs[b]; if (d < 0) d = -d; e += d / n }
          printf "%.4f", e }'
}

results=results.txt
: > $results
for set in b77 clinc; do
  case $set in
    b77) name=Banking77; train=b77.train.csv; valid=b77.valid.csv; test=b77.test.csv; oosopt="" ;;
    clinc) name=CLINC150; train=clinc.train.jsonl; valid=clinc.valid.jsonl; test=clinc.test.jsonl; oosopt="--oos-label oos" ;;
  esac
  echo "classify: $name: training ($EPOCHS epochs, $THREADS thread(s), $RUNS runs each)"
  hyperfine -N --runs "$RUNS" --export-json $set.train.maat.json \
    "$maat train $MAAT_OPTS --valid $valid $train -o $set.maat" >/dev/null
  hyperfine -N --runs "$RUNS" --export-json $set.train.ft.json \
    "fasttext supervised -input $set.train.ft -output $set.ft $FT_OPTS" >/dev/null
  "$maat" train --epochs $EPOCHS --lr 2 --word-ngrams 2 --minn 3 --maxn 5 --bits 20 \
    --threads $THREADS --seed 1 --valid $valid $train -o $set.maat > $set.train.summary
  "$maat" eval --model $set.maat --json $oosopt $test > $set.eval.json

  fasttext predict-prob $set.ft.bin $set.test.ft.txt > $set.ft.pred
  ft=$(paste -d' ' $set.test.gold $set.ft.pred | awk '{
      g = $1; p = $2; n++; if (g == p) ok++;
      if (g == "__label__oos") { on++; if (p == g) oh++ } else { inn++; if (p == g) ih++ } }
      END { printf "%.4f %.4f %.4f", ok / n, inn ? ih / inn : 0, on ? oh / on : 0 }')
  ft_acc=${ft%% *}; rest=${ft#* }; ft_ins=${rest%% *}; ft_oos=${rest#* }
  ft_ece=$(ft_ece $set.ft.pred $set.test.gold)

  echo "classify: $name: classify throughput on $(wc -l < $set.big.txt) lines"
  hyperfine -N --warmup 1 --runs "$RUNS" --export-json $set.classify.maat.json \
    --output=null "$maat classify --model $set.maat $set.big.txt" >/dev/null
  hyperfine -N --warmup 1 --runs "$RUNS" --export-json $set.classify.ft.json \
    --output=null "fasttext predict $set.ft.bin $set.big.ft.txt" >/dev/null

  lines=$(wc -l < $set.big.txt)
  m_train=$(mean $set.train.maat.json); f_train=$(mean $set.train.ft.json)
  m_cls=$(mean $set.classify.maat.json); f_cls=$(mean $set.classify.ft.json)
  m_acc=$(jq -r '.accuracy' $set.eval.json)
  m_ece=$(jq -r '.ece' $set.eval.json)
  m_f1=$(jq -r '.macro_f1' $set.eval.json)
  {
    echo "== $name (test n=$(jq -r .n $set.eval.json), epochs $EPOCHS, threads $THREADS)"
    printf "accuracy            maat %.4f   fastText %.4f   diff %+.2f points\n" \
      "$m_acc" "$ft_acc" "$(calc "($m_acc - $ft_acc) * 100")"
    printf "macro-F1            maat %.4f\n" "$m_f1"
    if [ $set = clinc ]; then
      printf "in-scope accuracy   maat %.4f   fastText %.4f\n" \
        "$(jq -r .in_scope_accuracy $set.eval.json)" "$ft_ins"
      printf "oos recall          maat %.4f   fastText %.4f\n" \
        "$(jq -r .oos_recall $set.eval.json)" "$ft_oos"
      printf "threshold           maat %.4f   fastText none\n" "$(jq -r .threshold $set.eval.json)"
    fi
    printf "ECE (15 bins)       maat %.4f   fastText %.4f\n" "$m_ece" "$ft_ece"
    printf "train time (s)      maat %.2f   fastText %.2f   fastText/maat %.1fx\n" \
      "$m_train" "$f_train" "$(calc "$f_train / $m_train")"
    printf "classify %d lines   maat %.2f s (%.0f/s)   fastText %.2f s (%.0f/s)   maat/fastText throughput %.1fx\n" \
      "$lines" "$m_cls" "$(calc "$lines / $m_cls")" "$f_cls" \
      "$(calc "$lines / $f_cls")" "$(calc "$f_cls / $m_cls")"
    printf "model size          maat %s bytes   fastText %s bytes\n" \
      "$(wc -c < $set.maat)" "$(wc -c < $set.ft.bin)"
    sed 's/^/maat train: /' $set.train.summary
  } | tee -a $results
done
echo "classify: commands:"
echo "  maat train $MAAT_OPTS --valid VALID TRAIN -o MODEL"
echo "  maat eval --model MODEL --json [--oos-label oos] TEST"
echo "  maat classify --model MODEL BIG.txt > /dev/null"
echo "  fasttext supervised -input TRAIN.ft -output FT $FT_OPTS"
echo "  fasttext predict FT.bin BIG.ft.txt > /dev/null"

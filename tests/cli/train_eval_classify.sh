#!/bin/sh
# End to end: maat train, eval and classify on generated labelled data;
# exit codes, file:line errors for bad CSV/JSONL, --skip-bad counts, refusal
# of corrupt models, classify's JSON lines, determinism for a seed.
# NEEDSWORK: generate the data with 'maat gen' once its interface settles.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
t=$(mktemp -d "${TMPDIR:-/tmp}/maat-cli-clf.XXXXXX")
trap 'rm -rf "$t"' EXIT
M="$MAAT_BIN"

# Three intents with their own words plus filler, and an out-of-scope class.
gen() {
  awk -v seed="$1" -v n="$2" -v fmt="$3" 'BEGIN {
    srand(seed);
    split("card arrive delivery post waiting mail", w1, " ");
    split("refund money back return charge payment", w2, " ");
    split("password login reset account locked access", w3, " ");
    split("weather pizza song football holiday movie", w4, " ");
    split("my the please i help when", f, " ");
    split("card_arrival refund login oos", lab, " ");
    if (fmt == "csv") print "text,label";
    for (i = 0; i < n; i++) {
      l = i % 4 + 1; s = "";
      for (k = 0; k < 5; k++) {
        r = int(rand() * 6) + 1;
        if (k % 2) word = f[r];
        else if (l == 1) word = w1[r]; else if (l == 2) word = w2[r];
        else if (l == 3) word = w3[r]; else word = w4[r];
        s = s (k ? " " : "") word;
      }
      if (fmt == "csv") printf "\"%s, ok\",%s\n", s, lab[l];
      else printf "{\"text\": \"%s\", \"label\": \"%s\"}\n", s, lab[l];
    }
  }'
}
gen 1 400 csv > "$t/train.csv"
gen 2 80 jsonl > "$t/valid.jsonl"
gen 3 120 jsonl > "$t/test.jsonl"
gen 3 120 csv > "$t/test.csv"

out=$("$M" train --epochs 5 --bits 16 --valid "$t/valid.jsonl" "$t/train.csv" -o "$t/m.bin" 2>&1); rc=$?
check "train exits 0" '[ $rc -eq 0 ]'
check "train writes the model" '[ -s "$t/m.bin" ]'
check "train summary has ECE and threshold" 'printf "%s" "$out" | grep -q "ECE" && printf "%s" "$out" | grep -q "threshold"'
"$M" train -q --epochs 5 --bits 16 --valid "$t/valid.jsonl" "$t/train.csv" -o "$t/m2.bin"; rc=$?
check "same seed gives the same model bytes" '[ $rc -eq 0 ] && cmp -s "$t/m.bin" "$t/m2.bin"'

js=$("$M" eval --model "$t/m.bin" --json --oos-label oos "$t/test.jsonl"); rc=$?
check "eval --json exits 0" '[ $rc -eq 0 ]'
for key in n accuracy macro_f1 ece oos_recall in_scope_accuracy; do
  check "eval --json has $key" 'printf "%s" "$js" | grep -q "\"$key\":"'
done
check "eval counts every message" 'printf "%s" "$js" | grep -q "\"n\":120,"'
acc=$(printf "%s" "$js" | sed 's/.*"accuracy":\([0-9.]*\).*/\1/')
check "eval accuracy above 0.9 ($acc)" 'awk "BEGIN{exit !($acc > 0.9)}"'
rep=$("$M" eval --model "$t/m.bin" --oos-label oos "$t/test.csv"); rc=$?
check "eval report on CSV exits 0" '[ $rc -eq 0 ]'
check "eval report lists labels and confusions" 'printf "%s" "$rep" | grep -q "^refund" && printf "%s" "$rep" | grep -q "oos recall"'

printf 'where is my card\nI want my money back\nreset my password please\n' > "$t/in.txt"
cl=$("$M" classify --model "$t/m.bin" -k 2 "$t/in.txt"); rc=$?
check "classify exits 0" '[ $rc -eq 0 ]'
check "classify writes one line per message" '[ $(printf "%s\n" "$cl" | wc -l) -eq 3 ]'
check "classify line has label, confidence and top-k" 'printf "%s\n" "$cl" | head -1 | grep -Eq "^\{\"label\":\"card_arrival\",\"confidence\":[01]\.[0-9]{4}.*\"top\":\[\{\"label\":\"card_arrival\",\"confidence\":[01]\.[0-9]{4}\},\{\"label\":"'
check "classify finds refund and login" 'printf "%s\n" "$cl" | sed -n 2p | grep -q "^{\"label\":\"refund\"" && printf "%s\n" "$cl" | sed -n 3p | grep -q "^{\"label\":\"login\""'
cl2=$(printf 'reset my password\n' | "$M" classify --model "$t/m.bin"); rc=$?
check "classify reads stdin" '[ $rc -eq 0 ] && printf "%s" "$cl2" | grep -q "^{\"label\":\"login\""'
n=$("$M" classify --model "$t/m.bin" "$t/test.jsonl" | wc -l)
check "classify reads JSONL" '[ "$n" -eq 120 ]'
cl3=$(printf 'quantum xylophone\n' | "$M" classify --model "$t/m.bin" --threshold 0.99); rc=$?
check "a high threshold turns an unknown message into oos" 'printf "%s" "$cl3" | grep -q "^{\"label\":\"oos\",.*\"oos\":true"'

# Bad input names the file and line; --skip-bad counts instead.
printf 'text,label\n"fine one",refund\n"broken quote,refund\n' > "$t/bad.csv"
err=$("$M" train -q "$t/bad.csv" -o "$t/x.bin" 2>&1); rc=$?
check "bad CSV exits 1" '[ $rc -eq 1 ]'
check "bad CSV names file:line ($err)" 'printf "%s" "$err" | grep -q "bad.csv:3"'
{ gen 5 40 jsonl; echo '{"text": "no label here"}'; echo 'not json'; gen 6 40 jsonl; } > "$t/bad.jsonl"
err=$("$M" train -q "$t/bad.jsonl" -o "$t/x.bin" 2>&1); rc=$?
check "bad JSONL exits 1" '[ $rc -eq 1 ]'
check "bad JSONL names file:line ($err)" 'printf "%s" "$err" | grep -q "bad.jsonl:41"'
err=$("$M" train -q --skip-bad --bits 12 "$t/bad.jsonl" -o "$t/x.bin" 2>&1); rc=$?
check "--skip-bad trains anyway" '[ $rc -eq 0 ]'
check "--skip-bad prints the count ($err)" 'printf "%s" "$err" | grep -q "skipped 2 bad records"'
err=$("$M" eval --model "$t/m.bin" "$t/bad.jsonl" 2>&1); rc=$?
check "eval on bad JSONL exits 1 naming the line" '[ $rc -eq 1 ] && printf "%s" "$err" | grep -q "bad.jsonl:41"'

# Corrupt, truncated and foreign models are refused with a clear error.
size=$(wc -c < "$t/m.bin")
cp "$t/m.bin" "$t/flip.bin"
printf 'X' | dd of="$t/flip.bin" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
err=$("$M" classify --model "$t/flip.bin" "$t/in.txt" 2>&1); rc=$?
check "corrupt model refused ($err)" '[ $rc -eq 1 ] && printf "%s" "$err" | grep -q "checksum mismatch"'
head -c $((size - 10)) "$t/m.bin" > "$t/cut.bin"
err=$("$M" eval --model "$t/cut.bin" "$t/test.csv" 2>&1); rc=$?
check "truncated model refused ($err)" '[ $rc -eq 1 ] && printf "%s" "$err" | grep -q "truncated"'
err=$("$M" classify --model "$t/train.csv" "$t/in.txt" 2>&1); rc=$?
check "foreign file refused ($err)" '[ $rc -eq 1 ] && printf "%s" "$err" | grep -q "not a maat model"'

# Usage errors exit 2.
"$M" train "$t/train.csv" >/dev/null 2>&1; rc=$?
check "train without -o exits 2" '[ $rc -eq 2 ]'
"$M" train --epochs zero "$t/train.csv" -o "$t/x.bin" >/dev/null 2>&1; rc=$?
check "train --epochs zero exits 2" '[ $rc -eq 2 ]'
"$M" classify "$t/in.txt" >/dev/null 2>&1; rc=$?
check "classify without --model exits 2" '[ $rc -eq 2 ]'
"$M" eval --model "$t/m.bin" --bogus "$t/test.csv" >/dev/null 2>&1; rc=$?
check "eval unknown option exits 2" '[ $rc -eq 2 ]'
exit $fail

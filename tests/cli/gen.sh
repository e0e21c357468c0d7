#!/bin/sh
# maat gen: byte-identical for a seed, the formats it promises, usage errors.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$MAAT_BIN" gen --messages 300 --seed 4 -o "$tmp/a.jsonl"; rc=$?
check "gen exits 0" '[ $rc -eq 0 ]'
"$MAAT_BIN" gen --messages 300 --seed 4 > "$tmp/b.jsonl"
check "same seed, same bytes" 'cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl"'
"$MAAT_BIN" gen --messages 300 --seed 5 > "$tmp/c.jsonl"
check "other seed, other bytes" '! cmp -s "$tmp/a.jsonl" "$tmp/c.jsonl"'
check "one line per message" '[ $(wc -l < "$tmp/a.jsonl") -eq 300 ]'
check "every line has the labels" '[ $(grep -c "^{\"text\":\".*\",\"label\":\"[a-z_]*\",\"lang\":\"\(nl\|en\)\",\"intent\":\"[a-z_]*\",\"tone\":\"[a-z]*\",\"tone_intensity\":[0-9.]*,\"urgency\":[0-9.]*}$" "$tmp/a.jsonl") -eq 300 ]'

"$MAAT_BIN" gen -n 50 --lang nl --format csv > "$tmp/d.csv"
check "csv header" '[ "$(head -n 1 "$tmp/d.csv")" = "text,label,lang,intent,tone,tone_intensity,urgency" ]'
check "csv rows" '[ $(wc -l < "$tmp/d.csv") -eq 51 ]'
check "--lang nl gives only Dutch" '[ $(grep -c ",nl,[a-z_]*,[a-z]*,[0-9.]*,[0-9.]*$" "$tmp/d.csv") -eq 50 ]'

"$MAAT_BIN" gen --messages -3 >/dev/null 2>"$tmp/err"; rc=$?
check "negative count is a usage error" '[ $rc -eq 2 ] && grep -q -- "--messages" "$tmp/err"'
"$MAAT_BIN" gen --lang de >/dev/null 2>"$tmp/err"; rc=$?
check "unknown language is a usage error" '[ $rc -eq 2 ] && grep -q "nl, en or mixed" "$tmp/err"'
"$MAAT_BIN" gen -n 1 -o /nonexistent/dir/x.jsonl 2>"$tmp/err"; rc=$?
check "unwritable output fails with 1" '[ $rc -eq 1 ] && grep -q "cannot open" "$tmp/err"'
exit $fail

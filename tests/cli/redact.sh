#!/bin/sh
# maat redact: personal data replaced by its type; with --json the spans in
# characters of the original; a line that is not UTF-8 is named and skipped.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v jq >/dev/null || { echo "[SKIP] jq is not installed"; exit 77; }
printf 'Mijn naam is Anna de Vries, bel 06-12345678 of mail anna@example.nl\nIBAN NL91 ABNA 0417 1643 00, BSN 111222333, kaart 4111 1111 1111 1111\nGeen persoonsgegevens hier, ordernummer 123456789\n' >"$tmp/in.txt"
"$MAAT_BIN" redact "$tmp/in.txt" >"$tmp/out.txt"; rc=$?
check "exit 0, one line per message" '[ $rc -eq 0 ] && [ $(wc -l < "$tmp/out.txt") -eq 3 ]'
check "names, phones and e-mail replaced" 'head -1 "$tmp/out.txt" | grep -qx "Mijn naam is \[NAME\], bel \[PHONE\] of mail \[EMAIL\]"'
check "IBAN, BSN and card replaced" 'sed -n 2p "$tmp/out.txt" | grep -qx "IBAN \[IBAN\], BSN \[BSN\], kaart \[CARD\]"'
check "an order number that fails the 11-proof is left alone" 'sed -n 3p "$tmp/out.txt" | grep -q "123456789"'
printf '{"text": "Café: bel 06-12345678"}\n' >"$tmp/in.jsonl"
"$MAAT_BIN" redact --json "$tmp/in.jsonl" >"$tmp/out.jsonl"
check "--json: the spans in characters of the original" \
  'jq -e ".text == \"Café: bel [PHONE]\" and .spans == [{\"type\":\"phone\",\"start\":10,\"end\":21}]" "$tmp/out.jsonl" >/dev/null'
printf 'ok line\n\377bad\nanother@example.nl\n' >"$tmp/bad.txt"
"$MAAT_BIN" redact "$tmp/bad.txt" >"$tmp/o2" 2>"$tmp/err"; rc=$?
check "invalid UTF-8: exit 1, the line named, the others done" \
  '[ $rc -eq 1 ] && grep -q ":2" "$tmp/err" && grep -q "\[EMAIL\]" "$tmp/o2"'
exit $fail

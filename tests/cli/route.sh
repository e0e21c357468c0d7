#!/bin/sh
# maat route end to end: the same input gives byte-identical output under
# every policy, the counts add up, no hostile contact goes to the bot, and
# malformed events name their line and stop or are skipped as asked.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" "$2"; }

h=$("$MAAT_BIN" route --help); rc=$?
check "route --help exits 0" '[ $rc -eq 0 ]'
check "route --help shows usage" 'printf "%s" "$h" | grep -q "^Usage: maat route"'
"$MAAT_BIN" route </dev/null >/dev/null 2>&1; rc=$?
check "route without --team is a usage error" '[ $rc -eq 2 ]'

"$MAAT_BIN" gen --team 15 -o "$tmp/team.json"; rc=$?
check "gen --team writes a team" '[ $rc -eq 0 ] && [ -s "$tmp/team.json" ]'
"$MAAT_BIN" gen --events --team "$tmp/team.json" --days 1 --seed 3 \
  >"$tmp/ev.jsonl"; rc=$?
check "gen --events writes events" '[ $rc -eq 0 ] && [ $(wc -l <"$tmp/ev.jsonl") -gt 500 ]'
"$MAAT_BIN" gen --events --team "$tmp/team.json" --days 1 --seed 3 \
  >"$tmp/ev2.jsonl"
check "gen --events is deterministic" 'cmp -s "$tmp/ev.jsonl" "$tmp/ev2.jsonl"'

for p in maat efficiency round-robin; do
  "$MAAT_BIN" route --team "$tmp/team.json" --policy $p --replay \
    --summary "$tmp/s1.json" "$tmp/ev.jsonl" >"$tmp/o1.jsonl"; rc=$?
  check "$p: exits 0" '[ $rc -eq 0 ]'
  "$MAAT_BIN" route --team "$tmp/team.json" --policy $p --replay \
    --summary "$tmp/s2.json" - <"$tmp/ev.jsonl" >"$tmp/o2.jsonl"
  check "$p: same input, byte-identical output" 'cmp -s "$tmp/o1.jsonl" "$tmp/o2.jsonl"'
  check "$p: same summary" 'cmp -s "$tmp/s1.json" "$tmp/s2.json"'
  c=$(field contacts "$tmp/s1.json"); a=$(field assigned "$tmp/s1.json")
  ab=$(field abandoned "$tmp/s1.json"); q=$(field queued_at_end "$tmp/s1.json")
  check "$p: contacts = assigned + abandoned + queued ($c = $a + $ab + $q)" \
    '[ "$c" -gt 0 ] && [ "$c" -eq $((a + ab + q)) ]'
  n=$(grep -c '"type":"contact"' "$tmp/ev.jsonl")
  check "$p: every contact counted ($n)" '[ "$c" -eq "$n" ]'
  # Hostile contacts, and the contacts the bot got: no overlap.
  grep '"type":"contact"' "$tmp/ev.jsonl" | grep -E '"tone":"(frustrated|angry|distressed)"' |
    sed 's/.*"id":"\([^"]*\)".*/\1/' | sort >"$tmp/hostile"
  grep '"to":"bot"' "$tmp/o1.jsonl" | sed 's/.*"contact":"\([^"]*\)".*/\1/' |
    sort >"$tmp/bot"
  check "$p: no hostile contact assigned to the bot" \
    '[ -s "$tmp/hostile" ] && [ -z "$(comm -12 "$tmp/hostile" "$tmp/bot")" ]'
done

# Malformed events: line 3 is broken.
head -n 2 "$tmp/ev.jsonl" >"$tmp/bad.jsonl"
echo '{"type":"contact","t":"soon"}' >>"$tmp/bad.jsonl"
tail -n +3 "$tmp/ev.jsonl" >>"$tmp/bad.jsonl"
"$MAAT_BIN" route --team "$tmp/team.json" --replay "$tmp/bad.jsonl" \
  >"$tmp/o3.jsonl" 2>"$tmp/err"; rc=$?
check "malformed: stops with exit 1" '[ $rc -eq 1 ]'
check "malformed: names the line and field" 'grep -q ":3: field .t." "$tmp/err"'
"$MAAT_BIN" route --team "$tmp/team.json" --replay --on-error skip \
  "$tmp/bad.jsonl" >"$tmp/o4.jsonl" 2>"$tmp/err"; rc=$?
"$MAAT_BIN" route --team "$tmp/team.json" --replay "$tmp/ev.jsonl" \
  >"$tmp/o5.jsonl"
check "malformed: skip goes on, exit 0" '[ $rc -eq 0 ] && grep -q ":3:" "$tmp/err"'
check "malformed: skip loses nothing accepted" 'cmp -s "$tmp/o4.jsonl" "$tmp/o5.jsonl"'
echo '{"agents":[{"id":"x","languages":"nl"}]}' >"$tmp/badteam.json"
"$MAAT_BIN" route --team "$tmp/badteam.json" </dev/null 2>"$tmp/err"; rc=$?
check "bad team file names the file, agent and field" \
  '[ $rc -eq 1 ] && grep -q "badteam.json: agent .x.: field .languages." "$tmp/err"'
exit $fail

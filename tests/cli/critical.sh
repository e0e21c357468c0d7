#!/bin/sh
# Critical contacts, Dutch and English: the messages in tests/data (written
# for maat: critical-*.txt with their kind, routine-*.txt and the sets
# written later to check the rules on wording they were not written for)
# go through 'maat triage' with an intent model: every kind is found in
# both languages, at least 95 % of the critical ones are flagged and none
# goes to the bot (T1); at most 5 % of the routine ones are flagged. Then
# single cases: negation, the past, a what-if, and the reason naming the
# words.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=${MAAT_SOURCE_ROOT:?}/tests/data

"$MAAT_BIN" gen --messages 3000 --seed 4 -o "$tmp/hist.jsonl" 2>/dev/null
"$MAAT_BIN" train --seed 1 --epochs 5 -q -o "$tmp/intent.model" "$tmp/hist.jsonl"

# FILE -> JSON lines with the text (the kind, when there is one, as id)
tojson() {
  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' "$1" |
    awk -F '\t' '{ if (NF > 1) printf "{\"id\":\"%s-%d\",\"text\":\"%s\"}\n", $1, NR, $2;
                   else printf "{\"id\":\"r-%d\",\"text\":\"%s\"}\n", NR, $1 }'
}
triage() { "$MAAT_BIN" triage --intent-model "$tmp/intent.model" "$1" 2>/dev/null; }

cat "$data"/critical-en.txt "$data"/critical-nl.txt "$data"/heldout-critical.txt \
  "$data"/fresh-critical.txt >"$tmp/crit.txt"
cat "$data"/routine-en.txt "$data"/routine-nl.txt "$data"/heldout-routine.txt \
  "$data"/fresh-routine.txt >"$tmp/routine.txt"
tojson "$tmp/crit.txt" >"$tmp/crit.jsonl"
tojson "$tmp/routine.txt" >"$tmp/routine.jsonl"
triage "$tmp/crit.jsonl" >"$tmp/crit.out"
triage "$tmp/routine.jsonl" >"$tmp/routine.out"

n=$(wc -l <"$tmp/crit.jsonl"); hit=$(grep -c '"critical":true' "$tmp/crit.out")
t1=$(grep -c '"tier":"T1"' "$tmp/crit.out")
check "critical recall at least 95 % ($hit of $n)" '[ $((hit * 100)) -ge $((n * 95)) ]'
check "no critical message goes to the bot ($t1 T1)" '[ "$t1" = 0 ]'
check "every flagged one has priority 3" \
  '[ "$(grep "\"critical\":true" "$tmp/crit.out" | grep -vc "\"priority\":3")" = 0 ]'
for kind in fraud health safety self_harm deadline vulnerable outage breach; do
  for lang in en nl; do
    k=$(grep "\"id\":\"$kind-" "$tmp/crit.out" | grep "\"lang\":\"$lang\"" |
        grep -c "\"critical_kind\":\"$kind\"")
    check "$kind found in $lang ($k)" '[ "$k" -ge 1 ]'
  done
done
m=$(wc -l <"$tmp/routine.jsonl"); fp=$(grep -c '"critical":true' "$tmp/routine.out")
check "routine flagged critical at most 5 % ($fp of $m)" '[ $((fp * 100)) -le $((m * 5)) ]'

# Negation, the past, what-if; the reason quotes the words.
printf '%s\n' \
  '{"id":"neg-en","text":"No money was taken from my account, I only want to check my balance"}' \
  '{"id":"neg-nl","text":"Er is geen geld van mijn rekening gehaald, ik wil alleen mijn saldo zien"}' \
  '{"id":"past-en","text":"Last year my card was stolen and someone used it, how do I order a new card?"}' \
  '{"id":"past-nl","text":"Vorig jaar is mijn pas gestolen en gebruikt, hoe vraag ik een nieuwe aan?"}' \
  '{"id":"if-en","text":"What should I do if someone logs into my account?"}' \
  '{"id":"if-nl","text":"Wat moet ik doen als iemand in mijn account inlogt?"}' \
  '{"id":"now-nl","text":"Er wordt nu geld van mijn rekening gehaald!"}' \
  '{"id":"now-en","text":"Someone is logged into my account and is transferring money right now, help!!"}' \
  >"$tmp/cases.jsonl"
triage "$tmp/cases.jsonl" >"$tmp/cases.out"
for id in neg-en neg-nl past-en past-nl if-en if-nl; do
  check "$id is not critical" 'grep "\"id\":\"$id\"" "$tmp/cases.out" | grep -q "\"critical\":false"'
done
for id in now-nl now-en; do
  check "$id is critical, T3, priority 3" \
    'grep "\"id\":\"$id\"" "$tmp/cases.out" | grep "\"critical\":true" | grep "\"tier\":\"T3\"" | grep -q "\"priority\":3"'
done
check "the reason names the kind and quotes the words" \
  'grep "\"id\":\"now-nl\"" "$tmp/cases.out" | grep -q "critical (fraud): [^\"]*'"'"'nu'"'"' + '"'"'geld'"'"' + '"'"'gehaald'"'"'"'
exit $fail

#!/bin/sh
# maat triage end to end: one JSON line per message with the documented
# fields, the hard rules visible in the output, --explain for a person,
# configuration and malformed input named by file and line.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$MAAT_BIN" gen --messages 3000 --seed 4 -o "$tmp/hist.jsonl" 2>/dev/null
"$MAAT_BIN" train --seed 1 --epochs 5 -q -o "$tmp/intent.model" "$tmp/hist.jsonl"; rc=$?
check "an intent model trains" '[ $rc -eq 0 ]'

printf '%s\n' "Hoe activeer ik mijn nieuwe pas?" \
  "Dit is belachelijk, ik heb al drie keer gebeld!" \
  "My husband passed away and I need to close his account" \
  "niet slecht" >"$tmp/in.txt"
"$MAAT_BIN" triage --intent-model "$tmp/intent.model" "$tmp/in.txt" \
  >"$tmp/out.jsonl" 2>"$tmp/err"; rc=$?
check "triage exits 0" '[ $rc -eq 0 ]'
check "no warning about a missing tone model (the shipped one is found)" \
  '! grep -q "no tone model" "$tmp/err"'
check "one line per message" '[ $(wc -l <"$tmp/out.jsonl") -eq 4 ]'
for k in id lang intent intent_confidence tone tone_intensity urgency tier \
    priority reasons; do
  n=$(grep -c "\"$k\":" "$tmp/out.jsonl")
  check "every line has $k" '[ "$n" -eq 4 ]'
done
l2=$(sed -n 2p "$tmp/out.jsonl"); l3=$(sed -n 3p "$tmp/out.jsonl")
check "an angry repeat caller is not T1 and the reason quotes the words" \
  'printf "%s" "$l2" | grep -q "\"tone\":\"angry\"" && ! printf "%s" "$l2" | grep -q "\"tier\":\"T1\"" && printf "%s" "$l2" | grep -q "belachelijk"'
check "a bereaved customer goes to T3" \
  'printf "%s" "$l3" | grep -q "\"tone\":\"distressed\"" && printf "%s" "$l3" | grep -q "\"tier\":\"T3\""'
check "'niet slecht' is not negative" \
  'sed -n 4p "$tmp/out.jsonl" | grep -qE "\"tone\":\"(neutral|positive)\""'

"$MAAT_BIN" triage --explain "$tmp/in.txt" >"$tmp/explain.txt" 2>/dev/null; rc=$?
check "--explain exits 0 and reads like prose" \
  '[ $rc -eq 0 ] && grep -q "^line 2: T[23], priority" "$tmp/explain.txt" && grep -q "  - tone angry" "$tmp/explain.txt"'

printf '{"id": "a1", "text": "Where is my refund?", "customer": "c9", "channel": "chat"}\n{"id": "a2", "text": "still no refund", "customer": "c9", "history": ["Where is my refund?"]}\n' >"$tmp/in.jsonl"
"$MAAT_BIN" triage --intent-model "$tmp/intent.model" "$tmp/in.jsonl" >"$tmp/o.jsonl"; rc=$?
check "JSONL with id, customer, channel and history" \
  '[ $rc -eq 0 ] && grep -q "\"id\":\"a1\",\"channel\":\"chat\"" "$tmp/o.jsonl" && grep -q "\"id\":\"a2\"" "$tmp/o.jsonl"'
printf 'id,text\n7,"Mijn pas is gestolen, help!"\n' >"$tmp/in.csv"
"$MAAT_BIN" triage "$tmp/in.csv" >"$tmp/o.jsonl" 2>/dev/null; rc=$?
check "CSV with a text column" '[ $rc -eq 0 ] && grep -q "\"id\":\"7\"" "$tmp/o.jsonl"'

printf '{"text": "fine"}\n{"text": \n{"text": "ok"}\n' >"$tmp/bad.jsonl"
"$MAAT_BIN" triage "$tmp/bad.jsonl" >"$tmp/o.jsonl" 2>"$tmp/err"; rc=$?
check "malformed JSONL fails naming file and line" \
  '[ $rc -eq 1 ] && grep -q "bad.jsonl:2" "$tmp/err"'
check "the record before it was written" '[ $(wc -l <"$tmp/o.jsonl") -eq 1 ]'
"$MAAT_BIN" triage --skip-bad "$tmp/bad.jsonl" >"$tmp/o.jsonl" 2>"$tmp/err"; rc=$?
check "--skip-bad goes on and says how many" \
  '[ $rc -eq 0 ] && [ $(wc -l <"$tmp/o.jsonl") -eq 2 ] && grep -q "skipped 1" "$tmp/err"'
printf '{"text": "x", "history": [1, 2]}\n' >"$tmp/h.jsonl"
"$MAAT_BIN" triage "$tmp/h.jsonl" >/dev/null 2>"$tmp/err"; rc=$?
check "a bad history names the field and line" \
  '[ $rc -eq 1 ] && grep -q "h.jsonl:1: field .history." "$tmp/err"'
printf '{"rules": {"upset_never_bot": "yes"}}' >"$tmp/c.json"
"$MAAT_BIN" triage --config "$tmp/c.json" "$tmp/in.txt" >/dev/null 2>"$tmp/err"; rc=$?
check "a bad configuration names file and field" \
  '[ $rc -eq 1 ] && grep -q "c.json: field .rules.upset_never_bot." "$tmp/err"'
printf 'caf\303\n' >"$tmp/u.txt"
"$MAAT_BIN" triage "$tmp/u.txt" >/dev/null 2>"$tmp/err"; rc=$?
check "invalid UTF-8 fails naming the line" '[ $rc -eq 1 ] && grep -q "u.txt:1" "$tmp/err"'
"$MAAT_BIN" triage --no-tone-model --tone-model x "$tmp/in.txt" >/dev/null 2>&1; rc=$?
check "contradicting options are a usage error" '[ $rc -eq 2 ]'
"$MAAT_BIN" triage --intent-model "$tmp/nope.model" "$tmp/in.txt" >/dev/null 2>&1; rc=$?
check "a missing model fails" '[ $rc -eq 1 ]'

# A reason is cut on a character, never inside one: long quotes of
# three-byte characters, shifted by 0, 1 and 2 bytes, stay valid UTF-8 and
# keep their reason (the review found invalid JSON at byte 239).
fw='ｂｅｌａｃｈｅｌｉｊｋ'
for k in 0 1 2 3; do
  pre=""
  i=0; while [ $i -lt $k ]; do pre="$pre schandalig"; i=$((i + 1)); done
  printf '{"id":"u%d","text":"%s %s %s %s %s %s %s %s %s"}\n' $k "$pre" \
    $fw $fw $fw $fw $fw $fw $fw $fw
done >"$tmp/fw.jsonl"
"$MAAT_BIN" triage "$tmp/fw.jsonl" >"$tmp/fw.out" 2>/dev/null
check "long reasons of multi-byte characters stay valid UTF-8" \
  'iconv -f UTF-8 -t UTF-8 "$tmp/fw.out" >/dev/null 2>&1'
check "... and every line keeps its tone reason" \
  '[ "$(grep -c "tone angry" "$tmp/fw.out")" -eq 4 ]'

# The bot knows its limits without out-of-scope examples: the threshold
# keeps 80 % of the in-scope validation messages, so an off-topic question,
# gibberish or a message without words goes to a person.
"$MAAT_BIN" train --seed 1 --epochs 5 -o "$tmp/noos.model" "$tmp/hist.jsonl" >"$tmp/noos.out" 2>&1
check "training without oos examples still picks a threshold" \
  'grep -q "threshold 0*[.0-9]* (keeps 80 % of the in-scope validation messages)" "$tmp/noos.out" &&
   ! grep -q "threshold 0.0000" "$tmp/noos.out"'
printf '%s\n' '{"id":"o1","text":"Can you recommend a good pizza place?"}' \
  '{"id":"o2","text":"asdfgh qwerty"}' '{"id":"o3","text":"   ?!"}' \
  '{"id":"o4","text":"Wie wint het WK voetbal dit jaar denk je?"}' \
  '{"id":"i1","text":"Hoe activeer ik mijn nieuwe pas?"}' >"$tmp/oos-in.jsonl"
"$MAAT_BIN" triage --intent-model "$tmp/noos.model" "$tmp/oos-in.jsonl" >"$tmp/oos.out" 2>/dev/null
for id in o1 o2 o3 o4; do
  check "$id does not go to the bot" 'grep "\"id\":\"$id\"" "$tmp/oos.out" | grep -qv "\"tier\":\"T1\""'
done
check "a message without words says so" \
  'grep "\"id\":\"o3\"" "$tmp/oos.out" | grep -q "no words in the message"'
check "an in-scope question still does" 'grep "\"id\":\"i1\"" "$tmp/oos.out" | grep -q "\"tier\":\"T1\""'

# Dutch everyday annoyance reads as frustrated; an alarm with two
# durations is no complaint.
printf '%s\n' '{"id":"d1","text":"Mijn wifi valt steeds weg, erg vervelend."}' \
  '{"id":"d2","text":"Ik word er gek van, de app loopt steeds vast"}' \
  '{"id":"d3","text":"Zwaar teleurgesteld in de service"}' \
  '{"id":"d4","text":"Zet de wekker elke vijf minuten voor 20 minuten"}' >"$tmp/nl-tone.jsonl"
"$MAAT_BIN" triage "$tmp/nl-tone.jsonl" >"$tmp/nl-tone.out" 2>/dev/null
for id in d1 d2 d3; do
  check "$id reads as frustrated" 'grep "\"id\":\"$id\"" "$tmp/nl-tone.out" | grep -q "\"tone\":\"frustrated\""'
done
check "d4 is calm" 'grep "\"id\":\"d4\"" "$tmp/nl-tone.out" | grep -q "\"tone\":\"neutral\""'

# Sensitive intents: a person answers, by the intent's name or by what its
# examples say; listed by 'maat train', kept in the model, and a triage
# configuration that names one in bot_answerable overrides.
: >"$tmp/sens.jsonl"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
  printf '{"text":"I want to report fraud on my account number %d","label":"fraud_report"}\n' $i
  printf '{"text":"When does my new card %d arrive in the post?","label":"card_arrival"}\n' $i
  printf '{"text":"My husband died last month, how do I close account %d?","label":"close_account_of_relative"}\n' $i
  printf '{"text":"How can I change my address to street %d?","label":"change_address"}\n' $i
done >>"$tmp/sens.jsonl"
"$MAAT_BIN" train --seed 1 --epochs 10 --threshold 0 -o "$tmp/sens.model" "$tmp/sens.jsonl" >"$tmp/train.out" 2>&1
check "training lists the sensitive intents, by name and by examples" \
  'grep -q "sensitive, a person answers: .*fraud_report (fraud)" "$tmp/train.out" &&
   grep -q "close_account_of_relative (bereavement)" "$tmp/train.out" &&
   ! grep -q "card_arrival (" "$tmp/train.out"'
printf '%s\n' '{"id":"s1","text":"I want to report fraud on my account"}' \
  '{"id":"s2","text":"When does my new card arrive in the post?"}' >"$tmp/sens-in.jsonl"
"$MAAT_BIN" triage --intent-model "$tmp/sens.model" "$tmp/sens-in.jsonl" >"$tmp/sens.out" 2>/dev/null
check "a sensitive intent never goes to the bot, saying why" \
  'grep "\"id\":\"s1\"" "$tmp/sens.out" | grep -v "\"tier\":\"T1\"" | grep -q "is sensitive (fraud): a person answers"'
check "an ordinary intent still does" 'grep "\"id\":\"s2\"" "$tmp/sens.out" | grep -q "\"tier\":\"T1\""'
printf '{"bot_answerable": ["*", "fraud_report"]}\n' >"$tmp/sens-cfg.json"
"$MAAT_BIN" triage --intent-model "$tmp/sens.model" --triage-config "$tmp/sens-cfg.json" \
  "$tmp/sens-in.jsonl" >"$tmp/sens2.out" 2>/dev/null
check "naming it in bot_answerable overrides" \
  '! grep "\"id\":\"s1\"" "$tmp/sens2.out" | grep -q "is sensitive"'

# maat route triages contacts that come as raw text, and logs the verdict.
"$MAAT_BIN" gen --team 6 -o "$tmp/team.json"
printf '%s\n' '{"type":"agent","t":0,"agent":"a0001","state":"available"}' \
  '{"type":"contact","t":5,"id":"r1","text":"Dit is belachelijk, al drie keer gebeld!"}' \
  '{"type":"contact","t":6,"id":"r2","text":"Hoe activeer ik mijn pas?"}' >"$tmp/raw.jsonl"
"$MAAT_BIN" route --team "$tmp/team.json" --intent-model "$tmp/intent.model" \
  --db "$tmp/r.db" "$tmp/raw.jsonl" >"$tmp/dec.jsonl" 2>"$tmp/err"; rc=$?
check "route accepts raw text" '[ $rc -eq 0 ]'
"$MAAT_BIN" route --team "$tmp/team.json" --db "$tmp/r.db" --log >"$tmp/log.jsonl"
check "the log keeps the triaged line, not the words" \
  'grep -q "\"id\":\"r1\".*\"tone\":\"angry\".*\"triage\":{" "$tmp/log.jsonl" && ! grep -q "Dit is" "$tmp/log.jsonl"'
exit $fail

#!/bin/sh
# The learning loop: people correct decisions through the API (a lead any
# contact, an agent only her own), with a reason; corrections wait in a
# review queue that counts the same correction made again; approved ones
# become training data for 'maat retrain', whose model is promoted only
# when not worse on held-out data, and which a running server picks up
# without a restart; a model trained on wrong corrections is refused; any
# version can be put back. A lead's move is an override, counted per rule
# and intent. The customer's words and the reasons are kept without
# personal data.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for tool in curl jq; do
  command -v $tool >/dev/null || { echo "[SKIP] $tool is not installed"; exit 77; }
done
. "$(dirname "$0")/serve_lib.sh"

"$MAAT_BIN" gen --messages 3000 --seed 3 -o "$tmp/all.jsonl" 2>/dev/null
head -n 600 "$tmp/all.jsonl" >"$tmp/base.jsonl"
sed -n '601,1400p' "$tmp/all.jsonl" >"$tmp/hold.jsonl"
sed -n '1401,3000p' "$tmp/all.jsonl" >"$tmp/rest.jsonl"
"$MAAT_BIN" train --seed 1 --epochs 5 -q -o "$tmp/first.model" "$tmp/base.jsonl"
db=$(test_db "$tmp/l.db")
"$MAAT_BIN" models --db "$db" --models "$tmp/models" register "$tmp/first.model" >"$tmp/out" 2>&1
check "a first model is registered and in use" 'grep -q "version 1 registered and in use" "$tmp/out"'
INT=$("$MAAT_BIN" token add --db "$db" --role integration 2>/dev/null)
LEAD=$("$MAAT_BIN" token add --db "$db" --role lead 2>/dev/null)
# An agent's token comes from a one-time code the agent redeems.
enrolled() {
  c=$("$MAAT_BIN" token enrol --db "$db" --agent "$1" 2>/dev/null)
  "$MAAT_BIN" token redeem --db "$db" "$c" 2>/dev/null
}
ANA=$(enrolled a0001); BOB=$(enrolled a0002)
cat >"$tmp/team.json" <<'T'
{"agents": [{"id": "a0001", "languages": ["nl", "en"], "tiers": ["T1", "T2", "T3"]},
            {"id": "a0002", "languages": ["nl", "en"], "tiers": ["T1", "T2", "T3"]}]}
T
start_server "$db" "$tmp/team.json"
check "the server starts with the registry's model" '[ -n "$port" ]'
code GET /healthz "" >/dev/null
check "healthz names the registry's model in use (1)" '[ "$(jq .intent_model "$tmp/body")" = 1 ]'
expect "ana is available" 200 POST /v1/agents/a0001/state "$ANA" '{"state":"available"}'

# A contact with personal data in its words.
expect "a contact with text is triaged" 201 POST /v1/contacts "$INT" \
  '{"id":"k1","customer":"u1","text":"This is ridiculous, I am furious! Cancel my subscription now. Mail me at jan.jansen@example.nl or call 06-12345678"}'
intent=$(jq -r '.triage.intent // ""' "$tmp/body")
to=$(jq -r '.decision.to // ""' "$tmp/body")
check "an angry customer went to ana (the one available)" '[ "$to" = a0001 ]'
expect "a second contact" 201 POST /v1/contacts "$INT" \
  '{"id":"k2","customer":"u2","text":"please cancel my subscription today"}'

# Corrections: validated, owned, audited.
expect "an unknown field is refused" 400 POST /v1/contacts/k1/corrections "$LEAD" \
  '{"field":"mood","value":"x","reason":"r"}'
expect "a tier that is no tier is refused" 400 POST /v1/contacts/k1/corrections "$LEAD" \
  '{"field":"tier","value":"T9","reason":"r"}'
expect "a correction without a reason is refused" 400 POST /v1/contacts/k1/corrections "$LEAD" \
  '{"field":"tier","value":"T3"}'
expect "an intent the model does not know is refused" 400 POST /v1/contacts/k1/corrections "$LEAD" \
  '{"field":"intent","value":"no_such_intent_here","reason":"r"}'
if [ -n "$intent" ]; then
  expect "correcting to what maat decided is a conflict" 409 POST /v1/contacts/k1/corrections "$LEAD" \
    "{\"field\":\"intent\",\"value\":\"$intent\",\"reason\":\"r\"}"
fi
other=$(jq -r 'select(.label != "'"$intent"'") | .label' "$tmp/all.jsonl" | head -n 1)
expect "bob may not correct ana's contact" 403 POST /v1/contacts/k1/corrections "$BOB" \
  "{\"field\":\"intent\",\"value\":\"$other\",\"reason\":\"not mine\"}"
expect "the helpdesk's token may not correct" 403 POST /v1/contacts/k1/corrections "$INT" \
  "{\"field\":\"intent\",\"value\":\"$other\",\"reason\":\"r\"}"
expect "ana corrects the intent of her contact" 201 POST /v1/contacts/k1/corrections "$ANA" \
  "{\"field\":\"intent\",\"value\":\"$other\",\"reason\":\"the customer, jan.jansen@example.nl, meant something else\"}"
c1=$(jq .id "$tmp/body")
check "the correction carries the customer's words for training" '[ "$(jq .training_text "$tmp/body")" = true ]'
expect "a lead makes the same correction on another contact" 201 POST /v1/contacts/k2/corrections "$LEAD" \
  "{\"field\":\"intent\",\"value\":\"$other\",\"reason\":\"same mistake\"}"
c2=$(jq .id "$tmp/body")
expect "a lead corrects a tier" 201 POST /v1/contacts/k2/corrections "$LEAD" \
  '{"field":"tier","value":"T3","reason":"this customer was about to leave","override":true}'
c3=$(jq .id "$tmp/body")
expect "the review queue lists the open corrections" 200 GET /v1/corrections "$LEAD"
check "three are open" '[ "$(jq ".corrections | length" "$tmp/body")" = 3 ]'
was=$(jq -r ".corrections[] | select(.id == $c2) | .was" "$tmp/body")
check "the queue counts a correction made again" '[ "$(jq "[.corrections[] | select(.field == \"intent\" and .was == \"$was\")][0].same" "$tmp/body")" -ge 1 ]'
check "the reason is kept without the e-mail address" '! grep -q "jan.jansen" "$tmp/body" && grep -q "\[EMAIL\]" "$tmp/body"'
expect "an agent may not read the queue" 403 GET /v1/corrections "$ANA"
expect "an agent may not approve" 403 POST "/v1/corrections/$c1/approve" "$ANA" '{}'
expect "a lead approves" 200 POST "/v1/corrections/$c1/approve" "$LEAD" '{}'
expect "a lead dismisses" 200 POST "/v1/corrections/$c3/dismiss" "$LEAD" '{}'
expect "a reviewed correction is not reviewed again" 409 POST "/v1/corrections/$c1/dismiss" "$LEAD" '{}'
expect "an unknown correction" 404 POST /v1/corrections/999/approve "$LEAD" '{}'
expect "the approved ones" 200 GET "/v1/corrections?state=approved" "$LEAD"
check "one approved, by a lead" '[ "$(jq ".corrections | length" "$tmp/body")" = 1 ] && [ "$(jq -r ".corrections[0].reviewed_by" "$tmp/body")" = lead ]'
expect "a bad state filter" 400 GET "/v1/corrections?state=maybe" "$LEAD"

# An answer overruled as wrong while its reply is still going out: the
# reply is held back. (The bot's reply as the outbox keeps it, to a
# helpdesk that does not answer, so that it is still pending.)
expect "a contact for the bot's answer" 201 POST /v1/contacts "$INT" \
  '{"id":"k5","customer":"u5","text":"how do I reset my password"}'
now=$(date +%s)
sql "$db" "INSERT INTO outbox (created, kind, key, method, url, body, next_at) VALUES ($now, 'chatwoot', 'cw:k5:reply@1.000', 'POST', 'http://127.0.0.1:9/api/v1/accounts/1/conversations/5/messages', '{\"content\":\"[AI] ...\"}', $now + 3600)" >/dev/null
expect "a lead overrules the bot's answer as wrong" 201 POST /v1/contacts/k5/corrections "$LEAD" \
  '{"field":"answer","value":"wrong","reason":"that article is out of date","override":true}'
check "the reply still going out is withheld" \
  '[ "$(jq .withheld "$tmp/body")" = 1 ] && [ "$(sql "$db" "SELECT state || '"'"' '"'"' || last_error FROM outbox WHERE key = '"'"'cw:k5:reply@1.000'"'"'")" = "2 withheld: a person said the bot'"'"'s answer is wrong" ]'
code POST /v1/contacts/k5/corrections "$LEAD" '{"field":"answer","value":"right","reason":"checked"}' >/dev/null

# A lead's move overrules the router: an override per rule and intent.
code POST /v1/agents/a0002/state "$BOB" '{"state":"available"}' >/dev/null
expect "a lead moves ana's contact to bob" 200 POST /v1/contacts/k1/move "$LEAD" \
  '{"agent":"a0002","reason":"bob knows this customer"}'
expect "overrides are counted" 200 GET /v1/overrides "$LEAD"
check "three overrides: the tier, the answer and the move" '[ "$(jq .total "$tmp/body")" = 3 ] && [ "$(jq .by_field.assignment "$tmp/body")" = 1 ] && [ "$(jq .by_field.tier "$tmp/body")" = 1 ] && [ "$(jq .by_field.answer "$tmp/body")" = 1 ]'
check "counted per rule" '[ "$(jq ".by_rule | length" "$tmp/body")" -ge 1 ]'
sleep 1.2
check "every correction and review is audited" \
  '[ "$(sql "$db" "SELECT count(*) FROM audit WHERE detail LIKE '"'"'correction%'"'"' OR detail LIKE '"'"'override%'"'"'")" -ge 6 ]'
check "no personal data of the customer is kept in the store's records" \
  '! sql "$db" "SELECT body FROM records" | grep -q -e "jan.jansen" -e "12345678"'

# Retraining: approved corrections in, promoted when not worse, picked up.
awk 'NR % 3 == 0' "$tmp/rest.jsonl" | jq -c '{text, value: .label}' >"$tmp/right.jsonl"
"$MAAT_BIN" corrections --db "$db" import --approve "$tmp/right.jsonl" >"$tmp/out" 2>&1
check "a reviewer's batch of corrections is imported" 'grep -q "corrections imported, approved" "$tmp/out"'
"$MAAT_BIN" retrain --db "$db" --models "$tmp/models" --epochs 5 --holdout "$tmp/hold.jsonl" --json "$tmp/base.jsonl" >"$tmp/r1.json" 2>"$tmp/err"
check "retrain learns from the approved corrections" '[ "$(jq .corrections "$tmp/r1.json")" -gt 100 ]'
check "the new model is promoted (not worse on held-out data)" '[ "$(jq .promoted "$tmp/r1.json")" = true ]'
v=$(jq .version "$tmp/r1.json")
i=0
while [ $i -lt 80 ]; do
  code GET /healthz "" >/dev/null
  [ "$(jq .intent_model "$tmp/body")" = "$v" ] && break
  sleep 0.25; i=$((i + 1))
done
check "the running server picked up the promoted model" '[ "$(jq .intent_model "$tmp/body")" = "$v" ]'
expect "triage goes on with it" 201 POST /v1/contacts "$INT" \
  '{"id":"k3","customer":"u3","text":"where is my parcel"}'

# Wrong corrections: the model they make is refused.
jq -c '{text, value: (if .label == "'"$other"'" then "'"$intent"'" else "'"$other"'" end)}' "$tmp/rest.jsonl" >"$tmp/wrong.jsonl"
"$MAAT_BIN" corrections --db "$db" import --approve "$tmp/wrong.jsonl" >/dev/null 2>&1
"$MAAT_BIN" retrain --db "$db" --models "$tmp/models" --epochs 5 --holdout "$tmp/hold.jsonl" --json "$tmp/base.jsonl" >"$tmp/r2.json" 2>"$tmp/err"
check "a model trained on wrong corrections is refused" '[ "$(jq .promoted "$tmp/r2.json")" = false ]'
check "the refusal says why, with the figures" 'jq -r .decision "$tmp/r2.json" | grep -q "refused: held-out accuracy"'
"$MAAT_BIN" models --db "$db" --models "$tmp/models" list --json >"$tmp/list.jsonl"
check "the registry keeps all three with their figures" '[ "$(wc -l <"$tmp/list.jsonl")" = 3 ] && [ "$(jq -s "[.[] | select(.metrics.accuracy != null)] | length" "$tmp/list.jsonl")" -ge 2 ]'
check "the promoted one stays in use" '[ "$(jq -s "[.[] | select(.in_use)][0].version" "$tmp/list.jsonl")" = "$v" ]'
"$MAAT_BIN" models --db "$db" --models "$tmp/models" use 1 --by "lead kim" >/dev/null 2>&1
i=0
while [ $i -lt 80 ]; do
  code GET /healthz "" >/dev/null
  [ "$(jq .intent_model "$tmp/body")" = 1 ] && break
  sleep 0.25; i=$((i + 1))
done
check "a rollback to version 1 reaches the running server" '[ "$(jq .intent_model "$tmp/body")" = 1 ]'
"$MAAT_BIN" models --db "$db" --models "$tmp/models" list >"$tmp/out"
check "the rollback is recorded with who" 'grep -q "put back in use by lead kim" "$tmp/out"'

# A scheduled retrain in the server: the registry grows by itself.
kill $pid; wait $pid 2>/dev/null; pid=""
cat >"$tmp/cfg.json" <<C
{"retrain": {"every_hours": 0.001, "base": ["$tmp/base.jsonl"], "holdout": "$tmp/hold.jsonl", "models": "$tmp/models"}}
C
start_server "$db" "$tmp/team.json" --config "$tmp/cfg.json"
i=0
while [ $i -lt 120 ]; do
  [ "$(sql "$db" "SELECT count(*) FROM audit WHERE path = 'retrain'")" -ge 1 ] && break
  sleep 0.25; i=$((i + 1))
done
check "the server retrains on schedule and says how it went in the audit log" \
  'sql "$db" "SELECT detail FROM audit WHERE path = '"'"'retrain'"'"'" | grep -q "scheduled retrain: version 4"'
"$MAAT_BIN" models --db "$db" --models "$tmp/models" list --json >"$tmp/list2.jsonl"
check "... and registers its model with the figures" '[ "$(wc -l <"$tmp/list2.jsonl")" -ge 4 ]'
kill $pid; wait $pid 2>/dev/null; pid=""
printf '{"retrain": {"every_hours": 1}}' >"$tmp/bad.json"
"$MAAT_BIN" serve --team "$tmp/team.json" --db "$db" --config "$tmp/bad.json" --port 0 >/dev/null 2>"$tmp/err"; rc=$?
check "a retrain without base data is a configuration error" '[ $rc != 0 ] && grep -q "retrain: needs every_hours and base" "$tmp/err"'

# Bad input.
n0=$("$MAAT_BIN" corrections --db "$db" list --state all | wc -l)
printf '{"text":"a","value":"x"}\n{"text":"b"}\n' >"$tmp/bad.jsonl"
"$MAAT_BIN" corrections --db "$db" import "$tmp/bad.jsonl" >/dev/null 2>"$tmp/err"; rc=$?
n1=$("$MAAT_BIN" corrections --db "$db" list --state all | wc -l)
check "an import with a bad line fails naming file and line, and adds nothing" \
  '[ $rc = 1 ] && grep -q "bad.jsonl:2: no .value. field" "$tmp/err" && [ "$n0" = "$n1" ]'
"$MAAT_BIN" retrain --db "$db" --models "$tmp/models" >/dev/null 2>&1; rc=$?
check "retrain without base data is a usage error" '[ $rc = 2 ]'
m=$(jq -r 'select(.version == 1) | .path' "$tmp/list.jsonl")
printf 'x' >>"$m"
"$MAAT_BIN" retrain --db "$db" --models "$tmp/models" --epochs 5 --holdout "$tmp/hold.jsonl" "$tmp/base.jsonl" >/dev/null 2>"$tmp/err"; rc=$?
check "a model file changed behind the registry's back is refused" '[ $rc = 1 ] && grep -q "changed since it was registered" "$tmp/err"'
exit $fail

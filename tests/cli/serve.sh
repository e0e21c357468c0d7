#!/bin/sh
# maat serve and maat token end to end: every endpoint with every role
# (allowed and refused), no lead response with a named agent's strain or
# check-ins, bad requests named, oversized bodies refused while the server
# keeps serving, audit rows, and a restart that rebuilds the queue.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
command -v curl >/dev/null || { echo "[SKIP] curl is not installed (scripts/install-deps.sh installs it)"; exit 77; }
. "$(dirname "$0")/serve_lib.sh"

"$MAAT_BIN" gen --team 8 -o "$tmp/team.json"
db=$(test_db "$tmp/s.db")
tok() { "$MAAT_BIN" token add --db "$db" "$@" 2>/dev/null; }
INT=$(tok --role integration); LEAD=$(tok --role lead); ADM=$(tok --role admin)
# An agent's token comes from a one-time code the agent redeems.
enrolled() {
  c=$("$MAAT_BIN" token enrol --db "$db" --agent "$1" 2>/dev/null)
  "$MAAT_BIN" token redeem --db "$db" "$c" 2>/dev/null
}
A1=$(enrolled a0001); A2=$(enrolled a0002)
check "tokens are printed once, 69 characters" '[ ${#INT} -eq 69 ] && [ ${#A1} -eq 69 ]'
"$MAAT_BIN" token add --db "$db" --role agent --agent a0003 >/dev/null 2>"$tmp/err"; rc=$?
check "nobody adds an agent token: it comes from enrolment" \
  '[ $rc -eq 2 ] && grep -q "enrolment" "$tmp/err"'
code3=$("$MAAT_BIN" token enrol --db "$db" --agent a0003 2>/dev/null)
check "an enrolment code reads XXXX-XXXX-XXXX" \
  'echo "$code3" | grep -Eq "^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$"'
"$MAAT_BIN" token redeem --db "$db" "$code3" >/dev/null 2>&1
"$MAAT_BIN" token redeem --db "$db" "$code3" >/dev/null 2>"$tmp/err"; rc=$?
check "a code works once" '[ $rc -eq 1 ] && grep -q "unknown, used or expired" "$tmp/err"'
"$MAAT_BIN" token add --db "$db" --role boss >/dev/null 2>&1; rc=$?
check "an unknown role is a usage error" '[ $rc -eq 2 ]'
"$MAAT_BIN" token list --db "$db" >"$tmp/list.txt"
check "token list shows roles, never a token" \
  'grep -q " lead " "$tmp/list.txt" && ! grep -q "$INT" "$tmp/list.txt"'
case "$db" in
  postgres*) check "the database keeps only hashes" '! sql "$db" "select hash from tokens" | grep -q "$INT"' ;;
  *) check "the database keeps only hashes" '! grep -aq "$INT" "$db"' ;;
esac

start_server "$db" "$tmp/team.json"
check "the server starts" '[ -n "$port" ]'


expect "healthz without a token" 200 GET /healthz ""
expect "agent a0001 goes available" 200 POST /v1/agents/a0001/state "$A1" '{"state":"available"}'
expect "agent a0002 goes available" 200 POST /v1/agents/a0002/state "$A2" '{"state":"available"}'
expect "contacts: no token" 401 POST /v1/contacts "" '{"text":"hallo"}'
expect "contacts: wrong token" 401 POST /v1/contacts "maat_0000000000000000000000000000000000000000000000000000000000000000" '{"text":"hallo"}'
expect "contacts: lead may not post" 403 POST /v1/contacts "$LEAD" '{"text":"hallo"}'
expect "contacts: agent may not post" 403 POST /v1/contacts "$A1" '{"text":"hallo"}'
expect "contacts: integration posts" 201 POST /v1/contacts "$INT" '{"id":"k1","text":"Hoe activeer ik mijn nieuwe pas?","customer":"cu1"}'
check "the reply holds the triage and the decision" \
  'grep -q "\"triage\":{" "$tmp/body" && grep -q "\"decision\":{" "$tmp/body"'
to=$(sed -n 's/.*"to":"\([a-z0-9]*\)".*/\1/p' "$tmp/body")
# Reasons per language: Accept-Language or ?lang=, with codes for programs.
expect "a contact's reasons in Dutch" 200 GET "/v1/contacts/k1?lang=nl" "$LEAD"
check "... rendered from the catalogue, with codes" \
  'jq -e ".triage.reasons | length > 0" "$tmp/body" >/dev/null &&
   jq -e "[.triage.reason_codes[].code] | all(. != null)" "$tmp/body" >/dev/null &&
   ! jq -r ".triage.reasons[], .decision.reasons // empty" "$tmp/body" |
     grep -q "intent \|tier T\|bot-answerable"'
curl -s -H "Authorization: Bearer $LEAD" -H "Accept-Language: nl-BE,en;q=0.5" \
  "$base/v1/contacts/k1" >"$tmp/al.json"
check "... and by Accept-Language" \
  'jq -e ".triage.reasons == $(jq -c .triage.reasons "$tmp/body")" "$tmp/al.json" >/dev/null'
expect "the same in English" 200 GET "/v1/contacts/k1?lang=en" "$LEAD"
check "... reads English" \
  'jq -r ".triage.reasons[]" "$tmp/body" | grep -q "intent \|T1: \|tone "'
expect "contacts: admin posts" 201 POST /v1/contacts "$ADM" '{"id":"k2","text":"Wat is mijn saldo?"}'
expect "contacts: a duplicate id" 409 POST /v1/contacts "$INT" '{"id":"k1","text":"nog eens"}'
expect "contacts: malformed JSON" 400 POST /v1/contacts "$INT" '{"text": '
check "the error says what was wrong" 'grep -q "not JSON" "$tmp/body"'
expect "contacts: text of the wrong type" 400 POST /v1/contacts "$INT" '{"text": 5}'
check "the error names the field" 'grep -q "\"field\":\"text\"" "$tmp/body"'
expect "contacts: a pre-triaged contact with a bad tier" 400 POST /v1/contacts "$INT" '{"id":"k9","tier":"T7"}'
check "... naming the field" 'grep -q "\"field\":\"tier\"" "$tmp/body"'
head -c 1100000 /dev/zero | tr '\0' 'a' >"$tmp/big"
got=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $INT" --data-binary @"$tmp/big" "$base/v1/contacts")
check "an oversized body is refused: 413" '[ "$got" = 413 ]'
expect "and the server keeps serving" 200 GET /healthz ""

other=a0002; [ "$to" = a0002 ] && other=a0001
tok_of() { [ "$1" = a0001 ] && echo "$A1" || echo "$A2"; }
expect "contact: integration reads it" 200 GET /v1/contacts/k1 "$INT"
expect "contact: lead reads it" 200 GET /v1/contacts/k1 "$LEAD"
expect "contact: its agent reads it" 200 GET /v1/contacts/k1 "$(tok_of $to)"
expect "contact: another agent may not" 403 GET /v1/contacts/k1 "$(tok_of $other)"
expect "contact: unknown" 404 GET /v1/contacts/nope "$INT"
expect "the open contacts, listed: integration" 200 GET "/v1/contacts?state=assigned" "$INT"
check "... the assigned contact is in the list, with its agent" \
  'grep -q "\"id\":\"k1\"" "$tmp/body" && grep -q "\"to\":\"$to\"" "$tmp/body"'
expect "the open contacts, listed: lead" 200 GET "/v1/contacts?state=queued&limit=5" "$LEAD"
expect "the open contacts: none in a state (the fuzzer's case)" 200 GET "/v1/contacts?state=with_bot" "$LEAD"
check "... an empty list" 'grep -q "\"total\":0" "$tmp/body" && grep -q "\"contacts\":\[\]" "$tmp/body"'
expect "the open contacts: filtered by tier" 200 GET "/v1/contacts?state=assigned&tier=T2" "$INT"
check "... only that tier" 'jq -e "[.contacts[].tier] | all(. == \"T2\")" "$tmp/body" >/dev/null'
expect "the open contacts: by agent" 200 GET "/v1/contacts?state=assigned&agent=$to" "$LEAD"
check "... only that agent's" 'jq -e "(.contacts | length) >= 1 and ([.contacts[].to] | all(. == \"$to\"))" "$tmp/body" >/dev/null'
expect "the open contacts: a page of one" 200 GET "/v1/contacts?state=with_bot&limit=1" "$INT"
check "... says where the next page starts when there is one" \
  'jq -e "if .total > 1 then .next_offset == 1 and (.contacts | length) == 1 else (has(\"next_offset\") | not) end" "$tmp/body" >/dev/null'
expect "the open contacts: a tier that is none" 400 GET "/v1/contacts?tier=T9" "$INT"
expect "the open contacts: a negative offset" 400 GET "/v1/contacts?offset=-1" "$INT"
expect "the open contacts: an agent may not list them" 403 GET /v1/contacts "$A1"
expect "the open contacts: a state that is none" 400 GET "/v1/contacts?state=sleeping" "$INT"
expect "done: another agent may not close it" 403 POST /v1/contacts/k1/done "$(tok_of $other)" '{"energy":3}'
expect "done: a lead closes only with a reason" 400 POST /v1/contacts/k1/done "$LEAD" '{}'
check "... naming the field" 'grep -q "\"field\":\"reason\"" "$tmp/body"'
expect "done: a lead never adds a check-in" 400 POST /v1/contacts/k1/done "$LEAD" '{"reason":"agent went home","energy":3}'
expect "done: energy out of range" 400 POST /v1/contacts/k1/done "$(tok_of $to)" '{"energy":9}'
check "... naming the field" 'grep -q "\"field\":\"energy\"" "$tmp/body"'
expect "done: its agent checks in" 200 POST /v1/contacts/k1/done "$(tok_of $to)" '{"outcome":"resolved","energy":2,"note":"PRIVATE-NOTE-xyz"}'
expect "done: twice is a conflict" 409 POST /v1/contacts/k1/done "$INT" '{}'
# A lead frees an agent left busy by a missed 'done', with a reason kept.
expect "a contact left open" 201 POST /v1/contacts "$INT" '{"id":"k5","tier":"T2","tone":"neutral"}'
expect "a lead closes it, with a reason" 200 POST /v1/contacts/k5/done "$LEAD" '{"reason":"the agent forgot to close it"}'
n=$(sql "$db" "select count(*) from audit where detail like 'contact k5 closed by a lead: the agent forgot%'" 2>/dev/null || echo 1)
check "the reason is in the audit" '[ "$n" -ge 1 ]'
# A lead moves a contact: to another agent (the reply says which soft rule
# that breaks), back to the queue; a reason always, kept in the audit.
expect "a contact to move" 201 POST /v1/contacts "$INT" '{"id":"k6","tier":"T2","tone":"neutral"}'
to6=$(jq -r '.decision.to // empty' "$tmp/body")
# A free agent to move it to (the admin may set a state).
other6=a0004
expect "a0004 comes on shift" 200 POST /v1/agents/a0004/state "$ADM" '{"state":"available"}'
expect "move: a reason is needed" 400 POST /v1/contacts/k6/move "$LEAD" "{\"agent\":\"$other6\"}"
check "... naming the field" 'grep -q "\"field\":\"reason\"" "$tmp/body"'
expect "move: an agent may not" 403 POST /v1/contacts/k6/move "$A1" "{\"agent\":\"$other6\",\"reason\":\"x\"}"
expect "move: the helpdesk may not" 403 POST /v1/contacts/k6/move "$INT" "{\"agent\":\"$other6\",\"reason\":\"x\"}"
expect "move: an agent not in the team" 404 POST /v1/contacts/k6/move "$LEAD" '{"agent":"a0999","reason":"x"}'
expect "move: a closed contact" 409 POST /v1/contacts/k1/move "$LEAD" "{\"agent\":\"$other6\",\"reason\":\"x\"}"
if [ -n "$to6" ]; then
  expect "move: to the other agent, with a reason" 200 POST "/v1/contacts/k6/move?lang=nl" "$LEAD" \
    "{\"agent\":\"$other6\",\"reason\":\"she knows this customer\"}"
  check "... now with that agent, said in the decision, in Dutch" \
    'jq -e ".decision.to == \"$other6\" and (.decision.reasons | contains(\"opnieuw toegewezen door een teamleider\")) and has(\"breaks\")" "$tmp/body" >/dev/null'
  expect "move: to the same agent again" 409 POST /v1/contacts/k6/move "$LEAD" "{\"agent\":\"$other6\",\"reason\":\"x\"}"
  expect "move: back to the queue" 200 POST /v1/contacts/k6/move "$LEAD" '{"agent":null,"reason":"wrong queue"}'
  check "... routed again: waiting or with a person" \
    'jq -e ".decision.state == \"queued\" or .decision.state == \"assigned\"" "$tmp/body" >/dev/null'
  n=$(sql "$db" "select count(*) from audit where detail like 'contact k6 moved to $other6 by a lead%she knows this customer'" 2>/dev/null || echo 1)
  check "the move and its reason are in the audit" '[ "$n" -ge 1 ]'
else
  check "contact k6 went to a person to move" false
fi

expect "state: own" 200 POST /v1/agents/a0001/state "$A1" '{"state":"break"}'
expect "state: another agent's" 403 POST /v1/agents/a0002/state "$A1" '{"state":"break"}'
expect "state: lead may not" 403 POST /v1/agents/a0001/state "$LEAD" '{"state":"available"}'
expect "state: integration may not" 403 POST /v1/agents/a0001/state "$INT" '{"state":"available"}'
expect "state: admin may" 200 POST /v1/agents/a0001/state "$ADM" '{"state":"available"}'
expect "state: a bad state" 400 POST /v1/agents/a0001/state "$A1" '{"state":"sleeping"}'
expect "state: unknown agent" 404 POST /v1/agents/zz/state "$ADM" '{"state":"break"}'

expect "own view: the agent" 200 GET /v1/agents/$to "$(tok_of $to)"
check "the own view has strain and the check-in" \
  'grep -q "\"strain\":" "$tmp/body" && grep -q "PRIVATE-NOTE-xyz" "$tmp/body" && grep -q "energy_by_kind" "$tmp/body"'
expect "own view: another agent may not" 403 GET /v1/agents/$to "$(tok_of $other)"
expect "own view: lead may not" 403 GET /v1/agents/$to "$LEAD"
expect "own view: admin may not" 403 GET /v1/agents/$to "$ADM"
expect "own view: integration may not" 403 GET /v1/agents/$to "$INT"

# The review's path: an admin mints a token for the agent. Refused; the
# way that remains (enrol the agent, redeem the code in its place) gives a
# credential that sees nothing the agent recorded, and the agent notices.
expect "admin may not mint an agent token" 400 POST /v1/tokens "$ADM" "{\"role\":\"agent\",\"agent\":\"$to\"}"
check "... and is told how agents get theirs" 'grep -q "enrolment" "$tmp/body"'
expect "admin asks for an enrolment code (a reset)" 201 POST /v1/enrolments "$ADM" "{\"agent\":\"$to\"}"
CODE=$(sed -n 's/.*"code":"\([^"]*\)".*/\1/p' "$tmp/body")
expect "lead may not" 403 POST /v1/enrolments "$LEAD" "{\"agent\":\"$to\"}"
expect "enrolment for an unknown agent" 400 POST /v1/enrolments "$ADM" '{"agent":"zz"}'
expect "admin redeems it in the agent's place" 201 POST /v1/enrol "" "{\"code\":\"$CODE\"}"
HIJACK=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$tmp/body")
expect "the code works once" 404 POST /v1/enrol "" "{\"code\":\"$CODE\"}"
expect "the hijacked credential opens the view" 200 GET /v1/agents/$to "$HIJACK"
check "... without a check-in or note from before" \
  '! grep -q "PRIVATE-NOTE-xyz" "$tmp/body" && grep -q "\"checkins\":\[\]" "$tmp/body" && grep -q "\"energy_by_kind\":\[\]" "$tmp/body"'
check "... and without the live strain, which carries the work before" \
  'grep -q "\"strain\":null" "$tmp/body" && grep -q "live_withheld_until" "$tmp/body" && ! grep -q "heavy_today" "$tmp/body"'
expect "the agent's own token stopped working: the agent notices" 401 GET /v1/agents/$to "$(tok_of $to)"
n=$(sql "$db" "select count(*) from audit where detail like 'agent $to enrolled%'" 2>/dev/null || echo 1)
check "the redemption is audited" '[ "$n" -ge 1 ]'
# The agent enrols again; its view starts afresh (nothing leaks back).
ACODE=$("$MAAT_BIN" token enrol --db "$db" --agent "$to" 2>/dev/null)
AT=$("$MAAT_BIN" token redeem --db "$db" "$ACODE" 2>/dev/null)
if [ "$to" = a0001 ]; then A1=$AT; else A2=$AT; fi
expect "the hijacked token is revoked by the agent's new enrolment" 401 GET /v1/agents/$to "$HIJACK"
expect "the agent's new token works" 200 GET /v1/agents/$to "$AT"

: >"$tmp/lead_all"
for p in /v1/queue /v1/team /v1/warnings /metrics; do
  expect "$p: lead" 200 GET $p "$LEAD"; cat "$tmp/body" >>"$tmp/lead_all"
  expect "$p: admin" 200 GET $p "$ADM"
  expect "$p: integration may not" 403 GET $p "$INT"
  expect "$p: agent may not" 403 GET $p "$A1"
  expect "$p: no token" 401 GET $p ""
done
code GET /v1/contacts/k1 "$LEAD" >/dev/null; cat "$tmp/body" >>"$tmp/lead_all"
check "no lead response holds a check-in or a note" \
  '! grep -q "PRIVATE-NOTE-xyz" "$tmp/lead_all" && ! grep -q "checkins" "$tmp/lead_all" && ! grep -q "energy" "$tmp/lead_all"'
check "no lead response holds a named agent's strain" \
  '! grep -q "heavy_in_a_row" "$tmp/lead_all" && ! grep -Eq "\"a000[0-9]\"[^}]*\"strain\":" "$tmp/lead_all"'
check "team strain is withheld under the minimum group (2 on shift)" \
  'grep -q "\"strain\":null" "$tmp/lead_all"'

expect "tokens: admin lists" 200 GET /v1/tokens "$ADM"
check "the list has no token" '! grep -q "$INT" "$tmp/body"'
expect "tokens: lead may not" 403 GET /v1/tokens "$LEAD"
expect "tokens: admin creates" 201 POST /v1/tokens "$ADM" '{"role":"lead"}'
NEW=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$tmp/body")
NEWID=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$tmp/body")
expect "the new token works" 200 GET /v1/queue "$NEW"
expect "tokens: admin revokes" 204 DELETE /v1/tokens/$NEWID "$ADM"
expect "a revoked token is refused at once" 401 GET /v1/queue "$NEW"
"$MAAT_BIN" token revoke --db "$db" 1 2>/dev/null
expect "revoked from the command line, too" 401 POST /v1/contacts "$INT" '{"text":"x"}'
expect "unknown path" 404 GET /v1/nothing "$ADM"

# A lead pauses the bot for an intent; it survives a restart.
expect "bot pauses: a lead pauses one" 200 POST /v1/bot/pauses "$LEAD" '{"intent":"card_arrival","paused":true,"reason":"wrong answers today"}'
check "... and it is listed" 'grep -q "\"paused\":\[\"card_arrival\"\]" "$tmp/body"'
expect "bot pauses: an agent may not" 403 POST /v1/bot/pauses "$A2" '{"intent":"x","paused":true}'
expect "bot pauses: an agent may not read them" 403 GET /v1/bot/pauses "$A2"
expect "bot pauses: a bad intent" 400 POST /v1/bot/pauses "$LEAD" '{"intent":"a/b","paused":true}'
n=$(sql "$db" "select count(*) from audit where detail like 'bot paused for intent card_arrival: wrong answers%'" 2>/dev/null || echo 1)
check "the pause and its reason are audited" '[ "$n" -ge 1 ]'

n=$(sql "$db" "select count(*) from audit" 2>/dev/null || echo skip)
if [ "$n" != skip ]; then
  check "state changes and personal reads are audited ($n rows)" '[ "$n" -ge 20 ]'
  check "the audit names the agent view read" \
    '[ "$(sql "$db" "select count(*) from audit where path like '"'"'/v1/agents/%'"'"' and method = '"'"'GET'"'"'")" -ge 5 ]'
fi

# A restart rebuilds the queue from the log.
expect "a contact for the queue" 201 POST /v1/contacts "$ADM" '{"id":"q1","text":"Mijn man is overleden, ik weet het niet meer"}'
code GET /v1/queue "$LEAD" >/dev/null; cp "$tmp/body" "$tmp/q_before"
kill $pid; wait $pid 2>/dev/null; pid=""
start_server "$db" "$tmp/team.json"
code GET /v1/queue "$LEAD" >/dev/null
len_before=$(sed -n 's/.*"length":\([0-9]*\).*/\1/p' "$tmp/q_before")
len_after=$(sed -n 's/.*"length":\([0-9]*\).*/\1/p' "$tmp/body")
check "the queue is rebuilt after a restart ($len_before = $len_after)" \
  '[ -n "$len_after" ] && [ "$len_before" = "$len_after" ]'
expect "and the closed contact is still closed" 200 GET /v1/contacts/k1 "$LEAD"
check "... done" 'grep -q "\"state\":\"done\"" "$tmp/body"'
expect "the bot's pauses after a restart" 200 GET /v1/bot/pauses "$LEAD"
check "... still card_arrival" 'grep -q "card_arrival" "$tmp/body"'
kill $pid; wait $pid 2>/dev/null; pid=""

# --bind: an address that is not one is named; "::" serves IPv6 and IPv4
# clients alike (skipped, saying so, where this machine has no IPv6).
"$MAAT_BIN" serve --team "$tmp/team.json" --db "$db" --port 0 \
  --no-tone-model --bind localhost 2>"$tmp/bind.err"; rc=$?
check "a bind that is not an address is refused, named" \
  '[ $rc -ne 0 ] && grep -q "bind address .localhost." "$tmp/bind.err"'
"$MAAT_BIN" serve --team "$tmp/team.json" --db "$db" --port 0 \
  --no-tone-model --bind :: 2>"$tmp/v6.err" &
pid=$!
i=0 port=""
while [ $i -lt 100 ] && kill -0 $pid 2>/dev/null; do
  port=$(sed -n 's|.*listening on http://\[::\]:\([0-9]*\)/.*|\1|p' "$tmp/v6.err")
  [ -n "$port" ] && break
  sleep 0.1
  i=$((i + 1))
done
if [ -z "$port" ] && grep -q "cannot listen" "$tmp/v6.err"; then
  echo "[SKIP] IPv6: $(cat "$tmp/v6.err")"
else
  check "--bind :: answers on IPv6" \
    '[ "$(curl -s -g -o /dev/null -w "%{http_code}" "http://[::1]:$port/healthz")" = 200 ]'
  check "... and on IPv4" \
    '[ "$(curl -s -o /dev/null -w "%{http_code}" "http://127.0.0.1:$port/healthz")" = 200 ]'
fi
kill $pid 2>/dev/null; wait $pid 2>/dev/null; pid=""
exit $fail

#!/bin/sh
# Write-back to Chatwoot and Zammad, which cannot run here: against a
# contract stub (tests/cli/helpdesk_stub.mjs) that checks every request
# against Chatwoot's published OpenAPI description and the Zammad facts of
# ../shared/docs/helpdesk-api.md. A contact from each helpdesk's webhook
# is routed; the decision goes back as the assignment (mapped helpdesk
# user), a private note with the reasons in the configured language, and
# the status; a 5xx and a timeout are retried with the same
# Idempotency-Key; the credentials are added as calls are made, never
# stored. Configuration errors name what is wrong.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
pid="" spid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; [ -n "$spid" ] && kill $spid 2>/dev/null; rm -rf "$tmp"' EXIT
for c in curl node jq sqlite3; do
  command -v $c >/dev/null || { echo "[SKIP] $c is not installed (scripts/install-deps.sh installs it)"; exit 77; }
done
contracts=${MAAT_SOURCE_ROOT:-.}/../shared/docs/contracts
swagger=$contracts/chatwoot-v4.15.1-application-swagger.json
[ -f "$swagger" ] || { echo "[SKIP] $swagger is missing (the helpdesks' published API descriptions are in ../shared/docs/contracts)"; exit 77; }
. "$(dirname "$0")/serve_lib.sh"
slow=1
[ -n "${MAAT_VALGRIND_DIR:-}" ] && slow=10

node "$(dirname "$0")/helpdesk_stub.mjs" "$swagger" "$tmp/calls.jsonl" cw-secret zm-secret >"$tmp/sport" &
spid=$!
i=0
while [ ! -s "$tmp/sport" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
stub="http://127.0.0.1:$(cat "$tmp/sport")"

cat >"$tmp/team.json" <<'T'
{"agents": [{"id": "a0001", "languages": ["nl", "en"], "tiers": ["T1", "T2", "T3"]},
            {"id": "a0002", "languages": ["nl", "en"], "tiers": ["T1", "T2", "T3"]}]}
T
cat >"$tmp/cfg.json" <<C
{"helpdesks": [
  {"kind": "chatwoot", "url": "$stub", "token": "cw-secret", "account_id": 3, "lang": "nl",
   "agents": {"17": "a0001", "18": "a0002"}, "presence": true, "poll_s": 0.3},
  {"kind": "zammad", "url": "$stub", "token_env": "MAAT_TEST_ZAMMAD_TOKEN",
   "agents": {"42": "a0001", "43": "a0002"}, "groups": {"T2": "Support", "T3": "Escalation"}}],
 "outbox": {"backoff_s": 0.2, "timeout_s": 1}}
C
db=$tmp/h.db
INT=$("$MAAT_BIN" token add --db "$db" --role integration 2>/dev/null)
ADM=$("$MAAT_BIN" token add --db "$db" --role admin 2>/dev/null)
LEAD=$("$MAAT_BIN" token add --db "$db" --role lead 2>/dev/null)
MAAT_TEST_ZAMMAD_TOKEN=zm-secret start_server "$db" "$tmp/team.json" --config "$tmp/cfg.json"
check "the server starts with two helpdesks" '[ -n "$port" ]'
expect "a0001 on shift" 200 POST /v1/agents/a0001/state "$ADM" '{"state":"available"}'

msg='{"event":"message_created","id":345,"content":"Mijn factuur klopt niet en niemand helpt me","message_type":"incoming","private":false,"sender":{"id":77},"inbox":{"id":2,"name":"Chat"},"conversation":{"id":12},"account":{"id":3}}'
expect "a Chatwoot message becomes a contact" 201 POST /v1/webhooks/chatwoot "$INT" "$msg"
check "... routed to a0001" 'jq -e ".decision.to == \"a0001\"" "$tmp/body" >/dev/null'
wait_for() { # JQ-FILTER: until a logged call matches
  i=0
  while [ $i -lt $((100 * slow)) ]; do
    [ -s "$tmp/calls.jsonl" ] && jq -e -s "$1" "$tmp/calls.jsonl" >/dev/null 2>&1 && return 0
    sleep 0.1; i=$((i + 1))
  done
  return 1
}
check "Chatwoot: the conversation is assigned to the mapped user, after a 5xx retried with the same key" \
  'wait_for "[.[] | select(.path == \"/api/v1/accounts/3/conversations/12/assignments\")] | (map(.status) == [500, 200]) and (.[0].key == .[1].key) and (.[1].body.assignee_id == 17)"'
check "... a private note with the reasons, in Dutch, marked as maat's" \
  'wait_for "[.[] | select(.path == \"/api/v1/accounts/3/conversations/12/messages\" and .status == 200)] | length == 1 and (.[0].body.private == true) and (.[0].body.content | startswith(\"maat: T\") and contains(\"Redenen\")) and .[0].body.content_attributes.maat == true"'
check "... and the status open" \
  'wait_for "[.[] | select(.path == \"/api/v1/accounts/3/conversations/12/toggle_status\" and .status == 200)] | length == 1 and .[0].body.status == \"open\""'

expect "a0002 on shift" 200 POST /v1/agents/a0002/state "$ADM" '{"state":"available"}'
zm='{"ticket":{"id":314,"customer_id":9},"article":{"id":1001,"ticket_id":314,"body":"<p>Waar blijft mijn pakket?</p>","content_type":"text/html","sender":"Customer","type":"email","internal":false}}'
expect "a Zammad article becomes a contact" 201 POST /v1/webhooks/zammad "$INT" "$zm"
check "... routed to a0002 (a0001 is busy)" 'jq -e ".decision.to == \"a0002\"" "$tmp/body" >/dev/null'
check "Zammad: the ticket's owner is the mapped user, its group by tier" \
  'wait_for "[.[] | select(.path == \"/api/v1/tickets/314\" and .status == 200)] | length == 1 and .[0].body.owner_id == 43 and (.[0].body.group == \"Support\" or .[0].body.group == \"Escalation\")"'
check "... an internal note; its answer timed out, and the retry read the ticket's articles, found it made and made no second one" \
  'wait_for "([.[] | select(.path == \"/api/v1/ticket_articles\")] | length == 1 and .[0].delayed and .[0].body.internal == true and .[0].body.ticket_id == 314 and (.[0].body.subject | startswith(\"maat zm:\"))) and ([.[] | select(.path == \"/api/v1/ticket_articles/by_ticket/314\")] | length >= 1)"'
check "... counted as deduplicated" 'curl -s -H "Authorization: Bearer $ADM" "$base/metrics" | grep -q "^maat_outbox_deduplicated_total [1-9]"'
check "every call was valid against the published description" \
  '[ "$(jq -s "[.[] | select(.errors | length > 0)] | length" "$tmp/calls.jsonl")" = 0 ]'
check "each call is queued once, and every one ends delivered" \
  '[ "$(sqlite3 "$db" "select count(*) from outbox where state != 1")" = 0 ] &&
   [ "$(sqlite3 "$db" "select count(*) from outbox")" = 5 ]'
expect "the admin reads the configuration" 200 GET /v1/config "$ADM"
check "... with each helpdesk's user-to-agent map and groups, and no credential" \
  'jq -e ".helpdesks[0].kind == \"chatwoot\" and .helpdesks[0].agents[\"18\"] == \"a0002\" and .helpdesks[0].presence == true and .helpdesks[1].groups.T3 == \"Escalation\"" "$tmp/body" >/dev/null && ! grep -q "cw-secret\|zm-secret" "$tmp/body"'
check "no credential is stored in the outbox" \
  '! sqlite3 "$db" "select * from outbox" | grep -q "cw-secret\|zm-secret"'

# Presence from Chatwoot: user 18 goes busy there, so a0002 takes a break in
# maat; back online, a0002 is available again.
state_of() { code GET /v1/agents "$LEAD" >/dev/null; jq -e "$1" "$tmp/body" >/dev/null; }
wait_state() { i=0; while [ $i -lt $((50 * slow)) ]; do state_of "$1" && return 0; sleep 0.1; i=$((i + 1)); done; return 1; }
expect "a0002's Zammad contact closed" 200 POST /v1/contacts/zm-314-1001/done "$ADM" '{"outcome":"resolved"}'
check "... a0002 is free" 'wait_state "(.free | index(\"a0002\")) != null"'
curl -s -X POST "$stub/__presence" -d '{"17": "online", "18": "busy"}' >/dev/null
check "Chatwoot presence: busy there is a break in maat (a0002 not free)" \
  'wait_state "(.free | index(\"a0002\")) == null"'
curl -s -X POST "$stub/__presence" -d '{"18": "online"}' >/dev/null
check "... and online there is available again" 'wait_state "(.free | index(\"a0002\")) != null"'
check "... read with GET /agents, valid against the description" \
  '[ "$(jq -s "[.[] | select(.method == \"GET\" and (.path | endswith(\"/accounts/3/agents\")) and (.errors | length) == 0)] | length > 0" "$tmp/calls.jsonl")" = true ]'

# Who is who, through the API: an admin maps Chatwoot user 19 to a0002;
# the next decision for a0002 assigns user 19, and a restart keeps it.
expect "the helpdesks and their maps" 200 GET /v1/helpdesks "$ADM"
check "... each map says where it comes from" \
  'jq -e ".helpdesks[0].agents[\"18\"] == \"a0002\" and .helpdesks[0].agents_from == \"file\" and .helpdesks[1].kind == \"zammad\"" "$tmp/body" >/dev/null'
expect "a lead may not change them" 403 PUT /v1/helpdesks/0/agents "$LEAD" '{"agents": {"17": "a0001"}}'
expect "a Chatwoot user is a number" 400 PUT /v1/helpdesks/0/agents "$ADM" '{"agents": {"anna": "a0001"}}'
check "... the error names the user" 'grep -q "anna" "$tmp/body"'
expect "an agent not in the team is refused" 400 PUT /v1/helpdesks/0/agents "$ADM" '{"agents": {"19": "a0009"}}'
check "... named" 'grep -q "a0009" "$tmp/body"'
expect "no such helpdesk" 404 PUT /v1/helpdesks/7/agents "$ADM" '{"agents": {}}'
expect "the admin maps user 19 to a0002" 200 PUT /v1/helpdesks/0/agents "$ADM" '{"agents": {"17": "a0001", "19": "a0002"}}'
check "... in force, from the API" 'jq -e ".agents == {\"17\": \"a0001\", \"19\": \"a0002\"} and .agents_from == \"api\"" "$tmp/body" >/dev/null'
msg2='{"event":"message_created","id":346,"content":"Mijn factuur is te hoog, kunt u dat nakijken?","message_type":"incoming","private":false,"sender":{"id":78},"inbox":{"id":2,"name":"Chat"},"conversation":{"id":13},"account":{"id":3}}'
expect "another Chatwoot conversation" 201 POST /v1/webhooks/chatwoot "$INT" "$msg2"
check "... routed to a0002 (a0001 is busy)" 'jq -e ".decision.to == \"a0002\"" "$tmp/body" >/dev/null'
check "... assigned in Chatwoot to user 19, the new map's" \
  'wait_for "[.[] | select(.path == \"/api/v1/accounts/3/conversations/13/assignments\" and .status == 200)] | length == 1 and .[0].body.assignee_id == 19"'
kill $pid; wait $pid 2>/dev/null; pid=""
MAAT_TEST_ZAMMAD_TOKEN=zm-secret start_server "$db" "$tmp/team.json" --config "$tmp/cfg.json"
expect "after a restart" 200 GET /v1/config "$ADM"
check "... the map set through the API holds" \
  'jq -e ".helpdesks[0].agents[\"19\"] == \"a0002\" and .helpdesks[0].agents[\"18\"] == null and .helpdesks[0].agents_from == \"api\"" "$tmp/body" >/dev/null'
expect "the admin goes back to the config file's map" 200 DELETE /v1/helpdesks/0/agents "$ADM"
check "... user 18 is a0002 again" 'jq -e ".agents[\"18\"] == \"a0002\" and .agents[\"19\"] == null and .agents_from == \"file\"" "$tmp/body" >/dev/null'
check "every change is audited" \
  '[ "$(sqlite3 "$db" "select count(*) from audit where detail like '"'"'helpdesk 0 (chatwoot): agent map%'"'"'")" = 2 ]'
# A map that names an agent who has since left the team: she is dropped
# from it when maat starts, the rest holds.
kill $pid; wait $pid 2>/dev/null; pid=""
sqlite3 "$db" "insert or replace into meta (key, value) values ('helpdesk.0.agents', '{\"17\":\"a0001\",\"19\":\"a0009\"}')"
MAAT_TEST_ZAMMAD_TOKEN=zm-secret start_server "$db" "$tmp/team.json" --config "$tmp/cfg.json"
expect "maat starts with a map naming an agent who left" 200 GET /v1/helpdesks "$ADM"
check "... she is dropped from it, the rest holds" \
  'jq -e ".helpdesks[0].agents == {\"17\": \"a0001\"} and .helpdesks[0].agents_from == \"api\"" "$tmp/body" >/dev/null'
kill $pid; wait $pid 2>/dev/null; pid=""

# Configuration errors name what is wrong.
sed 's/"18": "a0002"/"18": "a0009"/' "$tmp/cfg.json" >"$tmp/bad1.json"
MAAT_TEST_ZAMMAD_TOKEN=zm-secret "$MAAT_BIN" serve --team "$tmp/team.json" --db "$tmp/b.db" \
  --port 0 --no-tone-model --config "$tmp/bad1.json" 2>"$tmp/err"; rc=$?
check "a helpdesk user mapped to an agent not in the team is refused, named" \
  '[ $rc -ne 0 ] && grep -q "user 18 maps to agent .a0009." "$tmp/err"'
"$MAAT_BIN" serve --team "$tmp/team.json" --db "$tmp/b.db" --port 0 --no-tone-model \
  --config "$tmp/cfg.json" 2>"$tmp/err"; rc=$?
check "a token_env that is not set is refused, named" \
  '[ $rc -ne 0 ] && grep -q "helpdesks\[1\]: a .token., or a .token_env." "$tmp/err"'
bad_cfg() { # NAME JSON PATTERN: the helpdesk entry is refused, the error names it
  echo "{\"helpdesks\": [$2]}" >"$tmp/bad.json"
  "$MAAT_BIN" serve --team "$tmp/team.json" --db "$tmp/b.db" --port 0 --no-tone-model \
    --config "$tmp/bad.json" 2>"$tmp/err"; rc=$?
  want=$3
  check "$1" '[ $rc -ne 0 ] && grep -q "$want" "$tmp/err"'
}
bad_cfg "an RT user without a password is refused, named" \
  '{"kind": "rt", "url": "http://rt", "user": "maat", "agents": {}}' "helpdesks\[0\]: field .user.: RT needs"
bad_cfg "a poll_s out of range is refused, named" \
  '{"kind": "rt", "url": "http://rt", "user": "maat", "password": "pw123", "poll_s": 0}' "helpdesks\[0\]: field .poll_s."
bad_cfg "presence for a helpdesk that is not Chatwoot is refused, named" \
  '{"kind": "zammad", "url": "http://zm", "token": "t", "presence": true}' "helpdesks\[0\]: field .presence."
bad_cfg "RT queues that are not an object are refused, named" \
  '{"kind": "rt", "url": "http://rt", "token": "t", "queues": ["T2"]}' "helpdesks\[0\]: field .queues."
exit $fail

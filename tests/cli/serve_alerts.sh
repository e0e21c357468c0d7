#!/bin/sh
# Alerts through the outbox: team warnings posted to a webhook (Slack and
# JSON formats), retried after 5xx with the same Idempotency-Key until
# delivered, a 4xx made a dead letter the lead can see (the API, the
# warnings' count, the metrics), and kill -9 during a delivery: the call is
# made again after the restart, nothing is lost.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
pid="" rpid=""
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; [ -n "$rpid" ] && kill $rpid 2>/dev/null; rm -rf "$tmp"' EXIT
for c in curl node jq sqlite3; do
  command -v $c >/dev/null || { echo "[SKIP] $c is not installed (scripts/install-deps.sh installs it)"; exit 77; }
done
. "$(dirname "$0")/serve_lib.sh"
# Under valgrind everything is slower: the waits below, not the checks, grow.
slow=1
[ -n "${MAAT_VALGRIND_DIR:-}" ] && slow=10

node "$(dirname "$0")/hook_receiver.mjs" "$tmp/hooks.jsonl" >"$tmp/rport" &
rpid=$!
i=0
while [ ! -s "$tmp/rport" ] && [ $i -lt $((100 * slow)) ]; do sleep 0.1; i=$((i + 1)); done
hook="http://127.0.0.1:$(cat "$tmp/rport")"

# One agent, many contacts: they wait past the target, so the router warns.
cat >"$tmp/team.json" <<'T'
{"agents": [{"id": "a0001", "languages": ["nl", "en"], "tiers": ["T1", "T2", "T3"]},
            {"id": "a0002", "languages": ["nl", "en"], "tiers": ["T1", "T2", "T3"]}]}
T
cat >"$tmp/cfg.json" <<C
{"alerts": [{"url": "$hook/flaky", "format": "slack", "lang": "nl"},
            {"url": "$hook/dead", "kinds": ["understaffed", "overload"]}],
 "outbox": {"backoff_s": 0.2, "max_attempts": 6}}
C
db=$tmp/a.db
INT=$("$MAAT_BIN" token add --db "$db" --role integration 2>/dev/null)
LEAD=$("$MAAT_BIN" token add --db "$db" --role lead 2>/dev/null)
ADM=$("$MAAT_BIN" token add --db "$db" --role admin 2>/dev/null)
start_server "$db" "$tmp/team.json" --config "$tmp/cfg.json" --clock-speed 60
check "the server starts with alerts" '[ -n "$port" ]'
expect "a0001 on shift" 200 POST /v1/agents/a0001/state "$ADM" '{"state":"available"}'
expect "the configuration, for the admin" 200 GET /v1/config "$ADM"
check "... the team, the hard limits, alerts without their secret paths" \
  'jq -e "(.team.agents | length) == 2 and .team.settings.hard_recovery_s == 60 and .team.settings.service_first == 0 and (.alerts[0].url | endswith(\"/…\")) and (.alerts[1].kinds == [\"overload\", \"understaffed\"])" "$tmp/body" >/dev/null'
expect "the configuration: not for a lead" 403 GET /v1/config "$LEAD"
k=0
while [ $k -lt 30 ]; do
  code POST /v1/contacts "$INT" "{\"id\":\"w$k\",\"tier\":\"T2\",\"tone\":\"neutral\"}" >/dev/null
  k=$((k + 1))
done
# Warnings come as the queue waits past the target (a minute: 1 s here).
i=0
while [ $i -lt $((150 * slow)) ]; do
  n=$(sqlite3 "$db" "select count(*) from outbox where url like '%/flaky' and state = 1" 2>/dev/null || echo 0)
  [ "${n:-0}" -ge 1 ] && break
  sleep 0.1; i=$((i + 1))
done
check "a team warning went out as an alert and was delivered" '[ "${n:-0}" -ge 1 ]'
check "... as a Slack message, in Dutch" \
  'jq -r "select(.path == \"/flaky\" and .status == 200) | .body" "$tmp/hooks.jsonl" | head -1 |
   jq -e ".text | startswith(\"maat om \")" >/dev/null'
check "personal warnings never go out" '! grep -q "your strain\|je belasting" "$tmp/hooks.jsonl"'
# The 4xx target: given up at once, visible to the lead.
i=0
while [ $i -lt $((50 * slow)) ]; do
  d=$(sqlite3 "$db" "select count(*) from outbox where state = 2" 2>/dev/null || echo 0)
  [ "${d:-0}" -ge 1 ] && break
  sleep 0.1; i=$((i + 1))
done
check "a call refused with 4xx becomes a dead letter" '[ "${d:-0}" -ge 1 ]'
expect "the dead letters, for the lead" 200 GET /v1/outbox "$LEAD"
check "... with the error and without the body" \
  'jq -e ".calls[0].last_error == \"HTTP 400\" and .calls[0].attempts == 1 and (.calls[0] | has(\"body\") | not)" "$tmp/body" >/dev/null'
expect "the outbox: not for agents or the helpdesk" 403 GET /v1/outbox "$INT"
expect "the outbox: a state that is none" 400 GET "/v1/outbox?state=lost" "$LEAD"
expect "the warnings count what was not delivered" 200 GET /v1/warnings "$LEAD"
check "... undelivered >= 1" 'jq -e ".undelivered >= 1" "$tmp/body" >/dev/null'
expect "the metrics" 200 GET /metrics "$LEAD"
check "... show the outbox by state" \
  'grep -q "^maat_outbox_rows{state=\"dead\"} [1-9]" "$tmp/body" && grep -q "^maat_outbox_deliveries_total [1-9]" "$tmp/body"'
# Every flaky row ends delivered, each key delivered once.
i=0
while [ $i -lt $((100 * slow)) ]; do
  p=$(sqlite3 "$db" "select count(*) from outbox where url like '%/flaky' and state = 0" 2>/dev/null || echo 1)
  [ "${p:-1}" -eq 0 ] && break
  sleep 0.1; i=$((i + 1))
done
rows=$(sqlite3 "$db" "select count(*) from outbox where url like '%/flaky' and state = 1")
keys=$(jq -r 'select(.path == "/flaky" and .status == 200) | .key' "$tmp/hooks.jsonl" | sort -u | wc -l)
check "every alert delivered once ($rows rows, $keys keys answered 200)" '[ "$p" -eq 0 ] && [ "$rows" -eq "$keys" ]'
# The receiver fails its first two calls: those alerts were tried again
# with the same key until a 200.
jq -r 'select(.path == "/flaky" and .status == 500) | .key' "$tmp/hooks.jsonl" | sort -u >"$tmp/k500"
jq -r 'select(.path == "/flaky" and .status == 200) | .key' "$tmp/hooks.jsonl" | sort -u >"$tmp/k200"
check "... after 5xx, retried with the same Idempotency-Key until delivered" \
  '[ -s "$tmp/k500" ] && [ -z "$(comm -23 "$tmp/k500" "$tmp/k200")" ]'
kill -9 $pid; wait $pid 2>/dev/null; pid=""

# kill -9 while a call is in flight: after the restart it is made again
# (same key) and marked; nothing is lost.
cat >"$tmp/cfg2.json" <<C
{"alerts": [{"url": "$hook/slow"}], "outbox": {"backoff_s": 0.2, "timeout_s": 10}}
C
start_server "$db" "$tmp/team.json" --config "$tmp/cfg2.json" --clock-speed 60
k=100
while [ $k -lt 130 ]; do
  code POST /v1/contacts "$INT" "{\"id\":\"w$k\",\"tier\":\"T2\",\"tone\":\"neutral\"}" >/dev/null
  k=$((k + 1))
done
i=0
while ! grep -q '"/slow-start"' "$tmp/hooks.jsonl" && [ $i -lt $((200 * slow)) ]; do sleep 0.1; i=$((i + 1)); done
check "a slow call is in flight" 'grep -q "\"/slow-start\"" "$tmp/hooks.jsonl"'
kill -9 $pid; wait $pid 2>/dev/null; pid=""
slow=$(sqlite3 "$db" "select count(*) from outbox where url like '%/slow'")
check "the alert was committed before its call ($slow rows)" '[ "$slow" -ge 1 ]'
start_server "$db" "$tmp/team.json" --config "$tmp/cfg2.json" --clock-speed 60
i=0
while [ $i -lt $((200 * slow)) ]; do
  left=$(sqlite3 "$db" "select count(*) from outbox where url like '%/slow' and state != 1" 2>/dev/null || echo 1)
  [ "${left:-1}" -eq 0 ] && break
  sleep 0.1; i=$((i + 1))
done
check "after the restart every slow alert is delivered" '[ "${left:-1}" -eq 0 ]'
check "... each key answered at least once, none lost" \
  '[ "$(jq -r "select(.path == \"/slow\") | .key" "$tmp/hooks.jsonl" | sort -u | wc -l)" -eq "$(sqlite3 "$db" "select count(*) from outbox where url like \"%/slow\"")" ]'
kill $pid; wait $pid 2>/dev/null; pid=""
exit $fail

#!/bin/sh
# Reasons and privacy: when a wellbeing rule gives way for a contact (here
# her recovery window after a long angry contact is cut short at the
# service target), the agent who took it reads which rule, in her own
# contact; the lead, the admin and the helpdesk read only that a wellbeing
# rule gave way, not which, next to her name.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
command -v curl >/dev/null || { echo "[SKIP] curl is not installed"; exit 77; }
. "$(dirname "$0")/serve_lib.sh"
slow=1
[ -n "${MAAT_VALGRIND_DIR:-}" ] && slow=10

cat >"$tmp/team.json" <<'T'
{"agents": [{"id": "a0001", "languages": ["nl", "en"], "tiers": ["T1", "T2", "T3"]}]}
T
db=$tmp/r.db
INT=$("$MAAT_BIN" token add --db "$db" --role integration 2>/dev/null)
LEAD=$("$MAAT_BIN" token add --db "$db" --role lead 2>/dev/null)
c=$("$MAAT_BIN" token enrol --db "$db" --agent a0001 2>/dev/null)
A1=$("$MAAT_BIN" token redeem --db "$db" "$c" 2>/dev/null)
start_server "$db" "$tmp/team.json" --clock-speed 60
expect "a0001 on shift" 200 POST /v1/agents/a0001/state "$A1" '{"state":"available"}'
expect "a long, angry contact" 201 POST /v1/contacts "$INT" '{"id":"h1","tier":"T2","tone":"angry","intensity":1}'
sleep $((10 * slow))
expect "... done after ten router minutes" 200 POST /v1/contacts/h1/done "$INT" '{"outcome":"resolved"}'
expect "the next contact waits: she is in her recovery window" 201 POST /v1/contacts "$INT" '{"id":"c2","tier":"T2"}'
i=0
while [ $i -lt $((100 * slow)) ]; do
  code GET /v1/contacts/c2 "$A1" >/dev/null
  grep -q '"state":"assigned"' "$tmp/body" && break
  sleep 0.1; i=$((i + 1))
done
check "at the service target the window gives way, and she reads which rule" \
  'grep -q "recovery window cut short" "$tmp/body"'
expect "the lead reads the contact" 200 GET /v1/contacts/c2 "$LEAD"
check "... that a wellbeing rule gave way, not which" \
  'grep -q "a wellbeing rule gave way for this contact" "$tmp/body" && ! grep -q "recovery window cut short" "$tmp/body"'
expect "in Dutch too" 200 GET "/v1/contacts/c2?lang=nl" "$LEAD"
check "... een welzijnsregel" 'grep -q "een welzijnsregel week voor dit contact" "$tmp/body"'
expect "the helpdesk reads the same as the lead" 200 GET /v1/contacts/c2 "$INT"
check "... no rule named" '! grep -q "recovery window" "$tmp/body"'
expect "the team's recent decisions" 200 GET /v1/team "$LEAD"
check "... say the same of c2, without the rule" \
  'grep -q "a wellbeing rule gave way for this contact" "$tmp/body" && ! grep -q "recovery window cut short" "$tmp/body"'
kill $pid; wait $pid 2>/dev/null; pid=""
exit $fail

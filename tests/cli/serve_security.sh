#!/bin/sh
# The security review's findings, each reproduced over HTTP: a second
# writer on one database, ids that are not one path segment, "tier"
# anywhere in a body, the customer's words kept with a ready verdict,
# decisions made on a tick, a 2xx when the audit cannot be written, the
# token checked before the body, HEAD, and reads of team figures audited
# once a minute, not once per request.
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


start_server "$db" "$tmp/team.json" --clock-speed 600
check "the server starts" '[ -n "$port" ]'
first=$pid

# Two writers of one log would hand out the same ids and fork it.
"$MAAT_BIN" serve --team "$tmp/team.json" --db "$db" --port 0 --no-tone-model \
  2>"$tmp/second.err" &
second=$!
i=0
while kill -0 $second 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 $second 2>/dev/null; then kill $second; rc=running; else wait $second; rc=$?; fi
check "a second server on the same database is refused" '[ "$rc" = 1 ]'
check "... saying why and who holds it" \
  'grep -q "in use by another maat process (pid $first)" "$tmp/second.err"'
printf '%s\n' '{"type":"agent","t":1,"agent":"a0001","state":"available"}' >"$tmp/ev.jsonl"
"$MAAT_BIN" route --team "$tmp/team.json" --db "$db" "$tmp/ev.jsonl" >/dev/null 2>"$tmp/route.err"; rc=$?
check "so is 'maat route' on it" '[ $rc -ne 0 ] && grep -q "in use by another maat process" "$tmp/route.err"'
expect "and the first keeps serving" 200 GET /healthz ""
expect "HEAD /healthz" 200 HEAD /healthz ""

# Ids: one documented alphabet, on every path in.
for a in a0001 a0002 a0003 a0004 a0005 a0006; do
  code POST /v1/agents/$a/state "$ADM" '{"state":"available"}' >/dev/null
done
expect "an id with a slash is refused" 400 POST /v1/contacts "$INT" '{"id":"x/1","text":"hallo"}'
check "... naming the field and the rule" \
  'grep -q "\"field\":\"id\"" "$tmp/body" && grep -q "letters, digits" "$tmp/body"'
expect "an id with a space is refused" 400 POST /v1/contacts "$INT" '{"id":"x 1","tier":"T2"}'
expect "a customer id with a slash is refused" 400 POST /v1/contacts "$INT" '{"id":"x2","customer":"a/b","tier":"T2"}'
check "... naming the field" 'grep -q "customer" "$tmp/body"'
printf '{"agents":[{"id":"a/1"},{"id":"b"}]}\n' >"$tmp/badteam.json"
"$MAAT_BIN" serve --team "$tmp/badteam.json" --db "$tmp/other.db" --port 0 \
  --no-tone-model 2>"$tmp/badteam.err"; rc=$?
check "a team file with such an agent id is refused, naming it" \
  '[ $rc -ne 0 ] && grep -q "agents\[0\]: field .id." "$tmp/badteam.err"'

# "tier" as data is data: triage still runs.
expect "\"tier\" as a customer id and a nested key" 201 POST /v1/contacts "$INT" \
  '{"id":"tx1","customer":"tier","meta":{"tier":"x"},"text":"Waar blijft mijn pakket? tier"}'
check "... is triaged all the same" 'grep -q "\"reasons\":\[" "$tmp/body"'

# A contact that brings its own verdict: its words are not kept.
expect "a contact with its own verdict and text" 201 POST /v1/contacts "$INT" \
  '{"id":"v1","tier":"T2","tone":"neutral","text":"SECRET-WORDS-4711 mijn IBAN is"}'
sleep 0.3
case "$db" in
  postgres*)
    # Every table of the database, dumped.
    check "the customer's words are in no table of the store" \
      '! pg_dump "$db" | grep -aq "SECRET-WORDS-4711"' ;;
  *)
    check "the customer's words are in no file of the store" \
      '! cat "$db"* | grep -aq "SECRET-WORDS-4711"' ;;
esac

# A decision made on a tick reaches the decisions table: contacts queue
# while everyone is busy, and are assigned on ticks as people come free.
for k in 1 2 3 4 5 6 7 8 9 10; do
  code POST /v1/contacts "$INT" "{\"id\":\"q$k\",\"tier\":\"T2\",\"tone\":\"angry\"}" >/dev/null
done
for k in 1 2 3 4 5 6 7 8 9 10; do
  code POST /v1/contacts/q$k/done "$INT" '{"outcome":"resolved"}' >/dev/null
done
sleep 3
if command -v sqlite3 >/dev/null || [ "${MAAT_TEST_STORE:-}" = pg ]; then
  n=$(sql "$db" "select count(*) from decisions d join events e on e.seq = d.seq where e.line like '%\"type\":\"tick\"%'")
  check "decisions made on ticks are logged ($n)" '[ "$n" -ge 1 ]'
else
  echo "[SKIP] sqlite3 is not installed: the decisions table is not read"
fi

# Team figures over HTTP (a quarter hour is 1.5 s at this clock speed):
# published per period over everyone who worked in it, coarsened.
sleep 2
code GET /v1/team "$LEAD" >/dev/null; cp "$tmp/body" "$tmp/team1"
code POST /v1/agents/a0006/state "$ADM" '{"state":"offline"}' >/dev/null
code GET /v1/team "$LEAD" >/dev/null; cp "$tmp/body" "$tmp/team2"
grp() { sed -n 's/.*"group":\([0-9]*\).*/\1/p' "$1"; }
mean() { sed -n 's/.*"strain":{"mean":\([0-9.]*\).*/\1/p' "$1"; }
check "team strain is published over the period's group ($(grp "$tmp/team1") people)" \
  '[ "$(grp "$tmp/team1")" = 6 ]'
check "someone going offline does not shrink the group they worked in" \
  '[ "$(grp "$tmp/team2")" = 6 ]'
check "the mean is coarsened to 0.1 ($(mean "$tmp/team1"))" \
  'awk "BEGIN { m = $(mean "$tmp/team1") * 10; exit !(m == int(m)) }"'
sleep 3.5
code GET /v1/team "$LEAD" >/dev/null
check "a full period later the group is the five who worked it" \
  '[ "$(grp "$tmp/body")" = 5 ]'

# The token is checked on the headers: no body is read for a refusal.
head -c 900000 /dev/zero | tr '\0' 'a' >"$tmp/big"
got=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST --data-binary @"$tmp/big" "$base/v1/contacts")
check "no token and a large body: 401 at once, not 413 after reading it" '[ "$got" = 401 ]'

# Reads of team figures are audited, a row a minute per reader.
for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  code GET /v1/team "$LEAD" >/dev/null
done
for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  code GET /v1/nothing "" >/dev/null
done
if command -v sqlite3 >/dev/null || [ "${MAAT_TEST_STORE:-}" = pg ]; then
  n=$(sql "$db" "select count(*) from audit where path = '/v1/team'")
  check "reads of /v1/team are audited, coalesced (20 reads: $n row)" '[ "$n" = 1 ]'
  n=$(sql "$db" "select count(*) from audit where path = '/v1/nothing'")
  check "refusals are audited, coalesced (20 refusals: $n row)" '[ "$n" = 1 ]'
  kill $pid; wait $pid 2>/dev/null; pid=""
  n=$(sql "$db" "select detail from audit where path = '/v1/nothing' order by seq desc limit 1")
  check "the held ones are counted when the server stops ($n)" \
    'echo "$n" | grep -q "^19 more like this"'
  n=$(sql "$db" "select count(*) from audit where path = '/v1/team' and role = 'lead'")
  check "... and say who read" '[ "$n" -ge 1 ]'

  # A 2xx only after a durable commit: when the audit row cannot be
  # written, the contact is refused and nothing of it is kept.
  start_server "$db" "$tmp/team.json"
  case "$db" in
    postgres*) sql "$db" "create function no_audit() returns trigger language plpgsql as \$\$ begin raise exception 'audit refused'; end \$\$; create trigger no_audit before insert on audit for each row execute function no_audit();" >/dev/null ;;
    *) sql "$db" "create trigger no_audit before insert on audit begin select raise(fail, 'audit refused'); end;" ;;
  esac
  got=$(code POST /v1/contacts "$INT" '{"id":"au1","tier":"T2"}')
  check "a contact whose audit row fails is not acknowledged ($got)" '[ "$got" -ge 500 ]'
  [ "$got" -ge 500 ] || { echo "--- the server said:"; cat "$tmp/serve.err"; }
  kill -9 $pid; wait $pid 2>/dev/null; pid=""
  case "$db" in
    postgres*) sql "$db" "drop trigger no_audit on audit;" >/dev/null ;;
    *) sql "$db" "drop trigger no_audit;" ;;
  esac
  n=$(sql "$db" "select count(*) from events where line like '%\"id\":\"au1\"%'")
  check "... and not in the log" '[ "$n" = 0 ]'
else
  echo "[SKIP] sqlite3 is not installed: the audit table is not read"
fi
exit $fail

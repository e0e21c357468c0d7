#!/bin/sh
# 'maat store migrate': a store with a day's work in it (events,
# decisions, a snapshot, tokens, audit, check-ins, the knowledge base,
# corrections and models) copied from SQLite to PostgreSQL and back,
# verified by counts and checksums; a server then runs on the copy and
# finds its queue where it was. Needs MAAT_TEST_PG (scripts/check.sh).
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for tool in curl jq sqlite3 psql; do
  command -v $tool >/dev/null || { echo "[SKIP] $tool is not installed"; exit 77; }
done
if [ -z "${MAAT_TEST_PG:-}" ]; then
  echo "[SKIP] PostgreSQL: MAAT_TEST_PG is not set (scripts/check.sh starts a server)"
  exit 77
fi
. "$(dirname "$0")/serve_lib.sh"
newdb() { n="m_$(basename "$tmp" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9\n' _)_$1"
  psql -q "$MAAT_TEST_PG" -c "CREATE DATABASE $n" >/dev/null; echo "${MAAT_TEST_PG%/*}/$n"; }

db=$tmp/s.db
"$MAAT_BIN" gen --team 6 -o "$tmp/team.json" 2>/dev/null
"$MAAT_BIN" gen --kb -o "$tmp/kb.jsonl"
"$MAAT_BIN" kb import --db "$db" "$tmp/kb.jsonl" >/dev/null 2>&1
INT=$("$MAAT_BIN" token add --db "$db" --role integration 2>/dev/null)
LEAD=$("$MAAT_BIN" token add --db "$db" --role lead 2>/dev/null)
ADM=$("$MAAT_BIN" token add --db "$db" --role admin 2>/dev/null)
start_server "$db" "$tmp/team.json"
for a in a0001 a0002 a0003; do code POST /v1/agents/$a/state "$ADM" '{"state":"available"}' >/dev/null; done
i=1
while [ $i -le 40 ]; do
  code POST /v1/contacts "$INT" "{\"id\":\"m$i\",\"customer\":\"u$i\",\"text\":\"Waar blijft mijn pas? Dit is de $i e keer\"}" >/dev/null
  [ $((i % 3)) = 0 ] && code POST /v1/contacts/m$((i - 1))/done "$INT" '{"outcome":"resolved","csat":4}' >/dev/null
  i=$((i + 1))
done
code POST /v1/contacts/m1/corrections "$LEAD" '{"field":"tier","value":"T3","reason":"test"}' >/dev/null
code GET "/v1/contacts?state=queued&limit=100" "$LEAD" >/dev/null
queued0=$(jq ".contacts | length" "$tmp/body")
code GET "/v1/contacts?state=assigned&limit=100" "$LEAD" >/dev/null
assigned0=$(jq ".contacts | length" "$tmp/body")
kill $pid; wait $pid 2>/dev/null; pid=""

pg=$(newdb a)
"$MAAT_BIN" store migrate "$db" "$pg" --json >"$tmp/m1.json" 2>"$tmp/err"; rc=$?
[ $rc = 0 ] || { echo "--- store migrate said:"; cat "$tmp/err"; }
check "SQLite to PostgreSQL: copied and verified" '[ $rc = 0 ] && [ "$(jq .verified "$tmp/m1.json")" = true ]'
check "... every table, its rows and checksum equal on both sides" \
  '[ "$(jq "[.tables[] | select(.rows != .target_rows or .sha256 != .target_sha256)] | length" "$tmp/m1.json")" = 0 ] && [ "$(jq "[.tables[] | select(.table == \"events\")][0].rows" "$tmp/m1.json")" -gt 40 ]'
check "... the snapshot and the knowledge base too" \
  '[ "$(jq "[.tables[] | select(.table == \"snapshots\")][0].rows" "$tmp/m1.json")" = 1 ] && [ "$(jq "[.tables[] | select(.table == \"kb_articles\")][0].rows" "$tmp/m1.json")" -gt 10 ]'
"$MAAT_BIN" store migrate "$db" "$pg" >/dev/null 2>"$tmp/err"; rc=$?
check "a target that is not empty is refused, naming a table" '[ $rc = 1 ] && grep -q "target store is not empty (table" "$tmp/err"'

back=$tmp/back.db
"$MAAT_BIN" store migrate "$pg" "$back" --json >"$tmp/m2.json" 2>"$tmp/err"; rc=$?
[ $rc = 0 ] || { echo "--- store migrate said:"; cat "$tmp/err"; }
check "PostgreSQL back to SQLite: verified" '[ $rc = 0 ] && [ "$(jq .verified "$tmp/m2.json")" = true ]'
check "the round trip keeps every table's checksum" \
  '[ "$(jq -c "[.tables[].sha256]" "$tmp/m1.json")" = "$(jq -c "[.tables[].sha256]" "$tmp/m2.json")" ]'

# A server on the PostgreSQL copy: the same queue, and it goes on.
start_server "$pg" "$tmp/team.json"
check "a server runs on the copy" '[ -n "$port" ]'
code GET "/v1/contacts?state=queued&limit=100" "$LEAD" >/dev/null
queued1=$(jq ".contacts | length" "$tmp/body")
code GET "/v1/contacts?state=assigned&limit=100" "$LEAD" >/dev/null
assigned1=$(jq ".contacts | length" "$tmp/body")
check "its queue and open contacts are where they were ($queued0 waiting, $assigned0 open)" \
  '[ "$queued1" = "$queued0" ] && [ "$assigned1" = "$assigned0" ]'
expect "the copied tokens still work, and new contacts get new ids" 201 POST /v1/contacts "$INT" '{"text":"nog een vraag"}'
kill $pid; wait $pid 2>/dev/null; pid=""
exit $fail

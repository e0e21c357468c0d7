#!/bin/sh
# The data subject: 'maat privacy export' gives all maat holds on one
# customer; 'maat privacy erase' removes it everywhere. After the
# erasure nothing of the customer is found in the database files (every
# table, the snapshot, the write-ahead log), searched for the raw strings;
# the server starts again from the rewritten snapshot, and the totals are
# what they were.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for tool in curl jq sqlite3; do
  command -v $tool >/dev/null || { echo "[SKIP] $tool is not installed"; exit 77; }
done
. "$(dirname "$0")/serve_lib.sh"

"$MAAT_BIN" gen --messages 1500 --seed 5 -o "$tmp/h.jsonl" 2>/dev/null
"$MAAT_BIN" train --seed 1 --epochs 5 -q -o "$tmp/i.model" "$tmp/h.jsonl"
db=$tmp/p.db
INT=$("$MAAT_BIN" token add --db "$db" --role integration 2>/dev/null)
LEAD=$("$MAAT_BIN" token add --db "$db" --role lead 2>/dev/null)
ADM=$("$MAAT_BIN" token add --db "$db" --role admin 2>/dev/null)
c=$("$MAAT_BIN" token enrol --db "$db" --agent a0001 2>/dev/null)
ANA=$("$MAAT_BIN" token redeem --db "$db" "$c" 2>/dev/null)
cat >"$tmp/team.json" <<'T'
{"agents": [{"id": "a0001", "languages": ["nl", "en"], "tiers": ["T1", "T2", "T3"]},
            {"id": "a0002", "languages": ["nl", "en"], "tiers": ["T1", "T2", "T3"]}]}
T
start_server "$db" "$tmp/team.json" --intent-model "$tmp/i.model"
check "the server starts" '[ -n "$port" ]'
code POST /v1/agents/a0001/state "$ADM" '{"state":"available"}' >/dev/null
# The customer to erase: two contacts, one closed, one still open (so it
# is in the snapshot), with a correction of one; others beside them.
post() { code POST /v1/contacts "$INT" "$1" >/dev/null; }
post '{"id":"k1","customer":"klant-4711","text":"Dit is belachelijk! Ik ben Jan Jansen, mail jan.jansen@example.nl of bel 06-12345678, rekening NL91ABNA0417164300"}'
post '{"id":"k2","customer":"klant-4711","text":"Nog steeds geen antwoord, Jan Jansen hier, ik ben woedend"}'
post '{"id":"k3","customer":"klant-4712","text":"Waar blijft mijn pakket? Ik ben boos"}'
post '{"id":"k4","customer":"klant-47","text":"Mijn pas is kwijt, wat nu?"}'
code POST /v1/contacts/k1/done "$INT" '{"outcome":"resolved","csat":4}' >/dev/null
expect "ana checks in on her contact, with a private note" 200 POST /v1/contacts/k1/checkin "$ANA" \
  '{"energy":2,"note":"een zware dag"}'
code POST /v1/contacts/k1/corrections "$LEAD" '{"field":"tier","value":"T2","reason":"Jan Jansen was calm in the end"}' >/dev/null
"$MAAT_BIN" privacy export --db "$db" --customer klant-4711 >"$tmp/export.json" 2>"$tmp/err"
check "export lists the customer's two contacts" '[ "$(jq -c .contacts "$tmp/export.json")" = "[\"k1\",\"k2\"]" ]'
check "export holds their events and their kept words" \
  '[ "$(jq ".found.events | length" "$tmp/export.json")" -ge 2 ] && [ "$(jq ".words_kept | length" "$tmp/export.json")" = 2 ]'
check "export has no one else's contact" '! grep -q "klant-4712\|\"k3\"\|\"k4\"" "$tmp/export.json"'
"$MAAT_BIN" privacy erase --db "$db" --customer klant-4711 >/dev/null 2>"$tmp/err"; rc=$?
check "erase refuses while a server holds the store" '[ $rc = 1 ] && grep -q "stop maat serve first" "$tmp/err"'
code GET "/v1/contacts?state=assigned&limit=100" "$LEAD" >/dev/null
assigned0=$(jq ".contacts | length" "$tmp/body")
code GET "/v1/contacts?state=queued&limit=100" "$LEAD" >/dev/null
queued0=$(jq ".contacts | length" "$tmp/body")
kill $pid; wait $pid 2>/dev/null; pid=""
check "a clean stop leaves a snapshot that holds the customer" \
  '[ "$(sqlite3 "$db" "SELECT count(*) FROM snapshots WHERE instr(data, CAST('"'"'klant-4711'"'"' AS BLOB)) > 0")" -ge 1 ]'
# Before any erasure, the personal data in the messages was never kept:
# not in the log, the snapshot, the records, the write-ahead log.
raw=""
for s in jan.jansen@example.nl 06-12345678 NL91ABNA0417164300; do
  for f in "$db" "$db-wal"; do
    [ -f "$f" ] && grep -a -q -F "$s" "$f" && raw="$raw $s@$(basename "$f")"
  done
done
check "no e-mail, phone or IBAN from the messages is in the store ($raw)" '[ -z "$raw" ]'
counts() { sqlite3 "$db" "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM decisions), (SELECT count(*) FROM contacts), (SELECT count(*) FROM records WHERE kind = 'correction')"; }
before=$(counts)

"$MAAT_BIN" privacy erase --db "$db" --customer klant-4711 --also "Jan Jansen" \
  --also jan.jansen@example.nl --also 06-12345678 >"$tmp/out" 2>"$tmp/err"; rc=$?
check "erase succeeds with the server stopped" '[ $rc = 0 ] && grep -q "2 contacts of the customer" "$tmp/out"'
found=""
for s in klant-4711 "Jan Jansen" jan.jansen 12345678 NL91ABNA0417164300; do
  for f in "$db" "$db-wal" "$db-shm"; do
    [ -f "$f" ] && grep -a -q -F "$s" "$f" && found="$found $s@$(basename "$f")"
  done
  sqlite3 "$db" .dump | grep -q -F "$s" && found="$found $s@dump"
done
check "nothing of the customer is left in any table, snapshot or log file ($found)" '[ -z "$found" ]'
check "the other customers are untouched" \
  'sqlite3 "$db" "SELECT line FROM events" | grep -q "\"klant-4712\"" && sqlite3 "$db" "SELECT line FROM events" | grep -q "\"klant-47\""'
check "the totals are what they were" '[ "$(counts)" = "$before" ]'
check "the erasure is audited, without the id" \
  '[ "$(sqlite3 "$db" "SELECT count(*) FROM audit WHERE path = '"'"'maat privacy erase'"'"'")" = 1 ]'
"$MAAT_BIN" privacy export --db "$db" --customer klant-4711 >"$tmp/export2.json" 2>/dev/null
check "an export afterwards finds nothing" '[ "$(jq ".contacts | length" "$tmp/export2.json")" = 0 ]'

start_server "$db" "$tmp/team.json" --intent-model "$tmp/i.model"
check "the server starts again from the rewritten snapshot" '[ -n "$port" ] && ! grep -q "snapshot" "$tmp/serve.err"'
code GET "/v1/contacts?state=assigned&limit=100" "$LEAD" >/dev/null
assigned1=$(jq ".contacts | length" "$tmp/body")
code GET "/v1/contacts?state=queued&limit=100" "$LEAD" >/dev/null
queued1=$(jq ".contacts | length" "$tmp/body")
check "the open contacts are as they were ($assigned0 assigned, $queued0 waiting)" \
  '[ "$assigned1" = "$assigned0" ] && [ "$queued1" = "$queued0" ]'
code GET /v1/contacts/k2 "$LEAD" >/dev/null
c=$(jq -r .customer "$tmp/body")
check "the open contact now names a pseudonym of the same length" '[ "$c" != klant-4711 ] && [ ${#c} = 10 ]'
code GET /v1/contacts/k1 "$LEAD" >/dev/null
check "the closed one too" '[ "$(jq -r .customer "$tmp/body")" = "$c" ]'
kill $pid; wait $pid 2>/dev/null; pid=""

# Retention: what a data class no longer keeps is purged.
n_audit=$(sqlite3 "$db" "SELECT count(*) FROM audit")
n_words=$(sqlite3 "$db" "SELECT count(*) FROM records WHERE kind = 'message'")
sqlite3 "$db" "UPDATE audit SET at = at - 800 * 86400 WHERE seq IN (SELECT seq FROM audit ORDER BY seq LIMIT 2);
               UPDATE records SET t = t - 40 * 86400 WHERE kind = 'message' AND key = 'k3'"
"$MAAT_BIN" privacy purge --db "$db" >"$tmp/out" 2>&1
check "purge drops the kept words past 30 days and audit rows past 730" \
  'grep -q "purged: 1 kept words" "$tmp/out" && grep -q "2 audit rows" "$tmp/out" && [ "$(sqlite3 "$db" "SELECT count(*) FROM audit")" = $((n_audit - 2)) ] && [ "$(sqlite3 "$db" "SELECT count(*) FROM records WHERE kind = '"'"'message'"'"'")" = $((n_words - 1)) ]'
sqlite3 "$db" "UPDATE audit SET at = at - 20 * 86400"
"$MAAT_BIN" privacy purge --db "$db" --audit-days 10 >"$tmp/out" 2>&1
check "a class's days are a setting" '[ "$(sqlite3 "$db" "SELECT count(*) FROM audit")" = 0 ]'
printf '{"data_classes": {"messages": {"days": "thirty"}}}' >"$tmp/bad.json"
"$MAAT_BIN" serve --team "$tmp/team.json" --db "$db" --config "$tmp/bad.json" --port 0 >/dev/null 2>"$tmp/err"; rc=$?
check "a bad data class setting names the field" '[ $rc != 0 ] && grep -q "data_classes: messages: field .days." "$tmp/err"'
# An agent who leaves: her check-ins go, her tokens stop working.
"$MAAT_BIN" privacy erase --db "$db" --agent a0001 >"$tmp/out" 2>&1; rc=$?
check "an agent's check-ins are erased and her token revoked" \
  '[ $rc = 0 ] && grep -q "1 check-ins of agent a0001, 1 tokens revoked" "$tmp/out" && [ "$(sqlite3 "$db" "SELECT count(*) FROM checkins WHERE agent = '"'"'a0001'"'"'")" = 0 ] && ! grep -a -q "een zware dag" "$db"'
"$MAAT_BIN" privacy erase --db "$db" --customer "a b" >/dev/null 2>&1; rc=$?
check "a customer id that is no id is a clear error" '[ $rc = 1 ]'
"$MAAT_BIN" privacy erase --db "$db" --customer x --also Jan >/dev/null 2>"$tmp/err"; rc=$?
check "a short --also is refused (it would erase other people's words)" '[ $rc = 1 ] && grep -q "4 characters" "$tmp/err"'
exit $fail

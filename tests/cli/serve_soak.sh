#!/bin/sh
# A soak: 1,000 slow connections from one client (127.0.0.2) while 64
# normal clients post contacts: their p99 stays within 2x of the unloaded
# figure; and 100,000 unauthenticated requests grow the database by less
# than 1 MiB. The figures are printed; bench/README.md keeps the last ones.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/serve_lib.sh"
if [ -n "${MAAT_VALGRIND_DIR:-}" ]; then
  echo "[SKIP] soak: timings under valgrind say nothing"; exit 77
fi
[ -x "${MAAT_SOAK_BIN:-}" ] || { echo "[SKIP] soak: the soak client is not built"; exit 77; }

"$MAAT_BIN" gen --team 8 -o "$tmp/team.json"
db=$tmp/s.db
INT=$("$MAAT_BIN" token add --db "$db" --role integration 2>/dev/null)
start_server "$db" "$tmp/team.json"
check "the server starts" '[ -n "$port" ]'
size() { cat "$db" "$db-wal" 2>/dev/null | wc -c; }

secs=${MAAT_SOAK_SECONDS:-6}
"$MAAT_SOAK_BIN" "$port" "$INT" "$secs" post >"$tmp/soak.out" 2>&1
sleep 1
s0=$(size)
"$MAAT_SOAK_BIN" "$port" "$INT" "$secs" unauth >>"$tmp/soak.out" 2>&1
sleep 1
s1=$(size)
echo "soak: $(cat "$tmp/soak.out") db_growth_bytes=$((s1 - s0))"
get() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" "$tmp/soak.out"; }
check "the normal clients were served throughout" \
  '[ "$(get errors_unloaded)" = 0 ] && [ "$(get errors_attack)" = 0 ]'
check "one client holds no more than its share of connections ($(get slow_held) of $(get slow_opened))" \
  '[ "$(get slow_held)" -le 100 ]'
check "p99 under the attack within 2x of unloaded ($(get p99_attack_ms) vs $(get p99_unloaded_ms) ms)" \
  'awk "BEGIN { exit !($(get ratio) <= 2.0) }"'
check "100,000 unauthenticated requests were answered 401" \
  '[ "$(get unauth_401)" = 100000 ]'
check "... and grew the database by less than 1 MiB ($((s1 - s0)) bytes)" \
  '[ $((s1 - s0)) -lt 1048576 ]'

# The flood's rows: refusals are coalesced, so the audit barely grows.
n=$(sqlite3 "$db" "select count(*) from audit where status = 401" 2>/dev/null || echo skip)
if [ "$n" != skip ]; then
  check "the flood left $n audit rows, not 100,000" '[ "$n" -le 10 ]'
fi
kill $pid; wait $pid 2>/dev/null; pid=""
exit $fail

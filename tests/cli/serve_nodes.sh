#!/bin/sh
# Three nodes on one PostgreSQL store ('maat serve --follow'): 64
# connections post contacts and close them through all three while the
# node that leads is killed with kill -9 at random moments, five rounds.
# Every contact that got a 2xx is in the store, none is assigned twice,
# every one ends queued, assigned or done, and the time from each kill
# until the team's router decides again is reported (p50 and max). Needs
# PostgreSQL (MAAT_TEST_PG, started by scripts/check.sh) and Node.js.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
pids=""
trap 'touch "$tmp/stop"; for p in $pids; do kill -9 $p 2>/dev/null; done; sleep 0.2; rm -rf "$tmp"' EXIT
for tool in curl jq node psql; do
  command -v $tool >/dev/null || { echo "[SKIP] $tool is not installed"; exit 77; }
done
MAAT_TEST_STORE=pg
. "$(dirname "$0")/serve_lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
db=$(test_db "$tmp/n.db")
"$MAAT_BIN" gen --team 8 -o "$tmp/team.json" 2>/dev/null
INT=$("$MAAT_BIN" token add --db "$db" --role integration 2>/dev/null)
ADMIN=$("$MAAT_BIN" token add --db "$db" --role admin 2>/dev/null)
LEAD=$("$MAAT_BIN" token add --db "$db" --role lead 2>/dev/null)

conns=64 rounds="1 2 3 4 5" bound=10
if [ -n "${MAAT_VALGRIND_DIR:-}" ]; then conns=8 rounds="1 2" bound=; fi

# start_node NAME [PORT]: a node that follows, and leads when it can
start_node() {
  : >"$tmp/$1.err"
  "$MAAT_BIN" serve --team "$tmp/team.json" --db "$db" --port "${2:-0}" --no-tone-model \
    --follow >/dev/null 2>"$tmp/$1.err" &
  echo $!
}
port_of() { sed -n -E 's#.*(following|listening) on http://127\.0\.0\.1:([0-9]+)/.*#\2#p' "$tmp/$1.err" | head -n 1; }
role_of() { curl -s -m 2 "http://127.0.0.1:$(port_of "$1")/readyz" | jq -r .role 2>/dev/null; }
wait_role() { # NAME ROLE SECONDS
  i=0
  while [ "$(role_of "$1")" != "$2" ] && [ $i -lt $(($3 * 20)) ]; do sleep 0.05; i=$((i + 1)); done
  [ "$(role_of "$1")" = "$2" ]
}

pa=$(start_node a); pids="$pa"
wait_role a active 30 || { echo "FAIL: the first node does not lead"; cat "$tmp/a.err"; exit 1; }
pb=$(start_node b); pc=$(start_node c); pids="$pids $pb $pc"
wait_role b follower 30 && wait_role c follower 30 ||
  { echo "FAIL: the others do not follow"; cat "$tmp/b.err" "$tmp/c.err"; exit 1; }
check "one node leads, two follow" '[ "$(role_of a)" = active ] && [ "$(role_of b)" = follower ] && [ "$(role_of c)" = follower ]'
eval "port_a=$(port_of a) port_b=$(port_of b) port_c=$(port_of c) pid_a=$pa pid_b=$pb pid_c=$pc"
# Everyone on shift, set through a follower.
for a in $(jq -r '.agents[].id' "$tmp/team.json"); do
  curl -s -o "$tmp/state.$a" -H "Authorization: Bearer $ADMIN" -d '{"state":"available"}' \
    "http://127.0.0.1:$port_b/v1/agents/$a/state"
done
check "a state change through a follower is the leader's answer" \
  '[ "$(jq -r .state "$tmp/state.a0001")" = available ]'

node "$here/nodes_load.mjs" --ports "$port_a,$port_b,$port_c" --token "$INT" \
  --out "$tmp" --conns $conns --stop "$tmp/stop" >"$tmp/load.json" 2>"$tmp/load.err" &
load=$!
: >"$tmp/kills"
: >"$tmp/decide"
for round in $rounds; do
  sleep "$(awk -v s="$round$$" 'BEGIN { srand(s); printf "%.2f", 1.0 + rand() * 1.5 }')"
  leader=
  for n in a b c; do [ "$(role_of $n)" = active ] && leader=$n; done
  [ -n "$leader" ] || { echo "FAIL: round $round: no node leads"; fail=1; break; }
  eval "victim=\$pid_$leader vport=\$port_$leader"
  t0=$(date +%s.%N)
  kill -9 "$victim"
  # Another takes over: the time until the router decides again is read
  # from the load's answers below.
  i=0 new=
  while [ -z "$new" ] && [ $i -lt 600 ]; do
    for n in a b c; do [ $n != "$leader" ] && [ "$(role_of $n)" = active ] && new=$n; done
    sleep 0.02; i=$((i + 1))
  done
  [ -n "$new" ] || { echo "FAIL: round $round: nobody took over"; cat "$tmp"/*.err; fail=1; break; }
  # The router decides again: a contact posted through a node that
  # stayed is answered with its decision (cut off once more if that node
  # is the one starting again as the leader: then through the other).
  k=0 got=
  while [ "$got" != 201 ] && [ $k -lt 20 ]; do
    for n in a b c; do
      [ $n = "$leader" ] && continue
      got=$(curl -s -o /dev/null -w '%{http_code}' -m 15 -H "Authorization: Bearer $INT" \
        -d "{\"id\":\"probe$round-$k\",\"tier\":\"T2\",\"lang\":\"nl\"}" "http://127.0.0.1:$(port_of $n)/v1/contacts")
      [ "$got" = 201 ] && break
      k=$((k + 1))
    done
  done
  t1=$(date +%s.%N)
  [ "$got" = 201 ] && echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }' >>"$tmp/decide"
  echo "$round $t0 $leader $new" >>"$tmp/kills"
  # The killed node comes back, on its port, as a follower.
  p=$(start_node "$leader" "$vport"); pids="$pids $p"; eval "pid_$leader=$p"
  wait_role "$leader" follower 30 || { echo "FAIL: round $round: $leader did not come back"; cat "$tmp/$leader.err"; fail=1; }
done
sleep 1
touch "$tmp/stop"
wait $load
cat "$tmp/load.json"
check "the load ran" '[ -s "$tmp/acked.txt" ]'
# What was kept in the inbox is applied by the leader of the moment.
i=0
while [ "$(sql "$db" "SELECT count(*) FROM inbox WHERE state < 2")" != 0 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
check "the inbox is empty: every handed-on write was applied" '[ "$(sql "$db" "SELECT count(*) FROM inbox WHERE state < 2")" = 0 ]'

sql "$db" "SELECT line FROM events ORDER BY seq" >"$tmp/events"
jq -r 'select(.type == "contact") | .id' "$tmp/events" | sort >"$tmp/have"
awk '{ print $2 }' "$tmp/acked.txt" | sort >"$tmp/want"
n=$(wc -l <"$tmp/want")
missing=$(comm -23 "$tmp/want" "$tmp/have" | wc -l)
check "every one of the $n contacts answered 2xx is in the store ($missing missing)" '[ "$missing" = 0 ]'
check "no contact was logged twice" '[ -z "$(uniq -d "$tmp/have")" ]'
sql "$db" "SELECT line FROM decisions ORDER BY seq" | jq -r 'select(.type == "assign") | .contact' | sort >"$tmp/assigned"
check "no contact was assigned twice ($(wc -l <"$tmp/assigned") assignments)" '[ -z "$(uniq -d "$tmp/assigned")" ]'
# Every contact ends queued, assigned or done.
leader=
for x in a b c; do [ "$(role_of $x)" = active ] && leader=$x; done
eval "lport=\$port_$leader"
total() { curl -s -H "Authorization: Bearer $LEAD" "http://127.0.0.1:$lport/v1/contacts?state=$1&limit=1" | jq .total; }
q=$(total queued) a=$(total assigned)
d=$(sql "$db" "SELECT count(*) FROM contacts WHERE record LIKE '%\"state\":\"done\"%'")
all=$(wc -l <"$tmp/have")
check "every contact ends queued, assigned or done ($q + $a + $d of $all)" '[ $((q + a + d)) = "$all" ]'
check "contacts were closed through the nodes" '[ "$(wc -l <"$tmp/closed.txt")" -gt 0 ]'

# From each kill to a contact answered with the new leader's decision.
sort -n "$tmp/decide" >"$tmp/decide.sorted"
p50=$(awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }' "$tmp/decide.sorted")
max=$(tail -n 1 "$tmp/decide.sorted")
echo "deciding again after kill -9 of the leader (3 nodes, $conns connections): p50 ${p50} s, max ${max} s over $(wc -l <"$tmp/decide") rounds"
check "the router decided again after every kill" '[ "$(wc -l <"$tmp/decide")" = "$(wc -l <"$tmp/kills")" ] && [ -s "$tmp/kills" ]'
[ -z "$bound" ] || check "a new leader decides within $bound s" 'awk -v m="$max" -v b="$bound" "BEGIN { exit !(m < b) }"'
# A clean stop of all three (under valgrind: their leaks are checked).
live=
for n in a b c; do eval "p=\$pid_$n"; kill -TERM "$p" 2>/dev/null && live="$live $p"; done
stopped=0
for p in $live; do
  i=0
  while kill -0 "$p" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
  kill -0 "$p" 2>/dev/null || stopped=$((stopped + 1))
done
check "the three nodes stop cleanly on TERM" '[ "$stopped" = 3 ]'
check "no sanitizer report from any node" '! grep -l "Sanitizer" "$tmp"/*.err'
exit $fail

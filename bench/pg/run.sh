#!/bin/sh
# bench/pg/run.sh MAAT - durable POST /v1/contacts per second with the
# store on PostgreSQL (one node, then two and three nodes sharing it:
# 'maat serve --follow', the load spread over all of them) and on SQLite,
# side by side in one run, next to
# pgbench's own rate of single-row insert transactions on the same
# PostgreSQL server (the floor any durable POST on it sits on); decision
# latency p50/p99 from wrk. A scratch cluster (scripts/pg/start.sh), fsync
# on, as shipped. Environment: DURATION (seconds, default 10),
# CONNECTIONS (64).
set -eu
maat=${1:?usage: bench/pg/run.sh PATH_TO_MAAT}
maat=$(cd "$(dirname "$maat")" && pwd)/$(basename "$maat")
root=$(cd "$(dirname "$0")/../.." && pwd)
for tool in wrk pgbench psql; do
  command -v $tool >/dev/null 2>&1 || {
    echo "pg: skipped: '$tool' not installed (apt-get install wrk postgresql)"; exit 0; }
done
d=${DURATION:-10}
c=${CONNECTIONS:-64}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maat-bench-pg.XXXXXX")
chmod 755 "$tmp"
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; sh "$root/scripts/pg/stop.sh" "$tmp/pg"; rm -rf "$tmp"' EXIT
uri=$(sh "$root/scripts/pg/start.sh" "$tmp/pg")
cd "$tmp"
echo "pg: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, wrk -t2 -c$c -d${d}s; PostgreSQL $(psql -At "$uri" -c 'show server_version')"
"$maat" gen --team 50 -o team.json

cat >post.lua.in <<'LUA'
local n = 0
request = function()
  n = n + 1
  local texts = { "Waar blijft mijn pakket? Ik wacht al een week.",
                  "How do I change the address on my account?",
                  "Dit is belachelijk, ik heb al drie keer gebeld!",
                  "Can I get a refund for my last order?" }
  local body = '{"text":"' .. texts[n % 4 + 1] .. '","customer":"u' .. (n % 997) .. '"}'
  return wrk.format("POST", "/v1/contacts",
    { ["Authorization"] = "Bearer TOKEN", ["Content-Type"] = "application/json" }, body)
end
LUA
report() { # NAME FILE
  awk -v name="$1" '
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
    /Non-2xx/ { bad = $NF }
    END { printf "| %s | %s | %s | %s | %s |\n", name, rps, p50, p99, bad ? bad : 0 }' "$2"
}
run_maat() { # STORE OUT
  int=$("$maat" token add --db "$1" --role integration 2>/dev/null)
  sed "s/TOKEN/$int/" post.lua.in >post.lua
  : >serve.err
  "$maat" serve --team team.json --db "$1" --port 0 2>serve.err &
  pid=$!
  while ! grep -q listening serve.err; do sleep 0.1; done
  url=$(sed -n 's|.*listening on \(http://[0-9.:]*\)/ .*|\1|p' serve.err)
  wrk -t2 -c"$c" -d"${d}s" --latency -s post.lua "$url" >"$2"
  kill $pid; wait $pid 2>/dev/null || true; pid=""
}
run_maat "$uri" post_pg.txt
run_maat "$tmp/s.db" post_sqlite.txt

# N nodes on one database: the first leads, the others follow; one wrk per
# node with its share of the connections, at once.
run_nodes() { # N
  n=$1 db="${uri%/*}/nodes$1" pids=""
  psql -q "$uri" -c "CREATE DATABASE nodes$n"
  int=$("$maat" token add --db "$db" --role integration 2>/dev/null)
  sed "s/TOKEN/$int/" post.lua.in >post.lua
  urls=""
  for k in $(seq 1 "$n"); do
    : >node$k.err
    "$maat" serve --team team.json --db "$db" --port 0 --follow 2>node$k.err &
    pids="$pids $!"
    while ! grep -q "on http" node$k.err; do sleep 0.1; done
    # The first leads before the next one starts.
    [ $k = 1 ] && while ! grep -q "listening on" node1.err; do sleep 0.1; done
    urls="$urls $(sed -n -E 's#.*(following|listening) on (http://[0-9.:]*)/.*#\2#p' node$k.err | head -n 1)"
  done
  k=0 wp=""
  for u in $urls; do
    k=$((k + 1))
    wrk -t1 -c"$((c / n))" -d"${d}s" --latency -s post.lua "$u" >post_n${n}_$k.txt &
    wp="$wp $!"
  done
  wait $wp
  kill $pids; wait $pids 2>/dev/null || true
  cat post_n${n}_*.txt | awk -v name="POST /v1/contacts, $n node(s) on PostgreSQL ($n wrk at once)" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps += $2 }
    $1 == "50%" { if (ms($2) > p50) p50 = ms($2) } $1 == "99%" { if (ms($2) > p99) p99 = ms($2) }
    /Non-2xx/ { bad += $NF }
    END { printf "| %s | %.2f | %.2fms (slowest node) | %.2fms (slowest node) | %d |\n", name, rps, p50, p99, bad }' >nodes$n.row
}
for n in 1 2 3; do run_nodes $n; done

# The floor on the same server: one-row insert transactions, 64 clients.
psql -q "$uri" -c "CREATE TABLE bench_t (id bigserial PRIMARY KEY, x text)"
echo "INSERT INTO bench_t (x) VALUES ('a contact line of about a hundred bytes, as maat logs one, with its decision beside it');" >insert.sql
pgbench -n -c "$c" -j 2 -T "$d" -f insert.sql "$uri" >pgbench.txt 2>&1
tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' pgbench.txt | head -n 1)
lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' pgbench.txt)

echo
echo "| request | requests/s | p50 | p99 | non-2xx |"
echo "| --- | --- | --- | --- | --- |"
report "POST /v1/contacts, store on PostgreSQL" post_pg.txt
report "POST /v1/contacts, store on SQLite" post_sqlite.txt
echo "| pgbench, one-row insert transactions, same server | $tps | avg ${lat} ms | | |"
cat nodes1.row nodes2.row nodes3.row
pgr=$(awk '/Requests\/sec/ { print $2 }' post_pg.txt)
sqr=$(awk '/Requests\/sec/ { print $2 }' post_sqlite.txt)
echo
echo "ratios: maat on PostgreSQL / pgbench inserts = $(echo "scale=3; $pgr / $tps" | bc); maat on PostgreSQL / maat on SQLite = $(echo "scale=3; $pgr / $sqr" | bc)"
n1=$(awk -F'|' '{ print $3 }' nodes1.row)
for n in 2 3; do
  echo "ratio: $n nodes / 1 node (--follow, same run) = $(echo "scale=3; $(awk -F'|' '{ print $3 }' nodes$n.row) / $n1" | bc)"
done

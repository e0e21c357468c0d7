#!/bin/sh
# bench/serve/run.sh MAAT - the HTTP API under wrk (Debian), 64 connections,
# on this machine: POST /v1/contacts (triage, routing and a durable commit
# per request: WAL, synchronous=FULL) and GET /v1/queue; requests per second
# and latency percentiles. Also sqlite3's own rate of single-row durable
# commits on the same disk, the floor any durable POST sits on.
# Environment: DURATION (seconds per run, default 10), CONNECTIONS (64).
set -eu
maat=${1:?usage: bench/serve/run.sh PATH_TO_MAAT}
maat=$(cd "$(dirname "$maat")" && pwd)/$(basename "$maat")
for tool in wrk curl sqlite3; do
  command -v $tool >/dev/null 2>&1 || {
    echo "serve: skipped: '$tool' not installed (apt-get install $tool)"; exit 0; }
done
d=${DURATION:-10}
c=${CONNECTIONS:-64}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maat-bench-serve.XXXXXX")
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp"
echo "serve: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, wrk -t2 -c$c -d${d}s"
"$maat" gen --team 50 -o team.json
int=$("$maat" token add --db s.db --role integration 2>/dev/null)
lead=$("$maat" token add --db s.db --role lead 2>/dev/null)
"$maat" serve --team team.json --db s.db --port 0 2>serve.err &
pid=$!
while ! grep -q listening serve.err; do sleep 0.1; done
url=$(sed -n 's|.*listening on \(http://[0-9.:]*\)/.*|\1|p' serve.err)

cat >post.lua <<LUA
local n = 0
request = function()
  n = n + 1
  local texts = { "Waar blijft mijn pakket? Ik wacht al een week.",
                  "How do I change the address on my account?",
                  "Dit is belachelijk, ik heb al drie keer gebeld!",
                  "Can I get a refund for my last order?" }
  local body = '{"text":"' .. texts[n % 4 + 1] .. '","customer":"u' .. (n % 997) .. '"}'
  return wrk.format("POST", "/v1/contacts",
    { ["Authorization"] = "Bearer $int", ["Content-Type"] = "application/json" }, body)
end
LUA
report() { # NAME FILE
  awk -v name="$1" '
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
    /Non-2xx/ { bad = $NF }
    END { printf "| %s | %s | %s | %s | %s |\n", name, rps, p50, p99, bad ? bad : 0 }' "$2"
}
wrk -t2 -c"$c" -d"${d}s" --latency -s post.lua "$url" >post.txt
wrk -t2 -c"$c" -d"${d}s" --latency -H "Authorization: Bearer $lead" "$url/v1/queue" >queue.txt
wrk -t2 -c"$c" -d"${d}s" --latency "$url/healthz" >health.txt
# Reads while contacts come in: 48 connections post, 16 read the queue.
wrk -t1 -c48 -d"${d}s" --latency -s post.lua "$url" >mixed_post.txt &
wpid=$!
wrk -t1 -c16 -d"${d}s" --latency -H "Authorization: Bearer $lead" "$url/v1/queue" >mixed_queue.txt
wait $wpid
echo
echo "| request | requests/s | p50 | p99 | non-2xx |"
echo "| --- | --- | --- | --- | --- |"
report "POST /v1/contacts (durable)" post.txt
report "GET /v1/queue" queue.txt
report "GET /healthz" health.txt
report "POST /v1/contacts, 48 connections, while..." mixed_post.txt
report "... GET /v1/queue reads on 16 more" mixed_queue.txt
n=$(curl -s -H "Authorization: Bearer $lead" "$url/v1/queue" | sed -n 's/.*"length":\([0-9]*\).*/\1/p')
echo "queue length at the end: $n"

# The floor: single-row commits in WAL with synchronous=FULL, by sqlite3.
start=$(date +%s.%N)
{
  echo "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t (x TEXT);"
  i=0; while [ $i -lt 2000 ]; do echo "INSERT INTO t VALUES ('x');"; i=$((i + 1)); done
} | sqlite3 floor.db >/dev/null
end=$(date +%s.%N)
echo "sqlite3, 2,000 single-row durable commits (WAL, synchronous=FULL): $(echo "2000 / ($end - $start)" | bc) commits/s"

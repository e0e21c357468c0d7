#!/bin/sh
# bench/serve/memory.sh MAAT - memory bounded by open work, and a restart
# that does not replay history: posts contacts through the API and closes
# each one (wrk, 16 connections, each posting a contact and then its
# 'done'), reads the server's resident memory after 10,000 contacts and
# after N (default 1,000,000), then kills it with SIGKILL and times a
# restart until it listens again. Environment: N, CONNECTIONS (16).
set -eu
maat=${1:?usage: bench/serve/memory.sh PATH_TO_MAAT}
maat=$(cd "$(dirname "$maat")" && pwd)/$(basename "$maat")
for tool in wrk curl bc; do
  command -v $tool >/dev/null 2>&1 || {
    echo "serve-memory: skipped: '$tool' not installed"; exit 0; }
done
n=${N:-1000000}
c=${CONNECTIONS:-16}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maat-bench-mem.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp"
"$maat" gen --team 50 -o team.json
int=$("$maat" token add --db s.db --role integration 2>/dev/null)
admin=$("$maat" token add --db s.db --role admin 2>/dev/null)
lead=$("$maat" token add --db s.db --role lead 2>/dev/null)

start() {
  : >serve.err
  t0=$(date +%s.%N)
  "$maat" serve --team team.json --db s.db --port 0 2>serve.err &
  pid=$!
  while ! grep -q listening serve.err; do
    kill -0 $pid 2>/dev/null || { cat serve.err; exit 1; }
    sleep 0.01
  done
  t1=$(date +%s.%N)
  url=$(sed -n 's|.*listening on \(http://[0-9.:]*\)/.*|\1|p' serve.err)
}
rss() { awk '/VmRSS/ { print $2 }' /proc/$pid/status; }
contacts() {
  curl -s -H "Authorization: Bearer $lead" "$url/metrics" |
    awk '$1 == "maat_contacts_total" { print $2 }'
}

start
for a in $(sed -n 's/.*"id": *"\(a[0-9]*\)".*/\1/p' team.json); do
  curl -s -o /dev/null -H "Authorization: Bearer $admin" \
    -d '{"state":"available"}' "$url/v1/agents/$a/state"
done
cat >pair.lua <<LUA
-- Each connection (a thread of its own) alternates: a new contact, then
-- its 'done'. Ids: this run's time, the thread's number, a counter.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tag", string.format("%d%06d-%d", os.time(), math.floor(os.clock() * 1e6), threads))
end
-- The state moves on in response(), not request(): wrk calls request()
-- once more than it sends, to check the script.
local k, posted = 1, false
request = function()
  local hdr = { ["Authorization"] = "Bearer $int",
                ["Content-Type"] = "application/json" }
  if not posted then
    return wrk.format("POST", "/v1/contacts", hdr,
      '{"id":"m' .. tag .. '-' .. k .. '","text":"Waar blijft mijn pakket?","customer":"u' .. (k % 5000) .. '"}')
  end
  return wrk.format("POST", "/v1/contacts/m" .. tag .. "-" .. k .. "/done", hdr,
    '{"outcome":"resolved"}')
end
response = function(status, headers, body)
  if posted then k = k + 1 end
  posted = not posted
end
LUA
post_until() { # TARGET
  while [ "$(contacts)" -lt "$1" ]; do
    wrk -t"$c" -c"$c" -d5s -s pair.lua "$url" >>wrk.txt 2>&1
  done
}
post_until 10000
r10k=$(rss)
echo "serve-memory: after $(contacts) contacts posted and closed: RSS ${r10k} kB"
post_until "$n"
rn=$(rss)
echo "serve-memory: after $(contacts) contacts posted and closed: RSS ${rn} kB ($(echo "scale=2; $rn / $r10k" | bc)x)"
kill -9 $pid
wait $pid 2>/dev/null || true
pid=
start
echo "serve-memory: restart after kill -9, ready in $(echo "$t1 - $t0" | bc) s; RSS $(rss) kB"
kill $pid
wait $pid 2>/dev/null || true
pid=
start
echo "serve-memory: restart after a clean stop, ready in $(echo "$t1 - $t0" | bc) s"
kill $pid
wait $pid 2>/dev/null || true
pid=
grep -h "Non-2xx" wrk.txt | awk '{ s += $NF } END { print "serve-memory: non-2xx responses:", s + 0 }'

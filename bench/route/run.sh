#!/bin/sh
# The router's benchmarks: library-level decisions per second and latency
# (1,000 agents, 10,000 queued contacts), the whole process's events per
# second on >= 1,000,000 generated events with --replay, and a 50-agent day
# under 'maat' and 'efficiency' (bench/route/wellbeing.sh). Usage: bench/route/run.sh PATH_TO_MAAT
# (bench_route is looked up next to it: BUILD/bench/bench_route).
set -eu
maat=${1:?usage: bench/route/run.sh PATH_TO_MAAT}
build=$(cd "$(dirname "$maat")/../.." && pwd)
bench=${BENCH_ROUTE:-$build/bench/bench_route}
events=${ROUTE_EVENTS_DAYS:-15}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "-- library level: 1,000 agents, 10,000 queued contacts"
for p in maat efficiency round-robin; do "$bench" $p 500000; done

echo "-- whole process: 1,000-agent team, $events days, --replay"
"$maat" gen --team 1000 -o "$tmp/t1000.json"
"$maat" gen --events --team "$tmp/t1000.json" --days "$events" --seed 1 \
  >"$tmp/big.jsonl"
n=$(wc -l <"$tmp/big.jsonl")
for p in maat efficiency; do
  s=$(date +%s.%N)
  "$maat" route --team "$tmp/t1000.json" --policy $p --replay \
    "$tmp/big.jsonl" >/dev/null
  e=$(date +%s.%N)
  echo "$p: $n events in $(echo "$e - $s" | bc) s: $(echo "$n / ($e - $s)" | bc) events/s"
done
s=$(date +%s.%N)
"$maat" route --team "$tmp/t1000.json" --replay --db "$tmp/log.db" \
  "$tmp/big.jsonl" >/dev/null
e=$(date +%s.%N)
echo "maat with --db: $n events in $(echo "$e - $s" | bc) s: $(echo "$n / ($e - $s)" | bc) events/s"

echo "-- a 50-agent day, maat vs efficiency (seeds 1-10)"
sh "$(dirname "$0")/wellbeing.sh" "$maat" 10

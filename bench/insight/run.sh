#!/bin/sh
# bench/insight/run.sh MAAT [N] - the insight report over N contacts
# (default 1,000,000) in an SQLite store, next to the same per-intent
# aggregates as one sqlite3 GROUP BY query over the same rows, in the same
# run. The history is generated ('maat gen --history', planted truth) and
# imported first; the import's rate is reported too.
set -eu
maat=${1:?usage: bench/insight/run.sh PATH_TO_MAAT [N]}
n=${2:-1000000}
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v sqlite3 >/dev/null || { echo "insight: skipped: sqlite3 not installed"; exit 0; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maat-bench-insight.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
secs() { echo "$2 $1" | awk '{ printf "%.2f", $1 - $2 }'; }
echo "insight: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $n contacts"
t0=$(now); "$maat" gen --history "$n" --seed 7 -o "$tmp/h.csv"; t1=$(now)
echo "generated in $(secs "$t0" "$t1") s ($(du -h "$tmp/h.csv" | cut -f1))"
t0=$(now)
"$maat" insight import --db "$tmp/s.db" --mapping "$root/docs/insight/maat.json" "$tmp/h.csv"
t1=$(now)
imp=$(secs "$t0" "$t1")
echo "imported in $imp s ($(echo "$n $imp" | awk '{ printf "%.0f", $1 / $2 }') rows/s)"
sync
best() { # COMMAND...: the best of three, in seconds
  b=""
  for k in 1 2 3; do
    s=$(now); "$@" >/dev/null; e=$(now)
    t=$(secs "$s" "$e")
    if [ -z "$b" ]; then b=$t; else b=$(echo "$b $t" | awk '{ print ($2 < $1) ? $2 : $1 }'); fi
  done
  echo "$b"
}
rep=$(best "$maat" report --db "$tmp/s.db" --format json -o "$tmp/r.json")
sql="SELECT json_extract(body, '\$.intent') AS intent, count(*),
  sum(json_extract(body, '\$.by_bot')),
  sum(json_extract(body, '\$.by_bot') = 1 AND json_extract(body, '\$.handed_back') = 0),
  avg(CASE WHEN json_extract(body, '\$.by_bot') = 1 THEN json_extract(body, '\$.csat') END),
  avg(CASE WHEN json_extract(body, '\$.by_bot') = 0 THEN json_extract(body, '\$.csat') END),
  avg(CASE WHEN json_extract(body, '\$.by_bot') = 0 THEN json_extract(body, '\$.handle_s') END)
FROM records WHERE kind = 'fact' GROUP BY intent;"
grp=$(best sqlite3 "$tmp/s.db" "$sql")
echo
echo "| what | seconds (best of 3) |"
echo "| --- | --- |"
echo "| maat report (every figure with its interval, re-contacts, shifts, savings, ledger, pulse) | $rep |"
echo "| sqlite3: counts and means per intent, one GROUP BY | $grp |"
echo
echo "ratio: maat report / sqlite3 GROUP BY = $(echo "$rep $grp" | awk '{ printf "%.2f", $1 / $2 }')"

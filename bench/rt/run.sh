#!/bin/sh
# bench/rt/run.sh MAAT [K] - decisions written back to Request Tracker 5 per
# second, next to RT's own REST2 update rate in the same run, and the
# outbox's delivery latency (p50/p99). A scratch RT (scripts/rt/start.sh)
# with K agents; K tickets wait in maat until every agent comes on shift at
# once, so K decisions (an owner and queue, and a comment, each) go out
# together; then the same two calls for K other tickets straight to RT,
# one after another as maat's courier makes them. Default K = 60.
set -eu
maat=${1:?usage: bench/rt/run.sh PATH_TO_MAAT [K]}
k=${2:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
maat=$(cd "$(dirname "$maat")" && pwd)/$(basename "$maat")
for tool in node curl; do
  command -v $tool >/dev/null 2>&1 || { echo "rt: skipped: '$tool' not installed"; exit 0; }
done
[ -x /usr/share/request-tracker5/libexec/rt-server ] || {
  echo "rt: skipped: Request Tracker 5 is not installed (scripts/install-deps.sh)"; exit 0; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maat-bench-rt.XXXXXX")
trap '[ -f "$tmp/rt/pid" ] && kill $(cat "$tmp/rt/pid") 2>/dev/null; rm -rf "$tmp"' EXIT
agents=""
i=1
while [ $i -le "$k" ]; do agents="$agents${agents:+,}ag$i:ag$i-pw-1"; i=$((i + 1)); done
export MAAT_RT_PASSWORD=maat-rt-secret
MAAT_RT_AGENTS=$agents MAAT_RT_CUSTOMERS=klant1:klant1-pw-1 \
  sh "$root/scripts/rt/start.sh" "$tmp/rt" 0
port=$(cat "$tmp/rt/port")
"$maat" token add --db "$tmp/m.db" --role admin >"$tmp/admin.token" 2>/dev/null
MAAT_BIN=$maat RT_URL="http://127.0.0.1:$port" TMP=$tmp K=$k node "$(dirname "$0")/writeback.mjs"

#!/bin/sh
# maat beside a real Request Tracker 5 (Debian's request-tracker5 with
# rt5-db-sqlite and rt5-standalone): scripts/rt/start.sh starts a scratch
# RT and prepares it with scripts/rt/prepare.sh (queues, maat's user and
# rights, the agents); tests/cli/rt_e2e.mjs drives it: tickets in Dutch and
# English with follow-ups and resolutions, agents resolving what maat gives
# them, maat killed with SIGKILL mid-run and restarted, tickets reopened.
set -u
tmp=$(mktemp -d)
trap '[ -f "$tmp/rt/pid" ] && kill $(cat "$tmp/rt/pid") 2>/dev/null; rm -rf "$tmp"' EXIT
for c in curl node jq sqlite3; do
  command -v $c >/dev/null || { echo "[SKIP] $c is not installed (scripts/install-deps.sh installs it)"; exit 77; }
done
if [ ! -x /usr/share/request-tracker5/libexec/rt-server ]; then
  echo "[SKIP] Request Tracker 5 is not installed (scripts/install-deps.sh installs request-tracker5 rt5-db-sqlite rt5-standalone)"
  exit 77
fi
root=${MAAT_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
n=${MAAT_RT_TICKETS:-200} slow=1
# Under valgrind every maat call is ten times slower: fewer tickets. RT
# itself takes most of the time (about a second of its CPU per ticket).
[ -n "${MAAT_VALGRIND_DIR:-}" ] && n=${MAAT_RT_TICKETS:-10} slow=6

agents=""
for a in anna bram cees dina eva femke; do agents="$agents${agents:+,}$a:$a-pw-1"; done
customers=""
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do customers="$customers${customers:+,}klant$i:klant$i-pw-1"; done
export MAAT_RT_PASSWORD=maat-rt-secret
MAAT_RT_AGENTS=$agents MAAT_RT_CUSTOMERS=$customers \
  sh "$root/scripts/rt/start.sh" "$tmp/rt" 0 || { echo "FAIL: RT did not start"; exit 1; }
port=$(cat "$tmp/rt/port")
echo "ok: Request Tracker 5 runs on port $port, prepared by scripts/rt/prepare.sh"
"$MAAT_BIN" token add --db "$tmp/m.db" --role admin >"$tmp/admin.token" 2>/dev/null
"$MAAT_BIN" token add --db "$tmp/m.db" --role lead >"$tmp/lead.token" 2>/dev/null
MAAT_BIN=$MAAT_BIN RT_URL="http://127.0.0.1:$port" TMP=$tmp N=$n SLOW=$slow \
  node "$(dirname "$0")/rt_e2e.mjs"

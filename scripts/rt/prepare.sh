#!/bin/sh
# Prepares a Request Tracker 5 for maat: its queues by tier (T1, T2, T3), the
# user maat acts as with only the rights it needs, the team's agents in the
# group maat-agents, and the rights customers need to write in.
# docs/helpdesks.md, "Preparing Request Tracker", explains each one.
#
#   MAAT_RT_PASSWORD=... MAAT_RT_AGENTS=anna,bram scripts/rt/prepare.sh
#
# Set RT_SITE_CONFIG (and RT_SITE_CONFIG_DIR) for an RT other than the
# system's; extra arguments go to rt-setup-database (e.g. --dba-password
# for MySQL or PostgreSQL).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
setup=$(command -v rt-setup-database-5 || command -v rt-setup-database || true)
if [ -z "$setup" ]; then
  echo "prepare.sh: rt-setup-database not found (Debian: apt-get install request-tracker5)" >&2
  exit 1
fi
if [ -z "${MAAT_RT_PASSWORD:-}" ]; then
  echo "prepare.sh: MAAT_RT_PASSWORD is not set (the password of maat's RT user)" >&2
  exit 1
fi
# rt-setup-database reports a refused row (a short password, a missing
# user) and still exits 0: any error fails here, shown whole.
out=$("$setup" --action insert --skip-create --datafile "$here/initialdata" "$@" 2>&1) || {
  echo "$out" >&2
  exit 1
}
echo "$out"
if echo "$out" | grep -q '\[error\]'; then
  echo "prepare.sh: RT refused part of the set-up (above)" >&2
  exit 1
fi

#!/bin/sh
# Stops a cluster scripts/pg/start.sh started in DIR, and removes it.
#   scripts/pg/stop.sh DIR
dir=$1
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
as=""
[ "$(id -u)" = 0 ] && as="runuser -u postgres --"
[ -d "$dir/data" ] && $as "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
rm -rf "$dir"

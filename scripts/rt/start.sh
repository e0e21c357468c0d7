#!/bin/sh
# Starts a scratch Request Tracker 5 (SQLite, rt-server) for the tests and
# benchmarks: a copy of Debian's fresh database in DIR, listening on
# 127.0.0.1:PORT, prepared for maat by prepare.sh with the environment's
# MAAT_RT_* settings. Writes DIR/pid; stop it with: kill $(cat DIR/pid).
# PORT 0 (or none) takes a free port, and another one when a parallel
# test took it between the choice and RT's bind; the port RT listens on
# is in DIR/port.
#
#   scripts/rt/start.sh DIR [PORT]
set -eu
dir=$1
port=${2:-0}
here=$(cd "$(dirname "$0")" && pwd)
db=/var/lib/dbconfig-common/sqlite3/request-tracker5/rtdb
server=/usr/share/request-tracker5/libexec/rt-server
if [ ! -x "$server" ]; then
  echo "start.sh: Request Tracker 5 is not installed (Debian: apt-get install request-tracker5 rt5-db-sqlite rt5-standalone)" >&2
  exit 2
fi
mkdir -p "$dir/conf.d"
write_config() {
cat > "$dir/RT_SiteConfig.pm" <<CONF
Set(\$rtname, 'maat-test');
Set(\$Organization, 'maat-test');
Set(\$Timezone, 'UTC');
Set(\$DatabaseType, 'SQLite');
Set(\$DatabaseName, '$dir/rtdb');
Set(\$WebPath, '');
Set(\$WebDomain, '127.0.0.1');
Set(\$WebPort, $port);
Set(\$WebBaseURL, 'http://127.0.0.1:$port');
Set(\$MailCommand, 'testfile');
Set(\$LogToSTDERR, 'error');
Set(\$LogToSyslog, undef);
Set(\$LogToFile, undef);
1;
CONF
}
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
fixed=1
if [ "$port" = 0 ]; then fixed=0; port=$(free_port); fi
write_config
export RT_SITE_CONFIG="$dir/RT_SiteConfig.pm" RT_SITE_CONFIG_DIR="$dir/conf.d"
if [ -r "$db" ]; then
  # Debian's fresh database (dbconfig-common made it at install): a copy.
  cp "$db" "$dir/rtdb"
else
  # No database from the install (dbconfig-common told not to): made here.
  setup=$(command -v rt-setup-database-5 || command -v rt-setup-database)
  "$setup" --action init --skip-create > "$dir/init.log" 2>&1 ||
    "$setup" --action init > "$dir/init.log" 2>&1 || {
      echo "start.sh: making RT's database failed:" >&2
      cat "$dir/init.log" >&2
      exit 1
    }
fi
sh "$here/prepare.sh" > "$dir/prepare.log" 2>&1 || {
  echo "start.sh: preparing RT failed:" >&2
  cat "$dir/prepare.log" >&2
  exit 1
}
attempt=1
while :; do
  "$server" --port "$port" > "$dir/rt.log" 2>&1 &
  echo $! > "$dir/pid"
  i=0 up=1
  # Up when RT answers and is still running: another server on a port
  # RT could not take would answer too.
  while ! curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$port/REST/2.0/" ||
        ! kill -0 "$(cat "$dir/pid")" 2>/dev/null ||
        grep -q "couldn't start up a web server" "$dir/rt.log"; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then up=0; break; fi
    sleep 0.1
  done
  [ $up = 1 ] && break
  kill "$(cat "$dir/pid")" 2>/dev/null || true
  if [ $fixed = 0 ] && [ $attempt -lt 5 ] &&
     grep -q "couldn't start up a web server" "$dir/rt.log"; then
    attempt=$((attempt + 1))
    port=$(free_port)
    write_config
    continue
  fi
  echo "start.sh: RT did not start on port $port:" >&2
  tail -20 "$dir/rt.log" >&2
  exit 1
done
echo "$port" > "$dir/port"

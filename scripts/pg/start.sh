#!/bin/sh
# Starts a scratch PostgreSQL cluster for the tests and benchmarks (Debian's
# postgresql): initdb in DIR, listening on 127.0.0.1 on a free port, trust
# authentication for local connections, a database "maat" owned by role
# "maat". Prints the URI to use (postgresql://maat@127.0.0.1:PORT/maat);
# stop it with scripts/pg/stop.sh DIR. As root, the cluster runs as the
# postgres user (PostgreSQL refuses to run as root).
#
#   scripts/pg/start.sh DIR
set -eu
dir=$1
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "pg/start.sh: PostgreSQL is not installed (Debian: apt-get install postgresql)" >&2
  exit 2
fi
as=""
if [ "$(id -u)" = 0 ]; then
  as="runuser -u postgres --"
fi
mkdir -p "$dir"
[ -n "$as" ] && chown postgres "$dir"
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
$as "$bin/initdb" -D "$dir/data" -U postgres -A trust --locale=C -E UTF8 >"$dir/initdb.log" 2>&1 || {
  echo "pg/start.sh: initdb failed:" >&2; cat "$dir/initdb.log" >&2; exit 1; }
attempt=1
while :; do
  port=$(free_port)
  # Durable as in production (fsync on); a small cluster for tests.
  if $as "$bin/pg_ctl" -D "$dir/data" -l "$dir/pg.log" -w -t 30 \
       -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=64MB" \
       start >/dev/null 2>&1; then
    break
  fi
  if [ $attempt -ge 5 ]; then
    echo "pg/start.sh: PostgreSQL did not start:" >&2; tail -20 "$dir/pg.log" >&2; exit 1
  fi
  attempt=$((attempt + 1))
done
echo "$port" >"$dir/port"
$bin/psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -q \
  -c "CREATE ROLE maat LOGIN CREATEDB" -c "CREATE DATABASE maat OWNER maat" >/dev/null
echo "postgresql://maat@127.0.0.1:$port/maat"

# Shared by the serve tests: start a server on a free port and wait for it.

# test_db PATH: the store for this test. PATH (SQLite) unless
# MAAT_TEST_STORE=pg, then a new database on MAAT_TEST_PG's server (the
# test skips, exit 77, when there is none); its URI either way.
test_db() {
  if [ "${MAAT_TEST_STORE:-}" = pg ]; then
    if [ -z "${MAAT_TEST_PG:-}" ] || ! command -v psql >/dev/null; then
      echo "[SKIP] PostgreSQL: MAAT_TEST_PG is not set (scripts/check.sh starts a server)" >&2
      exit 77
    fi
    name="t_$(basename "$tmp" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9\n' _)_$$"
    psql -q "$MAAT_TEST_PG" -c "CREATE DATABASE $name" >/dev/null || exit 1
    echo "${MAAT_TEST_PG%/*}/$name"
  else
    echo "$1"
  fi
}

# sql DB QUERY: a query on the test's store, whichever it is.
sql() {
  case "$1" in
    postgres*) psql -At "$1" -c "$2" ;;
    *) sqlite3 "$1" "$2" ;;
  esac
}
# start_server DB TEAM [ARGS...]: sets $pid and $base.
start_server() {
  db=$1; team=$2; shift 2
  # Emptied first: the loop below must not read an earlier server's port
  # before the new one's stderr replaces it.
  : >"$tmp/serve.err"
  "$MAAT_BIN" serve --team "$team" --db "$db" --port 0 --no-tone-model "$@" \
    2>"$tmp/serve.err" &
  pid=$!
  i=0
  while [ $i -lt 300 ]; do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$tmp/serve.err")
    [ -n "$port" ] && break
    sleep 0.1
    i=$((i + 1))
  done
  base="http://127.0.0.1:$port"
}

# code METHOD PATH TOKEN [BODY]: prints the HTTP status; the body goes to $tmp/body
code() {
  if [ -n "${4:-}" ]; then
    curl -s -o "$tmp/body" -w '%{http_code}' -X "$1" ${3:+-H "Authorization: Bearer $3"} \
      -H 'Content-Type: application/json' --data-binary "$4" "$base$2"
  else
    curl -s -o "$tmp/body" -w '%{http_code}' -X "$1" ${3:+-H "Authorization: Bearer $3"} "$base$2"
  fi
}
expect() { # NAME WANT METHOD PATH TOKEN [BODY]
  name=$1; want=$2; shift 2
  got=$(code "$@")
  check "$name: $want" '[ "$got" = "$want" ]'
}

# Shared by the serve tests: start a server on a free port and wait for it.
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

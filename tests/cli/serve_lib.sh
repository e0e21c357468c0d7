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

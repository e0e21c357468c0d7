#!/bin/sh
# Runs the browser tests (tests/web/e2e.mjs) when Node.js is there.
command -v node >/dev/null 2>&1 || {
  echo "[SKIP] Node.js is not installed (scripts/install-deps.sh installs it)"
  exit 77
}
exec node "$(dirname "$0")/e2e.mjs"

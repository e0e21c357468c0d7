#!/bin/sh
# Runs the pages' helper tests (tests/web/unit.mjs) when Node.js is there.
command -v node >/dev/null 2>&1 || {
  echo "[SKIP] Node.js is not installed (scripts/install-deps.sh installs it)"
  exit 77
}
exec node "$(dirname "$0")/unit.mjs"

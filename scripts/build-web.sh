#!/bin/sh
# Builds the web pages into web/dist: installs the npm packages the lock
# file names (uPlot for the charts, playwright-core for the browser tests)
# and copies them with our pages. Needs Node.js and npm (install-deps).
set -eu
cd "$(dirname "$0")/../web"
if ! command -v npm >/dev/null 2>&1; then
  echo "build-web: npm is not installed; the pages are not built" >&2
  exit 1
fi
if [ ! -d node_modules/uplot ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
node build.mjs

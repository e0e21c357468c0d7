#!/bin/sh
# Installs the Debian packages maat needs to build and test, only those that
# are missing. Run as root (or with sudo) on Debian 12 or later.
set -eu

# Build and test dependencies; keep in step with meson.build and README.md.
# Request Tracker 5 is the real helpdesk of the integration tests
# (tests/cli/serve_rt.sh starts a scratch one with scripts/rt/start.sh).
PKGS="build-essential meson ninja-build pkg-config
libsqlite3-dev libjansson-dev libutf8proc-dev libstemmer-dev
libmicrohttpd-dev libgnutls28-dev libcurl4-gnutls-dev libcriterion-dev curl
libxml2-dev libpq-dev postgresql
sqlite3 openssl jq
valgrind clang libclang-rt-14-dev
request-tracker5 rt5-db-sqlite rt5-standalone"

# Optional extras for `make bench` (fastText and hyperfine are the peers and
# the timer the benchmarks compare against).
if [ "${MAAT_BENCH_DEPS:-0}" = 1 ]; then
  PKGS="$PKGS fasttext hyperfine jq python3"
fi

# The web pages and their browser tests: Node.js with npm, and Chromium.
# (A Node.js from elsewhere, with its own npm, is fine: only the commands
# are checked.)
command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs"
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"
PKGS="$PKGS chromium"

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "install-deps: all packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
  else
    echo "install-deps: missing:$missing (run as root to install)" >&2
    exit 1
  fi
fi
echo "install-deps: installing$missing"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $missing

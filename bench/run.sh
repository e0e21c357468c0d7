#!/bin/sh
# Runs every benchmark area in turn: bench/<area>/run.sh MAAT_BINARY.
set -u
maat=${1:?usage: bench/run.sh PATH_TO_MAAT}
maat=$(cd "$(dirname "$maat")" && pwd)/$(basename "$maat")
here=$(cd "$(dirname "$0")" && pwd)
status=0
for script in "$here"/*/run.sh; do
  [ -f "$script" ] || continue
  echo "== $(basename "$(dirname "$script")")"
  sh "$script" "$maat" || status=1
done
exit $status

#!/bin/sh
# Language identification accuracy per labelled set (bench/README.md).
# Usage: bench/langid/run.sh PATH_TO_MAAT [DATA_ROOT]
# The maat binary only locates the build directory: the figures come from
# BUILD/bench/langid_eval (maat is BUILD/src/cli/maat), built by meson.
set -u
maat=${1:?usage: bench/langid/run.sh PATH_TO_MAAT [DATA_ROOT]}
here=$(cd "$(dirname "$0")" && pwd)
data=${2:-${MAAT_SHARED_DATA:-$here/../../../shared/data}}
build=$(cd "$(dirname "$maat")/../.." && pwd)
eval_bin=$build/bench/langid_eval
if [ ! -x "$eval_bin" ]; then
  echo "langid: skipped: '$eval_bin' not built (ninja -C $build bench/langid_eval)"
  exit 0
fi
if [ ! -d "$data" ]; then
  echo "langid: skipped: no data sets at '$data'"
  exit 0
fi
exec "$eval_bin" "$data"

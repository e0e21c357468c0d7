#!/bin/sh
# Runs each libFuzzer harness of tests/fuzz for SECONDS (default 60) in a
# clang build with AddressSanitizer and UndefinedBehaviorSanitizer
# (build-fuzz), starting from the committed seed corpora; new inputs go to
# build-fuzz/corpus/, crashes to build-fuzz/crashes/. Prints the executions
# of each run. 'make fuzz' runs it for 10 minutes a harness; 'make check'
# for a short while. Exit status 1 when a harness crashed.
#   scripts/fuzz.sh [SECONDS] [HARNESS...]
set -u
secs=${1:-60}
[ $# -gt 0 ] && shift
harnesses=${*:-event reader model config msg http kb history}
root=$(cd "$(dirname "$0")/.." && pwd)
b=$root/build-fuzz

if ! command -v clang >/dev/null 2>&1; then
  echo "[SKIP] fuzz: clang is not installed (scripts/install-deps.sh)"
  exit 77
fi
if [ ! -f "$b/build.ninja" ]; then
  CC=clang meson setup "$b" "$root" -Dfuzz=true -Dbuildtype=debugoptimized \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fsanitize=fuzzer-no-link >/dev/null || exit 1
fi
ninja -C "$b" tests/fuzz/fuzz_event tests/fuzz/fuzz_reader \
  tests/fuzz/fuzz_model tests/fuzz/fuzz_config tests/fuzz/fuzz_msg \
  tests/fuzz/fuzz_http tests/fuzz/fuzz_kb tests/fuzz/fuzz_history \
  >/dev/null || exit 1

status=0
mkdir -p "$b/crashes"
for h in $harnesses; do
  mkdir -p "$b/corpus/$h"
  log=$b/fuzz-$h.log
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ASAN_OPTIONS=detect_leaks=1 \
  "$b/tests/fuzz/fuzz_$h" -max_total_time="$secs" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$b/crashes/$h-" \
    "$b/corpus/$h" "$root/tests/fuzz/corpus/$h" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  if [ $rc -ne 0 ]; then
    echo "fuzz $h: CRASH after ${execs:-?} executions (exit $rc); see $log"
    grep -m5 -E "ERROR|runtime error|SUMMARY" "$log"
    status=1
  else
    echo "fuzz $h: ${execs:-?} executions in ${secs} s, no crash"
  fi
done
exit $status

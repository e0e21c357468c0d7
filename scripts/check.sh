#!/bin/sh
# Runs the whole test suite twice: in the normal build, then in a build with
# AddressSanitizer and UndefinedBehaviorSanitizer. Prints one closing line
# "check: N passed, N failed, N skipped" over both runs.
set -u
build=${1:-build}
san=${2:-build-san}
status=0

run_suite() {
  dir=$1
  log=$dir/meson-logs/check-summary.txt
  meson test -C "$dir" --print-errorlogs --num-processes 2 | tee "$log"
  return $?
}


run_suite "$build" || status=1

if [ ! -f "$san/build.ninja" ]; then
  meson setup "$san" -Db_sanitize=address,undefined -Db_lundef=false \
    -Dbuildtype=debug >/dev/null || exit 1
fi
ninja -C "$san" >/dev/null || exit 1
echo "--- the same tests under AddressSanitizer and UndefinedBehaviorSanitizer"
run_suite "$san" || status=1

logs="$build/meson-logs/check-summary.txt $san/meson-logs/check-summary.txt"
ok=$(awk '$1 == "Ok:" {s += $2} END {print s + 0}' $logs)
fail=$(awk '$1 == "Fail:" || $1 == "Timeout:" || ($1 == "Unexpected" && $2 == "Pass:") {s += $NF} END {print s + 0}' $logs)
skip=$(awk '$1 == "Skipped:" {s += $2} END {print s + 0}' $logs)
echo "check: $ok passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] || status=1
exit $status

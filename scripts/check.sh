#!/bin/sh
# Runs the whole test suite twice: in the normal build, then in a build with
# AddressSanitizer and UndefinedBehaviorSanitizer; then the CLI tests with
# every maat command under valgrind, and each fuzz harness for a short run
# (FUZZ_SECONDS, default 15). Prints the reason of every skipped test, then
# one closing line over all of it:
#   check: N passed, N failed, N skipped
# where N counts test cases (each Criterion test, each CLI script).
set -u
build=${1:-build}
san=${2:-build-san}
status=0

run_suite() {
  meson test -C "$1" --print-errorlogs --num-processes 2
}

# The sources first: banned functions, SQL outside src/store/.
sh "$(dirname "$0")/checksrc.sh" || status=1

# A scratch PostgreSQL cluster for the store's second backend: the
# contract suite and the end-to-end tests run on it too (MAAT_TEST_PG).
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/maat-pg.XXXXXX")
chmod 755 "$pgdir"
trap 'sh "$(dirname "$0")/pg/stop.sh" "$pgdir/c" 2>/dev/null; rm -rf "$pgdir"' EXIT
if MAAT_TEST_PG=$(sh "$(dirname "$0")/pg/start.sh" "$pgdir/c"); then
  export MAAT_TEST_PG
  echo "--- PostgreSQL for the tests: $MAAT_TEST_PG"
else
  echo "[SKIP] PostgreSQL: the scratch cluster did not start (scripts/pg/start.sh)"
  status=1
fi

run_suite "$build" || status=1

if [ ! -f "$san/build.ninja" ]; then
  meson setup "$san" -Db_sanitize=address,undefined -Db_lundef=false \
    -Dbuildtype=debug >/dev/null || exit 1
fi
ninja -C "$san" >/dev/null || exit 1
echo "--- the same tests under AddressSanitizer and UndefinedBehaviorSanitizer"
# The Request Tracker test with 40 tickets here (200 in the first pass):
# RT's own work, not maat's, is most of its time.
MAAT_RT_TICKETS=40 run_suite "$san" || status=1

# Valgrind: every maat command the CLI tests run; any error or definite
# leak is a failure, with its log shown.
vgfail=0 vgskip=0
if command -v valgrind >/dev/null 2>&1; then
  vg=$build/tests/valgrind
  rm -rf "$vg"
  mkdir -p "$vg"
  echo "--- the CLI tests again, every maat command under valgrind"
  meson test -C "$build" --setup valgrind --suite cli --print-errorlogs \
    --num-processes 2 || status=1
  bad=$(find "$vg" -name 'vg.*.log' -size +0)
  if [ -n "$bad" ]; then
    echo "valgrind found errors or leaks:"
    cat $bad | head -200
    vgfail=1
    status=1
  fi
else
  echo "[SKIP] valgrind: not installed (scripts/install-deps.sh)"
  vgskip=1
fi

# Fuzzing: each harness a short while from the committed corpora.
fzpass=0 fzfail=0 fzskip=0
echo "--- each fuzz harness for ${FUZZ_SECONDS:-15} s"
out=$(sh "$(dirname "$0")/fuzz.sh" "${FUZZ_SECONDS:-15}" 2>&1)
rc=$?
echo "$out"
if [ $rc -eq 77 ]; then
  fzskip=1
else
  fzpass=$(echo "$out" | grep -c "no crash$")
  fzfail=$(echo "$out" | grep -c "CRASH")
  if [ $rc -ne 0 ] && [ "$fzfail" -eq 0 ]; then fzfail=1; fi
  [ "$fzfail" -eq 0 ] || status=1
fi

logs="$build/meson-logs/testlog.txt $san/meson-logs/testlog.txt"
[ -f "$build/meson-logs/testlog-valgrind.txt" ] && [ "$vgskip" = 0 ] &&
  logs="$logs $build/meson-logs/testlog-valgrind.txt"

echo "--- skipped, and why"
skips=$(grep -h '^\[SKIP\]' $logs | sort | uniq -c)
if [ -n "$skips" ]; then echo "$skips"; else echo "  (none)"; fi

# Criterion cases from their synthesis lines; CLI scripts from meson's lines.
set -- $(awk '
  /Synthesis: Tested:/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "Passing:") pass += $(i + 1)
      if ($i == "Failing:" || $i == "Crashing:") fail += $(i + 1)
    }
  }
  /^\[SKIP\]/ { skip++ }
  END { print pass + 0, fail + 0, skip + 0 }' $logs)
pass=$1 fail=$2 skip=$3
set -- $(awk '
  $1 == "test:" { name = $2 " " $3 " " $4 }
  $1 == "result:" {
    ok = ($0 ~ /exit status 0$/)
    if (name ~ /:cli /) {
      if (ok) pass++
      else if ($0 !~ /exit status 77$/ && $0 !~ /skipped/) fail++
      # a skip is counted once, by the [SKIP] line that says why
    } else if (!ok) crashed++
  }
  END { print pass + 0, fail + 0, skip + 0, crashed + 0 }' $logs)
pass=$((pass + $1 + fzpass)) fail=$((fail + $2 + vgfail + fzfail))
skip=$((skip + $3 + vgskip + fzskip))
# A unit binary that failed without a failing case (it crashed before its
# synthesis line, or leaked under ASan) still counts as a failure.
if [ "$fail" -eq 0 ] && [ "$4" -gt 0 ]; then fail=$4; fi
echo "check: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] || status=1
exit $status

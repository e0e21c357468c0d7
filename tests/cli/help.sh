#!/bin/sh
# Every subcommand answers --help with its usage, exit 0; unknown commands
# and options fail with exit 2 and say what was wrong.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }

out=$("$MAAT_BIN" --help); rc=$?
check "maat --help exits 0" '[ $rc -eq 0 ]'
for cmd in $(printf '%s\n' "$out" | awk '/^Commands:/{on=1;next} /^$/{on=0} on{print $1}'); do
  h=$("$MAAT_BIN" "$cmd" --help 2>&1); rc=$?
  check "maat $cmd --help exits 0" '[ $rc -eq 0 ]'
  check "maat $cmd --help shows usage" 'printf "%s" "$h" | grep -q "^Usage: maat $cmd"'
  check "man page documents maat $cmd" 'grep -q "^\.SS \"maat $cmd" "$MAAT_SOURCE_ROOT/docs/maat.1"'
  check "README mentions maat $cmd" 'grep -q "maat $cmd" "$MAAT_SOURCE_ROOT/README.md"'
done
"$MAAT_BIN" frobnicate >/dev/null 2>&1; rc=$?
check "unknown command exits 2" '[ $rc -eq 2 ]'
v=$("$MAAT_BIN" --version)
check "version printed" 'printf "%s" "$v" | grep -q "^maat [0-9]"'
exit $fail

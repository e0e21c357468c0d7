#!/bin/sh
# Runs the built maat for the CLI tests. With MAAT_VALGRIND_DIR set (the
# 'valgrind' test setup), under valgrind: every error and every leak is
# written to a log of its own there, which scripts/check.sh then reads.
if [ -n "${MAAT_VALGRIND_DIR:-}" ]; then
  exec valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
    --log-file="$MAAT_VALGRIND_DIR/vg.%p.log" "$MAAT_REAL_BIN" "$@"
fi
exec "$MAAT_REAL_BIN" "$@"

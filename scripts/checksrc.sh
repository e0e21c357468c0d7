#!/bin/sh
# Checks the C sources for functions maat does not use (as curl's checksrc
# does): unbounded copies and formats, non-reentrant tokenizers, number
# parsers that cannot report an error, SQL outside src/store/, and
# functions over 150 lines in src/server/ and src/engine/.
# Prints each offence as FILE:LINE: what, and exits 1 if there is any.
set -u
cd "$(dirname "$0")/.."
status=0
banned='(^|[^_a-zA-Z0-9])(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|atoll|atof|gets|strncpy|strncat)[[:space:]]*\('
hits=$(grep -rnE "$banned" src include tests/unit bench --include='*.c' --include='*.h' |
       grep -vE '(snprintf|vsnprintf|strtok_r)[[:space:]]*\(' || true)
if [ -n "$hits" ]; then
  echo "$hits" | sed 's/$/  <- banned function (use snprintf, memcpy with a size, strtok_r, strtol)/'
  status=1
fi
sql=$(grep -rlE 'sqlite3\.h|sqlite3_' src --include='*.c' --include='*.h' |
      grep -v '^src/store/' || true)
if [ -n "$sql" ]; then
  echo "$sql" | sed 's/$/: SQL outside src\/store\//'
  status=1
fi
# The front end and the engine stay readable: no function over 150 lines.
long=$(for f in src/server/*.c src/engine/*.c; do
  awk -v f="$f" '/^[a-z].*\(/ && !/;$/ { name = $0; start = NR }
    /^}/ && start { if (NR - start > 150) print f ":" start ": " NR - start " lines: " name; start = 0 }' "$f"
done)
if [ -n "$long" ]; then
  echo "$long" | sed 's/$/  <- over 150 lines: split it/'
  status=1
fi
[ $status = 0 ] && echo "checksrc: clean"
exit $status

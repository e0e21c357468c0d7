#!/bin/sh
# Checks the C sources for functions maat does not use (as curl's checksrc
# does): unbounded copies and formats, non-reentrant tokenizers, number
# parsers that cannot report an error, and SQL outside src/store/.
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
[ $status = 0 ] && echo "checksrc: clean"
exit $status

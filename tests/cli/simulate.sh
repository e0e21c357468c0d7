#!/bin/sh
# maat simulate and maat erlang end to end: the JSON a planner's scripts
# read, the queue-only mode next to Erlang C, determinism per seed, and
# errors that name what was wrong.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$MAAT_BIN" erlang --rate 200 --aht 180 --agents 14 --target 20 --json \
  >"$tmp/e.json"; rc=$?
check "erlang exits 0" '[ $rc -eq 0 ]'
check "erlang: P_W of the published example" 'grep -q "\"p_wait\":0.17413" "$tmp/e.json"'
check "erlang: agents needed for 80/20" 'grep -q "\"agents_needed\":14" "$tmp/e.json"'
"$MAAT_BIN" erlang --rate 200 --aht 180 --agents 10 >/dev/null 2>"$tmp/err"; rc=$?
check "erlang: too few agents fails" '[ $rc -eq 1 ] && grep -q "without bound" "$tmp/err"'
"$MAAT_BIN" erlang --rate -3 --aht 180 >/dev/null 2>"$tmp/err"; rc=$?
check "erlang: a bad --rate is a usage error naming it" '[ $rc -eq 2 ] && grep -q -- "--rate" "$tmp/err"'

"$MAAT_BIN" simulate --queue-only --rate 200 --aht 180 --agents 14 \
  --contacts 50000 --reps 5 --seed 2 --json >"$tmp/q.json"; rc=$?
check "queue-only exits 0" '[ $rc -eq 0 ]'
for k in p_wait p_wait_ci asa_s asa_s_ci contacts; do
  check "queue-only prints $k" 'grep -q "\"$k\":" "$tmp/q.json"'
done
pw=$(sed -n 's/.*"p_wait":\([0-9.]*\).*/\1/p' "$tmp/q.json")
check "queue-only P_W near Erlang C ($pw vs 0.1741)" \
  'awk -v p="$pw" "BEGIN { exit !(p > 0.14 && p < 0.21) }"'

"$MAAT_BIN" simulate bank-nl-50 --compare maat,efficiency --days 1 --reps 2 \
  --seed 3 --json >"$tmp/s1.json"; rc=$?
check "simulate --compare exits 0" '[ $rc -eq 0 ]'
for k in contacts service_level avg_wait_s overload_agent_days heavy_gini \
    expected_leavers_per_year agent_hours bot_share; do
  n=$(grep -o "\"${k}\":" "$tmp/s1.json" | wc -l)
  check "both policies report $k" '[ "$n" -eq 2 ]'
done
check "the policies are keys of \"policies\"" \
  'grep -q "\"policies\":{\"maat\":{" "$tmp/s1.json" && grep -q "},\"efficiency\":{" "$tmp/s1.json"'
"$MAAT_BIN" simulate bank-nl-50 --compare maat,efficiency --days 1 --reps 2 \
  --seed 3 --json >"$tmp/s2.json"
check "same seed, same output" 'cmp -s "$tmp/s1.json" "$tmp/s2.json"'
"$MAAT_BIN" simulate bank-nl-50 --policy maat --days 1 --reps 2 >"$tmp/t.txt"; rc=$?
check "the table shows CIs" '[ $rc -eq 0 ] && grep -q "^service_level .*+-" "$tmp/t.txt"'

if [ -f "$MAAT_SOURCE_ROOT/web/dist/assets/uplot.js" ]; then
  "$MAAT_BIN" simulate bank-nl-50 --compare maat,efficiency --days 1 --reps 2 \
    --html "$tmp/r.html" >/dev/null; rc=$?
  check "--html writes a self-contained report" \
    '[ $rc -eq 0 ] && grep -q "uPlot" "$tmp/r.html" && grep -q "expected leavers per year" "$tmp/r.html" && ! grep -q "src=\"http" "$tmp/r.html"'
else
  echo "[SKIP] --html: the pages are not built (make web)"
fi
mkdir -p "$tmp/noweb"
MAAT_WEB_ROOT="$tmp/noweb" "$MAAT_BIN" simulate bank-nl-50 --days 1 --reps 1 \
  --html "$tmp/r2.html" >/dev/null 2>"$tmp/err"; rc=$?
check "--html without the chart library fails and says how to get it" \
  '[ $rc -eq 1 ] && grep -q "make web" "$tmp/err"'

printf '{"base": "bank-nl-50", "arrivals": {"per_dya": 10}}' >"$tmp/bad.json"
"$MAAT_BIN" simulate "$tmp/bad.json" >/dev/null 2>"$tmp/err"; rc=$?
check "a bad scenario fails naming file and field" \
  '[ $rc -eq 1 ] && grep -q "bad.json: field .arrivals.per_dya." "$tmp/err"'
"$MAAT_BIN" simulate bank-nl-50 --policy fastest >/dev/null 2>&1; rc=$?
check "an unknown policy is a usage error" '[ $rc -eq 2 ]'
"$MAAT_BIN" simulate no-such-scenario >/dev/null 2>"$tmp/err"; rc=$?
check "an unknown scenario fails and lists the built-ins" \
  '[ $rc -eq 1 ] && grep -q "bank-nl-50" "$tmp/err"'
n=$("$MAAT_BIN" simulate --list | wc -l)
check "--list shows the built-in scenarios" '[ "$n" -ge 3 ]'
exit $fail

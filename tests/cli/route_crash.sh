#!/bin/sh
# Crash recovery: 'maat route --db' is killed with SIGKILL mid-stream. Every
# contact whose decision was written must be in the log, a restart must
# rebuild the same state as routing the logged events afresh, and going on
# with the rest of the stream must end where an uninterrupted run ends.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT
M=$MAAT_BIN

"$M" gen --team 10 -o "$tmp/team.json"
"$M" gen --events --team "$tmp/team.json" --days 1 --seed 5 >"$tmp/ev.jsonl"
total=$(wc -l <"$tmp/ev.jsonl")
mkfifo "$tmp/in"
# Feed the stream in slow chunks so the kill lands mid-stream.
( split -l 20 "$tmp/ev.jsonl" "$tmp/chunk."
  for f in "$tmp"/chunk.*; do cat "$f"; sleep 0.05; done ) >"$tmp/in" &
feeder=$!
# A snapshot every 50 events: the restart loads the last one written
# before the kill and replays only the events after it.
"$M" route --team "$tmp/team.json" --replay --db "$tmp/log.db" \
  --snapshot-every 50 <"$tmp/in" >"$tmp/out1.jsonl" &
pid=$!
# Kill once decisions have been acknowledged, well before the end.
i=0
while [ ! -s "$tmp/out1.jsonl" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.3
kill -9 $pid
wait $pid 2>/dev/null
pid=
kill $feeder 2>/dev/null
wait $feeder 2>/dev/null

"$M" route --team "$tmp/team.json" --replay --db "$tmp/log.db" --log \
  >"$tmp/logged.jsonl"; rc=$?
n=$(wc -l <"$tmp/logged.jsonl")
check "log readable after kill -9 ($n of $total events)" \
  '[ $rc -eq 0 ] && [ "$n" -gt 0 ] && [ "$n" -lt "$total" ]'
check "decisions were written before the kill" '[ -s "$tmp/out1.jsonl" ]'
head -n "$n" "$tmp/ev.jsonl" >"$tmp/prefix.jsonl"
check "the log holds a prefix of the stream" 'cmp -s "$tmp/prefix.jsonl" "$tmp/logged.jsonl"'
grep '"type":"assign"' "$tmp/out1.jsonl" | sed 's/.*"contact":"\([^"]*\)".*/\1/' |
  sort -u >"$tmp/acked"
grep '"type":"contact"' "$tmp/logged.jsonl" | sed 's/.*"id":"\([^"]*\)".*/\1/' |
  sort -u >"$tmp/inlog"
check "every contact whose decision was written is in the log" \
  '[ -s "$tmp/acked" ] && [ -z "$(comm -23 "$tmp/acked" "$tmp/inlog")" ]'
"$M" route --team "$tmp/team.json" --replay --state "$tmp/prefix.jsonl" \
  | tail -n 1 >"$tmp/state_fresh"
"$M" route --team "$tmp/team.json" --replay --db "$tmp/log.db" --state \
  </dev/null 2>/dev/null | tail -n 1 >"$tmp/state_rebuilt"
check "a restart rebuilds the queue and agent state" \
  '[ -s "$tmp/state_fresh" ] && cmp -s "$tmp/state_fresh" "$tmp/state_rebuilt"'
# Go on with the rest of the stream.
tail -n +$((n + 1)) "$tmp/ev.jsonl" | "$M" route --team "$tmp/team.json" \
  --replay --db "$tmp/log.db" --state 2>/dev/null >"$tmp/rest.jsonl"
"$M" route --team "$tmp/team.json" --replay --state "$tmp/ev.jsonl" \
  >"$tmp/full.jsonl"
"$M" route --team "$tmp/team.json" --replay "$tmp/prefix.jsonl" \
  >"$tmp/head.jsonl"
cat "$tmp/head.jsonl" "$tmp/rest.jsonl" >"$tmp/joined.jsonl"
check "restart and continue gives the uninterrupted run's output" \
  'cmp -s "$tmp/full.jsonl" "$tmp/joined.jsonl"'
# Or resend the whole stream after the crash: the logged part is skipped.
rm -f "$tmp/log2.db"*
head -n "$n" "$tmp/ev.jsonl" | "$M" route --team "$tmp/team.json" --replay \
  --db "$tmp/log2.db" >/dev/null
"$M" route --team "$tmp/team.json" --replay --db "$tmp/log2.db" --state \
  "$tmp/ev.jsonl" 2>/dev/null >"$tmp/rest2.jsonl"
check "resending the whole stream skips the logged events" \
  'cmp -s "$tmp/rest.jsonl" "$tmp/rest2.jsonl"'
sed '3s/"t":/"t":1/' "$tmp/ev.jsonl" | "$M" route --team "$tmp/team.json" \
  --replay --db "$tmp/log2.db" >/dev/null 2>"$tmp/err"; rc=$?
check "a resend that differs from the log is refused" \
  '[ $rc -eq 1 ] && grep -q ":3: the input differs from event 3" "$tmp/err"'
exit $fail

#!/bin/sh
# The main job on the embedded default, on data maat generates itself:
# a contact history in Dutch and English, an intent classifier trained on
# it, an honest measurement, a few live messages classified, a day of a
# 50-agent team routed under the wellbeing-aware policy and the
# efficiency-only one, side by side; then the server: 'maat serve' on a
# local SQLite file, fed a generated day of contacts through its API on an
# accelerated clock, with the dashboard's address and the tokens to log in
# with. Ctrl-C stops it cleanly. DEMO_SECONDS=N stops it after N seconds
# (for scripts); DEMO_SPEED sets the clock (default 60: an hour a minute);
# DEMO_PORT the port (default 8420).
set -eu
maat=${1:-build/src/cli/maat}
dir=${2:-demo}
mkdir -p "$dir"

echo "== 1. generate 6,000 past contacts (nl and en)"
"$maat" gen --messages 6000 --seed 1 --split history -o "$dir/history.jsonl"
head -n 3 "$dir/history.jsonl"

echo
echo "== 2. train an intent model on the history"
"$maat" train --seed 1 --valid-split 0.1 -o "$dir/intent.model" "$dir/history.jsonl"

echo
echo "== 3. measure it on 1,000 new contacts"
"$maat" gen --messages 1000 --seed 2 --split history -o "$dir/new.jsonl"
"$maat" gen --messages 1000 --seed 3 --split new -o "$dir/unseen.jsonl"
echo "-- worded as in the history (new names, amounts, typos):"
"$maat" eval --model "$dir/intent.model" --confused 0 "$dir/new.jsonl" | head -n 4
echo "-- worded in ways the history never used (the honest test):"
"$maat" eval --model "$dir/intent.model" --confused 3 "$dir/unseen.jsonl" |
  sed -n '1,4p;/confused/,$p'

echo
echo "== 4. classify messages as they come in"
cat > "$dir/incoming.txt" <<'MSG'
Mijn pas is gestolen, kunnen jullie hem blokkeren?
I ordered a jacket two weeks ago and it still hasn't arrived
Waarom is mijn factuur deze maand zo hoog??
I want to cancel my subscription
Wat zijn jullie openingstijden op zaterdag?
MSG
"$maat" classify --model "$dir/intent.model" --top 2 "$dir/incoming.txt"

echo
echo "== 5. the knowledge base: the bot answers only with a source"
"$maat" gen --kb -o "$dir/kb.jsonl"
rm -f "$dir/kb.db" "$dir/kb.db-wal" "$dir/kb.db-shm"
"$maat" kb import --db "$dir/kb.db" "$dir/kb.jsonl"
"$maat" gen --kb-questions 600 --seed 11 -o "$dir/resolved.jsonl"
"$maat" kb learn --db "$dir/kb.db" "$dir/resolved.jsonl"
"$maat" kb ask --db "$dir/kb.db" "$dir/incoming.txt" > "$dir/answers.jsonl"
echo "-- each question: answered?, confidence, the article it cites:"
sed -e 's/.*"question":"\([^"]*\)".*"answered":\([a-z]*\),"confidence":\([0-9.]*\).*"sources":\[{"id":"\([^"]*\)".*/  \2 \3 \4  <- \1/' \
  "$dir/answers.jsonl"

echo
echo "== 6. route a day of a 50-agent team: wellbeing-aware vs efficiency-only"
"$maat" gen --team 50 -o "$dir/team.json"
"$maat" gen --events --team "$dir/team.json" --days 1 --seed 1 -o "$dir/day.jsonl"
for policy in maat efficiency; do
  # A fresh log each run: one left by an earlier maat belongs to its run.
  rm -f "$dir/route-$policy.db" "$dir/route-$policy.db-wal" "$dir/route-$policy.db-shm"
  "$maat" route --team "$dir/team.json" --policy "$policy" --replay \
    --db "$dir/route-$policy.db" --summary "$dir/summary-$policy.json" \
    "$dir/day.jsonl" > "$dir/decisions-$policy.jsonl"
  echo "-- $policy: $(cat "$dir/summary-$policy.json")"
done
echo
echo "Decisions with their reasons are in $dir/decisions-*.jsonl, the durable"
echo "event logs in $dir/route-*.db."

echo
echo "== 7. the server: a live day on an accelerated clock"
if ! command -v node >/dev/null 2>&1 || [ ! -f web/dist/index.html ]; then
  echo "(skipped: Node.js or the built pages are missing; run 'make web')"
  exit 0
fi
speed=${DEMO_SPEED:-60}
port=${DEMO_PORT:-8420}
db=$dir/serve.db
rm -f "$db" "$db-wal" "$db-shm"
"$maat" gen --messages 3000 --seed 5 -o "$dir/live.jsonl"
"$maat" gen --events --team "$dir/team.json" --days 1 --seed 7 -o "$dir/live-day.jsonl"
admin=$("$maat" token add --db "$db" --role admin 2>/dev/null)
lead=$("$maat" token add --db "$db" --role lead 2>/dev/null)
integration=$("$maat" token add --db "$db" --role integration 2>/dev/null)
hr=$("$maat" token add --db "$db" --role hr 2>/dev/null)
"$maat" kb import --db "$db" "$dir/kb.jsonl" 2>/dev/null
"$maat" kb learn --db "$db" "$dir/resolved.jsonl" 2>/dev/null
code=$("$maat" token enrol --db "$db" --agent a0001 2>/dev/null)
agent=$("$maat" token redeem --db "$db" "$code" 2>/dev/null)
"$maat" serve --team "$dir/team.json" --db "$db" --port "$port" \
  --intent-model "$dir/intent.model" --clock-speed "$speed" \
  2>"$dir/serve.log" &
server=$!
feeder=""
stop() {
  trap - INT TERM
  if [ -n "$feeder" ]; then kill "$feeder" 2>/dev/null || true; fi
  kill -TERM "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  echo
  echo "Stopped cleanly. Everything acknowledged is in $db (the event log,"
  echo "audit log and check-ins); 'make demo' again starts afresh."
  # The insight report over what was handled (docs/insight.md).
  if "$maat" report --db "$db" --hour-cost 38.50 --reinvest-share 0.3 \
       -o "$dir/report.html" 2>/dev/null &&
     "$maat" report --db "$db" --lang nl --hour-cost 38.50 \
       --reinvest-share 0.3 -o "$dir/rapport.html" 2>/dev/null; then
    echo "The insight report of the day: $dir/report.html (Dutch:"
    echo "$dir/rapport.html); while the server runs, HR sees it at /insight."
  fi
  exit 0
}
trap stop INT TERM
i=0
until grep -q "listening on" "$dir/serve.log" 2>/dev/null; do
  sleep 0.2
  i=$((i + 1))
  if [ $i -gt 50 ] || ! kill -0 "$server" 2>/dev/null; then
    cat "$dir/serve.log"
    exit 1
  fi
done
cat <<INFO

  maat is running: http://127.0.0.1:$port/

  Sign in with one of these tokens (shown once; they are stored hashed):
    team lead  (dashboard)     $lead
    agent a0001 (My day)       $agent
    admin                      $admin
    HR (the insight report)    $hr
    integration (the feeder)   $integration

  A generated day of a 50-agent team is fed through the API, $speed times
  faster than real time. Press Ctrl-C to stop.

INFO
MAAT_INTEGRATION=$integration MAAT_ADMIN=$admin \
  node scripts/demo-feed.mjs "http://127.0.0.1:$port" "$dir/live-day.jsonl" \
  "$dir/live.jsonl" "$speed" &
feeder=$!
if [ -n "${DEMO_SECONDS:-}" ]; then
  sleep "$DEMO_SECONDS"
  stop
fi
# Ctrl-C reaches the server and the feeder too; either way, end here.
wait "$feeder" || true
stop

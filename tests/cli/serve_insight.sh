#!/bin/sh
# Rollout stages over HTTP: an intent in shadow mode goes to people with
# the reason (Dutch too), the insight report counts how often people
# agreed (did not correct it); a pilot keeps the share the bot does not
# get; the stages survive a restart. And the report, the ledger and the
# pulse by role: HR and leads read aggregates, agents answer the pulse,
# nobody else gets in.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for tool in curl jq; do
  command -v $tool >/dev/null || { echo "[SKIP] $tool is not installed"; exit 77; }
done
. "$(dirname "$0")/serve_lib.sh"
db=$tmp/s.db
"$MAAT_BIN" gen --messages 3000 --seed 3 -o "$tmp/h.jsonl" 2>/dev/null
"$MAAT_BIN" train --seed 1 --epochs 5 -q -o "$tmp/i.model" "$tmp/h.jsonl"
"$MAAT_BIN" gen --messages 300 --seed 9 --lang en -o "$tmp/live.jsonl" 2>/dev/null
"$MAAT_BIN" gen --team 8 -o "$tmp/team.json" 2>/dev/null
INT=$("$MAAT_BIN" token add --db "$db" --role integration 2>/dev/null)
LEAD=$("$MAAT_BIN" token add --db "$db" --role lead 2>/dev/null)
ADM=$("$MAAT_BIN" token add --db "$db" --role admin 2>/dev/null)
HR=$("$MAAT_BIN" token add --db "$db" --role hr 2>/dev/null)
AG=$("$MAAT_BIN" token redeem --db "$db" "$("$MAAT_BIN" token enrol --db "$db" --agent a0001 2>/dev/null)" 2>/dev/null)
start_server "$db" "$tmp/team.json" --intent-model "$tmp/i.model"
check "the server starts" '[ -n "$port" ]'
for a in $(jq -r '.agents[].id' "$tmp/team.json"); do
  code POST "/v1/agents/$a/state" "$ADM" '{"state":"available"}' >/dev/null
done
post() { # ID TEXT: the reply in $tmp/body
  jq -nc --arg id "$1" --arg t "$2" '{id: $id, customer: ("u" + $id), text: $t}' >"$tmp/req"
  code POST /v1/contacts "$INT" "$(cat "$tmp/req")"
}
# Which intent the bot takes most: the first 60 messages.
: >"$tmp/bot"
k=0
jq -r '.text' "$tmp/live.jsonl" | head -n 60 >"$tmp/texts"
while IFS= read -r t; do
  k=$((k + 1))
  post "w$k" "$t" >/dev/null
  if [ "$(jq -r .decision.to "$tmp/body")" = bot ]; then
    printf '%s\t%s\n' "$(jq -r .triage.intent "$tmp/body")" "$t" >>"$tmp/bot"
  fi
done <"$tmp/texts"
X=$(cut -f1 "$tmp/bot" | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }')
check "the bot took some contacts (most of intent '$X')" '[ -n "$X" ]'
grep "^$X	" "$tmp/bot" | cut -f2 | head -n 6 >"$tmp/xtexts"

expect "a lead puts '$X' in shadow mode" 200 POST /v1/rollout "$LEAD" "{\"intent\":\"$X\",\"stage\":\"shadow\"}"
expect "HR may not change a rollout" 403 POST /v1/rollout "$HR" "{\"intent\":\"$X\",\"stage\":\"scale\"}"
expect "a stage that does not exist is named" 400 POST /v1/rollout "$LEAD" "{\"intent\":\"$X\",\"stage\":\"maybe\"}"
check "... by its field" 'jq -e ".field == \"stage\"" "$tmp/body" >/dev/null'
n=0 people=0
while IFS= read -r t; do
  n=$((n + 1))
  post "s$n" "$t" >/dev/null
  to=$(jq -r .decision.to "$tmp/body")
  [ "$to" != bot ] && people=$((people + 1))
  jq -e '.triage.bot_shadow == true' "$tmp/body" >/dev/null || echo "note: s$n not shadowed: $(cat "$tmp/body")"
done <"$tmp/xtexts"
check "in shadow, the bot answers none of the $n: people have them, or the queue" '[ "$people" = "$n" ]'
code GET "/v1/contacts/s1?lang=nl" "$LEAD" >/dev/null
check "the reason says shadow mode, in Dutch" 'grep -q "schaduwmodus voor onderwerp" "$tmp/body"'
# People close them; a lead corrects one: that one they did not agree with.
for k in $(seq 1 "$n"); do code POST "/v1/contacts/s$k/done" "$INT" '{"outcome":"resolved"}' >/dev/null; done
expect "a lead corrects one shadowed contact's tier" 201 POST /v1/contacts/s1/corrections "$LEAD" \
  '{"field":"tier","value":"T3","reason":"this needed a specialist"}'
code GET /v1/insight "$HR" >"$tmp/st"
check "HR reads the insight report" '[ "$(cat "$tmp/st")" = 200 ]'
cp "$tmp/body" "$tmp/report.json"
check "the report counts $n shadowed contacts of '$X'" \
  "jq -e '.intents[] | select(.intent == \"$X\") | .shadow.contacts == $n' \"\$tmp/report.json\" >/dev/null"
agreed=$(jq -r ".intents[] | select(.intent == \"$X\") | .shadow.agreed.value" "$tmp/report.json")
check "people agreed with $((n - 1)) of $n ($agreed)" \
  "awk -v a=\"$agreed\" -v n=$n 'BEGIN { d = a - (n - 1) / n; exit !(d < 0.001 && d > -0.001) }'"
check "the report lists the stage" "jq -e '.rollout[\"$X\"].stage == \"shadow\"' \"\$tmp/report.json\" >/dev/null"
expect "the HTML report, in Dutch" 200 GET "/v1/insight?format=html&lang=nl" "$HR"
check "... with the rollout section" 'grep -q "Uitrol en schaduwmodus" "$tmp/body"'

# A pilot with none of it for the bot, then all of it; a restart keeps it.
expect "a pilot of 0 %" 200 POST /v1/rollout "$LEAD" "{\"intent\":\"$X\",\"stage\":\"pilot\",\"share\":0}"
post p1 "$(head -n 1 "$tmp/xtexts")" >/dev/null
check "a pilot of 0 % keeps it with people, and says so" \
  '[ "$(jq -r .decision.to "$tmp/body")" != bot ] && jq -e "[.triage.reasons[] | test(\"pilot for intent\")] | any" "$tmp/body" >/dev/null'
expect "a pilot of 100 %" 200 POST /v1/rollout "$LEAD" "{\"intent\":\"$X\",\"stage\":\"pilot\",\"share\":1}"
kill $pid; wait $pid 2>/dev/null; pid=""
start_server "$db" "$tmp/team.json" --intent-model "$tmp/i.model"
for a in $(jq -r '.agents[].id' "$tmp/team.json"); do
  code POST "/v1/agents/$a/state" "$ADM" '{"state":"available"}' >/dev/null
done
expect "the stage after a restart" 200 GET /v1/rollout "$LEAD"
check "... is the pilot of 100 %" "jq -e '.rollout[\"$X\"] | .stage == \"pilot\" and .share == 1' \"\$tmp/body\" >/dev/null"
post p2 "$(sed -n 2p "$tmp/xtexts")" >/dev/null
check "a pilot of 100 % gives it to the bot" '[ "$(jq -r .decision.to "$tmp/body")" = bot ]'
# The customer rates the bot's contact: the rating is in the report.
expect "the bot's contact closes with the customer's rating" 200 POST /v1/contacts/p2/done "$INT" '{"outcome":"resolved","csat":2,"nps":3}'
code GET /v1/insight "$HR" >/dev/null
check "the bot's CSAT and NPS reach the report" \
  "jq -e '.intents[] | select(.intent == \"$X\") | .csat_bot.n == 1 and .csat_bot.value == 2 and .nps_bot.n == 1' \"\$tmp/body\" >/dev/null"

# The roles: who reads the report, who answers the pulse.
expect "a lead reads the report" 200 GET /v1/insight "$LEAD"
expect "an agent does not" 403 GET /v1/insight "$AG"
expect "the integration does not" 403 GET /v1/insight "$INT"
expect "an agent answers the pulse" 201 POST /v1/pulse "$AG" '{"enps":7,"happiness":4,"stress":3,"engagement":4,"learning":2}'
expect "... once a week" 409 POST /v1/pulse "$AG" '{"enps":7,"happiness":4,"stress":3,"engagement":4,"learning":2}'
expect "a value out of range is named" 400 POST /v1/pulse "$AG" '{"enps":11,"happiness":4,"stress":3,"engagement":4,"learning":2}'
check "... by its field" 'jq -e ".field == \"enps\"" "$tmp/body" >/dev/null'
expect "HR may not answer a pulse" 403 POST /v1/pulse "$HR" '{"enps":7,"happiness":4,"stress":3,"engagement":4,"learning":2}'
expect "HR adds to the ledger" 201 POST /v1/reinvestments "$HR" '{"kind":"recovery","hours":12,"date":"2026-11-30"}'
expect "a bad kind is named" 400 POST /v1/reinvestments "$HR" '{"kind":"bonus","hours":12}'
check "... by its field" 'jq -e ".field == \"kind\"" "$tmp/body" >/dev/null'
code GET /v1/insight "$HR" >/dev/null
check "the report never names an agent" '! grep -q "a000[0-9]" "$tmp/body"'
exit $fail

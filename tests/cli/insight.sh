#!/bin/sh
# The insight report on a generated history with planted truth: the
# counts match what was drawn, the planted figures lie within the report's
# intervals, the hours saved come back, the planted shifts are proposed;
# an export in a helpdesk's layout (Zendesk's) goes through its mapping,
# bad rows named by file, line and column; the HTML in both languages.
set -u
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v jq >/dev/null || { echo "[SKIP] jq is not installed"; exit 77; }
here=$(cd "$(dirname "$0")/../.." && pwd)
M=$MAAT_BIN
db="$tmp/s.db"

"$M" gen --history 20000 --seed 1 -o "$tmp/h.csv" --truth "$tmp/truth.json"
"$M" insight import --db "$db" --mapping "$here/docs/insight/maat.json" "$tmp/h.csv" 2>"$tmp/imp.err"
check "the history imports whole" 'grep -q "20000 rows kept, 0 skipped" "$tmp/imp.err"'
"$M" report --db "$db" --format json -o "$tmp/r.json"
check "the report is JSON" 'jq -e .intents "$tmp/r.json" >/dev/null'

# The counts are exact: the bot's contacts and those it settled.
for i in $(jq -r '.intents | keys[]' "$tmp/truth.json"); do
  want=$(jq -r ".intents.$i | \"\(.bot_contacts) \(.contained)\"" "$tmp/truth.json")
  got=$(jq -r ".intents[] | select(.intent == \"$i\") | \"\(.bot) \(.containment.value * .bot + 0.5 | floor)\"" "$tmp/r.json")
  check "$i: bot contacts and contained as drawn ($want)" '[ "$want" = "$got" ]'
done

# The planted figures within the report's 95 % intervals: each bot's
# failure rate and CSAT, people's CSAT by tier, NPS for bot and people.
# At 95 % about one in twenty misses by chance: at least 90 % must be
# inside, and every one inside an interval widened to 99.9 % (x 1.68).
jq -r --slurpfile t "$tmp/truth.json" '
  def row($name; $truth; $f): "\($name) \($truth) \($f.value) \($f.lo) \($f.hi)";
  (.intents[] | . as $i | ($t[0].intents[$i.intent]) as $p |
     row("\($i.intent)-failure"; $p.bot_failure; $i.bot_failure),
     row("\($i.intent)-csat_bot"; $p.csat_bot; $i.csat_bot)),
  row("csat_T2"; $t[0].csat_people_by_tier.T2; .all.csat_people_by_tier.T2),
  row("csat_T3"; $t[0].csat_people_by_tier.T3; .all.csat_people_by_tier.T3),
  row("nps_bot"; $t[0].nps_bot; .all.nps_bot),
  row("nps_people"; $t[0].nps_people; .all.nps_people)' "$tmp/r.json" >"$tmp/cover"
cat "$tmp/cover" | awk '{ printf "  %-28s planted %-7s found %-8s [%s, %s]\n", $1, $2, $3, $4, $5 }'
total=$(wc -l <"$tmp/cover")
inside=$(awk '$2 >= $4 && $2 <= $5' "$tmp/cover" | wc -l)
wide=$(awk '{ h = ($5 - $4) / 2 * 1.68; if ($2 >= $3 - h && $2 <= $3 + h) n++ } END { print n + 0 }' "$tmp/cover")
check "planted figures inside the 95 % intervals: $inside of $total (at least 90 %)" '[ $((inside * 10)) -ge $((total * 9)) ]'
check "every planted figure inside the 99.9 % interval ($wide of $total)" '[ "$wide" = "$total" ]'
saved=$(jq .savings.bot_hours "$tmp/r.json")
truth=$(jq .saved_hours "$tmp/truth.json")
check "hours the bot saved: $saved, planted $truth (within 5 %)" \
  'awk -v a="$saved" -v b="$truth" "BEGIN { d = (a - b) / b; exit !(d < 0.05 && d > -0.05) }"'
shift_of() { jq -r ".shifts[] | select(.intent == \"$1\") | .shift_to" "$tmp/r.json"; }
check "planted: the bot fails invoice questions and complaints -> people" \
  '[ "$(shift_of invoice_question)" = people ] && [ "$(shift_of complaint)" = people ]'
check "planted: the bot settles order status and password resets -> bot" \
  '[ "$(shift_of order_status)" = bot ] && [ "$(shift_of password_reset)" = bot ]'
check "no shift from fewer than the minimum" \
  '[ -z "$("$M" report --db "$db" --format json --min-contacts 100000 | jq -r ".shifts[]")" ]'

# A Zendesk-layout export with its mapping; bad rows named, good ones kept.
cat >"$tmp/zendesk.csv" <<'CSV'
Id,Requester email,Created at,First reply time in minutes,Solved at,Via,Language,Tags,Assignee,Group,Assignee stations,Status,Satisfaction Score,Ticket type
101,ann@example.com,2026-10-01 09:00:00 +0200,4,2026-10-01 09:20:00 +0200,email,nl,billing,Answer Bot,Support,1,solved,good,
102,bob@example.com,2026-10-01 10:00:00 +0200,10,2026-10-01 11:00:00 +0200,web,en,billing,Kim,Support,2,solved,bad,
103,cas@example.com,2026-10-02 10:00:00,3,not a date,chat,nl,refund,Kim,Support,1,solved,,
104,dee@example.com,2026-10-02 10:00:00 +0200,3,2026-10-02 10:30:00 +0200,chat,nl,refund,Kim,Support,many,solved,,
CSV
"$M" insight import --db "$tmp/z.db" --mapping "$here/docs/insight/zendesk.json" --source zendesk "$tmp/zendesk.csv" 2>"$tmp/z.err"
rc=$?
cat "$tmp/z.err"
check "the Zendesk export: 2 rows kept, 2 skipped, exit 1" '[ $rc = 1 ] && grep -q "2 rows kept, 2 skipped" "$tmp/z.err"'
check "a bad time is named by file, line and column" "grep -q 'zendesk.csv:4: column .Solved at.: expected a time' \"\$tmp/z.err\""
check "a bad count is named by file, line and column" "grep -q 'zendesk.csv:5: column .Assignee stations.: expected a count' \"\$tmp/z.err\""
"$M" report --db "$tmp/z.db" --format json -o "$tmp/z.json"
check "the bot's contact and a person's, from the export" \
  '[ "$(jq .all.bot "$tmp/z.json")" = 1 ] && [ "$(jq .all.people "$tmp/z.json")" = 1 ]'
printf '{"columns":{"id":"Id","closed_at":"Closed"}}' >"$tmp/bad-map.json"
"$M" insight import --db "$tmp/y.db" --mapping "$tmp/bad-map.json" "$tmp/zendesk.csv" 2>"$tmp/y.err"
check "a mapping naming a column the file lacks: refused, nothing kept" \
  "grep -q \"column 'Closed' (for 'closed_at') is not in the header\" \"\$tmp/y.err\" && [ \"\$(\"\$M\" report --db \"\$tmp/y.db\" --format json | jq .all.contacts)\" = 0 ]"

# The page in both languages: words, money and durations as people read them.
"$M" insight reinvest --db "$db" --kind growth --hours 12.5 --amount 1234.5 --date 2026-11-20
"$M" report --db "$db" --lang nl --hour-cost 40 --reinvest-share 0.3 -o "$tmp/nl.html"
"$M" report --db "$db" --lang en --hour-cost 40 --reinvest-share 0.3 -o "$tmp/en.html"
check "the Dutch page" 'grep -q "Wat de AI bespaart" "$tmp/nl.html" && grep -q "€ 1.234,50" "$tmp/nl.html" && grep -q "12:30 h" "$tmp/nl.html"'
check "the English page" 'grep -q "What the AI saves" "$tmp/en.html" && grep -q "€1,234.50" "$tmp/en.html"'
check "one self-contained page: no script, nothing fetched" \
  '! grep -qiE "<script|src=\"http|href=\"http" "$tmp/en.html"'
"$M" report --db "$db" --format csv -o "$tmp/r.csv"
check "CSV: a header and one row per intent" '[ "$(wc -l <"$tmp/r.csv")" = 9 ]'
"$M" report --db "$db" --from 2026-13-01 2>/dev/null
check "a bad date is a usage error" '[ $? = 2 ]'

# The task audit: the brief's table of allocations, on the matrix.
cat >"$tmp/tasks.csv" <<'CSV'
task,category,per_week,minutes,error_rate,frustration,stakeholder,creative,person_only
routine documentation,documentation,400,3,0.08,4,1,1,
data analysis,analysis,1,240,0.05,3,3,2,
text creation,text,5,30,0.02,2,2,4,
customer conversations,conversations,300,12,0.03,2,5,3,
strategy,strategy,0.5,480,0,1,5,5,
a dismissal,people,0.1,600,0,2,5,5,yes
bad,documentation,many,2,0.1,5,1,1,
CSV
"$M" insight tasks --format json "$tmp/tasks.csv" >"$tmp/tasks.json" 2>"$tmp/tasks.err"
rc=$?
alloc() { jq -r ".tasks[] | select(.task == \"$1\") | \"\(.allocation) \(.priority)\"" "$tmp/tasks.json"; }
check "routine documentation: AI automates (70)" '[ "$(alloc "routine documentation")" = "ai_automates 70" ]'
check "data analysis: AI leads, a person validates (70)" '[ "$(alloc "data analysis")" = "ai_leads_person_validates 70" ]'
check "text creation: collaboration (20)" '[ "$(alloc "text creation")" = "collaboration 20" ]'
check "customer conversations: a person leads, AI supports (20)" '[ "$(alloc "customer conversations")" = "person_leads_ai_supports 20" ]'
check "strategy: a person leads, AI gives insights (10)" '[ "$(alloc strategy)" = "person_leads_ai_insights 10" ]'
check "what must stay human stays human" '[ "$(alloc "a dismissal")" = "person_only 10" ]'
check "ranked: the 70 first, the most hours first" '[ "$(jq -r ".tasks[0].task" "$tmp/tasks.json")" = "routine documentation" ]'
check "a bad row of the inventory is named, exit 1" "[ \$rc = 1 ] && grep -q \"tasks.csv:8: column 'per_week'\" \"\$tmp/tasks.err\""
"$M" insight tasks --lang nl "$tmp/tasks.csv" 2>/dev/null | grep -q "AI automatiseert"
check "the table in Dutch" '[ $? = 0 ]'
exit $fail

#!/bin/sh
# The simulator's benchmarks (figures in bench/README.md, "Simulation"):
#  1. validation: M/M/c simulated (--queue-only) against Erlang C at the
#     (traffic, agents) points of docs/strain-model.md's table and a
#     published planning example; P_W and ASA within 2 % (relative);
#  2. speed: simulated contacts per second of wall time, saas-500, full model;
#  3. the brief's claim: bank-nl-50 under maat and efficiency, with CIs,
#     next to the team before its bot, and how it moves with the load;
#  4. calibration: leavers per year under efficiency (sanity target 30-45 %).
# Usage: bench/sim/run.sh PATH_TO_MAAT [CONTACTS_PER_POINT]   (needs jq, bc)
set -u
maat=${1:?usage: bench/sim/run.sh PATH_TO_MAAT [CONTACTS_PER_POINT]}
n=${2:-100000000}
command -v jq >/dev/null && command -v bc >/dev/null ||
  { echo "sim: jq and bc are needed (apt-get install jq bc)"; exit 1; }
export MAAT_NO_PROGRESS=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
status=0

echo "## 1. M/M/c against Erlang C ($n contacts a point, 20 replications)"
echo "| A | c | rate/h | aht s | P_W Erlang C | P_W simulated ± CI | diff | ASA Erlang C | ASA simulated ± CI | diff |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
# rate per hour, aht, agents: A = rate * aht / 3600
for p in "200 180 11" "200 180 12" "200 180 13" "200 180 14" "200 180 15" \
         "2000 180 105" "2000 180 110" "2000 180 115"; do
  set -- $p
  "$maat" erlang --rate "$1" --aht "$2" --agents "$3" --json >"$tmp/e.json"
  "$maat" simulate --queue-only --rate "$1" --aht "$2" --agents "$3" \
    --contacts "$n" --reps 20 --seed 1 --json >"$tmp/s.json"
  jq -r -s --arg r "$1" --arg h "$2" --arg c "$3" '
    .[0] as $e | .[1] as $s |
    (($s.p_wait / $e.p_wait - 1) * 100) as $dp |
    (($s.asa_s / $e.asa_s - 1) * 100) as $da |
    "| \($e.traffic|.*100|round/100) | \($c) | \($r) | \($h) | \($e.p_wait*10000|round/10000) | \($s.p_wait*10000|round/10000) ± \($s.p_wait_ci*10000|round/10000) | \($dp*100|round/100) % | \($e.asa_s*100|round/100) | \($s.asa_s*100|round/100) ± \($s.asa_s_ci*100|round/100) | \($da*100|round/100) % |"
  ' "$tmp/e.json" "$tmp/s.json"
  jq -e -s '(.[1].p_wait / .[0].p_wait - 1 | fabs) < 0.02 and
            (.[1].asa_s / .[0].asa_s - 1 | fabs) < 0.02' \
    "$tmp/e.json" "$tmp/s.json" >/dev/null || status=1
done
[ $status -eq 0 ] && echo "all within 2 %" || echo "SOME POINT IS OFF BY 2 % OR MORE"

echo
echo "## 2. Speed: saas-500, full model, 28 days, one core (best of 9)"
for pol in efficiency maat; do
  best=
  for k in 1 2 3 4 5 6 7 8 9; do
    t0=$(now)
    "$maat" simulate saas-500 --policy $pol --days 28 --reps 1 --json >"$tmp/p.json"
    t1=$(now)
    s=$(echo "$t1 - $t0" | bc | sed "s/^\./0./")
    if [ -z "$best" ] || [ "$(echo "$s < $best" | bc)" = 1 ]; then best=$s; fi
  done
  jq -r --arg s "$best" --arg p "$pol" '
    .policies[$p] as $x | ($s|tonumber) as $s |
    "\($p): \($x.contacts) arrivals (+ \($x.bounce_backs) bounce-backs) in \($s*100|round/100) s = \(($x.contacts + $x.bounce_backs) / $s | round) contacts/s"' \
    "$tmp/p.json"
done
t0=$(now)
"$maat" simulate --queue-only --rate 200000 --aht 300 --agents 17000 \
  --contacts 2000000 --reps 2 --json >/dev/null
t1=$(now)
echo "M/M/c through the router (17,000 agents): $(echo "2000000 / ($t1 - $t0)" | bc) contacts/s"

echo
echo "## 3. bank-nl-50: maat against efficiency, 5 days x 20 replications"
"$maat" simulate bank-nl-50 --compare maat,efficiency --days 5 --reps 20 \
  --seed 1 --json >"$tmp/b.json"
"$maat" simulate bank-nl-50-nobot --policy efficiency --days 5 --reps 20 \
  --seed 1 --json >"$tmp/nb.json"
jq -r -s '
  .[0].policies.maat as $m | .[0].policies.efficiency as $e |
  .[1].policies.efficiency as $n |
  def f(k; x): if (k|test("level|share|rate")) then "\(x[k]*1000|round/10) % ± \(x[k+"_ci"]*1000|round/10)"
               else "\(x[k]*100|round/100) ± \(x[k+"_ci"]*100|round/100)" end;
  "| figure | before the bot (efficiency) | bot, efficiency | bot, maat |",
  "| --- | --- | --- | --- |",
  (["contacts","service_level","avg_wait_s","p90_wait_s","abandon_rate","bot_share",
    "bounce_backs","agent_hours","cost","mean_strain","p95_strain",
    "overload_agent_hours","overload_agent_days","heavy_gini",
    "expected_leavers_per_year"][] as $k |
   "| \($k) | \(f($k; $n)) | \(f($k; $e)) | \(f($k; $m)) |"),
  "",
  "overload agent-days, maat / efficiency: \($m.overload_agent_days / $e.overload_agent_days * 100 | round / 100) (goal <= 0.5)",
  "service level, maat - efficiency: \(($m.service_level - $e.service_level) * 1000 | round / 10) points (goal >= -2)"
' "$tmp/b.json" "$tmp/nb.json"

echo
echo "### How the gain moves with the load (5 days x 10 replications)"
echo "| contacts/day | SL maat | SL efficiency | overload days maat | overload days efficiency | ratio |"
echo "| --- | --- | --- | --- | --- | --- |"
for pd in 1800 2000 2200 2400 2600; do
  printf '{"base": "bank-nl-50", "arrivals": {"per_day": %s}}' $pd >"$tmp/l.json"
  "$maat" simulate "$tmp/l.json" --compare maat,efficiency --days 5 --reps 10 \
    --seed 1 --json | jq -r --arg pd $pd '
    .policies.maat as $m | .policies.efficiency as $e |
    "| \($pd) | \($m.service_level*1000|round/10) % | \($e.service_level*1000|round/10) % | \($m.overload_agent_days*10|round/10) ± \($m.overload_agent_days_ci*10|round/10) | \($e.overload_agent_days*10|round/10) ± \($e.overload_agent_days_ci*10|round/10) | \(if $e.overload_agent_days > 0 then ($m.overload_agent_days / $e.overload_agent_days * 100 | round / 100) else "-" end) |"'
done

echo
echo "## 4. Calibration: leavers a year, bank-nl-50, 28 days x 5 replications"
"$maat" simulate bank-nl-50 --compare efficiency,maat --days 28 --reps 5 \
  --seed 1 --json | jq -r '.policies | to_entries[] |
  "\(.key): \(.value.expected_leavers_per_year*10|round/10) ± \(.value.expected_leavers_per_year_ci*10|round/10) of 50 a year = \(.value.expected_leavers_per_year/50*1000|round/10) % (sanity target for efficiency: 30-45 %)"'
exit $status

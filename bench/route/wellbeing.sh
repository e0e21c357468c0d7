#!/bin/sh
# A generated day of a 50-agent team replayed under 'maat' and 'efficiency',
# seeds 1..N: overload agent-hours and service level side by side, and the
# issue's test (maat at most half the overload of efficiency, at a service
# level at most 2 points lower). Usage: bench/route/wellbeing.sh MAAT [N]
set -eu
maat=${1:?usage: bench/route/wellbeing.sh PATH_TO_MAAT [SEEDS]}
seeds=${2:-10}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$maat" gen --team 50 -o "$tmp/team.json"
printf '%-5s %12s %12s %7s %9s %9s %7s %s\n' seed maat_ovl_h eff_ovl_h ratio \
  maat_sl eff_sl sl_diff met
met=0 seed=1
while [ "$seed" -le "$seeds" ]; do
  "$maat" gen --events --team "$tmp/team.json" --days 1 --seed "$seed" \
    >"$tmp/day.jsonl"
  for p in maat efficiency; do
    "$maat" route --team "$tmp/team.json" --policy $p --replay \
      --summary "$tmp/$p.json" "$tmp/day.jsonl" >/dev/null
  done
  line=$(jq -r -n --slurpfile m "$tmp/maat.json" \
    --slurpfile e "$tmp/efficiency.json" --arg s "$seed" '
    ($m[0].overload_agent_hours) as $mo | ($e[0].overload_agent_hours) as $eo |
    ($m[0].service_level) as $ms | ($e[0].service_level) as $es |
    (if $eo > 0 then $mo / $eo else 0 end) as $r |
    (($es - $ms) * 100) as $d |
    "\($s) \($mo) \($eo) \($r) \($ms) \($es) \($d) \(if $r <= 0.5 and $d <= 2 then "yes" else "no" end)"')
  set -- $line
  printf '%-5s %12.2f %12.2f %7.2f %9.4f %9.4f %7.2f %s\n' "$@"
  [ "$8" = yes ] && met=$((met + 1))
  seed=$((seed + 1))
done
echo "target met on $met of $seeds seeds"

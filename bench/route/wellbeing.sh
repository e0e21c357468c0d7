#!/bin/sh
# A generated day of a 50-agent team replayed under 'maat' (people first,
# the default, and service first: the lead's two choices) and
# 'efficiency', seeds 1..N: overload agent-hours, service level and
# hard-limit breaks side by side, and the test (maat at most half
# the overload of efficiency, at a service level at most 2 points lower).
# Usage: bench/route/wellbeing.sh MAAT [N]   (needs jq)
set -eu
maat=${1:?usage: bench/route/wellbeing.sh PATH_TO_MAAT [SEEDS]}
seeds=${2:-10}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$maat" gen --team 50 -o "$tmp/team.json"
jq '.settings = ((.settings // {}) + {"service_first": 1})' "$tmp/team.json" \
  >"$tmp/team-sf.json"
printf '%-5s %-14s %10s %10s %6s %8s %8s %7s %11s %s\n' seed choice \
  maat_ovl_h eff_ovl_h ratio maat_sl eff_sl sl_diff hard_breaks met
met0=0 met1=0 seed=1
while [ "$seed" -le "$seeds" ]; do
  "$maat" gen --events --team "$tmp/team.json" --days 1 --seed "$seed" \
    >"$tmp/day.jsonl"
  "$maat" route --team "$tmp/team.json" --policy efficiency --replay \
    --summary "$tmp/efficiency.json" "$tmp/day.jsonl" >/dev/null
  for choice in people service; do
    team=$tmp/team.json
    [ $choice = service ] && team=$tmp/team-sf.json
    "$maat" route --team "$team" --policy maat --replay \
      --summary "$tmp/maat.json" "$tmp/day.jsonl" >/dev/null
    line=$(jq -r -n --slurpfile m "$tmp/maat.json" \
      --slurpfile e "$tmp/efficiency.json" --arg s "$seed" --arg c "$choice" '
      ($m[0].overload_agent_hours) as $mo | ($e[0].overload_agent_hours) as $eo |
      ($m[0].service_level) as $ms | ($e[0].service_level) as $es |
      (if $eo > 0 then $mo / $eo else 0 end) as $r |
      (($es - $ms) * 100) as $d |
      "\($s) \($c)-first \($mo) \($eo) \($r) \($ms) \($es) \($d) \($m[0].hard_limit_breaks)/\($e[0].hard_limit_breaks) \(if $r <= 0.5 and $d <= 2 then "yes" else "no" end)"')
    set -- $line
    printf '%-5s %-14s %10.2f %10.2f %6.2f %8.4f %8.4f %7.2f %11s %s\n' "$@"
    if [ "${10}" = yes ]; then
      [ $choice = people ] && met0=$((met0 + 1)) || met1=$((met1 + 1))
    fi
  done
  seed=$((seed + 1))
done
echo "target met on $met0 of $seeds seeds (people first), $met1 of $seeds (service first)"

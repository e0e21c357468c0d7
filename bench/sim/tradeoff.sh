#!/bin/sh
# The lead's choice (docs/strain-model.md, "Soft rules, hard limits"):
# bank-nl-50 at several loads, 5 days x 10 replications, under maat with
# people first (service_first 0, the default) and service first (1), next
# to the efficiency baseline in the same run; the figures of the trade-off
# table in bench/README.md.
# Usage: bench/sim/tradeoff.sh PATH_TO_MAAT [REPS]   (needs jq)
set -u
maat=${1:?usage: bench/sim/tradeoff.sh PATH_TO_MAAT [REPS]}
reps=${2:-10}
command -v jq >/dev/null || { echo "tradeoff: jq is needed"; exit 1; }
export MAAT_NO_PROGRESS=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| contacts/day | choice | SL maat | SL efficiency | SL diff (points) | overload days maat | overload days efficiency | ratio | hard-limit breaks maat / efficiency | understaffed warnings a day |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for n in 1800 2200 2600 3000; do
  for sf in 0 1; do
    printf '{"base":"bank-nl-50","arrivals":{"per_day":%d},"settings":{"service_first":%d}}' \
      "$n" "$sf" >"$tmp/s.json"
    "$maat" simulate "$tmp/s.json" --compare maat,efficiency --days 5 \
      --reps "$reps" --json >"$tmp/r.json" || exit 1
    jq -r --arg n "$n" --arg sf "$sf" '.policies as $p |
      ($p.maat) as $m | ($p.efficiency) as $e |
      [$n, (if $sf == "0" then "people first" else "service first" end),
       "\($m.service_level * 1000 | round / 10) %",
       "\($e.service_level * 1000 | round / 10) %",
       "\((($m.service_level - $e.service_level) * 1000) | round / 10)",
       "\($m.overload_agent_days * 10 | round / 10) ± \($m.overload_agent_days_ci * 10 | round / 10)",
       "\($e.overload_agent_days * 10 | round / 10) ± \($e.overload_agent_days_ci * 10 | round / 10)",
       "\(if $e.overload_agent_days > 0 then ($m.overload_agent_days / $e.overload_agent_days * 100 | round / 100) else "-" end)",
       "\($m.hard_limit_breaks | round) / \($e.hard_limit_breaks | round)",
       "\($m.understaffed_warnings / 5 * 10 | round / 10)"]
      | "| " + join(" | ") + " |"' "$tmp/r.json"
  done
done

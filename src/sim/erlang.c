/*
 * erlang.c - Erlang C, as planners use it: the probability of waiting, the
 * average speed of answer, the service level within a target, and the
 * agents needed for a target. The Erlang B recurrence keeps it exact and
 * overflow-free for any number of agents (docs/strain-model.md).
 */
#include "maat-int.h"

#include <math.h>

int maat_erlang_c(double rate_per_hour, double aht_s, int agents,
                  double target_s, struct maat_erlang *out)
{
  double a, b = 1;

  if (!(rate_per_hour > 0) || !isfinite(rate_per_hour))
    return maat__fail(MAAT_EINVAL, "rate %g: expected a number > 0",
                      rate_per_hour);
  if (!(aht_s > 0) || !isfinite(aht_s))
    return maat__fail(MAAT_EINVAL, "handling time %g: expected a number > 0",
                      aht_s);
  if (agents < 1)
    return maat__fail(MAAT_EINVAL, "agents %d: expected 1 or more", agents);
  if (!(target_s >= 0) || !isfinite(target_s))
    return maat__fail(MAAT_EINVAL, "target %g: expected a number >= 0",
                      target_s);
  a = rate_per_hour * aht_s / 3600;
  if (a >= agents)
    return maat__fail(MAAT_EINVAL, "traffic %.3f erlangs needs more than %d "
                      "agents: the queue would grow without bound", a,
                      agents);
  /* Erlang B: B_k = A B_{k-1} / (k + A B_{k-1}). */
  for (int k = 1; k <= agents; k++)
    b = a * b / (k + a * b);
  out->traffic = a;
  out->p_wait = agents * b / (agents - a * (1 - b));
  out->asa_s = out->p_wait * aht_s / (agents - a);
  out->service_level =
      1 - out->p_wait * exp(-(agents - a) * target_s / aht_s);
  out->occupancy = a / agents;
  return MAAT_OK;
}

int maat_erlang_agents(double rate_per_hour, double aht_s, double target_s,
                       double sl_goal, int *agents)
{
  struct maat_erlang e;
  double a;
  int c, rc;

  if (!(sl_goal > 0 && sl_goal < 1))
    return maat__fail(MAAT_EINVAL, "service-level goal %g: expected a share "
                      "between 0 and 1", sl_goal);
  if (!(rate_per_hour > 0) || !isfinite(rate_per_hour) || !(aht_s > 0) ||
      !isfinite(aht_s))
    return maat__fail(MAAT_EINVAL, "rate and handling time must be > 0");
  a = rate_per_hour * aht_s / 3600;
  if (a > 1e6)
    return maat__fail(MAAT_EINVAL, "traffic %.0f erlangs is beyond what "
                      "this computes", a);
  /* The service level rises with every agent past the traffic. */
  for (c = (int)floor(a) + 1;; c++) {
    rc = maat_erlang_c(rate_per_hour, aht_s, c, target_s, &e);
    if (rc)
      return rc;
    if (e.service_level >= sl_goal)
      break;
  }
  *agents = c;
  return MAAT_OK;
}

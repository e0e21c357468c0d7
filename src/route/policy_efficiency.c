/*
 * policy_efficiency.c - the baseline the brief warns about: the bot takes
 * every T1 contact it may (calm ones), people get the rest, longest-idle
 * eligible agent first, no recovery windows, no caps.
 */
#include "route-int.h"

static int light(struct maat_router *r, const struct maat__rcontact *c,
                 const char **why)
{
  return -1;
}

static void choose(struct maat_router *r, const struct maat__rcontact *c,
                   struct maat__choice *out)
{
  int best = -1;

  /* Nobody available fits: say so without walking the list. */
  if (maat__router_next_fit(r, c, r->avail_bits, 0) < 0)
    return;
  /* The list is longest-idle first: the first that fits is the one. */
  for (MAAT__READY_EACH(r, i)) {
    if (r->agents[i].state == MAAT_AGENT_AVAILABLE &&
        maat__router_fit_bit(r, c, i)) {
      best = i;
      break;
    }
  }
  if (best < 0)
    return;
  out->agent = best;
  out->reasons[out->nreasons++] = "needs a person: tier or tone";
  out->reasons[out->nreasons++] = "longest-idle eligible agent";
}

const struct maat__policy maat__policy_efficiency = {
  "efficiency", 0, 0, 0, light, choose, NULL
};

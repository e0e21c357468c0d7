/*
 * policy_roundrobin.c - round robin: the bot takes calm T1 contacts, people
 * the rest, each to the next eligible available agent after the last one
 * chosen. No recovery windows, no caps.
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
  int best = -1, best_d = 0;

  /* The next eligible agent after the cursor, in team order. */
  for (MAAT__READY_EACH(r, i)) {
    int d = (i - r->rr_cursor + r->nagents - 1) % r->nagents;
    if (r->agents[i].state != MAAT_AGENT_AVAILABLE ||
        !maat__router_fits(r, i, c))
      continue;
    if (best < 0 || d < best_d) {
      best = i;
      best_d = d;
    }
  }
  if (best < 0)
    return;
  r->rr_cursor = best;
  out->agent = best;
  out->reasons[out->nreasons++] = "needs a person: tier or tone";
  out->reasons[out->nreasons++] = "next eligible agent in turn";
}

const struct maat__policy maat__policy_roundrobin = {
  "round-robin", 0, 0, 0, light, choose, NULL
};

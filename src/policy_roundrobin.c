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
  for (int k = 1; k <= r->nagents; k++) {
    int i = (r->rr_cursor + k) % r->nagents;
    if (r->agents[i].state != MAAT_AGENT_AVAILABLE ||
        !maat__router_fits(r, i, c))
      continue;
    r->rr_cursor = i;
    out->agent = i;
    out->reasons[out->nreasons++] = "needs a person: tier or tone";
    out->reasons[out->nreasons++] = "next eligible agent in turn";
    return;
  }
}

const struct maat__policy maat__policy_roundrobin = {
  "round-robin", 0, light, choose
};

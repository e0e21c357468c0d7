/*
 * policy_maat.c - the default policy: among eligible agents, the lowest
 * strain wins; heavy contacts also weigh how many heavy contacts each agent
 * had today. An agent whose strain plus what the contact is expected to add
 * would pass the overload line is passed over, since strain does not recover
 * while one works. A recovery window follows each heavy contact, consecutive
 * heavy contacts are capped, and light T1 work is offered to people whose
 * recent work was heavy once their strain has come down. When no agent can take a contact within the rules and it
 * is past the service target, one rule is relaxed (heavy cap first, then a
 * recovery window is cut short) and the router warns.
 */
#include "route-int.h"

#include <math.h>

/* The share of heavy contacts among the agent's recent ones. */
static double heavy_share(const struct maat__ragent *a)
{
  return a->nrecent ? (double)maat__recent_heavy(a) / a->nrecent : 0;
}

static int light(struct maat_router *r, const struct maat__rcontact *c,
                 const char **why)
{
  const double *set = r->team->set;
  int best = -1;
  double best_share = 0;

  /* People come first for people's work: offer light work only when idle. */
  if (maat__router_waiting(r) > 0 || set[MAAT__S_LIGHT_SHARE] <= 0 ||
      !r->nlight_due)
    return -1;
  /* Available, fitting, and recent work heavy: its light share is below
   * the target. */
  for (int i = maat__router_next_fit(r, c, r->light_bits, 0); i >= 0;
       i = maat__router_next_fit(r, c, r->light_bits, i + 1)) {
    double share;
    /* Work pauses recovery: offer it only to someone already recovered. */
    if (maat__router_strain(r, i) > set[MAAT__S_RECOVERY_TO])
      continue;
    share = heavy_share(&r->agents[i]);
    if (best < 0 || share > best_share) {
      best = i;
      best_share = share;
    }
  }
  if (best >= 0)
    *why = "light T1 work offered to a person whose recent work was heavy";
  return best;
}

/*
 * Only available agents who fit are looked at (bit sets). A light contact
 * goes to the least strained of them unless even that one would pass the
 * overload line; a heavy one weighs strain with heavy contacts today.
 * Ties go to the longest idle, then team order.
 */
static void choose(struct maat_router *r, const struct maat__rcontact *c,
                   struct maat__choice *out)
{
  const double *set = r->team->set;
  int cap = (int)set[MAAT__S_HEAVY_CAP];
  double fair = set[MAAT__S_HEAVY_FAIR];
  int best = -1, capped = -1, rec = -1;
  double best_score = 0, rec_s = 0, mean = 0;
  /* The least strain key among those kept out only by the overload line. */
  double wait_key = INFINITY;
  int late = r->now - c->arrival >= set[MAAT__S_SERVICE_TARGET];
  /* What this contact will add to strain at the mean handling time. */
  double load = c->load;

  if (!c->heavy) {
    int least = -1, i;
    double least_key = INFINITY;
    for (MAAT__EACH_FIT(r, c, r->avail_bits, w, m, i)) {
      double k = r->order_key[i];
      /* The key in a register: ties (rare) go to the full comparison. */
      if (k < least_key || least < 0 ||
          (k == least_key && maat__router_less_strained(r, i, least))) {
        least = i;
        least_key = k;
      }
    }
    /*
     * One this contact would take past the overload line is passed over,
     * and so would everyone more strained be: they wait for the fallback.
     */
    if (least >= 0) {
      if (maat__router_strain(r, least) + load > set[MAAT__S_OVERLOAD]) {
        capped = least;
        wait_key = r->order_key[least];
      } else
        best = least;
    }
  } else {
    /*
     * Strain s passes the line when ln s + now/tau, the key, passes
     * 'line': keys well past it need no exp(); those near it get one.
     */
    double line = c->ln_room + r->now / set[MAAT__S_T_A];
    double slack = 1e-9 * (1 + fabs(line));
    /* The least key scored so far, and its strain: the bound's reference. */
    double ref_key = INFINITY, ref_s = 0;
    int i;
    if (r->nshift)
      mean = (double)r->heavy_today_sum / r->nshift;
    for (MAAT__EACH_FIT(r, c, r->avail_bits, w, m, i)) {
      const struct maat__ragent *a = &r->agents[i];
      double k = r->order_key[i], s, h = fair * (a->heavy_today - mean);
      /*
       * Skip an agent at the heavy cap, or one this contact would take
       * past the overload line; the least strained of those is the
       * fallback's. Keys clearly under the line need no exp() to know.
       */
      if (a->streak >= cap || k > line + slack ||
          (k >= line - slack &&
           maat__router_strain(r, i) + load > set[MAAT__S_OVERLOAD])) {
        if (capped < 0 || maat__router_less_strained(r, i, capped))
          capped = i;
        /* The cap lasts while she waits; the strain falls. */
        if (a->streak < cap && k < wait_key)
          wait_key = k;
        continue;
      }
      /*
       * Strain is e^(key - now/tau), so against the reference with the
       * least key, s >= ref_s (1 + key - ref_key): one that cannot reach
       * the best score even so needs no exp() (a margin for rounding).
       */
      if (best >= 0 && k >= ref_key &&
          ref_s * (1 + (k - ref_key)) + h - best_score >
              1e-9 * (1 + fabs(best_score)))
        continue;
      s = maat__router_strain(r, i);
      if (k < ref_key) {
        ref_key = k;
        ref_s = s;
      }
      s += h;
      if (best < 0 || s < best_score ||
          (s == best_score && (a->idle_since < r->agents[best].idle_since ||
                               (a->idle_since == r->agents[best].idle_since &&
                                i < best)))) {
        best = i;
        best_score = s;
      }
    }
  }
  /* Agents in recovery matter only to the fallback, past the target. */
  if (best < 0 && capped < 0 && late) {
    for (MAAT__READY_EACH(r, i)) {
      double s;
      if (r->agents[i].state != MAAT_AGENT_RECOVERY ||
          !maat__router_fits(r, i, c))
        continue;
      s = maat__router_strain(r, i);
      if (rec < 0 || s < rec_s || (s == rec_s && i < rec)) {
        rec = i;
        rec_s = s;
      }
    }
  }
  if (c->c.urgency == MAAT_URGENCY_CRITICAL)
    out->reasons[out->nreasons++] = "critical: first in the queue";
  if (maat__tone_hostile(c->c.tone))
    out->reasons[out->nreasons++] =
        "hostile tone: never left alone with the bot";
  else if (c->c.tier == MAAT_T3)
    out->reasons[out->nreasons++] = "tier T3: an experienced person";
  else
    out->reasons[out->nreasons++] = "tier T2: a specialist";
  out->reasons[out->nreasons++] = "eligible on language, skill and tier";
  if (best >= 0) {
    out->agent = best;
    out->reasons[out->nreasons++] =
        c->heavy ? "heavy contact: lowest strain and fewest heavy contacts "
                   "today, outside any recovery window, under the heavy cap"
                 : "lowest strain among eligible agents, staying under the "
                   "overload line";
    return;
  }
  /* Fallback, only past the service target. */
  if (!late) {
    /*
     * Nobody changes until the contact is past its target or the least
     * strained one kept out by the overload line has come down to it:
     * s e^(-(t - t0)/tau) + load = overload at t = tau (key - ln(room)).
     * A hair early, so that rounding never makes it late.
     */
    double t = c->arrival + set[MAAT__S_SERVICE_TARGET];
    if (c->ln_room > -INFINITY && wait_key < INFINITY &&
        set[MAAT__S_T_A] * (wait_key - c->ln_room) < t)
      t = set[MAAT__S_T_A] * (wait_key - c->ln_room);
    out->retry_at = t - 1e-9 * fmax(1, fabs(t));
    return;
  }
  if (capped >= 0) {
    out->agent = capped;
    out->fallback = 1;
    out->rule = "heavy cap";
    out->reasons[out->nreasons++] =
        "overload: past the service target, heavy cap or overload margin "
        "relaxed for the lowest-strain agent";
  } else if (rec >= 0) {
    out->agent = rec;
    out->fallback = 1;
    out->rule = "recovery window";
    out->reasons[out->nreasons++] =
        "overload: past the service target, recovery window cut short for "
        "the lowest-strain agent";
  }
}

/*
 * From when agent i could take contact c within the rules, for dispatch:
 * past the target the fallback takes anyone; before it, someone available
 * and not at the heavy cap once strain plus the contact's load is under the
 * line (at t = tau (key - ln(room)), a hair early against rounding).
 */
static double ready_at(const struct maat_router *r,
                       const struct maat__rcontact *c, int i)
{
  const double *set = r->team->set;
  const struct maat__ragent *a = &r->agents[i];
  double t;

  if (a->state != MAAT_AGENT_AVAILABLE && a->state != MAAT_AGENT_RECOVERY)
    return INFINITY;
  if (r->now - c->arrival >= set[MAAT__S_SERVICE_TARGET])
    return -INFINITY;
  if (a->state == MAAT_AGENT_RECOVERY ||
      (c->heavy && a->streak >= (int)set[MAAT__S_HEAVY_CAP]) ||
      c->ln_room == -INFINITY)
    return INFINITY;
  t = set[MAAT__S_T_A] * (r->order_key[i] - c->ln_room);
  return t - 1e-9 * fmax(1, fabs(t));
}

const struct maat__policy maat__policy_maat = {
  "maat", 1, 1, light, choose, ready_at
};

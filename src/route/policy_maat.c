/*
 * policy_maat.c - the default policy: among eligible agents, the lowest
 * strain wins; heavy contacts also weigh how many heavy contacts each agent
 * had today. An agent whose strain plus what the contact is expected to add
 * would pass the overload line is passed over, since strain does not recover
 * while one works. A recovery window follows each heavy contact, consecutive
 * heavy contacts are capped, and light T1 work is offered to people whose
 * recent work was heavy once their strain has come down.
 *
 * When nobody can take a contact within the rules, the rules give way in
 * stages (maat__wait_stage()), and the router warns: after relax_after_s
 * the heavy cap, the overload margin or a recovery window, for the least
 * strained agent still under the overload line; someone already over the
 * line only for a light or critical contact in the last second before its
 * service target (it would miss it otherwise) or for any contact
 * overload_grace_s past the target. Past the target, serving a contact
 * sooner no longer saves the service level, so it waits for someone under
 * the line first.
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

/* When strain s now, decaying, comes down to the overload line. */
static double strain_under_line_at(const struct maat_router *r, double s)
{
  const double *set = r->team->set;

  return s < set[MAAT__S_OVERLOAD]
             ? -INFINITY
             : r->now + set[MAAT__S_T_A] * log(s / set[MAAT__S_OVERLOAD]);
}

/*
 * When agent i's strain comes down to the overload line: by her key if she
 * is available or in recovery, else from her strain; at or before now if
 * it is under.
 */
static double under_line_at(const struct maat_router *r, int i)
{
  const double *set = r->team->set;
  int state = r->agents[i].state;

  if (state == MAAT_AGENT_AVAILABLE || state == MAAT_AGENT_RECOVERY)
    return set[MAAT__S_T_A] * (r->order_key[i] - r->ln_overload);
  return strain_under_line_at(r, maat__router_strain(r, i));
}

/*
 * ln(overload - load): a strain key under it plus now/tau leaves room for
 * the contact; -inf when nothing does. Only for retry times, so on demand.
 */
static double ln_room(const struct maat_router *r,
                      const struct maat__rcontact *c)
{
  double over = r->team->set[MAAT__S_OVERLOAD];

  return over > c->load ? log(over - c->load) : -INFINITY;
}

/*
 * ln_room() for a light contact, whose load is one of a few values (its
 * kind's weight at the mean handling time): remembered for the last two.
 */
static double ln_room_light(struct maat_router *r,
                            const struct maat__rcontact *c)
{
  int j = r->room_load[0] == c->load ? 0 : r->room_load[1] == c->load ? 1 : -1;

  if (j < 0) {
    j = r->room_next;
    r->room_next ^= 1;
    r->room_load[j] = c->load;
    r->room_ln[j] = ln_room(r, c);
  }
  return r->room_ln[j];
}

/*
 * Whether someone over the overload line may take the contact in the last
 * second before its target: a light one (little added strain), or a
 * critical one (it must not wait out the grace).
 */
static int rescued(const struct maat__rcontact *c)
{
  return !c->heavy || c->c.urgency == MAAT_URGENCY_CRITICAL;
}

/* Keeps agent i in *least if she is less strained (least_key its key). */
static void keep_least_strained(const struct maat_router *r, int i,
                                int *least, double *least_key)
{
  double k = r->order_key[i];

  if (k <= *least_key &&
      (k < *least_key || *least < 0 ||
       maat__router_less_strained(r, i, *least))) {
    *least = i;
    *least_key = k;
  }
}

/*
 * A heavy contact's score for available agent i under the heavy cap, by the
 * estimate strain_e f of her strain, in *score: strain plus heavy_fair times
 * her heavy contacts today above the mean. False when the contact would
 * take her past the overload line (exactly so when the estimate is near it).
 */
static int heavy_estimate(const struct maat_router *r, int i, double f,
                          double load, double mean, double *score)
{
  const double *set = r->team->set;
  double over = set[MAAT__S_OVERLOAD], band = 1e-9 * (1 + over);
  double s = r->strain_e[i] * f, past = s + load - over;

  if (past > band ||
      (past >= -band && maat__router_strain(r, i) + load > over))
    return 0;
  *score = s + set[MAAT__S_HEAVY_FAIR] * (r->agents[i].heavy_today - mean);
  return 1;
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
  double fair = set[MAAT__S_HEAVY_FAIR];
  int best = -1, capped = -1, rec = -1;
  double best_score = 0, mean = 0;
  /* The least strain key among those kept out only by the overload line. */
  double wait_key = INFINITY;
  int stage = maat__wait_stage(r, c);
  int relax = stage >= MAAT__WAIT_RELAX;
  /* Someone already over the overload line may take it (see the top). */
  int over_ok = stage == MAAT__WAIT_ANYONE ||
                (stage == MAAT__WAIT_RESCUE && rescued(c));
  /* When the least strained of those over the line comes under it. */
  double under_at = INFINITY;
  /* What this contact will add to strain at the mean handling time. */
  double load = c->load;

  if (!c->heavy) {
    int least = -1, i;
    double least_key = INFINITY;
    for (MAAT__EACH_FIT(r, c, r->avail_bits, w, m, i)) {
      double k = r->order_key[i];
      /* The key in a register; ties (rare) go to the full comparison. */
      if (k == least_key) {
        if (maat__router_less_strained(r, i, least))
          least = i;
        continue;
      }
      least = k < least_key ? i : least;
      least_key = k < least_key ? k : least_key;
    }
    /*
     * One this contact would take past the overload line is passed over,
     * and so would everyone more strained be: they wait for the fallback.
     */
    if (least >= 0) {
      /*
       * s + load > overload, as ln s = key - now/tau > ln(overload - load);
       * the exact strain only within rounding of the line (or at zero).
       */
      double d = least_key - r->now / set[MAAT__S_T_A] - ln_room_light(r, c);
      double slack = 1e-9 * (1 + fabs(least_key));
      if (d > slack ||
          (!(d < -slack) && /* near, or NaN */
           maat__router_strain(r, least) + load > set[MAAT__S_OVERLOAD])) {
        capped = least;
        wait_key = r->order_key[least];
      } else
        best = least;
    }
  } else {
    /*
     * One pass scores everyone by the estimate strain_e f, which is the
     * strain to within rounding: no exp() per agent. Only when the second
     * least estimate ties with the least (rarely) does a second pass
     * compute the exact scores of those that tie, so the choice is always
     * the exact one.
     */
    double f = maat__router_strain_factor(r);
    double least_est = INFINITY, second_est = INFINITY, tol;
    double capped_key = INFINITY;
    int ncand = 0, i;
    if (r->nshift)
      mean = (double)r->heavy_today_sum / r->nshift;
    /* Those under the heavy cap; one this contact would take past the
     * overload line is skipped. */
    for (MAAT__EACH_FIT(r, c, r->undercap_bits, w, m, i)) {
      double s;
      if (!heavy_estimate(r, i, f, load, mean, &s)) {
        double k = r->order_key[i];
        keep_least_strained(r, i, &capped, &capped_key);
        /* Kept out by the line only: her strain falls while she waits. */
        if (k < wait_key)
          wait_key = k;
        continue;
      }
      /* Without branches: which is least is a coin toss to the CPU. */
      {
        int less = s < least_est;
        double hi = less ? least_est : s;
        second_est = hi < second_est ? hi : second_est;
        best = less ? i : best;
        least_est = less ? s : least_est;
      }
      ncand++;
    }
    /* Nobody: the least strained of all skipped, those at the cap too, is
     * the fallback's. */
    for (int w = 0; !ncand && w < r->nwords; w++)
      for (uint64_t m = r->fit_bits[c->kind][w] & r->avail_bits[w] &
                        ~r->undercap_bits[w];
           m; m &= m - 1) {
        i = w * 64 + __builtin_ctzll(m);
        /* At the hard cap: never, at any stage. */
        if (!maat__hard_ok(&r->agents[i], 1, r->now, set))
          continue;
        keep_least_strained(r, i, &capped, &capped_key);
      }
    tol = 1e-9 * (1 + fabs(least_est));
    /* Another estimate near the least: the exact scores of all near it. */
    if (second_est <= least_est + tol) {
      best = -1;
      for (MAAT__EACH_FIT(r, c, r->undercap_bits, w, m, i)) {
        const struct maat__ragent *a = &r->agents[i];
        double s;
        if (!heavy_estimate(r, i, f, load, mean, &s) || s > least_est + tol)
          continue;
        s = maat__router_strain(r, i) + fair * (a->heavy_today - mean);
        if (best < 0 || s < best_score ||
            (s == best_score && (a->idle_since < r->agents[best].idle_since ||
                                 (a->idle_since == r->agents[best].idle_since &&
                                  i < best)))) {
          best = i;
          best_score = s;
        }
      }
    }
  }
  if (best < 0 && capped >= 0 && relax && !over_ok) {
    double t = under_line_at(r, capped);
    if (t > r->now) {
      under_at = t;
      capped = -1;
    }
  }
  /*
   * Agents in recovery matter only to the fallback. Their keys (ln s +
   * t/tau, kept from the start of the window) answer both questions, the
   * line and the least strained, without an exp(); the exact strains only
   * where a key is within rounding of the line or of the least.
   */
  if (best < 0 && capped < 0 && relax) {
    double tau = set[MAAT__S_T_A], line = r->ln_overload + r->now / tau;
    double rec_k = INFINITY, over_k = INFINITY;
    int i;
    for (MAAT__EACH_FIT(r, c, r->recovery_bits, w, m, i)) {
      double k = r->order_key[i], slack = 1e-9 * (1 + fabs(k));
      const struct maat__ragent *a = &r->agents[i];
      /* The hard limits hold at every stage: the minimum rest ends at a
       * known time, the hard cap only with a light contact. */
      if (!maat__hard_ok(a, c->heavy, r->now, set)) {
        if (r->now < a->rest_until && a->rest_until < under_at &&
            maat__hard_ok(a, c->heavy, a->rest_until, set))
          under_at = a->rest_until;
        continue;
      }
      if (!over_ok && k - line > slack) {
        /* Over the line: the least key is the first to come under it. */
        if (k < over_k)
          over_k = k;
        continue;
      }
      if (!over_ok && k - line >= -slack) {
        /* Within rounding of the line: her exact strain says which side. */
        double t = strain_under_line_at(r, maat__router_strain(r, i));
        if (t > r->now) {
          if (t < under_at)
            under_at = t;
          continue;
        }
      }
      if (rec < 0 || k < rec_k - slack) {
        rec = i;
        rec_k = k;
      } else if (k <= rec_k + slack) {
        double s = maat__router_strain(r, i), rs = maat__router_strain(r, rec);
        if (s < rs || (s == rs && i < rec)) {
          rec = i;
          rec_k = k;
        }
      }
    }
    /* When the first of those over the line comes under it (as
     * under_line_at() says for an available agent). */
    if (over_k < INFINITY) {
      double t = tau * (over_k - r->ln_overload);
      if (t < under_at)
        under_at = t;
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
  /* With the team's skills map: which skill the intent asked for. */
  if (r->team->has_map && c->skills != ~(uint64_t)0 && c->skills)
    out->reasons[out->nreasons++] =
        r->team->skill_reason[__builtin_ctzll(c->skills)];
  if (best >= 0) {
    out->agent = best;
    out->reasons[out->nreasons++] =
        c->heavy ? "heavy contact: lowest strain and fewest heavy contacts "
                   "today, outside any recovery window, under the heavy cap"
                 : "lowest strain among eligible agents, staying under the "
                   "overload line";
    return;
  }
  if (!relax) {
    /*
     * Nobody changes until the contact's next stage or the least strained
     * one kept out by the overload margin has come down to it:
     * s e^(-(t - t0)/tau) + load = overload at t = tau (key - ln(room)).
     * A hair early, so that rounding never makes it late.
     */
    double t = maat__wait_next(r, c), room;
    if (wait_key < INFINITY && (room = ln_room(r, c)) > -INFINITY &&
        set[MAAT__S_T_A] * (wait_key - room) < t)
      t = set[MAAT__S_T_A] * (wait_key - room);
    out->retry_at = t - 1e-9 * fmax(1, fabs(t));
    return;
  }
  if (capped < 0 && rec < 0) {
    /* All over the line: until one comes under it (or the next stage). */
    if (under_at < INFINITY)
      out->retry_at = under_at - 1e-9 * fmax(1, fabs(under_at));
    return;
  }
  out->fallback = 1;
  if (capped >= 0) {
    int over = under_line_at(r, capped) > r->now;
    out->agent = capped;
    out->rule = over ? "overload line" : "heavy cap or overload margin";
    out->reasons[out->nreasons++] =
        !over ? "overload: nobody free within the rules; heavy cap or "
                "overload margin relaxed for the lowest-strain agent"
        : stage == MAAT__WAIT_RESCUE
            ? "overload: a light or critical contact about to miss its "
              "service target goes to the lowest-strain agent, over the "
              "overload line"
            : "overload: past the service target and the overload grace; "
              "the lowest-strain agent, over the overload line";
  } else {
    out->agent = rec;
    out->rule = "recovery window";
    out->reasons[out->nreasons++] =
        "overload: nobody free within the rules; recovery window cut short "
        "for the lowest-strain agent";
  }
}

/*
 * From when agent i could take contact c within the rules, for dispatch,
 * as choose() decides (a hair early against rounding): once someone over
 * the line may take it, anyone; from relax_after_s, someone under the
 * line, or once strain decays to it; before, someone available and not at
 * the heavy cap once strain plus the contact's load is under the line (at
 * t = tau (key - ln(room))).
 */
static double ready_at(const struct maat_router *r,
                       const struct maat__rcontact *c, int i)
{
  const double *set = r->team->set;
  const struct maat__ragent *a = &r->agents[i];
  int stage = maat__wait_stage(r, c);
  double t, room;

  double rest = -INFINITY;

  if (a->state != MAAT_AGENT_AVAILABLE && a->state != MAAT_AGENT_RECOVERY)
    return INFINITY;
  /* The hard limits first: a heavy cap until a light contact, the
   * minimum rest until it ends. */
  if (!maat__hard_ok(a, c->heavy, r->now, set)) {
    if (!maat__hard_ok(a, c->heavy, INFINITY, set))
      return INFINITY;
    rest = a->rest_until;
  }
  if (stage == MAAT__WAIT_ANYONE ||
      (stage == MAAT__WAIT_RESCUE && rescued(c)))
    return rest;
  if (stage >= MAAT__WAIT_RELAX) {
    t = under_line_at(r, i);
    if (!(t > r->now))
      return rest;
    if (t < rest)
      t = rest;
  } else {
    if (a->state == MAAT_AGENT_RECOVERY ||
        (c->heavy && a->streak >= maat__heavy_cap(set)) ||
        (room = ln_room(r, c)) == -INFINITY)
      return INFINITY;
    t = set[MAAT__S_T_A] * (r->order_key[i] - room);
  }
  return t - 1e-9 * fmax(1, fabs(t));
}

const struct maat__policy maat__policy_maat = {
  "maat", 1, 1, 1, light, choose, ready_at
};

/*
 * sim.c - the discrete-event simulator. It drives the router of router.c in
 * replay mode, so policies, strain, handling-time stretch, patience and the
 * summary are the very code 'maat route' runs; this file adds what a
 * planner varies: arrivals with a time-of-day and day-of-week profile, the
 * contact mix, shifts and breaks, the bot's bounce-backs, chronic load and
 * the risk that an agent leaves. docs/simulation.md describes the model.
 */
#include "sim-int.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Student's t, 97.5 % quantile, by degrees of freedom 1..30. */
static const double t975[31] = {
  0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
  2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
  2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
};

/* The mean of x[0..n) into *mean and its 95 % CI half-width into *ci. */
static void mean_ci(const double *x, int n, double *mean, double *ci)
{
  double m = 0, v = 0;

  for (int i = 0; i < n; i++)
    m += x[i];
  m /= n;
  for (int i = 0; i < n; i++)
    v += (x[i] - m) * (x[i] - m);
  *mean = m;
  *ci = n > 1 ? (n - 1 <= 30 ? t975[n - 1] : 1.96) * sqrt(v / (n - 1) / n)
              : 0;
}

/* An independent stream per replication: seed and index through SplitMix. */
static void stream(struct maat_rng *rng, unsigned long long seed, int rep)
{
  maat__rng_seed(rng, seed * 0x9e3779b97f4a7c15ULL + (uint64_t)rep * 0xbf58476d1ce4e5b9ULL + 1);
}

/*
 * Contact ids "c0", "c1", ... (a prefix and a count): the count kept as
 * text and counted up in place, without a printf per contact. Zeroed, it
 * starts at 0.
 */
struct id_counter {
  char digits[24];
  int len;
};

static void id_next(struct id_counter *n, char prefix, char *out)
{
  int k = n->len - 1;

  if (!n->len) {
    memcpy(n->digits, "0", sizeof "0");
    k = 0;
    n->len = 1;
  }
  out[0] = prefix;
  memcpy(out + 1, n->digits, (size_t)n->len + 1);
  while (k >= 0 && n->digits[k] == '9')
    n->digits[k--] = '0';
  if (k >= 0) {
    n->digits[k]++;
  } else {
    memmove(n->digits + 1, n->digits, (size_t)n->len + 1);
    n->digits[0] = '1';
    n->len++;
  }
}

/* ---- M/M/c ---- */

static int mmc_team(maat_team **out, int agents)
{
  struct maat_buf b = MAAT_BUF_INIT;
  int rc;

  rc = maat__buf_printf(&b, "{\"settings\":{\"strain_gain\":0,\"alpha\":0},"
                        "\"agents\":[");
  for (int i = 0; i < agents && !rc; i++)
    rc = maat__buf_printf(&b, "%s{\"id\":\"m%d\",\"languages\":[\"en\"],"
                          "\"skills\":[\"*\"],\"tiers\":[\"T1\",\"T2\","
                          "\"T3\"]}", i ? "," : "", i);
  if (!rc)
    rc = maat__buf_printf(&b, "]}");
  if (!rc)
    rc = maat_team_parse(out, b.data, b.len, "M/M/c team");
  maat__buf_release(&b);
  return rc;
}

int maat_simulate_mmc(const struct maat_mmc_options *o,
                      struct maat_mmc_result *out)
{
  maat_team *team = NULL;
  double *pw = NULL, *asa = NULL;
  struct maat_ziggurat zig;
  long per_rep;
  int rc;

  if (!(o->rate_per_hour > 0) || !isfinite(o->rate_per_hour) ||
      !(o->aht_s > 0) || !isfinite(o->aht_s))
    return maat__fail(MAAT_EINVAL, "rate and handling time must be > 0");
  if (o->agents < 1 || o->agents > 100000)
    return maat__fail(MAAT_EINVAL, "agents %d: expected 1 to 100000",
                      o->agents);
  if (o->rate_per_hour * o->aht_s / 3600 >= o->agents)
    return maat__fail(MAAT_EINVAL, "traffic %.3f erlangs needs more than %d "
                      "agents: the queue would grow without bound",
                      o->rate_per_hour * o->aht_s / 3600, o->agents);
  if (o->reps < 1 || o->reps > 10000)
    return maat__fail(MAAT_EINVAL, "replications %d: expected 1 to 10000",
                      o->reps);
  per_rep = o->contacts / o->reps;
  if (per_rep < 1)
    return maat__fail(MAAT_EINVAL, "%ld contacts over %d replications: "
                      "fewer than one each", o->contacts, o->reps);
  rc = mmc_team(&team, o->agents);
  if (rc)
    return rc;
  pw = maat__calloc((size_t)o->reps, sizeof *pw);
  asa = maat__calloc((size_t)o->reps, sizeof *asa);
  if (!pw || !asa) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
    goto out;
  }
  maat__ziggurat_init(&zig);
  for (int rep = 0; rep < o->reps && !rc; rep++) {
    struct maat_rng rng;
    maat_router *r = NULL;
    struct maat_event ev;
    struct maat_decision d;
    double t = 0, warm = 50 * o->aht_s, waited = 0, wait_sum = 0;
    double mean_gap = 3600 / o->rate_per_hour;
    long counted = 0;
    struct id_counter id = { "", 0 };

    stream(&rng, o->seed, rep);
    rc = maat_router_open(&r, team, "efficiency",
                          MAAT_ROUTER_REPLAY | MAAT__ROUTER_NO_INDEX);
    if (rc)
      break;
    memset(&ev, 0, sizeof ev);
    ev.type = MAAT_EV_AGENT;
    ev.state = MAAT_AGENT_AVAILABLE;
    for (int i = 0; i < o->agents && !rc; i++) {
      snprintf(ev.agent, sizeof ev.agent, "m%d", i);
      rc = maat_router_push(r, &ev);
    }
    memset(&ev, 0, sizeof ev);
    ev.type = MAAT_EV_CONTACT;
    ev.contact.tier = MAAT_T2;
    while (!rc && counted < per_rep) {
      t += maat__rng_expo(&rng, &zig) * mean_gap;
      ev.t = t;
      ev.contact.handle_s = maat__rng_expo(&rng, &zig) * o->aht_s;
      if (ev.contact.handle_s <= 0)
        ev.contact.handle_s = 1e-9;
      id_next(&id, 'm', ev.contact.id);
      rc = maat_router_push(r, &ev);
      while (!rc && maat_router_next(r, &d) == MAAT_OK) {
        if (d.type != MAAT_DEC_ASSIGN || d.t - d.wait_s < warm)
          continue;
        counted++;
        wait_sum += d.wait_s;
        waited += d.wait_s > 0;
      }
    }
    maat_router_close(r);
    if (!rc) {
      pw[rep] = waited / counted;
      asa[rep] = wait_sum / counted;
      out->contacts += counted;
    }
  }
  if (!rc) {
    out->reps = o->reps;
    mean_ci(pw, o->reps, &out->p_wait, &out->p_wait_ci);
    mean_ci(asa, o->reps, &out->asa_s, &out->asa_s_ci);
  }
out:
  maat__free(pw);
  maat__free(asa);
  maat_team_free(team);
  return rc;
}

/* ---- the full model ---- */

static const char *const stat_names[MAAT_SIM_NSTAT] = {
  "contacts", "service_level", "avg_wait_s", "p90_wait_s", "abandon_rate",
  "bot_share", "bounce_backs", "agent_hours", "cost", "mean_strain",
  "p95_strain", "overload_agent_hours", "overload_agent_days", "heavy_gini",
  "expected_leavers_per_year", "hard_limit_breaks", "understaffed_warnings",
};

const char *maat_sim_stat_name(int stat)
{
  return stat >= 0 && stat < MAAT_SIM_NSTAT ? stat_names[stat] : "?";
}

#define SAMPLE_S 600.0      /* strain is sampled every 10 minutes */
#define STRAIN_BIN 0.01
#define STRAIN_BINS 1000    /* up to strain 10; above lands in the last */
#define WAIT_BIN 30.0

struct aev {
  double t;
  int agent;
  int state;
};

struct bounce {
  double t;
  struct maat_contact c;
  int lang_bit, intent_bit;   /* the team's, as drawn */
};

struct run {
  const maat_scenario *sc;
  const maat_team *team;
  maat_router *r;
  struct maat_rng rng;
  const struct maat_ziggurat *zig;
  int nagents;
  struct aev *aev;
  size_t naev, capaev, iaev;
  struct bounce *bq;          /* a ring, in time order */
  size_t bq_head, nbq, capbq;
  struct id_counter next_id;  /* the next contact's */
  double hour_rate[24];       /* today's arrivals per second, by hour */
  /* The team's bits of the mix's intents and of "nl" and "en", looked up
   * once instead of at every contact. */
  int intent_bit[MAAT__SIM_MAX_INTENTS], nl_bit, en_bit;
  /* figures */
  long arrivals, to_bot, bounced;
  double *waits;
  size_t nwaits, capwaits;
  double strain_sum_h[24];
  long strain_n_h[24];
  long strain_hist[STRAIN_BINS];
  double strain_sum;
  long strain_n;
  double *over_prev;
  long nsamples;              /* chronic decays due */
  double chronic_decay;       /* the factor of one */
  uint64_t *maybe_on;         /* agents not known to be offline */
  /* By agent, together as the sample reads them: strain at her last
   * sample, 's' (at strain_t 't0', or -1), chronic load and how many of the
   * decays due it has had. */
  struct seen {
    double t0, s, chronic;
    long decayed;
  } *seen;
  double overload_days, leavers, agent_s;
  long wait_bins[MAAT_SIM_WAIT_BINS];
};

static int cmp_aev(const void *a, const void *b)
{
  const struct aev *x = a, *y = b;
  if (x->t != y->t)
    return x->t < y->t ? -1 : 1;
  return (x->agent > y->agent) - (x->agent < y->agent);
}

/*
 * Bounce-backs come back bot_handle_s after their arrival, and arrivals come
 * in time order: a FIFO ring is in time order too.
 */
static int bounce_push(struct run *u, const struct bounce *b)
{
  if (u->nbq == u->capbq) {
    size_t nc = u->capbq ? u->capbq * 2 : 256;
    struct bounce *p = maat__malloc(nc * sizeof *p);
    if (!p)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    for (size_t k = 0; k < u->nbq; k++)
      p[k] = u->bq[(u->bq_head + k) % u->capbq];
    maat__free(u->bq);
    u->bq = p;
    u->bq_head = 0;
    u->capbq = nc;
  }
  u->bq[(u->bq_head + u->nbq++) % u->capbq] = *b;
  return MAAT_OK;
}

static void bounce_pop(struct run *u, struct bounce *out)
{
  *out = u->bq[u->bq_head];
  u->bq_head = (u->bq_head + 1) % u->capbq;
  u->nbq--;
}

static int aev_add(struct run *u, double t, int agent, int state)
{
  if (u->naev == u->capaev) {
    size_t nc = u->capaev ? u->capaev * 2 : 1024;
    struct aev *p = maat__realloc(u->aev, nc * sizeof *p);
    if (!p)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    u->aev = p;
    u->capaev = nc;
  }
  u->aev[u->naev].t = t;
  u->aev[u->naev].agent = agent;
  u->aev[u->naev++].state = state;
  return MAAT_OK;
}

/*
 * Sorts today's agent events by (time, agent). They fall on whole minutes,
 * generated agent by agent, so a counting sort by minute (stable, like
 * qsort's merge sort here) gives the same order for a fraction of the cost;
 * qsort when a time is not on a minute (never, as made below).
 */
static int sort_day(struct run *u, double base)
{
  long lo = LONG_MAX, hi = LONG_MIN;
  size_t n = u->naev, *count;
  struct aev *out;

  for (size_t k = 0; k < n; k++) {
    double m = (u->aev[k].t - base) / 60;
    if (m != floor(m) || fabs(m) > 1e6) {
      lo = hi = 0;
      n = 0;
      break;
    }
    lo = (long)m < lo ? (long)m : lo;
    hi = (long)m > hi ? (long)m : hi;
  }
  if (!n || hi - lo > 100000 ||
      !(count = maat__calloc((size_t)(hi - lo) + 2, sizeof *count))) {
    qsort(u->aev, u->naev, sizeof *u->aev, cmp_aev);
    return MAAT_OK;
  }
  if (!(out = maat__malloc(n * sizeof *out))) {
    maat__free(count);
    qsort(u->aev, u->naev, sizeof *u->aev, cmp_aev);
    return MAAT_OK;
  }
  for (size_t k = 0; k < n; k++)
    count[(long)((u->aev[k].t - base) / 60) - lo + 1]++;
  for (long m = 1; m <= hi - lo + 1; m++)
    count[m] += count[m - 1];
  for (size_t k = 0; k < n; k++)
    out[count[(long)((u->aev[k].t - base) / 60) - lo]++] = u->aev[k];
  memcpy(u->aev, out, n * sizeof *out);
  maat__free(out);
  maat__free(count);
  return MAAT_OK;
}

/* Today's shifts, with three breaks each, and absences; as maat gen does. */
static int plan_day(struct run *u, int day)
{
  static const double at[3] = { 0.25, 0.5, 0.75 };
  static const double dur[3] = { 900, 1800, 900 };
  double base = day * 86400.0;
  int rc = MAAT_OK;

  u->naev = u->iaev = 0;
  for (int i = 0; i < u->nagents && !rc; i++) {
    const struct maat__agent_def *a = &u->team->agents[i];
    double start = base + a->shift_start * 60.0 +
                   60 * floor(maat__rng_uniform(&u->rng) * 5);
    double end = base + a->shift_end * 60.0 +
                 60 * floor(maat__rng_uniform(&u->rng) * 5);
    if (maat__rng_uniform(&u->rng) < u->sc->absent)
      continue;
    u->agent_s += end - start;
    rc = aev_add(u, start, i, MAAT_AGENT_AVAILABLE);
    for (int k = 0; k < 3 && !rc; k++) {
      double bs = start + floor(at[k] * (end - start) / 60 +
                                (maat__rng_uniform(&u->rng) - 0.5) * 20) * 60;
      rc = aev_add(u, bs, i, MAAT_AGENT_BREAK);
      if (!rc)
        rc = aev_add(u, bs + dur[k], i, MAAT_AGENT_AVAILABLE);
    }
    if (!rc)
      rc = aev_add(u, end, i, MAAT_AGENT_OFFLINE);
  }
  if (!rc)
    sort_day(u, base);
  return rc;
}

/*
 * The first arrival after 't', or 'limit' when there is none before it;
 * 'limit' ends the day of 't' (so t - day start is the time of day, exactly).
 */
static double next_arrival(struct run *u, double t, double limit)
{
  double day = limit - 86400;

  while (t < limit) {
    int h = (int)((t - day) / 3600);
    double hour_end = day + (h + 1) * 3600.0;
    double rate = u->hour_rate[h];
    if (rate > 0) {
      double next = t + maat__rng_expo(&u->rng, u->zig) / rate;
      if (next < hour_end)
        return next < limit ? next : limit;
    }
    t = hour_end; /* memoryless: start the next hour afresh */
  }
  return limit;
}

/* Draws contact c, and the team's bits of its language and intent. */
static void draw_contact(struct run *u, struct maat_contact *c, int *lang_bit,
                         int *intent_bit)
{
  const struct maat_scenario *sc = u->sc;
  const struct maat__sim_intent *in;
  static const double tier_factor[4] = { 1, 0.6, 1, 1.4 };
  double x = maat__rng_uniform(&u->rng), acc = 0, z1, z2;
  int k = 0, nl;

  /* Every field is set below (no memset: this runs for every contact). */
  c->customer[0] = 0;
  c->patience_s = 0;
  /*
   * The first intent whose cumulative share passes x (the last if rounding
   * leaves x past them all), counted without a branch: which one it is is
   * a coin toss to the CPU.
   */
  for (int j = 0; j < sc->nintents; j++) {
    acc += sc->intents[j].share;
    k += x >= acc;
  }
  in = &sc->intents[k < sc->nintents ? k : sc->nintents - 1];
  id_next(&u->next_id, 'c', c->id);
  memcpy(c->intent, in->name, sizeof c->intent);
  *intent_bit = u->intent_bit[in - sc->intents];
  nl = maat__rng_uniform(&u->rng) < sc->lang_nl;
  memcpy(c->lang, nl ? "nl" : "en", sizeof "nl");
  *lang_bit = nl ? u->nl_bit : u->en_bit;
  x = maat__rng_uniform(&u->rng);
  /* Counted, not branched (see above); the enums are consecutive. */
  c->tier = MAAT_T1 + (x >= in->tier[0]) + (x >= in->tier[0] + in->tier[1]);
  /* Hostile or not, then the tone and its intensity: two draws either way
   * (so no branch, which would be mispredicted a third of the time). */
  {
    int hostile = maat__rng_uniform(&u->rng) < in->hostile;
    double t = maat__rng_uniform(&u->rng), i = maat__rng_uniform(&u->rng);
    int hot = MAAT_TONE_FRUSTRATED + (t >= 0.6) + (t >= 0.9);
    int calm = MAAT_TONE_NEUTRAL + (t >= 0.75);
    c->tone = hostile ? hot : calm;
    c->intensity = hostile ? 0.3 + 0.7 * i : 0.3 * i;
    c->tier = c->tone == MAAT_TONE_DISTRESSED ? MAAT_T3 : c->tier;
  }
  x = maat__rng_uniform(&u->rng);
  c->urgency = MAAT_URGENCY_LOW + (x >= 0.2) + (x >= 0.85) + (x >= 0.97);
  c->priority = c->urgency;
  /* Two normals: the handling time's and the patience's. */
  z1 = maat__rng_normal(&u->rng, u->zig);
  z2 = maat__rng_normal(&u->rng, u->zig);
  c->handle_s = in->handle_s * tier_factor[c->tier] *
                exp(sc->handle_sigma * z1);
  if (c->handle_s < 30)
    c->handle_s = 30;
  if (sc->patience_s > 0)
    c->patience_s = sc->patience_s * exp(0.6 * z2);
}

static int add_wait(struct run *u, double w)
{
  int bin = (int)(w / WAIT_BIN);

  if (u->nwaits == u->capwaits) {
    size_t nc = u->capwaits ? u->capwaits * 2 : 4096;
    double *p = maat__realloc(u->waits, nc * sizeof *p);
    if (!p)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    u->waits = p;
    u->capwaits = nc;
  }
  u->waits[u->nwaits++] = w;
  u->wait_bins[bin < MAAT_SIM_WAIT_BINS ? bin : MAAT_SIM_WAIT_BINS - 1]++;
  return MAAT_OK;
}

/*
 * Pushes one event and takes in the decisions it caused; a contact's with
 * the team's bits of its language and intent.
 */
static int push(struct run *u, const struct maat_event *ev, int lang_bit,
                int intent_bit)
{
  const struct maat_decision *d;
  int rc = maat__router_push_known(u->r, ev, lang_bit, intent_bit), n;

  d = maat__router_pending(u->r, &n);
  for (int k = 0; !rc && k < n; k++) {
    if (d[k].type != MAAT_DEC_ASSIGN)
      continue;
    if (memcmp(d[k].to, "bot", 4) != 0) {
      rc = add_wait(u, d[k].wait_s);
      continue;
    }
    u->to_bot++;
    /* Only a just-pushed calm T1 contact goes to the bot: 'ev' is it. */
    if (ev->type == MAAT_EV_CONTACT &&
        maat__rng_uniform(&u->rng) < u->sc->bounce_back) {
      struct bounce b;
      b.t = ev->t + u->sc->bot_handle_s;
      b.c = ev->contact;
      b.c.id[0] = 'b';
      b.c.tier = MAAT_T2;
      /* Half of those the bot failed come back annoyed. */
      if (maat__rng_uniform(&u->rng) < 0.5) {
        b.c.tone = MAAT_TONE_FRUSTRATED;
        b.c.intensity = 0.3 + 0.7 * maat__rng_uniform(&u->rng);
      }
      b.c.handle_s = ev->contact.handle_s / 0.6;
      b.lang_bit = lang_bit;
      b.intent_bit = intent_bit;
      u->bounced++;
      rc = bounce_push(u, &b);
    }
  }
  maat__router_drop(u->r);
  return rc;
}

/*
 * Strain decays by the same factor between two samples while it is not
 * touched (same strain_t): one multiplication instead of an exp() per
 * agent, which would cost more than the contacts at 500 agents.
 */
/*
 * Chronic load decays by the same factor at every sample: an agent's value
 * has had the first 'decayed' of them; this applies the rest, one
 * multiplication each as if made on time (so off-shift agents wait).
 */
static void chronic_catch_up(struct run *u, struct seen *v)
{
  while (v->decayed < u->nsamples) {
    v->chronic *= u->chronic_decay;
    v->decayed++;
  }
}

static int sample(struct run *u, double t)
{
  const double step = exp(-SAMPLE_S / u->team->set[MAAT__S_T_A]);
  int h = (int)(fmod(t, 86400) / 3600);

  u->nsamples++;
  /* Only agents who may be on shift: an agent event put them there. */
  for (int w = 0; w < (u->nagents + 63) / 64; w++)
    for (uint64_t m = u->maybe_on[w]; m; m &= m - 1) {
      int i = w * 64 + __builtin_ctzll(m);
      const struct maat__ragent *a = &u->r->agents[i];
      struct seen *v = &u->seen[i];
      double s;
      int bin;
      chronic_catch_up(u, v);
      if (a->state == MAAT_AGENT_OFFLINE) {
        v->t0 = -1;
        u->maybe_on[w] &= ~((uint64_t)1 << (i & 63));
        continue;
      }
      if (a->state == MAAT_AGENT_BUSY) {
        s = a->strain;
        v->t0 = -1;
      } else if (a->strain_t == v->t0) {
        s = v->s * step;
      } else {
        s = maat__router_strain_now(u->r, i);
        v->t0 = a->strain_t;
      }
      v->s = s;
      /* Chronic load: one shift at strain a adds a. */
      v->chronic += s * SAMPLE_S / 28800;
      u->strain_sum += s;
      u->strain_n++;
      u->strain_sum_h[h] += s;
      u->strain_n_h[h]++;
      bin = (int)(s / STRAIN_BIN);
      u->strain_hist[bin < STRAIN_BINS ? bin : STRAIN_BINS - 1]++;
    }
  return MAAT_OK;
}

static int end_day(struct run *u)
{
  const struct maat_scenario *sc = u->sc;
  double daily = -log(1 - sc->leave_monthly) / (365.25 / 12);

  for (int i = 0; i < u->nagents; i++) {
    double over = maat__router_overload_s(u->r, i);
    chronic_catch_up(u, &u->seen[i]);
    if (over - u->over_prev[i] >= sc->overload_day_h * 3600 &&
        over > u->over_prev[i])
      u->overload_days++;
    u->over_prev[i] = over;
    /* Leaving hazard of one day, rising with chronic load. */
    u->leavers += daily * exp(sc->leave_gamma * u->seen[i].chronic);
  }
  return MAAT_OK;
}

static int run_days(struct run *u, const struct maat_sim_options *o, int rep,
                    double *stats)
{
  const struct maat_scenario *sc = u->sc;
  struct maat_route_summary sum;
  /* One event of each type, cleared once: each use sets what it carries. */
  struct maat_event tick, agent, contact;
  double hsum = 0, t_sample = SAMPLE_S, t_arr = 0;
  int rc = MAAT_OK;

  for (int h = 0; h < 24; h++)
    hsum += sc->hourly[h];
  memset(&tick, 0, sizeof tick);
  tick.type = MAAT_EV_TICK;
  memset(&agent, 0, sizeof agent);
  agent.type = MAAT_EV_AGENT;
  memset(&contact, 0, sizeof contact);
  contact.type = MAAT_EV_CONTACT;
  for (int day = 0; day < o->days && !rc; day++) {
    double base = day * 86400.0, end = base + 86400;
    double w = sc->weekly[day % 7];
    for (int h = 0; h < 24; h++)
      u->hour_rate[h] = hsum > 0 ? sc->per_day * w * sc->hourly[h] / hsum /
                                   3600 : 0;
    rc = plan_day(u, day);
    t_arr = next_arrival(u, base, end);
    while (!rc) {
      double ta = u->iaev < u->naev ? u->aev[u->iaev].t : INFINITY;
      double tb = u->nbq ? u->bq[u->bq_head].t : INFINITY;
      /* None is NaN: plain comparisons (fmin() is a call). */
      double t1 = ta < tb ? ta : tb, t2 = t_arr < t_sample ? t_arr : t_sample;
      double t = t1 < t2 ? t1 : t2;
      if (t >= end)
        break;
      if (t == t_sample) {
        tick.t = t;
        rc = push(u, &tick, MAAT__LOOK_UP, MAAT__LOOK_UP);
        if (!rc)
          rc = sample(u, t);
        t_sample += SAMPLE_S;
      } else if (t == ta) {
        const struct aev *a = &u->aev[u->iaev++];
        agent.t = t;
        agent.state = a->state;
        memcpy(agent.agent, u->team->agents[a->agent].id, sizeof agent.agent);
        if (a->state != MAAT_AGENT_OFFLINE)
          u->maybe_on[a->agent / 64] |= (uint64_t)1 << (a->agent % 64);
        rc = push(u, &agent, MAAT__LOOK_UP, MAAT__LOOK_UP);
      } else if (t == tb) {
        struct bounce b;
        bounce_pop(u, &b);
        contact.t = t;
        contact.contact = b.c;
        rc = push(u, &contact, b.lang_bit, b.intent_bit);
      } else {
        contact.t = t;
        int lang_bit, intent_bit;
        draw_contact(u, &contact.contact, &lang_bit, &intent_bit);
        u->arrivals++;
        rc = push(u, &contact, lang_bit, intent_bit);
        t_arr = next_arrival(u, t, end);
      }
    }
    if (rc)
      break;
    tick.t = end;
    rc = push(u, &tick, MAAT__LOOK_UP, MAAT__LOOK_UP);
    if (!rc)
      rc = end_day(u);
    if (o->progress)
      o->progress(o->progress_ctx,
                  (double)(rep * o->days + day + 1) / (o->reps * o->days));
  }
  if (rc)
    return rc;
  rc = maat_router_finish(u->r, o->days * 86400.0);
  if (rc)
    return rc;
  maat_router_summary(u->r, &sum);
  stats[MAAT_SIM_CONTACTS] = (double)u->arrivals;
  stats[MAAT_SIM_SERVICE_LEVEL] = sum.service_level;
  stats[MAAT_SIM_AVG_WAIT_S] = sum.avg_wait_s;
  stats[MAAT_SIM_P90_WAIT_S] = 0;
  if (u->nwaits)
    stats[MAAT_SIM_P90_WAIT_S] =
        maat__quantile(u->waits, u->nwaits, 0.9);
  stats[MAAT_SIM_ABANDON_RATE] =
      sum.contacts ? (double)sum.abandoned / sum.contacts : 0;
  stats[MAAT_SIM_BOT_SHARE] =
      u->arrivals ? (double)(u->to_bot - u->bounced) / u->arrivals : 0;
  stats[MAAT_SIM_BOUNCE_BACKS] = (double)u->bounced;
  stats[MAAT_SIM_AGENT_HOURS] = u->agent_s / 3600;
  stats[MAAT_SIM_COST] = u->agent_s / 3600 * sc->agent_hour_cost +
                         (double)u->to_bot * sc->bot_contact_cost;
  stats[MAAT_SIM_MEAN_STRAIN] = u->strain_n ? u->strain_sum / u->strain_n : 0;
  stats[MAAT_SIM_P95_STRAIN] = 0;
  if (u->strain_n) {
    long want = (long)ceil(0.95 * u->strain_n), acc = 0;
    for (int b = 0; b < STRAIN_BINS; b++) {
      acc += u->strain_hist[b];
      if (acc >= want) {
        stats[MAAT_SIM_P95_STRAIN] = (b + 1) * STRAIN_BIN;
        break;
      }
    }
  }
  stats[MAAT_SIM_OVERLOAD_AGENT_HOURS] = sum.overload_agent_hours;
  stats[MAAT_SIM_OVERLOAD_AGENT_DAYS] = u->overload_days;
  stats[MAAT_SIM_HEAVY_GINI] = sum.heavy_gini;
  stats[MAAT_SIM_LEAVERS_PER_YEAR] = u->leavers * 365.0 / o->days;
  stats[MAAT_SIM_HARD_BREAKS] = (double)sum.hard_breaks;
  stats[MAAT_SIM_UNDERSTAFFED_WARNINGS] = (double)sum.understaffed_warnings;
  return MAAT_OK;
}

static int load_team(const maat_scenario *sc, maat_team **team)
{
  char *json = NULL;
  size_t len = 0;
  int rc;

  if (sc->team_file)
    rc = maat_team_load(team, sc->team_file);
  else {
    rc = maat_gen_team(&json, &len, sc->agents, sc->team_seed);
    if (!rc)
      rc = maat_team_parse(team, json, len, sc->name);
    maat__free(json);
  }
  for (int k = 0; !rc && k < sc->nsettings; k++)
    rc = maat_team_set(*team, sc->setting[k], sc->setting_value[k]);
  return rc;
}

int maat_simulate(const maat_scenario *sc, const struct maat_sim_options *o,
                  struct maat_sim_result *out)
{
  const char *policy = o->policy ? o->policy : "maat";
  maat_team *team = NULL;
  double *per = NULL;
  double hour_sum[24] = { 0 };
  long hour_n[24] = { 0 }, wait_n = 0;
  long wait_bins[MAAT_SIM_WAIT_BINS] = { 0 };
  struct maat_ziggurat zig;
  int rc;

  if (o->days < 1 || o->days > 3660)
    return maat__fail(MAAT_EINVAL, "days %d: expected 1 to 3660", o->days);
  if (o->reps < 1 || o->reps > 1000)
    return maat__fail(MAAT_EINVAL, "replications %d: expected 1 to 1000",
                      o->reps);
  rc = load_team(sc, &team);
  if (rc)
    return rc;
  per = maat__calloc((size_t)o->reps * MAAT_SIM_NSTAT, sizeof *per);
  if (!per) {
    maat_team_free(team);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  memset(out, 0, sizeof *out);
  maat__ziggurat_init(&zig);
  for (int rep = 0; rep < o->reps && !rc; rep++) {
    struct run u;
    memset(&u, 0, sizeof u);
    u.sc = sc;
    u.zig = &zig;
    u.team = team;
    u.nagents = (int)maat_team_size(team);
    for (int k = 0; k < sc->nintents; k++)
      u.intent_bit[k] = maat__team_intent(team, sc->intents[k].name);
    u.nl_bit = maat__team_lang(team, "nl");
    u.en_bit = maat__team_lang(team, "en");
    stream(&u.rng, o->seed, rep);
    /* Ids are unique here ("c" or "b" and a counter): no index needed. */
    rc = maat_router_open(&u.r, team, policy,
                          MAAT_ROUTER_REPLAY | MAAT__ROUTER_NO_INDEX |
                          (sc->bot ? 0 : MAAT_ROUTER_NO_BOT));
    if (!rc) {
      u.over_prev = maat__calloc((size_t)u.nagents, sizeof *u.over_prev);
      u.seen = maat__calloc((size_t)u.nagents, sizeof *u.seen);
      u.chronic_decay = exp(-SAMPLE_S / (sc->chronic_tau_days * 86400));
      u.maybe_on = maat__calloc((size_t)u.nagents / 64 + 1,
                                sizeof *u.maybe_on);
      if (!u.over_prev || !u.seen || !u.maybe_on)
        rc = maat__fail(MAAT_ENOMEM, "out of memory");
      for (int i = 0; !rc && i < u.nagents; i++)
        u.seen[i].t0 = -1;
    }
    if (!rc)
      rc = run_days(&u, o, rep, per + (size_t)rep * MAAT_SIM_NSTAT);
    if (!rc) {
      for (int h = 0; h < 24; h++) {
        hour_sum[h] += u.strain_sum_h[h];
        hour_n[h] += u.strain_n_h[h];
      }
      for (int b = 0; b < MAAT_SIM_WAIT_BINS; b++) {
        wait_bins[b] += u.wait_bins[b];
        wait_n += u.wait_bins[b];
      }
    }
    maat_router_close(u.r);
    maat__free(u.aev);
    maat__free(u.bq);
    maat__free(u.waits);
    maat__free(u.over_prev);
    maat__free(u.seen);
    maat__free(u.maybe_on);
  }
  if (!rc) {
    double *x = maat__calloc((size_t)o->reps, sizeof *x);
    if (!x)
      rc = maat__fail(MAAT_ENOMEM, "out of memory");
    for (int s = 0; !rc && s < MAAT_SIM_NSTAT; s++) {
      for (int rep = 0; rep < o->reps; rep++)
        x[rep] = per[(size_t)rep * MAAT_SIM_NSTAT + s];
      mean_ci(x, o->reps, &out->mean[s], &out->ci[s]);
    }
    maat__free(x);
    out->reps = o->reps;
    for (int h = 0; h < 24; h++)
      out->strain_by_hour[h] = hour_n[h] ? hour_sum[h] / hour_n[h] : 0;
    for (int b = 0; b < MAAT_SIM_WAIT_BINS; b++)
      out->wait_share[b] = wait_n ? (double)wait_bins[b] / wait_n : 0;
  }
  maat__free(per);
  maat_team_free(team);
  return rc;
}

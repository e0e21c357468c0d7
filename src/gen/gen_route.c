/*
 * gen_route.c - generators of realistic teams and event streams for the
 * router: shifts with breaks, arrivals with a time-of-day profile, intents,
 * tones (about 20 % hostile before a bot), urgency, lognormal handling
 * times and patience. Deterministic for a seed.
 */
#include "route-int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const intents[] = { "billing", "technical", "account",
                                       "delivery", "complaint",
                                       "cancellation" };
#define NINTENTS 6

/*
 * The intents of the message generator (maat gen: what an intent model
 * trained on its history predicts) under the team's skills; each skill
 * also lists itself, the intent of 'maat gen --events' contacts.
 */
static const char *const skill_intents[NINTENTS] = {
  "\"billing\", \"invoice_question\", \"payment_failed\", \"refund_request\"",
  "\"technical\", \"technical_outage\", \"password_reset\"",
  "\"account\", \"card_lost\", \"card_not_arrived\", \"change_address\", "
  "\"mortgage_question\", \"fraud_report\"",
  "\"delivery\", \"delivery_late\"",
  "\"complaint\", \"complaint_service\"",
  "\"cancellation\", \"cancel_subscription\", \"contract_change\"",
};

int maat_gen_team(char **out, size_t *len, int n, unsigned long long seed)
{
  struct maat_buf b = MAAT_BUF_INIT, ag = MAAT_BUF_INIT;
  struct maat_rng rng;
  int rc = MAAT_OK, has[NINTENTS] = { 0 }, any = 0, first = 1;

  if (n < 1 || n > 100000)
    return maat__fail(MAAT_EINVAL, "team size %d is outside 1..100000", n);
  maat__rng_seed(&rng, seed);
  for (int i = 0; i < n && !rc; i++) {
    double u = maat__rng_uniform(&rng);
    const char *langs = u < 0.6 ? "\"nl\", \"en\"" : u < 0.85 ? "\"nl\""
                                                              : "\"en\"";
    char skills[128];
    const char *shift;
    int t3 = maat__rng_uniform(&rng) < 0.5;

    if (maat__rng_uniform(&rng) < 0.3) {
      snprintf(skills, sizeof skills, "\"*\"");
      any = 1;
    } else {
      int a = (int)maat__rng_below(&rng, NINTENTS);
      int c = (a + 1 + (int)maat__rng_below(&rng, NINTENTS - 1)) % NINTENTS;
      int d = (c + 1) % NINTENTS == a ? (c + 2) % NINTENTS
                                      : (c + 1) % NINTENTS;
      snprintf(skills, sizeof skills, "\"%s\", \"%s\", \"%s\"", intents[a],
               intents[c], intents[d]);
      has[a] = has[c] = has[d] = 1;
    }
    u = maat__rng_uniform(&rng);
    shift = u < 0.4 ? "08:00-16:00" : u < 0.7 ? "10:00-18:00" : "12:00-20:00";
    rc = maat__buf_printf(&ag, "    {\"id\": \"a%04d\", \"languages\": [%s], "
                          "\"skills\": [%s], \"tiers\": [%s], "
                          "\"shift\": \"%s\"}%s\n", i + 1, langs, skills,
                          t3 ? "\"T1\", \"T2\", \"T3\"" : "\"T1\", \"T2\"",
                          shift, i + 1 < n ? "," : "");
  }
  /* The map: the skills someone in the team has (all, with a "*"). */
  if (!rc)
    rc = maat__buf_printf(&b, "{\n  \"settings\": {\"service_target_s\": 60},"
                          "\n  \"skills\": {");
  for (int k = 0; k < NINTENTS && !rc; k++)
    if (has[k] || any) {
      rc = maat__buf_printf(&b, "%s\n    \"%s\": [%s]", first ? "" : ",",
                            intents[k], skill_intents[k]);
      first = 0;
    }
  if (!rc)
    rc = maat__buf_printf(&b, "\n  },\n  \"agents\": [\n");
  if (!rc && ag.len)
    rc = maat__buf_append(&b, ag.data, ag.len);
  if (!rc)
    rc = maat__buf_printf(&b, "  ]\n}\n");
  maat__buf_release(&ag);
  if (rc) {
    maat__buf_release(&b);
    return rc;
  }
  *out = b.data;
  *len = b.len;
  return MAAT_OK;
}

struct gev {
  double t;
  long seq;
  char line[300];
};

static int cmp_gev(const void *a, const void *b)
{
  const struct gev *x = a, *y = b;
  if (x->t != y->t)
    return x->t < y->t ? -1 : 1;
  return (x->seq > y->seq) - (x->seq < y->seq);
}

static double normal(struct maat_rng *rng)
{
  double u1 = maat__rng_uniform(rng), u2 = maat__rng_uniform(rng);
  return sqrt(-2 * log(1 - u1)) * cos(2 * M_PI * u2);
}

/* Arrivals per hour of the day, relative; follows the shifts' staffing. */
static const double profile[24] = {
  [8] = 0.45, [9] = 0.5, [10] = 0.8, [11] = 0.85, [12] = 1.05, [13] = 1.0,
  [14] = 1.05, [15] = 1.0, [16] = 0.65, [17] = 0.6, [18] = 0.35, [19] = 0.3,
};

int maat_gen_events(const maat_team *team, int days, unsigned long long seed,
                    int (*emit)(void *ctx, const char *line, size_t len),
                    void *ctx)
{
  struct maat_rng rng;
  struct gev *ev = NULL;
  size_t nev = 0, cap = 0;
  long seq = 0, contact = 0;
  double psum = 0;
  int rc = MAAT_OK;
  /* Contacts per agent per day: about 80 % occupancy for people. */
  double per_day = 60.0 * (double)team->n;

  if (days < 1 || days > 10000)
    return maat__fail(MAAT_EINVAL, "days %d is outside 1..10000", days);
  maat__rng_seed(&rng, seed);
  for (int h = 0; h < 24; h++)
    psum += profile[h];

  for (int day = 0; day < days && !rc; day++) {
    double base = day * 86400.0;
    nev = 0;
#define PUSH(T) do { \
      if (nev == cap) { \
        size_t nc = cap ? cap * 2 : 4096; \
        struct gev *p = maat__realloc(ev, nc * sizeof *ev); \
        if (!p) { rc = maat__fail(MAAT_ENOMEM, "out of memory"); goto out; } \
        ev = p; cap = nc; \
      } \
      ev[nev].t = (T); ev[nev].seq = seq++; \
    } while (0)
    /* Shifts and breaks. */
    for (size_t i = 0; i < team->n; i++) {
      const struct maat__agent_def *a = &team->agents[i];
      double start = base + a->shift_start * 60.0 +
                     60 * floor(maat__rng_uniform(&rng) * 5);
      double end = base + a->shift_end * 60.0 +
                   60 * floor(maat__rng_uniform(&rng) * 5);
      double len = end - start;
      static const double at[3] = { 0.25, 0.5, 0.75 };
      static const double dur[3] = { 900, 1800, 900 };
      if (maat__rng_uniform(&rng) < 0.04)
        continue; /* absent today */
      PUSH(start);
      snprintf(ev[nev++].line, sizeof ev[0].line, "{\"type\":\"agent\","
               "\"t\":%.3f,\"agent\":\"%s\",\"state\":\"available\"}", start,
               a->id);
      for (int k = 0; k < 3; k++) {
        double bs = start + floor(at[k] * len / 60 +
                                  (maat__rng_uniform(&rng) - 0.5) * 20) * 60;
        PUSH(bs);
        snprintf(ev[nev++].line, sizeof ev[0].line, "{\"type\":\"agent\","
                 "\"t\":%.3f,\"agent\":\"%s\",\"state\":\"break\"}", bs,
                 a->id);
        PUSH(bs + dur[k]);
        snprintf(ev[nev++].line, sizeof ev[0].line, "{\"type\":\"agent\","
                 "\"t\":%.3f,\"agent\":\"%s\",\"state\":\"available\"}",
                 bs + dur[k], a->id);
      }
      PUSH(end);
      snprintf(ev[nev++].line, sizeof ev[0].line, "{\"type\":\"agent\","
               "\"t\":%.3f,\"agent\":\"%s\",\"state\":\"offline\"}", end,
               a->id);
    }
    /* Arrivals: a Poisson process per hour with the profile's rate. */
    for (int h = 0; h < 24; h++) {
      double rate = per_day * profile[h] / psum / 3600;
      double t = base + h * 3600.0;
      if (rate <= 0)
        continue;
      for (;;) {
        double u, handle, med;
        int tier, tone, urg;
        const char *intent;
        t += -log(1 - maat__rng_uniform(&rng)) / rate;
        if (t >= base + (h + 1) * 3600.0)
          break;
        u = maat__rng_uniform(&rng);
        tone = u < 0.60 ? MAAT_TONE_NEUTRAL : u < 0.80 ? MAAT_TONE_POSITIVE
             : u < 0.92 ? MAAT_TONE_FRUSTRATED : u < 0.98 ? MAAT_TONE_ANGRY
                                                          : MAAT_TONE_DISTRESSED;
        u = maat__rng_uniform(&rng);
        tier = u < 0.55 ? MAAT_T1 : u < 0.88 ? MAAT_T2 : MAAT_T3;
        if (tone == MAAT_TONE_DISTRESSED)
          tier = MAAT_T3;
        u = maat__rng_uniform(&rng);
        urg = u < 0.2 ? MAAT_URGENCY_LOW : u < 0.85 ? MAAT_URGENCY_NORMAL
            : u < 0.97 ? MAAT_URGENCY_HIGH : MAAT_URGENCY_CRITICAL;
        u = maat__rng_uniform(&rng);
        intent = u < 0.1 ? "other"
                         : intents[maat__rng_below(&rng, NINTENTS)];
        med = tier == MAAT_T1 ? 240 : tier == MAAT_T2 ? 420 : 600;
        handle = med * exp(0.5 * normal(&rng));
        if (handle < 30)
          handle = 30;
        {
          /* One draw per statement: argument order is unspecified. */
          unsigned long long cust = maat__rng_below(&rng, 5000 * team->n);
          double inten = maat__rng_uniform(&rng);
          const char *lang = maat__rng_uniform(&rng) < 0.7 ? "nl" : "en";
          double patience = 300 * exp(0.6 * normal(&rng));
          inten = maat__tone_hostile(tone) ? 0.3 + 0.7 * inten : 0.3 * inten;
          PUSH(t);
          snprintf(ev[nev].line, sizeof ev[0].line,
                   "{\"type\":\"contact\",\"t\":%.3f,\"id\":\"c%07ld\","
                   "\"customer\":\"u%06llu\",\"tier\":\"T%d\","
                   "\"tone\":\"%s\",\"intensity\":%.2f,\"urgency\":\"%s\","
                   "\"intent\":\"%s\",\"lang\":\"%s\",\"handle_s\":%.1f,"
                   "\"patience_s\":%.1f}",
                   t, ++contact, cust, tier, maat__tone_names[tone], inten,
                   maat__urgency_names[urg], intent,
                   lang, handle, patience);
        }
        nev++;
      }
    }
    qsort(ev, nev, sizeof *ev, cmp_gev);
    for (size_t k = 0; k < nev && !rc; k++)
      rc = emit(ctx, ev[k].line, strlen(ev[k].line));
  }
#undef PUSH
out:
  maat__free(ev);
  return rc;
}

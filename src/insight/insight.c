/*
 * insight.c - the report for the organisation (maat/insight.h,
 * docs/insight.md): every fact in the period read once into a compact row,
 * re-contacts found by sorting on customer and time, then counts per
 * intent (and per intent and channel) with 95 % intervals, shifts between
 * bot and people where the evidence holds, savings with their
 * assumptions, the reinvestment ledger, and the team's pulse and check-ins
 * per closed week for groups of at least the minimum.
 */
#include "maat-int.h"
#include "engine-int.h"
#include "json-int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RECONTACT_S (7 * 86400.0)
#define Z95 1.959964

/* ---- facts ---- */

static void str_of(char *dst, size_t cap, json_t *o, const char *key)
{
  json_t *v = json_object_get(o, key);
  snprintf(dst, cap, "%s", json_is_string(v) ? json_string_value(v) : "");
}

static double num_of(json_t *o, const char *key, double def)
{
  json_t *v = json_object_get(o, key);
  return json_is_number(v) ? json_number_value(v) : def;
}

/* A fact kept as JSON (imported, docs/insight.md). */
static int fact_parse(const char *body, struct maat_fact *f)
{
  json_error_t err;
  json_t *o = json_loads(body, 0, &err);

  if (!o)
    return maat__json_fail(&err);
  memset(f, 0, sizeof *f);
  str_of(f->id, sizeof f->id, o, "id");
  str_of(f->customer, sizeof f->customer, o, "customer");
  str_of(f->intent, sizeof f->intent, o, "intent");
  str_of(f->channel, sizeof f->channel, o, "channel");
  str_of(f->lang, sizeof f->lang, o, "lang");
  str_of(f->source, sizeof f->source, o, "source");
  f->at = num_of(o, "at", 0);
  f->wait_s = num_of(o, "wait_s", -1);
  f->handle_s = num_of(o, "handle_s", -1);
  f->tier = (int)num_of(o, "tier", 0);
  f->by_bot = (int)num_of(o, "by_bot", 0);
  f->handed_back = (int)num_of(o, "handed_back", 0);
  f->transfers = (int)num_of(o, "transfers", 0);
  f->resolved = (int)num_of(o, "resolved", -1);
  f->csat = (int)num_of(o, "csat", 0);
  f->nps = (int)num_of(o, "nps", -1);
  json_decref(o);
  return MAAT_OK;
}

struct facts_walk {
  double from, to;
  double epoch_wall, epoch_t, speed;   /* router time to the clock */
  int (*fn)(void *, const struct maat_fact *);
  void *ctx;
};

static int in_period(const struct facts_walk *w, double at)
{
  return (w->from <= 0 || at >= w->from) && (w->to <= 0 || at < w->to);
}

/* A contact maat closed: its record as a fact. */
static int closed_row(void *ctx, const char *id, double closed,
                      const char *record)
{
  struct facts_walk *w = ctx;
  struct maat_contact_record r;
  struct maat_fact f;
  int rc;

  (void)id;
  if ((rc = maat__record_parse(record, strlen(record), &r)))
    return rc;
  memset(&f, 0, sizeof f);
  f.shadow = r.triage && strstr(r.triage, "\"bot_shadow\":true") != NULL;
  maat_contact_record_release(&r);
  snprintf(f.id, sizeof f.id, "%s", r.id);
  snprintf(f.customer, sizeof f.customer, "%s", r.customer);
  snprintf(f.intent, sizeof f.intent, "%s", r.intent);
  snprintf(f.channel, sizeof f.channel, "%s", r.channel);
  snprintf(f.lang, sizeof f.lang, "%s", r.lang);
  snprintf(f.source, sizeof f.source, "maat");
  f.at = w->epoch_wall + ((r.t_done > 0 ? r.t_done : closed) - w->epoch_t) /
                            w->speed;
  if (!in_period(w, f.at))
    return MAAT_OK;
  f.tier = r.tier;
  f.by_bot = !strcmp(r.to, "bot");
  f.handed_back = f.by_bot && !strcmp(r.outcome, "handed_back");
  f.transfers = r.moves;
  f.wait_s = r.t_assigned > 0 ? r.t_assigned - r.t_in : -1;
  f.handle_s = r.t_assigned > 0 && r.t_done > 0 ? r.t_done - r.t_assigned
                                                : -1;
  f.resolved = r.state == MAAT_CONTACT_ABANDONED ? 0
             : f.handed_back ? 0
             : !strcmp(r.outcome, "unresolved") ? 0 : 1;
  f.csat = r.csat;
  f.nps = r.nps;
  return w->fn(w->ctx, &f);
}

static int fact_row(void *ctx, int64_t id, const char *key, double t,
                    const char *body)
{
  struct facts_walk *w = ctx;
  struct maat_fact f;
  int rc;

  (void)id, (void)key;
  if (!in_period(w, t))
    return MAAT_OK;
  if ((rc = fact_parse(body, &f)))
    return rc;
  return w->fn(w->ctx, &f);
}

/* Router time as the clock: the server keeps where it started, and how
 * fast its clock ran (a demo's runs an hour a minute). */
static void epoch_of(maat_store *st, double *wall, double *t, double *speed)
{
  char *a = NULL, *b = NULL, *c = NULL;

  *wall = 0;
  *t = 0;
  *speed = 1;
  if (maat_store_meta_get(st, "serve_epoch_wall", &a) == MAAT_OK &&
      maat_store_meta_get(st, "serve_epoch_t", &b) == MAAT_OK) {
    *wall = strtod(a, NULL);
    *t = strtod(b, NULL);
  }
  if (maat_store_meta_get(st, "serve_epoch_speed", &c) == MAAT_OK &&
      strtod(c, NULL) > 0)
    *speed = strtod(c, NULL);
  maat_free(a);
  maat_free(b);
  maat_free(c);
}

int maat_insight_facts(maat_store *st, double from, double to,
                       int (*fn)(void *ctx, const struct maat_fact *f),
                       void *ctx)
{
  struct facts_walk w = { from, to, 0, 0, 1, fn, ctx };
  int rc;

  if (!st || !fn)
    return maat__fail(MAAT_EINVAL, "insight: no store");
  epoch_of(st, &w.epoch_wall, &w.epoch_t, &w.speed);
  if ((rc = maat_store_contacts_closed(st, closed_row, &w)))
    return rc;
  return maat_store_records(st, "fact", NULL, fact_row, &w);
}

/* ---- the rows, compact ---- */

struct row {
  uint64_t cust;             /* 0: no customer */
  double at, handle_s;
  uint32_t intent, channel;
  int8_t tier, by_bot, handed_back, resolved, csat, nps;
  int16_t transfers;
  uint8_t recontact;
  uint8_t shadow;            /* 1: in shadow; 2: and a person corrected it */
};

struct names {
  struct maat_map map;       /* name -> index + 1 */
  char **v;
  size_t n, cap;
};

static int intern(struct names *t, const char *name, uint32_t *out)
{
  void *got = maat__map_get(&t->map, name);
  char *copy;

  if (got) {
    *out = (uint32_t)((uintptr_t)got - 1);
    return MAAT_OK;
  }
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 16;
    char **v = maat__realloc(t->v, cap * sizeof *v);
    if (!v)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    t->v = v;
    t->cap = cap;
  }
  if (!(copy = maat__strdup(name)))
    return maat__fail(MAAT_ENOMEM, "out of memory");
  t->v[t->n] = copy;
  if (maat__map_put(&t->map, copy, (void *)(uintptr_t)(t->n + 1))) {
    maat__free(copy);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  *out = (uint32_t)t->n++;
  return MAAT_OK;
}

static void names_free(struct names *t)
{
  for (size_t i = 0; i < t->n; i++)
    maat__free(t->v[i]);
  maat__free(t->v);
  maat__map_release(&t->map);
}

struct rows {
  struct row *v;
  size_t n, cap;
  struct maat_map corrected;   /* contacts whose tier or intent a person
                                  corrected (keys owned by 'ckeys') */
  char **ckeys;
  size_t nckeys;
  struct names intents, channels;
  long sources_maat, sources_import;
};

static int take_fact(void *ctx, const struct maat_fact *f)
{
  struct rows *rs = ctx;
  struct row *r;
  int rc;

  if (rs->n == rs->cap) {
    size_t cap = rs->cap ? rs->cap * 2 : 1024;
    struct row *v = maat__realloc(rs->v, cap * sizeof *v);
    if (!v)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    rs->v = v;
    rs->cap = cap;
  }
  r = &rs->v[rs->n];
  memset(r, 0, sizeof *r);
  if ((rc = intern(&rs->intents, f->intent[0] ? f->intent : "(none)",
                   &r->intent)) ||
      (rc = intern(&rs->channels, f->channel[0] ? f->channel : "(none)",
                   &r->channel)))
    return rc;
  r->cust = f->customer[0] ? maat__hash64(f->customer, strlen(f->customer),
                                          7) | 1
                           : 0;
  r->at = f->at;
  r->handle_s = f->handle_s;
  r->tier = (int8_t)(f->tier >= 1 && f->tier <= 3 ? f->tier : 0);
  r->by_bot = (int8_t)!!f->by_bot;
  r->handed_back = (int8_t)!!f->handed_back;
  r->resolved = (int8_t)(f->resolved < 0 ? -1 : !!f->resolved);
  r->csat = (int8_t)(f->csat >= 1 && f->csat <= 5 ? f->csat : 0);
  r->nps = (int8_t)(f->nps >= 0 && f->nps <= 10 ? f->nps : -1);
  r->transfers = (int16_t)(f->transfers < 0 ? 0 : f->transfers > 1000
                                                  ? 1000 : f->transfers);
  r->shadow = (uint8_t)(f->shadow ? 1 + (maat__map_get(&rs->corrected,
                                                       f->id) != NULL) : 0);
  if (!strcmp(f->source, "maat"))
    rs->sources_maat++;
  else
    rs->sources_import++;
  rs->n++;
  return MAAT_OK;
}

/* A person disagreed with maat's decision on a contact: they corrected
 * its tier or its intent. */
static int take_correction(void *ctx, const struct maat_store_correction *c)
{
  struct rows *rs = ctx;
  char **v, *k;

  if (!c->contact || (strcmp(c->field, "tier") && strcmp(c->field,
                                                          "intent")) ||
      maat__map_get(&rs->corrected, c->contact))
    return MAAT_OK;
  if (!(v = maat__realloc(rs->ckeys, (rs->nckeys + 1) * sizeof *v)))
    return maat__fail(MAAT_ENOMEM, "out of memory");
  rs->ckeys = v;
  if (!(k = maat__strdup(c->contact)))
    return maat__fail(MAAT_ENOMEM, "out of memory");
  rs->ckeys[rs->nckeys++] = k;
  return maat__map_put(&rs->corrected, k, k);
}

static int by_customer(const void *a, const void *b)
{
  const struct row *x = a, *y = b;

  if (x->cust != y->cust)
    return x->cust < y->cust ? -1 : 1;
  return x->at < y->at ? -1 : x->at > y->at;
}

/* A contact whose customer came back within 7 days was not settled. */
static void mark_recontacts(struct rows *rs)
{
  if (rs->n > 1)
    qsort(rs->v, rs->n, sizeof *rs->v, by_customer);
  for (size_t i = 0; i + 1 < rs->n; i++) {
    const struct row *a = &rs->v[i], *b = &rs->v[i + 1];
    if (a->cust && a->cust == b->cust && b->at - a->at <= RECONTACT_S)
      rs->v[i].recontact = 1;
  }
}

/* ---- counting ---- */

struct mean {
  double sum, sq;
  long n;
};

struct npsc {
  long n, pro, det;
};

struct agg {
  long n, bot, person, abandoned;
  long shadow, shadow_agreed;
  long contained, failed, handed_back, bot_recontact, bot_low;
  long first, transferred, escalated;
  struct mean csat_bot, csat_person, csat_tier[4];
  struct mean csat_first, csat_transferred, csat_escalated;
  struct npsc nps_bot, nps_person, nps_first, nps_transferred,
      nps_escalated;
  struct mean handle;        /* a person's handling time, seconds */
};

static void add_mean(struct mean *m, double v)
{
  m->sum += v;
  m->sq += v * v;
  m->n++;
}

static void add_nps(struct npsc *c, int v)
{
  c->n++;
  c->pro += v >= 9;
  c->det += v <= 6;
}

static void count(struct agg *a, const struct row *r)
{
  int low = r->csat && r->csat <= 2;

  a->n++;
  if (r->shadow) {
    a->shadow++;
    a->shadow_agreed += r->shadow == 1;
  }
  if (r->by_bot) {
    a->bot++;
    a->handed_back += r->handed_back;
    a->bot_recontact += r->recontact;
    a->bot_low += low;
    /* Contained: the bot settled it; failed: handed back, the customer
     * came back within 7 days, or rated it 1 or 2. */
    if (r->handed_back || r->recontact || low || r->resolved == 0)
      a->failed++;
    else
      a->contained++;
    if (r->csat)
      add_mean(&a->csat_bot, r->csat);
    if (r->nps >= 0)
      add_nps(&a->nps_bot, r->nps);
    return;
  }
  if (r->resolved == 0 && r->handle_s < 0) {
    a->abandoned++;
    return;
  }
  a->person++;
  if (r->handle_s >= 0)
    add_mean(&a->handle, r->handle_s);
  if (r->csat) {
    add_mean(&a->csat_person, r->csat);
    add_mean(&a->csat_tier[r->tier], r->csat);
  }
  if (r->nps >= 0)
    add_nps(&a->nps_person, r->nps);
  /* The kind of intervention: escalated (tier 3), transferred, or
   * resolved the first time. */
  if (r->tier == 3) {
    a->escalated++;
    if (r->csat)
      add_mean(&a->csat_escalated, r->csat);
    if (r->nps >= 0)
      add_nps(&a->nps_escalated, r->nps);
  } else if (r->transfers > 0) {
    a->transferred++;
    if (r->csat)
      add_mean(&a->csat_transferred, r->csat);
    if (r->nps >= 0)
      add_nps(&a->nps_transferred, r->nps);
  } else if (r->resolved != 0 && !r->recontact) {
    a->first++;
    if (r->csat)
      add_mean(&a->csat_first, r->csat);
    if (r->nps >= 0)
      add_nps(&a->nps_first, r->nps);
  }
}

/* ---- figures with their intervals ---- */

struct ci {
  double v, lo, hi;
};

/* Wilson's interval for k of n. */
static struct ci wilson(long k, long n)
{
  struct ci c = { 0, 0, 0 };
  double p, z2, den, mid, half;

  if (n <= 0)
    return c;
  p = (double)k / (double)n;
  z2 = Z95 * Z95;
  den = 1 + z2 / (double)n;
  mid = (p + z2 / (2.0 * (double)n)) / den;
  half = Z95 * sqrt(p * (1 - p) / (double)n + z2 / (4.0 * (double)n * (double)n)) / den;
  c.v = p;
  c.lo = mid - half < 0 ? 0 : mid - half;
  c.hi = mid + half > 1 ? 1 : mid + half;
  return c;
}

static struct ci mean_ci(const struct mean *m)
{
  struct ci c = { 0, 0, 0 };
  double mu, var;

  if (m->n <= 0)
    return c;
  mu = m->sum / (double)m->n;
  var = m->n > 1 ? (m->sq - (double)m->n * mu * mu) / (double)(m->n - 1) : 0;
  if (var < 0)
    var = 0;
  c.v = mu;
  c.lo = mu - Z95 * sqrt(var / (double)m->n);
  c.hi = mu + Z95 * sqrt(var / (double)m->n);
  return c;
}

/* NPS (% promoters minus % detractors) with a normal interval. */
static struct ci nps_ci(const struct npsc *c)
{
  struct ci r = { 0, 0, 0 };
  double pp, pd, var;

  if (c->n <= 0)
    return r;
  pp = (double)c->pro / (double)c->n;
  pd = (double)c->det / (double)c->n;
  var = (pp + pd - (pp - pd) * (pp - pd)) / (double)c->n;
  r.v = 100 * (pp - pd);
  r.lo = 100 * (pp - pd - Z95 * sqrt(var));
  r.hi = 100 * (pp - pd + Z95 * sqrt(var));
  return r;
}

static double r4(double x)
{
  return round(x * 10000) / 10000;
}

static json_t *jci(struct ci c, long n)
{
  return json_pack("{s:f,s:f,s:f,s:I}", "value", r4(c.v), "lo", r4(c.lo),
                   "hi", r4(c.hi), "n", (json_int_t)n);
}

static json_t *jprop(long k, long n)
{
  return n > 0 ? jci(wilson(k, n), n) : json_null();
}

static json_t *jmean(const struct mean *m)
{
  return m->n > 0 ? jci(mean_ci(m), m->n) : json_null();
}

static json_t *jnps(const struct npsc *c)
{
  return c->n > 0 ? jci(nps_ci(c), c->n) : json_null();
}

static json_t *agg_json(const struct agg *a)
{
  json_t *o = json_object(), *tiers = json_object(), *kinds;

  json_object_set_new(o, "contacts", json_integer(a->n));
  json_object_set_new(o, "bot", json_integer(a->bot));
  json_object_set_new(o, "people", json_integer(a->person));
  json_object_set_new(o, "abandoned", json_integer(a->abandoned));
  json_object_set_new(o, "bot_share", jprop(a->bot, a->bot + a->person));
  json_object_set_new(o, "containment", jprop(a->contained, a->bot));
  json_object_set_new(o, "bot_failure", jprop(a->failed, a->bot));
  json_object_set_new(o, "bot_failure_kinds", json_pack(
      "{s:I,s:I,s:I}", "handed_back", (json_int_t)a->handed_back,
      "recontact_7d", (json_int_t)a->bot_recontact, "low_csat",
      (json_int_t)a->bot_low));
  json_object_set_new(o, "csat_bot", jmean(&a->csat_bot));
  json_object_set_new(o, "csat_people", jmean(&a->csat_person));
  for (int t = 1; t <= 3; t++) {
    char k[4];
    snprintf(k, sizeof k, "T%d", t);
    json_object_set_new(tiers, k, jmean(&a->csat_tier[t]));
  }
  json_object_set_new(o, "csat_people_by_tier", tiers);
  json_object_set_new(o, "nps_bot", jnps(&a->nps_bot));
  json_object_set_new(o, "nps_people", jnps(&a->nps_person));
  kinds = json_pack("{s:{s:I,s:o,s:o},s:{s:I,s:o,s:o},s:{s:I,s:o,s:o}}",
                    "first_time", "contacts", (json_int_t)a->first, "csat",
                    jmean(&a->csat_first), "nps", jnps(&a->nps_first),
                    "transferred", "contacts", (json_int_t)a->transferred,
                    "csat", jmean(&a->csat_transferred), "nps",
                    jnps(&a->nps_transferred),
                    "escalated", "contacts", (json_int_t)a->escalated,
                    "csat", jmean(&a->csat_escalated), "nps",
                    jnps(&a->nps_escalated));
  json_object_set_new(o, "people_by_intervention", kinds);
  json_object_set_new(o, "handle_s_people", jmean(&a->handle));
  if (a->shadow)
    json_object_set_new(o, "shadow", json_pack(
        "{s:I,s:o}", "contacts", (json_int_t)a->shadow, "agreed",
        jprop(a->shadow_agreed, a->shadow)));
  return o;
}

/*
 * A shift between bot and people, only from at least 'min' contacts of
 * the intent and 'min' / 2 the bot had (codes and figures; the report
 * words them): more to the bot when it contains most of them (the lower
 * end of the interval at 0.75 or more) and its CSAT is no worse than
 * people's beyond the intervals; more to people when it fails a third or
 * more (the lower end) or its CSAT is half a point or more below people's,
 * beyond the intervals.
 */
static json_t *shift_of(const char *intent, const struct agg *a, int min)
{
  struct ci cont = wilson(a->contained, a->bot),
            fail = wilson(a->failed, a->bot);
  struct ci cb = mean_ci(&a->csat_bot), cp = mean_ci(&a->csat_person);
  int csat_known = a->csat_bot.n >= 10 && a->csat_person.n >= 10;
  const char *to = NULL, *why = NULL;

  if (a->n < min || a->bot < min / 2)
    return NULL;
  if (fail.lo >= 0.33)
    to = "people", why = "bot_fails";
  else if (csat_known && cb.hi < cp.lo && cp.v - cb.v >= 0.5)
    to = "people", why = "bot_csat_lower";
  else if (cont.lo >= 0.75 && (!csat_known || cb.hi >= cp.lo) &&
           a->person > 0)
    to = "bot", why = "bot_contains";
  if (!to)
    return NULL;
  return json_pack("{s:s,s:s,s:s,s:I,s:o,s:o,s:o,s:o}", "intent", intent,
                   "shift_to", to, "because", why, "contacts",
                   (json_int_t)a->n, "containment", jprop(a->contained,
                                                           a->bot),
                   "bot_failure", jprop(a->failed, a->bot), "csat_bot",
                   jmean(&a->csat_bot), "csat_people",
                   jmean(&a->csat_person));
}

/* ---- the week: ISO, local time ---- */

void maat_insight_week(double t, char *out, size_t cap)
{
  time_t s = (time_t)t;
  struct tm tm;

  localtime_r(&s, &tm);
  if (!strftime(out, cap, "%G-W%V", &tm) && cap)
    out[0] = '\0';
}

/* The Unix time the week of 't' ends (Monday 00:00 after it, local). */
static double week_end(double t)
{
  time_t s = (time_t)t;
  struct tm tm;

  localtime_r(&s, &tm);
  tm.tm_mday += 7 - (tm.tm_wday + 6) % 7;
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return (double)mktime(&tm);
}

/* ---- the pulse and the check-ins, per closed week ---- */

struct wk {
  char week[16];
  double end;
  long n;                     /* answers (pulse) */
  long enps_n, pro, det;
  struct mean happiness, stress, engagement, learning, energy;
  struct maat_map people;     /* check-ins: distinct agents */
  char **names;
  size_t nnames;
};

struct weeks {
  struct wk *v;
  size_t n;
  double from, to, now;
  double epoch_wall, epoch_t, speed;
};

static struct wk *week_of(struct weeks *ws, double t)
{
  char w[16];
  struct wk *v;

  maat_insight_week(t, w, sizeof w);
  for (size_t i = 0; i < ws->n; i++)
    if (!strcmp(ws->v[i].week, w))
      return &ws->v[i];
  if (!(v = maat__realloc(ws->v, (ws->n + 1) * sizeof *v)))
    return NULL;
  ws->v = v;
  v = &ws->v[ws->n++];
  memset(v, 0, sizeof *v);
  snprintf(v->week, sizeof v->week, "%s", w);
  v->end = week_end(t);
  return v;
}

/*
 * Whole weeks only: a period that cut a week would let two reports (one
 * to Wednesday, one to Thursday) tell Thursday's answers apart.
 */
static int whole_week_in(const struct weeks *ws, double t)
{
  double end = week_end(t), start = end - 7 * 86400.0;

  return (ws->from <= 0 || start >= ws->from - 3600) &&
         (ws->to <= 0 || end <= ws->to + 3600);
}

static int pulse_row(void *ctx, int64_t id, const char *key, double t,
                     const char *body)
{
  struct weeks *ws = ctx;
  json_t *o;
  struct wk *w;

  (void)id, (void)key;
  if (!whole_week_in(ws, t + 3600))
    return MAAT_OK;
  if (!(o = json_loads(body, 0, NULL)))
    return MAAT_OK;
  if (!(w = week_of(ws, t))) {
    json_decref(o);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  w->n++;
  {
    int e = (int)num_of(o, "enps", -1);
    if (e >= 0) {
      w->enps_n++;
      w->pro += e >= 9;
      w->det += e <= 6;
    }
  }
  add_mean(&w->happiness, num_of(o, "happiness", 0));
  add_mean(&w->stress, num_of(o, "stress", 0));
  add_mean(&w->engagement, num_of(o, "engagement", 0));
  add_mean(&w->learning, num_of(o, "learning", 0));
  json_decref(o);
  return MAAT_OK;
}

static int energy_row(void *ctx, const char *agent, double t, int energy)
{
  struct weeks *ws = ctx;
  double at = ws->epoch_wall + (t - ws->epoch_t) / ws->speed;
  struct wk *w;

  if (!whole_week_in(ws, at))
    return MAAT_OK;
  if (!(w = week_of(ws, at)))
    return maat__fail(MAAT_ENOMEM, "out of memory");
  add_mean(&w->energy, energy);
  if (!maat__map_get(&w->people, agent)) {
    char **v = maat__realloc(w->names, (w->nnames + 1) * sizeof *v);
    char *copy = maat__strdup(agent);
    if (!v || !copy) {
      if (v)
        w->names = v;
      maat__free(copy);
      return maat__fail(MAAT_ENOMEM, "out of memory");
    }
    w->names = v;
    w->names[w->nnames++] = copy;
    if (maat__map_put(&w->people, copy, copy))
      return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  return MAAT_OK;
}

static int by_week(const void *a, const void *b)
{
  return strcmp(((const struct wk *)a)->week, ((const struct wk *)b)->week);
}

static double r1(double x)
{
  return round(x * 10) / 10;
}

/*
 * One figure per closed week and group: a week still open is not shown
 * (answers still coming in would let two readings tell one answer apart),
 * nor a group under the minimum. Nothing is summed over weeks.
 */
static json_t *weeks_json(struct weeks *ws, int min_group, int pulse)
{
  json_t *a = json_array();

  if (ws->n > 1)
    qsort(ws->v, ws->n, sizeof *ws->v, by_week);
  for (size_t i = 0; i < ws->n; i++) {
    struct wk *w = &ws->v[i];
    long group = pulse ? w->n : (long)w->nnames;
    json_t *o;
    if (pulse ? w->n == 0 : w->energy.n == 0)
      continue;
    o = json_pack("{s:s}", "week", w->week);
    if (w->end > ws->now) {
      json_object_set_new(o, "shown", json_false());
      json_object_set_new(o, "why", json_string("week_open"));
    } else if (group < min_group) {
      json_object_set_new(o, "shown", json_false());
      json_object_set_new(o, "why", json_string("too_few"));
    } else if (pulse) {
      json_object_set_new(o, "shown", json_true());
      json_object_set_new(o, "answers", json_integer(w->n));
      json_object_set_new(o, "enps", w->enps_n ? json_real(r1(100.0 * (
                             (double)w->pro - (double)w->det) /
                             (double)w->enps_n)) : json_null());
      json_object_set_new(o, "happiness", json_real(r1(w->happiness.sum /
                                                        (double)w->n)));
      json_object_set_new(o, "stress", json_real(r1(w->stress.sum /
                                                    (double)w->n)));
      json_object_set_new(o, "engagement", json_real(r1(
                                 w->engagement.sum / (double)w->n)));
      json_object_set_new(o, "learning", json_real(r1(w->learning.sum /
                                                      (double)w->n)));
    } else {
      json_object_set_new(o, "shown", json_true());
      json_object_set_new(o, "people", json_integer((json_int_t)w->nnames));
      json_object_set_new(o, "energy", json_real(r1(w->energy.sum /
                                                    (double)w->energy.n)));
    }
    json_array_append_new(a, o);
  }
  return a;
}

static void weeks_free(struct weeks *ws)
{
  for (size_t i = 0; i < ws->n; i++) {
    for (size_t k = 0; k < ws->v[i].nnames; k++)
      maat__free(ws->v[i].names[k]);
    maat__free(ws->v[i].names);
    maat__map_release(&ws->v[i].people);
  }
  maat__free(ws->v);
  ws->v = NULL;
  ws->n = 0;
}

/* ---- the ledger ---- */

struct ledger {
  double from, to;
  json_t *by_kind;           /* kind -> {hours, amount} */
  double hours, amount;
  long n;
};

static int ledger_row(void *ctx, int64_t id, const char *key, double t,
                      const char *body)
{
  struct ledger *l = ctx;
  json_t *o, *k;
  double h, a;

  (void)id;
  if ((l->from > 0 && t < l->from) || (l->to > 0 && t >= l->to))
    return MAAT_OK;
  if (!(o = json_loads(body, 0, NULL)))
    return MAAT_OK;
  h = num_of(o, "hours", 0);
  a = num_of(o, "amount", 0);
  json_decref(o);
  if (!(k = json_object_get(l->by_kind, key))) {
    k = json_pack("{s:f,s:f,s:i}", "hours", 0.0, "amount", 0.0, "entries",
                  0);
    json_object_set_new(l->by_kind, key, k);
  }
  json_object_set_new(k, "hours", json_real(num_of(k, "hours", 0) + h));
  json_object_set_new(k, "amount", json_real(num_of(k, "amount", 0) + a));
  json_object_set_new(k, "entries", json_integer(
                                        json_integer_value(json_object_get(
                                            k, "entries")) + 1));
  l->hours += h;
  l->amount += a;
  l->n++;
  return MAAT_OK;
}

/* ---- the report ---- */

static double r2(double x)
{
  return round(x * 100) / 100;
}

int maat_insight_report(maat_store *st, const struct maat_insight_opts *o,
                        char **out)
{
  struct rows rs;
  struct agg all, *by = NULL, *byc = NULL;
  struct weeks pulse, energy;
  struct ledger led;
  json_t *root = NULL, *intents, *shifts, *assum, *sav, *per_saving;
  const char *cur = o && o->currency && *o->currency ? o->currency : "EUR";
  int min = o && o->min_contacts > 0 ? o->min_contacts : 30;
  int mg = o && o->min_group > 5 ? o->min_group : 5;
  double now = o && o->now > 0 ? o->now : maat_wall_now();
  double saved_s = 0, assist_s = 0;
  char *s;
  int rc;

  if (!st || !o || !out)
    return maat__fail(MAAT_EINVAL, "insight: no store");
  memset(&rs, 0, sizeof rs);
  memset(&all, 0, sizeof all);
  memset(&pulse, 0, sizeof pulse);
  memset(&energy, 0, sizeof energy);
  memset(&led, 0, sizeof led);
  if ((rc = maat_store_corrections(st, -1, take_correction, &rs)) ||
      (rc = maat_insight_facts(st, o->from, o->to, take_fact, &rs)))
    goto done;
  mark_recontacts(&rs);
  by = maat__calloc(rs.intents.n + 1, sizeof *by);
  byc = maat__calloc((rs.intents.n + 1) * (rs.channels.n + 1), sizeof *byc);
  if (!by || !byc) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < rs.n; i++) {
    const struct row *r = &rs.v[i];
    count(&all, r);
    count(&by[r->intent], r);
    count(&byc[r->intent * rs.channels.n + r->channel], r);
  }
  root = json_object();
  {
    double first = 0;
    for (size_t i = 0; i < rs.n; i++)
      if (rs.v[i].at > 0 && (first == 0 || rs.v[i].at < first))
        first = rs.v[i].at;
    json_object_set_new(root, "period", json_pack(
        "{s:f,s:f,s:f}", "from", o->from, "to", o->to > 0 ? o->to : now,
        "first", first));
  }
  json_object_set_new(root, "min_contacts", json_integer(min));
  json_object_set_new(root, "min_group", json_integer(mg));
  json_object_set_new(root, "sources", json_pack(
      "{s:I,s:I}", "maat", (json_int_t)rs.sources_maat, "imported",
      (json_int_t)rs.sources_import));
  json_object_set_new(root, "all", agg_json(&all));
  intents = json_array();
  shifts = json_array();
  per_saving = json_array();
  for (size_t i = 0; i < rs.intents.n; i++) {
    json_t *e = agg_json(&by[i]), *ch = json_object(), *sh;
    double handle = by[i].handle.n >= 10 ? by[i].handle.sum /
                                               (double)by[i].handle.n
                  : all.handle.n ? all.handle.sum / (double)all.handle.n : 0;
    json_object_set_new(e, "intent", json_string(rs.intents.v[i]));
    for (size_t k = 0; k < rs.channels.n; k++) {
      const struct agg *c = &byc[i * rs.channels.n + k];
      if (c->n)
        json_object_set_new(ch, rs.channels.v[k], agg_json(c));
    }
    json_object_set_new(e, "by_channel", ch);
    json_array_append_new(intents, e);
    if ((sh = shift_of(rs.intents.v[i], &by[i], min)))
      json_array_append_new(shifts, sh);
    /* What the bot saved: each contact it settled, at what a person
     * takes for the intent (measured; the team's mean when the intent
     * has fewer than 10 measured). */
    if (by[i].contained && handle > 0) {
      saved_s += (double)by[i].contained * handle;
      json_array_append_new(per_saving, json_pack(
          "{s:s,s:I,s:f,s:f,s:b}", "intent", rs.intents.v[i], "contained",
          (json_int_t)by[i].contained, "handle_s", r2(handle), "hours",
          r2((double)by[i].contained * handle / 3600), "measured",
          by[i].handle.n >= 10));
    }
  }
  json_object_set_new(root, "intents", intents);
  {
    char *txt = NULL;
    json_t *ro = NULL;
    if (maat_store_meta_get(st, "rollout", &txt) == MAAT_OK)
      ro = json_loads(txt, 0, NULL);
    maat_free(txt);
    json_object_set_new(root, "rollout", json_is_object(ro)
                                             ? ro : (json_decref(ro),
                                                     json_object()));
  }
  json_object_set_new(root, "shifts", shifts);
  assist_s = o->assist_minutes > 0 ? o->assist_minutes * 60.0 *
                                         (double)all.person : 0;
  sav = json_object();
  json_object_set_new(sav, "bot_hours", json_real(r2(saved_s / 3600)));
  json_object_set_new(sav, "assist_hours", json_real(r2(assist_s / 3600)));
  json_object_set_new(sav, "hours", json_real(r2((saved_s + assist_s) /
                                                 3600)));
  json_object_set_new(sav, "currency", json_string(cur));
  json_object_set_new(sav, "hour_cost", json_real(o->hour_cost));
  json_object_set_new(sav, "money", json_real(r2((saved_s + assist_s) /
                                                 3600 * o->hour_cost)));
  json_object_set_new(sav, "per_intent", per_saving);
  assum = json_array();
  json_array_append_new(assum, json_string("bot_contained_at_people_time"));
  if (o->assist_minutes > 0)
    json_array_append_new(assum, json_pack("{s:s,s:f}", "code",
                                           "assist_minutes", "minutes",
                                           o->assist_minutes));
  if (o->hour_cost > 0)
    json_array_append_new(assum, json_pack("{s:s,s:f,s:s}", "code",
                                           "hour_cost", "amount",
                                           o->hour_cost, "currency", cur));
  json_object_set_new(sav, "assumptions", assum);
  json_object_set_new(root, "savings", sav);
  /* The reinvestment: the share committed, and what the ledger holds. */
  led.from = o->from;
  led.to = o->to;
  led.by_kind = json_object();
  if ((rc = maat_store_records(st, "reinvest", NULL, ledger_row, &led))) {
    json_decref(led.by_kind);
    goto done;
  }
  {
    double committed = o->reinvest_share * (saved_s + assist_s) / 3600 *
                       o->hour_cost;
    json_object_set_new(root, "reinvestment", json_pack(
        "{s:f,s:f,s:f,s:f,s:s,s:o,s:I}", "share", o->reinvest_share,
        "committed", r2(committed), "reinvested", r2(led.amount),
        "hours_back", r2(led.hours), "currency", cur, "by_kind",
        led.by_kind, "entries", (json_int_t)led.n));
  }
  /* The team's pulse and check-ins, per closed week and large group. */
  pulse.from = energy.from = o->from;
  pulse.to = energy.to = o->to;
  pulse.now = energy.now = now;
  epoch_of(st, &energy.epoch_wall, &energy.epoch_t, &energy.speed);
  if ((rc = maat_store_records(st, "pulse", NULL, pulse_row, &pulse)) ||
      (rc = maat_store_checkin_energies(st, energy_row, &energy)))
    goto done;
  json_object_set_new(root, "pulse", weeks_json(&pulse, mg, 1));
  json_object_set_new(root, "checkins", weeks_json(&energy, mg, 0));
  s = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(10));
  if (!s || !(*out = maat__strdup(s)))
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
  free(s);
done:
  json_decref(root);
  weeks_free(&pulse);
  weeks_free(&energy);
  maat__free(by);
  maat__free(byc);
  maat__free(rs.v);
  names_free(&rs.intents);
  names_free(&rs.channels);
  for (size_t i = 0; i < rs.nckeys; i++)
    maat__free(rs.ckeys[i]);
  maat__free(rs.ckeys);
  maat__map_release(&rs.corrected);
  return rc;
}

/*
 * engine_views.c - what the engine keeps beside the router for people to
 * read: a record of every open contact (closed ones go to the store and
 * leave memory once durable), the queue in arrival order, recent
 * decisions, warnings (an agent's own are private to that agent), the
 * team's strain over the day, and counters. Aggregates over agents are
 * shown only over the minimum group.
 */
#include "engine-int.h"
#include "json-int.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const contact_states[] = { "?", "queued", "with_bot",
                                              "assigned", "done",
                                              "abandoned" };

const char *maat_contact_state_name(int state)
{
  return state >= MAAT_CONTACT_QUEUED && state <= MAAT_CONTACT_ABANDONED
             ? contact_states[state] : "?";
}


static int state_parse(const char *name)
{
  for (int k = MAAT_CONTACT_QUEUED; k <= MAAT_CONTACT_ABANDONED; k++)
    if (!strcmp(name, contact_states[k]))
      return k;
  return 0;
}

/* ---- records ---- */

char *maat__record_json(const struct maat_contact_record *r, size_t *len)
{
  json_t *o = json_object();
  char *s;

  json_object_set_new(o, "id", json_string(r->id));
  json_object_set_new(o, "customer", json_string(r->customer));
  json_object_set_new(o, "to", json_string(r->to));
  json_object_set_new(o, "intent", json_string(r->intent));
  json_object_set_new(o, "state", json_string(maat_contact_state_name(
                                      r->state)));
  json_object_set_new(o, "tier", json_integer(r->tier));
  json_object_set_new(o, "priority", json_integer(r->priority));
  json_object_set_new(o, "tone", json_integer(r->tone));
  if (r->followups)
    json_object_set_new(o, "followups", json_integer(r->followups));
  json_object_set_new(o, "t_in", json_real(r->t_in));
  json_object_set_new(o, "t_assigned", json_real(r->t_assigned));
  json_object_set_new(o, "outcome", json_string(r->outcome));
  json_object_set_new(o, "reasons", json_string(r->reasons));
  if (r->lang[0])
    json_object_set_new(o, "lang", json_string(r->lang));
  if (r->channel[0])
    json_object_set_new(o, "channel", json_string(r->channel));
  if (r->moves)
    json_object_set_new(o, "moves", json_integer(r->moves));
  if (r->t_done > 0)
    json_object_set_new(o, "t_done", json_real(r->t_done));
  if (r->csat)
    json_object_set_new(o, "csat", json_integer(r->csat));
  if (r->nps >= 0)
    json_object_set_new(o, "nps", json_integer(r->nps));
  if (r->triage)
    json_object_set_new(o, "triage", json_loads(r->triage, 0, NULL));
  s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
  json_decref(o);
  if (s) {
    /* Handed out as the library's memory. */
    char *p = maat__strdup(s);
    free(s);
    s = p;
  }
  if (s && len)
    *len = strlen(s);
  return s;
}

static void copy_str(char *dst, size_t cap, json_t *v)
{
  snprintf(dst, cap, "%s", json_is_string(v) ? json_string_value(v) : "");
}

int maat__record_parse(const char *json, size_t len,
                       struct maat_contact_record *r)
{
  json_error_t err;
  json_t *o = json_loadb(json, len, 0, &err), *tr;

  if (!o && (json_error_code(&err) == json_error_out_of_memory ||
             !err.text[0]))
    return maat__json_fail(&err);
  if (!json_is_object(o)) {
    json_decref(o);
    return maat__fail(MAAT_ECORRUPT, "a stored contact record is not JSON");
  }
  memset(r, 0, sizeof *r);
  copy_str(r->id, sizeof r->id, json_object_get(o, "id"));
  copy_str(r->customer, sizeof r->customer, json_object_get(o, "customer"));
  copy_str(r->to, sizeof r->to, json_object_get(o, "to"));
  copy_str(r->intent, sizeof r->intent, json_object_get(o, "intent"));
  copy_str(r->outcome, sizeof r->outcome, json_object_get(o, "outcome"));
  copy_str(r->reasons, sizeof r->reasons, json_object_get(o, "reasons"));
  copy_str(r->lang, sizeof r->lang, json_object_get(o, "lang"));
  copy_str(r->channel, sizeof r->channel, json_object_get(o, "channel"));
  r->moves = (int)json_integer_value(json_object_get(o, "moves"));
  r->t_done = json_number_value(json_object_get(o, "t_done"));
  r->csat = (int)json_integer_value(json_object_get(o, "csat"));
  r->nps = json_is_integer(json_object_get(o, "nps"))
               ? (int)json_integer_value(json_object_get(o, "nps")) : -1;
  {
    json_t *st = json_object_get(o, "state");
    r->state = state_parse(json_is_string(st) ? json_string_value(st) : "");
  }
  r->tier = (int)json_integer_value(json_object_get(o, "tier"));
  r->priority = (int)json_integer_value(json_object_get(o, "priority"));
  r->tone = (int)json_integer_value(json_object_get(o, "tone"));
  r->followups = (int)json_integer_value(json_object_get(o, "followups"));
  r->t_in = json_number_value(json_object_get(o, "t_in"));
  r->t_assigned = json_number_value(json_object_get(o, "t_assigned"));
  tr = json_object_get(o, "triage");
  if (tr) {
    char *s = json_dumps(tr, JSON_COMPACT | JSON_REAL_PRECISION(15));
    r->triage = s ? maat__strdup(s) : NULL;
    free(s);
  }
  json_decref(o);
  return MAAT_OK;
}

void maat_contact_record_release(struct maat_contact_record *r)
{
  if (r) {
    maat__free(r->triage);
    r->triage = NULL;
  }
}

/* ---- contacts ---- */

static void queue_unlink(struct maat_engine *e, struct econtact *c)
{
  if (c->qprev)
    c->qprev->qnext = c->qnext;
  else
    e->qhead = c->qnext;
  if (c->qnext)
    c->qnext->qprev = c->qprev;
  else
    e->qtail = c->qprev;
  c->qprev = c->qnext = NULL;
}

void maat__engine_set_state(struct maat_engine *e, struct econtact *c,
                            int state)
{
  int was = c->r.state == MAAT_CONTACT_QUEUED;
  int is = state == MAAT_CONTACT_QUEUED;

  if (was != is) {
    long d = is ? 1 : -1;
    e->q_len += d;
    e->q_tier[c->r.tier & 3] += d;
    e->q_prio[c->r.priority & 3] += d;
    if (is) {
      /* In arrival order: a new one at the tail; one a lead put back,
       * after those that came before it (a short walk from the tail). */
      struct econtact *after = e->qtail;
      while (after && after->r.t_in > c->r.t_in)
        after = after->qprev;
      c->qprev = after;
      c->qnext = after ? after->qnext : e->qhead;
      if (c->qnext)
        c->qnext->qprev = c;
      else
        e->qtail = c;
      if (after)
        after->qnext = c;
      else
        e->qhead = c;
    } else {
      queue_unlink(e, c);
    }
  }
  c->r.state = state;
}

int maat__engine_add_contact(struct maat_engine *e,
                             const struct maat_event *ev, json_t *o)
{
  struct econtact *c = maat__calloc(1, sizeof *c);
  json_t *tr;
  int rc = MAAT_OK;

  if (!c)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  snprintf(c->r.id, sizeof c->r.id, "%s", ev->contact.id);
  snprintf(c->r.customer, sizeof c->r.customer, "%s", ev->contact.customer);
  snprintf(c->r.intent, sizeof c->r.intent, "%s", ev->contact.intent);
  c->r.tier = ev->contact.tier;
  c->r.priority = ev->contact.priority;
  c->r.tone = ev->contact.tone;
  snprintf(c->r.lang, sizeof c->r.lang, "%s", ev->contact.lang);
  snprintf(c->r.channel, sizeof c->r.channel, "%s", ev->contact.channel);
  c->r.nps = -1;
  c->r.t_in = ev->t;
  tr = json_object_get(o, "triage");
  if (tr) {
    char *s = json_dumps(tr, JSON_COMPACT | JSON_REAL_PRECISION(15));
    if (!s || !(c->r.triage = maat__strdup(s)))
      rc = maat__fail(MAAT_ENOMEM, "out of memory");
    free(s);
  }
  /*
   * Rebuilding: the triager remembers what this customer asked about, as
   * it did when the contact came in, so a repeat contact after a restart
   * is still recognised.
   */
  if (!rc && tr && e->rebuilding && e->tri && c->r.customer[0] &&
      json_is_string(json_object_get(tr, "intent")) &&
      !json_is_true(json_object_get(tr, "out_of_scope")))
    rc = maat_triager_remember(e->tri, c->r.customer, json_string_value(
                                   json_object_get(tr, "intent")), ev->t);
  if (!rc)
    rc = maat__map_put(&e->contacts, c->r.id, c);
  if (rc) {
    maat__free(c->r.triage);
    maat__free(c);
    return rc;
  }
  maat__engine_set_state(e, c, MAAT_CONTACT_QUEUED);
  e->v.ncontacts++;
  return MAAT_OK;
}

/*
 * The customer wrote again on an open contact: the record's tier,
 * priority and tone rise as the router's did (never fall), and a triage
 * that raised something replaces the one kept, since it says why.
 */
int maat__engine_followup(struct maat_engine *e, const struct maat_event *ev,
                          json_t *o)
{
  struct econtact *c = maat__map_get(&e->contacts, ev->contact_id);
  const struct maat_contact *in = &ev->contact;
  int queued, rose = 0;
  json_t *tr;

  if (!c)
    return MAAT_OK;
  queued = c->r.state == MAAT_CONTACT_QUEUED;
  if (queued) {
    e->q_tier[c->r.tier & 3]--;
    e->q_prio[c->r.priority & 3]--;
  }
  if (in->tier > c->r.tier) {
    c->r.tier = in->tier;
    rose = 1;
  }
  if (in->priority > c->r.priority) {
    c->r.priority = in->priority;
    rose = 1;
  }
  if ((in->tone == MAAT_TONE_FRUSTRATED || in->tone == MAAT_TONE_ANGRY ||
       in->tone == MAAT_TONE_DISTRESSED) && in->tone != c->r.tone) {
    c->r.tone = in->tone;
    rose = 1;
  }
  if (queued) {
    e->q_tier[c->r.tier & 3]++;
    e->q_prio[c->r.priority & 3]++;
  }
  c->r.followups++;
  tr = json_object_get(o, "triage");
  if (rose && tr) {
    char *s = json_dumps(tr, JSON_COMPACT | JSON_REAL_PRECISION(15));
    char *copy = s ? maat__strdup(s) : NULL;
    free(s);
    if (!copy)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    maat__free(c->r.triage);
    c->r.triage = copy;
  }
  return MAAT_OK;
}

/*
 * A contact ends: its record goes to the store in the batch being built,
 * and leaves memory once that batch is durable.
 */
int maat__engine_close_contact(struct maat_engine *e, struct econtact *c,
                               int state, const char *outcome)
{
  maat__engine_set_state(e, c, state);
  if (outcome) {
    snprintf(c->r.outcome, sizeof c->r.outcome, "%s", outcome);
    e->v.handbacks += !strcmp(outcome, "handed_back");
  }
  if (c->evict_after)
    return MAAT_OK;
  if (e->store && !e->rebuilding) {
    struct op *o = maat__engine_stage(e, OP_CONTACT);
    if (!o)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    o->t = e->v.t;
    o->a = maat__record_json(&c->r, &o->len);
    o->b = maat__strdup(c->r.id);
    if (!o->a || !o->b)
      return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  c->evict_after = e->cur.ticket;
  if (e->rebuilding && e->store) {
    /* Its record is in the store already: no need to keep it. */
    maat__map_del(&e->contacts, c->r.id);
    maat__free(c->r.triage);
    maat__free(c);
    return MAAT_OK;
  }
  c->cnext = e->closed;
  e->closed = c;
  return MAAT_OK;
}

void maat__engine_evict(struct maat_engine *e, int64_t durable)
{
  struct econtact **p = &e->closed;

  /* Without a store a closed contact has nowhere else to be read from. */
  if (!e->store)
    return;
  while (*p) {
    struct econtact *c = *p;
    if (c->evict_after <= durable) {
      *p = c->cnext;
      maat__map_del(&e->contacts, c->r.id);
      maat__free(c->r.triage);
      maat__free(c);
    } else {
      p = &c->cnext;
    }
  }
}

void maat__engine_free_records(struct maat_engine *e)
{
  for (size_t i = 0; i < e->contacts.cap; i++) {
    struct econtact *c = e->contacts.slots[i].value;
    if (e->contacts.slots[i].key && c) {
      maat__free(c->r.triage);
      maat__free(c);
    }
  }
  maat__map_release(&e->contacts);
}

/* ---- decisions and warnings ---- */

static void join_reasons(const struct maat_decision *d, char *out, size_t cap)
{
  out[0] = '\0';
  for (int i = 0; i < d->nreasons; i++) {
    size_t used = strlen(out);
    snprintf(out + used, cap - used, "%s%s", i ? "; " : "", d->reasons[i]);
  }
}

static void take_assign(struct maat_engine *e, const struct maat_decision *d)
{
  int bot = !strcmp(d->to, "bot");
  struct maat_recent_decision *r = &e->v.recent[e->v.nrecent++ % ENGINE_RING];
  struct econtact *c = maat__map_get(&e->contacts, d->contact);

  r->t = d->t;
  snprintf(r->contact, sizeof r->contact, "%s", d->contact);
  r->to_bot = bot;
  r->tier = d->tier;
  r->intent[0] = '\0';
  if (c)
    snprintf(r->intent, sizeof r->intent, "%s", c->r.intent);
  join_reasons(d, r->reasons, sizeof r->reasons);
  if (c) {
    maat__engine_set_state(e, c, bot ? MAAT_CONTACT_WITH_BOT
                                     : MAAT_CONTACT_ASSIGNED);
    snprintf(c->r.to, sizeof c->r.to, "%s", d->to);
    c->r.t_assigned = d->t;
    snprintf(c->r.reasons, sizeof c->r.reasons, "%s", r->reasons);
  }
  if (d->tier >= 1 && d->tier <= 3 && !d->again)
    e->v.decisions[d->tier][!bot]++;
  if (!bot && e->recent_contacts) {
    int i = maat__team_agent(e->team, d->to);
    if (i >= 0)
      snprintf(e->recent_contacts[(size_t)i * ENGINE_RECENT_CONTACTS +
                                  (size_t)(e->nrecent_contacts[i]++ %
                                           ENGINE_RECENT_CONTACTS)],
               MAAT_ID_MAX + 1, "%s", d->contact);
  }
  if (!bot && !d->again) {
    e->v.wait_sum += d->wait_s;
    e->v.waited++;
    e->v.within += d->wait_s <= e->team->set[MAAT__S_SERVICE_TARGET];
  }
}

void maat__engine_take_decision(struct maat_engine *e,
                                const struct maat_decision *d)
{
  struct maat_warning_view *w;

  switch (d->type) {
  case MAAT_DEC_ASSIGN:
    take_assign(e, d);
    break;
  case MAAT_DEC_REQUEUE: {
    /* A lead put it back: waiting again, with nobody. */
    struct econtact *c = maat__map_get(&e->contacts, d->contact);
    if (c) {
      maat__engine_set_state(e, c, MAAT_CONTACT_QUEUED);
      c->r.to[0] = '\0';
      snprintf(c->r.reasons, sizeof c->r.reasons, "%s",
               d->nreasons ? d->reasons[0] : "");
    }
    break;
  }
  case MAAT_DEC_ABANDON: {
    struct econtact *c = maat__map_get(&e->contacts, d->contact);
    if (c)
      maat__engine_close_contact(e, c, MAAT_CONTACT_ABANDONED, NULL);
    e->v.abandoned++;
    break;
  }
  case MAAT_DEC_WARNING:
    e->v.warnings++;
    if (d->scope == MAAT_SCOPE_AGENT) {
      int i = maat__team_agent(e->team, d->agent);
      if (i < 0)
        break;
      w = &e->agent_warns[(size_t)i * ENGINE_AGENT_RING +
                          (size_t)(e->nagent_warns[i]++ % ENGINE_AGENT_RING)];
    } else {
      w = &e->v.warns[e->v.nwarns++ % ENGINE_RING];
    }
    w->t = d->t;
    snprintf(w->kind, sizeof w->kind, "%s", d->kind ? d->kind : "");
    snprintf(w->message, sizeof w->message, "%s", d->message);
    break;
  }
}

static int cmp_taken(const void *a, const void *b)
{
  const struct maat_contact_record *x = a, *y = b;
  return (x->t_assigned > y->t_assigned) - (x->t_assigned < y->t_assigned);
}

int maat_engine_open_contacts(maat_engine *e, int state, size_t limit,
                              int (*fn)(void *ctx,
                                        const struct maat_contact_record *r),
                              void *ctx, long *total)
{
  struct maat_contact_record *all = NULL;
  size_t n = 0, cap = 0;
  int rc = MAAT_OK;

  *total = 0;
  pthread_mutex_lock(&e->mu);
  if (state == MAAT_CONTACT_QUEUED) {
    size_t k = 0;
    *total = e->q_len;
    for (struct econtact *c = e->qhead; c && k < limit && !rc;
         c = c->qnext, k++) {
      struct maat_contact_record r = c->r;
      r.triage = NULL;
      rc = fn(ctx, &r);
    }
    pthread_mutex_unlock(&e->mu);
    return rc;
  }
  /* Few: one per agent, and the bot's open ones. */
  for (size_t i = 0; i < e->contacts.cap && !rc; i++) {
    struct econtact *c = e->contacts.slots[i].key
                             ? e->contacts.slots[i].value : NULL;
    if (!c || c->r.state != state)
      continue;
    if (n == cap) {
      size_t nc = cap ? cap * 2 : 64;
      struct maat_contact_record *p = maat__realloc(all, nc * sizeof *p);
      if (!p) {
        rc = maat__fail(MAAT_ENOMEM, "out of memory");
        break;
      }
      all = p;
      cap = nc;
    }
    all[n] = c->r;
    all[n++].triage = NULL;
  }
  pthread_mutex_unlock(&e->mu);
  if (!rc) {
    if (n)  /* qsort() may not be given NULL, even for nothing */
      qsort(all, n, sizeof *all, cmp_taken);
    *total = (long)n;
    for (size_t k = 0; k < n && k < limit && !rc; k++)
      rc = fn(ctx, &all[k]);
  }
  maat__free(all);
  return rc;
}

static int group_shown(const struct maat_engine *e, long group);

/* Rounded to the step; a change of less than a step keeps the old value,
 * so that small moves (one person's) do not show. */
static double coarse(double raw, double old, int had_old)
{
  double r = round(raw / ENGINE_STEP) * ENGINE_STEP;

  if (had_old && fabs(raw - old) < ENGINE_STEP)
    return old;
  return r;
}

/* The period that ended: its group and their strain now. */
static void publish(struct maat_engine *e)
{
  size_t n = e->team->n;
  double *st = maat__calloc(n + 1, sizeof *st), sum = 0, line;
  long group = 0, over = 0;
  int had = e->v.pub_shown, h;

  if (!st) {
    e->v.pub_shown = 0;  /* nothing shown rather than a wrong figure */
    return;
  }
  line = e->team->set[MAAT__S_OVERLOAD];
  for (size_t i = 0; i < n; i++)
    if (e->in_period[i]) {
      st[group] = maat__router_strain(e->router, (int)i);
      sum += st[group];
      over += st[group] > line;
      group++;
    }
  e->v.pub_end = floor(e->v.t / ENGINE_PERIOD_S) * ENGINE_PERIOD_S;
  e->v.pub_group = group;
  e->v.pub_shown = group_shown(e, group);
  if (e->v.pub_shown) {
    e->v.pub_mean = coarse(sum / group, e->v.pub_mean, had);
    e->v.pub_p90 = coarse(maat__quantile(st, (size_t)group, 0.9),
                          e->v.pub_p90, had);
    e->v.pub_over = over;
    h = (int)(fmod(e->v.pub_end - 1, 86400) / 3600);
    if (h >= 0 && h < 24) {
      long day = (long)floor((e->v.pub_end - 1) / 86400);
      if (e->v.hour_day[h] != day) {
        e->v.hour_day[h] = day;
        e->v.hour_sum[h] = 0;
        e->v.hour_n[h] = 0;
      }
      e->v.hour_sum[h] += e->v.pub_mean;
      e->v.hour_n[h]++;
    }
  }
  maat__free(st);
}

int maat__engine_period(struct maat_engine *e, int agent_event)
{
  size_t n = e->team->n;
  int ended = 0;

  if (floor(e->v.t / ENGINE_PERIOD_S) >
      floor(e->v.period_start / ENGINE_PERIOD_S)) {
    if (e->v.period_start > 0 || e->v.events > 0) {
      publish(e);
      ended = 1;
    }
    e->v.period_start = floor(e->v.t / ENGINE_PERIOD_S) * ENGINE_PERIOD_S;
    memset(e->in_period, 0, n);
    agent_event = 1;
  }
  /* Only an agent event brings someone on shift. */
  if (agent_event)
    for (size_t i = 0; i < n; i++)
      if (maat__router_agent_state(e->router, (int)i) != MAAT_AGENT_OFFLINE)
        e->in_period[i] = 1;
  return ended;
}

/* ---- the views ---- */

/*
 * The privacy rule for every figure over agents: it is shown only over a
 * group of at least the minimum size, so that it never reveals one person.
 */
static int group_shown(const struct maat_engine *e, long group)
{
  return group >= e->min_group;
}

int maat_engine_contact(maat_engine *e, const char *id,
                        struct maat_contact_record *out)
{
  struct econtact *c;
  char *json = NULL;
  size_t len = 0;
  int rc = MAAT_OK;

  pthread_mutex_lock(&e->mu);
  c = maat__map_get(&e->contacts, id);
  if (c) {
    *out = c->r;
    out->triage = c->r.triage ? maat__strdup(c->r.triage) : NULL;
    if (c->r.triage && !out->triage)
      rc = maat__fail(MAAT_ENOMEM, "out of memory");
  }
  pthread_mutex_unlock(&e->mu);
  if (c)
    return rc;
  if (!e->store)
    return maat__fail(MAAT_ENOTFOUND, "no contact '%s'", id);
  rc = maat_store_contact_get(e->store, id, &json, &len);
  if (rc == MAAT_ENOTFOUND)
    return maat__fail(MAAT_ENOTFOUND, "no contact '%s'", id);
  if (!rc)
    rc = maat__record_parse(json, len, out);
  maat__free(json);
  return rc;
}

int maat_engine_queue(maat_engine *e, double now, size_t limit,
                      struct maat_queue_view *v,
                      int (*fn)(void *ctx, const struct maat_contact_record *c,
                                double wait_s),
                      void *ctx)
{
  size_t k = 0;
  int rc = MAAT_OK;

  pthread_mutex_lock(&e->mu);
  memset(v, 0, sizeof *v);
  v->t = now;
  v->length = e->q_len;
  memcpy(v->by_tier, e->q_tier, sizeof v->by_tier);
  memcpy(v->by_priority, e->q_prio, sizeof v->by_priority);
  v->oldest_wait_s = e->qhead ? now - e->qhead->r.t_in : 0;
  v->target_s = e->team->set[MAAT__S_SERVICE_TARGET];
  for (struct econtact *c = e->qhead; c && k < limit && fn && !rc;
       c = c->qnext, k++)
    rc = fn(ctx, &c->r, now - c->r.t_in);
  pthread_mutex_unlock(&e->mu);
  return rc;
}

/* Who is where now (states are not wellbeing data), and the strain
 * figures of the last period that ended (they are). */
static void team_strain(struct maat_engine *e, struct maat_team_view *v)
{
  for (size_t i = 0; i < e->team->n; i++) {
    int state = maat__router_agent_state(e->router, (int)i);
    v->agents[state >= 0 && state <= 4 ? state : 0]++;
    v->on_shift += state != MAAT_AGENT_OFFLINE;
  }
  v->overload_line = e->team->set[MAAT__S_OVERLOAD];
  v->period_s = ENGINE_PERIOD_S;
  v->period_end = e->v.pub_end;
  v->group = e->v.pub_group;
  if (!e->v.pub_shown)
    return;
  v->strain_shown = 1;
  v->strain_mean = e->v.pub_mean;
  v->strain_p90 = e->v.pub_p90;
  v->over_line = e->v.pub_over;
}

int maat_engine_team_view(maat_engine *e, struct maat_team_view *v)
{
  long today;

  memset(v, 0, sizeof *v);
  pthread_mutex_lock(&e->mu);
  team_strain(e, v);
  v->min_group = e->min_group;
  /* One day per chart: today's hours since local midnight (router time
   * is seconds since the local midnight of the first start); an hour's
   * slot from an older day is empty. */
  today = (long)floor(e->v.t / 86400);
  for (int h = 0; h < 24; h++) {
    long day = e->v.hour_day[h];
    v->hour_shown[h] = e->v.hour_n[h] > 0 && day == today;
    v->strain_by_hour[h] = v->hour_shown[h]
                               ? e->v.hour_sum[h] / e->v.hour_n[h] : 0;
  }
  for (int k = 1; k <= 3; k++) {
    v->bot_contacts += e->v.decisions[k][0];
    v->to_people += e->v.decisions[k][1];
  }
  v->handed_back = e->v.handbacks;
  v->bot_share = v->bot_contacts + v->to_people
                     ? (double)v->bot_contacts /
                           (v->bot_contacts + v->to_people) : 0;
  v->waited = e->v.waited > 0;
  v->service_level = e->v.waited ? (double)e->v.within / e->v.waited : 0;
  v->avg_wait_s = e->v.waited ? e->v.wait_sum / e->v.waited : 0;
  v->target_s = e->team->set[MAAT__S_SERVICE_TARGET];
  for (long k = e->v.nrecent - 1; k >= 0 && k >= e->v.nrecent - MAAT_VIEW_RECENT;
       k--)
    v->recent[v->nrecent++] = e->v.recent[k % ENGINE_RING];
  v->warnings = e->v.warnings;
  pthread_mutex_unlock(&e->mu);
  return MAAT_OK;
}

int maat_engine_warnings(maat_engine *e, struct maat_warning_view *w,
                         int cap, int *n, long *personal)
{
  pthread_mutex_lock(&e->mu);
  *n = 0;
  for (long k = e->v.nwarns - 1; k >= 0 && k >= e->v.nwarns - ENGINE_RING &&
                               *n < cap; k--)
    w[(*n)++] = e->v.warns[k % ENGINE_RING];
  *personal = 0;
  for (size_t i = 0; i < e->team->n; i++)
    *personal += e->nagent_warns[i];
  pthread_mutex_unlock(&e->mu);
  return MAAT_OK;
}

int maat_engine_agent_view(maat_engine *e, const char *agent,
                           struct maat_agent_view *v)
{
  int i = maat__team_agent(e->team, agent);
  const struct maat__ragent *a;

  if (i < 0)
    return maat__fail(MAAT_ENOTFOUND, "no agent '%s' in the team", agent);
  memset(v, 0, sizeof *v);
  pthread_mutex_lock(&e->mu);
  a = &e->router->agents[i];
  v->state = maat__router_agent_state(e->router, i);
  v->next_state = a->pending >= 0 && a->pending <= 4 ? a->pending : -1;
  v->strain = maat__router_strain(e->router, i);
  v->overload_line = e->team->set[MAAT__S_OVERLOAD];
  v->recovery_to = e->team->set[MAAT__S_RECOVERY_TO];
  v->in_recovery = a->state == MAAT_AGENT_RECOVERY;
  v->recovery_left_s = v->in_recovery && a->recovery_until > e->v.t
                           ? a->recovery_until - e->v.t : 0;
  v->heavy_in_a_row = a->streak;
  v->heavy_today = a->heavy_today;
  for (long k = e->nagent_warns[i] - 1;
       k >= 0 && k >= e->nagent_warns[i] - ENGINE_AGENT_RING; k--)
    v->warnings[v->nwarnings++] =
        e->agent_warns[(size_t)i * ENGINE_AGENT_RING +
                       (size_t)(k % ENGINE_AGENT_RING)];
  pthread_mutex_unlock(&e->mu);
  return MAAT_OK;
}

int maat_engine_agent_state(maat_engine *e, const char *agent, int *state)
{
  int i = maat__team_agent(e->team, agent);

  if (i < 0)
    return maat__fail(MAAT_ENOTFOUND, "no agent '%s' in the team", agent);
  pthread_mutex_lock(&e->mu);
  *state = maat__router_agent_state(e->router, i);
  pthread_mutex_unlock(&e->mu);
  return MAAT_OK;
}

int maat_engine_counters(maat_engine *e, double now,
                         struct maat_engine_counters *c)
{
  memset(c, 0, sizeof *c);
  pthread_mutex_lock(&e->mu);
  c->contacts = e->v.ncontacts;
  c->abandoned = e->v.abandoned;
  c->handbacks = e->v.handbacks;
  c->warnings = e->v.warnings;
  memcpy(c->decisions, e->v.decisions, sizeof c->decisions);
  memcpy(c->queued, e->q_tier, sizeof c->queued);
  c->oldest_wait_s = e->qhead ? now - e->qhead->r.t_in : 0;
  c->wait_sum = e->v.wait_sum;
  c->waited = e->v.waited;
  for (size_t i = 0; i < e->team->n; i++)
    c->on_shift += maat__router_agent_state(e->router, (int)i) !=
                   MAAT_AGENT_OFFLINE;
  c->strain_shown = e->v.pub_shown;
  c->strain_mean = e->v.pub_shown ? e->v.pub_mean : 0;
  pthread_mutex_unlock(&e->mu);
  return MAAT_OK;
}

int maat_engine_move_check(maat_engine *e, const char *contact,
                           const char *agent, char *broken, size_t cap)
{
  int rc;

  pthread_mutex_lock(&e->mu);
  rc = e->router ? maat_router_move_check(e->router, contact, agent, broken,
                                          cap)
                 : maat__fail(MAAT_ESTATE, "no router");
  pthread_mutex_unlock(&e->mu);
  return rc;
}

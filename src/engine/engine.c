/*
 * engine.c - the event-sourced loop: parse (and triage) an event, push it
 * to the router, stage the event and its decisions for the store, and
 * commit them in groups. One loop for every front end: 'maat route' reads
 * events from a stream, 'maat serve' from HTTP requests.
 *
 * Group commit: a caller that waits for its ticket becomes the leader when
 * no commit is in flight. It takes the whole staged batch, writes it in one
 * transaction while others go on staging into the next, then wakes every
 * waiter. So the number of fsyncs follows the commit time, not the number
 * of requests.
 */
#include "engine-int.h"
#include "json-int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- staging ---- */

static void op_free(struct op *o)
{
  maat__free(o->a);
  maat__free(o->b);
  maat__free(o->c);
  maat__free(o->d);
  maat__free(o->e);
  maat__free(o->f);
  maat__free(o->g);
}

static void batch_release(struct batch *b)
{
  for (size_t i = 0; i < b->n; i++)
    op_free(&b->ops[i]);
  maat__free(b->ops);
  b->ops = NULL;
  b->n = b->cap = 0;
}

struct op *maat__engine_stage(struct maat_engine *e, int kind)
{
  struct batch *b = &e->cur;

  if (b->n == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 64;
    struct op *p = maat__realloc(b->ops, cap * sizeof *p);
    if (!p)
      return NULL;
    b->ops = p;
    b->cap = cap;
  }
  memset(&b->ops[b->n], 0, sizeof b->ops[b->n]);
  b->ops[b->n].kind = kind;
  return &b->ops[b->n++];
}

/* Takes back the ops staged from 'mark' on (a refused event). */
static void unstage(struct maat_engine *e, size_t mark, size_t out_mark)
{
  while (e->cur.n > mark)
    op_free(&e->cur.ops[--e->cur.n]);
  e->staged_out.len = out_mark;
}

static char *dup_n(const char *s, size_t n, int *bad)
{
  char *p = maat__strndup(s ? s : "", n);
  if (!p)
    *bad = 1;
  return p;
}

static char *dup_opt(const char *s, int *bad)
{
  return s ? dup_n(s, strlen(s), bad) : NULL;
}

static int stage_line(struct maat_engine *e, int kind, double t,
                      const char *line, size_t len)
{
  struct op *o = maat__engine_stage(e, kind);
  int bad = 0;

  if (!o)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  o->t = t;
  o->a = dup_n(line, len, &bad);
  o->len = len;
  return bad ? maat__fail(MAAT_ENOMEM, "out of memory") : MAAT_OK;
}

static int stage_audit(struct maat_engine *e, const struct maat_apply_extra *x)
{
  struct op *o;
  int bad = 0;

  if (!x || !e->store)
    return MAAT_OK;
  if (x->meta_key) {
    if (!(o = maat__engine_stage(e, OP_META)))
      return maat__fail(MAAT_ENOMEM, "out of memory");
    o->a = dup_opt(x->meta_key, &bad);
    o->b = dup_opt(x->meta_value ? x->meta_value : "", &bad);
    if (bad)
      return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  if (!x->method)
    return MAAT_OK;
  if (!(o = maat__engine_stage(e, OP_AUDIT)))
    return maat__fail(MAAT_ENOMEM, "out of memory");
  o->t = maat_wall_now();
  o->token = x->who ? x->who->token : 0;
  o->b = x->who && x->who->role ? dup_opt(maat_role_name(x->who->role), &bad)
                                : NULL;
  o->c = dup_opt(x->method, &bad);
  o->d = dup_opt(x->path ? x->path : "", &bad);
  o->e = dup_opt(x->detail, &bad);
  o->status = x->status;
  return bad ? maat__fail(MAAT_ENOMEM, "out of memory") : MAAT_OK;
}

/*
 * A snapshot costs in proportion to the open work (every waiting and
 * served contact is copied, under the engine's lock); replaying costs in
 * proportion to the events since the last one. So one is taken only after
 * at least four events per open contact: in a flood of waiting contacts
 * snapshots get rarer rather than stalling every request behind a copy of
 * the whole queue.
 */
static int snapshot_due(const struct maat_engine *e)
{
  long open = (long)(e->router->ncs - e->router->nfree);
  return e->since_snapshot >= 4 * open;
}

/* Stages a snapshot of the state now, to go with the staged events. */
static int stage_snapshot(struct maat_engine *e)
{
  struct maat_buf b = MAAT_BUF_INIT;
  struct op *o;
  int rc = maat__engine_snapshot(e, &b);

  if (!rc && !(o = maat__engine_stage(e, OP_SNAPSHOT)))
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
  if (rc) {
    maat__buf_release(&b);
    return rc;
  }
  o->a = b.data;
  o->len = b.len;
  e->since_snapshot = 0;
  return MAAT_OK;
}

/*
 * A team warning to every alert target that wants its kind: an outbox row
 * each, in the same commit as the warning. A personal warning never goes
 * out: it is the agent's.
 */
static int stage_alerts(struct maat_engine *e, const struct maat_decision *d)
{
  unsigned bit = maat_alert_kind(d->kind);

  for (int k = 0; k < e->nalerts; k++) {
    const struct maat_alert_target *a = &e->alerts[k];
    struct op *o;
    char *body;
    if (!bit || (a->kinds && !(a->kinds & bit)))
      continue;
    if (!(body = maat_alert_body(a, d->kind, d->message, d->t)))
      return maat__fail(MAAT_ENOMEM, "out of memory");
    if (!(o = maat__engine_stage(e, OP_OUTBOX))) {
      maat__free(body);
      return maat__fail(MAAT_ENOMEM, "out of memory");
    }
    o->t = maat_wall_now();
    o->a = body;
    o->len = strlen(body);
    if (!(o->b = maat__strdup(a->url)) || !(o->c = maat__strdup("alert")) ||
        !(o->d = maat__strdup("POST")))
      return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  return MAAT_OK;
}

/*
 * A decision on a contact that came from a helpdesk, written back to it:
 * the assignment, a note with the reasons, the status; outbox rows in the
 * same commit, each with its idempotency key.
 */
static int stage_writeback(struct maat_engine *e, const struct maat_decision *d)
{
  const char *reply = e->reply && e->reply_for &&
                              !strcmp(e->reply_for, d->contact) &&
                              !strcmp(d->to, "bot")
                          ? e->reply : NULL;

  for (int k = 0; k < e->nhelpdesks; k++) {
    struct maat_helpdesk_call calls[MAAT_HELPDESK_CALLS];
    int n = 0, rc;
    if ((rc = maat_helpdesk_calls(&e->helpdesks[k], d, reply, calls, &n)))
      return rc;
    for (int i = 0; i < n; i++) {
      struct op *o = maat__engine_stage(e, OP_OUTBOX);
      if (!o) {
        maat_helpdesk_calls_free(calls + i, n - i);
        return maat__fail(MAAT_ENOMEM, "out of memory");
      }
      o->t = maat_wall_now();
      o->a = calls[i].body;
      o->len = strlen(calls[i].body);
      o->b = calls[i].url;
      o->d = calls[i].method;
      o->e = calls[i].key;
      o->f = calls[i].headers;
      memset(&calls[i], 0, sizeof calls[i]);
      if (!(o->c = maat__strdup(maat_helpdesk_kind_name(e->helpdesks[k].kind))))
        return maat__fail(MAAT_ENOMEM, "out of memory");
    }
  }
  return MAAT_OK;
}

/* ---- the loop ---- */

/* Moves the router's decisions into the views, the log and the output. */
static int drain(struct maat_engine *e, int *decided)
{
  struct maat_decision d;
  char small[2048];

  while (maat_router_next(e->router, &d) == MAAT_OK) {
    size_t n = maat_decision_format(&d, small, sizeof small);
    char *s = small;
    int rc = MAAT_OK;
    if (n >= sizeof small) {
      if (!(s = maat__malloc(n + 1)))
        return maat__fail(MAAT_ENOMEM, "out of memory");
      maat_decision_format(&d, s, n + 1);
    }
    if (e->flags & MAAT_ENGINE_RECORDS)
      maat__engine_take_decision(e, &d);
    if (!e->rebuilding) {
      if (e->store)
        rc = stage_line(e, OP_DECISION, d.t, s, n - 1);
      if (!rc && e->store && d.type == MAAT_DEC_WARNING &&
          d.scope == MAAT_SCOPE_TEAM)
        rc = stage_alerts(e, &d);
      if (!rc && e->store && d.type == MAAT_DEC_ASSIGN && e->nhelpdesks)
        rc = stage_writeback(e, &d);
      if (!rc && (e->flags & MAAT_ENGINE_OUTPUT))
        rc = maat__buf_append(&e->staged_out, s, n);
    }
    if (s != small)
      maat__free(s);
    if (rc)
      return rc;
    (*decided)++;
  }
  return MAAT_OK;
}

/* A contact that carries raw text and no verdict is triaged first. */
static int needs_triage(const char *line, size_t len, int *yes)
{
  json_error_t err;
  json_t *o = json_loadb(line, len, 0, &err);
  json_t *type = o ? json_object_get(o, "type") : NULL;

  if (!o)
    return maat__json_fail(&err);
  *yes = json_is_string(type) &&
         (!strcmp(json_string_value(type), "contact") ||
          !strcmp(json_string_value(type), "followup")) &&
         json_object_get(o, "text") && !json_object_get(o, "tier");
  json_decref(o);
  return MAAT_OK;
}

static int done_extra(struct maat_engine *e, const struct maat_event *ev,
                      json_t *obj, const struct maat_apply_extra *x);

/* 'o' (taken) as an owned line ('*out', free with maat_free()). */
static int redump(json_t *o, char **out, size_t *outlen)
{
  char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));

  json_decref(o);
  if (!s)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  *out = maat__strdup(s);
  free(s);
  if (!*out)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  *outlen = strlen(*out);
  return MAAT_OK;
}

/* Whether 'needle' occurs in the 'len' bytes at 'p'. */
static int has(const char *p, size_t len, const char *needle)
{
  size_t n = strlen(needle);

  for (size_t i = 0; i + n <= len; i++)
    if (p[i] == needle[0] && !memcmp(p + i, needle, n))
      return 1;
  return 0;
}

/*
 * A contact that brings its own verdict needs none of the customer's
 * words: they are dropped before anything is logged ('*out' owned, NULL
 * when the line is kept as it is).
 */
static int without_words(const char *line, size_t len, char **out,
                         size_t *outlen)
{
  json_error_t err;
  json_t *o;

  *out = NULL;
  if (!has(line, len, "\"text\"") && !has(line, len, "\"history\""))
    return MAAT_OK;
  if (!(o = json_loadb(line, len, 0, &err)))
    return maat__json_fail(&err);
  if (!json_is_object(o) || !json_is_string(json_object_get(o, "type")) ||
      strcmp(json_string_value(json_object_get(o, "type")), "contact") ||
      (!json_object_get(o, "text") && !json_object_get(o, "history"))) {
    json_decref(o);
    return MAAT_OK;
  }
  json_object_del(o, "text");
  json_object_del(o, "history");
  return redump(o, out, outlen);
}

/* The line with its "t" set to 't' (owned; free with maat_free()). */
static int with_time(const char *line, size_t len, double t, char **out,
                     size_t *outlen)
{
  json_error_t err;
  json_t *o = json_loadb(line, len, 0, &err);

  if (!o)
    return maat__json_fail(&err);
  if (!json_is_object(o)) {
    json_decref(o);
    return maat__fail(MAAT_EPARSE, "expected a JSON object");
  }
  json_object_set_new(o, "t", json_real(t));
  return redump(o, out, outlen);
}

/*
 * Applies a line: parse, push, record, stage. Called with 'mu' held. On
 * failure nothing changed: the router keeps its state on a refusal, and
 * what was staged for the line is taken back.
 */
/*
 * The bot's answer a contact's triage carries ("triage"."answer"), as the
 * helpdesk gets it: the text, then which article it came from, marked as
 * written by AI (in the helpdesks' language: the text comes in the
 * customer's).
 */
static int take_reply(struct maat_engine *e, const struct maat_event *ev,
                      json_t *obj)
{
  json_t *ans = json_object_get(json_object_get(obj, "triage"), "answer");
  json_t *src = json_array_get(json_object_get(ans, "sources"), 0);
  const char *text = json_string_value(json_object_get(ans, "text"));
  const char *title = json_string_value(json_object_get(src, "title"));
  const char *url = json_string_value(json_object_get(src, "url"));
  int nl = e->nhelpdesks && e->helpdesks[0].lang &&
           !strcmp(e->helpdesks[0].lang, "nl");
  struct maat_buf b = MAAT_BUF_INIT;

  if (!text || !*text)
    return MAAT_OK;
  if (maat__buf_printf(&b, "%s\n\n%s%s%s%s%s", text,
                       nl ? "[AI] Dit antwoord koos maat uit de kennisbank: "
                          : "[AI] maat chose this answer from the knowledge "
                            "base: ",
                       title && *title ? title : "",
                       url && *url ? " (" : "", url && *url ? url : "",
                       url && *url ? ")" : "")) {
    maat__buf_release(&b);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  e->reply = b.data;
  e->reply_for = ev->contact.id;
  return MAAT_OK;
}

static int apply_locked(struct maat_engine *e, const char *line, size_t len,
                        unsigned flags, const struct maat_apply_extra *x,
                        struct maat_applied *out)
{
  struct maat_event ev;
  json_t *obj = NULL;
  char *retimed = NULL;
  size_t mark = e->cur.n, out_mark = e->staged_out.len;
  int decided = 0, rc;

  if (e->broken)
    return maat__fail(e->broken, "%s", e->broken_msg);
  if ((e->flags & MAAT_ENGINE_FOLLOW) && !e->rebuilding)
    return maat__fail(MAAT_ESTATE, "this node follows the leader's log; "
                      "the leader applies events");
  memset(&ev, 0, sizeof ev);
  if ((rc = maat__event_parse_keep(&ev, line, len, &obj)))
    goto out;
  if ((flags & MAAT_APPLY_NOW) && ev.t < e->v.t) {
    /* Another thread applied a later now first: this happens now too. */
    json_decref(obj);
    obj = NULL;
    if ((rc = with_time(line, len, e->v.t, &retimed, &len)))
      goto out;
    line = retimed;
    if ((rc = maat__event_parse_keep(&ev, line, len, &obj)))
      goto out;
  }
  if (ev.type == MAAT_EV_CONTACT && (e->flags & MAAT_ENGINE_RECORDS) &&
      maat__map_get(&e->contacts, ev.contact.id)) {
    rc = maat__fail(MAAT_ESTATE, "field 'id': contact '%s' exists",
                    ev.contact.id);
    goto out;
  }
  if (e->store && !e->rebuilding && ev.type != MAAT_EV_TICK &&
      (rc = stage_line(e, OP_EVENT, ev.t, line, len)))
    goto out;
  if ((rc = maat_router_push(e->router, &ev))) {
    if (rc == MAAT_ENOMEM) {
      /* The router may have moved (time, decisions): past the log. */
      e->broken = rc;
      snprintf(e->broken_msg, sizeof e->broken_msg, "%s; restart to "
               "rebuild from what was durable", maat_errmsg());
    }
    goto out;
  }
  /* From here the router has moved: failures are out of memory only. */
  if (ev.t > e->v.t)
    e->v.t = ev.t;
  if ((e->flags & MAAT_ENGINE_RECORDS) && ev.type == MAAT_EV_CONTACT &&
      (rc = maat__engine_add_contact(e, &ev, obj)))
    goto out;
  if (ev.type == MAAT_EV_DONE && (rc = done_extra(e, &ev, obj, x)))
    goto out;
  if ((e->flags & MAAT_ENGINE_RECORDS) && ev.type == MAAT_EV_MOVE) {
    struct econtact *mc = maat__map_get(&e->contacts, ev.contact_id);
    if (mc)
      mc->r.moves++;
  }
  if ((e->flags & MAAT_ENGINE_RECORDS) && ev.type == MAAT_EV_FOLLOWUP &&
      (rc = maat__engine_followup(e, &ev, obj)))
    goto out;
  if (ev.type == MAAT_EV_CONTACT && e->nhelpdesks && !e->rebuilding &&
      (rc = take_reply(e, &ev, obj)))
    goto out;
  rc = drain(e, &decided);
  maat__free(e->reply);
  e->reply = NULL;
  e->reply_for = NULL;
  if (rc)
    goto out;
  /* A tick that ends a period publishes figures: logged, so that a
   * rebuild publishes the same. */
  if ((e->flags & MAAT_ENGINE_RECORDS) &&
      maat__engine_period(e, ev.type == MAAT_EV_AGENT))
    decided = 1;
  if (ev.type == MAAT_EV_TICK && e->store && !e->rebuilding &&
      (decided || !(flags & MAAT_APPLY_TICK_IF_DECIDED))) {
    /* The tick goes before the decisions it led to. */
    struct op tick;
    if ((rc = stage_line(e, OP_EVENT, ev.t, line, len)))
      goto out;
    tick = e->cur.ops[e->cur.n - 1];
    memmove(&e->cur.ops[mark + 1], &e->cur.ops[mark],
            (e->cur.n - 1 - mark) * sizeof tick);
    e->cur.ops[mark] = tick;
  }
  e->v.events += ev.type != MAAT_EV_TICK;
  if (!e->rebuilding && (rc = stage_audit(e, x)))
    goto out;
  if (e->store && !e->rebuilding && e->snapshot_every > 0 &&
      ++e->since_snapshot >= e->snapshot_every && snapshot_due(e) &&
      (rc = stage_snapshot(e)))
    goto out;
  if (out) {
    memset(out, 0, sizeof *out);
    out->type = ev.type;
    out->t = ev.t;
    out->decided = decided;
    out->ticket = e->cur.n > mark ? e->cur.ticket : 0;
    snprintf(out->id, sizeof out->id, "%s", ev.type == MAAT_EV_CONTACT
             ? ev.contact.id : ev.type == MAAT_EV_DONE ||
                                   ev.type == MAAT_EV_MOVE ||
                                   ev.type == MAAT_EV_FOLLOWUP ? ev.contact_id
                                                               : "");
  }
out:
  if (rc)
    unstage(e, mark, out_mark);
  json_decref(obj);
  maat_free(retimed);
  return rc;
}

/* A done event: close the record; keep the check-in, private to its agent. */
static int done_extra(struct maat_engine *e, const struct maat_event *ev,
                      json_t *obj, const struct maat_apply_extra *x)
{
  struct econtact *c;
  char outcome[MAAT_ID_MAX + 1] = "";
  int was_assigned, rc;

  if (!(e->flags & MAAT_ENGINE_RECORDS))
    return MAAT_OK;
  c = maat__map_get(&e->contacts, ev->contact_id);
  if (!c)
    return MAAT_OK;
  {
    json_t *v = json_object_get(obj, "outcome");
    if (json_is_string(v))
      snprintf(outcome, sizeof outcome, "%s", json_string_value(v));
  }
  was_assigned = c->r.state == MAAT_CONTACT_ASSIGNED;
  c->r.t_done = ev->t;
  {
    json_t *cs = json_object_get(obj, "csat"), *np = json_object_get(obj,
                                                                     "nps");
    if (json_is_integer(cs) && json_integer_value(cs) >= 1 &&
        json_integer_value(cs) <= 5)
      c->r.csat = (int)json_integer_value(cs);
    if (json_is_integer(np) && json_integer_value(np) >= 0 &&
        json_integer_value(np) <= 10)
      c->r.nps = (int)json_integer_value(np);
  }
  if (ev->energy && was_assigned && e->store && !e->rebuilding) {
    struct op *o = maat__engine_stage(e, OP_CHECKIN);
    int bad = 0;
    if (!o)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    o->t = ev->t;
    o->energy = ev->energy;
    o->a = dup_opt(c->r.to, &bad);
    o->b = dup_opt(c->r.id, &bad);
    o->c = dup_opt(x ? x->note : NULL, &bad);
    o->d = c->r.intent[0] ? dup_opt(c->r.intent, &bad) : NULL;
    o->e = dup_opt(maat_tone_name(c->r.tone), &bad);
    if (bad)
      return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  rc = maat__engine_close_contact(e, c, was_assigned ? MAAT_CONTACT_DONE
                                                     : MAAT_CONTACT_ABANDONED,
                                  outcome[0] ? outcome : NULL);
  return rc;
}

int maat_engine_apply(maat_engine *e, const char *line, size_t len,
                      unsigned flags, const struct maat_apply_extra *x,
                      struct maat_applied *out)
{
  int rc;

  char *triaged = NULL;
  int triage = 0;

  if (!e || !line)
    return maat__fail(MAAT_EINVAL, "maat_engine_apply: invalid argument");
  if (flags & MAAT_APPLY_TRIAGE)
    triage = e->tri != NULL;
  else if (e->tri && !(flags & MAAT_APPLY_AS_IS) &&
           (rc = needs_triage(line, len, &triage)))
    return rc;
  /*
   * Triage is the costly part, and needs none of the engine's state: it
   * runs outside the engine's lock (under the triager's own), so other
   * requests route meanwhile.
   */
  if (triage) {
    double t = (flags & MAAT_APPLY_NOW) && x ? x->now : maat_engine_time(e);
    pthread_mutex_lock(&e->tri_mu);
    rc = maat_triage_event_line(e->tri, line, len, t, &triaged, &len);
    pthread_mutex_unlock(&e->tri_mu);
    if (rc)
      return rc;
    line = triaged;
  } else if ((rc = without_words(line, len, &triaged, &len))) {
    return rc;
  } else if (triaged) {
    line = triaged;
  }
  pthread_mutex_lock(&e->mu);
  rc = apply_locked(e, line, len, flags, x, out);
  pthread_mutex_unlock(&e->mu);
  maat_free(triaged);
  return rc;
}

int maat_engine_audit(maat_engine *e, const struct maat_apply_extra *x,
                      int64_t *ticket)
{
  size_t mark;
  int rc;

  if (e->flags & MAAT_ENGINE_FOLLOW)
    return maat__fail(MAAT_ESTATE, "this node follows the leader's log; "
                      "it writes no audit rows through the engine");
  pthread_mutex_lock(&e->mu);
  mark = e->cur.n;
  rc = stage_audit(e, x);
  if (rc)
    unstage(e, mark, e->staged_out.len);
  if (ticket)
    *ticket = !rc && e->cur.n > mark ? e->cur.ticket : 0;
  pthread_mutex_unlock(&e->mu);
  return rc;
}

int maat_engine_checkin(maat_engine *e, const char *agent, const char *id,
                        double t, int energy, const char *note,
                        const struct maat_apply_extra *x, int64_t *ticket)
{
  struct maat_contact_record r;
  size_t mark;
  int rc;

  if (!e || !agent || !id || energy < 1 || energy > 5)
    return maat__fail(MAAT_EINVAL, "a check-in is an energy of 1 to 5");
  if (e->flags & MAAT_ENGINE_FOLLOW)
    return maat__fail(MAAT_ESTATE, "this node follows the leader's log; "
                      "the leader keeps check-ins");
  /* The record: in memory while open, else from the store. */
  if ((rc = maat_engine_contact(e, id, &r)))
    return rc;
  maat_contact_record_release(&r);
  if (strcmp(r.to, agent) ||
      (r.state != MAAT_CONTACT_ASSIGNED && r.state != MAAT_CONTACT_DONE))
    return maat__fail(MAAT_ESTATE, "contact '%s' is not one agent '%s' "
                      "handled", id, agent);
  pthread_mutex_lock(&e->mu);
  mark = e->cur.n;
  rc = e->broken ? maat__fail(e->broken, "%s", e->broken_msg) : MAAT_OK;
  if (!rc && e->store) {
    struct op *o = maat__engine_stage(e, OP_CHECKIN);
    int bad = 0;
    if (!o) {
      rc = maat__fail(MAAT_ENOMEM, "out of memory");
    } else {
      o->t = t;
      o->energy = energy;
      o->a = dup_opt(agent, &bad);
      o->b = dup_opt(id, &bad);
      o->c = dup_opt(note, &bad);
      o->d = r.intent[0] ? dup_opt(r.intent, &bad) : NULL;
      o->e = dup_opt(maat_tone_name(r.tone), &bad);
      if (bad)
        rc = maat__fail(MAAT_ENOMEM, "out of memory");
    }
  }
  if (!rc)
    rc = stage_audit(e, x);
  if (rc)
    unstage(e, mark, e->staged_out.len);
  if (ticket)
    *ticket = !rc && e->cur.n > mark ? e->cur.ticket : 0;
  pthread_mutex_unlock(&e->mu);
  return rc;
}

int maat_engine_recent_contacts(maat_engine *e, const char *agent,
                                char ids[][MAAT_ID_MAX + 1], int cap)
{
  int i = maat__team_agent(e->team, agent), n = 0;

  if (i < 0 || !e->recent_contacts)
    return 0;
  pthread_mutex_lock(&e->mu);
  for (long k = e->nrecent_contacts[i] - 1;
       k >= 0 && k >= e->nrecent_contacts[i] - ENGINE_RECENT_CONTACTS &&
       n < cap; k--)
    memcpy(ids[n++], e->recent_contacts[(size_t)i * ENGINE_RECENT_CONTACTS +
                                        (size_t)(k % ENGINE_RECENT_CONTACTS)],
           MAAT_ID_MAX + 1);
  pthread_mutex_unlock(&e->mu);
  return n;
}

int maat_engine_bot_pause(maat_engine *e, const char *intent, int paused)
{
  int rc;

  if (!e->tri)
    return maat__fail(MAAT_ESTATE, "no triage: nothing goes to the bot");
  pthread_mutex_lock(&e->tri_mu);
  rc = maat_triager_pause(e->tri, intent, paused);
  pthread_mutex_unlock(&e->tri_mu);
  return rc;
}

int maat_engine_rollout(maat_engine *e, const char *intent, int stage,
                        double share)
{
  int rc;

  if (!e->tri)
    return maat__fail(MAAT_ESTATE, "no triage: nothing goes to the bot");
  pthread_mutex_lock(&e->tri_mu);
  rc = maat_triager_rollout(e->tri, intent, stage, share);
  pthread_mutex_unlock(&e->tri_mu);
  return rc;
}

int maat_engine_set_intent_model(maat_engine *e, const maat_model *m)
{
  int rc;

  if (!e || !m)
    return maat__fail(MAAT_EINVAL, "maat_engine_set_intent_model: invalid "
                      "argument");
  if (!e->tri)
    return maat__fail(MAAT_ESTATE, "no triage: no intent model to change");
  pthread_mutex_lock(&e->tri_mu);
  rc = maat_triager_set_intent(e->tri, m);
  pthread_mutex_unlock(&e->tri_mu);
  return rc;
}

int maat_engine_bot_paused(maat_engine *e,
                           int (*fn)(void *ctx, const char *intent),
                           void *ctx)
{
  int rc;

  if (!e->tri)
    return MAAT_OK;
  pthread_mutex_lock(&e->tri_mu);
  rc = maat_triager_paused(e->tri, fn, ctx);
  pthread_mutex_unlock(&e->tri_mu);
  return rc;
}

int maat_engine_bot_done(maat_engine *e, const char *id, double t,
                         const char *outcome, int csat, int nps,
                         const struct maat_apply_extra *x, int64_t *ticket)
{
  struct econtact *c;
  size_t mark;
  int rc = MAAT_OK;

  if (e->flags & MAAT_ENGINE_FOLLOW)
    return maat__fail(MAAT_ESTATE, "this node follows the leader's log; "
                      "the leader closes contacts");
  pthread_mutex_lock(&e->mu);
  mark = e->cur.n;
  c = maat__map_get(&e->contacts, id);
  if (e->broken)
    rc = maat__fail(e->broken, "%s", e->broken_msg);
  else if (!c)
    rc = maat__fail(MAAT_ENOTFOUND, "no contact '%s'", id);
  else if (c->r.state != MAAT_CONTACT_WITH_BOT)
    rc = maat__fail(MAAT_ESTATE, "contact '%s' is not with the bot", id);
  if (!rc && e->store) {
    struct op *o = maat__engine_stage(e, OP_OUTCOME);
    int bad = 0;
    if (!o)
      rc = maat__fail(MAAT_ENOMEM, "out of memory");
    else {
      o->t = t;
      o->a = dup_opt(id, &bad);
      o->b = dup_opt(outcome, &bad);
      if (bad)
        rc = maat__fail(MAAT_ENOMEM, "out of memory");
    }
  }
  if (!rc)
    rc = stage_audit(e, x);
  if (!rc) {
    c->r.t_done = t;
    c->r.csat = csat >= 1 && csat <= 5 ? csat : 0;
    c->r.nps = nps >= 0 && nps <= 10 ? nps : -1;
    rc = maat__engine_close_contact(e, c, MAAT_CONTACT_DONE, outcome);
  }
  if (rc)
    unstage(e, mark, e->staged_out.len);
  if (ticket)
    *ticket = !rc && e->cur.n > mark ? e->cur.ticket : 0;
  pthread_mutex_unlock(&e->mu);
  return rc;
}

int maat_engine_finish(maat_engine *e, double t_end)
{
  int decided = 0, rc;

  pthread_mutex_lock(&e->mu);
  rc = maat_router_finish(e->router, t_end);
  if (!rc)
    rc = drain(e, &decided);
  pthread_mutex_unlock(&e->mu);
  return rc;
}

/* ---- group commit ---- */

/* Writes a batch in one transaction. Called by the leader, without 'mu'. */
static int write_batch(struct maat_engine *e, struct batch *b, int64_t *last)
{
  int64_t seq = *last;
  int rc, outbox = 0;

  if ((rc = maat_store_begin(e->store)))
    return rc;
  for (size_t i = 0; i < b->n && !rc; i++) {
    struct op *o = &b->ops[i];
    switch (o->kind) {
    case OP_EVENT:
      rc = maat_store_event_append(e->store, o->t, o->a, o->len, &seq);
      break;
    case OP_DECISION:
      rc = maat_store_decision_append(e->store, seq, o->a, o->len);
      break;
    case OP_AUDIT: {
      struct maat_store_audit a = { o->t, o->token, o->b, o->c, o->d,
                                    o->status, o->e };
      rc = maat_store_audit_append(e->store, &a);
      break;
    }
    case OP_CHECKIN: {
      struct maat_store_checkin c = { o->a, o->b, o->t, o->energy, o->c,
                                      o->d, o->e };
      rc = maat_store_checkin_add(e->store, &c);
      break;
    }
    case OP_OUTCOME:
      rc = maat_store_bot_outcome_add(e->store, o->a, o->t, o->b);
      break;
    case OP_CONTACT:
      rc = maat_store_contact_put(e->store, o->b, o->t, o->a, o->len);
      break;
    case OP_SNAPSHOT:
      rc = maat_store_snapshot_put(e->store, seq, o->a, o->len);
      break;
    case OP_META:
      rc = maat_store_meta_set(e->store, o->a, o->b);
      break;
    case OP_OUTBOX: {
      struct maat_store_outbox x;
      int64_t id;
      memset(&x, 0, sizeof x);
      x.created = o->t;
      x.kind = o->c;
      x.method = o->d;
      x.key = o->e;
      x.url = o->b;
      x.body = o->a;
      x.headers = o->f;
      x.next_at = o->t;
      rc = maat_store_outbox_add(e->store, &x, &id);
      outbox++;
      break;
    }
    }
  }
  if (rc) {
    maat_store_rollback(e->store);
    return rc;
  }
  if ((rc = maat_store_commit(e->store)))
    return rc;
  if (outbox && e->on_outbox)
    e->on_outbox(e->on_outbox_ctx);
  *last = seq;
  return MAAT_OK;
}

int maat_engine_wait(maat_engine *e, int64_t ticket)
{
  int rc = MAAT_OK;

  if (ticket <= 0)
    return MAAT_OK;
  pthread_mutex_lock(&e->mu);
  while (e->durable < ticket && !e->broken) {
    struct batch b;
    int64_t last;
    if (e->committing) {
      pthread_cond_wait(&e->cv, &e->mu);
      continue;
    }
    /* Lead: take the batch; others stage into the next one meanwhile. */
    b = e->cur;
    memset(&e->cur, 0, sizeof e->cur);
    e->cur.ticket = b.ticket + 1;
    e->committing = 1;
    last = e->last_seq;
    pthread_mutex_unlock(&e->mu);
    rc = b.n && e->store ? write_batch(e, &b, &last) : MAAT_OK;
    pthread_mutex_lock(&e->mu);
    e->committing = 0;
    if (rc) {
      e->broken = rc;
      snprintf(e->broken_msg, sizeof e->broken_msg, "the event log could "
               "not be written (%s); restart to rebuild from what was "
               "durable", maat_errmsg());
    } else {
      e->last_seq = last;
      e->durable = b.ticket;
      maat__engine_evict(e, e->durable);
    }
    pthread_cond_broadcast(&e->cv);
    batch_release(&b);
  }
  if (e->durable < ticket)
    rc = maat__fail(e->broken, "%s", e->broken_msg);
  pthread_mutex_unlock(&e->mu);
  return rc;
}

int maat_engine_commit(maat_engine *e)
{
  int64_t ticket;
  int rc;

  /* The output lines of the batch are acknowledged with it. */
  pthread_mutex_lock(&e->mu);
  ticket = e->cur.n || !e->store ? e->cur.ticket : 0;
  pthread_mutex_unlock(&e->mu);
  rc = maat_engine_wait(e, ticket);
  if (rc)
    return rc;
  pthread_mutex_lock(&e->mu);
  if (e->staged_out.len) {
    rc = maat__buf_append(&e->out, e->staged_out.data, e->staged_out.len);
    e->staged_out.len = 0;
  }
  pthread_mutex_unlock(&e->mu);
  return rc;
}

int maat_engine_next_line(maat_engine *e, const char **line, size_t *len)
{
  char *p, *nl;

  pthread_mutex_lock(&e->mu);
  if (e->out_pos >= e->out.len) {
    e->out.len = e->out_pos = 0;
    pthread_mutex_unlock(&e->mu);
    return MAAT_EOF;
  }
  p = e->out.data + e->out_pos;
  nl = memchr(p, '\n', e->out.len - e->out_pos);
  *len = nl ? (size_t)(nl - p) + 1 : e->out.len - e->out_pos;
  e->line.len = 0;
  if (maat__buf_append(&e->line, p, *len)) {
    pthread_mutex_unlock(&e->mu);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  e->out_pos += *len;
  *line = e->line.data;
  pthread_mutex_unlock(&e->mu);
  return MAAT_OK;
}

/* ---- open and close ---- */

static int rebuild_one(void *ctx, int64_t seq, const char *line, size_t len)
{
  struct maat_engine *e = ctx;

  int rc;

  e->since_snapshot++;
  rc = apply_locked(e, line, len, 0, NULL, NULL);
  if (!rc && seq > e->last_seq)
    e->last_seq = seq;
  return rc;
}

int maat_engine_follow(maat_engine *e, long *n)
{
  long before;
  int rc;

  if (!e || !e->store || !(e->flags & MAAT_ENGINE_FOLLOW))
    return maat__fail(MAAT_EINVAL, "maat_engine_follow: not a follower");
  pthread_mutex_lock(&e->mu);
  before = e->v.events;
  e->rebuilding = 1;
  rc = maat_store_events(e->store, e->last_seq, rebuild_one, e);
  e->rebuilding = 0;
  maat__engine_evict(e, INT64_MAX);
  unstage(e, 0, 0);
  if (n)
    *n = e->v.events - before;
  pthread_mutex_unlock(&e->mu);
  return rc;
}

int64_t maat_engine_last_seq(maat_engine *e)
{
  int64_t s;

  pthread_mutex_lock(&e->mu);
  s = e->last_seq;
  pthread_mutex_unlock(&e->mu);
  return s;
}

/*
 * The newest snapshot, if this build can read it: the seq of the event it
 * follows in '*after' (0 with none). A snapshot of another build leaves
 * the engine as it was, and the whole log is replayed.
 */
static int load_snapshot(struct maat_engine *e,
                         const struct maat_engine_options *o, int64_t *after)
{
  void *data = NULL;
  size_t len = 0;
  int64_t seq = 0;
  int rc = maat_store_snapshot_latest(e->store, &seq, &data, &len);

  *after = 0;
  if (rc == MAAT_ENOTFOUND)
    return MAAT_OK;
  if (rc)
    return rc;
  rc = maat__engine_restore(e, data, len);
  maat__free(data);
  if (rc == MAAT_EFORMAT) {
    /* The router may be half written: a fresh one replays everything. */
    maat_router_close(e->router);
    e->router = NULL;
    return maat_router_open(&e->router, e->team, o->policy,
                            o->router_flags);
  }
  if (!rc)
    *after = seq;
  return rc;
}

static int rebuild_outcome(void *ctx, const char *contact,
                           const char *outcome)
{
  struct maat_engine *e = ctx;
  struct econtact *c = maat__map_get(&e->contacts, contact);

  if (c && c->r.state == MAAT_CONTACT_WITH_BOT)
    return maat__engine_close_contact(e, c, MAAT_CONTACT_DONE, outcome);
  return MAAT_OK;
}

/* The run's identity: the team file's bytes, the policy, the flags. */
static int run_identity(const struct maat_engine_options *o, char **out)
{
  struct maat_buf team = MAAT_BUF_INIT, id = MAAT_BUF_INIT;
  int rc = maat__read_file(o->team_path, (size_t)64 << 20, &team);

  if (rc)
    return rc;
  rc = maat__buf_printf(&id, "policy=%s replay=%d team=%016llx",
                        o->policy ? o->policy : "maat",
                        !!(o->router_flags & MAAT_ROUTER_REPLAY),
                        (unsigned long long)maat__hash64(team.data, team.len,
                                                         0));
  maat__buf_release(&team);
  if (rc) {
    maat__buf_release(&id);
    return rc;
  }
  *out = id.data;
  return MAAT_OK;
}

/*
 * Ties the store to the run. A server's log from before the engine was
 * tied as "serve policy=P team=H": the same run, so it is taken as is.
 */
static int bind_run(struct maat_engine *e)
{
  char *have = NULL, legacy[160];
  const char *team = strstr(e->run, " team="), *policy = e->run + 7;
  /* One writer of a log: a second would hand out the same ids. A
   * follower writes nothing: it only checks the run is its own. */
  int rc = e->flags & MAAT_ENGINE_FOLLOW ? MAAT_OK
                                          : maat_store_lock_writer(e->store);

  if (rc)
    return rc;
  rc = maat_store_meta_get(e->store, "config", &have);

  if (rc == MAAT_OK && team && !strstr(e->run, "replay=1")) {
    snprintf(legacy, sizeof legacy, "serve policy=%.*s%s",
             (int)(strchr(policy, ' ') - policy), policy, team);
    if (!strcmp(have, legacy)) {
      maat_free(have);
      return MAAT_OK;
    }
  }
  if (rc == MAAT_OK && (e->flags & MAAT_ENGINE_FOLLOW) &&
      strcmp(have, e->run)) {
    rc = maat__fail(MAAT_ESTATE, "store '%s' belongs to another run (%s), "
                    "not %s", maat_store_uri(e->store), have, e->run);
    maat_free(have);
    return rc;
  }
  maat_free(have);
  if (rc && rc != MAAT_ENOTFOUND)
    return rc;
  if (e->flags & MAAT_ENGINE_FOLLOW)
    return MAAT_OK;   /* the leader binds it */
  return maat_store_bind_run(e->store, e->run);
}

static int open_parts(struct maat_engine *e,
                      const struct maat_engine_options *o)
{
  int rc;

  if ((rc = maat_team_load(&e->team, o->team_path)) ||
      (rc = maat_router_open(&e->router, e->team, o->policy,
                             o->router_flags)) ||
      (rc = run_identity(o, &e->run)))
    return rc;
  if (e->flags & MAAT_ENGINE_RECORDS) {
    e->agent_warns = maat__calloc(e->team->n * ENGINE_AGENT_RING + 1,
                                  sizeof *e->agent_warns);
    e->nagent_warns = maat__calloc(e->team->n + 1, sizeof *e->nagent_warns);
    e->in_period = maat__calloc(e->team->n + 1, 1);
    e->recent_contacts = maat__calloc(e->team->n * ENGINE_RECENT_CONTACTS + 1,
                                      sizeof *e->recent_contacts);
    e->nrecent_contacts = maat__calloc(e->team->n + 1,
                                       sizeof *e->nrecent_contacts);
    if (!e->agent_warns || !e->nagent_warns || !e->in_period ||
        !e->recent_contacts || !e->nrecent_contacts)
      return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  return MAAT_OK;
}

int maat_engine_open(maat_engine **out, const struct maat_engine_options *o)
{
  struct maat_engine *e;
  int64_t count = 0;
  int rc;

  if (!out || !o || !o->team_path)
    return maat__fail(MAAT_EINVAL, "the engine needs a team file");
  if (!(e = maat__calloc(1, sizeof *e)))
    return maat__fail(MAAT_ENOMEM, "out of memory");
  pthread_mutex_init(&e->mu, NULL);
  pthread_mutex_init(&e->tri_mu, NULL);
  pthread_cond_init(&e->cv, NULL);
  e->store = o->store;
  e->tri = o->triager;
  e->flags = o->flags;
  /* Two people each know the other's share of a figure over two: the
   * smallest group that hides anyone is three. */
  e->min_group = o->min_group <= 0 ? 5 : o->min_group < 3 ? 3 : o->min_group;
  e->cur.ticket = 1;
  e->snapshot_every = o->snapshot_every < 0 ? 0 : o->snapshot_every ? o->snapshot_every : 100000;
  if (e->flags & MAAT_ENGINE_FOLLOW)
    e->snapshot_every = 0;   /* the leader keeps the snapshots */
  e->alerts = o->alerts;
  e->nalerts = o->alerts ? o->nalerts : 0;
  e->nhelpdesks = o->helpdesks && o->nhelpdesks > 0 ? o->nhelpdesks : 0;
  if (e->nhelpdesks) {
    e->helpdesks = maat__calloc((size_t)e->nhelpdesks, sizeof *e->helpdesks);
    if (!e->helpdesks) {
      rc = maat__fail(MAAT_ENOMEM, "out of memory");
      goto fail;
    }
    memcpy(e->helpdesks, o->helpdesks,
           (size_t)e->nhelpdesks * sizeof *e->helpdesks);
  }
  e->on_outbox = o->on_outbox;
  e->on_outbox_ctx = o->on_outbox_ctx;
  if ((rc = open_parts(e, o)))
    goto fail;
  if (e->store) {
    int64_t after = 0;
    if ((rc = bind_run(e)) ||
        (rc = maat_store_event_stats(e->store, &count, &e->last_seq)))
      goto fail;
    e->rebuilding = 1;
    rc = load_snapshot(e, o, &after);
    if (!rc)
      rc = maat_store_events(e->store, after, rebuild_one, e);
    if (!rc && (e->flags & MAAT_ENGINE_RECORDS))
      rc = maat_store_bot_outcomes(e->store, rebuild_outcome, e);
    e->rebuilding = 0;
    /* Whatever rebuilding closed is durable already. */
    maat__engine_evict(e, INT64_MAX);
    unstage(e, 0, 0);
    if (rc) {
      maat__fail_prefix(rc, "cannot rebuild from the store '%s'",
                        maat_store_uri(e->store));
      goto fail;
    }
  }
  *out = e;
  return MAAT_OK;
fail:
  maat_engine_close(e);
  return rc;
}

void maat_engine_close(maat_engine *e)
{
  if (!e)
    return;
  if (e->store && !e->broken && e->router && e->snapshot_every > 0 &&
      e->since_snapshot > 0) {
    /* A clean stop leaves a snapshot: the next start replays nothing. */
    pthread_mutex_lock(&e->mu);
    stage_snapshot(e);
    pthread_mutex_unlock(&e->mu);
  }
  if (e->store && e->cur.n && !e->broken)
    maat_engine_wait(e, e->cur.ticket);
  batch_release(&e->cur);
  maat__engine_free_records(e);
  maat__buf_release(&e->out);
  maat__buf_release(&e->staged_out);
  maat__buf_release(&e->line);
  maat_router_close(e->router);
  maat_team_free(e->team);
  maat__free(e->agent_warns);
  maat__free(e->nagent_warns);
  maat__free(e->in_period);
  maat__free(e->recent_contacts);
  maat__free(e->nrecent_contacts);
  maat__free(e->run);
  maat__free(e->helpdesks);
  pthread_cond_destroy(&e->cv);
  pthread_mutex_destroy(&e->mu);
  pthread_mutex_destroy(&e->tri_mu);
  maat__free(e);
}

int maat_engine_helpdesk_users(maat_engine *e, int k,
                               const struct maat_helpdesk_user *users, int n)
{
  if (!e || k < 0 || k >= e->nhelpdesks || n < 0 || (n && !users))
    return maat__fail(MAAT_EINVAL, "maat_engine_helpdesk_users: no "
                      "helpdesk %d", k);
  pthread_mutex_lock(&e->mu);
  e->helpdesks[k].users = users;
  e->helpdesks[k].nusers = n;
  pthread_mutex_unlock(&e->mu);
  return MAAT_OK;
}

const maat_router *maat_engine_router(maat_engine *e)
{
  return e->router;
}

const maat_team *maat_engine_team(maat_engine *e)
{
  return e->team;
}

long maat_engine_events(maat_engine *e)
{
  long n;

  pthread_mutex_lock(&e->mu);
  n = e->v.events;
  pthread_mutex_unlock(&e->mu);
  return n;
}

double maat_engine_time(maat_engine *e)
{
  double t;

  pthread_mutex_lock(&e->mu);
  t = e->v.t;
  pthread_mutex_unlock(&e->mu);
  return t;
}

const char *maat_engine_run(maat_engine *e)
{
  return e->run;
}

/*
 * contacts.c - /v1/contacts: a contact in (triaged, routed, durable before
 * the reply), a contact's record, and closing it with its outcome and the
 * agent's check-in.
 */
#include "server-int.h"

#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *decision_of(struct call *c, const struct maat_contact_record *r)
{
  json_t *d = json_object();

  json_object_set_new(d, "state", json_string(maat_contact_state_name(
                                      r->state)));
  json_object_set_new(d, "tier", json_string(maat_tier_name(r->tier)));
  json_object_set_new(d, "priority", json_integer(r->priority));
  if (r->state == MAAT_CONTACT_WITH_BOT || r->state == MAAT_CONTACT_ASSIGNED ||
      (r->state == MAAT_CONTACT_DONE && r->to[0])) {
    json_object_set_new(d, "to", json_string(r->to));
    json_object_set_new(d, "wait_s", json_real(r->t_assigned - r->t_in));
  }
  if (r->reasons[0]) {
    char shown[sizeof r->reasons + 128];
    maat__reasons_for(c, r->reasons, r->to, shown, sizeof shown);
    json_object_set_new(d, "reasons", maat__msg_json(c, shown));
    json_object_set_new(d, "reason_codes", maat__msg_codes(shown, 1));
  }
  return d;
}

/* The triage verdict as stored, its reasons in the call's language. */
static json_t *triage_of(struct call *c, const struct maat_contact_record *r)
{
  json_t *t = r->triage ? json_loads(r->triage, 0, NULL) : NULL;
  json_t *reasons = t ? json_object_get(t, "reasons") : NULL;

  if (json_is_array(reasons)) {
    json_t *codes = json_array(), *v;
    size_t i;
    json_array_foreach(reasons, i, v) {
      const char *text = json_string_value(v);
      json_t *one = maat__msg_codes(text, 0);
      json_array_extend(codes, one);
      json_decref(one);
      json_array_set_new(reasons, i, maat__msg_json(c, text));
    }
    json_object_set_new(t, "reason_codes", codes);
  }
  return t ? t : json_null();
}

json_t *maat__contact_reply(struct call *c, const char *id)
{
  struct maat_server *s = c->s;
  struct maat_contact_record r;
  json_t *reply = json_object();
  int found = maat_engine_contact(s->engine, id, &r) == MAAT_OK;

  json_object_set_new(reply, "id", json_string(id));
  json_object_set_new(reply, "triage", found ? triage_of(c, &r)
                                             : json_null());
  json_object_set_new(reply, "decision", found ? decision_of(c, &r)
                                               : json_null());
  if (found)
    maat_contact_record_release(&r);
  return reply;
}

/* Applies an event line with the call's audit row, and waits for it.
 * 'triage': the line is a contact with raw text and no verdict. */
static int apply_durable(struct call *c, const char *line, size_t len,
                         const char *note, int status, int triage,
                         struct maat_applied *a)
{
  struct maat_apply_extra x;
  int rc;

  maat__call_extra(c, status, &x);
  x.note = note;
  rc = maat_engine_apply(c->s->engine, line, len, MAAT_APPLY_NOW |
                         (triage ? MAAT_APPLY_TRIAGE : MAAT_APPLY_AS_IS), &x,
                         a);
  if (rc) {
    c->audited = 0;
    return rc;
  }
  return maat_engine_wait(c->s->engine, a->ticket);
}

/* A contact in: 'o' (owned) as posted. */
static enum MHD_Result accept_contact(struct call *c, json_t *o)
{
  struct maat_server *s = c->s;
  struct maat_contact_record r;
  struct maat_applied a;
  json_t *v = json_object_get(o, "id"), *raw;
  char *body;
  int rc, bad = 0, triage;

  if (v && (!json_is_string(v) ||
            !maat_id_valid(json_string_value(v), json_string_length(v)))) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'id': expected an id of "
                           MAAT_ID_RULE, "id");
  }
  if (v && maat_engine_contact(s->engine, json_string_value(v), &r) ==
               MAAT_OK) {
    maat_contact_record_release(&r);
    json_decref(o);
    return maat__fail_call(c, 409, "field 'id': that contact exists", "id");
  }
  if (!v) {
    char idbuf[48];
    unsigned char rnd[8];
    /* Unique across restarts: the time and random bits. */
    gnutls_rnd(GNUTLS_RND_NONCE, rnd, sizeof rnd);
    snprintf(idbuf, sizeof idbuf, "c%lx-%02x%02x%02x%02x%02x%02x",
             (unsigned long)maat_wall_now(), rnd[0], rnd[1], rnd[2], rnd[3],
             rnd[4], rnd[5]);
    bad |= maat__jset(o, "id", json_string(idbuf));
  }
  bad |= maat__jset(o, "type", json_string("contact"));
  bad |= maat__jset(o, "t", json_real(maat__now_t(s)));
  json_object_del(o, "patience_s");   /* a live customer leaves by 'done' */
  /* What the AI sees: the words with their personal data replaced (the
   * data classes, docs/privacy.md); the raw words stay for what follows,
   * which redacts what it keeps. */
  raw = json_incref(json_object_get(o, "text"));
  if (json_is_string(raw))
    bad |= maat__jset(o, "text", maat__ai_text(s, json_string_value(raw)));
  body = bad ? NULL : json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
  triage = json_object_get(o, "text") && !json_object_get(o, "tier");
  if (!body) {
    json_decref(raw);
    json_decref(o);
    return maat__fail_call(c, 500, "out of memory", NULL);
  }
  snprintf(c->detail, sizeof c->detail, "contact");
  rc = apply_durable(c, body, strlen(body), NULL, 201, triage, &a);
  free(body);
  if (!rc && triage)
    maat__note_words(s, a.id, json_string_value(raw), "triage");
  json_decref(raw);
  json_decref(o);
  if (rc)
    return maat__library_error(c, rc);
  return maat__send_json(c, 201, maat__contact_reply(c, a.id));
}

enum MHD_Result maat__post_contact(struct call *c)
{
  enum MHD_Result ret;
  json_t *o = maat__parse_body(c, &ret);

  return o ? accept_contact(c, o) : ret;
}

enum MHD_Result maat__get_contact(struct call *c)
{
  struct maat_contact_record r;
  const char *id = c->seg[2];
  json_t *o;

  c->audit = 1;  /* a contact's record is a customer's personal data */
  snprintf(c->detail, sizeof c->detail, "contact %s", id);
  if (maat_engine_contact(c->s->engine, id, &r))
    return maat__fail_call(c, 404, "no such contact", NULL);
  if (c->who.role == MAAT_ROLE_AGENT && strcmp(r.to, c->who.agent)) {
    maat_contact_record_release(&r);
    return maat__fail_call(c, 403, "an agent may read only its own contacts",
                           NULL);
  }
  o = json_object();
  json_object_set_new(o, "id", json_string(r.id));
  json_object_set_new(o, "customer", r.customer[0] ? json_string(r.customer)
                                                   : json_null());
  json_object_set_new(o, "state", json_string(maat_contact_state_name(
                                      r.state)));
  json_object_set_new(o, "arrived_t", json_real(r.t_in));
  json_object_set_new(o, "triage", triage_of(c, &r));
  json_object_set_new(o, "decision", decision_of(c, &r));
  json_object_set_new(o, "outcome", r.outcome[0] ? json_string(r.outcome)
                                                 : json_null());
  maat_contact_record_release(&r);
  return maat__send_json(c, 200, o);
}

static int int_field(json_t *o, const char *key, int lo, int hi, int *out,
                     int *bad)
{
  json_t *v = json_object_get(o, key);

  *out = 0;
  if (!v)
    return 0;
  if (!json_is_integer(v) || json_integer_value(v) < lo ||
      json_integer_value(v) > hi) {
    *bad = 1;
    return 0;
  }
  *out = (int)json_integer_value(v);
  return 1;
}

static void learn_resolved(struct maat_server *s, const char *id);

struct done_body {
  const char *outcome, *note;
  int energy, csat, nps, has_nps;
};

/* Checks the body of a close; the bad field's name, or NULL. */
static const char *done_fields(json_t *o, const struct maat_contact_record *r,
                               struct done_body *d)
{
  json_t *v = json_object_get(o, "outcome");
  int bad = 0;

  memset(d, 0, sizeof *d);
  if (v && (!json_is_string(v) || json_string_length(v) > 63))
    return "outcome";
  d->outcome = v ? json_string_value(v) : NULL;
  if ((int_field(o, "energy", 1, 5, &d->energy, &bad), bad))
    return "energy";
  if ((int_field(o, "csat", 1, 5, &d->csat, &bad), bad))
    return "csat";
  if ((d->has_nps = int_field(o, "nps", 0, 10, &d->nps, &bad), bad))
    return "nps";
  v = json_object_get(o, "note");
  if (v && (!json_is_string(v) || json_string_length(v) > 500))
    return "note";
  d->note = v ? json_string_value(v) : NULL;
  if ((d->energy || d->note) && r->state != MAAT_CONTACT_ASSIGNED)
    return "energy";
  return NULL;
}

static const char *done_message(const char *field)
{
  return !strcmp(field, "energy") ? "a check-in of 1 to 5, only for a "
         "contact a person handled" : !strcmp(field, "nps") ? "expected "
         "0 to 10" : !strcmp(field, "note") ? "expected a string of at "
         "most 500 bytes" : !strcmp(field, "outcome") ? "expected a string "
         "of at most 63 bytes" : "expected 1 to 5";
}

static int close_person(struct call *c, const struct done_body *d)
{
  json_t *line = json_object();
  struct maat_applied a;
  char *txt;
  int rc, bad = 0;

  bad |= maat__jset(line, "type", json_string("done"));
  bad |= maat__jset(line, "t", json_real(maat__now_t(c->s)));
  bad |= maat__jset(line, "contact", json_string(c->seg[2]));
  if (d->outcome)
    bad |= maat__jset(line, "outcome", json_string(d->outcome));
  if (d->energy)
    bad |= maat__jset(line, "energy", json_integer(d->energy));
  if (d->csat)
    bad |= maat__jset(line, "csat", json_integer(d->csat));
  if (d->has_nps)
    bad |= maat__jset(line, "nps", json_integer(d->nps));
  txt = bad ? NULL : json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(15));
  json_decref(line);
  if (!txt)
    return maat_error_set(MAAT_ENOMEM, "out of memory");
  rc = apply_durable(c, txt, strlen(txt), d->note, 200, 0, &a);
  free(txt);
  return rc;
}

enum MHD_Result maat__post_done(struct call *c)
{
  struct maat_server *s = c->s;
  const char *id = c->seg[2], *bad;
  struct maat_contact_record r;
  struct done_body d;
  enum MHD_Result ret;
  json_t *o, *reply;
  int rc;

  snprintf(c->detail, sizeof c->detail, "contact %s closed", id);
  c->audit = 1;
  if (maat_engine_contact(s->engine, id, &r))
    return maat__fail_call(c, 404, "no such contact", NULL);
  maat_contact_record_release(&r);
  if (c->who.role == MAAT_ROLE_AGENT &&
      (r.state != MAAT_CONTACT_ASSIGNED || strcmp(r.to, c->who.agent)))
    return maat__fail_call(c, 403, "an agent may close only its own "
                           "contacts", NULL);
  if (r.state == MAAT_CONTACT_DONE || r.state == MAAT_CONTACT_ABANDONED)
    return maat__fail_call(c, 409, "the contact is already closed", NULL);
  if (!(o = maat__parse_body(c, &ret)))
    return ret;
  if (c->who.role == MAAT_ROLE_LEAD) {
    /* A lead frees an agent left busy by a missed 'done': with a reason,
     * kept in the audit; never with the agent's check-in or the
     * customer's scores. */
    json_t *why = json_object_get(o, "reason");
    if (!json_is_string(why) || !json_string_length(why) ||
        json_string_length(why) > 200) {
      json_decref(o);
      return maat__fail_call(c, 400, "field 'reason': a lead closes a "
                             "contact with a reason of 1 to 200 bytes",
                             "reason");
    }
    if (json_object_get(o, "energy") || json_object_get(o, "note") ||
        json_object_get(o, "csat") || json_object_get(o, "nps")) {
      json_decref(o);
      return maat__fail_call(c, 400, "a lead closes without a check-in or "
                             "scores: those are the agent's and the "
                             "customer's", NULL);
    }
    snprintf(c->detail, sizeof c->detail, "contact %s closed by a lead: %s",
             id, json_string_value(why));
    if (!json_object_get(o, "outcome"))
      json_object_set_new(o, "outcome", json_string("closed_by_lead"));
  }
  if ((bad = done_fields(o, &r, &d))) {
    char msg[160];
    snprintf(msg, sizeof msg, "field '%s': %s", bad, done_message(bad));
    json_decref(o);
    return maat__fail_call(c, 400, msg, bad);
  }
  if (r.state == MAAT_CONTACT_WITH_BOT) {
    /* The router forgot it when the bot took it: only the outcome counts. */
    struct maat_apply_extra x;
    int64_t ticket = 0;
    maat__call_extra(c, 200, &x);
    rc = maat_engine_bot_done(s->engine, id, maat__now_t(s), d.outcome,
                              d.csat, d.has_nps ? d.nps : -1, &x, &ticket);
    if (!rc)
      rc = maat_engine_wait(s->engine, ticket);
    else
      c->audited = 0;
    if (!rc && d.outcome && !strcmp(d.outcome, "resolved") && d.csat >= 4)
      learn_resolved(s, id);
  } else {
    rc = close_person(c, &d);
  }
  json_decref(o);
  if (rc)
    return maat__library_error(c, rc);
  reply = json_object();
  json_object_set_new(reply, "id", json_string(id));
  if (maat_engine_contact(s->engine, id, &r) == MAAT_OK) {
    json_object_set_new(reply, "state", json_string(maat_contact_state_name(
                                            r.state)));
    maat_contact_record_release(&r);
  }
  return maat__send_json(c, 200, reply);
}

/*
 * The bot's answer resolved a contact and the customer rated it 4 or 5:
 * its words join the knowledge base's history as a question the cited
 * article resolved (docs/knowledge.md). Best effort: the close stands
 * without it (words not kept, no answer cited).
 */
static void learn_resolved(struct maat_server *s, const char *id)
{
  struct maat_contact_record r;
  json_t *tri;
  const char *article;

  if (maat_engine_contact(s->engine, id, &r))
    return;
  tri = r.triage ? json_loads(r.triage, 0, NULL) : NULL;
  article = json_string_value(json_object_get(json_object_get(tri, "kb"),
                                              "article"));
  if (article && *article &&
      json_is_true(json_object_get(json_object_get(tri, "kb"), "answered")))
    maat_kb_learn_contact(s->store, id, article, maat_wall_now());
  json_decref(tri);
  maat_contact_record_release(&r);
}

/*
 * A lead moves a contact: to another agent ("agent"), or back to the queue
 * (no agent, or null), with a reason (kept in the audit). A hard limit or
 * an agent who cannot take it refuses it (409, saying why); the soft rules
 * it breaks are in the reply ("breaks") and the decision's reasons.
 */
enum MHD_Result maat__post_move(struct call *c)
{
  struct maat_server *s = c->s;
  const char *id = c->seg[2], *agent = "";
  struct maat_contact_record r;
  struct maat_applied a;
  enum MHD_Result ret;
  json_t *o, *v, *why, *line, *reply;
  char broken[256], *txt, whybuf[256], agentbuf[MAAT_ID_MAX + 1];
  int rc, bad = 0;

  snprintf(c->detail, sizeof c->detail, "contact %s moved", id);
  c->audit = 1;
  if (maat_engine_contact(s->engine, id, &r))
    return maat__fail_call(c, 404, "no such contact", NULL);
  maat_contact_record_release(&r);
  if (r.state != MAAT_CONTACT_QUEUED && r.state != MAAT_CONTACT_ASSIGNED)
    return maat__fail_call(c, 409, "only a waiting contact or one with a "
                           "person can be moved", NULL);
  if (!(o = maat__parse_body(c, &ret)))
    return ret;
  v = json_object_get(o, "agent");
  if (v && !json_is_null(v)) {
    if (!json_is_string(v) ||
        !maat_id_valid(json_string_value(v), json_string_length(v))) {
      json_decref(o);
      return maat__fail_call(c, 400, "field 'agent': expected an agent id, "
                             "or null to put it back in the queue", "agent");
    }
    agent = json_string_value(v);
  }
  why = json_object_get(o, "reason");
  if (!json_is_string(why) || !json_string_length(why) ||
      json_string_length(why) > 200) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'reason': a lead moves a contact "
                           "with a reason of 1 to 200 bytes", "reason");
  }
  rc = maat_engine_move_check(s->engine, id, agent, broken, sizeof broken);
  if (rc == MAAT_ENOTFOUND || rc == MAAT_ESTATE) {
    char msg[256];
    snprintf(msg, sizeof msg, "%s", maat_errmsg());
    json_decref(o);
    return maat__fail_call(c, rc == MAAT_ENOTFOUND ? 404 : 409, msg,
                           rc == MAAT_ENOTFOUND ? "agent" : NULL);
  }
  if (rc) {
    json_decref(o);
    return maat__library_error(c, rc);
  }
  /* The audit keeps what and why, cut to its row. */
  if (snprintf(c->detail, sizeof c->detail, "contact %s %s%s by a lead%s"
               "%s: %s", id, agent[0] ? "moved to " : "put back in the "
               "queue", agent, broken[0] ? ", against: " : "", broken,
               json_string_value(why)) >= (int)sizeof c->detail) {
    /* Cut on a character: drop a sequence the end cut into. */
    size_t n = strlen(c->detail), k = n;
    while (k > 0 && ((unsigned char)c->detail[k - 1] & 0xC0) == 0x80)
      k--;
    if (k > 0 && (unsigned char)c->detail[k - 1] >= 0xC0)
      c->detail[k - 1] = '\0';
  }
  line = json_object();
  bad |= maat__jset(line, "type", json_string("move"));
  bad |= maat__jset(line, "t", json_real(maat__now_t(s)));
  bad |= maat__jset(line, "contact", json_string(id));
  if (agent[0])
    bad |= maat__jset(line, "agent", json_string(agent));
  snprintf(whybuf, sizeof whybuf, "%s", json_string_value(why));
  snprintf(agentbuf, sizeof agentbuf, "%s", agent);
  json_decref(o);
  txt = bad ? NULL : json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(15));
  json_decref(line);
  if (!txt)
    return maat__fail_call(c, 500, "out of memory", NULL);
  rc = apply_durable(c, txt, strlen(txt), NULL, 200, 0, &a);
  free(txt);
  if (rc == MAAT_ESTATE) {
    /* Something changed between the check and the move (rare). */
    char msg[256];
    snprintf(msg, sizeof msg, "%s", maat_errmsg());
    return maat__fail_call(c, 409, msg, NULL);
  }
  if (rc)
    return maat__library_error(c, rc);
  maat__note_move(c, &r, agentbuf, whybuf);
  reply = maat__contact_reply(c, id);
  json_object_set_new(reply, "breaks", maat__msg_json(c, broken));
  json_object_set_new(reply, "break_codes", maat__msg_codes(broken, 1));
  return maat__send_json(c, 200, reply);
}

static int add_listed(void *ctx, const struct maat_contact_record *r)
{
  json_t *e = json_object();

  json_object_set_new(e, "id", json_string(r->id));
  json_object_set_new(e, "customer", r->customer[0] ? json_string(r->customer)
                                                    : json_null());
  json_object_set_new(e, "state", json_string(maat_contact_state_name(
                                      r->state)));
  json_object_set_new(e, "tier", json_string(maat_tier_name(r->tier)));
  json_object_set_new(e, "priority", json_integer(r->priority));
  json_object_set_new(e, "intent", r->intent[0] ? json_string(r->intent)
                                                : json_null());
  json_object_set_new(e, "to", r->to[0] ? json_string(r->to) : json_null());
  json_object_set_new(e, "arrived_t", json_real(r->t_in));
  json_object_set_new(e, "assigned_t", r->state == MAAT_CONTACT_QUEUED
                                           ? json_null()
                                           : json_real(r->t_assigned));
  json_array_append_new(ctx, e);
  return 0;
}

/* GET /v1/contacts?state=queued|assigned|with_bot&limit=N: the open
 * contacts in one state, so a helpdesk or a lead need not ask one id at a
 * time. */
/* The list's filters and page, and what it found. */
struct listing {
  int tier, priority;            /* -1: any */
  const char *intent, *agent;    /* NULL: any */
  size_t offset, limit;
  long matched;
  json_t *list;
};

static int list_one(void *ctx, const struct maat_contact_record *r)
{
  struct listing *l = ctx;

  if ((l->tier >= 0 && r->tier != l->tier) ||
      (l->priority >= 0 && r->priority != l->priority) ||
      (l->intent && strcmp(r->intent, l->intent)) ||
      (l->agent && strcmp(r->to, l->agent)))
    return MAAT_OK;
  if ((size_t)l->matched++ < l->offset ||
      json_array_size(l->list) >= l->limit)
    return MAAT_OK;
  return add_listed(l->list, r);
}

static int query_num(struct call *c, const char *name, long lo, long hi,
                     long *out)
{
  const char *v = maat__arg(c, name);
  char *end;

  if (!v)
    return 0;
  *out = strtol(v, &end, 10);
  return *end || !*v || *out < lo || *out > hi ? -1 : 0;
}

/*
 * GET /v1/contacts?state=&tier=&priority=&intent=&agent=&limit=&offset=:
 * the open contacts in one state, filtered, a page at a time (queued ones
 * in queue order, the others the longest taken first); 'total' counts all
 * that match, 'next_offset' is there when there are more.
 */
enum MHD_Result maat__get_contacts(struct call *c)
{
  const char *st = maat__arg(c, "state");
  const char *tier = maat__arg(c, "tier");
  int state = MAAT_CONTACT_ASSIGNED;
  long limit = 100, offset = 0, prio = -1, total = 0;
  struct listing l;
  json_t *o;
  int rc;

  c->audit_read = 1;  /* customers' contacts: who listed them is kept */
  if (st && !strcmp(st, "queued"))
    state = MAAT_CONTACT_QUEUED;
  else if (st && !strcmp(st, "with_bot"))
    state = MAAT_CONTACT_WITH_BOT;
  else if (st && strcmp(st, "assigned"))
    return maat__fail_call(c, 400, "state: expected queued, assigned or "
                           "with_bot", "state");
  if (query_num(c, "limit", 0, 1000, &limit))
    return maat__fail_call(c, 400, "limit: expected 0 to 1000", "limit");
  if (query_num(c, "offset", 0, 10000000, &offset))
    return maat__fail_call(c, 400, "offset: expected 0 or more", "offset");
  if (query_num(c, "priority", 0, 3, &prio))
    return maat__fail_call(c, 400, "priority: expected 0 to 3", "priority");
  memset(&l, 0, sizeof l);
  l.tier = -1;
  if (tier) {
    if (strlen(tier) != 2 || tier[0] != 'T' || tier[1] < '1' || tier[1] > '3')
      return maat__fail_call(c, 400, "tier: expected T1, T2 or T3", "tier");
    l.tier = tier[1] - '0';
  }
  l.priority = (int)prio;
  l.intent = maat__arg(c, "intent");
  l.agent = maat__arg(c, "agent");
  l.offset = (size_t)offset;
  l.limit = (size_t)limit;
  l.list = json_array();
  rc = maat_engine_open_contacts(c->s->engine, state, (size_t)-1, list_one,
                                 &l, &total);
  if (rc) {
    json_decref(l.list);
    return maat__library_error(c, rc);
  }
  o = json_object();
  json_object_set_new(o, "state", json_string(maat_contact_state_name(state)));
  json_object_set_new(o, "total", json_integer(l.matched));
  json_object_set_new(o, "offset", json_integer(offset));
  if ((size_t)offset + json_array_size(l.list) < (size_t)l.matched)
    json_object_set_new(o, "next_offset",
                        json_integer(offset + (long)json_array_size(l.list)));
  json_object_set_new(o, "contacts", l.list);
  json_object_set_new(o, "t", json_real(maat__now_t(c->s)));
  return maat__send_json(c, 200, o);
}

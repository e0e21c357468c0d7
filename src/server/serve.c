/*
 * serve.c - the HTTP API (libmicrohttpd, JSON with jansson) over the same
 * triage and router as the command line. One mutex guards the router: the
 * server's own thread handles requests one at a time and a ticker thread
 * lets router time pass. A contact is triaged, routed and committed to the
 * event log (with its audit row, in one transaction) before the reply, so
 * a 2xx means durable. docs/api.md lists the endpoints and who may call
 * them; wellbeing data (strain, check-ins) reaches only its agent.
 */
#include "serve-int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RING 64             /* recent decisions and team warnings kept */
#define AGENT_RING 8        /* warnings kept per agent (private) */
#define SAMPLE_S 60.0       /* router seconds between strain samples */

enum { C_QUEUED = 1, C_BOT, C_ASSIGNED, C_DONE, C_ABANDONED };
static const char *const state_names[] = { "?", "queued", "with_bot",
                                           "assigned", "done", "abandoned" };
static const char *const agent_states[] = { "offline", "available", "busy",
                                            "recovery", "break" };

struct scontact {
  char id[MAAT_ID_MAX + 1];
  char customer[MAAT_ID_MAX + 1];
  char to[MAAT_ID_MAX + 1];
  char intent[MAAT_ID_MAX + 1];
  int state, tier, priority, tone;
  double t_in, t_assigned;
  char *triage;             /* the triage result as JSON text, or NULL */
  char *outcome;
};

struct recent {
  double t;
  char contact[MAAT_ID_MAX + 1];
  char to[MAAT_ID_MAX + 1];
  int tier;
  char reasons[480];
};

struct warn {
  double t;
  char kind[16];
  char message[256];
};

struct maat_server {
  struct maat_serve_options o;
  char *db_path, *web_root;
  struct MHD_Daemon *mhd;
  pthread_mutex_t mu;
  pthread_t ticker;
  int ticking, stop;
  int port;
  maat_team *team;
  maat_router *router;
  maat_eventlog *log;
  sqlite3 *db;
  maat_model *intent, *tone;
  maat_triage_config *tcfg;
  maat_triager *tri;
  char policy[32];
  double epoch_wall, epoch_t, speed, t, last_sample;
  int logging;              /* 0 while rebuilding from the log */
  /* contacts by id */
  struct scontact *cs;
  size_t ncs, capcs;
  size_t *idx;              /* open addressing: slot + 1, 0 empty */
  size_t idxcap;
  /* what the pages show */
  struct recent recent[RING];
  long nrecent;
  struct warn warns[RING];
  long nwarns;
  struct warn *agent_warns; /* nagents * AGENT_RING, private */
  long *nagent_warns;
  double strain_sum[24];
  long strain_n[24];
  /* the queue, kept as counts so that reading it costs little */
  long q_len, q_tier[4], q_prio[4];
  size_t first_q;           /* no queued contact before this slot */
  /* counters for /metrics */
  long decisions[4][2];     /* by tier: to the bot, to a person */
  long abandoned, warnings, contacts, handbacks, events;
  double wait_sum;
  long waited, within;
};

/* ---- contacts ---- */

struct maat_server;
static void set_state(struct maat_server *s, struct scontact *c, int state);
static void sample_strain(struct maat_server *s);

static uint64_t hash_id(const char *s)
{
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

static struct scontact *find_contact(struct maat_server *s, const char *id)
{
  if (!s->idxcap)
    return NULL;
  for (size_t i = hash_id(id) & (s->idxcap - 1);; i = (i + 1) &
                                                    (s->idxcap - 1)) {
    if (!s->idx[i])
      return NULL;
    if (!strcmp(s->cs[s->idx[i] - 1].id, id))
      return &s->cs[s->idx[i] - 1];
  }
}

static int index_put(struct maat_server *s, size_t slot)
{
  if (2 * (s->ncs + 1) > s->idxcap) {
    size_t cap = s->idxcap ? s->idxcap * 2 : 1024;
    size_t *idx = maat__calloc(cap, sizeof *idx);
    if (!idx)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    for (size_t k = 0; k < s->ncs; k++) {
      size_t i = hash_id(s->cs[k].id) & (cap - 1);
      while (idx[i])
        i = (i + 1) & (cap - 1);
      idx[i] = k + 1;
    }
    maat__free(s->idx);
    s->idx = idx;
    s->idxcap = cap;
    if (slot < s->ncs)
      return MAAT_OK;
  }
  {
    size_t i = hash_id(s->cs[slot].id) & (s->idxcap - 1);
    while (s->idx[i])
      i = (i + 1) & (s->idxcap - 1);
    s->idx[i] = slot + 1;
  }
  return MAAT_OK;
}

/* Registers a contact from its (triaged) event line. */
static int add_contact(struct maat_server *s, const struct maat_event *ev,
                       const char *line, size_t len)
{
  struct scontact *c;
  json_t *o, *tr;
  int rc;

  if (s->ncs == s->capcs) {
    size_t cap = s->capcs ? s->capcs * 2 : 1024;
    struct scontact *p = maat__realloc(s->cs, cap * sizeof *p);
    if (!p)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    s->cs = p;
    s->capcs = cap;
  }
  c = &s->cs[s->ncs];
  memset(c, 0, sizeof *c);
  snprintf(c->id, sizeof c->id, "%s", ev->contact.id);
  snprintf(c->customer, sizeof c->customer, "%s", ev->contact.customer);
  snprintf(c->intent, sizeof c->intent, "%s", ev->contact.intent);
  c->tier = ev->contact.tier;
  c->priority = ev->contact.priority;
  set_state(s, c, C_QUEUED);
  c->tone = ev->contact.tone;
  c->t_in = ev->t;
  o = json_loadb(line, len, 0, NULL);
  tr = o ? json_object_get(o, "triage") : NULL;
  if (tr)
    c->triage = json_dumps(tr, JSON_COMPACT);
  /*
   * Rebuilding from the log: the triager remembers what this customer
   * asked about, as it did when the contact came in, so a repeat contact
   * after a restart is still recognised.
   */
  if (tr && !s->logging && c->customer[0] &&
      json_is_string(json_object_get(tr, "intent")) &&
      !json_is_true(json_object_get(tr, "out_of_scope")) &&
      (rc = maat_triager_remember(s->tri, c->customer,
                                  json_string_value(json_object_get(tr,
                                                                    "intent")),
                                  ev->t))) {
    json_decref(o);
    free(c->triage);
    return rc;
  }
  json_decref(o);
  rc = index_put(s, s->ncs);
  if (rc) {
    free(c->triage);
    return rc;
  }
  s->ncs++;
  s->contacts++;
  return MAAT_OK;
}

/* ---- the router, its decisions and the log ---- */

static void set_state(struct maat_server *s, struct scontact *c, int state)
{
  int was = c->state == C_QUEUED, is = state == C_QUEUED;

  if (was != is) {
    long d = is ? 1 : -1;
    s->q_len += d;
    s->q_tier[c->tier & 3] += d;
    s->q_prio[c->priority & 3] += d;
  }
  c->state = state;
}

static int agent_index(const struct maat_server *s, const char *id)
{
  return maat__team_agent(s->team, id);
}

static void take_decision(struct maat_server *s, const struct maat_decision *d)
{
  struct scontact *c;

  switch (d->type) {
  case MAAT_DEC_ASSIGN: {
    int bot = !strcmp(d->to, "bot");
    struct recent *r = &s->recent[s->nrecent++ % RING];
    c = find_contact(s, d->contact);
    if (c) {
      set_state(s, c, bot ? C_BOT : C_ASSIGNED);
      snprintf(c->to, sizeof c->to, "%s", d->to);
      c->t_assigned = d->t;
    }
    if (d->tier >= 1 && d->tier <= 3)
      s->decisions[d->tier][!bot]++;
    if (!bot) {
      s->wait_sum += d->wait_s;
      s->waited++;
      s->within += d->wait_s <= s->team->set[MAAT__S_SERVICE_TARGET];
    }
    r->t = d->t;
    snprintf(r->contact, sizeof r->contact, "%s", d->contact);
    snprintf(r->to, sizeof r->to, "%s", d->to);
    r->tier = d->tier;
    r->reasons[0] = '\0';
    for (int i = 0; i < d->nreasons; i++) {
      size_t used = strlen(r->reasons);
      snprintf(r->reasons + used, sizeof r->reasons - used, "%s%s",
               i ? "; " : "", d->reasons[i]);
    }
    break;
  }
  case MAAT_DEC_ABANDON:
    c = find_contact(s, d->contact);
    if (c)
      set_state(s, c, C_ABANDONED);
    s->abandoned++;
    break;
  case MAAT_DEC_WARNING: {
    struct warn *w;
    s->warnings++;
    if (d->scope == MAAT_SCOPE_AGENT) {
      int i = agent_index(s, d->agent);
      if (i < 0)
        break;
      w = &s->agent_warns[(size_t)i * AGENT_RING +
                          (size_t)(s->nagent_warns[i]++ % AGENT_RING)];
    } else {
      w = &s->warns[s->nwarns++ % RING];
    }
    w->t = d->t;
    snprintf(w->kind, sizeof w->kind, "%s", d->kind ? d->kind : "");
    snprintf(w->message, sizeof w->message, "%s", d->message);
    break;
  }
  }
}

static int drain(struct maat_server *s)
{
  struct maat_decision d;
  char buf[2048];

  while (maat_router_next(s->router, &d) == MAAT_OK) {
    take_decision(s, &d);
    if (s->logging) {
      size_t n = maat_decision_format(&d, buf, sizeof buf);
      int rc;
      if (n >= sizeof buf)
        n = sizeof buf - 1;
      rc = maat_eventlog_append_decision(s->log, buf, n ? n - 1 : 0);
      if (rc)
        return rc;
    }
  }
  return MAAT_OK;
}

/*
 * Applies one event line: parse, push, log, take the decisions. On a
 * refusal nothing changed (the router's promise) and nothing is logged.
 */
static int apply_line(struct maat_server *s, const char *line, size_t len,
                      struct maat_event *ev)
{
  int rc;

  memset(ev, 0, sizeof *ev);
  rc = maat_event_parse(ev, line, len);
  if (rc)
    return rc;
  if (ev->type == MAAT_EV_CONTACT && find_contact(s, ev->contact.id))
    return maat__fail(MAAT_ESTATE, "field 'id': contact '%s' exists",
                      ev->contact.id);
  rc = maat_router_push(s->router, ev);
  if (rc)
    return rc;
  if (ev->t > s->t)
    s->t = ev->t;
  s->events += ev->type != MAAT_EV_TICK;
  if (ev->type == MAAT_EV_CONTACT && (rc = add_contact(s, ev, line, len)))
    return rc;
  if (ev->type == MAAT_EV_DONE) {
    /* Closed: by its agent, or (still queued) the customer left. */
    struct scontact *sc = find_contact(s, ev->contact_id);
    json_t *o = json_loadb(line, len, 0, NULL);
    json_t *v = o ? json_object_get(o, "outcome") : NULL;
    if (sc) {
      set_state(s, sc, sc->state == C_ASSIGNED ? C_DONE : C_ABANDONED);
      if (json_is_string(v)) {
        free(sc->outcome);
        sc->outcome = strdup(json_string_value(v));
      }
    }
    json_decref(o);
  }
  if (s->logging && (rc = maat_eventlog_append_event(s->log, ev->t, line,
                                                     len)))
    return rc;
  rc = drain(s);
  /* The team's strain over the day, also while rebuilding from the log. */
  if (!rc && s->t - s->last_sample >= SAMPLE_S) {
    sample_strain(s);
    s->last_sample = s->t;
  }
  return rc;
}

/* Router time now: never backwards, accelerated by clock_speed. */
static double now_t(struct maat_server *s)
{
  double t = s->epoch_t + (maat__wall_now() - s->epoch_wall) * s->speed;
  if (t < s->t)
    t = s->t;
  return floor(t * 1000) / 1000;
}

static void sample_strain(struct maat_server *s)
{
  int h = (int)(fmod(s->t, 86400) / 3600);

  for (size_t i = 0; i < s->team->n; i++)
    if (maat__router_agent_state(s->router, (int)i) != MAAT_AGENT_OFFLINE) {
      s->strain_sum[h] += maat__router_strain(s->router, (int)i);
      s->strain_n[h]++;
    }
}

static void *ticker(void *arg)
{
  struct maat_server *s = arg;

  for (;;) {
    struct timespec ts = { 0, 250 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    pthread_mutex_lock(&s->mu);
    if (s->stop) {
      pthread_mutex_unlock(&s->mu);
      return NULL;
    }
    {
      double t = now_t(s);
      char line[96];
      struct maat_event ev;
      long before = s->nrecent + s->nwarns + s->abandoned + s->warnings;
      int n = snprintf(line, sizeof line, "{\"type\":\"tick\",\"t\":%.3f}", t);
      /* Ticks are logged only when they decide something. */
      s->logging = 0;
      if (t > s->t && apply_line(s, line, (size_t)n, &ev) == MAAT_OK &&
          s->nrecent + s->nwarns + s->abandoned + s->warnings != before) {
        /* Replaying the tick re-derives its decisions. */
        if (maat_eventlog_append_event(s->log, ev.t, line, (size_t)n) ==
            MAAT_OK)
          maat_eventlog_commit(s->log);
      }
      s->logging = 1;
    }
    pthread_mutex_unlock(&s->mu);
  }
}

/* ---- HTTP plumbing ---- */

struct request {
  char *body;
  size_t len, cap;
  int too_big;
};

static enum MHD_Result send_buf(struct MHD_Connection *conn, int status,
                                char *buf, size_t len, const char *type)
{
  struct MHD_Response *r = MHD_create_response_from_buffer(
      len, buf, MHD_RESPMEM_MUST_FREE);
  enum MHD_Result ret;

  if (!r) {
    free(buf);
    return MHD_NO;
  }
  MHD_add_response_header(r, "Content-Type", type);
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  ret = MHD_queue_response(conn, (unsigned)status, r);
  MHD_destroy_response(r);
  return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *conn, int status,
                                 json_t *body)
{
  char *s = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(6));
  size_t n;

  json_decref(body);
  if (!s)
    return MHD_NO;
  n = strlen(s);
  /* A trailing newline, for people reading it with curl. */
  {
    char *t = realloc(s, n + 2);
    if (!t) {
      free(s);
      return MHD_NO;
    }
    s = t;
    s[n++] = '\n';
    s[n] = '\0';
  }
  return send_buf(conn, status, s, n, "application/json");
}

static enum MHD_Result send_error(struct MHD_Connection *conn, int status,
                                  const char *message, const char *field)
{
  json_t *o = json_object();
  json_object_set_new(o, "error", json_string(message));
  json_object_set_new(o, "field", field ? json_string(field) : json_null());
  return send_json(conn, status, o);
}

/* The field a library message names ("field 'x': ..."), into 'out'. */
static const char *field_of(const char *msg, char *out, size_t cap)
{
  const char *p = strstr(msg, "field '");
  const char *q;

  if (!p)
    return NULL;
  p += 7;
  q = strchr(p, '\'');
  if (!q || (size_t)(q - p) >= cap)
    return NULL;
  memcpy(out, p, (size_t)(q - p));
  out[q - p] = '\0';
  return out;
}

/* ---- endpoints ---- */

struct call {
  struct maat_server *s;
  struct MHD_Connection *conn;
  const char *method, *url;
  struct maat__principal who;
  const char *body;
  size_t len;
  int status;           /* what was sent, for the audit */
  int audit;            /* 1: write an audit row */
  char detail[160];
};

static enum MHD_Result fail(struct call *c, int status, const char *msg,
                            const char *field)
{
  c->status = status;
  return send_error(c->conn, status, msg, field);
}

static enum MHD_Result ok_json(struct call *c, int status, json_t *o)
{
  c->status = status;
  return send_json(c->conn, status, o);
}

static json_t *parse_body(struct call *c, enum MHD_Result *ret)
{
  json_error_t err;
  json_t *o;
  char msg[200];

  o = json_loadb(c->body ? c->body : "", c->len, JSON_REJECT_DUPLICATES,
                 &err);
  if (!o) {
    snprintf(msg, sizeof msg, "body: not JSON (%s at line %d)", err.text,
             err.line);
    *ret = fail(c, 400, msg, NULL);
    return NULL;
  }
  if (!json_is_object(o)) {
    json_decref(o);
    *ret = fail(c, 400, "body: expected a JSON object", NULL);
    return NULL;
  }
  return o;
}

static enum MHD_Result library_error(struct call *c, int rc)
{
  char field[64];
  const char *f = field_of(maat_errmsg(), field, sizeof field);
  int status = rc == MAAT_ENOMEM || rc == MAAT_EDB || rc == MAAT_EIO ? 500
             : rc == MAAT_ESTATE ? 409 : rc == MAAT_ENOTFOUND ? 404 : 400;
  return fail(c, status, maat_errmsg(), f);
}

static json_t *decision_of(const struct scontact *sc,
                           const struct maat_server *s)
{
  json_t *d = json_object();

  json_object_set_new(d, "state", json_string(state_names[sc->state]));
  json_object_set_new(d, "tier", json_string(maat_tier_name(sc->tier)));
  json_object_set_new(d, "priority", json_integer(sc->priority));
  if (sc->state == C_BOT || sc->state == C_ASSIGNED ||
      sc->state == C_DONE) {
    json_object_set_new(d, "to", json_string(sc->to));
    json_object_set_new(d, "wait_s", json_real(sc->t_assigned - sc->t_in));
  }
  for (long k = s->nrecent - 1; k >= 0 && k >= s->nrecent - RING; k--) {
    const struct recent *r = &s->recent[k % RING];
    if (!strcmp(r->contact, sc->id)) {
      json_object_set_new(d, "reasons", json_string(r->reasons));
      break;
    }
  }
  return d;
}

static json_t *contact_reply(struct maat_server *s, const char *id)
{
  struct scontact *sc = find_contact(s, id);
  json_t *reply = json_object();

  json_object_set_new(reply, "id", json_string(id));
  json_object_set_new(reply, "triage", sc && sc->triage ?
                      json_loads(sc->triage, 0, NULL) : json_null());
  json_object_set_new(reply, "decision", sc ? decision_of(sc, s)
                                            : json_null());
  return reply;
}

/*
 * A contact in: 'o' (owned) as posted, or as a helpdesk webhook became.
 * With 'idempotent', a contact id seen before gets 200 and its record (a
 * webhook is delivered again when an answer got lost).
 */
static enum MHD_Result accept_contact(struct call *c, json_t *o,
                                      int idempotent)
{
  struct maat_server *s = c->s;
  json_t *v;
  struct maat_event ev;
  char *line = NULL, idbuf[32];
  size_t len;
  int rc;

  v = json_object_get(o, "id");
  if (idempotent && json_is_string(v) &&
      find_contact(s, json_string_value(v))) {
    json_t *reply = contact_reply(s, json_string_value(v));
    json_decref(o);
    return ok_json(c, 200, reply);
  }
  if (v && (!json_is_string(v) || !json_string_length(v) ||
            json_string_length(v) > MAAT_ID_MAX)) {
    json_decref(o);
    return fail(c, 400, "field 'id': expected a string of 1 to 63 bytes",
                "id");
  }
  if (!v) {
    snprintf(idbuf, sizeof idbuf, "c%ld", s->contacts + 1);
    while (find_contact(s, idbuf))
      snprintf(idbuf, sizeof idbuf, "c%ld-%ld", s->contacts + 1,
               (long)(random() % 100000));
    json_object_set_new(o, "id", json_string(idbuf));
  }
  json_object_set_new(o, "type", json_string("contact"));
  json_object_set_new(o, "t", json_real(now_t(s)));
  json_object_del(o, "patience_s");   /* a live customer leaves by 'done' */
  {
    char *body = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(o);
    if (!body)
      return fail(c, 500, "out of memory", NULL);
    if (!strstr(body, "\"tier\"")) {
      rc = maat_triage_event_line(s->tri, body, strlen(body), now_t(s),
                                  &line, &len);
      free(body);
      if (rc)
        return library_error(c, rc);
    } else {
      line = maat__strdup(body);
      len = strlen(body);
      free(body);
      if (!line)
        return fail(c, 500, "out of memory", NULL);
    }
  }
  rc = maat__eventlog_begin(s->log);
  if (!rc)
    rc = apply_line(s, line, len, &ev);
  maat_free(line);
  if (rc)
    return library_error(c, rc);
  snprintf(c->detail, sizeof c->detail, "contact %s", ev.contact.id);
  c->audit = 1;
  return ok_json(c, 201, contact_reply(s, ev.contact.id));
}

static enum MHD_Result post_contact(struct call *c)
{
  enum MHD_Result ret;
  json_t *o = parse_body(c, &ret);

  return o ? accept_contact(c, o, 0) : ret;
}

/* ---- helpdesk webhooks (docs/api.md, "Webhooks") ---- */

/* Compares two strings in time that does not depend on where they differ. */
static int same_secret(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  unsigned diff = la != lb;

  for (size_t i = 0; i < la && i < lb; i++)
    diff |= (unsigned char)(a[i] ^ b[i]);
  return diff == 0;
}

static void hmac_hex(gnutls_mac_algorithm_t alg, const char *key,
                     const void *data, size_t len, char *hex)
{
  unsigned char d[64];
  static const char digits[] = "0123456789abcdef";
  size_t n = gnutls_hmac_get_len(alg);

  gnutls_hmac_fast(alg, key, strlen(key), data, len, d);
  for (size_t i = 0; i < n; i++) {
    hex[2 * i] = digits[d[i] >> 4];
    hex[2 * i + 1] = digits[d[i] & 15];
  }
  hex[2 * n] = '\0';
}

/*
 * A webhook is let in by an integration (or admin) token, or by the
 * helpdesk's signature with the configured secret: Chatwoot signs
 * "TIMESTAMP.BODY" with HMAC-SHA256 (X-Chatwoot-Signature: sha256=...,
 * X-Chatwoot-Timestamp, at most 5 minutes old); Zammad signs the body with
 * HMAC-SHA1 (X-Hub-Signature: sha1=...).
 */
static int webhook_allowed(struct call *c, int chatwoot)
{
  const char *secret = c->s->o.webhook_secret;
  const char *sig;
  char want[140], hex[129];

  if (c->who.role == MAAT_ROLE_INTEGRATION || c->who.role == MAAT_ROLE_ADMIN)
    return 1;
  if (!secret || !*secret)
    return 0;
  if (chatwoot) {
    const char *ts = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND,
                                                 "X-Chatwoot-Timestamp");
    struct maat_buf b = MAAT_BUF_INIT;
    double age;
    sig = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND,
                                      "X-Chatwoot-Signature");
    if (!ts || !sig)
      return 0;
    age = maat__wall_now() - strtod(ts, NULL);
    if (!(age < 300 && age > -300))
      return 0;
    if (maat__buf_printf(&b, "%s.", ts) ||
        maat__buf_append(&b, c->body ? c->body : "", c->len)) {
      maat__buf_release(&b);
      return 0;
    }
    hmac_hex(GNUTLS_MAC_SHA256, secret, b.data, b.len, hex);
    maat__buf_release(&b);
    snprintf(want, sizeof want, "sha256=%s", hex);
  } else {
    sig = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND,
                                      "X-Hub-Signature");
    if (!sig)
      return 0;
    hmac_hex(GNUTLS_MAC_SHA1, secret, c->body ? c->body : "", c->len, hex);
    snprintf(want, sizeof want, "sha1=%s", hex);
  }
  return same_secret(want, sig);
}

static enum MHD_Result ignored(struct call *c, const char *why)
{
  json_t *o = json_object();
  json_object_set_new(o, "ignored", json_string(why));
  return ok_json(c, 200, o);
}

/* Chatwoot message_created: an incoming, public customer message. */
static enum MHD_Result webhook_chatwoot(struct call *c)
{
  enum MHD_Result ret;
  json_t *in, *o, *conv, *sender, *inbox, *v;
  char id[MAAT_ID_MAX + 1], customer[MAAT_ID_MAX + 1];

  if (!webhook_allowed(c, 1)) {
    c->audit = 1;
    return fail(c, 401, "a valid bearer token or Chatwoot signature is "
                "needed", NULL);
  }
  if (!(in = parse_body(c, &ret)))
    return ret;
  v = json_object_get(in, "event");
  if (!json_is_string(v) || strcmp(json_string_value(v), "message_created")) {
    json_decref(in);
    return ignored(c, "only message_created events become contacts");
  }
  v = json_object_get(in, "message_type");
  if (!json_is_string(v) || strcmp(json_string_value(v), "incoming") ||
      json_is_true(json_object_get(in, "private"))) {
    json_decref(in);
    return ignored(c, "not an incoming public message");
  }
  conv = json_object_get(in, "conversation");
  sender = json_object_get(in, "sender");
  inbox = json_object_get(in, "inbox");
  v = json_object_get(in, "content");
  if (!json_is_string(v) || !json_is_integer(json_object_get(in, "id")) ||
      !json_is_integer(json_object_get(conv, "id"))) {
    json_decref(in);
    return fail(c, 400, "Chatwoot message_created: 'id', 'content' and "
                "'conversation.id' are needed", "content");
  }
  snprintf(id, sizeof id, "cw-%lld-%lld",
           (long long)json_integer_value(json_object_get(conv, "id")),
           (long long)json_integer_value(json_object_get(in, "id")));
  o = json_object();
  json_object_set_new(o, "id", json_string(id));
  json_object_set(o, "text", v);
  if (json_is_integer(json_object_get(sender, "id"))) {
    snprintf(customer, sizeof customer, "cw-%lld",
             (long long)json_integer_value(json_object_get(sender, "id")));
    json_object_set_new(o, "customer", json_string(customer));
  }
  if (json_is_string(json_object_get(inbox, "name")))
    json_object_set(o, "channel", json_object_get(inbox, "name"));
  json_decref(in);
  return accept_contact(c, o, 1);
}

/* Drops HTML tags and decodes the common entities: Zammad sends HTML. */
static char *plain_text(const char *html)
{
  size_t n = strlen(html), k = 0;
  char *out = malloc(n + 1);
  int tag = 0;

  if (!out)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    if (html[i] == '<') {
      tag = 1;
      if (k && out[k - 1] != ' ')
        out[k++] = ' ';
    } else if (html[i] == '>') {
      tag = 0;
    } else if (!tag) {
      static const struct { const char *e; char ch; } ents[] = {
        { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
        { "&quot;", '"' }, { "&#39;", '\'' }, { "&nbsp;", ' ' },
      };
      size_t j;
      for (j = 0; j < sizeof ents / sizeof ents[0]; j++)
        if (!strncmp(html + i, ents[j].e, strlen(ents[j].e)))
          break;
      if (j < sizeof ents / sizeof ents[0]) {
        out[k++] = ents[j].ch;
        i += strlen(ents[j].e) - 1;
      } else {
        out[k++] = html[i];
      }
    }
  }
  out[k] = '\0';
  return out;
}

/* Zammad trigger webhook: a ticket with its newest article. */
static enum MHD_Result webhook_zammad(struct call *c)
{
  enum MHD_Result ret;
  json_t *in, *o, *ticket, *article, *v;
  char id[MAAT_ID_MAX + 1], customer[MAAT_ID_MAX + 1];
  const char *sender, *ctype;
  char *text;

  if (!webhook_allowed(c, 0)) {
    c->audit = 1;
    return fail(c, 401, "a valid bearer token or Zammad signature is "
                "needed", NULL);
  }
  if (!(in = parse_body(c, &ret)))
    return ret;
  ticket = json_object_get(in, "ticket");
  article = json_object_get(in, "article");
  if (!json_is_object(ticket) || !json_is_object(article)) {
    json_decref(in);
    return ignored(c, "no ticket with an article");
  }
  v = json_object_get(article, "sender");
  sender = json_is_string(v) ? json_string_value(v) : "";
  if (strcmp(sender, "Customer") ||
      json_is_true(json_object_get(article, "internal"))) {
    json_decref(in);
    return ignored(c, "not a customer's public article");
  }
  v = json_object_get(article, "body");
  if (!json_is_string(v) || !json_is_integer(json_object_get(ticket, "id")) ||
      !json_is_integer(json_object_get(article, "id"))) {
    json_decref(in);
    return fail(c, 400, "Zammad webhook: 'ticket.id', 'article.id' and "
                "'article.body' are needed", "article.body");
  }
  v = json_object_get(article, "content_type");
  ctype = json_is_string(v) ? json_string_value(v) : "";
  text = strstr(ctype, "html") ? plain_text(json_string_value(
                                     json_object_get(article, "body")))
                               : strdup(json_string_value(
                                     json_object_get(article, "body")));
  if (!text) {
    json_decref(in);
    return fail(c, 500, "out of memory", NULL);
  }
  snprintf(id, sizeof id, "zm-%lld-%lld",
           (long long)json_integer_value(json_object_get(ticket, "id")),
           (long long)json_integer_value(json_object_get(article, "id")));
  o = json_object();
  json_object_set_new(o, "id", json_string(id));
  json_object_set_new(o, "text", json_string(text));
  free(text);
  v = json_object_get(ticket, "customer_id");
  if (json_is_integer(v)) {
    snprintf(customer, sizeof customer, "zm-%lld",
             (long long)json_integer_value(v));
    json_object_set_new(o, "customer", json_string(customer));
  }
  v = json_object_get(article, "type");
  if (json_is_string(v))
    json_object_set(o, "channel", v);
  json_decref(in);
  return accept_contact(c, o, 1);
}

static enum MHD_Result post_agent_state(struct call *c, const char *agent)
{
  struct maat_server *s = c->s;
  enum MHD_Result ret;
  json_t *o, *v, *reply;
  struct maat_event ev;
  char line[256];
  int n, i, rc;

  if (c->who.role == MAAT_ROLE_AGENT && strcmp(c->who.agent, agent))
    return fail(c, 403, "an agent may change only its own state", NULL);
  if ((i = agent_index(s, agent)) < 0)
    return fail(c, 404, "no such agent", NULL);
  o = parse_body(c, &ret);
  if (!o)
    return ret;
  v = json_object_get(o, "state");
  if (!json_is_string(v) || (strcmp(json_string_value(v), "available") &&
                             strcmp(json_string_value(v), "break") &&
                             strcmp(json_string_value(v), "offline"))) {
    json_decref(o);
    return fail(c, 400, "field 'state': expected available, break or "
                "offline", "state");
  }
  {
    /* Built with jansson: an id is data, never JSON syntax. */
    json_t *e = json_object();
    char *txt;
    json_object_set_new(e, "type", json_string("agent"));
    json_object_set_new(e, "t", json_real(now_t(s)));
    json_object_set_new(e, "agent", json_string(agent));
    json_object_set_new(e, "state", json_incref(v));
    txt = json_dumps(e, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(e);
    n = txt ? snprintf(line, sizeof line, "%s", txt) : 0;
    free(txt);
    if (n <= 0 || (size_t)n >= sizeof line) {
      json_decref(o);
      return fail(c, 500, "cannot build the event", NULL);
    }
  }
  snprintf(c->detail, sizeof c->detail, "agent %s: %s", agent,
           json_string_value(v));
  json_decref(o);
  rc = maat__eventlog_begin(s->log);
  if (!rc)
    rc = apply_line(s, line, (size_t)n, &ev);
  if (rc)
    return library_error(c, rc);
  reply = json_object();
  json_object_set_new(reply, "agent", json_string(agent));
  json_object_set_new(reply, "requested", json_string(
      agent_states[ev.state >= 0 && ev.state <= 4 ? ev.state : 0]));
  json_object_set_new(reply, "state", json_string(
      agent_states[maat__router_agent_state(s->router, i)]));
  c->audit = 1;
  return ok_json(c, 200, reply);
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

static enum MHD_Result post_done(struct call *c, const char *id)
{
  struct maat_server *s = c->s;
  enum MHD_Result ret;
  struct scontact *sc = find_contact(s, id);
  json_t *o, *v, *reply;
  struct maat_event ev;
  int energy = 0, csat = 0, nps = 0, bad = 0, rc;
  const char *outcome = NULL, *note = NULL, *badf = NULL;

  if (!sc)
    return fail(c, 404, "no such contact", NULL);
  if (c->who.role == MAAT_ROLE_AGENT && (sc->state != C_ASSIGNED ||
                                          strcmp(sc->to, c->who.agent)))
    return fail(c, 403, "an agent may close only its own contacts", NULL);
  if (sc->state == C_DONE || sc->state == C_ABANDONED)
    return fail(c, 409, "the contact is already closed", NULL);
  o = parse_body(c, &ret);
  if (!o)
    return ret;
  v = json_object_get(o, "outcome");
  if (v && (!json_is_string(v) || json_string_length(v) > 63))
    badf = "outcome";
  outcome = v && json_is_string(v) ? json_string_value(v) : NULL;
  if (!badf && (int_field(o, "energy", 1, 5, &energy, &bad), bad))
    badf = "energy";
  if (!badf && (int_field(o, "csat", 1, 5, &csat, &bad), bad))
    badf = "csat";
  if (!badf && (int_field(o, "nps", 0, 10, &nps, &bad), bad))
    badf = "nps";
  v = json_object_get(o, "note");
  if (!badf && v && (!json_is_string(v) || json_string_length(v) > 500))
    badf = "note";
  note = v && json_is_string(v) ? json_string_value(v) : NULL;
  if (!badf && (energy || note) && sc->state != C_ASSIGNED)
    badf = "energy";
  if (badf) {
    char msg[160];
    snprintf(msg, sizeof msg, "field '%s': %s", badf,
             !strcmp(badf, "energy") ? "a check-in of 1 to 5, only for a "
             "contact a person handled" : !strcmp(badf, "nps") ? "expected "
             "0 to 10" : !strcmp(badf, "note") ? "expected a string of at "
             "most 500 bytes" : !strcmp(badf, "outcome") ? "expected a string "
             "of at most 63 bytes" : "expected 1 to 5");
    json_decref(o);
    return fail(c, 400, msg, badf);
  }
  rc = maat__eventlog_begin(s->log);
  if (!rc && sc->state == C_BOT) {
    /* The router forgot it when the bot took it: only the outcome counts,
     * kept in its own table so that a restart still knows it. */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO bot_outcomes (contact, t, "
                           "outcome) VALUES (?, ?, ?)", -1, &st,
                           NULL) != SQLITE_OK)
      rc = maat__fail(MAAT_EDB, "cannot store the outcome");
    else {
      sqlite3_bind_text(st, 1, sc->id, -1, SQLITE_STATIC);
      sqlite3_bind_double(st, 2, now_t(s));
      if (outcome)
        sqlite3_bind_text(st, 3, outcome, -1, SQLITE_STATIC);
      if (sqlite3_step(st) != SQLITE_DONE)
        rc = maat__fail(MAAT_EDB, "cannot store the outcome: %s",
                        sqlite3_errmsg(s->db));
      sqlite3_finalize(st);
    }
    if (!rc) {
      if (outcome && !strcmp(outcome, "handed_back"))
        s->handbacks++;
      set_state(s, sc, C_DONE);
    }
  } else if (!rc) {
    json_t *line = json_object();
    char *txt;
    int was_assigned = sc->state == C_ASSIGNED;
    json_object_set_new(line, "type", json_string("done"));
    json_object_set_new(line, "t", json_real(now_t(s)));
    json_object_set_new(line, "contact", json_string(id));
    if (outcome)
      json_object_set_new(line, "outcome", json_string(outcome));
    if (energy)
      json_object_set_new(line, "energy", json_integer(energy));
    if (csat)
      json_object_set_new(line, "csat", json_integer(csat));
    if (nps || json_object_get(o, "nps"))
      json_object_set_new(line, "nps", json_integer(nps));
    txt = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(line);
    rc = txt ? apply_line(s, txt, strlen(txt), &ev)
             : maat__fail(MAAT_ENOMEM, "out of memory");
    free(txt);
    if (!rc && energy && was_assigned) {
      /* The check-in: private to the agent who handled the contact. */
      sqlite3_stmt *st;
      if (sqlite3_prepare_v2(s->db, "INSERT INTO checkins (agent, contact, "
                             "t, energy, note, intent, tone) VALUES (?, ?, ?,"
                             " ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
        rc = maat__fail(MAAT_EDB, "cannot store the check-in");
      else {
        sqlite3_bind_text(st, 1, sc->to, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, sc->id, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 3, s->t);
        sqlite3_bind_int(st, 4, energy);
        if (note)
          sqlite3_bind_text(st, 5, note, -1, SQLITE_STATIC);
        if (sc->intent[0])
          sqlite3_bind_text(st, 6, sc->intent, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, maat_tone_name(sc->tone), -1,
                          SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
          rc = maat__fail(MAAT_EDB, "cannot store the check-in: %s",
                          sqlite3_errmsg(s->db));
        sqlite3_finalize(st);
      }
    }
  }
  if (!rc && outcome && sc->state == C_DONE && !sc->outcome)
    sc->outcome = strdup(outcome);
  json_decref(o);
  if (rc)
    return library_error(c, rc);
  reply = json_object();
  json_object_set_new(reply, "id", json_string(id));
  json_object_set_new(reply, "state", json_string(state_names[sc->state]));
  snprintf(c->detail, sizeof c->detail, "contact %s closed", id);
  c->audit = 1;
  return ok_json(c, 200, reply);
}

static enum MHD_Result get_contact(struct call *c, const char *id)
{
  struct scontact *sc = find_contact(c->s, id);
  json_t *o;

  c->audit = 1;  /* a contact's record is a customer's personal data */
  snprintf(c->detail, sizeof c->detail, "contact %s", id);
  if (!sc)
    return fail(c, 404, "no such contact", NULL);
  if (c->who.role == MAAT_ROLE_AGENT && strcmp(sc->to, c->who.agent))
    return fail(c, 403, "an agent may read only its own contacts", NULL);
  o = json_object();
  json_object_set_new(o, "id", json_string(sc->id));
  json_object_set_new(o, "customer", sc->customer[0] ?
                      json_string(sc->customer) : json_null());
  json_object_set_new(o, "state", json_string(state_names[sc->state]));
  json_object_set_new(o, "arrived_t", json_real(sc->t_in));
  json_object_set_new(o, "triage", sc->triage ?
                      json_loads(sc->triage, 0, NULL) : json_null());
  json_object_set_new(o, "decision", decision_of(sc, c->s));
  json_object_set_new(o, "outcome", sc->outcome ? json_string(sc->outcome)
                                                 : json_null());
  return ok_json(c, 200, o);
}

static enum MHD_Result get_queue(struct call *c)
{
  struct maat_server *s = c->s;
  json_t *o = json_object(), *tiers = json_object(), *prios = json_object();
  json_t *list = json_array();
  double oldest = 0, t = now_t(s);
  const char *lim = MHD_lookup_connection_value(c->conn,
                                                MHD_GET_ARGUMENT_KIND, "limit");
  size_t limit = 50;

  if (lim) {
    char *end;
    long v = strtol(lim, &end, 10);
    if (*end || v < 0 || v > 1000) {
      json_decref(o);
      json_decref(tiers);
      json_decref(prios);
      json_decref(list);
      return fail(c, 400, "limit: expected 0 to 1000", "limit");
    }
    limit = (size_t)v;
  }
  /* Contacts are in arrival order: the first queued one waited longest. */
  while (s->first_q < s->ncs && s->cs[s->first_q].state != C_QUEUED)
    s->first_q++;
  if (s->first_q < s->ncs)
    oldest = t - s->cs[s->first_q].t_in;
  for (size_t k = s->first_q; k < s->ncs && json_array_size(list) < limit;
       k++) {
    const struct scontact *sc = &s->cs[k];
    json_t *e;
    if (sc->state != C_QUEUED)
      continue;
    e = json_object();
    json_object_set_new(e, "id", json_string(sc->id));
    json_object_set_new(e, "tier", json_string(maat_tier_name(sc->tier)));
    json_object_set_new(e, "priority", json_integer(sc->priority));
    json_object_set_new(e, "tone", json_string(maat_tone_name(sc->tone)));
    json_object_set_new(e, "wait_s", json_real(t - sc->t_in));
    json_array_append_new(list, e);
  }
  for (int k = 1; k <= 3; k++)
    json_object_set_new(tiers, maat_tier_name(k), json_integer(s->q_tier[k]));
  for (int k = 0; k <= 3; k++) {
    char key[4];
    snprintf(key, sizeof key, "%d", k);
    json_object_set_new(prios, key, json_integer(s->q_prio[k]));
  }
  json_object_set_new(o, "t", json_real(t));
  json_object_set_new(o, "length", json_integer(s->q_len));
  json_object_set_new(o, "by_tier", tiers);
  json_object_set_new(o, "by_priority", prios);
  json_object_set_new(o, "oldest_wait_s", json_real(oldest));
  json_object_set_new(o, "target_s",
                      json_real(s->team->set[MAAT__S_SERVICE_TARGET]));
  json_object_set_new(o, "waiting", list);
  return ok_json(c, 200, o);
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static enum MHD_Result get_team(struct call *c)
{
  struct maat_server *s = c->s;
  json_t *o = json_object(), *agents = json_object(), *hours = json_array();
  json_t *recent = json_array(), *bot = json_object();
  long counts[5] = { 0 }, on = 0, bot_total = 0, person = 0;
  double *st = maat__calloc(s->team->n ? s->team->n : 1, sizeof *st);
  int min_group = s->o.min_group;

  for (size_t i = 0; i < s->team->n; i++) {
    int state = maat__router_agent_state(s->router, (int)i);
    counts[state >= 0 && state <= 4 ? state : 0]++;
    if (state != MAAT_AGENT_OFFLINE && st)
      st[on++] = maat__router_strain(s->router, (int)i);
  }
  for (int k = 0; k <= 4; k++)
    json_object_set_new(agents, agent_states[k], json_integer(counts[k]));
  json_object_set_new(agents, "on_shift", json_integer(on));
  json_object_set_new(o, "agents", agents);
  /* Strain only as an aggregate over enough people to hide anyone. */
  if (on >= min_group && st) {
    json_t *a = json_object();
    double sum = 0;
    long over = 0;
    qsort(st, (size_t)on, sizeof *st, cmp_double);
    for (long k = 0; k < on; k++) {
      sum += st[k];
      over += st[k] > s->team->set[MAAT__S_OVERLOAD];
    }
    json_object_set_new(a, "mean", json_real(sum / on));
    json_object_set_new(a, "p90", json_real(st[(size_t)(0.9 * (on - 1))]));
    json_object_set_new(a, "over_line", json_integer(over));
    json_object_set_new(a, "overload_line",
                        json_real(s->team->set[MAAT__S_OVERLOAD]));
    json_object_set_new(o, "strain", a);
  } else {
    json_object_set_new(o, "strain", json_null());
    json_object_set_new(o, "strain_withheld", json_string(
        "fewer agents on shift than the minimum group for team aggregates"));
  }
  maat__free(st);
  for (int h = 0; h < 24; h++)
    json_array_append_new(hours, s->strain_n[h] >= min_group
                          ? json_real(s->strain_sum[h] / s->strain_n[h])
                          : json_null());
  json_object_set_new(o, "strain_by_hour", hours);
  json_object_set_new(o, "min_group", json_integer(min_group));
  for (int k = 1; k <= 3; k++) {
    bot_total += s->decisions[k][0];
    person += s->decisions[k][1];
  }
  json_object_set_new(bot, "contacts", json_integer(bot_total));
  json_object_set_new(bot, "share", json_real(bot_total + person ?
                      (double)bot_total / (bot_total + person) : 0));
  json_object_set_new(bot, "handed_back", json_integer(s->handbacks));
  json_object_set_new(o, "bot", bot);
  json_object_set_new(o, "to_people", json_integer(person));
  json_object_set_new(o, "service_level", s->waited ?
                      json_real((double)s->within / s->waited) : json_null());
  json_object_set_new(o, "avg_wait_s", s->waited ?
                      json_real(s->wait_sum / s->waited) : json_null());
  json_object_set_new(o, "target_s",
                      json_real(s->team->set[MAAT__S_SERVICE_TARGET]));
  for (long k = s->nrecent - 1; k >= 0 && k >= s->nrecent - 20; k--) {
    const struct recent *r = &s->recent[k % RING];
    json_t *e = json_object();
    json_object_set_new(e, "t", json_real(r->t));
    json_object_set_new(e, "contact", json_string(r->contact));
    json_object_set_new(e, "to", json_string(strcmp(r->to, "bot") ? "person"
                                                                   : "bot"));
    json_object_set_new(e, "tier", json_string(maat_tier_name(r->tier)));
    json_object_set_new(e, "reasons", json_string(r->reasons));
    json_array_append_new(recent, e);
  }
  json_object_set_new(o, "recent_decisions", recent);
  json_object_set_new(o, "warnings", json_integer(s->warnings));
  json_object_set_new(o, "t", json_real(now_t(s)));
  return ok_json(c, 200, o);
}

static enum MHD_Result get_warnings(struct call *c)
{
  struct maat_server *s = c->s;
  json_t *o = json_object(), *list = json_array();
  long personal = 0;

  for (long k = s->nwarns - 1; k >= 0 && k >= s->nwarns - RING; k--) {
    const struct warn *w = &s->warns[k % RING];
    json_t *e = json_object();
    json_object_set_new(e, "t", json_real(w->t));
    json_object_set_new(e, "kind", json_string(w->kind));
    json_object_set_new(e, "message", json_string(w->message));
    json_array_append_new(list, e);
  }
  for (size_t i = 0; i < s->team->n; i++)
    personal += s->nagent_warns[i];
  json_object_set_new(o, "warnings", list);
  /* Personal warnings go to their agent; the team sees only how many. */
  json_object_set_new(o, "personal_warnings", json_integer(personal));
  return ok_json(c, 200, o);
}

static enum MHD_Result get_agent(struct call *c, const char *agent)
{
  struct maat_server *s = c->s;
  int i = agent_index(s, agent);
  json_t *o, *list, *kinds, *warns;
  sqlite3_stmt *st;
  const struct maat__ragent *a;

  c->audit = 1;
  snprintf(c->detail, sizeof c->detail, "agent %s", agent);
  /* Wellbeing data is private to the agent: not even admin or lead. */
  if (c->who.role != MAAT_ROLE_AGENT || strcmp(c->who.agent, agent))
    return fail(c, 403, "an agent's own view is for that agent only", NULL);
  if (i < 0)
    return fail(c, 404, "no such agent", NULL);
  a = &s->router->agents[i];
  o = json_object();
  json_object_set_new(o, "id", json_string(agent));
  json_object_set_new(o, "state", json_string(
      agent_states[maat__router_agent_state(s->router, i)]));
  json_object_set_new(o, "next_state", a->pending >= 0 && a->pending <= 4
                      ? json_string(agent_states[a->pending]) : json_null());
  json_object_set_new(o, "strain", json_real(maat__router_strain(s->router,
                                                                 i)));
  json_object_set_new(o, "overload_line",
                      json_real(s->team->set[MAAT__S_OVERLOAD]));
  json_object_set_new(o, "recovery_to",
                      json_real(s->team->set[MAAT__S_RECOVERY_TO]));
  json_object_set_new(o, "in_recovery", json_boolean(a->state ==
                                                     MAAT_AGENT_RECOVERY));
  json_object_set_new(o, "recovery_left_s", json_real(
      a->state == MAAT_AGENT_RECOVERY && a->recovery_until > s->t
          ? a->recovery_until - s->t : 0));
  json_object_set_new(o, "heavy_in_a_row", json_integer(a->streak));
  json_object_set_new(o, "heavy_today", json_integer(a->heavy_today));
  list = json_array();
  if (sqlite3_prepare_v2(s->db, "SELECT t, energy, note, intent, tone FROM "
                         "checkins WHERE agent = ? ORDER BY seq DESC LIMIT "
                         "20", -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, agent, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
      json_t *e = json_object();
      const char *note = (const char *)sqlite3_column_text(st, 2);
      const char *intent = (const char *)sqlite3_column_text(st, 3);
      json_object_set_new(e, "t", json_real(sqlite3_column_double(st, 0)));
      json_object_set_new(e, "energy", json_integer(sqlite3_column_int(st,
                                                                       1)));
      json_object_set_new(e, "note", note ? json_string(note) : json_null());
      json_object_set_new(e, "intent", intent ? json_string(intent)
                                              : json_null());
      json_object_set_new(e, "tone", json_string(
          (const char *)sqlite3_column_text(st, 4)));
      json_array_append_new(list, e);
    }
    sqlite3_finalize(st);
  }
  json_object_set_new(o, "checkins", list);
  kinds = json_array();
  if (sqlite3_prepare_v2(s->db, "SELECT coalesce(intent, '(none)'), tone, "
                         "count(*), avg(energy) FROM checkins WHERE agent = ? "
                         "GROUP BY 1, 2 ORDER BY 4 DESC", -1, &st,
                         NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, agent, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
      json_t *e = json_object();
      json_object_set_new(e, "intent", json_string(
          (const char *)sqlite3_column_text(st, 0)));
      json_object_set_new(e, "tone", json_string(
          (const char *)sqlite3_column_text(st, 1)));
      json_object_set_new(e, "checkins", json_integer(sqlite3_column_int(st,
                                                                         2)));
      json_object_set_new(e, "mean_energy",
                          json_real(sqlite3_column_double(st, 3)));
      json_array_append_new(kinds, e);
    }
    sqlite3_finalize(st);
  }
  json_object_set_new(o, "energy_by_kind", kinds);
  warns = json_array();
  for (long k = s->nagent_warns[i] - 1; k >= 0 &&
                                        k >= s->nagent_warns[i] - AGENT_RING;
       k--) {
    const struct warn *w = &s->agent_warns[(size_t)i * AGENT_RING +
                                           (size_t)(k % AGENT_RING)];
    json_t *e = json_object();
    json_object_set_new(e, "t", json_real(w->t));
    json_object_set_new(e, "kind", json_string(w->kind));
    json_object_set_new(e, "message", json_string(w->message));
    json_array_append_new(warns, e);
  }
  json_object_set_new(o, "warnings", warns);
  json_object_set_new(o, "t", json_real(now_t(s)));
  return ok_json(c, 200, o);
}

static enum MHD_Result get_metrics(struct call *c)
{
  struct maat_server *s = c->s;
  struct maat_buf b = MAAT_BUF_INIT;
  long *queued = s->q_tier, on = 0;
  double oldest = 0, t = now_t(s), sum = 0;
  char *out;

  while (s->first_q < s->ncs && s->cs[s->first_q].state != C_QUEUED)
    s->first_q++;
  if (s->first_q < s->ncs)
    oldest = t - s->cs[s->first_q].t_in;
  maat__buf_printf(&b, "# HELP maat_queue_length Contacts waiting for a "
                   "person.\n# TYPE maat_queue_length gauge\n");
  for (int k = 1; k <= 3; k++)
    maat__buf_printf(&b, "maat_queue_length{tier=\"%s\"} %ld\n",
                     maat_tier_name(k), queued[k]);
  maat__buf_printf(&b, "# HELP maat_queue_oldest_wait_seconds The longest "
                   "current wait.\n# TYPE maat_queue_oldest_wait_seconds "
                   "gauge\nmaat_queue_oldest_wait_seconds %.3f\n", oldest);
  maat__buf_printf(&b, "# HELP maat_wait_seconds_sum Waits of contacts "
                   "assigned to people.\n# TYPE maat_wait_seconds summary\n"
                   "maat_wait_seconds_sum %.3f\nmaat_wait_seconds_count %ld\n",
                   s->wait_sum, s->waited);
  maat__buf_printf(&b, "# HELP maat_decisions_total Assignments by tier, "
                   "bot or person, and policy.\n# TYPE maat_decisions_total "
                   "counter\n");
  for (int k = 1; k <= 3; k++)
    for (int p = 0; p < 2; p++)
      maat__buf_printf(&b, "maat_decisions_total{tier=\"%s\",to=\"%s\","
                       "policy=\"%s\"} %ld\n", maat_tier_name(k),
                       p ? "person" : "bot", s->policy, s->decisions[k][p]);
  maat__buf_printf(&b, "# TYPE maat_contacts_total counter\n"
                   "maat_contacts_total %ld\n# TYPE maat_abandoned_total "
                   "counter\nmaat_abandoned_total %ld\n# TYPE "
                   "maat_handed_back_total counter\nmaat_handed_back_total "
                   "%ld\n# HELP maat_warnings_total Early and overload "
                   "warnings.\n# TYPE maat_warnings_total counter\n"
                   "maat_warnings_total %ld\n", s->contacts, s->abandoned,
                   s->handbacks, s->warnings);
  for (size_t i = 0; i < s->team->n; i++)
    if (maat__router_agent_state(s->router, (int)i) != MAAT_AGENT_OFFLINE) {
      on++;
      sum += maat__router_strain(s->router, (int)i);
    }
  maat__buf_printf(&b, "# HELP maat_agents_on_shift Agents not offline.\n"
                   "# TYPE maat_agents_on_shift gauge\nmaat_agents_on_shift "
                   "%ld\n", on);
  if (on >= s->o.min_group)
    maat__buf_printf(&b, "# HELP maat_team_strain_mean Mean strain of the "
                     "agents on shift (only over the minimum group).\n"
                     "# TYPE maat_team_strain_mean gauge\n"
                     "maat_team_strain_mean %.4f\n", sum / on);
  if (!b.data)
    return fail(c, 500, "out of memory", NULL);
  out = malloc(b.len + 1);
  if (!out) {
    maat__buf_release(&b);
    return fail(c, 500, "out of memory", NULL);
  }
  memcpy(out, b.data, b.len + 1);
  c->status = 200;
  {
    size_t n = b.len;
    maat__buf_release(&b);
    return send_buf(c->conn, 200, out, n, "text/plain; version=0.0.4");
  }
}

/* ---- admin: tokens ---- */

static int list_token(void *ctx, const struct maat_token_info *t)
{
  json_t *e = json_object();
  json_object_set_new(e, "id", json_integer(t->id));
  json_object_set_new(e, "role", json_string(maat_role_name(t->role)));
  json_object_set_new(e, "agent", t->agent[0] ? json_string(t->agent)
                                               : json_null());
  json_object_set_new(e, "created", json_real(t->created));
  json_object_set_new(e, "revoked", t->revoked ? json_real(t->revoked)
                                               : json_null());
  json_array_append_new(ctx, e);
  return 0;
}

static enum MHD_Result tokens(struct call *c, const char *id)
{
  struct maat_server *s = c->s;
  int rc;

  c->audit = 1;
  if (!strcmp(c->method, "GET") && !id) {
    json_t *list = json_array(), *o = json_object();
    rc = maat_token_list(s->db_path, list_token, list);
    json_object_set_new(o, "tokens", list);
    if (rc) {
      json_decref(o);
      return library_error(c, rc);
    }
    return ok_json(c, 200, o);
  }
  if (!strcmp(c->method, "POST") && !id) {
    enum MHD_Result ret;
    json_t *o = parse_body(c, &ret), *v, *reply;
    char token[MAAT_TOKEN_LEN + 1];
    const char *agent = NULL;
    long tid;
    int role;
    if (!o)
      return ret;
    v = json_object_get(o, "role");
    if (!json_is_string(v) || maat_role_parse(json_string_value(v), &role)) {
      json_decref(o);
      return fail(c, 400, "field 'role': expected integration, agent, lead "
                  "or admin", "role");
    }
    v = json_object_get(o, "agent");
    if (v && json_is_string(v))
      agent = json_string_value(v);
    if (agent && agent_index(s, agent) < 0) {
      json_decref(o);
      return fail(c, 400, "field 'agent': not an agent of the team", "agent");
    }
    rc = maat_token_add(s->db_path, role, agent, token, &tid);
    json_decref(o);
    if (rc)
      return fail(c, 400, maat_errmsg(), "agent");
    reply = json_object();
    json_object_set_new(reply, "id", json_integer(tid));
    json_object_set_new(reply, "token", json_string(token));
    snprintf(c->detail, sizeof c->detail, "token %ld created", tid);
    return ok_json(c, 201, reply);
  }
  if (!strcmp(c->method, "DELETE") && id) {
    char *end;
    long tid = strtol(id, &end, 10);
    if (*end || tid <= 0)
      return fail(c, 404, "no such token", NULL);
    rc = maat_token_revoke(s->db_path, tid);
    if (rc)
      return library_error(c, rc);
    snprintf(c->detail, sizeof c->detail, "token %ld revoked", tid);
    c->status = 204;
    return send_buf(c->conn, 204, strdup(""), 0, "application/json");
  }
  return fail(c, 405, "method not allowed", NULL);
}

/* ---- the web pages' files ---- */

static enum MHD_Result static_file(struct call *c, const char *path)
{
  static const struct { const char *ext, *type; } types[] = {
    { ".html", "text/html; charset=utf-8" }, { ".js", "text/javascript" },
    { ".css", "text/css" }, { ".json", "application/json" },
    { ".svg", "image/svg+xml" }, { ".png", "image/png" },
    { ".ico", "image/x-icon" },
  };
  char full[4096];
  const char *type = "application/octet-stream", *dot;
  struct stat st;
  FILE *f;
  char *buf;

  if (!c->s->web_root || strstr(path, "..") || strchr(path, '\\'))
    return fail(c, 404, "not found", NULL);
  snprintf(full, sizeof full, "%s/%s", c->s->web_root, path);
  if (stat(full, &st) || !S_ISREG(st.st_mode) || st.st_size > (64 << 20))
    return fail(c, 404, "not found", NULL);
  dot = strrchr(path, '.');
  for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
    if (!strcmp(dot, types[i].ext))
      type = types[i].type;
  f = fopen(full, "rb");
  buf = malloc((size_t)st.st_size + 1);
  if (!f || !buf || fread(buf, 1, (size_t)st.st_size, f) !=
                        (size_t)st.st_size) {
    if (f)
      fclose(f);
    free(buf);
    return fail(c, 500, "cannot read the file", NULL);
  }
  fclose(f);
  c->status = 200;
  return send_buf(c->conn, 200, buf, (size_t)st.st_size, type);
}

/* ---- dispatch ---- */

static int role_in(const struct call *c, unsigned mask)
{
  return c->who.role && (mask & (1u << c->who.role));
}

#define R(x) (1u << MAAT_ROLE_##x)

/* Splits "/v1/contacts/ID/done" style paths; 'seg' gets up to 4 parts. */
static int segments(const char *url, char seg[4][MAAT_ID_MAX + 1])
{
  int n = 0;
  const char *p = url;

  while (*p == '/')
    p++;
  while (*p && n < 4) {
    const char *q = strchr(p, '/');
    size_t len = q ? (size_t)(q - p) : strlen(p);
    if (len > MAAT_ID_MAX)
      return -1;
    memcpy(seg[n], p, len);
    seg[n++][len] = '\0';
    p += len;
    while (*p == '/')
      p++;
  }
  return *p ? -1 : n;
}

static enum MHD_Result route_call(struct call *c)
{
  char seg[4][MAAT_ID_MAX + 1];
  int n = segments(c->url, seg);
  int get = !strcmp(c->method, "GET"), post = !strcmp(c->method, "POST");
  const char *auth;

  if (n < 0)
    return fail(c, 404, "not found", NULL);
  if (get && n == 1 && !strcmp(seg[0], "healthz")) {
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string("ok"));
    json_object_set_new(o, "events", json_integer(c->s->events));
    json_object_set_new(o, "t", json_real(now_t(c->s)));
    return ok_json(c, 200, o);
  }
  if (get && (n == 0 || (n == 1 && (!strcmp(seg[0], "dashboard") ||
                                    !strcmp(seg[0], "me")))))
    return static_file(c, n == 0 ? "index.html" : !strcmp(seg[0], "me")
                                                   ? "me.html"
                                                   : "dashboard.html");
  if (get && n == 2 && !strcmp(seg[0], "assets")) {
    char path[MAAT_ID_MAX + 8];
    snprintf(path, sizeof path, "assets/%s", seg[1]);
    return static_file(c, path);
  }
  if (!(n == 1 && !strcmp(seg[0], "metrics")) &&
      (n < 2 || strcmp(seg[0], "v1")))
    return fail(c, 404, "not found", NULL);

  auth = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND,
                                     "Authorization");
  /* Helpdesk webhooks: a token, or the helpdesk's signature. */
  if (n == 3 && post && !strcmp(seg[1], "webhooks") &&
      (!strcmp(seg[2], "chatwoot") || !strcmp(seg[2], "zammad"))) {
    if (auth && !strncmp(auth, "Bearer ", 7))
      maat__token_check(c->s->db, auth + 7, strlen(auth + 7), &c->who);
    return !strcmp(seg[2], "chatwoot") ? webhook_chatwoot(c)
                                       : webhook_zammad(c);
  }

  /* Everything below needs a token. */
  if (!auth || strncmp(auth, "Bearer ", 7) ||
      maat__token_check(c->s->db, auth + 7, strlen(auth + 7), &c->who)) {
    c->audit = 1;
    return fail(c, 401, "a valid bearer token is needed", NULL);
  }

#define NEED(mask)                                                          \
  do {                                                                      \
    if (!role_in(c, (mask))) {                                              \
      c->audit = 1;                                                         \
      return fail(c, 403, "this role may not do that", NULL);               \
    }                                                                       \
  } while (0)

  if (n == 1 && !strcmp(seg[0], "metrics") && get) {
    NEED(R(LEAD) | R(ADMIN));
    return get_metrics(c);
  }
  if (n == 2 && !strcmp(seg[1], "contacts") && post) {
    NEED(R(INTEGRATION) | R(ADMIN));
    return post_contact(c);
  }
  if (n == 3 && !strcmp(seg[1], "contacts") && get) {
    NEED(R(INTEGRATION) | R(LEAD) | R(ADMIN) | R(AGENT));
    return get_contact(c, seg[2]);
  }
  if (n == 4 && !strcmp(seg[1], "contacts") && !strcmp(seg[3], "done") &&
      post) {
    NEED(R(INTEGRATION) | R(AGENT) | R(ADMIN));
    return post_done(c, seg[2]);
  }
  if (n == 4 && !strcmp(seg[1], "agents") && !strcmp(seg[3], "state") &&
      post) {
    NEED(R(AGENT) | R(ADMIN));
    return post_agent_state(c, seg[2]);
  }
  if (n == 3 && !strcmp(seg[1], "agents") && get) {
    NEED(R(AGENT));
    return get_agent(c, seg[2]);
  }
  if (n == 2 && !strcmp(seg[1], "queue") && get) {
    NEED(R(LEAD) | R(ADMIN));
    return get_queue(c);
  }
  if (n == 2 && !strcmp(seg[1], "team") && get) {
    NEED(R(LEAD) | R(ADMIN));
    return get_team(c);
  }
  if (n == 2 && !strcmp(seg[1], "warnings") && get) {
    NEED(R(LEAD) | R(ADMIN));
    return get_warnings(c);
  }
  if ((n == 2 || n == 3) && !strcmp(seg[1], "tokens")) {
    NEED(R(ADMIN));
    return tokens(c, n == 3 ? seg[2] : NULL);
  }
  if (n == 2 && !strcmp(seg[1], "whoami") && get) {
    json_t *o = json_object();
    json_object_set_new(o, "role", json_string(maat_role_name(c->who.role)));
    json_object_set_new(o, "agent", c->who.agent[0] ?
                        json_string(c->who.agent) : json_null());
    return ok_json(c, 200, o);
  }
  return fail(c, 404, "not found", NULL);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn,
                               const char *url, const char *method,
                               const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
  struct maat_server *s = cls;
  struct request *rq = *con_cls;
  struct call c;
  enum MHD_Result ret;

  (void)version;
  if (!rq) {
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 "Content-Length");
    rq = calloc(1, sizeof *rq);
    if (!rq)
      return MHD_NO;
    *con_cls = rq;
    if (cl && strtoull(cl, NULL, 10) > s->o.max_body)
      rq->too_big = 1;
    return MHD_YES;
  }
  if (*upload_size) {
    if (!rq->too_big && rq->len + *upload_size <= s->o.max_body) {
      if (rq->len + *upload_size + 1 > rq->cap) {
        size_t cap = (rq->len + *upload_size + 1) * 2;
        char *p;
        if (cap > s->o.max_body + 1)
          cap = s->o.max_body + 1;
        p = realloc(rq->body, cap);
        if (!p)
          return MHD_NO;
        rq->body = p;
        rq->cap = cap;
      }
      memcpy(rq->body + rq->len, upload, *upload_size);
      rq->len += *upload_size;
      rq->body[rq->len] = '\0';
    } else {
      rq->too_big = 1;  /* read and drop the rest, then say 413 */
    }
    *upload_size = 0;
    return MHD_YES;
  }
  memset(&c, 0, sizeof c);
  c.s = s;
  c.conn = conn;
  c.method = method;
  c.url = url;
  c.body = rq->body;
  c.len = rq->len;
  pthread_mutex_lock(&s->mu);
  if (rq->too_big) {
    char msg[96];
    snprintf(msg, sizeof msg, "body: larger than %zu bytes", s->o.max_body);
    ret = fail(&c, 413, msg, NULL);
  } else {
    ret = route_call(&c);
  }
  /* State changes and personal reads are audited, with refusals. */
  if (c.audit || (strcmp(method, "GET") && strcmp(method, "HEAD") &&
                  c.status)) {
    if (maat__eventlog_begin(s->log) == MAAT_OK &&
        maat__audit(s->db, &c.who, method, url, c.status,
                    c.detail[0] ? c.detail : NULL) == MAAT_OK)
      maat_eventlog_commit(s->log);
  } else {
    maat_eventlog_commit(s->log);
  }
  pthread_mutex_unlock(&s->mu);
  return ret;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
  struct request *rq = *con_cls;

  (void)cls;
  (void)conn;
  (void)toe;
  if (rq) {
    free(rq->body);
    free(rq);
    *con_cls = NULL;
  }
}

/* ---- start and stop ---- */

static int rebuild_one(void *ctx, const char *line, size_t len)
{
  struct maat_server *s = ctx;
  struct maat_event ev;

  return apply_line(s, line, len, &ev);
}

static int read_meta(struct maat_server *s, const char *key, double *v)
{
  sqlite3_stmt *st;
  int found = 0;

  if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?", -1,
                         &st, NULL) != SQLITE_OK)
    return 0;
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW) {
    *v = strtod((const char *)sqlite3_column_text(st, 0), NULL);
    found = 1;
  }
  sqlite3_finalize(st);
  return found;
}

static int write_meta(struct maat_server *s, const char *key, double v)
{
  sqlite3_stmt *st;
  char buf[64];
  int rc = MAAT_OK;

  snprintf(buf, sizeof buf, "%.6f", v);
  if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                         -1, &st, NULL) != SQLITE_OK)
    return maat__fail(MAAT_EDB, "cannot write the server's clock");
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, buf, -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st) != SQLITE_DONE)
    rc = maat__fail(MAAT_EDB, "cannot write the server's clock: %s",
                    sqlite3_errmsg(s->db));
  sqlite3_finalize(st);
  return rc;
}

static unsigned long long file_hash(const char *path)
{
  FILE *f = fopen(path, "rb");
  unsigned long long h = 0xcbf29ce484222325ULL;
  int ch;

  if (!f)
    return 0;
  while ((ch = getc(f)) != EOF)
    h = (h ^ (unsigned char)ch) * 0x100000001b3ULL;
  fclose(f);
  return h;
}

int maat_server_start(maat_server **out, const struct maat_serve_options *o)
{
  struct maat_server *s;
  union {
    struct sockaddr sa;
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
  } addr;
  const char *bind = o && o->bind ? o->bind : "127.0.0.1";
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
  char config[256];
  int rc;

  if (!out || !o || !o->team_path || !o->db_path)
    return maat__fail(MAAT_EINVAL, "maat serve needs a team and a database");
  s = maat__calloc(1, sizeof *s);
  if (!s)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  s->o = *o;
  if (!s->o.max_body)
    s->o.max_body = 1 << 20;
  if (s->o.min_group <= 0)
    s->o.min_group = 5;
  s->speed = o->clock_speed > 0 ? o->clock_speed : 1;
  snprintf(s->policy, sizeof s->policy, "%s", o->policy ? o->policy : "maat");
  pthread_mutex_init(&s->mu, NULL);
  s->db_path = maat__strdup(o->db_path);
  s->web_root = o->web_root ? maat__strdup(o->web_root) : NULL;
  if (!s->db_path || (o->web_root && !s->web_root)) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
    goto fail;
  }
  /* IPv4 or IPv6; "::" listens on every address of both families. */
  memset(&addr, 0, sizeof addr);
  if (inet_pton(AF_INET, bind, &addr.v4.sin_addr) == 1) {
    addr.v4.sin_family = AF_INET;
    addr.v4.sin_port = htons((uint16_t)o->port);
  } else if (inet_pton(AF_INET6, bind, &addr.v6.sin6_addr) == 1) {
    addr.v6.sin6_family = AF_INET6;
    addr.v6.sin6_port = htons((uint16_t)o->port);
    flags |= IN6_IS_ADDR_UNSPECIFIED(&addr.v6.sin6_addr) ? MHD_USE_DUAL_STACK
                                                         : MHD_USE_IPv6;
  } else {
    rc = maat__fail(MAAT_EINVAL, "bind address '%s': expected an IPv4 or "
                    "IPv6 address such as 127.0.0.1 or ::1", bind);
    goto fail;
  }
  if ((rc = maat_team_load(&s->team, o->team_path)))
    goto fail;
  if ((rc = maat_router_open(&s->router, s->team, s->policy, 0)))
    goto fail;
  rc = o->triage_config ? maat_triage_config_load(&s->tcfg, o->triage_config)
                        : maat_triage_config_default(&s->tcfg);
  if (!rc && o->intent_model)
    rc = maat_model_load(o->intent_model, &s->intent);
  if (!rc && o->tone_model)
    rc = maat_model_load(o->tone_model, &s->tone);
  if (!rc)
    rc = maat_triager_new(&s->tri, s->tcfg, s->intent, s->tone);
  if (rc)
    goto fail;
  s->agent_warns = maat__calloc(s->team->n * AGENT_RING + 1,
                                sizeof *s->agent_warns);
  s->nagent_warns = maat__calloc(s->team->n + 1, sizeof *s->nagent_warns);
  if (!s->agent_warns || !s->nagent_warns) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
    goto fail;
  }
  snprintf(config, sizeof config, "serve policy=%s team=%016llx", s->policy,
           file_hash(o->team_path));
  if ((rc = maat_eventlog_open(&s->log, o->db_path, config)))
    goto fail;
  s->db = maat__eventlog_db(s->log);
  /* Rebuild the queue and the agents from the log: what was acknowledged. */
  s->logging = 0;
  rc = maat_eventlog_each(s->log, rebuild_one, s);
  s->logging = 1;
  if (!rc) {
    /* What became of the bot's contacts, which the log's replay forgets. */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT contact, outcome FROM bot_outcomes "
                           "ORDER BY seq", -1, &st, NULL) == SQLITE_OK) {
      while (sqlite3_step(st) == SQLITE_ROW) {
        struct scontact *sc = find_contact(s, (const char *)
                                           sqlite3_column_text(st, 0));
        const char *what = (const char *)sqlite3_column_text(st, 1);
        if (sc && sc->state == C_BOT) {
          set_state(s, sc, C_DONE);
          if (what) {
            free(sc->outcome);
            sc->outcome = strdup(what);
            s->handbacks += !strcmp(what, "handed_back");
          }
        }
      }
      sqlite3_finalize(st);
    }
  }
  if (rc) {
    maat__fail_prefix(rc, "cannot rebuild from the event log '%s': ",
                      o->db_path);
    goto fail;
  }
  /* The clock: router time continues where the log left it. */
  s->epoch_wall = maat__wall_now();
  {
    double prev_wall, prev_t;
    if (read_meta(s, "serve_epoch_wall", &prev_wall) &&
        read_meta(s, "serve_epoch_t", &prev_t) && s->speed == 1) {
      s->epoch_wall = prev_wall;
      s->epoch_t = prev_t;
    } else {
      time_t now = (time_t)s->epoch_wall;
      struct tm tm;
      localtime_r(&now, &tm);
      /* Router time is seconds since local midnight of the first start. */
      s->epoch_t = s->t > 0 ? s->t
                            : tm.tm_hour * 3600.0 + tm.tm_min * 60 + tm.tm_sec;
      if ((rc = write_meta(s, "serve_epoch_wall", s->epoch_wall)) ||
          (rc = write_meta(s, "serve_epoch_t", s->epoch_t)))
        goto fail;
    }
  }
  s->last_sample = now_t(s);
  s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, handler, s,
                            MHD_OPTION_SOCK_ADDR, &addr.sa,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, s,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
                            MHD_OPTION_END);
  if (!s->mhd) {
    rc = maat__fail(MAAT_EIO, "cannot listen on %s%s%s:%d (in use, or not "
                    "allowed)", strchr(bind, ':') ? "[" : "", bind,
                    strchr(bind, ':') ? "]" : "", o->port);
    goto fail;
  }
  {
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : o->port;
  }
  if (pthread_create(&s->ticker, NULL, ticker, s) != 0) {
    rc = maat__fail(MAAT_ENOMEM, "cannot start the clock thread");
    goto fail;
  }
  s->ticking = 1;
  *out = s;
  return MAAT_OK;
fail:
  maat_server_stop(s);
  return rc;
}

int maat_server_port(const maat_server *s)
{
  return s ? s->port : 0;
}

long maat_server_events(const maat_server *s)
{
  return s ? s->events : 0;
}

void maat_server_stop(maat_server *s)
{
  if (!s)
    return;
  if (s->mhd)
    MHD_stop_daemon(s->mhd);
  if (s->ticking) {
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->ticker, NULL);
  }
  if (s->log)
    maat_eventlog_commit(s->log);
  for (size_t k = 0; k < s->ncs; k++) {
    free(s->cs[k].triage);
    free(s->cs[k].outcome);
  }
  maat__free(s->cs);
  maat__free(s->idx);
  maat__free(s->agent_warns);
  maat__free(s->nagent_warns);
  maat_eventlog_close(s->log);
  maat_router_close(s->router);
  maat_triager_free(s->tri);
  maat_triage_config_free(s->tcfg);
  maat_model_free(s->intent);
  maat_model_free(s->tone);
  maat_team_free(s->team);
  maat__free(s->db_path);
  maat__free(s->web_root);
  pthread_mutex_destroy(&s->mu);
  maat__free(s);
}

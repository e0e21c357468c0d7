/*
 * server.c - 'maat serve' over libmicrohttpd: a thread per connection, so
 * requests run side by side; the engine keeps the state and its own locks,
 * and commits in groups (maat/engine.h), so a 2xx still means durable and
 * reads never wait for a commit. A ticker thread lets router time pass.
 */
#include "server-int.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <stdint.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct request {
  char *body;
  size_t len, cap;
  int too_big;
  const void *route;         /* NULL: refused when the headers came in */
  struct maat_principal who;
};

/*
 * Audit rows for refusals (any 4xx) and reads of team figures are
 * coalesced: the first of a kind (caller, status, and for reads the path)
 * in a minute is written, the rest are counted and written as one row
 * when the minute is over. A flood of bad requests, or a dashboard that
 * polls, writes a row a minute, not one per request.
 */
#define AUDIT_SLOTS 256
#define AUDIT_WINDOW_S 60.0
struct audit_slot {
  char key[96];
  double written;            /* wall time of the last row; 0: free */
  long held;                 /* requests since, not written yet */
  int status;
  char method[8], path[96];
  struct maat_principal who;
};

static void write_audit(struct maat_server *s, struct maat_apply_extra *x)
{
  int64_t ticket = 0;

  if (s->o.follow) {
    /* A follower writes no log: its audit rows go straight in. */
    struct maat_store_audit a;
    memset(&a, 0, sizeof a);
    a.at = maat_wall_now();
    a.token = x->who ? x->who->token : 0;
    a.role = x->who && x->who->role ? maat_role_name(x->who->role) : NULL;
    a.method = x->method;
    a.path = x->path ? x->path : "";
    a.status = x->status;
    a.detail = x->detail;
    if (x->method)
      maat_store_audit_append(s->store, &a);
    return;
  }
  if (maat_engine_audit(s->engine, x, &ticket) == MAAT_OK)
    maat_engine_wait(s->engine, ticket);
}

/* Writes the held count of a slot as one row. Under audit_mu. */
static void flush_slot(struct maat_server *s, struct audit_slot *a,
                       double now)
{
  struct maat_apply_extra x;
  char detail[96];

  if (a->held <= 0)
    return;
  memset(&x, 0, sizeof x);
  snprintf(detail, sizeof detail, "%ld more like this in the minute before",
           a->held);
  x.who = &a->who;
  x.method = a->method;
  x.path = a->path;
  x.status = a->status;
  x.detail = detail;
  x.now = maat__now_t(s);
  write_audit(s, &x);
  a->held = 0;
  a->written = now;
}

static void client_key(struct call *c, char *key, size_t cap)
{
  const union MHD_ConnectionInfo *ci =
      c->conn ? MHD_get_connection_info(c->conn,
                                        MHD_CONNECTION_INFO_CLIENT_ADDRESS)
              : NULL;
  char addr[INET6_ADDRSTRLEN] = "?";

  /* A token holder's refusals are kept apart per path (there are few
   * holders); anyone else's per address and status. */
  if (c->who.token) {
    snprintf(key, cap, "t%ld %d %s %.60s", c->who.token, c->status,
             c->method, c->url);
    return;
  }
  if (ci && ci->client_addr) {
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
      inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, addr,
                sizeof addr);
    else if (sa->sa_family == AF_INET6)
      inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
                addr, sizeof addr);
  }
  snprintf(key, cap, "a%s %d", addr, c->status);
}

/* 1 when this request's row is to be written now, 0 when counted. */
static int coalesce(struct call *c)
{
  struct maat_server *s = c->s;
  struct audit_slot *a = NULL, *oldest = NULL;
  double now = maat_wall_now();
  char key[96];
  int write = 1;

  client_key(c, key, sizeof key);
  pthread_mutex_lock(&s->audit_mu);
  for (int i = 0; i < AUDIT_SLOTS && !a; i++) {
    struct audit_slot *t = &s->slots[i];
    if (t->written && !strcmp(t->key, key))
      a = t;
    else if (!oldest || t->written < oldest->written)
      oldest = t;
  }
  if (a && now - a->written < AUDIT_WINDOW_S) {
    a->held++;
    write = 0;
  } else {
    if (!a) {
      a = oldest;
      flush_slot(s, a, now);
      memset(a, 0, sizeof *a);
      snprintf(a->key, sizeof a->key, "%s", key);
    } else {
      flush_slot(s, a, now);
    }
    a->written = now;
    a->status = c->status;
    a->who = c->who;
    snprintf(a->method, sizeof a->method, "%s", c->method);
    snprintf(a->path, sizeof a->path, "%s", c->url);
  }
  pthread_mutex_unlock(&s->audit_mu);
  return write;
}

/* The ticker writes what was held once its minute is over. */
static void flush_audit(struct maat_server *s)
{
  double now = maat_wall_now();

  if (now - s->last_flush < 1)
    return;
  s->last_flush = now;
  pthread_mutex_lock(&s->audit_mu);
  for (int i = 0; i < AUDIT_SLOTS; i++)
    if (s->slots[i].held && now - s->slots[i].written >= AUDIT_WINDOW_S)
      flush_slot(s, &s->slots[i], now);
  pthread_mutex_unlock(&s->audit_mu);
}

/* Ticks are logged only when they decide something. */
static void *ticker(void *arg)
{
  struct maat_server *s = arg;
  unsigned kb_ticks = 0;

  pthread_mutex_lock(&s->clock_mu);
  while (!s->stop) {
    struct timespec ts;
    char line[96];
    struct maat_applied a;
    struct maat_apply_extra x;
    int n;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 250 * 1000 * 1000;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&s->stop_cv, &s->clock_mu, &ts);
    if (s->stop)
      break;
    pthread_mutex_unlock(&s->clock_mu);
    if (s->o.follow) {
      /* A follower: the leader's ticks come through the log. */
      flush_audit(s);
      if (++kb_ticks % 20 == 0) {
        maat__kb_refresh(s);
        maat__model_refresh(s);
      }
      pthread_mutex_lock(&s->clock_mu);
      continue;
    }
    memset(&x, 0, sizeof x);
    x.now = maat__now_t(s);
    n = snprintf(line, sizeof line, "{\"type\":\"tick\",\"t\":%.3f}",
                 x.now);
    if (maat_engine_apply(s->engine, line, (size_t)n,
                          MAAT_APPLY_TICK_IF_DECIDED | MAAT_APPLY_NOW |
                              MAAT_APPLY_AS_IS, &x,
                          &a) == MAAT_OK)
      maat_engine_wait(s->engine, a.ticket);
    flush_audit(s);
    if (++kb_ticks % 20 == 0) {
      maat__kb_refresh(s);    /* every 5 s: an import since? */
      maat__model_refresh(s); /* a model promoted or put back? */
      maat__retention(s);     /* at most hourly: what the data classes drop */
      maat__retrain_due(s);   /* a scheduled retrain, in its own thread */
    }
    pthread_mutex_lock(&s->clock_mu);
  }
  pthread_mutex_unlock(&s->clock_mu);
  return NULL;
}

/*
 * The courier: the outbox's due calls every second (alerts now, helpdesk
 * write-back), each marked in the store as it goes. Its own thread, so a
 * slow receiver never holds up routing.
 */
static void *courier(void *arg)
{
  struct maat_server *s = arg;

  pthread_mutex_lock(&s->clock_mu);
  while (!s->stop) {
    struct timespec ts;
    struct maat_outbox_round r;
    int rc;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 1;
    /* Every second for retries that came due; at once for new rows. */
    if (!s->kicked)
      pthread_cond_timedwait(&s->kick_cv, &s->clock_mu, &ts);
    s->kicked = 0;
    if (s->stop)
      break;
    pthread_mutex_unlock(&s->clock_mu);
    rc = maat_outbox_deliver(s->store, maat_wall_now(), &s->outbox, &r);
    pthread_mutex_lock(&s->outbox_mu);
    s->out_delivered += r.delivered;
    s->out_retried += r.retried;
    s->out_dead += r.dead;
    s->out_dedup += r.deduplicated;
    s->out_latency_sum += r.latency_sum_s;
    s->out_failures += rc != MAAT_OK;
    pthread_mutex_unlock(&s->outbox_mu);
    pthread_mutex_lock(&s->clock_mu);
  }
  pthread_mutex_unlock(&s->clock_mu);
  return NULL;
}

/* The engine committed outbox rows: the courier starts at once. */
static void kick_courier(void *ctx)
{
  struct maat_server *s = ctx;

  pthread_mutex_lock(&s->clock_mu);
  s->kicked = 1;
  pthread_cond_signal(&s->kick_cv);
  pthread_mutex_unlock(&s->clock_mu);
}

/* State changes and personal reads are audited; refusals and reads of
 * team figures too, coalesced per minute. */
static void audit(struct call *c)
{
  struct maat_apply_extra x;
  int refusal = c->status >= 400 && c->status < 500;

  if (c->audited || !c->status)
    return;
  if (!c->audit && !c->audit_read && !refusal &&
      (!strcmp(c->method, "GET") || !strcmp(c->method, "HEAD")))
    return;
  if ((refusal || c->audit_read) && !coalesce(c)) {
    c->audited = 1;
    return;
  }
  maat__call_extra(c, c->status, &x);
  write_audit(c->s, &x);
}

static enum MHD_Result take_upload(struct maat_server *s, struct request *rq,
                                   const char *upload, size_t *upload_size)
{
  if (!rq->too_big && rq->len + *upload_size <= s->o.max_body) {
    if (rq->len + *upload_size + 1 > rq->cap) {
      size_t cap = (rq->len + *upload_size + 1) * 2;
      char *p;
      if (cap > s->o.max_body + 1)
        cap = s->o.max_body + 1;
      p = maat_realloc(rq->body, cap);
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

static void call_init(struct call *c, struct maat_server *s,
                      struct MHD_Connection *conn, const char *url,
                      const char *method)
{
  memset(c, 0, sizeof *c);
  c->s = s;
  c->conn = conn;
  c->method = method;
  c->url = url;
}

/* The headers are in: the route and the caller are checked before any of
 * the body is read, so a caller without the right reads nothing in. */
static enum MHD_Result head(struct maat_server *s, struct MHD_Connection *conn,
                            const char *url, const char *method,
                            void **con_cls)
{
  const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                               "Content-Length");
  struct request *rq = maat_malloc(sizeof *rq);
  struct call c;
  enum MHD_Result ret;

  if (!rq)
    return MHD_NO;
  memset(rq, 0, sizeof *rq);
  *con_cls = rq;
  if (cl && strtoull(cl, NULL, 10) > s->o.max_body)
    rq->too_big = 1;
  call_init(&c, s, conn, url, method);
  ret = maat__route_head(&c, &rq->route);
  rq->who = c.who;
  if (!rq->route)
    audit(&c);  /* refused: the response is queued */
  return rq->route ? MHD_YES : ret;
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
  if (!rq)
    return head(s, conn, url, method, con_cls);
  if (!rq->route) {
    *upload_size = 0;  /* refused already: drop what still comes */
    return MHD_YES;
  }
  if (*upload_size)
    return take_upload(s, rq, upload, upload_size);
  call_init(&c, s, conn, url, method);
  c.who = rq->who;
  c.body = rq->body;
  c.len = rq->len;
  if (rq->too_big) {
    char msg[96];
    snprintf(msg, sizeof msg, "body: larger than %zu bytes", s->o.max_body);
    ret = maat__fail_call(&c, 413, msg, NULL);
  } else if (s->o.follow && strcmp(method, "GET") && strcmp(method, "HEAD")) {
    /* A follower writes nothing itself: the leader runs it, and audits. */
    ret = maat__forward(&c);
    c.audited = 1;
  } else {
    ret = maat__route_run(&c, rq->route);
  }
  audit(&c);
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
    maat_free(rq->body);
    maat_free(rq);
    *con_cls = NULL;
  }
}

/* A request a follower took, run here as it would have run there. */
int maat__run_forwarded(struct maat_server *s, int64_t id, int tries,
                        const char *request, int *status, char **answer)
{
  json_error_t err;
  json_t *rq = json_loads(request, JSON_REJECT_DUPLICATES, &err), *who;
  struct call c;
  const void *route = NULL;
  char *v = NULL;

  *status = 500;
  *answer = NULL;
  call_init(&c, s, NULL, rq ? json_string_value(json_object_get(rq, "u"))
                            : NULL,
            rq ? json_string_value(json_object_get(rq, "m")) : NULL);
  if (!c.url || !c.method) {
    json_decref(rq);
    *answer = maat_strdup("{\"error\":\"the request kept in the inbox "
                          "cannot be read\",\"field\":null}\n");
    return *answer ? MAAT_OK : MAAT_ENOMEM;
  }
  c.fwd = rq;
  c.inbox_id = id;
  snprintf(c.inbox_key, sizeof c.inbox_key, "inbox.%lld", (long long)id);
  who = json_object_get(rq, "who");
  c.who.token = (long)json_integer_value(json_object_get(who, "token"));
  c.who.role = (int)json_integer_value(json_object_get(who, "role"));
  c.who.since = json_number_value(json_object_get(who, "since"));
  snprintf(c.who.agent, sizeof c.who.agent, "%s",
           json_string_value(json_object_get(who, "agent"))
               ? json_string_value(json_object_get(who, "agent")) : "");
  c.body = json_string_value(json_object_get(rq, "b"));
  c.len = c.body ? json_string_length(json_object_get(rq, "b")) : 0;
  (void)tries;
  if (maat_store_meta_get(s->store, c.inbox_key, &v) ==
                       MAAT_OK) {
    /* The leader that ran it died before it answered: it is in the log,
     * and is not run twice. */
    maat_free(v);
    pthread_mutex_lock(&s->node_mu);
    s->inbox_retried++;
    pthread_mutex_unlock(&s->node_mu);
    maat__send_json(&c, 200, json_pack("{s:s,s:s}", "status", "applied",
                                       "note", "applied before the node "
                                       "that ran it stopped; read the "
                                       "contact for its decision"));
  } else {
    maat__route_forwarded(&c, &route);
    if (route)
      maat__route_run(&c, route);
    audit(&c);
  }
  *status = c.status ? c.status : 500;
  *answer = c.answer;
  json_decref(rq);
  return MAAT_OK;
}

int maat_server_promotable(const maat_server *s)
{
  int p;

  if (!s)
    return 0;
  pthread_mutex_lock((pthread_mutex_t *)&s->node_mu);
  p = s->promote;
  pthread_mutex_unlock((pthread_mutex_t *)&s->node_mu);
  return p;
}

int maat_server_following(const maat_server *s)
{
  return s && s->o.follow;
}

/* ---- start and stop ---- */

static int meta_double(maat_store *st, const char *key, double *v)
{
  char *s = NULL;

  if (maat_store_meta_get(st, key, &s))
    return 0;
  *v = strtod(s, NULL);
  maat_free(s);
  return 1;
}

static int meta_put(maat_store *st, const char *key, double v)
{
  char buf[64];

  snprintf(buf, sizeof buf, "%.6f", v);
  return maat_store_meta_set(st, key, buf);
}

/* The clock: router time continues where the log left it. */
static int start_clock(struct maat_server *s)
{
  double prev_wall, prev_t, t = maat_engine_time(s->engine);
  int rc;

  s->epoch_wall = maat_wall_now();
  if (meta_double(s->store, "serve_epoch_wall", &prev_wall) &&
      meta_double(s->store, "serve_epoch_t", &prev_t) && s->speed == 1) {
    s->epoch_wall = prev_wall;
    s->epoch_t = prev_t;
  } else {
    time_t now = (time_t)s->epoch_wall;
    struct tm tm;
    localtime_r(&now, &tm);
    /* Router time is seconds since local midnight of the first start. */
    s->epoch_t = t > 0 ? t : tm.tm_hour * 3600.0 + tm.tm_min * 60 +
                                 tm.tm_sec;
    /* A follower keeps its clock to itself until the leader has one. */
    if (!s->o.follow &&
        ((rc = meta_put(s->store, "serve_epoch_wall", s->epoch_wall)) ||
         (rc = meta_put(s->store, "serve_epoch_t", s->epoch_t)) ||
         (rc = meta_put(s->store, "serve_epoch_speed", s->speed))))
      return rc;
  }
  s->last_t = t;
  return MAAT_OK;
}

/*
 * The team's skills map against the intent model: an intent the model
 * never predicts would never reach its skill, so it is an error that
 * names it (a typo, or a model trained on other labels).
 */
static int check_skill_map(struct maat_server *s, const char *team_path)
{
  const maat_team *t = maat_engine_team(s->engine);
  const char *in, *skill;

  if (!s->intent)
    return MAAT_OK;
  for (size_t i = 0; (in = maat_team_mapped_intent(t, i, &skill)); i++) {
    size_t k, n = maat_model_label_count(s->intent);
    /* A skill listing itself: contacts posted with it, already triaged. */
    if (!strcmp(in, skill))
      continue;
    for (k = 0; k < n; k++)
      if (!strcmp(maat_model_label(s->intent, k), in))
        break;
    if (k == n)
      return maat_error_set(MAAT_EPARSE, "%s: skill '%s': intent '%s' is "
                            "no label of the intent model", team_path,
                            skill, in);
  }
  return MAAT_OK;
}

static int open_engine(struct maat_server *s, const struct maat_serve_options *o)
{
  struct maat_engine_options eo;
  int rc;

  if (o->store) {
    s->store = o->store;   /* ours from here, even on failure */
    s->o.store = NULL;
  }
  rc = o->triage_config ? maat_triage_config_load(&s->tcfg, o->triage_config)
                        : maat_triage_config_default(&s->tcfg);
  if (!rc && !s->store)
    rc = maat_store_open(&s->store, o->db_path);
  if (!rc)
    rc = maat__model_start(s, o->intent_model);
  if (!rc && o->tone_model)
    rc = maat_model_load(o->tone_model, &s->tone);
  if (!rc)
    rc = maat_triager_new(&s->tri, s->tcfg, s->intent, s->tone);
  if (rc)
    return rc;
  memset(&eo, 0, sizeof eo);
  eo.team_path = o->team_path;
  eo.policy = s->policy;
  eo.flags = MAAT_ENGINE_RECORDS | (o->follow ? MAAT_ENGINE_FOLLOW : 0);
  eo.store = s->store;
  eo.triager = s->tri;
  eo.min_group = s->o.min_group;
  eo.alerts = o->alerts;
  eo.nalerts = o->nalerts;
  eo.on_outbox = kick_courier;
  eo.on_outbox_ctx = s;
  eo.helpdesks = o->helpdesks;
  eo.nhelpdesks = o->nhelpdesks;
  if ((rc = maat__kb_start(s)) ||
      (rc = maat_engine_open(&s->engine, &eo)) ||
      (rc = check_skill_map(s, o->team_path)))
    return rc;
  /* Every helpdesk user maps to an agent of the team. */
  for (int k = 0; k < o->nhelpdesks; k++)
    for (int i = 0; i < o->helpdesks[k].nusers; i++) {
      int state;
      const struct maat_helpdesk_user *u = &o->helpdesks[k].users[i];
      if (maat_engine_agent_state(s->engine, u->agent, &state))
        return maat_error_set(MAAT_ENOTFOUND, "helpdesk %s: user %s maps "
                              "to agent '%s', who is not in the team",
                              maat_helpdesk_kind_name(o->helpdesks[k].kind),
                              u->user, u->agent);
    }
  return MAAT_OK;
}

/* The credential of a helpdesk's calls, added as each call is made. */
static int helpdesk_auth(void *ctx, const char *kind, char *buf, size_t cap)
{
  const struct maat_server *s = ctx;

  for (int k = 0; k < s->o.nhelpdesks; k++) {
    const char *tok = s->o.helpdesk_tokens ? s->o.helpdesk_tokens[k] : NULL;
    int hk = s->o.helpdesks[k].kind;
    if (!tok || strcmp(kind, maat_helpdesk_kind_name(hk)))
      continue;
    if (hk == MAAT_HELPDESK_CHATWOOT) {
      snprintf(buf, cap, "api_access_token: %s", tok);
    } else if (hk == MAAT_HELPDESK_RT && strchr(tok, ':')) {
      /* RT: basic authentication with "user:password". */
      gnutls_datum_t in = { (unsigned char *)(uintptr_t)tok,
                            (unsigned)strlen(tok) }, b64 = { NULL, 0 };
      if (gnutls_base64_encode2(&in, &b64) < 0)
        return 0;
      snprintf(buf, cap, "Authorization: Basic %.*s", (int)b64.size,
               (const char *)b64.data);
      gnutls_free(b64.data);
    } else if (hk == MAAT_HELPDESK_RT) {
      snprintf(buf, cap, "Authorization: token %s", tok);
    } else
      snprintf(buf, cap, "Authorization: Token token=%s", tok);
    return 1;
  }
  return 0;
}

static int listen_on(struct maat_server *s, const char *bind, int port)
{
  union {
    struct sockaddr sa;
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
  } addr;
  unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
                   MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
  const union MHD_DaemonInfo *info;

  /* IPv4 or IPv6; "::" listens on every address of both families. */
  memset(&addr, 0, sizeof addr);
  if (inet_pton(AF_INET, bind, &addr.v4.sin_addr) == 1) {
    addr.v4.sin_family = AF_INET;
    addr.v4.sin_port = htons((uint16_t)port);
  } else if (inet_pton(AF_INET6, bind, &addr.v6.sin6_addr) == 1) {
    addr.v6.sin6_family = AF_INET6;
    addr.v6.sin6_port = htons((uint16_t)port);
    flags |= IN6_IS_ADDR_UNSPECIFIED(&addr.v6.sin6_addr) ? MHD_USE_DUAL_STACK
                                                         : MHD_USE_IPv6;
  } else {
    return maat_error_set(MAAT_EINVAL, "bind address '%s': expected an IPv4 "
                          "or IPv6 address such as 127.0.0.1 or ::1", bind);
  }
  s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, handler, s,
                            MHD_OPTION_SOCK_ADDR, &addr.sa,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, s,
                            MHD_OPTION_CONNECTION_TIMEOUT,
                            (unsigned)s->o.idle_timeout_s,
                            MHD_OPTION_CONNECTION_LIMIT,
                            (unsigned)s->o.max_connections,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                            (unsigned)s->o.per_client,
                            MHD_OPTION_THREAD_STACK_SIZE,
                            (size_t)(256 * 1024),
                            MHD_OPTION_END);
  if (!s->mhd)
    return maat_error_set(MAAT_EIO, "cannot listen on %s%s%s:%d (in use, or "
                          "not allowed)", strchr(bind, ':') ? "[" : "", bind,
                          strchr(bind, ':') ? "]" : "", port);
  info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
  s->port = info ? info->port : port;
  return MAAT_OK;
}

int maat_server_start(maat_server **out, const struct maat_serve_options *o)
{
  struct maat_server *s;
  int rc;

  if (!out || !o || !o->team_path || !o->db_path)
    return maat_error_set(MAAT_EINVAL, "maat serve needs a team and a "
                          "database");
  if (!(s = maat_malloc(sizeof *s)))
    return maat_error_set(MAAT_ENOMEM, "out of memory");
  memset(s, 0, sizeof *s);
  s->o = *o;
  if (!s->o.max_body)
    s->o.max_body = 1 << 20;
  if (s->o.min_group <= 0)
    s->o.min_group = 5;
  if (s->o.max_connections <= 0)
    s->o.max_connections = 1000;
  if (s->o.per_client <= 0)
    s->o.per_client = 100;
  if (s->o.idle_timeout_s <= 0)
    s->o.idle_timeout_s = 10;
  s->speed = o->clock_speed > 0 ? o->clock_speed : 1;
  snprintf(s->policy, sizeof s->policy, "%s", o->policy ? o->policy : "maat");
  pthread_mutex_init(&s->clock_mu, NULL);
  pthread_mutex_init(&s->audit_mu, NULL);
  pthread_mutex_init(&s->outbox_mu, NULL);
  pthread_mutex_init(&s->model_mu, NULL);
  pthread_mutex_init(&s->node_mu, NULL);
  pthread_mutex_init(&s->hd_mu, NULL);
  pthread_cond_init(&s->node_cv, NULL);
  {
    char host[64] = "?";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    snprintf(s->node, sizeof s->node, "%s pid %ld", host, (long)getpid());
  }
  {
    static const struct maat_outbox_opts def = MAAT_OUTBOX_OPTS_INIT;
    s->outbox = o->outbox.max_attempts ? o->outbox : def;
    s->outbox.auth = helpdesk_auth;
    s->outbox.auth_ctx = s;
  }
  pthread_cond_init(&s->stop_cv, NULL);
  pthread_cond_init(&s->kick_cv, NULL);
  if (!(s->slots = maat_malloc(AUDIT_SLOTS * sizeof *s->slots))) {
    pthread_mutex_destroy(&s->clock_mu);
    pthread_mutex_destroy(&s->audit_mu);
    pthread_cond_destroy(&s->stop_cv);
    pthread_cond_destroy(&s->kick_cv);
    maat_free(s);
    maat_store_close(o->store);
    return maat_error_set(MAAT_ENOMEM, "out of memory");
  }
  memset(s->slots, 0, AUDIT_SLOTS * sizeof *s->slots);
  /* Copies: the caller's strings need not outlive the call. */
  s->web_root = o->web_root ? maat_strdup(o->web_root) : NULL;
  s->webhook_secret = o->webhook_secret ? maat_strdup(o->webhook_secret)
                                        : NULL;
  if ((o->web_root && !s->web_root) ||
      (o->webhook_secret && !s->webhook_secret)) {
    rc = maat_error_set(MAAT_ENOMEM, "out of memory");
    goto fail;
  }
  if ((rc = maat__hd_start(s)) || (rc = open_engine(s, o)) ||
      (rc = maat__hd_restore(s)) || (rc = maat__restore_bot_pauses(s)) ||
      (rc = maat__restore_rollout(s)) ||
      (rc = start_clock(s)) ||
      (rc = listen_on(s, o->bind ? o->bind : "127.0.0.1", o->port)))
    goto fail;
  if (pthread_create(&s->ticker, NULL, ticker, s) != 0) {
    rc = maat_error_set(MAAT_ENOMEM, "cannot start the clock thread");
    goto fail;
  }
  s->ticking = 1;
  if ((rc = maat__nodes_start(s)))
    goto fail;
  /* The leader delivers the outbox and reads the helpdesks. */
  if (s->o.follow) {
    *out = s;
    return MAAT_OK;
  }
  if (pthread_create(&s->courier, NULL, courier, s) != 0) {
    rc = maat_error_set(MAAT_ENOMEM, "cannot start the outbox thread");
    goto fail;
  }
  s->couriering = 1;
  for (int k = 0; k < o->nhelpdesks; k++)
    if (o->helpdesks[k].kind == MAAT_HELPDESK_RT ||
        o->helpdesks[k].presence) {
      if (pthread_create(&s->rt, NULL, maat__rt_thread, s) != 0) {
        rc = maat_error_set(MAAT_ENOMEM, "cannot start the RT thread");
        goto fail;
      }
      s->rt_running = 1;
      break;
    }
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
  return s ? maat_engine_events(s->engine) : 0;
}

static void stop_server(maat_server *s, maat_store **keep);

void maat_server_stop(maat_server *s)
{
  stop_server(s, NULL);
}

void maat_server_stop_keep(maat_server *s, maat_store **keep)
{
  *keep = NULL;
  stop_server(s, keep);
}

static void stop_server(maat_server *s, maat_store **keep)
{
  if (!s)
    return;
  /* Requests waiting for the leader's answer give up first. */
  pthread_mutex_lock(&s->node_mu);
  s->node_stop = 1;
  pthread_cond_broadcast(&s->node_cv);
  pthread_mutex_unlock(&s->node_mu);
  if (s->mhd)
    MHD_stop_daemon(s->mhd);
  maat__nodes_stop(s);
  if (s->ticking) {
    pthread_mutex_lock(&s->clock_mu);
    s->stop = 1;
    pthread_cond_broadcast(&s->stop_cv);
    pthread_cond_broadcast(&s->kick_cv);
    pthread_mutex_unlock(&s->clock_mu);
    pthread_join(s->ticker, NULL);
  }
  if (s->couriering)
    pthread_join(s->courier, NULL);
  if (s->rt_running)
    pthread_join(s->rt, NULL);
  maat__retrain_join(s);
  /* What the last minute held back is written before the store closes. */
  if (s->engine) {
    pthread_mutex_lock(&s->audit_mu);
    for (int i = 0; i < AUDIT_SLOTS; i++)
      flush_slot(s, &s->slots[i], maat_wall_now());
    pthread_mutex_unlock(&s->audit_mu);
  }
  maat_engine_close(s->engine);
  maat__hd_stop(s);
  if (keep)
    *keep = s->store;
  else
    maat_store_close(s->store);
  maat_triager_free(s->tri);
  maat__kb_stop(s);
  maat_kb_free(s->kb);
  maat_triage_config_free(s->tcfg);
  maat_model_free(s->intent);
  for (int i = 0; i < s->nretired; i++)
    maat_model_free(s->retired[i]);
  maat_model_free(s->tone);
  pthread_cond_destroy(&s->stop_cv);
  pthread_mutex_destroy(&s->model_mu);
  pthread_cond_destroy(&s->kick_cv);
  pthread_mutex_destroy(&s->clock_mu);
  pthread_mutex_destroy(&s->audit_mu);
  pthread_mutex_destroy(&s->outbox_mu);
  pthread_mutex_destroy(&s->node_mu);
  pthread_mutex_destroy(&s->hd_mu);
  pthread_cond_destroy(&s->node_cv);
  maat_free(s->slots);
  maat_free(s->web_root);
  maat_free(s->webhook_secret);
  maat_free(s);
}

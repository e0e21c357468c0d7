/*
 * nodes.c - several maat nodes on one PostgreSQL store (docs/deploy.md).
 *
 * One node leads: it holds the store's writer's lock (a session advisory
 * lock, gone with its connection however the process ends), writes the
 * event log and runs the router. The others follow: a thread applies what
 * the leader logged (woken by "maat_log", and every 200 ms whatever
 * happens), so they serve reads; a write that reaches a follower is kept
 * in the store's inbox (durable before anything else happens) and the
 * leader's workers claim it (FOR UPDATE SKIP LOCKED), run it as if it had
 * come to the leader, and keep the answer, which the follower sends back.
 * A request the leader ran is marked in the same commit as its events, so
 * a leader that dies between the commit and the answer leaves a request
 * its successor answers without running it again. When the lock comes
 * free, a follower takes it and says so (maat_server_promotable()); its
 * front end then starts it as the leader.
 */
#include "server-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ANSWERED_RING (sizeof ((struct maat_server *)0)->answered / \
                       sizeof ((struct maat_server *)0)->answered[0])
#define POLL_MS 200
#define WORKERS 16

static void deadline_in(struct timespec *ts, int ms)
{
  clock_gettime(CLOCK_REALTIME, ts);
  ts->tv_nsec += (long)ms * 1000000L;
  ts->tv_sec += ts->tv_nsec / 1000000000L;
  ts->tv_nsec %= 1000000000L;
}

static void nap(int ms)
{
  struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
  nanosleep(&ts, NULL);
}

static int stopping(struct maat_server *s)
{
  int st;

  pthread_mutex_lock(&s->node_mu);
  st = s->node_stop;
  pthread_mutex_unlock(&s->node_mu);
  return st;
}

/* ---- a follower ---- */

/* Under node_mu. */
static int answered(const struct maat_server *s, int64_t id)
{
  for (size_t i = 0; i < ANSWERED_RING && i < s->nanswered; i++)
    if (s->answered[i] == id)
      return 1;
  return 0;
}

/* Applies what the leader logged since; wakes who waits for it. */
static void follow_now(struct maat_server *s)
{
  double t = maat_wall_now();

  if (maat_engine_follow(s->engine, NULL) == MAAT_OK) {
    pthread_mutex_lock(&s->node_mu);
    s->followed_at = t;
    pthread_cond_broadcast(&s->node_cv);
    pthread_mutex_unlock(&s->node_mu);
  }
}

/* A notification heard: an answer is noted for who waits for it. */
static void heard(struct maat_server *s, const char *chan,
                  const char *payload)
{
  if (strcmp(chan, "maat_inbox_done"))
    return;
  pthread_mutex_lock(&s->node_mu);
  s->answered[s->nanswered++ % ANSWERED_RING] = strtoll(payload, NULL, 10);
  pthread_cond_broadcast(&s->node_cv);
  pthread_mutex_unlock(&s->node_mu);
}

static void *follow_thread(void *arg)
{
  struct maat_server *s = arg;
  int listening = 0;
  double tried = 0;

  while (!stopping(s)) {
    char chan[32], payload[32];
    int r = 0;
    double now;
    if (!listening)
      listening = maat_store_listen(s->store, "maat_log") == MAAT_OK &&
                  maat_store_listen(s->store, "maat_inbox_done") == MAAT_OK;
    if (listening)
      r = maat_store_wait(s->store, POLL_MS, chan, sizeof chan, payload,
                          sizeof payload);
    else
      nap(POLL_MS);
    if (r < 0) {
      listening = 0;   /* the connection went: polling until it is back */
      nap(POLL_MS);
    }
    /* Everything heard so far, then one read of the log for all of it. */
    for (int k = 0; r == 1 && k < 1000; k++) {
      heard(s, chan, payload);
      r = maat_store_wait(s->store, 0, chan, sizeof chan, payload,
                          sizeof payload);
    }
    follow_now(s);
    /* The leader gone, its lock is free: this node takes it. */
    now = maat_wall_now();
    if (now - tried >= POLL_MS / 1000.0) {
      tried = now;
      if (maat_store_try_writer(s->store) == MAAT_OK) {
        follow_now(s);
        pthread_mutex_lock(&s->node_mu);
        s->promote = 1;
        pthread_cond_broadcast(&s->node_cv);
        pthread_mutex_unlock(&s->node_mu);
        break;
      }
    }
  }
  return NULL;
}

static enum MHD_Result keep_pair(void *cls, enum MHD_ValueKind kind,
                                 const char *key,
                     const char *value)
{
  json_t *o = cls;
  char low[64];
  size_t i;

  if (!key || !value)
    return MHD_YES;
  for (i = 0; key[i] && i + 1 < sizeof low; i++)
    low[i] = (char)(kind == MHD_HEADER_KIND
                        ? (key[i] >= 'A' && key[i] <= 'Z' ? key[i] + 32
                                                          : key[i])
                        : key[i]);
  low[i] = '\0';
  /* Headers the handlers read: the language, and the helpdesks'
   * signatures. Never the bearer token: the leader gets who it was. */
  if (kind == MHD_HEADER_KIND && strcmp(low, "accept-language") &&
      strcmp(low, "content-type") && strncmp(low, "x-", 2))
    return MHD_YES;
  json_object_set_new(o, low, json_string(value));
  return MHD_YES;
}

struct got {
  int state, status;
  char *response;
};

static int got_row(void *ctx, const struct maat_store_inbox *r)
{
  struct got *g = ctx;

  g->state = r->state;
  g->status = r->status;
  if (r->state == 2 && r->response && !(g->response = maat_strdup(
                                            r->response)))
    return MAAT_ENOMEM;
  return MAAT_OK;
}

enum MHD_Result maat__forward(struct call *c)
{
  struct maat_server *s = c->s;
  json_t *q = json_object(), *h = json_object(), *rq, *body;
  char *text;
  int64_t id = 0;
  int rc, wait_s = s->o.forward_wait_s > 0 ? s->o.forward_wait_s : 10;
  double until = maat_wall_now() + wait_s;
  struct got g = { 0, 0, NULL };
  enum MHD_Result ret;

  MHD_get_connection_values(c->conn, MHD_GET_ARGUMENT_KIND, keep_pair, q);
  MHD_get_connection_values(c->conn, MHD_HEADER_KIND, keep_pair, h);
  body = json_stringn(c->body ? c->body : "", c->len);
  if (!body) {
    json_decref(q);
    json_decref(h);
    return maat__fail_call(c, 400, "body: not UTF-8 text", NULL);
  }
  rq = json_pack("{s:s,s:s,s:o,s:o,s:{s:I,s:i,s:s,s:f},s:o}", "m", c->method,
                 "u", c->url, "q", q, "h", h, "who", "token",
                 (json_int_t)c->who.token, "role", c->who.role, "agent",
                 c->who.agent, "since", c->who.since, "b", body);
  text = rq ? json_dumps(rq, JSON_COMPACT) : NULL;
  json_decref(rq);
  if (!text)
    return maat__fail_call(c, 500, "out of memory", NULL);
  rc = maat_store_inbox_put(s->store, text, maat_wall_now(), &id);
  free(text);
  if (rc)
    return maat__library_error(c, rc);
  pthread_mutex_lock(&s->node_mu);
  s->fwd_total++;
  pthread_mutex_unlock(&s->node_mu);
  /* Kept: from here the leader applies it, now or when there is one.
   * The row is read when its answer was heard, and at each quarter
   * second in case a notification was lost; not at every other request's
   * answer (they wake this thread too). */
  for (double polled = maat_wall_now();;) {
    struct timespec ts;
    int seen, stop;
    double now;
    deadline_in(&ts, 250);
    pthread_mutex_lock(&s->node_mu);
    if (!answered(s, id) && !s->node_stop)
      pthread_cond_timedwait(&s->node_cv, &s->node_mu, &ts);
    seen = answered(s, id);
    stop = s->node_stop;
    pthread_mutex_unlock(&s->node_mu);
    now = maat_wall_now();
    stop = stop || now >= until;
    if (seen || stop || now - polled >= 0.25) {
      polled = now;
      if (maat_store_inbox_get(s->store, id, got_row, &g) == MAAT_OK &&
          g.state == 2)
        break;
    }
    if (stop)
      break;
  }
  if (g.state == 2) {
    /* What this caller reads next from this node includes its write: the
     * follower's thread reads the log once more first (it does for every
     * notification; at most a poll's wait without them). */
    double seen = maat_wall_now();
    struct timespec ts;
    deadline_in(&ts, 2 * POLL_MS);
    pthread_mutex_lock(&s->node_mu);
    while (s->followed_at < seen && !s->node_stop &&
           pthread_cond_timedwait(&s->node_cv, &s->node_mu, &ts) == 0)
      ;
    pthread_mutex_unlock(&s->node_mu);
    ret = maat__send_buf(c, g.status, g.response ? g.response : "{}\n",
                         g.response ? strlen(g.response) : 3,
                         "application/json");
    maat_free(g.response);
    return ret;
  }
  pthread_mutex_lock(&s->node_mu);
  s->fwd_pending++;
  pthread_mutex_unlock(&s->node_mu);
  return maat__send_json(c, 202, json_pack(
      "{s:s,s:I,s:s}", "status", "accepted", "request", (json_int_t)id,
      "message", "kept; the node that leads applies it when there is one "
      "(none answered in time)"));
}

/* ---- the leader ---- */

static void *inbox_listener(void *arg)
{
  struct maat_server *s = arg;
  int listening = 0;
  double purged = 0;

  while (!stopping(s)) {
    char chan[32], payload[32];
    int r = 0;
    double now = maat_wall_now();
    if (!listening)
      listening = maat_store_listen(s->store, "maat_inbox") == MAAT_OK;
    if (listening)
      r = maat_store_wait(s->store, 500, chan, sizeof chan, payload,
                          sizeof payload);
    else
      nap(500);
    if (r < 0) {
      listening = 0;
      nap(POLL_MS);
    }
    /* Every notification waiting, at once; a follower's channels, heard
     * on a connection it handed over, wake nobody. */
    {
      int wake = r == 0 || (r == 1 && !strcmp(chan, "maat_inbox"));
      for (int k = 0; r == 1 && k < 1000; k++) {
        r = maat_store_wait(s->store, 0, chan, sizeof chan, payload,
                            sizeof payload);
        wake |= r == 1 && !strcmp(chan, "maat_inbox");
      }
      if (!wake)
        continue;
    }
    /* Woken or not, the workers look: polling is the fallback. */
    pthread_mutex_lock(&s->node_mu);
    s->work++;
    pthread_cond_broadcast(&s->node_cv);
    pthread_mutex_unlock(&s->node_mu);
    if (now - purged >= 60) {
      long n = 0, waiting = 0;
      purged = now;
      /* Answers are kept an hour, for a follower that asks late. */
      if (maat_store_inbox_purge(s->store, now - 3600, &n, &waiting) ==
          MAAT_OK) {
        pthread_mutex_lock(&s->node_mu);
        s->inbox_waiting = waiting;
        pthread_mutex_unlock(&s->node_mu);
      }
    }
  }
  return NULL;
}

struct job {
  int64_t id;
  int tries;
  char *request;
};

static int take_job(void *ctx, const struct maat_store_inbox *r)
{
  struct job *j = ctx;

  j->id = r->id;
  j->tries = r->tries;
  j->request = maat_strdup(r->request);
  return j->request ? MAAT_OK : MAAT_ENOMEM;
}

static void *inbox_worker(void *arg)
{
  struct maat_server *s = arg;
  int seen = -1;

  for (;;) {
    int rc;
    pthread_mutex_lock(&s->node_mu);
    while (s->work == seen && !s->node_stop)
      pthread_cond_wait(&s->node_cv, &s->node_mu);
    seen = s->work;
    pthread_mutex_unlock(&s->node_mu);
    if (stopping(s))
      break;
    /* Until none is left: each claimed by one worker of one leader. */
    for (;;) {
      struct job j = { 0, 0, NULL };
      int status = 0;
      char *answer = NULL;
      rc = maat_store_inbox_claim(s->store, s->node, maat_wall_now(),
                                  take_job, &j);
      if (rc) {
        maat_free(j.request);
        if (rc != MAAT_ENOTFOUND)
          nap(POLL_MS);
        break;
      }
      rc = maat__run_forwarded(s, j.id, j.tries, j.request, &status,
                               &answer);
      if (!rc)
        rc = maat_store_inbox_finish(s->store, j.id, status, answer ? answer
                                     : "{\"error\":\"no answer\"}\n");
      pthread_mutex_lock(&s->node_mu);
      s->inbox_applied += rc == MAAT_OK;
      pthread_mutex_unlock(&s->node_mu);
      maat_free(answer);
      maat_free(j.request);
      if (stopping(s))
        break;
    }
  }
  return NULL;
}

int maat__nodes_start(struct maat_server *s)
{
  const char *backend = maat_store_backend(s->store);
  long released = 0;
  int rc;

  if (s->o.follow) {
    if (strcmp(backend, "postgresql"))
      return maat_error_set(MAAT_EINVAL, "a follower needs a PostgreSQL "
                            "store shared with the leader, not %s",
                            backend);
    if (pthread_create(&s->node_thr, NULL, follow_thread, s) != 0)
      return maat_error_set(MAAT_ENOMEM, "cannot start the follower's "
                            "thread");
    s->node_running = 1;
    return MAAT_OK;
  }
  /* One node on SQLite: no inbox to serve. */
  if (strcmp(backend, "postgresql"))
    return MAAT_OK;
  /* Requests a leader before this one took and never answered. */
  if ((rc = maat_store_inbox_release(s->store, s->node, &released)))
    return rc;
  if (pthread_create(&s->node_thr, NULL, inbox_listener, s) != 0)
    return maat_error_set(MAAT_ENOMEM, "cannot start the inbox's thread");
  s->node_running = 1;
  for (int i = 0; i < WORKERS; i++) {
    if (pthread_create(&s->workers[i], NULL, inbox_worker, s) != 0)
      return maat_error_set(MAAT_ENOMEM, "cannot start the inbox's "
                            "workers");
    s->nworkers++;
  }
  return MAAT_OK;
}

void maat__nodes_stop(struct maat_server *s)
{
  pthread_mutex_lock(&s->node_mu);
  s->node_stop = 1;
  pthread_cond_broadcast(&s->node_cv);
  pthread_mutex_unlock(&s->node_mu);
  if (s->node_running)
    pthread_join(s->node_thr, NULL);
  s->node_running = 0;
  for (int i = 0; i < s->nworkers; i++)
    pthread_join(s->workers[i], NULL);
  s->nworkers = 0;
}

/*
 * routes.c - the route table: for each method and path pattern, who may
 * call it and which handler answers. As soon as the headers are in, the
 * path is split, the route found and the token and role checked, so a
 * caller without the right to a route is refused before its body is read;
 * the handler runs once the body is in. Refusals are audited.
 * docs/api.md lists the same table for people.
 */
#include "server-int.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define R(x) (1u << MAAT_ROLE_##x)
#define ANYONE 0u            /* no token needed */

enum auth { AUTH_NONE, AUTH_TOKEN, AUTH_WEBHOOK };

struct route {
  const char *method;
  const char *pattern;       /* segments; "*" matches one */
  enum auth auth;
  unsigned roles;            /* AUTH_TOKEN: who may call it */
  handler_fn fn;
};

static enum MHD_Result healthz(struct call *c);
static enum MHD_Result readyz(struct call *c);
/* Ready: this node holds the store's writer lock and routes (a standby
 * opens no port until it does; docs/deploy.md). */
static enum MHD_Result readyz(struct call *c)
{
  json_t *o = json_object();
  const char *team = strrchr(c->s->o.team_path, '/');
  double followed;

  team = team ? team + 1 : c->s->o.team_path;
  pthread_mutex_lock(&c->s->node_mu);
  followed = c->s->followed_at;
  pthread_mutex_unlock(&c->s->node_mu);
  /* A follower serves reads from the log it follows and hands writes on:
   * ready while it keeps up (it follows every 200 ms). */
  if (c->s->o.follow && maat_wall_now() - followed > 5) {
    json_object_set_new(o, "status", json_string("behind"));
    json_object_set_new(o, "role", json_string("follower"));
    json_object_set_new(o, "followed_s_ago", json_real(followed > 0
                            ? maat_wall_now() - followed : -1));
    return maat__send_json(c, 503, o);
  }
  json_object_set_new(o, "status", json_string("ready"));
  json_object_set_new(o, "role", json_string(c->s->o.follow ? "follower"
                                                            : "active"));
  json_object_set_new(o, "node", json_string(c->s->node));
  /* The team whose router this node runs: the leader's, none here. */
  json_object_set_new(o, "leads", c->s->o.follow ? json_array()
                                                 : json_pack("[s]", team));
  json_object_set_new(o, "log_seq", json_integer(maat_engine_last_seq(
                                        c->s->engine)));
  json_object_set_new(o, "store", json_string(maat_store_backend(
                                      c->s->store)));
  json_object_set_new(o, "pid", json_integer((json_int_t)getpid()));
  json_object_set_new(o, "events", json_integer(maat_engine_events(
                                       c->s->engine)));
  return maat__send_json(c, 200, o);
}

static enum MHD_Result whoami(struct call *c);
static enum MHD_Result page(struct call *c);
static enum MHD_Result asset(struct call *c);

static const struct route routes[] = {
  { "GET", "healthz", AUTH_NONE, ANYONE, healthz },
  { "GET", "readyz", AUTH_NONE, ANYONE, readyz },
  { "GET", "", AUTH_NONE, ANYONE, page },
  { "GET", "dashboard", AUTH_NONE, ANYONE, page },
  { "GET", "me", AUTH_NONE, ANYONE, page },
  { "GET", "admin", AUTH_NONE, ANYONE, page },
  { "GET", "assets/*", AUTH_NONE, ANYONE, asset },
  { "POST", "v1/webhooks/chatwoot", AUTH_WEBHOOK, ANYONE,
    maat__webhook_chatwoot },
  { "POST", "v1/webhooks/zammad", AUTH_WEBHOOK, ANYONE,
    maat__webhook_zammad },
  { "GET", "metrics", AUTH_TOKEN, R(LEAD) | R(ADMIN), maat__get_metrics },
  { "GET", "v1/outbox", AUTH_TOKEN, R(LEAD) | R(ADMIN), maat__get_outbox },
  { "GET", "v1/config", AUTH_TOKEN, R(ADMIN), maat__get_config },
  { "GET", "v1/helpdesks", AUTH_TOKEN, R(ADMIN), maat__get_helpdesks },
  { "PUT", "v1/helpdesks/*/agents", AUTH_TOKEN, R(ADMIN),
    maat__put_helpdesk_agents },
  { "DELETE", "v1/helpdesks/*/agents", AUTH_TOKEN, R(ADMIN),
    maat__put_helpdesk_agents },
  { "POST", "v1/ask", AUTH_TOKEN,
    R(AGENT) | R(LEAD) | R(ADMIN) | R(INTEGRATION), maat__post_ask },
  { "GET", "v1/kb/gaps", AUTH_TOKEN, R(LEAD) | R(ADMIN), maat__get_kb_gaps },
  { "GET", "v1/kb/articles", AUTH_TOKEN, R(LEAD) | R(ADMIN),
    maat__get_kb_articles },
  { "POST", "v1/kb/drafts", AUTH_TOKEN, R(LEAD) | R(ADMIN),
    maat__post_kb_draft },
  { "POST", "v1/kb/publish/*", AUTH_TOKEN, R(LEAD) | R(ADMIN),
    maat__post_kb_publish },
  { "POST", "v1/contacts", AUTH_TOKEN, R(INTEGRATION) | R(ADMIN),
    maat__post_contact },
  { "GET", "v1/contacts", AUTH_TOKEN, R(INTEGRATION) | R(LEAD) | R(ADMIN),
    maat__get_contacts },
  { "GET", "v1/contacts/*", AUTH_TOKEN,
    R(INTEGRATION) | R(LEAD) | R(ADMIN) | R(AGENT), maat__get_contact },
  { "POST", "v1/contacts/*/done", AUTH_TOKEN,
    R(INTEGRATION) | R(AGENT) | R(LEAD) | R(ADMIN), maat__post_done },
  { "POST", "v1/contacts/*/move", AUTH_TOKEN, R(LEAD), maat__post_move },
  { "POST", "v1/contacts/*/corrections", AUTH_TOKEN,
    R(AGENT) | R(LEAD) | R(ADMIN), maat__post_correction },
  { "GET", "v1/corrections", AUTH_TOKEN, R(LEAD) | R(ADMIN),
    maat__get_corrections },
  { "POST", "v1/corrections/*/*", AUTH_TOKEN, R(LEAD) | R(ADMIN),
    maat__post_correction_review },
  { "GET", "v1/overrides", AUTH_TOKEN, R(LEAD) | R(ADMIN),
    maat__get_overrides },
  { "POST", "v1/contacts/*/checkin", AUTH_TOKEN, R(AGENT),
    maat__post_checkin },
  { "POST", "v1/agents/*/state", AUTH_TOKEN, R(AGENT) | R(ADMIN),
    maat__post_agent_state },
  { "GET", "v1/agents", AUTH_TOKEN, R(LEAD), maat__get_free_agents },
  { "GET", "v1/agents/*", AUTH_TOKEN, R(AGENT), maat__get_agent },
  { "GET", "v1/queue", AUTH_TOKEN, R(LEAD) | R(ADMIN), maat__get_queue },
  { "GET", "v1/team", AUTH_TOKEN, R(LEAD) | R(ADMIN), maat__get_team },
  { "GET", "v1/warnings", AUTH_TOKEN, R(LEAD) | R(ADMIN),
    maat__get_warnings },
  { "GET", "v1/tokens", AUTH_TOKEN, R(ADMIN), maat__get_tokens },
  { "POST", "v1/tokens", AUTH_TOKEN, R(ADMIN), maat__post_token },
  { "DELETE", "v1/tokens/*", AUTH_TOKEN, R(ADMIN), maat__delete_token },
  { "POST", "v1/enrolments", AUTH_TOKEN, R(ADMIN), maat__post_enrolment },
  { "POST", "v1/enrol", AUTH_NONE, ANYONE, maat__post_enrol },
  { "GET", "v1/bot/pauses", AUTH_TOKEN, R(LEAD) | R(ADMIN),
    maat__get_bot_pauses },
  { "POST", "v1/bot/pauses", AUTH_TOKEN, R(LEAD) | R(ADMIN),
    maat__post_bot_pause },
  { "GET", "v1/whoami", AUTH_TOKEN,
    R(INTEGRATION) | R(AGENT) | R(LEAD) | R(ADMIN) | R(HR), whoami },
  { "GET", "v1/rollout", AUTH_TOKEN, R(LEAD) | R(ADMIN) | R(HR),
    maat__get_rollout },
  { "POST", "v1/rollout", AUTH_TOKEN, R(LEAD) | R(ADMIN),
    maat__post_rollout },
  { "GET", "v1/insight", AUTH_TOKEN, R(LEAD) | R(ADMIN) | R(HR),
    maat__get_insight },
  { "POST", "v1/reinvestments", AUTH_TOKEN, R(LEAD) | R(ADMIN) | R(HR),
    maat__post_reinvestment },
  { "POST", "v1/pulse", AUTH_TOKEN, R(AGENT), maat__post_pulse },
  { "GET", "v1/pulse", AUTH_TOKEN, R(AGENT), maat__get_pulse },
  { "GET", "insight", AUTH_NONE, ANYONE, page },
};

static enum MHD_Result healthz(struct call *c)
{
  json_t *o = json_object();

  json_object_set_new(o, "status", json_string("ok"));
  json_object_set_new(o, "role", json_string(c->s->o.follow ? "follower"
                                                            : "active"));
  json_object_set_new(o, "events", json_integer(maat_engine_events(
                                       c->s->engine)));
  json_object_set_new(o, "t", json_real(maat__now_t(c->s)));
  pthread_mutex_lock(&c->s->model_mu);
  /* The registry's intent model in use (0: one from a file, or none). */
  json_object_set_new(o, "intent_model", json_integer(c->s->model_version));
  pthread_mutex_unlock(&c->s->model_mu);
  return maat__send_json(c, 200, o);
}

static enum MHD_Result whoami(struct call *c)
{
  json_t *o = json_object();

  json_object_set_new(o, "role", json_string(maat_role_name(c->who.role)));
  json_object_set_new(o, "agent", c->who.agent[0] ? json_string(c->who.agent)
                                                  : json_null());
  return maat__send_json(c, 200, o);
}

static enum MHD_Result page(struct call *c)
{
  return maat__static_file(c, c->nseg == 0 ? "index.html"
                              : !strcmp(c->seg[0], "me") ? "me.html"
                              : !strcmp(c->seg[0], "admin") ? "admin.html"
                              : !strcmp(c->seg[0], "insight") ? "insight.html"
                                                        : "dashboard.html");
}

static enum MHD_Result asset(struct call *c)
{
  char path[MAAT_ID_MAX + 8];

  snprintf(path, sizeof path, "assets/%s", c->seg[1]);
  return maat__static_file(c, path);
}

/* Splits "/v1/contacts/ID/done" into segments; -1 when too long. */
static int segments(const char *url, char seg[4][MAAT_ID_MAX + 1])
{
  const char *p = url;
  int n = 0;

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

/* Whether the call's path matches 'pattern'. */
static int matches(const struct call *c, const char *pattern)
{
  int k = 0;
  const char *p = pattern;

  while (*p) {
    const char *q = strchr(p, '/');
    size_t len = q ? (size_t)(q - p) : strlen(p);
    if (k >= c->nseg)
      return 0;
    if (!(len == 1 && *p == '*') &&
        (strlen(c->seg[k]) != len || memcmp(c->seg[k], p, len)))
      return 0;
    k++;
    p += len + (q != NULL);
  }
  return k == c->nseg;
}

static int bearer(struct call *c)
{
  const char *auth = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND,
                                                 "Authorization");

  if (!auth || strncmp(auth, "Bearer ", 7))
    return 0;
  return maat_token_check(c->s->store, auth + 7, strlen(auth + 7),
                          &c->who) == MAAT_OK;
}

enum MHD_Result maat__route_head(struct call *c, const void **route)
{
  const struct route *r = NULL;
  int path_known = 0;

  *route = NULL;
  maat__call_lang(c);
  c->nseg = segments(c->url, c->seg);
  if (c->nseg < 0)
    return maat__fail_call(c, 404, "not found", NULL);
  for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
    if (!matches(c, routes[i].pattern))
      continue;
    path_known = 1;
    if (!strcmp(routes[i].method, c->method) ||
        (!strcmp(c->method, "HEAD") && !strcmp(routes[i].method, "GET"))) {
      r = &routes[i];
      break;
    }
  }
  if (!r)
    return path_known ? maat__fail_call(c, 405, "method not allowed", NULL)
                      : maat__fail_call(c, 404, "not found", NULL);
  if (r->auth == AUTH_WEBHOOK) {
    /* A helpdesk signs the body, or brings an integration token. */
    if (MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND,
                                    "Authorization")) {
      if (!bearer(c))
        return maat__fail_call(c, 401, "a valid bearer token is needed",
                               NULL);
      if (c->who.role != MAAT_ROLE_INTEGRATION &&
          c->who.role != MAAT_ROLE_ADMIN)
        return maat__fail_call(c, 403, "this role may not do that", NULL);
    }
  } else if (r->auth == AUTH_TOKEN) {
    if (!bearer(c))
      return maat__fail_call(c, 401, "a valid bearer token is needed", NULL);
    if (!(r->roles & (1u << c->who.role)))
      return maat__fail_call(c, 403, "this role may not do that", NULL);
  }
  *route = r;
  return MHD_YES;
}

void maat__route_forwarded(struct call *c, const void **route)
{
  int path_known = 0;

  *route = NULL;
  maat__call_lang(c);
  c->nseg = segments(c->url, c->seg);
  if (c->nseg < 0) {
    maat__fail_call(c, 404, "not found", NULL);
    return;
  }
  for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
    if (!matches(c, routes[i].pattern))
      continue;
    path_known = 1;
    if (!strcmp(routes[i].method, c->method)) {
      *route = &routes[i];
      return;
    }
  }
  maat__fail_call(c, path_known ? 405 : 404,
                  path_known ? "method not allowed" : "not found", NULL);
}

enum MHD_Result maat__route_run(struct call *c, const void *route)
{
  const struct route *r = route;

  maat__call_lang(c);
  c->nseg = segments(c->url, c->seg);
  return r->fn(c);
}

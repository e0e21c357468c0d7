/*
 * tokens.c - /v1/tokens: an admin lists, creates and revokes access
 * tokens, and creates enrolment codes for agents (/v1/enrolments); an
 * agent redeems its code for its own token (/v1/enrol). A token or code is
 * shown once, when created; an agent token only to its agent.
 */
#include "server-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int list_token(void *ctx, const struct maat_token_info *t)
{
  json_t *e = json_object();

  json_object_set_new(e, "id", json_integer(t->id));
  json_object_set_new(e, "role", json_string(t->enrolment ? "enrolment"
                                             : maat_role_name(t->role)));
  if (t->enrolment)
    json_object_set_new(e, "expires", json_real(t->expires));
  json_object_set_new(e, "agent", t->agent[0] ? json_string(t->agent)
                                               : json_null());
  json_object_set_new(e, "created", json_real(t->created));
  json_object_set_new(e, "revoked", t->revoked ? json_real(t->revoked)
                                               : json_null());
  json_array_append_new(ctx, e);
  return 0;
}

enum MHD_Result maat__get_tokens(struct call *c)
{
  json_t *list = json_array(), *o = json_object();
  int rc = maat_token_list(c->s->store, list_token, list);

  c->audit = 1;
  json_object_set_new(o, "tokens", list);
  if (rc) {
    json_decref(o);
    return maat__library_error(c, rc);
  }
  return maat__send_json(c, 200, o);
}

enum MHD_Result maat__post_token(struct call *c)
{
  enum MHD_Result ret;
  json_t *o, *v, *reply;
  char token[MAAT_TOKEN_LEN + 1];
  long tid;
  int role, rc;

  c->audit = 1;
  if (!(o = maat__parse_body(c, &ret)))
    return ret;
  v = json_object_get(o, "role");
  if (!json_is_string(v) || maat_role_parse(json_string_value(v), &role)) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'role': expected integration, "
                           "lead, admin or hr", "role");
  }
  /* An agent token would read the agent's wellbeing data. */
  if (role == MAAT_ROLE_AGENT) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'role': agent tokens come only "
                           "from enrolment: POST /v1/enrolments gives a "
                           "one-time code the agent redeems", "role");
  }
  if (json_object_get(o, "agent")) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'agent': only enrolment codes "
                           "name an agent", "agent");
  }
  rc = maat_token_add(c->s->store, role, NULL, token, &tid);
  json_decref(o);
  if (rc)
    return maat__library_error(c, rc);
  reply = json_object();
  json_object_set_new(reply, "id", json_integer(tid));
  json_object_set_new(reply, "token", json_string(token));
  snprintf(c->detail, sizeof c->detail, "token %ld created", tid);
  return maat__send_json(c, 201, reply);
}

enum MHD_Result maat__delete_token(struct call *c)
{
  char *end;
  long tid = strtol(c->seg[2], &end, 10);
  int rc;

  c->audit = 1;
  if (*end || tid <= 0)
    return maat__fail_call(c, 404, "no such token", NULL);
  rc = maat_token_revoke(c->s->store, tid);
  if (rc)
    return maat__library_error(c, rc);
  snprintf(c->detail, sizeof c->detail, "token %ld revoked", tid);
  return maat__send_buf(c, 204, "", 0, "application/json");
}

/* An admin asks for an agent's code: for a new agent, or to reset. */
enum MHD_Result maat__post_enrolment(struct call *c)
{
  char code[MAAT_ENROL_CODE_LEN + 1];
  enum MHD_Result ret;
  json_t *o, *v, *reply;
  const char *agent;
  long id;
  int state, rc;

  c->audit = 1;
  if (!(o = maat__parse_body(c, &ret)))
    return ret;
  v = json_object_get(o, "agent");
  agent = json_string_value(v);
  if (!agent || maat_engine_agent_state(c->s->engine, agent, &state)) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'agent': expected an agent of the "
                           "team", "agent");
  }
  rc = maat_enrol_add(c->s->store, agent, code, &id);
  if (rc) {
    json_decref(o);
    return maat__library_error(c, rc);
  }
  reply = json_object();
  json_object_set_new(reply, "id", json_integer(id));
  json_object_set_new(reply, "agent", json_string(agent));
  json_object_set_new(reply, "code", json_string(code));
  json_object_set_new(reply, "expires",
                      json_real(maat_wall_now() + MAAT_ENROL_TTL_S));
  snprintf(c->detail, sizeof c->detail, "enrolment %ld for agent %s", id,
           agent);
  json_decref(o);
  return maat__send_json(c, 201, reply);
}

/* The agent redeems its code: no token yet, so none is asked for. */
enum MHD_Result maat__post_enrol(struct call *c)
{
  char token[MAAT_TOKEN_LEN + 1];
  struct maat_principal who;
  enum MHD_Result ret;
  json_t *o, *v, *reply;
  int rc;

  c->audit = 1;
  if (!(o = maat__parse_body(c, &ret)))
    return ret;
  v = json_object_get(o, "code");
  if (!json_is_string(v)) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'code': expected the enrolment "
                           "code, as XXXX-XXXX-XXXX", "code");
  }
  rc = maat_enrol_redeem(c->s->store, json_string_value(v),
                         json_string_length(v), token, &who);
  json_decref(o);
  if (rc == MAAT_ENOTFOUND)
    return maat__fail_call(c, 404, maat_errmsg(), "code");
  if (rc)
    return maat__library_error(c, rc);
  c->who = who;
  reply = json_object();
  json_object_set_new(reply, "agent", json_string(who.agent));
  json_object_set_new(reply, "token", json_string(token));
  snprintf(c->detail, sizeof c->detail, "agent %s enrolled (token %ld)",
           who.agent, who.token);
  return maat__send_json(c, 201, reply);
}

/* An alert URL without its path: a chat's webhook path is its secret. */
static json_t *redacted_url(const char *url)
{
  const char *host = strstr(url, "://");
  const char *slash = host ? strchr(host + 3, '/') : NULL;
  char buf[300];

  if (!slash)
    return json_string(url);
  snprintf(buf, sizeof buf, "%.*s/…", (int)(slash - url), url);
  return json_string(buf);
}

/*
 * GET /v1/config (admin): the team as loaded (agents with languages,
 * skills, tiers and shifts; every setting in force, the hard limits and
 * the lead's choice among them), the policy, the minimum group, the time
 * zone and where alerts go (without their secret paths). Read only: the
 * team file and the config file are the source.
 */
enum MHD_Result maat__get_config(struct call *c)
{
  struct maat_server *s = c->s;
  char *team = NULL;
  json_t *o, *t, *alerts;
  int rc = maat_team_describe(maat_engine_team(s->engine), &team);
  const char *tz = getenv("TZ");

  if (rc)
    return maat__library_error(c, rc);
  t = json_loads(team, 0, NULL);
  maat_free(team);
  if (!t)
    return maat__fail_call(c, 500, "out of memory", NULL);
  o = json_object();
  json_object_set_new(o, "team", t);
  json_object_set_new(o, "policy", json_string(s->policy));
  json_object_set_new(o, "min_group", json_integer(s->o.min_group ? s->o.min_group
                                                                  : 5));
  json_object_set_new(o, "timezone", json_string(tz && *tz ? tz : "the server's"));
  alerts = json_array();
  for (int k = 0; k < s->o.nalerts; k++) {
    const struct maat_alert_target *a = &s->o.alerts[k];
    static const char *const fmt[] = { "json", "slack", "teams" };
    json_t *e = json_object();
    json_object_set_new(e, "url", redacted_url(a->url));
    json_object_set_new(e, "format", json_string(fmt[a->format % 3]));
    json_object_set_new(e, "lang", json_string(a->lang ? a->lang : "en"));
    {
      static const char *const kinds[] = { "overload", "understaffed",
                                            "forecast", "unroutable",
                                            "open_too_long" };
      json_t *list = json_array();
      for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (!a->kinds || (a->kinds & maat_alert_kind(kinds[i])))
          json_array_append_new(list, json_string(kinds[i]));
      json_object_set_new(e, "kinds", list);
    }
    json_array_append_new(alerts, e);
  }
  json_object_set_new(o, "alerts", alerts);
  {
    /* The helpdesks and who is who in them; never a credential. */
    json_t *list = json_array();
    for (int k = 0; k < s->o.nhelpdesks; k++) {
      const struct maat_helpdesk_target *h = &s->o.helpdesks[k];
      json_t *e = json_object(), *agents = json_object(), *by_tier = json_object();
      json_object_set_new(e, "kind", json_string(maat_helpdesk_kind_name(h->kind)));
      json_object_set_new(e, "url", redacted_url(h->url));
      json_object_set_new(e, "lang", json_string(h->lang ? h->lang : "en"));
      json_decref(agents);
      agents = maat__hd_agents_json(s, k);
      json_object_set_new(e, "agents", agents);
      json_object_set_new(e, "agents_from",
                          json_string(maat__hd_agents_source(s, k)));
      for (int tier = 1; tier <= 3; tier++)
        if (h->group[tier])
          json_object_set_new(by_tier, tier == 1 ? "T1" : tier == 2 ? "T2" : "T3",
                              json_string(h->group[tier]));
      json_object_set_new(e, h->kind == MAAT_HELPDESK_RT ? "queues" : "groups",
                          by_tier);
      if (h->kind == MAAT_HELPDESK_RT || h->presence)
        json_object_set_new(e, "poll_s", json_real(h->poll_s));
      if (h->kind == MAAT_HELPDESK_CHATWOOT)
        json_object_set_new(e, "presence", json_boolean(h->presence));
      json_array_append_new(list, e);
    }
    json_object_set_new(o, "helpdesks", list);
  }
  json_object_set_new(o, "outbox", json_pack("{s:i, s:f, s:f, s:f}",
                                             "max_attempts",
                                             s->outbox.max_attempts,
                                             "backoff_s", s->outbox.backoff_s,
                                             "backoff_max_s",
                                             s->outbox.backoff_max_s,
                                             "timeout_s",
                                             s->outbox.timeout_s));
  return maat__send_json(c, 200, o);
}

/*
 * tokens.c - /v1/tokens: an admin lists, creates and revokes access
 * tokens. A token is shown once, when created.
 */
#include "server-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  const char *agent = NULL;
  long tid;
  int role, state, rc;

  c->audit = 1;
  if (!(o = maat__parse_body(c, &ret)))
    return ret;
  v = json_object_get(o, "role");
  if (!json_is_string(v) || maat_role_parse(json_string_value(v), &role)) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'role': expected integration, "
                           "agent, lead or admin", "role");
  }
  v = json_object_get(o, "agent");
  if (v && json_is_string(v))
    agent = json_string_value(v);
  if (agent && maat_engine_agent_state(c->s->engine, agent, &state)) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'agent': not an agent of the team",
                           "agent");
  }
  rc = maat_token_add(c->s->store, role, agent, token, &tid);
  json_decref(o);
  if (rc)
    return maat__fail_call(c, 400, maat_errmsg(), "agent");
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

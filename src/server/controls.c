/*
 * controls.c - what a lead does to the team's flow beyond reading it:
 * pausing the bot for an intent (/v1/bot/pauses). The list is kept in the
 * store, so it survives a restart; every change is audited.
 */
#include "server-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_intent(void *ctx, const char *intent)
{
  return json_array_append_new(ctx, json_string(intent));
}

static json_t *paused_json(struct maat_server *s)
{
  json_t *list = json_array();

  maat_engine_bot_paused(s->engine, add_intent, list);
  return list;
}

/* The list as the store keeps it: a JSON array of intents. */
static int keep(struct maat_server *s)
{
  json_t *list = paused_json(s);
  char *txt = json_dumps(list, JSON_COMPACT);
  int rc;

  json_decref(list);
  if (!txt)
    return maat_error_set(MAAT_ENOMEM, "out of memory");
  rc = maat_store_meta_set(s->store, "bot_paused", txt);
  free(txt);
  return rc;
}

int maat__restore_bot_pauses(struct maat_server *s)
{
  char *txt = NULL;
  json_t *list, *v;
  size_t i;
  int rc = maat_store_meta_get(s->store, "bot_paused", &txt);

  if (rc == MAAT_ENOTFOUND)
    return MAAT_OK;
  if (rc)
    return rc;
  list = json_loads(txt, 0, NULL);
  maat_free(txt);
  json_array_foreach(list, i, v)
    if (json_is_string(v))
      maat_engine_bot_pause(s->engine, json_string_value(v), 1);
  json_decref(list);
  return MAAT_OK;
}

enum MHD_Result maat__get_bot_pauses(struct call *c)
{
  json_t *o = json_object();

  json_object_set_new(o, "paused", paused_json(c->s));
  return maat__send_json(c, 200, o);
}

/* {"intent": ..., "paused": true|false, "reason": ...} */
enum MHD_Result maat__post_bot_pause(struct call *c)
{
  enum MHD_Result ret;
  json_t *o, *intent, *paused, *why, *reply;
  int rc;

  c->audit = 1;
  if (!(o = maat__parse_body(c, &ret)))
    return ret;
  intent = json_object_get(o, "intent");
  paused = json_object_get(o, "paused");
  why = json_object_get(o, "reason");
  if (!json_is_string(intent) ||
      !maat_id_valid(json_string_value(intent), json_string_length(intent))) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'intent': expected an intent of "
                           MAAT_ID_RULE, "intent");
  }
  if (!json_is_boolean(paused)) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'paused': expected true or false",
                           "paused");
  }
  if (why && (!json_is_string(why) || json_string_length(why) > 200)) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'reason': expected a string of at "
                           "most 200 bytes", "reason");
  }
  snprintf(c->detail, sizeof c->detail, "bot %s for intent %s%s%s",
           json_is_true(paused) ? "paused" : "resumed",
           json_string_value(intent), why ? ": " : "",
           why ? json_string_value(why) : "");
  rc = maat_engine_bot_pause(c->s->engine, json_string_value(intent),
                             json_is_true(paused));
  if (!rc)
    rc = keep(c->s);
  json_decref(o);
  if (rc)
    return maat__library_error(c, rc);
  reply = json_object();
  json_object_set_new(reply, "paused", paused_json(c->s));
  return maat__send_json(c, 200, reply);
}

/* ---- rollout stages per intent (docs/insight.md) ----
 * Kept in the store as {"intent": {"stage", "share", "since"}}. */

static json_t *rollout_json(struct maat_server *s)
{
  char *txt = NULL;
  json_t *o = NULL;

  if (maat_store_meta_get(s->store, "rollout", &txt) == MAAT_OK)
    o = json_loads(txt, 0, NULL);
  maat_free(txt);
  return json_is_object(o) ? o : (json_decref(o), json_object());
}

int maat__restore_rollout(struct maat_server *s)
{
  json_t *o = rollout_json(s), *v;
  const char *intent;

  json_object_foreach(o, intent, v) {
    int stage;
    if (maat_rollout_parse(json_string_value(json_object_get(v, "stage")),
                           &stage) == MAAT_OK)
      maat_engine_rollout(s->engine, intent, stage,
                          json_number_value(json_object_get(v, "share")));
  }
  json_decref(o);
  return MAAT_OK;
}

enum MHD_Result maat__get_rollout(struct call *c)
{
  return maat__send_json(c, 200, json_pack("{s:o}", "rollout",
                                           rollout_json(c->s)));
}

/* {"intent", "stage": shadow|pilot|scale|optimise|none, "share"} */
enum MHD_Result maat__post_rollout(struct call *c)
{
  enum MHD_Result ret;
  json_t *o, *intent, *st, *sh, *all;
  double share = 1;
  int stage, rc;
  char *txt;

  c->audit = 1;
  if (!(o = maat__parse_body(c, &ret)))
    return ret;
  intent = json_object_get(o, "intent");
  st = json_object_get(o, "stage");
  sh = json_object_get(o, "share");
  if (!json_is_string(intent) ||
      !maat_id_valid(json_string_value(intent), json_string_length(intent))) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'intent': expected an intent of "
                           MAAT_ID_RULE, "intent");
  }
  if (!json_is_string(st) || maat_rollout_parse(json_string_value(st),
                                                &stage)) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'stage': expected shadow, pilot, "
                           "scale, optimise or none", "stage");
  }
  if (sh && (!json_is_number(sh) || json_number_value(sh) < 0 ||
             json_number_value(sh) > 1)) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'share': expected 0 to 1",
                           "share");
  }
  if (stage == MAAT_ROLLOUT_PILOT)
    share = sh ? json_number_value(sh) : 0.1;
  snprintf(c->detail, sizeof c->detail, "rollout of %s: %s",
           json_string_value(intent), maat_rollout_name(stage));
  rc = maat_engine_rollout(c->s->engine, json_string_value(intent), stage,
                           share);
  if (rc) {
    json_decref(o);
    return maat__library_error(c, rc);
  }
  all = rollout_json(c->s);
  if (stage == MAAT_ROLLOUT_NONE)
    json_object_del(all, json_string_value(intent));
  else
    json_object_set_new(all, json_string_value(intent), json_pack(
        "{s:s,s:f,s:f}", "stage", maat_rollout_name(stage), "share", share,
        "since", maat_wall_now()));
  txt = json_dumps(all, JSON_COMPACT);
  rc = txt ? maat_store_meta_set(c->s->store, "rollout", txt)
           : maat_error_set(MAAT_ENOMEM, "out of memory");
  free(txt);
  json_decref(o);
  if (rc) {
    json_decref(all);
    return maat__library_error(c, rc);
  }
  return maat__send_json(c, 200, json_pack("{s:o}", "rollout", all));
}

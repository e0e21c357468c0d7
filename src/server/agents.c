/*
 * agents.c - /v1/agents/{id}: an agent sets its state; an agent's own
 * view (strain, recovery, check-ins, what gives or costs energy), private
 * to that agent: not even a lead or an admin reads it.
 */
#include "server-int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum MHD_Result maat__post_agent_state(struct call *c)
{
  struct maat_server *s = c->s;
  const char *agent = c->seg[2];
  struct maat_apply_extra x;
  struct maat_applied a;
  enum MHD_Result ret;
  json_t *o, *v, *e, *reply;
  char *txt;
  int state, rc, bad = 0;

  c->audit = 1;
  if (c->who.role == MAAT_ROLE_AGENT && strcmp(c->who.agent, agent))
    return maat__fail_call(c, 403, "an agent may change only its own state",
                           NULL);
  if (maat_engine_agent_state(s->engine, agent, &state))
    return maat__fail_call(c, 404, "no such agent", NULL);
  if (!(o = maat__parse_body(c, &ret)))
    return ret;
  v = json_object_get(o, "state");
  if (!json_is_string(v) || (strcmp(json_string_value(v), "available") &&
                             strcmp(json_string_value(v), "break") &&
                             strcmp(json_string_value(v), "offline"))) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'state': expected available, "
                           "break or offline", "state");
  }
  /* Built with jansson: an id is data, never JSON syntax. */
  e = json_object();
  bad |= maat__jset(e, "type", json_string("agent"));
  bad |= maat__jset(e, "t", json_real(maat__now_t(s)));
  bad |= maat__jset(e, "agent", json_string(agent));
  bad |= maat__jset(e, "state", json_incref(v));
  txt = bad ? NULL : json_dumps(e, JSON_COMPACT | JSON_REAL_PRECISION(15));
  json_decref(e);
  snprintf(c->detail, sizeof c->detail, "agent %s: %s", agent,
           json_string_value(v));
  reply = json_object();
  json_object_set_new(reply, "agent", json_string(agent));
  json_object_set_new(reply, "requested", json_incref(v));
  json_decref(o);
  if (!txt) {
    json_decref(reply);
    return maat__fail_call(c, 500, "out of memory", NULL);
  }
  maat__call_extra(c, 200, &x);
  rc = maat_engine_apply(s->engine, txt, strlen(txt),
                         MAAT_APPLY_NOW | MAAT_APPLY_AS_IS, &x, &a);
  free(txt);
  if (rc)
    c->audited = 0;
  else
    rc = maat_engine_wait(s->engine, a.ticket);
  if (rc) {
    json_decref(reply);
    return maat__library_error(c, rc);
  }
  maat_engine_agent_state(s->engine, agent, &state);
  json_object_set_new(reply, "state", json_string(maat_agent_state_name(
                                          state)));
  return maat__send_json(c, 200, reply);
}

struct seen_checkin {
  const char *contact;
  int found;
};

static int find_checkin(void *ctx, const struct maat_store_checkin *k)
{
  struct seen_checkin *s = ctx;
  if (k->contact && !strcmp(k->contact, s->contact))
    s->found = 1;
  return s->found;
}

/* Whether 'agent' checked in on 'contact' at or after 'since'. */
static int checked_in(maat_store *st, const char *agent, const char *contact,
                      double since)
{
  struct seen_checkin s = { contact, 0 };
  maat_store_checkins(st, agent, since, 200, find_checkin, &s);
  return s.found;
}

/* The agent's own last contacts, to check in on those it has not. */
static json_t *recent_contacts(struct maat_server *s, const char *agent,
                               double since_t)
{
  char ids[5][MAAT_ID_MAX + 1];
  int n = maat_engine_recent_contacts(s->engine, agent, ids, 5);
  json_t *list = json_array();

  for (int k = 0; k < n; k++) {
    struct maat_contact_record r;
    json_t *e;
    if (maat_engine_contact(s->engine, ids[k], &r))
      continue;
    maat_contact_record_release(&r);
    if (r.t_assigned < since_t)
      continue;
    e = json_object();
    json_object_set_new(e, "id", json_string(r.id));
    json_object_set_new(e, "intent", r.intent[0] ? json_string(r.intent)
                                                 : json_null());
    json_object_set_new(e, "tone", json_string(maat_tone_name(r.tone)));
    json_object_set_new(e, "state", json_string(maat_contact_state_name(
                                        r.state)));
    json_object_set_new(e, "assigned_t", json_real(r.t_assigned));
    json_object_set_new(e, "checked_in",
                        json_boolean(checked_in(s->store, agent, r.id,
                                                since_t)));
    json_array_append_new(list, e);
  }
  return list;
}

/* POST /v1/contacts/{id}/checkin: the agent says how much energy a
 * contact it handled left it (1..5, an optional note): private to it. */
enum MHD_Result maat__post_checkin(struct call *c)
{
  struct maat_server *s = c->s;
  const char *id = c->seg[2];
  struct maat_apply_extra x;
  enum MHD_Result ret;
  json_t *o, *v, *reply;
  const char *note = NULL;
  int64_t ticket = 0;
  int energy, rc;

  c->audit = 1;
  snprintf(c->detail, sizeof c->detail, "check-in on contact %s", id);
  if (!(o = maat__parse_body(c, &ret)))
    return ret;
  v = json_object_get(o, "energy");
  if (!json_is_integer(v) || json_integer_value(v) < 1 ||
      json_integer_value(v) > 5) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'energy': expected 1 to 5",
                           "energy");
  }
  energy = (int)json_integer_value(v);
  v = json_object_get(o, "note");
  if (v && (!json_is_string(v) || json_string_length(v) > 500)) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'note': expected a string of at "
                           "most 500 bytes", "note");
  }
  note = v ? json_string_value(v) : NULL;
  if (checked_in(s->store, c->who.agent, id,
                 maat__wall_to_t(s, c->who.since))) {
    json_decref(o);
    return maat__fail_call(c, 409, "you checked in on this contact already",
                           NULL);
  }
  maat__call_extra(c, 200, &x);
  rc = maat_engine_checkin(s->engine, c->who.agent, id, maat__now_t(s),
                           energy, note, &x, &ticket);
  json_decref(o);
  if (rc) {
    c->audited = 0;
    return rc == MAAT_ESTATE
               ? maat__fail_call(c, 403, "a check-in is for a contact you "
                                 "handled", NULL)
               : maat__library_error(c, rc);
  }
  if ((rc = maat_engine_wait(s->engine, ticket)))
    return maat__library_error(c, rc);
  reply = json_object();
  json_object_set_new(reply, "contact", json_string(id));
  json_object_set_new(reply, "energy", json_integer(energy));
  return maat__send_json(c, 200, reply);
}

static int add_checkin(void *ctx, const struct maat_store_checkin *k)
{
  json_t *e = json_object();

  json_object_set_new(e, "t", json_real(k->t));
  json_object_set_new(e, "energy", json_integer(k->energy));
  json_object_set_new(e, "note", k->note ? json_string(k->note)
                                         : json_null());
  json_object_set_new(e, "intent", k->intent ? json_string(k->intent)
                                             : json_null());
  json_object_set_new(e, "tone", json_string(k->tone));
  json_array_append_new(ctx, e);
  return 0;
}

static int add_kind(void *ctx, const char *intent, const char *tone, long n,
                    double mean)
{
  json_t *e = json_object();

  json_object_set_new(e, "intent", json_string(intent));
  json_object_set_new(e, "tone", json_string(tone));
  json_object_set_new(e, "checkins", json_integer(n));
  json_object_set_new(e, "mean_energy", json_real(mean));
  json_array_append_new(ctx, e);
  return 0;
}

/*
 * After a reset (the agent held a credential before this one), the live
 * figures carry work from before it: they stay hidden until the later of
 * 8 hours after enrolment (acute strain recovers within minutes, see the
 * strain model) and the next midnight (the day's counts start afresh).
 */
#define RESET_QUIET_S (8 * 3600.0)
static double live_from(double since_t)
{
  double midnight = (floor(since_t / 86400) + 1) * 86400;
  return fmax(since_t + RESET_QUIET_S, midnight);
}

static void live_figures(json_t *o, const struct maat_agent_view *v,
                         double withheld_until)
{
  if (withheld_until > 0) {
    json_object_set_new(o, "strain", json_null());
    json_object_set_new(o, "live_withheld_until", json_real(withheld_until));
    return;
  }
  json_object_set_new(o, "strain", json_real(v->strain));
  json_object_set_new(o, "in_recovery", json_boolean(v->in_recovery));
  json_object_set_new(o, "recovery_left_s", json_real(v->recovery_left_s));
  json_object_set_new(o, "heavy_in_a_row", json_integer(v->heavy_in_a_row));
  json_object_set_new(o, "heavy_today", json_integer(v->heavy_today));
}

enum MHD_Result maat__get_agent(struct call *c)
{
  struct maat_server *s = c->s;
  const char *agent = c->seg[2];
  struct maat_agent_view v;
  json_t *o, *list, *kinds;
  double since_t, now_t = maat__now_t(s), hold = 0;
  int earlier = 0, n = 0;

  c->audit = 1;
  snprintf(c->detail, sizeof c->detail, "agent %s", agent);
  /* Wellbeing data is private to the agent: not even admin or lead. */
  if (c->who.role != MAAT_ROLE_AGENT || strcmp(c->who.agent, agent))
    return maat__fail_call(c, 403, "an agent's own view is for that agent "
                           "only", NULL);
  if (maat_engine_agent_view(s->engine, agent, &v))
    return maat__fail_call(c, 404, "no such agent", NULL);
  /* This credential reads only what came after it was enrolled. */
  since_t = maat__wall_to_t(s, c->who.since);
  if (maat_enrol_earlier(s->store, agent, c->who.since, &earlier))
    return maat__library_error(c, MAAT_EDB);
  if (earlier && now_t < live_from(since_t))
    hold = live_from(since_t);
  for (int k = 0; k < v.nwarnings; k++)
    if (v.warnings[k].t >= since_t)
      v.warnings[n++] = v.warnings[k];
  v.nwarnings = n;
  o = json_object();
  json_object_set_new(o, "id", json_string(agent));
  json_object_set_new(o, "state", json_string(maat_agent_state_name(
                                      v.state)));
  json_object_set_new(o, "next_state", v.next_state >= 0
                      ? json_string(maat_agent_state_name(v.next_state))
                      : json_null());
  live_figures(o, &v, hold);
  json_object_set_new(o, "overload_line", json_real(v.overload_line));
  json_object_set_new(o, "recovery_to", json_real(v.recovery_to));
  json_object_set_new(o, "enrolled_t", json_real(since_t));
  list = json_array();
  maat_store_checkins(s->store, agent, since_t, 20, add_checkin, list);
  json_object_set_new(o, "checkins", list);
  kinds = json_array();
  maat_store_energy_by_kind(s->store, agent, since_t, add_kind, kinds);
  json_object_set_new(o, "energy_by_kind", kinds);
  json_object_set_new(o, "warnings", maat__warnings_json(c, v.warnings, v.nwarnings));
  json_object_set_new(o, "recent_contacts", recent_contacts(s, agent, since_t));
  json_object_set_new(o, "t", json_real(now_t));
  return maat__send_json(c, 200, o);
}

/*
 * For a lead's move: the agents who are free to take a contact now, by id
 * only. Nothing else about them (no strain, no recovery: a window after a
 * heavy contact shows as not free, like being busy).
 */
enum MHD_Result maat__get_free_agents(struct call *c)
{
  const maat_team *team = maat_engine_team(c->s->engine);
  json_t *o = json_object(), *list = json_array();
  const char *id;

  for (size_t i = 0; (id = maat_team_agent_id(team, i)); i++) {
    int state;
    if (maat_engine_agent_state(c->s->engine, id, &state) == MAAT_OK &&
        state == MAAT_AGENT_AVAILABLE)
      json_array_append_new(list, json_string(id));
  }
  json_object_set_new(o, "free", list);
  return maat__send_json(c, 200, o);
}

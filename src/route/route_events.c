/*
 * route_events.c - the router's JSONL formats: parsing input events and
 * writing decisions and summaries with fixed number formatting, so that the
 * same input gives the same bytes (docs/events.md).
 */
#include "route-int.h"
#include "json-int.h"

#include <jansson.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int get_id(json_t *o, const char *field, char *dst, int required)
{
  json_t *v = json_object_get(o, field);
  size_t n;

  if (!v) {
    if (required)
      return maat__fail(MAAT_EPARSE, "field '%s': missing", field);
    dst[0] = 0;
    return MAAT_OK;
  }
  if (json_is_integer(v)) {
    snprintf(dst, MAAT_ID_MAX + 1, "%lld", (long long)json_integer_value(v));
    return MAAT_OK;
  }
  n = json_string_length(v);
  if (!json_is_string(v) || (!required && !n)) {
    if (json_is_string(v)) {
      dst[0] = 0;
      return MAAT_OK;
    }
    return maat__fail(MAAT_EPARSE, "field '%s': expected an id of "
                      MAAT_ID_RULE, field);
  }
  if (!maat_id_valid(json_string_value(v), n))
    return maat__fail(MAAT_EPARSE, "field '%s': '%.70s' is not an id "
                      "(expected " MAAT_ID_RULE ")", field,
                      json_string_value(v));
  memcpy(dst, json_string_value(v), n + 1);
  return MAAT_OK;
}

static int get_num(json_t *o, const char *field, double lo, double hi,
                   double *out)
{
  json_t *v = json_object_get(o, field);

  if (!v)
    return MAAT_OK;
  if (!json_is_number(v) || !(json_number_value(v) >= lo) ||
      !(json_number_value(v) <= hi))
    return maat__fail(MAAT_EPARSE, "field '%s': expected a number in "
                      "%g..%g", field, lo, hi);
  *out = json_number_value(v);
  return MAAT_OK;
}

static int get_enum(json_t *o, const char *field, const char *const *names,
                    int n, int *out, int required)
{
  json_t *v = json_object_get(o, field);
  const char *s;

  if (!v) {
    if (required)
      return maat__fail(MAAT_EPARSE, "field '%s': missing", field);
    return MAAT_OK;
  }
  s = json_string_value(v);
  for (int i = 0; s && i < n; i++)
    if (names[i] && !strcmp(s, names[i])) {
      *out = i;
      return MAAT_OK;
    }
  return maat__fail(MAAT_EPARSE, "field '%s': unknown value%s%s%s", field,
                    s ? " '" : "", s ? s : "", s ? "'" : "");
}

/* An agent event sets one of these; busy and recovery are the router's. */
static const char *const states[] = { "offline", "available", NULL, NULL,
                                      "break" };
static const char *const types[] = { NULL, "contact", "agent", "done",
                                     "tick", "move", "followup" };

int maat__event_parse_keep(struct maat_event *ev, const char *line,
                           size_t len, json_t **keep)
{
  json_error_t err;
  json_t *o = json_loadb(line, len, 0, &err);
  struct maat_contact *c = &ev->contact;
  double num;
  int rc;

  memset(ev, 0, sizeof *ev);
  if (!o)
    return maat__json_fail(&err);
  if (!json_is_object(o)) {
    rc = maat__fail(MAAT_EPARSE, "expected a JSON object");
    goto out;
  }
  if ((rc = get_enum(o, "type", types, 7, &ev->type, 1)))
    goto out;
  if (!json_object_get(o, "t")) {
    rc = maat__fail(MAAT_EPARSE, "field 't': missing");
    goto out;
  }
  if ((rc = get_num(o, "t", 0, 1e12, &ev->t)))
    goto out;
  switch (ev->type) {
  case MAAT_EV_CONTACT:
  case MAAT_EV_FOLLOWUP:
    c->urgency = MAAT_URGENCY_NORMAL;
    c->priority = -1;
    c->intensity = 0.5;
    if (ev->type == MAAT_EV_FOLLOWUP) {
      if ((rc = get_id(o, "contact", ev->contact_id, 1)))
        goto out;
      memcpy(c->id, ev->contact_id, sizeof c->id);
    } else if ((rc = get_id(o, "prefer", ev->agent, 0))) {
      goto out;
    }
    if ((ev->type == MAAT_EV_CONTACT && (rc = get_id(o, "id", c->id, 1))) ||
        (rc = get_id(o, "customer", c->customer, 0)) ||
        (rc = get_id(o, "intent", c->intent, 0)))
      goto out;
    if (!json_object_get(o, "tier") && json_object_get(o, "text")) {
      /* The caller triages raw text (maat_triage_event_line()). */
      rc = maat__fail(MAAT_EPARSE, "field 'tier': missing (raw 'text' must "
                      "be triaged first)");
      goto out;
    }
    if ((rc = get_enum(o, "tier", maat__tier_names, 4, &c->tier, 1)) ||
        (rc = get_enum(o, "tone", maat__tone_names, 5, &c->tone, 0)) ||
        (rc = get_enum(o, "urgency", maat__urgency_names, 4, &c->urgency, 0)) ||
        (rc = get_num(o, "intensity", 0, 1, &c->intensity)) ||
        (rc = get_num(o, "handle_s", 0, 1e7, &c->handle_s)) ||
        (rc = get_num(o, "patience_s", 0, 1e7, &c->patience_s)))
      goto out;
    num = -1;
    if ((rc = get_num(o, "priority", 0, 3, &num)))
      goto out;
    c->priority = num >= 0 ? (int)num : c->urgency;
    {
      char lang[MAAT_ID_MAX + 1];
      if ((rc = get_id(o, "lang", lang, 0)))
        goto out;
      if (strlen(lang) >= sizeof c->lang) {
        rc = maat__fail(MAAT_EPARSE, "field 'lang': expected a short code "
                        "like \"nl\"");
        goto out;
      }
      memcpy(c->lang, lang, strlen(lang) + 1);
      if ((rc = get_id(o, "channel", lang, 0)))
        goto out;
      if (strlen(lang) >= sizeof c->channel) {
        rc = maat__fail(MAAT_EPARSE, "field 'channel': expected a name of "
                        "at most %zu bytes like \"chat\"",
                        sizeof c->channel - 1);
        goto out;
      }
      memcpy(c->channel, lang, strlen(lang) + 1);
    }
    break;
  case MAAT_EV_AGENT:
    if ((rc = get_id(o, "agent", ev->agent, 1)) ||
        (rc = get_enum(o, "state", states, 5, &ev->state, 1)))
      goto out;
    break;
  case MAAT_EV_DONE:
    num = 0;
    if ((rc = get_id(o, "contact", ev->contact_id, 1)) ||
        (rc = get_num(o, "energy", 1, 5, &num)))
      goto out;
    ev->energy = (int)num;
    {
      json_t *v = json_object_get(o, "outcome");
      if (v && !json_is_string(v)) {
        rc = maat__fail(MAAT_EPARSE, "field 'outcome': expected a string");
        goto out;
      }
      ev->abandoned = v && !strcmp(json_string_value(v), "abandoned");
    }
    break;
  case MAAT_EV_MOVE:
    if ((rc = get_id(o, "contact", ev->contact_id, 1)) ||
        (rc = get_id(o, "agent", ev->agent, 0)))
      goto out;
    break;
  default:
    break;
  }
out:
  if (!rc && keep)
    *keep = o;
  else
    json_decref(o);
  return rc;
}

int maat_event_parse(struct maat_event *ev, const char *line, size_t len)
{
  return maat__event_parse_keep(ev, line, len, NULL);
}

/* Appends with snprintf semantics: 'pos' counts what would be needed. */
static void put(char *buf, size_t cap, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t cap, size_t *pos, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(*pos < cap ? buf + *pos : NULL, *pos < cap ? cap - *pos : 0,
                fmt, ap);
  va_end(ap);
  if (n > 0)
    *pos += (size_t)n;
}

/* Writes 's' as a JSON string body (no quotes). */
static void put_str(char *buf, size_t cap, size_t *pos, const char *s)
{
  *pos += maat_json_escape(*pos < cap ? buf + *pos : NULL,
                           *pos < cap ? cap - *pos : 0, s, strlen(s));
}

size_t maat_decision_format(const struct maat_decision *d, char *buf,
                            size_t cap)
{
  size_t pos = 0;

  if (d->type == MAAT_DEC_WARNING) {
    put(buf, cap, &pos, "{\"type\":\"warning\",\"t\":%.3f,\"kind\":\"%s\","
        "\"scope\":\"%s\"", d->t, d->kind ? d->kind : "",
        d->scope == MAAT_SCOPE_AGENT ? "agent" : "team");
    if (d->scope == MAAT_SCOPE_AGENT) {
      put(buf, cap, &pos, ",\"agent\":\"");
      put_str(buf, cap, &pos, d->agent);
      put(buf, cap, &pos, "\",\"private\":true");
    }
    put(buf, cap, &pos, ",\"reasons\":[\"");
    put_str(buf, cap, &pos, d->message);
    put(buf, cap, &pos, "\"]}\n");
  } else {
    put(buf, cap, &pos, "{\"type\":\"%s\",\"t\":%.3f,\"contact\":\"",
        d->type == MAAT_DEC_ASSIGN ? "assign"
        : d->type == MAAT_DEC_REQUEUE ? "requeue" : "abandon", d->t);
    put_str(buf, cap, &pos, d->contact);
    put(buf, cap, &pos, "\"");
    if (d->type == MAAT_DEC_ASSIGN) {
      put(buf, cap, &pos, ",\"to\":\"");
      put_str(buf, cap, &pos, d->to);
      put(buf, cap, &pos, "\"");
    }
    put(buf, cap, &pos, ",\"tier\":\"T%d\",\"wait_s\":%.3f,\"reasons\":[",
        d->tier, d->wait_s);
    for (int k = 0; k < d->nreasons; k++) {
      put(buf, cap, &pos, "%s\"", k ? "," : "");
      put_str(buf, cap, &pos, d->reasons[k]);
      put(buf, cap, &pos, "\"");
    }
    put(buf, cap, &pos, "]}\n");
  }
  if (cap && pos >= cap)
    buf[cap - 1] = 0;
  return pos;
}

size_t maat_route_summary_format(const struct maat_route_summary *s,
                                 char *buf, size_t cap)
{
  size_t pos = 0;

  put(buf, cap, &pos,
      "{\"contacts\":%ld,\"assigned\":%ld,\"to_bot\":%ld,\"to_people\":%ld,"
      "\"abandoned\":%ld,\"queued_at_end\":%ld,\"in_service_at_end\":%ld,"
      "\"hostile_to_bot\":%ld,\"light_to_people\":%ld,"
      "\"heavy_contacts\":%ld,\"service_target_s\":%.0f,"
      "\"service_level\":%.4f,\"service_level_people\":%.4f,"
      "\"avg_wait_s\":%.2f,\"peak_strain\":%.4f,"
      "\"overload_agent_hours\":%.3f,\"heavy_gini\":%.4f,"
      "\"warnings\":%ld,\"overload_fallbacks\":%ld,\"checkins\":%ld,"
      "\"mean_energy\":%.3f,\"understaffed_warnings\":%ld,"
      "\"hard_limit_breaks\":%ld}\n",
      s->contacts, s->assigned, s->to_bot, s->to_people, s->abandoned,
      s->queued_at_end, s->in_service_at_end, s->hostile_to_bot,
      s->light_to_people, s->heavy_contacts, s->service_target_s,
      s->service_level, s->service_level_people, s->avg_wait_s,
      s->peak_strain, s->overload_agent_hours, s->heavy_gini, s->warnings,
      s->overload_warnings, s->checkins, s->mean_energy,
      s->understaffed_warnings, s->hard_breaks);
  return pos;
}

/*
 * insight.c - the insight report over HTTP (docs/insight.md): the report
 * as JSON or as the HTML page for leads, admins and HR (aggregates only),
 * entries of the reinvestment ledger, and an agent's weekly pulse.
 */
#include "server-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "2026-12-01" as local midnight; -1 when it is not a date. */
static double a_date(const char *s)
{
  double t;

  return maat_insight_date(s, &t) == MAAT_OK ? t : -1;
}

/* GET /v1/insight[?from=&to=&format=html|csv|json]: lead, admin, hr. */
enum MHD_Result maat__get_insight(struct call *c)
{
  struct maat_insight_opts o;
  const char *from = maat__arg(c, "from"), *to = maat__arg(c, "to");
  const char *format = maat__arg(c, "format");
  char *json = NULL, *page = NULL;
  size_t len = 0;
  enum MHD_Result ret;
  int rc;

  c->audit_read = 1;
  memset(&o, 0, sizeof o);
  if (c->s->o.insight)
    o = *c->s->o.insight;
  o.min_group = c->s->o.min_group;
  if (from && (o.from = a_date(from)) < 0)
    return maat__fail_call(c, 400, "field 'from': expected a date like "
                           "2026-12-01", "from");
  if (to && (o.to = a_date(to)) < 0)
    return maat__fail_call(c, 400, "field 'to': expected a date like "
                           "2026-12-31", "to");
  if (to)
    o.to += 86400;   /* the whole last day */
  if (format && strcmp(format, "json") && strcmp(format, "html") &&
      strcmp(format, "csv"))
    return maat__fail_call(c, 400, "field 'format': expected json, html or "
                           "csv", "format");
  if ((rc = maat_insight_report(c->s->store, &o, &json)))
    return maat__library_error(c, rc);
  if (!format || !strcmp(format, "json")) {
    ret = maat__send_buf(c, 200, json, strlen(json), "application/json");
    maat_free(json);
    return ret;
  }
  rc = maat_insight_render(json, format, c->lang, &page, &len);
  maat_free(json);
  if (rc)
    return maat__library_error(c, rc);
  ret = maat__send_buf(c, 200, page, len, !strcmp(format, "csv")
                                              ? "text/csv; charset=utf-8"
                                              : "text/html; charset=utf-8");
  maat_free(page);
  return ret;
}

static int get_num(json_t *o, const char *key, double *v, int need)
{
  json_t *x = json_object_get(o, key);

  if (!x)
    return need ? -1 : 0;
  if (!json_is_number(x))
    return -1;
  *v = json_number_value(x);
  return 0;
}

/* POST /v1/reinvestments {kind, hours, amount, currency, date, note}. */
enum MHD_Result maat__post_reinvestment(struct call *c)
{
  struct maat_reinvestment r;
  enum MHD_Result ret;
  json_t *o;
  const char *date;
  int rc;

  snprintf(c->detail, sizeof c->detail, "a reinvestment");
  c->audit = 1;
  if (!(o = maat__parse_body(c, &ret)))
    return ret;
  memset(&r, 0, sizeof r);
  r.kind = json_string_value(json_object_get(o, "kind"));
  r.currency = json_string_value(json_object_get(o, "currency"));
  r.note = json_string_value(json_object_get(o, "note"));
  if (get_num(o, "hours", &r.hours, 0) || get_num(o, "amount", &r.amount,
                                                  0)) {
    json_decref(o);
    return maat__fail_call(c, 400, "fields 'hours' and 'amount': expected "
                           "numbers", "hours");
  }
  date = json_string_value(json_object_get(o, "date"));
  if (date && (r.at = a_date(date)) < 0) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'date': expected a date like "
                           "2026-12-01", "date");
  }
  rc = maat_insight_reinvest(c->s->store, &r);
  json_decref(o);
  if (rc)
    return maat__library_error(c, rc);
  return maat__send_json(c, 201, json_pack("{s:b}", "kept", 1));
}

static int pulse_field(json_t *o, const char *key, int lo, int hi, int *v)
{
  json_t *x = json_object_get(o, key);

  if (!json_is_integer(x) || json_integer_value(x) < lo ||
      json_integer_value(x) > hi)
    return -1;
  *v = (int)json_integer_value(x);
  return 0;
}

/* POST /v1/pulse {enps, happiness, stress, engagement, learning}: the
 * agent's own, once a week; no one reads it back, not even she. */
enum MHD_Result maat__post_pulse(struct call *c)
{
  static const struct { const char *key; int lo, hi; } f[] = {
    { "enps", 0, 10 }, { "happiness", 1, 5 }, { "stress", 1, 5 },
    { "engagement", 1, 5 }, { "learning", 1, 5 },
  };
  struct maat_pulse p;
  int *v[5] = { &p.enps, &p.happiness, &p.stress, &p.engagement,
                &p.learning };
  enum MHD_Result ret;
  json_t *o;
  int rc;

  snprintf(c->detail, sizeof c->detail, "a pulse answered");
  c->audit = 1;
  if (!(o = maat__parse_body(c, &ret)))
    return ret;
  for (int i = 0; i < 5; i++)
    if (pulse_field(o, f[i].key, f[i].lo, f[i].hi, v[i])) {
      char msg[96];
      snprintf(msg, sizeof msg, "field '%s': expected %d to %d", f[i].key,
               f[i].lo, f[i].hi);
      json_decref(o);
      return maat__fail_call(c, 400, msg, f[i].key);
    }
  json_decref(o);
  rc = maat_insight_pulse(c->s->store, c->who.agent, maat_wall_now(), &p);
  if (rc)
    return maat__library_error(c, rc);
  return maat__send_json(c, 201, json_pack("{s:b}", "answered", 1));
}

/* GET /v1/pulse: whether the agent answered this week's. */
enum MHD_Result maat__get_pulse(struct call *c)
{
  char week[16];
  double now = maat_wall_now();

  maat_insight_week(now, week, sizeof week);
  return maat__send_json(c, 200, json_pack(
      "{s:s,s:b}", "week", week, "answered",
      maat_insight_pulse_done(c->s->store, c->who.agent, now)));
}

/*
 * pulse.c - the weekly pulse survey and the reinvestment ledger
 * (maat/insight.h). A pulse's answers are kept without who gave them, and
 * the fact that someone answered without the answers, both under the
 * week's start rather than the moment of answering.
 */
#include "maat-int.h"
#include "json-int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int maat_insight_date(const char *s, double *out)
{
  struct tm tm;
  int y, m, d, n = 0;

  memset(&tm, 0, sizeof tm);
  if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || s[n] ||
      m < 1 || m > 12 || d < 1 || d > 31)
    return maat__fail(MAAT_EINVAL, "'%.40s': expected a date like "
                      "2026-12-01", s ? s : "");
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  tm.tm_isdst = -1;
  *out = (double)mktime(&tm);
  return MAAT_OK;
}

/* The Unix time the week of 't' starts (Monday 00:00, local). */
static double week_start(double t)
{
  time_t s = (time_t)t;
  struct tm tm;

  localtime_r(&s, &tm);
  tm.tm_mday -= (tm.tm_wday + 6) % 7;
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return (double)mktime(&tm);
}

static int found(void *ctx, int64_t id, const char *key, double t,
                 const char *body)
{
  (void)id, (void)key, (void)t, (void)body;
  *(int *)ctx = 1;
  return MAAT_OK;
}

int maat_insight_pulse_done(maat_store *st, const char *agent, double now)
{
  char week[16], key[160];
  int yes = 0;

  maat_insight_week(now, week, sizeof week);
  snprintf(key, sizeof key, "%s|%s", week, agent);
  return maat_store_records(st, "pulse_done", key, found, &yes) == MAAT_OK &&
         yes;
}

int maat_insight_pulse(maat_store *st, const char *agent, double now,
                       const struct maat_pulse *p)
{
  char week[16], key[160], body[160];
  double t0;
  int rc;

  if (!st || !agent || !*agent || !p)
    return maat__fail(MAAT_EINVAL, "pulse: who answered?");
  if (p->enps < 0 || p->enps > 10)
    return maat__fail(MAAT_EINVAL, "field 'enps': expected 0 to 10");
  if (p->happiness < 1 || p->happiness > 5)
    return maat__fail(MAAT_EINVAL, "field 'happiness': expected 1 to 5");
  if (p->stress < 1 || p->stress > 5)
    return maat__fail(MAAT_EINVAL, "field 'stress': expected 1 to 5");
  if (p->engagement < 1 || p->engagement > 5)
    return maat__fail(MAAT_EINVAL, "field 'engagement': expected 1 to 5");
  if (p->learning < 1 || p->learning > 5)
    return maat__fail(MAAT_EINVAL, "field 'learning': expected 1 to 5");
  if (maat_insight_pulse_done(st, agent, now))
    return maat__fail(MAAT_ESTATE, "this week's pulse is answered already");
  maat_insight_week(now, week, sizeof week);
  t0 = week_start(now);
  snprintf(key, sizeof key, "%s|%s", week, agent);
  snprintf(body, sizeof body, "{\"enps\":%d,\"happiness\":%d,\"stress\":%d,"
           "\"engagement\":%d,\"learning\":%d}", p->enps, p->happiness,
           p->stress, p->engagement, p->learning);
  if ((rc = maat_store_begin(st)))
    return rc;
  if ((rc = maat_store_record_add(st, "pulse_done", key, t0, "{}", NULL)) ||
      (rc = maat_store_record_add(st, "pulse", week, t0, body, NULL))) {
    maat_store_rollback(st);
    return rc;
  }
  return maat_store_commit(st);
}

int maat_insight_reinvest(maat_store *st, const struct maat_reinvestment *r)
{
  const char *cur = r && r->currency && *r->currency ? r->currency : "EUR";
  json_t *o;
  char *body;
  int rc;

  if (!st || !r)
    return maat__fail(MAAT_EINVAL, "reinvestment: nothing to keep");
  if (!r->kind || (strcmp(r->kind, "growth") && strcmp(r->kind, "cocreation")
                   && strcmp(r->kind, "recovery")))
    return maat__fail(MAAT_EINVAL, "field 'kind': expected growth, "
                      "cocreation or recovery");
  if (!isfinite(r->hours) || r->hours < 0 || r->hours > 1e6)
    return maat__fail(MAAT_EINVAL, "field 'hours': expected 0 or more");
  if (!isfinite(r->amount) || r->amount < 0 || r->amount > 1e12)
    return maat__fail(MAAT_EINVAL, "field 'amount': expected 0 or more");
  if (r->hours == 0 && r->amount == 0)
    return maat__fail(MAAT_EINVAL, "field 'hours': an entry gives hours, "
                      "money or both");
  if (strlen(cur) != 3 || !isupper((unsigned char)cur[0]) ||
      !isupper((unsigned char)cur[1]) || !isupper((unsigned char)cur[2]))
    return maat__fail(MAAT_EINVAL, "field 'currency': expected a code such "
                      "as EUR");
  if (r->note && strlen(r->note) > 300)
    return maat__fail(MAAT_EINVAL, "field 'note': at most 300 bytes");
  o = json_pack("{s:f,s:f,s:s,s:s}", "hours", r->hours, "amount", r->amount,
                "currency", cur, "note", r->note ? r->note : "");
  body = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  if (!body)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  rc = maat_store_record_add(st, "reinvest", r->kind, r->at > 0 ? r->at
                                                                : maat_wall_now(),
                             body, NULL);
  free(body);
  return rc;
}

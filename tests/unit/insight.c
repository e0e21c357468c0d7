/*
 * insight.c - tests for the insight report's privacy and its counts: the
 * pulse kept once a week and without who gave it, team figures about
 * people only for closed weeks and groups of at least five (also when two
 * readings are compared), nothing in the report naming an agent, and the
 * bot's containment, failure and CSAT counted as defined.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maat.h"

static maat_store *mem(void)
{
  maat_store *st = NULL;
  cr_assert_eq(maat_store_open(&st, "memory:"), MAAT_OK, "%s", maat_errmsg());
  return st;
}

static char *report(maat_store *st, double now)
{
  struct maat_insight_opts o;
  char *j = NULL;

  memset(&o, 0, sizeof o);
  o.now = now;
  cr_assert_eq(maat_insight_report(st, &o, &j), MAAT_OK, "%s", maat_errmsg());
  return j;
}

static const struct maat_pulse answer = { 8, 4, 2, 4, 3 };
/* A Friday at noon (4 December 2026, UTC), and two weeks on. */
#define WED 1796385600.0   /* a weekday in the middle of a week */
#define LATER (WED + 13 * 86400.0)

Test(insight, a_pulse_is_kept_once_a_week_and_without_its_name)
{
  maat_store *st = mem();
  char *j;

  cr_assert_eq(maat_insight_pulse(st, "a0001", WED, &answer), MAAT_OK);
  cr_assert_eq(maat_insight_pulse(st, "a0001", WED + 3600, &answer),
               MAAT_ESTATE, "once a week");
  cr_assert(maat_insight_pulse_done(st, "a0001", WED));
  cr_assert(!maat_insight_pulse_done(st, "a0002", WED));
  cr_assert_eq(maat_insight_pulse(st, "a0001", WED + 7 * 86400, &answer),
               MAAT_OK, "the next week again");
  {
    struct maat_pulse bad = answer;
    bad.stress = 6;
    cr_assert_eq(maat_insight_pulse(st, "a0002", WED, &bad), MAAT_EINVAL);
    cr_assert(strstr(maat_errmsg(), "stress"), "%s", maat_errmsg());
  }
  j = report(st, LATER);
  cr_assert(!strstr(j, "a0001"), "no one is named: %s", j);
  maat_free(j);
  maat_store_close(st);
}

Test(insight, the_pulse_shows_only_closed_weeks_of_five_or_more)
{
  maat_store *st = mem();
  char agent[16], *j;

  for (int i = 1; i <= 4; i++) {
    snprintf(agent, sizeof agent, "a%04d", i);
    cr_assert_eq(maat_insight_pulse(st, agent, WED, &answer), MAAT_OK);
  }
  j = report(st, LATER);
  cr_assert(strstr(j, "\"why\":\"too_few\""), "four is too few: %s", j);
  cr_assert(!strstr(j, "\"enps\""), "%s", j);
  maat_free(j);
  cr_assert_eq(maat_insight_pulse(st, "a0005", WED, &answer), MAAT_OK);
  /* Still the same week: not shown while answers can come in, so that two
   * readings never tell one answer apart. */
  j = report(st, WED + 7200);
  cr_assert(strstr(j, "\"why\":\"week_open\""), "%s", j);
  cr_assert(!strstr(j, "\"enps\""), "%s", j);
  maat_free(j);
  j = report(st, LATER);
  cr_assert(strstr(j, "\"shown\":true"), "five, and the week is over: %s",
            j);
  cr_assert(strstr(j, "\"enps\":0"), "all five said 8, a passive: %s", j);
  maat_free(j);
  maat_store_close(st);
}

Test(insight, check_ins_are_shown_for_five_people_or_more)
{
  maat_store *st = mem();
  char *j;

  /* No server ran: router time is the clock's. Four people check in. */
  for (int i = 1; i <= 4; i++) {
    struct maat_store_checkin c;
    char agent[16], contact[16];
    memset(&c, 0, sizeof c);
    snprintf(agent, sizeof agent, "a%04d", i);
    snprintf(contact, sizeof contact, "c%d", i);
    c.agent = agent;
    c.contact = contact;
    c.t = WED;
    c.energy = i == 1 ? 1 : 4;
    c.tone = "neutral";
    cr_assert_eq(maat_store_checkin_add(st, &c), MAAT_OK, "%s",
                 maat_errmsg());
  }
  j = report(st, LATER);
  cr_assert(strstr(j, "\"checkins\":[{\"week\""), "%s", j);
  cr_assert(strstr(j, "too_few"), "four people: %s", j);
  cr_assert(!strstr(j, "\"energy\""), "%s", j);
  maat_free(j);
  maat_store_close(st);
}

Test(insight, the_ledger_refuses_what_is_not_an_entry)
{
  maat_store *st = mem();
  struct maat_reinvestment r = { WED, "growth", 10, 500, "EUR", "a course" };

  cr_assert_eq(maat_insight_reinvest(st, &r), MAAT_OK);
  r.kind = "bonus";
  cr_assert_eq(maat_insight_reinvest(st, &r), MAAT_EINVAL);
  cr_assert(strstr(maat_errmsg(), "kind"), "%s", maat_errmsg());
  r.kind = "growth";
  r.hours = -1;
  cr_assert_eq(maat_insight_reinvest(st, &r), MAAT_EINVAL);
  r.hours = 0;
  r.amount = 0;
  cr_assert_eq(maat_insight_reinvest(st, &r), MAAT_EINVAL);
  r.amount = 5;
  r.currency = "euro";
  cr_assert_eq(maat_insight_reinvest(st, &r), MAAT_EINVAL);
  cr_assert(strstr(maat_errmsg(), "currency"), "%s", maat_errmsg());
  maat_store_close(st);
}

/* Writes a CSV and a mapping, imports them: the rows kept. */
static long import(maat_store *st, const char *csv, long *nbad)
{
  char cpath[] = "/tmp/maat-insight-XXXXXX", mpath[] =
      "/tmp/maat-map-XXXXXX";
  int fd = mkstemp(cpath), fm = mkstemp(mpath);
  FILE *f = fdopen(fd, "w"), *m = fdopen(fm, "w");
  long n = -1;

  fputs(csv, f);
  fclose(f);
  fputs("{\"columns\":{\"id\":\"id\",\"customer\":\"customer\",\"closed_at\":"
        "\"closed\",\"intent\":\"intent\",\"handler\":\"by\",\"outcome\":"
        "\"outcome\",\"csat\":\"csat\"},\"bot_values\":[\"bot\"],"
        "\"handed_back_values\":[\"handover\"],\"resolved_values\":"
        "[\"solved\"]}", m);
  fclose(m);
  cr_assert_eq(maat_insight_import(st, cpath, mpath, "test", NULL, NULL, &n,
                                   nbad), MAAT_OK, "%s", maat_errmsg());
  remove(cpath);
  remove(mpath);
  return n;
}

Test(insight, containment_and_failure_are_counted_as_defined)
{
  maat_store *st = mem();
  long bad = -1;
  char *j;

  /* Four bot contacts: settled; handed back; rated 1; and one whose
   * customer came back within 7 days. One person's contact. One bad row. */
  cr_assert_eq(import(st,
    "id,customer,closed,intent,by,outcome,csat\n"
    "1,u1,2026-11-02T10:00:00Z,billing,bot,solved,5\n"
    "2,u2,2026-11-02T10:00:00Z,billing,bot,handover,\n"
    "3,u3,2026-11-02T10:00:00Z,billing,bot,solved,1\n"
    "4,u4,2026-11-02T10:00:00Z,billing,bot,solved,\n"
    "5,u4,2026-11-05T10:00:00Z,billing,agent,solved,4\n"
    "6,u6,yesterday,billing,agent,solved,4\n", &bad), 5);
  cr_assert_eq(bad, 1);
  j = report(st, LATER);
  cr_assert(strstr(j, "\"containment\":{\"value\":0.25,"), "1 of 4: %s", j);
  cr_assert(strstr(j, "\"bot_failure_kinds\":{\"handed_back\":1,"
                      "\"recontact_7d\":1,\"low_csat\":1}"), "%s", j);
  maat_free(j);
  maat_store_close(st);
}

Test(insight, a_period_that_cuts_a_week_leaves_the_week_out)
{
  maat_store *st = mem();
  struct maat_insight_opts o;
  char agent[16], *j = NULL;

  for (int i = 1; i <= 6; i++) {
    snprintf(agent, sizeof agent, "a%04d", i);
    cr_assert_eq(maat_insight_pulse(st, agent, WED, &answer), MAAT_OK);
  }
  memset(&o, 0, sizeof o);
  o.now = LATER;
  /* From the Friday: the week it is in is not whole. */
  o.from = WED;
  cr_assert_eq(maat_insight_report(st, &o, &j), MAAT_OK);
  cr_assert(strstr(j, "\"pulse\":[]"), "%s", j);
  maat_free(j);
  o.from = WED - 6 * 86400;   /* the Saturday before: the whole week is in */
  cr_assert_eq(maat_insight_report(st, &o, &j), MAAT_OK);
  cr_assert(strstr(j, "\"shown\":true"), "%s", j);
  maat_free(j);
  maat_store_close(st);
}

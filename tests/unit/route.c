/*
 * route.c - tests for the router: each rule (recovery window, heavy cap,
 * tier, language, tone, ageing, critical first), counts, determinism, the
 * event format and the event log.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maat.h"
#include "failalloc.h"
#include "route-int.h"

static maat_team *team_of(const char *json)
{
  maat_team *t = NULL;
  int rc = maat_team_parse(&t, json, strlen(json), "test");
  cr_assert_eq(rc, MAAT_OK, "%s", maat_errmsg());
  return t;
}

static maat_router *router_of(maat_team *t, const char *policy, unsigned fl)
{
  maat_router *r = NULL;
  cr_assert_eq(maat_router_open(&r, t, policy, fl), MAAT_OK, "%s",
               maat_errmsg());
  return r;
}

/* Pushes one event line; returns the rc. */
static int push(maat_router *r, const char *line)
{
  struct maat_event ev;
  int rc = maat_event_parse(&ev, line, strlen(line));
  if (rc)
    return rc;
  return maat_router_push(r, &ev);
}

#define PUSH(r, line) \
  cr_assert_eq(push((r), (line)), MAAT_OK, "%s: %s", (line), maat_errmsg())

/* The agent the contact went to, from the pending decisions; "" if none. */
static char last_to[64];
static char last_contact[64];
static int drain_assign(maat_router *r, const char *contact)
{
  struct maat_decision d;
  int found = 0;
  while (maat_router_next(r, &d) == MAAT_OK)
    if (d.type == MAAT_DEC_ASSIGN && !strcmp(d.contact, contact)) {
      snprintf(last_to, sizeof last_to, "%s", d.to);
      snprintf(last_contact, sizeof last_contact, "%s", d.contact);
      found = 1;
    }
  if (!found)
    last_to[0] = 0;
  return found;
}

static const char *two =
  "{\"agents\":["
  "{\"id\":\"ana\",\"languages\":[\"nl\",\"en\"],\"tiers\":[\"T1\",\"T2\",\"T3\"]},"
  "{\"id\":\"bob\",\"languages\":[\"en\"],\"tiers\":[\"T1\",\"T2\"]}]}";

Test(route, tone_never_to_bot)
{
  maat_team *t = team_of(two);
  const char *pol[] = { "maat", "efficiency", "round-robin" };
  for (int p = 0; p < 3; p++) {
    maat_router *r = router_of(t, pol[p], 0);
    PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"c1\",\"tier\":\"T1\","
            "\"tone\":\"angry\"}");
    cr_assert(!drain_assign(r, "c1"), "no agent available: must wait");
    PUSH(r, "{\"type\":\"contact\",\"t\":1,\"id\":\"c2\",\"tier\":\"T1\"}");
    cr_assert(drain_assign(r, "c2"));
    cr_assert_str_eq(last_to, "bot");
    PUSH(r, "{\"type\":\"agent\",\"t\":2,\"agent\":\"bob\",\"state\":\"available\"}");
    cr_assert(drain_assign(r, "c1"));
    cr_assert_str_eq(last_to, "bob");
    maat_router_close(r);
  }
  maat_team_free(t);
}

Test(route, tier_and_language_eligibility)
{
  maat_team *t = team_of(two);
  maat_router *r = router_of(t, "maat", 0);
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"bob\",\"state\":\"available\"}");
  /* bob has no T3 and no Dutch: both wait for ana. */
  PUSH(r, "{\"type\":\"contact\",\"t\":1,\"id\":\"t3\",\"tier\":\"T3\",\"lang\":\"en\"}");
  cr_assert(!drain_assign(r, "t3"));
  PUSH(r, "{\"type\":\"contact\",\"t\":2,\"id\":\"nl\",\"tier\":\"T2\",\"lang\":\"nl\"}");
  cr_assert(!drain_assign(r, "nl"));
  /* An English T2 goes past them to bob. */
  PUSH(r, "{\"type\":\"contact\",\"t\":3,\"id\":\"en\",\"tier\":\"T2\",\"lang\":\"en\"}");
  cr_assert(drain_assign(r, "en"));
  cr_assert_str_eq(last_to, "bob");
  PUSH(r, "{\"type\":\"agent\",\"t\":4,\"agent\":\"ana\",\"state\":\"available\"}");
  cr_assert(drain_assign(r, "t3"));
  cr_assert_str_eq(last_to, "ana");
  maat_router_close(r);
  maat_team_free(t);
}

static const char *one =
  "{\"settings\":{\"heavy_cap\":2,\"service_target_s\":600},\"agents\":["
  "{\"id\":\"ana\",\"languages\":[\"en\"],\"tiers\":[\"T1\",\"T2\",\"T3\"]}]}";

Test(route, recovery_window_after_heavy)
{
  maat_team *t = team_of(one);
  maat_router *r = router_of(t, "maat", 0);
  double win;
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"h1\",\"tier\":\"T2\",\"tone\":\"angry\"}");
  cr_assert(drain_assign(r, "h1"));
  PUSH(r, "{\"type\":\"done\",\"t\":360,\"contact\":\"h1\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":361,\"id\":\"c2\",\"tier\":\"T2\"}");
  cr_assert(!drain_assign(r, "c2"), "in the recovery window");
  win = maat_team_setting(t, "recovery_min_s");
  cr_assert(win >= 60);
  PUSH(r, "{\"type\":\"tick\",\"t\":1000}");
  cr_assert(drain_assign(r, "c2"), "after the window");
  cr_assert_str_eq(last_to, "ana");
  maat_router_close(r);

  /* The efficiency baseline has no recovery window. */
  r = router_of(t, "efficiency", 0);
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"h1\",\"tier\":\"T2\",\"tone\":\"angry\"}");
  PUSH(r, "{\"type\":\"done\",\"t\":360,\"contact\":\"h1\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":361,\"id\":\"c2\",\"tier\":\"T2\"}");
  cr_assert(drain_assign(r, "c2"));
  maat_router_close(r);
  maat_team_free(t);
}

Test(route, heavy_cap_then_fallback_with_warning)
{
  maat_team *t = team_of(
    "{\"settings\":{\"heavy_cap\":1,\"recovery_min_s\":0,\"recovery_max_s\":0,"
    "\"service_target_s\":60,\"relax_after_s\":20,\"service_first\":1,"
    "\"hard_recovery_s\":0},\"agents\":["
    "{\"id\":\"ana\",\"languages\":[\"en\"],\"tiers\":[\"T1\",\"T2\",\"T3\"]}]}");
  maat_router *r = router_of(t, "maat", 0);
  struct maat_decision d;
  int warned = 0, assigned = 0;
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"h1\",\"tier\":\"T3\"}");
  PUSH(r, "{\"type\":\"done\",\"t\":100,\"contact\":\"h1\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":100,\"id\":\"h2\",\"tier\":\"T3\"}");
  cr_assert(!drain_assign(r, "h2"), "capped after one heavy contact");
  /* After relax_after_s the cap gives way, with an overload warning. */
  PUSH(r, "{\"type\":\"tick\",\"t\":200}");
  while (maat_router_next(r, &d) == MAAT_OK) {
    if (d.type == MAAT_DEC_WARNING && !strcmp(d.kind, "overload")) {
      warned = 1;
      cr_assert_eq(d.scope, MAAT_SCOPE_TEAM);
      cr_assert(strstr(d.message, "heavy cap") != NULL, "%s", d.message);
    }
    if (d.type == MAAT_DEC_ASSIGN && !strcmp(d.contact, "h2")) {
      assigned = 1;
      cr_assert_float_eq(d.t, 120, 1e-9, "at relax_after_s, not later");
    }
  }
  cr_assert(warned && assigned);
  maat_router_close(r);
  maat_team_free(t);
}

Test(route, critical_first_and_ageing)
{
  maat_team *t = team_of(one);
  maat_router *r = router_of(t, "efficiency", 0);
  struct maat_decision d;
  char order[8][64];
  int n = 0;
  PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"old\",\"tier\":\"T2\",\"urgency\":\"low\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":1000,\"id\":\"high\",\"tier\":\"T2\",\"urgency\":\"high\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":1001,\"id\":\"crit\",\"tier\":\"T2\",\"urgency\":\"critical\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":1002,\"id\":\"norm\",\"tier\":\"T2\"}");
  PUSH(r, "{\"type\":\"agent\",\"t\":1003,\"agent\":\"ana\",\"state\":\"available\"}");
  for (int k = 0; k < 4; k++) {
    char line[128];
    while (maat_router_next(r, &d) == MAAT_OK)
      if (d.type == MAAT_DEC_ASSIGN)
        snprintf(order[n++], sizeof order[0], "%s", d.contact);
    snprintf(line, sizeof line, "{\"type\":\"done\",\"t\":%d,\"contact\":\"%s\"}",
             1100 + k, order[n - 1]);
    PUSH(r, line);
  }
  cr_assert_eq(n, 4);
  cr_assert_str_eq(order[0], "crit");
  /* Ageing: 1000 s of waiting outweigh two priority steps (2 x 120 s). */
  cr_assert_str_eq(order[1], "old");
  cr_assert_str_eq(order[2], "high");
  cr_assert_str_eq(order[3], "norm");
  maat_router_close(r);
  maat_team_free(t);
}

/*
 * A contact of a higher priority goes before lower ones that arrived less
 * than its ageing lead earlier (the queue's walk back from the tail), and
 * among equal keys the earlier arrival goes first.
 */
Test(route, priority_overtakes_recent_arrivals_only)
{
  maat_team *t = team_of(one);
  maat_router *r = router_of(t, "efficiency", 0);
  struct maat_decision d;
  char order[8][64];
  int n = 0;
  /* Keys (arrival - 120 s x priority): low 0, 10, 20; high 30 - 240 =
   * -210; normal 31 - 120 = -89; low 200; high 440 - 240 = 200, equal to
   * the one before it, which came first. */
  PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"l0\",\"tier\":\"T2\",\"urgency\":\"low\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":10,\"id\":\"l10\",\"tier\":\"T2\",\"urgency\":\"low\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":20,\"id\":\"l20\",\"tier\":\"T2\",\"urgency\":\"low\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":30,\"id\":\"h30\",\"tier\":\"T2\",\"urgency\":\"high\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":31,\"id\":\"n31\",\"tier\":\"T2\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":200,\"id\":\"l200\",\"tier\":\"T2\",\"urgency\":\"low\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":440,\"id\":\"h440\",\"tier\":\"T2\",\"urgency\":\"high\"}");
  PUSH(r, "{\"type\":\"agent\",\"t\":441,\"agent\":\"ana\",\"state\":\"available\"}");
  for (int k = 0; k < 7; k++) {
    char line[128];
    while (maat_router_next(r, &d) == MAAT_OK)
      if (d.type == MAAT_DEC_ASSIGN)
        snprintf(order[n++], sizeof order[0], "%s", d.contact);
    cr_assert_eq(n, k + 1, "one assignment per agent freed");
    snprintf(line, sizeof line, "{\"type\":\"done\",\"t\":%d,\"contact\":\"%s\"}",
             500 + k, order[n - 1]);
    PUSH(r, line);
  }
  cr_assert_str_eq(order[0], "h30");
  cr_assert_str_eq(order[1], "n31");
  cr_assert_str_eq(order[2], "l0");
  cr_assert_str_eq(order[3], "l10");
  cr_assert_str_eq(order[4], "l20");
  cr_assert_str_eq(order[5], "l200");
  cr_assert_str_eq(order[6], "h440");
  maat_router_close(r);
  maat_team_free(t);
}

/*
 * The simulator's push with the team's language and intent bits known
 * gives the same decisions as the push that looks them up by name,
 * unknown languages and intents included.
 */
Test(route, push_with_known_bits_decides_as_by_name)
{
  const char *team =
    "{\"settings\":{\"service_first\":1,\"hard_recovery_s\":0},\"agents\":["
    "{\"id\":\"ana\",\"languages\":[\"nl\"],\"skills\":[\"billing\"],"
    "\"tiers\":[\"T1\",\"T2\",\"T3\"]},"
    "{\"id\":\"bob\",\"languages\":[\"en\"],\"skills\":[\"delivery\"],"
    "\"tiers\":[\"T1\",\"T2\"]}]}";
  static const char *const langs[] = { "nl", "en", "de", "" };
  static const char *const intents[] = { "billing", "delivery", "other", "" };
  maat_team *t = team_of(team);
  maat_router *a = router_of(t, "maat", MAAT_ROUTER_REPLAY);
  maat_router *b = router_of(t, "maat", MAAT_ROUTER_REPLAY);
  struct maat_event ev;
  struct maat_decision da, db;
  int decisions = 0;

  memset(&ev, 0, sizeof ev);
  ev.type = MAAT_EV_AGENT;
  ev.state = MAAT_AGENT_AVAILABLE;
  snprintf(ev.agent, sizeof ev.agent, "%s", "ana");
  cr_assert_eq(maat_router_push(a, &ev), MAAT_OK);
  cr_assert_eq(maat__router_push_known(b, &ev, MAAT__LOOK_UP, MAAT__LOOK_UP),
               MAAT_OK);
  snprintf(ev.agent, sizeof ev.agent, "%s", "bob");
  cr_assert_eq(maat_router_push(a, &ev), MAAT_OK);
  cr_assert_eq(maat__router_push_known(b, &ev, MAAT__LOOK_UP, MAAT__LOOK_UP),
               MAAT_OK);
  for (int k = 0; k < 64; k++) {
    const char *lang = langs[k % 4], *intent = intents[k / 4 % 4];
    memset(&ev, 0, sizeof ev);
    ev.type = MAAT_EV_CONTACT;
    ev.t = 10.0 * k;
    snprintf(ev.contact.id, sizeof ev.contact.id, "c%d", k);
    snprintf(ev.contact.lang, sizeof ev.contact.lang, "%s", lang);
    snprintf(ev.contact.intent, sizeof ev.contact.intent, "%s", intent);
    ev.contact.tier = 1 + k / 16 % 3;
    ev.contact.handle_s = 25;
    cr_assert_eq(maat_router_push(a, &ev), MAAT_OK);
    cr_assert_eq(maat__router_push_known(b, &ev, maat__team_lang(t, lang),
                                         maat__team_intent(t, intent)),
                 MAAT_OK);
    for (;;) {
      int ra = maat_router_next(a, &da), rb = maat_router_next(b, &db);
      cr_assert_eq(ra, rb);
      if (ra != MAAT_OK)
        break;
      cr_assert_eq(da.type, db.type);
      cr_assert_str_eq(da.contact, db.contact);
      cr_assert_str_eq(da.to, db.to);
      decisions++;
    }
  }
  cr_assert_geq(decisions, 60, "contacts were decided (%d)", decisions);
  maat_router_close(a);
  maat_router_close(b);
  maat_team_free(t);
}

Test(route, malformed_events_name_the_field)
{
  struct maat_event ev;
  cr_assert_eq(maat_event_parse(&ev, "{\"type\":\"contact\"}", 18), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "'t'"), "%s", maat_errmsg());
  const char *l = "{\"type\":\"contact\",\"t\":1,\"id\":\"x\",\"tier\":\"T9\"}";
  cr_assert_eq(maat_event_parse(&ev, l, strlen(l)), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "'tier'"), "%s", maat_errmsg());
  cr_assert_eq(maat_event_parse(&ev, "{nope", 5), MAAT_EPARSE);
  l = "{\"type\":\"fly\",\"t\":1}";
  cr_assert_eq(maat_event_parse(&ev, l, strlen(l)), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "'type'"), "%s", maat_errmsg());
  /* A channel is a short name: too long, or not a name, is named. */
  l = "{\"type\":\"contact\",\"t\":1,\"id\":\"x\",\"tier\":\"T2\","
      "\"channel\":\"chat-and-much-more\"}";
  cr_assert_eq(maat_event_parse(&ev, l, strlen(l)), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "'channel'"), "%s", maat_errmsg());
  l = "{\"type\":\"contact\",\"t\":1,\"id\":\"x\",\"tier\":\"T2\","
      "\"channel\":\"web chat\"}";
  cr_assert_eq(maat_event_parse(&ev, l, strlen(l)), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "'channel'"), "%s", maat_errmsg());
  l = "{\"type\":\"contact\",\"t\":1,\"id\":\"x\",\"tier\":\"T2\","
      "\"channel\":\"chat\"}";
  cr_assert_eq(maat_event_parse(&ev, l, strlen(l)), MAAT_OK);
  cr_assert_str_eq(ev.contact.channel, "chat");
}

Test(route, refused_event_changes_nothing)
{
  maat_team *t = team_of(one);
  maat_router *r = router_of(t, "maat", 0);
  PUSH(r, "{\"type\":\"contact\",\"t\":10,\"id\":\"c1\",\"tier\":\"T2\"}");
  cr_assert_eq(push(r, "{\"type\":\"contact\",\"t\":5,\"id\":\"c2\",\"tier\":\"T2\"}"),
               MAAT_EINVAL, "time going backwards");
  cr_assert_eq(push(r, "{\"type\":\"contact\",\"t\":11,\"id\":\"c1\",\"tier\":\"T2\"}"),
               MAAT_EINVAL, "duplicate id");
  cr_assert_eq(push(r, "{\"type\":\"agent\",\"t\":11,\"agent\":\"zed\",\"state\":\"available\"}"),
               MAAT_ENOTFOUND);
  struct maat_route_summary s;
  maat_router_summary(r, &s);
  cr_assert_eq(s.contacts, 1);
  cr_assert_eq(s.queued_at_end, 1);
  maat_router_close(r);
  maat_team_free(t);
}

static int collect(void *ctx, const char *line, size_t len)
{
  maat_router *r = ctx;
  struct maat_event ev;
  int rc = maat_event_parse(&ev, line, len);
  return rc ? rc : maat_router_push(r, &ev);
}

/* Runs a generated day; returns the output's hash and the summary. */
static unsigned long long run_day(maat_team *t, const char *policy,
                                  struct maat_route_summary *s)
{
  maat_router *r = router_of(t, policy, MAAT_ROUTER_REPLAY);
  struct maat_decision d;
  unsigned long long h = 1469598103934665603ULL;
  char buf[1024], params[512];
  int kinds[32] = { 0 }, nkinds = 0;
  cr_assert_eq(maat_gen_events(t, 1, 7, collect, r), MAAT_OK, "%s",
               maat_errmsg());
  cr_assert_eq(maat_router_finish(r, 86400), MAAT_OK);
  while (maat_router_next(r, &d) == MAAT_OK) {
    size_t n = maat_decision_format(&d, buf, sizeof buf);
    for (size_t i = 0; i < n; i++)
      h = (h ^ (unsigned char)buf[i]) * 1099511628211ULL;
    if (d.type == MAAT_DEC_ASSIGN && !strcmp(d.to, "bot"))
      cr_assert(strstr(buf, "angry") == NULL);
    /* Every reason and warning a person reads is in the catalogue, so it
     * has a code, parameters and Dutch. */
    for (int k = 0; k < d.nreasons; k++)
      cr_assert(maat_msg_parse(d.reasons[k], params, sizeof params),
                "%s: '%s' not in the catalogue", policy, d.reasons[k]);
    if (d.type == MAAT_DEC_WARNING) {
      cr_assert(maat_msg_parse(d.message, params, sizeof params),
                "%s: '%s' not in the catalogue", policy, d.message);
      kinds[d.kind[0] & 31] = 1;
    }
  }
  /* The day has warnings of several kinds for the catalogue to know. */
  for (int k = 0; k < 32; k++)
    nkinds += kinds[k];
  if (!strcmp(policy, "maat"))
    cr_assert_geq(nkinds, 2);
  maat_router_summary(r, s);
  maat_router_close(r);
  return h;
}

Test(route, generated_day_counts_add_up_and_repeat)
{
  char *json;
  size_t len;
  maat_team *t = NULL;
  struct maat_route_summary a, b;
  const char *pol[] = { "maat", "efficiency", "round-robin" };
  cr_assert_eq(maat_gen_team(&json, &len, 20, 1), MAAT_OK);
  cr_assert_eq(maat_team_parse(&t, json, len, "gen"), MAAT_OK, "%s",
               maat_errmsg());
  maat_free(json);
  for (int p = 0; p < 3; p++) {
    unsigned long long h1 = run_day(t, pol[p], &a);
    unsigned long long h2 = run_day(t, pol[p], &b);
    cr_assert_eq(h1, h2, "%s: same input, same output", pol[p]);
    cr_assert_gt(a.contacts, 1000);
    cr_assert_eq(a.contacts, a.assigned + a.abandoned + a.queued_at_end,
                 "%s: %ld != %ld + %ld + %ld", pol[p], a.contacts, a.assigned,
                 a.abandoned, a.queued_at_end);
    cr_assert_eq(a.assigned, a.to_bot + a.to_people);
    cr_assert_eq(a.hostile_to_bot, 0);
    cr_assert(a.heavy_gini >= 0 && a.heavy_gini < 1);
  }
  maat_team_free(t);
}

Test(route, light_work_offered_after_heavy_work)
{
  maat_team *t = team_of(
    "{\"settings\":{\"recovery_min_s\":0,\"recovery_max_s\":0,\"heavy_cap\":5,"
    "\"hard_recovery_s\":0},"
    "\"agents\":[{\"id\":\"ana\",\"languages\":[\"en\"],\"tiers\":[\"T1\",\"T2\",\"T3\"]}]}");
  maat_router *r = router_of(t, "maat", 0);
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  /* Calm T1 with no heavy history: the bot. */
  PUSH(r, "{\"type\":\"contact\",\"t\":1,\"id\":\"l0\",\"tier\":\"T1\"}");
  cr_assert(drain_assign(r, "l0"));
  cr_assert_str_eq(last_to, "bot");
  PUSH(r, "{\"type\":\"contact\",\"t\":2,\"id\":\"h1\",\"tier\":\"T3\"}");
  PUSH(r, "{\"type\":\"done\",\"t\":100,\"contact\":\"h1\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":101,\"id\":\"h2\",\"tier\":\"T2\",\"tone\":\"angry\"}");
  PUSH(r, "{\"type\":\"done\",\"t\":200,\"contact\":\"h2\"}");
  /* Recent work all heavy: the next light contact goes to ana. */
  PUSH(r, "{\"type\":\"contact\",\"t\":201,\"id\":\"l1\",\"tier\":\"T1\"}");
  cr_assert(drain_assign(r, "l1"));
  cr_assert_str_eq(last_to, "ana");
  maat_router_close(r);
  /* The efficiency baseline gives every calm T1 to the bot. */
  r = router_of(t, "efficiency", 0);
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":2,\"id\":\"h1\",\"tier\":\"T3\"}");
  PUSH(r, "{\"type\":\"done\",\"t\":100,\"contact\":\"h1\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":101,\"id\":\"h2\",\"tier\":\"T3\"}");
  PUSH(r, "{\"type\":\"done\",\"t\":200,\"contact\":\"h2\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":201,\"id\":\"l1\",\"tier\":\"T1\"}");
  cr_assert(drain_assign(r, "l1"));
  cr_assert_str_eq(last_to, "bot");
  maat_router_close(r);
  maat_team_free(t);
}

/*
 * Strain does not recover during work, so the maat policy passes over an
 * agent whom the next contact would take past the overload line; it waits
 * for her strain to come down (here: no one else, a long target).
 */
Test(route, overload_margin_waits_for_strain_to_fall)
{
  maat_team *t = team_of(
    "{\"settings\":{\"recovery_min_s\":0,\"recovery_max_s\":0,\"heavy_cap\":5,"
    "\"service_target_s\":3600,\"relax_after_s\":3600},"
    "\"agents\":[{\"id\":\"ana\",\"languages\":[\"en\"],\"tiers\":[\"T1\",\"T2\",\"T3\"]}]}");
  maat_router *r = router_of(t, "maat", 0);
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  /* A 30-minute furious call: strain 0.1 * 3 * 1.5 * 1800 / 360 = 2.25. */
  PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"h1\",\"tier\":\"T2\",\"tone\":\"angry\",\"intensity\":1}");
  cr_assert(drain_assign(r, "h1"));
  PUSH(r, "{\"type\":\"done\",\"t\":1800,\"contact\":\"h1\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":1801,\"id\":\"c2\",\"tier\":\"T2\"}");
  cr_assert(!drain_assign(r, "c2"), "strain 2.25 plus 0.15 passes 1");
  /* After 300 s: 2.25 e^-0.5 = 1.36, still too high. */
  PUSH(r, "{\"type\":\"tick\",\"t\":2100}");
  cr_assert(!drain_assign(r, "c2"));
  /* After 700 s: 2.25 e^-1.17 = 0.70, and 0.70 + 0.15 stays under 1. */
  PUSH(r, "{\"type\":\"tick\",\"t\":2500}");
  cr_assert(drain_assign(r, "c2"));
  cr_assert_str_eq(last_to, "ana");
  maat_router_close(r);

  /* The efficiency baseline gives it to her at once. */
  r = router_of(t, "efficiency", 0);
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"h1\",\"tier\":\"T2\",\"tone\":\"angry\",\"intensity\":1}");
  PUSH(r, "{\"type\":\"done\",\"t\":1800,\"contact\":\"h1\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":1801,\"id\":\"c2\",\"tier\":\"T2\"}");
  cr_assert(drain_assign(r, "c2"));
  maat_router_close(r);
  maat_team_free(t);
}

/*
 * Someone already over the overload line is not given a heavy contact
 * within the grace past the target: it waits for her strain to fall under
 * the line, or for the grace to end, whichever comes first.
 */
static double over_line_assign_t(const char *settings, const char *contact)
{
  char team[512], line[256];
  maat_team *t;
  maat_router *r;
  struct maat_decision d;
  double at = -1;

  snprintf(team, sizeof team,
           "{\"settings\":{\"recovery_min_s\":0,\"recovery_max_s\":0,"
           "\"hard_recovery_s\":0,\"service_target_s\":60,%s},"
           "\"agents\":[{\"id\":\"ana\","
           "\"languages\":[\"en\"],\"tiers\":[\"T1\",\"T2\",\"T3\"]}]}",
           settings);
  t = team_of(team);
  r = router_of(t, "maat", 0);
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  /* 20 furious minutes: strain 0.1 * 3 * 1.5 * 1200 / 360 = 1.5. */
  PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"h1\",\"tier\":\"T2\",\"tone\":\"angry\",\"intensity\":1}");
  PUSH(r, "{\"type\":\"done\",\"t\":1200,\"contact\":\"h1\"}");
  snprintf(line, sizeof line,
           "{\"type\":\"contact\",\"t\":1200,\"id\":\"c2\",%s}", contact);
  PUSH(r, line);
  /* A tick a second: a blocked contact is looked at again on events. */
  for (int k = 1201; k <= 3000 && at < 0; k++) {
    snprintf(line, sizeof line, "{\"type\":\"tick\",\"t\":%d}", k);
    PUSH(r, line);
    while (maat_router_next(r, &d) == MAAT_OK)
      if (d.type == MAAT_DEC_ASSIGN && !strcmp(d.contact, "c2"))
        at = d.t;
  }
  maat_router_close(r);
  maat_team_free(t);
  return at;
}

Test(route, over_the_line_waits_for_strain_or_the_grace)
{
  const char *heavy = "\"tier\":\"T2\",\"tone\":\"angry\",\"intensity\":1";
  /* Strain 1.5 falls to the line at 600 ln 1.5 = 243.3 s: next tick. */
  cr_assert_float_eq(over_line_assign_t("\"overload_grace_s\":600", heavy),
                     ceil(1200 + 600 * log(1.5)), 1e-6);
  /* A grace of 60 s ends first: target 60 s + 60 s. */
  cr_assert_float_eq(over_line_assign_t("\"overload_grace_s\":60", heavy),
                     1200 + 120, 1e-6);
}

/*
 * A light contact (T2, calm) would miss its target waiting for her strain:
 * in the last second before the target it goes to her all the same.
 */
Test(route, light_or_critical_contact_rescued_before_its_target)
{
  /* Service first: a light contact too. */
  cr_assert_float_eq(over_line_assign_t("\"overload_grace_s\":600,"
                                        "\"service_first\":1",
                                        "\"tier\":\"T2\""),
                     1200 + 60 - 1, 1e-6);
  /* People first (the default): it waits for her strain to fall under the
   * line, as a heavy one does. */
  cr_assert_float_eq(over_line_assign_t("\"overload_grace_s\":600",
                                        "\"tier\":\"T2\""),
                     ceil(1200 + 600 * log(1.5)), 1e-6);
  /* So does a critical heavy one; a heavy one that is not waits (above). */
  cr_assert_float_eq(over_line_assign_t("\"overload_grace_s\":600",
                                        "\"tier\":\"T2\",\"tone\":\"angry\","
                                        "\"intensity\":1,\"urgency\":\"critical\""),
                     1200 + 60 - 1, 1e-6);
  /* With the line at 2 nothing is in the way: answered at once. */
  cr_assert_float_eq(over_line_assign_t("\"overload\":2,\"overload_grace_s\":600",
                                        "\"tier\":\"T2\""),
                     1200, 1e-6);
}

/* Light work is offered to a person only once her strain has come down. */
Test(route, light_work_waits_until_strain_is_down)
{
  maat_team *t = team_of(
    "{\"settings\":{\"recovery_min_s\":0,\"recovery_max_s\":0,\"heavy_cap\":5},"
    "\"agents\":[{\"id\":\"ana\",\"languages\":[\"en\"],\"tiers\":[\"T1\",\"T2\",\"T3\"]}]}");
  maat_router *r = router_of(t, "maat", 0);
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"h1\",\"tier\":\"T2\",\"tone\":\"angry\",\"intensity\":1}");
  PUSH(r, "{\"type\":\"done\",\"t\":400,\"contact\":\"h1\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":401,\"id\":\"h2\",\"tier\":\"T2\",\"tone\":\"angry\",\"intensity\":1}");
  PUSH(r, "{\"type\":\"done\",\"t\":600,\"contact\":\"h2\"}");
  /* Strain 0.5 + 0.25 = 0.75, above recovery_to 0.5: the bot takes it. */
  PUSH(r, "{\"type\":\"contact\",\"t\":601,\"id\":\"l1\",\"tier\":\"T1\"}");
  cr_assert(drain_assign(r, "l1"));
  cr_assert_str_eq(last_to, "bot");
  /* Ten minutes on, 0.75 e^-1 = 0.28: the next one is offered to her. */
  PUSH(r, "{\"type\":\"contact\",\"t\":1200,\"id\":\"l2\",\"tier\":\"T1\"}");
  cr_assert(drain_assign(r, "l2"));
  cr_assert_str_eq(last_to, "ana");
  maat_router_close(r);
  maat_team_free(t);
}

Test(route, strain_warning_is_private_to_the_agent)
{
  maat_team *t = team_of(
    "{\"settings\":{\"recovery_min_s\":0,\"recovery_max_s\":0,\"heavy_cap\":100,"
    "\"warn_period_s\":600,\"warn_strain\":0.5},"
    "\"agents\":[{\"id\":\"ana\",\"languages\":[\"en\"],\"tiers\":[\"T1\",\"T2\",\"T3\"]}]}");
  maat_router *r = router_of(t, "maat", 0);
  struct maat_decision d;
  char line[200], buf[1024];
  int warned = 0;
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  for (int k = 0; k < 6; k++) {
    snprintf(line, sizeof line, "{\"type\":\"contact\",\"t\":%d,\"id\":\"h%d\","
             "\"tier\":\"T2\",\"tone\":\"distressed\",\"intensity\":1}", k * 400, k);
    PUSH(r, line);
    snprintf(line, sizeof line, "{\"type\":\"done\",\"t\":%d,\"contact\":\"h%d\"}",
             k * 400 + 390, k);
    PUSH(r, line);
  }
  while (maat_router_next(r, &d) == MAAT_OK)
    if (d.type == MAAT_DEC_WARNING && !strcmp(d.kind, "strain")) {
      warned = 1;
      cr_assert_eq(d.scope, MAAT_SCOPE_AGENT);
      cr_assert_str_eq(d.agent, "ana");
      maat_decision_format(&d, buf, sizeof buf);
      cr_assert(strstr(buf, "\"private\":true"), "%s", buf);
    }
  cr_assert(warned);
  maat_router_close(r);
  maat_team_free(t);
}

/*
 * The periodic check: an idle agent whose strain stays above warn_strain
 * is warned at the first tick warn_period_s after it rose there (not at the
 * end of her contact, too early), while a rested colleague never is.
 */
Test(route, strain_warning_comes_at_the_tick_while_strain_stays_high)
{
  maat_team *t = team_of(
    "{\"settings\":{\"recovery_min_s\":0,\"recovery_max_s\":0,"
    "\"warn_period_s\":600,\"warn_strain\":0.5},"
    "\"agents\":[{\"id\":\"ana\",\"languages\":[\"en\"],"
    "\"tiers\":[\"T1\",\"T2\",\"T3\"]},"
    "{\"id\":\"bo\",\"languages\":[\"nl\"],\"tiers\":[\"T1\",\"T2\"]}]}");
  maat_router *r = router_of(t, "maat", 0);
  struct maat_decision d;
  char line[200], state[4096];
  double warned_at = -1;
  int warnings = 0;

  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"bo\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":1,\"id\":\"h\",\"tier\":\"T3\","
          "\"lang\":\"en\",\"tone\":\"distressed\",\"intensity\":1}");
  cr_assert(drain_assign(r, "h"));
  cr_assert_str_eq(last_to, "ana");
  /* A tick while she works: nobody above the line yet. */
  PUSH(r, "{\"type\":\"tick\",\"t\":10}");
  PUSH(r, "{\"type\":\"done\",\"t\":3000,\"contact\":\"h\"}");
  /* Her strain after it: well above the line, so still above it at 3600. */
  maat_router_state_format(r, state, sizeof state);
  cr_assert(strstr(state, "\"id\":\"ana\""), "%s", state);
  for (int k = 1; k <= 20; k++) {
    snprintf(line, sizeof line, "{\"type\":\"tick\",\"t\":%d}", 3000 + 60 * k);
    PUSH(r, line);
    while (maat_router_next(r, &d) == MAAT_OK)
      if (d.type == MAAT_DEC_WARNING && !strcmp(d.kind, "strain")) {
        cr_assert_str_eq(d.agent, "ana", "only the strained agent");
        warnings++;
        warned_at = d.t;
      }
  }
  cr_assert_eq(warnings, 1, "one warning per episode; state %s", state);
  cr_assert_float_eq(warned_at, 3600, 1e-9,
                     "at the first tick warn_period_s after the rise");
  maat_router_close(r);
  maat_team_free(t);
}

Test(route, forecast_warning_is_a_team_aggregate)
{
  maat_team *t = team_of(one);
  maat_router *r = router_of(t, "maat", 0);
  struct maat_decision d;
  int warned = 0;
  char line[200];
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  for (int k = 0; k < 20; k++) {
    snprintf(line, sizeof line, "{\"type\":\"contact\",\"t\":%d,\"id\":\"c%d\","
             "\"tier\":\"T2\",\"handle_s\":600}", k * 10, k);
    PUSH(r, line);
  }
  while (maat_router_next(r, &d) == MAAT_OK)
    if (d.type == MAAT_DEC_WARNING && !strcmp(d.kind, "forecast")) {
      warned = 1;
      cr_assert_eq(d.scope, MAAT_SCOPE_TEAM);
      cr_assert(strstr(d.message, "ana") == NULL, "no names: %s", d.message);
      cr_assert(strstr(d.message, "shortfall"), "%s", d.message);
    }
  cr_assert(warned);
  maat_router_close(r);
  maat_team_free(t);
}

/* Understaffing: Erlang C on the observed rate and handling time says how
 * many more people the rate needs; a calm rate says nothing. */
static int understaffed(int gap_s, char *msg, size_t cap)
{
  maat_team *t = team_of(two);
  maat_router *r = router_of(t, "maat", 0);
  struct maat_decision d;
  int warned = 0;
  char line[200];
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"bob\",\"state\":\"available\"}");
  for (int k = 0; k < 40; k++) {
    snprintf(line, sizeof line, "{\"type\":\"contact\",\"t\":%d,\"id\":\"c%d\","
             "\"tier\":\"T2\",\"lang\":\"en\",\"handle_s\":300}", k * gap_s, k);
    PUSH(r, line);
    if (k % 2)
      while (maat_router_next(r, &d) == MAAT_OK)
        if (d.type == MAAT_DEC_WARNING && !strcmp(d.kind, "understaffed")) {
          warned++;
          cr_assert_eq(d.scope, MAAT_SCOPE_TEAM);
          snprintf(msg, cap, "%s", d.message);
        }
  }
  while (maat_router_next(r, &d) == MAAT_OK)
    if (d.type == MAAT_DEC_WARNING && !strcmp(d.kind, "understaffed"))
      warned++;
  maat_router_close(r);
  maat_team_free(t);
  return warned;
}

Test(route, understaffing_says_how_many_more)
{
  char msg[256] = "";
  /* a contact of 5 minutes every 30 s: 10 people's work, 2 on shift */
  cr_assert_geq(understaffed(30, msg, sizeof msg), 1);
  cr_assert(strstr(msg, "Erlang C") && strstr(msg, "2 on shift") &&
            strstr(msg, "more needed") && strstr(msg, "5:00 min each") &&
            strstr(msg, "people first"), "%s", msg);
  cr_assert(!strstr(msg, ", 0 more"), "%s", msg);
  /* one every 20 minutes: two people are plenty */
  cr_assert_eq(understaffed(1200, msg, sizeof msg), 0);
}

/* A contact left open three times its expected handling time: the lead is
 * told once, by the contact, never by the agent. */
Test(route, contact_open_too_long_is_told_once)
{
  maat_team *t = team_of(one);
  maat_router *r = router_of(t, "maat", 0);
  struct maat_decision d;
  int warned = 0;
  char msg[256] = "";
  const char *ticks[] = { "{\"type\":\"tick\",\"t\":800}",
                          "{\"type\":\"tick\",\"t\":901}",
                          "{\"type\":\"tick\",\"t\":2000}" };
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"left-open\",\"tier\":\"T2\","
          "\"handle_s\":300}");
  for (int k = 0; k < 3; k++) {
    PUSH(r, ticks[k]);
    while (maat_router_next(r, &d) == MAAT_OK)
      if (d.type == MAAT_DEC_WARNING && !strcmp(d.kind, "open_too_long")) {
        warned++;
        cr_assert_eq(k, 1, "not before three times 5:00, and once");
        snprintf(msg, sizeof msg, "%s", d.message);
        cr_assert_eq(d.scope, MAAT_SCOPE_TEAM);
      }
  }
  cr_assert_eq(warned, 1);
  cr_assert(strstr(msg, "left-open") && strstr(msg, "15:01 min") &&
            !strstr(msg, "ana"), "%s", msg);
  maat_router_close(r);
  maat_team_free(t);
}

Test(route, replay_completes_and_abandons)
{
  maat_team *t = team_of(one);
  maat_router *r = router_of(t, "efficiency", MAAT_ROUTER_REPLAY);
  struct maat_route_summary s;
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"a\",\"tier\":\"T2\",\"handle_s\":100}");
  PUSH(r, "{\"type\":\"contact\",\"t\":1,\"id\":\"b\",\"tier\":\"T2\",\"handle_s\":100,\"patience_s\":50}");
  PUSH(r, "{\"type\":\"contact\",\"t\":2,\"id\":\"c\",\"tier\":\"T2\",\"handle_s\":100,\"patience_s\":500}");
  cr_assert_eq(maat_router_finish(r, 10), MAAT_OK);
  maat_router_summary(r, &s);
  cr_assert_eq(s.contacts, 3);
  cr_assert_eq(s.assigned, 2, "a, then c once a is done");
  cr_assert_eq(s.abandoned, 1, "b ran out of patience");
  cr_assert_eq(s.queued_at_end, 0);
  cr_assert_eq(s.in_service_at_end, 0);
  maat_router_close(r);
  maat_team_free(t);
}

Test(route, team_file_errors_name_agent_and_field)
{
  maat_team *t = NULL;
  const char *bad[][2] = {
    { "{\"agents\":[{\"id\":\"x\",\"languages\":[\"en\"],\"tiers\":[\"T4\"]}]}", "agent 'x': field 'tiers'" },
    { "{\"agents\":[{\"id\":\"x\",\"languages\":[\"en\"],\"shift\":\"9-5\"}]}", "agent 'x': field 'shift'" },
    { "{\"agents\":[]}", "field 'agents'" },
    { "{\"settings\":{\"heavy_cap\":0},\"agents\":[{\"id\":\"x\",\"languages\":[\"en\"]}]}", "heavy_cap" },
    { "{\"settings\":{\"nope\":1},\"agents\":[{\"id\":\"x\",\"languages\":[\"en\"]}]}", "unknown setting 'nope'" },
    { "{\"agents\":[{\"id\":\"x\",\"languages\":[\"en\"]},{\"id\":\"x\",\"languages\":[\"en\"]}]}", "duplicate" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cr_assert_neq(maat_team_parse(&t, bad[i][0], strlen(bad[i][0]), "team.json"),
                  MAAT_OK, "%s", bad[i][0]);
    cr_assert(strstr(maat_errmsg(), "team.json") && strstr(maat_errmsg(), bad[i][1]),
              "%s", maat_errmsg());
  }
}

/*
 * A large team: every id is found by the router's hash, an unknown one is
 * refused, and a duplicate far down the file is named.
 */
Test(route, large_team_ids_found_and_duplicates_named)
{
  enum { N = 3000 };
  size_t cap = (size_t)N * 64 + 64, len = 0;
  char *json = malloc(cap);
  maat_team *t = NULL;
  maat_router *r;
  struct maat_event ev;

  cr_assert(json);
  len += (size_t)snprintf(json + len, cap - len, "{\"agents\":[");
  for (int i = 0; i < N; i++)
    len += (size_t)snprintf(json + len, cap - len,
                            "%s{\"id\":\"agent-%d\",\"languages\":[\"en\"]}",
                            i ? "," : "", i);
  snprintf(json + len, cap - len, "]}");
  cr_assert_eq(maat_team_parse(&t, json, strlen(json), "big"), MAAT_OK, "%s",
               maat_errmsg());
  cr_assert_eq(maat_team_size(t), N);
  r = router_of(t, "maat", 0);
  memset(&ev, 0, sizeof ev);
  ev.type = MAAT_EV_AGENT;
  ev.state = MAAT_AGENT_AVAILABLE;
  for (int i = 0; i < N; i += 7) {
    snprintf(ev.agent, sizeof ev.agent, "agent-%d", i);
    cr_assert_eq(maat_router_push(r, &ev), MAAT_OK, "%s: %s", ev.agent,
                 maat_errmsg());
  }
  snprintf(ev.agent, sizeof ev.agent, "%s", "agent-3000");
  cr_assert_eq(maat_router_push(r, &ev), MAAT_ENOTFOUND);
  cr_assert(strstr(maat_errmsg(), "agent-3000"), "%s", maat_errmsg());
  maat_router_close(r);
  maat_team_free(t);
  /* The last agent takes the first one's id. */
  memcpy(strstr(json, "\"agent-2999\""), "\"agent-0\"   ", 12);
  cr_assert_eq(maat_team_parse(&t, json, strlen(json), "big"), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "agent 'agent-0': duplicate id"), "%s",
            maat_errmsg());
  free(json);
}

Test(route, unroutable_contact_is_reported_and_kept)
{
  maat_team *t = team_of(two);
  maat_router *r = router_of(t, "maat", 0);
  struct maat_decision d;
  struct maat_route_summary s;
  int warned = 0;
  /* Nobody speaks German; nobody takes T3 in Dutch... ana does. */
  PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"de\",\"tier\":\"T2\",\"lang\":\"de\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":1,\"id\":\"nl\",\"tier\":\"T3\",\"lang\":\"nl\"}");
  while (maat_router_next(r, &d) == MAAT_OK)
    if (d.type == MAAT_DEC_WARNING && !strcmp(d.kind, "unroutable")) {
      warned++;
      cr_assert(strstr(d.message, "'de'"), "%s", d.message);
    }
  cr_assert_eq(warned, 1);
  maat_router_summary(r, &s);
  cr_assert_eq(s.queued_at_end, 2, "kept, not dropped");
  maat_router_close(r);
  maat_team_free(t);
}

Test(route, survives_every_allocation_failure)
{
  static const char *const team_json =
    "{\"agents\": [{\"id\": \"a1\", \"languages\": [\"nl\", \"en\"], "
    "\"tiers\": [\"T1\", \"T2\", \"T3\"]}, {\"id\": \"a2\", \"languages\": "
    "[\"nl\"], \"skills\": [\"billing\"]}]}";
  static const char *const events[] = {
    "{\"type\":\"agent\",\"t\":0,\"agent\":\"a1\",\"state\":\"available\"}",
    "{\"type\":\"agent\",\"t\":0,\"agent\":\"a2\",\"state\":\"available\"}",
    "{\"type\":\"contact\",\"t\":1,\"id\":\"c1\",\"tier\":\"T2\",\"tone\":\"angry\",\"intensity\":0.9,\"lang\":\"nl\",\"handle_s\":300}",
    "{\"type\":\"contact\",\"t\":2,\"id\":\"c2\",\"tier\":\"T1\",\"lang\":\"en\"}",
    "{\"type\":\"contact\",\"t\":3,\"id\":\"c3\",\"tier\":\"T3\",\"lang\":\"de\",\"handle_s\":200}",
    "{\"type\":\"contact\",\"t\":4,\"id\":\"c4\",\"tier\":\"T2\",\"intent\":\"billing\",\"lang\":\"nl\",\"handle_s\":100}",
    "{\"type\":\"tick\",\"t\":5000}",
    "{\"type\":\"agent\",\"t\":5001,\"agent\":\"a2\",\"state\":\"break\"}",
  };
  long n;
  int rc = MAAT_ENOMEM;

  for (n = 1; n < 100000; n++) {
    maat_team *t = NULL;
    maat_router *r = NULL;
    struct maat_decision d;
    alloc_count = 0;
    alloc_fail_at = n;
    maat_set_allocator(failing_malloc, failing_realloc, free);
    rc = maat_team_parse(&t, team_json, strlen(team_json), "t");
    if (!rc)
      rc = maat_router_open(&r, t, "maat", MAAT_ROUTER_REPLAY);
    for (size_t i = 0; !rc && i < sizeof events / sizeof events[0]; i++) {
      struct maat_event ev;
      rc = maat_event_parse(&ev, events[i], strlen(events[i]));
      if (!rc)
        rc = maat_router_push(r, &ev);
      while (!rc && maat_router_next(r, &d) == MAAT_OK)
        ;
    }
    if (!rc)
      rc = maat_router_finish(r, 9000);
    maat_set_allocator(NULL, NULL, NULL);
    maat_router_close(r);
    maat_team_free(t);
    if (rc == MAAT_OK)
      break;
    cr_assert_eq(rc, MAAT_ENOMEM, "allocation %ld: %s", n, maat_errmsg());
  }
  cr_assert_eq(rc, MAAT_OK);
  cr_assert_gt(n, 5, "the walk covered %ld allocations", n);
}

/* The efficiency baseline: always the longest-idle eligible agent. */
Test(route, efficiency_takes_the_longest_idle_eligible_agent)
{
  maat_team *t = team_of(
    "{\"agents\":["
    "{\"id\":\"a1\",\"languages\":[\"nl\"],\"tiers\":[\"T1\",\"T2\"]},"
    "{\"id\":\"a2\",\"languages\":[\"nl\"],\"tiers\":[\"T1\",\"T2\"]},"
    "{\"id\":\"a3\",\"languages\":[\"en\"],\"tiers\":[\"T1\",\"T2\"]},"
    "{\"id\":\"a4\",\"languages\":[\"nl\"],\"tiers\":[\"T1\",\"T2\"]}]}");
  maat_router *r = router_of(t, "efficiency", 0);

  /* a4 and a2 come at the same moment (a2 first by team order), a3 first
   * but speaks no Dutch, a1 last. */
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"a3\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"agent\",\"t\":10,\"agent\":\"a4\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"agent\",\"t\":10,\"agent\":\"a2\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"agent\",\"t\":20,\"agent\":\"a1\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":30,\"id\":\"c1\",\"tier\":\"T2\",\"lang\":\"nl\"}");
  cr_assert(drain_assign(r, "c1"));
  cr_expect_str_eq(last_to, "a2", "a tie at t=10 goes to the team's first");
  PUSH(r, "{\"type\":\"contact\",\"t\":31,\"id\":\"c2\",\"tier\":\"T2\",\"lang\":\"nl\"}");
  cr_assert(drain_assign(r, "c2"));
  cr_expect_str_eq(last_to, "a4");
  /* a2 finishes: now the most recently idle; a1 has waited longer. */
  PUSH(r, "{\"type\":\"done\",\"t\":40,\"contact\":\"c1\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":41,\"id\":\"c3\",\"tier\":\"T2\",\"lang\":\"nl\"}");
  cr_assert(drain_assign(r, "c3"));
  cr_expect_str_eq(last_to, "a1");
  /* An English contact goes to a3, idle longest of all. */
  PUSH(r, "{\"type\":\"contact\",\"t\":42,\"id\":\"c4\",\"tier\":\"T2\",\"lang\":\"en\"}");
  cr_assert(drain_assign(r, "c4"));
  cr_expect_str_eq(last_to, "a3");
  /* A break and a return put an agent at the back of the line. */
  PUSH(r, "{\"type\":\"done\",\"t\":50,\"contact\":\"c2\"}");
  PUSH(r, "{\"type\":\"agent\",\"t\":51,\"agent\":\"a2\",\"state\":\"break\"}");
  PUSH(r, "{\"type\":\"agent\",\"t\":52,\"agent\":\"a2\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":53,\"id\":\"c5\",\"tier\":\"T2\",\"lang\":\"nl\"}");
  cr_assert(drain_assign(r, "c5"));
  cr_expect_str_eq(last_to, "a4", "a4 idle since 50, a2 only since 52");
  maat_router_close(r);
  maat_team_free(t);
}

/*
 * Dispatch remembers, within one pass, that a kind of contact found nobody;
 * a contact of that kind that adds less strain must still be looked at.
 */
Test(route, a_lighter_contact_behind_a_blocked_one_is_served)
{
  maat_team *t = team_of(
    "{\"settings\":{\"recovery_min_s\":0,\"recovery_max_s\":0,\"heavy_cap\":5,"
    "\"service_target_s\":3600,\"relax_after_s\":3600},"
    "\"agents\":[{\"id\":\"ana\",\"languages\":[\"en\"],\"tiers\":[\"T1\",\"T2\",\"T3\"]}]}");
  maat_router *r = router_of(t, "maat", 0);
  struct maat_decision d;

  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"h1\",\"tier\":\"T2\",\"tone\":\"angry\",\"intensity\":1}");
  PUSH(r, "{\"type\":\"done\",\"t\":1800,\"contact\":\"h1\"}");
  while (maat_router_next(r, &d) == MAAT_OK)
    ;
  /* At t=2500 her strain is 0.70: an intensity-1 angry contact adds 0.45
   * (over the line), an intensity-0 one 0.15 (under it). */
  PUSH(r, "{\"type\":\"contact\",\"t\":2500,\"id\":\"big\",\"tier\":\"T2\",\"tone\":\"angry\",\"intensity\":1}");
  cr_assert(!drain_assign(r, "big"));
  PUSH(r, "{\"type\":\"contact\",\"t\":2500,\"id\":\"small\",\"tier\":\"T2\",\"tone\":\"angry\",\"intensity\":0}");
  cr_assert(drain_assign(r, "small"), "the lighter one fits under the line");
  cr_assert_str_eq(last_to, "ana");
  maat_router_close(r);
  maat_team_free(t);
}

/* Agents are kept in bit sets of 64: eligibility past the first words. */
Test(route, eligibility_holds_past_64_agents)
{
  char json[40000];
  size_t n = 0;
  const char *pol[] = { "maat", "efficiency", "round-robin" };

  n += (size_t)snprintf(json + n, sizeof json - n, "{\"agents\":[");
  for (int i = 0; i < 130; i++)
    n += (size_t)snprintf(json + n, sizeof json - n,
                          "%s{\"id\":\"a%03d\",\"languages\":[\"%s\"],"
                          "\"tiers\":[\"T1\",\"T2\",\"T3\"]}", i ? "," : "", i,
                          i == 129 ? "nl" : i == 70 ? "de" : "en");
  snprintf(json + n, sizeof json - n, "]}");
  maat_team *t = team_of(json);
  for (int p = 0; p < 3; p++) {
    maat_router *r = router_of(t, pol[p], 0);
    char line[160];
    for (int i = 0; i < 130; i++) {
      snprintf(line, sizeof line, "{\"type\":\"agent\",\"t\":%d,\"agent\":"
               "\"a%03d\",\"state\":\"available\"}", i, i);
      PUSH(r, line);
    }
    PUSH(r, "{\"type\":\"contact\",\"t\":200,\"id\":\"nl1\",\"tier\":\"T2\",\"lang\":\"nl\"}");
    cr_assert(drain_assign(r, "nl1"), "%s", pol[p]);
    cr_expect_str_eq(last_to, "a129", "%s", pol[p]);
    PUSH(r, "{\"type\":\"contact\",\"t\":201,\"id\":\"de1\",\"tier\":\"T3\",\"lang\":\"de\"}");
    cr_assert(drain_assign(r, "de1"), "%s", pol[p]);
    cr_expect_str_eq(last_to, "a070", "%s", pol[p]);
    /* Both busy now: the next Dutch contact waits. */
    PUSH(r, "{\"type\":\"contact\",\"t\":202,\"id\":\"nl2\",\"tier\":\"T2\",\"lang\":\"nl\"}");
    cr_expect(!drain_assign(r, "nl2"), "%s", pol[p]);
    maat_router_close(r);
  }
  maat_team_free(t);
}

/* The library checks priority and urgency itself, naming the field. */
Test(route, priority_and_urgency_out_of_range_are_refused)
{
  maat_team *t = team_of(two);
  maat_router *r = router_of(t, "maat", 0);
  struct maat_event ev;

  memset(&ev, 0, sizeof ev);
  ev.type = MAAT_EV_CONTACT;
  snprintf(ev.contact.id, sizeof ev.contact.id, "%s", "c1");
  ev.contact.tier = MAAT_T2;
  ev.contact.priority = 7;
  cr_assert_eq(maat_router_push(r, &ev), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "'priority'"), "%s", maat_errmsg());
  ev.contact.priority = 1;
  ev.contact.urgency = 9;
  cr_assert_eq(maat_router_push(r, &ev), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "'urgency'"), "%s", maat_errmsg());
  ev.contact.urgency = MAAT_URGENCY_HIGH;
  cr_assert_eq(maat_router_push(r, &ev), MAAT_OK, "%s", maat_errmsg());
  maat_router_close(r);
  maat_team_free(t);
}

/*
 * The timer heap against a plain reference: random pushes (many equal
 * keys, so ties decide), re-pushes, removals and pops; every pop must be
 * the least (key, tie) still in, and the heap must end empty.
 */
Test(route, heap_pops_in_key_then_tie_order)
{
  enum { N = 300 };
  struct maat__heap h;
  double key[N];
  int64_t tie[N];
  int in[N] = { 0 }, n = 0;
  struct maat_rng rng;

  memset(&h, 0, sizeof h);
  cr_assert_eq(maat__heap_reserve(&h, N), MAAT_OK);
  maat__rng_seed(&rng, 7);
  for (int step = 0; step < 20000; step++) {
    int op = (int)maat__rng_below(&rng, 4), item = (int)maat__rng_below(&rng, N);
    if (op <= 1) {
      key[item] = (double)maat__rng_below(&rng, 20);
      tie[item] = (int64_t)maat__rng_below(&rng, 1000) * N + item;
      maat__heap_push(&h, item, key[item], tie[item]);
      n += !in[item];
      in[item] = 1;
    } else if (op == 2) {
      maat__heap_remove(&h, item);
      n -= in[item];
      in[item] = 0;
    } else if (n > 0) {
      int want = -1, got;
      for (int i = 0; i < N; i++)
        if (in[i] && (want < 0 || key[i] < key[want] ||
                      (key[i] == key[want] && tie[i] < tie[want])))
          want = i;
      cr_assert_eq(maat__heap_top(&h), want, "step %d", step);
      got = maat__heap_pop(&h);
      cr_assert_eq(got, want, "step %d", step);
      in[got] = 0;
      n--;
    }
    cr_assert_eq(h.n, n, "step %d", step);
  }
  for (int prev = -1; n > 0;) {
    int got = maat__heap_pop(&h);
    cr_assert(in[got]);
    in[got] = 0;
    n--;
    if (prev >= 0)
      cr_assert(key[prev] < key[got] ||
                (key[prev] == key[got] && tie[prev] < tie[got]));
    prev = got;
  }
  cr_assert_eq(maat__heap_top(&h), -1);
  maat__heap_release(&h);
}

/* A decision the router cannot keep for want of memory fails the push
 * that made it, instead of vanishing. */
Test(route, a_decision_it_cannot_keep_fails_the_push)
{
  maat_team *t = team_of(
    "{\"agents\":[{\"id\":\"ana\",\"languages\":[\"en\"]}]}");
  maat_router *r = router_of(t, "maat", 0);
  char line[128];
  int rc;

  /* 64 decisions wait unread: the output array is full. */
  for (int i = 0; i < 64; i++) {
    snprintf(line, sizeof line, "{\"type\":\"contact\",\"t\":%d,\"id\":\"b%d\","
             "\"tier\":\"T1\"}", i, i);
    PUSH(r, line);
  }
  alloc_count = 0;
  alloc_fail_at = 1;
  maat_set_allocator(failing_malloc, failing_realloc, free);
  rc = push(r, "{\"type\":\"contact\",\"t\":70,\"id\":\"b64\",\"tier\":\"T1\"}");
  maat_set_allocator(NULL, NULL, NULL);
  cr_assert_eq(alloc_count, 1, "the first allocation was the output's");
  cr_assert_eq(rc, MAAT_ENOMEM, "%s", maat_errmsg());
  cr_assert(strstr(maat_errmsg(), "could not be kept"), "%s", maat_errmsg());
  maat_router_close(r);
  maat_team_free(t);
}

/* Contacts coming and going for long keep the id index as small as the
 * open work: deleted marks are dropped, not doubled over. */
Test(route, the_contact_index_follows_the_open_work)
{
  maat_team *t = team_of(
    "{\"agents\":[{\"id\":\"ana\",\"languages\":[\"en\"]}]}");
  maat_router *r = router_of(t, "maat", 0);
  struct maat_decision d;
  char line[128];

  for (int i = 0; i < 100000; i++) {
    snprintf(line, sizeof line, "{\"type\":\"contact\",\"t\":%d,\"id\":\"c%d\","
             "\"tier\":\"T3\"}", i, i);
    PUSH(r, line);
    snprintf(line, sizeof line, "{\"type\":\"done\",\"t\":%d,\"contact\":"
             "\"c%d\"}", i, i);
    PUSH(r, line);
    while (maat_router_next(r, &d) == MAAT_OK)
      ;
  }
  cr_assert_leq(r->idxcap, 4096, "index of %zu slots for one open contact",
                r->idxcap);
  maat_router_close(r);
  maat_team_free(t);
}

/*
 * The hard limits hold at every stage, even past the target and the grace
 * with everything else relaxed at once: no contact within hard_recovery_s
 * of a heavy one's end, whatever the agent says; no heavy contact after
 * hard_heavy_max in a row until a light one. The efficiency baseline, which
 * knows no rules, is counted breaking them.
 */
static const char *hard_team =
  "{\"settings\":{\"service_first\":1,\"relax_after_s\":0,"
  "\"service_target_s\":1,\"overload_grace_s\":0,\"recovery_min_s\":0,"
  "\"recovery_max_s\":0,\"heavy_cap\":1,\"hard_heavy_max\":2,"
  "\"hard_recovery_s\":60,\"overload\":100},\"agents\":[{\"id\":\"ana\","
  "\"languages\":[\"en\"],\"tiers\":[\"T1\",\"T2\",\"T3\"]}]}";

/* Pushes ticks a second apart from 'from' to 'to'; the time contact 'id'
 * was assigned, or -1. */
static double assigned_at(maat_router *r, const char *id, int from, int to)
{
  struct maat_decision d;
  char line[64];
  double at = -1;

  for (int k = from; k <= to && at < 0; k++) {
    snprintf(line, sizeof line, "{\"type\":\"tick\",\"t\":%d}", k);
    PUSH(r, line);
    while (maat_router_next(r, &d) == MAAT_OK)
      if (d.type == MAAT_DEC_ASSIGN && !strcmp(d.contact, id))
        at = d.t;
  }
  return at;
}

Test(route, hard_minimum_rest_never_gives_way)
{
  maat_team *t = team_of(hard_team);
  maat_router *r = router_of(t, "maat", 0);
  struct maat_route_summary s;
  double at; /* the assertion macros evaluate their arguments twice */
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"h1\",\"tier\":\"T2\",\"tone\":\"angry\"}");
  PUSH(r, "{\"type\":\"done\",\"t\":100,\"contact\":\"h1\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":100,\"id\":\"c2\",\"tier\":\"T2\"}");
  /* She says she is back at once: she still rests the hard minimum. */
  PUSH(r, "{\"type\":\"agent\",\"t\":101,\"agent\":\"ana\",\"state\":\"available\"}");
  at = assigned_at(r, "c2", 102, 400);
  cr_assert_float_eq(at, 160, 1e-9);
  maat_router_summary(r, &s);
  cr_assert_eq(s.hard_breaks, 0);
  maat_router_close(r);
  /* The baseline gives it at once: one break counted. */
  r = router_of(t, "efficiency", 0);
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"h1\",\"tier\":\"T2\",\"tone\":\"angry\"}");
  PUSH(r, "{\"type\":\"done\",\"t\":100,\"contact\":\"h1\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":100,\"id\":\"c2\",\"tier\":\"T2\"}");
  cr_assert(drain_assign(r, "c2"));
  maat_router_summary(r, &s);
  cr_assert_eq(s.hard_breaks, 1);
  maat_router_close(r);
  maat_team_free(t);
}

Test(route, hard_heavy_maximum_never_gives_way)
{
  maat_team *t = team_of(hard_team);
  maat_router *r = router_of(t, "maat", 0);
  struct maat_route_summary s;
  double at; /* the assertion macros evaluate their arguments twice */
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"h1\",\"tier\":\"T3\"}");
  PUSH(r, "{\"type\":\"done\",\"t\":100,\"contact\":\"h1\"}");
  /* The soft cap (1) gives way at once; the hard one (2) does not. */
  PUSH(r, "{\"type\":\"contact\",\"t\":100,\"id\":\"h2\",\"tier\":\"T3\"}");
  at = assigned_at(r, "h2", 101, 400);
  cr_assert_float_eq(at, 160, 1e-9);
  PUSH(r, "{\"type\":\"done\",\"t\":200,\"contact\":\"h2\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":200,\"id\":\"h3\",\"tier\":\"T3\"}");
  cr_assert_lt(assigned_at(r, "h3", 201, 3000), 0, "third heavy in a row");
  /* A light contact ends the streak: h3 waits behind it, then is hers. */
  PUSH(r, "{\"type\":\"contact\",\"t\":3001,\"id\":\"l1\",\"tier\":\"T2\"}");
  cr_assert(drain_assign(r, "l1"));
  PUSH(r, "{\"type\":\"done\",\"t\":3100,\"contact\":\"l1\"}");
  at = assigned_at(r, "h3", 3100, 3200);
  cr_assert_float_eq(at, 3100, 1e-9);
  maat_router_summary(r, &s);
  cr_assert_eq(s.hard_breaks, 0);
  maat_router_close(r);
  maat_team_free(t);
}

/*
 * A lead's move: a contact with one agent goes to another, saying which
 * soft rule that breaks; a hard limit or a busy agent refuses it; back to
 * the queue, a contact keeps its place and is routed again. The waits
 * count a contact once.
 */
Test(route, a_lead_moves_a_contact_within_the_hard_limits)
{
  maat_team *t = team_of(
    "{\"settings\":{\"recovery_min_s\":300,\"hard_recovery_s\":60},"
    "\"agents\":[{\"id\":\"ana\",\"languages\":[\"en\"],\"tiers\":[\"T1\",\"T2\",\"T3\"]},"
    "{\"id\":\"bob\",\"languages\":[\"en\"],\"tiers\":[\"T1\",\"T2\",\"T3\"]}]}");
  maat_router *r = router_of(t, "maat", 0);
  struct maat_decision d;
  struct maat_route_summary s;
  char broken[128];
  int requeued = 0;
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"bob\",\"state\":\"available\"}");
  /* bob takes a heavy one and rests after it */
  PUSH(r, "{\"type\":\"contact\",\"t\":1,\"id\":\"h1\",\"tier\":\"T3\"}");
  cr_assert(drain_assign(r, "h1"));
  cr_assert_str_eq(last_to, "ana");
  PUSH(r, "{\"type\":\"contact\",\"t\":2,\"id\":\"c2\",\"tier\":\"T2\",\"lang\":\"en\"}");
  cr_assert(drain_assign(r, "c2"));
  cr_assert_str_eq(last_to, "bob");
  PUSH(r, "{\"type\":\"done\",\"t\":100,\"contact\":\"h1\"}");
  /* ana rests (hard limit for 60 s): c2 may not go to her */
  cr_assert_eq(maat_router_move_check(r, "c2", "ana", broken, sizeof broken),
               MAAT_ESTATE);
  cr_assert(strstr(maat_errmsg(), "hard limit"), "%s", maat_errmsg());
  cr_assert_eq(push(r, "{\"type\":\"move\",\"t\":101,\"contact\":\"c2\","
                       "\"agent\":\"ana\"}"), MAAT_ESTATE);
  /* after the hard minimum, within her recovery window: allowed, said */
  PUSH(r, "{\"type\":\"tick\",\"t\":170}");
  cr_assert_eq(maat_router_move_check(r, "c2", "ana", broken, sizeof broken),
               MAAT_OK);
  /* which wellbeing rule is hers to know, not the lead's */
  cr_assert_str_eq(broken, "a wellbeing rule (which one, and the agent's "
                   "figures, stay private)");
  PUSH(r, "{\"type\":\"move\",\"t\":170,\"contact\":\"c2\",\"agent\":\"ana\"}");
  cr_assert(drain_assign(r, "c2"));
  cr_assert_str_eq(last_to, "ana");
  /* to a busy agent: refused */
  cr_assert_eq(maat_router_move_check(r, "c2", "ana", broken, sizeof broken),
               MAAT_ESTATE);
  /* unknown ones are named */
  cr_assert_eq(maat_router_move_check(r, "nope", "bob", broken, sizeof broken),
               MAAT_ENOTFOUND);
  cr_assert_eq(maat_router_move_check(r, "c2", "zed", broken, sizeof broken),
               MAAT_ENOTFOUND);
  /* bob is free; ana's contact back to the queue: routed again at once */
  PUSH(r, "{\"type\":\"agent\",\"t\":171,\"agent\":\"bob\",\"state\":\"break\"}");
  PUSH(r, "{\"type\":\"move\",\"t\":172,\"contact\":\"c2\"}");
  while (maat_router_next(r, &d) == MAAT_OK)
    if (d.type == MAAT_DEC_REQUEUE && !strcmp(d.contact, "c2")) {
      requeued = 1;
      cr_assert_str_eq(d.reasons[0], "put back in the queue by a lead");
    } else if (d.type == MAAT_DEC_ASSIGN) {
      cr_assert_str_eq(d.contact, "c2");
      cr_assert_str_eq(d.to, "ana", "ana is free again, bob on a break");
    }
  cr_assert(requeued);
  maat_router_summary(r, &s);
  cr_assert_eq(s.to_people, 2, "each contact counts once");
  cr_assert_eq(s.hard_breaks, 0);
  maat_router_close(r);
  maat_team_free(t);
}

/*
 * The team's skills map: an intent of the intent model needs the skill it
 * is listed under. An invoice question goes to the billing agent, not to
 * the technical one who is first in the team and longer idle; the reason
 * says which skill; an intent the map does not list is open to all. Skills
 * or intents that match nothing are errors that name them.
 */
static const char *skills_team =
  "{\"skills\":{\"billing\":[\"invoice_question\",\"payment_failed\"],"
  "\"technical\":[\"technical_outage\",\"password_reset\"]},"
  "\"agents\":[{\"id\":\"tech\",\"languages\":[\"en\"],\"skills\":[\"technical\"],"
  "\"tiers\":[\"T1\",\"T2\",\"T3\"]},"
  "{\"id\":\"bill\",\"languages\":[\"en\"],\"skills\":[\"billing\"],"
  "\"tiers\":[\"T1\",\"T2\",\"T3\"]}]}";

Test(route, intents_map_to_skills)
{
  maat_team *t = team_of(skills_team);
  maat_router *r = router_of(t, "maat", 0);
  struct maat_decision d;
  int said = 0;
  const char *skill = NULL;
  cr_assert_str_eq(maat_team_mapped_intent(t, 0, &skill), "invoice_question");
  cr_assert_str_eq(skill, "billing");
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"tech\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"agent\",\"t\":1,\"agent\":\"bill\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":2,\"id\":\"c1\",\"tier\":\"T2\",\"lang\":\"en\","
          "\"intent\":\"invoice_question\"}");
  while (maat_router_next(r, &d) == MAAT_OK)
    if (d.type == MAAT_DEC_ASSIGN) {
      cr_assert_str_eq(d.contact, "c1");
      cr_assert_str_eq(d.to, "bill", "the billing agent, not the first idle");
      for (int k = 0; k < d.nreasons; k++)
        said |= !strcmp(d.reasons[k], "skill billing: the contact's intent needs it");
    }
  cr_assert(said, "the reason names the skill");
  /* not in the map: anyone */
  PUSH(r, "{\"type\":\"contact\",\"t\":3,\"id\":\"c2\",\"tier\":\"T2\",\"lang\":\"en\","
          "\"intent\":\"opening_hours\"}");
  cr_assert(drain_assign(r, "c2"));
  cr_assert_str_eq(last_to, "tech");
  /* billing busy: a second invoice question waits, tech free or not */
  PUSH(r, "{\"type\":\"done\",\"t\":4,\"contact\":\"c2\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":5,\"id\":\"c3\",\"tier\":\"T2\",\"lang\":\"en\","
          "\"intent\":\"payment_failed\"}");
  cr_assert(!drain_assign(r, "c3"), "waits for the billing agent");
  maat_router_close(r);
  maat_team_free(t);
}

Test(route, a_skills_map_that_matches_nothing_is_an_error)
{
  maat_team *t = NULL;
  static const char *const bad[][2] = {
    { "{\"skills\":{\"billing\":[\"invoice_question\"]},\"agents\":[{\"id\":\"a\","
      "\"languages\":[\"en\"],\"skills\":[\"biling\"]}]}", "'biling' is no skill" },
    { "{\"skills\":{\"billing\":[\"invoice_question\"],\"legal\":[\"claim\"]},"
      "\"agents\":[{\"id\":\"a\",\"languages\":[\"en\"],\"skills\":[\"billing\"]}]}",
      "skill 'legal' of the 'skills' map matches no agent" },
    { "{\"skills\":{\"billing\":[\"x\"],\"tech\":[\"x\"]},\"agents\":[{\"id\":\"a\","
      "\"languages\":[\"en\"]}]}", "intent 'x' is already under skill 'billing'" },
    { "{\"skills\":{\"billing\":[]},\"agents\":[{\"id\":\"a\",\"languages\":[\"en\"]}]}",
      "skill 'billing': expected a non-empty array" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    cr_assert_eq(maat_team_parse(&t, bad[i][0], strlen(bad[i][0]), "team.json"),
                 MAAT_EPARSE, "case %zu", i);
    cr_assert(strstr(maat_errmsg(), bad[i][1]) && strstr(maat_errmsg(), "team.json"),
              "case %zu: %s", i, maat_errmsg());
  }
}

/* Over many contacts and agents: a contact whose intent needs a skill never
 * goes to an agent without it, while someone with it is free or not. */
Test(route, no_contact_goes_to_an_agent_without_its_skill)
{
  static const char *const intents[] = { "invoice_question", "payment_failed",
                                         "technical_outage", "password_reset",
                                         "opening_hours" };
  char team[1024], line[256];
  maat_team *t;
  maat_router *r;
  struct maat_decision d;
  unsigned long long x = 7;
  int assigned = 0;
  char ids[64][MAAT_ID_MAX + 1];
  int nopen = 0;

  snprintf(team, sizeof team,
           "{\"skills\":{\"billing\":[\"invoice_question\",\"payment_failed\"],"
           "\"technical\":[\"technical_outage\",\"password_reset\"]},\"agents\":["
           "{\"id\":\"b1\",\"languages\":[\"en\"],\"skills\":[\"billing\"],\"tiers\":[\"T2\",\"T3\"]},"
           "{\"id\":\"b2\",\"languages\":[\"en\"],\"skills\":[\"billing\"],\"tiers\":[\"T2\",\"T3\"]},"
           "{\"id\":\"t1\",\"languages\":[\"en\"],\"skills\":[\"technical\"],\"tiers\":[\"T2\",\"T3\"]},"
           "{\"id\":\"t2\",\"languages\":[\"en\"],\"skills\":[\"technical\"],\"tiers\":[\"T2\",\"T3\"]},"
           "{\"id\":\"all\",\"languages\":[\"en\"],\"skills\":[\"*\"],\"tiers\":[\"T2\",\"T3\"]}]}");
  t = team_of(team);
  r = router_of(t, "maat", 0);
  for (const char *const *a = (const char *const[]){ "b1", "b2", "t1", "t2", "all", NULL }; *a; a++) {
    snprintf(line, sizeof line, "{\"type\":\"agent\",\"t\":0,\"agent\":\"%s\",\"state\":\"available\"}", *a);
    PUSH(r, line);
  }
  for (int k = 0; k < 400; k++) {
    const char *in;
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    in = intents[(x >> 33) % 5];
    snprintf(line, sizeof line, "{\"type\":\"contact\",\"t\":%d,\"id\":\"k%d\",\"tier\":\"T%d\","
             "\"lang\":\"en\",\"intent\":\"%s\"%s}", 10 * k, k, 2 + (int)((x >> 20) % 2), in,
             (x >> 40) % 4 ? "" : ",\"tone\":\"angry\"");
    PUSH(r, line);
    while (maat_router_next(r, &d) == MAAT_OK) {
      int billing, technical;
      if (d.type != MAAT_DEC_ASSIGN || !strcmp(d.to, "bot"))
        continue;
      assigned++;
      /* which intent was it? the same generator, up to its number */
      {
        unsigned long long y = 7;
        int n = (int)strtol(d.contact + 1, NULL, 10);
        for (int q = 0; q <= n; q++)
          y = y * 6364136223846793005ULL + 1442695040888963407ULL;
        in = intents[(y >> 33) % 5];
      }
      billing = !strcmp(in, "invoice_question") || !strcmp(in, "payment_failed");
      technical = !strcmp(in, "technical_outage") || !strcmp(in, "password_reset");
      cr_assert(!(billing && d.to[0] == 't') && !(technical && d.to[0] == 'b'),
                "%s (%s) went to %s", d.contact, in, d.to);
      if (nopen < 64)
        snprintf(ids[nopen++], sizeof ids[0], "%s", d.contact);
    }
    /* the oldest open contact ends now and then */
    if (k % 2 && nopen) {
      snprintf(line, sizeof line, "{\"type\":\"done\",\"t\":%d,\"contact\":\"%s\"}",
               10 * k + 5, ids[0]);
      PUSH(r, line);
      memmove(ids, ids + 1, (size_t)(nopen - 1) * sizeof ids[0]);
      nopen--;
    }
  }
  cr_assert_gt(assigned, 100);
  maat_router_close(r);
  maat_team_free(t);
}

/* A follow-up raises a waiting contact (T2 to T3: then only an agent with
 * T3 fits), never lowers it, and keeps an assigned one with its agent. */
Test(route, a_followup_raises_a_contact_never_lowers_it)
{
  maat_team *t = team_of(two);
  maat_router *r = router_of(t, "maat", 0);
  struct maat_decision d;

  /* Nobody on shift: c1 waits as T2. */
  PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"c1\",\"tier\":\"T2\",\"lang\":\"en\"}");
  PUSH(r, "{\"type\":\"followup\",\"t\":5,\"contact\":\"c1\",\"tier\":\"T3\",\"tone\":\"angry\",\"intensity\":0.9}");
  /* A calmer message after it changes nothing back. */
  PUSH(r, "{\"type\":\"followup\",\"t\":6,\"contact\":\"c1\",\"tier\":\"T1\",\"tone\":\"neutral\"}");
  /* bob has no T3: he may not take it; ana may. */
  PUSH(r, "{\"type\":\"agent\",\"t\":10,\"agent\":\"bob\",\"state\":\"available\"}");
  cr_assert_not(drain_assign(r, "c1"), "a T3 contact went to an agent without T3");
  PUSH(r, "{\"type\":\"agent\",\"t\":11,\"agent\":\"ana\",\"state\":\"available\"}");
  cr_assert(drain_assign(r, "c1"));
  cr_assert_str_eq(last_to, "ana");
  /* In service: a follow-up keeps it with ana; one for no open contact is
   * refused, named. */
  PUSH(r, "{\"type\":\"followup\",\"t\":20,\"contact\":\"c1\",\"tier\":\"T3\",\"tone\":\"distressed\"}");
  while (maat_router_next(r, &d) == MAAT_OK)
    cr_assert_neq(d.type, MAAT_DEC_ASSIGN, "a follow-up moved the contact");
  cr_assert_eq(push(r, "{\"type\":\"followup\",\"t\":21,\"contact\":\"nope\",\"tier\":\"T2\"}"),
               MAAT_ENOTFOUND);
  cr_assert(strstr(maat_errmsg(), "'nope'"));
  maat_router_close(r);
  maat_team_free(t);
}

/* A follow-up that makes an in-service contact heavy counts as heavy for
 * its agent: her recovery window and the hard minimum rest follow it. */
Test(route, a_followup_that_turns_heavy_counts_as_heavy)
{
  maat_team *t = team_of(hard_team);
  maat_router *r = router_of(t, "maat", 0);
  double at;

  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"c1\",\"tier\":\"T2\"}");
  cr_assert(drain_assign(r, "c1"));
  PUSH(r, "{\"type\":\"followup\",\"t\":50,\"contact\":\"c1\",\"tier\":\"T2\",\"tone\":\"angry\"}");
  PUSH(r, "{\"type\":\"done\",\"t\":100,\"contact\":\"c1\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":100,\"id\":\"c2\",\"tier\":\"T2\"}");
  at = assigned_at(r, "c2", 101, 400);
  cr_assert_float_eq(at, 160, 1e-9, "after a heavy follow-up she rests 60 s (got %g)", at);
  maat_router_close(r);
  maat_team_free(t);
}

/* A conversation that comes back goes to the agent who had it when she is
 * free and within the rules, even if another has been idle longer; not
 * when she rests or is over the heavy cap. */
Test(route, a_reopened_conversation_goes_back_to_its_agent)
{
  static const char *team =
    "{\"settings\":{\"heavy_cap\":1,\"hard_recovery_s\":60,\"recovery_min_s\":0,"
    "\"recovery_max_s\":0},\"agents\":["
    "{\"id\":\"ana\",\"languages\":[\"en\"],\"tiers\":[\"T1\",\"T2\",\"T3\"]},"
    "{\"id\":\"bob\",\"languages\":[\"en\"],\"tiers\":[\"T1\",\"T2\",\"T3\"]}]}";
  maat_team *t = team_of(team);
  maat_router *r = router_of(t, "maat", 0);

  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"bob\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"agent\",\"t\":1,\"agent\":\"ana\",\"state\":\"available\"}");
  /* bob has been idle longer: without a preference he would get it. */
  PUSH(r, "{\"type\":\"contact\",\"t\":10,\"id\":\"x1\",\"tier\":\"T2\",\"lang\":\"en\",\"prefer\":\"ana\"}");
  cr_assert(drain_assign(r, "x1"));
  cr_assert_str_eq(last_to, "ana");
  PUSH(r, "{\"type\":\"done\",\"t\":20,\"contact\":\"x1\"}");
  /* An angry one for ana; right after it she rests: the next goes to bob. */
  PUSH(r, "{\"type\":\"contact\",\"t\":21,\"id\":\"x2\",\"tier\":\"T2\",\"lang\":\"en\",\"tone\":\"angry\",\"prefer\":\"ana\"}");
  cr_assert(drain_assign(r, "x2"));
  cr_assert_str_eq(last_to, "ana");
  PUSH(r, "{\"type\":\"done\",\"t\":30,\"contact\":\"x2\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":31,\"id\":\"x3\",\"tier\":\"T2\",\"lang\":\"en\",\"prefer\":\"ana\"}");
  cr_assert(drain_assign(r, "x3"));
  cr_assert_str_eq(last_to, "bob", "a preference broke the hard minimum rest");
  /* An unknown agent is no error: the contact is routed as usual. */
  PUSH(r, "{\"type\":\"contact\",\"t\":200,\"id\":\"x4\",\"tier\":\"T2\",\"lang\":\"en\",\"prefer\":\"zed\"}");
  cr_assert(drain_assign(r, "x4"));
  maat_router_close(r);
  maat_team_free(t);
}

/* ---- capacity per channel ---- */

/* A generated day with a channel on every contact, in turn. */
struct chan_ctx {
  maat_router *r;
  long n;
};
static int collect_chan(void *ctx, const char *line, size_t len)
{
  static const char *const chans[] = { "chat", "email", "voice" };
  struct chan_ctx *c = ctx;
  struct maat_event ev;
  int rc = maat_event_parse(&ev, line, len);
  if (rc)
    return rc;
  if (ev.type == MAAT_EV_CONTACT)
    snprintf(ev.contact.channel, sizeof ev.contact.channel, "%s",
             chans[c->n++ % 3]);
  return maat_router_push(c->r, &ev);
}

static unsigned long long run_chan_day(maat_team *t, const char *policy,
                                       int channels,
                                       struct maat_route_summary *s,
                                       long *capacity_reasons)
{
  struct chan_ctx c = { router_of(t, policy, MAAT_ROUTER_REPLAY), 0 };
  struct maat_decision d;
  unsigned long long h = 1469598103934665603ULL;
  char buf[1024], params[512];

  *capacity_reasons = 0;
  cr_assert_eq(maat_gen_events(t, 1, 7, channels ? collect_chan : collect,
                               channels ? (void *)&c : (void *)c.r),
               MAAT_OK, "%s", maat_errmsg());
  cr_assert_eq(maat_router_finish(c.r, 86400), MAAT_OK);
  while (maat_router_next(c.r, &d) == MAAT_OK) {
    size_t n = maat_decision_format(&d, buf, sizeof buf);
    for (size_t i = 0; i < n; i++)
      h = (h ^ (unsigned char)buf[i]) * 1099511628211ULL;
    for (int k = 0; k < d.nreasons; k++) {
      cr_assert(maat_msg_parse(d.reasons[k], params, sizeof params),
                "'%s' not in the catalogue", d.reasons[k]);
      if (!strncmp(d.reasons[k], "capacity ", 9))
        ++*capacity_reasons;
    }
  }
  maat_router_summary(c.r, s);
  maat_router_close(c.r);
  return h;
}

/* A generated team with a 'capacity' object spliced in. */
static maat_team *gen_team_cap(const char *capacity)
{
  char *json, *full;
  size_t len;
  maat_team *t;
  cr_assert_eq(maat_gen_team(&json, &len, 20, 1), MAAT_OK);
  size_t cap = len + strlen(capacity) + 32;
  full = malloc(cap);
  cr_assert(json[0] == '{');
  snprintf(full, cap, "{%s%s%s", capacity, *capacity ? "," : "", json + 1);
  t = team_of(full);
  free(full);
  maat_free(json);
  return t;
}

Test(route, capacity_one_is_the_router_of_one_contact_at_a_time)
{
  const char *pol[] = { "maat", "efficiency", "round-robin" };
  maat_team *plain = gen_team_cap("");
  maat_team *ones = gen_team_cap(
      "\"capacity\":{\"chat\":1,\"email\":1,\"voice\":1}");
  maat_team *three = gen_team_cap(
      "\"capacity\":{\"chat\":3,\"email\":5,\"voice\":1}");
  struct maat_route_summary a, b, c;
  long na, nb, nc;

  for (int p = 0; p < 3; p++) {
    unsigned long long h0 = run_chan_day(plain, pol[p], 0, &a, &na);
    unsigned long long h1 = run_chan_day(ones, pol[p], 1, &b, &nb);
    unsigned long long h3 = run_chan_day(three, pol[p], 1, &c, &nc);
    /* Channels with capacity 1 decide as before, byte for byte. */
    cr_assert_eq(h0, h1, "%s: capacity 1 changed a decision", pol[p]);
    cr_assert_eq(na + nb, 0);
    /* Several at once: some contacts take a place beside others, and
     * the counts still add up. */
    cr_assert_neq(h1, h3);
    cr_assert_gt(nc, 0, "%s: nobody held two chats", pol[p]);
    cr_assert_eq(c.contacts, c.assigned + c.abandoned + c.queued_at_end);
    if (!strcmp(pol[p], "maat"))
      cr_assert_eq(c.hard_breaks, 0);
  }
  maat_team_free(plain);
  maat_team_free(ones);
  maat_team_free(three);
}

static const char *chat_team =
  "{\"capacity\":{\"chat\":3,\"voice\":1},"
  "\"settings\":{\"recovery_min_s\":0,\"recovery_max_s\":0},\"agents\":["
  "{\"id\":\"ana\",\"languages\":[\"en\"],\"tiers\":[\"T1\",\"T2\",\"T3\"]},"
  "{\"id\":\"bob\",\"languages\":[\"en\"],\"tiers\":[\"T1\",\"T2\",\"T3\"],"
  "\"capacity\":{\"chat\":2}}]}";

/* The agent each of contacts ids[0..n) went to, from the decisions. */
static void drain_to(maat_router *r, const char *const *ids, int n,
                     char (*to)[64])
{
  struct maat_decision d;
  for (int k = 0; k < n; k++)
    to[k][0] = 0;
  while (maat_router_next(r, &d) == MAAT_OK)
    for (int k = 0; k < n; k++)
      if (d.type == MAAT_DEC_ASSIGN && !strcmp(d.contact, ids[k]))
        snprintf(to[k], 64, "%s", d.to);
}

Test(route, several_chats_at_once_within_each_agents_capacity)
{
  maat_team *t = team_of(chat_team);
  maat_router *r = router_of(t, "maat", 0);
  const char *ids[] = { "c1", "c2", "c3", "c4", "c5", "c6", "v1" };
  char to[7][64], line[256], state[2048];
  int ana = 0, bob = 0;

  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"bob\",\"state\":\"available\"}");
  for (int k = 0; k < 6; k++) {
    snprintf(line, sizeof line, "{\"type\":\"contact\",\"t\":%d,\"id\":"
             "\"c%d\",\"tier\":\"T2\",\"lang\":\"en\",\"channel\":\"chat\"}",
             10 + k, k + 1);
    PUSH(r, line);
  }
  PUSH(r, "{\"type\":\"contact\",\"t\":20,\"id\":\"v1\",\"tier\":\"T2\",\"lang\":\"en\",\"channel\":\"voice\"}");
  drain_to(r, ids, 7, to);
  /* Free people first, then places beside their chats: ana 3, bob 2. */
  cr_assert(to[0][0] && to[1][0] && strcmp(to[0], to[1]),
            "the first two chats go to the two free agents");
  for (int k = 0; k < 6; k++) {
    ana += !strcmp(to[k], "ana");
    bob += !strcmp(to[k], "bob");
  }
  cr_assert_eq(ana, 3, "ana holds %d chats, capacity 3", ana);
  cr_assert_eq(bob, 2, "bob holds %d chats, his own capacity 2", bob);
  cr_assert_str_empty(to[5][0] ? "" : "", "one chat waits");
  cr_assert_eq(ana + bob, 5);
  /* A call waits for someone free: nobody takes it beside chats. */
  cr_assert_str_empty(to[6]);
  maat_router_state_format(r, state, sizeof state);
  cr_assert(strstr(state, "\"contacts\":[\"c"), "%s", state);
  /* Bob's chat ends: his place goes to the waiting chat, not the call. */
  {
    const char *c = !strcmp(to[1], "bob") ? "c2" : "c1";
    snprintf(line, sizeof line, "{\"type\":\"done\",\"t\":100,\"contact\":"
             "\"%s\"}", c);
    PUSH(r, line);
  }
  drain_to(r, ids, 7, to);
  {
    int waiting = -1;
    for (int k = 0; k < 6; k++)
      if (!strcmp(to[k], "bob"))
        waiting = k;
    cr_assert_geq(waiting, 2, "the waiting chat went to bob's free place");
  }
  cr_assert_str_empty(to[6]);
  maat_router_close(r);
  maat_team_free(t);
}

Test(route, a_heavy_contact_is_never_held_beside_others)
{
  maat_team *t = team_of(chat_team);
  maat_router *r = router_of(t, "maat", 0);
  const char *ids[] = { "c1", "h1", "c2", "c3" };
  char to[4][64];

  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":10,\"id\":\"c1\",\"tier\":\"T2\",\"lang\":\"en\",\"channel\":\"chat\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":11,\"id\":\"h1\",\"tier\":\"T2\",\"lang\":\"en\",\"channel\":\"chat\",\"tone\":\"angry\"}");
  drain_to(r, ids, 4, to);
  cr_assert_str_eq(to[0], "ana");
  cr_assert_str_empty(to[1], "an angry chat went beside another one");
  PUSH(r, "{\"type\":\"done\",\"t\":50,\"contact\":\"c1\"}");
  drain_to(r, ids, 4, to);
  cr_assert_str_eq(to[1], "ana", "the angry chat goes to her once she is free");
  /* While she holds it, no second chat. */
  PUSH(r, "{\"type\":\"contact\",\"t\":60,\"id\":\"c2\",\"tier\":\"T2\",\"lang\":\"en\",\"channel\":\"chat\"}");
  drain_to(r, ids, 4, to);
  cr_assert_str_empty(to[2], "a chat went beside an angry one");
  /* It ends: the hard minimum rest, then the waiting chat. */
  PUSH(r, "{\"type\":\"done\",\"t\":100,\"contact\":\"h1\"}");
  PUSH(r, "{\"type\":\"tick\",\"t\":130}");
  drain_to(r, ids, 4, to);
  cr_assert_str_empty(to[2], "a chat within the hard minimum rest");
  PUSH(r, "{\"type\":\"tick\",\"t\":161}");
  drain_to(r, ids, 4, to);
  cr_assert_str_eq(to[2], "ana");
  maat_router_close(r);
  maat_team_free(t);
}

Test(route, a_chat_turned_heavy_among_others_rests_her_after_the_last)
{
  maat_team *t = team_of(
    "{\"capacity\":{\"chat\":3},\"settings\":{\"recovery_min_s\":120,"
    "\"service_target_s\":3600,"
    "\"recovery_max_s\":600,\"hard_recovery_s\":30},\"agents\":["
    "{\"id\":\"ana\",\"languages\":[\"en\"],\"tiers\":[\"T1\",\"T2\",\"T3\"]}]}");
  maat_router *r = router_of(t, "maat", 0);
  char state[1024];

  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":10,\"id\":\"c1\",\"tier\":\"T2\",\"lang\":\"en\",\"channel\":\"chat\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":11,\"id\":\"c2\",\"tier\":\"T2\",\"lang\":\"en\",\"channel\":\"chat\"}");
  cr_assert(drain_assign(r, "c2"));
  cr_assert_str_eq(last_to, "ana");
  /* c1's customer gets angry: no third chat beside it. */
  PUSH(r, "{\"type\":\"followup\",\"t\":20,\"contact\":\"c1\",\"tier\":\"T2\",\"tone\":\"angry\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":21,\"id\":\"c3\",\"tier\":\"T2\",\"lang\":\"en\",\"channel\":\"chat\"}");
  cr_assert(!drain_assign(r, "c3"));
  /* It ends first; she goes on with c2, then rests: not before. */
  PUSH(r, "{\"type\":\"done\",\"t\":100,\"contact\":\"c1\"}");
  maat_router_state_format(r, state, sizeof state);
  cr_assert(strstr(state, "\"state\":\"busy\""), "%s", state);
  cr_assert(!drain_assign(r, "c3"), "a chat beside others after a heavy one");
  PUSH(r, "{\"type\":\"done\",\"t\":200,\"contact\":\"c2\"}");
  maat_router_state_format(r, state, sizeof state);
  cr_assert(strstr(state, "\"state\":\"recovery\""), "%s", state);
  cr_assert(!drain_assign(r, "c3"));
  maat_router_close(r);
  maat_team_free(t);
}

/* The strain of two chats held side by side for 'hold' s (penalty p). */
static double strain_two_chats(double p, int together)
{
  char json[512], line[256];
  maat_team *t;
  maat_router *r;
  double s;

  snprintf(json, sizeof json,
           "{\"capacity\":{\"chat\":2},\"settings\":{\"concurrency_penalty\":"
           "%g,\"recovery_tau_s\":86400},\"agents\":[{\"id\":\"ana\","
           "\"languages\":[\"en\"]}]}", p);
  t = team_of(json);
  r = router_of(t, "maat", 0);
  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"a\",\"tier\":\"T2\",\"lang\":\"en\",\"channel\":\"chat\"}");
  if (together) {
    PUSH(r, "{\"type\":\"contact\",\"t\":0,\"id\":\"b\",\"tier\":\"T2\",\"lang\":\"en\",\"channel\":\"chat\"}");
    PUSH(r, "{\"type\":\"done\",\"t\":300,\"contact\":\"a\"}");
    PUSH(r, "{\"type\":\"done\",\"t\":300,\"contact\":\"b\"}");
  } else {
    PUSH(r, "{\"type\":\"done\",\"t\":300,\"contact\":\"a\"}");
    snprintf(line, sizeof line, "{\"type\":\"contact\",\"t\":300,\"id\":\"b\","
             "\"tier\":\"T2\",\"lang\":\"en\",\"channel\":\"chat\"}");
    PUSH(r, line);
    PUSH(r, "{\"type\":\"done\",\"t\":600,\"contact\":\"b\"}");
  }
  s = maat__router_strain(r, 0);
  maat_router_close(r);
  maat_team_free(t);
  return s;
}

Test(route, concurrent_work_strains_by_the_documented_rule)
{
  /* Each of two chats side by side adds its load x (1 + p x 1). */
  double single = strain_two_chats(0.25, 0), both = strain_two_chats(0.25, 1);
  double none = strain_two_chats(0, 1);
  cr_assert_float_eq(none, single, 1e-3 * single, "p 0: as one at a time");
  cr_assert_float_eq(both, 1.25 * single, 1e-3 * single, "%g vs %g", both, single);
}

Test(route, in_replay_each_contact_ends_by_its_own_time)
{
  maat_team *t = team_of(chat_team);
  maat_router *r = router_of(t, "maat", MAAT_ROUTER_REPLAY);
  const char *ids[] = { "c1", "c2", "c3", "c4" };
  char to[4][64];

  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":10,\"id\":\"c1\",\"tier\":\"T2\",\"lang\":\"en\",\"channel\":\"chat\",\"handle_s\":600}");
  PUSH(r, "{\"type\":\"contact\",\"t\":11,\"id\":\"c2\",\"tier\":\"T2\",\"lang\":\"en\",\"channel\":\"chat\",\"handle_s\":60}");
  PUSH(r, "{\"type\":\"contact\",\"t\":12,\"id\":\"c3\",\"tier\":\"T2\",\"lang\":\"en\",\"channel\":\"chat\",\"handle_s\":600}");
  PUSH(r, "{\"type\":\"contact\",\"t\":13,\"id\":\"c4\",\"tier\":\"T2\",\"lang\":\"en\",\"channel\":\"chat\",\"handle_s\":60}");
  drain_to(r, ids, 4, to);
  cr_assert_str_eq(to[2], "ana");
  cr_assert_str_empty(to[3], "a fourth chat beside three");
  /* c2 ends about a minute in (stretched a little by strain), long before
   * c1: its place goes to c4. */
  PUSH(r, "{\"type\":\"tick\",\"t\":80}");
  drain_to(r, ids, 4, to);
  cr_assert_str_eq(to[3], "ana");
  maat_router_close(r);
  maat_team_free(t);
}

Test(route, capacity_errors_name_the_field)
{
  static const struct { const char *json, *want; } bad[] = {
    { "{\"capacity\":3,\"agents\":[{\"id\":\"a\",\"languages\":[\"en\"]}]}",
      "field 'capacity': expected an object" },
    { "{\"capacity\":{\"chat\":0},\"agents\":[{\"id\":\"a\",\"languages\":[\"en\"]}]}",
      "field 'capacity.chat': expected a whole number from 1 to 8" },
    { "{\"capacity\":{\"chat\":2.5},\"agents\":[{\"id\":\"a\",\"languages\":[\"en\"]}]}",
      "field 'capacity.chat'" },
    { "{\"capacity\":{\"web chat\":2},\"agents\":[{\"id\":\"a\",\"languages\":[\"en\"]}]}",
      "'web chat' is not a channel name" },
    { "{\"agents\":[{\"id\":\"a\",\"languages\":[\"en\"],\"capacity\":{\"chat\":9}}]}",
      "agent 'a': field 'capacity.chat'" },
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    maat_team *t = NULL;
    cr_assert_eq(maat_team_parse(&t, bad[k].json, strlen(bad[k].json),
                                 "team.json"), MAAT_EPARSE);
    cr_assert(strstr(maat_errmsg(), bad[k].want), "%s", maat_errmsg());
    cr_assert(strstr(maat_errmsg(), "team.json"), "%s", maat_errmsg());
  }
  {
    /* An agent's own channel: the others hold one of it at a time. */
    maat_team *t = team_of(
      "{\"agents\":[{\"id\":\"a\",\"languages\":[\"en\"],\"capacity\":"
      "{\"chat\":2}},{\"id\":\"b\",\"languages\":[\"en\"]}]}");
    char *desc;
    cr_assert_eq(maat_team_describe(t, &desc), MAAT_OK);
    cr_assert(strstr(desc, "\"id\":\"b\"") &&
              strstr(strstr(desc, "\"id\":\"b\""), "\"capacity\":{\"chat\":1}"),
              "%s", desc);
    maat_free(desc);
    maat_team_free(t);
  }
}

Test(route, a_lead_moves_a_chat_to_a_place_beside_others_not_a_call)
{
  maat_team *t = team_of(chat_team);
  maat_router *r = router_of(t, "maat", 0);
  char broken[256];

  PUSH(r, "{\"type\":\"agent\",\"t\":0,\"agent\":\"ana\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":1,\"id\":\"c1\",\"tier\":\"T2\",\"lang\":\"en\",\"channel\":\"chat\"}");
  PUSH(r, "{\"type\":\"agent\",\"t\":2,\"agent\":\"bob\",\"state\":\"available\"}");
  PUSH(r, "{\"type\":\"contact\",\"t\":3,\"id\":\"c2\",\"tier\":\"T2\",\"lang\":\"en\",\"channel\":\"chat\"}");
  cr_assert(drain_assign(r, "c2"));
  cr_assert_str_eq(last_to, "bob");
  PUSH(r, "{\"type\":\"contact\",\"t\":4,\"id\":\"v1\",\"tier\":\"T2\",\"lang\":\"en\",\"channel\":\"voice\"}");
  cr_assert(!drain_assign(r, "v1"));
  /* A call beside a chat: refused, with why. */
  cr_assert_eq(maat_router_move_check(r, "v1", "ana", broken, sizeof broken),
               MAAT_ESTATE);
  cr_assert(strstr(maat_errmsg(), "is with another contact"), "%s",
            maat_errmsg());
  /* Bob's chat to ana, who has places: allowed, and done. */
  cr_assert_eq(maat_router_move_check(r, "c2", "ana", broken, sizeof broken),
               MAAT_OK, "%s", maat_errmsg());
  PUSH(r, "{\"type\":\"move\",\"t\":5,\"contact\":\"c2\",\"agent\":\"ana\"}");
  cr_assert(drain_assign(r, "c2"));
  cr_assert_str_eq(last_to, "ana");
  {
    char state[1024];
    maat_router_state_format(r, state, sizeof state);
    cr_assert(strstr(state, "\"contacts\":[\"c1\",\"c2\"]"), "%s", state);
  }
  maat_router_close(r);
  maat_team_free(t);
}

/*
 * engine.c - the shared loop: its decisions are the router's, byte for
 * byte, under every policy; a reopened store rebuilds the same state;
 * requests from many threads share commits and none is lost.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <math.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "maat.h"
#include "tmpfiles.h"

static char team_path[64], db_path[64];

static void setup(void)
{
  tmp_team(team_path, sizeof team_path, 12, 3);
  tmp_path(db_path, sizeof db_path, "engine-db");
}

static void teardown(void)
{
  unlink(team_path);
  rm_db(db_path);
}

struct lines {
  char **v;
  size_t n;
};

/* With 'channels': every contact gets "chat", "email" or "voice" in turn,
 * for a team with a capacity (capacity_team()). */
static int channels;

static int keep(void *ctx, const char *line, size_t len)
{
  struct lines *l = ctx;
  l->v = realloc(l->v, (l->n + 1) * sizeof *l->v);
  if (channels && len > 2 && strstr(line, "\"type\":\"contact\"")) {
    static const char *const ch[] = { "chat", "email", "voice" };
    char *s = malloc(len + 32);
    snprintf(s, len + 32, "%.*s,\"channel\":\"%s\"}", (int)len - 1, line,
             ch[l->n % 3]);
    l->v[l->n++] = s;
    return 0;
  }
  l->v[l->n++] = strndup(line, len);
  return 0;
}

/* Rewrites the team file with two chats or three e-mails at once. */
static void capacity_team(void)
{
  char *json = NULL, *full;
  size_t len = 0;
  FILE *f = fopen(team_path, "r");
  cr_assert(f);
  cr_assert_eq(getdelim(&json, &len, 0, f) > 1, 1);
  fclose(f);
  cr_assert(json[0] == '{');
  full = malloc(strlen(json) + 64);
  snprintf(full, strlen(json) + 64,
           "{\"capacity\":{\"chat\":2,\"email\":3},%s", json + 1);
  f = fopen(team_path, "w");
  cr_assert(f);
  fputs(full, f);
  fclose(f);
  free(full);
  free(json);
}

static void lines_free(struct lines *l)
{
  for (size_t i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
}

/* The router alone: the reference output. */
static char *router_output(const maat_team *team, const char *policy,
                           const struct lines *ev)
{
  maat_router *r = NULL;
  struct maat_decision d;
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  char buf[4096];

  cr_assert_eq(maat_router_open(&r, team, policy, MAAT_ROUTER_REPLAY), MAAT_OK);
  for (size_t i = 0; i < ev->n; i++) {
    struct maat_event e;
    memset(&e, 0, sizeof e);
    cr_assert_eq(maat_event_parse(&e, ev->v[i], strlen(ev->v[i])), MAAT_OK);
    cr_assert_eq(maat_router_push(r, &e), MAAT_OK);
    while (maat_router_next(r, &d) == MAAT_OK)
      fwrite(buf, 1, maat_decision_format(&d, buf, sizeof buf), f);
  }
  fclose(f);
  maat_router_close(r);
  return out;
}

static char *engine_output(maat_engine *e, const struct lines *ev,
                           size_t from, size_t to)
{
  char *out = NULL;
  size_t len = 0, n;
  const char *line;
  FILE *f = open_memstream(&out, &len);

  for (size_t i = from; i < to; i++) {
    cr_assert_eq(maat_engine_apply(e, ev->v[i], strlen(ev->v[i]), 0, NULL,
                                   NULL), MAAT_OK, "%s", maat_errmsg());
    if (i % 100 == 0)
      cr_assert_eq(maat_engine_commit(e), MAAT_OK);
  }
  cr_assert_eq(maat_engine_commit(e), MAAT_OK);
  while (maat_engine_next_line(e, &line, &n) == MAAT_OK)
    fwrite(line, 1, n, f);
  fclose(f);
  return out;
}

static long snapshot_every;

static maat_engine *engine_of(maat_store *st, const char *policy)
{
  struct maat_engine_options o;
  maat_engine *e = NULL;

  memset(&o, 0, sizeof o);
  o.team_path = team_path;
  o.policy = policy;
  o.router_flags = MAAT_ROUTER_REPLAY;
  o.flags = MAAT_ENGINE_OUTPUT;
  o.store = st;
  o.snapshot_every = snapshot_every;
  cr_assert_eq(maat_engine_open(&e, &o), MAAT_OK, "%s", maat_errmsg());
  return e;
}

Test(engine, decisions_are_the_routers_byte_for_byte, .init = setup,
     .fini = teardown)
{
  static const char *const policies[] = { "maat", "efficiency",
                                          "round-robin" };
  maat_team *team = NULL;
  struct lines ev = { 0 };

  cr_assert_eq(maat_team_load(&team, team_path), MAAT_OK);
  cr_assert_eq(maat_gen_events(team, 1, 7, keep, &ev), MAAT_OK);
  cr_assert(ev.n > 200, "%zu events", ev.n);
  for (int p = 0; p < 3; p++) {
    char *want = router_output(team, policies[p], &ev), *got;
    maat_store *st = NULL;
    maat_engine *e;
    cr_assert_eq(maat_store_open(&st, "memory:"), MAAT_OK);
    e = engine_of(st, policies[p]);
    got = engine_output(e, &ev, 0, ev.n);
    cr_assert(strlen(want) > 2000);
    cr_assert_str_eq(got, want, "policy %s", policies[p]);
    free(got);
    free(want);
    maat_engine_close(e);
    maat_store_close(st);
  }
  lines_free(&ev);
  maat_team_free(team);
}

/* Half the day, a restart on the same store, the other half: the same
 * decisions as one run, under every policy. */
/* Damages the stored snapshot's bytes, as a bad disk would. */
static void damage_snapshot(void)
{
  sqlite3 *db;
  cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
  /* The last byte lost: what is left ends in a checksum that fails. */
  cr_assert_eq(sqlite3_exec(db, "UPDATE snapshots SET data = "
                            "substr(data, 1, length(data) - 1)", NULL, NULL,
                            NULL), SQLITE_OK);
  cr_assert_eq(sqlite3_changes(db), 1, "a snapshot was there to damage");
  sqlite3_close(db);
}

static int damage;

static void restart_case(const char *policy, long every)
{
  maat_team *team = NULL;
  struct lines ev = { 0 };
  maat_store *st = NULL;
  maat_engine *e;
  char *want, *a, *b, *both;
  size_t half;

  snapshot_every = every;
  cr_assert_eq(maat_team_load(&team, team_path), MAAT_OK);
  cr_assert_eq(maat_gen_events(team, 1, 11, keep, &ev), MAAT_OK);
  half = ev.n / 2;
  want = router_output(team, policy, &ev);
  rm_db(db_path);
  cr_assert_eq(maat_store_open(&st, db_path), MAAT_OK);
  e = engine_of(st, policy);
  a = engine_output(e, &ev, 0, half);
  maat_engine_close(e);
  maat_store_close(st);
  if (damage)
    damage_snapshot();
  cr_assert_eq(maat_store_open(&st, db_path), MAAT_OK);
  e = engine_of(st, policy);
  b = engine_output(e, &ev, half, ev.n);
  maat_engine_close(e);
  both = malloc(strlen(a) + strlen(b) + 1);
  memcpy(both, a, strlen(a));
  memcpy(both + strlen(a), b, strlen(b) + 1);
  cr_assert_str_eq(both, want, "%s, snapshot every %ld: the store rebuilt "
                   "the router's state", policy, every);
  {
    struct maat_engine_options o;
    memset(&o, 0, sizeof o);
    o.team_path = team_path;
    o.policy = strcmp(policy, "efficiency") ? "efficiency" : "maat";
    o.store = st;
    cr_assert_eq(maat_engine_open(&e, &o), MAAT_ESTATE,
                 "a log is not replayed under another policy");
  }
  maat_store_close(st);
  free(a);
  free(b);
  free(both);
  free(want);
  lines_free(&ev);
  maat_team_free(team);
}

Test(engine, a_restart_rebuilds_and_continues_the_same, .init = setup,
     .fini = teardown)
{
  static const char *const policies[] = { "maat", "efficiency",
                                          "round-robin" };
  for (int p = 0; p < 3; p++) {
    restart_case(policies[p], -1);   /* the whole log replayed */
    restart_case(policies[p], 37);   /* a snapshot, then the tail */
    restart_case(policies[p], 0);    /* the snapshot a clean stop left */
    damage = 1;                      /* ...damaged: the log replayed */
    restart_case(policies[p], 0);
    damage = 0;
  }
}

Test(engine, a_restart_mid_concurrent_work_continues_the_same,
     .init = setup, .fini = teardown)
{
  static const char *const policies[] = { "maat", "efficiency" };
  capacity_team();
  channels = 1;
  {
    /* The day has contacts taken beside others, for the restart to cut. */
    maat_team *team = NULL;
    struct lines ev = { 0 };
    char *want;
    cr_assert_eq(maat_team_load(&team, team_path), MAAT_OK, "%s",
                 maat_errmsg());
    cr_assert_eq(maat_gen_events(team, 1, 11, keep, &ev), MAAT_OK);
    want = router_output(team, "maat", &ev);
    cr_assert(strstr(want, "capacity chat") || strstr(want, "capacity email"),
              "nobody held two contacts at once");
    free(want);
    lines_free(&ev);
    maat_team_free(team);
  }
  for (int p = 0; p < 2; p++) {
    restart_case(policies[p], -1);
    restart_case(policies[p], 37);
    restart_case(policies[p], 0);
  }
  channels = 0;
}

Test(engine, a_snapshot_of_another_build_is_passed_over, .init = setup,
     .fini = teardown)
{
  maat_store *st = NULL;
  maat_engine *e;
  struct maat_engine_options o;
  long before;

  cr_assert_eq(maat_store_open(&st, db_path), MAAT_OK);
  memset(&o, 0, sizeof o);
  o.team_path = team_path;
  o.store = st;
  cr_assert_eq(maat_engine_open(&e, &o), MAAT_OK);
  cr_assert_eq(maat_engine_apply(e, "{\"type\":\"contact\",\"t\":1,"
                                 "\"id\":\"x\",\"tier\":\"T2\"}", 45, 0,
                                 NULL, NULL), MAAT_OK, "%s", maat_errmsg());
  before = maat_engine_events(e);
  maat_engine_close(e);
  /* A snapshot written by some other build, newer than the real one. */
  cr_assert_eq(maat_store_snapshot_put(st, 1, "not ours", 8), MAAT_OK);
  cr_assert_eq(maat_engine_open(&e, &o), MAAT_OK, "%s", maat_errmsg());
  cr_assert_eq(maat_engine_events(e), before, "the log was replayed");
  maat_engine_close(e);
  maat_store_close(st);
}

struct poster {
  maat_engine *e;
  int id, n, failed;
};

static void *post_many(void *arg)
{
  struct poster *p = arg;

  for (int i = 0; i < p->n; i++) {
    char line[160];
    struct maat_applied a;
    int n = snprintf(line, sizeof line, "{\"type\":\"contact\",\"t\":%d,"
                     "\"id\":\"p%d-%d\",\"tier\":\"T2\"}", 0, p->id, i);
    if (maat_engine_apply(p->e, line, (size_t)n, 0, NULL, &a) ||
        maat_engine_wait(p->e, a.ticket))
      p->failed++;
  }
  return NULL;
}

Test(engine, many_threads_share_commits_and_lose_nothing, .init = setup,
     .fini = teardown)
{
  struct maat_engine_options o;
  struct poster p[8];
  pthread_t th[8];
  maat_store *st = NULL;
  maat_engine *e = NULL;
  struct maat_contact_record r;
  int64_t count = 0;

  cr_assert_eq(maat_store_open(&st, db_path), MAAT_OK);
  memset(&o, 0, sizeof o);
  o.team_path = team_path;
  o.flags = MAAT_ENGINE_RECORDS;
  o.store = st;
  cr_assert_eq(maat_engine_open(&e, &o), MAAT_OK, "%s", maat_errmsg());
  for (int i = 0; i < 8; i++) {
    p[i] = (struct poster){ e, i, 200, 0 };
    pthread_create(&th[i], NULL, post_many, &p[i]);
  }
  for (int i = 0; i < 8; i++) {
    pthread_join(th[i], NULL);
    cr_assert_eq(p[i].failed, 0);
  }
  cr_assert_eq(maat_store_event_stats(st, &count, NULL), MAAT_OK);
  cr_assert_eq(count, 1600, "every acknowledged contact is in the log");
  cr_assert_eq(maat_engine_contact(e, "p3-199", &r), MAAT_OK);
  cr_assert_eq(r.state, MAAT_CONTACT_QUEUED);
  maat_contact_record_release(&r);
  maat_engine_close(e);
  maat_store_close(st);
}

#include "failalloc.h"

/* Every allocation of open, apply, commit and close may fail: the call
 * then says so, and nothing leaks or crashes (the sanitizer build). */
Test(engine, survives_every_allocation_failure, .init = setup,
     .fini = teardown)
{
  static const char *const events[] = {
    "{\"type\":\"agent\",\"t\":0,\"agent\":\"a0001\",\"state\":\"available\"}",
    "{\"type\":\"contact\",\"t\":1,\"id\":\"c1\",\"tier\":\"T2\",\"tone\":\"angry\",\"intensity\":0.9,\"lang\":\"nl\"}",
    "{\"type\":\"contact\",\"t\":2,\"id\":\"c2\",\"tier\":\"T1\",\"lang\":\"en\"}",
    "{\"type\":\"done\",\"t\":3,\"contact\":\"c1\",\"energy\":2}",
    "{\"type\":\"tick\",\"t\":4000}",
  };
  long n;
  int rc = MAAT_ENOMEM;

  for (n = 1; n < 100000; n++) {
    struct maat_engine_options o;
    struct maat_contact_record r;
    maat_store *st = NULL;
    maat_engine *e = NULL;
    alloc_count = 0;
    alloc_fail_at = n;
    maat_set_allocator(failing_malloc, failing_realloc, free);
    rc = maat_store_open(&st, "memory:");
    memset(&o, 0, sizeof o);
    o.team_path = team_path;
    o.flags = MAAT_ENGINE_RECORDS;
    o.store = st;
    o.snapshot_every = 2;
    if (!rc)
      rc = maat_engine_open(&e, &o);
    for (size_t i = 0; !rc && i < sizeof events / sizeof events[0]; i++) {
      struct maat_applied a;
      rc = maat_engine_apply(e, events[i], strlen(events[i]), 0, NULL, &a);
      if (!rc)
        rc = maat_engine_wait(e, a.ticket);
    }
    if (!rc && (rc = maat_engine_contact(e, "c2", &r)) == MAAT_OK)
      maat_contact_record_release(&r);
    maat_engine_close(e);
    maat_store_close(st);
    maat_set_allocator(NULL, NULL, NULL);
    if (rc == MAAT_OK)
      break;
    cr_assert(rc == MAAT_ENOMEM || rc == MAAT_EDB, "allocation %ld: %d %s",
              n, rc, maat_errmsg());
  }
  cr_assert_eq(rc, MAAT_OK);
  cr_assert_gt(n, 20, "the walk covered %ld allocations", n);
}

/* The server's engine: open contacts, the queue and the views come back
 * from the snapshot a clean stop left, and from the log without one. */
Test(engine, records_and_views_survive_a_restart, .init = setup,
     .fini = teardown)
{
  for (int snap = 0; snap < 2; snap++) {
    struct maat_engine_options o;
    struct maat_contact_record r;
    struct maat_queue_view q1, q2;
    struct maat_team_view *t1 = malloc(sizeof *t1), *t2 = malloc(sizeof *t2);
    maat_store *st = NULL;
    maat_engine *e = NULL;
    rm_db(db_path);
    cr_assert_eq(maat_store_open(&st, db_path), MAAT_OK);
    memset(&o, 0, sizeof o);
    o.team_path = team_path;
    o.flags = MAAT_ENGINE_RECORDS;
    o.store = st;
    o.snapshot_every = snap ? 3 : -1;
    cr_assert_eq(maat_engine_open(&e, &o), MAAT_OK);
    for (int i = 0; i < 10; i++) {
      char line[160];
      int n = snprintf(line, sizeof line, "{\"type\":\"contact\",\"t\":%d,"
                       "\"id\":\"q%d\",\"tier\":\"T%d\",\"priority\":%d,"
                       "\"triage\":{\"n\":%d}}", i, i, 2 + i % 2, i % 4, i);
      cr_assert_eq(maat_engine_apply(e, line, (size_t)n, 0, NULL, NULL),
                   MAAT_OK, "%s", maat_errmsg());
    }
    {
      const char *done = "{\"type\":\"done\",\"t\":20,\"contact\":\"q3\"}";
      cr_assert_eq(maat_engine_apply(e, done, strlen(done), 0, NULL, NULL),
                   MAAT_OK, "%s", maat_errmsg());
    }
    cr_assert_eq(maat_engine_commit(e), MAAT_OK);
    maat_engine_queue(e, 30, 0, &q1, NULL, NULL);
    maat_engine_team_view(e, t1);
    maat_engine_close(e);
    cr_assert_eq(maat_engine_open(&e, &o), MAAT_OK, "%s", maat_errmsg());
    maat_engine_queue(e, 30, 0, &q2, NULL, NULL);
    maat_engine_team_view(e, t2);
    cr_assert_eq(q2.length, 9);
    cr_assert_eq(memcmp(&q1, &q2, sizeof q1), 0, "the same queue (%s)",
                 snap ? "snapshot" : "log");
    cr_assert_eq(t1->warnings, t2->warnings);
    cr_assert_eq(maat_engine_contact(e, "q7", &r), MAAT_OK);
    cr_assert_eq(r.state, MAAT_CONTACT_QUEUED);
    cr_assert_eq(r.priority, 3);
    cr_assert_str_eq(r.triage, "{\"n\":7}");
    maat_contact_record_release(&r);
    cr_assert_eq(maat_engine_contact(e, "q3", &r), MAAT_OK, "closed: from "
                 "the store");
    cr_assert_eq(r.state, MAAT_CONTACT_ABANDONED);
    maat_contact_record_release(&r);
    maat_engine_close(e);
    maat_store_close(st);
    free(t1);
    free(t2);
  }
}

/* ---- the aggregate rule: team figures never reveal one person ---- */

static void feed(maat_engine *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void feed(maat_engine *e, const char *fmt, ...)
{
  char line[256];
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  cr_assert_eq(maat_engine_apply(e, line, (size_t)n, 0, NULL, NULL), MAAT_OK,
               "%s: %s", line, maat_errmsg());
}

static double strain_of(maat_engine *e, const char *agent)
{
  struct maat_agent_view v;
  cr_assert_eq(maat_engine_agent_view(e, agent, &v), MAAT_OK);
  return v.strain;
}

/*
 * The review's attack: a lead reads the team's mean strain, one agent goes
 * offline, the lead reads again and works out that agent's strain from
 * the two means (it came within 0.2 %). Now the figures are those of the
 * last period that ended, over everyone who worked in it, coarsened: the
 * two reads agree, the group does not shrink with the one who left, and
 * the difference of later figures misses the agent's strain widely.
 */
Test(engine, team_figures_resist_differencing, .init = setup,
     .fini = teardown)
{
  struct maat_engine_options o;
  struct maat_team_view *v1 = malloc(sizeof *v1), *v2 = malloc(sizeof *v2);
  struct maat_team_view *b0 = malloc(sizeof *b0), *b1 = malloc(sizeof *b1);
  struct maat_team_view *b2 = malloc(sizeof *b2);
  maat_engine *e = NULL;
  double t = 36000, f_true = -1, est0, est1;
  char f[16] = "";
  int k = 0;

  memset(&o, 0, sizeof o);
  o.team_path = team_path;
  o.flags = MAAT_ENGINE_RECORDS;
  cr_assert_eq(maat_engine_open(&e, &o), MAAT_OK, "%s", maat_errmsg());
  for (int a = 1; a <= 6; a++)
    feed(e, "{\"type\":\"agent\",\"t\":%.0f,\"agent\":\"a%04d\","
         "\"state\":\"available\"}", t, a);
  /* 25 minutes of hard contacts, some angry, each done 200 s later */
  for (; t < 36000 + 1500; t += 40, k++) {
    feed(e, "{\"type\":\"contact\",\"t\":%.0f,\"id\":\"c%d\",\"tier\":\"T2\","
         "\"priority\":1,\"tone\":\"%s\"}", t, k, k % 3 ? "neutral" : "angry");
    if (k >= 5)
      feed(e, "{\"type\":\"done\",\"t\":%.0f,\"contact\":\"c%d\"}", t,
           k - 5);
  }
  for (int j = k - 5; j < k; j++)
    feed(e, "{\"type\":\"done\",\"t\":%.0f,\"contact\":\"c%d\"}", t, j);
  feed(e, "{\"type\":\"tick\",\"t\":%.0f}", t);
  maat_engine_team_view(e, b0);
  cr_assert(b0->strain_shown, "6 people worked the period");
  cr_assert_eq(b0->group, 6);
  /* the most strained agent leaves, mid-period */
  for (int a = 1; a <= 6; a++) {
    char id[16];
    snprintf(id, sizeof id, "a%04d", a);
    if (strain_of(e, id) > f_true) {
      f_true = strain_of(e, id);
      snprintf(f, sizeof f, "%s", id);
    }
  }
  maat_engine_team_view(e, v1);
  feed(e, "{\"type\":\"agent\",\"t\":%.0f,\"agent\":\"%s\",\"state\":"
       "\"offline\"}", t + 1, f);
  maat_engine_team_view(e, v2);
  cr_assert(v1->strain_mean == v2->strain_mean &&
            v1->strain_p90 == v2->strain_p90 && v1->group == v2->group &&
            v1->over_line == v2->over_line,
            "reads before and after someone leaves agree");
  /* the period it left in ends: it still counts in that period's group */
  t = (floor(t / 900) + 1) * 900 + 1;
  feed(e, "{\"type\":\"tick\",\"t\":%.0f}", t);
  maat_engine_team_view(e, b1);
  cr_assert_eq(b1->group, 6, "the one who left still counts");
  t += 900;
  feed(e, "{\"type\":\"tick\",\"t\":%.0f}", t);
  maat_engine_team_view(e, b2);
  cr_assert_eq(b2->group, 5);
  est0 = 6 * b0->strain_mean - 5 * b2->strain_mean;
  est1 = 6 * b1->strain_mean - 5 * b2->strain_mean;
  cr_log_info("agent %s strain %.3f; estimates %.3f, %.3f", f, f_true, est0,
              est1);
  cr_assert(fabs(est0 - f_true) > 0.25 * f_true &&
            fabs(est1 - f_true) > 0.25 * f_true,
            "differencing misses by more than a quarter (%.3f: %.3f, %.3f)",
            f_true, est0, est1);
  cr_assert_float_eq(b0->strain_mean * 10, round(b0->strain_mean * 10),
                     1e-9, "coarsened to 0.1");
  maat_engine_close(e);
  free(v1); free(v2); free(b0); free(b1); free(b2);
}

/* One person working an hour alone: that hour's figure is not shown. */
Test(engine, a_lone_agents_hour_is_not_shown, .init = setup,
     .fini = teardown)
{
  struct maat_engine_options o;
  struct maat_team_view *v = malloc(sizeof *v);
  maat_engine *e = NULL;
  double t = 3 * 3600;

  memset(&o, 0, sizeof o);
  o.team_path = team_path;
  o.flags = MAAT_ENGINE_RECORDS;
  cr_assert_eq(maat_engine_open(&e, &o), MAAT_OK, "%s", maat_errmsg());
  feed(e, "{\"type\":\"agent\",\"t\":%.0f,\"agent\":\"a0001\","
       "\"state\":\"available\"}", t);
  for (int k = 0; t < 5 * 3600; t += 30, k++)
    feed(e, "{\"type\":\"contact\",\"t\":%.0f,\"id\":\"n%d\",\"tier\":\"T2\","
         "\"priority\":1,\"tone\":\"angry\",\"handle_s\":120}", t, k);
  maat_engine_team_view(e, v);
  cr_assert(!v->hour_shown[3] && !v->hour_shown[4],
            "one agent sampled 120 times is still one person");
  cr_assert(!v->strain_shown);
  maat_engine_close(e);
  free(v);
}

/*
 * One day per chart: after midnight the hours of the day before are gone,
 * not mixed with today's; the hours of today (local time, router seconds
 * since local midnight) are shown once their periods are published.
 */
Test(engine, the_chart_holds_one_day, .init = setup, .fini = teardown)
{
  struct maat_engine_options o;
  struct maat_team_view *v = malloc(sizeof *v);
  maat_engine *e = NULL;
  double t = 22 * 3600;   /* 22:00 on day 0 */
  int k = 0;

  memset(&o, 0, sizeof o);
  o.team_path = team_path;
  o.flags = MAAT_ENGINE_RECORDS;
  cr_assert_eq(maat_engine_open(&e, &o), MAAT_OK, "%s", maat_errmsg());
  for (int a = 1; a <= 6; a++)
    feed(e, "{\"type\":\"agent\",\"t\":%.0f,\"agent\":\"a%04d\","
         "\"state\":\"available\"}", t, a);
  /* work from 22:00 to 01:30 the next day */
  for (; t < 86400 + 5400; t += 60, k++) {
    feed(e, "{\"type\":\"contact\",\"t\":%.0f,\"id\":\"d%d\",\"tier\":\"T2\","
         "\"priority\":1,\"tone\":\"neutral\"}", t, k);
    if (k >= 3)
      feed(e, "{\"type\":\"done\",\"t\":%.0f,\"contact\":\"d%d\"}", t, k - 3);
    if (t == 23 * 3600 + 1800) {
      maat_engine_team_view(e, v);
      cr_assert(v->hour_shown[22], "22:00 shown at 23:30 the same day");
    }
  }
  feed(e, "{\"type\":\"tick\",\"t\":%.0f}", t);
  maat_engine_team_view(e, v);
  cr_assert(!v->hour_shown[22] && !v->hour_shown[23],
            "yesterday's hours are gone after midnight");
  cr_assert(v->hour_shown[0], "today's first hour is there");
  for (int h = 2; h < 22; h++)
    cr_assert(!v->hour_shown[h], "no figure for an hour not yet worked (%d)",
              h);
  maat_engine_close(e);
  free(v);
}

/*
 * store.c - the store's contract: every test runs against every backend
 * (SQLite, memory, and PostgreSQL when MAAT_TEST_PG names a server the
 * tests may make databases on: scripts/check.sh starts one), so a backend
 * that passes here fits every caller. Backend-specific tests (schema
 * versions, reopening, the writer's lock) follow.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "maat.h"
#include "tmpfiles.h"

static char path[64];
static char pg_db[64], pg_uri[512];

/* MAAT_TEST_PG's server: a statement on its own database. */
static void pg_admin(const char *sql)
{
  PGconn *c = PQconnectdb(getenv("MAAT_TEST_PG"));
  PGresult *r;
  cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
  r = PQexec(c, sql);
  cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql,
               PQresultErrorMessage(r));
  PQclear(r);
  PQfinish(c);
}

/* How many backends: PostgreSQL too when a test server is there. */
static int backends(void)
{
  static int said;
  const char *pg = getenv("MAAT_TEST_PG");
  if (pg && *pg)
    return 3;
  if (!said++)
    cr_log_info("[SKIP] the PostgreSQL backend: MAAT_TEST_PG is not set "
                "(scripts/check.sh starts a server and sets it)");
  return 2;
}

/* A fresh store of backend 'k' (0: SQLite file, 1: memory, 2: a new
 * PostgreSQL database). */
static maat_store *fresh(int k)
{
  static int n;
  maat_store *st = NULL;
  char uri[600];

  if (k == 0) {
    tmp_path(path, sizeof path, "store");
    snprintf(uri, sizeof uri, "sqlite:%s", path);
  } else if (k == 1) {
    snprintf(uri, sizeof uri, "memory:");
  } else {
    const char *base = getenv("MAAT_TEST_PG");
    const char *slash = strrchr(base, '/');
    char sql[128];
    snprintf(pg_db, sizeof pg_db, "t_%ld_%d", (long)getpid(), n++);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", pg_db);
    pg_admin(sql);
    snprintf(pg_uri, sizeof pg_uri, "%.*s/%s", (int)(slash - base), base,
             pg_db);
    snprintf(uri, sizeof uri, "%s", pg_uri);
  }
  cr_assert_eq(maat_store_open(&st, uri), MAAT_OK, "%s", maat_errmsg());
  return st;
}

static void gone(maat_store *st, int k)
{
  maat_store_close(st);
  if (k == 0)
    rm_db(path);
  if (k == 2) {
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE %s", pg_db);
    pg_admin(sql);
  }
}

struct lines {
  int n;
  char last[64];
  int64_t seqs[16];
};

static int count_line(void *ctx, int64_t seq, const char *line, size_t len)
{
  struct lines *l = ctx;
  if (l->n < 16)
    l->seqs[l->n] = seq;
  l->n++;
  snprintf(l->last, sizeof l->last, "%.*s", (int)len, line);
  return 0;
}

#define BOTH for (int k = 0, nb_ = backends(); k < nb_; k++)

Test(store, commit_keeps_and_rollback_drops)
{
  BOTH {
    maat_store *st = fresh(k);
    struct lines l = { 0 };
    int64_t seq = 0, count = 0, last = 0;
    cr_assert_eq(maat_store_begin(st), MAAT_OK);
    cr_assert_eq(maat_store_event_append(st, 1, "{\"x\":1}", 7, &seq), MAAT_OK);
    cr_assert_eq(maat_store_decision_append(st, seq, "{\"d\":1}", 7), MAAT_OK);
    cr_assert_eq(maat_store_event_append(st, 2, "{\"x\":2}", 7, &seq), MAAT_OK);
    cr_assert_eq(maat_store_commit(st), MAAT_OK);
    cr_assert_eq(maat_store_begin(st), MAAT_OK);
    cr_assert_eq(maat_store_begin(st), MAAT_ESTATE, "one at a time");
    cr_assert_eq(maat_store_event_append(st, 3, "{\"x\":3}", 7, NULL), MAAT_OK);
    cr_assert_eq(maat_store_rollback(st), MAAT_OK);
    cr_assert_eq(maat_store_event_stats(st, &count, &last), MAAT_OK);
    cr_assert_eq(count, 2, "%s: %lld", maat_store_backend(st), (long long)count);
    cr_assert_eq(last, seq);
    cr_assert_eq(maat_store_events(st, 0, count_line, &l), MAAT_OK);
    cr_assert_eq(l.n, 2);
    cr_assert_str_eq(l.last, "{\"x\":2}");
    cr_assert(l.seqs[1] > l.seqs[0], "seq only grows");
    memset(&l, 0, sizeof l);
    cr_assert_eq(maat_store_events(st, l.seqs[0] + 0, count_line, &l), MAAT_OK);
    memset(&l, 0, sizeof l);
    cr_assert_eq(maat_store_decisions(st, 0, count_line, &l), MAAT_OK);
    cr_assert_eq(l.n, 1);
    cr_assert_str_eq(l.last, "{\"d\":1}");
    gone(st, k);
  }
}

Test(store, a_run_is_bound_once)
{
  BOTH {
    maat_store *st = fresh(k);
    char *v = NULL;
    cr_assert_eq(maat_store_bind_run(st, "policy=maat team=1"), MAAT_OK);
    cr_assert_eq(maat_store_bind_run(st, "policy=maat team=1"), MAAT_OK);
    cr_assert_eq(maat_store_bind_run(st, "policy=maat team=2"), MAAT_ESTATE);
    cr_assert(strstr(maat_errmsg(), "team=1") && strstr(maat_errmsg(), "team=2"),
              "%s", maat_errmsg());
    cr_assert_eq(maat_store_meta_get(st, "nothing", &v), MAAT_ENOTFOUND);
    cr_assert_eq(maat_store_meta_set(st, "k", "1"), MAAT_OK);
    cr_assert_eq(maat_store_meta_set(st, "k", "2"), MAAT_OK);
    cr_assert_eq(maat_store_meta_get(st, "k", &v), MAAT_OK);
    cr_assert_str_eq(v, "2");
    maat_free(v);
    gone(st, k);
  }
}

static int count_tokens(void *ctx, const struct maat_token_info *t)
{
  int *n = ctx;
  (*n)++;
  cr_assert(t->id > 0);
  return 0;
}

Test(store, tokens_are_kept_as_hashes_and_revoked)
{
  BOTH {
    maat_store *st = fresh(k);
    char token[MAAT_TOKEN_LEN + 1];
    struct maat_principal who;
    long id = 0;
    int n = 0;
    char code[MAAT_ENROL_CODE_LEN + 1];
    cr_assert_eq(maat_token_add(st, MAAT_ROLE_AGENT, "a1", token, &id),
                 MAAT_EINVAL, "agent tokens come only from enrolment");
    cr_assert_eq(maat_enrol_add(st, "a1", code, &id), MAAT_OK, "%s",
                 maat_errmsg());
    cr_assert_eq(strlen(code), MAAT_ENROL_CODE_LEN);
    cr_assert_eq(maat_token_check(st, code, strlen(code), &who),
                 MAAT_ENOTFOUND, "a code is not a token");
    cr_assert_eq(maat_enrol_redeem(st, code, strlen(code), token, &who),
                 MAAT_OK, "%s", maat_errmsg());
    cr_assert_eq(maat_enrol_redeem(st, code, strlen(code), token, &who),
                 MAAT_ENOTFOUND, "a code works once");
    id = who.token;
    cr_assert_eq(strlen(token), MAAT_TOKEN_LEN);
    cr_assert_eq(maat_token_check(st, token, strlen(token), &who), MAAT_OK);
    cr_assert_eq(who.role, MAAT_ROLE_AGENT);
    cr_assert_str_eq(who.agent, "a1");
    cr_assert_eq(who.token, id);
    token[10] ^= 1;
    cr_assert_eq(maat_token_check(st, token, strlen(token), &who), MAAT_ENOTFOUND);
    token[10] ^= 1;
    cr_assert_eq(maat_token_list(st, count_tokens, &n), MAAT_OK);
    cr_assert_eq(n, 2, "the code and the token");
    cr_assert_eq(maat_token_revoke(st, id), MAAT_OK);
    cr_assert_eq(maat_token_revoke(st, id), MAAT_ENOTFOUND);
    cr_assert_eq(maat_token_check(st, token, strlen(token), &who), MAAT_ENOTFOUND);
    cr_assert_eq(maat_token_add(st, MAAT_ROLE_LEAD, "a1", token, &id), MAAT_EINVAL);
    gone(st, k);
  }
}

/* A new enrolment revokes the agent's earlier token; codes forgive the
 * way people type them. */
Test(store, enrolment_replaces_the_agents_token)
{
  BOTH {
    maat_store *st = fresh(k);
    char code[MAAT_ENROL_CODE_LEN + 1], t1[MAAT_TOKEN_LEN + 1];
    char t2[MAAT_TOKEN_LEN + 1], typed[32];
    struct maat_principal who, w2;
    long id;
    int earlier = -1;
    cr_assert_eq(maat_enrol_add(st, "a1", code, &id), MAAT_OK);
    cr_assert_eq(maat_enrol_redeem(st, code, strlen(code), t1, &who), MAAT_OK);
    cr_assert_eq(maat_enrol_earlier(st, "a1", who.since, &earlier), MAAT_OK);
    cr_assert_eq(earlier, 0, "the first credential");
    cr_assert_eq(maat_enrol_add(st, "a1", code, &id), MAAT_OK);
    /* lower case, spaces instead of dashes, O for 0 */
    snprintf(typed, sizeof typed, "%.4s %.4s %.4s", code, code + 5,
             code + 10);
    for (char *p = typed; *p; p++) {
      if (*p == '0')
        *p = 'o';
      else if (*p >= 'A' && *p <= 'Z')
        *p = (char)(*p - 'A' + 'a');
    }
    cr_assert_eq(maat_enrol_redeem(st, typed, strlen(typed), t2, &w2), MAAT_OK,
                 "'%s': %s", typed, maat_errmsg());
    cr_assert_eq(maat_token_check(st, t1, strlen(t1), &who), MAAT_ENOTFOUND,
                 "the earlier token is revoked");
    cr_assert_eq(maat_token_check(st, t2, strlen(t2), &who), MAAT_OK);
    cr_assert_eq(maat_enrol_earlier(st, "a1", w2.since, &earlier), MAAT_OK);
    cr_assert_eq(earlier, 1, "a reset");
    cr_assert_eq(maat_enrol_redeem(st, "ZZZZ-ZZZZ-ZZZZ", 14, t2, &w2),
                 MAAT_ENOTFOUND);
    cr_assert_eq(maat_enrol_redeem(st, "short", 5, t2, &w2), MAAT_ENOTFOUND);
    cr_assert_eq(maat_enrol_add(st, "a/1", code, &id), MAAT_EINVAL,
                 "an id never holds a slash");
    gone(st, k);
  }
}

static int count_audit(void *ctx, const struct maat_store_audit *a)
{
  int *n = ctx;
  (*n)++;
  cr_assert_str_eq(a->method, "POST");
  return 0;
}

Test(store, audit_rows_roll_back_with_their_transaction)
{
  BOTH {
    maat_store *st = fresh(k);
    int n = 0;
    cr_assert_eq(maat_audit(st, NULL, "POST", "/v1/contacts", 401, NULL), MAAT_OK);
    cr_assert_eq(maat_store_begin(st), MAAT_OK);
    cr_assert_eq(maat_audit(st, NULL, "POST", "/v1/x", 201, "d"), MAAT_OK);
    cr_assert_eq(maat_store_rollback(st), MAAT_OK);
    cr_assert_eq(maat_store_audits(st, count_audit, &n), MAAT_OK);
    cr_assert_eq(n, 1);
    gone(st, k);
  }
}

struct energy {
  int n;
  char first[32];
  double first_mean;
};

static int take_kind(void *ctx, const char *intent, const char *tone, long n,
                     double mean)
{
  struct energy *e = ctx;
  if (!e->n++) {
    snprintf(e->first, sizeof e->first, "%s/%s", intent, tone);
    e->first_mean = mean;
  }
  (void)n;
  return 0;
}

static int count_checkin(void *ctx, const struct maat_store_checkin *c)
{
  int *n = ctx;
  cr_assert_str_eq(c->agent, "a1", "only the agent's own");
  (*n)++;
  return 0;
}

Test(store, checkins_are_read_per_agent)
{
  BOTH {
    maat_store *st = fresh(k);
    struct maat_store_checkin c = { "a1", "c1", 1, 2, NULL, "billing", "angry" };
    struct energy e = { 0 };
    int n = 0;
    cr_assert_eq(maat_store_checkin_add(st, &c), MAAT_OK);
    c.contact = "c2"; c.energy = 5; c.intent = NULL; c.tone = "neutral";
    cr_assert_eq(maat_store_checkin_add(st, &c), MAAT_OK);
    c.agent = "a2";
    cr_assert_eq(maat_store_checkin_add(st, &c), MAAT_OK);
    c.energy = 9;
    cr_assert_eq(maat_store_checkin_add(st, &c), MAAT_EINVAL);
    cr_assert_eq(maat_store_checkins(st, "a1", 0, 10, count_checkin, &n), MAAT_OK);
    cr_assert_eq(n, 2);
    n = 0;
    cr_assert_eq(maat_store_checkins(st, "a1", 0, 1, count_checkin, &n), MAAT_OK);
    cr_assert_eq(n, 1, "the limit holds");
    cr_assert_eq(maat_store_energy_by_kind(st, "a1", 0, take_kind, &e), MAAT_OK);
    cr_assert_eq(e.n, 2);
    cr_assert_str_eq(e.first, "(none)/neutral", "highest energy first");
    cr_assert_float_eq(e.first_mean, 5, 1e-9);
    /* A credential enrolled later sees only what came after it. */
    c.agent = "a1"; c.contact = "c3"; c.t = 50; c.energy = 1;
    cr_assert_eq(maat_store_checkin_add(st, &c), MAAT_OK);
    n = 0;
    cr_assert_eq(maat_store_checkins(st, "a1", 50, 10, count_checkin, &n),
                 MAAT_OK);
    cr_assert_eq(n, 1, "only check-ins at or after 'since'");
    memset(&e, 0, sizeof e);
    cr_assert_eq(maat_store_energy_by_kind(st, "a1", 50, take_kind, &e),
                 MAAT_OK);
    cr_assert_eq(e.n, 1);
    cr_assert_float_eq(e.first_mean, 1, 1e-9, "only the later check-in");
    gone(st, k);
  }
}

/* Two writers of one log would hand out the same contact ids. */
Test(store, one_writer_at_a_time)
{
  maat_store *a = fresh(0), *b = NULL;
  char uri[96];

  snprintf(uri, sizeof uri, "sqlite:%s", path);
  cr_assert_eq(maat_store_lock_writer(a), MAAT_OK);
  cr_assert_eq(maat_store_lock_writer(a), MAAT_OK, "again: still ours");
  cr_assert_eq(maat_store_open(&b, uri), MAAT_OK, "readers may open it");
  cr_assert_eq(maat_store_lock_writer(b), MAAT_EBUSY);
  cr_assert(strstr(maat_errmsg(), "in use by another maat process (pid "),
            "%s", maat_errmsg());
  maat_store_close(a);
  cr_assert_eq(maat_store_lock_writer(b), MAAT_OK, "free once it closed");
  maat_store_close(b);
  rm_db(path);
}

Test(store, contact_records_and_snapshots)
{
  BOTH {
    maat_store *st = fresh(k);
    char *rec = NULL;
    void *snap = NULL;
    size_t len = 0;
    int64_t seq = 0;
    cr_assert_eq(maat_store_contact_get(st, "c1", &rec, &len), MAAT_ENOTFOUND);
    cr_assert_eq(maat_store_contact_put(st, "c1", 5, "{\"a\":1}", 7), MAAT_OK);
    cr_assert_eq(maat_store_contact_put(st, "c1", 6, "{\"a\":2}", 7), MAAT_OK);
    cr_assert_eq(maat_store_contact_get(st, "c1", &rec, &len), MAAT_OK);
    cr_assert_str_eq(rec, "{\"a\":2}");
    cr_assert_eq(len, 7);
    maat_free(rec);
    cr_assert_eq(maat_store_snapshot_latest(st, &seq, &snap, &len), MAAT_ENOTFOUND);
    cr_assert_eq(maat_store_snapshot_put(st, 3, "abc", 3), MAAT_OK);
    cr_assert_eq(maat_store_snapshot_put(st, 7, "de\0f", 4), MAAT_OK);
    cr_assert_eq(maat_store_snapshot_latest(st, &seq, &snap, &len), MAAT_OK);
    cr_assert_eq(seq, 7);
    cr_assert_eq(len, 4);
    cr_assert_eq(memcmp(snap, "de\0f", 4), 0, "bytes, not a string");
    maat_free(snap);
    gone(st, k);
  }
}

Test(store, unknown_schemes_are_refused)
{
  maat_store *st = NULL;
  cr_assert_eq(maat_store_open(&st, "mysql://x"), MAAT_EINVAL);
  cr_assert(strstr(maat_errmsg(), "unknown scheme"), "%s", maat_errmsg());
  /* PostgreSQL's scheme is known; a server that is not there is named. */
  cr_assert_eq(maat_store_open(&st, "postgresql://maat@127.0.0.1:9/none"),
               MAAT_EDB);
  cr_assert(strstr(maat_errmsg(), "cannot open store 'postgresql://"), "%s",
            maat_errmsg());
  cr_assert_eq(maat_store_open(&st, "sqlite:"), MAAT_EINVAL);
}

Test(store, sqlite_survives_a_reopen_and_refuses_a_newer_schema)
{
  maat_store *st = fresh(0);
  char uri[96];
  sqlite3 *db;
  sqlite3_stmt *q;
  int64_t count = 0;

  cr_assert_eq(maat_store_event_append(st, 1, "{}", 2, NULL), MAAT_OK);
  maat_store_close(st);
  snprintf(uri, sizeof uri, "%s", path);
  cr_assert_eq(maat_store_open(&st, uri), MAAT_OK, "a bare path is SQLite");
  cr_assert_str_eq(maat_store_backend(st), "sqlite");
  cr_assert_eq(maat_store_event_stats(st, &count, NULL), MAAT_OK);
  cr_assert_eq(count, 1);
  maat_store_close(st);
  cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
  cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL), SQLITE_OK);
  cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
  cr_assert_eq(sqlite3_column_int(q, 0), MAAT_STORE_SCHEMA);
  sqlite3_finalize(q);
  cr_assert_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  cr_assert_eq(maat_store_open(&st, uri), MAAT_EFORMAT);
  cr_assert(strstr(maat_errmsg(), "version 99"), "%s", maat_errmsg());
  gone(NULL, 0);
}

Test(store, sqlite_migrates_version_1_keeping_its_events)
{
  maat_store *st = fresh(0);
  sqlite3 *db;
  int64_t count = 0;

  maat_store_close(st);
  unlink(path);
  cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
  cr_assert_eq(sqlite3_exec(db,
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE events (seq INTEGER PRIMARY KEY, t REAL NOT NULL, line TEXT NOT NULL);"
    "CREATE TABLE decisions (seq INTEGER PRIMARY KEY, event_seq INTEGER NOT NULL, line TEXT NOT NULL);"
    "INSERT INTO meta VALUES ('config', 'a');"
    "INSERT INTO events (t, line) VALUES (1, '{\"type\":\"tick\",\"t\":1}');"
    "PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  cr_assert_eq(maat_store_open(&st, path), MAAT_OK, "%s", maat_errmsg());
  cr_assert_eq(maat_store_event_stats(st, &count, NULL), MAAT_OK);
  cr_expect_eq(count, 1);
  cr_assert_eq(maat_store_bind_run(st, "a"), MAAT_OK);
  cr_assert_eq(maat_store_contact_put(st, "c", 1, "{}", 2), MAAT_OK,
               "the new tables exist: %s", maat_errmsg());
  gone(st, 0);
}

Test(store, sqlite_reads_see_only_what_was_committed)
{
  maat_store *st = fresh(0);
  int64_t count = -1;

  cr_assert_eq(maat_store_begin(st), MAAT_OK);
  cr_assert_eq(maat_store_event_append(st, 1, "{}", 2, NULL), MAAT_OK);
  cr_assert_eq(maat_store_event_stats(st, &count, NULL), MAAT_OK,
               "a read while a transaction is open does not wait");
  cr_assert_eq(count, 0);
  cr_assert_eq(maat_store_commit(st), MAAT_OK);
  cr_assert_eq(maat_store_event_stats(st, &count, NULL), MAAT_OK);
  cr_assert_eq(count, 1);
  gone(st, 0);
}

/* The outbox, on both backends: a key adds one row, in the caller's
 * transaction (a rollback takes it back); due rows by time; marks. */
struct obx {
  int n;
  int64_t ids[8];
  char err[64];
};

static int take_obx(void *ctx, const struct maat_store_outbox *o)
{
  struct obx *x = ctx;
  if (x->n < 8)
    x->ids[x->n] = o->id;
  x->n++;
  snprintf(x->err, sizeof x->err, "%s", o->last_error ? o->last_error : "");
  return 0;
}

Test(store, outbox_rows_are_keyed_transactional_and_marked)
{
  BOTH {
    maat_store *st = fresh(k);
    struct maat_store_outbox o;
    struct obx x;
    long n[3];
    int64_t a, b, c;
    memset(&o, 0, sizeof o);
    o.kind = "alert";
    o.method = "POST";
    o.url = "http://127.0.0.1:9/x";
    o.body = "{}";
    o.created = 10;
    o.next_at = 10;
    o.key = "k1";
    cr_assert_eq(maat_store_outbox_add(st, &o, &a), MAAT_OK, "%s", maat_errmsg());
    cr_assert_eq(maat_store_outbox_add(st, &o, &b), MAAT_OK);
    cr_assert_eq(a, b, "one row per key");
    /* in a transaction that rolls back: gone */
    cr_assert_eq(maat_store_begin(st), MAAT_OK);
    o.key = "k2";
    cr_assert_eq(maat_store_outbox_add(st, &o, &c), MAAT_OK);
    cr_assert_eq(maat_store_rollback(st), MAAT_OK);
    o.key = NULL;
    o.next_at = 50;
    cr_assert_eq(maat_store_outbox_add(st, &o, &c), MAAT_OK);
    cr_assert_neq(a, c);
    memset(&x, 0, sizeof x);
    cr_assert_eq(maat_store_outbox_due(st, 20, 10, take_obx, &x), MAAT_OK);
    cr_assert_eq(x.n, 1, "only the row due by 20 (%d)", x.n);
    cr_assert_eq(x.ids[0], a);
    cr_assert_eq(maat_store_outbox_mark(st, a, MAAT_OUTBOX_PENDING, 1, 30,
                                        "HTTP 503", 20), MAAT_OK);
    memset(&x, 0, sizeof x);
    cr_assert_eq(maat_store_outbox_due(st, 25, 10, take_obx, &x), MAAT_OK);
    cr_assert_eq(x.n, 0, "retried at 30, not before");
    cr_assert_eq(maat_store_outbox_mark(st, a, MAAT_OUTBOX_DEAD, 2, 30,
                                        "HTTP 400", 31), MAAT_OK);
    cr_assert_eq(maat_store_outbox_mark(st, c, MAAT_OUTBOX_DONE, 1, 60, NULL,
                                        61), MAAT_OK);
    cr_assert_eq(maat_store_outbox_counts(st, n), MAAT_OK);
    cr_assert(n[0] == 0 && n[1] == 1 && n[2] == 1, "%ld %ld %ld", n[0], n[1],
              n[2]);
    memset(&x, 0, sizeof x);
    cr_assert_eq(maat_store_outbox_list(st, MAAT_OUTBOX_DEAD, 10, take_obx,
                                        &x), MAAT_OK);
    cr_assert_eq(x.n, 1);
    cr_assert_str_eq(x.err, "HTTP 400");
    cr_assert_eq(maat_store_outbox_mark(st, 999, MAAT_OUTBOX_DONE, 1, 0, NULL,
                                        0), MAAT_ENOTFOUND);
    gone(st, k);
  }
}

struct arts {
  int n;
  char ids[8][32];
  int64_t versions[8];
  int status[8];
  char bodies[8][32];
};

static int take_article(void *ctx, const struct maat_store_article *a)
{
  struct arts *x = ctx;
  if (x->n < 8) {
    snprintf(x->ids[x->n], sizeof x->ids[0], "%s", a->id);
    x->versions[x->n] = a->version;
    x->status[x->n] = a->status;
    snprintf(x->bodies[x->n], sizeof x->bodies[0], "%s", a->body);
  }
  x->n++;
  return 0;
}

static int count_q(void *ctx, const struct maat_store_kb_question *q)
{
  int *n = ctx;
  cr_assert_str_eq(q->source, "ask");
  (*n)++;
  return 0;
}

static int count_link(void *ctx, const char *a, const char *q, double t)
{
  int *n = ctx;
  (void)a, (void)q, (void)t;
  (*n)++;
  return 0;
}

Test(store, articles_keep_their_versions_and_roll_back)
{
  BOTH {
    maat_store *st = fresh(k);
    struct maat_store_article a = { 0 };
    struct maat_store_kb_question q = { 0 };
    struct arts x;
    int64_t v;
    int n = 0;
    a.id = "pas";
    a.title = "Mijn pas";
    a.body = "v1";
    a.lang = "nl";
    cr_assert_eq(maat_store_article_put(st, &a, &v), MAAT_OK, "%s",
                 maat_errmsg());
    cr_assert_eq(v, 1);
    a.body = "v2";
    cr_assert_eq(maat_store_article_put(st, &a, &v), MAAT_OK);
    cr_assert_eq(v, 2);
    a.id = "adres";
    a.body = "a1";
    cr_assert_eq(maat_store_article_put(st, &a, &v), MAAT_OK);
    /* An import that fails rolls back whole: no version 3. */
    cr_assert_eq(maat_store_begin(st), MAAT_OK);
    a.id = "pas";
    a.body = "v3";
    cr_assert_eq(maat_store_article_put(st, &a, &v), MAAT_OK);
    cr_assert_eq(v, 3, "the writer sees its own versions");
    cr_assert_eq(maat_store_rollback(st), MAAT_OK);
    memset(&x, 0, sizeof x);
    cr_assert_eq(maat_store_articles(st, NULL, take_article, &x), MAAT_OK);
    cr_assert_eq(x.n, 2, "the newest of each (%d)", x.n);
    cr_assert_str_eq(x.ids[0], "adres");
    cr_assert_str_eq(x.ids[1], "pas");
    cr_assert_str_eq(x.bodies[1], "v2");
    cr_assert_eq(x.versions[1], 2);
    /* Removed: a new version, the old ones kept. */
    a.body = "";
    a.status = MAAT_ARTICLE_REMOVED;
    cr_assert_eq(maat_store_article_put(st, &a, &v), MAAT_OK);
    memset(&x, 0, sizeof x);
    cr_assert_eq(maat_store_articles(st, "pas", take_article, &x), MAAT_OK);
    cr_assert_eq(x.n, 3);
    cr_assert_str_eq(x.bodies[0], "v1");
    cr_assert_eq(x.status[2], MAAT_ARTICLE_REMOVED);
    cr_assert_eq(maat_store_articles(st, "nothing", take_article, &x),
                 MAAT_ENOTFOUND);
    a.status = 7;
    cr_assert_eq(maat_store_article_put(st, &a, &v), MAAT_EINVAL);
    cr_assert_eq(maat_store_kb_link_add(st, "pas", "waar is mijn pas", 5),
                 MAAT_OK);
    cr_assert_eq(maat_store_kb_links(st, count_link, &n), MAAT_OK);
    cr_assert_eq(n, 1);
    q.question = "hoe laat zijn jullie open";
    q.source = "ask";
    q.t = 100.5;
    cr_assert_eq(maat_store_kb_question_add(st, &q), MAAT_OK);
    q.t = 200;
    cr_assert_eq(maat_store_kb_question_add(st, &q), MAAT_OK);
    n = 0;
    cr_assert_eq(maat_store_kb_questions(st, 100.6, count_q, &n), MAAT_OK);
    cr_assert_eq(n, 1, "only those at or after 'since' (%d)", n);
    gone(st, k);
  }
}

struct corr_seen {
  int n;
  int64_t ids[8];
  int states[8];
  char by[8][32];
  char text[8][64];
};

static int take_corr(void *ctx, const struct maat_store_correction *c)
{
  struct corr_seen *s = ctx;
  cr_assert_lt(s->n, 8);
  s->ids[s->n] = c->id;
  s->states[s->n] = c->state;
  snprintf(s->by[s->n], sizeof s->by[0], "%s", c->reviewed_by);
  snprintf(s->text[s->n], sizeof s->text[0], "%s", c->text);
  s->n++;
  return 0;
}

static int take_model(void *ctx, const struct maat_store_model *m)
{
  struct corr_seen *s = ctx;
  s->ids[s->n] = m->version;
  s->states[s->n] = m->state;
  snprintf(s->text[s->n], sizeof s->text[0], "%s", m->decision);
  s->n++;
  return 0;
}

Test(store, corrections_are_reviewed_once_and_models_are_registered)
{
  BOTH {
    maat_store *st = fresh(k);
    struct maat_store_correction c = { 0 };
    struct maat_store_model m = { 0 };
    struct corr_seen s;
    int64_t id1, id2, v;
    char *text = NULL, *lang = NULL;

    c.contact = "c1";
    c.field = "intent";
    c.was = "card_arrival";
    c.value = "lost_or_stolen_card";
    c.by = "lead";
    c.text = "my card was stolen";
    c.t = 10;
    cr_assert_eq(maat_store_correction_add(st, &c, &id1), MAAT_OK, "%s",
                 maat_errmsg());
    c.contact = "c2";
    cr_assert_eq(maat_store_correction_add(st, &c, &id2), MAAT_OK);
    cr_assert_gt(id2, id1);
    /* A correction added in a transaction that rolls back is gone. */
    cr_assert_eq(maat_store_begin(st), MAAT_OK);
    c.contact = "c3";
    cr_assert_eq(maat_store_correction_add(st, &c, NULL), MAAT_OK);
    cr_assert_eq(maat_store_rollback(st), MAAT_OK);
    cr_assert_eq(maat_store_correction_review(st, id1,
                                              MAAT_CORRECTION_APPROVED, "lead",
                                              20), MAAT_OK, "%s",
                 maat_errmsg());
    cr_assert_eq(maat_store_correction_review(st, id1,
                                              MAAT_CORRECTION_DISMISSED,
                                              "lead", 21), MAAT_ESTATE,
                 "a correction is reviewed once");
    cr_assert_eq(maat_store_correction_review(st, 999,
                                              MAAT_CORRECTION_DISMISSED,
                                              "lead", 21), MAAT_ENOTFOUND);
    memset(&s, 0, sizeof s);
    cr_assert_eq(maat_store_corrections(st, -1, take_corr, &s), MAAT_OK);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.states[0], MAAT_CORRECTION_APPROVED);
    cr_assert_str_eq(s.by[0], "lead");
    cr_assert_str_eq(s.text[0], "my card was stolen");
    cr_assert_eq(s.states[1], MAAT_CORRECTION_OPEN);
    memset(&s, 0, sizeof s);
    cr_assert_eq(maat_store_corrections(st, MAAT_CORRECTION_OPEN, take_corr,
                                        &s), MAAT_OK);
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.ids[0], id2);

    /* The customer's words: one per contact, the newest. */
    cr_assert_eq(maat_store_message_put(st, "c1", 5, "en", "first"),
                 MAAT_OK);
    cr_assert_eq(maat_store_message_put(st, "c1", 6, "en", "second"),
                 MAAT_OK);
    cr_assert_eq(maat_store_message_get(st, "c1", &text, &lang), MAAT_OK);
    cr_assert_str_eq(text, "second");
    cr_assert_str_eq(lang, "en");
    maat_free(text);
    maat_free(lang);
    cr_assert_eq(maat_store_message_get(st, "nobody", &text, NULL),
                 MAAT_ENOTFOUND);

    m.kind = "intent";
    m.path = "m1.model";
    m.sha256 = "00";
    m.metrics = "{\"accuracy\":0.8}";
    cr_assert_eq(maat_store_model_add(st, &m, &v), MAAT_OK, "%s",
                 maat_errmsg());
    cr_assert_eq(v, 1);
    cr_assert_eq(maat_store_model_add(st, &m, &v), MAAT_OK);
    cr_assert_eq(v, 2);
    cr_assert_eq(maat_store_model_set(st, 2, MAAT_MODEL_REFUSED,
                                      "worse"), MAAT_OK);
    cr_assert_eq(maat_store_model_set(st, 7, MAAT_MODEL_REFUSED, "x"),
                 MAAT_ENOTFOUND);
    memset(&s, 0, sizeof s);
    cr_assert_eq(maat_store_models(st, "intent", take_model, &s), MAAT_OK);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.ids[1], 2);
    cr_assert_eq(s.states[1], MAAT_MODEL_REFUSED);
    cr_assert_str_eq(s.text[1], "worse");
    memset(&s, 0, sizeof s);
    cr_assert_eq(maat_store_models(st, "tone", take_model, &s), MAAT_OK);
    cr_assert_eq(s.n, 0);
    gone(st, k);
  }
}

/* ---- PostgreSQL only ---- */

Test(store, postgresql_one_writer_reads_committed_and_reopens)
{
  maat_store *a, *b = NULL;
  int64_t count = -1, seq;
  char *v = NULL;

  if (backends() < 3)
    return;
  a = fresh(2);
  /* One writer of the event log: an advisory lock of the session. */
  cr_assert_eq(maat_store_lock_writer(a), MAAT_OK, "%s", maat_errmsg());
  cr_assert_eq(maat_store_lock_writer(a), MAAT_OK, "again: still ours");
  cr_assert_eq(maat_store_open(&b, pg_uri), MAAT_OK, "readers may open it");
  cr_assert_eq(maat_store_lock_writer(b), MAAT_EBUSY);
  cr_assert(strstr(maat_errmsg(), "in use by another maat process"), "%s",
            maat_errmsg());
  /* A read while a transaction is open sees only what was committed. */
  cr_assert_eq(maat_store_begin(a), MAAT_OK);
  cr_assert_eq(maat_store_event_append(a, 1, "{\"x\":1}", 7, &seq), MAAT_OK);
  cr_assert_eq(maat_store_event_stats(b, &count, NULL), MAAT_OK);
  cr_assert_eq(count, 0);
  cr_assert_eq(maat_store_commit(a), MAAT_OK);
  cr_assert_eq(maat_store_event_stats(b, &count, NULL), MAAT_OK);
  cr_assert_eq(count, 1, "durable and visible once committed");
  cr_assert_eq(maat_store_meta_set(a, "k", "v"), MAAT_OK);
  maat_store_close(a);
  cr_assert_eq(maat_store_lock_writer(b), MAAT_OK, "free once it closed");
  /* Reopened (the schema is there): the data is too. */
  cr_assert_eq(maat_store_meta_get(b, "k", &v), MAAT_OK);
  cr_assert_str_eq(v, "v");
  maat_free(v);
  gone(b, 2);
}

struct inbox_seen {
  int64_t id;
  int state, status, tries;
  char request[64], response[64];
};

static int take_inbox(void *ctx, const struct maat_store_inbox *r)
{
  struct inbox_seen *s = ctx;
  s->id = r->id;
  s->state = r->state;
  s->status = r->status;
  s->tries = r->tries;
  snprintf(s->request, sizeof s->request, "%s", r->request);
  snprintf(s->response, sizeof s->response, "%s",
           r->response ? r->response : "");
  return MAAT_OK;
}

Test(store, the_inbox_claims_each_request_once_and_keeps_its_answer)
{
  maat_store *a, *b = NULL, *sq;
  struct inbox_seen x, y;
  int64_t id1, id2;
  long n = -1, waiting = -1;
  char chan[32], payload[32];

  /* One node on SQLite and in memory: no inbox, said so. */
  sq = fresh(1);
  cr_assert_eq(maat_store_inbox_put(sq, "{}", 1, &id1), MAAT_EINVAL);
  cr_assert(strstr(maat_errmsg(), "PostgreSQL"), "%s", maat_errmsg());
  gone(sq, 1);
  if (backends() < 3)
    return;
  a = fresh(2);
  cr_assert_eq(maat_store_open(&b, pg_uri), MAAT_OK, "%s", maat_errmsg());
  cr_assert_eq(maat_store_listen(a, "maat_inbox"), MAAT_OK, "%s",
               maat_errmsg());
  cr_assert_eq(maat_store_listen(a, "nonsense"), MAAT_EINVAL);
  cr_assert_eq(maat_store_inbox_put(b, "{\"r\":1}", 10, &id1), MAAT_OK, "%s",
               maat_errmsg());
  cr_assert_eq(maat_store_inbox_put(b, "{\"r\":2}", 11, &id2), MAAT_OK);
  /* The other node hears of it. */
  cr_assert_eq(maat_store_wait(a, 2000, chan, sizeof chan, payload,
                               sizeof payload), 1);
  cr_assert_str_eq(chan, "maat_inbox");
  /* Two claimers take two different requests, oldest first. */
  memset(&x, 0, sizeof x);
  memset(&y, 0, sizeof y);
  cr_assert_eq(maat_store_inbox_claim(a, "node a", 20, take_inbox, &x),
               MAAT_OK, "%s", maat_errmsg());
  cr_assert_eq(maat_store_inbox_claim(b, "node b", 20, take_inbox, &y),
               MAAT_OK);
  cr_assert_eq(x.id, id1);
  cr_assert_str_eq(x.request, "{\"r\":1}");
  cr_assert_eq(y.id, id2);
  cr_assert_eq(x.tries, 1);
  cr_assert_eq(maat_store_inbox_claim(a, "node a", 20, take_inbox, &x),
               MAAT_ENOTFOUND, "nothing is left");
  /* An answer is kept, once. */
  cr_assert_eq(maat_store_inbox_finish(a, id1, 201, "{\"ok\":1}"), MAAT_OK);
  cr_assert_eq(maat_store_inbox_finish(a, id1, 500, "{}"), MAAT_ESTATE);
  cr_assert_eq(maat_store_inbox_get(b, id1, take_inbox, &x), MAAT_OK);
  cr_assert_eq(x.state, 2);
  cr_assert_eq(x.status, 201);
  cr_assert_str_eq(x.response, "{\"ok\":1}");
  /* Node b dies with its request taken: the next leader (a) takes the
   * requests of any other node back, and claims it again. */
  maat_store_close(b);
  cr_assert_eq(maat_store_inbox_release(a, "node a", &n), MAAT_OK);
  cr_assert_eq(n, 1);
  cr_assert_eq(maat_store_inbox_claim(a, "node a", 30, take_inbox, &x),
               MAAT_OK);
  cr_assert_eq(x.id, id2);
  cr_assert_eq(x.tries, 2, "a second claim is counted");
  cr_assert_eq(maat_store_inbox_purge(a, 1e12, &n, &waiting), MAAT_OK);
  cr_assert_eq(n, 1, "the answered one goes");
  cr_assert_eq(waiting, 1, "the taken one stays");
  gone(a, 2);
}

/*
 * store_pg.c - the PostgreSQL backend of the store (libpq): the same
 * tables and schema versions as SQLite, for a contact centre that runs
 * its services on PostgreSQL and several maat nodes. Writes go through
 * one connection, in explicit transactions; a commit is durable when it
 * returns (synchronous_commit as the server has it, on by default).
 * Reads go through a second connection, so a read never waits for a
 * commit and sees only what was committed. The schema version is kept in
 * maat_schema; migrating runs under an advisory lock, so two nodes
 * starting together do it once. The one writer of the event log holds a
 * session advisory lock, which PostgreSQL drops when the process's
 * connection ends, kill -9 included. Every value goes as a parameter,
 * never into the SQL text.
 */
#include "store-int.h"

#include <libpq-fe.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The same steps as store_sqlite.c, in PostgreSQL's types. */
static const char *const migrations[] = {
  "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);"
  "CREATE TABLE events (seq bigserial PRIMARY KEY, t double precision NOT "
  "  NULL, line text NOT NULL);"
  "CREATE TABLE decisions (seq bigserial PRIMARY KEY,"
  "  event_seq bigint NOT NULL, line text NOT NULL);",
  "CREATE TABLE tokens (id bigserial PRIMARY KEY, hash text NOT NULL UNIQUE,"
  "  role text NOT NULL, agent text, created double precision NOT NULL,"
  "  revoked double precision);"
  "CREATE TABLE audit (seq bigserial PRIMARY KEY, at double precision NOT "
  "  NULL, token bigint, role text, method text NOT NULL, path text NOT "
  "  NULL, status integer NOT NULL, detail text);"
  "CREATE TABLE checkins (seq bigserial PRIMARY KEY, agent text NOT NULL,"
  "  contact text NOT NULL, t double precision NOT NULL, energy integer "
  "  NOT NULL, note text, intent text, tone text);"
  "CREATE INDEX checkins_agent ON checkins (agent, seq);",
  "CREATE TABLE bot_outcomes (seq bigserial PRIMARY KEY, contact text NOT "
  "  NULL, t double precision NOT NULL, outcome text);",
  "CREATE TABLE snapshots (seq bigserial PRIMARY KEY,"
  "  event_seq bigint NOT NULL, data bytea NOT NULL);"
  "CREATE TABLE contacts (id text PRIMARY KEY, closed double precision NOT "
  "  NULL, record text NOT NULL);"
  "CREATE INDEX decisions_event ON decisions (event_seq);",
  "CREATE TABLE outbox (id bigserial PRIMARY KEY, created double precision "
  "  NOT NULL, kind text NOT NULL, key text UNIQUE, method text NOT NULL,"
  "  url text NOT NULL, headers text, body text NOT NULL,"
  "  attempts integer NOT NULL DEFAULT 0, state integer NOT NULL DEFAULT 0,"
  "  next_at double precision NOT NULL, last_error text, done_at double "
  "  precision NOT NULL DEFAULT 0);"
  "CREATE INDEX outbox_due ON outbox (state, next_at);",
  "CREATE TABLE kb_articles (id text NOT NULL, version bigint NOT NULL,"
  "  t double precision NOT NULL, status integer NOT NULL, title text NOT "
  "  NULL, body text NOT NULL, lang text NOT NULL, url text NOT NULL,"
  "  tags text NOT NULL, owner text NOT NULL, PRIMARY KEY (id, version));"
  "CREATE TABLE kb_links (seq bigserial PRIMARY KEY, article text NOT NULL,"
  "  question text NOT NULL, t double precision NOT NULL);"
  "CREATE TABLE kb_questions (seq bigserial PRIMARY KEY, t double "
  "  precision NOT NULL, question text NOT NULL, lang text NOT NULL,"
  "  answered integer NOT NULL, confidence double precision NOT NULL,"
  "  article text NOT NULL, source text NOT NULL);"
  "CREATE INDEX kb_questions_t ON kb_questions (t);",
  "CREATE TABLE records (id bigserial PRIMARY KEY, kind text NOT NULL,"
  "  key text NOT NULL, t double precision NOT NULL, state integer NOT "
  "  NULL, body text NOT NULL);"
  "CREATE INDEX records_kind ON records (kind, key);",
  "CREATE TABLE inbox (id bigserial PRIMARY KEY, created double precision "
  "  NOT NULL, state integer NOT NULL DEFAULT 0, node text NOT NULL DEFAULT "
  "  '', taken double precision NOT NULL DEFAULT 0, tries integer NOT NULL "
  "  DEFAULT 0, request text NOT NULL, status integer NOT NULL DEFAULT 0,"
  "  response text);"
  "CREATE INDEX inbox_waiting ON inbox (state, id);",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))
_Static_assert(SCHEMA_VERSION == MAAT_STORE_SCHEMA, "schema versions differ");

/* Advisory lock keys: migrating, and the event log's one writer. */
#define LOCK_MIGRATE 0x6d61617401LL
#define LOCK_WRITER 0x6d61617402LL

#define ROW_STOP (-1000)

struct pg {
  PGconn *w, *r;
  PGconn *n;               /* LISTEN, opened by the first listen */
  PGconn *q;               /* the inbox's claims and answers, opened by
                              the first; under 'qmu' */
  pthread_mutex_t qmu;
  char *conninfo;          /* to open 'n' */
  int appended;            /* events in the open transaction: notify */
  pthread_mutex_t rmu;     /* one reader at a time on 'r' */
  char *uri;               /* for messages, without the password */
  int writer;              /* holds LOCK_WRITER */
};

static int fail_pg(struct pg *p, PGconn *c, const PGresult *res,
                   const char *what)
{
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  const char *msg = res && PQresultErrorMessage(res)[0]
                        ? PQresultErrorMessage(res) : PQerrorMessage(c);
  char m[400];
  size_t n;

  snprintf(m, sizeof m, "%s", msg ? msg : "?");
  n = strlen(m);
  while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
    m[--n] = '\0';
  /* Serialisation failures and deadlocks: busy, try again. */
  if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01") ||
                !strcmp(state, "55P03")))
    return maat__fail(MAAT_EBUSY, "store '%s': %s: the database is busy "
                      "(%s)", p->uri, what, m);
  return maat__fail(MAAT_EDB, "store '%s': %s: %s", p->uri, what, m);
}

/* Parameters as text (NULL: SQL NULL); 'bin' marks a binary one with its
 * length in 'lens'. */
static PGresult *run(PGconn *c, const char *sql, int n,
                     const char *const *vals, const int *lens,
                     const int *bin, int binary_result)
{
  return PQexecParams(c, sql, n, NULL, vals, lens, bin, binary_result);
}

/* A statement with no rows wanted; '*changed' rows affected. */
static int exec_w(struct pg *p, const char *sql, int n,
                  const char *const *vals, long *changed, const char *what)
{
  PGresult *res = run(p->w, sql, n, vals, NULL, NULL, 0);
  int rc = MAAT_OK;

  if (PQresultStatus(res) != PGRES_COMMAND_OK &&
      PQresultStatus(res) != PGRES_TUPLES_OK)
    rc = fail_pg(p, p->w, res, what);
  else if (changed)
    *changed = strtol(PQcmdTuples(res), NULL, 10);
  PQclear(res);
  return rc;
}

static const char *val(const PGresult *res, int i, int j)
{
  return PQgetisnull(res, i, j) ? NULL : PQgetvalue(res, i, j);
}

static const char *text(const PGresult *res, int i, int j)
{
  const char *s = val(res, i, j);
  return s ? s : "";
}

static double num(const PGresult *res, int i, int j)
{
  const char *s = val(res, i, j);
  return s ? strtod(s, NULL) : 0;
}

static int64_t i64(const PGresult *res, int i, int j)
{
  const char *s = val(res, i, j);
  return s ? strtoll(s, NULL, 10) : 0;
}

/*
 * A read: on the reader under its lock, or (writer 1) on the writer in
 * the caller's transaction. 'row' is called for each row until it returns
 * nonzero (ROW_STOP: stop, not an error); with 'need', no row is
 * MAAT_ENOTFOUND.
 */
static int reading(struct pg *p, int writer, const char *sql, int n,
                   const char *const *vals,
                   int (*row)(const PGresult *, int, void *), void *ctx,
                   int need, const char *what)
{
  PGconn *c = writer ? p->w : p->r;
  PGresult *res;
  int rc = MAAT_OK, rows;

  if (!writer)
    pthread_mutex_lock(&p->rmu);
  res = run(c, sql, n, vals, NULL, NULL, 0);
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    rc = fail_pg(p, c, res, what);
  } else {
    rows = PQntuples(res);
    for (int i = 0; i < rows && !rc; i++)
      rc = row(res, i, ctx);
    if (rc == ROW_STOP)
      rc = MAAT_OK;
    else if (!rc && need && !rows)
      rc = MAAT_ENOTFOUND;
  }
  PQclear(res);
  if (!writer)
    pthread_mutex_unlock(&p->rmu);
  return rc;
}

static int row_text(const PGresult *res, int i, void *ctx)
{
  char **out = ctx;
  *out = maat__strdup(text(res, i, 0));
  return *out ? ROW_STOP : maat__fail(MAAT_ENOMEM, "out of memory");
}

#define NUM(buf, x) (snprintf(buf, sizeof buf, "%.17g", (double)(x)), buf)
#define INT(buf, x) (snprintf(buf, sizeof buf, "%lld", (long long)(x)), buf)

/* ---- opening ---- */

static PGconn *connect_to(struct pg *p, const char *conninfo, int *rc)
{
  PGconn *c = PQconnectdb(conninfo);

  if (!c) {
    *rc = maat__fail(MAAT_ENOMEM, "out of memory");
    return NULL;
  }
  if (PQstatus(c) != CONNECTION_OK) {
    char m[300];
    size_t n;
    snprintf(m, sizeof m, "%s", PQerrorMessage(c));
    n = strlen(m);
    while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
      m[--n] = '\0';
    *rc = maat__fail(MAAT_EDB, "cannot open store '%s': %s", p->uri, m);
    PQfinish(c);
    return NULL;
  }
  /* Plain text whatever the server's defaults; the session named after
   * this process, for who holds a lock. */
  {
    char sql[160];
    PGresult *res;
    snprintf(sql, sizeof sql, "SET client_encoding = 'UTF8'; "
             "SET standard_conforming_strings = on; "
             "SET client_min_messages = warning; "
             "SET application_name = 'pid %ld'", (long)getpid());
    res = PQexec(c, sql);
    PQclear(res);
  }
  *rc = MAAT_OK;
  return c;
}

static int migrate(struct pg *p)
{
  char lk[32], vb[32];
  const char *v1[1];
  PGresult *res;
  long v = 0;
  int rc;

  v1[0] = INT(lk, LOCK_MIGRATE);
  if ((rc = exec_w(p, "SELECT pg_advisory_lock($1)", 1, v1, NULL,
                   "cannot lock the schema")))
    return rc;
  rc = exec_w(p, "CREATE TABLE IF NOT EXISTS maat_schema (version integer "
              "NOT NULL)", 0, NULL, NULL, "cannot read the schema version");
  if (!rc) {
    res = PQexec(p->w, "SELECT version FROM maat_schema");
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
      rc = fail_pg(p, p->w, res, "cannot read the schema version");
    else if (PQntuples(res))
      v = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    else
      rc = exec_w(p, "INSERT INTO maat_schema VALUES (0)", 0, NULL, NULL,
                  "cannot write the schema version");
    PQclear(res);
  }
  if (!rc && v > SCHEMA_VERSION)
    rc = maat__fail(MAAT_EFORMAT, "store '%s' has schema version %ld; this "
                    "build reads up to %d", p->uri, v, SCHEMA_VERSION);
  for (; !rc && v < SCHEMA_VERSION; v++) {
    const char *v2[1];
    if ((rc = exec_w(p, "BEGIN", 0, NULL, NULL, "cannot migrate")))
      break;
    v2[0] = INT(vb, v + 1);
    res = PQexec(p->w, migrations[v]);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
      rc = fail_pg(p, p->w, res, "cannot migrate");
    PQclear(res);
    if (!rc)
      rc = exec_w(p, "UPDATE maat_schema SET version = $1", 1, v2, NULL,
                  "cannot migrate");
    if (!rc)
      rc = exec_w(p, "COMMIT", 0, NULL, NULL, "cannot migrate");
    if (rc)
      PQclear(PQexec(p->w, "ROLLBACK"));
  }
  exec_w(p, "SELECT pg_advisory_unlock($1)", 1, v1, NULL, "unlock");
  return rc;
}

static void pg_close(void *b)
{
  struct pg *p = b;

  if (!p)
    return;
  if (p->n)
    PQfinish(p->n);
  if (p->q)
    PQfinish(p->q);
  pthread_mutex_destroy(&p->qmu);
  maat__free(p->conninfo);
  if (p->r)
    PQfinish(p->r);
  if (p->w)
    PQfinish(p->w);  /* ends the session: its advisory locks go with it */
  pthread_mutex_destroy(&p->rmu);
  maat__free(p->uri);
  maat__free(p);
}

/* The URI for messages: without a password in it. */
static char *shown_uri(const char *uri)
{
  char *s = maat__strdup(uri);
  char *at, *colon, *scheme;

  if (!s)
    return NULL;
  scheme = strstr(s, "://");
  at = strchr(s, '@');
  if (scheme && at) {
    colon = strchr(scheme + 3, ':');
    if (colon && colon < at)
      memmove(colon, at, strlen(at) + 1);
  }
  return s;
}

static int pg_open(void **out, const char *uri)
{
  struct pg *p = maat__calloc(1, sizeof *p);
  int rc;

  if (!p || !(p->uri = shown_uri(uri)) ||
      !(p->conninfo = maat__strdup(uri))) {
    if (p)
      maat__free(p->uri);
    maat__free(p);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  pthread_mutex_init(&p->rmu, NULL);
  pthread_mutex_init(&p->qmu, NULL);
  if (!(p->w = connect_to(p, uri, &rc)) || (rc = migrate(p)) ||
      !(p->r = connect_to(p, uri, &rc))) {
    pg_close(p);
    return rc;
  }
  *out = p;
  return MAAT_OK;
}

static int pg_lock_writer(void *b, int wait)
{
  struct pg *p = b;
  char lk[32];
  const char *v[1];
  PGresult *res;
  int rc = MAAT_OK;

  if (p->writer)
    return MAAT_OK;
  v[0] = INT(lk, LOCK_WRITER);
  /* A session that just ended lets go of its lock when its server
   * process exits, a moment after (longer on a busy machine): asked
   * again for up to two seconds. */
  for (int tries = 0;; tries++) {
    res = run(p->w, "SELECT pg_try_advisory_lock($1)", 1, v, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
      rc = fail_pg(p, p->w, res, "cannot take the writer's lock");
    } else if (!strcmp(PQgetvalue(res, 0, 0), "t")) {
      p->writer = 1;
    } else if (wait && tries < 40) {
      PQclear(res);
      nanosleep(&(struct timespec){ 0, 50000000 }, NULL);
      continue;
    } else {
      /* Who: the holder's session says its maat process. */
      char *who = NULL;
      const char *k[1] = { v[0] };
      reading(p, 1, "SELECT a.application_name FROM pg_locks l JOIN "
              "pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = "
              "'advisory' AND l.granted AND l.database = (SELECT oid FROM "
              "pg_database WHERE datname = current_database()) AND "
              "((l.classid::bigint << 32) | l.objid::bigint) = $1", 1, k,
              row_text, &who, 0, "who holds the lock");
      rc = maat__fail(MAAT_EBUSY, "store '%s' is in use by another maat "
                      "process (%s): one process writes the event log at a "
                      "time; stop it first", p->uri,
                      who && *who ? who : "unknown pid");
      maat__free(who);
    }
    PQclear(res);
    return rc;
  }
}

/* ---- run identity and settings ---- */


static int pg_meta_get(void *b, const char *key, char **value)
{
  const char *v[1] = { key };
  return reading(b, 0, "SELECT value FROM meta WHERE key = $1", 1, v,
                 row_text, value, 1, "cannot read a setting");
}

static int pg_meta_set(void *b, const char *key, const char *value)
{
  const char *v[2] = { key, value };
  return exec_w(b, "INSERT INTO meta VALUES ($1, $2) ON CONFLICT (key) DO "
                "UPDATE SET value = EXCLUDED.value", 2, v, NULL,
                "cannot write a setting");
}

static int pg_bind_run(void *b, const char *run_id)
{
  struct pg *p = b;
  char *have = NULL;
  const char *v[1] = { "config" };
  int rc = reading(p, 1, "SELECT value FROM meta WHERE key = $1", 1, v,
                   row_text, &have, 1, "cannot read the run's identity");

  if (rc == MAAT_ENOTFOUND)
    return pg_meta_set(b, "config", run_id);
  if (!rc && strcmp(have, run_id))
    rc = maat__fail(MAAT_ESTATE, "store '%s' belongs to another run (%s), "
                    "not %s", p->uri, have, run_id);
  maat__free(have);
  return rc;
}

/* ---- transactions ---- */

static int pg_begin(void *b)
{
  ((struct pg *)b)->appended = 0;
  return exec_w(b, "BEGIN", 0, NULL, NULL, "cannot begin");
}

static int pg_commit(void *b)
{
  struct pg *p = b;
  PGresult *res;
  int rc = MAAT_OK;

  /* Followers wake on new events (delivered at the commit, or never);
   * sent with the COMMIT, in the same round trip. */
  res = PQexec(p->w, p->appended ? "NOTIFY maat_log; COMMIT" : "COMMIT");
  p->appended = 0;

  /* A COMMIT of a failed transaction reports ROLLBACK: not kept. */
  if (PQresultStatus(res) != PGRES_COMMAND_OK)
    rc = fail_pg(p, p->w, res, "cannot commit");
  else if (strcmp(PQcmdStatus(res), "COMMIT"))
    rc = maat__fail(MAAT_EDB, "store '%s': the transaction failed and was "
                    "rolled back", p->uri);
  PQclear(res);
  return rc;
}

static int pg_rollback(void *b)
{
  struct pg *p = b;

  if (PQtransactionStatus(p->w) == PQTRANS_IDLE)
    return MAAT_OK;
  return exec_w(p, "ROLLBACK", 0, NULL, NULL, "cannot roll back");
}

/* ---- the event log and snapshots ---- */

static int row_i64(const PGresult *res, int i, void *ctx)
{
  *(int64_t *)ctx = i64(res, i, 0);
  return ROW_STOP;
}

static int pg_event_append(void *b, double t, const char *line, size_t len,
                           int64_t *seq)
{
  char tb[32], *copy = maat__strndup(line, len);
  const char *v[2];
  int rc;

  if (!copy)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  v[0] = NUM(tb, t);
  v[1] = copy;
  ((struct pg *)b)->appended = 1;
  rc = reading(b, 1, "INSERT INTO events (t, line) VALUES ($1, $2) "
               "RETURNING seq", 2, v, row_i64, seq, 1,
               "cannot append an event");
  maat__free(copy);
  return rc;
}

static int pg_decision_append(void *b, int64_t event_seq, const char *line,
                              size_t len)
{
  char sb[32], *copy = maat__strndup(line, len);
  const char *v[2];
  int rc;

  if (!copy)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  v[0] = INT(sb, event_seq);
  v[1] = copy;
  rc = exec_w(b, "INSERT INTO decisions (event_seq, line) VALUES ($1, $2)",
              2, v, NULL, "cannot append a decision");
  maat__free(copy);
  return rc;
}

static int row_stats(const PGresult *res, int i, void *ctx)
{
  int64_t *v = ctx;
  v[0] = i64(res, i, 0);
  v[1] = i64(res, i, 1);
  return ROW_STOP;
}

static int pg_event_stats(void *b, int64_t *count, int64_t *last)
{
  int64_t v[2] = { 0, 0 };
  int rc = reading(b, 0, "SELECT count(*), coalesce(max(seq), 0) FROM "
                   "events", 0, NULL, row_stats, v, 1,
                   "cannot count the events");
  *count = v[0];
  *last = v[1];
  return rc;
}

/*
 * Walks rows (int64, text, cursor) of 'sql' ($1: after, $2: the cursor,
 * $3: a batch size) batch by batch; the callback runs outside the
 * reader's lock, so it may use the store meanwhile.
 */
static int walk(struct pg *p, const char *sql, int64_t after,
                int (*fn)(void *, int64_t, const char *, size_t), void *ctx)
{
  int64_t from = 0;

  for (;;) {
    char ab[32], fb[32];
    const char *v[3] = { INT(ab, after), INT(fb, from), "10000" };
    PGresult *res;
    int rows, rc = MAAT_OK;
    pthread_mutex_lock(&p->rmu);
    res = run(p->r, sql, 3, v, NULL, NULL, 0);
    pthread_mutex_unlock(&p->rmu);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
      rc = fail_pg(p, p->r, res, "cannot read the log");
      PQclear(res);
      return rc;
    }
    rows = PQntuples(res);
    for (int i = 0; i < rows && !rc; i++)
      rc = fn(ctx, i64(res, i, 0), text(res, i, 1),
              (size_t)PQgetlength(res, i, 1));
    if (rows)
      from = i64(res, rows - 1, 2);
    PQclear(res);
    if (rc || rows < 10000)
      return rc;
  }
}

static int pg_events(void *b, int64_t after,
                     int (*fn)(void *, int64_t, const char *, size_t),
                     void *ctx)
{
  return walk(b, "SELECT seq, line, seq FROM events WHERE seq > $1 AND "
              "seq > $2 ORDER BY seq LIMIT $3", after, fn, ctx);
}

static int pg_decisions(void *b, int64_t after,
                        int (*fn)(void *, int64_t, const char *, size_t),
                        void *ctx)
{
  /* Batches by the decision's own seq; 'after' is an event seq. */
  return walk(b, "SELECT event_seq, line, seq FROM decisions WHERE "
              "event_seq > $1 AND seq > $2 ORDER BY seq LIMIT $3", after, fn,
              ctx);
}

static int pg_snapshot_put(void *b, int64_t seq, const void *data,
                           size_t len)
{
  struct pg *p = b;
  char sb[32];
  const char *v[2] = { INT(sb, seq), data };
  int lens[2] = { 0, (int)len }, bin[2] = { 0, 1 };
  PGresult *res;
  int rc;

  /* Older snapshots are of no more use than the newest. */
  if ((rc = exec_w(p, "DELETE FROM snapshots", 0, NULL, NULL,
                   "cannot store a snapshot")))
    return rc;
  res = run(p->w, "INSERT INTO snapshots (event_seq, data) VALUES ($1, $2)",
            2, v, lens, bin, 0);
  rc = PQresultStatus(res) == PGRES_COMMAND_OK
           ? MAAT_OK : fail_pg(p, p->w, res, "cannot store a snapshot");
  PQclear(res);
  return rc;
}

static int pg_snapshot_latest(void *b, int64_t *seq, void **data, size_t *len)
{
  struct pg *p = b;
  PGresult *res;
  int rc = MAAT_OK;

  pthread_mutex_lock(&p->rmu);
  /* Binary results: the bytes as they are. */
  res = run(p->r, "SELECT event_seq, data FROM snapshots ORDER BY seq DESC "
            "LIMIT 1", 0, NULL, NULL, NULL, 1);
  pthread_mutex_unlock(&p->rmu);
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    rc = fail_pg(p, p->r, res, "cannot read a snapshot");
  } else if (!PQntuples(res)) {
    rc = MAAT_ENOTFOUND;
  } else {
    const unsigned char *s = (const unsigned char *)PQgetvalue(res, 0, 0);
    uint64_t v = 0;
    for (int k = 0; k < 8; k++)
      v = v << 8 | s[k];
    *seq = (int64_t)v;
    *len = (size_t)PQgetlength(res, 0, 1);
    if (!(*data = maat__malloc(*len ? *len : 1)))
      rc = maat__fail(MAAT_ENOMEM, "out of memory");
    else if (*len)
      memcpy(*data, PQgetvalue(res, 0, 1), *len);
  }
  PQclear(res);
  return rc;
}

/* ---- access ---- */

static int pg_token_insert(void *b, const struct maat_store_token *t,
                           int64_t *id)
{
  struct pg *p = b;
  char cb[32];
  const char *v[4] = { t->hash, t->role, t->agent[0] ? t->agent : NULL,
                       NUM(cb, t->created) };
  PGresult *res = run(p->w, "INSERT INTO tokens (hash, role, agent, created) "
                      "VALUES ($1, $2, $3, $4) RETURNING id", 4, v, NULL,
                      NULL, 0);
  int rc = MAAT_OK;

  if (PQresultStatus(res) == PGRES_TUPLES_OK) {
    *id = i64(res, 0, 0);
  } else {
    const char *st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    rc = st && !strcmp(st, "23505")
             ? maat__fail(MAAT_ESTATE, "store: that token exists already")
             : fail_pg(p, p->w, res, "cannot store the token");
  }
  PQclear(res);
  return rc;
}

static void token_of(const PGresult *res, int i, struct maat_store_token *t)
{
  memset(t, 0, sizeof *t);
  t->id = i64(res, i, 0);
  snprintf(t->role, sizeof t->role, "%s", text(res, i, 1));
  snprintf(t->agent, sizeof t->agent, "%s", text(res, i, 2));
  t->created = num(res, i, 3);
  t->revoked = num(res, i, 4);
  snprintf(t->hash, sizeof t->hash, "%s", text(res, i, 5));
}

static int row_token(const PGresult *res, int i, void *ctx)
{
  token_of(res, i, ctx);
  return ROW_STOP;
}

static int pg_token_find(void *b, const char *hash,
                         struct maat_store_token *out)
{
  const char *v[1] = { hash };
  return reading(b, 0, "SELECT id, role, agent, created, revoked, hash FROM "
                 "tokens WHERE hash = $1 AND revoked IS NULL", 1, v,
                 row_token, out, 1, "cannot look up a token");
}

struct each {
  void *fn;
  void *ctx;
  const char *key;
};

static int row_each_token(const PGresult *res, int i, void *ctx)
{
  struct each *e = ctx;
  int (*fn)(void *, const struct maat_store_token *) = e->fn;
  struct maat_store_token t;

  token_of(res, i, &t);
  return fn(e->ctx, &t);
}

static int pg_tokens(void *b, int (*fn)(void *, const struct maat_store_token *),
                     void *ctx)
{
  struct each e = { (void *)fn, ctx, NULL };
  return reading(b, 0, "SELECT id, role, agent, created, revoked, hash FROM "
                 "tokens ORDER BY id", 0, NULL, row_each_token, &e, 0,
                 "cannot read the tokens");
}

static int pg_token_revoke(void *b, int64_t id, double at)
{
  char ab[32], ib[32];
  const char *v[2] = { NUM(ab, at), INT(ib, id) };
  long n = 0;
  int rc = exec_w(b, "UPDATE tokens SET revoked = $1 WHERE id = $2 AND "
                  "revoked IS NULL", 2, v, &n, "cannot revoke a token");

  if (!rc && n == 0)
    rc = maat__fail(MAAT_ENOTFOUND, "no valid token with id %lld",
                    (long long)id);
  return rc;
}

static int pg_audit_append(void *b, const struct maat_store_audit *a)
{
  char ab[32], tb[32], sb[16];
  const char *v[7] = { NUM(ab, a->at), a->token ? INT(tb, a->token) : NULL,
                       a->role, a->method, a->path, INT(sb, a->status),
                       a->detail };
  return exec_w(b, "INSERT INTO audit (at, token, role, method, path, "
                "status, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)", 7, v,
                NULL, "cannot write the audit");
}

static int row_audit(const PGresult *res, int i, void *ctx)
{
  struct each *e = ctx;
  int (*fn)(void *, const struct maat_store_audit *) = e->fn;
  struct maat_store_audit a;

  a.at = num(res, i, 0);
  a.token = i64(res, i, 1);
  a.role = val(res, i, 2);
  a.method = text(res, i, 3);
  a.path = text(res, i, 4);
  a.status = (int)i64(res, i, 5);
  a.detail = val(res, i, 6);
  return fn(e->ctx, &a);
}

static int pg_audits(void *b, int (*fn)(void *, const struct maat_store_audit *),
                     void *ctx)
{
  struct each e = { (void *)fn, ctx, NULL };
  return reading(b, 0, "SELECT at, token, role, method, path, status, "
                 "detail FROM audit ORDER BY seq", 0, NULL, row_audit, &e, 0,
                 "cannot read the audit");
}

/* ---- wellbeing ---- */

static int pg_checkin_add(void *b, const struct maat_store_checkin *c)
{
  char tb[32], eb[16];
  const char *v[7] = { c->agent, c->contact, NUM(tb, c->t),
                       INT(eb, c->energy), c->note,
                       c->intent && *c->intent ? c->intent : NULL, c->tone };
  return exec_w(b, "INSERT INTO checkins (agent, contact, t, energy, note, "
                "intent, tone) VALUES ($1, $2, $3, $4, $5, $6, $7)", 7, v,
                NULL, "cannot store the check-in");
}

static int row_checkin(const PGresult *res, int i, void *ctx)
{
  struct each *e = ctx;
  int (*fn)(void *, const struct maat_store_checkin *) = e->fn;
  struct maat_store_checkin c;

  c.agent = e->key;
  c.contact = text(res, i, 0);
  c.t = num(res, i, 1);
  c.energy = (int)i64(res, i, 2);
  c.note = val(res, i, 3);
  c.intent = val(res, i, 4);
  c.tone = text(res, i, 5);
  return fn(e->ctx, &c);
}

static int pg_checkins(void *b, const char *agent, double since, int limit,
                       int (*fn)(void *, const struct maat_store_checkin *),
                       void *ctx)
{
  struct each e = { (void *)fn, ctx, agent };
  char sb[32], lb[16];
  const char *v[3] = { agent, NUM(sb, isfinite(since) ? since : -1e300),
                       limit > 0 ? INT(lb, limit) : NULL };
  return reading(b, 0, "SELECT contact, t, energy, note, intent, tone FROM "
                 "checkins WHERE agent = $1 AND t >= $2 ORDER BY seq DESC "
                 "LIMIT $3", 3, v, row_checkin, &e, 0,
                 "cannot read the check-ins");
}

static int row_kind(const PGresult *res, int i, void *ctx)
{
  struct each *e = ctx;
  int (*fn)(void *, const char *, const char *, long, double) = e->fn;

  return fn(e->ctx, text(res, i, 0), text(res, i, 1), (long)i64(res, i, 2),
            num(res, i, 3));
}

static int pg_energy_by_kind(void *b, const char *agent, double since,
                             int (*fn)(void *, const char *, const char *,
                                       long, double),
                             void *ctx)
{
  struct each e = { (void *)fn, ctx, agent };
  char sb[32];
  const char *v[2] = { agent, NUM(sb, isfinite(since) ? since : -1e300) };
  return reading(b, 0, "SELECT coalesce(intent, '(none)'), tone, count(*), "
                 "avg(energy) FROM checkins WHERE agent = $1 AND t >= $2 "
                 "GROUP BY 1, 2 ORDER BY 4 DESC, coalesce(intent, '(none)') "
                 "COLLATE \"C\", tone COLLATE \"C\"", 2, v, row_kind, &e, 0,
                 "cannot read the check-ins");
}

/* ---- contacts ---- */

static int pg_contact_put(void *b, const char *id, double closed,
                          const char *record, size_t len)
{
  char cb[32], *copy = maat__strndup(record, len);
  const char *v[3];
  int rc;

  if (!copy)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  v[0] = id;
  v[1] = NUM(cb, closed);
  v[2] = copy;
  rc = exec_w(b, "INSERT INTO contacts (id, closed, record) VALUES ($1, $2, "
              "$3) ON CONFLICT (id) DO UPDATE SET closed = EXCLUDED.closed, "
              "record = EXCLUDED.record", 3, v, NULL,
              "cannot store a contact");
  maat__free(copy);
  return rc;
}

static int pg_contact_get(void *b, const char *id, char **record, size_t *len)
{
  const char *v[1] = { id };
  int rc = reading(b, 0, "SELECT record FROM contacts WHERE id = $1", 1, v,
                   row_text, record, 1, "cannot read a contact");

  if (!rc)
    *len = strlen(*record);
  return rc;
}

static int pg_bot_outcome_add(void *b, const char *contact, double t,
                              const char *outcome)
{
  char tb[32];
  const char *v[3] = { contact, NUM(tb, t), outcome };
  return exec_w(b, "INSERT INTO bot_outcomes (contact, t, outcome) VALUES "
                "($1, $2, $3)", 3, v, NULL, "cannot store the outcome");
}

static int row_outcome(const PGresult *res, int i, void *ctx)
{
  struct each *e = ctx;
  int (*fn)(void *, const char *, const char *) = e->fn;

  return fn(e->ctx, text(res, i, 0), val(res, i, 1));
}

static int pg_bot_outcomes(void *b,
                           int (*fn)(void *, const char *, const char *),
                           void *ctx)
{
  struct each e = { (void *)fn, ctx, NULL };
  return reading(b, 0, "SELECT contact, outcome FROM bot_outcomes ORDER BY "
                 "seq", 0, NULL, row_outcome, &e, 0,
                 "cannot read the outcomes");
}

/* ---- the outbox ---- */

#define OUTBOX_COLS "id, created, kind, key, method, url, headers, body, " \
  "attempts, state, next_at, last_error, done_at"

static int pg_outbox_add(void *b, const struct maat_store_outbox *o,
                         int64_t *id)
{
  struct pg *p = b;
  char cb[32], nb[32];
  const char *v[8] = { NUM(cb, o->created), o->kind, o->key, o->method,
                       o->url, o->headers, o->body, NUM(nb, o->next_at) };
  int64_t got = 0;
  int rc = reading(p, 1, "INSERT INTO outbox (created, kind, key, method, "
                   "url, headers, body, attempts, state, next_at) VALUES "
                   "($1, $2, $3, $4, $5, $6, $7, 0, 0, $8) ON CONFLICT (key) "
                   "DO NOTHING RETURNING id", 8, v, row_i64, &got, 1,
                   "cannot queue a call");

  if (rc == MAAT_ENOTFOUND) {
    /* The key was there: its row (on the writer: maybe uncommitted). */
    const char *k[1] = { o->key };
    rc = reading(p, 1, "SELECT id FROM outbox WHERE key = $1", 1, k,
                 row_i64, &got, 1, "cannot find a call");
  }
  if (!rc)
    *id = got;
  return rc;
}

static int row_outbox(const PGresult *res, int i, void *ctx)
{
  struct each *e = ctx;
  int (*fn)(void *, const struct maat_store_outbox *) = e->fn;
  struct maat_store_outbox o;

  o.id = i64(res, i, 0);
  o.created = num(res, i, 1);
  o.kind = text(res, i, 2);
  o.key = val(res, i, 3);
  o.method = text(res, i, 4);
  o.url = text(res, i, 5);
  o.headers = val(res, i, 6);
  o.body = text(res, i, 7);
  o.attempts = (int)i64(res, i, 8);
  o.state = (int)i64(res, i, 9);
  o.next_at = num(res, i, 10);
  o.last_error = val(res, i, 11);
  o.done_at = num(res, i, 12);
  return fn(e->ctx, &o);
}

static int pg_outbox_due(void *b, double now, int limit,
                         int (*fn)(void *, const struct maat_store_outbox *),
                         void *ctx)
{
  struct each e = { (void *)fn, ctx, NULL };
  char nb[32], lb[16];
  const char *v[2] = { NUM(nb, isfinite(now) ? now : 1e300),
                       limit > 0 ? INT(lb, limit) : NULL };
  return reading(b, 0, "SELECT " OUTBOX_COLS " FROM outbox WHERE state = 0 "
                 "AND next_at <= $1 ORDER BY id LIMIT $2", 2, v, row_outbox,
                 &e, 0, "cannot read the outbox");
}

static int pg_outbox_mark(void *b, int64_t id, int state, int attempts,
                          double next_at, const char *error, double at)
{
  char sb[16], ab[16], nb[32], db[32], ib[32];
  const char *v[6] = { INT(sb, state), INT(ab, attempts), NUM(nb, next_at),
                       error, NUM(db, state == MAAT_OUTBOX_PENDING ? 0 : at),
                       INT(ib, id) };
  long n = 0;
  int rc = exec_w(b, "UPDATE outbox SET state = $1, attempts = $2, next_at "
                  "= $3, last_error = $4, done_at = $5 WHERE id = $6", 6, v,
                  &n, "cannot mark a call");

  if (!rc && n != 1)
    rc = maat__fail(MAAT_ENOTFOUND, "no outbox row %lld", (long long)id);
  return rc;
}

static int pg_outbox_list(void *b, int state, int limit,
                          int (*fn)(void *, const struct maat_store_outbox *),
                          void *ctx)
{
  struct each e = { (void *)fn, ctx, NULL };
  char sb[16], lb[16];
  const char *v[2] = { INT(sb, state), limit > 0 ? INT(lb, limit) : NULL };
  return reading(b, 0, "SELECT " OUTBOX_COLS " FROM outbox WHERE state = $1 "
                 "ORDER BY id DESC LIMIT $2", 2, v, row_outbox, &e, 0,
                 "cannot read the outbox");
}

static int row_count(const PGresult *res, int i, void *ctx)
{
  long *n = ctx;
  int state = (int)i64(res, i, 0);

  if (state >= 0 && state <= 2)
    n[state] = (long)i64(res, i, 1);
  return MAAT_OK;
}

static int pg_outbox_counts(void *b, long n[3])
{
  n[0] = n[1] = n[2] = 0;
  return reading(b, 0, "SELECT state, count(*) FROM outbox GROUP BY state",
                 0, NULL, row_count, n, 0, "cannot count the outbox");
}

/* ---- the knowledge base ---- */

static const char *or_empty(const char *s)
{
  return s ? s : "";
}

static int pg_article_put(void *b, const struct maat_store_article *a,
                          int64_t *version)
{
  char vb[32], tb[32], sb[16];
  const char *k[1] = { a->id };
  int64_t v = 0;
  int rc = reading(b, 1, "SELECT coalesce(max(version), 0) FROM kb_articles "
                   "WHERE id = $1", 1, k, row_i64, &v, 1,
                   "cannot read the article's versions");
  const char *w[10];

  if (rc)
    return rc;
  w[0] = a->id;
  w[1] = INT(vb, v + 1);
  w[2] = NUM(tb, a->t);
  w[3] = INT(sb, a->status);
  w[4] = or_empty(a->title);
  w[5] = a->body;
  w[6] = or_empty(a->lang);
  w[7] = or_empty(a->url);
  w[8] = or_empty(a->tags);
  w[9] = or_empty(a->owner);
  rc = exec_w(b, "INSERT INTO kb_articles (id, version, t, status, title, "
              "body, lang, url, tags, owner) VALUES ($1, $2, $3, $4, $5, $6, "
              "$7, $8, $9, $10)", 10, w, NULL, "cannot store the article");
  if (!rc)
    *version = v + 1;
  return rc;
}

static int row_article(const PGresult *res, int i, void *ctx)
{
  struct each *e = ctx;
  int (*fn)(void *, const struct maat_store_article *) = e->fn;
  struct maat_store_article a;

  a.id = text(res, i, 0);
  a.version = i64(res, i, 1);
  a.t = num(res, i, 2);
  a.status = (int)i64(res, i, 3);
  a.title = text(res, i, 4);
  a.body = text(res, i, 5);
  a.lang = text(res, i, 6);
  a.url = text(res, i, 7);
  a.tags = text(res, i, 8);
  a.owner = text(res, i, 9);
  return fn(e->ctx, &a);
}

#define ARTICLE_COLS "id, version, t, status, title, body, lang, url, tags, " \
  "owner"

static int pg_articles(void *b, const char *id,
                       int (*fn)(void *, const struct maat_store_article *),
                       void *ctx)
{
  struct each e = { (void *)fn, ctx, NULL };
  const char *v[1] = { id };

  if (id)
    return reading(b, 0, "SELECT " ARTICLE_COLS " FROM kb_articles WHERE "
                   "id = $1 ORDER BY version", 1, v, row_article, &e, 1,
                   "cannot read the article");
  return reading(b, 0, "SELECT " ARTICLE_COLS " FROM kb_articles a WHERE "
                 "version = (SELECT max(version) FROM kb_articles WHERE "
                 "id = a.id) ORDER BY id COLLATE \"C\"", 0, NULL,
                 row_article, &e, 0, "cannot read the articles");
}

static int pg_kb_link_add(void *b, const char *article, const char *question,
                          double t)
{
  char tb[32];
  const char *v[3] = { article, question, NUM(tb, t) };
  return exec_w(b, "INSERT INTO kb_links (article, question, t) VALUES ($1, "
                "$2, $3)", 3, v, NULL, "cannot store the link");
}

static int row_link(const PGresult *res, int i, void *ctx)
{
  struct each *e = ctx;
  int (*fn)(void *, const char *, const char *, double) = e->fn;

  return fn(e->ctx, text(res, i, 0), text(res, i, 1), num(res, i, 2));
}

static int pg_kb_links(void *b,
                       int (*fn)(void *, const char *, const char *, double),
                       void *ctx)
{
  struct each e = { (void *)fn, ctx, NULL };
  return reading(b, 0, "SELECT article, question, t FROM kb_links ORDER BY "
                 "seq", 0, NULL, row_link, &e, 0, "cannot read the links");
}

static int pg_kb_question_add(void *b, const struct maat_store_kb_question *k)
{
  char tb[32], ab[16], cb[32];
  const char *v[7] = { NUM(tb, k->t), k->question, or_empty(k->lang),
                       INT(ab, k->answered), NUM(cb, k->confidence),
                       or_empty(k->article), k->source };
  return exec_w(b, "INSERT INTO kb_questions (t, question, lang, answered, "
                "confidence, article, source) VALUES ($1, $2, $3, $4, $5, $6,"
                " $7)", 7, v, NULL, "cannot store the question");
}

static int row_kb_question(const PGresult *res, int i, void *ctx)
{
  struct each *e = ctx;
  int (*fn)(void *, const struct maat_store_kb_question *) = e->fn;
  struct maat_store_kb_question k;

  k.seq = i64(res, i, 0);
  k.t = num(res, i, 1);
  k.question = text(res, i, 2);
  k.lang = text(res, i, 3);
  k.answered = (int)i64(res, i, 4);
  k.confidence = num(res, i, 5);
  k.article = text(res, i, 6);
  k.source = text(res, i, 7);
  return fn(e->ctx, &k);
}

static int pg_kb_questions(void *b, double since,
                           int (*fn)(void *,
                                     const struct maat_store_kb_question *),
                           void *ctx)
{
  struct each e = { (void *)fn, ctx, NULL };
  char sb[32];
  const char *v[1] = { NUM(sb, since > -9e15 ? since : -1e300) };
  return reading(b, 0, "SELECT seq, t, question, lang, answered, confidence, "
                 "article, source FROM kb_questions WHERE t >= $1 ORDER BY "
                 "seq", 1, v, row_kb_question, &e, 0,
                 "cannot read the questions");
}

/* ---- kept records ---- */

static int pg_rec_add(void *b, const char *kind, const char *key, double t,
                      int state, const char *body, int64_t *id)
{
  char tb[32], sb[16];
  const char *v[5] = { kind, key, NUM(tb, t), INT(sb, state), body };
  int64_t got = 0;
  int rc = reading(b, 1, "INSERT INTO records (kind, key, t, state, body) "
                   "VALUES ($1, $2, $3, $4, $5) RETURNING id", 5, v, row_i64,
                   &got, 1, "cannot store the record");

  if (!rc && id)
    *id = got;
  return rc;
}

static int pg_rec_set(void *b, const char *kind, int64_t id, int state,
                      const char *body)
{
  char sb[16], ib[32];
  const char *v[4] = { INT(sb, state), body, INT(ib, id), kind };
  long n = 0;
  int rc = exec_w(b, "UPDATE records SET state = $1, body = $2 WHERE id = $3 "
                  "AND kind = $4", 4, v, &n, "cannot change the record");

  return !rc && n == 0 ? MAAT_ENOTFOUND : rc;
}

struct each_rec {
  int (*fn)(void *, int64_t, const char *, double, int, const char *);
  void *ctx;
};

static int row_rec(const PGresult *res, int i, void *ctx)
{
  struct each_rec *e = ctx;

  return e->fn(e->ctx, i64(res, i, 0), text(res, i, 1), num(res, i, 2),
               (int)i64(res, i, 3), text(res, i, 4));
}

static int pg_recs(void *b, int writer, const char *kind, const char *key,
                   int state,
                   int (*fn)(void *, int64_t, const char *, double, int,
                             const char *),
                   void *ctx)
{
  struct each_rec e = { fn, ctx };
  char sb[16];
  const char *v[3] = { kind, key, INT(sb, state) };
  return reading(b, writer, "SELECT id, key, t, state, body FROM records "
                 "WHERE kind = $1 AND ($2::text IS NULL OR key = $2) AND "
                 "($3::int < 0 OR state = $3) ORDER BY id", 3, v, row_rec,
                 &e, 0, "cannot read the records");
}

static int pg_rec_delete(void *b, const char *kind, const char *key,
                         double before, long *n)
{
  char bb[32];
  const char *v[3] = { kind, key, NUM(bb, before) };
  return exec_w(b, "DELETE FROM records WHERE kind = $1 AND ($2::text IS "
                "NULL OR key = $2) AND t < $3", 3, v, n,
                "cannot delete the records");
}

/* ---- the data subject, retention ---- */

static const struct {
  const char *table, *col, *key;
  int blob;
} scrub_cols[] = {
  { "events", "line", "seq", 0 }, { "decisions", "line", "seq", 0 },
  { "contacts", "record", "id", 0 }, { "snapshots", "data", "seq", 1 },
  { "records", "body", "id", 0 }, { "kb_questions", "question", "seq", 0 },
  { "kb_links", "question", "seq", 0 }, { "checkins", "note", "seq", 0 },
  { "outbox", "body", "id", 0 }, { "audit", "detail", "seq", 0 },
};

static int pg_scrub(void *b, const char *needle, size_t n,
                    int (*fn)(void *, const char *, const void *, size_t,
                              void **, size_t *),
                    void *ctx)
{
  struct pg *p = b;
  int rc = MAAT_OK;
  char *nt = maat__strndup(needle, n);

  if (!nt)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  for (size_t c = 0; c < sizeof scrub_cols / sizeof scrub_cols[0] && !rc;
       c++) {
    char sql[200];
    const char *v[2] = { nt, NULL };
    int lens[2] = { (int)n, 0 }, bin[2] = { 1, 1 };
    PGresult *res;
    int rows;
    /* The key as text, the column as bytes: compared byte for byte. */
    if (scrub_cols[c].blob)
      snprintf(sql, sizeof sql, "SELECT %s::text, %s FROM %s WHERE "
               "position($1::bytea in %s) > 0", scrub_cols[c].key,
               scrub_cols[c].col, scrub_cols[c].table, scrub_cols[c].col);
    else
      snprintf(sql, sizeof sql, "SELECT %s::text, %s FROM %s WHERE "
               "position($1::bytea in convert_to(%s, 'UTF8')) > 0",
               scrub_cols[c].key, scrub_cols[c].col, scrub_cols[c].table,
               scrub_cols[c].col);
    res = run(p->w, sql, 1, v, lens, bin, 1);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
      rc = fail_pg(p, p->w, res, "cannot search the store");
      PQclear(res);
      break;
    }
    rows = PQntuples(res);
    snprintf(sql, sizeof sql, "UPDATE %s SET %s = $1%s WHERE %s::text = $2",
             scrub_cols[c].table, scrub_cols[c].col,
             scrub_cols[c].blob ? "" : "::text", scrub_cols[c].key);
    for (int i = 0; i < rows && !rc; i++) {
      void *out = NULL;
      size_t outlen = 0;
      char *key = maat__strndup(PQgetvalue(res, i, 0),
                                (size_t)PQgetlength(res, i, 0));
      if (!key) {
        rc = maat__fail(MAAT_ENOMEM, "out of memory");
        break;
      }
      rc = fn(ctx, scrub_cols[c].table, PQgetvalue(res, i, 1),
              (size_t)PQgetlength(res, i, 1), &out, &outlen);
      if (!rc && out) {
        const char *u[2] = { out, key };
        int ul[2] = { (int)outlen, 0 };
        int ub[2] = { scrub_cols[c].blob, 0 };
        PGresult *r2;
        /* Text goes as text (a bytea would need decoding). */
        if (!scrub_cols[c].blob) {
          char *s = maat__strndup(out, outlen);
          if (!s) {
            rc = maat__fail(MAAT_ENOMEM, "out of memory");
          } else {
            u[0] = s;
            r2 = run(p->w, sql, 2, u, NULL, NULL, 0);
            if (PQresultStatus(r2) != PGRES_COMMAND_OK)
              rc = fail_pg(p, p->w, r2, "cannot overwrite");
            PQclear(r2);
            maat__free(s);
          }
        } else {
          r2 = run(p->w, sql, 2, u, ul, ub, 0);
          if (PQresultStatus(r2) != PGRES_COMMAND_OK)
            rc = fail_pg(p, p->w, r2, "cannot overwrite");
          PQclear(r2);
        }
      }
      maat__free(out);
      maat__free(key);
    }
    PQclear(res);
  }
  maat__free(nt);
  return rc;
}

static int pg_compact(void *b)
{
  /* Rewrites the tables without the dead rows' old versions. */
  return exec_w(b, "VACUUM FULL", 0, NULL, NULL, "cannot compact");
}

static int pg_purge(void *b, const char *what, double before, long *n)
{
  static const struct { const char *what, *sql; } q[] = {
    { "audit", "DELETE FROM audit WHERE at < $1" },
    { "checkins", "DELETE FROM checkins WHERE t < $1" },
    { "contacts", "DELETE FROM contacts WHERE closed < $1" },
    { "bot_outcomes", "DELETE FROM bot_outcomes WHERE t < $1" },
    { "kb_questions", "DELETE FROM kb_questions WHERE t < $1" },
  };
  char bb[32];
  const char *v[1] = { NUM(bb, before) };

  for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
    if (!strcmp(q[i].what, what))
      return exec_w(b, q[i].sql, 1, v, n, "cannot purge");
  return maat__fail(MAAT_EINVAL, "store: nothing called '%s' to purge", what);
}

static int pg_checkins_erase(void *b, const char *agent, long *n)
{
  const char *v[1] = { agent };
  return exec_w(b, "DELETE FROM checkins WHERE agent = $1", 1, v, n,
                "cannot erase the check-ins");
}

static int unhex(char c)
{
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                                                : 0;
}

static int pg_dump(void *b, const char *table,
                   int (*fn)(void *, const char *const *, const size_t *,
                             int),
                   void *ctx)
{
  struct pg *p = b;
  const struct maat__table *t = maat__store_table(table);
  char sql[500];
  size_t n = 0;
  PGresult *res;
  int rc = MAAT_OK;

  if (!t)
    return maat__fail(MAAT_EINVAL, "store: no table %s", table);
  n += (size_t)snprintf(sql + n, sizeof sql - n, "SELECT ");
  for (int i = 0; i < t->ncols; i++)
    n += (size_t)snprintf(sql + n, sizeof sql - n, i == t->blob
                          ? "%sencode(%s, 'hex')" : "%s%s", i ? ", " : "",
                          t->cols[i]);
  snprintf(sql + n, sizeof sql - n, " FROM %s ORDER BY %s", t->name,
           !strcmp(t->key, "key") || !strcmp(t->key, "id, version")
               ? (!strcmp(t->key, "key") ? "key COLLATE \"C\""
                                        : "id COLLATE \"C\", version")
           : !strcmp(t->name, "contacts") ? "id COLLATE \"C\"" : t->key);
  pthread_mutex_lock(&p->rmu);
  res = PQexec(p->r, sql);
  pthread_mutex_unlock(&p->rmu);
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    rc = fail_pg(p, p->r, res, "cannot read a table");
    PQclear(res);
    return rc;
  }
  for (int r = 0; r < PQntuples(res) && !rc; r++) {
    const char *v[14];
    size_t len[14];
    char *bytes = NULL;
    for (int i = 0; i < t->ncols; i++) {
      v[i] = val(res, r, i);
      len[i] = v[i] ? (size_t)PQgetlength(res, r, i) : 0;
      if (i == t->blob && v[i]) {
        size_t m = len[i] / 2;
        if (!(bytes = maat__malloc(m ? m : 1))) {
          rc = maat__fail(MAAT_ENOMEM, "out of memory");
          break;
        }
        for (size_t k = 0; k < m; k++)
          bytes[k] = (char)(unhex(v[i][2 * k]) << 4 | unhex(v[i][2 * k + 1]));
        v[i] = bytes;
        len[i] = m;
      }
    }
    if (!rc)
      rc = fn(ctx, v, len, t->ncols);
    maat__free(bytes);
  }
  PQclear(res);
  return rc;
}

static int pg_load(void *b, const char *table, const char *const *v,
                   const size_t *len, int n)
{
  struct pg *p = b;
  const struct maat__table *t = maat__store_table(table);
  char sql[500], *copies[14] = { 0 };
  const char *vals[14];
  int lens[14], bin[14];
  size_t k = 0;
  PGresult *res;
  int rc = MAAT_OK;

  if (!t || n != t->ncols)
    return maat__fail(MAAT_EINVAL, "store: no table %s", table);
  k += (size_t)snprintf(sql + k, sizeof sql - k, "INSERT INTO %s (", t->name);
  for (int i = 0; i < n; i++)
    k += (size_t)snprintf(sql + k, sizeof sql - k, "%s%s", i ? ", " : "",
                          t->cols[i]);
  k += (size_t)snprintf(sql + k, sizeof sql - k, ") VALUES (");
  for (int i = 0; i < n; i++)
    k += (size_t)snprintf(sql + k, sizeof sql - k, "%s$%d", i ? ", " : "",
                          i + 1);
  snprintf(sql + k, sizeof sql - k, ")");
  for (int i = 0; i < n && !rc; i++) {
    bin[i] = i == t->blob;
    lens[i] = (int)len[i];
    if (!v[i] || bin[i]) {
      vals[i] = v[i];
    } else if (!(copies[i] = maat__strndup(v[i], len[i]))) {
      rc = maat__fail(MAAT_ENOMEM, "out of memory");
    } else {
      vals[i] = copies[i];
    }
  }
  if (!rc) {
    res = run(p->w, sql, n, vals, lens, bin, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
      rc = fail_pg(p, p->w, res, "cannot copy a row");
    PQclear(res);
  }
  for (int i = 0; i < n; i++)
    maat__free(copies[i]);
  return rc;
}

static int pg_loaded(void *b)
{
  /* The sequences past the ids the copy brought. */
  for (int t = 0; t < maat__store_ntables; t++) {
    const struct maat__table *tb = &maat__store_tables[t];
    char sql[300];
    int rc;
    if (strcmp(tb->key, "seq") && strcmp(tb->key, "id"))
      continue;
    if (!strcmp(tb->name, "contacts"))
      continue;
    snprintf(sql, sizeof sql, "SELECT setval(pg_get_serial_sequence('%s', "
             "'%s'), coalesce(max(%s), 0) + 1, false) FROM %s", tb->name,
             tb->key, tb->key, tb->name);
    if ((rc = exec_w(b, sql, 0, NULL, NULL, "cannot move a sequence")))
      return rc;
  }
  return MAAT_OK;
}

/* ---- several nodes: the inbox and notifications ---- */

static int pg_inbox_put(void *b, const char *request, double now,
                        int64_t *id)
{
  char tb[32];
  const char *v[2] = { NUM(tb, now), request };

  /* The notification goes out with the commit, and only then. */
  return reading(b, 1, "WITH i AS (INSERT INTO inbox (created, request) "
                 "VALUES ($1, $2) RETURNING id) SELECT id, "
                 "pg_notify('maat_inbox', id::text) FROM i", 2, v, row_i64,
                 id, 1, "cannot keep a request");
}

static void inbox_of(const PGresult *res, int i, struct maat_store_inbox *r)
{
  memset(r, 0, sizeof *r);
  r->id = i64(res, i, 0);
  r->created = num(res, i, 1);
  r->state = (int)i64(res, i, 2);
  r->tries = (int)i64(res, i, 3);
  r->status = (int)i64(res, i, 4);
  r->request = text(res, i, 5);
  r->response = val(res, i, 6);
}

struct inbox_call {
  int (*fn)(void *, const struct maat_store_inbox *);
  void *ctx;
};

static int row_inbox(const PGresult *res, int i, void *ctx)
{
  struct inbox_call *c = ctx;
  struct maat_store_inbox r;
  int rc;

  inbox_of(res, i, &r);
  rc = c->fn(c->ctx, &r);
  return rc ? rc : ROW_STOP;
}

/*
 * Claims and answers go on a connection of their own, each statement its
 * own transaction, beside the log's writes rather than between them; and
 * without waiting for the flush (synchronous_commit off): a claim or an
 * answer a crash of PostgreSQL loses only sends the request round again,
 * and what it did is marked in the log's own durable commit.
 */
static int q_run(struct pg *p, const char *sql, int n,
                 const char *const *vals,
                 int (*row)(const PGresult *, int, void *), void *ctx,
                 int need, long *changed, const char *what)
{
  PGresult *res;
  int rc = MAAT_OK;

  pthread_mutex_lock(&p->qmu);
  if (p->q && PQstatus(p->q) != CONNECTION_OK) {
    PQfinish(p->q);
    p->q = NULL;
  }
  if (!p->q && (p->q = connect_to(p, p->conninfo, &rc)))
    PQclear(PQexec(p->q, "SET synchronous_commit = off"));
  if (!p->q) {
    pthread_mutex_unlock(&p->qmu);
    return rc;
  }
  res = run(p->q, sql, n, vals, NULL, NULL, 0);
  if (PQresultStatus(res) == PGRES_COMMAND_OK) {
    if (changed)
      *changed = strtol(PQcmdTuples(res), NULL, 10);
  } else if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    rc = fail_pg(p, p->q, res, what);
  } else {
    int rows = PQntuples(res);
    if (changed)
      *changed = rows;
    for (int i = 0; row && i < rows && !rc; i++)
      rc = row(res, i, ctx);
    if (rc == ROW_STOP)
      rc = MAAT_OK;
    else if (!rc && need && !rows)
      rc = MAAT_ENOTFOUND;
  }
  PQclear(res);
  pthread_mutex_unlock(&p->qmu);
  return rc;
}

static int pg_inbox_claim(void *b, const char *node, double now,
                          int (*fn)(void *, const struct maat_store_inbox *),
                          void *ctx)
{
  char tb[32];
  const char *v[2] = { node, NUM(tb, now) };
  struct inbox_call c = { fn, ctx };

  /* As job queues on PostgreSQL claim: the oldest row no one else has
   * locked, taken by a conditional update in the same statement. */
  return q_run(b, "UPDATE inbox SET state = 1, node = $1, taken = $2, "
               "tries = tries + 1 WHERE id = (SELECT id FROM inbox WHERE "
               "state = 0 ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1) "
               "RETURNING id, created, state, tries, status, request, "
               "response", 2, v, row_inbox, &c, 1, NULL,
               "cannot claim a request");
}

static int pg_inbox_finish(void *b, int64_t id, int status,
                           const char *response)
{
  char ib[32], sb[32];
  const char *v[3] = { INT(ib, id), INT(sb, status), response };
  long n = 0;
  /* The answer and its notification in one statement: one commit. */
  int rc = q_run(b, "WITH u AS (UPDATE inbox SET state = 2, status = $2, "
                 "response = $3 WHERE id = $1 AND state = 1 RETURNING id) "
                 "SELECT pg_notify('maat_inbox_done', id::text) FROM u", 3,
                 v, NULL, NULL, 0, &n, "cannot answer a request");

  if (!rc && n == 0)
    return maat__fail(MAAT_ESTATE, "inbox request %lld is not taken",
                      (long long)id);
  return rc;
}

static int pg_inbox_get(void *b, int64_t id,
                        int (*fn)(void *, const struct maat_store_inbox *),
                        void *ctx)
{
  char ib[32];
  const char *v[1] = { INT(ib, id) };
  struct inbox_call c = { fn, ctx };

  return reading(b, 0, "SELECT id, created, state, tries, status, request, "
                 "response FROM inbox WHERE id = $1", 1, v, row_inbox, &c, 1,
                 "cannot read a request");
}

static int pg_inbox_release(void *b, const char *node, long *n)
{
  const char *v[1] = { node };
  int rc = q_run(b, "UPDATE inbox SET state = 0 WHERE state = 1 AND node "
                 "<> $1", 1, v, NULL, NULL, 0, n, "cannot release requests");

  if (!rc && *n)
    rc = q_run(b, "NOTIFY maat_inbox", 0, NULL, NULL, NULL, 0, NULL,
               "cannot notify");
  return rc;
}

static int row_long(const PGresult *res, int i, void *ctx)
{
  *(long *)ctx = (long)i64(res, i, 0);
  return ROW_STOP;
}

static int pg_inbox_purge(void *b, double before, long *n, long *waiting)
{
  char tb[32];
  const char *v[1] = { NUM(tb, before) };
  int rc = q_run(b, "DELETE FROM inbox WHERE state = 2 AND created < $1",
                 1, v, NULL, NULL, 0, n, "cannot purge the inbox");

  *waiting = 0;
  if (!rc)
    rc = q_run(b, "SELECT count(*) FROM inbox WHERE state < 2", 0, NULL,
               row_long, waiting, 0, NULL, "cannot count the inbox");
  return rc;
}

static int pg_listen(void *b, const char *channel)
{
  struct pg *p = b;
  char sql[64];
  PGresult *res;
  int rc = MAAT_OK;

  if (!p->n && !(p->n = connect_to(p, p->conninfo, &rc)))
    return rc;
  /* The channel is one of the store's own names (store_nodes.c). */
  snprintf(sql, sizeof sql, "LISTEN %s", channel);
  res = PQexec(p->n, sql);
  if (PQresultStatus(res) != PGRES_COMMAND_OK)
    rc = fail_pg(p, p->n, res, "cannot listen");
  PQclear(res);
  return rc;
}

static int pg_wait(void *b, int timeout_ms, char *chan, size_t ccap,
                   char *payload, size_t pcap)
{
  struct pg *p = b;
  PGnotify *nt;
  struct pollfd pfd;

  if (!p->n)
    return maat__fail(MAAT_ESTATE, "store: wait: nothing listened to");
  for (int round = 0; round < 2; round++) {
    if (!PQconsumeInput(p->n))
      return maat__fail(MAAT_EDB, "store '%s': the notification connection "
                        "was lost: %s", p->uri, PQerrorMessage(p->n));
    if ((nt = PQnotifies(p->n))) {
      snprintf(chan, ccap, "%s", nt->relname);
      snprintf(payload, pcap, "%s", nt->extra ? nt->extra : "");
      PQfreemem(nt);
      return 1;
    }
    if (round)
      break;
    pfd.fd = PQsocket(p->n);
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (pfd.fd < 0)
      return maat__fail(MAAT_EDB, "store '%s': the notification connection "
                        "was lost", p->uri);
    if (poll(&pfd, 1, timeout_ms) <= 0)
      return 0;
  }
  return 0;
}

const struct maat__store_ops maat__store_pg = {
  "postgresql", pg_open, pg_close,
  pg_bind_run, pg_meta_get, pg_meta_set,
  pg_lock_writer,
  pg_begin, pg_commit, pg_rollback,
  pg_event_append, pg_decision_append, pg_event_stats, pg_events,
  pg_decisions, pg_snapshot_put, pg_snapshot_latest,
  pg_token_insert, pg_token_find, pg_tokens, pg_token_revoke,
  pg_audit_append, pg_audits,
  pg_checkin_add, pg_checkins, pg_energy_by_kind,
  pg_contact_put, pg_contact_get, pg_bot_outcome_add, pg_bot_outcomes,
  pg_outbox_add, pg_outbox_due, pg_outbox_mark, pg_outbox_list,
  pg_outbox_counts,
  pg_article_put, pg_articles, pg_kb_link_add, pg_kb_links,
  pg_kb_question_add, pg_kb_questions,
  pg_rec_add, pg_rec_set, pg_recs, pg_rec_delete,
  pg_scrub, pg_compact, pg_purge, pg_checkins_erase,
  pg_dump, pg_load, pg_loaded,
  pg_inbox_put, pg_inbox_claim, pg_inbox_finish, pg_inbox_get,
  pg_inbox_release, pg_inbox_purge, pg_listen, pg_wait,
};

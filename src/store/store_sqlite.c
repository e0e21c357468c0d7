/*
 * store_sqlite.c - the SQLite backend of the store: one file in WAL mode
 * with synchronous=FULL, so a commit is on disk when it returns and what
 * was acknowledged after it survives a kill -9 and a power cut. Writes go
 * through one connection; reads through a second, so that on the WAL a
 * read never waits for a commit's fsync. The schema is versioned with
 * PRAGMA user_version; each migration step runs in its own transaction.
 * This file and its siblings are the only ones that know SQL.
 */
#include "store-int.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* Each step takes the schema from version i to i + 1. */
static const char *const migrations[] = {
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
  "CREATE TABLE events (seq INTEGER PRIMARY KEY, t REAL NOT NULL,"
  "  line TEXT NOT NULL);"
  "CREATE TABLE decisions (seq INTEGER PRIMARY KEY,"
  "  event_seq INTEGER NOT NULL, line TEXT NOT NULL);",
  /* 2: access tokens (hashed), the audit log and check-ins. */
  "CREATE TABLE tokens (id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE,"
  "  role TEXT NOT NULL, agent TEXT, created REAL NOT NULL, revoked REAL);"
  "CREATE TABLE audit (seq INTEGER PRIMARY KEY, at REAL NOT NULL,"
  "  token INTEGER, role TEXT, method TEXT NOT NULL, path TEXT NOT NULL,"
  "  status INTEGER NOT NULL, detail TEXT);"
  "CREATE TABLE checkins (seq INTEGER PRIMARY KEY, agent TEXT NOT NULL,"
  "  contact TEXT NOT NULL, t REAL NOT NULL, energy INTEGER NOT NULL,"
  "  note TEXT, intent TEXT, tone TEXT);"
  "CREATE INDEX checkins_agent ON checkins (agent, seq);",
  /* 3: the outcomes of contacts the bot took (the router forgets them). */
  "CREATE TABLE bot_outcomes (seq INTEGER PRIMARY KEY, contact TEXT NOT NULL,"
  "  t REAL NOT NULL, outcome TEXT);",
  /* 4: snapshots of the engine's state, records of closed contacts. */
  "CREATE TABLE snapshots (seq INTEGER PRIMARY KEY,"
  "  event_seq INTEGER NOT NULL, data BLOB NOT NULL);"
  "CREATE TABLE contacts (id TEXT PRIMARY KEY, closed REAL NOT NULL,"
  "  record TEXT NOT NULL);"
  "CREATE INDEX decisions_event ON decisions (event_seq);",
  /* 5: the outbox: calls to other systems, committed with their cause. */
  "CREATE TABLE outbox (id INTEGER PRIMARY KEY, created REAL NOT NULL,"
  "  kind TEXT NOT NULL, key TEXT UNIQUE, method TEXT NOT NULL,"
  "  url TEXT NOT NULL, headers TEXT, body TEXT NOT NULL,"
  "  attempts INTEGER NOT NULL DEFAULT 0, state INTEGER NOT NULL DEFAULT 0,"
  "  next_at REAL NOT NULL, last_error TEXT, done_at REAL NOT NULL"
  "  DEFAULT 0);"
  "CREATE INDEX outbox_due ON outbox (state, next_at);",
  /* 6: the knowledge base: articles by version, the questions each
   * answered well, and every question asked (for the gaps). */
  "CREATE TABLE kb_articles (id TEXT NOT NULL, version INTEGER NOT NULL,"
  "  t REAL NOT NULL, status INTEGER NOT NULL, title TEXT NOT NULL,"
  "  body TEXT NOT NULL, lang TEXT NOT NULL, url TEXT NOT NULL,"
  "  tags TEXT NOT NULL, owner TEXT NOT NULL, PRIMARY KEY (id, version));"
  "CREATE TABLE kb_links (seq INTEGER PRIMARY KEY, article TEXT NOT NULL,"
  "  question TEXT NOT NULL, t REAL NOT NULL);"
  "CREATE TABLE kb_questions (seq INTEGER PRIMARY KEY, t REAL NOT NULL,"
  "  question TEXT NOT NULL, lang TEXT NOT NULL, answered INTEGER NOT NULL,"
  "  confidence REAL NOT NULL, article TEXT NOT NULL, source TEXT NOT NULL);"
  "CREATE INDEX kb_questions_t ON kb_questions (t);",
  /* 7: kept records of the learning loop and the data classes:
   * corrections, the customer's redacted words, the model registry. */
  "CREATE TABLE records (id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
  "  key TEXT NOT NULL, t REAL NOT NULL, state INTEGER NOT NULL,"
  "  body TEXT NOT NULL);"
  "CREATE INDEX records_kind ON records (kind, key);",
  /* 8: the inbox of several nodes (PostgreSQL's; here for the same
   * schema, never written). */
  "CREATE TABLE inbox (id INTEGER PRIMARY KEY, created REAL NOT NULL,"
  "  state INTEGER NOT NULL DEFAULT 0, node TEXT NOT NULL DEFAULT '',"
  "  taken REAL NOT NULL DEFAULT 0, tries INTEGER NOT NULL DEFAULT 0,"
  "  request TEXT NOT NULL, status INTEGER NOT NULL DEFAULT 0,"
  "  response TEXT);",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))
_Static_assert(SCHEMA_VERSION == MAAT_STORE_SCHEMA, "schema versions differ");

/* Statements prepared once, on the connection named after them. */
enum {
  W_EVENT, W_DECISION, W_AUDIT, W_CONTACT, W_CHECKIN, W_OUTCOME,
  R_TOKEN, R_CONTACT, NSTMT
};
static const char *const stmt_sql[NSTMT] = {
  "INSERT INTO events (t, line) VALUES (?, ?)",
  "INSERT INTO decisions (event_seq, line) VALUES (?, ?)",
  "INSERT INTO audit (at, token, role, method, path, status, detail) "
  "VALUES (?, ?, ?, ?, ?, ?, ?)",
  "INSERT OR REPLACE INTO contacts (id, closed, record) VALUES (?, ?, ?)",
  "INSERT INTO checkins (agent, contact, t, energy, note, intent, tone) "
  "VALUES (?, ?, ?, ?, ?, ?, ?)",
  "INSERT INTO bot_outcomes (contact, t, outcome) VALUES (?, ?, ?)",
  "SELECT id, role, agent, created FROM tokens WHERE hash = ? AND "
  "revoked IS NULL",
  "SELECT record FROM contacts WHERE id = ?",
};

struct sq {
  sqlite3 *w, *r;
  int lock_fd;             /* the writer's lock file; -1: not the writer */
  pthread_mutex_t rmu;     /* one reader at a time on 'r' */
  sqlite3_stmt *st[NSTMT];
  char *path;
};

static int fail_db(struct sq *q, sqlite3 *db, const char *what)
{
  int e = sqlite3_errcode(db);

  if (e == SQLITE_BUSY || e == SQLITE_LOCKED)
    return maat__fail(MAAT_EBUSY, "store '%s': %s: the database is busy "
                      "(another process is writing)", q->path, what);
  return maat__fail(MAAT_EDB, "store '%s': %s: %s", q->path, what,
                    sqlite3_errmsg(db));
}

static int exec(struct sq *q, sqlite3 *db, const char *sql)
{
  if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return fail_db(q, db, "cannot run a statement");
  return MAAT_OK;
}

static int prep(struct sq *q, sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
  if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
    return fail_db(q, db, "cannot prepare a statement");
  return MAAT_OK;
}

/* Runs a prepared statement that returns no rows, then resets it. */
static int done(struct sq *q, sqlite3 *db, sqlite3_stmt *st, const char *what)
{
  int rc = sqlite3_step(st) == SQLITE_DONE ? MAAT_OK : fail_db(q, db, what);

  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
  if (s)
    sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(st, i);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
  const char *s = (const char *)sqlite3_column_text(st, i);
  return s ? s : "";
}

static int migrate(struct sq *q)
{
  sqlite3_stmt *st;
  long v = 0;
  int rc;

  if ((rc = prep(q, q->w, "PRAGMA user_version", &st)))
    return rc;
  if (sqlite3_step(st) == SQLITE_ROW)
    v = (long)sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  if (v > SCHEMA_VERSION)
    return maat__fail(MAAT_EFORMAT, "store '%s' has schema version %ld; "
                      "this build reads up to %d", q->path, v,
                      SCHEMA_VERSION);
  for (; v < SCHEMA_VERSION; v++) {
    char sql[64];
    if ((rc = exec(q, q->w, "BEGIN IMMEDIATE")))
      return rc;
    snprintf(sql, sizeof sql, "PRAGMA user_version = %ld", v + 1);
    if ((rc = exec(q, q->w, migrations[v])) || (rc = exec(q, q->w, sql)) ||
        (rc = exec(q, q->w, "COMMIT"))) {
      sqlite3_exec(q->w, "ROLLBACK", NULL, NULL, NULL);
      return rc;
    }
  }
  return MAAT_OK;
}

static void sq_close(void *b)
{
  struct sq *q = b;

  if (!q)
    return;
  for (int i = 0; i < NSTMT; i++)
    sqlite3_finalize(q->st[i]);
  sqlite3_close(q->r);
  sqlite3_close(q->w);
  if (q->lock_fd >= 0)
    close(q->lock_fd);  /* releases the lock */
  pthread_mutex_destroy(&q->rmu);
  maat__free(q->path);
  maat__free(q);
}

static int open_conn(struct sq *q, sqlite3 **db, int flags)
{
  if (sqlite3_open_v2(q->path, db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
      SQLITE_OK) {
    int rc = maat__fail(MAAT_EDB, "cannot open store '%s': %s", q->path,
                        *db ? sqlite3_errmsg(*db) : "out of memory");
    return rc;
  }
  sqlite3_busy_timeout(*db, 5000);
  return MAAT_OK;
}

/*
 * The writer's lock: flock() on "PATH.lock" beside the database, held
 * while the store is open and dropped by the kernel when the process ends,
 * kill -9 included, so a stale lock never needs clearing by hand. The file
 * says who holds it, for the error the next one gets.
 */
static int sq_lock_writer(void *b, int wait)
{
  (void)wait;
  struct sq *q = b;
  char lp[4096], who[96];
  ssize_t n;
  int fd;

  if (q->lock_fd >= 0)
    return MAAT_OK;
  if (snprintf(lp, sizeof lp, "%s.lock", q->path) >= (int)sizeof lp)
    return maat__fail(MAAT_EINVAL, "store '%s': path too long", q->path);
  fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return maat__fail(MAAT_EIO, "store '%s': cannot open its lock file "
                      "'%s': %s", q->path, lp, strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    n = pread(fd, who, sizeof who - 1, 0);
    who[n > 0 ? n : 0] = '\0';
    who[strcspn(who, "\n")] = '\0';
    close(fd);
    if (e == EWOULDBLOCK)
      return maat__fail(MAAT_EBUSY, "store '%s' is in use by another maat "
                        "process (%s): one process writes a store at a time; "
                        "stop it first (several nodes need a PostgreSQL "
                        "store)", q->path, who[0] ? who : "unknown pid");
    return maat__fail(MAAT_EIO, "store '%s': cannot lock '%s': %s",
                      q->path, lp, strerror(e));
  }
  n = snprintf(who, sizeof who, "pid %ld\n", (long)getpid());
  if (ftruncate(fd, 0) != 0 || pwrite(fd, who, (size_t)n, 0) != n) {
    /* The lock holds; only the note for the next one is missing. */
  }
  q->lock_fd = fd;
  return MAAT_OK;
}

static int sq_open(void **out, const char *path)
{
  struct sq *q = maat__calloc(1, sizeof *q);
  int rc;

  if (!q || !(q->path = maat__strdup(path))) {
    maat__free(q);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  pthread_mutex_init(&q->rmu, NULL);
  q->lock_fd = -1;
  if ((rc = open_conn(q, &q->w, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) ||
      (rc = exec(q, q->w, "PRAGMA journal_mode = WAL")) ||
      (rc = exec(q, q->w, "PRAGMA synchronous = FULL")) ||
      (rc = migrate(q)) ||
      (rc = open_conn(q, &q->r, SQLITE_OPEN_READONLY)))
    goto fail;
  for (int i = 0; i < NSTMT; i++)
    if ((rc = prep(q, i >= R_TOKEN ? q->r : q->w, stmt_sql[i], &q->st[i])))
      goto fail;
  *out = q;
  return MAAT_OK;
fail:
  sq_close(q);
  return rc;
}

/*
 * A read on the read connection, under its lock: 'sql' (or the prepared
 * 'st', reset afterwards), with 'key' bound to ?1 when not NULL and 'num'
 * to the next parameter when 'use_num'; 'row' is called for each row until
 * it returns nonzero (ROW_STOP: stop, not an error). With 'need', no row
 * is MAAT_ENOTFOUND.
 */
#define ROW_STOP (-1000)  /* no MAAT_E* code, nor a caller's usual value */
static int reading(struct sq *q, const char *sql, sqlite3_stmt *prepared,
                   const char *key, int use_num, int64_t num,
                   int (*row)(sqlite3_stmt *st, void *ctx), void *ctx,
                   int need, const char *what)
{
  sqlite3_stmt *st = prepared;
  int rc = MAAT_OK, step, rows = 0, k = 1;

  pthread_mutex_lock(&q->rmu);
  if (!st && (rc = prep(q, q->r, sql, &st))) {
    pthread_mutex_unlock(&q->rmu);
    return rc;
  }
  if (key)
    sqlite3_bind_text(st, k++, key, -1, SQLITE_STATIC);
  if (use_num)
    sqlite3_bind_int64(st, k, num);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    rows++;
    if ((rc = row(st, ctx)))
      break;
  }
  if (rc == ROW_STOP)
    rc = MAAT_OK;
  else if (!rc && step != SQLITE_DONE)
    rc = fail_db(q, q->r, what);
  else if (!rc && need && !rows)
    rc = MAAT_ENOTFOUND;
  if (prepared) {
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  } else {
    sqlite3_finalize(st);
  }
  pthread_mutex_unlock(&q->rmu);
  return rc;
}

/* The first column of the first row as owned text. */
static int row_text(sqlite3_stmt *st, void *ctx)
{
  char **out = ctx;
  *out = maat__strndup(col_text(st, 0), (size_t)sqlite3_column_bytes(st, 0));
  return *out ? ROW_STOP : maat__fail(MAAT_ENOMEM, "out of memory");
}

/* ---- run identity and settings ---- */

static int sq_meta_get(void *b, const char *key, char **value)
{
  return reading(b, "SELECT value FROM meta WHERE key = ?", NULL, key, 0, 0,
                 row_text, value, 1, "cannot read a setting");
}

static int sq_meta_set(void *b, const char *key, const char *value)
{
  struct sq *q = b;
  sqlite3_stmt *st;
  int rc = prep(q, q->w, "INSERT OR REPLACE INTO meta VALUES (?, ?)", &st);

  if (rc)
    return rc;
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
  rc = done(q, q->w, st, "cannot write a setting");
  sqlite3_finalize(st);
  return rc;
}

static int sq_bind_run(void *b, const char *run)
{
  struct sq *q = b;
  sqlite3_stmt *st;
  int rc = prep(q, q->w, "SELECT value FROM meta WHERE key = 'config'", &st);

  if (rc)
    return rc;
  switch (sqlite3_step(st)) {
  case SQLITE_ROW:
    if (strcmp(col_text(st, 0), run))
      rc = maat__fail(MAAT_ESTATE, "store '%s' belongs to another run (%s), "
                      "not %s", q->path, col_text(st, 0), run);
    break;
  case SQLITE_DONE:
    rc = sq_meta_set(b, "config", run);
    break;
  default:
    rc = fail_db(q, q->w, "cannot read the run's identity");
  }
  sqlite3_finalize(st);
  return rc;
}

/* ---- transactions ---- */

static int sq_begin(void *b)
{
  struct sq *q = b;
  return exec(q, q->w, "BEGIN IMMEDIATE");
}

static int sq_commit(void *b)
{
  struct sq *q = b;
  return exec(q, q->w, "COMMIT");
}

static int sq_rollback(void *b)
{
  struct sq *q = b;

  if (sqlite3_get_autocommit(q->w))
    return MAAT_OK;
  return exec(q, q->w, "ROLLBACK");
}

/* ---- the event log and snapshots ---- */

static int sq_event_append(void *b, double t, const char *line, size_t len,
                           int64_t *seq)
{
  struct sq *q = b;
  sqlite3_stmt *st = q->st[W_EVENT];
  int rc;

  sqlite3_bind_double(st, 1, t);
  sqlite3_bind_text(st, 2, line, (int)len, SQLITE_STATIC);
  rc = done(q, q->w, st, "cannot append an event");
  if (!rc)
    *seq = sqlite3_last_insert_rowid(q->w);
  return rc;
}

static int sq_decision_append(void *b, int64_t event_seq, const char *line,
                              size_t len)
{
  struct sq *q = b;
  sqlite3_stmt *st = q->st[W_DECISION];

  sqlite3_bind_int64(st, 1, event_seq);
  sqlite3_bind_text(st, 2, line, (int)len, SQLITE_STATIC);
  return done(q, q->w, st, "cannot append a decision");
}

static int row_stats(sqlite3_stmt *st, void *ctx)
{
  int64_t *v = ctx;
  v[0] = sqlite3_column_int64(st, 0);
  v[1] = sqlite3_column_int64(st, 1);
  return ROW_STOP;
}

static int sq_event_stats(void *b, int64_t *count, int64_t *last)
{
  int64_t v[2] = { 0, 0 };
  int rc = reading(b, "SELECT count(*), coalesce(max(seq), 0) FROM events",
                   NULL, NULL, 0, 0, row_stats, v, 1,
                   "cannot count the events");
  *count = v[0];
  *last = v[1];
  return rc;
}

/*
 * Walks rows (int64, text) of 'sql' bound to 'after' on a connection of
 * its own, so that the callback may write to the store meanwhile.
 */
static int walk(struct sq *q, const char *sql, int64_t after,
                int (*fn)(void *, int64_t, const char *, size_t), void *ctx)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  int rc, step;

  if ((rc = open_conn(q, &db, SQLITE_OPEN_READONLY)) ||
      (rc = prep(q, db, sql, &st)))
    goto out;
  sqlite3_bind_int64(st, 1, after);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    rc = fn(ctx, sqlite3_column_int64(st, 0), col_text(st, 1),
            (size_t)sqlite3_column_bytes(st, 1));
    if (rc)
      goto out;
  }
  if (step != SQLITE_DONE)
    rc = fail_db(q, db, "cannot read the log");
out:
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}

static int sq_events(void *b, int64_t after,
                     int (*fn)(void *, int64_t, const char *, size_t),
                     void *ctx)
{
  return walk(b, "SELECT seq, line FROM events WHERE seq > ? ORDER BY seq",
              after, fn, ctx);
}

static int sq_decisions(void *b, int64_t after,
                        int (*fn)(void *, int64_t, const char *, size_t),
                        void *ctx)
{
  return walk(b, "SELECT event_seq, line FROM decisions WHERE event_seq > ? "
              "ORDER BY seq", after, fn, ctx);
}

static int sq_snapshot_put(void *b, int64_t seq, const void *data,
                           size_t len)
{
  struct sq *q = b;
  sqlite3_stmt *st;
  int rc;

  /* Older snapshots are of no more use than the newest. */
  if ((rc = exec(q, q->w, "DELETE FROM snapshots")) ||
      (rc = prep(q, q->w, "INSERT INTO snapshots (event_seq, data) VALUES "
                 "(?, ?)", &st)))
    return rc;
  sqlite3_bind_int64(st, 1, seq);
  sqlite3_bind_blob(st, 2, data, (int)len, SQLITE_STATIC);
  rc = done(q, q->w, st, "cannot store a snapshot");
  sqlite3_finalize(st);
  return rc;
}

struct blob {
  int64_t seq;
  void *data;
  size_t len;
};

static int row_blob(sqlite3_stmt *st, void *ctx)
{
  struct blob *b = ctx;
  b->len = (size_t)sqlite3_column_bytes(st, 1);
  if (!(b->data = maat__malloc(b->len ? b->len : 1)))
    return maat__fail(MAAT_ENOMEM, "out of memory");
  if (b->len)
    memcpy(b->data, sqlite3_column_blob(st, 1), b->len);
  b->seq = sqlite3_column_int64(st, 0);
  return ROW_STOP;
}

static int sq_snapshot_latest(void *b, int64_t *seq, void **data, size_t *len)
{
  struct blob bl = { 0, NULL, 0 };
  int rc = reading(b, "SELECT event_seq, data FROM snapshots ORDER BY seq "
                   "DESC LIMIT 1", NULL, NULL, 0, 0, row_blob, &bl, 1,
                   "cannot read a snapshot");

  if (!rc) {
    *seq = bl.seq;
    *data = bl.data;
    *len = bl.len;
  }
  return rc;
}

/* ---- access ---- */

static int sq_token_insert(void *b, const struct maat_store_token *t,
                           int64_t *id)
{
  struct sq *q = b;
  sqlite3_stmt *st;
  int rc = prep(q, q->w, "INSERT INTO tokens (hash, role, agent, created) "
                "VALUES (?, ?, ?, ?)", &st);

  if (rc)
    return rc;
  sqlite3_bind_text(st, 1, t->hash, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, t->role, -1, SQLITE_STATIC);
  bind_text_or_null(st, 3, t->agent[0] ? t->agent : NULL);
  sqlite3_bind_double(st, 4, t->created);
  if (sqlite3_step(st) != SQLITE_DONE)
    rc = sqlite3_errcode(q->w) == SQLITE_CONSTRAINT
             ? maat__fail(MAAT_ESTATE, "store: that token exists already")
             : fail_db(q, q->w, "cannot store the token");
  else
    *id = sqlite3_last_insert_rowid(q->w);
  sqlite3_finalize(st);
  return rc;
}

static void token_row(sqlite3_stmt *st, struct maat_store_token *t)
{
  memset(t, 0, sizeof *t);
  t->id = sqlite3_column_int64(st, 0);
  snprintf(t->role, sizeof t->role, "%s", col_text(st, 1));
  snprintf(t->agent, sizeof t->agent, "%s", col_text(st, 2));
  t->created = sqlite3_column_double(st, 3);
}

static int row_token(sqlite3_stmt *st, void *ctx)
{
  token_row(st, ctx);
  return ROW_STOP;
}

static int sq_token_find(void *b, const char *hash,
                         struct maat_store_token *out)
{
  struct sq *q = b;
  int rc = reading(q, NULL, q->st[R_TOKEN], hash, 0, 0, row_token, out, 1,
                   "cannot look up a token");

  if (!rc)
    snprintf(out->hash, sizeof out->hash, "%s", hash);
  return rc;
}

struct each {
  void *fn;
  void *ctx;
  const char *key;
};

static int row_each_token(sqlite3_stmt *st, void *ctx)
{
  struct each *e = ctx;
  int (*fn)(void *, const struct maat_store_token *) = e->fn;
  struct maat_store_token t;

  token_row(st, &t);
  t.revoked = sqlite3_column_double(st, 4);
  snprintf(t.hash, sizeof t.hash, "%s", col_text(st, 5));
  return fn(e->ctx, &t);
}

static int sq_tokens(void *b, int (*fn)(void *, const struct maat_store_token *),
                     void *ctx)
{
  struct each e = { (void *)fn, ctx, NULL };
  return reading(b, "SELECT id, role, agent, created, revoked, hash FROM "
                 "tokens ORDER BY id", NULL, NULL, 0, 0, row_each_token, &e,
                 0, "cannot read the tokens");
}

static int sq_token_revoke(void *b, int64_t id, double at)
{
  struct sq *q = b;
  sqlite3_stmt *st;
  int rc = prep(q, q->w, "UPDATE tokens SET revoked = ? WHERE id = ? AND "
                "revoked IS NULL", &st);

  if (rc)
    return rc;
  sqlite3_bind_double(st, 1, at);
  sqlite3_bind_int64(st, 2, id);
  rc = done(q, q->w, st, "cannot revoke a token");
  if (!rc && sqlite3_changes(q->w) == 0)
    rc = maat__fail(MAAT_ENOTFOUND, "no valid token with id %lld",
                    (long long)id);
  sqlite3_finalize(st);
  return rc;
}

static int sq_audit_append(void *b, const struct maat_store_audit *a)
{
  struct sq *q = b;
  sqlite3_stmt *st = q->st[W_AUDIT];

  sqlite3_bind_double(st, 1, a->at);
  if (a->token)
    sqlite3_bind_int64(st, 2, a->token);
  bind_text_or_null(st, 3, a->role);
  sqlite3_bind_text(st, 4, a->method, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 5, a->path, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 6, a->status);
  bind_text_or_null(st, 7, a->detail);
  return done(q, q->w, st, "cannot write the audit");
}

static int row_audit(sqlite3_stmt *st, void *ctx)
{
  struct each *e = ctx;
  int (*fn)(void *, const struct maat_store_audit *) = e->fn;
  struct maat_store_audit a;

  a.at = sqlite3_column_double(st, 0);
  a.token = sqlite3_column_int64(st, 1);
  a.role = (const char *)sqlite3_column_text(st, 2);
  a.method = col_text(st, 3);
  a.path = col_text(st, 4);
  a.status = sqlite3_column_int(st, 5);
  a.detail = (const char *)sqlite3_column_text(st, 6);
  return fn(e->ctx, &a);
}

static int sq_audits(void *b, int (*fn)(void *, const struct maat_store_audit *),
                     void *ctx)
{
  struct each e = { (void *)fn, ctx, NULL };
  return reading(b, "SELECT at, token, role, method, path, status, detail "
                 "FROM audit ORDER BY seq", NULL, NULL, 0, 0, row_audit, &e,
                 0, "cannot read the audit");
}

/* ---- wellbeing ---- */

static int sq_checkin_add(void *b, const struct maat_store_checkin *c)
{
  struct sq *q = b;
  sqlite3_stmt *st = q->st[W_CHECKIN];

  sqlite3_bind_text(st, 1, c->agent, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, c->contact, -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(st, 3, c->t);
  sqlite3_bind_int(st, 4, c->energy);
  bind_text_or_null(st, 5, c->note);
  bind_text_or_null(st, 6, c->intent && *c->intent ? c->intent : NULL);
  sqlite3_bind_text(st, 7, c->tone, -1, SQLITE_TRANSIENT);
  return done(q, q->w, st, "cannot store the check-in");
}

static int row_checkin(sqlite3_stmt *st, void *ctx)
{
  struct each *e = ctx;
  int (*fn)(void *, const struct maat_store_checkin *) = e->fn;
  struct maat_store_checkin c;

  c.agent = e->key;
  c.contact = col_text(st, 0);
  c.t = sqlite3_column_double(st, 1);
  c.energy = sqlite3_column_int(st, 2);
  c.note = (const char *)sqlite3_column_text(st, 3);
  c.intent = (const char *)sqlite3_column_text(st, 4);
  c.tone = col_text(st, 5);
  return fn(e->ctx, &c);
}

/* 'since' is a number the caller computed, never text from outside. */
static int sq_checkins(void *b, const char *agent, double since, int limit,
                       int (*fn)(void *, const struct maat_store_checkin *),
                       void *ctx)
{
  struct each e = { (void *)fn, ctx, agent };
  char sql[200];

  snprintf(sql, sizeof sql, "SELECT contact, t, energy, note, intent, tone "
           "FROM checkins WHERE agent = ? AND t >= %.17g ORDER BY seq DESC "
           "LIMIT ?", isfinite(since) ? since : -1e300);
  return reading(b, sql, NULL, agent, 1, limit > 0 ? limit : -1, row_checkin,
                 &e, 0, "cannot read the check-ins");
}

static int row_kind(sqlite3_stmt *st, void *ctx)
{
  struct each *e = ctx;
  int (*fn)(void *, const char *, const char *, long, double) = e->fn;

  return fn(e->ctx, col_text(st, 0), col_text(st, 1),
            (long)sqlite3_column_int64(st, 2), sqlite3_column_double(st, 3));
}

static int sq_energy_by_kind(void *b, const char *agent, double since,
                             int (*fn)(void *, const char *, const char *,
                                       long, double),
                             void *ctx)
{
  struct each e = { (void *)fn, ctx, agent };
  char sql[240];

  snprintf(sql, sizeof sql, "SELECT coalesce(intent, '(none)'), tone, "
           "count(*), avg(energy) FROM checkins WHERE agent = ? AND t >= "
           "%.17g GROUP BY 1, 2 ORDER BY 4 DESC, 1, 2",
           isfinite(since) ? since : -1e300);
  return reading(b, sql, NULL, agent, 0, 0, row_kind, &e, 0,
                 "cannot read the check-ins");
}

/* ---- contacts ---- */

static int sq_contact_put(void *b, const char *id, double closed,
                          const char *record, size_t len)
{
  struct sq *q = b;
  sqlite3_stmt *st = q->st[W_CONTACT];

  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(st, 2, closed);
  sqlite3_bind_text(st, 3, record, (int)len, SQLITE_TRANSIENT);
  return done(q, q->w, st, "cannot store a contact");
}

static int sq_contact_get(void *b, const char *id, char **record, size_t *len)
{
  struct sq *q = b;
  int rc = reading(q, NULL, q->st[R_CONTACT], id, 0, 0, row_text, record, 1,
                   "cannot read a contact");

  if (!rc)
    *len = strlen(*record);
  return rc;
}

static int sq_bot_outcome_add(void *b, const char *contact, double t,
                              const char *outcome)
{
  struct sq *q = b;
  sqlite3_stmt *st = q->st[W_OUTCOME];

  sqlite3_bind_text(st, 1, contact, -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(st, 2, t);
  bind_text_or_null(st, 3, outcome);
  return done(q, q->w, st, "cannot store the outcome");
}

static int row_outcome(sqlite3_stmt *st, void *ctx)
{
  struct each *e = ctx;
  int (*fn)(void *, const char *, const char *) = e->fn;

  return fn(e->ctx, col_text(st, 0), (const char *)sqlite3_column_text(st,
                                                                       1));
}

static int sq_bot_outcomes(void *b,
                           int (*fn)(void *, const char *, const char *),
                           void *ctx)
{
  struct each e = { (void *)fn, ctx, NULL };
  return reading(b, "SELECT contact, outcome FROM bot_outcomes ORDER BY seq",
                 NULL, NULL, 0, 0, row_outcome, &e, 0,
                 "cannot read the outcomes");
}

/* ---- the outbox ---- */

#define OUTBOX_COLS "id, created, kind, key, method, url, headers, body, " \
  "attempts, state, next_at, last_error, done_at"

static int sq_outbox_add(void *b, const struct maat_store_outbox *o,
                         int64_t *id)
{
  struct sq *q = b;
  sqlite3_stmt *st;
  int rc;

  if ((rc = prep(q, q->w, "INSERT OR IGNORE INTO outbox (created, kind, key,"
                 " method, url, headers, body, attempts, state, next_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?)", &st)))
    return rc;
  sqlite3_bind_double(st, 1, o->created);
  sqlite3_bind_text(st, 2, o->kind, -1, SQLITE_STATIC);
  bind_text_or_null(st, 3, o->key);
  sqlite3_bind_text(st, 4, o->method, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, o->url, -1, SQLITE_STATIC);
  bind_text_or_null(st, 6, o->headers);
  sqlite3_bind_text(st, 7, o->body, -1, SQLITE_STATIC);
  sqlite3_bind_double(st, 8, o->next_at);
  rc = sqlite3_step(st) == SQLITE_DONE ? MAAT_OK
                                       : fail_db(q, q->w, "cannot queue a call");
  sqlite3_finalize(st);
  if (rc)
    return rc;
  if (sqlite3_changes(q->w) == 1) {
    *id = sqlite3_last_insert_rowid(q->w);
    return MAAT_OK;
  }
  /* The key was there: its row (on the writer: it may be uncommitted). */
  if ((rc = prep(q, q->w, "SELECT id FROM outbox WHERE key = ?", &st)))
    return rc;
  bind_text_or_null(st, 1, o->key);
  rc = sqlite3_step(st) == SQLITE_ROW ? MAAT_OK
                                      : fail_db(q, q->w, "cannot find a call");
  if (!rc)
    *id = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return rc;
}

static int row_outbox(sqlite3_stmt *st, void *ctx)
{
  struct each *e = ctx;
  int (*fn)(void *, const struct maat_store_outbox *) = e->fn;
  struct maat_store_outbox o;

  o.id = sqlite3_column_int64(st, 0);
  o.created = sqlite3_column_double(st, 1);
  o.kind = col_text(st, 2);
  o.key = (const char *)sqlite3_column_text(st, 3);
  o.method = col_text(st, 4);
  o.url = col_text(st, 5);
  o.headers = (const char *)sqlite3_column_text(st, 6);
  o.body = col_text(st, 7);
  o.attempts = sqlite3_column_int(st, 8);
  o.state = sqlite3_column_int(st, 9);
  o.next_at = sqlite3_column_double(st, 10);
  o.last_error = (const char *)sqlite3_column_text(st, 11);
  o.done_at = sqlite3_column_double(st, 12);
  return fn(e->ctx, &o);
}

static int sq_outbox_due(void *b, double now, int limit,
                         int (*fn)(void *, const struct maat_store_outbox *),
                         void *ctx)
{
  struct each e = { (void *)fn, ctx, NULL };
  char sql[200];

  snprintf(sql, sizeof sql, "SELECT " OUTBOX_COLS " FROM outbox WHERE "
           "state = 0 AND next_at <= %.17g ORDER BY id LIMIT ?",
           isfinite(now) ? now : 1e300);
  return reading(b, sql, NULL, NULL, 1, limit > 0 ? limit : -1, row_outbox,
                 &e, 0, "cannot read the outbox");
}

static int sq_outbox_mark(void *b, int64_t id, int state, int attempts,
                          double next_at, const char *error, double at)
{
  struct sq *q = b;
  sqlite3_stmt *st;
  int rc;

  if ((rc = prep(q, q->w, "UPDATE outbox SET state = ?, attempts = ?, "
                 "next_at = ?, last_error = ?, done_at = ? WHERE id = ?",
                 &st)))
    return rc;
  sqlite3_bind_int(st, 1, state);
  sqlite3_bind_int(st, 2, attempts);
  sqlite3_bind_double(st, 3, next_at);
  bind_text_or_null(st, 4, error);
  sqlite3_bind_double(st, 5, state == MAAT_OUTBOX_PENDING ? 0 : at);
  sqlite3_bind_int64(st, 6, id);
  rc = sqlite3_step(st) == SQLITE_DONE ? MAAT_OK
                                       : fail_db(q, q->w, "cannot mark a call");
  sqlite3_finalize(st);
  if (!rc && sqlite3_changes(q->w) != 1)
    rc = maat__fail(MAAT_ENOTFOUND, "no outbox row %lld", (long long)id);
  return rc;
}

static int sq_outbox_list(void *b, int state, int limit,
                          int (*fn)(void *, const struct maat_store_outbox *),
                          void *ctx)
{
  struct each e = { (void *)fn, ctx, NULL };
  char sql[160];

  snprintf(sql, sizeof sql, "SELECT " OUTBOX_COLS " FROM outbox WHERE "
           "state = %d ORDER BY id DESC LIMIT ?", state);
  return reading(b, sql, NULL, NULL, 1, limit > 0 ? limit : -1, row_outbox,
                 &e, 0, "cannot read the outbox");
}

static int row_count(sqlite3_stmt *st, void *ctx)
{
  long *n = ctx;
  int state = sqlite3_column_int(st, 0);

  if (state >= 0 && state <= 2)
    n[state] = (long)sqlite3_column_int64(st, 1);
  return MAAT_OK;
}

static int sq_outbox_counts(void *b, long n[3])
{
  n[0] = n[1] = n[2] = 0;
  return reading(b, "SELECT state, count(*) FROM outbox GROUP BY state",
                 NULL, NULL, 0, 0, row_count, n, 0,
                 "cannot count the outbox");
}

/* ---- the knowledge base ---- */

static const char *or_empty(const char *s)
{
  return s ? s : "";
}

static int sq_article_put(void *b, const struct maat_store_article *a,
                          int64_t *version)
{
  struct sq *q = b;
  sqlite3_stmt *st;
  int64_t v = 0;
  int rc;

  /* On the writer: an import's earlier versions are uncommitted. */
  if ((rc = prep(q, q->w, "SELECT coalesce(max(version), 0) FROM "
                 "kb_articles WHERE id = ?", &st)))
    return rc;
  sqlite3_bind_text(st, 1, a->id, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  else
    rc = fail_db(q, q->w, "cannot read the article's versions");
  sqlite3_finalize(st);
  if (rc || (rc = prep(q, q->w, "INSERT INTO kb_articles (id, version, t, "
                       "status, title, body, lang, url, tags, owner) VALUES "
                       "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st)))
    return rc;
  sqlite3_bind_text(st, 1, a->id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, v + 1);
  sqlite3_bind_double(st, 3, a->t);
  sqlite3_bind_int(st, 4, a->status);
  sqlite3_bind_text(st, 5, or_empty(a->title), -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, a->body, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 7, or_empty(a->lang), -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 8, or_empty(a->url), -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 9, or_empty(a->tags), -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 10, or_empty(a->owner), -1, SQLITE_STATIC);
  rc = sqlite3_step(st) == SQLITE_DONE
           ? MAAT_OK : fail_db(q, q->w, "cannot store the article");
  sqlite3_finalize(st);
  if (!rc)
    *version = v + 1;
  return rc;
}

static int row_article(sqlite3_stmt *st, void *ctx)
{
  struct each *e = ctx;
  int (*fn)(void *, const struct maat_store_article *) = e->fn;
  struct maat_store_article a;

  a.id = col_text(st, 0);
  a.version = sqlite3_column_int64(st, 1);
  a.t = sqlite3_column_double(st, 2);
  a.status = sqlite3_column_int(st, 3);
  a.title = col_text(st, 4);
  a.body = col_text(st, 5);
  a.lang = col_text(st, 6);
  a.url = col_text(st, 7);
  a.tags = col_text(st, 8);
  a.owner = col_text(st, 9);
  return fn(e->ctx, &a);
}

#define ARTICLE_COLS "id, version, t, status, title, body, lang, url, tags, " \
  "owner"

static int sq_articles(void *b, const char *id,
                       int (*fn)(void *, const struct maat_store_article *),
                       void *ctx)
{
  struct each e = { (void *)fn, ctx, NULL };

  if (id)
    return reading(b, "SELECT " ARTICLE_COLS " FROM kb_articles WHERE id = ?"
                   " ORDER BY version", NULL, id, 0, 0, row_article, &e, 1,
                   "cannot read the article");
  return reading(b, "SELECT " ARTICLE_COLS " FROM kb_articles a WHERE "
                 "version = (SELECT max(version) FROM kb_articles WHERE "
                 "id = a.id) ORDER BY id", NULL, NULL, 0, 0, row_article, &e,
                 0, "cannot read the articles");
}

static int sq_kb_link_add(void *b, const char *article, const char *question,
                          double t)
{
  struct sq *q = b;
  sqlite3_stmt *st;
  int rc;

  if ((rc = prep(q, q->w, "INSERT INTO kb_links (article, question, t) "
                 "VALUES (?, ?, ?)", &st)))
    return rc;
  sqlite3_bind_text(st, 1, article, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, question, -1, SQLITE_STATIC);
  sqlite3_bind_double(st, 3, t);
  rc = sqlite3_step(st) == SQLITE_DONE
           ? MAAT_OK : fail_db(q, q->w, "cannot store the link");
  sqlite3_finalize(st);
  return rc;
}

static int row_link(sqlite3_stmt *st, void *ctx)
{
  struct each *e = ctx;
  int (*fn)(void *, const char *, const char *, double) = e->fn;

  return fn(e->ctx, col_text(st, 0), col_text(st, 1),
            sqlite3_column_double(st, 2));
}

static int sq_kb_links(void *b,
                       int (*fn)(void *, const char *, const char *, double),
                       void *ctx)
{
  struct each e = { (void *)fn, ctx, NULL };
  return reading(b, "SELECT article, question, t FROM kb_links ORDER BY seq",
                 NULL, NULL, 0, 0, row_link, &e, 0, "cannot read the links");
}

static int sq_kb_question_add(void *b, const struct maat_store_kb_question *k)
{
  struct sq *q = b;
  sqlite3_stmt *st;
  int rc;

  if ((rc = prep(q, q->w, "INSERT INTO kb_questions (t, question, lang, "
                 "answered, confidence, article, source) VALUES (?, ?, ?, ?, "
                 "?, ?, ?)", &st)))
    return rc;
  sqlite3_bind_double(st, 1, k->t);
  sqlite3_bind_text(st, 2, k->question, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, or_empty(k->lang), -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 4, k->answered);
  sqlite3_bind_double(st, 5, k->confidence);
  sqlite3_bind_text(st, 6, or_empty(k->article), -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 7, k->source, -1, SQLITE_STATIC);
  rc = sqlite3_step(st) == SQLITE_DONE
           ? MAAT_OK : fail_db(q, q->w, "cannot store the question");
  sqlite3_finalize(st);
  return rc;
}

struct each_q {
  struct each e;
  double since;
};

static int row_kb_question(sqlite3_stmt *st, void *ctx)
{
  struct each_q *eq = ctx;
  int (*fn)(void *, const struct maat_store_kb_question *) = eq->e.fn;
  struct maat_store_kb_question k;

  k.seq = sqlite3_column_int64(st, 0);
  k.t = sqlite3_column_double(st, 1);
  if (k.t < eq->since)
    return MAAT_OK;
  k.question = col_text(st, 2);
  k.lang = col_text(st, 3);
  k.answered = sqlite3_column_int(st, 4);
  k.confidence = sqlite3_column_double(st, 5);
  k.article = col_text(st, 6);
  k.source = col_text(st, 7);
  return fn(eq->e.ctx, &k);
}

static int sq_kb_questions(void *b, double since,
                           int (*fn)(void *,
                                     const struct maat_store_kb_question *),
                           void *ctx)
{
  struct each_q eq = { { (void *)fn, ctx, NULL }, since };
  /* Whole seconds in SQL, the exact time in row_kb_question(). */
  int64_t from = since > -9e15 ? (int64_t)floor(since) : INT64_MIN;

  return reading(b, "SELECT seq, t, question, lang, answered, confidence, "
                 "article, source FROM kb_questions WHERE t >= ? ORDER BY "
                 "seq", NULL, NULL, 1, from, row_kb_question, &eq, 0,
                 "cannot read the questions");
}

static int sq_rec_add(void *b, const char *kind, const char *key, double t,
                      int state, const char *body, int64_t *id)
{
  struct sq *q = b;
  sqlite3_stmt *st;
  int rc;

  if ((rc = prep(q, q->w, "INSERT INTO records (kind, key, t, state, body) "
                 "VALUES (?, ?, ?, ?, ?)", &st)))
    return rc;
  sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  sqlite3_bind_double(st, 3, t);
  sqlite3_bind_int(st, 4, state);
  sqlite3_bind_text(st, 5, body, -1, SQLITE_STATIC);
  rc = sqlite3_step(st) == SQLITE_DONE
           ? MAAT_OK : fail_db(q, q->w, "cannot store the record");
  if (!rc && id)
    *id = sqlite3_last_insert_rowid(q->w);
  sqlite3_finalize(st);
  return rc;
}

static int sq_rec_set(void *b, const char *kind, int64_t id, int state,
                      const char *body)
{
  struct sq *q = b;
  sqlite3_stmt *st;
  int rc;

  if ((rc = prep(q, q->w, "UPDATE records SET state = ?, body = ? WHERE "
                 "id = ? AND kind = ?", &st)))
    return rc;
  sqlite3_bind_int(st, 1, state);
  sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, id);
  sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
  if (sqlite3_step(st) != SQLITE_DONE)
    rc = fail_db(q, q->w, "cannot change the record");
  else if (sqlite3_changes(q->w) == 0)
    rc = MAAT_ENOTFOUND;
  sqlite3_finalize(st);
  return rc;
}

static int sq_recs(void *b, int writer, const char *kind, const char *key,
                   int state,
                   int (*fn)(void *, int64_t, const char *, double, int,
                             const char *),
                   void *ctx)
{
  struct sq *q = b;
  sqlite3 *db = writer ? q->w : q->r;
  sqlite3_stmt *st;
  int rc, step;

  if (!writer)
    pthread_mutex_lock(&q->rmu);
  rc = prep(q, db, "SELECT id, key, t, state, body FROM records WHERE "
            "kind = ?1 AND (?2 IS NULL OR key = ?2) AND (?3 < 0 OR "
            "state = ?3) ORDER BY id", &st);
  if (rc) {
    if (!writer)
      pthread_mutex_unlock(&q->rmu);
    return rc;
  }
  sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
  if (key)
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 2);
  sqlite3_bind_int(st, 3, state);
  while ((step = sqlite3_step(st)) == SQLITE_ROW)
    if ((rc = fn(ctx, sqlite3_column_int64(st, 0), col_text(st, 1),
                 sqlite3_column_double(st, 2), sqlite3_column_int(st, 3),
                 col_text(st, 4))))
      break;
  if (!rc && step != SQLITE_DONE)
    rc = fail_db(q, db, "cannot read the records");
  sqlite3_finalize(st);
  if (!writer)
    pthread_mutex_unlock(&q->rmu);
  return rc;
}

static int sq_rec_delete(void *b, const char *kind, const char *key,
                         double before, long *n)
{
  struct sq *q = b;
  sqlite3_stmt *st;
  int rc;

  if ((rc = prep(q, q->w, "DELETE FROM records WHERE kind = ?1 AND (?2 IS "
                 "NULL OR key = ?2) AND t < ?3", &st)))
    return rc;
  sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
  if (key)
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 2);
  sqlite3_bind_double(st, 3, before);
  rc = sqlite3_step(st) == SQLITE_DONE
           ? MAAT_OK : fail_db(q, q->w, "cannot delete the records");
  if (!rc && n)
    *n = (long)sqlite3_changes(q->w);
  sqlite3_finalize(st);
  return rc;
}

/* The columns a customer's data can be in: free text, JSON, snapshots. */
static const struct {
  const char *table, *col;
  int blob;
} scrub_cols[] = {
  { "events", "line", 0 }, { "decisions", "line", 0 },
  { "contacts", "record", 0 }, { "snapshots", "data", 1 },
  { "records", "body", 0 }, { "kb_questions", "question", 0 },
  { "kb_links", "question", 0 }, { "checkins", "note", 0 },
  { "outbox", "body", 0 }, { "audit", "detail", 0 },
};

struct found {
  int64_t rowid;
  void *data;
  size_t len;
};

static int sq_scrub(void *b, const char *needle, size_t n,
                    int (*fn)(void *, const char *, const void *, size_t,
                              void **, size_t *),
                    void *ctx)
{
  struct sq *q = b;
  int rc = MAAT_OK;

  for (size_t c = 0; c < sizeof scrub_cols / sizeof scrub_cols[0] && !rc;
       c++) {
    struct found *f = NULL;
    size_t nf = 0, cap = 0;
    sqlite3_stmt *st;
    char sql[160];
    int step;
    snprintf(sql, sizeof sql, "SELECT rowid, %s FROM %s WHERE instr(%s, ?)"
             " > 0", scrub_cols[c].col, scrub_cols[c].table,
             scrub_cols[c].col);
    if ((rc = prep(q, q->w, sql, &st)))
      break;
    if (scrub_cols[c].blob)
      sqlite3_bind_blob(st, 1, needle, (int)n, SQLITE_STATIC);
    else
      sqlite3_bind_text(st, 1, needle, (int)n, SQLITE_STATIC);
    /* Read first, then write: no update under a running select. */
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
      const void *d = scrub_cols[c].blob ? sqlite3_column_blob(st, 1)
                                         : (const void *)
                                               sqlite3_column_text(st, 1);
      size_t len = (size_t)sqlite3_column_bytes(st, 1);
      if (nf == cap) {
        size_t nc = cap ? 2 * cap : 16;
        struct found *p = maat__realloc(f, nc * sizeof *p);
        if (!p) {
          rc = maat__fail(MAAT_ENOMEM, "out of memory");
          break;
        }
        f = p;
        cap = nc;
      }
      f[nf].rowid = sqlite3_column_int64(st, 0);
      f[nf].len = len;
      if (!(f[nf].data = maat__malloc(len + 1))) {
        rc = maat__fail(MAAT_ENOMEM, "out of memory");
        break;
      }
      memcpy(f[nf].data, d, len);
      ((char *)f[nf].data)[len] = '\0';
      nf++;
    }
    if (!rc && step != SQLITE_DONE)
      rc = fail_db(q, q->w, "cannot search the store");
    sqlite3_finalize(st);
    snprintf(sql, sizeof sql, "UPDATE %s SET %s = ? WHERE rowid = ?",
             scrub_cols[c].table, scrub_cols[c].col);
    for (size_t i = 0; i < nf && !rc; i++) {
      void *out = NULL;
      size_t outlen = 0;
      if ((rc = fn(ctx, scrub_cols[c].table, f[i].data, f[i].len, &out,
                   &outlen)) || !out)
        continue;
      if (!(rc = prep(q, q->w, sql, &st))) {
        if (scrub_cols[c].blob)
          sqlite3_bind_blob(st, 1, out, (int)outlen, SQLITE_STATIC);
        else
          sqlite3_bind_text(st, 1, out, (int)outlen, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, f[i].rowid);
        rc = sqlite3_step(st) == SQLITE_DONE
                 ? MAAT_OK : fail_db(q, q->w, "cannot overwrite");
        sqlite3_finalize(st);
      }
      maat__free(out);
    }
    for (size_t i = 0; i < nf; i++)
      maat__free(f[i].data);
    maat__free(f);
  }
  return rc;
}

static int sq_compact(void *b)
{
  struct sq *q = b;
  int rc;

  /* VACUUM rewrites the file without the free pages that held what was
   * overwritten; the checkpoint empties the write-ahead log. */
  if ((rc = exec(q, q->w, "PRAGMA secure_delete = ON")) ||
      (rc = exec(q, q->w, "VACUUM")))
    return rc;
  return exec(q, q->w, "PRAGMA wal_checkpoint(TRUNCATE)");
}

static int sq_purge(void *b, const char *what, double before, long *n)
{
  static const struct { const char *what, *sql; } q[] = {
    { "audit", "DELETE FROM audit WHERE at < ?" },
    { "checkins", "DELETE FROM checkins WHERE t < ?" },
    { "contacts", "DELETE FROM contacts WHERE closed < ?" },
    { "bot_outcomes", "DELETE FROM bot_outcomes WHERE t < ?" },
    { "kb_questions", "DELETE FROM kb_questions WHERE t < ?" },
  };
  struct sq *s = b;
  sqlite3_stmt *st;
  int rc;

  for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
    if (strcmp(q[i].what, what))
      continue;
    if ((rc = prep(s, s->w, q[i].sql, &st)))
      return rc;
    sqlite3_bind_double(st, 1, before);
    rc = sqlite3_step(st) == SQLITE_DONE
             ? MAAT_OK : fail_db(s, s->w, "cannot purge");
    if (!rc && n)
      *n = (long)sqlite3_changes(s->w);
    sqlite3_finalize(st);
    return rc;
  }
  return maat__fail(MAAT_EINVAL, "store: nothing called '%s' to purge", what);
}

static int sq_checkins_erase(void *b, const char *agent, long *n)
{
  struct sq *q = b;
  sqlite3_stmt *st;
  int rc;

  if ((rc = prep(q, q->w, "DELETE FROM checkins WHERE agent = ?", &st)))
    return rc;
  sqlite3_bind_text(st, 1, agent, -1, SQLITE_STATIC);
  rc = sqlite3_step(st) == SQLITE_DONE
           ? MAAT_OK : fail_db(q, q->w, "cannot erase the check-ins");
  if (!rc && n)
    *n = (long)sqlite3_changes(q->w);
  sqlite3_finalize(st);
  return rc;
}

static int sq_dump(void *b, const char *table,
                   int (*fn)(void *, const char *const *, const size_t *,
                             int),
                   void *ctx)
{
  struct sq *q = b;
  const struct maat__table *t = maat__store_table(table);
  char sql[400], nums[14][32];
  size_t n = 0;
  sqlite3_stmt *st;
  int rc, step;

  if (!t)
    return maat__fail(MAAT_EINVAL, "store: no table %s", table);
  n += (size_t)snprintf(sql + n, sizeof sql - n, "SELECT ");
  for (int i = 0; i < t->ncols; i++)
    n += (size_t)snprintf(sql + n, sizeof sql - n, "%s%s", i ? ", " : "",
                          t->cols[i]);
  snprintf(sql + n, sizeof sql - n, " FROM %s ORDER BY %s", t->name, t->key);
  pthread_mutex_lock(&q->rmu);
  if ((rc = prep(q, q->r, sql, &st))) {
    pthread_mutex_unlock(&q->rmu);
    return rc;
  }
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    const char *v[14];
    size_t len[14];
    for (int i = 0; i < t->ncols; i++) {
      switch (sqlite3_column_type(st, i)) {
      case SQLITE_NULL:
        v[i] = NULL;
        len[i] = 0;
        break;
      case SQLITE_INTEGER:
        len[i] = (size_t)snprintf(nums[i], sizeof nums[i], "%lld",
                                  (long long)sqlite3_column_int64(st, i));
        v[i] = nums[i];
        break;
      case SQLITE_FLOAT:
        len[i] = (size_t)snprintf(nums[i], sizeof nums[i], "%.17g",
                                  sqlite3_column_double(st, i));
        v[i] = nums[i];
        break;
      case SQLITE_BLOB:
        v[i] = sqlite3_column_blob(st, i);
        len[i] = (size_t)sqlite3_column_bytes(st, i);
        if (!v[i])
          v[i] = "";
        break;
      default:
        v[i] = (const char *)sqlite3_column_text(st, i);
        len[i] = (size_t)sqlite3_column_bytes(st, i);
      }
    }
    if ((rc = fn(ctx, v, len, t->ncols)))
      break;
  }
  if (!rc && step != SQLITE_DONE)
    rc = fail_db(q, q->r, "cannot read a table");
  sqlite3_finalize(st);
  pthread_mutex_unlock(&q->rmu);
  return rc;
}

static int sq_load(void *b, const char *table, const char *const *v,
                   const size_t *len, int n)
{
  struct sq *q = b;
  const struct maat__table *t = maat__store_table(table);
  char sql[400];
  size_t k = 0;
  sqlite3_stmt *st;
  int rc;

  if (!t || n != t->ncols)
    return maat__fail(MAAT_EINVAL, "store: no table %s", table);
  k += (size_t)snprintf(sql + k, sizeof sql - k, "INSERT INTO %s (", t->name);
  for (int i = 0; i < n; i++)
    k += (size_t)snprintf(sql + k, sizeof sql - k, "%s%s", i ? ", " : "",
                          t->cols[i]);
  k += (size_t)snprintf(sql + k, sizeof sql - k, ") VALUES (");
  for (int i = 0; i < n; i++)
    k += (size_t)snprintf(sql + k, sizeof sql - k, "%s?", i ? ", " : "");
  snprintf(sql + k, sizeof sql - k, ")");
  if ((rc = prep(q, q->w, sql, &st)))
    return rc;
  for (int i = 0; i < n; i++) {
    if (!v[i])
      sqlite3_bind_null(st, i + 1);
    else if (i == t->blob)
      sqlite3_bind_blob(st, i + 1, v[i], (int)len[i], SQLITE_STATIC);
    else
      sqlite3_bind_text(st, i + 1, v[i], (int)len[i], SQLITE_STATIC);
  }
  rc = sqlite3_step(st) == SQLITE_DONE
           ? MAAT_OK : fail_db(q, q->w, "cannot copy a row");
  sqlite3_finalize(st);
  return rc;
}

static int sq_loaded(void *b)
{
  (void)b;   /* the next id is the largest one's next: nothing to move */
  return MAAT_OK;
}

const struct maat__store_ops maat__store_sqlite = {
  "sqlite", sq_open, sq_close,
  sq_bind_run, sq_meta_get, sq_meta_set,
  sq_lock_writer,
  sq_begin, sq_commit, sq_rollback,
  sq_event_append, sq_decision_append, sq_event_stats, sq_events,
  sq_decisions, sq_snapshot_put, sq_snapshot_latest,
  sq_token_insert, sq_token_find, sq_tokens, sq_token_revoke,
  sq_audit_append, sq_audits,
  sq_checkin_add, sq_checkins, sq_energy_by_kind,
  sq_contact_put, sq_contact_get, sq_bot_outcome_add, sq_bot_outcomes,
  sq_outbox_add, sq_outbox_due, sq_outbox_mark, sq_outbox_list,
  sq_outbox_counts,
  sq_article_put, sq_articles, sq_kb_link_add, sq_kb_links,
  sq_kb_question_add, sq_kb_questions,
  sq_rec_add, sq_rec_set, sq_recs, sq_rec_delete,
  sq_scrub, sq_compact, sq_purge, sq_checkins_erase,
  sq_dump, sq_load, sq_loaded,
  /* one node: no inbox, no notifications */
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

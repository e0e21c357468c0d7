/*
 * eventlog.c - the router's durable event log in SQLite (WAL): every input
 * event and every decision, appended in transactions. A restart replays the
 * events to rebuild the router's state. The schema is versioned with
 * PRAGMA user_version; each migration step runs in its own transaction.
 */
#include "route-int.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

struct maat_eventlog {
  sqlite3 *db;
  sqlite3_stmt *ins_event, *ins_decision;
  long count;
  long last_seq;
  int in_tx;
  char *path;
};

/* Each step takes the schema from version i to i + 1. */
static const char *const migrations[] = {
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
  "CREATE TABLE events (seq INTEGER PRIMARY KEY, t REAL NOT NULL,"
  "  line TEXT NOT NULL);"
  "CREATE TABLE decisions (seq INTEGER PRIMARY KEY,"
  "  event_seq INTEGER NOT NULL, line TEXT NOT NULL);",
  /* 2: maat serve's access tokens (hashed), audit log and check-ins. */
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
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

static int db_fail(maat_eventlog *log, const char *what)
{
  return maat__fail(MAAT_EDB, "event log '%s': %s: %s", log->path, what,
                    sqlite3_errmsg(log->db));
}

static int exec(maat_eventlog *log, const char *sql)
{
  if (sqlite3_exec(log->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return db_fail(log, "cannot run a statement");
  return MAAT_OK;
}

static int query_int(maat_eventlog *log, const char *sql, long *out)
{
  sqlite3_stmt *st;
  int rc = MAAT_OK;

  if (sqlite3_prepare_v2(log->db, sql, -1, &st, NULL) != SQLITE_OK)
    return db_fail(log, "cannot prepare a query");
  if (sqlite3_step(st) == SQLITE_ROW)
    *out = (long)sqlite3_column_int64(st, 0);
  else
    rc = db_fail(log, "cannot read");
  sqlite3_finalize(st);
  return rc;
}

static int migrate(maat_eventlog *log)
{
  long v = 0;
  int rc = query_int(log, "PRAGMA user_version", &v);

  if (rc)
    return rc;
  if (v > SCHEMA_VERSION)
    return maat__fail(MAAT_EFORMAT, "event log '%s' has schema version %ld; "
                      "this build reads up to %d", log->path, v,
                      SCHEMA_VERSION);
  for (; v < SCHEMA_VERSION; v++) {
    char sql[64];
    if ((rc = exec(log, "BEGIN IMMEDIATE")))
      return rc;
    if ((rc = exec(log, migrations[v]))) {
      exec(log, "ROLLBACK");
      return rc;
    }
    snprintf(sql, sizeof sql, "PRAGMA user_version = %ld", v + 1);
    if ((rc = exec(log, sql)) || (rc = exec(log, "COMMIT"))) {
      exec(log, "ROLLBACK");
      return rc;
    }
  }
  return MAAT_OK;
}

static int check_config(maat_eventlog *log, const char *config)
{
  sqlite3_stmt *st;
  int rc = MAAT_OK;
  int step;

  if (sqlite3_prepare_v2(log->db, "SELECT value FROM meta WHERE key = "
                         "'config'", -1, &st, NULL) != SQLITE_OK)
    return db_fail(log, "cannot prepare a query");
  step = sqlite3_step(st);
  if (step == SQLITE_ROW) {
    const char *have = (const char *)sqlite3_column_text(st, 0);
    if (strcmp(have ? have : "", config))
      rc = maat__fail(MAAT_ESTATE, "event log '%s' belongs to another run "
                      "(%s), not %s", log->path, have ? have : "", config);
  } else if (step == SQLITE_DONE) {
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(log->db, "INSERT INTO meta VALUES ('config', ?)",
                           -1, &ins, NULL) != SQLITE_OK) {
      rc = db_fail(log, "cannot prepare an insert");
    } else {
      sqlite3_bind_text(ins, 1, config, -1, SQLITE_STATIC);
      if (sqlite3_step(ins) != SQLITE_DONE)
        rc = db_fail(log, "cannot write the run's config");
      sqlite3_finalize(ins);
    }
  } else {
    rc = db_fail(log, "cannot read the run's config");
  }
  sqlite3_finalize(st);
  return rc;
}

int maat_eventlog_open(maat_eventlog **out, const char *path,
                       const char *config)
{
  maat_eventlog *log = maat__calloc(1, sizeof *log);
  int rc;

  if (!log)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  if (!path) {
    maat__free(log);
    return maat__fail(MAAT_EINVAL, "no event log path");
  }
  log->path = maat__strdup(path);
  if (!log->path) {
    maat__free(log);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  if (sqlite3_open_v2(path, &log->db, SQLITE_OPEN_READWRITE |
                      SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
    rc = maat__fail(MAAT_EDB, "cannot open event log '%s': %s", path,
                    log->db ? sqlite3_errmsg(log->db) : "out of memory");
    goto fail;
  }
  sqlite3_busy_timeout(log->db, 5000);
  /*
   * WAL with FULL sync: a commit is on disk when it returns, so whatever
   * was acknowledged after it survives a kill -9 and a power cut.
   */
  if ((rc = exec(log, "PRAGMA journal_mode = WAL")) ||
      (rc = exec(log, "PRAGMA synchronous = FULL")) ||
      (rc = migrate(log)) ||
      (config && (rc = check_config(log, config))) ||
      (rc = query_int(log, "SELECT count(*) FROM events", &log->count)) ||
      (rc = query_int(log, "SELECT coalesce(max(seq), 0) FROM events",
                      &log->last_seq)))
    goto fail;
  if (sqlite3_prepare_v2(log->db, "INSERT INTO events (t, line) VALUES "
                         "(?, ?)", -1, &log->ins_event, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(log->db, "INSERT INTO decisions (event_seq, line) "
                         "VALUES (?, ?)", -1, &log->ins_decision,
                         NULL) != SQLITE_OK) {
    rc = db_fail(log, "cannot prepare the inserts");
    goto fail;
  }
  *out = log;
  return MAAT_OK;
fail:
  maat_eventlog_close(log);
  return rc;
}

void maat_eventlog_close(maat_eventlog *log)
{
  if (!log)
    return;
  /* An open transaction is rolled back: it was never acknowledged. */
  sqlite3_finalize(log->ins_event);
  sqlite3_finalize(log->ins_decision);
  sqlite3_close(log->db);
  maat__free(log->path);
  maat__free(log);
}

long maat_eventlog_count(const maat_eventlog *log)
{
  return log->count;
}

static int begin(maat_eventlog *log)
{
  int rc;

  if (log->in_tx)
    return MAAT_OK;
  rc = exec(log, "BEGIN IMMEDIATE");
  if (!rc)
    log->in_tx = 1;
  return rc;
}

int maat_eventlog_append_event(maat_eventlog *log, double t, const char *line,
                               size_t len)
{
  int rc = begin(log);

  if (rc)
    return rc;
  sqlite3_bind_double(log->ins_event, 1, t);
  sqlite3_bind_text(log->ins_event, 2, line, (int)len, SQLITE_TRANSIENT);
  if (sqlite3_step(log->ins_event) != SQLITE_DONE)
    rc = db_fail(log, "cannot append an event");
  sqlite3_reset(log->ins_event);
  if (!rc) {
    log->count++;
    log->last_seq = (long)sqlite3_last_insert_rowid(log->db);
  }
  return rc;
}

int maat_eventlog_append_decision(maat_eventlog *log, const char *line,
                                  size_t len)
{
  int rc = begin(log);

  if (rc)
    return rc;
  sqlite3_bind_int64(log->ins_decision, 1, log->last_seq);
  sqlite3_bind_text(log->ins_decision, 2, line, (int)len, SQLITE_TRANSIENT);
  if (sqlite3_step(log->ins_decision) != SQLITE_DONE)
    rc = db_fail(log, "cannot append a decision");
  sqlite3_reset(log->ins_decision);
  return rc;
}

int maat_eventlog_commit(maat_eventlog *log)
{
  int rc;

  if (!log->in_tx)
    return MAAT_OK;
  rc = exec(log, "COMMIT");
  if (!rc)
    log->in_tx = 0;
  return rc;
}

int maat_eventlog_each(maat_eventlog *log,
                       int (*fn)(void *ctx, const char *line, size_t len),
                       void *ctx)
{
  sqlite3_stmt *st;
  int rc = MAAT_OK, step;

  if (sqlite3_prepare_v2(log->db, "SELECT line FROM events ORDER BY seq", -1,
                         &st, NULL) != SQLITE_OK)
    return db_fail(log, "cannot prepare a query");
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    const char *line = (const char *)sqlite3_column_text(st, 0);
    rc = fn(ctx, line ? line : "", (size_t)sqlite3_column_bytes(st, 0));
    if (rc)
      break;
  }
  if (!rc && step != SQLITE_DONE)
    rc = db_fail(log, "cannot read the events");
  sqlite3_finalize(st);
  return rc;
}

/* ---- for maat serve (route-int.h) ---- */

sqlite3 *maat__eventlog_db(maat_eventlog *log)
{
  return log->db;
}

int maat__eventlog_begin(maat_eventlog *log)
{
  return begin(log);
}

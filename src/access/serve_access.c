/*
 * serve_access.c - access tokens for maat serve: random, shown once, stored
 * only as their SHA-256, with a role each (and an agent for agent tokens);
 * and the audit log. The tables live in the event log's database (schema
 * version 2, src/eventlog.c).
 */
#include "serve-int.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

static const char *const role_names[] = { "?", "integration", "agent", "lead",
                                          "admin" };

const char *maat_role_name(int role)
{
  return role >= MAAT_ROLE_INTEGRATION && role <= MAAT_ROLE_ADMIN
             ? role_names[role] : "?";
}

int maat_role_parse(const char *name, int *role)
{
  for (int r = MAAT_ROLE_INTEGRATION; name && r <= MAAT_ROLE_ADMIN; r++)
    if (!strcmp(name, role_names[r])) {
      *role = r;
      return MAAT_OK;
    }
  return maat__fail(MAAT_EINVAL, "role '%s': expected integration, agent, "
                    "lead or admin", name ? name : "");
}

double maat__wall_now(void)
{
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

void maat__token_hash(const char *token, size_t len, char hex[65])
{
  unsigned char d[32];
  static const char digits[] = "0123456789abcdef";

  gnutls_hash_fast(GNUTLS_DIG_SHA256, token, len, d);
  for (int i = 0; i < 32; i++) {
    hex[2 * i] = digits[d[i] >> 4];
    hex[2 * i + 1] = digits[d[i] & 15];
  }
  hex[64] = '\0';
}

static int db_fail(sqlite3 *db, const char *what)
{
  return maat__fail(MAAT_EDB, "token store: %s: %s", what,
                    sqlite3_errmsg(db));
}

int maat_token_add(const char *path, int role, const char *agent,
                   char *token, long *id)
{
  maat_eventlog *log = NULL;
  unsigned char raw[32];
  char hash[65];
  sqlite3 *db;
  sqlite3_stmt *st = NULL;
  int rc;

  if (!path || !token || !id)
    return maat__fail(MAAT_EINVAL, "maat_token_add: invalid argument");
  if (role < MAAT_ROLE_INTEGRATION || role > MAAT_ROLE_ADMIN)
    return maat__fail(MAAT_EINVAL, "unknown role %d", role);
  if ((role == MAAT_ROLE_AGENT) != (agent && *agent))
    return maat__fail(MAAT_EINVAL, role == MAAT_ROLE_AGENT
                      ? "an agent token needs the agent's id (--agent ID)"
                      : "only an agent token names an agent");
  if (agent && strlen(agent) > MAAT_ID_MAX)
    return maat__fail(MAAT_EINVAL, "agent id longer than %d bytes",
                      MAAT_ID_MAX);
  if (gnutls_rnd(GNUTLS_RND_KEY, raw, sizeof raw) != 0)
    return maat__fail(MAAT_EIO, "no random bytes for a token");
  memcpy(token, "maat_", 5);
  for (int i = 0; i < 32; i++)
    snprintf(token + 5 + 2 * i, 3, "%02x", raw[i]);
  maat__token_hash(token, MAAT_TOKEN_LEN, hash);
  rc = maat_eventlog_open(&log, path, NULL);
  if (rc)
    return rc;
  db = maat__eventlog_db(log);
  if (sqlite3_prepare_v2(db, "INSERT INTO tokens (hash, role, agent, "
                         "created) VALUES (?, ?, ?, ?)", -1, &st,
                         NULL) != SQLITE_OK) {
    rc = db_fail(db, "cannot prepare");
    goto out;
  }
  sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, maat_role_name(role), -1, SQLITE_STATIC);
  if (agent && *agent)
    sqlite3_bind_text(st, 3, agent, -1, SQLITE_STATIC);
  sqlite3_bind_double(st, 4, maat__wall_now());
  if (sqlite3_step(st) != SQLITE_DONE) {
    rc = db_fail(db, "cannot store the token");
    goto out;
  }
  *id = (long)sqlite3_last_insert_rowid(db);
out:
  sqlite3_finalize(st);
  maat_eventlog_close(log);
  return rc;
}

int maat_token_list(const char *path,
                    int (*fn)(void *ctx, const struct maat_token_info *t),
                    void *ctx)
{
  maat_eventlog *log = NULL;
  sqlite3 *db;
  sqlite3_stmt *st = NULL;
  int rc, step;

  if (!path || !fn)
    return maat__fail(MAAT_EINVAL, "maat_token_list: invalid argument");
  rc = maat_eventlog_open(&log, path, NULL);
  if (rc)
    return rc;
  db = maat__eventlog_db(log);
  if (sqlite3_prepare_v2(db, "SELECT id, role, agent, created, revoked "
                         "FROM tokens ORDER BY id", -1, &st,
                         NULL) != SQLITE_OK) {
    rc = db_fail(db, "cannot prepare");
    goto out;
  }
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    struct maat_token_info t;
    const char *agent = (const char *)sqlite3_column_text(st, 2);
    memset(&t, 0, sizeof t);
    t.id = (long)sqlite3_column_int64(st, 0);
    if (maat_role_parse((const char *)sqlite3_column_text(st, 1), &t.role))
      t.role = 0;
    snprintf(t.agent, sizeof t.agent, "%s", agent ? agent : "");
    t.created = sqlite3_column_double(st, 3);
    t.revoked = sqlite3_column_double(st, 4);
    if ((rc = fn(ctx, &t)) != 0)
      goto out;
  }
  if (step != SQLITE_DONE)
    rc = db_fail(db, "cannot read the tokens");
out:
  sqlite3_finalize(st);
  maat_eventlog_close(log);
  return rc;
}

int maat_token_revoke(const char *path, long id)
{
  maat_eventlog *log = NULL;
  sqlite3 *db;
  sqlite3_stmt *st = NULL;
  int rc;

  if (!path)
    return maat__fail(MAAT_EINVAL, "maat_token_revoke: no database");
  rc = maat_eventlog_open(&log, path, NULL);
  if (rc)
    return rc;
  db = maat__eventlog_db(log);
  if (sqlite3_prepare_v2(db, "UPDATE tokens SET revoked = ? WHERE id = ? "
                         "AND revoked IS NULL", -1, &st, NULL) != SQLITE_OK) {
    rc = db_fail(db, "cannot prepare");
    goto out;
  }
  sqlite3_bind_double(st, 1, maat__wall_now());
  sqlite3_bind_int64(st, 2, id);
  if (sqlite3_step(st) != SQLITE_DONE)
    rc = db_fail(db, "cannot revoke");
  else if (sqlite3_changes(db) == 0)
    rc = maat__fail(MAAT_ENOTFOUND, "no valid token with id %ld", id);
out:
  sqlite3_finalize(st);
  maat_eventlog_close(log);
  return rc;
}

int maat__token_check(sqlite3 *db, const char *token, size_t len,
                      struct maat__principal *who)
{
  sqlite3_stmt *st = NULL;
  char hash[65];
  int rc = MAAT_ENOTFOUND;

  memset(who, 0, sizeof *who);
  if (len != MAAT_TOKEN_LEN)
    return MAAT_ENOTFOUND;
  maat__token_hash(token, len, hash);
  if (sqlite3_prepare_v2(db, "SELECT id, role, agent FROM tokens WHERE hash "
                         "= ? AND revoked IS NULL", -1, &st,
                         NULL) != SQLITE_OK)
    return db_fail(db, "cannot prepare");
  sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW) {
    const char *agent = (const char *)sqlite3_column_text(st, 2);
    who->token = (long)sqlite3_column_int64(st, 0);
    if (maat_role_parse((const char *)sqlite3_column_text(st, 1),
                        &who->role) == MAAT_OK) {
      snprintf(who->agent, sizeof who->agent, "%s", agent ? agent : "");
      rc = MAAT_OK;
    }
  }
  sqlite3_finalize(st);
  return rc;
}

int maat__audit(sqlite3 *db, const struct maat__principal *who,
                const char *method, const char *path, int status,
                const char *detail)
{
  sqlite3_stmt *st = NULL;
  int rc = MAAT_OK;

  if (sqlite3_prepare_v2(db, "INSERT INTO audit (at, token, role, method, "
                         "path, status, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         -1, &st, NULL) != SQLITE_OK)
    return db_fail(db, "cannot prepare the audit");
  sqlite3_bind_double(st, 1, maat__wall_now());
  if (who && who->token)
    sqlite3_bind_int64(st, 2, who->token);
  if (who && who->role)
    sqlite3_bind_text(st, 3, maat_role_name(who->role), -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, method, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, path, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 6, status);
  if (detail)
    sqlite3_bind_text(st, 7, detail, -1, SQLITE_STATIC);
  if (sqlite3_step(st) != SQLITE_DONE)
    rc = db_fail(db, "cannot write the audit");
  sqlite3_finalize(st);
  return rc;
}

/*
 * store_copy.c - 'maat store migrate FROM TO': a whole store copied to
 * another backend (SQLite to PostgreSQL and back), row for row with its
 * ids, in one transaction on the target, then verified: every table's
 * rows counted and checksummed on both sides (SHA-256 over the rows in
 * key order, numbers compared as the doubles they are).
 */
#include "store-int.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct maat__table maat__store_tables[] = {
  { "meta", "key", { "key", "value" }, 2, -1 },
  { "events", "seq", { "seq", "t", "line" }, 3, -1 },
  { "decisions", "seq", { "seq", "event_seq", "line" }, 3, -1 },
  { "tokens", "id", { "id", "hash", "role", "agent", "created", "revoked" },
    6, -1 },
  { "audit", "seq", { "seq", "at", "token", "role", "method", "path",
                      "status", "detail" }, 8, -1 },
  { "checkins", "seq", { "seq", "agent", "contact", "t", "energy", "note",
                         "intent", "tone" }, 8, -1 },
  { "bot_outcomes", "seq", { "seq", "contact", "t", "outcome" }, 4, -1 },
  { "snapshots", "seq", { "seq", "event_seq", "data" }, 3, 2 },
  { "contacts", "id", { "id", "closed", "record" }, 3, -1 },
  { "outbox", "id", { "id", "created", "kind", "key", "method", "url",
                      "headers", "body", "attempts", "state", "next_at",
                      "last_error", "done_at" }, 13, -1 },
  { "kb_articles", "id, version", { "id", "version", "t", "status", "title",
                                    "body", "lang", "url", "tags", "owner" },
    10, -1 },
  { "kb_links", "seq", { "seq", "article", "question", "t" }, 4, -1 },
  { "kb_questions", "seq", { "seq", "t", "question", "lang", "answered",
                             "confidence", "article", "source" }, 8, -1 },
  { "records", "id", { "id", "kind", "key", "t", "state", "body" }, 6, -1 },
};
const int maat__store_ntables =
    (int)(sizeof maat__store_tables / sizeof maat__store_tables[0]);

const struct maat__table *maat__store_table(const char *name)
{
  for (int t = 0; t < maat__store_ntables; t++)
    if (!strcmp(maat__store_tables[t].name, name))
      return &maat__store_tables[t];
  return NULL;
}

/* A checksum over rows, and their count. */
struct sum {
  gnutls_hash_hd_t h;
  long rows;
  maat_store *dst;          /* NULL: only summing */
  const char *table;
  int blob;
};

/* A value as the checksum sees it: a number as its double, %.17g. */
static void feed(struct sum *s, const char *v, size_t len, int blob)
{
  char buf[64];
  unsigned char tag;

  if (!v) {
    tag = 0;
    gnutls_hash(s->h, &tag, 1);
    return;
  }
  tag = 1;
  gnutls_hash(s->h, &tag, 1);
  if (!blob && len > 0 && len < 40) {
    char tmp[48], *end;
    double d;
    memcpy(tmp, v, len);
    tmp[len] = '\0';
    d = strtod(tmp, &end);
    if (*end == '\0' && end != tmp && isfinite(d) &&
        strspn(tmp, "0123456789.eE+-") == len) {
      int n = snprintf(buf, sizeof buf, "%.17g", d);
      gnutls_hash(s->h, &n, sizeof n);
      gnutls_hash(s->h, buf, (size_t)n);
      return;
    }
  }
  {
    uint64_t n = len;
    gnutls_hash(s->h, &n, sizeof n);
    gnutls_hash(s->h, v, len);
  }
}

static int take_row(void *ctx, const char *const *v, const size_t *len, int n)
{
  struct sum *s = ctx;
  void *b;
  const struct maat__store_ops *ops;

  for (int i = 0; i < n; i++)
    feed(s, v[i], len[i], i == s->blob);
  s->rows++;
  if (!s->dst)
    return MAAT_OK;
  ops = maat__store_ops_of(s->dst, &b);
  return ops->load(b, s->table, v, len, n);
}

static int count_rows(maat_store *st, const char *table, long *n)
{
  struct sum s;
  void *b;
  const struct maat__store_ops *ops = maat__store_ops_of(st, &b);
  unsigned char d[32];
  int rc;

  memset(&s, 0, sizeof s);
  s.table = table;
  s.blob = -1;
  if (gnutls_hash_init(&s.h, GNUTLS_DIG_SHA256) < 0)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  rc = ops->dump(b, table, take_row, &s);
  gnutls_hash_deinit(s.h, d);
  *n = s.rows;
  return rc;
}

static void hex(const unsigned char *d, char out[65])
{
  for (int i = 0; i < 32; i++)
    snprintf(out + 2 * i, 3, "%02x", d[i]);
}

int maat_store_copy(maat_store *src, maat_store *dst,
                    void (*progress)(void *ctx, const char *table,
                                     long rows),
                    void *ctx, struct maat_store_copy_table *out, int cap,
                    int *ntables)
{
  void *sb, *db;
  const struct maat__store_ops *sops, *dops;
  int rc = MAAT_OK;

  if (!src || !dst || !out || !ntables || cap < maat__store_ntables)
    return maat__fail(MAAT_EINVAL, "maat_store_copy: invalid argument");
  sops = maat__store_ops_of(src, &sb);
  dops = maat__store_ops_of(dst, &db);
  if (!sops->dump || !dops->load || sops == &maat__store_memory ||
      dops == &maat__store_memory)
    return maat__fail(MAAT_EINVAL, "migrate: between SQLite and PostgreSQL "
                      "stores (a memory store has nothing to keep)");
  /* Only into an empty store: nothing there is overwritten or mixed. */
  for (int t = 0; t < maat__store_ntables; t++) {
    long n = 0;
    if ((rc = count_rows(dst, maat__store_tables[t].name, &n)))
      return rc;
    if (n > 0)
      return maat__fail(MAAT_ESTATE, "migrate: the target store is not "
                        "empty (table %s has %ld rows); migrate into a new "
                        "one", maat__store_tables[t].name, n);
  }
  /* The writer's lock on both: nothing changes while it copies. */
  if ((rc = maat_store_lock_writer(src)) || (rc = maat_store_lock_writer(dst)))
    return rc;
  if ((rc = maat_store_begin(dst)))
    return rc;
  for (int t = 0; t < maat__store_ntables && !rc; t++) {
    struct sum s;
    unsigned char d[32];
    memset(&s, 0, sizeof s);
    s.dst = dst;
    s.table = maat__store_tables[t].name;
    s.blob = maat__store_tables[t].blob;
    if (gnutls_hash_init(&s.h, GNUTLS_DIG_SHA256) < 0) {
      rc = maat__fail(MAAT_ENOMEM, "out of memory");
      break;
    }
    rc = sops->dump(sb, s.table, take_row, &s);
    gnutls_hash_deinit(s.h, d);
    memset(&out[t], 0, sizeof out[t]);
    out[t].table = s.table;
    out[t].rows = s.rows;
    hex(d, out[t].sha256);
    if (progress)
      progress(ctx, s.table, s.rows);
  }
  if (!rc)
    rc = dops->loaded(db);
  rc = rc ? (maat_store_rollback(dst), rc) : maat_store_commit(dst);
  if (rc)
    return rc;
  /* Verified: the target's rows, counted and summed the same way. */
  for (int t = 0; t < maat__store_ntables; t++) {
    struct sum s;
    unsigned char d[32];
    memset(&s, 0, sizeof s);
    s.table = maat__store_tables[t].name;
    s.blob = maat__store_tables[t].blob;
    if (gnutls_hash_init(&s.h, GNUTLS_DIG_SHA256) < 0)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    rc = dops->dump(db, s.table, take_row, &s);
    gnutls_hash_deinit(s.h, d);
    if (rc)
      return rc;
    out[t].target_rows = s.rows;
    hex(d, out[t].target_sha256);
    if (s.rows != out[t].rows || strcmp(out[t].sha256, out[t].target_sha256))
      return maat__fail(MAAT_ECORRUPT, "migrate: table %s differs after the "
                        "copy (%ld rows, %ld in the target)", s.table,
                        out[t].rows, s.rows);
  }
  *ntables = maat__store_ntables;
  return MAAT_OK;
}

/*
 * store_memory.c - the memory backend of the store: the same contract as
 * SQLite's, kept in this process's memory and gone when it closes. For
 * tests and dry runs. Appends are undone on rollback by remembering each
 * table's length at begin; the few updates (settings, revocations,
 * contact records) keep their old value in an undo list. One mutex guards
 * everything: every operation is short.
 */
#include "store-int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct row {            /* one appended row; fields by table */
  int64_t seq, ref;     /* seq; event_seq of a decision or snapshot */
  double t;
  int n;
  char *a, *b, *c, *d, *e;
  size_t len;           /* length of 'a' (lines, records, snapshots) */
  /* the outbox's further fields */
  double t2, t3;
  int n2;
  char *f, *g;
};

struct table {
  struct row *rows;
  size_t n, cap, mark;  /* 'mark': the length when the transaction began */
};

enum { T_EVENTS, T_DECISIONS, T_SNAPSHOTS, T_TOKENS, T_AUDIT, T_CHECKINS,
       T_OUTCOMES, T_META, T_CONTACTS, T_OUTBOX, T_ARTICLES, T_LINKS,
       T_KBQ, T_RECS, NTABLES };

struct undo {           /* an update to take back: the row's old strings */
  int table;
  size_t i;
  struct row old;
  int removed;          /* the row was new in place: drop it */
};

struct mem {
  pthread_mutex_t mu;
  struct table t[NTABLES];
  struct undo *undo;
  size_t nundo, capundo;
  int64_t next_seq[NTABLES];
  int in_tx;
};

static void row_free(struct row *r)
{
  maat__free(r->a);
  maat__free(r->b);
  maat__free(r->c);
  maat__free(r->d);
  maat__free(r->e);
  maat__free(r->f);
  maat__free(r->g);
}

static char *dup_or_null(const char *s, int *oom)
{
  char *p;

  if (!s)
    return NULL;
  p = maat__strdup(s);
  if (!p)
    *oom = 1;
  return p;
}

static struct row *push(struct mem *m, int table)
{
  struct table *t = &m->t[table];

  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    struct row *p = maat__realloc(t->rows, cap * sizeof *p);
    if (!p)
      return NULL;
    t->rows = p;
    t->cap = cap;
  }
  memset(&t->rows[t->n], 0, sizeof t->rows[t->n]);
  t->rows[t->n].seq = ++m->next_seq[table];
  return &t->rows[t->n++];
}

static int oom(void)
{
  return maat__fail(MAAT_ENOMEM, "out of memory");
}

/* Remembers row 'i' of 'table' before it is changed. */
static int remember(struct mem *m, int table, size_t i)
{
  struct undo *u;

  if (!m->in_tx || i >= m->t[table].mark)
    return MAAT_OK;    /* new in this transaction: the length undoes it */
  if (m->nundo == m->capundo) {
    size_t cap = m->capundo ? m->capundo * 2 : 16;
    struct undo *p = maat__realloc(m->undo, cap * sizeof *p);
    if (!p)
      return oom();
    m->undo = p;
    m->capundo = cap;
  }
  u = &m->undo[m->nundo++];
  memset(u, 0, sizeof *u);
  u->table = table;
  u->i = i;
  u->old = m->t[table].rows[i];
  {
    int bad = 0;
    struct row *o = &u->old;
    o->a = o->a ? maat__strndup(o->a, o->len) : NULL;
    o->b = dup_or_null(o->b, &bad);
    o->c = dup_or_null(o->c, &bad);
    o->d = dup_or_null(o->d, &bad);
    o->e = dup_or_null(o->e, &bad);
    o->f = dup_or_null(o->f, &bad);
    o->g = dup_or_null(o->g, &bad);
    if (bad || (m->t[table].rows[i].a && !o->a)) {
      row_free(o);
      m->nundo--;
      return oom();
    }
  }
  return MAAT_OK;
}

static int mem_open(void **out, const char *location)
{
  struct mem *m = maat__calloc(1, sizeof *m);

  (void)location;
  if (!m)
    return oom();
  pthread_mutex_init(&m->mu, NULL);
  *out = m;
  return MAAT_OK;
}

static void drop_undo(struct mem *m)
{
  for (size_t k = 0; k < m->nundo; k++)
    row_free(&m->undo[k].old);
  m->nundo = 0;
}

static void mem_close(void *b)
{
  struct mem *m = b;

  if (!m)
    return;
  for (int k = 0; k < NTABLES; k++) {
    for (size_t i = 0; i < m->t[k].n; i++)
      row_free(&m->t[k].rows[i]);
    maat__free(m->t[k].rows);
  }
  drop_undo(m);
  maat__free(m->undo);
  pthread_mutex_destroy(&m->mu);
  maat__free(m);
}

/* ---- transactions ---- */

static int mem_begin(void *b)
{
  struct mem *m = b;

  pthread_mutex_lock(&m->mu);
  for (int k = 0; k < NTABLES; k++)
    m->t[k].mark = m->t[k].n;
  m->in_tx = 1;
  pthread_mutex_unlock(&m->mu);
  return MAAT_OK;
}

static int mem_commit(void *b)
{
  struct mem *m = b;

  pthread_mutex_lock(&m->mu);
  drop_undo(m);
  m->in_tx = 0;
  pthread_mutex_unlock(&m->mu);
  return MAAT_OK;
}

static int mem_rollback(void *b)
{
  struct mem *m = b;

  pthread_mutex_lock(&m->mu);
  if (m->in_tx) {
    /* Updates first, newest first, then the appended rows. */
    for (size_t k = m->nundo; k-- > 0;) {
      struct undo *u = &m->undo[k];
      row_free(&m->t[u->table].rows[u->i]);
      m->t[u->table].rows[u->i] = u->old;
      memset(&u->old, 0, sizeof u->old);
    }
    drop_undo(m);
    for (int k = 0; k < NTABLES; k++) {
      struct table *t = &m->t[k];
      while (t->n > t->mark)
        row_free(&t->rows[--t->n]);
      m->next_seq[k] = t->n ? t->rows[t->n - 1].seq : 0;
    }
    m->in_tx = 0;
  }
  pthread_mutex_unlock(&m->mu);
  return MAAT_OK;
}

/* ---- settings ---- */

static struct row *meta_find(struct mem *m, const char *key, size_t *at)
{
  for (size_t i = 0; i < m->t[T_META].n; i++)
    if (!strcmp(m->t[T_META].rows[i].b, key)) {
      if (at)
        *at = i;
      return &m->t[T_META].rows[i];
    }
  return NULL;
}

static int mem_meta_get(void *b, const char *key, char **value)
{
  struct mem *m = b;
  struct row *r;
  int rc = MAAT_ENOTFOUND;

  pthread_mutex_lock(&m->mu);
  if ((r = meta_find(m, key, NULL))) {
    *value = maat__strdup(r->a);
    rc = *value ? MAAT_OK : oom();
  }
  pthread_mutex_unlock(&m->mu);
  return rc;
}

static int meta_set_locked(struct mem *m, const char *key, const char *value)
{
  size_t at;
  struct row *r = meta_find(m, key, &at);
  char *v = maat__strdup(value);
  int rc;

  if (!v)
    return oom();
  if (r) {
    if ((rc = remember(m, T_META, at))) {
      maat__free(v);
      return rc;
    }
    maat__free(r->a);
    r->a = v;
    r->len = strlen(v);
    return MAAT_OK;
  }
  if (!(r = push(m, T_META)) || !(r->b = maat__strdup(key))) {
    if (r)
      m->t[T_META].n--;
    maat__free(v);
    return oom();
  }
  r->a = v;
  r->len = strlen(v);
  return MAAT_OK;
}

static int mem_meta_set(void *b, const char *key, const char *value)
{
  struct mem *m = b;
  int rc;

  pthread_mutex_lock(&m->mu);
  rc = meta_set_locked(m, key, value);
  pthread_mutex_unlock(&m->mu);
  return rc;
}

/* One process by construction: nobody else can write it. */
static int mem_lock_writer(void *b, int wait)
{
  (void)wait;
  (void)b;
  return MAAT_OK;
}

static int mem_bind_run(void *b, const char *run)
{
  struct mem *m = b;
  struct row *r;
  int rc = MAAT_OK;

  pthread_mutex_lock(&m->mu);
  r = meta_find(m, "config", NULL);
  if (r && strcmp(r->a, run))
    rc = maat__fail(MAAT_ESTATE, "store 'memory:' belongs to another run "
                    "(%s), not %s", r->a, run);
  else if (!r)
    rc = meta_set_locked(m, "config", run);
  pthread_mutex_unlock(&m->mu);
  return rc;
}

/* ---- the event log and snapshots ---- */

/* Appends a row whose 'a' is a copy of 'len' bytes of 'data'. */
static int append_blob(struct mem *m, int table, int64_t ref, double t,
                       const void *data, size_t len, int64_t *seq)
{
  struct row *r;

  pthread_mutex_lock(&m->mu);
  r = push(m, table);
  if (r && !(r->a = maat__malloc(len + 1))) {
    m->t[table].n--;
    m->next_seq[table]--;
    r = NULL;
  }
  if (!r) {
    pthread_mutex_unlock(&m->mu);
    return oom();
  }
  if (len)
    memcpy(r->a, data, len);
  r->a[len] = '\0';
  r->len = len;
  r->ref = ref;
  r->t = t;
  if (seq)
    *seq = r->seq;
  pthread_mutex_unlock(&m->mu);
  return MAAT_OK;
}

static int mem_event_append(void *b, double t, const char *line, size_t len,
                            int64_t *seq)
{
  return append_blob(b, T_EVENTS, 0, t, line, len, seq);
}

static int mem_decision_append(void *b, int64_t event_seq, const char *line,
                               size_t len)
{
  return append_blob(b, T_DECISIONS, event_seq, 0, line, len, NULL);
}

static int mem_event_stats(void *b, int64_t *count, int64_t *last)
{
  struct mem *m = b;
  struct table *t = &m->t[T_EVENTS];

  pthread_mutex_lock(&m->mu);
  *count = (int64_t)t->n;
  *last = t->n ? t->rows[t->n - 1].seq : 0;
  pthread_mutex_unlock(&m->mu);
  return MAAT_OK;
}

/*
 * Walks a table's rows after 'after' (by 'seq', or by 'ref' for
 * decisions). The lock is let go during each callback, which may write;
 * rows only ever move by being appended, so an index stays valid.
 */
static int walk(struct mem *m, int table, int by_ref, int64_t after,
                int (*fn)(void *, int64_t, const char *, size_t), void *ctx)
{
  int rc = MAAT_OK;

  for (size_t i = 0;; i++) {
    int64_t key;
    char *copy;
    size_t len;
    pthread_mutex_lock(&m->mu);
    if (i >= m->t[table].n) {
      pthread_mutex_unlock(&m->mu);
      break;
    }
    key = by_ref ? m->t[table].rows[i].ref : m->t[table].rows[i].seq;
    if (key <= after) {
      pthread_mutex_unlock(&m->mu);
      continue;
    }
    len = m->t[table].rows[i].len;
    copy = maat__strndup(m->t[table].rows[i].a, len);
    pthread_mutex_unlock(&m->mu);
    if (!copy)
      return oom();
    rc = fn(ctx, key, copy, len);
    maat__free(copy);
    if (rc)
      break;
  }
  return rc;
}

static int mem_events(void *b, int64_t after,
                      int (*fn)(void *, int64_t, const char *, size_t),
                      void *ctx)
{
  return walk(b, T_EVENTS, 0, after, fn, ctx);
}

static int mem_decisions(void *b, int64_t after,
                         int (*fn)(void *, int64_t, const char *, size_t),
                         void *ctx)
{
  return walk(b, T_DECISIONS, 1, after, fn, ctx);
}

static int mem_snapshot_put(void *b, int64_t seq, const void *data,
                            size_t len)
{
  return append_blob(b, T_SNAPSHOTS, seq, 0, data, len, NULL);
}

static int mem_snapshot_latest(void *b, int64_t *seq, void **data,
                               size_t *len)
{
  struct mem *m = b;
  struct table *t = &m->t[T_SNAPSHOTS];
  int rc = MAAT_ENOTFOUND;

  pthread_mutex_lock(&m->mu);
  if (t->n) {
    struct row *r = &t->rows[t->n - 1];
    void *p = maat__malloc(r->len ? r->len : 1);
    if (!p) {
      rc = oom();
    } else {
      memcpy(p, r->a, r->len);
      *data = p;
      *len = r->len;
      *seq = r->ref;
      rc = MAAT_OK;
    }
  }
  pthread_mutex_unlock(&m->mu);
  return rc;
}

/* ---- access ---- */

static void token_of(const struct row *r, struct maat_store_token *t)
{
  memset(t, 0, sizeof *t);
  t->id = r->seq;
  snprintf(t->hash, sizeof t->hash, "%s", r->a);
  snprintf(t->role, sizeof t->role, "%s", r->b);
  snprintf(t->agent, sizeof t->agent, "%s", r->c ? r->c : "");
  t->created = r->t;
  t->revoked = r->n ? (double)r->ref / 1e6 : 0;
}

static int mem_token_insert(void *b, const struct maat_store_token *t,
                            int64_t *id)
{
  struct mem *m = b;
  struct row *r;
  int bad = 0;

  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->t[T_TOKENS].n; i++)
    if (!strcmp(m->t[T_TOKENS].rows[i].a, t->hash)) {
      pthread_mutex_unlock(&m->mu);
      return maat__fail(MAAT_ESTATE, "store: that token exists already");
    }
  if (!(r = push(m, T_TOKENS))) {
    pthread_mutex_unlock(&m->mu);
    return oom();
  }
  r->a = dup_or_null(t->hash, &bad);
  r->b = dup_or_null(t->role, &bad);
  r->c = t->agent[0] ? dup_or_null(t->agent, &bad) : NULL;
  r->len = 64;
  r->t = t->created;
  if (bad) {
    row_free(r);
    m->t[T_TOKENS].n--;
    m->next_seq[T_TOKENS]--;
    pthread_mutex_unlock(&m->mu);
    return oom();
  }
  *id = r->seq;
  pthread_mutex_unlock(&m->mu);
  return MAAT_OK;
}

static int mem_token_find(void *b, const char *hash,
                          struct maat_store_token *out)
{
  struct mem *m = b;
  int rc = MAAT_ENOTFOUND;

  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->t[T_TOKENS].n; i++) {
    const struct row *r = &m->t[T_TOKENS].rows[i];
    if (!r->n && !strcmp(r->a, hash)) {
      token_of(r, out);
      rc = MAAT_OK;
      break;
    }
  }
  pthread_mutex_unlock(&m->mu);
  return rc;
}

static int mem_tokens(void *b,
                      int (*fn)(void *, const struct maat_store_token *),
                      void *ctx)
{
  struct mem *m = b;
  int rc = MAAT_OK;

  for (size_t i = 0;; i++) {
    struct maat_store_token t;
    pthread_mutex_lock(&m->mu);
    if (i >= m->t[T_TOKENS].n) {
      pthread_mutex_unlock(&m->mu);
      break;
    }
    token_of(&m->t[T_TOKENS].rows[i], &t);
    pthread_mutex_unlock(&m->mu);
    if ((rc = fn(ctx, &t)))
      break;
  }
  return rc;
}

static int mem_token_revoke(void *b, int64_t id, double at)
{
  struct mem *m = b;
  int rc = MAAT_ENOTFOUND;

  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->t[T_TOKENS].n; i++) {
    struct row *r = &m->t[T_TOKENS].rows[i];
    if (r->seq == id && !r->n) {
      if (!(rc = remember(m, T_TOKENS, i))) {
        r->n = 1;
        r->ref = (int64_t)(at * 1e6);
      }
      break;
    }
  }
  pthread_mutex_unlock(&m->mu);
  if (rc == MAAT_ENOTFOUND)
    rc = maat__fail(MAAT_ENOTFOUND, "no valid token with id %lld",
                    (long long)id);
  return rc;
}

static int mem_audit_append(void *b, const struct maat_store_audit *a)
{
  struct mem *m = b;
  struct row *r;
  int bad = 0;

  pthread_mutex_lock(&m->mu);
  if (!(r = push(m, T_AUDIT))) {
    pthread_mutex_unlock(&m->mu);
    return oom();
  }
  r->t = a->at;
  r->ref = a->token;
  r->n = a->status;
  r->b = dup_or_null(a->role, &bad);
  r->c = dup_or_null(a->method, &bad);
  r->d = dup_or_null(a->path, &bad);
  r->e = dup_or_null(a->detail, &bad);
  if (bad) {
    row_free(r);
    m->t[T_AUDIT].n--;
    m->next_seq[T_AUDIT]--;
  }
  pthread_mutex_unlock(&m->mu);
  return bad ? oom() : MAAT_OK;
}

static int mem_audits(void *b,
                      int (*fn)(void *, const struct maat_store_audit *),
                      void *ctx)
{
  struct mem *m = b;
  int rc = MAAT_OK;

  /* Held through the callbacks: they only read (the contract's tests). */
  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->t[T_AUDIT].n && !rc; i++) {
    const struct row *r = &m->t[T_AUDIT].rows[i];
    struct maat_store_audit a = { r->t, r->ref, r->b, r->c, r->d, r->n,
                                  r->e };
    rc = fn(ctx, &a);
  }
  pthread_mutex_unlock(&m->mu);
  return rc;
}

/* ---- wellbeing ---- */

static int mem_checkin_add(void *b, const struct maat_store_checkin *c)
{
  struct mem *m = b;
  struct row *r;
  int bad = 0;

  pthread_mutex_lock(&m->mu);
  if (!(r = push(m, T_CHECKINS))) {
    pthread_mutex_unlock(&m->mu);
    return oom();
  }
  r->t = c->t;
  r->n = c->energy;
  r->a = dup_or_null(c->agent, &bad);
  r->b = dup_or_null(c->contact, &bad);
  r->c = dup_or_null(c->note, &bad);
  r->d = c->intent && *c->intent ? dup_or_null(c->intent, &bad) : NULL;
  r->e = dup_or_null(c->tone, &bad);
  if (bad) {
    row_free(r);
    m->t[T_CHECKINS].n--;
    m->next_seq[T_CHECKINS]--;
  }
  pthread_mutex_unlock(&m->mu);
  return bad ? oom() : MAAT_OK;
}

static int mem_checkins(void *b, const char *agent, double since, int limit,
                        int (*fn)(void *, const struct maat_store_checkin *),
                        void *ctx)
{
  struct mem *m = b;
  int rc = MAAT_OK, sent = 0;

  pthread_mutex_lock(&m->mu);
  for (size_t i = m->t[T_CHECKINS].n; i-- > 0 && !rc;) {
    const struct row *r = &m->t[T_CHECKINS].rows[i];
    struct maat_store_checkin c;
    if (strcmp(r->a, agent) || r->t < since)
      continue;
    if (limit > 0 && sent++ >= limit)
      break;
    c.agent = r->a;
    c.contact = r->b;
    c.t = r->t;
    c.energy = r->n;
    c.note = r->c;
    c.intent = r->d;
    c.tone = r->e;
    rc = fn(ctx, &c);
  }
  pthread_mutex_unlock(&m->mu);
  return rc;
}

struct kind {
  const char *intent, *tone;
  long n;
  double sum;
};

static int kind_cmp(const void *pa, const void *pb)
{
  const struct kind *a = pa, *b = pb;
  double ma = a->sum / a->n, mb = b->sum / b->n;
  int c;

  if (ma != mb)
    return ma > mb ? -1 : 1;
  c = strcmp(a->intent, b->intent);
  return c ? c : strcmp(a->tone, b->tone);
}

static int mem_energy_by_kind(void *b, const char *agent, double since,
                              int (*fn)(void *, const char *, const char *,
                                        long, double),
                              void *ctx)
{
  struct mem *m = b;
  struct kind *k = NULL;
  size_t nk = 0;
  int rc = MAAT_OK;

  pthread_mutex_lock(&m->mu);
  k = maat__calloc(m->t[T_CHECKINS].n + 1, sizeof *k);
  if (!k) {
    pthread_mutex_unlock(&m->mu);
    return oom();
  }
  for (size_t i = 0; i < m->t[T_CHECKINS].n; i++) {
    const struct row *r = &m->t[T_CHECKINS].rows[i];
    const char *intent = r->d ? r->d : "(none)";
    size_t j;
    if (strcmp(r->a, agent) || r->t < since)
      continue;
    for (j = 0; j < nk; j++)
      if (!strcmp(k[j].intent, intent) && !strcmp(k[j].tone, r->e))
        break;
    if (j == nk) {
      k[nk].intent = intent;
      k[nk++].tone = r->e;
    }
    k[j].n++;
    k[j].sum += r->n;
  }
  qsort(k, nk, sizeof *k, kind_cmp);
  for (size_t j = 0; j < nk && !rc; j++)
    rc = fn(ctx, k[j].intent, k[j].tone, k[j].n, k[j].sum / k[j].n);
  pthread_mutex_unlock(&m->mu);
  maat__free(k);
  return rc;
}

/* ---- contacts ---- */

static int mem_contact_put(void *b, const char *id, double closed,
                           const char *record, size_t len)
{
  struct mem *m = b;
  struct table *t = &m->t[T_CONTACTS];
  char *copy = maat__strndup(record, len);
  int rc = MAAT_OK;

  if (!copy)
    return oom();
  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < t->n; i++)
    if (!strcmp(t->rows[i].b, id)) {
      if ((rc = remember(m, T_CONTACTS, i)))
        break;
      maat__free(t->rows[i].a);
      t->rows[i].a = copy;
      t->rows[i].len = len;
      t->rows[i].t = closed;
      copy = NULL;
      break;
    }
  if (copy && !rc) {
    struct row *r = push(m, T_CONTACTS);
    if (!r || !(r->b = maat__strdup(id))) {
      if (r) {
        m->t[T_CONTACTS].n--;
        m->next_seq[T_CONTACTS]--;
      }
      rc = oom();
    } else {
      r->a = copy;
      r->len = len;
      r->t = closed;
      copy = NULL;
    }
  }
  pthread_mutex_unlock(&m->mu);
  maat__free(copy);
  return rc;
}

static int mem_contact_get(void *b, const char *id, char **record,
                           size_t *len)
{
  struct mem *m = b;
  struct table *t = &m->t[T_CONTACTS];
  int rc = MAAT_ENOTFOUND;

  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < t->n; i++)
    if (!strcmp(t->rows[i].b, id)) {
      *record = maat__strndup(t->rows[i].a, t->rows[i].len);
      *len = t->rows[i].len;
      rc = *record ? MAAT_OK : oom();
      break;
    }
  pthread_mutex_unlock(&m->mu);
  return rc;
}

static int mem_bot_outcome_add(void *b, const char *contact, double t,
                               const char *outcome)
{
  struct mem *m = b;
  struct row *r;
  int bad = 0;

  pthread_mutex_lock(&m->mu);
  if (!(r = push(m, T_OUTCOMES))) {
    pthread_mutex_unlock(&m->mu);
    return oom();
  }
  r->t = t;
  r->a = dup_or_null(contact, &bad);
  r->len = r->a ? strlen(r->a) : 0;
  r->b = dup_or_null(outcome, &bad);
  if (bad) {
    row_free(r);
    m->t[T_OUTCOMES].n--;
    m->next_seq[T_OUTCOMES]--;
  }
  pthread_mutex_unlock(&m->mu);
  return bad ? oom() : MAAT_OK;
}

static int mem_bot_outcomes(void *b,
                            int (*fn)(void *, const char *, const char *),
                            void *ctx)
{
  struct mem *m = b;
  int rc = MAAT_OK;

  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->t[T_OUTCOMES].n && !rc; i++)
    rc = fn(ctx, m->t[T_OUTCOMES].rows[i].a, m->t[T_OUTCOMES].rows[i].b);
  pthread_mutex_unlock(&m->mu);
  return rc;
}

/* ---- the outbox: seq id, t created, a body, b kind, c key, d url,
 * e method, f headers, g last error, n attempts, n2 state, t2 next_at,
 * t3 done_at ---- */

static void outbox_of(const struct row *r, struct maat_store_outbox *o)
{
  o->id = r->seq;
  o->created = r->t;
  o->body = r->a;
  o->kind = r->b;
  o->key = r->c;
  o->url = r->d;
  o->method = r->e;
  o->headers = r->f;
  o->last_error = r->g;
  o->attempts = r->n;
  o->state = r->n2;
  o->next_at = r->t2;
  o->done_at = r->t3;
}

static int mem_outbox_add(void *b, const struct maat_store_outbox *o,
                          int64_t *id)
{
  struct mem *m = b;
  struct row *r;
  int bad = 0;

  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; o->key && i < m->t[T_OUTBOX].n; i++)
    if (m->t[T_OUTBOX].rows[i].c && !strcmp(m->t[T_OUTBOX].rows[i].c, o->key)) {
      *id = m->t[T_OUTBOX].rows[i].seq;
      pthread_mutex_unlock(&m->mu);
      return MAAT_OK;
    }
  if (!(r = push(m, T_OUTBOX))) {
    pthread_mutex_unlock(&m->mu);
    return oom();
  }
  r->t = o->created;
  r->a = dup_or_null(o->body, &bad);
  r->len = r->a ? strlen(r->a) : 0;
  r->b = dup_or_null(o->kind, &bad);
  r->c = dup_or_null(o->key, &bad);
  r->d = dup_or_null(o->url, &bad);
  r->e = dup_or_null(o->method, &bad);
  r->f = dup_or_null(o->headers, &bad);
  r->t2 = o->next_at;
  *id = r->seq;
  if (bad) {
    row_free(r);
    m->t[T_OUTBOX].n--;
    m->next_seq[T_OUTBOX]--;
  }
  pthread_mutex_unlock(&m->mu);
  return bad ? oom() : MAAT_OK;
}

static int mem_outbox_due(void *b, double now, int limit,
                          int (*fn)(void *, const struct maat_store_outbox *),
                          void *ctx)
{
  struct mem *m = b;
  int rc = MAAT_OK, n = 0;

  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->t[T_OUTBOX].n && !rc &&
                     (limit <= 0 || n < limit); i++) {
    const struct row *r = &m->t[T_OUTBOX].rows[i];
    struct maat_store_outbox o;
    if (r->n2 != MAAT_OUTBOX_PENDING || r->t2 > now)
      continue;
    outbox_of(r, &o);
    rc = fn(ctx, &o);
    n++;
  }
  pthread_mutex_unlock(&m->mu);
  return rc;
}

static int mem_outbox_mark(void *b, int64_t id, int state, int attempts,
                           double next_at, const char *error, double at)
{
  struct mem *m = b;
  int rc = MAAT_ENOTFOUND;

  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->t[T_OUTBOX].n; i++) {
    struct row *r = &m->t[T_OUTBOX].rows[i];
    int bad = 0;
    char *e;
    if (r->seq != id)
      continue;
    if ((rc = remember(m, T_OUTBOX, i)))
      break;
    e = dup_or_null(error, &bad);
    if (bad) {
      rc = oom();
      break;
    }
    maat__free(r->g);
    r->g = e;
    r->n = attempts;
    r->n2 = state;
    r->t2 = next_at;
    r->t3 = state == MAAT_OUTBOX_PENDING ? 0 : at;
    break;
  }
  pthread_mutex_unlock(&m->mu);
  if (rc == MAAT_ENOTFOUND)
    rc = maat__fail(MAAT_ENOTFOUND, "no outbox row %lld", (long long)id);
  return rc;
}

static int mem_outbox_list(void *b, int state, int limit,
                           int (*fn)(void *, const struct maat_store_outbox *),
                           void *ctx)
{
  struct mem *m = b;
  int rc = MAAT_OK, n = 0;

  pthread_mutex_lock(&m->mu);
  for (size_t i = m->t[T_OUTBOX].n; i-- > 0 && !rc &&
                                    (limit <= 0 || n < limit);) {
    const struct row *r = &m->t[T_OUTBOX].rows[i];
    struct maat_store_outbox o;
    if (r->n2 != state)
      continue;
    outbox_of(r, &o);
    rc = fn(ctx, &o);
    n++;
  }
  pthread_mutex_unlock(&m->mu);
  return rc;
}

static int mem_outbox_counts(void *b, long n[3])
{
  struct mem *m = b;

  n[0] = n[1] = n[2] = 0;
  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->t[T_OUTBOX].n; i++) {
    int st = m->t[T_OUTBOX].rows[i].n2;
    if (st >= 0 && st <= 2)
      n[st]++;
  }
  pthread_mutex_unlock(&m->mu);
  return MAAT_OK;
}

/* ---- the knowledge base: articles a id, b title, c body, d lang, e url,
 * f tags, g owner, ref version, n status; links a article, b question;
 * questions a question, b lang, c article, d source, n answered, t2
 * confidence ---- */

static int mem_article_put(void *b, const struct maat_store_article *a,
                           int64_t *version)
{
  struct mem *m = b;
  struct row *r;
  int64_t v = 0;
  int bad = 0;

  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->t[T_ARTICLES].n; i++)
    if (!strcmp(m->t[T_ARTICLES].rows[i].a, a->id) &&
        m->t[T_ARTICLES].rows[i].ref > v)
      v = m->t[T_ARTICLES].rows[i].ref;
  if (!(r = push(m, T_ARTICLES))) {
    pthread_mutex_unlock(&m->mu);
    return oom();
  }
  r->ref = v + 1;
  r->t = a->t;
  r->n = a->status;
  r->a = dup_or_null(a->id, &bad);
  r->b = dup_or_null(a->title ? a->title : "", &bad);
  r->c = dup_or_null(a->body, &bad);
  r->d = dup_or_null(a->lang ? a->lang : "", &bad);
  r->e = dup_or_null(a->url ? a->url : "", &bad);
  r->f = dup_or_null(a->tags ? a->tags : "", &bad);
  r->g = dup_or_null(a->owner ? a->owner : "", &bad);
  r->len = r->a ? strlen(r->a) : 0;
  if (bad) {
    row_free(r);
    m->t[T_ARTICLES].n--;
    m->next_seq[T_ARTICLES]--;
  } else {
    *version = v + 1;
  }
  pthread_mutex_unlock(&m->mu);
  return bad ? oom() : MAAT_OK;
}

static int article_of(const struct row *r,
                      int (*fn)(void *, const struct maat_store_article *),
                      void *ctx)
{
  struct maat_store_article a;

  a.id = r->a;
  a.version = r->ref;
  a.t = r->t;
  a.status = r->n;
  a.title = r->b;
  a.body = r->c;
  a.lang = r->d;
  a.url = r->e;
  a.tags = r->f;
  a.owner = r->g;
  return fn(ctx, &a);
}

static int cmp_article(const void *x, const void *y)
{
  const struct row *a = *(const struct row *const *)x;
  const struct row *b = *(const struct row *const *)y;
  int c = strcmp(a->a, b->a);

  return c ? c : (a->ref > b->ref) - (a->ref < b->ref);
}

static int mem_articles(void *b, const char *id,
                        int (*fn)(void *, const struct maat_store_article *),
                        void *ctx)
{
  struct mem *m = b;
  struct table *t = &m->t[T_ARTICLES];
  const struct row **v;
  size_t n = 0;
  int rc = MAAT_OK, any = 0;

  pthread_mutex_lock(&m->mu);
  v = maat__malloc((t->n ? t->n : 1) * sizeof *v);
  if (!v) {
    pthread_mutex_unlock(&m->mu);
    return oom();
  }
  for (size_t i = 0; i < t->n; i++)
    if (!id || !strcmp(t->rows[i].a, id))
      v[n++] = &t->rows[i];
  qsort(v, n, sizeof *v, cmp_article);
  for (size_t i = 0; i < n && !rc; i++) {
    /* All versions of one; else the last of each id. */
    if (!id && i + 1 < n && !strcmp(v[i]->a, v[i + 1]->a))
      continue;
    any = 1;
    rc = article_of(v[i], fn, ctx);
  }
  maat__free(v);
  pthread_mutex_unlock(&m->mu);
  if (!rc && id && !any)
    return MAAT_ENOTFOUND;
  return rc;
}

static int mem_kb_link_add(void *b, const char *article, const char *question,
                           double t)
{
  struct mem *m = b;
  struct row *r;
  int bad = 0;

  pthread_mutex_lock(&m->mu);
  if (!(r = push(m, T_LINKS))) {
    pthread_mutex_unlock(&m->mu);
    return oom();
  }
  r->t = t;
  r->a = dup_or_null(article, &bad);
  r->b = dup_or_null(question, &bad);
  r->len = r->a ? strlen(r->a) : 0;
  if (bad) {
    row_free(r);
    m->t[T_LINKS].n--;
    m->next_seq[T_LINKS]--;
  }
  pthread_mutex_unlock(&m->mu);
  return bad ? oom() : MAAT_OK;
}

static int mem_kb_links(void *b,
                        int (*fn)(void *, const char *, const char *, double),
                        void *ctx)
{
  struct mem *m = b;
  int rc = MAAT_OK;

  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->t[T_LINKS].n && !rc; i++)
    rc = fn(ctx, m->t[T_LINKS].rows[i].a, m->t[T_LINKS].rows[i].b,
            m->t[T_LINKS].rows[i].t);
  pthread_mutex_unlock(&m->mu);
  return rc;
}

static int mem_kb_question_add(void *b, const struct maat_store_kb_question *q)
{
  struct mem *m = b;
  struct row *r;
  int bad = 0;

  pthread_mutex_lock(&m->mu);
  if (!(r = push(m, T_KBQ))) {
    pthread_mutex_unlock(&m->mu);
    return oom();
  }
  r->t = q->t;
  r->n = q->answered;
  r->t2 = q->confidence;
  r->a = dup_or_null(q->question, &bad);
  r->b = dup_or_null(q->lang ? q->lang : "", &bad);
  r->c = dup_or_null(q->article ? q->article : "", &bad);
  r->d = dup_or_null(q->source, &bad);
  r->len = r->a ? strlen(r->a) : 0;
  if (bad) {
    row_free(r);
    m->t[T_KBQ].n--;
    m->next_seq[T_KBQ]--;
  }
  pthread_mutex_unlock(&m->mu);
  return bad ? oom() : MAAT_OK;
}

static int mem_kb_questions(void *b, double since,
                            int (*fn)(void *,
                                      const struct maat_store_kb_question *),
                            void *ctx)
{
  struct mem *m = b;
  int rc = MAAT_OK;

  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->t[T_KBQ].n && !rc; i++) {
    const struct row *r = &m->t[T_KBQ].rows[i];
    struct maat_store_kb_question q;
    if (r->t < since)
      continue;
    q.seq = r->seq;
    q.t = r->t;
    q.question = r->a;
    q.lang = r->b;
    q.answered = r->n;
    q.confidence = r->t2;
    q.article = r->c;
    q.source = r->d;
    rc = fn(ctx, &q);
  }
  pthread_mutex_unlock(&m->mu);
  return rc;
}

/* Kept records: a kind, b key, c body, n state, n2 1 when deleted (a
 * flag, so that a rollback restores the row in place). */
static int mem_rec_add(void *b, const char *kind, const char *key, double t,
                       int state, const char *body, int64_t *id)
{
  struct mem *m = b;
  struct row *r;
  int bad = 0;

  pthread_mutex_lock(&m->mu);
  if (!(r = push(m, T_RECS))) {
    pthread_mutex_unlock(&m->mu);
    return oom();
  }
  r->t = t;
  r->n = state;
  r->a = dup_or_null(kind, &bad);
  r->b = dup_or_null(key, &bad);
  r->c = dup_or_null(body, &bad);
  r->len = r->a ? strlen(r->a) : 0;
  if (bad) {
    row_free(r);
    m->t[T_RECS].n--;
    m->next_seq[T_RECS]--;
  } else if (id) {
    *id = r->seq;
  }
  pthread_mutex_unlock(&m->mu);
  return bad ? oom() : MAAT_OK;
}

static int mem_rec_set(void *b, const char *kind, int64_t id, int state,
                       const char *body)
{
  struct mem *m = b;
  int rc = MAAT_ENOTFOUND;

  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->t[T_RECS].n; i++) {
    struct row *r = &m->t[T_RECS].rows[i];
    int bad = 0;
    char *nb;
    if (r->seq != id || r->n2 || strcmp(r->a, kind))
      continue;
    if ((rc = remember(m, T_RECS, i)))
      break;
    nb = dup_or_null(body, &bad);
    if (bad) {
      rc = oom();
      break;
    }
    maat__free(r->c);
    r->c = nb;
    r->n = state;
    rc = MAAT_OK;
    break;
  }
  pthread_mutex_unlock(&m->mu);
  return rc;
}

static int mem_recs(void *b, int writer, const char *kind, const char *key,
                    int state,
                    int (*fn)(void *, int64_t, const char *, double, int,
                              const char *),
                    void *ctx)
{
  struct mem *m = b;
  int rc = MAAT_OK;

  (void)writer;  /* one view: a transaction's rows are visible */
  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->t[T_RECS].n && !rc; i++) {
    const struct row *r = &m->t[T_RECS].rows[i];
    if (r->n2 || strcmp(r->a, kind) || (key && strcmp(r->b, key)) ||
        (state >= 0 && r->n != state))
      continue;
    rc = fn(ctx, r->seq, r->b, r->t, (int)r->n, r->c);
  }
  pthread_mutex_unlock(&m->mu);
  return rc;
}

static int mem_rec_delete(void *b, const char *kind, const char *key,
                          double before, long *n)
{
  struct mem *m = b;
  int rc = MAAT_OK;
  long k = 0;

  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->t[T_RECS].n && !rc; i++) {
    struct row *r = &m->t[T_RECS].rows[i];
    if (r->n2 || strcmp(r->a, kind) || (key && strcmp(r->b, key)) ||
        !(r->t < before))
      continue;
    if (!(rc = remember(m, T_RECS, i))) {
      r->n2 = 1;
      k++;
    }
  }
  pthread_mutex_unlock(&m->mu);
  if (n)
    *n = k;
  return rc;
}

static const void *find_bytes(const void *hay, size_t hn, const void *needle,
                              size_t n)
{
  const unsigned char *h = hay;

  if (!n || hn < n)
    return NULL;
  for (size_t i = 0; i + n <= hn; i++)
    if (h[i] == *(const unsigned char *)needle && !memcmp(h + i, needle, n))
      return h + i;
  return NULL;
}

/* Memory: every string of every row, and the snapshots' bytes. */
static int mem_scrub(void *b, const char *needle, size_t n,
                     int (*fn)(void *, const char *, const void *, size_t,
                               void **, size_t *),
                     void *ctx)
{
  static const char *const names[NTABLES] = {
    "events", "decisions", "snapshots", "tokens", "audit", "checkins",
    "bot_outcomes", "meta", "contacts", "outbox", "kb_articles", "kb_links",
    "kb_questions", "records" };
  struct mem *m = b;
  int rc = MAAT_OK;

  pthread_mutex_lock(&m->mu);
  for (int k = 0; k < NTABLES && !rc; k++) {
    if (k == T_TOKENS || k == T_META || k == T_ARTICLES)
      continue;
    for (size_t i = 0; i < m->t[k].n && !rc; i++) {
      struct row *r = &m->t[k].rows[i];
      char **f[7] = { &r->a, &r->b, &r->c, &r->d, &r->e, &r->f, &r->g };
      for (int j = 0; j < 7 && !rc; j++) {
        size_t len = j == 0 && *f[j] ? r->len : *f[j] ? strlen(*f[j]) : 0;
        void *out = NULL;
        size_t outlen = 0;
        if (!*f[j] || !find_bytes(*f[j], len, needle, n))
          continue;
        if ((rc = fn(ctx, names[k], *f[j], len, &out, &outlen)) || !out)
          continue;
        if ((rc = remember(m, k, i))) {
          maat__free(out);
          break;
        }
        {
          /* Kept NUL-terminated, as every string here is. */
          char *s = maat__realloc(out, outlen + 1);
          if (!s) {
            maat__free(out);
            rc = oom();
            break;
          }
          s[outlen] = '\0';
          maat__free(*f[j]);
          *f[j] = s;
          if (j == 0)
            r->len = outlen;
        }
      }
    }
  }
  pthread_mutex_unlock(&m->mu);
  return rc;
}

static int mem_compact(void *b)
{
  (void)b;   /* nothing outlives an overwrite in memory */
  return MAAT_OK;
}

static int mem_purge(void *b, const char *what, double before, long *n)
{
  /* Nothing here outlives the process; rows are not taken out of a
   * store whose transactions undo by length. */
  (void)b, (void)what, (void)before;
  if (n)
    *n = 0;
  return MAAT_OK;
}

static int mem_checkins_erase(void *b, const char *agent, long *n)
{
  struct mem *m = b;
  int rc = MAAT_OK;
  long k = 0;

  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->t[T_CHECKINS].n && !rc; i++) {
    struct row *r = &m->t[T_CHECKINS].rows[i];
    int bad = 0;
    char *none;
    if (!r->a || strcmp(r->a, agent) || (rc = remember(m, T_CHECKINS, i)))
      continue;
    /* In place (rows go by length on a rollback): no one's any more, no
     * energy, no note. */
    if (!(none = dup_or_null("", &bad))) {
      rc = oom();
      break;
    }
    maat__free(r->a);
    maat__free(r->c);
    r->a = none;
    r->c = NULL;
    r->n = 0;
    k++;
  }
  pthread_mutex_unlock(&m->mu);
  if (n)
    *n = k;
  return rc;
}

/* A memory store is not copied: it keeps nothing past the process. */
/* A memory store is not copied; its closed contacts and check-ins are
 * read this way for the insight report (maat/insight.h). */
static int mem_dump(void *b, const char *table,
                    int (*fn)(void *, const char *const *, const size_t *,
                              int),
                    void *ctx)
{
  struct mem *m = b;
  int contacts = !strcmp(table, "contacts"), rc = MAAT_OK;
  struct table *t;

  if (!contacts && strcmp(table, "checkins"))
    return maat__fail(MAAT_EINVAL, "a memory store is not copied");
  pthread_mutex_lock(&m->mu);
  t = &m->t[contacts ? T_CONTACTS : T_CHECKINS];
  for (size_t i = 0; i < t->n && !rc; i++) {
    const struct row *r = &t->rows[i];
    char tb[32], nb[32], sb[32];
    const char *v[8];
    size_t len[8];
    int n;
    snprintf(tb, sizeof tb, "%.17g", r->t);
    if (contacts) {
      v[0] = r->b, v[1] = tb, v[2] = r->a;
      n = 3;
    } else {
      snprintf(sb, sizeof sb, "%lld", (long long)(i + 1));
      snprintf(nb, sizeof nb, "%d", (int)r->n);
      v[0] = sb, v[1] = r->a, v[2] = r->b, v[3] = tb, v[4] = nb;
      v[5] = r->c, v[6] = r->d, v[7] = r->e;
      n = 8;
    }
    for (int k = 0; k < n; k++)
      len[k] = v[k] ? strlen(v[k]) : 0;
    rc = fn(ctx, v, len, n);
  }
  pthread_mutex_unlock(&m->mu);
  return rc;
}

static int mem_load(void *b, const char *table, const char *const *v,
                    const size_t *len, int n)
{
  (void)b, (void)table, (void)v, (void)len, (void)n;
  return maat__fail(MAAT_EINVAL, "a memory store is not copied");
}

static int mem_loaded(void *b)
{
  (void)b;
  return MAAT_OK;
}

const struct maat__store_ops maat__store_memory = {
  "memory", mem_open, mem_close,
  mem_bind_run, mem_meta_get, mem_meta_set,
  mem_lock_writer,
  mem_begin, mem_commit, mem_rollback,
  mem_event_append, mem_decision_append, mem_event_stats, mem_events,
  mem_decisions, mem_snapshot_put, mem_snapshot_latest,
  mem_token_insert, mem_token_find, mem_tokens, mem_token_revoke,
  mem_audit_append, mem_audits,
  mem_checkin_add, mem_checkins, mem_energy_by_kind,
  mem_contact_put, mem_contact_get, mem_bot_outcome_add, mem_bot_outcomes,
  mem_outbox_add, mem_outbox_due, mem_outbox_mark, mem_outbox_list,
  mem_outbox_counts,
  mem_article_put, mem_articles, mem_kb_link_add, mem_kb_links,
  mem_kb_question_add, mem_kb_questions,
  mem_rec_add, mem_rec_set, mem_recs, mem_rec_delete,
  mem_scrub, mem_compact, mem_purge, mem_checkins_erase,
  mem_dump, mem_load, mem_loaded,
  /* one process: no inbox, no notifications */
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

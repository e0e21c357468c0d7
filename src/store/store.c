/*
 * store.c - maat/store.h over a backend: picks the backend from the URI,
 * checks arguments, and keeps the rule of one transaction at a time. The
 * thread that began a transaction writes into it; a write from any other
 * thread (or with none open) waits for the transaction to end and then
 * runs in a transaction of its own. Reads go straight to the backend,
 * which lets them run beside a commit (SQLite: a second connection on the
 * WAL; memory: a short lock).
 */
#include "store-int.h"

#include <pthread.h>
#include <string.h>

struct maat_store {
  const struct maat__store_ops *ops;
  void *b;
  char *uri;
  pthread_mutex_t tx;     /* held from begin to commit or rollback */
  pthread_mutex_t state;  /* guards 'open' and 'owner' */
  int open;               /* a transaction is open */
  pthread_t owner;        /* the thread that opened it */
};

int maat_store_open(maat_store **out, const char *uri)
{
  const struct maat__store_ops *ops;
  const char *loc;
  maat_store *st;
  int rc;

  if (!out || !uri || !*uri)
    return maat__fail(MAAT_EINVAL, "store: no URI (sqlite:PATH, a path, "
                      "postgresql://..., or memory:)");
  if (!strncmp(uri, "sqlite:", 7)) {
    ops = &maat__store_sqlite;
    loc = uri + 7;
  } else if (!strcmp(uri, "memory:")) {
    ops = &maat__store_memory;
    loc = "";
  } else if (!strncmp(uri, "postgresql:", 11) ||
             !strncmp(uri, "postgres:", 9)) {
    ops = &maat__store_pg;
    loc = uri;   /* libpq reads the URI itself */
  } else if (strchr(uri, ':') && strchr(uri, ':') - uri >= 2 &&
             strspn(uri, "abcdefghijklmnopqrstuvwxyz") ==
                 (size_t)(strchr(uri, ':') - uri)) {
    return maat__fail(MAAT_EINVAL, "store '%s': unknown scheme; expected "
                      "sqlite:PATH, a path, postgresql://... or memory:",
                      uri);
  } else {
    ops = &maat__store_sqlite;
    loc = uri;
  }
  if (ops == &maat__store_sqlite && !*loc)
    return maat__fail(MAAT_EINVAL, "store '%s': no file path", uri);
  st = maat__calloc(1, sizeof *st);
  if (!st || !(st->uri = maat__strdup(uri))) {
    maat__free(st);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  st->ops = ops;
  pthread_mutex_init(&st->tx, NULL);
  pthread_mutex_init(&st->state, NULL);
  rc = ops->open(&st->b, loc);
  if (rc) {
    st->b = NULL;
    maat_store_close(st);
    return rc;
  }
  *out = st;
  return MAAT_OK;
}

void maat_store_close(maat_store *st)
{
  if (!st)
    return;
  if (st->b) {
    if (st->open)
      st->ops->rollback(st->b);
    st->ops->close(st->b);
  }
  pthread_mutex_destroy(&st->tx);
  pthread_mutex_destroy(&st->state);
  maat__free(st->uri);
  maat__free(st);
}

const char *maat_store_backend(const maat_store *st)
{
  return st ? st->ops->name : "";
}

const char *maat_store_uri(const maat_store *st)
{
  return st ? st->uri : "";
}

/* Whether this thread holds the open transaction. */
static int mine(maat_store *st)
{
  int yes;

  pthread_mutex_lock(&st->state);
  yes = st->open && pthread_equal(st->owner, pthread_self());
  pthread_mutex_unlock(&st->state);
  return yes;
}

int maat_store_begin(maat_store *st)
{
  int rc;

  if (mine(st))
    return maat__fail(MAAT_ESTATE, "store: a transaction is open already");
  pthread_mutex_lock(&st->tx);
  rc = st->ops->begin(st->b);
  if (rc) {
    pthread_mutex_unlock(&st->tx);
    return rc;
  }
  pthread_mutex_lock(&st->state);
  st->open = 1;
  st->owner = pthread_self();
  pthread_mutex_unlock(&st->state);
  return MAAT_OK;
}

static void end_tx(maat_store *st)
{
  pthread_mutex_lock(&st->state);
  st->open = 0;
  pthread_mutex_unlock(&st->state);
  pthread_mutex_unlock(&st->tx);
}

int maat_store_commit(maat_store *st)
{
  int rc;

  if (!mine(st))
    return maat__fail(MAAT_ESTATE, "store: no transaction to commit");
  rc = st->ops->commit(st->b);
  if (rc)
    st->ops->rollback(st->b);
  end_tx(st);
  return rc;
}

int maat_store_rollback(maat_store *st)
{
  int rc;

  if (!mine(st))
    return MAAT_OK;
  rc = st->ops->rollback(st->b);
  end_tx(st);
  return rc;
}

/*
 * Runs a write: in this thread's transaction, or in one of its own. A
 * write that fails inside the caller's transaction leaves it open for the
 * caller to roll back; one of its own is rolled back here.
 */
#define WRITE(st, call)                                                     \
  do {                                                                      \
    int rc_;                                                                \
    if (mine(st))                                                           \
      return (call);                                                        \
    if ((rc_ = maat_store_begin(st)))                                       \
      return rc_;                                                           \
    rc_ = (call);                                                           \
    if (rc_) {                                                              \
      maat_store_rollback(st);                                              \
      return rc_;                                                           \
    }                                                                       \
    return maat_store_commit(st);                                           \
  } while (0)

int maat__store_write(maat_store *st, int (*call)(maat_store *, void *),
                      void *arg)
{
  WRITE(st, call(st, arg));
}

const struct maat__store_ops *maat__store_ops_of(maat_store *st,
                                                 void **backend)
{
  *backend = st->b;
  return st->ops;
}

/* The lock is asked on the writing connection: never beside a write. */
static int lock_writer(maat_store *st, int wait)
{
  int rc;

  if (!st)
    return maat__fail(MAAT_EINVAL, "store: no store");
  if (mine(st))
    return st->ops->lock_writer(st->b, wait);
  pthread_mutex_lock(&st->tx);
  rc = st->ops->lock_writer(st->b, wait);
  pthread_mutex_unlock(&st->tx);
  return rc;
}

int maat_store_lock_writer(maat_store *st)
{
  return lock_writer(st, 1);
}

int maat_store_try_writer(maat_store *st)
{
  return lock_writer(st, 0);
}

int maat_store_bind_run(maat_store *st, const char *run)
{
  if (!run || !*run)
    return maat__fail(MAAT_EINVAL, "store: no run identity");
  WRITE(st, st->ops->bind_run(st->b, run));
}

int maat_store_event_append(maat_store *st, double t, const char *line,
                            size_t len, int64_t *seq)
{
  int64_t dummy;

  if (!line)
    return maat__fail(MAAT_EINVAL, "store: no event line");
  WRITE(st, st->ops->event_append(st->b, t, line, len, seq ? seq : &dummy));
}

int maat_store_decision_append(maat_store *st, int64_t event_seq,
                               const char *line, size_t len)
{
  if (!line)
    return maat__fail(MAAT_EINVAL, "store: no decision line");
  WRITE(st, st->ops->decision_append(st->b, event_seq, line, len));
}

int maat_store_event_stats(maat_store *st, int64_t *count, int64_t *last)
{
  int64_t c, l;
  int rc = st->ops->event_stats(st->b, &c, &l);

  if (!rc) {
    if (count)
      *count = c;
    if (last)
      *last = l;
  }
  return rc;
}

int maat_store_events(maat_store *st, int64_t after_seq,
                      int (*fn)(void *, int64_t, const char *, size_t),
                      void *ctx)
{
  if (!fn)
    return maat__fail(MAAT_EINVAL, "store: no callback");
  return st->ops->events(st->b, after_seq, fn, ctx);
}

int maat_store_decisions(maat_store *st, int64_t after_seq,
                         int (*fn)(void *, int64_t, const char *, size_t),
                         void *ctx)
{
  if (!fn)
    return maat__fail(MAAT_EINVAL, "store: no callback");
  return st->ops->decisions(st->b, after_seq, fn, ctx);
}

int maat_store_snapshot_put(maat_store *st, int64_t event_seq,
                            const void *data, size_t len)
{
  if (!data && len)
    return maat__fail(MAAT_EINVAL, "store: no snapshot data");
  WRITE(st, st->ops->snapshot_put(st->b, event_seq, data ? data : "", len));
}

int maat_store_snapshot_latest(maat_store *st, int64_t *event_seq,
                               void **data, size_t *len)
{
  if (!event_seq || !data || !len)
    return maat__fail(MAAT_EINVAL, "store: snapshot_latest needs its "
                      "out-parameters");
  return st->ops->snapshot_latest(st->b, event_seq, data, len);
}

int maat_store_meta_get(maat_store *st, const char *key, char **value)
{
  if (!key || !value)
    return maat__fail(MAAT_EINVAL, "store: meta_get needs a key");
  return st->ops->meta_get(st->b, key, value);
}

int maat_store_meta_set(maat_store *st, const char *key, const char *value)
{
  if (!key || !value)
    return maat__fail(MAAT_EINVAL, "store: meta_set needs a key and value");
  WRITE(st, st->ops->meta_set(st->b, key, value));
}

int maat_store_token_insert(maat_store *st, const struct maat_store_token *t,
                            int64_t *id)
{
  int64_t dummy;

  if (!t || strlen(t->hash) != 64 || !t->role[0])
    return maat__fail(MAAT_EINVAL, "store: a token needs a hash and a role");
  WRITE(st, st->ops->token_insert(st->b, t, id ? id : &dummy));
}

int maat_store_token_find(maat_store *st, const char *hash,
                          struct maat_store_token *out)
{
  if (!hash || !out)
    return maat__fail(MAAT_EINVAL, "store: token_find needs a hash");
  return st->ops->token_find(st->b, hash, out);
}

int maat_store_tokens(maat_store *st,
                      int (*fn)(void *, const struct maat_store_token *),
                      void *ctx)
{
  if (!fn)
    return maat__fail(MAAT_EINVAL, "store: no callback");
  return st->ops->tokens(st->b, fn, ctx);
}

int maat_store_token_revoke(maat_store *st, int64_t id, double at)
{
  WRITE(st, st->ops->token_revoke(st->b, id, at));
}

int maat_store_audit_append(maat_store *st, const struct maat_store_audit *a)
{
  if (!a || !a->method || !a->path)
    return maat__fail(MAAT_EINVAL, "store: an audit row needs a method and "
                      "a path");
  WRITE(st, st->ops->audit_append(st->b, a));
}

int maat_store_audits(maat_store *st,
                      int (*fn)(void *, const struct maat_store_audit *),
                      void *ctx)
{
  if (!fn)
    return maat__fail(MAAT_EINVAL, "store: no callback");
  return st->ops->audits(st->b, fn, ctx);
}

int maat_store_checkin_add(maat_store *st, const struct maat_store_checkin *c)
{
  if (!c || !c->agent || !c->contact || !c->tone || c->energy < 1 ||
      c->energy > 5)
    return maat__fail(MAAT_EINVAL, "store: a check-in needs an agent, a "
                      "contact, a tone and an energy of 1 to 5");
  WRITE(st, st->ops->checkin_add(st->b, c));
}

int maat_store_checkins(maat_store *st, const char *agent, double since,
                        int limit,
                        int (*fn)(void *, const struct maat_store_checkin *),
                        void *ctx)
{
  if (!agent || !fn)
    return maat__fail(MAAT_EINVAL, "store: checkins needs an agent");
  return st->ops->checkins(st->b, agent, since, limit, fn, ctx);
}

int maat_store_energy_by_kind(maat_store *st, const char *agent, double since,
                              int (*fn)(void *, const char *, const char *,
                                        long, double),
                              void *ctx)
{
  if (!agent || !fn)
    return maat__fail(MAAT_EINVAL, "store: energy_by_kind needs an agent");
  return st->ops->energy_by_kind(st->b, agent, since, fn, ctx);
}

int maat_store_contact_put(maat_store *st, const char *id, double closed,
                           const char *record, size_t len)
{
  if (!id || !*id || !record)
    return maat__fail(MAAT_EINVAL, "store: a contact record needs an id");
  WRITE(st, st->ops->contact_put(st->b, id, closed, record, len));
}

int maat_store_contact_get(maat_store *st, const char *id, char **record,
                           size_t *len)
{
  size_t dummy;

  if (!id || !record)
    return maat__fail(MAAT_EINVAL, "store: contact_get needs an id");
  return st->ops->contact_get(st->b, id, record, len ? len : &dummy);
}

int maat_store_bot_outcome_add(maat_store *st, const char *contact, double t,
                               const char *outcome)
{
  if (!contact)
    return maat__fail(MAAT_EINVAL, "store: an outcome needs a contact");
  WRITE(st, st->ops->bot_outcome_add(st->b, contact, t, outcome));
}

int maat_store_bot_outcomes(maat_store *st,
                            int (*fn)(void *, const char *, const char *),
                            void *ctx)
{
  if (!fn)
    return maat__fail(MAAT_EINVAL, "store: no callback");
  return st->ops->bot_outcomes(st->b, fn, ctx);
}

/* ---- the outbox ---- */

int maat_store_outbox_add(maat_store *st, const struct maat_store_outbox *o,
                          int64_t *id)
{
  int64_t dummy;

  if (!o || !o->kind || !o->url || !o->method || !o->body)
    return maat__fail(MAAT_EINVAL, "store: an outbox row needs a kind, a "
                      "method, a URL and a body");
  WRITE(st, st->ops->outbox_add(st->b, o, id ? id : &dummy));
}

int maat_store_outbox_due(maat_store *st, double now, int limit,
                          int (*fn)(void *, const struct maat_store_outbox *),
                          void *ctx)
{
  if (!fn)
    return maat__fail(MAAT_EINVAL, "store: no callback");
  return st->ops->outbox_due(st->b, now, limit, fn, ctx);
}

int maat_store_outbox_mark(maat_store *st, int64_t id, int state,
                           int attempts, double next_at, const char *error,
                           double at)
{
  if (state < MAAT_OUTBOX_PENDING || state > MAAT_OUTBOX_DEAD)
    return maat__fail(MAAT_EINVAL, "store: outbox state %d", state);
  WRITE(st, st->ops->outbox_mark(st->b, id, state, attempts, next_at, error,
                                 at));
}

int maat_store_outbox_list(maat_store *st, int state, int limit,
                           int (*fn)(void *, const struct maat_store_outbox *),
                           void *ctx)
{
  if (!fn)
    return maat__fail(MAAT_EINVAL, "store: no callback");
  return st->ops->outbox_list(st->b, state, limit, fn, ctx);
}

int maat_store_outbox_counts(maat_store *st, long n[3])
{
  return st->ops->outbox_counts(st->b, n);
}

/* ---- the knowledge base ---- */

int maat_store_article_put(maat_store *st, const struct maat_store_article *a,
                           int64_t *version)
{
  int64_t dummy;

  if (!a || !a->id || !*a->id || !a->body)
    return maat__fail(MAAT_EINVAL, "store: an article needs an id and a "
                      "body");
  if (a->status < MAAT_ARTICLE_PUBLISHED || a->status > MAAT_ARTICLE_REMOVED)
    return maat__fail(MAAT_EINVAL, "store: unknown article status %d",
                      a->status);
  WRITE(st, st->ops->article_put(st->b, a, version ? version : &dummy));
}

int maat_store_articles(maat_store *st, const char *id,
                        int (*fn)(void *, const struct maat_store_article *),
                        void *ctx)
{
  if (!fn)
    return maat__fail(MAAT_EINVAL, "store: no callback");
  return st->ops->articles(st->b, id, fn, ctx);
}

int maat_store_kb_link_add(maat_store *st, const char *article,
                           const char *question, double t)
{
  if (!article || !question)
    return maat__fail(MAAT_EINVAL, "store: a link needs an article and a "
                      "question");
  WRITE(st, st->ops->kb_link_add(st->b, article, question, t));
}

int maat_store_kb_links(maat_store *st,
                        int (*fn)(void *, const char *, const char *, double),
                        void *ctx)
{
  if (!fn)
    return maat__fail(MAAT_EINVAL, "store: no callback");
  return st->ops->kb_links(st->b, fn, ctx);
}

int maat_store_kb_question_add(maat_store *st,
                               const struct maat_store_kb_question *q)
{
  if (!q || !q->question || !q->source)
    return maat__fail(MAAT_EINVAL, "store: a question needs its text and "
                      "source");
  WRITE(st, st->ops->kb_question_add(st->b, q));
}

int maat_store_kb_questions(maat_store *st, double since,
                            int (*fn)(void *,
                                      const struct maat_store_kb_question *),
                            void *ctx)
{
  if (!fn)
    return maat__fail(MAAT_EINVAL, "store: no callback");
  return st->ops->kb_questions(st->b, since, fn, ctx);
}

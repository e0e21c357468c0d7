/*
 * store-int.h - the backend interface behind maat/store.h, grouped by
 * concern. src/store/store.c checks arguments, keeps the one-transaction-
 * at-a-time rule and the locking; a backend only talks to its database.
 * Every backend passes the same contract suite (tests/unit/store.c).
 * Never installed; nothing outside src/store/ includes it.
 */
#ifndef MAAT_STORE_INT_H
#define MAAT_STORE_INT_H

#include "maat-int.h"

struct maat__backend;

/* A backend: 'open' fills '*out' with its state; the rest take that. */
struct maat__store_ops {
  const char *name;
  int (*open)(void **out, const char *location);
  void (*close)(void *b);

  /* run identity and settings */
  int (*bind_run)(void *b, const char *run);
  int (*meta_get)(void *b, const char *key, char **value);
  int (*meta_set)(void *b, const char *key, const char *value);

  /* the one writer: MAAT_EBUSY naming the holder when another has it */
  int (*lock_writer)(void *b, int wait);   /* wait: ask again a while */

  /* transactions: at most one open, always from the caller holding it */
  int (*begin)(void *b);
  int (*commit)(void *b);
  int (*rollback)(void *b);

  /* the event log and snapshots */
  int (*event_append)(void *b, double t, const char *line, size_t len,
                      int64_t *seq);
  int (*decision_append)(void *b, int64_t event_seq, const char *line,
                         size_t len);
  int (*event_stats)(void *b, int64_t *count, int64_t *last);
  int (*events)(void *b, int64_t after,
                int (*fn)(void *, int64_t, const char *, size_t), void *ctx);
  int (*decisions)(void *b, int64_t after,
                   int (*fn)(void *, int64_t, const char *, size_t),
                   void *ctx);
  int (*snapshot_put)(void *b, int64_t seq, const void *data, size_t len);
  int (*snapshot_latest)(void *b, int64_t *seq, void **data, size_t *len);

  /* access */
  int (*token_insert)(void *b, const struct maat_store_token *t,
                      int64_t *id);
  int (*token_find)(void *b, const char *hash, struct maat_store_token *out);
  int (*tokens)(void *b, int (*fn)(void *, const struct maat_store_token *),
                void *ctx);
  int (*token_revoke)(void *b, int64_t id, double at);
  int (*audit_append)(void *b, const struct maat_store_audit *a);
  int (*audits)(void *b, int (*fn)(void *, const struct maat_store_audit *),
                void *ctx);

  /* wellbeing */
  int (*checkin_add)(void *b, const struct maat_store_checkin *c);
  int (*checkins)(void *b, const char *agent, double since, int limit,
                  int (*fn)(void *, const struct maat_store_checkin *),
                  void *ctx);
  int (*energy_by_kind)(void *b, const char *agent, double since,
                        int (*fn)(void *, const char *, const char *, long,
                                  double),
                        void *ctx);

  /* contacts */
  int (*contact_put)(void *b, const char *id, double closed,
                     const char *record, size_t len);
  int (*contact_get)(void *b, const char *id, char **record, size_t *len);
  int (*bot_outcome_add)(void *b, const char *contact, double t,
                         const char *outcome);
  int (*bot_outcomes)(void *b, int (*fn)(void *, const char *, const char *),
                      void *ctx);

  /* the outbox */
  int (*outbox_add)(void *b, const struct maat_store_outbox *o, int64_t *id);
  int (*outbox_due)(void *b, double now, int limit,
                    int (*fn)(void *, const struct maat_store_outbox *),
                    void *ctx);
  int (*outbox_mark)(void *b, int64_t id, int state, int attempts,
                     double next_at, const char *error, double at);
  int (*outbox_list)(void *b, int state, int limit,
                     int (*fn)(void *, const struct maat_store_outbox *),
                     void *ctx);
  int (*outbox_counts)(void *b, long n[3]);

  /* the knowledge base */
  int (*article_put)(void *b, const struct maat_store_article *a,
                     int64_t *version);
  int (*articles)(void *b, const char *id,
                  int (*fn)(void *, const struct maat_store_article *),
                  void *ctx);
  int (*kb_link_add)(void *b, const char *article, const char *question,
                     double t);
  int (*kb_links)(void *b,
                  int (*fn)(void *, const char *, const char *, double),
                  void *ctx);
  int (*kb_question_add)(void *b, const struct maat_store_kb_question *q);
  int (*kb_questions)(void *b, double since,
                      int (*fn)(void *, const struct maat_store_kb_question *),
                      void *ctx);

  /* kept records of a kind (corrections, messages, models): a key, a
   * time, a state and a JSON body; ids only grow */
  int (*rec_add)(void *b, const char *kind, const char *key, double t,
                 int state, const char *body, int64_t *id);
  /* MAAT_ENOTFOUND when 'kind' has no row 'id' */
  int (*rec_set)(void *b, const char *kind, int64_t id, int state,
                 const char *body);
  /* key NULL: any; state -1: any; by id. 'writer': read on the writer's
   * connection, inside the caller's open transaction (sees its rows) */
  int (*recs)(void *b, int writer, const char *kind, const char *key,
              int state,
              int (*fn)(void *, int64_t, const char *, double, int,
                        const char *),
              void *ctx);
  /* key NULL: any; rows with t < before; how many in '*n' */
  int (*rec_delete)(void *b, const char *kind, const char *key,
                    double before, long *n);

  /* every stored text and snapshot holding the bytes 'needle': 'fn' sees
   * each (the table, the bytes) and may give new bytes (owned by the
   * backend after the call, maat__malloc'd) to store instead; in the
   * caller's transaction */
  int (*scrub)(void *b, const char *needle, size_t n,
               int (*fn)(void *ctx, const char *table, const void *data,
                         size_t len, void **out, size_t *outlen),
               void *ctx);
  /* after a scrub: what was overwritten leaves the file (free pages, the
   * write-ahead log); outside a transaction */
  int (*compact)(void *b);
  /* retention: rows of 'what' ("audit", "checkins", "contacts",
   * "bot_outcomes", "kb_questions") older than 'before' deleted */
  int (*purge)(void *b, const char *what, double before, long *n);
  /* an agent who left: her check-ins deleted */
  int (*checkins_erase)(void *b, const char *agent, long *n);

  /* copying a store (maat store migrate): every row of 'table' in key
   * order, its columns as in maat__store_tables (NULL: SQL NULL; a
   * number as "%lld" or the shortest text that reads back the same
   * double; blobs as bytes); and a row put back as it was. 'loaded' after
   * the last row (PostgreSQL: its sequences moved past the ids) */
  int (*dump)(void *b, const char *table,
              int (*fn)(void *ctx, const char *const *v, const size_t *len,
                        int n),
              void *ctx);
  int (*load)(void *b, const char *table, const char *const *v,
              const size_t *len, int n);
  int (*loaded)(void *b);
  /* several nodes (NULL: the backend has one) */
  int (*inbox_put)(void *b, const char *request, double now, int64_t *id);
  int (*inbox_claim)(void *b, const char *node, double now,
                     int (*fn)(void *, const struct maat_store_inbox *),
                     void *ctx);
  int (*inbox_finish)(void *b, int64_t id, int status,
                      const char *response);
  int (*inbox_get)(void *b, int64_t id,
                   int (*fn)(void *, const struct maat_store_inbox *),
                   void *ctx);
  int (*inbox_release)(void *b, const char *node, long *n);
  int (*inbox_purge)(void *b, double before, long *n, long *waiting);
  int (*listen)(void *b, const char *channel);
  int (*wait)(void *b, int timeout_ms, char *chan, size_t ccap,
              char *payload, size_t pcap);
};

/* The tables a store holds, in the order a copy goes, with their columns
 * (both backends name them alike) and which column is bytes. */
struct maat__table {
  const char *name, *key;
  const char *cols[14];
  int ncols, blob;          /* blob: the index of a bytes column, or -1 */
};
extern const struct maat__table maat__store_tables[];
extern const int maat__store_ntables;
/* The table called 'name'; NULL when there is none. */
const struct maat__table *maat__store_table(const char *name);

/* Runs 'call' in the caller's open transaction, or in one of its own
 * (store.c's rule for every write). */
int maat__store_write(maat_store *st, int (*call)(maat_store *, void *),
                      void *arg);
/* The store's backend and its state. */
const struct maat__store_ops *maat__store_ops_of(maat_store *st,
                                                 void **backend);

extern const struct maat__store_ops maat__store_sqlite;
extern const struct maat__store_ops maat__store_memory;
extern const struct maat__store_ops maat__store_pg;

#endif /* MAAT_STORE_INT_H */

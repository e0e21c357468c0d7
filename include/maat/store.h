/*
 * maat/store.h - the storage layer: everything maat keeps, behind one API,
 * whatever the database. Included by maat.h; do not include directly.
 *
 * A store is opened from a URI:
 *   sqlite:PATH   an SQLite file (WAL, synchronous=FULL); a bare path means
 *                 the same
 *   postgresql://USER@HOST:PORT/DB (or postgres://, any libpq URI)
 *                 a PostgreSQL database: for several maat nodes, or a
 *                 centre that runs its services on PostgreSQL
 *   memory:       a store in this process's memory, gone when it closes
 *                 (tests, dry runs)
 * Every backend keeps the same things with the same schema version number:
 * the event log (input events and the decisions they led to) with
 * snapshots of the engine's state, the run's identity, access tokens and
 * the audit log, agents' check-ins (wellbeing data, private to the agent),
 * the records of closed contacts and the outcomes of the bot's contacts.
 *
 * Writes happen inside a transaction (maat_store_begin() ...
 * maat_store_commit()); a write outside one runs in a transaction of its
 * own. What a commit returned MAAT_OK for is durable. Reads see what was
 * committed, and may run from other threads while a transaction is open
 * or being committed: they never wait for a commit's fsync. A store is
 * safe to use from several threads; one transaction is open at a time.
 *
 * MAAT_EBUSY means another process holds the database: the call changed
 * nothing and may be tried again. Sequence numbers ('seq') are assigned by
 * the store and only grow; callers never assume they are dense.
 */
#ifndef MAAT_STORE_H
#define MAAT_STORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct maat_store maat_store;

/* The schema version every backend of this build reads and writes. */
#define MAAT_STORE_SCHEMA 8

/*
 * Opens (creating or migrating) the store named by 'uri' (see above).
 * MAAT_EINVAL for an unknown scheme, MAAT_EFORMAT for a database written by
 * a newer maat, MAAT_EDB when the database refuses. Returns owned memory in
 * '*out' (close with maat_store_close()).
 */
int maat_store_open(maat_store **out, const char *uri);
/* Rolls back an open transaction (it was never acknowledged) and closes. */
void maat_store_close(maat_store *st);
/* "sqlite", "postgresql" or "memory". Static storage. */
const char *maat_store_backend(const maat_store *st);
/* The URI the store was opened with. Owned by the store. */
const char *maat_store_uri(const maat_store *st);

/*
 * Ties the store to one run: 'run' (e.g. "serve policy=maat team=...")
 * is recorded on first use; a store recorded with another is refused with
 * MAAT_ESTATE naming both, so a log is never replayed under another team
 * or policy.
 */
int maat_store_bind_run(maat_store *st, const char *run);

/*
 * Makes this process the store's one writer of the event log, until the
 * store is closed (or the process ends, however it ends). MAAT_EBUSY,
 * naming the holder, when another open store has it: two writers would
 * hand out the same contact ids and fork the log. The memory backend has
 * one process by construction.
 */
int maat_store_lock_writer(maat_store *st);
/* The same, asked once: MAAT_EBUSY at once when another holds it. */
int maat_store_try_writer(maat_store *st);

/* ---- transactions ---- */

/* MAAT_ESTATE when one is open already. */
int maat_store_begin(maat_store *st);
/* Commits the open transaction; durable when it returns MAAT_OK. On
 * failure the transaction is rolled back and nothing in it was kept. */
int maat_store_commit(maat_store *st);
/* Drops the open transaction, if any. */
int maat_store_rollback(maat_store *st);

/* ---- the event log and snapshots ---- */

/* Appends an input event line (t: its time); its sequence in '*seq'. */
int maat_store_event_append(maat_store *st, double t, const char *line,
                            size_t len, int64_t *seq);
/* Appends a decision line, tied to the event 'event_seq'. */
int maat_store_decision_append(maat_store *st, int64_t event_seq,
                               const char *line, size_t len);
/* The number of events logged, and the last event's seq (0: none). */
int maat_store_event_stats(maat_store *st, int64_t *count, int64_t *last);
/*
 * Calls 'fn' for each logged event after 'after_seq', in order; stops and
 * returns fn's value when it is nonzero. 'line' is valid during the call.
 */
int maat_store_events(maat_store *st, int64_t after_seq,
                      int (*fn)(void *ctx, int64_t seq, const char *line,
                                size_t len),
                      void *ctx);
/* Calls 'fn' for each decision of events after 'after_seq', in order. */
int maat_store_decisions(maat_store *st, int64_t after_seq,
                         int (*fn)(void *ctx, int64_t event_seq,
                                   const char *line, size_t len),
                         void *ctx);
/* Keeps a snapshot of state as it was after event 'event_seq'. */
int maat_store_snapshot_put(maat_store *st, int64_t event_seq,
                            const void *data, size_t len);
/*
 * The newest snapshot: its event seq, and its bytes as owned memory (free
 * with maat_free()). MAAT_ENOTFOUND when there is none.
 */
int maat_store_snapshot_latest(maat_store *st, int64_t *event_seq,
                               void **data, size_t *len);

/* ---- settings the front ends keep (e.g. the server's clock) ---- */

/* '*value' is owned (free with maat_free()); MAAT_ENOTFOUND if unset. */
int maat_store_meta_get(maat_store *st, const char *key, char **value);
int maat_store_meta_set(maat_store *st, const char *key, const char *value);

/* ---- access: tokens (hashes only) and the audit log ---- */

struct maat_store_token {
  int64_t id;
  char hash[65];      /* SHA-256 of the token, hex */
  char role[16];      /* "integration", "agent", "lead", "admin" */
  char agent[64];     /* "" unless an agent token */
  double created;     /* Unix time */
  double revoked;     /* Unix time; 0 while valid */
};

/* Stores a token; its id in '*id'. MAAT_ESTATE for a hash stored before. */
int maat_store_token_insert(maat_store *st, const struct maat_store_token *t,
                            int64_t *id);
/* The valid (not revoked) token with this hash; MAAT_ENOTFOUND if none. */
int maat_store_token_find(maat_store *st, const char *hash,
                          struct maat_store_token *out);
/* Every token, oldest first; stops at fn's nonzero value. */
int maat_store_tokens(maat_store *st,
                      int (*fn)(void *ctx, const struct maat_store_token *t),
                      void *ctx);
/* Revokes a valid token at 'at'; MAAT_ENOTFOUND when there is none. */
int maat_store_token_revoke(maat_store *st, int64_t id, double at);

struct maat_store_audit {
  double at;            /* Unix time */
  int64_t token;        /* 0: none */
  const char *role;     /* NULL: none */
  const char *method;
  const char *path;
  int status;
  const char *detail;   /* NULL: none */
};
int maat_store_audit_append(maat_store *st, const struct maat_store_audit *a);
/* Every audit row, oldest first (strings valid during the call). */
int maat_store_audits(maat_store *st,
                      int (*fn)(void *ctx, const struct maat_store_audit *a),
                      void *ctx);

/* ---- wellbeing data: an agent's check-ins, private to that agent ---- */

struct maat_store_checkin {
  const char *agent;
  const char *contact;
  double t;             /* router time */
  int energy;           /* 1..5 */
  const char *note;     /* NULL: none */
  const char *intent;   /* NULL: none */
  const char *tone;
};
int maat_store_checkin_add(maat_store *st, const struct maat_store_checkin *c);
/* 'agent's newest check-ins at or after router time 'since' first, at most
 * 'limit'. */
int maat_store_checkins(maat_store *st, const char *agent, double since,
                        int limit,
                        int (*fn)(void *ctx,
                                  const struct maat_store_checkin *c),
                        void *ctx);
/* 'agent's mean energy per kind of contact (intent, or "(none)", and
 * tone) over its check-ins at or after 'since', highest first. */
int maat_store_energy_by_kind(maat_store *st, const char *agent, double since,
                              int (*fn)(void *ctx, const char *intent,
                                        const char *tone, long checkins,
                                        double mean_energy),
                              void *ctx);

/* ---- contacts: records of closed contacts, outcomes of the bot's ---- */

/*
 * Keeps a contact's record, a JSON object (the engine's format, see
 * maat/engine.h), replacing the one under the same id.
 */
int maat_store_contact_put(maat_store *st, const char *id, double closed,
                           const char *record, size_t len);
/* The record as owned memory (free with maat_free()); MAAT_ENOTFOUND. */
int maat_store_contact_get(maat_store *st, const char *id, char **record,
                           size_t *len);
/* The outcome of a contact the bot took ("resolved", "handed_back"...). */
int maat_store_bot_outcome_add(maat_store *st, const char *contact, double t,
                               const char *outcome);
int maat_store_bot_outcomes(maat_store *st,
                            int (*fn)(void *ctx, const char *contact,
                                      const char *outcome),
                            void *ctx);

/* ---- the outbox: calls to other systems, stored with what caused them ---- */

enum maat_outbox_state {
  MAAT_OUTBOX_PENDING = 0,   /* to deliver, from next_at */
  MAAT_OUTBOX_DONE,          /* delivered */
  MAAT_OUTBOX_DEAD           /* given up after its attempts: the dead letters */
};

struct maat_store_outbox {
  int64_t id;
  double created;
  const char *kind;          /* "alert", "rt", "chatwoot", "zammad" */
  const char *key;           /* idempotency key: one row per key; NULL: none */
  const char *method;        /* "POST", "PUT" */
  const char *url;
  const char *headers;       /* "Name: value" lines, "\n"-separated; NULL */
  const char *body;
  int attempts;
  int state;                 /* enum maat_outbox_state */
  double next_at;            /* when it is due (wall clock, Unix seconds) */
  const char *last_error;    /* NULL when none */
  double done_at;            /* delivered or given up; 0 while pending */
};

/*
 * Adds a call to make, in the caller's transaction when one is open (so a
 * decision and the calls it causes commit together). A key already there
 * adds nothing ('*id' is then the existing row's): retried work never
 * queues a call twice.
 */
int maat_store_outbox_add(maat_store *st, const struct maat_store_outbox *o,
                          int64_t *id);
/* Pending rows due at 'now', oldest first, at most 'limit'. */
int maat_store_outbox_due(maat_store *st, double now, int limit,
                          int (*fn)(void *ctx,
                                    const struct maat_store_outbox *o),
                          void *ctx);
/* After an attempt: its new state, attempts, next_at and error. */
int maat_store_outbox_mark(maat_store *st, int64_t id, int state,
                           int attempts, double next_at, const char *error,
                           double at);
/* Rows in 'state', newest first, at most 'limit' (the dead letters). */
int maat_store_outbox_list(maat_store *st, int state, int limit,
                           int (*fn)(void *ctx,
                                     const struct maat_store_outbox *o),
                           void *ctx);
/* How many rows are in each state (n[3], by enum maat_outbox_state). */
int maat_store_outbox_counts(maat_store *st, long n[3]);

/* ---- the knowledge base: articles with their versions ---- */

enum maat_article_status {
  MAAT_ARTICLE_PUBLISHED = 0,  /* answers questions */
  MAAT_ARTICLE_DRAFT,          /* kept until an owner approves it */
  MAAT_ARTICLE_REMOVED         /* never cited again; its versions stay */
};

struct maat_store_article {
  const char *id;
  int64_t version;           /* put: ignored (the next one); read: its own */
  double t;                  /* when this version was stored */
  int status;                /* enum maat_article_status */
  const char *title;         /* "" when none */
  const char *body;
  const char *lang;          /* "nl", "en"; "" unknown */
  const char *url;           /* "" when none */
  const char *tags;          /* comma-separated; "" none */
  const char *owner;         /* "" none */
};

/*
 * Stores a new version of article 'a->id' (the first is 1), in the
 * caller's transaction when one is open; its number in '*version'.
 */
int maat_store_article_put(maat_store *st, const struct maat_store_article *a,
                           int64_t *version);
/*
 * 'id' NULL: the newest version of every article (removed ones too), by
 * id; else every version of that article, oldest first (MAAT_ENOTFOUND
 * when it has none). Strings are valid during the call.
 */
int maat_store_articles(maat_store *st, const char *id,
                        int (*fn)(void *ctx,
                                  const struct maat_store_article *a),
                        void *ctx);
/* History: a question the article answered well (resolved, confirmed). */
int maat_store_kb_link_add(maat_store *st, const char *article,
                           const char *question, double t);
int maat_store_kb_links(maat_store *st,
                        int (*fn)(void *ctx, const char *article,
                                  const char *question, double t),
                        void *ctx);

/* A question asked of the knowledge base, and how it went (the gaps). */
struct maat_store_kb_question {
  int64_t seq;
  double t;
  const char *question;
  const char *lang;          /* "" unknown */
  int answered;              /* 1: answered with confidence over the line */
  double confidence;
  const char *article;       /* the best article; "" none */
  const char *source;        /* "ask", "triage", "handback" */
};
int maat_store_kb_question_add(maat_store *st,
                               const struct maat_store_kb_question *q);
/* Questions at or after 't', oldest first. */
int maat_store_kb_questions(maat_store *st, double since,
                            int (*fn)(void *ctx,
                                      const struct maat_store_kb_question *q),
                            void *ctx);

/* ---- the learning loop: corrections, the customer's words, models ---- */

enum maat_correction_state {
  MAAT_CORRECTION_OPEN = 0,    /* waiting for a lead's review */
  MAAT_CORRECTION_APPROVED,    /* training data from the next retrain */
  MAAT_CORRECTION_DISMISSED    /* kept, never learnt from */
};

/*
 * A person's correction of a decision (docs/learning.md). 'override' 1:
 * it overruled the decision while it was in force (a tier, an assignment,
 * a bot answer withheld); 0: a correction after the fact. Strings are ""
 * when there is none, never NULL when read.
 */
struct maat_store_correction {
  int64_t id;
  double t;                  /* when it was made (Unix time) */
  const char *contact;
  const char *field;         /* "tier", "intent", "tone", "urgency",
                                "answer", "assignment" */
  const char *was;           /* the automated value */
  const char *value;         /* the person's ("right", "wrong", "missing"
                                for an answer) */
  const char *reason;        /* why, with personal data replaced */
  const char *by;            /* "lead", "admin" or "agent:NAME" */
  const char *text;          /* the customer's words, redacted */
  const char *lang;
  const char *rule;          /* the reason code of the decision */
  const char *intent;        /* the contact's intent then */
  int override;
  int state;                 /* enum maat_correction_state */
  const char *reviewed_by;
  double reviewed_at;        /* 0 while open */
};

/* Stores a correction (in its 'state': open, or reviewed already when it
 * comes from a reviewer's batch); its id in '*id'. */
int maat_store_correction_add(maat_store *st,
                              const struct maat_store_correction *c,
                              int64_t *id);
/*
 * Approves or dismisses an open correction. MAAT_ENOTFOUND when there is
 * none with that id, MAAT_ESTATE when it was reviewed already.
 */
int maat_store_correction_review(maat_store *st, int64_t id, int state,
                                 const char *by, double at);
/* Corrections in 'state' (-1: all), oldest first. */
int maat_store_corrections(maat_store *st, int state,
                           int (*fn)(void *ctx,
                                     const struct maat_store_correction *c),
                           void *ctx);

/*
 * The customer's words of a contact, with personal data replaced, kept
 * for the data class "messages" (docs/privacy.md) so that a correction can
 * become training data. A second put for a contact replaces the first.
 */
int maat_store_message_put(maat_store *st, const char *contact, double t,
                           const char *lang, const char *text);
/* '*text' and '*lang' owned (free with maat_free()); MAAT_ENOTFOUND. */
int maat_store_message_get(maat_store *st, const char *contact, char **text,
                           char **lang);

enum maat_model_state {
  MAAT_MODEL_CANDIDATE = 0,    /* trained, not yet judged */
  MAAT_MODEL_PROMOTED,         /* was or is the one in use */
  MAAT_MODEL_REFUSED           /* worse than the one in use on held-out data */
};

/* A model in the registry: a file beside the store, and what made it. */
struct maat_store_model {
  int64_t version;           /* from 1, per store */
  double t;
  const char *kind;          /* "intent" */
  const char *path;          /* the model file */
  const char *sha256;        /* of the file, hex */
  const char *data;          /* JSON: what it was trained on */
  const char *metrics;       /* JSON: its figures on the held-out set */
  int state;                 /* enum maat_model_state */
  const char *decision;      /* why promoted or refused, in words */
};
int maat_store_model_add(maat_store *st, const struct maat_store_model *m,
                         int64_t *version);
/* A model's new state; 'decision' (NULL: none) is added to its history. */
int maat_store_model_set(maat_store *st, int64_t version, int state,
                         const char *decision);
/* ---- the data subject: finding and overwriting one person's data ---- */

/*
 * Calls 'fn' for every stored text and snapshot that holds the bytes
 * 'needle' ('table' names where: "events", "decisions", "contacts",
 * "snapshots", "records", "kb_questions", "kb_links", "checkins",
 * "outbox", "audit"); when 'fn' sets '*out' (memory from maat_malloc-
 * compatible allocation, taken) those bytes are stored instead. In the
 * caller's transaction, or one of its own. maat/privacy.h builds export
 * and erasure on it.
 */
int maat_store_scrub(maat_store *st, const char *needle, size_t n,
                     int (*fn)(void *ctx, const char *table,
                               const void *data, size_t len, void **out,
                               size_t *outlen),
                     void *ctx);
/* After an erasure: what was overwritten leaves the database files too
 * (free pages, the write-ahead log). Outside a transaction. */
int maat_store_compact(maat_store *st);
/*
 * Retention: the rows of 'what' older than 'before' deleted: "audit"
 * (wall time), "checkins", "contacts" (closed), "bot_outcomes" (router
 * time), "kb_questions", "messages" (the words kept for learning; wall
 * time); '*n' how many. The memory backend
 * keeps everything until the process ends. maat/privacy.h applies the
 * data classes with it.
 */
int maat_store_purge(maat_store *st, const char *what, double before,
                     long *n);
/* An agent who left: every check-in of hers (energy, notes) deleted;
 * '*n' how many. */
int maat_store_checkins_erase(maat_store *st, const char *agent, long *n);
/* A contact's words kept for learning: deleted, and blanked in its
 * corrections (which stay, for the counts). */
int maat_store_forget_words(maat_store *st, const char *contact);

/* ---- the insight area's records (maat/insight.h) ----
 *
 * Kinds: "fact" (an analysed contact, imported or kept), "pulse" (a pulse
 * survey's answers, without who gave them), "pulse_done" (who answered
 * which week, without the answers), "reinvest" (the reinvestment ledger),
 * "task" (the task audit). A key, a time and a JSON body each.
 */
int maat_store_record_add(maat_store *st, const char *kind, const char *key,
                          double t, const char *body, int64_t *id);
/* Those of 'kind' (and 'key', NULL: any), oldest first. */
int maat_store_records(maat_store *st, const char *kind, const char *key,
                       int (*fn)(void *ctx, int64_t id, const char *key,
                                 double t, const char *body),
                       void *ctx);
/* Those of 'kind' (and 'key', NULL: any) older than 'before'. */
int maat_store_records_delete(maat_store *st, const char *kind,
                              const char *key, double before, long *n);
/* Every closed contact's record (router time of its close), unordered. */
int maat_store_contacts_closed(maat_store *st,
                               int (*fn)(void *ctx, const char *id,
                                         double closed, const char *record),
                               void *ctx);

/*
 * Every check-in's agent, time (router time) and energy, for aggregates
 * over groups large enough to hide anyone (maat/insight.h): never shown
 * per agent.
 */
int maat_store_checkin_energies(maat_store *st,
                                int (*fn)(void *ctx, const char *agent,
                                          double t, int energy),
                                void *ctx);

/* ---- several nodes (PostgreSQL): the inbox and notifications ----
 *
 * A node that does not lead (a follower) takes a write request durably
 * into the inbox and the leader applies it: claims the oldest waiting
 * request (FOR UPDATE SKIP LOCKED, so two claimers never take the same),
 * runs it, and keeps its answer for the node that took it. Notifications
 * (LISTEN/NOTIFY) wake who waits: "maat_inbox" a new request,
 * "maat_inbox_done" an answer (payload: the id), "maat_log" new events;
 * waiters poll as well, so a lost notification only delays. The SQLite
 * and memory backends have one node: MAAT_EINVAL.
 */

struct maat_store_inbox {
  int64_t id;
  double created;          /* wall time */
  int state;               /* 0 waiting, 1 taken, 2 answered */
  int tries;               /* claims so far (over 1: a leader died on it) */
  int status;              /* the answer's HTTP status */
  const char *request;     /* JSON (the node's own format) */
  const char *response;    /* the answer's body; NULL until answered */
};

/* Keeps a request (durable on return) and notifies; its id in '*id'. */
int maat_store_inbox_put(maat_store *st, const char *request, double now,
                         int64_t *id);
/* Claims the oldest waiting request for 'node': 'fn' gets it. */
int maat_store_inbox_claim(maat_store *st, const char *node, double now,
                           int (*fn)(void *ctx,
                                     const struct maat_store_inbox *r),
                           void *ctx);
/* Answers a claimed request and notifies. */
int maat_store_inbox_finish(maat_store *st, int64_t id, int status,
                            const char *response);
/* A request as it stands; MAAT_ENOTFOUND when there is none. */
int maat_store_inbox_get(maat_store *st, int64_t id,
                         int (*fn)(void *ctx,
                                   const struct maat_store_inbox *r),
                         void *ctx);
/* Requests taken by a node other than 'node' and not answered go back to
 * waiting (a leader that died); '*n' how many. */
int maat_store_inbox_release(maat_store *st, const char *node, long *n);
/* Answered requests older than 'before' (wall time) deleted; counts of
 * waiting ones in '*waiting' (may be NULL). */
int maat_store_inbox_purge(maat_store *st, double before, long *n,
                           long *waiting);
/* Listens on 'channel' ("maat_inbox", "maat_inbox_done", "maat_log") on a
 * connection of its own. */
int maat_store_listen(maat_store *st, const char *channel);
/*
 * Waits up to 'timeout_ms' for a notification on a channel listened to:
 * 1 with its channel and payload copied into 'chan' and 'payload' (cut to
 * fit), 0 at the timeout; an error when the connection is lost. One
 * thread waits at a time.
 */
int maat_store_wait(maat_store *st, int timeout_ms, char *chan, size_t ccap,
                    char *payload, size_t pcap);

/* ---- copying a store to another backend ---- */

struct maat_store_copy_table {
  const char *table;
  long rows, target_rows;
  char sha256[65], target_sha256[65];
};

/*
 * Copies every table of 'src' into the empty store 'dst' (SQLite and
 * PostgreSQL, either way), rows with their ids, in one transaction, then
 * verifies each table by its row count and a SHA-256 over its rows on
 * both sides: MAAT_ECORRUPT naming a table that differs. MAAT_ESTATE when
 * 'dst' is not empty. Takes the writer's lock of both. 'out' gets one
 * entry per table (at least 16), '*ntables' how many.
 */
int maat_store_copy(maat_store *src, maat_store *dst,
                    void (*progress)(void *ctx, const char *table,
                                     long rows),
                    void *ctx, struct maat_store_copy_table *out, int cap,
                    int *ntables);

/* The registry's models of 'kind' (NULL: all), oldest first. */
int maat_store_models(maat_store *st, const char *kind,
                      int (*fn)(void *ctx, const struct maat_store_model *m),
                      void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* MAAT_STORE_H */

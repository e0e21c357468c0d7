/*
 * server.h - 'maat serve' as a front end: the HTTP API (libmicrohttpd)
 * over libmaat's public API (the engine, the store, access), and the web
 * pages' files. Not part of libmaat: an embedder who wants only the
 * classifier links neither libmicrohttpd nor this. docs/api.md and
 * docs/openapi.yaml describe the API.
 */
#ifndef MAAT_SERVER_H
#define MAAT_SERVER_H

#include <maat.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the server ---- */

struct maat_serve_options {
  const char *team_path;      /* required: docs/team-file.md */
  const char *db_path;        /* required: the store's URI or file */
  const char *bind;           /* NULL: 127.0.0.1 */
  int port;                   /* 0: a free port (maat_server_port()) */
  const char *policy;         /* NULL: "maat" */
  const char *intent_model;   /* optional; without it nothing goes to the bot */
  const char *tone_model;     /* optional English tone model */
  const char *triage_config;  /* optional docs/triage-config.md */
  const char *web_root;       /* directory of the web pages; NULL: none */
  double clock_speed;         /* router seconds per real second; 0: 1 */
  size_t max_body;            /* largest request body; 0: 1 MiB */
  int min_group;              /* team aggregates need this many agents; 0: 5 */
  double kb_threshold;        /* the bot answers at this confidence or more;
                                 0: calibrated (maat_kb_threshold()) */
  const char *webhook_secret; /* signs Chatwoot/Zammad webhooks; NULL: none;
                                 copied */
  int max_connections;        /* open at once; 0: 1000 */
  int per_client;             /* open at once from one address; 0: 100 */
  int idle_timeout_s;         /* a connection silent this long is closed;
                                 0: 10 */
  /* Team warnings as alerts (maat/outbox.h); borrowed for the server's
   * life. The server delivers its store's outbox in a thread of its own. */
  const struct maat_alert_target *alerts;
  int nalerts;
  struct maat_outbox_opts outbox;  /* zeros: MAAT_OUTBOX_OPTS_INIT */
  /* Helpdesks to write decisions back to (docs/helpdesks.md), borrowed,
   * with each one's API token (tokens[i] for helpdesks[i]). */
  const struct maat_helpdesk_target *helpdesks;
  const char *const *helpdesk_tokens;
  int nhelpdesks;
  /* The data class "messages" (docs/privacy.md): the customer's words,
   * personal data replaced, kept per contact so that a correction can
   * become training data. 1: not kept. */
  int forget_words;
  /* What triage and the knowledge base (the AI) see of a message: 0 the
   * words with personal data replaced by its type, 1 the words as
   * written. */
  int ai_sees_raw;
  /* Retention per data class (maat/privacy.h); NULL: the defaults. The
   * server purges at start and every hour. */
  const struct maat_retention *retention;
  /* A scheduled retrain (maat/learn.h): every 'retrain_every_h' hours
   * (0: never), from the labelled files 'retrain_base' (CSV or JSONL)
   * plus the approved corrections, judged on 'retrain_holdout' (NULL:
   * every tenth base message); model files in 'retrain_dir' (NULL: the
   * store's path + ".models"). Borrowed. */
  double retrain_every_h;
  const char *const *retrain_base;
  int nretrain_base;
  const char *retrain_holdout;
  const char *retrain_dir;
  /*
   * Several nodes on one PostgreSQL store (docs/deploy.md): 'follow'
   * starts this one as a follower: it serves reads from the log it
   * follows, hands writes to the leader through the store's inbox and
   * answers with the leader's answer (202 when none came within
   * 'forward_wait_s', 0: 10), and takes the writer's lock when it comes
   * free (maat_server_promotable()).
   */
  int follow;
  int forward_wait_s;
  /* An open store to serve (the server takes it and closes it; its URI
   * must be db_path's), e.g. the one a follower kept the writer's lock
   * on (maat_server_stop_keep()); NULL: opened from db_path. */
  maat_store *store;
  /* The insight report's settings (hour cost, currency, reinvestment
   * share, ...; maat/insight.h); NULL: none. Borrowed. */
  const struct maat_insight_opts *insight;
};

typedef struct maat_server maat_server;

/*
 * Opens the database (rebuilding the queue and agents from its event log),
 * and starts serving in background threads. Returns MAAT_OK, or an error
 * naming what failed (team file, models, database, address in use).
 */
int maat_server_start(maat_server **out, const struct maat_serve_options *o);

/* The port the server listens on. */
int maat_server_port(const maat_server *s);

/* The number of events the server has logged (rebuilt ones included). */
long maat_server_events(const maat_server *s);

/*
 * A follower that took the store's writer's lock (its leader stopped):
 * stop it and start a leader on the same store and port.
 */
int maat_server_promotable(const maat_server *s);
/* 1: a follower; 0: the node that leads (writes the log). */
int maat_server_following(const maat_server *s);

/* As maat_server_stop(), but the store stays open (with its writer's lock,
 * if it holds it), into '*store', for the next start. */
void maat_server_stop_keep(maat_server *s, maat_store **store);

/* Stops serving, commits, and frees everything. Accepts NULL. */
void maat_server_stop(maat_server *s);

#ifdef __cplusplus
}
#endif

#endif /* MAAT_SERVER_H */

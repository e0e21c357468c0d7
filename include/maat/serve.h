/*
 * maat/serve.h - 'maat serve': the HTTP API over the triage and the router,
 * with access tokens by role and an audit log, and the web pages' files.
 * docs/api.md and docs/openapi.yaml describe the API; docs/serve.md how to
 * run it. Included by maat.h; do not include directly.
 */
#ifndef MAAT_SERVE_H
#define MAAT_SERVE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- roles and tokens ---- */

enum maat_role {
  MAAT_ROLE_INTEGRATION = 1, /* posts contacts and outcomes */
  MAAT_ROLE_AGENT,           /* its own state and wellbeing data only */
  MAAT_ROLE_LEAD,            /* queue, team aggregates, warnings */
  MAAT_ROLE_ADMIN            /* configuration and tokens */
};

/* "integration", "agent", "lead", "admin"; "?" otherwise. */
const char *maat_role_name(int role);
/* MAAT_OK and '*role', or MAAT_EINVAL naming the accepted roles. */
int maat_role_parse(const char *name, int *role);

/* The length of a token as printed, without the NUL. */
#define MAAT_TOKEN_LEN 69

/*
 * Creates a token for 'role' (an agent token names its agent) in the
 * database at 'db' (created if need be), writes it into 'token' (at least
 * MAAT_TOKEN_LEN + 1 bytes) and its id into '*id'. Only its SHA-256 is
 * stored: the token cannot be shown again.
 */
int maat_token_add(const char *db, int role, const char *agent, char *token,
                   long *id);

struct maat_token_info {
  long id;
  int role;
  char agent[64];        /* "" unless an agent token */
  double created;        /* Unix time */
  double revoked;        /* Unix time; 0 while valid */
};

/* Calls 'fn' for every token, oldest first; stops at fn's nonzero value. */
int maat_token_list(const char *db,
                    int (*fn)(void *ctx, const struct maat_token_info *t),
                    void *ctx);

/* Revokes token 'id'; MAAT_ENOTFOUND when there is none. */
int maat_token_revoke(const char *db, long id);

/* ---- the server ---- */

struct maat_serve_options {
  const char *team_path;      /* required: docs/team-file.md */
  const char *db_path;        /* required: event log, tokens, audit */
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
  const char *webhook_secret; /* signs Chatwoot/Zammad webhooks; NULL: none */
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

/* Stops serving, commits, and frees everything. Accepts NULL. */
void maat_server_stop(maat_server *s);

#ifdef __cplusplus
}
#endif

#endif /* MAAT_SERVE_H */

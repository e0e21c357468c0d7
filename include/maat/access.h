/*
 * maat/access.h - who may do what: roles, access tokens (random, shown
 * once, kept only as their SHA-256 in a store) and the audit log of who
 * did what. Included by maat.h; do not include directly.
 */
#ifndef MAAT_ACCESS_H
#define MAAT_ACCESS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum maat_role {
  MAAT_ROLE_INTEGRATION = 1, /* posts contacts and outcomes */
  MAAT_ROLE_AGENT,           /* its own state and wellbeing data only */
  MAAT_ROLE_LEAD,            /* queue, team aggregates, warnings */
  MAAT_ROLE_ADMIN,           /* configuration and tokens */
  MAAT_ROLE_HR               /* the insight report: aggregates only */
};

/* "integration", "agent", "lead", "admin"; "?" otherwise. */
const char *maat_role_name(int role);
/* MAAT_OK and '*role', or MAAT_EINVAL naming the accepted roles. */
int maat_role_parse(const char *name, int *role);

/* The length of a token as printed, without the NUL. */
#define MAAT_TOKEN_LEN 69

/*
 * Creates a token for 'role' in the
 * store 'st' (borrowed), writes it into 'token' (at least MAAT_TOKEN_LEN +
 * 1 bytes) and its id into '*id'. Only its SHA-256 is stored: the token
 * cannot be shown again.
 */
int maat_token_add(maat_store *st, int role, const char *agent, char *token,
                   long *id);

/*
 * Enrolment: the only way to an agent token. An agent's strain, check-ins
 * and notes are the agent's alone, so nobody who can create tokens (admin)
 * may create one that reads them. Instead an admin (or the operator's CLI)
 * creates a one-time enrolment code for an agent; the agent redeems it and
 * gets a token that only the agent has seen. Redeeming revokes the agent's
 * earlier tokens. A credential reads only the wellbeing data recorded
 * after it was enrolled, so an admin who issues a code and redeems it in
 * the agent's place sees nothing the agent gave before, and the agent,
 * whose own code no longer works and whose token was revoked, notices.
 * Codes are 12 letters and digits (shown as XXXX-XXXX-XXXX; case, spaces
 * and dashes are ignored when redeemed), kept only as their SHA-256, and
 * expire after MAAT_ENROL_TTL_S.
 */
struct maat_principal;
#define MAAT_ENROL_CODE_LEN 14
#define MAAT_ENROL_TTL_S (72 * 3600)
/* Writes the code (MAAT_ENROL_CODE_LEN + 1 bytes) and its id. */
int maat_enrol_add(maat_store *st, const char *agent, char *code, long *id);
/*
 * Redeems 'code' ('len' bytes) for an agent token (MAAT_TOKEN_LEN + 1 bytes
 * into 'token'), in one transaction; '*who' says whose it is.
 * MAAT_ENOTFOUND for a code that is unknown, used or expired.
 */
int maat_enrol_redeem(maat_store *st, const char *code, size_t len,
                      char *token, struct maat_principal *who);
/*
 * Whether 'agent' held a credential before the one created at 'since'
 * (Unix time): '*earlier' 1 when so.
 */
int maat_enrol_earlier(maat_store *st, const char *agent, double since,
                       int *earlier);

struct maat_token_info {
  long id;
  int role;              /* 0 for an enrolment code */
  int enrolment;         /* 1: an enrolment code, not a token */
  double expires;        /* enrolment codes: Unix time */
  char agent[64];        /* "" unless an agent token */
  double created;        /* Unix time */
  double revoked;        /* Unix time; 0 while valid */
};

/* Calls 'fn' for every token, oldest first; stops at fn's nonzero value. */
int maat_token_list(maat_store *st,
                    int (*fn)(void *ctx, const struct maat_token_info *t),
                    void *ctx);

/* Revokes token 'id'; MAAT_ENOTFOUND when there is none. */
int maat_token_revoke(maat_store *st, long id);

/* Who is calling: what a valid token says. */
struct maat_principal {
  long token;                   /* 0: nobody */
  int role;                     /* enum maat_role; 0: none */
  char agent[64];               /* agent tokens: the agent's id */
  double since;                 /* when the token was created, Unix time */
};

/*
 * Checks a presented token ('len' bytes): MAAT_OK and '*who' for a valid
 * one; MAAT_ENOTFOUND (and '*who' cleared) otherwise.
 */
int maat_token_check(maat_store *st, const char *token, size_t len,
                     struct maat_principal *who);

/*
 * Appends an audit row for a request by 'who' (NULL: nobody), in the
 * caller's open transaction if it has one.
 */
int maat_audit(maat_store *st, const struct maat_principal *who,
               const char *method, const char *path, int status,
               const char *detail);

/* Seconds since the Unix epoch, wall clock. */
double maat_wall_now(void);

#ifdef __cplusplus
}
#endif

#endif /* MAAT_ACCESS_H */

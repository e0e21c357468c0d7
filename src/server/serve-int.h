/*
 * serve-int.h - what the server's files share: the caller of a request and
 * the token store's checks. Never installed.
 */
#ifndef MAAT_SERVE_INT_H
#define MAAT_SERVE_INT_H

#include "route-int.h"

struct maat__principal {
  long token;                   /* 0: nobody */
  int role;                     /* enum maat_role; 0: none */
  char agent[MAAT_ID_MAX + 1];  /* agent tokens */
};

/* Seconds since the Unix epoch, wall clock. */
double maat__wall_now(void);
/* The SHA-256 of a token as 64 hex digits. */
void maat__token_hash(const char *token, size_t len, char hex[65]);
/* MAAT_OK and '*who' for a valid token; MAAT_ENOTFOUND otherwise. */
int maat__token_check(struct sqlite3 *db, const char *token, size_t len,
                      struct maat__principal *who);
/* Appends an audit row (in the open transaction, if any). */
int maat__audit(struct sqlite3 *db, const struct maat__principal *who,
                const char *method, const char *path, int status,
                const char *detail);

#endif /* MAAT_SERVE_INT_H */

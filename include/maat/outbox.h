/*
 * maat/outbox.h - calls to other systems (alerts to a chat, write-back to a
 * helpdesk), made durable before they are made.
 *
 * A call is a row of the store's outbox (maat/store.h), committed in the
 * same transaction as the decision or warning that caused it. A deliverer
 * (maat serve runs one) takes due rows oldest first and makes each call
 * with its idempotency key in the Idempotency-Key header: a 2xx marks it
 * done; a timeout, a refused connection, a 5xx or a 429 is tried again
 * after a backoff that doubles (with jitter) up to a ceiling; a 4xx other
 * than 408 and 429 — or the last attempt — makes it a dead letter, kept
 * with its error for a person to read. A kill -9 between a call and its
 * mark repeats the call once after the restart: delivery is at least once,
 * and the key lets the receiver (or the connector, which checks the
 * helpdesk's state first) drop the repeat. docs/outbox.md has the rules.
 */
#ifndef MAAT_OUTBOX_H
#define MAAT_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "maat/store.h"

struct maat_outbox_opts {
  int max_attempts;          /* default 10 */
  double backoff_s;          /* the first wait (default 2 s) */
  double backoff_max_s;      /* its ceiling (default 600 s) */
  double timeout_s;          /* per call (default 10 s) */
  int batch;                 /* rows per round (default 32) */
};
#define MAAT_OUTBOX_OPTS_INIT { 10, 2, 600, 10, 32 }

struct maat_outbox_round {
  int tried, delivered, retried, dead;
  double latency_sum_s;      /* creation to delivery, over 'delivered' */
};

/*
 * Makes the calls due at 'now' (Unix seconds), marks each. 'res' gets the
 * round's counts. A failed call is not an error of this function; a store
 * that cannot be read or written is. Thread-safe with other store users.
 */
int maat_outbox_deliver(maat_store *st, double now,
                        const struct maat_outbox_opts *o,
                        struct maat_outbox_round *res);

/* The wait before attempt 'attempts' + 1, as the deliverer uses it. */
double maat_outbox_backoff(const struct maat_outbox_opts *o, int attempts,
                           uint64_t jitter_seed);

/* ---- alerts: team warnings to a chat or a webhook ---- */

enum maat_alert_format {
  MAAT_ALERT_JSON = 0,       /* {"source":"maat","kind","code","params",...} */
  MAAT_ALERT_SLACK,          /* Slack incoming webhook: {"text": ...} */
  MAAT_ALERT_TEAMS           /* Microsoft Teams: a MessageCard */
};

struct maat_alert_target {
  const char *url;
  int format;                /* enum maat_alert_format */
  const char *lang;          /* "en" (default) or "nl" */
  unsigned kinds;            /* bit per kind (maat_alert_kind()); 0: all */
};

/* The bit of a warning kind ("overload", "understaffed", "forecast",
 * "unroutable", "open_too_long"), 0 for one that is none of them. */
unsigned maat_alert_kind(const char *kind);
/* "json", "slack", "teams" -> the format; -1 otherwise. */
int maat_alert_format_parse(const char *name);

/*
 * The body of an alert for a team warning ('kind', 'message' as the router
 * wrote it, router time 't') in the target's format and language, as
 * owned memory (free with maat_free()); NULL when out of memory.
 */
char *maat_alert_body(const struct maat_alert_target *a, const char *kind,
                      const char *message, double t);

#endif /* MAAT_OUTBOX_H */

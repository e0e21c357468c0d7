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
#include "maat/route.h"

struct maat_outbox_opts {
  int max_attempts;          /* default 10 */
  double backoff_s;          /* the first wait (default 2 s) */
  double backoff_max_s;      /* its ceiling (default 600 s) */
  double timeout_s;          /* per call (default 10 s) */
  int batch;                 /* rows per round (default 32) */
  /*
   * The credential header for a row's kind ("chatwoot": "api_access_token:
   * ..."), written into buf; 0 when none. Credentials are never stored in
   * the outbox: they are added as each call is made. NULL: none.
   */
  int (*auth)(void *ctx, const char *kind, char *buf, size_t cap);
  void *auth_ctx;
};
#define MAAT_OUTBOX_OPTS_INIT { 10, 2, 600, 10, 32, NULL, NULL }

struct maat_outbox_round {
  int tried, delivered, retried, dead;
  int deduplicated;          /* of 'delivered': found made already by the
                                row's check, not made again */
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

/* ---- write-back: a decision's calls to the helpdesk it came from ---- */

enum maat_helpdesk_kind {
  MAAT_HELPDESK_CHATWOOT = 1,  /* contacts "cw-<conversation>-<message>" */
  MAAT_HELPDESK_ZAMMAD,        /* contacts "zm-<ticket>-<article>" */
  MAAT_HELPDESK_RT             /* Request Tracker 5 (REST2): contacts
                                  "rt-<ticket>-<transaction>" */
};

/* A helpdesk user and the maat agent they are. */
struct maat_helpdesk_user {
  const char *user;          /* the helpdesk's user id (a number; RT: the
                                user's name) */
  const char *agent;         /* the maat agent id */
};

struct maat_helpdesk_target {
  int kind;                  /* enum maat_helpdesk_kind */
  const char *url;           /* the helpdesk's base URL, no trailing '/' */
  const char *account;       /* Chatwoot: the account id */
  const char *lang;          /* the note's language: "en" (default), "nl" */
  const struct maat_helpdesk_user *users;
  int nusers;
  const char *group[4];      /* Zammad: a group per tier (index 1..3), RT:
                                a queue per tier; NULL: the ticket keeps
                                its group or queue */
  const char *self;          /* RT: the user maat acts as (its own
                                transactions are not the customer's) */
  double poll_s;             /* RT: how often maat reads new transactions;
                                Chatwoot: its agents' presence */
  int presence;              /* Chatwoot: agents' availability is read and
                                becomes their state in maat */
};

/* One call of a write-back: owned strings (maat_free()). */
struct maat_helpdesk_call {
  char *method, *url, *key, *body;
  /* NULL, or "X-Maat-Check: URL": before a call that may have been made
   * already (tried before, or cut off by a crash) the deliverer reads URL,
   * and a reply that holds the call's key means it was: done, not made
   * again. For calls that are not idempotent (a note, a comment). */
  char *headers;
};

/*
 * The calls that write decision 'd' back to the helpdesk its contact came
 * from, into out[0..*n) (at most 4): for a person, the assignment (Chatwoot:
 * POST .../assignments {"assignee_id"}; Zammad: PUT /api/v1/tickets/{id}
 * {"owner_id", "group"}), then a private note with the tier and the
 * reasons in the target's language, then (Chatwoot) the status "open"; for
 * the bot, the note only. Request Tracker: PUT /REST/2.0/ticket/{id}
 * {"Owner", "Queue"} (the queue by tier), then POST .../comment with the
 * note, its subject holding the key (checked first when retried). Each has an idempotency key (contact, call,
 * agent and the decision's time), so a decision staged twice queues each
 * call once, while a contact a lead moves back gets its calls again. *n is 0 for a contact that did not
 * come from this helpdesk, or a decision that is not an assignment. An
 * agent no helpdesk user maps to gets the note without the assignment.
 * 'reply' (may be NULL): for a decision to the bot, the bot's answer with
 * its AI label and source, sent to the customer after the note (Chatwoot:
 * a public outgoing message whose content_attributes say "ai"; RT: POST
 * .../correspond; Zammad: a public "web" article), keyed and checked as
 * the note is.
 */
#define MAAT_HELPDESK_CALLS 5
int maat_helpdesk_calls(const struct maat_helpdesk_target *h,
                        const struct maat_decision *d, const char *reply,
                        struct maat_helpdesk_call out[MAAT_HELPDESK_CALLS],
                        int *n);
void maat_helpdesk_calls_free(struct maat_helpdesk_call *c, int n);
/* "chatwoot", "zammad", "rt" -> the kind; 0 otherwise. And back. */
int maat_helpdesk_kind_parse(const char *name);
const char *maat_helpdesk_kind_name(int kind);

#endif /* MAAT_OUTBOX_H */

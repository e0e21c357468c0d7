/*
 * maat/privacy.h - personal data in customers' messages, Dutch and
 * English: found and replaced by its type before a message is kept, shown
 * to an AI or sent to a helpdesk. docs/privacy.md lists the rules and their
 * measured recall and precision. Included by maat.h.
 */
#ifndef MAAT_PRIVACY_H
#define MAAT_PRIVACY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum maat_pii_type {
  MAAT_PII_EMAIL = 1,
  MAAT_PII_PHONE,          /* Dutch and international numbers */
  MAAT_PII_IBAN,           /* checked with mod 97, any case and spacing */
  MAAT_PII_BSN,            /* the Dutch citizen service number, 11-proof */
  MAAT_PII_CARD,           /* a payment card number, Luhn */
  MAAT_PII_POSTCODE,       /* a Dutch postcode, "1234 AB" */
  MAAT_PII_DATE_OF_BIRTH,  /* a date said to be one's birth */
  MAAT_PII_NAME            /* a person's name (cues and a name lexicon) */
};

/* "email", "phone", "iban", "bsn", "card", "postcode", "date_of_birth",
 * "name"; "?" otherwise. */
const char *maat_pii_type_name(int type);

/* One piece of personal data: its type and its bytes [start, end). */
struct maat_pii_span {
  int type;
  size_t start, end;
};

/*
 * Finds the personal data in 'len' bytes of UTF-8 at 's': at most 'cap'
 * spans into 'out' in text order, not overlapping; '*n' is how many were
 * found (more than 'cap' means some were left out). MAAT_EUTF8 for
 * invalid UTF-8. Never allocates; thread-safe.
 */
int maat_pii_find(const char *s, size_t len, struct maat_pii_span *out,
                  size_t cap, size_t *n);

/*
 * The text with each piece of personal data replaced by "[TYPE]"
 * ("[EMAIL]", "[IBAN]", ...), as owned memory in '*out' (free with
 * maat_free()); its length in '*outlen' (may be NULL).
 */
int maat_pii_redact(const char *s, size_t len, char **out, size_t *outlen);

/* ---- the data subject (docs/privacy.md) ---- */

struct maat_store;

/*
 * All the store holds on customer 'customer' (their contacts' events,
 * decisions and records, the words kept for learning, corrections, calls
 * made for them; how many snapshots hold them), as one JSON object
 * (owned, free with maat_free()). Audited (without the id).
 */
int maat_privacy_export(struct maat_store *st, const char *customer,
                        char **json);

struct maat_erase_report {
  long contacts;      /* the customer's contacts */
  long rows;          /* rows overwritten */
  long snapshots;     /* snapshots rewritten */
  char pseudonym[65]; /* what the id became (random: links to nothing) */
};

/*
 * Erases customer 'customer' everywhere: their id becomes a random
 * pseudonym of the same length in the log, the records and the
 * snapshots (so totals and replays stay as they were); their words kept
 * for learning are deleted; each string in 'also' (NULL-terminated; a
 * name, an e-mail address, a phone number as they wrote it; 4 bytes or
 * more) is overwritten wherever it is. One transaction, audited, then
 * the database compacted. MAAT_EBUSY while a server holds the store.
 */
int maat_privacy_erase(struct maat_store *st, const char *customer,
                       const char *const *also,
                       struct maat_erase_report *r);

/*
 * An agent who leaves: her check-ins (energy, private notes) deleted and
 * her tokens revoked ('*checkins', '*tokens' how many), audited, the
 * database compacted. The work she did stays in the log (totals).
 */
int maat_privacy_erase_agent(struct maat_store *st, const char *agent,
                             long *checkins, long *tokens);

/*
 * Retention per data class, in days (0: kept until erased): the
 * customer's words kept for learning and the questions of the gaps report
 * ("messages"), closed contacts' records and the bot's outcomes
 * ("contacts"), agents' check-ins ("checkins"), the audit log ("audit").
 */
struct maat_retention {
  int messages_days, contacts_days, checkins_days, audit_days;
};
#define MAAT_RETENTION_DEFAULT { 30, 365, 90, 730 }

struct maat_purge_report {
  long messages, questions, contacts, outcomes, checkins, audit;
  int router_time;    /* 0: the store has no server clock, so contacts and
                         check-ins (kept in router time) were left */
};

/*
 * Deletes what is older than its class allows at wall time 'now'. Router
 * times are mapped through the server's clock kept in the store.
 */
int maat_privacy_purge(struct maat_store *st, const struct maat_retention *r,
                       double now, struct maat_purge_report *out);

#ifdef __cplusplus
}
#endif

#endif /* MAAT_PRIVACY_H */

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

#ifdef __cplusplus
}
#endif

#endif /* MAAT_PRIVACY_H */

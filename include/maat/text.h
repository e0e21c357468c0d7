/*
 * maat/text.h - the text pipeline: UTF-8 validation, normalisation and case
 * folding, tokenisation, stemming and language identification (nl/en/other).
 * Included by maat.h; do not include directly.
 */
#ifndef MAAT_TEXT_H
#define MAAT_TEXT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Checks that 'len' bytes at 's' are well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF). Returns MAAT_OK, or MAAT_EUTF8 with
 * '*bad_offset' (if non-NULL) set to the byte offset of the first bad byte.
 */
int maat_utf8_validate(const char *s, size_t len, size_t *bad_offset);

/* Languages maat tells apart. */
typedef enum maat_lang {
  MAAT_LANG_OTHER = 0,
  MAAT_LANG_EN = 1,
  MAAT_LANG_NL = 2
} maat_lang;

/* "other", "en" or "nl". Static storage. */
const char *maat_lang_name(maat_lang lang);

/* Parses "en"/"nl"/"other" (case-insensitive); MAAT_EINVAL otherwise. */
int maat_lang_parse(const char *name, maat_lang *out);

/*
 * Identifies the language of a message. Returns the language and, through
 * 'confidence' (if non-NULL), a score in [0, 1]: the share of the evidence
 * that went to the answer (0 when there was no evidence at all). Short or
 * ambiguous text that is neither clearly Dutch nor clearly English, and
 * German or French text, gives MAAT_LANG_OTHER. Never fails and never
 * allocates; invalid UTF-8 is treated byte-wise. Thread-safe.
 */
maat_lang maat_lang_detect(const char *s, size_t len, double *confidence);

/* What a token is. */
typedef enum maat_token_kind {
  MAAT_TOK_WORD = 0,   /* letters, with inner apostrophes/hyphens: "don't", "zo'n", "e-mail" */
  MAAT_TOK_NUMBER = 1, /* digits, with inner separators: "3", "12,50", "06-12345678" */
  MAAT_TOK_EMAIL = 2,  /* "jan@example.nl" */
  MAAT_TOK_URL = 3,    /* "https://…", "www.…" */
  MAAT_TOK_EMOJI = 4,  /* one emoji (with modifiers and ZWJ sequences) */
  MAAT_TOK_PUNCT = 5   /* "!", "?", "..." : kept because they carry tone */
} maat_token_kind;

/*
 * A token: a view into the tokenizer's normalised (NFKC, case-folded) text,
 * 'len' bytes, not NUL-terminated. 'start' and 'end' are byte offsets of the
 * token in the original input: the identity for ASCII input, otherwise the
 * range of the grapheme clusters the token came from (two tokens cut from
 * one cluster share its range). A currency symbol ("€12.50") is a
 * MAAT_TOK_PUNCT token of its own. docs/internals/text.md has the rules.
 */
typedef struct maat_token {
  const char *text;
  size_t len;
  size_t start, end;
  maat_token_kind kind;
} maat_token;

/*
 * A reusable tokenizer. It owns the normalised copy of the last input and the
 * token array, so one tokenizer per thread avoids allocation per message.
 */
typedef struct maat_tokenizer maat_tokenizer;

/* Flags for maat_tokenize(). */
enum maat_tokenize_flags {
  MAAT_TOKENIZE_KEEP_CASE = 1 << 0, /* skip case folding */
  MAAT_TOKENIZE_NO_PUNCT = 1 << 1   /* drop MAAT_TOK_PUNCT tokens */
};

/*
 * Returns a new tokenizer, or NULL when out of memory. Free with
 * maat_tokenizer_free(), which accepts NULL.
 */
maat_tokenizer *maat_tokenizer_new(void);
void maat_tokenizer_free(maat_tokenizer *t);

/*
 * Validates, normalises (Unicode NFKC and case folding, via utf8proc) and
 * splits 'len' bytes at 's' into tokens, replacing the tokenizer's previous
 * result. Returns MAAT_OK, or MAAT_EUTF8 naming the byte offset of the first
 * invalid byte in maat_errmsg(), MAAT_ENOMEM or MAAT_EINVAL; on failure the
 * result is empty. The tokens stay valid until the next call on 't'. Once
 * its buffers have grown to the longest input, a tokenizer no longer
 * allocates. Not thread-safe: one tokenizer per thread.
 */
int maat_tokenize(maat_tokenizer *t, const char *s, size_t len, unsigned flags);
/* The number of tokens of the last call (0 for NULL). */
size_t maat_tokenizer_count(const maat_tokenizer *t);
/*
 * Token 'i' of the last call, or NULL when out of range. Tokens are
 * contiguous: maat_tokenizer_get(t, 0) + i is token i.
 */
const maat_token *maat_tokenizer_get(const maat_tokenizer *t, size_t i);

/*
 * A Snowball stemmer (libstemmer) for one language; not thread-safe, use one
 * per thread. MAAT_LANG_OTHER gives an identity stemmer.
 */
typedef struct maat_stemmer maat_stemmer;

/* Returns MAAT_OK and '*out', or MAAT_ENOMEM. Free with maat_stemmer_free(). */
int maat_stemmer_new(maat_lang lang, maat_stemmer **out);
void maat_stemmer_free(maat_stemmer *st);

/*
 * Stems a case-folded word. '*out' points into the stemmer's buffer, valid
 * until the next call (for the identity stemmer, and for words over 256
 * bytes, it is 'word' itself). Returns MAAT_OK, MAAT_EINVAL on NULL
 * arguments, or MAAT_ENOMEM.
 */
int maat_stem(maat_stemmer *st, const char *word, size_t len,
              const char **out, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* MAAT_TEXT_H */

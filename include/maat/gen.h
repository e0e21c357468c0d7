/*
 * maat/gen.h - the generator of realistic synthetic customer messages in
 * Dutch and English, labelled with intent, tone and urgency, so that demos
 * and tests run where the real data sets are absent. Included by maat.h.
 */
#ifndef MAAT_GEN_H
#define MAAT_GEN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Which phrasings to draw from. A model trained on MAAT_GEN_HISTORY and
 * measured on MAAT_GEN_NEW meets wordings it has never seen, as a real
 * model does; with MAAT_GEN_ALL the measurement would flatter it.
 */
typedef enum maat_gen_split {
  MAAT_GEN_ALL = 0,
  MAAT_GEN_HISTORY = 1, /* three of every four templates */
  MAAT_GEN_NEW = 2      /* the fourth */
} maat_gen_split;

typedef struct maat_gen_opts {
  uint64_t seed;
  double nl_share;  /* share of Dutch messages, 0..1 (the rest English) */
  double typo_rate; /* chance per word of a typo, 0..0.5 */
  maat_gen_split split;
} maat_gen_opts;

#define MAAT_GEN_OPTS_INIT { 1, 0.5, 0.03, MAAT_GEN_ALL }

/*
 * One generated message. Strings are owned by the generator and valid until
 * the next maat_msggen_next() call (intent and tone names are static).
 */
typedef struct maat_gen_message {
  const char *text;
  const char *lang;   /* "nl" or "en" */
  const char *intent;
  const char *tone;   /* neutral, positive, frustrated, angry, distressed */
  double tone_intensity; /* 0..1 */
  double urgency;        /* 0..1 */
} maat_gen_message;

typedef struct maat_msggen maat_msggen;

/*
 * Creates a generator; the same options give the same messages on every
 * platform. Returns MAAT_OK, MAAT_EINVAL (an option out of range, named in
 * maat_errmsg()) or MAAT_ENOMEM. Free with maat_msggen_free().
 */
int maat_msggen_new(const maat_gen_opts *opts, maat_msggen **out);

/* Generates the next message into 'msg'. Returns MAAT_OK or MAAT_ENOMEM. */
int maat_msggen_next(maat_msggen *g, maat_gen_message *msg);
void maat_msggen_free(maat_msggen *g);

/*
 * A knowledge base for the generated intents, Dutch and English, as JSON
 * Lines of articles (maat kb import's format): one article per intent and
 * language, id "kb-SLUG-LANG", and a few on subjects no message asks
 * about. '*out' is owned (free with maat_free()).
 */
int maat_gen_kb(char **out, size_t *len);
/* The id of the article that answers generated intent 'intent' in 'lang'
 * ("nl" or "en") into 'out'; 0 when no article answers it. */
int maat_gen_kb_article(const char *intent, const char *lang, char *out,
                        size_t cap);

/* The intents the generator knows, in a fixed order. Static strings. */
size_t maat_gen_intent_count(void);
const char *maat_gen_intent_name(size_t i);

#ifdef __cplusplus
}
#endif

#endif /* MAAT_GEN_H */

/*
 * maat/tone.h - tone and urgency from cue lexicons for Dutch and English:
 * the explainable part of triage. Every score comes with the phrases that
 * produced it, as byte ranges of the original text, so a reason line such as
 * "tone angry 0.82: 'belachelijk', 'al drie keer gebeld'" can be shown to a
 * team lead. docs/internals/tone.md describes the lexicon and its rules.
 * Included by maat.h; do not include directly.
 */
#ifndef MAAT_TONE_H
#define MAAT_TONE_H

#include <stddef.h>

#include "maat/route.h"
#include "maat/text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The tones are enum maat_tone of maat/route.h; this many of them. */
#define MAAT_TONE_COUNT 5

/* "neutral", "positive", "frustrated", "angry", "distressed"; "?" otherwise. */
const char *maat_tone_name(int tone);

/* What the lexicon says a cue is. */
typedef enum maat_tone_cue_kind {
  MAAT_CUE_FRUSTRATION = 0, /* "nog steeds", "alweer", "still", "again" */
  MAAT_CUE_ANGER = 1,       /* "belachelijk", "disgrace", profanity */
  MAAT_CUE_DISTRESS = 2,    /* "wanhopig", "passed away", "scared" */
  MAAT_CUE_POSITIVE = 3,    /* "bedankt", "top", "thanks", "great" */
  MAAT_CUE_DEADLINE = 4,    /* urgency: "vandaag nog", "asap", "spoed" */
  MAAT_CUE_MONEY = 5,       /* urgency: "rood staan", "incasso", "overdraft" */
  MAAT_CUE_SAFETY = 6,      /* urgency: "ziekenhuis", "gas lekt", "unsafe" */
  MAAT_CUE_LEGAL = 7,       /* urgency: "advocaat", "rechtszaak", "sue" */
  MAAT_CUE_CANCEL = 8,      /* urgency: "opzeggen", "cancel my account" */
  MAAT_CUE_REPEAT = 9,      /* urgency: "al drie keer gebeld", "third time" */
  MAAT_CUE_KIND_COUNT = 10
} maat_tone_cue_kind;

/* "frustration", "anger", ..., "repeat"; "?" otherwise. */
const char *maat_tone_cue_kind_name(maat_tone_cue_kind kind);

/* Flags of a cue: what the words around it did to it. */
enum maat_tone_cue_flags {
  MAAT_CUE_NEGATED = 1 << 0,     /* a negation in scope ("niet slecht") */
  MAAT_CUE_INTENSIFIED = 1 << 1, /* "echt heel", "really", CAPS, "!!" */
  MAAT_CUE_DOWNTONED = 1 << 2    /* "een beetje", "a bit", "slightly" */
};

/*
 * One phrase that contributed. 'start'..'end' is its byte range in the text
 * given to maat_tone_score(). 'tone' is the tone it fed after negation (a
 * negated "blij" feeds frustrated, a negated "slecht" feeds positive weakly),
 * or MAAT_TONE_NEUTRAL when it fed none; 'weight' is that contribution and
 * 'urgency' its contribution to urgency, both after modifiers.
 */
typedef struct maat_tone_cue {
  size_t start, end;
  maat_tone_cue_kind kind;
  int tone;              /* enum maat_tone */
  double weight;
  double urgency;
  unsigned flags;
} maat_tone_cue;

/* How many cues a result keeps: the strongest ones. */
#define MAAT_TONE_MAX_CUES 8

/*
 * The result of scoring one message. 'score' holds, per tone, a value in
 * [0, 1] (for neutral: how little evidence of any tone there was); 'tone' is
 * the winner and 'intensity' its strength in [0, 1]; 'urgency' is in [0, 1].
 * 'cues' holds the 'ncues' strongest cues, strongest first; 'ncues_total'
 * counts every cue found. 'lang' is the language the scorer detected.
 */
typedef struct maat_tone_result {
  double score[MAAT_TONE_COUNT];
  int tone;              /* enum maat_tone */
  double intensity;
  double urgency;
  maat_lang lang;
  size_t ncues;
  size_t ncues_total;
  maat_tone_cue cues[MAAT_TONE_MAX_CUES];
} maat_tone_result;

/*
 * A reusable scorer: it holds the compiled lexicon, a tokenizer and the
 * Dutch and English stemmers, so scoring allocates nothing once its buffers
 * have grown to the longest message. Not thread-safe: one per thread.
 */
typedef struct maat_tone_scorer maat_tone_scorer;

/*
 * Builds a scorer into '*out'. Returns MAAT_OK or MAAT_ENOMEM ('*out' is then
 * untouched). Free with maat_tone_scorer_free(), which accepts NULL.
 */
int maat_tone_scorer_new(maat_tone_scorer **out);
void maat_tone_scorer_free(maat_tone_scorer *sc);

/*
 * Scores 'len' bytes of UTF-8 at 'text' into '*out'. The cue offsets refer
 * to 'text', which is borrowed and not kept. Returns MAAT_OK, MAAT_EINVAL on
 * NULL arguments, MAAT_EUTF8 on invalid UTF-8 or MAAT_ENOMEM; on failure
 * '*out' is left untouched.
 */
int maat_tone_score(maat_tone_scorer *sc, const char *text, size_t len,
                    maat_tone_result *out);

/*
 * Writes a reason line for 'r' into 'buf' (at most 'cap' bytes, always
 * NUL-terminated when 'cap' > 0), quoting the cues from 'text', the same text
 * that was scored:
 *   tone angry 0.82: 'belachelijk', 'al drie keer gebeld'; urgency 0.55: ...
 * The tone part lists the cues that fed the winning tone; the urgency part
 * appears when urgency is above zero. Returns the length the full line needs
 * (not counting the NUL), as snprintf() does, so a result >= 'cap' means the
 * line was cut.
 */
size_t maat_tone_reason(const maat_tone_result *r, const char *text,
                        size_t len, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* MAAT_TONE_H */

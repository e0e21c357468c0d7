/*
 * tone-int.h - the cue lexicon behind maat_tone_score(), shared between the
 * tables in tone_lexicon.c and the scorer in tone.c. Never installed.
 */
#ifndef MAAT_TONE_INT_H
#define MAAT_TONE_INT_H

#include "maat-int.h"

/*
 * Kinds beyond the public maat_tone_cue_kind: words that change the cues
 * around them instead of being cues.
 */
enum {
  MAAT__TONE_MOD_NEGATE = 32,  /* "niet", "geen", "not", "never" */
  MAAT__TONE_MOD_INTENS = 33,  /* "echt", "heel", "really", "very" */
  MAAT__TONE_MOD_DOWN = 34,    /* "beetje", "slightly", "bit" */
  MAAT__TONE_MOD_BREAK = 35,   /* "maar", "but": ends a negation's scope */
  MAAT__TONE_ABSORB = 36       /* "alvast bedankt": matched, then ignored */
};

/* Entry flags. */
enum {
  MAAT__TONE_NONEG = 1 << 0 /* a negation in scope leaves the cue alone */
};

/*
 * One lexicon entry. 'phrase' is case-folded words separated by single
 * spaces; a word ending in '~' matches by its stem in 'lang' (so "annoyed~"
 * also matches "annoying"), and a one-word phrase ending in '*' matches any
 * word that starts with it ("kut*" matches "kutbedrijf"). 'kind' is a
 * maat_tone_cue_kind or a MAAT__TONE_* kind; 'tone' is the tone it feeds
 * with weight 'tw' (MAAT_TONE_NEUTRAL for none) and 'uw' its urgency weight.
 */
struct maat__tone_entry {
  const char *phrase;
  unsigned char lang;
  unsigned char kind;
  unsigned char tone;
  unsigned char flags;
  float tw;
  float uw;
};

extern const struct maat__tone_entry maat__tone_lexicon[];
extern const size_t maat__tone_lexicon_len;

#endif /* MAAT_TONE_INT_H */

/*
 * gen-int.h - the phrase tables of the synthetic message generator
 * (gen_templates.c), shared with gen.c.
 */
#ifndef MAAT_GEN_INT_H
#define MAAT_GEN_INT_H

#include "maat-int.h"

#define GEN_MAX_PHRASES 12

struct gen_intent {
  const char *name;
  double urgency;    /* typical urgency of the intent, 0..1 */
  int heavy;         /* the intent itself weighs on people (fraud, a death) */
  const char *nl[GEN_MAX_PHRASES]; /* NULL-terminated */
  const char *en[GEN_MAX_PHRASES];
};

struct gen_tone {
  const char *name;
  const char *open_nl[GEN_MAX_PHRASES], *close_nl[GEN_MAX_PHRASES];
  const char *open_en[GEN_MAX_PHRASES], *close_en[GEN_MAX_PHRASES];
};

extern const struct gen_intent maat__gen_intents[];
extern const size_t maat__gen_intent_count;
extern const struct gen_tone maat__gen_tones[];
extern const size_t maat__gen_tone_count;
extern const char *const maat__gen_urgency_nl[], *const maat__gen_urgency_en[];
extern const char *const maat__gen_names[], *const maat__gen_cities[];
extern const char *const maat__gen_products_nl[], *const maat__gen_products_en[];
extern const char *const maat__gen_months_nl[], *const maat__gen_months_en[];
extern const char *const maat__gen_chat_nl[], *const maat__gen_chat_en[];

#endif /* MAAT_GEN_INT_H */

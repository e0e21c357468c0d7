/*
 * triage-int.h - the triage configuration as triage.c reads it, shared with
 * triage_config.c (defaults and the JSON file). Never installed.
 */
#ifndef MAAT_TRIAGE_INT_H
#define MAAT_TRIAGE_INT_H

#include "maat-int.h"

#define MAAT_TRIAGE_MEMORY 4      /* intents remembered per customer */
#define MAAT__TRIAGE_MAX_INTENTS 512

struct maat__triage_cfg {
  /* Intents: "*" in 'bot' means every intent of the model. */
  int bot_all;
  size_t nbot, nnot;
  char **bot;                 /* bot-answerable intents */
  char **not_bot;             /* never bot-answerable (wins over 'bot') */
  double intent_threshold;    /* < 0: the model's own */
  double bot_confidence;      /* the bot takes only intents this sure */
  double tone_model_threshold;/* P(frustrated+angry+distressed) that counts */
  double high, critical;      /* urgency lines */
  double t3_angry, t3_urgency, t3_complexity;
  double repeat_window_s;
  /* The hard rules (all on by default). */
  int rule_upset, rule_oos, rule_repeat, rule_critical_first,
      rule_critical_not_bot;
};

struct maat_triage_config {
  struct maat__triage_cfg c;
};

/* critical.c: the first high-stakes rule a message matches. */
struct maat__critical {
  int kind;                   /* enum maat_critical_kind; 0: none */
  const char *what;           /* the rule, for the reason (static) */
  char words[160];            /* the words that matched, quoted */
};
/* 1 and '*hit' when a rule matched, 0 when none did, or an error. */
int maat__critical_scan(maat_tokenizer *tok, const char *text, size_t len,
                        maat_lang lang, struct maat__critical *hit);

/*
 * Whether 'intent' may go to the bot under 'cfg' (not the oos label): not
 * when listed in "not_bot_answerable"; yes when named in
 * "bot_answerable"; else by "*", unless the intent is 'sensitive' (a
 * topic of enum maat_sensitive).
 */
int maat__triage_bot_answerable(const struct maat_triage_config *cfg,
                                const char *intent, int sensitive);

/* The triager's knowledge base, or NULL (triage.c). */
struct maat_kb *maat__triager_kb(const maat_triager *t);

#endif /* MAAT_TRIAGE_INT_H */

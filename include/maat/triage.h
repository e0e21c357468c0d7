/*
 * maat/triage.h - triage: for each incoming contact, its language, intent,
 * tone, urgency and complexity, whether the bot can answer it, and the tier
 * (T1 the bot, T2 a specialist with an AI-prepared proposal, T3 straight to
 * an experienced person) with a priority and the reasons, in words a team
 * lead can read. docs/triage.md describes the rules; docs/triage-config.md
 * the configuration file. Included by maat.h; do not include directly.
 */
#ifndef MAAT_TRIAGE_H
#define MAAT_TRIAGE_H

#include <stddef.h>

#include "maat/classify.h"
#include "maat/route.h"
#include "maat/text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- configuration ---- */

typedef struct maat_triage_config maat_triage_config;

/* The defaults: every hard rule on, every intent but the model's
 * out-of-scope label bot-answerable. */
int maat_triage_config_default(maat_triage_config **out);

/*
 * Reads a configuration file (JSON, docs/triage-config.md). Unknown fields
 * and values out of range are errors naming the file and the field.
 */
int maat_triage_config_load(maat_triage_config **out, const char *path);
int maat_triage_config_parse(maat_triage_config **out, const char *json,
                             size_t len, const char *name);
void maat_triage_config_free(maat_triage_config *cfg);

/* ---- the triager ---- */

typedef struct maat_triager maat_triager;

/*
 * A triager over a configuration and two optional models, all borrowed and
 * kept alive by the caller: 'intent' (an organisation's intent model from
 * 'maat train'; without it nothing is bot-answerable) and 'tone' (the
 * default English tone model; without it tone comes from the lexicon
 * alone). It remembers each customer's recent intents to recognise a second
 * contact about the same issue. Not thread-safe: one per thread.
 */
int maat_triager_new(maat_triager **out, const maat_triage_config *cfg,
                     const maat_model *intent, const maat_model *tone);
void maat_triager_free(maat_triager *t);

/*
 * Replaces the intent model (borrowed, as in maat_triager_new()); the
 * paused intents, the knowledge base and each customer's recent intents
 * stay. On failure the old model stays. Not thread-safe against
 * maat_triage_run() (maat_engine_set_intent_model() serialises).
 */
int maat_triager_set_intent(maat_triager *t, const maat_model *intent);

/*
 * Pauses (paused 1) or resumes the bot for 'intent': while paused, the
 * intent is not bot-answerable and the reason says a person paused it.
 * At most 64 intents at a time (MAAT_EINVAL past that). Not thread-safe
 * against maat_triage_run(): the caller serialises (maat_engine_bot_pause()
 * does).
 */
int maat_triager_pause(maat_triager *t, const char *intent, int paused);
/* Calls 'fn' for each paused intent; stops at fn's nonzero value. */
int maat_triager_paused(const maat_triager *t,
                        int (*fn)(void *ctx, const char *intent), void *ctx);

/* An intent's rollout stage (docs/insight.md). */
enum maat_rollout {
  MAAT_ROLLOUT_NONE = 0,   /* as configured */
  MAAT_ROLLOUT_SHADOW,     /* proof of concept: maat decides, the bot does
                              not answer; a person does */
  MAAT_ROLLOUT_PILOT,      /* the bot answers a share of what it could */
  MAAT_ROLLOUT_SCALE,      /* all of it */
  MAAT_ROLLOUT_OPTIMISE    /* all of it, being tuned */
};
/* "none", "shadow", "pilot", "scale", "optimise"; parse: MAAT_EINVAL. */
const char *maat_rollout_name(int stage);
int maat_rollout_parse(const char *name, int *stage);
/*
 * Sets 'intent's rollout stage; 'share' (0..1) is the pilot's part for
 * the bot. In shadow, a contact the bot would have answered goes to a
 * person, marked bot_shadow, with the reason; in a pilot, the contacts
 * outside the share (by a hash of the words: the same message stays on
 * the same side) go to people. Serialise as for maat_triager_pause().
 */
int maat_triager_rollout(maat_triager *t, const char *intent, int stage,
                         double share);

/*
 * Gives the triager a knowledge base (maat/kb.h; NULL: none). A contact
 * that would be T1 then goes to the bot only when the knowledge base has
 * an answer above its threshold; otherwise it is T2, and the reason says
 * so. maat_triage_event_line() adds the bot's answer (T1) or a prepared
 * case (T2: the best articles and a draft), both labelled as AI-written.
 * The knowledge base must outlive the triager's use of it. An empty one is
 * as none.
 */
struct maat_kb;
int maat_triager_set_kb(maat_triager *t, struct maat_kb *kb);

/* One incoming contact. Only 'text' is required. */
struct maat_triage_input {
  const char *text;
  size_t len;
  const char *customer;  /* NULL: unknown, no memory of earlier contacts */
  const char *channel;   /* NULL: unknown; only reported */
  double ts;             /* seconds; < 0: unknown (then no time window) */
  /* Earlier messages of this customer about this contact, oldest first. */
  const char *const *history;
  size_t nhistory;
};

/*
 * The kinds of critical contact: the ones that must reach a person first
 * (docs/triage.md, "Critical contacts").
 */
enum maat_critical_kind {
  MAAT_CRITICAL_NONE = 0,
  MAAT_CRITICAL_FRAUD,       /* money leaving now, takeover, card, scam */
  MAAT_CRITICAL_HEALTH,      /* medication, a medical emergency */
  MAAT_CRITICAL_SAFETY,      /* threats, gas, power for medical equipment */
  MAAT_CRITICAL_SELF_HARM,   /* self-harm, hopelessness */
  MAAT_CRITICAL_DEADLINE,    /* eviction, legal and payment deadlines */
  MAAT_CRITICAL_VULNERABLE,  /* no access to money or food */
  MAAT_CRITICAL_OUTAGE,      /* the whole business down */
  MAAT_CRITICAL_BREACH       /* a data breach */
};
/* "fraud", "health", ...; "none" for 0, "?" otherwise. */
const char *maat_critical_kind_name(int kind);

#define MAAT_TRIAGE_MAX_REASONS 8
#define MAAT_TRIAGE_REASON_MAX 240

struct maat_triage {
  maat_lang lang;
  char intent[MAAT_ID_MAX + 1];   /* "" without an intent model */
  double intent_confidence;       /* 0 without an intent model */
  int out_of_scope;               /* below the threshold or the oos label */
  int bot_can_answer;             /* in scope, confident, bot-answerable */
  int bot_shadow;                 /* shadow mode: the bot would have
                                     answered; a person does */
  int tone;                       /* enum maat_tone */
  double tone_intensity;          /* 0..1 */
  double urgency;                 /* 0..1 */
  int critical;                   /* a critical cue, or urgency at or above
                                     the critical line */
  int critical_kind;              /* enum maat_critical_kind */
  double complexity;              /* 0..1 */
  int repeat;                     /* a second contact about the same issue */
  int tier;                       /* enum maat_tier */
  int priority;                   /* 0..3, higher first */
  /* With a knowledge base (maat_triager_set_kb()): whether a T1 contact
   * was checked against it, whether the bot has a confident answer (no
   * answer: T2), its confidence and the article. */
  int kb_checked, kb_answered;
  double kb_confidence;
  char kb_article[129];
  size_t nreasons;
  char reasons[MAAT_TRIAGE_MAX_REASONS][MAAT_TRIAGE_REASON_MAX];
};

/*
 * Triages one contact into '*out'. Returns MAAT_OK, MAAT_EINVAL (NULL
 * arguments), MAAT_EUTF8 (the text or a history item is not UTF-8) or
 * MAAT_ENOMEM; on failure '*out' is unspecified and the triager's memory of
 * customers is unchanged.
 */
int maat_triage_run(maat_triager *t, const struct maat_triage_input *in,
                    struct maat_triage *out);

/*
 * Records that 'customer' contacted about 'intent' at 'ts', as
 * maat_triage_run() does for an in-scope contact: for a caller that rebuilds
 * the memory from its own records (maat serve after a restart). Empty
 * strings record nothing. MAAT_EINVAL on NULL arguments.
 */
int maat_triager_remember(maat_triager *t, const char *customer,
                          const char *intent, double ts);

/*
 * Calls 'fn' for everything the triager remembers, each customer's
 * oldest first, so that maat_triager_remember() in that order gives
 * another triager the same memory (the engine's snapshots). Stops at fn's
 * nonzero value and returns it.
 */
int maat_triager_each_memory(const maat_triager *t,
                             int (*fn)(void *ctx, const char *customer,
                                       const char *intent, double ts),
                             void *ctx);

/*
 * Triages a contact event given as a JSON object with a "text" (and
 * optionally "customer", "channel", "ts", "history") into the event line the
 * router reads (maat_event_parse()): "type" "contact", "t" kept or set to
 * 'time',
 * the triage's tier, tone, intensity, urgency, priority, intent and lang
 * added unless the object already has them, the whole result under
 * "triage", and "text" and "history" removed (the router and its log need
 * the verdict, not the message; the reasons quote the words that decided). '*out' is owned (free with
 * maat_free()). Returns MAAT_OK, MAAT_EPARSE naming the field, MAAT_EUTF8 or
 * MAAT_ENOMEM.
 */
int maat_triage_event_line(maat_triager *t, const char *json, size_t len,
                           double time, char **out, size_t *outlen);

/* "T1", "T2", "T3"; "?" otherwise. */
const char *maat_tier_name(int tier);

#ifdef __cplusplus
}
#endif

#endif /* MAAT_TRIAGE_H */

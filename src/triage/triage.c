/*
 * triage.c - from a message to a tier: language, intent (the organisation's
 * model), tone (the cue lexicon, and for English the default tone model),
 * urgency, complexity, repeat contacts, then the hard rules and the tier
 * with its priority and reasons. docs/triage.md describes the decision.
 */
#include "triage-int.h"
#include "maat/kb.h"
#include "maat/privacy.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>


/* ---- customer memory: recent intents per customer ---- */

struct seen {
  char customer[MAAT_ID_MAX + 1];
  char intent[MAAT_TRIAGE_MEMORY][MAAT_ID_MAX + 1];
  double ts[MAAT_TRIAGE_MEMORY];
  int n;
  int used;
};

struct maat_triager {
  const maat_triage_config *cfg;
  const maat_model *intent_model, *tone_model;
  maat_predictor *intent, *tone;
  maat_tone_scorer *lexicon;
  maat_tokenizer *tok;        /* for the critical rules */
  char paused[64][MAAT_ID_MAX + 1]; /* intents the bot is paused for */
  int npaused;
  struct {
    char intent[MAAT_ID_MAX + 1];
    int stage;
    double share;
  } rollout[64];               /* intents in a rollout stage */
  int nrollout;
  long tone_neg[3];           /* the tone model's label index per tone */
  struct seen *memory;        /* open addressing by customer */
  size_t cap, used;
  struct maat_kb *kb;         /* the bot's answers; NULL: none */
};

static uint64_t hash_str(const char *s)
{
  return maat__hash64(s, strlen(s), 0);
}

/* Adds an intent to a customer's memory; when full, the oldest goes. */
static void remember(struct seen *mem, const char *intent, double ts)
{
  if (!mem)
    return;
  if (mem->n == MAAT_TRIAGE_MEMORY) {
    memmove(mem->intent, mem->intent + 1,
            (MAAT_TRIAGE_MEMORY - 1) * sizeof mem->intent[0]);
    memmove(mem->ts, mem->ts + 1, (MAAT_TRIAGE_MEMORY - 1) * sizeof mem->ts[0]);
    mem->n--;
  }
  snprintf(mem->intent[mem->n], sizeof mem->intent[0], "%s", intent);
  mem->ts[mem->n++] = ts;
}

static struct seen *memory_find(maat_triager *t, const char *customer,
                                int create)
{
  size_t i = hash_str(customer) & (t->cap - 1);

  for (;; i = (i + 1) & (t->cap - 1)) {
    struct seen *s = &t->memory[i];
    if (!s->used) {
      if (!create)
        return NULL;
      /* Keep the table at most half full: forget everyone when it fills,
       * a bounded memory for a stream of any length. */
      if (t->used + 1 > t->cap / 2) {
        memset(t->memory, 0, t->cap * sizeof *t->memory);
        t->used = 0;
        i = hash_str(customer) & (t->cap - 1);
        s = &t->memory[i];
      }
      s->used = 1;
      snprintf(s->customer, sizeof s->customer, "%s", customer);
      t->used++;
      return s;
    }
    if (!strcmp(s->customer, customer))
      return s;
  }
}

int maat_triager_new(maat_triager **out, const maat_triage_config *cfg,
                     const maat_model *intent, const maat_model *tone)
{
  static const char *const neg[3] = { "frustrated", "angry", "distressed" };
  maat_triager *t;
  int rc = MAAT_OK;

  if (!out || !cfg)
    return maat__fail(MAAT_EINVAL, "maat_triager_new: invalid argument");
  t = maat__calloc(1, sizeof *t);
  if (!t)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  t->cfg = cfg;
  t->intent_model = intent;
  t->tone_model = tone;
  t->cap = 1u << 16;
  t->memory = maat__calloc(t->cap, sizeof *t->memory);
  if (!t->memory)
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
  if (!rc)
    rc = maat_tone_scorer_new(&t->lexicon);
  if (!rc && !(t->tok = maat_tokenizer_new()))
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
  if (!rc && intent)
    rc = maat_predictor_new(intent, &t->intent);
  if (!rc && tone) {
    for (int k = 0; k < 3 && !rc; k++) {
      t->tone_neg[k] = maat_model_label_index(tone, neg[k]);
      if (t->tone_neg[k] < 0)
        rc = maat__fail(MAAT_EINVAL, "the tone model has no '%s' label "
                        "(it needs neutral, positive, frustrated, angry "
                        "and distressed)", neg[k]);
    }
    if (!rc)
      rc = maat_predictor_new(tone, &t->tone);
  }
  if (rc) {
    maat_triager_free(t);
    return rc;
  }
  *out = t;
  return MAAT_OK;
}

int maat_triager_set_intent(maat_triager *t, const maat_model *intent)
{
  maat_predictor *p;
  int rc;

  if (!t || !intent)
    return maat__fail(MAAT_EINVAL, "maat_triager_set_intent: invalid "
                      "argument");
  if ((rc = maat_predictor_new(intent, &p)))
    return rc;
  maat_predictor_free(t->intent);
  t->intent = p;
  t->intent_model = intent;
  return MAAT_OK;
}

void maat_triager_free(maat_triager *t)
{
  if (!t)
    return;
  maat_predictor_free(t->intent);
  maat_predictor_free(t->tone);
  maat_tone_scorer_free(t->lexicon);
  maat_tokenizer_free(t->tok);
  maat__free(t->memory);
  maat__free(t);
}

/* ---- reasons ---- */

static void reason(struct maat_triage *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void reason(struct maat_triage *r, const char *fmt, ...)
{
  va_list ap;
  char *s;
  int n;

  if (r->nreasons == MAAT_TRIAGE_MAX_REASONS)
    return;
  s = r->reasons[r->nreasons++];
  va_start(ap, fmt);
  n = vsnprintf(s, MAAT_TRIAGE_REASON_MAX, fmt, ap);
  va_end(ap);
  /* Cut on a character, never inside one: a reason stays valid UTF-8. */
  if (n >= MAAT_TRIAGE_REASON_MAX)
    s[maat__utf8_fit(s, MAAT_TRIAGE_REASON_MAX - 1)] = '\0';
  /* A reason quotes the customer's words, and goes into the log and the
   * helpdesk's note: personal data in them is replaced by its type. */
  {
    struct maat_pii_span sp[4];
    size_t np;
    char *red;
    if (maat_pii_find(s, strlen(s), sp, 4, &np) == MAAT_OK && np &&
        maat_pii_redact(s, strlen(s), &red, NULL) == MAAT_OK) {
      size_t len = strlen(red);
      if (len >= MAAT_TRIAGE_REASON_MAX)
        len = maat__utf8_fit(red, MAAT_TRIAGE_REASON_MAX - 1);
      memcpy(s, red, len);
      s[len] = '\0';
      maat__free(red);
    }
  }
}

static int hostile(int tone)
{
  return tone == MAAT_TONE_FRUSTRATED || tone == MAAT_TONE_ANGRY ||
         tone == MAAT_TONE_DISTRESSED;
}

/* ---- the parts ---- */

static int classify_intent(maat_triager *t, const char *text, size_t len,
                           struct maat_triage *r)
{
  const struct maat__triage_cfg *c = &t->cfg->c;
  maat_prediction p;
  size_t letters = 0;
  int rc;

  if (!t->intent) {
    reason(r, "no intent model: the bot is not offered contacts");
    return MAAT_OK;
  }
  /* Nothing to answer, or not in a language the bot speaks: a person. */
  for (size_t i = 0; i < len; i++)
    letters += (unsigned char)text[i] >= 0x80 ||
               ((text[i] | 32) >= 'a' && (text[i] | 32) <= 'z');
  if (letters == 0) {
    r->out_of_scope = 1;
    reason(r, "no words in the message: nothing for the bot to answer");
    return MAAT_OK;
  }
  if (r->lang == MAAT_LANG_OTHER && letters >= 12) {
    r->out_of_scope = 1;
    reason(r, "not Dutch or English: the bot answers in those only");
    return MAAT_OK;
  }
  rc = maat_predict(t->intent, text, len, 2, c->intent_threshold, &p);
  if (rc)
    return rc;
  snprintf(r->intent, sizeof r->intent, "%s",
           p.below_threshold && p.n_top ? maat_model_label(t->intent_model,
                                                           p.top[0].label)
                                        : p.label);
  r->intent_confidence = p.confidence;
  r->out_of_scope = p.below_threshold ||
                    !strcmp(p.label, maat_model_oos_label(t->intent_model));
  if (p.below_threshold)
    reason(r, "intent %s %.2f below threshold %.2f", r->intent,
           p.confidence, c->intent_threshold >= 0 ? c->intent_threshold
                         : maat_model_threshold(t->intent_model));
  else if (r->out_of_scope)
    reason(r, "intent %s %.2f: out of scope", r->intent, p.confidence);
  return MAAT_OK;
}

/*
 * The English tone model: the probability that the message is frustrated,
 * angry or distressed, and which of the three; the words that pushed it are
 * found by scoring each word alone (a linear model's strongest features).
 */
static int tone_model(maat_triager *t, const char *text, size_t len,
                      double *pneg, int *which, char *why, size_t whycap)
{
  static const int tones[3] = { MAAT_TONE_FRUSTRATED, MAAT_TONE_ANGRY,
                                MAAT_TONE_DISTRESSED };
  size_t nlabels = maat_model_label_count(t->tone_model);
  maat_prediction p;
  double per[3] = { 0 };
  int rc = maat_predict(t->tone, text, len, nlabels, 0, &p);

  if (rc)
    return rc;
  *pneg = 0;
  for (size_t i = 0; i < p.n_top; i++)
    for (int k = 0; k < 3; k++)
      if ((long)p.top[i].label == t->tone_neg[k]) {
        per[k] = p.top[i].prob;
        *pneg += per[k];
      }
  *which = tones[0];
  for (int k = 1; k < 3; k++)
    if (per[k] > per[*which - MAAT_TONE_FRUSTRATED])
      *which = tones[k];
  why[0] = '\0';
  if (whycap && *pneg >= t->cfg->c.tone_model_threshold) {
    /* The three words that alone look most like the verdict. */
    const char *best[3] = { NULL };
    size_t blen[3] = { 0 };
    double bscore[3] = { 0 };
    size_t pos = 0;
    while (pos < len) {
      size_t s = pos, e;
      while (s < len && !((unsigned char)text[s] >= 0x80 ||
                          ((text[s] | 32) >= 'a' && (text[s] | 32) <= 'z')))
        s++;
      e = s;
      while (e < len && ((unsigned char)text[e] >= 0x80 || text[e] == '\'' ||
                         ((text[e] | 32) >= 'a' && (text[e] | 32) <= 'z')))
        e++;
      pos = e > s ? e : s + 1;
      if (e - s < 3 || s >= len)
        continue;
      if (maat_predict(t->tone, text + s, e - s, nlabels, 0, &p) != MAAT_OK)
        continue;
      {
        double q = 0;
        for (size_t i = 0; i < p.n_top; i++)
          if ((long)p.top[i].label == t->tone_neg[*which - MAAT_TONE_FRUSTRATED])
            q = p.top[i].prob;
        for (int k = 0; k < 3; k++)
          if (q > bscore[k]) {
            for (int j = 2; j > k; j--) {
              best[j] = best[j - 1];
              blen[j] = blen[j - 1];
              bscore[j] = bscore[j - 1];
            }
            best[k] = text + s;
            blen[k] = e - s;
            bscore[k] = q;
            break;
          }
      }
    }
    for (int k = 0, n = 0; k < 3; k++)
      if (best[k]) {
        size_t used = strlen(why);
        snprintf(why + used, whycap - used, "%s'%.*s'", n++ ? ", " : "",
                 (int)blen[k], best[k]);
      }
  }
  return MAAT_OK;
}

/* A rough 0..1: long, many questions, several sentences, unsure intent. */
static double complexity(const char *text, size_t len, const struct maat_triage *r,
                         int has_intent)
{
  size_t words = 0, questions = 0, sentences = 0;
  int inword = 0;
  double c;

  for (size_t i = 0; i < len; i++) {
    unsigned char ch = (unsigned char)text[i];
    int w = ch >= 0x80 || ((ch | 32) >= 'a' && (ch | 32) <= 'z') ||
            (ch >= '0' && ch <= '9');
    words += w && !inword;
    inword = w;
    questions += ch == '?';
    sentences += ch == '.' || ch == '!' || ch == '?';
  }
  c = 0.4 * fmin(words / 120.0, 1) + 0.2 * fmin(questions / 3.0, 1) +
      0.15 * fmin(sentences / 8.0, 1) +
      0.25 * (has_intent ? 1 - r->intent_confidence : 0.5);
  return fmin(fmax(c, 0), 1);
}

static const char *const rollout_names[] = { "none", "shadow", "pilot",
                                             "scale", "optimise" };

const char *maat_rollout_name(int stage)
{
  return stage >= 0 && stage <= MAAT_ROLLOUT_OPTIMISE ? rollout_names[stage]
                                                      : "?";
}

int maat_rollout_parse(const char *name, int *stage)
{
  for (int k = 0; name && k <= MAAT_ROLLOUT_OPTIMISE; k++)
    if (!strcmp(name, rollout_names[k])) {
      *stage = k;
      return MAAT_OK;
    }
  return maat__fail(MAAT_EINVAL, "stage '%.40s': expected shadow, pilot, "
                    "scale, optimise or none", name ? name : "");
}

int maat_triager_rollout(maat_triager *t, const char *intent, int stage,
                         double share)
{
  int k;

  if (!t || !intent || !maat_id_valid(intent, strlen(intent)))
    return maat__fail(MAAT_EINVAL, "intent '%.70s': expected an id of "
                      MAAT_ID_RULE, intent ? intent : "");
  if (stage < 0 || stage > MAAT_ROLLOUT_OPTIMISE || !(share >= 0) ||
      share > 1)
    return maat__fail(MAAT_EINVAL, "a rollout is a stage and a share of 0 "
                      "to 1");
  for (k = 0; k < t->nrollout && strcmp(t->rollout[k].intent, intent); k++)
    ;
  if (stage == MAAT_ROLLOUT_NONE) {
    if (k < t->nrollout) {
      memmove(&t->rollout[k], &t->rollout[k + 1],
              (size_t)(t->nrollout - k - 1) * sizeof t->rollout[0]);
      t->nrollout--;
    }
    return MAAT_OK;
  }
  if (k == t->nrollout) {
    if (t->nrollout == 64)
      return maat__fail(MAAT_EINVAL, "at most 64 intents can be in a "
                        "rollout");
    snprintf(t->rollout[t->nrollout++].intent, MAAT_ID_MAX + 1, "%s",
             intent);
  }
  t->rollout[k].stage = stage;
  t->rollout[k].share = share;
  return MAAT_OK;
}

static int is_paused(const maat_triager *t, const char *intent);

int maat_triage_run(maat_triager *t, const struct maat_triage_input *in,
                    struct maat_triage *r)
{
  const struct maat__triage_cfg *c;
  maat_tone_result tr;
  char buf[MAAT_TRIAGE_REASON_MAX];
  struct seen *mem = NULL;
  int rc, upset;

  if (!t || !in || !r || (!in->text && in->len))
    return maat__fail(MAAT_EINVAL, "maat_triage_run: invalid argument");
  c = &t->cfg->c;
  memset(r, 0, sizeof *r);
  rc = maat_tone_score(t->lexicon, in->text ? in->text : "", in->len, &tr);
  if (rc)
    return rc;
  r->lang = tr.lang;
  rc = classify_intent(t, in->text ? in->text : "", in->len, r);
  if (rc)
    return rc;

  /* Tone: the lexicon's cues; for English also the model when sure. */
  r->tone = tr.tone;
  r->tone_intensity = tr.intensity;
  maat_tone_reason(&tr, in->text, in->len, buf, sizeof buf);
  if (t->tone && r->lang == MAAT_LANG_EN && !hostile(tr.tone)) {
    double pneg;
    int which;
    char why[160];
    rc = tone_model(t, in->text ? in->text : "", in->len, &pneg, &which,
                    why, sizeof why);
    if (rc)
      return rc;
    if (pneg >= c->tone_model_threshold) {
      r->tone = which;
      r->tone_intensity = pneg;
      snprintf(buf, sizeof buf, "tone %s %.2f (tone model%s%s)",
               maat_tone_name(which), pneg, why[0] ? ": " : "", why);
    }
  }
  if (r->tone != MAAT_TONE_NEUTRAL || tr.ncues_total > 0)
    reason(r, "%s", buf);

  r->urgency = tr.urgency;
  r->critical = r->urgency >= c->critical;
  {
    /* The high-stakes rules: fraud now, health, safety, self-harm, ... */
    struct maat__critical hit;
    rc = maat__critical_scan(t->tok, in->text, in->len, r->lang, &hit);
    if (rc < 0)
      return rc;
    if (rc == 1) {
      r->critical = 1;
      r->critical_kind = hit.kind;
      if (r->urgency < c->critical)
        r->urgency = c->critical;
      reason(r, "critical (%s): %s: %s", maat_critical_kind_name(hit.kind),
             hit.what, hit.words);
    }
    rc = MAAT_OK;
  }

  /* A second contact about the same issue: the customer's memory, the
   * history given with the contact, or the customer saying so. */
  for (size_t i = 0; i < tr.ncues; i++)
    if (tr.cues[i].kind == MAAT_CUE_REPEAT && !(tr.cues[i].flags &
                                                MAAT_CUE_NEGATED))
      r->repeat = 1;
  if (r->repeat)
    reason(r, "repeat contact: the customer says they tried before");
  if (!r->repeat && t->intent && in->nhistory) {
    maat_prediction p;
    for (size_t i = 0; i < in->nhistory && !r->repeat; i++) {
      const char *h = in->history[i] ? in->history[i] : "";
      rc = maat_predict(t->intent, h, strlen(h), 1, c->intent_threshold, &p);
      if (rc)
        return rc;
      if (!p.below_threshold && r->intent[0] && !strcmp(p.label, r->intent)) {
        r->repeat = 1;
        reason(r, "repeat contact: earlier message %zu of its history was "
               "also about %s", i + 1, r->intent);
      }
    }
  }
  if (in->customer && in->customer[0] && r->intent[0] && !r->out_of_scope) {
    mem = memory_find(t, in->customer, 0);
    for (int k = 0; mem && k < mem->n && !r->repeat; k++)
      if (!strcmp(mem->intent[k], r->intent) &&
          (in->ts < 0 || mem->ts[k] < 0 ||
           in->ts - mem->ts[k] <= c->repeat_window_s)) {
        r->repeat = 1;
        reason(r, "repeat contact: customer %.63s asked about %s before",
               in->customer, r->intent);
      }
  }
  r->complexity = complexity(in->text ? in->text : "", in->len, r,
                             t->intent != NULL);

  /* The bot, then the hard rules that keep a contact from it. */
  {
    long li = t->intent ? maat_model_label_index(t->intent_model, r->intent)
                        : -1;
    int topic = li >= 0 ? maat_model_label_sensitive(t->intent_model,
                                                      (size_t)li) : 0;
    r->bot_can_answer = t->intent && !r->out_of_scope &&
                        maat__triage_bot_answerable(t->cfg, r->intent, topic);
    if (r->bot_can_answer && is_paused(t, r->intent)) {
      r->bot_can_answer = 0;
      reason(r, "the bot is paused for intent %s by a lead", r->intent);
    } else if (t->intent && !r->out_of_scope && !r->bot_can_answer) {
      if (topic && maat__triage_bot_answerable(t->cfg, r->intent, 0))
        reason(r, "intent %s is sensitive (%s): a person answers", r->intent,
               maat_sensitive_name(topic));
      else
        reason(r, "intent %s is not bot-answerable", r->intent);
    }
  }
  if (r->bot_can_answer && r->intent_confidence < c->bot_confidence) {
    r->bot_can_answer = 0;
    reason(r, "intent %s %.2f below the bot's confidence floor %.2f",
           r->intent, r->intent_confidence, c->bot_confidence);
  }
  /* The rollout: in shadow, what the bot would have answered goes to a
   * person; in a pilot, what falls outside the bot's share does. */
  if (r->bot_can_answer) {
    for (int k = 0; k < t->nrollout; k++) {
      if (strcmp(t->rollout[k].intent, r->intent))
        continue;
      if (t->rollout[k].stage == MAAT_ROLLOUT_SHADOW) {
        r->bot_can_answer = 0;
        r->bot_shadow = 1;
        reason(r, "shadow mode for intent %s: the bot would have answered; "
               "a person does", r->intent);
      } else if (t->rollout[k].stage == MAAT_ROLLOUT_PILOT &&
                 (double)(maat__hash64(in->text ? in->text : "", in->len,
                                       11) % 10000) / 10000.0 >=
                     t->rollout[k].share) {
        r->bot_can_answer = 0;
        reason(r, "pilot for intent %s: this contact is in the part people "
               "keep", r->intent);
      }
      break;
    }
  }
  upset = hostile(r->tone);
  r->tier = MAAT_T1;
  if (!r->bot_can_answer) {
    r->tier = MAAT_T2;
    if (t->intent && r->out_of_scope && !c->rule_oos)
      r->tier = MAAT_T1;  /* the rule is off: the bot tries anyway */
  }
  if (r->tier == MAAT_T1 && upset && c->rule_upset) {
    r->tier = MAAT_T2;
    reason(r, "rule: a %s customer never gets the bot",
           maat_tone_name(r->tone));
  }
  if (r->tier == MAAT_T1 && r->repeat && c->rule_repeat) {
    r->tier = MAAT_T2;
    reason(r, "rule: a second contact about the same issue never gets the "
           "bot");
  }
  if (r->tier == MAAT_T1 && r->critical && c->rule_critical_not_bot) {
    r->tier = MAAT_T2;
    reason(r, "rule: a critical message never gets the bot");
  }
  if (r->tier != MAAT_T1 &&
      (r->tone == MAAT_TONE_DISTRESSED ||
       (r->tone == MAAT_TONE_ANGRY && r->tone_intensity >= c->t3_angry) ||
       r->urgency >= c->t3_urgency || (r->repeat && upset) ||
       r->complexity >= c->t3_complexity)) {
    r->tier = MAAT_T3;
    reason(r, "T3: %s", r->tone == MAAT_TONE_DISTRESSED ? "a distressed customer"
           : r->tone == MAAT_TONE_ANGRY && r->tone_intensity >= c->t3_angry
               ? "a very angry customer"
           : r->urgency >= c->t3_urgency ? "urgent"
           : r->repeat && upset ? "an upset customer who tried before"
                                : "a complex message");
  }

  /* Priority: critical first whatever the tier (the rule), then urgency. */
  r->priority = r->urgency >= c->high ? 2 : 1;
  if (r->tier == MAAT_T3 && r->priority < 2)
    r->priority = 2;
  if (r->critical && c->rule_critical_first) {
    r->priority = 3;
    reason(r, "rule: critical goes first (priority 3)");
  }
  /* The bot answers only what its knowledge base answers with
   * confidence; otherwise a person does, with the draft. */
  if (r->tier == MAAT_T1 && t->kb && maat_kb_articles(t->kb)) {
    struct maat_kb_answer a;
    int krc = maat_kb_ask(t->kb, in->text, in->len, &a);
    if (krc)
      return krc;
    r->kb_checked = 1;
    r->kb_answered = a.answered;
    r->kb_confidence = a.confidence;
    snprintf(r->kb_article, sizeof r->kb_article, "%s", a.article);
    maat_kb_answer_release(&a);
    if (!r->kb_answered) {
      r->tier = MAAT_T2;
      reason(r, "no confident answer in the knowledge base (%.2f): a person "
             "answers", r->kb_confidence);
    }
  }
  if (r->tier == MAAT_T1)
    reason(r, "T1: intent %s %.2f, bot-answerable, calm", r->intent,
           r->intent_confidence);

  /* Remember this contact's intent for the customer's next one. */
  if (in->customer && in->customer[0] && r->intent[0] && !r->out_of_scope)
    remember(mem ? mem : memory_find(t, in->customer, 1), r->intent, in->ts);
  return MAAT_OK;
}

struct maat_kb *maat__triager_kb(const maat_triager *t)
{
  return t->kb && maat_kb_articles(t->kb) ? t->kb : NULL;
}

int maat_triager_set_kb(maat_triager *t, struct maat_kb *kb)
{
  if (!t)
    return maat__fail(MAAT_EINVAL, "maat_triager_set_kb: no triager");
  t->kb = kb;
  return MAAT_OK;
}

int maat_triager_pause(maat_triager *t, const char *intent, int paused)
{
  int k;

  if (!t || !intent || !maat_id_valid(intent, strlen(intent)))
    return maat__fail(MAAT_EINVAL, "intent '%.70s': expected an id of "
                      MAAT_ID_RULE, intent ? intent : "");
  for (k = 0; k < t->npaused && strcmp(t->paused[k], intent); k++)
    ;
  if (paused && k == t->npaused) {
    if (t->npaused == 64)
      return maat__fail(MAAT_EINVAL, "at most 64 intents can be paused");
    snprintf(t->paused[t->npaused++], MAAT_ID_MAX + 1, "%s", intent);
  } else if (!paused && k < t->npaused) {
    memmove(t->paused[k], t->paused[k + 1],
            (size_t)(t->npaused - k - 1) * sizeof t->paused[0]);
    t->npaused--;
  }
  return MAAT_OK;
}

int maat_triager_paused(const maat_triager *t,
                        int (*fn)(void *ctx, const char *intent), void *ctx)
{
  int rc = MAAT_OK;

  for (int k = 0; t && k < t->npaused && !rc; k++)
    rc = fn(ctx, t->paused[k]);
  return rc;
}

static int is_paused(const maat_triager *t, const char *intent)
{
  for (int k = 0; k < t->npaused; k++)
    if (!strcmp(t->paused[k], intent))
      return 1;
  return 0;
}

int maat_triager_remember(maat_triager *t, const char *customer,
                          const char *intent, double ts)
{
  if (!t || !customer || !intent)
    return maat__fail(MAAT_EINVAL, "maat_triager_remember: invalid argument");
  if (customer[0] && intent[0])
    remember(memory_find(t, customer, 1), intent, ts);
  return MAAT_OK;
}

int maat_triager_each_memory(const maat_triager *t,
                             int (*fn)(void *ctx, const char *customer,
                                       const char *intent, double ts),
                             void *ctx)
{
  int rc = MAAT_OK;

  if (!t || !fn)
    return maat__fail(MAAT_EINVAL, "maat_triager_each_memory: invalid "
                      "argument");
  for (size_t i = 0; i < t->cap && !rc; i++) {
    const struct seen *s = &t->memory[i];
    for (int k = 0; s->used && k < s->n && !rc; k++)
      rc = fn(ctx, s->customer, s->intent[k], s->ts[k]);
  }
  return rc;
}

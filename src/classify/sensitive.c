/*
 * sensitive.c - which intents are sensitive topics, which a person answers
 * by default, never the bot: fraud and theft, bereavement, complaints,
 * legal matters, a cancellation with a grievance, vulnerability (debt,
 * hardship). Decided when a model is trained, from the intent's name and
 * from its training examples, and kept in the model file; a triage
 * configuration can override it (docs/triage-config.md).
 *
 * The words are documented in docs/triage.md ("Sensitive intents").
 * Words match whole tokens of a name ("report_fraud" has "fraud") or of
 * an example, case-folded; a word ending in '*' matches by prefix.
 */
#include "classify-int.h"

#include <string.h>

struct topic {
  int id;
  const char *name_words;     /* in intent names */
  const char *example_words;  /* in training examples */
};

static const struct topic topics[] = {
  { MAAT_SENSITIVE_FRAUD,
    "fraud|scam|scams|phishing|stolen|theft|steal|compromised|hacked|"
    "unauthorised|unauthorized|unrecognised|unrecognized|chargeback|"
    "dispute|disputed|fraude|"
    "oplichting|gestolen|diefstal|gehackt",
    "fraud|fraudulent|scam|scammed|scammer|phishing|stolen|stole|theft|"
    "hacked|compromised|unauthorised|unauthorized|recognise|recognize|"
    "fraude|oplichting|opgelicht|gestolen|gehackt|herken" },
  { MAAT_SENSITIVE_BEREAVEMENT,
    "bereavement|death|deceased|died|passed|funeral|condolence*|"
    "overleden|overlijden|nabestaande*|uitvaart",
    "died|passed|deceased|death|funeral|widow|widowed|bereavement|"
    "overleden|overlijden|uitvaart|begrafenis|weduwe|nabestaande*" },
  { MAAT_SENSITIVE_COMPLAINT,
    "complaint|complaints|complain|klacht|klachten",
    "complaint|complain|klacht" },
  { MAAT_SENSITIVE_LEGAL,
    "legal|lawsuit|court|lawyer|attorney|litigation|juridisch*|advocaat|"
    "rechtszaak",
    "lawyer|attorney|lawsuit|court|sue|legal|advocaat|rechtszaak|"
    "rechtbank|juridisch*" },
  { MAAT_SENSITIVE_VULNERABLE,
    "vulnerable|vulnerability|hardship|debt|debts|bankrupt*|schuld|"
    "schulden|betalingsproblemen",
    "debt|debts|hardship|bankrupt*|afford|schuld|schulden|rondkomen" },
};

/* Words that make a cancellation a grievance. */
static const char *const cancel_words = "cancel|cancellation|terminate|"
  "opzeggen|opzegging|beeindigen";
static const char *const grievance_words = "angry|disappointed|terrible|"
  "worst|awful|unacceptable|ridiculous|never|fed|complaint|boos|"
  "teleurgesteld|slecht|schandalig|belachelijk|nooit|klacht";

const char *maat_sensitive_name(int topic)
{
  static const char *const names[] = {
    "none", "fraud", "bereavement", "complaint", "legal", "cancellation",
    "vulnerable"
  };
  return topic >= 0 && topic <= MAAT_SENSITIVE_VULNERABLE ? names[topic]
                                                          : "?";
}

/* Whether the token 'w' ('n' bytes) is one of the '|'-separated words. */
static int in_words(const char *w, size_t n, const char *words)
{
  const char *p = words;

  while (*p) {
    const char *bar = strchr(p, '|');
    size_t k = bar ? (size_t)(bar - p) : strlen(p);
    if ((p[k - 1] == '*' && n >= k - 1 && !memcmp(w, p, k - 1)) ||
        (k == n && !memcmp(w, p, n)))
      return 1;
    p += k + (bar != NULL);
  }
  return 0;
}

/* Whether any token of 's' (split on non-letters, lower-cased ASCII, UTF-8
 * bytes kept) is in 'words'. */
static int any_word(const char *s, size_t len, const char *words)
{
  char w[48];
  size_t n = 0;

  for (size_t i = 0; i <= len; i++) {
    unsigned char c = i < len ? (unsigned char)s[i] : ' ';
    int letter = c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (letter && n < sizeof w) {
      w[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
      continue;
    }
    if (letter)
      continue;              /* too long for a word of the lists */
    if (n && in_words(w, n, words))
      return 1;
    n = 0;
  }
  return 0;
}

/* Parts of names that carry an underscore; matched inside the name. */
static const struct {
  int id;
  const char *part;
} name_parts[] = {
  { MAAT_SENSITIVE_FRAUD, "not_recognised" },
  { MAAT_SENSITIVE_FRAUD, "not_recognized" },
  { MAAT_SENSITIVE_FRAUD, "not_authorised" },
  { MAAT_SENSITIVE_VULNERABLE, "financial_difficult" },
  { MAAT_SENSITIVE_BEREAVEMENT, "passed_away" },
};

/* A name's topic, by its words ("report_fraud" has "fraud"). */
static int name_topic(const char *label)
{
  size_t len = strlen(label);

  for (size_t t = 0; t < sizeof topics / sizeof topics[0]; t++)
    if (any_word(label, len, topics[t].name_words))
      return topics[t].id;
  for (size_t k = 0; k < sizeof name_parts / sizeof name_parts[0]; k++)
    if (strstr(label, name_parts[k].part))
      return name_parts[k].id;
  return MAAT_SENSITIVE_NONE;
}

int maat_sensitive_of_name(const char *label)
{
  return label ? name_topic(label) : MAAT_SENSITIVE_NONE;
}

/*
 * Each label's topic: by name; else by its examples, when at least a third
 * of them (and five) use a topic's words; a cancellation becomes a
 * grievance when a third of its examples voice one.
 */
int maat__sensitive_detect(struct maat_model *m, const maat_dataset *d,
                           const size_t *idx, size_t n,
                           int (*label_of)(void *ctx, size_t i), void *ctx)
{
  size_t nt = sizeof topics / sizeof topics[0];
  size_t *count = maat__calloc((size_t)m->n_labels * (nt + 2), sizeof *count);
  unsigned char *s = maat__calloc(m->n_labels + 1, 1);

  if (!count || !s) {
    maat__free(count);
    maat__free(s);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  for (size_t k = 0; k < n && d; k++) {
    size_t len;
    const char *text = maat_dataset_text(d, idx ? idx[k] : k, &len);
    int l = label_of(ctx, idx ? idx[k] : k);
    size_t *c;
    if (l < 0 || (uint32_t)l >= m->n_labels)
      continue;
    c = count + (size_t)l * (nt + 2);
    c[0]++;
    for (size_t t = 0; t < nt; t++)
      c[1 + t] += any_word(text, len, topics[t].example_words);
    c[1 + nt] += any_word(text, len, grievance_words);
  }
  for (uint32_t l = 0; l < m->n_labels; l++) {
    const size_t *c = count + (size_t)l * (nt + 2);
    s[l] = (unsigned char)name_topic(m->labels[l]);
    for (size_t t = 0; t < nt && !s[l]; t++)
      if (c[0] && c[1 + t] >= 5 && c[1 + t] * 3 >= c[0])
        s[l] = (unsigned char)topics[t].id;
    if (!s[l] && any_word(m->labels[l], strlen(m->labels[l]), cancel_words) &&
        c[0] && c[1 + nt] >= 5 && c[1 + nt] * 3 >= c[0])
      s[l] = MAAT_SENSITIVE_CANCELLATION;
  }
  maat__free(count);
  maat__free(m->sensitive);
  m->sensitive = s;
  return MAAT_OK;
}

int maat_model_label_sensitive(const maat_model *m, size_t i)
{
  if (!m || i >= m->n_labels)
    return MAAT_SENSITIVE_NONE;
  if (m->sensitive)
    return m->sensitive[i];
  return name_topic(m->labels[i]);
}

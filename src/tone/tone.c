/*
 * tone.c - scores tone and urgency from the cue lexicon of tone_lexicon.c.
 *
 * One pass over the tokens: at each position the longest lexicon phrase
 * that matches wins; modifiers before a cue change it (a negation within
 * three words turns it around, an intensifier multiplies it by 1.5, a
 * downtoner halves it); punctuation and "maar"/"but" end a negation's
 * scope. Per tone the cue weights add up and saturate as 1 - exp(-sum).
 * docs/internals/tone.md describes the rules and their limits.
 */
#include "tone-int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 8          /* words in a lexicon phrase */
#define NEG_SCOPE 3          /* words a negation reaches */
#define MOD_SCOPE 2          /* words an intensifier or downtoner reaches */
#define TONE_THRESHOLD 0.35  /* a tone's score that decides it */
#define MAX_FOUND 64         /* cues kept while scoring one message */

enum { PAT_EXACT = 0, PAT_STEM = 1, PAT_PREFIX = 2, PAT_SUFFIX = 3 };

struct pat {
  char *w;          /* the word, or its stem for PAT_STEM */
  size_t len;
  int mode;
};

struct centry {
  const struct maat__tone_entry *e;
  int nw;
  struct pat w[MAX_WORDS];
};

/* A first-word key, sorted for binary search. */
struct key {
  const char *k;
  size_t len;
  int mode;
  size_t entry;
};

/* What the scorer knows about one token of the message. */
struct tok {
  const char *w;    /* folded text */
  size_t len;
  const char *stem[3]; /* by maat_lang: OTHER unused, EN, NL */
  size_t stem_len[3];
  size_t start, end;
  int kind;
  int caps;         /* written in capitals in the original (3+ letters) */
};

struct maat_tone_scorer {
  struct centry *entries;
  size_t nentries;
  struct key *keys;
  size_t nkeys;
  size_t *prefix;   /* entries whose first word is a prefix pattern */
  size_t nprefix;
  maat_tokenizer *tokenizer;
  maat_stemmer *stemmer[3];
  struct tok *toks;
  size_t captoks;
  struct maat_buf arena;  /* stems of the current message */
};


static const char *const kind_names[MAAT_CUE_KIND_COUNT] = {
  "frustration", "anger", "distress", "positive", "deadline", "money",
  "safety", "legal", "cancel", "repeat"
};

const char *maat_tone_cue_kind_name(maat_tone_cue_kind kind)
{
  return (int)kind >= 0 && kind < MAAT_CUE_KIND_COUNT ? kind_names[kind]
                                                        : "?";
}

static int key_cmp(const void *a, const void *b)
{
  const struct key *x = a, *y = b;
  size_t n = x->len < y->len ? x->len : y->len;
  int c;

  if (x->mode != y->mode)
    return x->mode - y->mode;
  c = memcmp(x->k, y->k, n);
  if (c)
    return c;
  return (x->len > y->len) - (x->len < y->len);
}

/* Compiles one phrase into 'ce'; stems '~' words in the entry's language. */
static int compile(maat_tone_scorer *sc, struct centry *ce,
                   const struct maat__tone_entry *e)
{
  const char *p = e->phrase;

  ce->e = e;
  ce->nw = 0;
  while (*p) {
    const char *end = strchr(p, ' ');
    size_t n = end ? (size_t)(end - p) : strlen(p), whole = n;
    const char *from = p;
    struct pat *w = &ce->w[ce->nw];
    if (ce->nw == MAX_WORDS || n == 0)
      return maat__fail(MAAT_EINVAL, "tone lexicon: bad phrase '%s'",
                        e->phrase);
    w->mode = PAT_EXACT;
    if (n > 1 && p[n - 1] == '~') {
      w->mode = PAT_STEM;
      n--;
    } else if (n > 1 && p[n - 1] == '*') {
      w->mode = PAT_PREFIX;
      n--;
    } else if (n > 1 && p[0] == '*') {
      w->mode = PAT_SUFFIX;
      from++;
      n--;
    }
    if (w->mode == PAT_STEM) {
      const char *s;
      size_t sl;
      int lang = e->lang == MAAT_LANG_NL ? MAAT_LANG_NL : MAAT_LANG_EN;
      int rc = maat_stem(sc->stemmer[lang], from, n, &s, &sl);
      if (rc)
        return rc;
      w->w = maat__malloc(sl + 1);
      if (!w->w)
        return maat__fail(MAAT_ENOMEM, "out of memory");
      memcpy(w->w, s, sl);
      w->len = sl;
    } else {
      w->w = maat__malloc(n + 1);
      if (!w->w)
        return maat__fail(MAAT_ENOMEM, "out of memory");
      memcpy(w->w, from, n);
      w->len = n;
    }
    w->w[w->len] = '\0';
    ce->nw++;
    p += whole;
    while (*p == ' ')
      p++;
  }
  if (ce->nw == 0)
    return maat__fail(MAAT_EINVAL, "tone lexicon: empty phrase");
  return MAAT_OK;
}

int maat_tone_scorer_new(maat_tone_scorer **out)
{
  maat_tone_scorer *sc;
  int rc = MAAT_OK;

  if (!out)
    return maat__fail(MAAT_EINVAL, "maat_tone_scorer_new: no output");
  sc = maat__calloc(1, sizeof *sc);
  if (!sc)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  sc->arena = (struct maat_buf)MAAT_BUF_INIT;
  sc->tokenizer = maat_tokenizer_new();
  if (!sc->tokenizer)
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
  if (!rc)
    rc = maat_stemmer_new(MAAT_LANG_EN, &sc->stemmer[MAAT_LANG_EN]);
  if (!rc)
    rc = maat_stemmer_new(MAAT_LANG_NL, &sc->stemmer[MAAT_LANG_NL]);
  if (!rc) {
    sc->entries = maat__calloc(maat__tone_lexicon_len, sizeof *sc->entries);
    sc->keys = maat__calloc(maat__tone_lexicon_len, sizeof *sc->keys);
    sc->prefix = maat__calloc(maat__tone_lexicon_len, sizeof *sc->prefix);
    if (!sc->entries || !sc->keys || !sc->prefix)
      rc = maat__fail(MAAT_ENOMEM, "out of memory");
  }
  for (size_t i = 0; !rc && i < maat__tone_lexicon_len; i++) {
    struct centry *ce = &sc->entries[i];
    rc = compile(sc, ce, &maat__tone_lexicon[i]);
    sc->nentries = i + 1;
    if (rc)
      break;
    if (ce->w[0].mode == PAT_PREFIX || ce->w[0].mode == PAT_SUFFIX) {
      sc->prefix[sc->nprefix++] = i;
    } else {
      struct key *k = &sc->keys[sc->nkeys++];
      k->k = ce->w[0].w;
      k->len = ce->w[0].len;
      k->mode = ce->w[0].mode;
      k->entry = i;
    }
  }
  if (rc) {
    maat_tone_scorer_free(sc);
    return rc;
  }
  qsort(sc->keys, sc->nkeys, sizeof *sc->keys, key_cmp);
  *out = sc;
  return MAAT_OK;
}

void maat_tone_scorer_free(maat_tone_scorer *sc)
{
  if (!sc)
    return;
  for (size_t i = 0; i < sc->nentries; i++)
    for (int k = 0; k < sc->entries[i].nw; k++)
      maat__free(sc->entries[i].w[k].w);
  maat__free(sc->entries);
  maat__free(sc->keys);
  maat__free(sc->prefix);
  maat_tokenizer_free(sc->tokenizer);
  maat_stemmer_free(sc->stemmer[MAAT_LANG_EN]);
  maat_stemmer_free(sc->stemmer[MAAT_LANG_NL]);
  maat__free(sc->toks);
  maat__buf_release(&sc->arena);
  maat__free(sc);
}

/* Whether the original bytes of a word are all capitals (3+ letters). */
static int all_caps(const char *s, size_t len)
{
  size_t letters = 0;

  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 'a' && c <= 'z')
      return 0;
    letters += c >= 'A' && c <= 'Z';
  }
  return letters >= 3;
}

/* Tokenizes 'text' into sc->toks with stems in both languages. */
static int prepare(maat_tone_scorer *sc, const char *text, size_t len,
                   size_t *ntoks)
{
  size_t n;
  int rc = maat_tokenize(sc->tokenizer, text, len, 0);

  if (rc)
    return rc;
  n = maat_tokenizer_count(sc->tokenizer);
  if (n > sc->captoks) {
    struct tok *t = maat__realloc(sc->toks, n * sizeof *t);
    if (!t)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    sc->toks = t;
    sc->captoks = n;
  }
  sc->arena.len = 0;
  /* Stems go to the arena first as offsets; pointers are fixed after. */
  for (size_t i = 0; i < n; i++) {
    const maat_token *mt = maat_tokenizer_get(sc->tokenizer, i);
    struct tok *t = &sc->toks[i];
    t->w = mt->text;
    t->len = mt->len;
    t->start = mt->start;
    t->end = mt->end;
    t->kind = mt->kind;
    t->caps = mt->kind == MAAT_TOK_WORD && all_caps(text + mt->start,
                                                    mt->end - mt->start);
    for (int l = MAAT_LANG_EN; l <= MAAT_LANG_NL; l++) {
      const char *s;
      size_t sl;
      if (mt->kind != MAAT_TOK_WORD) {
        t->stem[l] = NULL;
        t->stem_len[l] = 0;
        continue;
      }
      rc = maat_stem(sc->stemmer[l], mt->text, mt->len, &s, &sl);
      if (rc)
        return rc;
      t->stem[l] = (const char *)(uintptr_t)sc->arena.len;
      t->stem_len[l] = sl;
      rc = maat__buf_append(&sc->arena, s, sl);
      if (rc)
        return rc;
    }
  }
  for (size_t i = 0; i < n; i++)
    for (int l = MAAT_LANG_EN; l <= MAAT_LANG_NL; l++)
      if (sc->toks[i].kind == MAAT_TOK_WORD)
        sc->toks[i].stem[l] = sc->arena.data +
                              (uintptr_t)sc->toks[i].stem[l];
  *ntoks = n;
  return MAAT_OK;
}

static int pat_match(const struct pat *p, int lang, const struct tok *t)
{
  switch (p->mode) {
  case PAT_EXACT:
    return t->len == p->len && !memcmp(t->w, p->w, p->len);
  case PAT_PREFIX:
    return t->kind == MAAT_TOK_WORD && t->len >= p->len &&
           !memcmp(t->w, p->w, p->len);
  case PAT_SUFFIX:
    return t->kind == MAAT_TOK_WORD && t->len >= p->len &&
           !memcmp(t->w + t->len - p->len, p->w, p->len);
  default:
    if (t->kind != MAAT_TOK_WORD)
      return 0;
    for (int l = MAAT_LANG_EN; l <= MAAT_LANG_NL; l++)
      if ((lang == MAAT_LANG_OTHER || lang == l) && t->stem_len[l] == p->len &&
          !memcmp(t->stem[l], p->w, p->len))
        return 1;
    return 0;
  }
}

/* The number of tokens entry 'ce' covers at 'i', or 0. */
static int entry_match(const struct centry *ce, const struct tok *toks,
                       size_t n, size_t i)
{
  if (i + (size_t)ce->nw > n)
    return 0;
  for (int k = 0; k < ce->nw; k++)
    if (!pat_match(&ce->w[k], ce->e->lang, &toks[i + k]))
      return 0;
  return ce->nw;
}

static void try_key(const maat_tone_scorer *sc, const struct key *probe,
                    const struct tok *toks, size_t n, size_t i,
                    const struct centry **best, int *best_len)
{
  size_t lo = 0, hi = sc->nkeys;

  /* The first key not below the probe, then every equal one. */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (key_cmp(&sc->keys[mid], probe) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (; lo < sc->nkeys && !key_cmp(&sc->keys[lo], probe); lo++) {
    const struct centry *ce = &sc->entries[sc->keys[lo].entry];
    int m = entry_match(ce, toks, n, i);
    if (m > *best_len) {
      *best = ce;
      *best_len = m;
    }
  }
}

/* The longest lexicon entry that matches at token 'i'. */
static const struct centry *longest(const maat_tone_scorer *sc,
                                    const struct tok *toks, size_t n,
                                    size_t i, int *len)
{
  const struct centry *best = NULL;
  struct key probe;

  *len = 0;
  probe.mode = PAT_EXACT;
  probe.k = toks[i].w;
  probe.len = toks[i].len;
  try_key(sc, &probe, toks, n, i, &best, len);
  if (toks[i].kind == MAAT_TOK_WORD) {
    for (int l = MAAT_LANG_EN; l <= MAAT_LANG_NL; l++) {
      probe.mode = PAT_STEM;
      probe.k = toks[i].stem[l];
      probe.len = toks[i].stem_len[l];
      try_key(sc, &probe, toks, n, i, &best, len);
    }
    for (size_t k = 0; k < sc->nprefix; k++) {
      const struct centry *ce = &sc->entries[sc->prefix[k]];
      int m = entry_match(ce, toks, n, i);
      if (m > *len) {
        best = ce;
        *len = m;
      }
    }
  }
  return best;
}

static int word_is(const struct tok *t, const char *const *words)
{
  for (int k = 0; words[k]; k++)
    if (t->len == strlen(words[k]) && !memcmp(t->w, words[k], t->len))
      return 1;
  return 0;
}

static int time_unit(const struct tok *t)
{
  static const char *const units[] = {
    "hours", "hour", "hrs", "hr", "minutes", "mins", "min", "days", "weeks",
    "months", "month", "week", "day", "uur", "minuten", "dagen", "dag", "weken",
    "week", "maanden", "maand", NULL
  };
  return word_is(t, units);
}

/* "2hrs", "30mins": a number written against its unit. */
static int glued_duration(const struct tok *t)
{
  size_t k = 0;
  struct tok unit;

  while (k < t->len && t->w[k] >= '0' && t->w[k] <= '9')
    k++;
  if (k == 0 || k == t->len)
    return 0;
  unit = *t;
  unit.w += k;
  unit.len -= k;
  return time_unit(&unit);
}


/*
 * Around a duration, words that make it a complaint about waiting: "over
 * an hour", "waited 3 days", "a 2 hour wait", "2 uur in de wacht". Without
 * them a duration is only a weak cue ("book it for 3 days" is no complaint).
 */
static int waiting_before(const struct tok *t, int lang)
{
  /* "over" is "in" in Dutch ("over een uur": in an hour): by language. */
  static const char *const en[] = {
    "over", "than", "almost", "nearly", "already", "after", "waited",
    "waiting", "wait", "holding", "hold", "sitting", "sat", "stuck",
    "delayed", NULL
  };
  static const char *const nl[] = {
    "ruim", "bijna", "al", "gewacht", "wachten", "wacht", NULL
  };
  return word_is(t, lang == MAAT_LANG_NL ? nl : en);
}

static int waiting_after(const struct tok *t, int lang)
{
  static const char *const en[] = {
    "wait", "waiting", "delay", "delayed", "late", "hold", NULL
  };
  static const char *const nl[] = {
    "wachttijd", "vertraging", "gewacht", "wachten", "te", NULL
  };
  return word_is(t, lang == MAAT_LANG_NL ? nl : en);
}

static int number_word(const struct tok *t)
{
  static const char *const words[] = {
    "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "tien",
    "two", "three", "four", "five", "six", "seven", "eight", "ten",
    "several", "meerdere", "paar", NULL
  };
  return word_is(t, words);
}

static double strength(const maat_tone_cue *c)
{
  return c->weight + c->urgency;
}

static int cue_cmp(const void *a, const void *b)
{
  double x = strength(a), y = strength(b);
  const maat_tone_cue *p = a, *q = b;

  if (x != y)
    return x > y ? -1 : 1;
  return (p->start > q->start) - (p->start < q->start);
}

static int is_hostile(int tone)
{
  return tone == MAAT_TONE_FRUSTRATED || tone == MAAT_TONE_ANGRY ||
         tone == MAAT_TONE_DISTRESSED;
}

int maat_tone_score(maat_tone_scorer *sc, const char *text, size_t len,
                    maat_tone_result *out)
{
  maat_tone_cue found[MAX_FOUND];
  double sum[MAAT_TONE_COUNT] = { 0 }, urg = 0;
  size_t n = 0, nfound = 0, total = 0, bad;
  size_t neg_start = 0, mod_start = 0;
  int words = 0, neg_until = -1, mod_until = -1, bangs = 0, neg_end = -1;
  double mod = 1;
  int rc, lang;

  if (!sc || (!text && len) || !out)
    return maat__fail(MAAT_EINVAL, "maat_tone_score: invalid argument");
  if (maat_utf8_validate(text, len, &bad) != MAAT_OK)
    return maat__fail(MAAT_EUTF8, "invalid UTF-8 at byte %zu", bad);
  rc = prepare(sc, text ? text : "", len, &n);
  if (rc)
    return rc;
  lang = maat_lang_detect(text ? text : "", len, NULL);

  for (size_t i = 0; i < n;) {
    const struct tok *t = &sc->toks[i];
    int m;
    const struct centry *ce = longest(sc, sc->toks, n, i, &m);
    const struct maat__tone_entry *e;
    maat_tone_cue c;
    double mult;

    /*
     * "3 hours", "twee weken", "2hrs": how long they have been waiting,
     * weakly; clearly ("over an hour", "a 2 hour wait") with a waiting word
     * next to it, where "a" and "an" count as one.
     */
    if (!ce) {
      static const char *const one[] = { "a", "an", "een", NULL };
      int glued = t->kind != MAAT_TOK_PUNCT && glued_duration(t);
      /*
       * "waited 3 days", "on hold for 2 hrs", "sitting at the gate for an
       * hour": a waiting word just before, or up to four words before "for".
       */
      static const char *const fr[] = { "for", "voor", NULL };
      static const char *const waiting_verbs[] = {
        "waited", "waiting", "wait", "holding", "hold", "sitting", "sat",
        "stuck", "delayed", "gewacht", "wachten", "wacht", NULL
      };
      int before = i > 0 && waiting_before(&sc->toks[i - 1], lang);
      if (!before && i > 1 && word_is(&sc->toks[i - 1], fr))
        for (size_t k = 2; k <= 5 && k <= i && !before; k++)
          before = word_is(&sc->toks[i - k], waiting_verbs);
      size_t span = glued ? 1
                  : (t->kind == MAAT_TOK_NUMBER || number_word(t) ||
                     (before && word_is(t, one))) &&
                    i + 1 < n && time_unit(&sc->toks[i + 1]) ? 2 : 0;
      if (span) {
        double w = before || (i + span < n &&
                              waiting_after(&sc->toks[i + span], lang))
                 ? 0.6 : 0.2;  /* two bare durations ("an alarm every
                                  five minutes for 20 minutes") are no
                                  complaint */
        if (nfound < MAX_FOUND) {
          memset(&c, 0, sizeof c);
          c.start = t->start;
          c.end = sc->toks[i + span - 1].end;
          c.kind = MAAT_CUE_FRUSTRATION;
          c.tone = MAAT_TONE_FRUSTRATED;
          c.weight = w;
          found[nfound++] = c;
        }
        sum[MAAT_TONE_FRUSTRATED] += w;
        total++;
        words += (int)span;
        i += span;
        continue;
      }
    }
    if (!ce) {
      if (t->kind == MAAT_TOK_PUNCT) {
        /* "!!", "?!", "???": a raised voice. */
        if (memchr(t->w, '!', t->len) || (t->len >= 2 &&
                                           memchr(t->w, '?', t->len)))
          bangs += (int)t->len;
        /* Punctuation ends a negation's scope and a modifier's reach. */
        neg_until = -1;
        mod_until = -1;
        mod = 1;
      } else if (t->kind == MAAT_TOK_WORD) {
        words++;
      }
      i++;
      continue;
    }
    e = ce->e;
    switch (e->kind) {
    case MAAT__TONE_MOD_NEGATE:
      neg_until = words + m + NEG_SCOPE;
      neg_end = words + m;
      neg_start = t->start;
      break;
    case MAAT__TONE_MOD_INTENS:
    case MAAT__TONE_MOD_DOWN:
      if (mod_until < words)
        mod = 1;
      if (mod_until < words || mod == 1)
        mod_start = t->start;
      mod *= e->kind == MAAT__TONE_MOD_INTENS ? 1.5 : 0.5;
      if (mod > 2.25)
        mod = 2.25;
      mod_until = words + m + MOD_SCOPE;
      break;
    case MAAT__TONE_MOD_BREAK:
      neg_until = -1;
      break;
    case MAAT__TONE_ABSORB:
      break;
    default:
      memset(&c, 0, sizeof c);
      c.start = t->start;
      c.end = sc->toks[i + (size_t)m - 1].end;
      c.kind = (maat_tone_cue_kind)e->kind;
      c.tone = e->tone;
      mult = 1;
      if (mod_until >= words && mod != 1) {
        mult = mod;
        c.flags |= mod > 1 ? MAAT_CUE_INTENSIFIED : MAAT_CUE_DOWNTONED;
        c.start = mod_start < c.start ? mod_start : c.start;
        mod = 1;
        mod_until = -1;
      }
      for (int k = 0; k < m; k++)
        if (sc->toks[i + (size_t)k].caps) {
          mult *= 1.4;
          c.flags |= MAAT_CUE_INTENSIFIED;
          break;
        }
      c.weight = e->tw * mult;
      c.urgency = e->uw * mult;
      /* A negation reaches an urgency-only cue just after it ("niet
       * dringend", "not urgent"), not one further on ("not fixed today"). */
      if (neg_until >= words && !(e->flags & MAAT__TONE_NONEG) &&
          (e->tone != MAAT_TONE_NEUTRAL || words == neg_end)) {
        c.flags |= MAAT_CUE_NEGATED;
        c.start = neg_start < c.start ? neg_start : c.start;
        c.urgency = 0;
        if (is_hostile(e->tone)) {
          /* "niet slecht", "not bad": faint praise. */
          c.tone = MAAT_TONE_POSITIVE;
          c.weight *= 0.3;
        } else if (e->tone == MAAT_TONE_POSITIVE) {
          /* "niet blij", "not happy": let down. */
          c.tone = MAAT_TONE_FRUSTRATED;
          c.weight = c.weight * 0.8 > 0.5 ? c.weight * 0.8 : 0.5;
        } else {
          c.weight = 0;
        }
        neg_until = -1;
      }
      if (c.tone == MAAT_TONE_NEUTRAL)
        c.weight = 0;
      sum[c.tone] += c.weight;
      urg += c.urgency;
      total++;
      if (nfound < MAX_FOUND && (c.weight > 0 || c.urgency > 0))
        found[nfound++] = c;
    }
    words += m;
    i += (size_t)m;
  }

  memset(out, 0, sizeof *out);
  /* "!!": the writer raises their voice; negative cues count more. */
  if (bangs >= 2)
    for (int k = MAAT_TONE_FRUSTRATED; k < MAAT_TONE_COUNT; k++)
      sum[k] *= 1.25;
  for (int k = 1; k < MAAT_TONE_COUNT; k++)
    out->score[k] = 1 - exp(-sum[k]);
  {
    int neg = MAAT_TONE_FRUSTRATED;
    double best_other = 0;
    for (int k = MAAT_TONE_ANGRY; k < MAAT_TONE_COUNT; k++)
      if (out->score[k] > out->score[neg])
        neg = k;
    if (out->score[neg] >= TONE_THRESHOLD &&
        out->score[neg] >= 0.75 * out->score[MAAT_TONE_POSITIVE])
      out->tone = neg;
    else if (out->score[MAAT_TONE_POSITIVE] >= TONE_THRESHOLD)
      out->tone = MAAT_TONE_POSITIVE;
    else
      out->tone = MAAT_TONE_NEUTRAL;
    for (int k = 1; k < MAAT_TONE_COUNT; k++)
      if (out->score[k] > best_other)
        best_other = out->score[k];
    out->score[MAAT_TONE_NEUTRAL] = 1 - best_other;
  }
  out->intensity = out->tone == MAAT_TONE_NEUTRAL ? 0 : out->score[out->tone];
  out->urgency = 1 - exp(-urg);
  out->lang = lang;
  qsort(found, nfound, sizeof *found, cue_cmp);
  out->ncues_total = total;
  out->ncues = nfound < MAAT_TONE_MAX_CUES ? nfound : MAAT_TONE_MAX_CUES;
  memcpy(out->cues, found, out->ncues * sizeof *found);
  return MAAT_OK;
}

/* Appends "'quote'" of the cue's bytes to the line, with a flag or two. */
static void quote(struct maat_buf *b, const char *text, size_t len,
                  const maat_tone_cue *c, int first)
{
  size_t s = c->start < len ? c->start : len;
  size_t e = c->end < len ? c->end : len;

  maat__buf_printf(b, "%s'%.*s'", first ? "" : ", ", (int)(e - s), text + s);
  if (c->flags & MAAT_CUE_NEGATED)
    maat__buf_printf(b, " (negated)");
}

size_t maat_tone_reason(const maat_tone_result *r, const char *text,
                        size_t len, char *buf, size_t cap)
{
  struct maat_buf b = MAAT_BUF_INIT;
  size_t need;
  int any = 0;

  if (!r)
    return 0;
  maat__buf_printf(&b, "tone %s %.2f", maat_tone_name(r->tone),
                   r->tone == MAAT_TONE_NEUTRAL ? r->score[0]
                                                : r->intensity);
  for (size_t i = 0; i < r->ncues; i++)
    if (r->cues[i].tone == r->tone && r->cues[i].weight > 0 && text) {
      maat__buf_printf(&b, "%s", any ? "" : ": ");
      quote(&b, text, len, &r->cues[i], !any);
      any = 1;
    }
  /* Neutral: say which cues were there but did not count. */
  for (size_t i = 0; r->tone == MAAT_TONE_NEUTRAL && i < r->ncues; i++)
    if (r->cues[i].weight > 0 && text) {
      maat__buf_printf(&b, "%s", any ? "" : ": ");
      quote(&b, text, len, &r->cues[i], !any);
      any = 1;
    }
  if (!any && r->tone == MAAT_TONE_NEUTRAL)
    maat__buf_printf(&b, " (no tone cues)");
  if (r->urgency > 0) {
    any = 0;
    maat__buf_printf(&b, "; urgency %.2f", r->urgency);
    for (size_t i = 0; i < r->ncues; i++)
      if (r->cues[i].urgency > 0 && text) {
        maat__buf_printf(&b, "%s", any ? "" : ": ");
        quote(&b, text, len, &r->cues[i], !any);
        maat__buf_printf(&b, " (%s)",
                         maat_tone_cue_kind_name(r->cues[i].kind));
        any = 1;
      }
  }
  need = b.len;
  if (cap > 0) {
    size_t n = need < cap - 1 ? need : maat__utf8_fit(b.data, cap - 1);
    if (n)
      memcpy(buf, b.data, n);
    buf[n] = '\0';
  }
  maat__buf_release(&b);
  return need;
}

/*
 * kb_index.c - the knowledge base's index and answers.
 *
 * Ranking (docs/knowledge.md): each article has two fields, its title and
 * its body, as stems of the text pipeline (NFKC, case folding, Snowball
 * for the article's language). A question scores BM25 per field, the title
 * counting twice: a help-centre title is the question an article answers,
 * so every word of it counts, while in the body the little words
 * (stopwords) are left out. The organisation's history adds evidence: the
 * questions an article resolved before, each compared with the new one by
 * cosine over stems (tf-idf); a close one (over HIST_FLOOR) lifts its
 * article by up to the best score. The confidence is a logistic function of
 * scale-free features (the winner's margin over the runner-up, how much of
 * the question's weight the winner contains, the history's cosine), so
 * that it means the same on a knowledge base it has not seen.
 */
#include "kb-int.h"
#include "maat/text.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* BM25: the usual k1; title and body length normalisation. */
#define K1 1.2
#define B_TITLE 0.5
#define B_BODY 0.75
#define W_TITLE 2.0
/* A stopword in a title: it counts, for less ("what is" in "What is
 * COVID-19?" says something, "hoe" in any how-to title little). */
#ifndef STOP_TITLE
#define STOP_TITLE 0.5
#endif
/* History: a resolved question this close (cosine) starts to count; one
 * identical adds the best score once more. */
#define HIST_FLOOR 0.6
#define W_HIST 1.0
/* A resolved question this close is shown as similar in a prepared case. */
#define SIMILAR_FLOOR 0.3
/* An article in another language than the question's counts this much. */
#define LANG_OTHER 0.5
/* Passages: paragraphs joined up to about this many bytes, longer ones cut
 * at a sentence. */
#define PASSAGE_MIN 200
#define PASSAGE_MAX 1200
/*
 * Confidence = 1 / (1 + e^-(C0 + C_MARGIN m + C_COVER c + C_HIST h)).
 *
 * Without a team's history, C0, C_MARGIN and C_COVER are fitted (logistic
 * regression) on people's own wording meeting articles written in other
 * words: knowledge bases built from CLINC150's and Banking77's training
 * requests, asked their other requests and out-of-scope questions
 * (bench/kb/calibrate.py, 15,300 questions); the threshold is the lowest at
 * which 92 % of those answers were right.
 *
 * With a history, calibrate() refits all four on it, pulled towards the
 * H_* weights, fitted on generated knowledge bases with history (`maat gen
 * --kb`, `--kb-questions 3000`, seeds 5, 6 and 7): a resolved question
 * weighs differently once there are some. docs/knowledge.md, "Calibration".
 */
#define C0 (-2.336)
#define C_MARGIN 3.383
#define C_COVER 3.507
#define C_HIST 3.541
#define DEFAULT_THRESHOLD 0.85
#define H_C0 (-2.967)
#define H_C_MARGIN 2.968
#define H_C_COVER 10.936

enum { L_OTHER, L_NL, L_EN, NLANG };

struct posting {
  uint32_t doc;
  uint16_t tf_title, tf_body;
};

struct hposting {
  uint32_t hdoc;
  float w;
};

struct term {
  char *text;
  struct posting *p;
  uint32_t n, cap;
  uint32_t df_title, df_body;
  struct hposting *h;
  uint32_t nh, caph;
};

struct passage {
  size_t start, end;          /* in the article's body */
  size_t sec_start, sec_end;  /* its section's heading; equal: none */
};

struct article {
  char *id, *title, *url, *body;
  int64_t version;
  int lang;
  uint32_t len_title, len_body;
  uint32_t first, npass;
};

struct index {
  struct article *arts;
  size_t narts;
  struct passage *pass;
  size_t npass, cappass;
  struct term *terms;
  size_t nterms, capterms;
  struct maat_map dict;        /* text -> term index + 1 */
  double avg_title, avg_body;
  /* history: resolved questions, their article and text */
  uint32_t *hart;
  char **htext;
  size_t nhist;
  /* the confidence's weights and threshold (calibrate()) */
  double w[4], threshold;
  long ncal;
  /* scratch for one question, guarded by the kb's lock */
  double *score, *hist, *hcos;
  uint32_t *touched, *htouched;
  size_t ntouched, nhtouched;
};

struct maat_kb {
  maat_store *st;
  struct maat_kb_options opt;
  pthread_mutex_t mu;
  struct index *ix;
  maat_tokenizer *tok;
  maat_stemmer *stem[NLANG];
};

/* ---- stopwords: left out of bodies, kept in titles ---- */

static const char *const stop_en[] = {
  "a", "about", "after", "all", "also", "am", "an", "and", "any", "are",
  "as", "at", "be", "been", "but", "by", "can", "could", "did", "do",
  "does", "for", "from", "had", "has", "have", "he", "her", "his", "how",
  "i", "if", "in", "into", "is", "it", "its", "me", "my", "no", "not", "of",
  "on", "or", "our", "she", "should", "so", "than", "that", "the", "their",
  "them", "then", "there", "these", "they", "this", "to", "us", "was", "we",
  "were", "what", "when", "where", "which", "who", "why", "will", "with",
  "would", "you", "your", NULL
};
static const char *const stop_nl[] = {
  "aan", "al", "als", "bij", "dan", "dat", "de", "deze", "die", "dit",
  "door", "een", "en", "er", "even", "geen", "graag", "had", "heb", "hebben",
  "heeft", "het", "hij", "hoe", "ik", "in", "is", "je", "jij", "jullie",
  "kan", "kun", "kunt", "kunnen", "maar", "mag", "me", "met", "mij", "mijn",
  "moet", "moeten", "mogen", "na", "naar", "niet", "nog", "of", "om", "ook",
  "op", "over", "te", "tot", "u", "uit", "uw", "van", "voor", "waar",
  "wanneer", "was", "wat", "wel", "welke", "wie", "wij", "wil", "wilt",
  "wordt", "worden", "ze", "zij", "zijn", "zo", "zou", NULL
};

static int is_stop(int lang, const char *w, size_t n)
{
  const char *const *list = lang == L_NL ? stop_nl : stop_en;

  if (lang == L_OTHER)
    return is_stop(L_EN, w, n) || is_stop(L_NL, w, n);
  for (; *list; list++)
    if (strlen(*list) == n && !memcmp(*list, w, n))
      return 1;
  return 0;
}

static int lang_of(const char *code)
{
  if (code && !strcmp(code, "nl"))
    return L_NL;
  if (code && !strcmp(code, "en"))
    return L_EN;
  return L_OTHER;
}

/* ---- terms ---- */

/* Calls fn for every term of 'text' in language 'lang' (stems; 'stop': the
 * term is a stopword). */
static int each_term(struct maat_kb *kb, const char *text, size_t len,
                     int lang,
                     int (*fn)(void *ctx, const char *t, size_t n, int stop),
                     void *ctx)
{
  int rc = maat_tokenize(kb->tok, text, len, MAAT_TOKENIZE_NO_PUNCT);
  size_t n = maat_tokenizer_count(kb->tok);

  if (rc == MAAT_EUTF8)
    return MAAT_OK;     /* the store keeps valid text; a question may not */
  if (rc)
    return rc;
  for (size_t i = 0; i < n && !rc; i++) {
    const maat_token *t = maat_tokenizer_get(kb->tok, i);
    const char *s;
    size_t sn;
    if (t->kind != MAAT_TOK_WORD && t->kind != MAAT_TOK_NUMBER)
      continue;
    if (t->len > 64)
      continue;
    if (t->kind == MAAT_TOK_WORD) {
      int stop = is_stop(lang, t->text, t->len);
      if ((rc = maat_stem(kb->stem[lang], t->text, t->len, &s, &sn)))
        break;
      rc = fn(ctx, s, sn, stop);
    } else {
      rc = fn(ctx, t->text, t->len, 0);
    }
  }
  return rc;
}

static int term_find(const struct index *ix, const char *s, size_t n)
{
  char key[72];
  void *v;

  if (n >= sizeof key)
    return -1;
  memcpy(key, s, n);
  key[n] = 0;
  v = maat__map_get(&ix->dict, key);
  return v ? (int)((uintptr_t)v - 1) : -1;
}

static int term_get(struct index *ix, const char *s, size_t n, int *out)
{
  struct term *t;
  int k = term_find(ix, s, n);

  if (k >= 0) {
    *out = k;
    return MAAT_OK;
  }
  if (ix->nterms == ix->capterms) {
    size_t cap = ix->capterms ? ix->capterms * 2 : 1024;
    struct term *p = maat__realloc(ix->terms, cap * sizeof *p);
    if (!p)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    ix->terms = p;
    ix->capterms = cap;
    /* The map's keys point into the terms' own strings: still valid. */
  }
  t = &ix->terms[ix->nterms];
  memset(t, 0, sizeof *t);
  if (!(t->text = maat__strndup(s, n)))
    return maat__fail(MAAT_ENOMEM, "out of memory");
  if (maat__map_put(&ix->dict, t->text,
                    (void *)(uintptr_t)(ix->nterms + 1))) {
    maat__free(t->text);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  *out = (int)ix->nterms++;
  return MAAT_OK;
}

/* ---- Dutch compounds ---- */

/* A part of a compound is at least this many bytes. */
#define SPLIT_MIN 4

/* The term of 'part' stemmed as Dutch, or -1. */
static int part_term(struct maat_kb *kb, const struct index *ix,
                     const char *part, size_t n)
{
  const char *st;
  size_t sn;
  int k;

  if (n < SPLIT_MIN || is_stop(L_NL, part, n) ||
      maat_stem(kb->stem[L_NL], part, n, &st, &sn))
    return -1;
  k = term_find(ix, st, sn);
  return k >= 0 && ix->terms[k].n ? k : -1;
}

/*
 * Dutch joins words: "huurtoeslag" is "huur" + "toeslag", and a question
 * may say "toeslag voor de huur". An article's compound therefore also
 * counts as its two parts (split_terms()). Splitting the question's words
 * too was tried: worse on generated Dutch questions, no better on
 * policyqa-nl's training questions.
 *
 * A stem splits in two when both parts are words of the knowledge base
 * (each stemmed; a linking "s", "e" or "en" at the join dropped:
 * "openingstijden"), each at least SPLIT_MIN bytes and not a stopword. Of
 * several splits, the most even. The parts' terms in 'parts'; 0 when it
 * does not split.
 */
static int split_compound(struct maat_kb *kb, const struct index *ix,
                          const char *s, size_t n, int parts[2])
{
  static const char *const link[] = { "", "s", "en", "e" };
  char head[72];
  size_t best = 0;
  int found = 0;

  if (n < 2 * SPLIT_MIN || n >= sizeof head)
    return 0;
  for (size_t i = SPLIT_MIN; i + SPLIT_MIN <= n; i++) {
    int a = -1, b;
    size_t even;
    if (((unsigned char)s[i] & 0xC0) == 0x80)
      continue;           /* inside a UTF-8 character */
    if ((b = part_term(kb, ix, s + i, n - i)) < 0)
      continue;
    for (size_t l = 0; l < sizeof link / sizeof link[0] && a < 0; l++) {
      size_t ln = strlen(link[l]);
      if (i < SPLIT_MIN + ln || memcmp(s + i - ln, link[l], ln))
        continue;
      memcpy(head, s, i - ln);
      a = part_term(kb, ix, head, i - ln);
    }
    if (a < 0)
      continue;
    even = i < n - i ? i : n - i;
    if (even > best) {
      best = even;
      parts[0] = a;
      parts[1] = b;
      found = 1;
    }
  }
  return found;
}

/* Adds term 'from''s postings to term 'to' (both in article order). */
static int merge_postings(struct index *ix, uint32_t from, uint32_t to)
{
  const struct term *f = &ix->terms[from];
  struct term *t = &ix->terms[to];
  struct posting *p = maat__calloc((size_t)f->n + t->n, sizeof *p);
  uint32_t i = 0, j = 0, n = 0;

  if (!p)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  while (i < f->n || j < t->n) {
    if (j >= t->n || (i < f->n && f->p[i].doc < t->p[j].doc)) {
      p[n++] = f->p[i++];
    } else if (i >= f->n || t->p[j].doc < f->p[i].doc) {
      p[n++] = t->p[j++];
    } else {
      unsigned tt = (unsigned)t->p[j].tf_title + f->p[i].tf_title;
      unsigned tb = (unsigned)t->p[j].tf_body + f->p[i].tf_body;
      p[n] = t->p[j++];
      p[n].tf_title = (uint16_t)(tt < UINT16_MAX ? tt : UINT16_MAX);
      p[n++].tf_body = (uint16_t)(tb < UINT16_MAX ? tb : UINT16_MAX);
      i++;
    }
  }
  maat__free(t->p);
  t->p = p;
  t->n = t->cap = n;
  t->df_title = t->df_body = 0;
  for (i = 0; i < n; i++) {
    t->df_title += p[i].tf_title > 0;
    t->df_body += p[i].tf_body > 0;
  }
  return MAAT_OK;
}

/* Each Dutch compound of the articles also counts as its two parts. */
static int split_terms(struct maat_kb *kb, struct index *ix)
{
  size_t n = ix->nterms, nsplit = 0;
  uint32_t (*todo)[3] = maat__calloc(n ? n : 1, sizeof *todo);
  int rc = MAAT_OK;

  if (!todo)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  for (size_t k = 0; k < n; k++) {
    const struct term *t = &ix->terms[k];
    int parts[2];
    if (!t->n || ix->arts[t->p[0].doc].lang != L_NL ||
        !split_compound(kb, ix, t->text, strlen(t->text), parts))
      continue;
    todo[nsplit][0] = (uint32_t)k;
    todo[nsplit][1] = (uint32_t)parts[0];
    todo[nsplit++][2] = (uint32_t)parts[1];
  }
  for (size_t i = 0; i < nsplit && !rc; i++) {
    rc = merge_postings(ix, todo[i][0], todo[i][1]);
    if (!rc && todo[i][2] != todo[i][1])
      rc = merge_postings(ix, todo[i][0], todo[i][2]);
  }
  maat__free(todo);
  return rc;
}

/* ---- building ---- */

struct add_ctx {
  struct index *ix;
  uint32_t doc;
  int field;             /* 0 title, 1 body */
  uint32_t count;
};

static int add_term(void *ctx, const char *s, size_t n, int stop)
{
  struct add_ctx *a = ctx;
  struct term *t;
  int k, rc;

  if (a->field == 1 && stop)
    return MAAT_OK;
  if ((rc = term_get(a->ix, s, n, &k)))
    return rc;
  t = &a->ix->terms[k];
  a->count++;
  if (!t->n || t->p[t->n - 1].doc != a->doc) {
    if (t->n == t->cap) {
      uint32_t cap = t->cap ? t->cap * 2 : 4;
      struct posting *p = maat__realloc(t->p, cap * sizeof *p);
      if (!p)
        return maat__fail(MAAT_ENOMEM, "out of memory");
      t->p = p;
      t->cap = cap;
    }
    memset(&t->p[t->n], 0, sizeof t->p[t->n]);
    t->p[t->n++].doc = a->doc;
  }
  if (a->field == 0) {
    if (!t->p[t->n - 1].tf_title++)
      t->df_title++;
  } else {
    if (!t->p[t->n - 1].tf_body++)
      t->df_body++;
  }
  return MAAT_OK;
}

/* Splits a body into passages: paragraphs joined to PASSAGE_MIN, cut at a
 * sentence past PASSAGE_MAX; a "## " line starts a section. */
static int split_passages(struct index *ix, struct article *a)
{
  const char *b = a->body;
  size_t n = strlen(b), i = 0, sec_s = 0, sec_e = 0, start = (size_t)-1;
  int rc = MAAT_OK;

  a->first = (uint32_t)ix->npass;
#define EMIT(s, e)                                                          \
  do {                                                                      \
    if (ix->npass == ix->cappass) {                                         \
      size_t c_ = ix->cappass ? ix->cappass * 2 : 1024;                     \
      struct passage *p_ = maat__realloc(ix->pass, c_ * sizeof *p_);        \
      if (!p_)                                                              \
        return maat__fail(MAAT_ENOMEM, "out of memory");                    \
      ix->pass = p_;                                                        \
      ix->cappass = c_;                                                     \
    }                                                                       \
    ix->pass[ix->npass].start = (s);                                        \
    ix->pass[ix->npass].end = (e);                                          \
    ix->pass[ix->npass].sec_start = sec_s;                                  \
    ix->pass[ix->npass].sec_end = sec_e;                                    \
    ix->npass++;                                                            \
  } while (0)
  while (i < n) {
    size_t e = i;
    while (e < n && b[e] != '\n')
      e++;
    if (e - i >= 3 && !memcmp(b + i, "## ", 3)) {
      if (start != (size_t)-1) {
        EMIT(start, i > start ? i - 1 : i);
        start = (size_t)-1;
      }
      sec_s = i + 3;
      sec_e = e;
    } else if (e > i) {
      if (start == (size_t)-1)
        start = i;
      /* Long enough and a paragraph ends here: a passage. */
      if (e - start >= PASSAGE_MIN && (e + 1 >= n || b[e + 1] == '\n')) {
        EMIT(start, e);
        start = (size_t)-1;
      } else if (e - start > PASSAGE_MAX) {
        /* One long paragraph: cut after a sentence near the limit. */
        size_t cut = start + PASSAGE_MAX;
        while (cut > start + PASSAGE_MIN &&
               !((b[cut] == '.' || b[cut] == '?' || b[cut] == '!') &&
                 b[cut + 1] == ' '))
          cut--;
        if (cut <= start + PASSAGE_MIN)
          cut = start + PASSAGE_MAX;
        while (cut < e && (b[cut] & 0xc0) == 0x80)
          cut++;        /* never inside a character */
        EMIT(start, cut + 1 < e ? cut + 1 : e);
        start = cut + 1 < e ? cut + 1 : (size_t)-1;
        while (start != (size_t)-1 && start < e && b[start] == ' ')
          start++;
        if (start != (size_t)-1 && start < e) {
          i = start;
          continue;
        }
        start = (size_t)-1;
      }
    }
    i = e + 1;
  }
  if (start != (size_t)-1)
    EMIT(start, n);
  if (ix->npass == a->first)
    EMIT(0, 0);
#undef EMIT
  a->npass = (uint32_t)ix->npass - a->first;
  return rc;
}

struct load_ctx {
  struct maat_kb *kb;
  struct index *ix;
  size_t cap;
  int rc;
};

static int take_article(void *ctx, const struct maat_store_article *s)
{
  struct load_ctx *l = ctx;
  struct index *ix = l->ix;
  struct article *a;

  if (s->status != MAAT_ARTICLE_PUBLISHED)
    return 0;           /* drafts wait for approval; removed are gone */
  if (ix->narts == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 256;
    struct article *p = maat__realloc(ix->arts, cap * sizeof *p);
    if (!p)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    ix->arts = p;
    l->cap = cap;
  }
  a = &ix->arts[ix->narts];
  memset(a, 0, sizeof *a);
  a->id = maat__strdup(s->id);
  a->title = maat__strdup(s->title);
  a->url = maat__strdup(s->url);
  a->body = maat__strdup(s->body);
  a->version = s->version;
  a->lang = lang_of(s->lang);
  ix->narts++;
  if (!a->id || !a->title || !a->url || !a->body)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  return 0;
}

/* History: a resolved question's stems, counted for its vector. */
struct hist_ctx {
  struct index *ix;
  int terms[64];
  int tf[64];
  int n;
};

static int hist_term(void *ctx, const char *s, size_t n, int stop)
{
  struct hist_ctx *h = ctx;
  int k, rc;

  (void)stop;
  if ((rc = term_get(h->ix, s, n, &k)))
    return rc;
  for (int i = 0; i < h->n; i++)
    if (h->terms[i] == k) {
      h->tf[i]++;
      return MAAT_OK;
    }
  if (h->n < 64) {
    h->terms[h->n] = k;
    h->tf[h->n++] = 1;
  }
  return MAAT_OK;
}

struct links_ctx {
  struct maat_kb *kb;
  struct index *ix;
  struct maat_map byid;    /* article id -> index + 1 */
  /* per resolved question: its terms, until the idf is known */
  int (*terms)[64];
  int (*tfs)[64];
  int *nt;
  size_t cap;
};

static int take_link(void *ctx, const char *article, const char *question,
                     double t)
{
  struct links_ctx *l = ctx;
  struct index *ix = l->ix;
  struct hist_ctx h;
  void *v = maat__map_get(&l->byid, article);
  maat_lang lang;
  double conf;
  int rc;

  (void)t;
  if (!v)
    return 0;           /* an article since removed */
  if (ix->nhist == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 256;
    uint32_t *a = maat__realloc(ix->hart, cap * sizeof *a);
    char **txt;
    int (*tm)[64], (*tf)[64], *nt;
    if (!a)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    ix->hart = a;
    txt = maat__realloc(ix->htext, cap * sizeof *txt);
    if (!txt)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    ix->htext = txt;
    tm = maat__realloc(l->terms, cap * sizeof *tm);
    if (!tm)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    l->terms = tm;
    tf = maat__realloc(l->tfs, cap * sizeof *tf);
    if (!tf)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    l->tfs = tf;
    nt = maat__realloc(l->nt, cap * sizeof *nt);
    if (!nt)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    l->nt = nt;
    l->cap = cap;
  }
  memset(&h, 0, sizeof h);
  h.ix = ix;
  /* Its own language, else its article's. */
  lang = maat_lang_detect(question, strlen(question), &conf);
  rc = each_term(l->kb, question, strlen(question),
                 lang == MAAT_LANG_NL ? L_NL
                 : lang == MAAT_LANG_EN ? L_EN
                 : ix->arts[(uintptr_t)v - 1].lang,
                 hist_term, &h);
  if (rc)
    return rc;
  ix->hart[ix->nhist] = (uint32_t)((uintptr_t)v - 1);
  if (!(ix->htext[ix->nhist] = maat__strdup(question)))
    return maat__fail(MAAT_ENOMEM, "out of memory");
  memcpy(l->terms[ix->nhist], h.terms, sizeof h.terms);
  memcpy(l->tfs[ix->nhist], h.tf, sizeof h.tf);
  l->nt[ix->nhist] = h.n;
  ix->nhist++;
  return 0;
}

static double hist_idf(const struct index *ix, uint32_t df)
{
  return log((ix->nhist + 1.0) / (df + 0.5));
}

/* The history's postings: each question's tf-idf vector, normalised. */
static int build_history(struct links_ctx *l)
{
  struct index *ix = l->ix;
  uint32_t *df = maat__calloc(ix->nterms ? ix->nterms : 1, sizeof *df);

  if (!df)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  for (size_t q = 0; q < ix->nhist; q++)
    for (int i = 0; i < l->nt[q]; i++)
      df[l->terms[q][i]]++;
  for (size_t q = 0; q < ix->nhist; q++) {
    double norm = 0, w[64];
    for (int i = 0; i < l->nt[q]; i++) {
      w[i] = (1 + log(l->tfs[q][i])) * hist_idf(ix, df[l->terms[q][i]]);
      norm += w[i] * w[i];
    }
    norm = norm > 0 ? sqrt(norm) : 1;
    for (int i = 0; i < l->nt[q]; i++) {
      struct term *t = &ix->terms[l->terms[q][i]];
      if (t->nh == t->caph) {
        uint32_t cap = t->caph ? t->caph * 2 : 4;
        struct hposting *p = maat__realloc(t->h, cap * sizeof *p);
        if (!p) {
          maat__free(df);
          return maat__fail(MAAT_ENOMEM, "out of memory");
        }
        t->h = p;
        t->caph = cap;
      }
      t->h[t->nh].hdoc = (uint32_t)q;
      t->h[t->nh++].w = (float)(w[i] / norm);
    }
  }
  maat__free(df);
  return MAAT_OK;
}

static void index_free(struct index *ix)
{
  if (!ix)
    return;
  for (size_t i = 0; i < ix->narts; i++) {
    maat__free(ix->arts[i].id);
    maat__free(ix->arts[i].title);
    maat__free(ix->arts[i].url);
    maat__free(ix->arts[i].body);
  }
  for (size_t i = 0; i < ix->nterms; i++) {
    maat__free(ix->terms[i].text);
    maat__free(ix->terms[i].p);
    maat__free(ix->terms[i].h);
  }
  maat__map_release(&ix->dict);
  maat__free(ix->terms);
  maat__free(ix->arts);
  maat__free(ix->pass);
  for (size_t i = 0; i < ix->nhist; i++)
    maat__free(ix->htext[i]);
  maat__free(ix->htext);
  maat__free(ix->hart);
  maat__free(ix->hcos);
  maat__free(ix->htouched);
  maat__free(ix->score);
  maat__free(ix->hist);
  maat__free(ix->touched);
  maat__free(ix);
}

static void calibrate(struct maat_kb *kb, struct index *ix);

static int build(struct maat_kb *kb, struct index **out)
{
  struct index *ix = maat__calloc(1, sizeof *ix);
  struct load_ctx lc;
  struct links_ctx lk;
  double sum_t = 0, sum_b = 0;
  int rc;

  if (!ix)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  memset(&lc, 0, sizeof lc);
  lc.kb = kb;
  lc.ix = ix;
  if ((rc = maat_store_articles(kb->st, NULL, take_article, &lc)))
    goto fail;
  for (size_t i = 0; i < ix->narts; i++) {
    struct article *a = &ix->arts[i];
    struct add_ctx ac = { ix, (uint32_t)i, 0, 0 };
    int lang = a->lang;
    if (lang == L_OTHER) {
      double conf;
      maat_lang l = maat_lang_detect(a->body, strlen(a->body), &conf);
      lang = a->lang = l == MAAT_LANG_NL ? L_NL : l == MAAT_LANG_EN ? L_EN
                                                                    : L_OTHER;
    }
    if ((rc = each_term(kb, a->title, strlen(a->title), lang, add_term, &ac)))
      goto fail;
    a->len_title = ac.count;
    ac.field = 1;
    ac.count = 0;
    if ((rc = each_term(kb, a->body, strlen(a->body), lang, add_term, &ac)))
      goto fail;
    a->len_body = ac.count;
    sum_t += a->len_title;
    sum_b += a->len_body;
    if ((rc = split_passages(ix, a)))
      goto fail;
  }
  if ((rc = split_terms(kb, ix)))
    goto fail;
  ix->avg_title = ix->narts ? sum_t / (double)ix->narts : 1;
  ix->avg_body = ix->narts ? sum_b / (double)ix->narts : 1;
  if (ix->avg_title <= 0)
    ix->avg_title = 1;
  if (ix->avg_body <= 0)
    ix->avg_body = 1;
  memset(&lk, 0, sizeof lk);
  if (kb->opt.history >= 0) {
    lk.kb = kb;
    lk.ix = ix;
    rc = maat__map_reserve(&lk.byid, ix->narts);
    for (size_t i = 0; !rc && i < ix->narts; i++)
      rc = maat__map_put(&lk.byid, ix->arts[i].id, (void *)(uintptr_t)(i + 1));
    if (!rc)
      rc = maat_store_kb_links(kb->st, take_link, &lk);
    if (!rc)
      rc = build_history(&lk);
    maat__map_release(&lk.byid);
    maat__free(lk.terms);
    maat__free(lk.tfs);
    maat__free(lk.nt);
    if (rc)
      goto fail;
  }
  ix->score = maat__calloc(ix->narts ? ix->narts : 1, sizeof *ix->score);
  ix->hist = maat__calloc(ix->narts ? ix->narts : 1, sizeof *ix->hist);
  ix->touched = maat__calloc(ix->narts ? ix->narts : 1,
                             sizeof *ix->touched);
  ix->hcos = maat__calloc(ix->nhist ? ix->nhist : 1, sizeof *ix->hcos);
  ix->htouched = maat__calloc(ix->nhist ? ix->nhist : 1,
                              sizeof *ix->htouched);
  if (!ix->score || !ix->hist || !ix->touched || !ix->hcos ||
      !ix->htouched) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
    goto fail;
  }
  calibrate(kb, ix);
  *out = ix;
  return MAAT_OK;
fail:
  index_free(ix);
  return rc;
}

int maat_kb_open(maat_kb **out, maat_store *st,
                 const struct maat_kb_options *opts)
{
  struct maat_kb *kb;
  int rc = MAAT_OK;

  if (!out || !st)
    return maat__fail(MAAT_EINVAL, "maat_kb_open: invalid argument");
  kb = maat__calloc(1, sizeof *kb);
  if (!kb)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  kb->st = st;
  if (opts)
    kb->opt = *opts;
  pthread_mutex_init(&kb->mu, NULL);
  kb->tok = maat_tokenizer_new();
  if (!kb->tok)
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
  if (!rc)
    rc = maat_stemmer_new(MAAT_LANG_OTHER, &kb->stem[L_OTHER]);
  if (!rc)
    rc = maat_stemmer_new(MAAT_LANG_NL, &kb->stem[L_NL]);
  if (!rc)
    rc = maat_stemmer_new(MAAT_LANG_EN, &kb->stem[L_EN]);
  if (!rc)
    rc = build(kb, &kb->ix);
  if (rc) {
    maat_kb_free(kb);
    return rc;
  }
  *out = kb;
  return MAAT_OK;
}

int maat_kb_reload(maat_kb *kb)
{
  struct index *ix = NULL, *old;
  int rc;

  pthread_mutex_lock(&kb->mu);
  rc = build(kb, &ix);
  if (!rc) {
    old = kb->ix;
    kb->ix = ix;
    index_free(old);
  }
  pthread_mutex_unlock(&kb->mu);
  return rc;
}

void maat_kb_free(maat_kb *kb)
{
  if (!kb)
    return;
  index_free(kb->ix);
  maat_tokenizer_free(kb->tok);
  for (int l = 0; l < NLANG; l++)
    maat_stemmer_free(kb->stem[l]);
  pthread_mutex_destroy(&kb->mu);
  maat__free(kb);
}

size_t maat_kb_articles(const maat_kb *kb)
{
  return kb->ix->narts;
}

size_t maat_kb_passages(const maat_kb *kb)
{
  return kb->ix->npass;
}

double maat_kb_threshold(const maat_kb *kb)
{
  return kb->opt.threshold > 0 ? kb->opt.threshold : kb->ix->threshold;
}

long maat_kb_calibrated(const maat_kb *kb)
{
  return kb->ix->ncal;
}

/* ---- asking ---- */

#define QMAX 64

struct query {
  int term[QMAX];        /* index, or -1 for a word no article has */
  int tf[QMAX];
  int stop[QMAX];
  int n;
};

struct qctx {
  const struct index *ix;
  struct query *q;
  int fuzzy;             /* an unknown word may be a slip of a known one */
};

/* Whether a and b (bytes) are one edit apart: a byte added, dropped,
 * changed, or two neighbours swapped. */
static int one_edit(const char *a, size_t na, const char *b, size_t nb)
{
  size_t i = 0;

  if (na > nb)
    return one_edit(b, nb, a, na);
  if (nb - na > 1)
    return 0;
  while (i < na && a[i] == b[i])
    i++;
  if (i == na)
    return nb - na == 1;
  if (na == nb)
    return !memcmp(a + i + 1, b + i + 1, na - i - 1) ||
           (i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] &&
            !memcmp(a + i + 2, b + i + 2, na - i - 2));
  return !memcmp(a + i, b + i + 1, na - i);
}

/*
 * A word no article has, of FUZZY_MIN bytes or more, is taken for the
 * known word one edit away ("caard", "wachtwoort"); of several, the one
 * most articles use. -1 when there is none.
 */
#define FUZZY_MIN 5
static int near_term(const struct index *ix, const char *s, size_t n)
{
  uint32_t best_df = 0;
  int best = -1;

  if (n < FUZZY_MIN || (s[0] >= '0' && s[0] <= '9'))
    return -1;
  for (size_t k = 0; k < ix->nterms; k++) {
    const struct term *t = &ix->terms[k];
    size_t tn;
    if (!t->n || t->n <= best_df)
      continue;
    tn = strlen(t->text);
    if (tn + 1 < n || tn > n + 1 || tn < FUZZY_MIN - 1)
      continue;
    if (one_edit(s, n, t->text, tn)) {
      best = (int)k;
      best_df = t->n;
    }
  }
  return best;
}

static int query_take(void *ctx, const char *s, size_t n, int stop)
{
  struct qctx *c = ctx;
  struct query *q = c->q;
  int k = term_find(c->ix, s, n);

  if (k < 0 && c->fuzzy)
    k = near_term(c->ix, s, n);
  for (int i = 0; i < q->n; i++)
    if (q->term[i] == k && k >= 0) {
      q->tf[i]++;
      return MAAT_OK;
    }
  if (q->n < QMAX) {
    q->term[q->n] = k;
    q->tf[q->n] = 1;
    q->stop[q->n++] = stop;
  }
  return MAAT_OK;
}

static double idf(double n, double df)
{
  return log(1 + (n - df + 0.5) / (df + 0.5));
}

static double sigmoid(double x)
{
  return 1 / (1 + exp(-x));
}

/* The passage of article 'a' that holds most of the question's weight. */
static size_t best_passage(struct maat_kb *kb, const struct index *ix,
                           const struct article *a, const struct query *q)
{
  size_t best = a->first;
  double best_s = -1;

  for (uint32_t p = a->first; p < a->first + a->npass; p++) {
    const struct passage *ps = &ix->pass[p];
    struct query pq;
    struct qctx c = { ix, &pq, 0 };
    double s = 0;
    memset(&pq, 0, sizeof pq);
    if (a->npass == 1)
      return p;
    if (each_term(kb, a->body + ps->start, ps->end - ps->start, a->lang,
                  query_take, &c))
      return best;
    /* Each question term found here, by its weight, once. */
    for (int i = 0; i < q->n; i++) {
      if (q->term[i] < 0 || q->stop[i])
        continue;
      for (int j = 0; j < pq.n; j++)
        if (pq.term[j] == q->term[i]) {
          s += idf((double)ix->narts, ix->terms[q->term[i]].df_body);
          break;
        }
    }
    /* A section heading that holds the words counts too. */
    if (ps->sec_end > ps->sec_start) {
      memset(&pq, 0, sizeof pq);
      if (!each_term(kb, a->body + ps->sec_start, ps->sec_end - ps->sec_start,
                     a->lang, query_take, &c))
        for (int i = 0; i < q->n; i++)
          for (int j = 0; q->term[i] >= 0 && j < pq.n; j++)
            if (pq.term[j] == q->term[i]) {
              s += 0.5 * idf((double)ix->narts,
                             ix->terms[q->term[i]].df_body);
              break;
            }
    }
    if (s > best_s) {
      best_s = s;
      best = p;
    }
  }
  return best;
}

static char *dup_range(const char *s, size_t a, size_t b)
{
  return maat__strndup(s + a, b > a ? b - a : 0);
}

/* A question ranked: the ten best, the features of the confidence. */
struct ranking {
  struct query q;
  int nsim;
  uint32_t sim[3];
  double simcos[3];
  int nranked;
  uint32_t doc[MAAT_KB_RANKED];
  double score[MAAT_KB_RANKED];
  double margin, cover, hist;
};

/*
 * Ranks 'question' (language 'lang') on index 'ix', leaving resolved
 * question 'exclude' out of the history (-1: none; the calibration asks
 * each one without itself). Called under the kb's lock.
 */
static int rank_question(struct maat_kb *kb, struct index *ix,
                         const char *question, size_t len, int lang,
                         long exclude, struct ranking *out)
{
  struct query *q = &out->q;
  struct qctx qc = { ix, q, 1 };
  double cover_have = 0, cover_all = 0;
  int top = -1, rc;

  memset(out, 0, sizeof *out);
  /* A question whose language is unclear is read both ways. */
  if (lang == L_OTHER) {
    rc = each_term(kb, question, len, L_NL, query_take, &qc);
    if (!rc)
      rc = each_term(kb, question, len, L_EN, query_take, &qc);
  } else {
    rc = each_term(kb, question, len, lang, query_take, &qc);
  }
  if (rc)
    return rc;
  ix->ntouched = 0;
  /* BM25 per field over the postings. */
  for (int i = 0; i < q->n; i++) {
    const struct term *t;
    double it, ib;
    if (q->term[i] < 0)
      continue;
    t = &ix->terms[q->term[i]];
    it = idf((double)ix->narts, t->df_title);
    ib = idf((double)ix->narts, t->df_body);
    for (uint32_t k = 0; k < t->n; k++) {
      const struct posting *p = &t->p[k];
      const struct article *a = &ix->arts[p->doc];
      double s = 0;
      if (p->tf_title)
        s += (q->stop[i] ? STOP_TITLE : 1) * W_TITLE * it * p->tf_title *
             (K1 + 1) /
             (p->tf_title + K1 * (1 - B_TITLE + B_TITLE * a->len_title /
                                                   ix->avg_title));
      if (p->tf_body && !q->stop[i])
        s += ib * p->tf_body * (K1 + 1) /
             (p->tf_body + K1 * (1 - B_BODY + B_BODY * a->len_body /
                                                 ix->avg_body));
      if (s > 0) {
        if (ix->score[p->doc] == 0 && ix->hist[p->doc] == 0)
          ix->touched[ix->ntouched++] = p->doc;
        ix->score[p->doc] += s;
      }
    }
  }
  /* History: the closest resolved question of each article (cosine). */
  if (ix->nhist) {
    double qw[QMAX], norm = 0;
    double *cos = ix->hcos;
    for (int i = 0; i < q->n; i++) {
      uint32_t df = q->term[i] >= 0 ? ix->terms[q->term[i]].nh : 0;
      /* A word no resolved question has weighs as the rarest. */
      qw[i] = (1 + log(q->tf[i])) * hist_idf(ix, df);
      norm += qw[i] * qw[i];
    }
    norm = norm > 0 ? sqrt(norm) : 1;
    ix->nhtouched = 0;
    for (int i = 0; i < q->n; i++) {
      const struct term *t;
      if (q->term[i] < 0)
        continue;
      t = &ix->terms[q->term[i]];
      for (uint32_t k = 0; k < t->nh; k++) {
        uint32_t h = t->h[k].hdoc;
        if ((long)h == exclude)
          continue;
        if (cos[h] == 0)
          ix->htouched[ix->nhtouched++] = h;
        cos[h] += qw[i] / norm * t->h[k].w;
      }
    }
    for (size_t k = 0; k < ix->nhtouched; k++) {
      uint32_t h = ix->htouched[k], d = ix->hart[h];
      /* The three closest resolved questions, for a prepared case. */
      if (cos[h] > SIMILAR_FLOOR) {
        int at = out->nsim;
        while (at > 0 && out->simcos[at - 1] < cos[h])
          at--;
        if (at < 3) {
          if (out->nsim < 3)
            out->nsim++;
          memmove(&out->sim[at + 1], &out->sim[at],
                  (size_t)(out->nsim - 1 - at) * sizeof out->sim[0]);
          memmove(&out->simcos[at + 1], &out->simcos[at],
                  (size_t)(out->nsim - 1 - at) * sizeof out->simcos[0]);
          out->sim[at] = h;
          out->simcos[at] = cos[h];
        }
      }
      if (cos[h] > ix->hist[d]) {
        if (ix->score[d] == 0 && ix->hist[d] == 0)
          ix->touched[ix->ntouched++] = d;
        ix->hist[d] = cos[h];
      }
      cos[h] = 0;
    }
  }
  {
    double best = 0;
    for (size_t k = 0; k < ix->ntouched; k++)
      if (ix->score[ix->touched[k]] > best)
        best = ix->score[ix->touched[k]];
    if (best <= 0)
      best = 1;
    for (size_t k = 0; k < ix->ntouched; k++) {
      uint32_t d = ix->touched[k];
      double h = ix->hist[d];
      if (h > HIST_FLOOR)
        ix->score[d] += W_HIST * best * (h - HIST_FLOOR) / (1 - HIST_FLOOR);
    }
  }
  /* An answer in the question's own language first: an article known to
   * be in the other one counts half. */
  if (lang != L_OTHER)
    for (size_t k = 0; k < ix->ntouched; k++) {
      const struct article *a = &ix->arts[ix->touched[k]];
      if (a->lang != L_OTHER && a->lang != lang)
        ix->score[ix->touched[k]] *= LANG_OTHER;
    }
  /* The ten best, by score then id. */
  for (size_t k = 0; k < ix->ntouched; k++) {
    uint32_t d = ix->touched[k];
    double s = ix->score[d];
    int pos = out->nranked;
    if (s <= 0)
      continue;
    while (pos > 0 &&
           (out->score[pos - 1] < s ||
            (out->score[pos - 1] == s &&
             strcmp(ix->arts[out->doc[pos - 1]].id, ix->arts[d].id) > 0)))
      pos--;
    if (pos >= MAAT_KB_RANKED)
      continue;
    if (out->nranked < MAAT_KB_RANKED)
      out->nranked++;
    memmove(&out->score[pos + 1], &out->score[pos],
            (size_t)(out->nranked - 1 - pos) * sizeof out->score[0]);
    memmove(&out->doc[pos + 1], &out->doc[pos],
            (size_t)(out->nranked - 1 - pos) * sizeof out->doc[0]);
    out->score[pos] = s;
    out->doc[pos] = d;
  }
  if (out->nranked) {
    double s1 = out->score[0], s2 = out->nranked > 1 ? out->score[1] : 0;
    top = (int)out->doc[0];
    out->margin = s1 > 0 ? (s1 - s2) / s1 : 0;
    out->hist = ix->hist[top];
  }
  /* How much of the question's weight the winner holds. */
  for (int i = 0; i < q->n; i++) {
    double w = q->term[i] >= 0
                   ? idf((double)ix->narts, ix->terms[q->term[i]].df_body)
                   : idf((double)ix->narts, 0);
    if (q->stop[i])
      continue;
    cover_all += w;
    if (top >= 0 && q->term[i] >= 0) {
      const struct term *t = &ix->terms[q->term[i]];
      for (uint32_t k = 0; k < t->n; k++)
        if (t->p[k].doc == (uint32_t)top) {
          cover_have += w;
          break;
        }
    }
  }
  out->cover = cover_all > 0 ? cover_have / cover_all : 0;
  for (size_t k = 0; k < ix->ntouched; k++) {
    ix->score[ix->touched[k]] = 0;
    ix->hist[ix->touched[k]] = 0;
  }
  return MAAT_OK;
}

static double confidence(const double *w, const struct ranking *r)
{
  return sigmoid(w[0] + w[1] * r->margin + w[2] * r->cover + w[3] * r->hist);
}

static int lang_of_question(const char *q, size_t len, maat_lang *ql)
{
  double conf;

  *ql = maat_lang_detect(q, len, &conf);
  return *ql == MAAT_LANG_NL ? L_NL : *ql == MAAT_LANG_EN ? L_EN : L_OTHER;
}

/*
 * Self-calibration on the organisation's own history: each resolved
 * question (up to CAL_MAX of them) is asked without itself, and the
 * confidence's weights are fitted (logistic regression, pulled towards the
 * defaults) to whether the article it resolved came first. The threshold
 * is then the lowest at which CAL_PRECISION of those answers were right.
 * With fewer than CAL_MIN resolved questions the defaults stay.
 */
#define CAL_MIN 30
#define CAL_MAX 2000
#define CAL_PRECISION 0.92

static void calibrate(struct maat_kb *kb, struct index *ix)
{
  static const double defaults[4] = { C0, C_MARGIN, C_COVER, C_HIST };
  static const double prior[4] = { H_C0, H_C_MARGIN, H_C_COVER, C_HIST };
  size_t n = 0, step = ix->nhist > CAL_MAX ? ix->nhist / CAL_MAX + 1 : 1;
  double (*x)[4], *y, w[4];

  memcpy(ix->w, defaults, sizeof defaults);
  ix->threshold = DEFAULT_THRESHOLD;
  ix->ncal = 0;
  if (ix->nhist < CAL_MIN)
    return;
  x = maat__calloc(ix->nhist / step + 1, sizeof *x);
  y = maat__calloc(ix->nhist / step + 1, sizeof *y);
  if (!x || !y) {
    maat__free(x);
    maat__free(y);
    return;         /* no calibration: the defaults serve */
  }
  for (size_t h = 0; h < ix->nhist; h += step) {
    struct ranking r;
    maat_lang ql;
    const char *q = ix->htext[h];
    if (rank_question(kb, ix, q, strlen(q),
                      lang_of_question(q, strlen(q), &ql), (long)h, &r))
      continue;
    x[n][0] = 1;
    x[n][1] = r.margin;
    x[n][2] = r.cover;
    x[n][3] = r.hist;
    y[n++] = r.nranked && r.doc[0] == ix->hart[h];
  }
  /* Gradient descent on the log loss plus (lambda/2)|w - prior|^2. */
  memcpy(w, prior, sizeof w);
  for (int it = 0; it < 1500 && n; it++) {
    double g[4] = { 0, 0, 0, 0 }, lambda = 0.01;
    for (size_t k = 0; k < n; k++) {
      double p = sigmoid(w[0] + w[1] * x[k][1] + w[2] * x[k][2] +
                         w[3] * x[k][3]);
      for (int j = 0; j < 4; j++)
        g[j] += (p - y[k]) * x[k][j];
    }
    for (int j = 0; j < 4; j++)
      w[j] -= 0.5 * (g[j] / (double)n + lambda * (w[j] - prior[j]));
  }
  /* The lowest threshold whose answers were right often enough. */
  ix->threshold = 0.95;
  for (int t = 30; t <= 95; t += 5) {
    long ans = 0, right = 0;
    for (size_t k = 0; k < n; k++)
      if (sigmoid(w[0] + w[1] * x[k][1] + w[2] * x[k][2] +
                  w[3] * x[k][3]) >= t / 100.0) {
        ans++;
        right += y[k] > 0.5;
      }
    if (ans >= 20 && (double)right / (double)ans >= CAL_PRECISION) {
      ix->threshold = t / 100.0;
      break;
    }
  }
  memcpy(ix->w, w, sizeof w);
  ix->ncal = (long)n;
  maat__free(x);
  maat__free(y);
}

int maat_kb_ask(maat_kb *kb, const char *question, size_t len,
                struct maat_kb_answer *out)
{
  struct index *ix;
  struct ranking r;
  double conf, thr;
  int lang, rc;
  maat_lang ql;

  if (!kb || !question || !out)
    return maat__fail(MAAT_EINVAL, "maat_kb_ask: invalid argument");
  memset(out, 0, sizeof *out);
  lang = lang_of_question(question, len, &ql);
  if (lang != L_OTHER)
    snprintf(out->lang, sizeof out->lang, "%s", maat_lang_name(ql));
  pthread_mutex_lock(&kb->mu);
  ix = kb->ix;
  if ((rc = rank_question(kb, ix, question, len, lang, -1, &r))) {
    pthread_mutex_unlock(&kb->mu);
    return rc;
  }
  for (int k = 0; k < r.nsim; k++) {
    out->similar[k].question = maat__strdup(ix->htext[r.sim[k]]);
    snprintf(out->similar[k].article, sizeof out->similar[k].article, "%s",
             ix->arts[ix->hart[r.sim[k]]].id);
    out->similar[k].similarity = r.simcos[k];
    out->nsimilar = k + 1;
    if (!out->similar[k].question) {
      pthread_mutex_unlock(&kb->mu);
      maat_kb_answer_release(out);
      return maat__fail(MAAT_ENOMEM, "out of memory");
    }
  }
  out->nranked = r.nranked;
  for (int k = 0; k < r.nranked; k++) {
    snprintf(out->ranked[k].id, sizeof out->ranked[k].id, "%s",
             ix->arts[r.doc[k]].id);
    out->ranked[k].score = r.score[k];
  }
  if (!r.nranked) {
    out->why = "no article matches the question";
    pthread_mutex_unlock(&kb->mu);
    return MAAT_OK;
  }
  conf = confidence(ix->w, &r);
  thr = kb->opt.threshold > 0 ? kb->opt.threshold : ix->threshold;
  out->margin = r.margin;
  out->cover = r.cover;
  out->history = r.hist;
  {
    const struct article *a = &ix->arts[r.doc[0]];
    size_t p = best_passage(kb, ix, a, &r.q);
    const struct passage *ps = &ix->pass[p];
    snprintf(out->article, sizeof out->article, "%s", a->id);
    out->version = a->version;
    out->title = maat__strdup(a->title);
    out->url = maat__strdup(a->url);
    out->section = dup_range(a->body, ps->sec_start, ps->sec_end);
    out->passage = dup_range(a->body, ps->start, ps->end);
    out->passage_start = ps->start;
    out->passage_end = ps->end;
  }
  pthread_mutex_unlock(&kb->mu);
  if (!out->title || !out->url || !out->section || !out->passage) {
    maat_kb_answer_release(out);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  out->confidence = conf;
  out->answered = conf >= thr;
  if (!out->answered)
    out->why = "no answer confident enough: a person answers";
  return MAAT_OK;
}

void maat_kb_answer_release(struct maat_kb_answer *a)
{
  if (!a)
    return;
  maat__free(a->title);
  maat__free(a->url);
  maat__free(a->section);
  maat__free(a->passage);
  a->title = a->url = a->section = a->passage = NULL;
  for (int k = 0; k < a->nsimilar; k++) {
    maat__free(a->similar[k].question);
    a->similar[k].question = NULL;
  }
  a->nsimilar = 0;
}

/* ---- knowledge gaps ---- */

struct gq {
  char *text, *key, *lang;
  double t;
};

struct gaps_ctx {
  struct gq *q;
  size_t n, cap;
  int rc;
};

static int take_gap_q(void *ctx, const struct maat_store_kb_question *k)
{
  struct gaps_ctx *g = ctx;

  if (k->answered)
    return 0;
  if (g->n == g->cap) {
    size_t cap = g->cap ? g->cap * 2 : 64;
    struct gq *p = maat__realloc(g->q, cap * sizeof *p);
    if (!p)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    g->q = p;
    g->cap = cap;
  }
  memset(&g->q[g->n], 0, sizeof g->q[g->n]);
  g->q[g->n].t = k->t;
  g->q[g->n].text = maat__strdup(k->question);
  g->q[g->n].lang = maat__strdup(k->lang);
  if (!g->q[g->n].text || !g->q[g->n].lang)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  g->n++;
  return 0;
}

/* The stems of a question that carry its subject, rarest first. */
struct subj {
  char stem[8][72];
  double w[8];
  int n;
  const struct index *ix;
};

static int subj_term(void *ctx, const char *s, size_t n, int stop)
{
  struct subj *sj = ctx;
  int k, at;
  double w;

  if (stop || n < 3 || n >= sizeof sj->stem[0])
    return MAAT_OK;
  for (int i = 0; i < sj->n; i++)
    if (strlen(sj->stem[i]) == n && !memcmp(sj->stem[i], s, n))
      return MAAT_OK;
  k = term_find(sj->ix, s, n);
  /* A word the knowledge base lacks says most about a gap. */
  w = k >= 0 ? idf((double)sj->ix->narts, sj->ix->terms[k].df_body)
             : idf((double)sj->ix->narts, 0) + 1;
  /* Rarest first; of two as rare, the longer (it says more). */
  for (at = sj->n; at > 0 && (sj->w[at - 1] < w ||
                              (sj->w[at - 1] == w &&
                               strlen(sj->stem[at - 1]) < n));
       at--)
    ;
  if (at >= 8)
    return MAAT_OK;
  if (sj->n < 8)
    sj->n++;
  memmove(sj->stem[at + 1], sj->stem[at],
          (size_t)(sj->n - 1 - at) * sizeof sj->stem[0]);
  memmove(&sj->w[at + 1], &sj->w[at], (size_t)(sj->n - 1 - at) * sizeof sj->w[0]);
  memcpy(sj->stem[at], s, n);
  sj->stem[at][n] = 0;
  sj->w[at] = w;
  return MAAT_OK;
}

static int cmp_gap_key(const void *a, const void *b)
{
  const struct gq *x = a, *y = b;
  int c = strcmp(x->key, y->key);

  return c ? c : (x->t > y->t) - (x->t < y->t);
}

int maat_kb_gaps(maat_kb *kb, double since, double now, int min_count,
                 char **out)
{
  struct gaps_ctx g = { NULL, 0, 0, 0 };
  json_t *root, *list;
  int rc;

  if (!kb || !out)
    return maat__fail(MAAT_EINVAL, "maat_kb_gaps: invalid argument");
  if (min_count < 1)
    min_count = 1;
  if ((rc = maat_store_kb_questions(kb->st, since, take_gap_q, &g)))
    goto done;
  /*
   * Each question's subject: of its rarer words (stems), the one most of
   * the unanswered questions share; of those as shared, the rarest in the
   * knowledge base. "aquarium" in three questions beats "toegestaan" in
   * one.
   */
  {
    struct subj *sj = maat__calloc(g.n ? g.n : 1, sizeof *sj);
    struct maat_map df = MAAT_MAP_INIT;
    if (!sj) {
      rc = maat__fail(MAAT_ENOMEM, "out of memory");
      goto done;
    }
    pthread_mutex_lock(&kb->mu);
    for (size_t i = 0; i < g.n && !rc; i++) {
      sj[i].ix = kb->ix;
      rc = each_term(kb, g.q[i].text, strlen(g.q[i].text),
                     lang_of(g.q[i].lang), subj_term, &sj[i]);
    }
    pthread_mutex_unlock(&kb->mu);
    for (size_t i = 0; i < g.n && !rc; i++)
      for (int k = 0; k < sj[i].n && !rc; k++) {
        uintptr_t c = (uintptr_t)maat__map_get(&df, sj[i].stem[k]);
        rc = maat__map_put(&df, sj[i].stem[k], (void *)(c + 1));
      }
    for (size_t i = 0; i < g.n && !rc; i++) {
      int best = -1;
      uintptr_t best_df = 0;
      for (int k = 0; k < sj[i].n; k++) {
        uintptr_t c = (uintptr_t)maat__map_get(&df, sj[i].stem[k]);
        if (c > best_df) {
          best_df = c;
          best = k;
        }
      }
      g.q[i].key = maat__strdup(best >= 0 ? sj[i].stem[best] : "(no words)");
      if (!g.q[i].key)
        rc = maat__fail(MAAT_ENOMEM, "out of memory");
    }
    maat__map_release(&df);
    maat__free(sj);
    if (rc)
      goto done;
  }
  if (g.n)
    qsort(g.q, g.n, sizeof *g.q, cmp_gap_key);
  root = json_object();
  list = json_array();
  for (size_t i = 0; i < g.n;) {
    size_t j = i;
    long last7 = 0, prev7 = 0;
    json_t *ex = json_array(), *langs = json_object();
    while (j < g.n && !strcmp(g.q[j].key, g.q[i].key))
      j++;
    for (size_t k = i; k < j; k++) {
      if (g.q[k].t >= now - 7 * 86400)
        last7++;
      else if (g.q[k].t >= now - 14 * 86400)
        prev7++;
      if (g.q[k].lang[0])
        json_object_set_new(langs, g.q[k].lang, json_true());
    }
    /* The newest three as examples. */
    for (size_t k = j; k > i && json_array_size(ex) < 3; k--)
      json_array_append_new(ex, json_string(g.q[k - 1].text));
    if ((long)(j - i) >= min_count) {
      json_t *langa = json_array();
      const char *key;
      json_t *v;
      json_object_foreach(langs, key, v)
        json_array_append_new(langa, json_string(key));
      json_array_append_new(list, json_pack(
          "{s:s, s:I, s:o, s:o, s:{s:I, s:I}}", "topic", g.q[i].key,
          "count", (json_int_t)(j - i), "examples", ex, "languages", langa,
          "trend", "last_7_days", (json_int_t)last7, "previous_7_days",
          (json_int_t)prev7));
    } else {
      json_decref(ex);
    }
    json_decref(langs);
    i = j;
  }
  /* The biggest gaps first. */
  {
    size_t n = json_array_size(list);
    for (size_t a = 1; a < n; a++)
      for (size_t b = a; b > 0; b--) {
        json_t *x = json_array_get(list, b - 1), *y = json_array_get(list, b);
        if (json_integer_value(json_object_get(x, "count")) >=
            json_integer_value(json_object_get(y, "count")))
          break;
        json_incref(x);
        json_array_set(list, b - 1, y);
        json_array_set_new(list, b, x);
      }
  }
  json_object_set_new(root, "since", json_real(since));
  json_object_set_new(root, "questions", json_integer((json_int_t)g.n));
  json_object_set_new(root, "gaps", list);
  {
    char *s = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(root);
    *out = s ? maat__strdup(s) : NULL;
    free(s);
    if (!*out)
      rc = maat__fail(MAAT_ENOMEM, "out of memory");
  }
done:
  for (size_t i = 0; i < g.n; i++) {
    maat__free(g.q[i].text);
    maat__free(g.q[i].key);
    maat__free(g.q[i].lang);
  }
  maat__free(g.q);
  return rc;
}

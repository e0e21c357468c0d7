/*
 * model.c - datasets, model accessors and prediction: hash a message's
 * features, add the rows of the buckets seen in training, softmax at the
 * calibrated temperature, apply the out-of-scope threshold.
 */
#include "classify-int.h"

#include <math.h>
#include <string.h>

/* ---- datasets ---------------------------------------------------------- */

struct maat_dataset {
  size_t n, cap;
  char **texts;
  size_t *lens;
  char **labels;
};

int maat_dataset_new(maat_dataset **out)
{
  maat_dataset *d = maat__calloc(1, sizeof *d);
  if (!d)
    return maat__fail(MAAT_ENOMEM, "out of memory creating a dataset");
  *out = d;
  return MAAT_OK;
}

void maat_dataset_free(maat_dataset *d)
{
  if (!d)
    return;
  for (size_t i = 0; i < d->n; i++) {
    maat__free(d->texts[i]);
    maat__free(d->labels[i]);
  }
  maat__free(d->texts);
  maat__free(d->lens);
  maat__free(d->labels);
  maat__free(d);
}

int maat_dataset_add(maat_dataset *d, const char *text, size_t len,
                     const char *label)
{
  char *t, *l;

  if (!label || !*label)
    return maat__fail(MAAT_EINVAL, "empty label");
  if (d->n == d->cap) {
    size_t cap = d->cap ? d->cap * 2 : 1024;
    char **nt = maat__realloc(d->texts, cap * sizeof *nt);
    if (!nt)
      return maat__fail(MAAT_ENOMEM, "out of memory growing a dataset");
    d->texts = nt;
    char **nl = maat__realloc(d->labels, cap * sizeof *nl);
    if (!nl)
      return maat__fail(MAAT_ENOMEM, "out of memory growing a dataset");
    d->labels = nl;
    size_t *ns = maat__realloc(d->lens, cap * sizeof *ns);
    if (!ns)
      return maat__fail(MAAT_ENOMEM, "out of memory growing a dataset");
    d->lens = ns;
    d->cap = cap;
  }
  t = maat__strndup(text, len);
  l = maat__strdup(label);
  if (!t || !l) {
    maat__free(t);
    maat__free(l);
    return maat__fail(MAAT_ENOMEM, "out of memory adding to a dataset");
  }
  d->texts[d->n] = t;
  d->lens[d->n] = len;
  d->labels[d->n] = l;
  d->n++;
  return MAAT_OK;
}

size_t maat_dataset_count(const maat_dataset *d)
{
  return d ? d->n : 0;
}

const char *maat_dataset_text(const maat_dataset *d, size_t i, size_t *len)
{
  if (i >= d->n)
    return NULL;
  if (len)
    *len = d->lens[i];
  return d->texts[i];
}

const char *maat_dataset_label(const maat_dataset *d, size_t i)
{
  return i < d->n ? d->labels[i] : NULL;
}

/* ---- models ------------------------------------------------------------ */

void maat_model_free(maat_model *m)
{
  if (!m)
    return;
  if (m->labels)
    for (uint32_t i = 0; i < m->n_labels; i++)
      maat__free(m->labels[i]);
  maat__free(m->labels);
  maat__free(m->oos_name);
  maat__free(m->sensitive);
  maat__free(m->index);
  if (!m->owned) {
    maat__free(m->buckets);
    maat__free(m->bias);
  }
  maat__free(m->w_owned);
  maat__free(m->owned);
  maat__free(m);
}

size_t maat_model_label_count(const maat_model *m)
{
  return m->n_labels;
}

const char *maat_model_label(const maat_model *m, size_t i)
{
  return i < m->n_labels ? m->labels[i] : NULL;
}

long maat_model_label_index(const maat_model *m, const char *name)
{
  for (uint32_t i = 0; i < m->n_labels; i++)
    if (!strcmp(m->labels[i], name))
      return (long)i;
  return -1;
}

const char *maat_model_oos_label(const maat_model *m)
{
  return m->oos_name;
}

double maat_model_threshold(const maat_model *m)
{
  return m->threshold;
}

double maat_model_temperature(const maat_model *m)
{
  return m->temperature;
}

size_t maat_model_rows(const maat_model *m)
{
  return m->n_rows;
}

int maat__model_build_index(struct maat_model *m)
{
  size_t size = (size_t)1 << m->fo.hash_bits;

  maat__free(m->index);
  m->index = maat__malloc(size * sizeof *m->index);
  if (!m->index)
    return maat__fail(MAAT_ENOMEM, "out of memory building the bucket index");
  memset(m->index, 0xff, size * sizeof *m->index);
  for (uint32_t r = 0; r < m->n_rows; r++) {
    uint32_t b = m->buckets[r];
    if (b >= size || m->index[b] >= 0)
      return maat__fail(MAAT_ECORRUPT, "bucket %u of row %u is %s", b, r,
                        b >= size ? "out of range" : "a duplicate");
    m->index[b] = (int32_t)r;
  }
  return MAAT_OK;
}

void maat__model_scores(const struct maat_model *m, uint32_t *ids,
                        size_t n, float *z)
{
  size_t k = m->n_labels, nr = 0;
  float s = n ? 1.0f / sqrtf((float)n) : 0.0f;

  /*
   * Look up every row first: the lookups are independent, so their cache
   * misses overlap, and the rows are prefetched before they are summed.
   * Buckets never seen in training have all-zero weights and are skipped,
   * but still count in the 1/sqrt(n) scale, as in training.
   */
  for (size_t i = 0; i < n; i++) {
    int32_t r = m->index[ids[i]];
    if (r >= 0) {
      ids[nr++] = (uint32_t)r;
      __builtin_prefetch(m->w + (size_t)r * k);
    }
  }
  maat__sum_rows(z, m->w, ids, nr, k);
  for (size_t j = 0; j < k; j++)
    z[j] = z[j] * s + m->bias[j];
}

void maat__softmax(const float *z, size_t n, double temperature, double *p)
{
  double mx = z[0], sum = 0, inv = 1.0 / temperature;
  for (size_t j = 1; j < n; j++)
    if (z[j] > mx)
      mx = z[j];
  for (size_t j = 0; j < n; j++) {
    p[j] = exp((z[j] - mx) * inv);
    sum += p[j];
  }
  for (size_t j = 0; j < n; j++)
    p[j] /= sum;
}

double maat_ece(const double *conf, const unsigned char *correct, size_t n,
                int bins)
{
  double cs[64] = { 0 }, as[64] = { 0 }, e = 0;
  size_t cnt[64] = { 0 };

  if (n == 0 || bins < 1)
    return 0;
  if (bins > 64)
    bins = 64;
  for (size_t i = 0; i < n; i++) {
    int b = (int)(conf[i] * bins);
    if (b >= bins)
      b = bins - 1;
    if (b < 0)
      b = 0;
    cs[b] += conf[i];
    as[b] += correct[i] ? 1 : 0;
    cnt[b]++;
  }
  for (int b = 0; b < bins; b++)
    if (cnt[b])
      e += fabs(as[b] - cs[b]) / (double)n;
  return e;
}

/* ---- tokens to features ------------------------------------------- */

int maat__textfeat_init(struct maat__textfeat *tf, uint32_t flags)
{
  int rc;

  memset(tf, 0, sizeof *tf);
  tf->tok = maat_tokenizer_new();
  if (!tf->tok)
    return maat__fail(MAAT_ENOMEM, "out of memory creating a tokenizer");
  if (flags & MAAT_FEATURE_STEM) {
    rc = maat_stemmer_new(MAAT_LANG_EN, &tf->stem_en);
    if (!rc)
      rc = maat_stemmer_new(MAAT_LANG_NL, &tf->stem_nl);
    if (rc) {
      maat__textfeat_release(tf);
      return rc;
    }
  }
  return MAAT_OK;
}

void maat__textfeat_release(struct maat__textfeat *tf)
{
  maat_tokenizer_free(tf->tok);
  maat_stemmer_free(tf->stem_en);
  maat_stemmer_free(tf->stem_nl);
  maat__free(tf->stems);
  maat__buf_release(&tf->stembuf);
  memset(tf, 0, sizeof *tf);
}

/* Fills tf->stems with the stem of every word token (others get NULL). */
static int stem_tokens(struct maat__textfeat *tf, const char *text, size_t len,
                       const maat_token *toks, size_t n)
{
  maat_stemmer *st;
  maat_lang lang = maat_lang_detect(text, len, NULL);
  int rc;

  st = lang == MAAT_LANG_NL ? tf->stem_nl : tf->stem_en;
  if (n > tf->stems_cap) {
    maat_token *p = maat__realloc(tf->stems, n * sizeof *p);
    if (!p)
      return maat__fail(MAAT_ENOMEM, "out of memory stemming");
    tf->stems = p;
    tf->stems_cap = n;
  }
  /* Stems go into one buffer; pointers are fixed up once it stops moving. */
  tf->stembuf.len = 0;
  for (size_t i = 0; i < n; i++) {
    const char *s;
    size_t sl;

    tf->stems[i].text = NULL;
    tf->stems[i].len = 0;
    if (toks[i].kind != MAAT_TOK_WORD)
      continue;
    rc = maat_stem(st, toks[i].text, toks[i].len, &s, &sl);
    if (rc)
      return rc;
    tf->stems[i].start = tf->stembuf.len;
    tf->stems[i].len = sl;
    rc = maat__buf_append(&tf->stembuf, s, sl);
    if (rc)
      return rc;
    tf->stems[i].text = ""; /* marks "has a stem" until fixed up */
  }
  for (size_t i = 0; i < n; i++)
    if (tf->stems[i].text)
      tf->stems[i].text = tf->stembuf.data + tf->stems[i].start;
  return MAAT_OK;
}

int maat__text_features(const struct maat_feat_opts *o,
                        struct maat__textfeat *tf, const char *text,
                        size_t len, struct maat_featbuf *fb)
{
  size_t n;
  const maat_token *toks;
  int rc;

  fb->n = 0;
  rc = maat_tokenize(tf->tok, text, len, 0);
  if (rc)
    return rc;
  n = maat_tokenizer_count(tf->tok);
  if (n == 0)
    return MAAT_OK;
  toks = maat_tokenizer_get(tf->tok, 0);
  if (o->flags & MAAT_FEATURE_STEM) {
    rc = stem_tokens(tf, text, len, toks, n);
    if (rc)
      return rc;
    return maat__features(o, toks, n, tf->stems, fb);
  }
  return maat__features(o, toks, n, NULL, fb);
}

/* ---- prediction -------------------------------------------------------- */

struct maat_predictor {
  const struct maat_model *m;
  struct maat__textfeat tf;
  struct maat_featbuf fb;
  float *z;
  double *p;
  maat_candidate *top;
};

int maat_predictor_new(const maat_model *m, maat_predictor **out)
{
  maat_predictor *p = maat__calloc(1, sizeof *p);
  int rc;

  if (!p)
    return maat__fail(MAAT_ENOMEM, "out of memory creating a predictor");
  p->m = m;
  rc = maat__textfeat_init(&p->tf, m->fo.flags);
  if (rc) {
    maat__free(p);
    return rc;
  }
  p->z = maat__malloc(m->n_labels * sizeof *p->z);
  p->p = maat__malloc(m->n_labels * sizeof *p->p);
  p->top = maat__malloc(m->n_labels * sizeof *p->top);
  if (!p->z || !p->p || !p->top) {
    maat_predictor_free(p);
    return maat__fail(MAAT_ENOMEM, "out of memory creating a predictor");
  }
  *out = p;
  return MAAT_OK;
}

void maat_predictor_free(maat_predictor *p)
{
  if (!p)
    return;
  maat__textfeat_release(&p->tf);
  maat__featbuf_release(&p->fb);
  maat__free(p->z);
  maat__free(p->p);
  maat__free(p->top);
  maat__free(p);
}

int maat_predict(maat_predictor *p, const char *text, size_t len, size_t k,
                 double threshold, maat_prediction *out)
{
  const struct maat_model *m = p->m;
  size_t nl = m->n_labels;
  int rc;

  rc = maat__text_features(&m->fo, &p->tf, text, len, &p->fb);
  if (rc)
    return rc;
  maat__model_scores(m, p->fb.ids, p->fb.n, p->z);
  maat__softmax(p->z, nl, m->temperature, p->p);
  if (k < 1)
    k = 1;
  if (k > nl)
    k = nl;
  /* Insertion into a k-long sorted list: k is small, labels few hundred. */
  for (size_t j = 0, n = 0; j < nl; j++) {
    double v = p->p[j];
    size_t pos;
    if (n == k && v <= p->top[k - 1].prob)
      continue;
    pos = n < k ? n++ : k - 1;
    while (pos > 0 && p->top[pos - 1].prob < v) {
      p->top[pos] = p->top[pos - 1];
      pos--;
    }
    p->top[pos].label = j;
    p->top[pos].prob = v;
  }
  if (threshold < 0)
    threshold = m->threshold;
  out->top = p->top;
  out->n_top = k;
  out->confidence = p->top[0].prob;
  out->below_threshold = p->top[0].prob < threshold;
  if (out->below_threshold) {
    out->label = m->oos_name;
    out->label_index = m->oos_index;
  } else {
    out->label = m->labels[p->top[0].label];
    out->label_index = (long)p->top[0].label;
  }
  return MAAT_OK;
}

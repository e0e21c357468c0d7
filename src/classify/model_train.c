/*
 * model_train.c - training the linear classifier: hash every training
 * message once, give each seen bucket a weight row, run SGD on the softmax
 * loss with a linearly decaying learning rate (Hogwild over threads), then
 * fit the softmax temperature and the out-of-scope threshold on held-out
 * data.
 */
#include "classify-int.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Hashed messages: the rows of each, flattened, plus its label. */
struct hashed {
  uint32_t *rows;
  size_t *off; /* n + 1 */
  uint32_t *y;
  size_t n;
};

static void hashed_release(struct hashed *h)
{
  maat__free(h->rows);
  maat__free(h->off);
  maat__free(h->y);
  memset(h, 0, sizeof *h);
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A small open-addressing map from label name to index. */
struct labelmap {
  char **names; /* borrowed */
  int32_t *slot;
  size_t mask;
};

static int labelmap_init(struct labelmap *lm, char **names, size_t n)
{
  size_t cap = 16;
  while (cap < n * 2)
    cap *= 2;
  lm->names = names;
  lm->mask = cap - 1;
  lm->slot = maat__malloc(cap * sizeof *lm->slot);
  if (!lm->slot)
    return maat__fail(MAAT_ENOMEM, "out of memory indexing labels");
  memset(lm->slot, 0xff, cap * sizeof *lm->slot);
  for (size_t i = 0; i < n; i++) {
    size_t h = maat__hash64(names[i], strlen(names[i]), 0) & lm->mask;
    while (lm->slot[h] >= 0)
      h = (h + 1) & lm->mask;
    lm->slot[h] = (int32_t)i;
  }
  return MAAT_OK;
}

struct label_ctx {
  const struct labelmap *lm;
  const maat_dataset *d;
};

static int32_t labelmap_get(const struct labelmap *lm, const char *name);

static int label_of(void *ctx, size_t i)
{
  struct label_ctx *c = ctx;
  return labelmap_get(c->lm, maat_dataset_label(c->d, i));
}

static int32_t labelmap_get(const struct labelmap *lm, const char *name)
{
  size_t h = maat__hash64(name, strlen(name), 0) & lm->mask;
  while (lm->slot[h] >= 0) {
    if (!strcmp(lm->names[lm->slot[h]], name))
      return lm->slot[h];
    h = (h + 1) & lm->mask;
  }
  return -1;
}

/* Collects the sorted, distinct labels of the chosen messages. */
static int collect_labels(const maat_dataset *d, const size_t *idx, size_t n,
                          char ***out, uint32_t *n_out)
{
  const char **all = maat__malloc((n ? n : 1) * sizeof *all);
  char **labels;
  size_t k = 0;

  if (!all)
    return maat__fail(MAAT_ENOMEM, "out of memory collecting labels");
  for (size_t i = 0; i < n; i++)
    all[i] = maat_dataset_label(d, idx[i]);
  qsort(all, n, sizeof *all, cmp_str);
  for (size_t i = 0; i < n; i++)
    if (i == 0 || strcmp(all[i], all[i - 1]))
      all[k++] = all[i];
  labels = maat__calloc(k ? k : 1, sizeof *labels);
  if (!labels) {
    maat__free(all);
    return maat__fail(MAAT_ENOMEM, "out of memory collecting labels");
  }
  for (size_t i = 0; i < k; i++) {
    labels[i] = maat__strdup(all[i]);
    if (!labels[i]) {
      for (size_t j = 0; j < i; j++)
        maat__free(labels[j]);
      maat__free(labels);
      maat__free(all);
      return maat__fail(MAAT_ENOMEM, "out of memory collecting labels");
    }
  }
  maat__free(all);
  *out = labels;
  *n_out = (uint32_t)k;
  return MAAT_OK;
}

/*
 * Hashes messages 'idx' of 'd'. With 'grow', unseen buckets get new rows
 * (m->index, m->buckets, m->n_rows grow); without, unseen buckets are left
 * out of 'rows' but still counted in the 1/sqrt(n) scale through 'nfeat'.
 * Messages whose label is unknown get y = UINT32_MAX.
 */
static int hash_messages(struct maat_model *m, const maat_dataset *d,
                         const size_t *idx, size_t n,
                         const struct labelmap *lm, int grow,
                         struct hashed *h, uint32_t **nfeat_out,
                         size_t *bucket_cap)
{
  struct maat__textfeat tf;
  struct maat_featbuf fb = { NULL, 0, 0 };
  size_t cap = 0, used = 0;
  uint32_t *nfeat = NULL;
  int rc;

  memset(h, 0, sizeof *h);
  rc = maat__textfeat_init(&tf, m->fo.flags);
  if (rc)
    return rc;
  h->off = maat__malloc((n + 1) * sizeof *h->off);
  h->y = maat__malloc((n ? n : 1) * sizeof *h->y);
  if (nfeat_out)
    nfeat = maat__malloc((n ? n : 1) * sizeof *nfeat);
  if (!h->off || !h->y || (nfeat_out && !nfeat)) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory hashing messages");
    goto out;
  }
  h->n = n;
  h->off[0] = 0;
  for (size_t i = 0; i < n; i++) {
    size_t len;
    const char *text = maat_dataset_text(d, idx[i], &len);
    int32_t y = labelmap_get(lm, maat_dataset_label(d, idx[i]));

    h->y[i] = y < 0 ? UINT32_MAX : (uint32_t)y;
    rc = maat__text_features(&m->fo, &tf, text, len, &fb);
    if (rc) {
      rc = maat__fail_prefix(rc, "message %zu", idx[i] + 1);
      goto out;
    }
    if (nfeat)
      nfeat[i] = (uint32_t)fb.n;
    if (used + fb.n > cap) {
      size_t nc = cap ? cap : 4096;
      uint32_t *p;
      while (nc < used + fb.n)
        nc *= 2;
      p = maat__realloc(h->rows, nc * sizeof *p);
      if (!p) {
        rc = maat__fail(MAAT_ENOMEM, "out of memory hashing messages");
        goto out;
      }
      h->rows = p;
      cap = nc;
    }
    for (size_t j = 0; j < fb.n; j++) {
      int32_t r = m->index[fb.ids[j]];
      if (r < 0) {
        if (!grow)
          continue;
        if (m->n_rows == *bucket_cap) {
          size_t nc = *bucket_cap ? *bucket_cap * 2 : 4096;
          uint32_t *p = maat__realloc(m->buckets, nc * sizeof *p);
          if (!p) {
            rc = maat__fail(MAAT_ENOMEM, "out of memory adding weight rows");
            goto out;
          }
          m->buckets = p;
          *bucket_cap = nc;
        }
        r = (int32_t)m->n_rows++;
        m->buckets[r] = fb.ids[j];
        m->index[fb.ids[j]] = r;
      }
      h->rows[used++] = (uint32_t)r;
    }
    h->off[i + 1] = used;
  }
  rc = MAAT_OK;
out:
  maat__textfeat_release(&tf);
  maat__featbuf_release(&fb);
  if (rc) {
    hashed_release(h);
    maat__free(nfeat);
  } else if (nfeat_out) {
    *nfeat_out = nfeat;
  }
  return rc;
}

/* ---- SGD ------------------------------------------------------------- */

struct worker {
  struct maat_model *m;
  const struct hashed *h;
  size_t *order; /* this worker's slice of message indices */
  size_t n;
  int epochs;
  double lr0;
  uint64_t seed;
  double loss;   /* average over the last epoch */
  const maat_train_opts *opts;
  int report;    /* this worker reports progress */
};

static void *worker_run(void *arg)
{
  struct worker *wk = arg;
  struct maat_model *m = wk->m;
  size_t k = m->n_labels;
  float *z = maat__malloc(k * sizeof *z);
  struct maat_rng rng;
  size_t total = (size_t)wk->epochs * wk->n, step = 0;

  if (!z)
    return (void *)1;
  maat__rng_seed(&rng, wk->seed);
  for (int e = 0; e < wk->epochs; e++) {
    double loss = 0;
    /* A fresh shuffle per epoch, from the seed. */
    for (size_t i = wk->n; i > 1; i--) {
      size_t j = (size_t)maat__rng_below(&rng, i);
      size_t t = wk->order[i - 1];
      wk->order[i - 1] = wk->order[j];
      wk->order[j] = t;
    }
    for (size_t i = 0; i < wk->n; i++, step++) {
      size_t ex = wk->order[i];
      const uint32_t *rows = wk->h->rows + wk->h->off[ex];
      size_t nf = wk->h->off[ex + 1] - wk->h->off[ex];
      uint32_t y = wk->h->y[ex];
      float lr = (float)(wk->lr0 * (1.0 - (double)step / (double)total));
      float s = nf ? 1.0f / sqrtf((float)nf) : 0.0f;
      float mx, sum = 0, a;

      maat__sum_rows(z, m->w, rows, nf, k);
      for (size_t j = 0; j < k; j++)
        z[j] = z[j] * s + m->bias[j];
      mx = z[0];
      for (size_t j = 1; j < k; j++)
        if (z[j] > mx)
          mx = z[j];
      for (size_t j = 0; j < k; j++) {
        z[j] = expf(z[j] - mx);
        sum += z[j];
      }
      /* z becomes the gradient p - onehot(y), scaled by -lr. */
      a = 1.0f / sum;
      loss -= log((double)z[y] * a + 1e-12);
      for (size_t j = 0; j < k; j++)
        z[j] = -lr * (z[j] * a);
      z[y] += lr;
      for (size_t j = 0; j < k; j++)
        m->bias[j] += z[j];
      for (size_t j = 0; j < k; j++)
        z[j] *= s;
      for (size_t f = 0; f < nf; f++)
        maat__add1(m->w + (size_t)rows[f] * k, z, k);
      if (wk->report && wk->opts->progress && (step & 1023) == 0)
        wk->opts->progress(wk->opts->progress_userdata,
                           (double)step / (double)total,
                           i ? loss / (double)i : 0);
    }
    wk->loss = wk->n ? loss / (double)wk->n : 0;
  }
  maat__free(z);
  return NULL;
}

/* ---- calibration ------------------------------------------------------ */

/* Mean negative log-likelihood of the known-label rows of 'zs' at 't'. */
static double nll_at(const float *zs, const uint32_t *y, size_t n, size_t k,
                     double t)
{
  double total = 0;
  size_t cnt = 0;
  for (size_t i = 0; i < n; i++) {
    const float *z = zs + i * k;
    double mx = z[0], sum = 0;
    if (y[i] == UINT32_MAX)
      continue;
    for (size_t j = 1; j < k; j++)
      if (z[j] > mx)
        mx = z[j];
    for (size_t j = 0; j < k; j++)
      sum += exp((z[j] - mx) / t);
    total += log(sum) - (z[y[i]] - mx) / t;
    cnt++;
  }
  return cnt ? total / (double)cnt : 0;
}

/* Golden-section search for the temperature on a log scale. */
static double fit_temperature(const float *zs, const uint32_t *y, size_t n,
                              size_t k)
{
  const double g = 0.6180339887498949;
  double a = log(0.05), b = log(20.0);
  double c = b - g * (b - a), d = a + g * (b - a);
  double fc = nll_at(zs, y, n, k, exp(c)), fd = nll_at(zs, y, n, k, exp(d));

  for (int it = 0; it < 40; it++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = nll_at(zs, y, n, k, exp(c));
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = nll_at(zs, y, n, k, exp(d));
    }
  }
  return exp((a + b) / 2);
}

struct confpair {
  double conf;
  int top_ok;
  int is_oos;
};

/* Whether any validation message is labelled out of scope. */
static int any_oos(const struct confpair *cp, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (cp[i].is_oos)
      return 1;
  return 0;
}

static int cmp_conf(const void *a, const void *b)
{
  double x = ((const struct confpair *)a)->conf;
  double y = ((const struct confpair *)b)->conf;
  return (x > y) - (x < y);
}

/*
 * Calibrates 'm' on the validation messages: temperature by NLL, ECE before
 * and after, and (when asked) the threshold that maximises validation
 * accuracy with low-confidence predictions turned into the oos label.
 */
/* Without out-of-scope examples, the share of in-scope validation messages
 * the threshold keeps. */
#define IN_SCOPE_KEEP 0.80

static int calibrate(struct maat_model *m, const maat_dataset *d,
                     const size_t *idx, size_t n, const struct labelmap *lm,
                     double threshold, maat_train_report *rep)
{
  struct hashed h;
  uint32_t *nfeat = NULL;
  size_t k = m->n_labels, known = 0, ok = 0;
  float *zs = NULL;
  double *p = NULL, *conf = NULL;
  unsigned char *corr = NULL;
  struct confpair *cp = NULL;
  int rc;

  rc = hash_messages(m, d, idx, n, lm, 0, &h, &nfeat, NULL);
  if (rc)
    return rc;
  zs = maat__malloc((n ? n : 1) * k * sizeof *zs);
  p = maat__malloc(k * sizeof *p);
  conf = maat__malloc((n ? n : 1) * sizeof *conf);
  corr = maat__malloc(n ? n : 1);
  cp = maat__malloc((n ? n : 1) * sizeof *cp);
  if (!zs || !p || !conf || !corr || !cp) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory calibrating");
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    float *z = zs + i * k;
    float s = nfeat[i] ? 1.0f / sqrtf((float)nfeat[i]) : 0.0f;
    maat__sum_rows(z, m->w, h.rows + h.off[i], h.off[i + 1] - h.off[i], k);
    for (size_t j = 0; j < k; j++)
      z[j] = z[j] * s + m->bias[j];
  }
  for (int pass = 0; pass < 2; pass++) {
    double t = pass ? fit_temperature(zs, h.y, n, k) : 1.0;
    known = ok = 0;
    for (size_t i = 0; i < n; i++) {
      size_t best = 0;
      if (h.y[i] == UINT32_MAX)
        continue;
      maat__softmax(zs + i * k, k, t, p);
      for (size_t j = 1; j < k; j++)
        if (p[j] > p[best])
          best = j;
      conf[known] = p[best];
      corr[known] = best == h.y[i];
      cp[known].conf = p[best];
      cp[known].top_ok = best == h.y[i];
      cp[known].is_oos = m->oos_index >= 0 && h.y[i] == (uint32_t)m->oos_index;
      ok += corr[known];
      known++;
    }
    if (pass == 0) {
      rep->ece_before = maat_ece(conf, corr, known, 15);
    } else {
      rep->ece_after = maat_ece(conf, corr, known, 15);
      m->temperature = (float)t;
    }
  }
  rep->valid_unknown = n - known;
  rep->valid_accuracy = known ? (double)ok / (double)known : -1;
  if (threshold < 0 && m->oos_index >= 0 && known) {
    /* Sweep thresholds upwards through the sorted confidences. */
    size_t acc = ok, best_acc = ok, n_oos = 0;
    double best_t = 0;
    for (size_t i = 0; i < known; i++)
      n_oos += (size_t)cp[i].is_oos;
    qsort(cp, known, sizeof *cp, cmp_conf);
    for (size_t i = 0; n_oos && i < known; i++) {
      acc = acc - (size_t)cp[i].top_ok + (size_t)cp[i].is_oos;
      if (i + 1 < known && cp[i + 1].conf == cp[i].conf)
        continue;
      if (acc > best_acc) {
        best_acc = acc;
        best_t = i + 1 < known ? (cp[i].conf + cp[i + 1].conf) / 2
                               : cp[i].conf + 1e-6;
      }
    }
    m->threshold = (float)best_t;
  }
  if (threshold < 0 && known && !any_oos(cp, known)) {
    /*
     * No out-of-scope examples, the usual case: the threshold keeps
     * IN_SCOPE_KEEP of the in-scope validation messages, so a message the
     * model is less sure of than the least sure fifth of what it knows
     * goes to a person (docs/internals/classifier.md; measured on CLINC150
     * without its oos examples in bench/README.md).
     */
    qsort(cp, known, sizeof *cp, cmp_conf);
    m->threshold = (float)cp[(size_t)((1 - IN_SCOPE_KEEP) * known)].conf;
    rep->threshold_kept = IN_SCOPE_KEEP;
  }
  rc = MAAT_OK;
out:
  hashed_release(&h);
  maat__free(nfeat);
  maat__free(zs);
  maat__free(p);
  maat__free(conf);
  maat__free(corr);
  maat__free(cp);
  return rc;
}

/* ---- training --------------------------------------------------------- */

int maat_model_train(const maat_dataset *train, const maat_train_opts *opts,
                     maat_model **out, maat_train_report *report)
{
  static const maat_train_opts defaults = MAAT_TRAIN_OPTS_INIT;
  struct maat_model *m = NULL;
  struct labelmap lm = { NULL, NULL, 0 };
  struct hashed h = { NULL, NULL, NULL, 0 };
  maat_train_report rep;
  size_t n = maat_dataset_count(train), n_valid = 0, n_train, bucket_cap = 0;
  size_t *idx = NULL, *vidx = NULL, *order = NULL;
  struct worker *wk = NULL;
  pthread_t *tids = NULL;
  const maat_dataset *vd = NULL;
  int rc, threads;

  if (!opts)
    opts = &defaults;
  memset(&rep, 0, sizeof rep);
  rep.valid_accuracy = -1;
  if (opts->epochs < 1 || opts->epochs > 10000)
    return maat__fail(MAAT_EINVAL, "epochs %d out of range 1..10000",
                      opts->epochs);
  if (!(opts->lr > 0) || opts->lr > 100)
    return maat__fail(MAAT_EINVAL, "learning rate %g out of range", opts->lr);
  if (opts->threads < 1 || opts->threads > 256)
    return maat__fail(MAAT_EINVAL, "threads %d out of range 1..256",
                      opts->threads);
  if (!(opts->valid_split >= 0 && opts->valid_split < 1))
    return maat__fail(MAAT_EINVAL, "validation split %g out of range [0, 1)",
                      opts->valid_split);
  if (opts->threshold > 1)
    return maat__fail(MAAT_EINVAL, "threshold %g above 1", opts->threshold);
  if (n == 0)
    return maat__fail(MAAT_EINVAL, "no training messages");

  m = maat__calloc(1, sizeof *m);
  if (!m)
    return maat__fail(MAAT_ENOMEM, "out of memory creating a model");
  m->fo.hash_bits = (uint32_t)opts->hash_bits;
  m->fo.word_ngrams = (uint32_t)opts->word_ngrams;
  m->fo.minn = (uint32_t)(opts->maxn > 0 ? opts->minn : 0);
  m->fo.maxn = (uint32_t)(opts->maxn > 0 ? opts->maxn : 0);
  m->fo.flags = opts->flags;
  m->temperature = 1;
  m->threshold = opts->threshold > 0 ? (float)opts->threshold : 0;
  if (opts->hash_bits < 0 || opts->word_ngrams < 0 || opts->minn < 0 ||
      opts->maxn < 0) {
    rc = maat__fail(MAAT_EINVAL, "feature settings must not be negative");
    goto out;
  }
  rc = maat__feat_check(&m->fo);
  if (rc)
    goto out;

  /* Split: a seeded permutation; the first n_valid go to validation. */
  idx = maat__malloc(n * sizeof *idx);
  if (!idx) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory splitting the data");
    goto out;
  }
  for (size_t i = 0; i < n; i++)
    idx[i] = i;
  if (opts->valid) {
    vd = opts->valid;
    n_valid = maat_dataset_count(vd);
    vidx = maat__malloc((n_valid ? n_valid : 1) * sizeof *vidx);
    if (!vidx) {
      rc = maat__fail(MAAT_ENOMEM, "out of memory splitting the data");
      goto out;
    }
    for (size_t i = 0; i < n_valid; i++)
      vidx[i] = i;
    n_train = n;
  } else {
    struct maat_rng rng;
    maat__rng_seed(&rng, opts->seed ^ 0x7a11d5eedULL);
    for (size_t i = n; i > 1; i--) {
      size_t j = (size_t)maat__rng_below(&rng, i), t = idx[i - 1];
      idx[i - 1] = idx[j];
      idx[j] = t;
    }
    n_valid = (size_t)(opts->valid_split * (double)n + 0.5);
    if (n_valid >= n)
      n_valid = n - 1;
    vd = train;
    vidx = idx;
    n_train = n - n_valid;
  }

  {
    size_t *tidx = opts->valid ? idx : idx + n_valid;
    rc = collect_labels(train, tidx, n_train, &m->labels, &m->n_labels);
    if (rc)
      goto out;
    if (m->n_labels < 2) {
      rc = maat__fail(MAAT_EINVAL, "training needs at least two labels, "
                      "found %u", m->n_labels);
      goto out;
    }
    m->oos_name = maat__strdup(opts->oos_label ? opts->oos_label : "oos");
    if (!m->oos_name) {
      rc = maat__fail(MAAT_ENOMEM, "out of memory");
      goto out;
    }
    rc = labelmap_init(&lm, m->labels, m->n_labels);
    if (rc)
      goto out;
    m->oos_index = labelmap_get(&lm, m->oos_name);
    {
      /* Sensitive intents, from their names and examples. */
      struct label_ctx lc = { &lm, train };
      if ((rc = maat__sensitive_detect(m, train, tidx, n_train, label_of,
                                       &lc)))
        goto out;
    }
    m->index = maat__malloc(((size_t)1 << m->fo.hash_bits) * sizeof *m->index);
    if (!m->index) {
      rc = maat__fail(MAAT_ENOMEM, "out of memory for the bucket index");
      goto out;
    }
    memset(m->index, 0xff, ((size_t)1 << m->fo.hash_bits) * sizeof *m->index);
    rc = hash_messages(m, train, tidx, n_train, &lm, 1, &h, NULL, &bucket_cap);
    if (rc)
      goto out;
  }

  m->w_owned = maat__calloc((size_t)m->n_rows * m->n_labels, sizeof(float));
  m->bias = maat__calloc(m->n_labels, sizeof(float));
  if (!m->w_owned || !m->bias) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory for %u x %u weights",
                    m->n_rows, m->n_labels);
    goto out;
  }
  m->w = m->w_owned;

  threads = opts->threads;
  if ((size_t)threads > n_train)
    threads = (int)n_train;
  order = maat__malloc(n_train * sizeof *order);
  wk = maat__calloc((size_t)threads, sizeof *wk);
  tids = maat__calloc((size_t)threads, sizeof *tids);
  if (!order || !wk || !tids) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory starting training");
    goto out;
  }
  for (size_t i = 0; i < n_train; i++)
    order[i] = i;
  {
    /* Slices must be random samples, not runs of a label-sorted file. */
    struct maat_rng rng;
    maat__rng_seed(&rng, opts->seed ^ 0x51ce5ULL);
    for (size_t i = n_train; i > 1; i--) {
      size_t j = (size_t)maat__rng_below(&rng, i), t = order[i - 1];
      order[i - 1] = order[j];
      order[j] = t;
    }
  }
  for (int t = 0; t < threads; t++) {
    size_t lo = n_train * (size_t)t / (size_t)threads;
    size_t hi = n_train * (size_t)(t + 1) / (size_t)threads;
    wk[t].m = m;
    wk[t].h = &h;
    wk[t].order = order + lo;
    wk[t].n = hi - lo;
    wk[t].epochs = opts->epochs;
    wk[t].lr0 = opts->lr;
    wk[t].seed = opts->seed + (uint64_t)t * 0x9e3779b97f4a7c15ULL;
    wk[t].opts = opts;
    wk[t].report = t == 0;
  }
  {
    int started = 1, failed = 0;
    for (int t = 1; t < threads; t++) {
      if (pthread_create(&tids[t], NULL, worker_run, &wk[t]))
        break;
      started++;
    }
    if (started < threads) {
      for (int t = 1; t < started; t++)
        pthread_join(tids[t], NULL);
      rc = maat__fail(MAAT_ENOMEM, "cannot start %d training threads",
                      threads);
      goto out;
    }
    if (worker_run(&wk[0]))
      failed = 1;
    for (int t = 1; t < threads; t++) {
      void *res;
      pthread_join(tids[t], &res);
      if (res)
        failed = 1;
    }
    if (failed) {
      rc = maat__fail(MAAT_ENOMEM, "out of memory training");
      goto out;
    }
  }
  for (int t = 0; t < threads; t++)
    rep.train_loss += wk[t].loss * (double)wk[t].n / (double)n_train;
  if (opts->progress)
    opts->progress(opts->progress_userdata, 1.0, rep.train_loss);

  if (n_valid) {
    rc = calibrate(m, vd, vidx, n_valid, &lm, opts->threshold, &rep);
    if (rc)
      goto out;
  }
  rep.n_train = n_train;
  rep.n_valid = n_valid;
  rep.n_labels = m->n_labels;
  rep.n_rows = m->n_rows;
  rep.temperature = m->temperature;
  rep.threshold = m->threshold;
  if (report)
    *report = rep;
  *out = m;
  m = NULL;
  rc = MAAT_OK;
out:
  maat_model_free(m);
  hashed_release(&h);
  maat__free(lm.slot);
  if (vidx != idx)
    maat__free(vidx);
  maat__free(idx);
  maat__free(order);
  maat__free(wk);
  maat__free(tids);
  return rc;
}

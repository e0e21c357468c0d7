/*
 * classify-int.h - private structures of the classifier: feature hashing,
 * the model and the predictor, shared by features.c, model.c,
 * model_train.c and model_file.c.
 */
#ifndef MAAT_CLASSIFY_INT_H
#define MAAT_CLASSIFY_INT_H

#include "maat-int.h"

#include <string.h>

/* Feature settings, stored in every model file. */
struct maat_feat_opts {
  uint32_t hash_bits;   /* 10..24 */
  uint32_t word_ngrams; /* 1..5 */
  uint32_t minn, maxn;  /* maxn 0: no character n-grams */
  uint32_t flags;       /* enum maat_feature_flags */
};

#define MAAT__HASH_BITS_MIN 10
#define MAAT__HASH_BITS_MAX 24
#define MAAT__NGRAMS_MAX 5
#define MAAT__CHARN_MAX 8

/* A growable array of bucket ids, caller-allocated: = { NULL, 0, 0 }. */
struct maat_featbuf {
  uint32_t *ids;
  size_t n, cap;
};

/* Checks 'o'; MAAT_EINVAL with a message naming the bad setting. */
int maat__feat_check(const struct maat_feat_opts *o);

/*
 * Hashes the features of 'n' tokens into buckets below 2^hash_bits and
 * appends them to 'fb': per token its word and its character n-grams of
 * "<token>", then the word n-grams 2..word_ngrams. 'stems', when non-NULL,
 * holds one extra word per token (its stem) hashed like a word when it
 * differs from the token. Returns MAAT_OK or MAAT_ENOMEM.
 */
int maat__features(const struct maat_feat_opts *o, const maat_token *toks,
                   size_t n, const maat_token *stems, struct maat_featbuf *fb);

/*
 * Tokenizes and hashes one message; 'tok' and 'st' (stemmers for en and nl,
 * only with MAAT_FEATURE_STEM) are the caller's scratch. Returns MAAT_OK,
 * MAAT_EUTF8 or MAAT_ENOMEM.
 */
struct maat__textfeat {
  maat_tokenizer *tok;
  maat_stemmer *stem_en, *stem_nl;
  maat_token *stems;
  size_t stems_cap;
  struct maat_buf stembuf;
};
int maat__textfeat_init(struct maat__textfeat *tf, uint32_t flags);
void maat__textfeat_release(struct maat__textfeat *tf);
int maat__text_features(const struct maat_feat_opts *o,
                        struct maat__textfeat *tf, const char *text,
                        size_t len, struct maat_featbuf *fb);

void maat__featbuf_release(struct maat_featbuf *fb);

struct maat_model {
  struct maat_feat_opts fo;
  uint32_t n_labels;
  char **labels;        /* n_labels strings */
  char *oos_name;
  int32_t oos_index;    /* -1: the oos label is not a class */
  float temperature;
  float threshold;
  uint32_t n_rows;
  uint32_t *buckets;    /* bucket of each row */
  int32_t *index;       /* 2^hash_bits entries: row of a bucket, or -1 */
  float *bias;          /* n_labels */
  float *w;             /* n_rows * n_labels, row-major */
  void *owned;          /* the loaded file's bytes, when w points into it */
  float *w_owned;       /* trained weights */
  unsigned char *sensitive; /* n_labels topics (enum maat_sensitive);
                               NULL: from the names when asked */
};

/*
 * sensitive.c: sets m->sensitive from the labels' names and the 'n'
 * training examples of 'd' (indices 'idx', or 0..n-1 when NULL), whose
 * label index label_of() gives.
 */
int maat__sensitive_detect(struct maat_model *m, const maat_dataset *d,
                           const size_t *idx, size_t n,
                           int (*label_of)(void *ctx, size_t i), void *ctx);

/*
 * Builds m->index from m->buckets; MAAT_ECORRUPT on a duplicate or
 * out-of-range bucket, MAAT_ENOMEM.
 */
int maat__model_build_index(struct maat_model *m);

/*
 * Row arithmetic on K-wide float rows, written with the compiler's vector
 * extension so that it runs 4 lanes wide even at -O2; these loops are where
 * training and prediction spend their time.
 */
typedef float maat__v4 __attribute__((vector_size(16)));

static inline maat__v4 maat__v4_load(const float *p)
{
  maat__v4 v;
  memcpy(&v, p, sizeof v);
  return v;
}

static inline void maat__v4_store(float *p, maat__v4 v)
{
  memcpy(p, &v, sizeof v);
}

/* z += r0 + r1 + r2 + r3 (each k wide). */
static inline void maat__add4(float *restrict z, const float *r0,
                              const float *r1, const float *r2,
                              const float *r3, size_t k)
{
  size_t j = 0;
  for (; j + 4 <= k; j += 4) {
    maat__v4 a = maat__v4_load(r0 + j) + maat__v4_load(r1 + j);
    maat__v4 b = maat__v4_load(r2 + j) + maat__v4_load(r3 + j);
    maat__v4_store(z + j, maat__v4_load(z + j) + (a + b));
  }
  for (; j < k; j++)
    z[j] += (r0[j] + r1[j]) + (r2[j] + r3[j]);
}

/* z += r (k wide). */
static inline void maat__add1(float *restrict z, const float *restrict r,
                              size_t k)
{
  size_t j = 0;
  for (; j + 4 <= k; j += 4)
    maat__v4_store(z + j, maat__v4_load(z + j) + maat__v4_load(r + j));
  for (; j < k; j++)
    z[j] += r[j];
}

/* Sums rows 'rows[0..n)' of 'w' (k wide) into 'z', which it zeroes first. */
static inline void maat__sum_rows(float *restrict z, const float *w,
                                  const uint32_t *rows, size_t n, size_t k)
{
  size_t i = 0;
  memset(z, 0, k * sizeof *z);
  for (; i + 4 <= n; i += 4)
    maat__add4(z, w + (size_t)rows[i] * k, w + (size_t)rows[i + 1] * k,
               w + (size_t)rows[i + 2] * k, w + (size_t)rows[i + 3] * k, k);
  for (; i < n; i++)
    maat__add1(z, w + (size_t)rows[i] * k, k);
}

/*
 * Computes the raw scores (logits at temperature 1) of a hashed message into
 * 'z' (n_labels). Overwrites 'ids' with the rows it found.
 */
void maat__model_scores(const struct maat_model *m, uint32_t *ids,
                        size_t n, float *z);

/* Softmax of 'z' at 'temperature' into 'p' (n values). */
void maat__softmax(const float *z, size_t n, double temperature, double *p);

#endif /* MAAT_CLASSIFY_INT_H */

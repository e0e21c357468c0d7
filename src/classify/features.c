/*
 * features.c - hashed text features: word n-grams and character n-grams
 * (subwords, as fastText builds them from "<word>"), folded into a hash
 * space of 2^hash_bits buckets.
 */
#include "classify-int.h"

#include <string.h>

/* Distinct seeds keep words, n-grams, subwords and stems apart in the space. */
#define SEED_WORD 0x5157a11dULL
#define SEED_CHAR 0xc4a2f00dULL
#define SEED_STEM 0x57e3b0b1ULL
#define NGRAM_MUL 0x9e3779b97f4a7c15ULL

/* A final avalanche so that the low bits (the bucket) depend on every byte. */
static inline uint64_t fmix(uint64_t h)
{
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

int maat__feat_check(const struct maat_feat_opts *o)
{
  if (o->hash_bits < MAAT__HASH_BITS_MIN || o->hash_bits > MAAT__HASH_BITS_MAX)
    return maat__fail(MAAT_EINVAL, "hash bits %u out of range %d..%d",
                      o->hash_bits, MAAT__HASH_BITS_MIN, MAAT__HASH_BITS_MAX);
  if (o->word_ngrams < 1 || o->word_ngrams > MAAT__NGRAMS_MAX)
    return maat__fail(MAAT_EINVAL, "word n-grams %u out of range 1..%d",
                      o->word_ngrams, MAAT__NGRAMS_MAX);
  if (o->maxn > MAAT__CHARN_MAX)
    return maat__fail(MAAT_EINVAL, "character n-gram length %u above %d",
                      o->maxn, MAAT__CHARN_MAX);
  if (o->maxn > 0 && (o->minn < 1 || o->minn > o->maxn))
    return maat__fail(MAAT_EINVAL, "character n-gram lengths %u..%u invalid",
                      o->minn, o->maxn);
  if (o->flags & ~(uint32_t)MAAT_FEATURE_STEM)
    return maat__fail(MAAT_EINVAL, "unknown feature flags 0x%x", o->flags);
  return MAAT_OK;
}

static int fb_reserve(struct maat_featbuf *fb, size_t extra)
{
  size_t cap;
  uint32_t *p;

  if (fb->n + extra <= fb->cap)
    return MAAT_OK;
  cap = fb->cap ? fb->cap : 256;
  while (cap < fb->n + extra)
    cap *= 2;
  p = maat__realloc(fb->ids, cap * sizeof *p);
  if (!p)
    return maat__fail(MAAT_ENOMEM, "out of memory hashing features");
  fb->ids = p;
  fb->cap = cap;
  return MAAT_OK;
}

void maat__featbuf_release(struct maat_featbuf *fb)
{
  maat__free(fb->ids);
  fb->ids = NULL;
  fb->n = fb->cap = 0;
}

/* Character n-grams of "<w>" whose length in code points is minn..maxn. */
static size_t char_ngrams(const struct maat_feat_opts *o, uint32_t mask,
                          const char *w, size_t len, uint32_t *out)
{
  unsigned char buf[130];
  size_t n = len + 2, count = 0;

  buf[0] = '<';
  memcpy(buf + 1, w, len);
  buf[len + 1] = '>';
  for (size_t i = 0; i < n; i++) {
    uint64_t h;
    size_t j = i;
    unsigned cps = 0;

    if ((buf[i] & 0xc0) == 0x80)
      continue; /* not the start of a code point */
    h = 0xcbf29ce484222325ULL ^ SEED_CHAR;
    while (j < n && cps < o->maxn) {
      /* Feed one whole code point, then maybe emit. */
      do {
        h ^= buf[j++];
        h *= 0x100000001b3ULL;
      } while (j < n && (buf[j] & 0xc0) == 0x80);
      cps++;
      /* The bare "<" or ">" carries nothing; fastText skips it too. */
      if (cps >= o->minn && !(cps == 1 && (i == 0 || j == n)))
        out[count++] = (uint32_t)(fmix(h) & mask);
    }
  }
  return count;
}

int maat__features(const struct maat_feat_opts *o, const maat_token *toks,
                   size_t n, const maat_token *stems, struct maat_featbuf *fb)
{
  uint32_t mask = (uint32_t)((1ULL << o->hash_bits) - 1);
  uint64_t hist[MAAT__NGRAMS_MAX];
  int rc;

  for (size_t i = 0; i < n; i++) {
    const maat_token *t = &toks[i];
    uint64_t hw = maat__hash64(t->text, t->len, SEED_WORD);
    /* Word, stem, char n-grams (at most maxn per byte), word n-grams. */
    size_t most = 2 + o->word_ngrams +
                  (o->maxn && t->len <= 128 ? (t->len + 2) * o->maxn : 0);

    rc = fb_reserve(fb, most);
    if (rc)
      return rc;
    fb->ids[fb->n++] = (uint32_t)(fmix(hw) & mask);
    if (stems && stems[i].text &&
        (stems[i].len != t->len || memcmp(stems[i].text, t->text, t->len)))
      fb->ids[fb->n++] = (uint32_t)(fmix(maat__hash64(stems[i].text,
                                                      stems[i].len,
                                                      SEED_STEM)) & mask);
    if (o->maxn && t->len <= 128)
      fb->n += char_ngrams(o, mask, t->text, t->len, fb->ids + fb->n);
    /* Word n-grams ending at token i, chained like fastText's. */
    {
      uint64_t h = hw;
      for (uint32_t g = 2; g <= o->word_ngrams && g <= i + 1; g++) {
        h = hist[(i - (g - 1)) % MAAT__NGRAMS_MAX] * NGRAM_MUL + h;
        h ^= (uint64_t)g << 56;
        fb->ids[fb->n++] = (uint32_t)(fmix(h) & mask);
      }
    }
    hist[i % MAAT__NGRAMS_MAX] = hw;
  }
  return MAAT_OK;
}

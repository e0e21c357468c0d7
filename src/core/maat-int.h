/*
 * maat-int.h - declarations shared by the library's modules, never installed.
 */
#ifndef MAAT_INT_H
#define MAAT_INT_H

#include "maat.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Allocation goes through these so tests can make it fail (maat_set_allocator). */
void *maat__malloc(size_t n);
void *maat__calloc(size_t count, size_t size);
void *maat__realloc(void *p, size_t n);
void maat__free(void *p);
char *maat__strdup(const char *s);
char *maat__strndup(const char *s, size_t n);

/*
 * Records 'code' and a printf-style message as this thread's last error and
 * returns 'code', so callers write: return maat__fail(MAAT_EINVAL, "...").
 */
int maat__fail(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int maat__vfail(int code, const char *fmt, va_list ap);

/*
 * Prefixes the current error message with 'prefix' and ": ", keeping the code.
 * Used to add context ("cannot load 'x.bin': ...") as an error travels up.
 */
int maat__fail_prefix(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A programmer error: never used on input. */
#define MAAT_BUG(msg) maat__bug(__FILE__, __LINE__, (msg))
_Noreturn void maat__bug(const char *file, int line, const char *msg);

/* A growable byte buffer, caller-allocated: struct maat_buf b = MAAT_BUF_INIT. */
struct maat_buf {
  char *data;
  size_t len;
  size_t cap;
};
#define MAAT_BUF_INIT { NULL, 0, 0 }
int maat__buf_reserve(struct maat_buf *b, size_t extra);
int maat__buf_append(struct maat_buf *b, const void *p, size_t n);
int maat__buf_putc(struct maat_buf *b, char c);
int maat__buf_printf(struct maat_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void maat__buf_release(struct maat_buf *b);
/*
 * Reads a whole file into 'b' (appending), refusing one larger than
 * 'max' bytes. MAAT_EIO naming the file when it cannot be opened or read;
 * MAAT_EPARSE when it is too large.
 */
int maat__read_file(const char *path, size_t max, struct maat_buf *b);

/* 64-bit FNV-1a, the hash behind feature hashing and table lookups. */
static inline uint64_t maat__hash64(const void *p, size_t n, uint64_t seed)
{
  const unsigned char *s = p;
  uint64_t h = 0xcbf29ce484222325ULL ^ seed;
  for (size_t i = 0; i < n; i++) {
    h ^= s[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

/* Whether two strings are equal: inline, for short keys in hot lookups. */
static inline int maat__str_eq(const char *a, const char *b)
{
  while (*a == *b) {
    if (!*a)
      return 1;
    a++;
    b++;
  }
  return 0;
}

/* The enumerations' names (src/core/names.c), indexed by value. */
extern const char *const maat__tone_names[5];
extern const char *const maat__urgency_names[4];
extern const char *const maat__tier_names[4];       /* [0] is NULL */
extern const char *const maat__agent_state_names[5];

/*
 * The library's hash map (src/core/map.c): string keys, borrowed from the
 * value's owner, to pointers. struct maat_map m = MAAT_MAP_INIT.
 */
struct maat_map_slot {
  const char *key;      /* NULL: empty */
  uint64_t hash;
  void *value;
};
struct maat_map {
  struct maat_map_slot *slots;
  size_t cap, n;
};
#define MAAT_MAP_INIT { NULL, 0, 0 }
int maat__map_reserve(struct maat_map *m, size_t n);
void maat__map_release(struct maat_map *m);
/* The value under 'key', or NULL. */
void *maat__map_get(const struct maat_map *m, const char *key);
/* Sets 'key' to 'value' (replacing one under the same key). */
int maat__map_put(struct maat_map *m, const char *key, void *value);
/* Removes 'key'; returns its value, or NULL. */
void *maat__map_del(struct maat_map *m, const char *key);

/* CRC-32C (Castagnoli), the checksum of maat's binary files. */
uint32_t maat__crc32c(uint32_t crc, const void *p, size_t n);

/*
 * A duration as people read it: "m:ss min" under an hour, "h:mm h" from
 * an hour (the message catalogue renders the unit per language).
 */
void maat__dur(char *buf, size_t cap, double s);

/*
 * The longest prefix of 's' of at most 'n' bytes that does not end inside
 * a UTF-8 sequence: where to cut text that must stay valid UTF-8.
 */
size_t maat__utf8_fit(const char *s, size_t n);

/* SplitMix64 / xoshiro-style PRNG: deterministic for a seed on every platform. */
struct maat_rng {
  uint64_t s[4];
};
void maat__rng_seed(struct maat_rng *r, uint64_t seed);
uint64_t maat__rng_below(struct maat_rng *r, uint64_t n); /* [0, n) */

/* xoshiro256**; inline, since the simulator draws a dozen per contact. */
static inline uint64_t maat__rng_next(struct maat_rng *r)
{
  uint64_t *s = r->s;
  uint64_t x = s[1] * 5, result = ((x << 7) | (x >> 57)) * 9;
  uint64_t t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 45) | (s[3] >> 19);
  return result;
}

/* [0, 1) */
static inline double maat__rng_uniform(struct maat_rng *r)
{
  return (double)(maat__rng_next(r) >> 11) * 0x1.0p-53;
}

/*
 * Normal and exponential variates by the ziggurat method (Marsaglia and
 * Tsang, "The ziggurat method for generating random variables", J. Stat.
 * Softw. 5(8), 2000), 256 layers: one 64-bit draw, a table look-up and a
 * comparison for 99 % of the variates, where the inverse transform and
 * Box-Muller need a log(), a sqrt() and a sin() and cos(). The simulator
 * draws one of each per contact. The low 8 bits of a draw pick the layer,
 * bit 8 the sign, and the top 53 bits the position, so they are
 * independent. Tables are made by maat__ziggurat_init(), for a caller to
 * keep (8 KB).
 */
struct maat_ziggurat {
  /* x[i]: layer i's right edge (x[0] the base's width with the tail, x[1]
   * the tail's start r, x[256] = 0); f[i] the density (unnormalised) there */
  double xn[257], fn[257];     /* normal: e^(-x^2/2) */
  double xe[257], fe[257];     /* exponential: e^(-x) */
};
void maat__ziggurat_init(struct maat_ziggurat *z);
/* The rare cases: the tail and the wedges (layer i, position x). */
double maat__ziggurat_normal_slow(struct maat_rng *r,
                                  const struct maat_ziggurat *z, uint64_t u);
double maat__ziggurat_expo_slow(struct maat_rng *r,
                                const struct maat_ziggurat *z, uint64_t u);

/* A standard normal variate. */
static inline double maat__rng_normal(struct maat_rng *r,
                                      const struct maat_ziggurat *z)
{
  uint64_t u = maat__rng_next(r);
  unsigned i = (unsigned)(u & 255);
  double x = (double)(u >> 11) * 0x1.0p-53 * z->xn[i];

  /* Left of the next layer's edge: wholly under the curve. The sign by
   * its bit, not a branch (a coin toss to the CPU). */
  if (x < z->xn[i + 1]) {
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    b ^= (u & 256) << 55;
    memcpy(&x, &b, sizeof x);
    return x;
  }
  return maat__ziggurat_normal_slow(r, z, u);
}

/* An exponential variate of mean 1. */
static inline double maat__rng_expo(struct maat_rng *r,
                                    const struct maat_ziggurat *z)
{
  uint64_t u = maat__rng_next(r);
  unsigned i = (unsigned)(u & 255);
  double x = (double)(u >> 11) * 0x1.0p-53 * z->xe[i];

  if (x < z->xe[i + 1])
    return x;
  return maat__ziggurat_expo_slow(r, z, u);
}

/* The k-th smallest of x[0..n) (k from 0, n > 0), reordering x. */
double maat__kth_smallest(double *x, size_t n, size_t k);
/*
 * The p-quantile (0 < p <= 1) of x[0..n) by nearest rank: the smallest
 * value with at least p of them at or below it, x[ceil(p n) - 1] sorted;
 * so p90 of five values is the largest, never below the median. n > 0;
 * reorders x.
 */
double maat__quantile(double *x, size_t n, double p);

#endif /* MAAT_INT_H */

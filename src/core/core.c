/*
 * core.c - errors, allocation, buffers, checksums and the PRNG that every
 * other module builds on.
 */
#include "maat-int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ---------------------------------------------------------- */

/* One message per thread, so concurrent callers never see each other's. */
static _Thread_local char errmsg_buf[1024];

const char *maat_strerror(int code)
{
  switch (code) {
  case MAAT_OK: return "ok";
  case MAAT_ENOMEM: return "out of memory";
  case MAAT_EINVAL: return "invalid argument";
  case MAAT_EIO: return "input/output error";
  case MAAT_EPARSE: return "malformed input";
  case MAAT_EUTF8: return "invalid utf-8";
  case MAAT_EFORMAT: return "unknown or unsupported file format";
  case MAAT_ECORRUPT: return "corrupt or truncated file";
  case MAAT_ENOTFOUND: return "not found";
  case MAAT_EDB: return "database error";
  case MAAT_ESTATE: return "invalid state";
  case MAAT_EOF: return "end of input";
  case MAAT_EBUSY: return "database busy";
  default: return "unknown error";
  }
}

const char *maat_errmsg(void)
{
  return errmsg_buf;
}

static _Thread_local char errfield_buf[64];

const char *maat_errfield(void)
{
  return errfield_buf;
}

/*
 * The field a message names, by the library's one convention for it:
 * "field 'NAME': ...". Kept apart so that callers never parse messages.
 */
static void note_field(void)
{
  const char *p = strstr(errmsg_buf, "field '"), *q;

  errfield_buf[0] = '\0';
  if (!p)
    return;
  p += 7;
  q = strchr(p, '\'');
  if (q && (size_t)(q - p) < sizeof errfield_buf) {
    memcpy(errfield_buf, p, (size_t)(q - p));
    errfield_buf[q - p] = '\0';
  }
}

int maat__vfail(int code, const char *fmt, va_list ap)
{
  vsnprintf(errmsg_buf, sizeof errmsg_buf, fmt, ap);
  note_field();
  return code;
}

int maat__fail(int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  maat__vfail(code, fmt, ap);
  va_end(ap);
  return code;
}

int maat_error_set(int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  maat__vfail(code, fmt, ap);
  va_end(ap);
  return code;
}

int maat__fail_prefix(int code, const char *fmt, ...)
{
  char prefix[512];
  char old[sizeof errmsg_buf];
  va_list ap;

  memcpy(old, errmsg_buf, sizeof old);
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  if (old[0] != '\0')
    snprintf(errmsg_buf, sizeof errmsg_buf, "%s: %s", prefix, old);
  else
    snprintf(errmsg_buf, sizeof errmsg_buf, "%s: %s", prefix,
             maat_strerror(code));
  return code;
}

_Noreturn void maat__bug(const char *file, int line, const char *msg)
{
  /* A broken invariant inside the library: continuing would corrupt data. */
  fprintf(stderr, "maat: BUG at %s:%d: %s\n", file, line, msg);
  abort();
}

const char *maat_version(void)
{
  return MAAT_VERSION_STRING;
}

/* ---- allocation ------------------------------------------------------ */

static void *(*alloc_malloc)(size_t) = malloc;
static void *(*alloc_realloc)(void *, size_t) = realloc;
static void (*alloc_free)(void *) = free;

int maat_set_allocator(void *(*malloc_fn)(size_t),
                       void *(*realloc_fn)(void *, size_t),
                       void (*free_fn)(void *))
{
  if (!malloc_fn && !realloc_fn && !free_fn) {
    alloc_malloc = malloc;
    alloc_realloc = realloc;
    alloc_free = free;
    return MAAT_OK;
  }
  if (!malloc_fn || !realloc_fn || !free_fn)
    return maat__fail(MAAT_EINVAL, "allocator needs malloc, realloc and free");
  alloc_malloc = malloc_fn;
  alloc_realloc = realloc_fn;
  alloc_free = free_fn;
  return MAAT_OK;
}

void *maat__malloc(size_t n)
{
  return alloc_malloc(n ? n : 1);
}

void *maat__calloc(size_t count, size_t size)
{
  void *p;
  if (size && count > SIZE_MAX / size)
    return NULL;
  p = maat__malloc(count * size);
  if (p)
    memset(p, 0, count * size);
  return p;
}

void *maat__realloc(void *p, size_t n)
{
  return alloc_realloc(p, n ? n : 1);
}

void maat__free(void *p)
{
  if (p)
    alloc_free(p);
}

void maat_free(void *p)
{
  maat__free(p);
}

char *maat__strndup(const char *s, size_t n)
{
  char *d = maat__malloc(n + 1);
  if (!d)
    return NULL;
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

char *maat__strdup(const char *s)
{
  return maat__strndup(s, strlen(s));
}

/* ---- buffers --------------------------------------------------------- */

int maat__buf_reserve(struct maat_buf *b, size_t extra)
{
  size_t need, cap;
  char *p;

  if (extra > SIZE_MAX - b->len - 1)
    return maat__fail(MAAT_ENOMEM, "buffer too large");
  need = b->len + extra + 1; /* room for a terminating NUL */
  if (need <= b->cap)
    return MAAT_OK;
  cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  p = maat__realloc(b->data, cap);
  if (!p)
    return maat__fail(MAAT_ENOMEM, "out of memory growing a buffer");
  b->data = p;
  b->cap = cap;
  return MAAT_OK;
}

int maat__buf_append(struct maat_buf *b, const void *p, size_t n)
{
  int rc = maat__buf_reserve(b, n);
  if (rc)
    return rc;
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return MAAT_OK;
}

int maat__buf_putc(struct maat_buf *b, char c)
{
  return maat__buf_append(b, &c, 1);
}

int maat__buf_printf(struct maat_buf *b, const char *fmt, ...)
{
  va_list ap;
  int n, rc;

  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return maat__fail(MAAT_EINVAL, "bad format");
  rc = maat__buf_reserve(b, (size_t)n);
  if (rc)
    return rc;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return MAAT_OK;
}

void maat__buf_release(struct maat_buf *b)
{
  maat__free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

/* ---- CRC-32C --------------------------------------------------------- */

static uint32_t crc_table[8][256];
static int crc_ready;

static void crc_init(void)
{
  /* Slicing-by-8 tables; built once, the race is benign (same values). */
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++)
      c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    crc_table[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++)
    for (int t = 1; t < 8; t++)
      crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^
                        crc_table[0][crc_table[t - 1][i] & 0xff];
  crc_ready = 1;
}

uint32_t maat__crc32c(uint32_t crc, const void *p, size_t n)
{
  const unsigned char *s = p;
  if (!crc_ready)
    crc_init();
  crc = ~crc;
  while (n >= 8) {
    uint32_t lo = crc ^ ((uint32_t)s[0] | (uint32_t)s[1] << 8 |
                         (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24);
    crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
          crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
          crc_table[3][s[4]] ^ crc_table[2][s[5]] ^ crc_table[1][s[6]] ^
          crc_table[0][s[7]];
    s += 8;
    n -= 8;
  }
  while (n--)
    crc = crc_table[0][(crc ^ *s++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

/* ---- PRNG (xoshiro256**, seeded by SplitMix64) ------------------------ */

static uint64_t splitmix64(uint64_t *x)
{
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void maat__rng_seed(struct maat_rng *r, uint64_t seed)
{
  for (int i = 0; i < 4; i++)
    r->s[i] = splitmix64(&seed);
}

uint64_t maat__rng_below(struct maat_rng *r, uint64_t n)
{
  /* Lemire's rejection keeps it unbiased. */
  uint64_t x, lim;
  if (n == 0)
    return 0;
  lim = -n % n;
  do {
    x = maat__rng_next(r);
  } while (x < lim);
  return x % n;
}

/* ---- ziggurat (see maat-int.h) ---------------------------------------- */

/*
 * 256 layers of equal area V under the curve, the base one with the tail
 * beyond r (Marsaglia and Tsang's constants).
 */
#define ZIG_NORMAL_R 3.6541528853610088
#define ZIG_NORMAL_V 0.00492867323399
#define ZIG_EXPO_R 7.69711747013104972
#define ZIG_EXPO_V 0.0039496598225815571993

void maat__ziggurat_init(struct maat_ziggurat *z)
{
  double r = ZIG_NORMAL_R, v = ZIG_NORMAL_V;

  /* Each layer's edge from the one below: x f(x) + area = its top. */
  z->xn[1] = r;
  z->fn[1] = exp(-0.5 * r * r);
  z->xn[0] = v / z->fn[1];
  z->fn[0] = z->fn[1];
  for (int i = 1; i < 255; i++) {
    z->xn[i + 1] = sqrt(-2 * log(v / z->xn[i] + z->fn[i]));
    z->fn[i + 1] = exp(-0.5 * z->xn[i + 1] * z->xn[i + 1]);
  }
  z->xn[256] = 0;
  z->fn[256] = 1;
  r = ZIG_EXPO_R;
  v = ZIG_EXPO_V;
  z->xe[1] = r;
  z->fe[1] = exp(-r);
  z->xe[0] = v / z->fe[1];
  z->fe[0] = z->fe[1];
  for (int i = 1; i < 255; i++) {
    z->xe[i + 1] = -log(v / z->xe[i] + z->fe[i]);
    z->fe[i + 1] = exp(-z->xe[i + 1]);
  }
  z->xe[256] = 0;
  z->fe[256] = 1;
}

/* (0, 1]: safe under log(). */
static double open_uniform(struct maat_rng *r)
{
  return 1 - maat__rng_uniform(r);
}

double maat__ziggurat_normal_slow(struct maat_rng *r,
                                  const struct maat_ziggurat *z, uint64_t u)
{
  for (;;) {
    unsigned i = (unsigned)(u & 255);
    int neg = (u & 256) != 0;
    double x = (double)(u >> 11) * 0x1.0p-53 * z->xn[i];
    if (x < z->xn[i + 1])
      return neg ? -x : x;
    if (i == 0) {
      /* The tail beyond r (Marsaglia, 1964). */
      double a, b;
      do {
        a = -log(open_uniform(r)) / ZIG_NORMAL_R;
        b = -log(open_uniform(r));
      } while (b + b < a * a);
      return neg ? -(ZIG_NORMAL_R + a) : ZIG_NORMAL_R + a;
    }
    /* The wedge: under the curve at a height uniform in the layer. */
    if (z->fn[i] + maat__rng_uniform(r) * (z->fn[i + 1] - z->fn[i]) <
        exp(-0.5 * x * x))
      return neg ? -x : x;
    u = maat__rng_next(r);
  }
}

double maat__ziggurat_expo_slow(struct maat_rng *r,
                                const struct maat_ziggurat *z, uint64_t u)
{
  double base = 0;

  for (;;) {
    unsigned i = (unsigned)(u & 255);
    double x = (double)(u >> 11) * 0x1.0p-53 * z->xe[i];
    if (x < z->xe[i + 1])
      return base + x;
    if (i == 0) {
      /* The tail beyond r is r plus another variate: memoryless. */
      base += ZIG_EXPO_R;
    } else if (z->fe[i] + maat__rng_uniform(r) * (z->fe[i + 1] - z->fe[i]) <
               exp(-x)) {
      return base + x;
    }
    u = maat__rng_next(r);
  }
}

int maat__read_file(const char *path, size_t max, struct maat_buf *b)
{
  FILE *f = fopen(path, "rb");
  char chunk[65536];
  size_t n;
  int rc = MAAT_OK;

  if (!f)
    return maat__fail(MAAT_EIO, "cannot open '%s': %s", path,
                      strerror(errno));
  while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (b->len + n > max)
      rc = maat__fail(MAAT_EPARSE, "'%s': larger than %zu bytes", path, max);
    else
      rc = maat__buf_append(b, chunk, n);
  }
  if (!rc && ferror(f))
    rc = maat__fail(MAAT_EIO, "cannot read '%s'", path);
  fclose(f);
  return rc;
}

/* The k-th smallest of x[0..n) (from 0), reordering x: Hoare's selection,
 * linear on average where sorting a million waits is not. */
double maat__kth_smallest(double *x, size_t n, size_t k)
{
  size_t lo = 0, hi = n - 1;

  while (lo < hi) {
    double pivot = x[lo + (hi - lo) / 2];
    size_t i = lo, j = hi;
    while (i <= j) {
      while (x[i] < pivot)
        i++;
      while (x[j] > pivot)
        j--;
      if (i <= j) {
        double t = x[i];
        x[i] = x[j];
        x[j] = t;
        i++;
        if (j == 0)
          break;
        j--;
      }
    }
    if (k <= j)
      hi = j;
    else if (k >= i)
      lo = i;
    else
      return x[k];
  }
  return x[k];
}

size_t maat__utf8_fit(const char *s, size_t n)
{
  const unsigned char *u = (const unsigned char *)s;
  size_t lead = n, want;

  /* Back over continuation bytes to the sequence's first byte. */
  while (lead > 0 && lead > n - 4 && (u[lead - 1] & 0xC0) == 0x80)
    lead--;
  if (lead == 0 || u[lead - 1] < 0x80)
    return n;                 /* ASCII last, or nothing to judge by */
  lead--;
  want = u[lead] >= 0xF0 ? 4 : u[lead] >= 0xE0 ? 3 : u[lead] >= 0xC0 ? 2 : 1;
  return n - lead >= want ? n : lead;
}

int maat_id_valid(const char *s, size_t n)
{
  static const char extra[] = "-_.:@+=";

  if (!s || n == 0 || n > 63)
    return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
          (ch >= '0' && ch <= '9') || (ch && memchr(extra, ch, 7))))
      return 0;
  }
  return 1;
}

void maat_hex(const void *p, size_t n, char *out)
{
  static const char digits[] = "0123456789abcdef";
  const unsigned char *b = p;

  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[b[i] >> 4];
    out[2 * i + 1] = digits[b[i] & 15];
  }
  out[2 * n] = '\0';
}

uint64_t maat_hash64(const void *p, size_t n)
{
  return maat__hash64(p, n, 0);
}

size_t maat_json_escape(char *out, size_t cap, const char *s, size_t len)
{
  static const char digits[] = "0123456789abcdef";
  size_t n = 0;

  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[6];
    size_t k = 0;
    if (c >= 0x20 && c != '"' && c != '\\') {
      if (n < cap)
        out[n] = (char)c;
      n++;
      continue;
    }
    esc[k++] = '\\';
    switch (c) {
    case '"': esc[k++] = '"'; break;
    case '\\': esc[k++] = '\\'; break;
    case '\n': esc[k++] = 'n'; break;
    case '\r': esc[k++] = 'r'; break;
    case '\t': esc[k++] = 't'; break;
    default:
      esc[k++] = 'u';
      esc[k++] = '0';
      esc[k++] = '0';
      esc[k++] = digits[c >> 4];
      esc[k++] = digits[c & 15];
    }
    for (size_t j = 0; j < k; j++, n++)
      if (n < cap)
        out[n] = esc[j];
  }
  if (cap)
    out[n < cap ? n : cap - 1] = '\0';
  return n;
}

void *maat_malloc(size_t n)
{
  return maat__malloc(n);
}

void *maat_realloc(void *p, size_t n)
{
  return maat__realloc(p, n);
}

char *maat_strdup(const char *s)
{
  return maat__strdup(s);
}

void maat__dur(char *buf, size_t cap, double s)
{
  long n = s > 0 && s < 1e9 ? lround(s) : 0;

  if (n < 3600)
    snprintf(buf, cap, "%ld:%02ld min", n / 60, n % 60);
  else
    snprintf(buf, cap, "%ld:%02ld h", n / 3600, n / 60 % 60);
}

double maat__quantile(double *x, size_t n, double p)
{
  double r = ceil(p * (double)n - 1e-9);
  size_t k = r < 1 ? 0 : (size_t)r - 1;

  return maat__kth_smallest(x, n, k < n ? k : n - 1);
}

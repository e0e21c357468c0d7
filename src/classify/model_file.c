/*
 * model_file.c - the versioned binary model file: header, label table,
 * feature settings, weights and a CRC-32C over everything, little-endian.
 * The byte layout is documented in docs/internals/classifier.md. Loading
 * checks every length against the file's size before using it, so a
 * truncated, corrupt or hostile file is refused, never trusted.
 */
#include "classify-int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define MODEL_MAGIC "MAAT"
#define MODEL_VERSION 1u
#define MODEL_KIND_LINEAR 1u
#define HEADER_BYTES 64u
#define MAX_LABELS 65536u
#define MAX_LABEL_LEN 1024u

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_BIG_ENDIAN 1
#else
#define HOST_BIG_ENDIAN 0
#endif

static void put32(unsigned char *p, uint32_t v)
{
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
  p[2] = (unsigned char)(v >> 16);
  p[3] = (unsigned char)(v >> 24);
}

static uint32_t get32(const unsigned char *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static uint32_t f2u(float f)
{
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

static float u2f(uint32_t u)
{
  float f;
  memcpy(&f, &u, 4);
  return f;
}

/* Swaps 'n' 32-bit words in place on a big-endian host; no-op otherwise. */
static void words_to_host(void *p, size_t n)
{
#if HOST_BIG_ENDIAN
  unsigned char *b = p;
  for (size_t i = 0; i < n; i++) {
    uint32_t v = get32(b + 4 * i);
    memcpy(b + 4 * i, &v, 4);
  }
#else
  (void)p;
  (void)n;
#endif
}

/*
 * Size of the label table: each name as u32 length + bytes; then, when
 * known, "SENS" and a byte per label (its sensitive topic); padded to 4.
 * A reader that does not know the block sees padding (docs/internals/
 * classifier.md).
 */
static size_t strings_bytes(const struct maat_model *m)
{
  size_t s = 0;
  for (uint32_t i = 0; i < m->n_labels; i++)
    s += 4 + strlen(m->labels[i]);
  s += 4 + strlen(m->oos_name);
  if (m->sensitive)
    s += 4 + m->n_labels;
  return (s + 3) & ~(size_t)3;
}

struct writer {
  FILE *f;
  uint32_t crc;
  int err;
};

static void wr(struct writer *w, const void *p, size_t n)
{
  if (w->err || n == 0)
    return;
  w->crc = maat__crc32c(w->crc, p, n);
  if (fwrite(p, 1, n, w->f) != n)
    w->err = errno ? errno : EIO;
}

static void wr_u32s(struct writer *w, const uint32_t *v, size_t n)
{
#if HOST_BIG_ENDIAN
  for (size_t i = 0; i < n; i++) {
    unsigned char b[4];
    put32(b, v[i]);
    wr(w, b, 4);
  }
#else
  wr(w, v, n * 4);
#endif
}

int maat_model_save(const maat_model *m, const char *path)
{
  unsigned char hdr[HEADER_BYTES];
  struct maat_buf tmp = MAAT_BUF_INIT;
  struct writer w = { NULL, 0, 0 };
  size_t sb = strings_bytes(m);
  unsigned char b4[4];
  int rc;

  if (sb > UINT32_MAX)
    return maat__fail(MAAT_EINVAL, "label table too large");
  rc = maat__buf_printf(&tmp, "%s.tmp", path);
  if (rc)
    return rc;
  errno = 0;
  w.f = fopen(tmp.data, "wb");
  if (!w.f) {
    rc = maat__fail(MAAT_EIO, "cannot create '%s': %s", tmp.data,
                    strerror(errno));
    goto out;
  }
  memset(hdr, 0, sizeof hdr);
  memcpy(hdr, MODEL_MAGIC, 4);
  put32(hdr + 4, MODEL_VERSION);
  put32(hdr + 8, MODEL_KIND_LINEAR);
  put32(hdr + 12, HEADER_BYTES);
  put32(hdr + 16, m->fo.hash_bits);
  put32(hdr + 20, m->fo.word_ngrams);
  put32(hdr + 24, m->fo.minn);
  put32(hdr + 28, m->fo.maxn);
  put32(hdr + 32, m->fo.flags);
  put32(hdr + 36, m->n_labels);
  put32(hdr + 40, m->n_rows);
  put32(hdr + 44, (uint32_t)m->oos_index);
  put32(hdr + 48, f2u(m->temperature));
  put32(hdr + 52, f2u(m->threshold));
  put32(hdr + 56, (uint32_t)sb);
  wr(&w, hdr, sizeof hdr);
  {
    size_t written = 0;
    for (uint32_t i = 0; i <= m->n_labels; i++) {
      const char *s = i < m->n_labels ? m->labels[i] : m->oos_name;
      size_t len = strlen(s);
      put32(b4, (uint32_t)len);
      wr(&w, b4, 4);
      wr(&w, s, len);
      written += 4 + len;
    }
    if (m->sensitive) {
      wr(&w, "SENS", 4);
      wr(&w, m->sensitive, m->n_labels);
      written += 4 + m->n_labels;
    }
    memset(b4, 0, 4);
    wr(&w, b4, sb - written);
  }
  wr_u32s(&w, m->buckets, m->n_rows);
  wr_u32s(&w, (const uint32_t *)(const void *)m->bias, m->n_labels);
  wr_u32s(&w, (const uint32_t *)(const void *)m->w,
          (size_t)m->n_rows * m->n_labels);
  put32(b4, w.crc);
  if (!w.err && fwrite(b4, 1, 4, w.f) != 4)
    w.err = errno ? errno : EIO;
  if (fclose(w.f) && !w.err)
    w.err = errno ? errno : EIO;
  w.f = NULL;
  if (w.err) {
    remove(tmp.data);
    rc = maat__fail(MAAT_EIO, "cannot write '%s': %s", path, strerror(w.err));
    goto out;
  }
  if (rename(tmp.data, path)) {
    rc = maat__fail(MAAT_EIO, "cannot write '%s': %s", path, strerror(errno));
    remove(tmp.data);
    goto out;
  }
  rc = MAAT_OK;
out:
  maat__buf_release(&tmp);
  return rc;
}

/* Reads a whole file into memory; the allocation is the file's size. */
static int read_file(const char *path, unsigned char **out, size_t *size)
{
  FILE *f = fopen(path, "rb");
  struct stat st;
  unsigned char *buf;

  if (!f)
    return maat__fail(MAAT_EIO, "cannot open '%s': %s", path, strerror(errno));
  if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || st.st_size < 0) {
    fclose(f);
    return maat__fail(MAAT_EIO, "cannot read '%s': not a regular file", path);
  }
  buf = maat__malloc((size_t)st.st_size ? (size_t)st.st_size : 1);
  if (!buf) {
    fclose(f);
    return maat__fail(MAAT_ENOMEM, "out of memory reading '%s'", path);
  }
  if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
    int e = ferror(f) ? errno : 0;
    fclose(f);
    maat__free(buf);
    return maat__fail(MAAT_EIO, "cannot read '%s': %s", path,
                      e ? strerror(e) : "file changed while reading");
  }
  fclose(f);
  *out = buf;
  *size = (size_t)st.st_size;
  return MAAT_OK;
}

int maat_model_load(const char *path, maat_model **out)
{
  unsigned char *buf = NULL;
  struct maat_model *m = NULL;
  size_t size = 0, pos;
  uint64_t sb, expect;
  int rc;

  rc = read_file(path, &buf, &size);
  if (rc)
    return rc;
  if (size < 8 || memcmp(buf, MODEL_MAGIC, 4)) {
    rc = maat__fail(MAAT_EFORMAT, "'%s' is not a maat model", path);
    goto out;
  }
  if (get32(buf + 4) != MODEL_VERSION) {
    rc = maat__fail(MAAT_EFORMAT, "'%s': model format version %u not "
                    "supported (this build reads version %u)", path,
                    get32(buf + 4), MODEL_VERSION);
    goto out;
  }
  if (size < HEADER_BYTES + 4) {
    rc = maat__fail(MAAT_ECORRUPT, "'%s' is truncated (%zu bytes)", path, size);
    goto out;
  }
  if (get32(buf + 8) != MODEL_KIND_LINEAR || get32(buf + 12) != HEADER_BYTES) {
    rc = maat__fail(MAAT_EFORMAT, "'%s': model kind %u not supported", path,
                    get32(buf + 8));
    goto out;
  }
  m = maat__calloc(1, sizeof *m);
  if (!m) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory loading '%s'", path);
    goto out;
  }
  m->fo.hash_bits = get32(buf + 16);
  m->fo.word_ngrams = get32(buf + 20);
  m->fo.minn = get32(buf + 24);
  m->fo.maxn = get32(buf + 28);
  m->fo.flags = get32(buf + 32);
  m->n_labels = get32(buf + 36);
  m->n_rows = get32(buf + 40);
  m->oos_index = (int32_t)get32(buf + 44);
  m->temperature = u2f(get32(buf + 48));
  m->threshold = u2f(get32(buf + 52));
  sb = get32(buf + 56);
  /* Sizes first, in 64 bits, before anything is allocated or read. */
  if (m->fo.hash_bits > MAAT__HASH_BITS_MAX || m->n_labels > MAX_LABELS ||
      (uint64_t)m->n_rows > ((uint64_t)1 << m->fo.hash_bits) || sb % 4) {
    rc = maat__fail(MAAT_ECORRUPT, "'%s' is corrupt: impossible sizes in "
                    "the header", path);
    goto out;
  }
  expect = HEADER_BYTES + sb + 4 * (uint64_t)m->n_rows +
           4 * (uint64_t)m->n_labels +
           4 * (uint64_t)m->n_rows * m->n_labels + 4;
  if ((uint64_t)size < expect) {
    rc = maat__fail(MAAT_ECORRUPT, "'%s' is truncated (%zu of %llu bytes)",
                    path, size, (unsigned long long)expect);
    goto out;
  }
  if ((uint64_t)size > expect) {
    rc = maat__fail(MAAT_ECORRUPT, "'%s' is corrupt: %llu unexpected bytes "
                    "at the end", path,
                    (unsigned long long)((uint64_t)size - expect));
    goto out;
  }
  if (maat__crc32c(0, buf, size - 4) != get32(buf + size - 4)) {
    rc = maat__fail(MAAT_ECORRUPT, "'%s': checksum mismatch (the file is "
                    "damaged)", path);
    goto out;
  }
  rc = maat__feat_check(&m->fo);
  if (rc) {
    rc = maat__fail_prefix(MAAT_ECORRUPT, "'%s' is corrupt", path);
    goto out;
  }
  if (m->n_labels < 2 || m->oos_index < -1 ||
      m->oos_index >= (int32_t)m->n_labels || !(m->temperature > 0) ||
      !isfinite(m->temperature) || !(m->threshold >= 0) ||
      !(m->threshold <= 1)) {
    rc = maat__fail(MAAT_ECORRUPT, "'%s' is corrupt: bad header values", path);
    goto out;
  }
  m->labels = maat__calloc(m->n_labels, sizeof *m->labels);
  if (!m->labels) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory loading '%s'", path);
    goto out;
  }
  pos = HEADER_BYTES;
  for (uint32_t i = 0; i <= m->n_labels; i++) {
    uint32_t len;
    char *s;
    if (pos + 4 > HEADER_BYTES + sb) {
      rc = maat__fail(MAAT_ECORRUPT, "'%s' is corrupt: label table", path);
      goto out;
    }
    len = get32(buf + pos);
    pos += 4;
    if (len == 0 || len > MAX_LABEL_LEN || pos + len > HEADER_BYTES + sb ||
        memchr(buf + pos, '\0', len)) {
      rc = maat__fail(MAAT_ECORRUPT, "'%s' is corrupt: label table", path);
      goto out;
    }
    s = maat__strndup((const char *)buf + pos, len);
    if (!s) {
      rc = maat__fail(MAAT_ENOMEM, "out of memory loading '%s'", path);
      goto out;
    }
    if (i < m->n_labels)
      m->labels[i] = s;
    else
      m->oos_name = s;
    pos += len;
  }
  /* The sensitive topics, when the trainer knew them. */
  if (pos + 4 + m->n_labels <= HEADER_BYTES + sb &&
      !memcmp(buf + pos, "SENS", 4)) {
    m->sensitive = maat__malloc(m->n_labels + 1);
    if (!m->sensitive) {
      rc = maat__fail(MAAT_ENOMEM, "out of memory loading '%s'", path);
      goto out;
    }
    memcpy(m->sensitive, buf + pos + 4, m->n_labels);
    for (uint32_t i = 0; i < m->n_labels; i++)
      if (m->sensitive[i] > MAAT_SENSITIVE_VULNERABLE) {
        rc = maat__fail(MAAT_ECORRUPT, "'%s' is corrupt: sensitive topics",
                        path);
        goto out;
      }
  }
  pos = HEADER_BYTES + (size_t)sb;
  /* The weights stay in the file buffer: 'pos' is a multiple of 4. */
  m->buckets = (uint32_t *)(void *)(buf + pos);
  words_to_host(m->buckets, m->n_rows);
  pos += 4 * (size_t)m->n_rows;
  m->bias = (float *)(void *)(buf + pos);
  words_to_host(m->bias, m->n_labels);
  pos += 4 * (size_t)m->n_labels;
  m->w = (float *)(void *)(buf + pos);
  words_to_host(m->w, (size_t)m->n_rows * m->n_labels);
  m->owned = buf;
  buf = NULL;
  rc = maat__model_build_index(m);
  if (rc == MAAT_ENOMEM)
    goto out;
  if (rc) {
    rc = maat__fail_prefix(MAAT_ECORRUPT, "'%s' is corrupt", path);
    goto out;
  }
  for (size_t i = 0; i < (size_t)m->n_rows * m->n_labels; i++)
    if (!isfinite(m->w[i])) {
      rc = maat__fail(MAAT_ECORRUPT, "'%s' is corrupt: weight %zu is not "
                      "finite", path, i);
      goto out;
    }
  *out = m;
  m = NULL;
  rc = MAAT_OK;
out:
  maat_model_free(m);
  maat__free(buf);
  return rc;
}

/*
 * text_utf8.c - strict UTF-8 validation (RFC 3629): rejects overlong forms,
 * UTF-16 surrogates, code points above U+10FFFF, stray continuation bytes and
 * truncated sequences, and reports the offset of the first bad byte.
 */
#include "maat-int.h"

#include <string.h>

/*
 * Returns the length of the longest valid UTF-8 prefix of 's'. An ASCII run
 * is skipped eight bytes at a time, since most customer text is mostly ASCII.
 */
static size_t valid_prefix(const unsigned char *s, size_t len)
{
  size_t i = 0;

  while (i < len) {
    unsigned c = s[i];

    if (c < 0x80) {
      while (i + 8 <= len) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ULL)
          break;
        i += 8;
      }
      while (i < len && s[i] < 0x80)
        i++;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      if (i + 1 >= len || (s[i + 1] & 0xC0) != 0x80)
        return i;
      i += 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      unsigned lo = 0x80, hi = 0xBF;

      if (c == 0xE0)
        lo = 0xA0; /* overlong below U+0800 */
      else if (c == 0xED)
        hi = 0x9F; /* surrogates U+D800..U+DFFF */
      if (i + 1 >= len || s[i + 1] < lo || s[i + 1] > hi)
        return i;
      if (i + 2 >= len || (s[i + 2] & 0xC0) != 0x80)
        return i;
      i += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      unsigned lo = 0x80, hi = 0xBF;

      if (c == 0xF0)
        lo = 0x90; /* overlong below U+10000 */
      else if (c == 0xF4)
        hi = 0x8F; /* above U+10FFFF */
      if (i + 1 >= len || s[i + 1] < lo || s[i + 1] > hi)
        return i;
      if (i + 2 >= len || (s[i + 2] & 0xC0) != 0x80)
        return i;
      if (i + 3 >= len || (s[i + 3] & 0xC0) != 0x80)
        return i;
      i += 4;
    } else {
      /* 0x80..0xC1 (continuation or overlong lead) and 0xF5..0xFF. */
      return i;
    }
  }
  return len;
}

int maat_utf8_validate(const char *s, size_t len, size_t *bad_offset)
{
  size_t n;

  if (!s && len)
    return maat__fail(MAAT_EINVAL, "invalid argument: NULL text");
  n = valid_prefix((const unsigned char *)s, len);
  if (n == len)
    return MAAT_OK;
  if (bad_offset)
    *bad_offset = n;
  return maat__fail(MAAT_EUTF8, "invalid utf-8 at byte %zu", n);
}

/*
 * text_tokenize.c - normalisation (NFKC + case folding, via utf8proc) and
 * tokenisation into words, numbers, e-mail addresses, URLs, emoji and
 * punctuation runs, with byte offsets into the original input.
 *
 * Two paths. Pure-ASCII input (the common case) is lowercased with a table
 * into a reused buffer and the offsets are the identity. Other input is
 * normalised one grapheme cluster at a time: every normalised byte remembers
 * the original byte range of the cluster it came from, so a token maps back
 * to [start of its first cluster, end of its last cluster). Normalising per
 * cluster keeps base letters and their combining marks together, so "e" +
 * U+0301 composes to "é" as NFKC of the whole string would. See
 * docs/internals/text.md for the token rules.
 */
#include "maat-int.h"

#include <pthread.h>
#include <string.h>
#include <utf8proc.h>

struct maat_tokenizer {
  struct maat_buf norm;    /* normalised text of the last input */
  uint32_t *ostart, *oend; /* per normalised byte: original cluster range */
  size_t map_cap;
  int ascii;               /* last input was ASCII: offsets are the identity */
  utf8proc_int32_t *cps;   /* scratch for utf8proc */
  size_t cps_cap;
  maat_token *toks;
  size_t ntoks, toks_cap;
};

/* Character classes the scanner works with. */
enum cls {
  C_SPACE,
  C_LETTER,
  C_DIGIT,
  C_APOS,     /* ' (curly quotes are mapped to it when normalising) */
  C_HYPHEN,   /* - */
  C_TERM,     /* . ! ? : runs of these are one token */
  C_PUNCT,    /* other punctuation and symbols */
  C_CURRENCY, /* $ € £ ...: a token of its own */
  C_EMOJI     /* pictographs, regional indicators, other symbols */
};

static unsigned char ascii_cls[128];
static unsigned char ascii_lower[128];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void init_tables(void)
{
  for (int c = 0; c < 128; c++) {
    unsigned char k = C_PUNCT;

    if (c <= ' ' || c == 127)
      k = C_SPACE;
    else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
      k = C_LETTER;
    else if (c >= '0' && c <= '9')
      k = C_DIGIT;
    else if (c == '\'')
      k = C_APOS;
    else if (c == '-')
      k = C_HYPHEN;
    else if (c == '.' || c == '!' || c == '?')
      k = C_TERM;
    else if (c == '$')
      k = C_CURRENCY;
    ascii_cls[c] = k;
    ascii_lower[c] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
}

static enum cls cp_class(utf8proc_int32_t cp)
{
  const utf8proc_property_t *p;

  if (cp < 128)
    return (enum cls)ascii_cls[cp];
  p = utf8proc_get_property(cp);
  if (p->boundclass == UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC ||
      p->boundclass == UTF8PROC_BOUNDCLASS_E_ZWG ||
      p->boundclass == UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR ||
      p->boundclass == UTF8PROC_BOUNDCLASS_E_BASE ||
      p->boundclass == UTF8PROC_BOUNDCLASS_E_BASE_GAZ ||
      p->boundclass == UTF8PROC_BOUNDCLASS_GLUE_AFTER_ZWJ)
    return C_EMOJI;
  switch (p->category) {
  case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
  case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
  case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
  case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    return C_LETTER;
  case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
  case UTF8PROC_CATEGORY_NO:
    return C_DIGIT;
  case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL:
  case UTF8PROC_CATEGORY_ZP: case UTF8PROC_CATEGORY_CC:
  case UTF8PROC_CATEGORY_CF:
    return C_SPACE;
  case UTF8PROC_CATEGORY_SC:
    return C_CURRENCY;
  case UTF8PROC_CATEGORY_SO:
    return C_EMOJI;
  default:
    return cp == 0x00A1 || cp == 0x00BF ? C_TERM : C_PUNCT;
  }
}

/* Decodes the (valid) normalised text at 'i'; returns its length in bytes. */
static size_t decode(const char *s, size_t len, size_t i, utf8proc_int32_t *cp)
{
  unsigned char c = (unsigned char)s[i];
  utf8proc_ssize_t n;

  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                       (utf8proc_ssize_t)(len - i), cp);
  if (n <= 0) {
    *cp = 0xFFFD;
    return 1;
  }
  return (size_t)n;
}

static enum cls class_at(const maat_tokenizer *t, size_t i, size_t *n)
{
  utf8proc_int32_t cp;
  unsigned char c = (unsigned char)t->norm.data[i];

  if (c < 0x80) {
    *n = 1;
    return (enum cls)ascii_cls[c];
  }
  *n = decode(t->norm.data, t->norm.len, i, &cp);
  return cp_class(cp);
}

maat_tokenizer *maat_tokenizer_new(void)
{
  pthread_once(&tables_once, init_tables);
  return maat__calloc(1, sizeof(maat_tokenizer));
}

void maat_tokenizer_free(maat_tokenizer *t)
{
  if (!t)
    return;
  maat__buf_release(&t->norm);
  maat__free(t->ostart);
  maat__free(t->oend);
  maat__free(t->cps);
  maat__free(t->toks);
  maat__free(t);
}

size_t maat_tokenizer_count(const maat_tokenizer *t)
{
  return t ? t->ntoks : 0;
}

const maat_token *maat_tokenizer_get(const maat_tokenizer *t, size_t i)
{
  if (!t || i >= t->ntoks)
    return NULL;
  return &t->toks[i];
}

/* ---- normalisation ------------------------------------------------------ */

static int reserve_map(maat_tokenizer *t, size_t n)
{
  uint32_t *a, *b;
  size_t cap;

  if (n <= t->map_cap)
    return MAAT_OK;
  cap = t->map_cap ? t->map_cap : 256;
  while (cap < n)
    cap *= 2;
  a = maat__realloc(t->ostart, cap * sizeof *a);
  if (!a)
    return maat__fail(MAAT_ENOMEM, "out of memory tokenizing");
  t->ostart = a;
  b = maat__realloc(t->oend, cap * sizeof *b);
  if (!b)
    return maat__fail(MAAT_ENOMEM, "out of memory tokenizing");
  t->oend = b;
  t->map_cap = cap;
  return MAAT_OK;
}

static int is_ascii(const char *s, size_t len)
{
  size_t i = 0;
  uint64_t acc = 0;

  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    acc |= w;
  }
  for (; i < len; i++)
    acc |= (unsigned char)s[i];
  return !(acc & 0x8080808080808080ULL);
}

/* Appends 'n' normalised bytes that came from original bytes [os, oe). */
static int emit(maat_tokenizer *t, const void *p, size_t n, size_t os,
                size_t oe)
{
  int rc = reserve_map(t, t->norm.len + n + 1);

  if (rc)
    return rc;
  for (size_t k = 0; k < n; k++) {
    t->ostart[t->norm.len + k] = (uint32_t)os;
    t->oend[t->norm.len + k] = (uint32_t)oe;
  }
  return maat__buf_append(&t->norm, p, n);
}

/* Normalises one grapheme cluster, original bytes [os, oe). */
static int norm_cluster(maat_tokenizer *t, const char *s, size_t os,
                        size_t oe, unsigned flags)
{
  utf8proc_option_t opt = UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                          UTF8PROC_COMPAT;
  utf8proc_ssize_t n;
  utf8proc_int32_t cp;

  if (!(flags & MAAT_TOKENIZE_KEEP_CASE))
    opt |= UTF8PROC_CASEFOLD;
  /* Apostrophes and hyphens that NFKC keeps apart are unified. */
  if (oe - os <= 4 && decode(s, oe, os, &cp) == oe - os) {
    if (cp == 0x2019 || cp == 0x2018 || cp == 0x02BC || cp == 0x00B4 ||
        cp == 0x0060)
      return emit(t, "'", 1, os, oe);
    if (cp == 0x2010 || cp == 0x2011)
      return emit(t, "-", 1, os, oe);
  }
  for (;;) {
    n = utf8proc_decompose((const utf8proc_uint8_t *)s + os,
                           (utf8proc_ssize_t)(oe - os), t->cps,
                           (utf8proc_ssize_t)t->cps_cap, opt);
    if (n < 0)
      return maat__fail(MAAT_EUTF8, "cannot normalise bytes %zu-%zu: %s", os,
                        oe, utf8proc_errmsg(n));
    if ((size_t)n <= t->cps_cap)
      break;
    {
      size_t cap = (size_t)n + 16;
      utf8proc_int32_t *p = maat__realloc(t->cps, cap * sizeof *p);
      if (!p)
        return maat__fail(MAAT_ENOMEM, "out of memory tokenizing");
      t->cps = p;
      t->cps_cap = cap;
    }
  }
  n = utf8proc_reencode(t->cps, n, opt);
  if (n < 0)
    return maat__fail(MAAT_EUTF8, "cannot normalise bytes %zu-%zu: %s", os,
                      oe, utf8proc_errmsg(n));
  return emit(t, t->cps, (size_t)n, os, oe);
}

static int normalise_unicode(maat_tokenizer *t, const char *s, size_t len,
                             unsigned flags)
{
  size_t i = 0;
  utf8proc_int32_t state = 0;
  int rc;

  if (len > UINT32_MAX)
    return maat__fail(MAAT_EINVAL, "text too long to tokenize (%zu bytes)",
                      len);
  if (t->cps_cap < 64) {
    utf8proc_int32_t *p = maat__realloc(t->cps, 64 * sizeof *p);
    if (!p)
      return maat__fail(MAAT_ENOMEM, "out of memory tokenizing");
    t->cps = p;
    t->cps_cap = 64;
  }
  rc = reserve_map(t, len + 1);
  if (rc)
    return rc;
  while (i < len) {
    size_t start = i;
    utf8proc_int32_t cp, next;
    size_t n = decode(s, len, i, &cp);

    i += n;
    /* Extend to the end of the grapheme cluster. */
    state = 0;
    while (i < len) {
      size_t m;
      unsigned char c = (unsigned char)s[i];

      if (cp < 0x80 && c < 0x80)
        break; /* two ASCII characters always break (CR LF aside) */
      m = decode(s, len, i, &next);
      if (utf8proc_grapheme_break_stateful(cp, next, &state))
        break;
      cp = next;
      i += m;
    }
    if (i - start == 1 && (unsigned char)s[start] < 0x80) {
      unsigned char c = (unsigned char)s[start];
      char o = (char)(flags & MAAT_TOKENIZE_KEEP_CASE ? c : ascii_lower[c]);
      rc = emit(t, &o, 1, start, i);
    } else {
      rc = norm_cluster(t, s, start, i, flags);
    }
    if (rc)
      return rc;
  }
  return MAAT_OK;
}

/* ---- tokenisation ------------------------------------------------------- */

static int push(maat_tokenizer *t, size_t ns, size_t ne, maat_token_kind k,
                unsigned flags)
{
  maat_token *tok;

  if (k == MAAT_TOK_PUNCT && (flags & MAAT_TOKENIZE_NO_PUNCT))
    return MAAT_OK;
  if (t->ntoks == t->toks_cap) {
    size_t cap = t->toks_cap ? 2 * t->toks_cap : 32;
    maat_token *p = maat__realloc(t->toks, cap * sizeof *p);
    if (!p)
      return maat__fail(MAAT_ENOMEM, "out of memory tokenizing");
    t->toks = p;
    t->toks_cap = cap;
  }
  tok = &t->toks[t->ntoks++];
  /* 'text' is set after the scan, once the buffer no longer moves. */
  tok->text = NULL;
  tok->len = ne - ns;
  tok->start = ns;
  tok->end = ne;
  tok->kind = k;
  return MAAT_OK;
}

static int lower_ascii(int c)
{
  return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int has_prefix_ci(const char *s, size_t len, const char *p)
{
  size_t n = strlen(p);

  if (len < n)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (lower_ascii((unsigned char)s[i]) != p[i])
      return 0;
  return 1;
}

static int is_email_char(int c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '%' ||
         c == '+' || c == '-';
}

/* Top-level domains that make "bol.com" or "post.nl" a URL. */
static int is_known_tld(const char *s, size_t n)
{
  static const char *const tlds[] = {
    "com", "nl", "org", "net", "be", "eu", "io", "de", "uk", "fr", "info",
    "app", "co", "dev", NULL
  };
  for (size_t i = 0; tlds[i]; i++)
    if (strlen(tlds[i]) == n) {
      size_t k = 0;
      while (k < n && lower_ascii((unsigned char)s[k]) == tlds[i][k])
        k++;
      if (k == n)
        return 1;
    }
  return 0;
}

static int is_url_tail_punct(int c)
{
  return c == '.' || c == ',' || c == '!' || c == '?' || c == ';' ||
         c == ':' || c == ')' || c == '"' || c == '\'' || c == ']' ||
         c == '>';
}

/*
 * Tries an e-mail address or URL at 'i'. Returns its end, or 'i' when there
 * is none. ASCII only: internationalised addresses fall back to words.
 */
static size_t scan_email_url(const char *s, size_t len, size_t i,
                             maat_token_kind *kind)
{
  size_t j = i, at = 0, nat = 0, lastdot = 0, firstdot = 0;

  int c0 = lower_ascii((unsigned char)s[i]);

  if ((c0 == 'h' && (has_prefix_ci(s + i, len - i, "http://") ||
                     has_prefix_ci(s + i, len - i, "https://"))) ||
      (c0 == 'w' && has_prefix_ci(s + i, len - i, "www."))) {
    while (j < len && (unsigned char)s[j] > ' ')
      j++;
    while (j > i && is_url_tail_punct((unsigned char)s[j - 1]))
      j--;
    *kind = MAAT_TOK_URL;
    return j;
  }
  while (j < len && (is_email_char((unsigned char)s[j]) || s[j] == '@')) {
    if (s[j] == '@') {
      at = j;
      nat++;
    } else if (s[j] == '.' && !firstdot) {
      firstdot = j;
    }
    j++;
  }
  while (j > i && (s[j - 1] == '.' || s[j - 1] == '-'))
    j--;
  /* The common case, a plain word: no at-sign and no dot inside. */
  if (!nat && (!firstdot || firstdot + 1 >= j))
    return i;
  /* Followed by a non-ASCII letter: not an address, a word. */
  if (j < len && (unsigned char)s[j] >= 0x80)
    return i;
  for (size_t k = j; k > i; k--)
    if (s[k - 1] == '.') {
      lastdot = k - 1;
      break;
    }
  if (nat == 1 && at > i && lastdot > at + 1 && lastdot + 1 < j &&
      s[at - 1] != '.') {
    *kind = MAAT_TOK_EMAIL;
    return j;
  }
  if (nat == 0 && lastdot > i && lastdot + 1 < j &&
      is_known_tld(s + lastdot + 1, j - lastdot - 1)) {
    /* A bare domain: letters, digits, dots and hyphens only. */
    for (size_t k = i; k < j; k++)
      if (s[k] == '_' || s[k] == '%' || s[k] == '+')
        return i;
    if (s[lastdot - 1] == '.')
      return i;
    /* Allow a path after the domain: "bol.com/retour". */
    if (j < len && s[j] == '/') {
      while (j < len && (unsigned char)s[j] > ' ')
        j++;
      while (j > i && is_url_tail_punct((unsigned char)s[j - 1]))
        j--;
    }
    *kind = MAAT_TOK_URL;
    return j;
  }
  return i;
}

/* Dutch clitics written with a leading apostrophe: 's, 't, 'n, 'k, 'm, 'r. */
static size_t scan_clitic(const maat_tokenizer *t, size_t i)
{
  const char *s = t->norm.data;
  size_t len = t->norm.len, n;
  int c;

  if (i + 1 >= len)
    return i;
  c = lower_ascii((unsigned char)s[i + 1]);
  if (c != 's' && c != 't' && c != 'n' && c != 'k' && c != 'm' && c != 'r')
    return i;
  if (i + 2 < len && class_at(t, i + 2, &n) == C_LETTER)
    return i;
  if (i > 0) {
    /* Must not follow a letter: that would be "auto's" or a closing quote. */
    size_t k = i - 1;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
      k--;
    if (class_at(t, k, &n) == C_LETTER || class_at(t, k, &n) == C_DIGIT)
      return i;
  }
  return i + 2;
}

/*
 * A word or number from 'i': letters and digits, joined by an inner
 * apostrophe or hyphen before a letter or digit; numbers also join by
 * '.', ',', ':' and '/' before a digit.
 */
static size_t scan_word(const maat_tokenizer *t, size_t i, int number)
{
  const char *s = t->norm.data;
  size_t len = t->norm.len, n, m;

  while (i < len) {
    enum cls c = class_at(t, i, &n);

    if (c == C_LETTER || c == C_DIGIT) {
      i += n;
      continue;
    }
    if (i + n < len) {
      enum cls d = class_at(t, i + n, &m);
      if ((c == C_APOS || c == C_HYPHEN) && (d == C_LETTER || d == C_DIGIT)) {
        i += n;
        continue;
      }
      if (number && d == C_DIGIT &&
          (s[i] == '.' || s[i] == ',' || s[i] == ':' || s[i] == '/')) {
        i += n;
        continue;
      }
    }
    break;
  }
  return i;
}

/* One emoji: a whole grapheme cluster (modifiers, ZWJ sequences, flags). */
static size_t scan_emoji(const maat_tokenizer *t, size_t i)
{
  const char *s = t->norm.data;
  size_t len = t->norm.len;
  utf8proc_int32_t cp, next, state = 0;

  i += decode(s, len, i, &cp);
  while (i < len) {
    size_t m = decode(s, len, i, &next);
    if (utf8proc_grapheme_break_stateful(cp, next, &state))
      break;
    cp = next;
    i += m;
  }
  return i;
}

static int scan(maat_tokenizer *t, unsigned flags)
{
  const char *s = t->norm.data;
  size_t len = t->norm.len;
  size_t i = 0;
  int rc = MAAT_OK;

  while (i < len) {
    size_t n, j;
    enum cls c = class_at(t, i, &n);
    maat_token_kind kind;

    switch (c) {
    case C_SPACE:
      i += n;
      continue;
    case C_LETTER:
    case C_DIGIT:
      j = scan_email_url(s, len, i, &kind);
      if (j == i) {
        kind = c == C_DIGIT ? MAAT_TOK_NUMBER : MAAT_TOK_WORD;
        j = scan_word(t, i, c == C_DIGIT);
      }
      break;
    case C_APOS:
      j = scan_clitic(t, i);
      if (j != i) {
        kind = MAAT_TOK_WORD;
        break;
      }
      kind = MAAT_TOK_PUNCT;
      j = i + n;
      break;
    case C_EMOJI:
      kind = MAAT_TOK_EMOJI;
      j = scan_emoji(t, i);
      break;
    case C_TERM:
      /* "!!!", "?!", "...": the run is one token. */
      kind = MAAT_TOK_PUNCT;
      j = i + n;
      while (j < len && class_at(t, j, &n) == C_TERM)
        j += n;
      break;
    case C_CURRENCY:
      kind = MAAT_TOK_PUNCT;
      j = i + n;
      break;
    default:
      /* A run of one repeated punctuation character: "--", "**", ",,". */
      kind = MAAT_TOK_PUNCT;
      j = i + n;
      while (j + n <= len && memcmp(s + j, s + i, n) == 0)
        j += n;
      break;
    }
    rc = push(t, i, j, kind, flags);
    if (rc)
      return rc;
    i = j;
  }
  return MAAT_OK;
}

int maat_tokenize(maat_tokenizer *t, const char *s, size_t len, unsigned flags)
{
  int rc;
  size_t bad;

  if (!t || (!s && len))
    return maat__fail(MAAT_EINVAL, "invalid argument to maat_tokenize");
  t->ntoks = 0;
  t->norm.len = 0;
  t->ascii = is_ascii(s, len);
  if (t->ascii) {
    rc = maat__buf_reserve(&t->norm, len + 1);
    if (rc)
      return rc;
    if (flags & MAAT_TOKENIZE_KEEP_CASE) {
      if (len)
        memcpy(t->norm.data, s, len);
    } else {
      for (size_t i = 0; i < len; i++)
        t->norm.data[i] = (char)ascii_lower[(unsigned char)s[i]];
    }
    t->norm.len = len;
    t->norm.data[len] = '\0';
  } else {
    rc = maat_utf8_validate(s, len, &bad);
    if (rc)
      return rc;
    rc = normalise_unicode(t, s, len, flags);
    if (rc)
      goto fail;
  }
  rc = scan(t, flags);
  if (rc)
    goto fail;
  for (size_t i = 0; i < t->ntoks; i++) {
    maat_token *tok = &t->toks[i];
    size_t ns = tok->start, ne = tok->end;

    tok->text = t->norm.data + ns;
    if (!t->ascii) {
      tok->start = t->ostart[ns];
      tok->end = t->oend[ne - 1];
    }
  }
  return MAAT_OK;
fail:
  t->ntoks = 0;
  t->norm.len = 0;
  return rc;
}

/*
 * text_langid.c - language identification: Dutch, English or other.
 *
 * No model file and no data-derived table: a hand-written lexicon of very
 * frequent function words and common customer-service words for Dutch and
 * English, plus German and French function words so that those languages
 * land on "other" instead of on their nearest neighbour. Words outside the
 * lexicon add a small score from spelling cues ("ij", "oe", "sch" for Dutch;
 * "th", "wh", "-ing" for English; "ß", "ç", accents for German/French).
 * The language with the highest score wins; German or French, or too little
 * evidence, gives MAAT_LANG_OTHER. Cost is one pass over the bytes plus a
 * binary search per word; no allocation. See docs/internals/text.md.
 */
#include "maat-int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { L_NL = 1, L_EN = 2, L_DE = 4, L_FR = 8 };

struct lexword {
  const char *w;
  unsigned char langs;
};

/*
 * Sorted by strcmp (checked by the unit tests through maat__langid_check).
 * A word in several languages carries each of them.
 */
static const struct lexword lexicon[] = {
#include "text_langid_lexicon.h"
};
static const size_t nlexicon = sizeof lexicon / sizeof lexicon[0];

int maat__langid_lexicon_sorted(void);
int maat__langid_lexicon_sorted(void)
{
  for (size_t i = 1; i < nlexicon; i++)
    if (strcmp(lexicon[i - 1].w, lexicon[i].w) >= 0)
      return 0;
  return 1;
}

static int cmp_lex(const void *k, const void *e)
{
  return strcmp(k, ((const struct lexword *)e)->w);
}

static unsigned lookup(const char *w)
{
  const struct lexword *e = bsearch(w, lexicon, nlexicon, sizeof *lexicon,
                                    cmp_lex);
  return e ? e->langs : 0;
}

static int ends(const char *w, size_t n, const char *suf)
{
  size_t k = strlen(suf);
  return n >= k && memcmp(w + n - k, suf, k) == 0;
}

/* Letter groups the cues look for, found in one pass over a word. */
enum {
  G_IJ = 1 << 0, G_OE = 1 << 1, G_AA = 1 << 2, G_UU = 1 << 3,
  G_UI = 1 << 4, G_SCH = 1 << 5, G_SCHW = 1 << 6, G_CHT = 1 << 7,
  G_VV = 1 << 8, G_KK = 1 << 9, G_EE = 1 << 10, G_OO = 1 << 11,
  G_TH = 1 << 12, G_WH = 1 << 13, G_SH = 1 << 14, G_PH = 1 << 15,
  G_W = 1 << 16, G_WW = 1 << 17, G_WIJ = 1 << 18, G_WO = 1 << 19,
  G_WE = 1 << 20, G_C = 1 << 21, G_CH = 1 << 22, G_CK = 1 << 23,
  G_DE_UML = 1 << 24, /* ß ä ü */
  G_TZ = 1 << 25, G_UNG = 1 << 26, G_EI = 1 << 27,
  G_FR_ACC = 1 << 28, /* ç à è ê â ô */
  G_EAU = 1 << 29, G_AUX = 1 << 30, G_QU = 1u << 31
};

static uint64_t groups(const char *w, size_t n, int *eacute)
{
  uint64_t g = 0;

  for (size_t k = 0; k < n; k++) {
    unsigned char b = (unsigned char)w[k + 1]; /* w is NUL-terminated */
    unsigned char c = b ? (unsigned char)w[k + 2] : 0;

    switch ((unsigned char)w[k]) {
    case 'i':
      g |= b == 'j' ? G_IJ : 0;
      break;
    case 'o':
      g |= b == 'e' ? G_OE : b == 'o' ? G_OO : 0;
      break;
    case 'a':
      g |= b == 'a' ? G_AA : b == 'u' && c == 'x' ? G_AUX : 0;
      break;
    case 'u':
      g |= b == 'u' ? G_UU : b == 'i' ? G_UI : b == 'n' && c == 'g' ? G_UNG
                                                                     : 0;
      break;
    case 's':
      if (b == 'c' && c == 'h')
        g |= G_SCH | (w[k + 3] == 'w' ? G_SCHW : 0);
      g |= b == 'h' ? G_SH : 0;
      break;
    case 'c':
      g |= G_C;
      g |= b == 'h' ? G_CH | (c == 't' ? G_CHT : 0) : b == 'k' ? G_CK : 0;
      break;
    case 'v':
      g |= b == 'v' ? G_VV : 0;
      break;
    case 'k':
      g |= b == 'k' ? G_KK : 0;
      break;
    case 'e':
      g |= b == 'e' ? G_EE : b == 'i' ? G_EI : b == 'a' && c == 'u' ? G_EAU
                                                                     : 0;
      break;
    case 't':
      g |= b == 'h' ? G_TH : b == 'z' ? G_TZ : 0;
      break;
    case 'w':
      g |= G_W;
      g |= b == 'h' ? G_WH : b == 'w' ? G_WW : b == 'o' ? G_WO
           : b == 'e' ? G_WE : b == 'i' && c == 'j' ? G_WIJ : 0;
      break;
    case 'p':
      g |= b == 'h' ? G_PH : 0;
      break;
    case 'q':
      g |= b == 'u' ? G_QU : 0;
      break;
    case 0xC3:
      if (b == 0x9F || b == 0xA4 || b == 0xBC)
        g |= G_DE_UML;
      else if (b == 0xA7 || b == 0xA0 || b == 0xA8 || b == 0xAA ||
               b == 0xA2 || b == 0xB4)
        g |= G_FR_ACC;
      else if (b == 0xA9)
        *eacute = 1;
      break;
    default:
      break;
    }
  }
  return g;
}

/* Spelling cues of a word outside the lexicon; scores[] is nl, en, de, fr. */
static void cues(const char *w, size_t n, double *sc)
{
  int eacute = 0;
  uint64_t g;

  if (n < 3)
    return;
  g = groups(w, n, &eacute);
  if (g & G_IJ)
    sc[0] += 0.6;
  if (g & (G_OE | G_AA | G_UU | G_UI))
    sc[0] += 0.4;
  if ((g & G_SCH) && !(g & G_SCHW))
    sc[0] += 0.2, sc[2] += 0.2;
  if (g & G_CHT)
    sc[0] += 0.2, sc[2] += 0.2;
  if (ends(w, n, "en") || ends(w, n, "heid") || ends(w, n, "tje") ||
      ends(w, n, "lijk") || ends(w, n, "ig"))
    sc[0] += 0.3;
  if (g & (G_VV | G_KK | G_EE | G_OO))
    sc[0] += 0.15;
  if (g & (G_TH | G_WH | G_SH | G_PH))
    sc[1] += 0.4;
  if (ends(w, n, "ing") || ends(w, n, "ly") || ends(w, n, "tion") ||
      ends(w, n, "ed") || ends(w, n, "'s") || ends(w, n, "ness") ||
      ends(w, n, "y") || ends(w, n, "ough"))
    sc[1] += 0.4;
  if ((g & G_W) && !(g & (G_WW | G_WIJ | G_WO | G_WE)))
    sc[1] += 0.15;
  if ((g & G_C) && !(g & (G_CH | G_CK)))
    sc[1] += 0.15, sc[3] += 0.15;
  if (g & G_DE_UML)
    sc[2] += 0.8;
  if (g & (G_TZ | G_SCH | G_UNG | G_EI))
    sc[2] += 0.15;
  if (g & (G_FR_ACC | G_EAU | G_AUX | G_QU))
    sc[3] += 0.6;
  if (eacute)
    sc[3] += 0.3;
}

maat_lang maat_lang_detect(const char *s, size_t len, double *confidence)
{
  double sc[4] = { 0, 0, 0, 0 };
  char w[48];
  size_t i = 0, words = 0;
  double best = 0, total = 0;
  int bi = -1;

  if (confidence)
    *confidence = 0;
  if (!s)
    return MAAT_LANG_OTHER;
  while (i < len) {
    size_t n = 0;
    unsigned char c = (unsigned char)s[i];
    double weight = 1.0;

    /* A word: ASCII letters, apostrophes and any non-ASCII bytes. */
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80)) {
      i++;
      continue;
    }
    /*
     * A capitalised word after the first is likely a name or a title
     * ("speel Tarzan of the Apes"), which says little about the language
     * of the sentence around it.
     */
    if (words > 0 && c >= 'A' && c <= 'Z')
      weight = 0.4;
    while (i < len) {
      c = (unsigned char)s[i];
      if (c >= 'A' && c <= 'Z')
        c = (unsigned char)(c + 32);
      else if (!((c >= 'a' && c <= 'z') || c >= 0x80 || c == '\''))
        break;
      /* U+2019 right quote as an apostrophe. */
      if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
          (unsigned char)s[i + 2] == 0x99) {
        c = '\'';
        i += 2;
      }
      if (n < sizeof w - 1)
        w[n++] = (char)c;
      i++;
    }
    while (n > 0 && w[n - 1] == '\'')
      n--;
    if (n == 0 || n >= sizeof w - 1)
      continue;
    w[n] = '\0';
    words++;
    {
      unsigned m = lookup(w);
      if (m) {
        int k = (m & L_NL ? 1 : 0) + (m & L_EN ? 1 : 0) + (m & L_DE ? 1 : 0) +
                (m & L_FR ? 1 : 0);
        double v = weight / k;
        if (m & L_NL)
          sc[0] += v;
        if (m & L_EN)
          sc[1] += v;
        if (m & L_DE)
          sc[2] += v;
        if (m & L_FR)
          sc[3] += v;
      } else {
        double cs[4] = { 0, 0, 0, 0 };
        cues(w, n, cs);
        for (int k = 0; k < 4; k++)
          sc[k] += weight * cs[k];
      }
    }
  }
  for (int k = 0; k < 4; k++) {
    total += sc[k];
    if (sc[k] > best) {
      best = sc[k];
      bi = k;
    }
  }
  if (bi < 0 || best < 0.3 || words == 0)
    return MAAT_LANG_OTHER;
  if (confidence)
    *confidence = best / total;
  if (bi == 0)
    return MAAT_LANG_NL;
  if (bi == 1)
    return MAAT_LANG_EN;
  return MAAT_LANG_OTHER;
}

const char *maat_lang_name(maat_lang lang)
{
  switch (lang) {
  case MAAT_LANG_EN:
    return "en";
  case MAAT_LANG_NL:
    return "nl";
  default:
    return "other";
  }
}

int maat_lang_parse(const char *name, maat_lang *out)
{
  static const struct {
    const char *name;
    maat_lang lang;
  } names[] = {
    { "en", MAAT_LANG_EN }, { "nl", MAAT_LANG_NL }, { "other", MAAT_LANG_OTHER }
  };

  if (!name || !out)
    return maat__fail(MAAT_EINVAL, "invalid argument to maat_lang_parse");
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcasecmp(name, names[i].name) == 0) {
      *out = names[i].lang;
      return MAAT_OK;
    }
  return maat__fail(MAAT_EINVAL, "unknown language '%s' (expected en, nl or "
                    "other)", name);
}

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

static int has(const char *w, const char *sub)
{
  return strstr(w, sub) != NULL;
}

static int ends(const char *w, size_t n, const char *suf)
{
  size_t k = strlen(suf);
  return n >= k && memcmp(w + n - k, suf, k) == 0;
}

/* Spelling cues of a word outside the lexicon; scores[] is nl, en, de, fr. */
static void cues(const char *w, size_t n, double *sc)
{
  if (n < 3)
    return;
  if (has(w, "ij"))
    sc[0] += 0.6;
  if (has(w, "oe") || has(w, "aa") || has(w, "uu") || has(w, "ui"))
    sc[0] += 0.4;
  if (has(w, "sch") && !has(w, "schw"))
    sc[0] += 0.2, sc[2] += 0.2;
  if (has(w, "cht"))
    sc[0] += 0.2, sc[2] += 0.2;
  if (ends(w, n, "en") || ends(w, n, "heid") || ends(w, n, "tje") ||
      ends(w, n, "lijk") || ends(w, n, "ig"))
    sc[0] += 0.3;
  if (has(w, "vv") || has(w, "kk") || has(w, "ee") || has(w, "oo"))
    sc[0] += 0.15;
  if (has(w, "th") || has(w, "wh") || has(w, "sh") || has(w, "ph"))
    sc[1] += 0.4;
  if (ends(w, n, "ing") || ends(w, n, "ly") || ends(w, n, "tion") ||
      ends(w, n, "ed") || ends(w, n, "'s") || ends(w, n, "ness") ||
      ends(w, n, "y") || ends(w, n, "ough"))
    sc[1] += 0.4;
  if (has(w, "w") && !has(w, "ww") && !has(w, "wij") && !has(w, "wo") &&
      !has(w, "we"))
    sc[1] += 0.15;
  if (has(w, "c") && !has(w, "ch") && !has(w, "ck"))
    sc[1] += 0.15, sc[3] += 0.15;
  if (has(w, "\xc3\x9f") || has(w, "\xc3\xa4") || has(w, "\xc3\xbc"))
    sc[2] += 0.8;
  if (has(w, "tz") || has(w, "sch") || has(w, "ung") || has(w, "ei"))
    sc[2] += 0.15;
  if (has(w, "\xc3\xa7") || has(w, "\xc3\xa0") || has(w, "\xc3\xa8") ||
      has(w, "\xc3\xaa") || has(w, "\xc3\xa2") || has(w, "\xc3\xb4") ||
      has(w, "eau") || has(w, "aux") || has(w, "qu"))
    sc[3] += 0.6;
  if (has(w, "\xc3\xa9"))
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

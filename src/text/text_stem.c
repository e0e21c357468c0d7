/*
 * text_stem.c - Snowball stemmers (libstemmer) for Dutch and English, and an
 * identity stemmer for every other language.
 *
 * libstemmer allocates with the C library's malloc; its memory is therefore
 * outside maat_set_allocator(). NEEDSWORK: the allocation-failure pass cannot
 * make libstemmer fail.
 */
#include "maat-int.h"

#include <libstemmer.h>
#include <limits.h>

struct maat_stemmer {
  struct sb_stemmer *sb; /* NULL for the identity stemmer */
  maat_lang lang;
};

int maat_stemmer_new(maat_lang lang, maat_stemmer **out)
{
  maat_stemmer *st;
  const char *algo = NULL;

  if (lang == MAAT_LANG_NL)
    algo = "dutch";
  else if (lang == MAAT_LANG_EN)
    algo = "english";
  else if (lang != MAAT_LANG_OTHER)
    return maat__fail(MAAT_EINVAL, "unknown language %d", (int)lang);
  st = maat__calloc(1, sizeof *st);
  if (!st)
    return maat__fail(MAAT_ENOMEM, "out of memory creating a stemmer");
  st->lang = lang;
  if (algo) {
    st->sb = sb_stemmer_new(algo, "UTF_8");
    if (!st->sb) {
      maat__free(st);
      return maat__fail(MAAT_ENOMEM, "cannot create the '%s' stemmer", algo);
    }
  }
  *out = st;
  return MAAT_OK;
}

void maat_stemmer_free(maat_stemmer *st)
{
  if (!st)
    return;
  if (st->sb)
    sb_stemmer_delete(st->sb);
  maat__free(st);
}

int maat_stem(maat_stemmer *st, const char *word, size_t len,
              const char **out, size_t *out_len)
{
  const sb_symbol *r;
  int n;

  if (!st || (!word && len) || !out || !out_len)
    return maat__fail(MAAT_EINVAL, "invalid argument to maat_stem");
  /* Identity for OTHER, and for words too long to be words at all. */
  if (!st->sb || len > 256 || len > INT_MAX) {
    *out = word;
    *out_len = len;
    return MAAT_OK;
  }
  r = sb_stemmer_stem(st->sb, (const sb_symbol *)word, (int)len);
  if (!r)
    return maat__fail(MAAT_ENOMEM, "out of memory stemming");
  n = sb_stemmer_length(st->sb);
  *out = (const char *)r;
  *out_len = (size_t)n;
  return MAAT_OK;
}

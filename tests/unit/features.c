/*
 * features.c - tests for feature hashing: counts per token, determinism,
 * the hash space bound, word n-grams, UTF-8 aware character n-grams and
 * option checks. Tokens are made by hand, so these tests do not depend on
 * the tokenizer.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "classify-int.h"

static maat_token tok(const char *s)
{
  maat_token t;
  t.text = s;
  t.len = strlen(s);
  t.start = 0;
  t.end = t.len;
  t.kind = MAAT_TOK_WORD;
  return t;
}

static struct maat_feat_opts opts(uint32_t bits, uint32_t ng, uint32_t minn,
                                  uint32_t maxn)
{
  struct maat_feat_opts o = { bits, ng, minn, maxn, 0 };
  return o;
}

static size_t count(const struct maat_feat_opts *o, const maat_token *t,
                    size_t n, struct maat_featbuf *fb)
{
  fb->n = 0;
  cr_assert_eq(maat__features(o, t, n, NULL, fb), MAAT_OK);
  return fb->n;
}

Test(features, unigrams_only)
{
  struct maat_feat_opts o = opts(16, 1, 0, 0);
  maat_token t[3] = { tok("my"), tok("card"), tok("broke") };
  struct maat_featbuf fb = { NULL, 0, 0 };
  cr_assert_eq(count(&o, t, 3, &fb), 3);
  maat__featbuf_release(&fb);
}

Test(features, bigrams_add_n_minus_one)
{
  struct maat_feat_opts o = opts(16, 2, 0, 0);
  maat_token t[3] = { tok("my"), tok("card"), tok("broke") };
  struct maat_featbuf fb = { NULL, 0, 0 };
  cr_assert_eq(count(&o, t, 3, &fb), 5);
  o.word_ngrams = 3;
  cr_assert_eq(count(&o, t, 3, &fb), 6);
  maat__featbuf_release(&fb);
}

Test(features, char_ngrams_of_bracketed_word)
{
  /* "<card>" has 6 code points: 4 trigrams, 3 four-grams, 2 five-grams. */
  struct maat_feat_opts o = opts(16, 1, 3, 5);
  maat_token t[1] = { tok("card") };
  struct maat_featbuf fb = { NULL, 0, 0 };
  cr_assert_eq(count(&o, t, 1, &fb), 1 + 4 + 3 + 2);
  maat__featbuf_release(&fb);
}

Test(features, char_ngrams_count_code_points)
{
  /* "<café>" is 6 code points but 7 bytes: the same 9 n-grams as "<card>". */
  struct maat_feat_opts o = opts(16, 1, 3, 5);
  maat_token t[1] = { tok("caf\xc3\xa9") };
  struct maat_featbuf fb = { NULL, 0, 0 };
  cr_assert_eq(count(&o, t, 1, &fb), 1 + 4 + 3 + 2);
  maat__featbuf_release(&fb);
}

Test(features, deterministic_and_in_range)
{
  struct maat_feat_opts o = opts(10, 2, 2, 4);
  maat_token t[4] = { tok("waar"), tok("blijft"), tok("mijn"), tok("pakket") };
  struct maat_featbuf a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
  count(&o, t, 4, &a);
  count(&o, t, 4, &b);
  cr_assert_eq(a.n, b.n);
  cr_assert_eq(memcmp(a.ids, b.ids, a.n * sizeof *a.ids), 0);
  for (size_t i = 0; i < a.n; i++)
    cr_assert_lt(a.ids[i], 1u << 10);
  maat__featbuf_release(&a);
  maat__featbuf_release(&b);
}

Test(features, order_matters_for_bigrams_only)
{
  struct maat_feat_opts uni = opts(20, 1, 0, 0), bi = opts(20, 2, 0, 0);
  maat_token ab[2] = { tok("card"), tok("lost") };
  maat_token ba[2] = { tok("lost"), tok("card") };
  struct maat_featbuf x = { NULL, 0, 0 }, y = { NULL, 0, 0 };
  count(&uni, ab, 2, &x);
  count(&uni, ba, 2, &y);
  cr_assert_eq(x.ids[0], y.ids[1]);
  cr_assert_eq(x.ids[1], y.ids[0]);
  count(&bi, ab, 2, &x);
  count(&bi, ba, 2, &y);
  /* Features: card, lost, card+lost versus lost, card, lost+card. */
  cr_assert_neq(x.ids[2], y.ids[2]);
  maat__featbuf_release(&x);
  maat__featbuf_release(&y);
}

Test(features, long_tokens_skip_char_ngrams)
{
  char longw[300];
  struct maat_feat_opts o = opts(16, 1, 3, 5);
  maat_token t[1];
  struct maat_featbuf fb = { NULL, 0, 0 };
  memset(longw, 'a', sizeof longw - 1);
  longw[sizeof longw - 1] = '\0';
  t[0] = tok(longw);
  cr_assert_eq(count(&o, t, 1, &fb), 1);
  maat__featbuf_release(&fb);
}

Test(features, stems_add_a_feature_when_different)
{
  struct maat_feat_opts o = opts(16, 1, 0, 0);
  maat_token t[2] = { tok("cards"), tok("card") };
  maat_token st[2] = { tok("card"), tok("card") };
  struct maat_featbuf fb = { NULL, 0, 0 };
  cr_assert_eq(maat__features(&o, t, 2, st, &fb), MAAT_OK);
  cr_assert_eq(fb.n, 3);
  maat__featbuf_release(&fb);
}

Test(features, check_rejects_bad_settings)
{
  struct maat_feat_opts o = opts(20, 2, 3, 5);
  cr_assert_eq(maat__feat_check(&o), MAAT_OK);
  o.hash_bits = 9;
  cr_assert_eq(maat__feat_check(&o), MAAT_EINVAL);
  cr_assert(strstr(maat_errmsg(), "hash bits") != NULL);
  o = opts(25, 2, 3, 5);
  cr_assert_eq(maat__feat_check(&o), MAAT_EINVAL);
  o = opts(20, 6, 3, 5);
  cr_assert_eq(maat__feat_check(&o), MAAT_EINVAL);
  o = opts(20, 2, 5, 3);
  cr_assert_eq(maat__feat_check(&o), MAAT_EINVAL);
  o = opts(20, 2, 0, 0);
  cr_assert_eq(maat__feat_check(&o), MAAT_OK);
}

Test(features, empty_input)
{
  struct maat_feat_opts o = opts(16, 2, 3, 5);
  struct maat_featbuf fb = { NULL, 0, 0 };
  cr_assert_eq(maat__features(&o, NULL, 0, NULL, &fb), MAAT_OK);
  cr_assert_eq(fb.n, 0);
  maat__featbuf_release(&fb);
}

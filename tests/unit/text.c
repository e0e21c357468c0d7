/*
 * text.c - tests for UTF-8 validation, normalisation, tokenisation,
 * stemming and language identification.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <utf8proc.h>

#include "maat-int.h"
#include "../../bench/langid/langid_sets.h"

int maat__langid_lexicon_sorted(void);

/* ---- helpers ------------------------------------------------------------ */

static maat_tokenizer *tok;

static void tok_setup(void)
{
  tok = maat_tokenizer_new();
  cr_assert_not_null(tok);
}

static void tok_teardown(void)
{
  maat_tokenizer_free(tok);
}

/* Tokenizes 's' and returns the tokens joined by '|' (static buffer). */
static const char *joined(const char *s, unsigned flags)
{
  static char out[4096];
  size_t o = 0;

  cr_assert_eq(maat_tokenize(tok, s, strlen(s), flags), MAAT_OK,
               "tokenize '%s': %s", s, maat_errmsg());
  out[0] = '\0';
  for (size_t i = 0; i < maat_tokenizer_count(tok); i++) {
    const maat_token *t = maat_tokenizer_get(tok, i);
    cr_assert_lt(o + t->len + 2, sizeof out);
    if (i)
      out[o++] = '|';
    memcpy(out + o, t->text, t->len);
    o += t->len;
    out[o] = '\0';
  }
  return out;
}

static const maat_token *tok_at(size_t i)
{
  const maat_token *t = maat_tokenizer_get(tok, i);
  cr_assert_not_null(t, "no token %zu", i);
  return t;
}

/* ---- UTF-8 -------------------------------------------------------------- */

struct bad_utf8 {
  const char *what;
  const char *s;
  size_t len, offset;
};

Test(text, utf8_accepts_valid)
{
  const char *s = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf "
                  "\xed\x9f\xbf \xee\x80\x80 plain ascii text of some length";
  size_t bad = 77;

  cr_assert_eq(maat_utf8_validate(s, strlen(s), &bad), MAAT_OK);
  cr_assert_eq(bad, 77, "offset touched on success");
  cr_assert_eq(maat_utf8_validate("", 0, NULL), MAAT_OK);
  cr_assert_eq(maat_utf8_validate(NULL, 0, NULL), MAAT_OK);
}

Test(text, utf8_rejects_each_class_at_its_offset)
{
  static const struct bad_utf8 cases[] = {
    { "stray continuation", "ab\x80", 3, 2 },
    { "overlong 2-byte", "x\xc0\xaf", 3, 1 },
    { "overlong 2-byte C1", "\xc1\xbf", 2, 0 },
    { "overlong 3-byte", "abc\xe0\x80\xaf", 6, 3 },
    { "overlong 4-byte", "\xf0\x80\x80\xaf", 4, 0 },
    { "surrogate", "12345678\xed\xa0\x80", 11, 8 },
    { "low surrogate", "\xed\xbf\xbf", 3, 0 },
    { "above U+10FFFF", "a\xf4\x90\x80\x80", 5, 1 },
    { "F5 lead", "a\xf5\x80\x80\x80", 5, 1 },
    { "FF byte", "hello world, \xff", 14, 13 },
    { "truncated 2-byte at end", "caf\xc3", 4, 3 },
    { "truncated 3-byte at end", "\xe2\x82", 2, 0 },
    { "truncated 4-byte at end", "ok \xf0\x9f\x98", 6, 3 },
    { "truncated by ascii", "\xe2\x82x", 3, 0 },
    { "NUL is valid, then bad", "a\0\xc3(", 4, 2 },
  };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t bad = 999;
    int rc = maat_utf8_validate(cases[i].s, cases[i].len, &bad);
    cr_assert_eq(rc, MAAT_EUTF8, "%s: rc %d", cases[i].what, rc);
    cr_assert_eq(bad, cases[i].offset, "%s: offset %zu", cases[i].what, bad);
    cr_assert(strstr(maat_errmsg(), "utf-8") != NULL);
  }
}

Test(text, tokenize_invalid_utf8_fails_and_empties,
     .init = tok_setup, .fini = tok_teardown)
{
  cr_assert_str_eq(joined("een twee", 0), "een|twee");
  cr_assert_eq(maat_tokenize(tok, "ok caf\xc3(", 8, 0), MAAT_EUTF8);
  cr_assert_eq(maat_tokenizer_count(tok), 0);
  cr_assert(strstr(maat_errmsg(), "byte 6") != NULL, "%s", maat_errmsg());
  /* Every byte value after a lead byte: never a crash. */
  for (int lead = 0x80; lead < 0x100; lead++)
    for (int b = 0; b < 0x100; b++) {
      char s[4] = { 'a', (char)lead, (char)b, 'z' };
      int rc = maat_tokenize(tok, s, 4, 0);
      cr_assert(rc == MAAT_OK || rc == MAAT_EUTF8);
    }
}

/* ---- tokenizer ---------------------------------------------------------- */

Test(text, ascii_words_punct_and_case, .init = tok_setup,
     .fini = tok_teardown)
{
  cr_assert_str_eq(joined("Where is MY parcel?!", 0),
                   "where|is|my|parcel|?!");
  cr_assert_eq(tok_at(4)->kind, MAAT_TOK_PUNCT);
  cr_assert_str_eq(joined("Where is MY parcel?!", MAAT_TOKENIZE_KEEP_CASE),
                   "Where|is|MY|parcel|?!");
  cr_assert_str_eq(joined("wait... what!!! ok, fine.", 0),
                   "wait|...|what|!!!|ok|,|fine|.");
  cr_assert_str_eq(joined("wait... what!!! ok, fine.",
                          MAAT_TOKENIZE_NO_PUNCT), "wait|what|ok|fine");
  cr_assert_str_eq(joined("", 0), "");
  cr_assert_str_eq(joined("   \t\n ", 0), "");
}

Test(text, contractions_and_clitics, .init = tok_setup,
     .fini = tok_teardown)
{
  cr_assert_str_eq(joined("I'm sure you don't", 0), "i'm|sure|you|don't");
  cr_assert_str_eq(joined("zo'n ding, m'n auto's", 0),
                   "zo'n|ding|,|m'n|auto's");
  cr_assert_str_eq(joined("'s avonds en 't huis", 0),
                   "'s|avonds|en|'t|huis");
  /* A quoted word: the quotes are punctuation, not part of the word. */
  cr_assert_str_eq(joined("he said 'stop'", 0), "he|said|'|stop|'");
  /* Curly apostrophes become ASCII ones. */
  cr_assert_str_eq(joined("don\xe2\x80\x99t \xe2\x80\x99s morgens", 0),
                   "don't|'s|morgens");
}

Test(text, hyphens_numbers_currency, .init = tok_setup,
     .fini = tok_teardown)
{
  cr_assert_str_eq(joined("e-mail na-bellen - ok", 0),
                   "e-mail|na-bellen|-|ok");
  cr_assert_eq(tok_at(0)->kind, MAAT_TOK_WORD);
  cr_assert_str_eq(joined("12,50 1.000.000 06-12345678 3e 12:30", 0),
                   "12,50|1.000.000|06-12345678|3e|12:30");
  for (size_t i = 0; i < 5; i++)
    cr_assert_eq(tok_at(i)->kind, MAAT_TOK_NUMBER, "token %zu", i);
  /* The currency symbol is a punctuation token of its own. */
  cr_assert_str_eq(joined("\xe2\x82\xac" "12.50 of $5.", 0),
                   "\xe2\x82\xac|12.50|of|$|5|.");
  cr_assert_eq(tok_at(0)->kind, MAAT_TOK_PUNCT);
  cr_assert_eq(tok_at(0)->start, 0);
  cr_assert_eq(tok_at(0)->end, 3);
  cr_assert_eq(tok_at(1)->kind, MAAT_TOK_NUMBER);
  cr_assert_eq(tok_at(1)->start, 3);
}

Test(text, email_and_urls, .init = tok_setup,
     .fini = tok_teardown)
{
  cr_assert_str_eq(joined("Mail Jan.de.Vries+x@Example.nl, of bel.", 0),
                   "mail|jan.de.vries+x@example.nl|,|of|bel|.");
  cr_assert_eq(tok_at(1)->kind, MAAT_TOK_EMAIL);
  cr_assert_str_eq(joined("zie https://www.bol.com/retour?id=3. of "
                          "www.post.nl!", 0),
                   "zie|https://www.bol.com/retour?id=3|.|of|www.post.nl|!");
  cr_assert_eq(tok_at(1)->kind, MAAT_TOK_URL);
  cr_assert_eq(tok_at(4)->kind, MAAT_TOK_URL);
  cr_assert_str_eq(joined("besteld bij bol.com.", 0),
                   "besteld|bij|bol.com|.");
  cr_assert_eq(tok_at(2)->kind, MAAT_TOK_URL);
  /* Not addresses: a sentence end without space, two at-signs. */
  cr_assert_str_eq(joined("klaar.dan a@@b.nl", 0),
                   "klaar|.|dan|a|@@|b.nl");
  cr_assert_eq(tok_at(0)->kind, MAAT_TOK_WORD);
}

Test(text, dutch_diacritics_kept, .init = tok_setup,
     .fini = tok_teardown)
{
  cr_assert_str_eq(joined("\xc3\x89\xc3\xa9n Caf\xc3\xa9, co\xc3\xb6peratie "
                          "en ru\xc3\xafne", 0),
                   "\xc3\xa9\xc3\xa9n|caf\xc3\xa9|,|co\xc3\xb6peratie|en|"
                   "ru\xc3\xafne");
  cr_assert_eq(tok_at(0)->kind, MAAT_TOK_WORD);
  cr_assert_eq(tok_at(3)->kind, MAAT_TOK_WORD);
}

Test(text, nfkc_normalisation, .init = tok_setup,
     .fini = tok_teardown)
{
  char precomposed[64], combining[64];

  /* The fi ligature, full-width letters and digits. */
  cr_assert_str_eq(joined("\xef\xac\x81" "ets \xef\xbc\xa1\xef\xbc\xa2\xef"
                          "\xbc\xa3 \xef\xbc\x91\xef\xbc\x92", 0),
                   "fiets|abc|12");
  cr_assert_eq(tok_at(2)->kind, MAAT_TOK_NUMBER);
  /* The ellipsis character is "...". */
  cr_assert_str_eq(joined("nou\xe2\x80\xa6", 0), "nou|...");
  /* Combining and precomposed e-acute give the same token. */
  snprintf(precomposed, sizeof precomposed, "%s", joined("caf\xc3\xa9", 0));
  snprintf(combining, sizeof combining, "%s", joined("cafe\xcc\x81", 0));
  cr_assert_str_eq(precomposed, combining);
  cr_assert_str_eq(combining, "caf\xc3\xa9");
  cr_assert_eq(tok_at(0)->end, 6, "offset covers the combining mark");
}

Test(text, case_folding_sharp_s, .init = tok_setup,
     .fini = tok_teardown)
{
  /* Full case folding: "ß" folds to "ss", so both spellings meet. */
  cr_assert_str_eq(joined("STRASSE stra\xc3\x9f" "e", 0), "strasse|strasse");
  cr_assert_eq(tok_at(1)->start, 8);
  cr_assert_eq(tok_at(1)->end, 15);
  /* Keeping case keeps the sharp s too. */
  cr_assert_str_eq(joined("STRASSE stra\xc3\x9f" "e", MAAT_TOKENIZE_KEEP_CASE),
                   "STRASSE|stra\xc3\x9f" "e");
  cr_assert_str_eq(joined("\xc3\x89\xc3\x89N", 0), "\xc3\xa9\xc3\xa9n");
}

Test(text, emoji_sequences_are_one_token, .init = tok_setup,
     .fini = tok_teardown)
{
  /* Thumbs up + medium skin tone; family ZWJ sequence; NL flag; two faces. */
  const char *s = "top\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd "
                  "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d"
                  "\xf0\x9f\x91\xa7 \xf0\x9f\x87\xb3\xf0\x9f\x87\xb1 "
                  "\xf0\x9f\x98\x82\xf0\x9f\x98\x82";

  joined(s, 0);
  cr_assert_eq(maat_tokenizer_count(tok), 6);
  cr_assert_eq(tok_at(0)->kind, MAAT_TOK_WORD);
  for (size_t i = 1; i < 6; i++)
    cr_assert_eq(tok_at(i)->kind, MAAT_TOK_EMOJI, "token %zu", i);
  cr_assert_eq(tok_at(1)->len, 8);
  cr_assert_eq(tok_at(2)->len, 18);
  cr_assert_eq(tok_at(3)->len, 8);
  cr_assert_eq(tok_at(4)->len, 4);
  cr_assert_eq(tok_at(5)->start, tok_at(4)->end);
}

Test(text, offsets_map_back_to_the_original, .init = tok_setup,
     .fini = tok_teardown)
{
  const char *s = "Hé \xef\xbc\xa2\xef\xbc\xa1\xef\xbd\x8c \xef\xac\x81"
                  "ets, 'S Avonds \xf0\x9f\x98\x80!! caf\xc3\xa9 mail@x.nl";
  static const char *const orig[] = {
    "Hé", "\xef\xbc\xa2\xef\xbc\xa1\xef\xbd\x8c", "\xef\xac\x81" "ets", ",",
    "'S", "Avonds", "\xf0\x9f\x98\x80", "!!", "caf\xc3\xa9", "mail@x.nl"
  };
  size_t n = sizeof orig / sizeof orig[0];

  joined(s, 0);
  cr_assert_eq(maat_tokenizer_count(tok), n);
  for (size_t i = 0; i < n; i++) {
    const maat_token *t = tok_at(i);
    cr_assert_eq(t->end - t->start, strlen(orig[i]), "token %zu", i);
    cr_assert(memcmp(s + t->start, orig[i], strlen(orig[i])) == 0,
              "token %zu maps to '%.*s'", i, (int)(t->end - t->start),
              s + t->start);
  }
  /* ASCII input: the identity. */
  joined("  Hello,   World!", 0);
  cr_assert_eq(tok_at(0)->start, 2);
  cr_assert_eq(tok_at(0)->end, 7);
  cr_assert_eq(tok_at(2)->start, 11);
  cr_assert_eq(tok_at(3)->end, 17);
}

Test(text, tokenizer_reuse_and_null)
{
  maat_tokenizer *t = maat_tokenizer_new();
  char big[5000];

  cr_assert_not_null(t);
  memset(big, 'a', sizeof big);
  for (size_t i = 3; i < sizeof big; i += 4)
    big[i] = ' ';
  cr_assert_eq(maat_tokenize(t, big, sizeof big, 0), MAAT_OK);
  cr_assert_eq(maat_tokenizer_count(t), 1250);
  cr_assert_eq(maat_tokenize(t, "een", 3, 0), MAAT_OK);
  cr_assert_eq(maat_tokenizer_count(t), 1);
  cr_assert_null(maat_tokenizer_get(t, 1));
  cr_assert_eq(maat_tokenize(t, NULL, 0, 0), MAAT_OK);
  cr_assert_eq(maat_tokenizer_count(t), 0);
  cr_assert_eq(maat_tokenize(NULL, "x", 1, 0), MAAT_EINVAL);
  maat_tokenizer_free(t);
  maat_tokenizer_free(NULL);
}

/* ---- stemming ----------------------------------------------------------- */

static const char *stem(maat_stemmer *st, const char *w)
{
  static char out[256];
  const char *s;
  size_t n;

  cr_assert_eq(maat_stem(st, w, strlen(w), &s, &n), MAAT_OK);
  cr_assert_lt(n, sizeof out);
  memcpy(out, s, n);
  out[n] = '\0';
  return out;
}

Test(text, stemmers)
{
  maat_stemmer *nl, *en, *other;

  cr_assert_eq(maat_stemmer_new(MAAT_LANG_NL, &nl), MAAT_OK);
  cr_assert_eq(maat_stemmer_new(MAAT_LANG_EN, &en), MAAT_OK);
  cr_assert_eq(maat_stemmer_new(MAAT_LANG_OTHER, &other), MAAT_OK);
  cr_assert_str_eq(stem(nl, "fietsen"), "fiets");
  cr_assert_str_eq(stem(nl, "bestellingen"), "bestell");
  cr_assert_str_eq(stem(nl, "opgezegd"), "opgezegd");
  cr_assert_str_eq(stem(en, "running"), "run");
  cr_assert_str_eq(stem(en, "cancelled"), "cancel");
  cr_assert_str_eq(stem(en, "deliveries"), "deliveri");
  cr_assert_str_eq(stem(other, "fietsen"), "fietsen");
  cr_assert_str_eq(stem(other, "running"), "running");
  maat_stemmer_free(nl);
  maat_stemmer_free(en);
  maat_stemmer_free(other);
  maat_stemmer_free(NULL);
}

/* ---- language identification ------------------------------------------- */

struct lang_case {
  const char *text;
  maat_lang lang;
};

Test(text, langid_sentences)
{
  static const struct lang_case cases[] = {
    { "Mijn pakket is nog steeds niet bezorgd.", MAAT_LANG_NL },
    { "Hoi, ik wil graag mijn abonnement opzeggen", MAAT_LANG_NL },
    { "Waarom is de rekening zo hoog deze maand?", MAAT_LANG_NL },
    { "speel Tarzan of the Apes in mijn playlist", MAAT_LANG_NL },
    { "Where is my parcel? It has not arrived yet.", MAAT_LANG_EN },
    { "I want to cancel my subscription please", MAAT_LANG_EN },
    { "why was my card declined", MAAT_LANG_EN },
    { "Ich habe meine Bestellung noch nicht erhalten.", MAAT_LANG_OTHER },
    { "Können Sie mir bitte helfen? Das Paket ist kaputt.", MAAT_LANG_OTHER },
    { "Die Rechnung ist falsch.", MAAT_LANG_OTHER },
    { "Je n'ai toujours pas reçu ma commande.", MAAT_LANG_OTHER },
    { "Le colis est arrivé cassé et je veux être remboursé.",
      MAAT_LANG_OTHER },
    { "Merci beaucoup pour votre aide.", MAAT_LANG_OTHER },
    { "12345 67 89", MAAT_LANG_OTHER },
    { "!!!", MAAT_LANG_OTHER },
    { "", MAAT_LANG_OTHER },
  };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    double conf = -1;
    maat_lang got = maat_lang_detect(cases[i].text, strlen(cases[i].text),
                                     &conf);
    cr_assert_eq(got, cases[i].lang, "'%s': got %s", cases[i].text,
                 maat_lang_name(got));
    cr_assert(conf >= 0 && conf <= 1, "confidence %f", conf);
  }
  cr_assert_eq(maat_lang_detect(NULL, 0, NULL), MAAT_LANG_OTHER);
  cr_assert_eq(maat_lang_detect("\xff\xfe de het een", 13, NULL),
               MAAT_LANG_NL);
}

Test(text, langid_names_and_lexicon)
{
  maat_lang l = MAAT_LANG_EN;

  cr_assert(maat__langid_lexicon_sorted(), "lexicon must stay sorted");
  cr_assert_str_eq(maat_lang_name(MAAT_LANG_NL), "nl");
  cr_assert_str_eq(maat_lang_name(MAAT_LANG_EN), "en");
  cr_assert_str_eq(maat_lang_name(MAAT_LANG_OTHER), "other");
  cr_assert_eq(maat_lang_parse("NL", &l), MAAT_OK);
  cr_assert_eq(l, MAAT_LANG_NL);
  cr_assert_eq(maat_lang_parse("other", &l), MAAT_OK);
  cr_assert_eq(l, MAAT_LANG_OTHER);
  cr_assert_eq(maat_lang_parse("de", &l), MAAT_EINVAL);
  cr_assert_eq(l, MAAT_LANG_OTHER, "untouched on failure");
  cr_assert(strstr(maat_errmsg(), "'de'") != NULL);
}

struct tally {
  maat_lang expected;
  size_t n, ok;
};

static void count(void *ctx, const char *text, size_t len)
{
  struct tally *t = ctx;
  t->n++;
  if (maat_lang_detect(text, len, NULL) == t->expected)
    t->ok++;
}

Test(text, langid_accuracy_on_real_sets, .timeout = 120)
{
  const char *root = getenv("MAAT_SHARED_DATA");
  struct stat st;

  if (!root || stat(root, &st) != 0 || !S_ISDIR(st.st_mode))
    cr_skip_test("MAAT_SHARED_DATA does not name a directory with the "
                 "labelled data sets");
  for (size_t i = 0; i < sizeof langid_sets / sizeof langid_sets[0]; i++) {
    struct tally t = { langid_sets[i].expected, 0, 0 };
    cr_assert_eq(langid_load(root, &langid_sets[i], count, &t), 0,
                 "cannot read '%s/%s'", root, langid_sets[i].path);
    cr_assert_gt(t.n, 100, "%s: only %zu texts", langid_sets[i].name, t.n);
    cr_assert_geq(100.0 * t.ok / t.n, 95.0, "%s: %.2f%% of %zu",
                  langid_sets[i].name, 100.0 * t.ok / t.n, t.n);
  }
}

/*
 * Random code points from every plane: no crash, offsets in order. Two
 * tokens cut from one grapheme cluster ("!" + a combining mark) share the
 * cluster's range, so starts and ends are only non-decreasing.
 */
Test(text, random_text_gives_ordered_offsets, .init = tok_setup,
     .fini = tok_teardown)
{
  static const uint32_t pool[] = {
    'a', 'Z', '1', ' ', '.', '!', '?', '\'', '-', '@', ',', ':', '/', 0xE9,
    0xDF, 0x301, 0x308, 0x200D, 0xFE0F, 0x2019, 0x2026, 0x20AC, 0xFB01,
    0xFF21, 0x1F44D, 0x1F3FD, 0x1F468, 0x1F1F3, 0x1F1F1, 0x3042, 0x0627,
    0x1100, 0x1161, 0xAC00, 0xE000, 0x10FFFF, 0xFFFD, 0x00AD, 0x0000, 0x1F600
  };
  struct maat_rng rng;
  char buf[256];

  maat__rng_seed(&rng, 7);
  for (int round = 0; round < 2000; round++) {
    size_t len = 0, prev_start = 0, prev_end = 0;
    size_t ncp = maat__rng_below(&rng, 40);

    for (size_t k = 0; k < ncp; k++) {
      uint32_t cp = pool[maat__rng_below(&rng, sizeof pool / sizeof pool[0])];
      utf8proc_ssize_t n = utf8proc_encode_char((utf8proc_int32_t)cp,
                                                (utf8proc_uint8_t *)buf +
                                                len);
      len += (size_t)n;
    }
    cr_assert_eq(maat_tokenize(tok, buf, len, 0), MAAT_OK, "round %d: %s",
                 round, maat_errmsg());
    for (size_t i = 0; i < maat_tokenizer_count(tok); i++) {
      const maat_token *t = tok_at(i);
      cr_assert_leq(prev_start, t->start, "round %d token %zu", round, i);
      cr_assert_leq(prev_end, t->end, "round %d token %zu", round, i);
      cr_assert_lt(t->start, t->end, "round %d token %zu", round, i);
      cr_assert_leq(t->end, len, "round %d token %zu", round, i);
      cr_assert_gt(t->len, 0);
      prev_start = t->start;
      prev_end = t->end;
    }
  }
}

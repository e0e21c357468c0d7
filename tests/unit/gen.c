/*
 * gen.c - tests for the synthetic message generator.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <string.h>

#include "maat-int.h"

static maat_msggen *make(uint64_t seed, double nl_share)
{
  maat_gen_opts o = MAAT_GEN_OPTS_INIT;
  maat_msggen *g = NULL;
  o.seed = seed;
  o.nl_share = nl_share;
  cr_assert_eq(maat_msggen_new(&o, &g), MAAT_OK, "%s", maat_errmsg());
  return g;
}

Test(gen, same_seed_same_messages_other_seed_differs)
{
  maat_msggen *a = make(7, 0.5), *b = make(7, 0.5), *c = make(8, 0.5);
  int differ = 0;
  for (int i = 0; i < 500; i++) {
    maat_gen_message ma, mb, mc;
    cr_assert_eq(maat_msggen_next(a, &ma), MAAT_OK);
    cr_assert_eq(maat_msggen_next(b, &mb), MAAT_OK);
    cr_assert_eq(maat_msggen_next(c, &mc), MAAT_OK);
    cr_assert_str_eq(ma.text, mb.text);
    cr_assert_str_eq(ma.intent, mb.intent);
    cr_assert_str_eq(ma.tone, mb.tone);
    cr_assert_eq(ma.urgency, mb.urgency);
    differ += strcmp(ma.text, mc.text) != 0;
  }
  cr_assert_gt(differ, 450, "another seed gives other messages");
  maat_msggen_free(a);
  maat_msggen_free(b);
  maat_msggen_free(c);
}

Test(gen, labels_are_valid_and_every_intent_appears)
{
  maat_msggen *g = make(1, 0.5);
  size_t n = maat_gen_intent_count(), seen[64] = { 0 }, nl = 0, tones[5] = { 0 };
  static const char *const tone_names[] = { "neutral", "positive", "frustrated",
                                            "angry", "distressed" };
  cr_assert(n >= 12 && n <= 64);
  for (int i = 0; i < 3000; i++) {
    maat_gen_message m;
    size_t bad, k, t;
    cr_assert_eq(maat_msggen_next(g, &m), MAAT_OK);
    cr_assert_eq(maat_utf8_validate(m.text, strlen(m.text), &bad), MAAT_OK,
                 "invalid UTF-8 in '%s'", m.text);
    cr_assert_gt(strlen(m.text), 10);
    for (k = 0; k < n && strcmp(maat_gen_intent_name(k), m.intent); k++)
      ;
    cr_assert_lt(k, n, "unknown intent '%s'", m.intent);
    seen[k]++;
    for (t = 0; t < 5 && strcmp(tone_names[t], m.tone); t++)
      ;
    cr_assert_lt(t, 5, "unknown tone '%s'", m.tone);
    tones[t]++;
    cr_assert(m.urgency >= 0 && m.urgency <= 1);
    cr_assert(m.tone_intensity >= 0 && m.tone_intensity <= 1);
    cr_assert((t == 0) == (m.tone_intensity == 0), "only neutral has no intensity");
    nl += strcmp(m.lang, "nl") == 0;
  }
  for (size_t k = 0; k < n; k++)
    cr_assert_gt(seen[k], 3000 / n / 2, "intent %s is rare: %zu",
                 maat_gen_intent_name(k), seen[k]);
  cr_assert(nl > 1300 && nl < 1700, "about half Dutch: %zu", nl);
  cr_assert_gt(tones[0], 1000, "most contacts are neutral");
  for (size_t t = 1; t < 5; t++)
    cr_assert_gt(tones[t], 100, "tone %s appears", tone_names[t]);
  cr_assert_null(maat_gen_intent_name(n));
  maat_msggen_free(g);
}

Test(gen, language_option_is_respected_and_text_matches_it)
{
  maat_msggen *g = make(3, 1.0);
  int dutch = 0;
  for (int i = 0; i < 200; i++) {
    maat_gen_message m;
    cr_assert_eq(maat_msggen_next(g, &m), MAAT_OK);
    cr_assert_str_eq(m.lang, "nl");
    dutch += maat_lang_detect(m.text, strlen(m.text), NULL) == MAAT_LANG_NL;
  }
  cr_assert_gt(dutch, 180, "the text really is Dutch: %d of 200", dutch);
  maat_msggen_free(g);
}

Test(gen, angry_and_distressed_messages_carry_cues)
{
  static const char *const cues[] = {
    "belachelijk", "schandalig", "waardeloze", "spuugzat", "oplichters",
    "advocaat", "concurrent", "!!", "ridiculous", "disgraceful", "useless",
    "sick and tired", "lawyer", "crooks", "cancelling", "not acceptable",
    "HOW IS", "HOE IS", "weet echt niet", "help", "einde raad", "paniek",
    "rood", "ongerust", "slaap", "kinderen", "bellen", "wanhopig", "know what",
    "wits", "panick", "overdrawn", "worried", "sleep", "kids", "call me",
    "desperate", NULL
  };
  maat_gen_opts o = MAAT_GEN_OPTS_INIT;
  maat_msggen *g = NULL;
  int checked = 0;
  o.seed = 5;
  o.typo_rate = 0; /* a typo may hit the cue itself */
  cr_assert_eq(maat_msggen_new(&o, &g), MAAT_OK);
  for (int i = 0; i < 2000; i++) {
    maat_gen_message m;
    bool found = false;
    cr_assert_eq(maat_msggen_next(g, &m), MAAT_OK);
    if (strcmp(m.tone, "angry") && strcmp(m.tone, "distressed"))
      continue;
    for (int c = 0; cues[c] && !found; c++)
      found = strcasestr(m.text, cues[c]) != NULL;
    cr_assert(found, "%s message without a cue: '%s'", m.tone, m.text);
    checked++;
  }
  cr_assert_gt(checked, 200);
  maat_msggen_free(g);
}

Test(gen, typos_follow_the_rate)
{
  maat_gen_opts o = MAAT_GEN_OPTS_INIT;
  maat_msggen *clean, *noisy;
  int differ = 0;
  o.typo_rate = 0;
  cr_assert_eq(maat_msggen_new(&o, &clean), MAAT_OK);
  o.typo_rate = 0.3;
  cr_assert_eq(maat_msggen_new(&o, &noisy), MAAT_OK);
  for (int i = 0; i < 300; i++) {
    maat_gen_message a, b;
    long dl;
    cr_assert_eq(maat_msggen_next(clean, &a), MAAT_OK);
    cr_assert_eq(maat_msggen_next(noisy, &b), MAAT_OK);
    /* The same message underneath, only the typing differs. */
    cr_assert_str_eq(a.intent, b.intent);
    cr_assert_str_eq(a.tone, b.tone);
    dl = (long)strlen(a.text) - (long)strlen(b.text);
    cr_assert(dl >= -12 && dl <= 12, "'%s' vs '%s'", a.text, b.text);
    cr_assert_null(strstr(a.text, "  "), "no double space: '%s'", a.text);
    differ += strcmp(a.text, b.text) != 0;
  }
  cr_assert_gt(differ, 200, "typos in most messages at 0.3: %d", differ);
  maat_msggen_free(clean);
  maat_msggen_free(noisy);

  o.typo_rate = 0.9;
  cr_assert_eq(maat_msggen_new(&o, &clean), MAAT_EINVAL);
  cr_assert(strstr(maat_errmsg(), "typo rate 0.9"), "%s", maat_errmsg());
  o.typo_rate = 0;
  o.nl_share = -1;
  cr_assert_eq(maat_msggen_new(&o, &clean), MAAT_EINVAL);
}

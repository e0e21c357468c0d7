/*
 * triage.c - the triage decision: each hard rule, its switch in the
 * configuration, the bot's confidence floor, repeat contacts (memory,
 * history and the customer's own words), priorities, reasons, and bad
 * input. The intent model is a small one trained here.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maat.h"
#include "failalloc.h"

static maat_model *intent;

static const char *const examples[][2] = {
  { "what is my balance", "balance" },
  { "how much money is in my account", "balance" },
  { "show me my account balance", "balance" },
  { "what is the balance on my account", "balance" },
  { "tell me my balance please", "balance" },
  { "wat is mijn saldo", "balance" },
  { "hoeveel geld staat er op mijn rekening", "balance" },
  { "how do i activate my new card", "activate_card" },
  { "activate my card", "activate_card" },
  { "i want to activate the card i received", "activate_card" },
  { "card activation help", "activate_card" },
  { "hoe activeer ik mijn nieuwe pas", "activate_card" },
  { "mijn pas activeren", "activate_card" },
  { "what is the weather tomorrow", "oos" },
  { "play some music", "oos" },
  { "who won the football game", "oos" },
  { "recipe for pancakes", "oos" },
};

static void setup(void)
{
  maat_dataset *d;
  maat_train_opts o = MAAT_TRAIN_OPTS_INIT;

  cr_assert_eq(maat_dataset_new(&d), MAAT_OK);
  for (int rep = 0; rep < 8; rep++)
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++)
      cr_assert_eq(maat_dataset_add(d, examples[i][0],
                                    strlen(examples[i][0]), examples[i][1]),
                   MAAT_OK);
  o.valid_split = 0;
  o.epochs = 30;
  o.threshold = 0;
  cr_assert_eq(maat_model_train(d, &o, &intent, NULL), MAAT_OK, "%s",
               maat_errmsg());
  maat_dataset_free(d);
}

static void teardown(void)
{
  maat_model_free(intent);
}

TestSuite(triage, .init = setup, .fini = teardown);

static maat_triage_config *config(const char *json)
{
  maat_triage_config *c = NULL;
  cr_assert_eq(maat_triage_config_parse(&c, json, strlen(json), "t.json"),
               MAAT_OK, "%s", maat_errmsg());
  return c;
}

/* A lenient floor: the toy model is sure of its training phrases only. */
#define LENIENT "{\"thresholds\": {\"bot_confidence\": 0.3}}"

static struct maat_triage run(maat_triager *t, const char *text,
                              const char *customer, double ts)
{
  struct maat_triage_input in = { text, strlen(text), customer, NULL, ts,
                                  NULL, 0 };
  struct maat_triage r;
  cr_assert_eq(maat_triage_run(t, &in, &r), MAAT_OK, "%s", maat_errmsg());
  return r;
}

static int has_reason(const struct maat_triage *r, const char *needle)
{
  for (size_t i = 0; i < r->nreasons; i++)
    if (strstr(r->reasons[i], needle))
      return 1;
  return 0;
}

static void dump(const struct maat_triage *r)
{
  for (size_t i = 0; i < r->nreasons; i++)
    cr_log_info("reason: %s", r->reasons[i]);
}

Test(triage, a_calm_routine_question_goes_to_the_bot)
{
  maat_triage_config *c = config(LENIENT);
  maat_triager *t;
  struct maat_triage r;

  cr_assert_eq(maat_triager_new(&t, c, intent, NULL), MAAT_OK);
  r = run(t, "what is my balance", NULL, -1);
  dump(&r);
  cr_expect_str_eq(r.intent, "balance");
  cr_expect(r.bot_can_answer);
  cr_expect_eq(r.tier, MAAT_T1);
  cr_expect_eq(r.tone, MAAT_TONE_NEUTRAL);
  cr_expect(has_reason(&r, "T1: intent balance"));
  r = run(t, "wat is mijn saldo", NULL, -1);
  cr_expect_eq(r.lang, MAAT_LANG_NL);
  cr_expect_eq(r.tier, MAAT_T1);
  maat_triager_free(t);
  maat_triage_config_free(c);
}

/* A lead pauses the bot for an intent: a person answers until resumed. */
Test(triage, a_paused_intent_goes_to_a_person)
{
  maat_triage_config *c = config(LENIENT);
  maat_triager *t;
  struct maat_triage r;

  cr_assert_eq(maat_triager_new(&t, c, intent, NULL), MAAT_OK);
  cr_assert_eq(maat_triager_pause(t, "balance", 1), MAAT_OK);
  cr_assert_eq(maat_triager_pause(t, "balance", 1), MAAT_OK, "twice: once");
  r = run(t, "what is my balance", NULL, -1);
  cr_expect_neq(r.tier, MAAT_T1);
  cr_expect(has_reason(&r, "the bot is paused for intent balance"));
  cr_assert_eq(maat_triager_pause(t, "balance", 0), MAAT_OK);
  r = run(t, "what is my balance", NULL, -1);
  cr_expect_eq(r.tier, MAAT_T1, "resumed");
  cr_assert_eq(maat_triager_pause(t, "bad/intent", 1), MAAT_EINVAL);
  maat_triager_free(t);
  maat_triage_config_free(c);
}

Test(triage, an_upset_customer_never_gets_the_bot_unless_switched_off)
{
  maat_triage_config *c = config(LENIENT), *off;
  maat_triager *t;
  struct maat_triage r;

  cr_assert_eq(maat_triager_new(&t, c, intent, NULL), MAAT_OK);
  r = run(t, "what is my balance, this is ridiculous", NULL, -1);
  cr_expect_eq(r.tone, MAAT_TONE_ANGRY);
  cr_expect_neq(r.tier, MAAT_T1);
  cr_expect(has_reason(&r, "rule: a angry customer never gets the bot") ||
            has_reason(&r, "never gets the bot"));
  r = run(t, "wat is mijn saldo, ik ben niet blij", NULL, -1);
  cr_expect_eq(r.tone, MAAT_TONE_FRUSTRATED);
  cr_expect_neq(r.tier, MAAT_T1);
  maat_triager_free(t);
  off = config("{\"thresholds\": {\"bot_confidence\": 0.3}, \"rules\": "
               "{\"upset_never_bot\": false}}");
  cr_assert_eq(maat_triager_new(&t, off, intent, NULL), MAAT_OK);
  r = run(t, "what is my balance, this is ridiculous", NULL, -1);
  cr_expect_eq(r.tier, MAAT_T1);
  maat_triager_free(t);
  maat_triage_config_free(off);
  maat_triage_config_free(c);
}

Test(triage, out_of_scope_and_low_confidence_never_get_the_bot)
{
  maat_triage_config *c = config(LENIENT);
  maat_triage_config *strict = config("{\"thresholds\": {\"bot_confidence\": "
                                      "0.999}}");
  maat_triager *t;
  struct maat_triage r;

  cr_assert_eq(maat_triager_new(&t, c, intent, NULL), MAAT_OK);
  r = run(t, "what is the weather tomorrow", NULL, -1);
  cr_expect(r.out_of_scope);
  cr_expect_neq(r.tier, MAAT_T1);
  cr_expect(has_reason(&r, "out of scope"));
  maat_triager_free(t);
  cr_assert_eq(maat_triager_new(&t, strict, intent, NULL), MAAT_OK);
  r = run(t, "what is my balance", NULL, -1);
  cr_expect(!r.bot_can_answer);
  cr_expect_neq(r.tier, MAAT_T1);
  cr_expect(has_reason(&r, "below the bot's confidence floor 1.00"),
            "%s", r.nreasons ? r.reasons[0] : "");
  maat_triager_free(t);
  maat_triage_config_free(strict);
  maat_triage_config_free(c);
}

Test(triage, without_an_intent_model_nothing_goes_to_the_bot)
{
  maat_triage_config *c = config("{}");
  maat_triager *t;
  struct maat_triage r;

  cr_assert_eq(maat_triager_new(&t, c, NULL, NULL), MAAT_OK);
  r = run(t, "what is my balance", NULL, -1);
  cr_expect_str_eq(r.intent, "");
  cr_expect_eq(r.tier, MAAT_T2);
  cr_expect(has_reason(&r, "no intent model"));
  maat_triager_free(t);
  maat_triage_config_free(c);
}

Test(triage, intents_not_bot_answerable_stay_with_people)
{
  maat_triage_config *c = config("{\"thresholds\": {\"bot_confidence\": 0.3},"
                                 " \"not_bot_answerable\": [\"balance\"]}");
  maat_triage_config *only = config("{\"thresholds\": {\"bot_confidence\": "
                                    "0.3}, \"bot_answerable\": "
                                    "[\"activate_card\"]}");
  maat_triager *t;
  struct maat_triage r;

  cr_assert_eq(maat_triager_new(&t, c, intent, NULL), MAAT_OK);
  cr_expect_eq(run(t, "what is my balance", NULL, -1).tier, MAAT_T2);
  cr_expect_eq(run(t, "how do i activate my new card", NULL, -1).tier,
               MAAT_T1);
  maat_triager_free(t);
  cr_assert_eq(maat_triager_new(&t, only, intent, NULL), MAAT_OK);
  r = run(t, "what is my balance", NULL, -1);
  cr_expect_eq(r.tier, MAAT_T2);
  cr_expect(has_reason(&r, "not bot-answerable"));
  cr_expect_eq(run(t, "activate my card", NULL, -1).tier, MAAT_T1);
  maat_triager_free(t);
  maat_triage_config_free(only);
  maat_triage_config_free(c);
}

Test(triage, a_second_contact_about_the_same_issue_never_gets_the_bot)
{
  maat_triage_config *c = config(LENIENT);
  maat_triager *t;
  struct maat_triage r;
  const char *history[] = { "how much money is in my account" };
  struct maat_triage_input in = { "what is my balance", 18, NULL, NULL, -1,
                                  history, 1 };

  cr_assert_eq(maat_triager_new(&t, c, intent, NULL), MAAT_OK);
  /* The triager's memory of the customer, within the window. */
  cr_expect_eq(run(t, "what is my balance", "cust-1", 1000).tier, MAAT_T1);
  r = run(t, "tell me my balance please", "cust-1", 2000);
  cr_expect(r.repeat);
  cr_expect_neq(r.tier, MAAT_T1);
  cr_expect(has_reason(&r, "customer cust-1 asked about balance before"));
  /* A customer known by an e-mail address: the reason, which goes into
   * the log and the helpdesk's note, does not carry it. */
  run(t, "what is my balance", "anna@example.nl", 1000);
  r = run(t, "tell me my balance please", "anna@example.nl", 2000);
  cr_expect(has_reason(&r, "customer [EMAIL] asked about balance before"));
  for (size_t k = 0; k < r.nreasons; k++)
    cr_expect(!strstr(r.reasons[k], "anna@"), "%s", r.reasons[k]);
  /* Another customer, or another issue, is a first contact. */
  cr_expect_eq(run(t, "what is my balance", "cust-2", 2000).tier, MAAT_T1);
  cr_expect_eq(run(t, "activate my card", "cust-1", 2100).tier, MAAT_T1);
  /* Past the 72-hour window it is a new issue. */
  cr_expect_eq(run(t, "what is my balance", "cust-2", 2000 + 73 * 3600.0)
               .tier, MAAT_T1);
  /* The history sent with the contact. */
  cr_assert_eq(maat_triage_run(t, &in, &r), MAAT_OK);
  cr_expect(r.repeat);
  cr_expect_neq(r.tier, MAAT_T1);
  /* The customer's own words. */
  r = run(t, "wat is mijn saldo, ik heb al drie keer gebeld", NULL, -1);
  cr_expect(r.repeat);
  cr_expect_neq(r.tier, MAAT_T1);
  maat_triager_free(t);
  maat_triage_config_free(c);
}

Test(triage, a_critical_message_goes_first_whatever_its_tier)
{
  maat_triage_config *c = config(LENIENT);
  maat_triage_config *bot_ok = config("{\"thresholds\": {\"bot_confidence\": "
                                      "0.3}, \"rules\": "
                                      "{\"critical_never_bot\": false, "
                                      "\"upset_never_bot\": false}}");
  maat_triager *t;
  struct maat_triage r;
  const char *text = "what is my balance, urgent, the deurwaarder comes "
                     "today, spoed";

  cr_assert_eq(maat_triager_new(&t, c, intent, NULL), MAAT_OK);
  r = run(t, text, NULL, -1);
  cr_expect(r.critical, "urgency %.2f", r.urgency);
  cr_expect_eq(r.priority, 3);
  cr_expect_neq(r.tier, MAAT_T1);
  cr_expect(has_reason(&r, "critical"));
  cr_expect_eq(run(t, "what is my balance", NULL, -1).priority, 1);
  maat_triager_free(t);
  cr_assert_eq(maat_triager_new(&t, bot_ok, intent, NULL), MAAT_OK);
  r = run(t, text, NULL, -1);
  cr_expect_eq(r.tier, MAAT_T1);
  cr_expect_eq(r.priority, 3);
  maat_triager_free(t);
  maat_triage_config_free(bot_ok);
  maat_triage_config_free(c);
}

Test(triage, distress_goes_straight_to_an_experienced_person)
{
  maat_triage_config *c = config(LENIENT);
  maat_triager *t;
  struct maat_triage r;

  cr_assert_eq(maat_triager_new(&t, c, intent, NULL), MAAT_OK);
  r = run(t, "my husband passed away, what is the balance on his account",
          NULL, -1);
  cr_expect_eq(r.tone, MAAT_TONE_DISTRESSED);
  cr_expect_eq(r.tier, MAAT_T3);
  cr_expect_geq(r.priority, 2);
  cr_expect(has_reason(&r, "T3: a distressed customer"));
  maat_triager_free(t);
  maat_triage_config_free(c);
}

Test(triage, bad_input_and_bad_configuration)
{
  maat_triage_config *c = config("{}");
  maat_triager *t;
  struct maat_triage r;
  struct maat_triage_input in = { "caf\xc3", 4, NULL, NULL, -1, NULL, 0 };
  maat_triage_config *bad = NULL;
  static const struct { const char *json, *needle; } errs[] = {
    { "{\"thresholds\": {\"intnet\": 0.5}}", "thresholds.intnet" },
    { "{\"thresholds\": {\"tone_model\": 2}}", "thresholds.tone_model" },
    { "{\"rules\": {\"upset_never_bot\": 1}}", "rules.upset_never_bot" },
    { "{\"bot_answerable\": [\"\"]}", "bot_answerable[0]" },
    { "{\"bot_answerable\": \"all\"}", "bot_answerable" },
    { "{\"thresholds\": {\"high\": 0.9, \"critical\": 0.5}}",
      "thresholds.high" },
    { "{\"rules\": {}, \n \"x\": 1}", "'x'" },
    { "{\"rules\": \n ", "t.json:2" },
  };

  cr_assert_eq(maat_triager_new(&t, c, intent, NULL), MAAT_OK);
  cr_expect_eq(maat_triage_run(t, &in, &r), MAAT_EUTF8);
  cr_expect_eq(maat_triage_run(t, NULL, &r), MAAT_EINVAL);
  for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
    cr_expect_eq(maat_triage_config_parse(&bad, errs[i].json,
                                          strlen(errs[i].json), "t.json"),
                 MAAT_EPARSE, "%s", errs[i].json);
    cr_expect(strstr(maat_errmsg(), errs[i].needle) != NULL,
              "%s: '%s' lacks '%s'", errs[i].json, maat_errmsg(),
              errs[i].needle);
  }
  cr_expect(bad == NULL);
  /* A tone model must have the five tones. */
  {
    maat_triager *t2 = NULL;
    cr_expect_eq(maat_triager_new(&t2, c, intent, intent), MAAT_EINVAL);
    cr_expect(t2 == NULL);
  }
  cr_expect(strstr(maat_errmsg(), "frustrated") != NULL);
  maat_triager_free(t);
  maat_triage_config_free(c);
}


Test(triage, survives_every_allocation_failure)
{
  static const char *const texts[] = {
    "what is my balance", "Dit is belachelijk, al drie keer gebeld!",
    "my husband passed away, what is the balance on his account",
  };
  const char *line = "{\"id\":\"x\",\"text\":\"Waar blijft mijn pas?\","
                     "\"history\":[\"activate my card\"]}";
  long n;
  int rc = MAAT_ENOMEM;

  for (n = 1; n < 100000; n++) {
    maat_triage_config *c = NULL;
    maat_triager *t = NULL;
    char *out = NULL;
    size_t len;
    alloc_count = 0;
    alloc_fail_at = n;
    maat_set_allocator(failing_malloc, failing_realloc, free);
    rc = maat_triage_config_parse(&c, LENIENT, strlen(LENIENT), "t.json");
    if (!rc)
      rc = maat_triager_new(&t, c, intent, NULL);
    for (size_t i = 0; !rc && i < sizeof texts / sizeof texts[0]; i++) {
      struct maat_triage_input in = { texts[i], strlen(texts[i]), "cu", NULL,
                                      (double)i, NULL, 0 };
      struct maat_triage r;
      rc = maat_triage_run(t, &in, &r);
    }
    if (!rc)
      rc = maat_triage_event_line(t, line, strlen(line), 10, &out, &len);
    maat_set_allocator(NULL, NULL, NULL);
    maat_free(out);
    maat_triager_free(t);
    maat_triage_config_free(c);
    if (rc == MAAT_OK)
      break;
    cr_assert_eq(rc, MAAT_ENOMEM, "allocation %ld: %s", n, maat_errmsg());
  }
  cr_assert_eq(rc, MAAT_OK);
  cr_assert_gt(n, 5, "the walk covered %ld allocations", n);
}

/*
 * Every reason triage writes is in the message catalogue (a code,
 * parameters and Dutch): over the critical and routine message sets in
 * tests/data, with customers who come back, history, a paused intent and
 * empty or foreign messages.
 */
Test(triage, every_reason_is_in_the_message_catalogue)
{
  static const char *const sets[] = { "critical-en.txt", "critical-nl.txt",
                                      "routine-en.txt", "routine-nl.txt" };
  const char *root = getenv("MAAT_SOURCE_ROOT");
  maat_triage_config *c = config(LENIENT);
  maat_triager *t;
  char path[1024], line[2048], params[1024];
  const char *history[] = { "what is my balance" };
  int n = 0, codes[64] = { 0 }, ncodes = 0;

  cr_assert(root, "MAAT_SOURCE_ROOT is set by meson");
  cr_assert_eq(maat_triager_new(&t, c, intent, NULL), MAAT_OK);
  cr_assert_eq(maat_triager_pause(t, "activate_card", 1), MAAT_OK);
  for (size_t s = 0; s < sizeof sets / sizeof *sets; s++) {
    FILE *f;
    snprintf(path, sizeof path, "%s/tests/data/%s", root, sets[s]);
    f = fopen(path, "r");
    cr_assert(f, "%s", path);
    while (fgets(line, sizeof line, f)) {
      struct maat_triage r;
      struct maat_triage_input in = { line, strcspn(line, "\n"),
                                      n % 3 ? "cust-1" : NULL, NULL, n,
                                      n % 5 ? NULL : history, n % 5 ? 0 : 1 };
      cr_assert_eq(maat_triage_run(t, &in, &r), MAAT_OK);
      for (size_t i = 0; i < r.nreasons; i++) {
        const char *code = maat_msg_parse(r.reasons[i], params,
                                          sizeof params);
        cr_assert(code, "'%s' is not in the catalogue", r.reasons[i]);
        for (size_t k = 0; maat_msg_entry(k); k++)
          if (!strcmp(maat_msg_entry(k)->code, code) && !codes[k]++)
            ncodes++;
      }
      n++;
    }
    fclose(f);
  }
  {
    const char *odd[] = { "?!", "Das ist ein Problem mit meiner Rechnung "
                          "und ich brauche Hilfe", "activate my card",
                          "wat is mijn saldo" };
    for (size_t k = 0; k < sizeof odd / sizeof *odd; k++) {
      struct maat_triage r = run(t, odd[k], NULL, -1);
      for (size_t i = 0; i < r.nreasons; i++)
        cr_assert(maat_msg_parse(r.reasons[i], params, sizeof params),
                  "'%s' is not in the catalogue", r.reasons[i]);
    }
  }
  cr_assert_gt(n, 100);
  cr_assert_geq(ncodes, 8, "the sets reach many kinds of reason (%d)",
                ncodes);
  maat_triager_free(t);
  maat_triage_config_free(c);
}

/* A helpdesk's channel becomes the name the team's 'capacity' uses. */
Test(triage, a_helpdesks_channel_becomes_a_capacity_name)
{
  static const struct { const char *in, *want; } cases[] = {
    { "Channel::WebWidget", "\"channel\":\"chat\"" },
    { "Website chat", "\"channel\":\"chat\"" },
    { "Channel::Email", "\"channel\":\"email\"" },
    { "phone", "\"channel\":\"voice\"" },
    { "twitter status", "\"channel\":\"twitter_status\"" },
    { "Channel::Whatsapp", "\"channel\":\"whatsapp\"" },
  };
  maat_triage_config *c = config(LENIENT);
  maat_triager *t;
  cr_assert_eq(maat_triager_new(&t, c, intent, NULL), MAAT_OK);
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    char line[256], *out = NULL;
    size_t len;
    struct maat_event ev;
    snprintf(line, sizeof line, "{\"id\":\"x%zu\",\"text\":\"Waar blijft "
             "mijn pas?\",\"channel\":\"%s\"}", k, cases[k].in);
    cr_assert_eq(maat_triage_event_line(t, line, strlen(line), 10, &out,
                                        &len), MAAT_OK, "%s", maat_errmsg());
    cr_assert(strstr(out, cases[k].want), "%s: %s", cases[k].in, out);
    /* And the router reads it. */
    cr_assert_eq(maat_event_parse(&ev, out, len), MAAT_OK, "%s",
                 maat_errmsg());
    maat_free(out);
  }
  maat_triager_free(t);
  maat_triage_config_free(c);
}

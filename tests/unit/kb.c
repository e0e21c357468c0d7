/*
 * kb.c - tests for the knowledge base: every import format, errors that
 * name the file and line, an import kept whole or not at all, versions,
 * removal, Dutch and English stems, citations pointing at the passage
 * used, the answer threshold and the history of resolved questions.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maat.h"
#include "tmpfiles.h"

static char dir[64];

static void setup(void)
{
  tmp_path(dir, sizeof dir, "kb");
  cr_assert_eq(mkdir(dir, 0700), 0);
}

static void teardown(void)
{
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  cr_assert_eq(system(cmd), 0);
}

/* Writes 'text' to DIR/name; the path in 'out'. */
static const char *put(const char *name, const char *text)
{
  static char paths[8][128];
  static int next;
  char *p = paths[next++ % 8];
  FILE *f;
  snprintf(p, 128, "%s/%s", dir, name);
  {
    char *slash = strrchr(p, '/');
    *slash = 0;
    mkdir(p, 0700);
    *slash = '/';
  }
  f = fopen(p, "w");
  cr_assert(f, "%s", p);
  fputs(text, f);
  fclose(f);
  return p;
}

static maat_store *mem(void)
{
  maat_store *st = NULL;
  cr_assert_eq(maat_store_open(&st, "memory:"), MAAT_OK);
  return st;
}

static int import1(maat_store *st, const char *path,
                   struct maat_kb_import_stats *s)
{
  const char *paths[] = { path };
  return maat_kb_import(st, paths, 1, "kb-team", 100, NULL, NULL, s);
}

static int count_articles(void *ctx, const struct maat_store_article *a)
{
  int *n = ctx;
  (void)a;
  (*n)++;
  return 0;
}

static int articles(maat_store *st)
{
  int n = 0;
  cr_assert_eq(maat_store_articles(st, NULL, count_articles, &n), MAAT_OK);
  return n;
}

/* The first ranked article for a question, and the answer. */
static void ask(maat_kb *kb, const char *q, struct maat_kb_answer *a)
{
  cr_assert_eq(maat_kb_ask(kb, q, strlen(q), a), MAAT_OK, "%s",
               maat_errmsg());
}

static const char *faq =
  "{\"id\":\"pas-kwijt\",\"title\":\"Pas kwijt of gestolen\",\"body\":\"Blokkeer "
  "uw pas direct in de app onder Pas blokkeren. U krijgt binnen vijf werkdagen "
  "een nieuwe pas.\",\"url\":\"https://help.example.nl/pas\",\"lang\":\"nl\"}\n"
  "{\"id\":\"openingstijden\",\"title\":\"Openingstijden\",\"body\":\"Wij zijn "
  "open van maandag tot en met vrijdag van acht tot acht.\",\"lang\":\"nl\"}\n"
  "{\"question\":\"How do I reset my password?\",\"answer\":\"Choose Forgot "
  "password on the login screen; the link we e-mail is valid for one hour.\","
  "\"url\":\"https://help.example.nl/en/password\"}\n"
  "{\"id\":\"refunds\",\"title\":\"Refunds after a return\",\"body\":\"Once "
  "your returned parcel has arrived, we refund the amount within fourteen "
  "days.\",\"lang\":\"en\"}\n";

Test(kb, jsonl_articles_and_faqs_are_imported_and_answered, .init = setup,
     .fini = teardown)
{
  maat_store *st = mem();
  struct maat_kb_import_stats s;
  struct maat_kb_answer a;
  maat_kb *kb;

  cr_assert_eq(import1(st, put("a.jsonl", faq), &s), MAAT_OK, "%s",
               maat_errmsg());
  cr_assert_eq(s.added, 4);
  cr_assert_eq(maat_kb_open(&kb, st, NULL), MAAT_OK);
  cr_assert_eq(maat_kb_articles(kb), 4);
  /* Dutch stems: "geblokkeerd" and "passen" find "blokkeren" and "pas". */
  ask(kb, "Hoe kan ik mijn gestolen pas laten blokkeren?", &a);
  cr_assert_str_eq(a.article, "pas-kwijt");
  cr_assert_str_eq(a.lang, "nl");
  cr_assert_str_eq(a.url, "https://help.example.nl/pas");
  cr_assert(strstr(a.passage, "Blokkeer"), "%s", a.passage);
  maat_kb_answer_release(&a);
  /* English stems: "refunded", "returning". */
  ask(kb, "When is my money refunded after returning a parcel?", &a);
  cr_assert_str_eq(a.article, "refunds");
  maat_kb_answer_release(&a);
  /* An FAQ without an id gets one from its question. */
  ask(kb, "I forgot my password", &a);
  cr_assert(!strncmp(a.article, "faq-how-do-i-reset-my-password", 30), "%s",
            a.article);
  maat_kb_answer_release(&a);
  /* Nothing matches: no answer, said why. */
  ask(kb, "zzzz qqqq", &a);
  cr_assert(!a.answered);
  cr_assert_eq(a.nranked, 0);
  cr_assert(a.why);
  maat_kb_answer_release(&a);
  maat_kb_free(kb);
  maat_store_close(st);
}

Test(kb, a_bad_record_names_file_and_line_and_nothing_is_kept,
     .init = setup, .fini = teardown)
{
  maat_store *st = mem();
  struct maat_kb_import_stats s;
  const char *p;

  p = put("bad.jsonl", "{\"id\":\"a\",\"body\":\"fine\"}\n"
                       "{\"id\":\"b\",\"title\":\"no body\"}\n");
  cr_assert_eq(import1(st, p, &s), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "bad.jsonl:2"), "%s", maat_errmsg());
  cr_assert(strstr(maat_errmsg(), "'body'"), "%s", maat_errmsg());
  cr_assert_eq(articles(st), 0, "the first record was not kept either");
  p = put("bad2.jsonl", "{\"id\":\"a\",\"body\":\"fine\"}\n{\"id\": \n");
  cr_assert_eq(import1(st, p, &s), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "bad2.jsonl:2"), "%s", maat_errmsg());
  p = put("bad3.jsonl", "{\"id\":\"has space\",\"body\":\"x\"}\n");
  cr_assert_eq(import1(st, p, &s), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "field 'id'"), "%s", maat_errmsg());
  p = put("bad4.jsonl", "{\"id\":\"a\",\"body\":\"x\",\"lang\":\"fr\"}\n");
  cr_assert_eq(import1(st, p, &s), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "field 'lang'"), "%s", maat_errmsg());
  p = put("bad5.csv", "id,title\nx,y\n");
  cr_assert_neq(import1(st, p, &s), MAAT_OK);
  cr_assert(strstr(maat_errmsg(), "bad5.csv"), "%s", maat_errmsg());
  p = put("what.txt", "hello");
  cr_assert_eq(import1(st, p, &s), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "unknown kind of file"), "%s",
            maat_errmsg());
  cr_assert_eq(articles(st), 0);
  maat_store_close(st);
}

Test(kb, csv_markdown_html_and_folders, .init = setup, .fini = teardown)
{
  maat_store *st = mem();
  struct maat_kb_import_stats s;
  struct maat_kb_answer a;
  maat_kb *kb;
  char folder[128];

  put("docs/faq.csv", "question,answer,url\n"
      "\"Where is my order?\",\"Follow your parcel with the track and trace "
      "link in the confirmation e-mail.\",https://help.example.nl/track\n");
  put("docs/billing/invoice.md",
      "---\nurl: https://help.example.nl/invoice\nlang: en\n---\n"
      "# Your invoice explained\n\nEvery month your invoice is in the app.\n\n"
      "## Wrong invoice\n\nWas something charged **twice**? Report it within "
      "two months and we [correct it](https://x.example/c) on the next "
      "invoice.\n");
  put("docs/pages/storing.html",
      "<html><head><title>Storing in de app</title><style>p{color:red}"
      "</style><script>alert('x')</script></head><body><h1>Storing</h1>"
      "<p>Werkt de app niet? Kijk op de <b>storingspagina</b>.</p>"
      "<h2>Geen storing gemeld</h2><p>Herstart uw telefoon en update de "
      "app.</p><iframe src=\"https://evil.example\"></iframe></body></html>");
  snprintf(folder, sizeof folder, "%s/docs", dir);
  cr_assert_eq(import1(st, folder, &s), MAAT_OK, "%s", maat_errmsg());
  cr_assert_eq(s.files, 3);
  cr_assert_eq(s.added, 3);
  cr_assert_eq(maat_kb_open(&kb, st, NULL), MAAT_OK);
  /* Markdown: the section is cited, markup is gone. */
  ask(kb, "I was charged twice on my invoice", &a);
  cr_assert_str_eq(a.article, "billing/invoice");
  cr_assert_str_eq(a.title, "Your invoice explained");
  cr_assert_str_eq(a.section, "Wrong invoice");
  cr_assert(strstr(a.passage, "charged twice") &&
            !strstr(a.passage, "**") && !strstr(a.passage, "]("),
            "%s", a.passage);
  cr_assert_str_eq(a.url, "https://help.example.nl/invoice");
  maat_kb_answer_release(&a);
  /* HTML: text only; the script and style never reach the store. */
  ask(kb, "de app werkt niet, is er een storing?", &a);
  cr_assert_str_eq(a.article, "pages/storing");
  cr_assert_str_eq(a.title, "Storing in de app");
  maat_kb_answer_release(&a);
  ask(kb, "geen storing gemeld, wat nu? telefoon herstarten?", &a);
  cr_assert_str_eq(a.section, "Geen storing gemeld");
  cr_assert(!strstr(a.passage, "alert") && !strstr(a.passage, "color"),
            "%s", a.passage);
  maat_kb_answer_release(&a);
  ask(kb, "where is my parcel, track and trace", &a);
  cr_assert(!strncmp(a.article, "faq-where-is-my-order", 21), "%s",
            a.article);
  maat_kb_answer_release(&a);
  maat_kb_free(kb);
  maat_store_close(st);
}

Test(kb, chatwoot_and_zammad_exports, .init = setup, .fini = teardown)
{
  maat_store *st = mem();
  struct maat_kb_import_stats s;
  struct maat_kb_answer a;
  maat_kb *kb;

  cr_assert_eq(import1(st, put("cw.json",
    "{\"payload\":[{\"id\":12,\"title\":\"Reset your password\",\"content\":"
    "\"Choose **Forgot password** on the login screen.\",\"status\":"
    "\"published\",\"locale\":\"en\",\"meta\":{\"tags\":[\"login\"]}},"
    "{\"id\":13,\"title\":\"Old article\",\"content\":\"Gone\",\"status\":"
    "\"archived\"}],\"meta\":{}}"), &s), MAAT_OK, "%s", maat_errmsg());
  cr_assert_eq(import1(st, put("zm.json",
    "{\"id\":1,\"assets\":{\"KnowledgeBaseAnswer\":{\"1\":{\"id\":1,"
    "\"published_at\":\"2025-03-12T14:52:38Z\",\"archived_at\":null},"
    "\"2\":{\"id\":2,\"published_at\":null,\"archived_at\":null}},"
    "\"KnowledgeBaseAnswerTranslation\":{\"1\":{\"id\":1,\"title\":"
    "\"Adres wijzigen\",\"answer_id\":1,\"content_id\":1},\"2\":{\"id\":2,"
    "\"title\":\"Concept\",\"answer_id\":2,\"content_id\":2}},"
    "\"KnowledgeBaseAnswerTranslationContent\":{\"1\":{\"id\":1,\"body\":"
    "\"<p>Wijzig uw <b>adres</b> in de app onder Mijn gegevens.</p>\"},"
    "\"2\":{\"id\":2,\"body\":\"<p>Nog niet klaar</p>\"}}}}"), &s), MAAT_OK,
    "%s", maat_errmsg());
  cr_assert_eq(s.drafts, 1, "an unpublished Zammad answer is a draft");
  cr_assert_eq(maat_kb_open(&kb, st, NULL), MAAT_OK);
  cr_assert_eq(maat_kb_articles(kb), 2, "archived and draft are not used");
  ask(kb, "forgot my password", &a);
  cr_assert_str_eq(a.article, "chatwoot-12");
  cr_assert(!strstr(a.passage, "**"), "%s", a.passage);
  maat_kb_answer_release(&a);
  ask(kb, "hoe wijzig ik mijn adres", &a);
  cr_assert_str_eq(a.article, "zammad-1-1");
  cr_assert(!strstr(a.passage, "<b>"), "%s", a.passage);
  maat_kb_answer_release(&a);
  maat_kb_free(kb);
  maat_store_close(st);
}

static int newest_body(void *ctx, const struct maat_store_article *a)
{
  snprintf(ctx, 256, "v%lld %s", (long long)a->version, a->body);
  return 0;
}

Test(kb, an_update_changes_answers_and_a_removed_article_is_never_cited,
     .init = setup, .fini = teardown)
{
  maat_store *st = mem();
  struct maat_kb_import_stats s;
  struct maat_kb_answer a;
  maat_kb *kb;
  char body[256];

  cr_assert_eq(import1(st, put("a.jsonl", faq), &s), MAAT_OK);
  cr_assert_eq(import1(st, put("a.jsonl", faq), &s), MAAT_OK);
  cr_assert_eq(s.unchanged, 4, "the same text again adds no version");
  cr_assert_eq(maat_kb_open(&kb, st, NULL), MAAT_OK);
  ask(kb, "openingstijden klantenservice", &a);
  cr_assert(strstr(a.passage, "acht tot acht"), "%s", a.passage);
  maat_kb_answer_release(&a);
  /* A new version: the answer follows it after a reload. */
  cr_assert_eq(import1(st, put("b.jsonl",
    "{\"id\":\"openingstijden\",\"title\":\"Openingstijden\",\"body\":\"Wij "
    "zijn open van maandag tot en met zaterdag van negen tot vijf.\"}\n"),
    &s), MAAT_OK);
  cr_assert_eq(s.updated, 1);
  cr_assert_eq(maat_store_articles(st, "openingstijden", newest_body, body),
               MAAT_OK);
  cr_assert(!strncmp(body, "v2 ", 3), "%s", body);
  cr_assert_eq(maat_kb_reload(kb), MAAT_OK);
  ask(kb, "openingstijden klantenservice", &a);
  cr_assert(strstr(a.passage, "negen tot vijf"), "%s", a.passage);
  cr_assert_eq(a.version, 2);
  maat_kb_answer_release(&a);
  /* Removed: a version, never cited again. */
  {
    struct maat_store_article r = { 0 };
    int64_t v;
    r.id = "openingstijden";
    r.body = "";
    r.status = MAAT_ARTICLE_REMOVED;
    cr_assert_eq(maat_kb_put(st, &r, &v), MAAT_OK);
    cr_assert_eq(v, 3);
  }
  cr_assert_eq(maat_kb_reload(kb), MAAT_OK);
  ask(kb, "openingstijden klantenservice", &a);
  cr_assert(strcmp(a.article, "openingstijden"), "a removed article cited");
  for (int k = 0; k < a.nranked; k++)
    cr_assert(strcmp(a.ranked[k].id, "openingstijden"));
  maat_kb_answer_release(&a);
  maat_kb_free(kb);
  maat_store_close(st);
}

static int take_body(void *ctx, const struct maat_store_article *a)
{
  char **out = ctx;
  free(*out);
  *out = strdup(a->body);
  return 0;
}

Test(kb, a_long_article_is_split_and_its_passage_cited, .init = setup,
     .fini = teardown)
{
  maat_store *st = mem();
  struct maat_kb_import_stats s;
  struct maat_kb_answer a;
  struct maat_buf_like { char *p; size_t n; } b = { NULL, 0 };
  FILE *f = open_memstream(&b.p, &b.n);
  maat_kb *kb;

  fprintf(f, "{\"id\":\"long\",\"title\":\"Everything\",\"body\":\"");
  for (int k = 0; k < 60; k++)
    fprintf(f, "Paragraph %d is about the weather and nothing in "
            "particular, with enough words to make it a passage of its "
            "own in the index.\\n\\n", k);
  fprintf(f, "## Pets\\n\\nDogs are welcome in every shop when on a "
          "leash.\\n\\n");
  for (int k = 0; k < 20; k++)
    fprintf(f, "More paragraph %d about the weather and nothing in "
            "particular, long enough to stand alone as a passage.\\n\\n", k);
  fprintf(f, "\",\"lang\":\"en\"}\n");
  fclose(f);
  cr_assert_eq(import1(st, put("long.jsonl", b.p), &s), MAAT_OK, "%s",
               maat_errmsg());
  free(b.p);
  cr_assert_eq(maat_kb_open(&kb, st, NULL), MAAT_OK);
  cr_assert_gt(maat_kb_passages(kb), 20);
  ask(kb, "may I bring my dog into the shop?", &a);
  cr_assert_str_eq(a.article, "long");
  cr_assert_str_eq(a.section, "Pets");
  cr_assert(strstr(a.passage, "Dogs are welcome"), "%s", a.passage);
  cr_assert_lt(strlen(a.passage), 1500);
  /* The citation's offsets point at the passage in the body. */
  {
    char *body = NULL;
    cr_assert_eq(maat_store_articles(st, "long", take_body, &body), MAAT_OK);
    cr_assert_gt(a.passage_end, a.passage_start);
    cr_assert_eq(a.passage_end - a.passage_start, strlen(a.passage));
    cr_assert(!memcmp(body + a.passage_start, a.passage, strlen(a.passage)));
    free(body);
  }
  maat_kb_answer_release(&a);
  maat_kb_free(kb);
  maat_store_close(st);
}

Test(kb, the_threshold_hands_off_and_history_helps, .init = setup,
     .fini = teardown)
{
  maat_store *st = mem();
  struct maat_kb_import_stats s;
  struct maat_kb_answer a;
  struct maat_kb_options strict = { 1.0, 0 }, loose = { 0.01, 0 };
  maat_kb *kb;
  char *kbtext;
  size_t len;

  cr_assert_eq(maat_gen_kb(&kbtext, &len), MAAT_OK);
  cr_assert_eq(import1(st, put("gen.jsonl", kbtext), &s), MAAT_OK);
  maat_free(kbtext);
  cr_assert_eq(maat_kb_open(&kb, st, &strict), MAAT_OK);
  ask(kb, "Ik ben mijn pas kwijt, kunt u hem blokkeren?", &a);
  cr_assert_str_eq(a.article, "kb-card-lost-nl");
  cr_assert(!a.answered, "below the threshold: a person answers");
  cr_assert(a.why && strstr(a.why, "person"));
  maat_kb_answer_release(&a);
  maat_kb_free(kb);
  cr_assert_eq(maat_kb_open(&kb, st, &loose), MAAT_OK);
  ask(kb, "Ik ben mijn pas kwijt, kunt u hem blokkeren?", &a);
  cr_assert(a.answered);
  cr_assert_gt(a.confidence, 0.01);
  cr_assert_leq(a.confidence, 1);
  maat_kb_answer_release(&a);
  maat_kb_free(kb);
  /* History: an odd wording the articles lack, resolved before by the
   * opening-hours article, now finds it. */
  {
    const char *odd = "tot hoe laat kan ik jullie vanavond bereiken";
    maat_msggen *g;
    maat_gen_opts o = MAAT_GEN_OPTS_INIT;
    cr_assert_eq(maat_store_kb_link_add(st, "kb-opening-hours-nl",
                                        "tot hoe laat kan ik jullie "
                                        "vanavond nog bereiken?", 1),
                 MAAT_OK);
    /* And enough other resolved questions to calibrate on. */
    cr_assert_eq(maat_msggen_new(&o, &g), MAAT_OK);
    for (int k = 0; k < 200; k++) {
      maat_gen_message m;
      char id[96];
      cr_assert_eq(maat_msggen_next(g, &m), MAAT_OK);
      if (maat_gen_kb_article(m.intent, m.lang, id, sizeof id))
        cr_assert_eq(maat_store_kb_link_add(st, id, m.text, 2), MAAT_OK);
    }
    maat_msggen_free(g);
    cr_assert_eq(maat_kb_open(&kb, st, NULL), MAAT_OK);
    cr_assert_gt(maat_kb_calibrated(kb), 100);
    cr_assert(maat_kb_threshold(kb) >= 0.3 && maat_kb_threshold(kb) <= 0.95);
    ask(kb, odd, &a);
    cr_assert_str_eq(a.ranked[0].id, "kb-opening-hours-nl");
    cr_assert_gt(a.history, 0.6);
    /* The resolved question it resembles, for a person's prepared case. */
    cr_assert_geq(a.nsimilar, 1);
    cr_assert_str_eq(a.similar[0].article, "kb-opening-hours-nl");
    cr_assert(strstr(a.similar[0].question, "vanavond"), "%s",
              a.similar[0].question);
    maat_kb_answer_release(&a);
    maat_kb_free(kb);
  }
  maat_store_close(st);
}

static int count_links(void *ctx, const char *article, const char *q,
                       double t)
{
  int *n = ctx;
  (void)t;
  if (!strcmp(article, "openingstijden") && strstr(q, "[PHONE]") &&
      !strstr(q, "0612345678"))
    (*n)++;
  return 0;
}

Test(kb, outcomes_and_approved_corrections_teach_the_history, .init = setup,
     .fini = teardown)
{
  maat_store *st = mem();
  struct maat_kb_import_stats s;
  struct maat_store_correction k;
  int64_t id;
  int n = 0, learnt = -1;

  cr_assert_eq(import1(st, put("faq.jsonl", faq), &s), MAAT_OK);
  /* A contact whose words are kept, resolved by the bot's answer. */
  cr_assert_eq(maat_store_message_put(st, "c1", 1, "nl", "tot hoe laat "
                                      "bellen? 0612345678"), MAAT_OK);
  cr_assert_eq(maat_kb_learn_contact(st, "c1", "openingstijden", 2),
               MAAT_OK);
  cr_assert_eq(maat_kb_learn_contact(st, "c-none", "openingstijden", 2),
               MAAT_ENOTFOUND, "no words kept: nothing to learn");
  /* A correction: only approved, only "right", only for an answer. */
  memset(&k, 0, sizeof k);
  k.t = 3;
  k.contact = "c2";
  k.field = "answer";
  k.was = "openingstijden";
  k.value = "right";
  k.reason = "good answer";
  k.by = "lead";
  k.text = "wanneer kan ik jullie bellen [PHONE]";
  k.lang = k.rule = k.intent = "";
  cr_assert_eq(maat_store_correction_add(st, &k, &id), MAAT_OK);
  cr_assert_eq(maat_kb_learn_correction(st, id, 4, &learnt), MAAT_OK);
  cr_assert_eq(learnt, 0, "an open correction teaches nothing");
  cr_assert_eq(maat_store_correction_review(st, id, MAAT_CORRECTION_APPROVED,
                                            "lead", 5), MAAT_OK);
  cr_assert_eq(maat_kb_learn_correction(st, id, 6, &learnt), MAAT_OK);
  cr_assert_eq(learnt, 1);
  k.value = "wrong";
  cr_assert_eq(maat_store_correction_add(st, &k, &id), MAAT_OK);
  cr_assert_eq(maat_store_correction_review(st, id, MAAT_CORRECTION_APPROVED,
                                            "lead", 7), MAAT_OK);
  cr_assert_eq(maat_kb_learn_correction(st, id, 8, &learnt), MAAT_OK);
  cr_assert_eq(learnt, 0, "a wrong answer teaches nothing");
  cr_assert_eq(maat_store_kb_links(st, count_links, &n), MAAT_OK);
  cr_assert_eq(n, 2, "the contact and the right answer, redacted: %d", n);
  maat_store_close(st);
}

Test(kb, a_dutch_compound_matches_its_parts, .init = setup,
     .fini = teardown)
{
  maat_store *st = mem();
  struct maat_kb_import_stats s;
  struct maat_kb_answer a;
  maat_kb *kb;
  const char *nl =
    "{\"id\":\"huurtoeslag\",\"title\":\"Huurtoeslag aanvragen\",\"body\":"
    "\"Vraag huurtoeslag aan bij de Belastingdienst als uw inkomen laag is."
    "\",\"lang\":\"nl\"}\n"
    "{\"id\":\"zorg\",\"title\":\"Zorgkosten\",\"body\":\"Een toeslag voor "
    "zorg vraagt u aan bij de Belastingdienst.\",\"lang\":\"nl\"}\n"
    "{\"id\":\"huur-opzeggen\",\"title\":\"Opzeggen\",\"body\":\"De huur "
    "van uw woning zegt u schriftelijk op.\",\"lang\":\"nl\"}\n";

  cr_assert_eq(import1(st, put("nl.jsonl", nl), &s), MAAT_OK);
  cr_assert_eq(maat_kb_open(&kb, st, NULL), MAAT_OK);
  /* "huurtoeslag" is "huur" + "toeslag": the article holding the
   * compound holds both words asked, the others one each. */
  ask(kb, "Krijg ik toeslag voor mijn huur?", &a);
  cr_assert_str_eq(a.ranked[0].id, "huurtoeslag");
  maat_kb_answer_release(&a);
  /* A slip of the keyboard still finds it. */
  ask(kb, "Krijg ik huurtoesalg?", &a);
  cr_assert_str_eq(a.ranked[0].id, "huurtoeslag");
  maat_kb_answer_release(&a);
  /* The compound itself still finds it. */
  ask(kb, "Hoe vraag ik huurtoeslag aan?", &a);
  cr_assert_str_eq(a.ranked[0].id, "huurtoeslag");
  maat_kb_answer_release(&a);
  maat_kb_free(kb);
  maat_store_close(st);
}

Test(kb, gaps_group_unanswered_questions_and_none_is_an_empty_list,
     .init = setup, .fini = teardown)
{
  maat_store *st = mem();
  struct maat_kb_import_stats s;
  struct maat_store_kb_question q = { 0 };
  maat_kb *kb;
  char *json;

  cr_assert_eq(import1(st, put("a.jsonl", faq), &s), MAAT_OK);
  cr_assert_eq(maat_kb_open(&kb, st, NULL), MAAT_OK);
  cr_assert_eq(maat_kb_gaps(kb, 0, 1e9, 1, &json), MAAT_OK, "%s",
               maat_errmsg());
  cr_assert(strstr(json, "\"gaps\":[]"), "%s", json);
  maat_free(json);
  q.source = "ask";
  q.t = 1e9 - 100;
  q.question = "Mag mijn aquarium mee in de trein?";
  cr_assert_eq(maat_store_kb_question_add(st, &q), MAAT_OK);
  q.question = "Kan een aquarium mee in de bus?";
  cr_assert_eq(maat_store_kb_question_add(st, &q), MAAT_OK);
  q.question = "Is een aquarium toegestaan in de tram?";
  cr_assert_eq(maat_store_kb_question_add(st, &q), MAAT_OK);
  q.question = "answered well";
  q.answered = 1;
  cr_assert_eq(maat_store_kb_question_add(st, &q), MAAT_OK);
  cr_assert_eq(maat_kb_gaps(kb, 0, 1e9, 1, &json), MAAT_OK);
  cr_assert(strstr(json, "\"topic\":\"aquarium\",\"count\":3"), "%s", json);
  cr_assert(!strstr(json, "answered well"), "%s", json);
  maat_free(json);
  maat_kb_free(kb);
  maat_store_close(st);
}

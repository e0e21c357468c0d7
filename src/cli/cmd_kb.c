/*
 * cmd_kb.c - 'maat kb import|list|show|remove|learn|ask': the knowledge
 * base in the store. docs/knowledge.md has the formats and the figures.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f)
{
  fprintf(f,
    "Usage: maat kb import --db STORE [--owner NAME] FILE|FOLDER...\n"
    "       maat kb list --db STORE [--all]\n"
    "       maat kb show --db STORE ID\n"
    "       maat kb remove --db STORE ID...\n"
    "       maat kb learn --db STORE [FILE|-]\n"
    "       maat kb ask --db STORE [--threshold X] [--no-history] [FILE|-]\n"
    "\n"
    "The knowledge base the bot answers from, kept in the store with every\n"
    "version of every article.\n"
    "\n"
    "'import' reads JSON Lines of articles {\"id\", \"title\", \"body\", \"url\",\n"
    "\"lang\", \"tags\", \"owner\", \"status\"} or FAQs {\"question\", \"answer\",\n"
    "\"url\"}, CSV with the same columns, Markdown and HTML files, folders of\n"
    "them, Chatwoot's help-centre articles ({\"payload\": [...]}) and Zammad's\n"
    "knowledge-base answers ({\"assets\": ...}). An import is kept whole or\n"
    "not at all: a bad record names its file and line and nothing is stored.\n"
    "An article whose text changed gets a new version; HTML is reduced to\n"
    "its text.\n"
    "\n"
    "'list' shows the newest version of each article (--all: removed and\n"
    "drafts too); 'show' every version of one, as JSON; 'remove' adds a\n"
    "version that removes it: it is never cited again.\n"
    "\n"
    "'learn' reads the organisation's history as JSON Lines {\"question\",\n"
    "\"article\"}: questions an article resolved, which then count when a\n"
    "similar question comes (kept with personal data replaced by its type).\n"
    "\n"
    "'ask' reads one question per line (or JSON Lines with \"question\") and\n"
    "writes one JSON line per question: answered, answer (the best passage\n"
    "of the best article, labelled as AI-selected), confidence, sources\n"
    "(id, title, url, section) and ranked (the ten best article ids).\n"
    "\n"
    "Options:\n"
    "  -d, --db STORE       the store (a file path, sqlite:PATH)\n"
    "  -o, --owner NAME     owner of imported articles that name none\n"
    "  -a, --all            list removed articles and drafts too\n"
    "  -t, --threshold X    answer at this confidence or more (0..1;\n"
    "                       default 0.8)\n"
    "      --no-history     rank without the history of resolved questions\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static void json_str(FILE *f, const char *s)
{
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c == '\n')
      fputs("\\n", f);
    else if (c == '\t')
      fputs("\\t", f);
    else if (c < 0x20)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
  }
  fputc('"', f);
}

struct prog {
  struct cli_progress bar;
  long files;
};

static void on_file(void *ctx, const char *path, long n)
{
  struct prog *p = ctx;
  char detail[128];

  p->files++;
  snprintf(detail, sizeof detail, "%ld files, %ld articles in %.60s",
           p->files, n, path);
  cli_progress_update(&p->bar, 0.5, detail);
}

static int do_import(maat_store *st, char **paths, int n, const char *owner)
{
  struct maat_kb_import_stats s;
  struct prog p = { { 0 }, 0 };
  int rc;

  cli_progress_start(&p.bar, "import");
  rc = maat_kb_import(st, (const char *const *)paths, n, owner,
                      (double)time(NULL), on_file, &p, &s);
  cli_progress_done(&p.bar);
  if (rc) {
    cli_error("kb import: %s (nothing was imported)", maat_errmsg());
    return EXIT_FAIL;
  }
  fprintf(stderr, "maat: imported %ld files: %ld new articles, %ld updated, "
          "%ld unchanged%s\n", s.files, s.added, s.updated, s.unchanged,
          s.drafts ? " (some as drafts)" : "");
  return EXIT_OK;
}

static const char *status_name(int s)
{
  return s == MAAT_ARTICLE_DRAFT ? "draft"
         : s == MAAT_ARTICLE_REMOVED ? "removed" : "published";
}

struct list_ctx {
  int all;
  long n;
};

static int print_row(void *ctx, const struct maat_store_article *a)
{
  struct list_ctx *l = ctx;

  if (!l->all && a->status != MAAT_ARTICLE_PUBLISHED)
    return 0;
  printf("%-40s v%-4lld %-9s %-2s %s\n", a->id, (long long)a->version,
         status_name(a->status), a->lang[0] ? a->lang : "-", a->title);
  l->n++;
  return 0;
}

static int print_version(void *ctx, const struct maat_store_article *a)
{
  (void)ctx;
  printf("{\"id\":");
  json_str(stdout, a->id);
  printf(",\"version\":%lld,\"t\":%.3f,\"status\":\"%s\",\"title\":",
         (long long)a->version, a->t, status_name(a->status));
  json_str(stdout, a->title);
  printf(",\"lang\":");
  json_str(stdout, a->lang);
  printf(",\"url\":");
  json_str(stdout, a->url);
  printf(",\"tags\":");
  json_str(stdout, a->tags);
  printf(",\"owner\":");
  json_str(stdout, a->owner);
  printf(",\"body\":");
  json_str(stdout, a->body);
  printf("}\n");
  return 0;
}

static int do_remove(maat_store *st, char **ids, int n)
{
  int rc = maat_store_begin(st);

  for (int k = 0; k < n && !rc; k++) {
    struct maat_store_article a;
    int64_t v;
    rc = maat_kb_article_get(st, ids[k], &a);
    if (rc == MAAT_ENOTFOUND)
      cli_error("kb remove: no article '%s'", ids[k]);
    else if (rc)
      cli_error_rc(rc, "kb remove");
    if (!rc && a.status == MAAT_ARTICLE_REMOVED) {
      cli_error("kb remove: article '%s' is removed already", ids[k]);
      rc = MAAT_ESTATE;
    }
    if (!rc) {
      /* A version that removes it: the text goes, the rest stays. */
      char *body = (char *)a.body;
      a.t = (double)time(NULL);
      a.status = MAAT_ARTICLE_REMOVED;
      a.body = "";
      rc = maat_kb_put(st, &a, &v);
      a.body = body;
      if (rc)
        cli_error_rc(rc, "kb remove");
      else
        fprintf(stderr, "maat: removed %s (version %lld)\n", ids[k],
                (long long)v);
    }
    maat_kb_article_release(&a);
  }
  if (rc) {
    maat_store_rollback(st);
    return EXIT_FAIL;
  }
  if ((rc = maat_store_commit(st))) {
    cli_error_rc(rc, "kb remove");
    return EXIT_FAIL;
  }
  return EXIT_OK;
}

static int do_learn(maat_store *st, const char *path)
{
  maat_reader_opts o = MAAT_READER_OPTS_INIT;
  maat_reader *r = NULL;
  maat_record rec;
  long n = 0;
  int rc;

  o.format = MAAT_FORMAT_JSONL;
  o.text_field = "question";
  o.label_field = "article";
  o.require_label = 1;
  if ((rc = maat_reader_open(path, &o, &r))) {
    cli_error_rc(rc, "kb learn");
    return EXIT_FAIL;
  }
  if ((rc = maat_store_begin(st))) {
    maat_reader_close(r);
    cli_error_rc(rc, "kb learn");
    return EXIT_FAIL;
  }
  while ((rc = maat_reader_next(r, &rec)) == MAAT_OK) {
    if ((rc = maat_kb_learn(st, rec.label, rec.text, (double)time(NULL))))
      break;
    n++;
  }
  maat_reader_close(r);
  if (rc == MAAT_EOF)
    rc = maat_kb_touch(st, (double)time(NULL)) ? MAAT_EIO : MAAT_EOF;
  if (rc != MAAT_EOF) {
    maat_store_rollback(st);
    cli_error("kb learn: %s (nothing was kept)", maat_errmsg());
    return EXIT_FAIL;
  }
  if ((rc = maat_store_commit(st))) {
    cli_error_rc(rc, "kb learn");
    return EXIT_FAIL;
  }
  fprintf(stderr, "maat: learned %ld resolved questions\n", n);
  return EXIT_OK;
}

static void print_answer(const char *question, const struct maat_kb_answer *a)
{
  printf("{\"question\":");
  json_str(stdout, question);
  printf(",\"lang\":");
  json_str(stdout, a->lang);
  printf(",\"answered\":%s,\"confidence\":%.4f,\"answer\":",
         a->answered ? "true" : "false", a->confidence);
  if (a->answered && a->passage)
    json_str(stdout, a->passage);
  else
    printf("null");
  printf(",\"label\":\"AI-selected answer from the knowledge base\"");
  printf(",\"sources\":[");
  if (a->article[0]) {
    printf("{\"id\":");
    json_str(stdout, a->article);
    printf(",\"version\":%lld,\"title\":", (long long)a->version);
    json_str(stdout, a->title ? a->title : "");
    printf(",\"url\":");
    json_str(stdout, a->url ? a->url : "");
    printf(",\"section\":");
    json_str(stdout, a->section ? a->section : "");
    printf(",\"start\":%zu,\"end\":%zu}", a->passage_start, a->passage_end);
  }
  printf("],\"ranked\":[");
  for (int k = 0; k < a->nranked; k++) {
    if (k)
      putchar(',');
    json_str(stdout, a->ranked[k].id);
  }
  printf("]");
  if (a->nsimilar) {
    printf(",\"similar\":[");
    for (int k = 0; k < a->nsimilar; k++) {
      printf("%s{\"question\":", k ? "," : "");
      json_str(stdout, a->similar[k].question);
      printf(",\"resolved_by\":");
      json_str(stdout, a->similar[k].article);
      printf(",\"similarity\":%.3f}", a->similar[k].similarity);
    }
    printf("]");
  }
  if (a->why) {
    printf(",\"why\":");
    json_str(stdout, a->why);
  }
  printf("}\n");
}

static int do_ask(maat_store *st, const char *path, double threshold,
                  int history)
{
  struct maat_kb_options o = { threshold, history ? 1 : -1 };
  maat_reader_opts ro = MAAT_READER_OPTS_INIT;
  maat_reader *r = NULL;
  maat_record rec;
  maat_kb *kb = NULL;
  int rc = maat_kb_open(&kb, st, &o), bad = 0;

  if (rc) {
    cli_error_rc(rc, "kb ask");
    return EXIT_FAIL;
  }
  if (!maat_kb_articles(kb))
    fprintf(stderr, "maat: the knowledge base is empty: nothing is "
            "answered ('maat kb import' first)\n");
  /* One question per line, or JSON Lines (or CSV) with "question". */
  cli_messages_format(path ? path : "-", &ro);
  ro.text_field = "question";
  if ((rc = maat_reader_open(path ? path : "-", &ro, &r))) {
    cli_error_rc(rc, "kb ask");
    maat_kb_free(kb);
    return EXIT_FAIL;
  }
  for (;;) {
    struct maat_kb_answer a;
    rc = maat_reader_next(r, &rec);
    if (rc == MAAT_EOF)
      break;
    if (rc == MAAT_EIO) {
      cli_error("kb ask: %s", maat_errmsg());
      bad = 1;
      break;
    }
    if (rc) {
      cli_error("kb ask: %s", maat_errmsg());
      bad = 1;
      continue;
    }
    if ((rc = maat_kb_ask(kb, rec.text, rec.text_len, &a))) {
      cli_error("kb ask: line %zu: %s", rec.line, maat_errmsg());
      bad = 1;
      continue;
    }
    print_answer(rec.text, &a);
    maat_kb_answer_release(&a);
  }
  maat_reader_close(r);
  maat_kb_free(kb);
  return bad ? EXIT_FAIL : EXIT_OK;
}

int cmd_kb(int argc, char **argv)
{
  static const struct option opts[] = {
    { "db", required_argument, NULL, 'd' },
    { "owner", required_argument, NULL, 'o' },
    { "all", no_argument, NULL, 'a' },
    { "threshold", required_argument, NULL, 't' },
    { "no-history", no_argument, NULL, 'H' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *db = NULL, *owner = NULL, *sub;
  double threshold = 0;
  int all = 0, history = 1, c, rc;
  maat_store *st = NULL;

  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? EXIT_USAGE : EXIT_OK;
  }
  sub = argv[1];
  argc--;
  argv++;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:o:at:h", opts, NULL)) != -1) {
    switch (c) {
    case 'd': db = optarg; break;
    case 'o': owner = optarg; break;
    case 'a': all = 1; break;
    case 't':
      if (!cli_parse_double("--threshold", optarg, 0, 1, &threshold))
        return EXIT_USAGE;
      break;
    case 'H': history = 0; break;
    case 'h': usage(stdout); return EXIT_OK;
    default: return cli_usage_error("kb", "unknown option");
    }
  }
  if (strcmp(sub, "import") && strcmp(sub, "list") && strcmp(sub, "show") &&
      strcmp(sub, "remove") && strcmp(sub, "learn") && strcmp(sub, "ask"))
    return cli_usage_error("kb", "unknown subcommand '%s'", sub);
  if (!db)
    return cli_usage_error("kb", "%s needs --db STORE", sub);
  if ((!strcmp(sub, "import") || !strcmp(sub, "remove") ||
       !strcmp(sub, "show")) && optind >= argc)
    return cli_usage_error("kb", "%s needs %s", sub,
                           strcmp(sub, "import") ? "an article id"
                                                 : "a file or folder");
  if ((rc = maat_store_open(&st, db))) {
    cli_error_rc(rc, "kb");
    return EXIT_FAIL;
  }
  if (!strcmp(sub, "import")) {
    rc = do_import(st, argv + optind, argc - optind, owner);
  } else if (!strcmp(sub, "list")) {
    struct list_ctx l = { all, 0 };
    rc = maat_store_articles(st, NULL, print_row, &l);
    if (rc) {
      cli_error_rc(rc, "kb list");
      rc = EXIT_FAIL;
    } else {
      fprintf(stderr, "maat: %ld articles\n", l.n);
    }
  } else if (!strcmp(sub, "show")) {
    rc = maat_store_articles(st, argv[optind], print_version, NULL);
    if (rc == MAAT_ENOTFOUND)
      cli_error("kb show: no article '%s'", argv[optind]);
    else if (rc)
      cli_error_rc(rc, "kb show");
    rc = rc ? EXIT_FAIL : EXIT_OK;
  } else if (!strcmp(sub, "remove")) {
    rc = do_remove(st, argv + optind, argc - optind);
  } else if (!strcmp(sub, "learn")) {
    rc = do_learn(st, optind < argc ? argv[optind] : "-");
  } else {
    rc = do_ask(st, optind < argc ? argv[optind] : NULL, threshold, history);
  }
  maat_store_close(st);
  return rc;
}

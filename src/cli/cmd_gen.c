/*
 * cmd_gen.c - 'maat gen': realistic synthetic data, deterministic for a
 * seed. The default mode writes labelled customer messages; '--team' and
 * '--events' are the router's modes (cmd_gen_route.c). A new mode is one
 * more dispatch at the top of cmd_gen().
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
  fprintf(f,
    "Usage: maat gen [--messages N] [--seed S] [--lang nl|en|mixed]\n"
    "                [--typos RATE] [--split all|history|new]\n"
    "                [--format jsonl|csv] [-o FILE]\n"
    "       maat gen --kb [-o FILE]\n"
    "       maat gen --kb-questions N [--seed S] [--split all|history|new]\n"
    "                [-o FILE]\n");
  cmd_gen_route_usage(f);
  cmd_gen_history_usage(f);
  fprintf(f,
    "\n"
    "Writes realistic synthetic data, the same for the same seed, so that\n"
    "demos and tests run without real customer data. The default mode\n"
    "writes customer messages in Dutch and English with the fields text,\n"
    "label (the intent), lang, intent, tone (neutral, positive, frustrated,\n"
    "angry, distressed), tone_intensity (0..1) and urgency (0..1).\n"
    "\n"
    "'--kb' writes a knowledge base for the generated intents (JSON Lines of\n"
    "articles for 'maat kb import', Dutch and English, with distractors);\n"
    "'--kb-questions N' writes N generated messages as questions with the\n"
    "article that answers them: {\"question\", \"article\", \"lang\",\n"
    "\"intent\"} (intents no article answers are left out).\n"
    "\n"
    "Options of the message mode:\n"
    "  -n, --messages N       how many messages (default 1000)\n"
    "  -s, --seed S           the random seed (default 1)\n"
    "  -l, --lang L           nl, en or mixed (default mixed: half each)\n"
    "      --typos RATE       chance per word of a typo, 0..0.5 (default 0.03)\n"
    "      --split S          all (default); history: three of every four\n"
    "                         phrasings; new: only the fourth, so a model\n"
    "                         trained on history meets unseen wordings\n"
    "  -f, --format FMT       jsonl (default) or csv\n"
    "  -o, --output FILE      write to FILE instead of standard output\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit status: 0 on success, 1 on I/O errors, 2 on usage errors.\n");
}

static void write_message(FILE *f, const maat_gen_message *m, bool csv)
{
  if (csv) {
    cli_csv_field(f, m->text);
    fprintf(f, ",%s,%s,%s,%s,%.2f,%.2f\n", m->intent, m->lang, m->intent,
            m->tone, m->tone_intensity, m->urgency);
    return;
  }
  fputs("{\"text\":", f);
  cli_json_string(f, m->text, strlen(m->text));
  fprintf(f,
          ",\"label\":\"%s\",\"lang\":\"%s\",\"intent\":\"%s\","
          "\"tone\":\"%s\",\"tone_intensity\":%.2f,\"urgency\":%.2f}\n",
          m->intent, m->lang, m->intent, m->tone, m->tone_intensity,
          m->urgency);
}

int cmd_gen(int argc, char **argv)
{
  static const struct option opts[] = {
    { "messages", required_argument, NULL, 'n' },
    { "seed", required_argument, NULL, 's' },
    { "lang", required_argument, NULL, 'l' },
    { "typos", required_argument, NULL, 't' },
    { "split", required_argument, NULL, 'S' },
    { "format", required_argument, NULL, 'f' },
    { "output", required_argument, NULL, 'o' },
    { "kb", no_argument, NULL, 'K' },
    { "kb-questions", required_argument, NULL, 'Q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  maat_gen_opts go = MAAT_GEN_OPTS_INIT;
  bool kb = false;
  long kbq = -1;
  maat_msggen *g = NULL;
  const char *output = NULL;
  long count = 1000, seed = 1;
  bool csv = false;
  FILE *f = stdout;
  int status = EXIT_FAIL, rc;

  if (cmd_gen_route_wants(argc, argv))
    return cmd_gen_route(argc, argv);
  if (cmd_gen_history_wants(argc, argv))
    return cmd_gen_history(argc, argv);

  optind = 1;
  for (;;) {
    int c = getopt_long(argc, argv, "n:s:l:f:o:h", opts, NULL);
    if (c == -1)
      break;
    switch (c) {
    case 'n':
      if (!cli_parse_int("--messages", optarg, 0, 100000000, &count))
        return EXIT_USAGE;
      break;
    case 's':
      if (!cli_parse_int("--seed", optarg, 0, 0x7fffffffL, &seed))
        return EXIT_USAGE;
      break;
    case 'l':
      if (!strcmp(optarg, "nl"))
        go.nl_share = 1;
      else if (!strcmp(optarg, "en"))
        go.nl_share = 0;
      else if (!strcmp(optarg, "mixed"))
        go.nl_share = 0.5;
      else
        return cli_usage_error("gen", "--lang must be nl, en or mixed, not '%s'",
                               optarg);
      break;
    case 't':
      if (!cli_parse_double("--typos", optarg, 0, 0.5, &go.typo_rate))
        return EXIT_USAGE;
      break;
    case 'S':
      if (!strcmp(optarg, "all"))
        go.split = MAAT_GEN_ALL;
      else if (!strcmp(optarg, "history"))
        go.split = MAAT_GEN_HISTORY;
      else if (!strcmp(optarg, "new"))
        go.split = MAAT_GEN_NEW;
      else
        return cli_usage_error("gen", "--split must be all, history or new, "
                               "not '%s'", optarg);
      break;
    case 'f':
      if (!strcmp(optarg, "csv"))
        csv = true;
      else if (!strcmp(optarg, "jsonl"))
        csv = false;
      else
        return cli_usage_error("gen", "--format must be jsonl or csv, not '%s'",
                               optarg);
      break;
    case 'o':
      output = optarg;
      break;
    case 'h':
      usage(stdout);
      return EXIT_OK;
    case 'K':
      kb = true;
      break;
    case 'Q':
      if (!cli_parse_int("--kb-questions", optarg, 1, 100000000, &kbq))
        return EXIT_USAGE;
      break;
    default:
      return cli_usage_error("gen", "unknown option");
    }
  }
  if (optind < argc)
    return cli_usage_error("gen", "unexpected argument '%s'", argv[optind]);
  go.seed = (uint64_t)seed;
  if (kb) {
    char *text;
    size_t len;
    if ((rc = maat_gen_kb(&text, &len))) {
      cli_error_rc(rc, "gen");
      return EXIT_FAIL;
    }
    if (output && !(f = fopen(output, "w"))) {
      cli_error("cannot open '%s' for writing", output);
      maat_free(text);
      return EXIT_FAIL;
    }
    status = fwrite(text, 1, len, f) == len && !fflush(f) ? EXIT_OK
                                                          : EXIT_FAIL;
    maat_free(text);
    if (f != stdout && fclose(f))
      status = EXIT_FAIL;
    if (status)
      cli_error("write error on '%s'", output ? output : "stdout");
    return status;
  }

  if ((rc = maat_msggen_new(&go, &g))) {
    cli_error_rc(rc, "gen");
    return EXIT_FAIL;
  }
  if (output && !(f = fopen(output, "w"))) {
    cli_error("cannot open '%s' for writing", output);
    goto out;
  }
  if (csv)
    fputs("text,label,lang,intent,tone,tone_intensity,urgency\n", f);
  for (long i = 0; i < (kbq > 0 ? kbq : count); i++) {
    maat_gen_message m;
    char article[96];
    if ((rc = maat_msggen_next(g, &m))) {
      cli_error_rc(rc, "gen");
      goto out;
    }
    if (kbq < 0) {
      write_message(f, &m, csv);
      continue;
    }
    if (!maat_gen_kb_article(m.intent, m.lang, article, sizeof article)) {
      i--;
      continue;
    }
    fputs("{\"question\":", f);
    cli_json_string(f, m.text, strlen(m.text));
    fprintf(f, ",\"article\":\"%s\",\"lang\":\"%s\",\"intent\":\"%s\"}\n",
            article, m.lang, m.intent);
  }
  if (fflush(f) != 0 || ferror(f)) {
    cli_error("write error on '%s'", output ? output : "stdout");
    goto out;
  }
  status = EXIT_OK;
out:
  if (f && f != stdout && fclose(f) != 0 && status == EXIT_OK) {
    cli_error("write error on '%s'", output);
    status = EXIT_FAIL;
  }
  maat_msggen_free(g);
  return status;
}

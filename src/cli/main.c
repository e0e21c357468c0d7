/*
 * main.c - the maat command: dispatches to one subcommand per file.
 */
#include "cli.h"

#include <string.h>

struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
};

/* Keep in step with docs/maat.1 and README.md. */
static const struct command commands[] = {
  { "train", cmd_train, "train a text classifier from labelled CSV or JSONL" },
  { "eval", cmd_eval, "measure a classifier on labelled data" },
  { "classify", cmd_classify, "label messages with a trained classifier" },
  { "gen", cmd_gen, "generate realistic synthetic customer messages" },
  { "triage", cmd_triage, "tone, urgency, tier T1/T2/T3 and the reasons" },
  { "route", cmd_route, "route contacts between the bot and people" },
  { "serve", cmd_serve, "the HTTP API, team dashboard and agents' own view" },
  { "token", cmd_token, "add, list or revoke the server's access tokens" },
  { "kb", cmd_kb, "the knowledge base: import articles, ask questions" },
  { "redact", cmd_redact, "personal data in messages, replaced by its type" },
  { "retrain", cmd_retrain, "a new model from approved corrections, if better" },
  { "models", cmd_models, "the model registry: list, roll back, register" },
  { "corrections", cmd_corrections, "the review queue of people's corrections" },
  { "privacy", cmd_privacy, "a customer's data: export it, or erase it everywhere" },
  { "store", cmd_store, "copy a store to PostgreSQL (or back), verified" },
  { "report", cmd_report, "insight: bot and people, savings, reinvestment" },
  { "insight", cmd_insight, "a helpdesk's history in; the task audit; the ledger" },
  { "simulate", cmd_simulate, "what-if: a team under a policy, with CIs" },
  { "erlang", cmd_erlang, "Erlang C: waiting, service level, agents needed" },
};

static void usage(FILE *f)
{
  fprintf(f,
          "Usage: maat COMMAND [OPTIONS] [ARGS]\n"
          "\n"
          "maat routes customer contacts between a bot and people, with the\n"
          "team's wellbeing as a constraint next to service level and cost.\n"
          "\n"
          "Commands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(f,
          "\n"
          "Options:\n"
          "  -h, --help     show this help\n"
          "  -V, --version  show the version\n"
          "\n"
          "Run 'maat COMMAND --help' for a command's options; 'man maat' for\n"
          "the manual.\n");
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
      !strcmp(argv[1], "help")) {
    if (argc > 2 && strcmp(argv[1], "help") == 0) {
      char help[] = "--help";
      char *sub[] = { argv[2], help, NULL };
      for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[2], commands[i].name))
          return commands[i].run(2, sub);
    }
    usage(stdout);
    return EXIT_OK;
  }
  if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
    printf("maat %s\n", maat_version());
    return EXIT_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name))
      return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "maat: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return EXIT_USAGE;
}

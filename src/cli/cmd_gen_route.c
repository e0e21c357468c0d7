/*
 * cmd_gen_route.c - the router's modes of 'maat gen': '--team N' writes a
 * realistic team, '--events --team TEAM' a realistic event stream for it.
 * cmd_gen.c dispatches here when cmd_gen_route_wants() says so.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

bool cmd_gen_route_wants(int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--events") || !strcmp(argv[i], "--team") ||
        !strncmp(argv[i], "--team=", 7))
      return true;
  return false;
}

void cmd_gen_route_usage(FILE *f)
{
  fprintf(f,
    "       maat gen --team N [--seed S] [-o FILE]\n"
    "       maat gen --events --team TEAM --days D [--seed S] [-o FILE]\n"
    "\n"
    "  --team N               write a realistic team of N agents (JSON,\n"
    "                         docs/team-file.md)\n"
    "  --events --team TEAM   write D days of events for TEAM (JSONL,\n"
    "                         docs/events.md): shifts and breaks, arrivals\n"
    "                         with a time-of-day profile, intents, tones,\n"
    "                         urgency, handle_s and patience_s\n"
    "  --days D               days of events (default 1)\n"
    "  --seed S               the random seed (default 1)\n"
    "  -o, --output FILE      write to FILE instead of standard output\n");
}

static int emit_line(void *ctx, const char *line, size_t len)
{
  FILE *f = ctx;
  if (fwrite(line, 1, len, f) != len || putc('\n', f) == EOF)
    return MAAT_EIO;
  return 0;
}

int cmd_gen_route(int argc, char **argv)
{
  static const struct option opts[] = {
    { "team", required_argument, NULL, 't' },
    { "events", no_argument, NULL, 'e' },
    { "days", required_argument, NULL, 'd' },
    { "seed", required_argument, NULL, 's' },
    { "output", required_argument, NULL, 'o' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *team = NULL, *output = NULL;
  long days = 1, seed = 1, n = 0;
  int events = 0, c, rc, status = EXIT_FAIL;
  FILE *f = stdout;

  optind = 1;
  while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
    switch (c) {
    case 't': team = optarg; break;
    case 'e': events = 1; break;
    case 'd':
      if (!cli_parse_int("--days", optarg, 1, 10000, &days))
        return EXIT_USAGE;
      break;
    case 's':
      if (!cli_parse_int("--seed", optarg, 0, 2147483647L, &seed))
        return EXIT_USAGE;
      break;
    case 'o': output = optarg; break;
    case 'h':
      printf("Usage: maat gen --team N [--seed S] [-o FILE]\n");
      cmd_gen_route_usage(stdout);
      return EXIT_OK;
    default: return cli_usage_error("gen", "unknown option");
    }
  }
  if (optind < argc)
    return cli_usage_error("gen", "unexpected argument '%s'", argv[optind]);
  if (!team)
    return cli_usage_error("gen", "--events needs --team TEAM");
  if (!events && !cli_parse_int("--team", team, 1, 100000, &n))
    return EXIT_USAGE;
  if (output) {
    f = fopen(output, "w");
    if (!f) {
      cli_error("gen: cannot open '%s'", output);
      return EXIT_FAIL;
    }
  }
  if (events) {
    maat_team *t = NULL;
    rc = maat_team_load(&t, team);
    if (!rc)
      rc = maat_gen_events(t, (int)days, (unsigned long long)seed, emit_line,
                           f);
    maat_team_free(t);
  } else {
    char *json = NULL;
    size_t len = 0;
    rc = maat_gen_team(&json, &len, (int)n, (unsigned long long)seed);
    if (!rc && fwrite(json, 1, len, f) != len)
      rc = MAAT_EIO;
    maat_free(json);
  }
  if (rc)
    cli_error_rc(rc, "gen");
  else
    status = EXIT_OK;
  if (f != stdout && fclose(f)) {
    cli_error("gen: cannot write '%s'", output);
    status = EXIT_FAIL;
  } else if (f == stdout && fflush(f)) {
    status = EXIT_FAIL;
  }
  return status;
}

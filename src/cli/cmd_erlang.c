/*
 * cmd_erlang.c - 'maat erlang': Erlang C as a workforce planner uses it, the
 * probability of waiting, the average speed of answer and the service level
 * for a number of agents, and the agents a service-level goal needs.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
  fprintf(f,
    "Usage: maat erlang --rate R --aht S [--agents C] [OPTIONS]\n"
    "\n"
    "Erlang C: contacts arriving at random (Poisson) at R per hour, handled\n"
    "in S seconds on average (exponentially distributed), by C agents, with\n"
    "no abandonment. Prints the offered traffic, the probability that a\n"
    "contact waits, the average speed of answer, the service level within\n"
    "the target, the occupancy, and the fewest agents that reach the\n"
    "service-level goal. Without --agents, the figures are for that number.\n"
    "\n"
    "Options:\n"
    "  -r, --rate R       arrivals per hour (> 0)\n"
    "  -a, --aht S        average handling time in seconds (> 0)\n"
    "  -c, --agents C     agents on duty (more than the traffic in erlangs)\n"
    "  -T, --target T     service-level target in seconds (default 20)\n"
    "  -g, --sl-goal G    service-level goal, 0..1 (default 0.8)\n"
    "      --json         print one JSON object instead of a table\n"
    "  -h, --help         show this help\n"
    "\n"
    "Example: maat erlang --rate 200 --aht 180 --agents 14 --target 20\n"
    "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

int cmd_erlang(int argc, char **argv)
{
  static const struct option opts[] = {
    { "rate", required_argument, NULL, 'r' },
    { "aht", required_argument, NULL, 'a' },
    { "agents", required_argument, NULL, 'c' },
    { "target", required_argument, NULL, 'T' },
    { "sl-goal", required_argument, NULL, 'g' },
    { "json", no_argument, NULL, 'j' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  double rate = 0, aht = 0, target = 20, goal = 0.8;
  long agents = 0;
  int json = 0, c, rc, needed;
  struct maat_erlang e;

  optind = 1;
  while ((c = getopt_long(argc, argv, "r:a:c:T:g:h", opts, NULL)) != -1) {
    switch (c) {
    case 'r':
      if (!cli_parse_double("--rate", optarg, 1e-9, 1e12, &rate))
        return EXIT_USAGE;
      break;
    case 'a':
      if (!cli_parse_double("--aht", optarg, 1e-9, 1e9, &aht))
        return EXIT_USAGE;
      break;
    case 'c':
      if (!cli_parse_int("--agents", optarg, 1, 1000000, &agents))
        return EXIT_USAGE;
      break;
    case 'T':
      if (!cli_parse_double("--target", optarg, 0, 1e9, &target))
        return EXIT_USAGE;
      break;
    case 'g':
      if (!cli_parse_double("--sl-goal", optarg, 0, 0.999999, &goal))
        return EXIT_USAGE;
      break;
    case 'j': json = 1; break;
    case 'h': usage(stdout); return EXIT_OK;
    default: return cli_usage_error("erlang", "unknown option");
    }
  }
  if (optind < argc)
    return cli_usage_error("erlang", "unexpected argument '%s'",
                           argv[optind]);
  if (rate <= 0 || aht <= 0)
    return cli_usage_error("erlang", "--rate and --aht are required");

  rc = maat_erlang_agents(rate, aht, target, goal, &needed);
  if (rc) {
    cli_error_rc(rc, "erlang");
    return EXIT_FAIL;
  }
  if (!agents)
    agents = needed;
  rc = maat_erlang_c(rate, aht, (int)agents, target, &e);
  if (rc) {
    cli_error_rc(rc, "erlang");
    return EXIT_FAIL;
  }
  if (json) {
    printf("{\"rate_per_hour\":%.10g,\"aht_s\":%.10g,\"agents\":%ld,"
           "\"traffic\":%.6f,\"p_wait\":%.6f,\"asa_s\":%.4f,"
           "\"target_s\":%.10g,\"service_level\":%.6f,\"occupancy\":%.6f,"
           "\"sl_goal\":%.10g,\"agents_needed\":%d}\n",
           rate, aht, agents, e.traffic, e.p_wait, e.asa_s, target,
           e.service_level, e.occupancy, goal, needed);
  } else {
    printf("traffic          %.3f erlangs (%.10g/h x %.10g s)\n", e.traffic,
           rate, aht);
    printf("agents           %ld\n", agents);
    printf("p_wait           %.4f\n", e.p_wait);
    printf("asa              %.2f s\n", e.asa_s);
    printf("service level    %.2f %% within %.10g s\n",
           100 * e.service_level, target);
    printf("occupancy        %.2f %%\n", 100 * e.occupancy);
    printf("agents needed    %d for %.10g %% within %.10g s\n", needed,
           100 * goal, target);
  }
  return EXIT_OK;
}

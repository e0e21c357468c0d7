/*
 * cmd_gen_history.c - 'maat gen --history N': a helpdesk's history with
 * known truth, for the insight report's tests and benchmark: per intent a
 * planted share for the bot, a rate at which the bot hands back, a CSAT
 * for the bot, and a person's handling time; CSAT for people by tier; NPS
 * for bot and people. The CSV is in maat's own export layout
 * (docs/insight/maat.json maps it); '--truth FILE' writes what was
 * planted, with the hours the bot saved as drawn.
 */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct planted {
  const char *intent;
  double share, bot, fail;      /* of contacts; to the bot; handed back */
  int csat;                     /* 0 good, 1 middling, 2 poor (the bot's) */
  double handle_s;              /* a person's mean handling time */
};

static const struct planted plan[] = {
  { "order_status", 0.20, 0.80, 0.06, 0, 240 },
  { "password_reset", 0.15, 0.85, 0.04, 0, 180 },
  { "address_change", 0.10, 0.60, 0.10, 0, 300 },
  { "invoice_question", 0.15, 0.40, 0.45, 1, 420 },
  { "refund", 0.10, 0.30, 0.20, 2, 600 },
  { "complaint", 0.10, 0.05, 0.50, 2, 900 },
  { "cancel_contract", 0.10, 0.20, 0.15, 0, 480 },
  { "delivery_damage", 0.10, 0.10, 0.25, 1, 540 },
};
#define NPLAN (sizeof plan / sizeof plan[0])

/* CSAT 1..5 distributions: the bot's (good, middling, poor), people's at
 * tier 2 and at tier 3. */
static const double csat_dist[5][5] = {
  { 0, 0, 0.20, 0.45, 0.35 },
  { 0, 0, 0.45, 0.45, 0.10 },
  { 0, 0, 0.80, 0.20, 0 },
  { 0, 0.05, 0.15, 0.35, 0.45 },
  { 0, 0.10, 0.25, 0.35, 0.30 },
};

static uint64_t rng;

static double uni(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0;
}

static int draw(const double *p, int n)
{
  double u = uni(), c = 0;

  for (int i = 0; i < n; i++)
    if (u < (c += p[i]))
      return i;
  return n - 1;
}

static double mean_of(const double *p)
{
  double m = 0;

  for (int i = 0; i < 5; i++)
    m += (i + 1) * p[i];
  return m;
}

static void iso(FILE *f, double t)
{
  time_t s = (time_t)t;
  struct tm tm;
  char b[32];

  gmtime_r(&s, &tm);
  strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
  fputs(b, f);
}

bool cmd_gen_history_wants(int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--history") || !strncmp(argv[i], "--history=", 10))
      return true;
  return false;
}

void cmd_gen_history_usage(FILE *f)
{
  fprintf(f, "       maat gen --history N [--seed S] [--days D] [-o FILE]\n"
             "                [--truth FILE]\n");
}

int cmd_gen_history(int argc, char **argv)
{
  static const struct option opts[] = {
    { "history", required_argument, NULL, 'H' },
    { "seed", required_argument, NULL, 's' },
    { "days", required_argument, NULL, 'd' },
    { "output", required_argument, NULL, 'o' },
    { "truth", required_argument, NULL, 'T' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  long n = 0, seed = 1, days = 90;
  const char *out = NULL, *truth = NULL;
  double share_c[NPLAN], contained_s[NPLAN], end;
  long bot_n[NPLAN], contained[NPLAN];
  FILE *f = stdout;

  optind = 1;
  for (;;) {
    int c = getopt_long(argc, argv, "s:o:h", opts, NULL);
    if (c == -1)
      break;
    switch (c) {
    case 'H':
      if (!cli_parse_int("--history", optarg, 1, 100000000, &n))
        return EXIT_USAGE;
      break;
    case 's':
      if (!cli_parse_int("--seed", optarg, 0, 0x7fffffffL, &seed))
        return EXIT_USAGE;
      break;
    case 'd':
      if (!cli_parse_int("--days", optarg, 1, 3650, &days))
        return EXIT_USAGE;
      break;
    case 'o': out = optarg; break;
    case 'T': truth = optarg; break;
    case 'h':
      printf("Usage: maat gen --history N [--seed S] [--days D] [-o FILE] "
             "[--truth FILE]\n\nA helpdesk's closed contacts over the last D "
             "days (default 90) with planted\nper-intent bot shares, "
             "hand-back rates, CSAT and handling times, as CSV\n(maat's "
             "export layout, docs/insight/maat.json). '--truth' writes what "
             "was\nplanted (JSON) for checking the report against.\n");
      return EXIT_OK;
    default:
      return EXIT_USAGE;
    }
  }
  if (n <= 0)
    return cli_usage_error("gen", "--history needs how many contacts");
  rng = 0x9E3779B97F4A7C15ULL ^ (uint64_t)(seed * 2654435761UL + 1);
  if (out && !(f = fopen(out, "w"))) {
    cli_error("gen: cannot write '%s'", out);
    return EXIT_FAIL;
  }
  for (size_t i = 0; i < NPLAN; i++) {
    share_c[i] = plan[i].share;
    bot_n[i] = contained[i] = 0;
    contained_s[i] = 0;
  }
  end = (double)(time(NULL) / 86400) * 86400;
  fputs("id,customer,created_at,taken_at,closed_at,channel,lang,intent,"
        "handler,tier,transfers,outcome,csat,nps\n", f);
  for (long k = 0; k < n; k++) {
    size_t i = (size_t)draw(share_c, NPLAN);
    const struct planted *p = &plan[i];
    double t0 = end - days * 86400.0 * uni(), wait = 5 + 120 * uni(), hs;
    int bot = uni() < p->bot, back = bot && uni() < p->fail, tier = 2;
    int transfers = 0, csat = 0, nps = -1;
    const char *ch = uni() < 0.6 ? "chat" : uni() < 0.75 ? "email" : "voice";
    const char *lang = uni() < 0.6 ? "nl" : "en";
    if (bot) {
      hs = 60 + 120 * uni();
      if (uni() < 0.6)
        csat = 1 + draw(csat_dist[p->csat], 5);
      if (uni() < 0.5)
        nps = uni() < 0.30 ? 9 + (uni() < 0.5) : uni() < 0.25 / 0.70
                                                   ? (int)(7 * uni())
                                                   : 7 + (uni() < 0.5);
      bot_n[i]++;
      if (!back) {
        contained[i]++;
        contained_s[i] += p->handle_s;
      }
    } else {
      /* A person's handling time: exponential with the planted mean. */
      hs = -p->handle_s * log(1 - uni());
      tier = uni() < 0.15 ? 3 : 2;
      transfers = uni() < 0.10;
      if (uni() < 0.6)
        csat = 1 + draw(csat_dist[tier == 3 ? 4 : 3], 5);
      if (uni() < 0.5)
        nps = uni() < 0.45 ? 9 + (uni() < 0.5) : uni() < 0.15 / 0.55
                                                   ? (int)(7 * uni())
                                                   : 7 + (uni() < 0.5);
    }
    fprintf(f, "h%ld,c%ld,", k + 1, k + 1);
    iso(f, t0);
    putc(',', f);
    iso(f, t0 + wait);
    putc(',', f);
    iso(f, t0 + wait + hs);
    fprintf(f, ",%s,%s,%s,%s,T%d,%d,%s,", ch, lang, p->intent,
            bot ? "bot" : "agent", tier, transfers,
            back ? "handed_back" : "resolved");
    if (csat)
      fprintf(f, "%d", csat);
    putc(',', f);
    if (nps >= 0)
      fprintf(f, "%d", nps);
    putc('\n', f);
  }
  if (f != stdout && fclose(f)) {
    cli_error("gen: cannot write '%s'", out);
    return EXIT_FAIL;
  }
  if (truth) {
    FILE *t = fopen(truth, "w");
    double saved = 0;
    if (!t) {
      cli_error("gen: cannot write '%s'", truth);
      return EXIT_FAIL;
    }
    fprintf(t, "{\"intents\":{");
    for (size_t i = 0; i < NPLAN; i++) {
      saved += contained_s[i];
      fprintf(t, "%s\"%s\":{\"bot_failure\":%.4f,\"csat_bot\":%.4f,"
              "\"handle_s\":%.1f,\"bot_contacts\":%ld,\"contained\":%ld}",
              i ? "," : "", plan[i].intent, plan[i].fail,
              mean_of(csat_dist[plan[i].csat]), plan[i].handle_s, bot_n[i],
              contained[i]);
    }
    fprintf(t, "},\"csat_people_by_tier\":{\"T2\":%.4f,\"T3\":%.4f},"
            "\"nps_bot\":5.0,\"nps_people\":30.0,\"saved_hours\":%.2f}\n",
            mean_of(csat_dist[3]), mean_of(csat_dist[4]), saved / 3600);
    if (fclose(t)) {
      cli_error("gen: cannot write '%s'", truth);
      return EXIT_FAIL;
    }
  }
  return EXIT_OK;
}

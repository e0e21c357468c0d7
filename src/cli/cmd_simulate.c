/*
 * cmd_simulate.c - 'maat simulate': what a routing policy and a bot rollout
 * do to service level, cost and the team, before anything changes. Runs the
 * library's simulator (which drives the router of 'maat route') once per
 * policy on the same random streams and prints the figures side by side,
 * with 95 % confidence intervals over independent replications.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_POLICIES 8

static void usage(FILE *f)
{
  fprintf(f,
    "Usage: maat simulate SCENARIO|FILE [OPTIONS]\n"
    "       maat simulate --queue-only --rate R --aht S --agents C [OPTIONS]\n"
    "       maat simulate --list\n"
    "\n"
    "Simulates a team under a routing policy: arrivals by hour of the day\n"
    "and day of the week, the contact mix, shifts and breaks, the bot and\n"
    "the contacts it hands back, customer patience, and the strain model\n"
    "with its effect on handling time and on the risk that agents leave.\n"
    "The simulator drives the same router as 'maat route'. SCENARIO is a\n"
    "built-in scenario (see --list) or a scenario file (docs/scenario-file.md).\n"
    "Prints, per policy: contacts, service level, average and p90 wait,\n"
    "abandonment, bot share, bounce-backs, agent-hours and cost, mean and p95\n"
    "strain, overload agent-hours and agent-days, the heavy-contact Gini and\n"
    "the expected leavers per year, each with a 95 %% confidence interval\n"
    "over the replications.\n"
    "\n"
    "Options:\n"
    "  -p, --policy P       maat (default), efficiency or round-robin\n"
    "  -c, --compare P1,P2  run several policies on the same random streams\n"
    "  -d, --days N         days per replication (default 5)\n"
    "  -n, --reps N         independent replications (default 5; >= 2 for\n"
    "                       confidence intervals)\n"
    "  -s, --seed S         random seed (default 1); same seed, same figures\n"
    "      --json           print {\"policies\": {P: {stat: mean, stat_ci:\n"
    "                       half-width, ...}}} instead of a table\n"
    "      --html FILE      also write a self-contained report with charts\n"
    "                       (strain over the day per policy, the wait\n"
    "                       distribution); the chart library (uPlot, from\n"
    "                       npm) is copied into the page: needs 'make web'\n"
    "      --list           list the built-in scenarios\n"
    "\n"
    "The plain M/M/c queue (no bot, strain or abandonment), to check the\n"
    "simulator against Erlang C ('maat erlang'):\n"
    "      --queue-only     simulate M/M/c; needs the three options below\n"
    "      --rate R         Poisson arrivals per hour\n"
    "      --aht S          mean (exponential) handling time in seconds\n"
    "      --agents C       agents\n"
    "      --contacts N     contacts counted over all replications (default\n"
    "                       200000), after a warm-up per replication\n"
    "  -h, --help           show this help\n"
    "\n"
    "Progress is shown on a terminal. Exit status: 0 success, 1 failure,\n"
    "2 usage error.\n");
}

struct progress_ctx {
  struct cli_progress bar;
  int index, count;
  const char *policy;
};

static void on_progress(void *ctx, double done)
{
  struct progress_ctx *p = ctx;
  cli_progress_update(&p->bar, (p->index + done) / p->count, p->policy);
}

/* Splits "a,b,c" into 'out'; returns the count or -1 on a bad list. */
static int split_policies(char *list, const char **out)
{
  char *save = NULL;
  int n = 0;

  for (char *tok = strtok_r(list, ",", &save); tok;
       tok = strtok_r(NULL, ",", &save)) {
    if (n == MAX_POLICIES || !*tok)
      return -1;
    for (int i = 0; i < n; i++)
      if (!strcmp(out[i], tok))
        return -1;
    out[n++] = tok;
  }
  return n ? n : -1;
}

static int open_scenario(const char *arg, maat_scenario **sc)
{
  struct stat st;
  int rc;

  if (strchr(arg, '/') || strchr(arg, '.') || stat(arg, &st) == 0)
    rc = maat_scenario_load(sc, arg);
  else
    rc = maat_scenario_builtin(sc, arg);
  if (rc)
    cli_error_rc(rc, "simulate");
  return rc;
}

static void print_number(double v, int stat)
{
  switch (stat) {
  case MAAT_SIM_SERVICE_LEVEL:
  case MAAT_SIM_ABANDON_RATE:
  case MAAT_SIM_BOT_SHARE:
    printf("%6.1f %%", 100 * v);
    break;
  case MAAT_SIM_MEAN_STRAIN:
  case MAAT_SIM_P95_STRAIN:
  case MAAT_SIM_HEAVY_GINI:
    printf("%8.3f", v);
    break;
  default:
    printf("%8.1f", v);
  }
}

static void print_table(const char *scenario, const struct maat_sim_options *o,
                        const char **policies, int npol,
                        const struct maat_sim_result *res)
{
  printf("scenario %s: %d day%s x %d replication%s, seed %llu; "
         "mean +- 95 %% CI\n\n", scenario, o->days, o->days == 1 ? "" : "s",
         o->reps, o->reps == 1 ? "" : "s", o->seed);
  printf("%-26s", "");
  for (int p = 0; p < npol; p++)
    printf("  %-22s", policies[p]);
  printf("\n");
  for (int s = 0; s < MAAT_SIM_NSTAT; s++) {
    printf("%-26s", maat_sim_stat_name(s));
    for (int p = 0; p < npol; p++) {
      double scale = (s == MAAT_SIM_SERVICE_LEVEL ||
                      s == MAAT_SIM_ABANDON_RATE ||
                      s == MAAT_SIM_BOT_SHARE) ? 100 : 1;
      printf("  ");
      print_number(res[p].mean[s], s);
      if (res[p].reps > 1)
        printf(s == MAAT_SIM_MEAN_STRAIN || s == MAAT_SIM_P95_STRAIN ||
               s == MAAT_SIM_HEAVY_GINI ? " +- %-8.3f" : " +- %-8.1f",
               scale * res[p].ci[s]);
      else
        printf("%12s", "");
    }
    printf("\n");
  }
}

static void print_json(const char *scenario, const struct maat_sim_options *o,
                       const char **policies, int npol,
                       const struct maat_sim_result *res)
{
  printf("{\"scenario\":");
  cli_json_string(stdout, scenario, strlen(scenario));
  printf(",\"days\":%d,\"reps\":%d,\"seed\":%llu,\"policies\":{", o->days,
         o->reps, o->seed);
  for (int p = 0; p < npol; p++) {
    printf("%s", p ? "," : "");
    cli_json_string(stdout, policies[p], strlen(policies[p]));
    printf(":{");
    for (int s = 0; s < MAAT_SIM_NSTAT; s++)
      printf("%s\"%s\":%.6g,\"%s_ci\":%.6g", s ? "," : "",
             maat_sim_stat_name(s), res[p].mean[s], maat_sim_stat_name(s),
             res[p].ci[s]);
    printf(",\"strain_by_hour\":[");
    for (int h = 0; h < 24; h++)
      printf("%s%.4f", h ? "," : "", res[p].strain_by_hour[h]);
    printf("],\"wait_share_30s\":[");
    for (int b = 0; b < MAAT_SIM_WAIT_BINS; b++)
      printf("%s%.5f", b ? "," : "", res[p].wait_share[b]);
    printf("]}");
  }
  printf("}}\n");
}

/* Appends a file's bytes to 'f'; -1 when it cannot be read. */
static int copy_file(FILE *f, const char *path)
{
  FILE *in = fopen(path, "rb");
  char buf[8192];
  size_t n;

  if (!in)
    return -1;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    fwrite(buf, 1, n, f);
  fclose(in);
  return 0;
}

/* Writes 's' with &, <, > and " escaped. */
static void html_text(FILE *f, const char *s)
{
  for (; *s; s++)
    switch (*s) {
    case '&': fputs("&amp;", f); break;
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '"': fputs("&quot;", f); break;
    default: fputc(*s, f);
    }
}

static const char *stat_label(int s)
{
  static const char *const labels[MAAT_SIM_NSTAT] = {
    "contacts", "service level", "average wait (s)", "p90 wait (s)",
    "abandoned", "bot share", "bounce-backs", "agent-hours", "cost",
    "mean strain", "p95 strain", "agent-hours over the overload line",
    "agent-days over the overload line", "heavy-contact Gini",
    "expected leavers per year",
  };
  return s >= 0 && s < MAAT_SIM_NSTAT ? labels[s] : "?";
}

/*
 * A self-contained HTML report: the table with CIs and two charts drawn by
 * uPlot, whose script and style are copied in, so the page works offline.
 */
static int write_html(const char *path, const char *scenario, const char *about,
                      const struct maat_sim_options *o, const char **policies,
                      int npol, const struct maat_sim_result *res)
{
  const char *web = cli_find_web_root();
  char js[4200], css[4200];
  FILE *f;

  if (!web) {
    cli_error("simulate: --html needs the chart library: run 'make web' (or "
              "set MAAT_WEB_ROOT to a built web/dist)");
    return -1;
  }
  snprintf(js, sizeof js, "%s/assets/uplot.js", web);
  snprintf(css, sizeof css, "%s/assets/uplot.css", web);
  f = fopen(path, "w");
  if (!f) {
    cli_error("simulate: cannot write '%s'", path);
    return -1;
  }
  fprintf(f, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, "
          "initial-scale=1\"><title>maat simulate</title><style>");
  if (copy_file(f, css)) {
    fclose(f);
    cli_error("simulate: cannot read '%s': run 'make web'", css);
    return -1;
  }
  fprintf(f, "body{font:15px/1.4 system-ui,sans-serif;margin:1rem auto;"
          "max-width:60rem;padding:0 1rem;color:#1d2430}table{border-collapse:"
          "collapse;width:100%%}td,th{padding:.25rem .5rem;border-bottom:1px "
          "solid #ddd;text-align:right}td:first-child,th:first-child{text-align:"
          "left}.ci{color:#667;font-size:.85em}h2{font-size:1.05rem;margin-top:"
          "1.5rem}</style></head><body>\n<h1>What-if: ");
  html_text(f, scenario);
  fprintf(f, "</h1>\n<p>");
  html_text(f, about);
  fprintf(f, "</p>\n<p>%d day%s &times; %d independent replication%s, seed %llu; "
          "means with 95 %% confidence intervals over the replications. The "
          "simulator drives the same router as <code>maat route</code>; "
          "docs/simulation.md describes the model and its calibration.</p>\n"
          "<table><thead><tr><th></th>", o->days,
          o->days == 1 ? "" : "s", o->reps, o->reps == 1 ? "" : "s", o->seed);
  for (int p = 0; p < npol; p++)
    fprintf(f, "<th>%s</th>", policies[p]);
  fprintf(f, "</tr></thead><tbody>\n");
  for (int s = 0; s < MAAT_SIM_NSTAT; s++) {
    int share = s == MAAT_SIM_SERVICE_LEVEL || s == MAAT_SIM_ABANDON_RATE ||
                s == MAAT_SIM_BOT_SHARE;
    int fine = s == MAAT_SIM_MEAN_STRAIN || s == MAAT_SIM_P95_STRAIN ||
               s == MAAT_SIM_HEAVY_GINI;
    fprintf(f, "<tr><td>%s</td>", stat_label(s));
    for (int p = 0; p < npol; p++) {
      double m = res[p].mean[s] * (share ? 100 : 1);
      double ci = res[p].ci[s] * (share ? 100 : 1);
      fprintf(f, fine ? "<td>%.3f" : "<td>%.1f", m);
      fprintf(f, "%s", share ? " %" : "");
      if (res[p].reps > 1)
        fprintf(f, fine ? " <span class=\"ci\">&plusmn; %.3f</span>"
                        : " <span class=\"ci\">&plusmn; %.1f</span>", ci);
      fprintf(f, "</td>");
    }
    fprintf(f, "</tr>\n");
  }
  fprintf(f, "</tbody></table>\n<h2>Strain over the day (mean of the agents "
          "on shift)</h2><div id=\"strain\"></div>\n<h2>Waits of contacts "
          "answered by people (share per 30-second bin; the last bin is "
          "%d s and longer)</h2><div id=\"waits\"></div>\n<script>",
          30 * (MAAT_SIM_WAIT_BINS - 1));
  if (copy_file(f, js)) {
    fclose(f);
    cli_error("simulate: cannot read '%s': run 'make web'", js);
    return -1;
  }
  fprintf(f, "</script>\n<script>\nconst policies = [");
  for (int p = 0; p < npol; p++)
    fprintf(f, "%s\"%s\"", p ? "," : "", policies[p]);
  fprintf(f, "];\nconst strain = [");
  for (int p = 0; p < npol; p++) {
    fprintf(f, "%s[", p ? "," : "");
    for (int h = 0; h < 24; h++)
      fprintf(f, "%s%.4f", h ? "," : "", res[p].strain_by_hour[h]);
    fprintf(f, "]");
  }
  fprintf(f, "];\nconst waits = [");
  for (int p = 0; p < npol; p++) {
    fprintf(f, "%s[", p ? "," : "");
    for (int b = 0; b < MAAT_SIM_WAIT_BINS; b++)
      fprintf(f, "%s%.5f", b ? "," : "", res[p].wait_share[b]);
    fprintf(f, "]");
  }
  fprintf(f, "];\n"
    "const colours = ['#2f6f5e', '#b4540a', '#3b5ba5', '#8a3b8f', '#555'];\n"
    "function chart(id, xs, ys, xlabel, ylabel) {\n"
    "  const el = document.getElementById(id);\n"
    "  new uPlot({ width: Math.min(900, el.clientWidth || 900), height: 260,\n"
    "    scales: { x: { time: false } },\n"
    "    axes: [{ label: xlabel }, { label: ylabel }],\n"
    "    series: [{}].concat(policies.map((p, i) => ({ label: p,\n"
    "      stroke: colours[i %% colours.length], width: 2 }))) },\n"
    "    [xs].concat(ys), el);\n"
    "}\n"
    "chart('strain', [...Array(24).keys()], strain, 'hour of the day', 'strain');\n"
    "chart('waits', [...Array(%d).keys()].map((b) => 30 * b), waits, 'wait (s)', 'share');\n"
    "</script>\n</body></html>\n", MAAT_SIM_WAIT_BINS);
  if (fclose(f)) {
    cli_error("simulate: cannot write '%s'", path);
    return -1;
  }
  return 0;
}

static int queue_only(double rate, double aht, long agents, long contacts,
                      long reps, unsigned long long seed, int json)
{
  struct maat_mmc_options o = { 0 };
  struct maat_mmc_result r = { 0 };
  int rc;

  if (rate <= 0 || aht <= 0 || agents <= 0)
    return cli_usage_error("simulate", "--queue-only needs --rate, --aht "
                           "and --agents");
  o.rate_per_hour = rate;
  o.aht_s = aht;
  o.agents = (int)agents;
  o.contacts = contacts;
  o.reps = (int)reps;
  o.seed = seed;
  rc = maat_simulate_mmc(&o, &r);
  if (rc) {
    cli_error_rc(rc, "simulate");
    return EXIT_FAIL;
  }
  if (json)
    printf("{\"rate_per_hour\":%.10g,\"aht_s\":%.10g,\"agents\":%ld,"
           "\"reps\":%d,\"contacts\":%ld,\"p_wait\":%.6f,\"p_wait_ci\":%.6f,"
           "\"asa_s\":%.4f,\"asa_s_ci\":%.4f}\n", rate, aht, agents, r.reps,
           r.contacts, r.p_wait, r.p_wait_ci, r.asa_s, r.asa_s_ci);
  else
    printf("M/M/%ld at %.10g/h, aht %.10g s: %ld contacts over %d "
           "replications\np_wait  %.4f +- %.4f\nasa     %.2f +- %.2f s\n",
           agents, rate, aht, r.contacts, r.reps, r.p_wait, r.p_wait_ci,
           r.asa_s, r.asa_s_ci);
  return EXIT_OK;
}

int cmd_simulate(int argc, char **argv)
{
  static const struct option opts[] = {
    { "policy", required_argument, NULL, 'p' },
    { "compare", required_argument, NULL, 'c' },
    { "days", required_argument, NULL, 'd' },
    { "reps", required_argument, NULL, 'n' },
    { "seed", required_argument, NULL, 's' },
    { "json", no_argument, NULL, 'j' },
    { "list", no_argument, NULL, 'l' },
    { "html", required_argument, NULL, 'H' },
    { "queue-only", no_argument, NULL, 'Q' },
    { "rate", required_argument, NULL, 'R' },
    { "aht", required_argument, NULL, 'A' },
    { "agents", required_argument, NULL, 'C' },
    { "contacts", required_argument, NULL, 'N' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *policies[MAX_POLICIES] = { "maat" };
  int npol = 1, json = 0, list = 0, qonly = 0, c, rc, seen_policy = 0;
  const char *html = NULL;
  long days = 5, reps = -1, agents = 0, contacts = 200000;
  unsigned long long seed = 1;
  double rate = 0, aht = 0;
  struct maat_sim_options o = { 0 };
  struct maat_sim_result res[MAX_POLICIES];
  struct progress_ctx prog;
  maat_scenario *sc = NULL;
  long v;

  optind = 1;
  while ((c = getopt_long(argc, argv, "p:c:d:n:s:h", opts, NULL)) != -1) {
    switch (c) {
    case 'p':
    case 'c':
      if (seen_policy++)
        return cli_usage_error("simulate", "give --policy or --compare "
                               "once");
      npol = split_policies(optarg, policies);
      if (npol < 1 || (c == 'p' && npol != 1))
        return cli_usage_error("simulate", "%s: expected %s", c == 'p' ?
                               "--policy" : "--compare", c == 'p' ?
                               "one policy" : "1 to 8 distinct policies, "
                               "comma-separated");
      break;
    case 'd':
      if (!cli_parse_int("--days", optarg, 1, 3660, &days))
        return EXIT_USAGE;
      break;
    case 'n':
      if (!cli_parse_int("--reps", optarg, 1, 1000, &reps))
        return EXIT_USAGE;
      break;
    case 's':
      if (!cli_parse_int("--seed", optarg, 0, 0x7fffffffL, &v))
        return EXIT_USAGE;
      seed = (unsigned long long)v;
      break;
    case 'j': json = 1; break;
    case 'l': list = 1; break;
    case 'H': html = optarg; break;
    case 'Q': qonly = 1; break;
    case 'R':
      if (!cli_parse_double("--rate", optarg, 1e-9, 1e9, &rate))
        return EXIT_USAGE;
      break;
    case 'A':
      if (!cli_parse_double("--aht", optarg, 1e-9, 1e9, &aht))
        return EXIT_USAGE;
      break;
    case 'C':
      if (!cli_parse_int("--agents", optarg, 1, 100000, &agents))
        return EXIT_USAGE;
      break;
    case 'N':
      if (!cli_parse_int("--contacts", optarg, 1, 1000000000L, &contacts))
        return EXIT_USAGE;
      break;
    case 'h': usage(stdout); return EXIT_OK;
    default: return cli_usage_error("simulate", "unknown option");
    }
  }
  if (list) {
    for (const char *const *n = maat_scenario_builtins(); *n; n++) {
      if (maat_scenario_builtin(&sc, *n) == MAAT_OK) {
        printf("%-18s %s\n", *n, maat_scenario_about(sc));
        maat_scenario_free(sc);
      }
    }
    return EXIT_OK;
  }
  if (qonly) {
    if (optind < argc)
      return cli_usage_error("simulate", "--queue-only takes no scenario");
    return queue_only(rate, aht, agents, contacts, reps < 0 ? 10 : reps,
                      seed, json);
  }
  if (rate || aht || agents)
    return cli_usage_error("simulate", "--rate, --aht and --agents go with "
                           "--queue-only");
  if (optind >= argc)
    return cli_usage_error("simulate", "a scenario is required (try "
                           "'maat simulate --list')");
  if (optind + 1 < argc)
    return cli_usage_error("simulate", "unexpected argument '%s'",
                           argv[optind + 1]);
  for (int p = 0; p < npol; p++) {
    int known = 0;
    for (const char *const *n = maat_router_policies(); *n; n++)
      known |= !strcmp(*n, policies[p]);
    if (!known)
      return cli_usage_error("simulate", "unknown policy '%s' (there are "
                             "maat, efficiency and round-robin)",
                             policies[p]);
  }
  if (open_scenario(argv[optind], &sc))
    return EXIT_FAIL;

  o.days = (int)days;
  o.reps = reps < 0 ? 5 : (int)reps;
  o.seed = seed;
  memset(&prog, 0, sizeof prog);
  prog.count = npol;
  cli_progress_start(&prog.bar, "simulate");
  o.progress = on_progress;
  o.progress_ctx = &prog;
  for (int p = 0; p < npol; p++) {
    prog.index = p;
    prog.policy = policies[p];
    o.policy = policies[p];
    rc = maat_simulate(sc, &o, &res[p]);
    if (rc) {
      cli_progress_done(&prog.bar);
      cli_error_rc(rc, "simulate");
      maat_scenario_free(sc);
      return EXIT_FAIL;
    }
  }
  cli_progress_done(&prog.bar);
  if (json)
    print_json(maat_scenario_name(sc), &o, policies, npol, res);
  else
    print_table(maat_scenario_name(sc), &o, policies, npol, res);
  if (html && write_html(html, maat_scenario_name(sc), maat_scenario_about(sc),
                         &o, policies, npol, res)) {
    maat_scenario_free(sc);
    return EXIT_FAIL;
  }
  maat_scenario_free(sc);
  return EXIT_OK;
}

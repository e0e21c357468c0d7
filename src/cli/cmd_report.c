/*
 * cmd_report.c - 'maat report': the insight report (maat/insight.h) as a
 * self-contained HTML page (inline SVG charts, no script, no CDN), JSON or
 * CSV, in Dutch or English; and 'maat insight': a helpdesk's history
 * imported, entries of the reinvestment ledger.
 */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "2026-12-01" as local midnight. */
static bool parse_date(const char *s, double *out)
{
  return maat_insight_date(s, out) == MAAT_OK;
}

static void report_usage(FILE *f)
{
  fprintf(f,
    "Usage: maat report --db DB [--from DATE] [--to DATE] [--lang en|nl]\n"
    "                   [--format html|json|csv] [-o FILE]\n"
    "                   [--hour-cost X] [--currency EUR] [--reinvest-share S]\n"
    "                   [--assist-minutes M] [--min-contacts N] [--min-group N]\n"
    "\n"
    "The insight report over the contacts maat closed and the history\n"
    "imported with 'maat insight import' (docs/insight.md): per intent and\n"
    "channel the bot's containment and failure, CSAT and NPS for bot and\n"
    "people and by kind of intervention, each with its 95 %% interval; the\n"
    "shifts between bot and people the evidence supports; what the AI saved,\n"
    "what was committed and reinvested in people; and the team's pulse and\n"
    "check-ins per closed week, only for groups of at least --min-group\n"
    "people (default and least 5). HTML is one self-contained page.\n"
    "\n"
    "  --db DB               the store (a path, sqlite:PATH, postgresql://...)\n"
    "  --from, --to DATE     the period, YYYY-MM-DD (default: everything)\n"
    "  --lang L              en (default) or nl\n"
    "  --format F            html (default), json or csv (per intent)\n"
    "  -o, --output FILE     write to FILE (default: standard output)\n"
    "  --hour-cost X         what an hour of a person costs (default 0)\n"
    "  --currency C          the money's currency (default EUR)\n"
    "  --reinvest-share S    the share of savings committed to people, 0..1\n"
    "  --assist-minutes M    minutes agent-assist saves per person's contact\n"
    "  --min-contacts N      the least contacts for a shift (default 30)\n"
    "  --min-group N         the least people for a team figure (default 5)\n"
    "\n"
    "Exit status: 0 on success, 1 on errors, 2 on usage errors.\n");
}

int cmd_report(int argc, char **argv)
{
  static const struct option opts[] = {
    { "db", required_argument, NULL, 'd' },
    { "from", required_argument, NULL, 'F' },
    { "to", required_argument, NULL, 'T' },
    { "lang", required_argument, NULL, 'l' },
    { "format", required_argument, NULL, 'f' },
    { "output", required_argument, NULL, 'o' },
    { "hour-cost", required_argument, NULL, 'c' },
    { "currency", required_argument, NULL, 'C' },
    { "reinvest-share", required_argument, NULL, 'r' },
    { "assist-minutes", required_argument, NULL, 'a' },
    { "min-contacts", required_argument, NULL, 'm' },
    { "min-group", required_argument, NULL, 'g' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct maat_insight_opts io;
  const char *db = NULL, *out = NULL, *format = "html";
  long lv;
  maat_store *st = NULL;
  char *text = NULL, *page = NULL;
  int nl = 0;
  FILE *f = stdout;
  int rc, status = EXIT_FAIL;

  memset(&io, 0, sizeof io);
  optind = 1;
  for (;;) {
    int c = getopt_long(argc, argv, "o:h", opts, NULL);
    if (c == -1)
      break;
    switch (c) {
    case 'd': db = optarg; break;
    case 'F':
      if (!parse_date(optarg, &io.from))
        return cli_usage_error("report", "--from: expected a date like "
                               "2026-12-01, not '%s'", optarg);
      break;
    case 'T':
      if (!parse_date(optarg, &io.to))
        return cli_usage_error("report", "--to: expected a date like "
                               "2026-12-31, not '%s'", optarg);
      break;
    case 'l':
      if (strcmp(optarg, "en") && strcmp(optarg, "nl"))
        return cli_usage_error("report", "--lang must be en or nl, not '%s'",
                               optarg);
      nl = !strcmp(optarg, "nl");
      break;
    case 'f':
      if (strcmp(optarg, "html") && strcmp(optarg, "json") &&
          strcmp(optarg, "csv"))
        return cli_usage_error("report", "--format must be html, json or "
                               "csv, not '%s'", optarg);
      format = optarg;
      break;
    case 'o': out = optarg; break;
    case 'c':
      if (!cli_parse_double("--hour-cost", optarg, 0, 1e6, &io.hour_cost))
        return EXIT_USAGE;
      break;
    case 'C':
      if (strlen(optarg) != 3)
        return cli_usage_error("report", "--currency: expected a code such "
                               "as EUR, not '%s'", optarg);
      io.currency = optarg;
      break;
    case 'r':
      if (!cli_parse_double("--reinvest-share", optarg, 0, 1,
                            &io.reinvest_share))
        return EXIT_USAGE;
      break;
    case 'a':
      if (!cli_parse_double("--assist-minutes", optarg, 0, 600,
                            &io.assist_minutes))
        return EXIT_USAGE;
      break;
    case 'm':
      if (!cli_parse_int("--min-contacts", optarg, 1, 1000000, &lv))
        return EXIT_USAGE;
      io.min_contacts = (int)lv;
      break;
    case 'g':
      if (!cli_parse_int("--min-group", optarg, 5, 100000, &lv))
        return EXIT_USAGE;
      io.min_group = (int)lv;
      break;
    case 'h':
      report_usage(stdout);
      return EXIT_OK;
    default:
      report_usage(stderr);
      return EXIT_USAGE;
    }
  }
  if (!db)
    return cli_usage_error("report", "--db is needed");
  if (io.from > 0 && io.to > 0 && io.to <= io.from)
    return cli_usage_error("report", "--to must come after --from");
  if (io.to > 0)
    io.to += 86400;   /* the whole last day */
  if ((rc = maat_store_open(&st, db))) {
    cli_error_rc(rc, "report");
    return EXIT_FAIL;
  }
  if ((rc = maat_insight_report(st, &io, &text))) {
    cli_error_rc(rc, "report");
    goto done;
  }
  if (strcmp(format, "json") &&
      (rc = maat_insight_render(text, format, nl ? "nl" : "en", &page,
                                NULL))) {
    cli_error_rc(rc, "report");
    goto done;
  }
  if (out && !(f = fopen(out, "w"))) {
    cli_error("report: cannot write '%s'", out);
    goto done;
  }
  if (!strcmp(format, "json"))
    fprintf(f, "%s\n", text);
  else
    fputs(page, f);
  if (f != stdout && fclose(f)) {
    cli_error("report: cannot write '%s'", out);
    goto done;
  }
  status = EXIT_OK;
done:
  maat_free(page);
  maat_free(text);
  maat_store_close(st);
  return status;
}

/* ---- maat insight ---- */


static const char *allocation_words(const char *a, int nl)
{
  static const char *const w[][3] = {
    { "ai_automates", "AI automates", "AI automatiseert" },
    { "ai_leads_person_validates", "AI leads, a person validates",
      "AI leidt, een mens controleert" },
    { "collaboration", "collaboration", "samenwerking" },
    { "person_leads_ai_supports", "a person leads, AI supports",
      "een mens leidt, AI ondersteunt" },
    { "person_leads_ai_insights", "a person leads, AI gives insights",
      "een mens leidt, AI geeft inzicht" },
    { "person_only", "a person only", "alleen een mens" },
  };
  for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
    if (!strcmp(w[i][0], a))
      return w[i][nl ? 2 : 1];
  return a;
}

/* The task audit as a table, JSON or CSV. */
static int tasks_out(const char *json, const char *format, int nl)
{
  json_t *r = json_loads(json, 0, NULL), *t;
  size_t i;

  if (!r)
    return -1;
  if (!strcmp(format, "json")) {
    printf("%s\n", json);
  } else if (!strcmp(format, "csv")) {
    printf("rank,task,category,allocation,priority,hours_per_week,score\n");
    json_array_foreach(json_object_get(r, "tasks"), i, t) {
      printf("%lld,", (long long)json_integer_value(json_object_get(t, "rank")));
      cli_csv_field(stdout, json_string_value(json_object_get(t, "task")));
      putchar(',');
      cli_csv_field(stdout, json_string_value(json_object_get(t, "category")));
      printf(",%s,%lld,%.2f,%.2f\n",
             json_string_value(json_object_get(t, "allocation")),
             (long long)json_integer_value(json_object_get(t, "priority")),
             json_number_value(json_object_get(t, "hours_per_week")),
             json_number_value(json_object_get(t, "score")));
    }
  } else {
    printf("%-4s %-32s %-36s %-5s %s\n", "#", nl ? "taak" : "task",
           nl ? "verdeling" : "allocation", "70-20-10",
           nl ? "uur per week" : "hours a week");
    json_array_foreach(json_object_get(r, "tasks"), i, t) {
      long m = lround(json_number_value(json_object_get(t, "hours_per_week")) *
                      60);
      printf("%-4lld %-32.32s %-36s %-8lld %ld:%02ld\n",
             (long long)json_integer_value(json_object_get(t, "rank")),
             json_string_value(json_object_get(t, "task")),
             allocation_words(json_string_value(json_object_get(
                                  t, "allocation")), nl),
             (long long)json_integer_value(json_object_get(t, "priority")),
             m / 60, m % 60);
    }
  }
  json_decref(r);
  return 0;
}

static void insight_usage(FILE *f)
{
  fprintf(f,
    "Usage: maat insight import --db DB --mapping FILE [--source NAME] CSV\n"
    "       maat insight tasks [--format text|json|csv] [--lang en|nl] CSV\n"
    "       maat insight reinvest --db DB --kind growth|cocreation|recovery\n"
    "                    [--hours H] [--amount A] [--currency EUR]\n"
    "                    [--date YYYY-MM-DD] [--note TEXT]\n"
    "\n"
    "'import' reads a helpdesk's history (CSV, its columns named by the\n"
    "mapping: docs/insight.md; docs/insight/ has mappings for Chatwoot,\n"
    "Zammad and Zendesk exports and maat's own) into the store, for 'maat\n"
    "report'. A bad row is skipped and named (file, line, column); the\n"
    "others are kept. 'reinvest' adds an entry to the reinvestment ledger:\n"
    "hours or money given back to people. 'tasks' reads an inventory of\n"
    "tasks (task, category, per_week, minutes, error_rate, frustration,\n"
    "stakeholder, creative) and gives each its place on the complexity\n"
    "matrix, an allocation between AI and people and a 70-20-10 priority.\n"
    "\n"
    "Exit status: 0 on success (1 when rows were skipped), 2 on usage errors.\n");
}

static void said_bad(void *ctx, const char *msg)
{
  long *n = ctx;
  if ((*n)++ < 20)
    fprintf(stderr, "maat: insight: %s\n", msg);
}

int cmd_insight(int argc, char **argv)
{
  static const struct option opts[] = {
    { "db", required_argument, NULL, 'd' },
    { "mapping", required_argument, NULL, 'm' },
    { "source", required_argument, NULL, 's' },
    { "kind", required_argument, NULL, 'k' },
    { "hours", required_argument, NULL, 'H' },
    { "amount", required_argument, NULL, 'a' },
    { "currency", required_argument, NULL, 'c' },
    { "date", required_argument, NULL, 't' },
    { "note", required_argument, NULL, 'n' },
    { "format", required_argument, NULL, 'f' },
    { "lang", required_argument, NULL, 'l' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *db = NULL, *mapping = NULL, *source = NULL, *what;
  const char *format = "text";
  int nl = 0;
  struct maat_reinvestment re;
  maat_store *st = NULL;
  int rc, status = EXIT_FAIL;

  memset(&re, 0, sizeof re);
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    insight_usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? EXIT_USAGE : EXIT_OK;
  }
  what = argv[1];
  if (strcmp(what, "import") && strcmp(what, "reinvest") &&
      strcmp(what, "tasks"))
    return cli_usage_error("insight", "unknown action '%s' (import, tasks "
                           "or reinvest)", what);
  optind = 2;
  for (;;) {
    int c = getopt_long(argc, argv, "h", opts, NULL);
    if (c == -1)
      break;
    switch (c) {
    case 'd': db = optarg; break;
    case 'm': mapping = optarg; break;
    case 's': source = optarg; break;
    case 'k': re.kind = optarg; break;
    case 'H':
      if (!cli_parse_double("--hours", optarg, 0, 1e6, &re.hours))
        return EXIT_USAGE;
      break;
    case 'a':
      if (!cli_parse_double("--amount", optarg, 0, 1e12, &re.amount))
        return EXIT_USAGE;
      break;
    case 'c': re.currency = optarg; break;
    case 't':
      if (!parse_date(optarg, &re.at))
        return cli_usage_error("insight", "--date: expected a date like "
                               "2026-12-01, not '%s'", optarg);
      break;
    case 'n': re.note = optarg; break;
    case 'f':
      if (strcmp(optarg, "text") && strcmp(optarg, "json") &&
          strcmp(optarg, "csv"))
        return cli_usage_error("insight", "--format must be text, json or "
                               "csv, not '%s'", optarg);
      format = optarg;
      break;
    case 'l':
      if (strcmp(optarg, "en") && strcmp(optarg, "nl"))
        return cli_usage_error("insight", "--lang must be en or nl, not "
                               "'%s'", optarg);
      nl = !strcmp(optarg, "nl");
      break;
    case 'h':
      insight_usage(stdout);
      return EXIT_OK;
    default:
      insight_usage(stderr);
      return EXIT_USAGE;
    }
  }
  if (!strcmp(what, "tasks")) {
    char *json = NULL;
    long nbad = 0, said = 0;
    if (optind != argc - 1)
      return cli_usage_error("insight", "tasks needs one CSV file");
    rc = maat_tasks_assess(argv[optind], said_bad, &said, &json, &nbad);
    if (rc) {
      cli_error_rc(rc, "insight tasks");
      return EXIT_FAIL;
    }
    tasks_out(json, format, nl);
    maat_free(json);
    return nbad ? EXIT_FAIL : EXIT_OK;
  }
  if (!db)
    return cli_usage_error("insight", "--db is needed");
  if (!strcmp(what, "import") && (!mapping || optind != argc - 1))
    return cli_usage_error("insight", "import needs --mapping and one CSV "
                           "file");
  if ((rc = maat_store_open(&st, db))) {
    cli_error_rc(rc, "insight");
    return EXIT_FAIL;
  }
  if (!strcmp(what, "import")) {
    long n = 0, nbad = 0, said = 0;
    rc = maat_insight_import(st, argv[optind], mapping, source, said_bad,
                             &said, &n, &nbad);
    if (said > 20)
      fprintf(stderr, "maat: insight import: ... and %ld more bad rows\n",
              said - 20);
    if (rc)
      cli_error_rc(rc, "insight import");
    else
      fprintf(stderr, "maat: insight import: %ld rows kept, %ld skipped\n",
              n, nbad);
    status = rc ? EXIT_FAIL : nbad ? EXIT_FAIL : EXIT_OK;
  } else {
    if ((rc = maat_insight_reinvest(st, &re)))
      cli_error_rc(rc, "insight reinvest");
    status = rc ? EXIT_FAIL : EXIT_OK;
  }
  maat_store_close(st);
  return status;
}

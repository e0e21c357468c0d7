/*
 * cmd_route.c - 'maat route': reads JSONL events, routes them with the
 * library's engine (the same loop as 'maat serve') and writes decisions as
 * JSONL. With --db, every event and decision goes to the store's event log
 * first: a decision is written to stdout only after the transaction
 * holding its input event has committed, so whatever was acknowledged
 * survives a kill -9.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#define BATCH 1024

static void usage(FILE *f)
{
  fprintf(f,
    "Usage: maat route --team TEAM [OPTIONS] [FILE|-]\n"
    "\n"
    "Routes customer contacts between the bot and the team's people, with\n"
    "the team's strain as a constraint. Reads JSONL events (contact, agent,\n"
    "done, tick; see docs/events.md) from FILE or standard input and writes\n"
    "decisions and warnings as JSONL. The same input gives the same output,\n"
    "byte for byte.\n"
    "\n"
    "Options:\n"
    "  -t, --team FILE        the team: agents, languages, skills, tiers,\n"
    "                         shifts, contacts at once per channel and rule\n"
    "                         settings (docs/team-file.md)\n"
    "  -p, --policy NAME      maat (default), efficiency or round-robin\n"
    "      --db STORE         append every event and decision to the store's\n"
    "                         event log (a file path or sqlite:PATH; memory:\n"
    "                         keeps nothing); on restart, rebuild the state\n"
    "                         from it and continue with the input: either the\n"
    "                         events after the logged ones, or the whole\n"
    "                         stream again (the logged part is skipped)\n"
    "      --replay           complete assigned contacts after their handle_s\n"
    "                         (stretched by strain), to replay a recorded day\n"
    "      --summary FILE     end the run (in replay, finish the contacts in\n"
    "                         service) and write its figures as JSON to FILE\n"
    "      --on-error MODE    stop (default): stop at a malformed event;\n"
    "                         skip: report it and go on\n"
    "      --state            print the router's state (queue and agents) at\n"
    "                         the end instead of nothing\n"
    "      --log              with --db: print the logged events and exit\n"
    "      --snapshot-every N with --db: keep a snapshot of the state every N\n"
    "                         events (default 100000; 0: never), so that a\n"
    "                         restart replays only the events after it\n"
    "      --intent-model M   triage contacts that carry raw 'text' and no\n"
    "                         'tier' with this intent model (without it they\n"
    "                         are triaged too, but never go to the bot)\n"
    "      --triage-config C  the triage configuration (docs/triage-config.md)\n"
    "  -h, --help             show this help\n"
    "\n"
    "A malformed event is reported with its line number; events accepted\n"
    "before it are kept. Exit status: 0 success, 1 failure, 2 usage error.\n");
}

struct run {
  maat_engine *engine;
  FILE *out;
  unsigned long long *logged; /* hashes of the logged event lines */
  long nlogged, caplogged;
  long pending;    /* events in the open transaction */
};

/* Commits the open transaction, then acknowledges by writing decisions. */
static int commit(struct run *run)
{
  const char *line;
  size_t len;
  int rc = maat_engine_commit(run->engine);

  if (rc)
    return rc;
  run->pending = 0;
  while ((rc = maat_engine_next_line(run->engine, &line, &len)) == MAAT_OK)
    if (fwrite(line, 1, len, run->out) != len)
      return MAAT_EIO;
  if (rc != MAAT_EOF)
    return rc;
  return fflush(run->out) ? MAAT_EIO : MAAT_OK;
}

static unsigned long long line_hash(const char *s, size_t n)
{
  return (unsigned long long)maat_hash64(s, n);
}

/* Remembers each logged line, to recognise a resent stream. */
static int remember_logged(void *ctx, int64_t seq, const char *line,
                           size_t len)
{
  struct run *run = ctx;

  (void)seq;
  if (run->nlogged == run->caplogged) {
    long cap = run->caplogged ? run->caplogged * 2 : 1024;
    unsigned long long *p = realloc(run->logged, (size_t)cap * sizeof *p);
    if (!p)
      return MAAT_ENOMEM;
    run->logged = p;
    run->caplogged = cap;
  }
  run->logged[run->nlogged++] = line_hash(line, len);
  return 0;
}

static int print_logged(void *ctx, int64_t seq, const char *line, size_t len)
{
  (void)ctx;
  (void)seq;
  fwrite(line, 1, len, stdout);
  putchar('\n');
  return 0;
}

/* A line reader on a file descriptor that says when a read would block. */
struct reader {
  int fd;
  char *buf;
  size_t len, pos, cap;
  int eof;
};

/* Returns 1 with a line, 0 at end of input, -1 on error. */
static int read_line(struct reader *rd, struct run *run, char **line,
                     size_t *len)
{
  for (;;) {
    char *nl = rd->pos < rd->len
                   ? memchr(rd->buf + rd->pos, '\n', rd->len - rd->pos)
                   : NULL;
    ssize_t n;
    if (nl) {
      *line = rd->buf + rd->pos;
      *len = (size_t)(nl - *line);
      rd->pos = (size_t)(nl - rd->buf) + 1;
      return 1;
    }
    if (rd->eof) {
      if (rd->pos < rd->len) {
        *line = rd->buf + rd->pos;
        *len = rd->len - rd->pos;
        rd->pos = rd->len;
        return 1;
      }
      return 0;
    }
    if (rd->pos) {
      memmove(rd->buf, rd->buf + rd->pos, rd->len - rd->pos);
      rd->len -= rd->pos;
      rd->pos = 0;
    }
    if (rd->len == rd->cap) {
      size_t cap = rd->cap ? rd->cap * 2 : 1 << 16;
      char *p = realloc(rd->buf, cap);
      if (!p)
        return -1;
      rd->buf = p;
      rd->cap = cap;
    }
    /*
     * Before waiting for more input, make what we have durable and
     * acknowledge it: a slow stream gets its decisions at once.
     */
    if (run->pending && commit(run))
      return -1;
    n = read(rd->fd, rd->buf + rd->len, rd->cap - rd->len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    if (n == 0)
      rd->eof = 1;
    rd->len += (size_t)n;
  }
}

static int policy_known(const char *name)
{
  for (const char *const *p = maat_router_policies(); *p; p++)
    if (!strcmp(*p, name))
      return 1;
  return 0;
}

int cmd_route(int argc, char **argv)
{
  static const struct option opts[] = {
    { "team", required_argument, NULL, 't' },
    { "policy", required_argument, NULL, 'p' },
    { "db", required_argument, NULL, 'd' },
    { "replay", no_argument, NULL, 'r' },
    { "summary", required_argument, NULL, 's' },
    { "on-error", required_argument, NULL, 'e' },
    { "state", no_argument, NULL, 'S' },
    { "log", no_argument, NULL, 'L' },
    { "intent-model", required_argument, NULL, 'I' },
    { "triage-config", required_argument, NULL, 'C' },
    { "snapshot-every", required_argument, NULL, 'N' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *team_path = NULL, *policy = "maat", *db = NULL, *summary = NULL;
  const char *input = "-", *intent_path = NULL, *tcfg_path = NULL;
  maat_model *intent = NULL, *tone = NULL;
  maat_triage_config *tcfg = NULL;
  maat_triager *tri = NULL;
  maat_store *store = NULL;
  int replay = 0, skip = 0, want_state = 0, want_log = 0;
  long snapshot_every = 100000;
  struct run run;
  struct reader rd = { 0 };
  int status = EXIT_FAIL, c, rc;
  long lineno = 0, errors = 0;
  long seen = 0;      /* non-empty input lines */
  int resend = 0;     /* the input starts again from the log's first event */
  double last_t = 0;
  int any = 0;

  memset(&run, 0, sizeof run);
  run.out = stdout;
  optind = 1;
  while ((c = getopt_long(argc, argv, "t:p:h", opts, NULL)) != -1) {
    switch (c) {
    case 't': team_path = optarg; break;
    case 'p': policy = optarg; break;
    case 'd': db = optarg; break;
    case 'r': replay = 1; break;
    case 's': summary = optarg; break;
    case 'S': want_state = 1; break;
    case 'L': want_log = 1; break;
    case 'I': intent_path = optarg; break;
    case 'C': tcfg_path = optarg; break;
    case 'N':
      if (!cli_parse_int("--snapshot-every", optarg, 0, 1000000000L,
                         &snapshot_every))
        return EXIT_USAGE;
      break;
    case 'e':
      if (!strcmp(optarg, "skip"))
        skip = 1;
      else if (strcmp(optarg, "stop"))
        return cli_usage_error("route", "--on-error takes stop or skip, "
                               "not '%s'", optarg);
      break;
    case 'h': usage(stdout); return EXIT_OK;
    default: return cli_usage_error("route", "unknown option");
    }
  }
  if (optind < argc)
    input = argv[optind++];
  if (optind < argc)
    return cli_usage_error("route", "unexpected argument '%s'", argv[optind]);
  if (!team_path)
    return cli_usage_error("route", "--team is required");
  if (want_log && !db)
    return cli_usage_error("route", "--log needs --db");

  /* Triage for contacts that arrive as raw text (docs/events.md). */
  rc = tcfg_path ? maat_triage_config_load(&tcfg, tcfg_path)
                 : maat_triage_config_default(&tcfg);
  if (!rc && intent_path)
    rc = maat_model_load(intent_path, &intent);
  if (!rc && cli_find_tone_model())
    rc = maat_model_load(cli_find_tone_model(), &tone);
  if (!rc)
    rc = maat_triager_new(&tri, tcfg, intent, tone);
  if (rc) {
    cli_error_rc(rc, "route");
    goto out;
  }
  if (!policy_known(policy)) {
    status = cli_usage_error("route", "unknown policy '%s' (maat, "
                             "efficiency or round-robin)", policy);
    goto out;
  }
  if (db && (rc = maat_store_open(&store, db))) {
    cli_error_rc(rc, "route");
    goto out;
  }
  if (want_log) {
    rc = maat_store_events(store, 0, print_logged, NULL);
    status = rc ? EXIT_FAIL : EXIT_OK;
    if (rc)
      cli_error_rc(rc, "route");
    goto out;
  }
  /* The logged lines' hashes, to recognise the stream sent again. */
  if (store && (rc = maat_store_events(store, 0, remember_logged, &run))) {
    cli_error_rc(rc, "route");
    goto out;
  }
  {
    struct maat_engine_options eo;
    int64_t logged = 0;
    memset(&eo, 0, sizeof eo);
    eo.team_path = team_path;
    eo.policy = policy;
    eo.router_flags = replay ? MAAT_ROUTER_REPLAY : 0;
    eo.flags = MAAT_ENGINE_OUTPUT;
    eo.store = store;
    eo.triager = tri;
    eo.snapshot_every = snapshot_every ? snapshot_every : -1;
    rc = maat_engine_open(&run.engine, &eo);
    if (rc) {
      cli_error_rc(rc, "route");
      goto out;
    }
    if (store && maat_store_event_stats(store, &logged, NULL) == MAAT_OK &&
        logged > 0) {
      fprintf(stderr, "maat: route: resumed %lld events from '%s'\n",
              (long long)logged, db);
      any = 1;
    }
  }

  if (!strcmp(input, "-")) {
    rd.fd = 0;
  } else {
    rd.fd = open(input, O_RDONLY);
    if (rd.fd < 0) {
      cli_error("route: cannot open '%s': %s", input, strerror(errno));
      goto out;
    }
  }
  for (;;) {
    char *line;
    size_t len;
    struct maat_applied applied;
    int got = read_line(&rd, &run, &line, &len);

    if (got < 0) {
      cli_error("route: cannot read or commit: %s", maat_errmsg());
      goto out;
    }
    if (!got)
      break;
    lineno++;
    while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
      len--;
    if (!len)
      continue;
    /*
     * After a restart the input is either the events after the logged ones
     * or the whole stream again; in that case skip what the log holds.
     */
    if (run.nlogged && seen == 0)
      resend = line_hash(line, len) == run.logged[0];
    if (resend && seen < run.nlogged) {
      if (line_hash(line, len) != run.logged[seen]) {
        cli_error("route: %s:%ld: the input differs from event %ld of the "
                  "log '%s'", input, lineno, seen + 1, db);
        goto out;
      }
      seen++;
      continue;
    }
    seen++;
    rc = maat_engine_apply(run.engine, line, len, 0, NULL, &applied);
    if (rc) {
      errors++;
      cli_error("route: %s:%ld: %s", input, lineno, maat_errmsg());
      if (!skip) {
        /* Keep everything accepted before the bad line. */
        if (commit(&run))
          cli_error("route: cannot commit: %s", maat_errmsg());
        goto out;
      }
      continue;
    }
    any = 1;
    last_t = applied.t;
    if (++run.pending >= BATCH && commit(&run)) {
      cli_error("route: cannot commit: %s", maat_errmsg());
      goto out;
    }
  }
  if (commit(&run)) {
    cli_error("route: cannot commit: %s", maat_errmsg());
    goto out;
  }
  if (want_state) {
    const maat_router *r = maat_engine_router(run.engine);
    size_t n = maat_router_state_format(r, NULL, 0);
    char *s = malloc(n + 1);
    if (s) {
      maat_router_state_format(r, s, n + 1);
      fwrite(s, 1, n, stdout);
      free(s);
    }
  }
  if (any && summary) {
    /*
     * The end of the run: in replay, contacts in service complete. What it
     * decides is logged with the last event, and rebuilt on a restart.
     */
    if (maat_engine_finish(run.engine, last_t) == MAAT_OK) {
      if (commit(&run)) {
        cli_error("route: cannot write the end of the run");
        goto out;
      }
    }
  }
  if (summary) {
    struct maat_route_summary s;
    char buf[2048];
    FILE *f = fopen(summary, "w");
    if (!f) {
      cli_error("route: cannot open '%s': %s", summary, strerror(errno));
      goto out;
    }
    maat_router_summary(maat_engine_router(run.engine), &s);
    fwrite(buf, 1, maat_route_summary_format(&s, buf, sizeof buf), f);
    if (fclose(f)) {
      cli_error("route: cannot write '%s'", summary);
      goto out;
    }
  }
  status = errors ? EXIT_FAIL : EXIT_OK;
  if (skip && errors)
    status = EXIT_OK;
out:
  if (rd.fd > 0)
    close(rd.fd);
  free(rd.buf);
  fflush(run.out);
  free(run.logged);
  maat_engine_close(run.engine);
  maat_store_close(store);
  maat_triager_free(tri);
  maat_triage_config_free(tcfg);
  maat_model_free(intent);
  maat_model_free(tone);
  return status;
}

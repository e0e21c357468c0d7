/*
 * cmd_route.c - 'maat route': reads JSONL events, routes them with the
 * library's router and writes decisions as JSONL. With --db, every event
 * and decision goes to an SQLite event log first: a decision is written to
 * stdout only after the transaction holding its input event has committed,
 * so whatever was acknowledged survives a kill -9.
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
    "                         shifts and rule settings (docs/team-file.md)\n"
    "  -p, --policy NAME      maat (default), efficiency or round-robin\n"
    "      --db FILE          append every event and decision to an SQLite\n"
    "                         event log; on restart, rebuild the state from\n"
    "                         it and continue with the input: either the\n"
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
    "      --intent-model M   triage contacts that carry raw 'text' and no\n"
    "                         'tier' with this intent model (without it they\n"
    "                         are triaged too, but never go to the bot)\n"
    "      --triage-config C  the triage configuration (docs/triage-config.md)\n"
    "  -h, --help             show this help\n"
    "\n"
    "A malformed event is reported with its line number; events accepted\n"
    "before it are kept. Exit status: 0 success, 1 failure, 2 usage error.\n");
}

struct out {
  FILE *f;
  char *buf;
  size_t len, cap;
};

static int out_add(struct out *o, const char *s, size_t n)
{
  if (o->len + n > o->cap) {
    size_t cap = o->cap ? o->cap * 2 : 65536;
    char *p;
    while (cap < o->len + n)
      cap *= 2;
    p = realloc(o->buf, cap);
    if (!p)
      return -1;
    o->buf = p;
    o->cap = cap;
  }
  memcpy(o->buf + o->len, s, n);
  o->len += n;
  return 0;
}

static int out_flush(struct out *o)
{
  if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
    return -1;
  o->len = 0;
  return fflush(o->f) ? -1 : 0;
}

struct run {
  maat_router *router;
  maat_eventlog *log;
  struct out out;
  int quiet;       /* rebuilding from the log: no output */
  unsigned long long *logged; /* hashes of the logged event lines */
  long nlogged;
  long pending;    /* events in the open transaction */
  char *line;
  size_t linecap;
};

/* Moves the router's decisions to the log and the output buffer. */
static int drain(struct run *run)
{
  struct maat_decision d;
  char small[1024];

  while (maat_router_next(run->router, &d) == MAAT_OK) {
    size_t n = maat_decision_format(&d, small, sizeof small);
    const char *s = small;
    char *big = NULL;
    if (n >= sizeof small) {
      big = malloc(n + 1);
      if (!big)
        return MAAT_ENOMEM;
      maat_decision_format(&d, big, n + 1);
      s = big;
    }
    if (!run->quiet) {
      int rc = run->log ? maat_eventlog_append_decision(run->log, s, n - 1)
                        : MAAT_OK;
      if (!rc && out_add(&run->out, s, n))
        rc = MAAT_ENOMEM;
      if (rc) {
        free(big);
        return rc;
      }
    }
    free(big);
  }
  return MAAT_OK;
}

/* Commits the open transaction, then acknowledges by writing decisions. */
static int commit(struct run *run)
{
  int rc = run->log ? maat_eventlog_commit(run->log) : MAAT_OK;

  if (rc)
    return rc;
  run->pending = 0;
  if (out_flush(&run->out))
    return MAAT_EIO;
  return MAAT_OK;
}

/* Whether 'key' occurs in the line (a cheap test before parsing again). */
static int has_key(const char *s, size_t n, const char *key)
{
  size_t k = strlen(key);

  for (size_t i = 0; i + k <= n; i++)
    if (s[i] == key[0] && !memcmp(s + i, key, k))
      return 1;
  return 0;
}

static unsigned long long line_hash(const char *s, size_t n)
{
  unsigned long long h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

static int replay_logged(void *ctx, const char *line, size_t len)
{
  struct run *run = ctx;
  struct maat_event ev;
  int rc = maat_event_parse(&ev, line, len);
  unsigned long long *p;

  /* Remember each line, to recognise a resent stream. */
  p = realloc(run->logged, (size_t)(run->nlogged + 1) * sizeof *p);
  if (!p)
    return MAAT_ENOMEM;
  run->logged = p;
  run->logged[run->nlogged++] = line_hash(line, len);

  if (!rc)
    rc = maat_router_push(run->router, &ev);
  if (!rc)
    rc = drain(run);
  return rc;
}

static int print_logged(void *ctx, const char *line, size_t len)
{
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

/* A 64-bit FNV-1a of the team file, to tie a log to its team. */
static int file_hash(const char *path, unsigned long long *out)
{
  FILE *f = fopen(path, "rb");
  unsigned long long h = 0xcbf29ce484222325ULL;
  int c;

  if (!f)
    return -1;
  while ((c = getc(f)) != EOF) {
    h ^= (unsigned char)c;
    h *= 0x100000001b3ULL;
  }
  fclose(f);
  *out = h;
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
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *team_path = NULL, *policy = "maat", *db = NULL, *summary = NULL;
  const char *input = "-", *intent_path = NULL, *tcfg_path = NULL;
  maat_model *intent = NULL, *tone = NULL;
  maat_triage_config *tcfg = NULL;
  maat_triager *tri = NULL;
  char *enriched = NULL;
  int replay = 0, skip = 0, want_state = 0, want_log = 0;
  maat_team *team = NULL;
  struct run run;
  struct reader rd = { 0 };
  int status = EXIT_FAIL, c, rc;
  long lineno = 0, errors = 0;
  long seen = 0;      /* non-empty input lines */
  int resend = 0;     /* the input starts again from the log's first event */
  double last_t = 0;
  int any = 0;

  memset(&run, 0, sizeof run);
  run.out.f = stdout;
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
  rc = maat_team_load(&team, team_path);
  if (rc) {
    cli_error_rc(rc, "route");
    return EXIT_FAIL;
  }
  rc = maat_router_open(&run.router, team, policy,
                        replay ? MAAT_ROUTER_REPLAY : 0);
  if (rc) {
    maat_team_free(team);
    return cli_usage_error("route", "%s", maat_errmsg());
  }
  if (db) {
    unsigned long long h;
    char config[256];
    if (file_hash(team_path, &h)) {
      cli_error("route: cannot read '%s': %s", team_path, strerror(errno));
      goto out;
    }
    snprintf(config, sizeof config, "policy=%s replay=%d team=%016llx",
             policy, replay, h);
    rc = maat_eventlog_open(&run.log, db, config);
    if (rc) {
      cli_error_rc(rc, "route");
      goto out;
    }
    if (want_log) {
      rc = maat_eventlog_each(run.log, print_logged, NULL);
      status = rc ? EXIT_FAIL : EXIT_OK;
      if (rc)
        cli_error_rc(rc, "route");
      goto out;
    }
    if (maat_eventlog_count(run.log) > 0) {
      /* Rebuild the state; the decisions were acknowledged before. */
      run.quiet = 1;
      rc = maat_eventlog_each(run.log, replay_logged, &run);
      run.quiet = 0;
      if (rc) {
        cli_error_rc(rc, "route: cannot rebuild from the event log");
        goto out;
      }
      fprintf(stderr, "maat: route: resumed %ld events from '%s'\n",
              maat_eventlog_count(run.log), db);
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
    struct maat_event ev;
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
    memset(&ev, 0, sizeof ev);
    rc = maat_event_parse(&ev, line, len);
    /* A contact with raw text and no verdict: triage it, and log the
     * triaged line, so a restart rebuilds without triaging again. */
    if (rc == MAAT_EPARSE && ev.type == MAAT_EV_CONTACT &&
        has_key(line, len, "\"text\"")) {
      size_t elen;
      free(enriched);
      enriched = NULL;
      rc = maat_triage_event_line(tri, line, len, ev.t, &enriched, &elen);
      if (!rc) {
        line = enriched;
        len = elen;
        rc = maat_event_parse(&ev, line, len);
      }
    }
    if (!rc)
      rc = maat_router_push(run.router, &ev);
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
    last_t = ev.t;
    if (run.log) {
      rc = maat_eventlog_append_event(run.log, ev.t, line, len);
      if (rc) {
        cli_error_rc(rc, "route");
        goto out;
      }
    }
    rc = drain(&run);
    if (rc) {
      cli_error_rc(rc, "route");
      goto out;
    }
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
    size_t n = maat_router_state_format(run.router, NULL, 0);
    char *s = malloc(n + 1);
    if (s) {
      maat_router_state_format(run.router, s, n + 1);
      fwrite(s, 1, n, stdout);
      free(s);
    }
  }
  if (any && summary) {
    /*
     * The end of the run: in replay, contacts in service complete. What it
     * decides is logged with the last event, and rebuilt on a restart.
     */
    if (maat_router_finish(run.router, last_t) == MAAT_OK) {
      if (drain(&run) || commit(&run)) {
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
    maat_router_summary(run.router, &s);
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
  out_flush(&run.out);
  free(run.out.buf);
  free(run.logged);
  maat_eventlog_close(run.log);
  maat_router_close(run.router);
  maat_team_free(team);
  maat_triager_free(tri);
  maat_triage_config_free(tcfg);
  maat_model_free(intent);
  maat_model_free(tone);
  maat_free(enriched);
  return status;
}

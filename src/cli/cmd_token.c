/*
 * cmd_token.c - 'maat token add|enrol|redeem|list|revoke': the access
 * tokens of maat serve. A token is printed once, when it is made; only its
 * hash is kept. Agent tokens come only from enrolment codes.
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
    "Usage: maat token add --db STORE --role ROLE\n"
    "       maat token enrol --db STORE --agent ID\n"
    "       maat token redeem --db STORE CODE\n"
    "       maat token list --db STORE\n"
    "       maat token revoke --db STORE ID\n"
    "\n"
    "Manages the bearer tokens of 'maat serve'. 'add' prints a new token on\n"
    "standard output, once: only its SHA-256 is stored, so it cannot be\n"
    "shown again. Roles: integration (posts contacts and outcomes), lead\n"
    "(queue, team aggregates, warnings), admin (configuration and tokens).\n"
    "\n"
    "An agent's strain, check-ins and notes are the agent's alone, so no\n"
    "one makes an agent token for someone else. 'enrol' prints a one-time\n"
    "code (XXXX-XXXX-XXXX, valid 72 hours) to give the agent; the agent\n"
    "redeems it on the sign-in page (or with 'redeem') and gets a token only\n"
    "they have seen. Redeeming revokes the agent's earlier tokens, and a\n"
    "token reads only what the agent recorded after it was redeemed.\n"
    "\n"
    "'list' shows id, role, agent, created and revoked (or, for a code,\n"
    "when it expires), never a token or code. 'revoke' makes a token or code\n"
    "invalid at once, also for a running server.\n"
    "\n"
    "Options:\n"
    "  -d, --db STORE      the server's database (created if need be)\n"
    "  -r, --role ROLE    integration, lead, admin or hr (the insight report)\n"
    "  -a, --agent ID     the agent an enrolment code is for\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static void when(double t, char *buf, size_t cap)
{
  time_t s = (time_t)t;
  struct tm tm;

  if (!t) {
    snprintf(buf, cap, "-");
    return;
  }
  gmtime_r(&s, &tm);
  strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The server's store: a file path, or a URI (sqlite:PATH). */
static int open_store(const char *db, maat_store **st)
{
  *st = NULL;
  return maat_store_open(st, db);
}

static int print_token(void *ctx, const struct maat_token_info *t)
{
  char created[32], revoked[32], expires[40];

  (void)ctx;
  when(t->created, created, sizeof created);
  when(t->revoked, revoked, sizeof revoked);
  if (t->enrolment && !t->revoked) {
    when(t->expires, expires + 8, sizeof expires - 8);
    memcpy(expires, "expires ", 8);
  }
  printf("%-6ld %-12s %-16s %-21s %s\n", t->id,
         t->enrolment ? "enrolment" : maat_role_name(t->role),
         t->agent[0] ? t->agent : "-", created,
         t->enrolment && !t->revoked ? expires
         : t->enrolment ? "used or revoked" : revoked);
  return 0;
}

static int enrol(const char *db, const char *agent)
{
  char code[MAAT_ENROL_CODE_LEN + 1];
  maat_store *st = NULL;
  long id;
  int rc;

  if (!agent)
    return cli_usage_error("token", "enrol needs --agent ID");
  rc = open_store(db, &st);
  if (!rc)
    rc = maat_enrol_add(st, agent, code, &id);
  maat_store_close(st);
  if (rc == MAAT_EINVAL)
    return cli_usage_error("token", "%s", maat_errmsg());
  if (rc) {
    cli_error_rc(rc, "token");
    return EXIT_FAIL;
  }
  printf("%s\n", code);
  fprintf(stderr, "maat: enrolment code %ld for agent %s, valid 72 hours; "
          "give it to the agent, who redeems it on the sign-in page\n", id,
          agent);
  return EXIT_OK;
}

static int redeem(const char *db, const char *code)
{
  char token[MAAT_TOKEN_LEN + 1];
  struct maat_principal who;
  maat_store *st = NULL;
  int rc;

  rc = open_store(db, &st);
  if (!rc)
    rc = maat_enrol_redeem(st, code, strlen(code), token, &who);
  maat_store_close(st);
  if (rc) {
    cli_error_rc(rc, "token");
    return EXIT_FAIL;
  }
  printf("%s\n", token);
  fprintf(stderr, "maat: token %ld for agent %s; it is shown only now, and "
          "the agent's earlier tokens are revoked\n", who.token, who.agent);
  return EXIT_OK;
}

int cmd_token(int argc, char **argv)
{
  static const struct option opts[] = {
    { "db", required_argument, NULL, 'd' },
    { "role", required_argument, NULL, 'r' },
    { "agent", required_argument, NULL, 'a' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *db = NULL, *role_name = NULL, *agent = NULL, *sub;
  maat_store *st = NULL;
  int c, rc, role;

  if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
    usage(stdout);
    return EXIT_OK;
  }
  if (argc < 2)
    return cli_usage_error("token", "add, enrol, redeem, list or revoke?");
  sub = argv[1];
  optind = 2;
  while ((c = getopt_long(argc, argv, "d:r:a:h", opts, NULL)) != -1) {
    switch (c) {
    case 'd': db = optarg; break;
    case 'r': role_name = optarg; break;
    case 'a': agent = optarg; break;
    case 'h': usage(stdout); return EXIT_OK;
    default: return cli_usage_error("token", "unknown option");
    }
  }
  if (!db)
    return cli_usage_error("token", "--db is required");
  if (!strcmp(sub, "add")) {
    char token[MAAT_TOKEN_LEN + 1];
    long id;
    if (optind < argc)
      return cli_usage_error("token", "unexpected argument '%s'",
                             argv[optind]);
    if (!role_name)
      return cli_usage_error("token", "--role is required");
    if (maat_role_parse(role_name, &role))
      return cli_usage_error("token", "%s", maat_errmsg());
    rc = open_store(db, &st);
    if (!rc)
      rc = maat_token_add(st, role, agent, token, &id);
    maat_store_close(st);
    if (rc == MAAT_EINVAL)
      return cli_usage_error("token", "%s", maat_errmsg());
    if (rc) {
      cli_error_rc(rc, "token");
      return EXIT_FAIL;
    }
    printf("%s\n", token);
    fprintf(stderr, "maat: token %ld (%s%s%s) created; it is shown only "
            "now\n", id, role_name, agent ? ", agent " : "",
            agent ? agent : "");
    return EXIT_OK;
  }
  if (!strcmp(sub, "enrol")) {
    if (optind < argc)
      return cli_usage_error("token", "unexpected argument '%s'",
                             argv[optind]);
    return enrol(db, agent);
  }
  if (!strcmp(sub, "redeem")) {
    if (optind + 1 != argc)
      return cli_usage_error("token", "redeem takes one code");
    return redeem(db, argv[optind]);
  }
  if (!strcmp(sub, "list")) {
    if (optind < argc)
      return cli_usage_error("token", "unexpected argument '%s'",
                             argv[optind]);
    rc = open_store(db, &st);
    if (!rc)
      printf("%-6s %-12s %-16s %-21s %s\n", "id", "role", "agent", "created",
             "revoked");
    if (!rc)
      rc = maat_token_list(st, print_token, NULL);
    maat_store_close(st);
    if (rc) {
      cli_error_rc(rc, "token");
      return EXIT_FAIL;
    }
    return EXIT_OK;
  }
  if (!strcmp(sub, "revoke")) {
    long id;
    if (optind + 1 != argc)
      return cli_usage_error("token", "revoke takes one token id");
    if (!cli_parse_int("ID", argv[optind], 1, 0x7fffffffL, &id))
      return EXIT_USAGE;
    rc = open_store(db, &st);
    if (!rc)
      rc = maat_token_revoke(st, id);
    maat_store_close(st);
    if (rc) {
      cli_error_rc(rc, "token");
      return EXIT_FAIL;
    }
    fprintf(stderr, "maat: token %ld revoked\n", id);
    return EXIT_OK;
  }
  return cli_usage_error("token", "unknown subcommand '%s' (add, enrol, "
                         "redeem, list or revoke)", sub);
}

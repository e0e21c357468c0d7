/*
 * cmd_privacy.c - 'maat privacy': a customer's data exported or erased
 * (the data subject's rights), docs/privacy.md.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
  fprintf(f,
    "Usage: maat privacy export --db DB --customer ID\n"
    "       maat privacy erase --db DB --customer ID [--also TEXT]...\n"
    "       maat privacy erase --db DB --agent ID\n"
    "       maat privacy purge --db DB [--messages-days N] [--contacts-days N]\n"
    "                          [--checkins-days N] [--audit-days N]\n"
    "\n"
    "A customer's rights over their data. 'export' prints, as JSON, all\n"
    "the store holds on the customer: their contacts with the events,\n"
    "decisions and records, the words kept for learning, corrections and\n"
    "calls made for them. 'erase' removes it everywhere: the customer's id\n"
    "becomes a random pseudonym of the same length in the log, the\n"
    "records and the snapshots, so that every total and every replay stays\n"
    "as it was and nothing links back; their words kept for learning are\n"
    "deleted; each --also TEXT (a name, an e-mail address, a phone number\n"
    "as the customer wrote it) is overwritten wherever it is. Then the\n"
    "database file is compacted, so that nothing overwritten is left in\n"
    "free pages or the write-ahead log. Both are audited, without the id.\n"
    "Stop maat serve first: its memory holds the customer too.\n"
    "'erase --agent' is for an agent who leaves: her check-ins (energy and\n"
    "private notes) are deleted and her tokens revoked; the work she did\n"
    "stays in the log, for the totals.\n"
    "'purge' deletes what its data class no longer keeps (maat serve does\n"
    "it every hour with the config's data_classes): the customer's words\n"
    "kept for learning and the gaps report's questions (messages, default\n"
    "30 days), closed contacts' records (contacts, 365), agents' check-ins\n"
    "(checkins, 90) and the audit log (audit, 730); 0 keeps until erased.\n"
    "\n"
    "Options:\n"
    "      --db DB          the store\n"
    "      --customer ID    the customer's id, as the helpdesk gave it\n"
    "      --agent ID       an agent who left (erase)\n"
    "      --also TEXT      erase this text too (4 bytes or more; repeat)\n"
    "      --messages-days N, --contacts-days N, --checkins-days N,\n"
    "      --audit-days N   retention for purge\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 done, 1 failure (nothing changed), 2 usage error.\n");
}

int cmd_privacy(int argc, char **argv)
{
  enum { OPT_DB = 256, OPT_CUSTOMER, OPT_ALSO, OPT_MSG, OPT_CON, OPT_CHK,
         OPT_AUD, OPT_AGENT };
  static const struct option opts[] = {
    { "db", required_argument, NULL, OPT_DB },
    { "messages-days", required_argument, NULL, OPT_MSG },
    { "contacts-days", required_argument, NULL, OPT_CON },
    { "checkins-days", required_argument, NULL, OPT_CHK },
    { "audit-days", required_argument, NULL, OPT_AUD },
    { "customer", required_argument, NULL, OPT_CUSTOMER },
    { "agent", required_argument, NULL, OPT_AGENT },
    { "also", required_argument, NULL, OPT_ALSO },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *db = NULL, *customer = NULL, *agent = NULL, *verb;
  const char *also[33];
  int nalso = 0, c, rc, ret = EXIT_FAIL;
  struct maat_retention keep = MAAT_RETENTION_DEFAULT;
  maat_store *st = NULL;
  long d;

  if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    usage(stdout);
    return EXIT_OK;
  }
  if (argc < 2 || argv[1][0] == '-')
    return cli_usage_error("privacy", "export, erase or purge?");
  verb = argv[1];
  if (strcmp(verb, "export") && strcmp(verb, "erase") &&
      strcmp(verb, "purge"))
    return cli_usage_error("privacy", "'%s'? export, erase or purge", verb);
  optind = 2;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case OPT_DB: db = optarg; break;
    case OPT_CUSTOMER: customer = optarg; break;
    case OPT_AGENT: agent = optarg; break;
    case OPT_ALSO:
      if (nalso == 32)
        return cli_usage_error("privacy", "--also at most 32 times");
      also[nalso++] = optarg;
      break;
    case OPT_MSG: case OPT_CON: case OPT_CHK: case OPT_AUD:
      if (!cli_parse_int(c == OPT_MSG ? "--messages-days"
                         : c == OPT_CON ? "--contacts-days"
                         : c == OPT_CHK ? "--checkins-days" : "--audit-days",
                         optarg, 0, 36500, &d))
        return EXIT_USAGE;
      *(c == OPT_MSG ? &keep.messages_days : c == OPT_CON
        ? &keep.contacts_days : c == OPT_CHK ? &keep.checkins_days
        : &keep.audit_days) = (int)d;
      break;
    case 'h': usage(stdout); return EXIT_OK;
    default:
      return cli_usage_error("privacy", "unknown option '%s'",
                             argv[optind - 1]);
    }
  }
  also[nalso] = NULL;
  if (!db)
    return cli_usage_error("privacy", "no store given (--db DB)");
  if (agent && (customer || strcmp(verb, "erase") || nalso))
    return cli_usage_error("privacy", "--agent is for erase, alone");
  if (!customer && !agent && strcmp(verb, "purge"))
    return cli_usage_error("privacy", "no customer given (--customer ID)");
  if (optind < argc)
    return cli_usage_error("privacy", "unexpected '%s'", argv[optind]);
  if (!strcmp(verb, "export") && nalso)
    return cli_usage_error("privacy", "--also is for erase");
  if ((rc = maat_store_open(&st, db))) {
    cli_error_rc(rc, "privacy");
    return EXIT_FAIL;
  }
  if (agent) {
    long nc = 0, nt = 0;
    if ((rc = maat_privacy_erase_agent(st, agent, &nc, &nt))) {
      cli_error_rc(rc, "privacy erase");
      goto out;
    }
    printf("erased: %ld check-ins of agent %s, %ld tokens revoked\n", nc,
           agent, nt);
  } else if (!strcmp(verb, "purge")) {
    struct maat_purge_report r;
    if ((rc = maat_privacy_purge(st, &keep, maat_wall_now(), &r))) {
      cli_error_rc(rc, "privacy purge");
      goto out;
    }
    printf("purged: %ld kept words, %ld gap questions, %ld contact records, "
           "%ld bot outcomes, %ld check-ins, %ld audit rows\n", r.messages,
           r.questions, r.contacts, r.outcomes, r.checkins, r.audit);
    if (!r.router_time)
      printf("note: no server clock in this store: contacts and check-ins "
             "(kept in router time) were left\n");
  } else if (!strcmp(verb, "export")) {
    char *json = NULL;
    if ((rc = maat_privacy_export(st, customer, &json))) {
      cli_error_rc(rc, "privacy export");
      goto out;
    }
    printf("%s\n", json);
    maat_free(json);
  } else {
    struct maat_erase_report r;
    if ((rc = maat_privacy_erase(st, customer, also, &r))) {
      cli_error_rc(rc, "privacy erase");
      goto out;
    }
    printf("erased: %ld contacts of the customer, %ld rows overwritten, %ld "
           "snapshots rewritten; the store is compacted\n", r.contacts,
           r.rows, r.snapshots);
  }
  ret = EXIT_OK;
out:
  maat_store_close(st);
  return ret;
}

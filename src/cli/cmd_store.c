/*
 * cmd_store.c - 'maat store migrate FROM TO': a store copied to another
 * backend (SQLite to PostgreSQL, or back), verified table by table.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
  fprintf(f,
    "Usage: maat store migrate FROM TO [--json]\n"
    "\n"
    "Copies the store FROM (sqlite:PATH, a path, or postgresql://...) into\n"
    "the empty store TO, every table with its ids, in one transaction, then\n"
    "verifies it: each table's rows are counted and checksummed (SHA-256\n"
    "over the rows in key order) on both sides. Both stores must be idle:\n"
    "the copy takes the writer's lock of each (stop maat serve first). The\n"
    "model files of the registry stay where they are.\n"
    "\n"
    "Options:\n"
    "      --json     one JSON object: per table, rows and checksums\n"
    "  -h, --help     show this help\n"
    "\n"
    "Exit status: 0 copied and verified, 1 failure (the target is left as\n"
    "it was, or a table differed), 2 usage error.\n");
}

static void progress(void *ctx, const char *table, long rows)
{
  (void)ctx;
  if (!getenv("MAAT_NO_PROGRESS"))
    fprintf(stderr, "store migrate: %s: %ld rows\n", table, rows);
}

int cmd_store(int argc, char **argv)
{
  static const struct option opts[] = {
    { "json", no_argument, NULL, 'j' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct maat_store_copy_table t[32];
  maat_store *src = NULL, *dst = NULL;
  int c, rc, n = 0, json = 0, ret = EXIT_FAIL;

  if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    usage(stdout);
    return EXIT_OK;
  }
  if (argc < 2 || strcmp(argv[1], "migrate"))
    return cli_usage_error("store", "migrate FROM TO");
  optind = 2;
  while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
    switch (c) {
    case 'j': json = 1; break;
    case 'h': usage(stdout); return EXIT_OK;
    default:
      return cli_usage_error("store", "unknown option '%s'",
                             argv[optind - 1]);
    }
  }
  if (argc - optind != 2)
    return cli_usage_error("store", "migrate takes FROM and TO");
  if ((rc = maat_store_open(&src, argv[optind])) ||
      (rc = maat_store_open(&dst, argv[optind + 1]))) {
    cli_error_rc(rc, "store migrate");
    goto out;
  }
  if ((rc = maat_store_copy(src, dst, progress, NULL, t, 32, &n))) {
    cli_error_rc(rc, "store migrate");
    goto out;
  }
  if (json) {
    printf("{\"from\":\"%s\",\"to\":\"%s\",\"tables\":[",
           maat_store_backend(src), maat_store_backend(dst));
    for (int i = 0; i < n; i++)
      printf("%s{\"table\":\"%s\",\"rows\":%ld,\"target_rows\":%ld,"
             "\"sha256\":\"%s\",\"target_sha256\":\"%s\"}", i ? "," : "",
             t[i].table, t[i].rows, t[i].target_rows, t[i].sha256,
             t[i].target_sha256);
    printf("],\"verified\":true}\n");
  } else {
    for (int i = 0; i < n; i++)
      printf("%-14s %8ld rows  sha256 %.16s…  = target\n", t[i].table,
             t[i].rows, t[i].sha256);
    printf("copied from %s to %s and verified: every table has the same "
           "rows and checksum\n", maat_store_backend(src),
           maat_store_backend(dst));
  }
  ret = EXIT_OK;
out:
  maat_store_close(src);
  maat_store_close(dst);
  return ret;
}

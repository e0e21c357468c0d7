/*
 * cmd_redact.c - 'maat redact': each message with its personal data
 * replaced by its type, or as JSON with the spans found.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
  fprintf(f,
    "Usage: maat redact [--json] [FILE|-]\n"
    "\n"
    "Prints each message (a line of text, or JSON Lines or CSV with a\n"
    "'text' field) with its personal data replaced by [TYPE]: [EMAIL],\n"
    "[PHONE] (Dutch and international), [IBAN] (mod 97), [BSN] (11-proof),\n"
    "[CARD] (Luhn), [POSTCODE], [DATE_OF_BIRTH] and [NAME]. With --json,\n"
    "one JSON line per message: 'text' (redacted) and 'spans' ([{\"type\",\n"
    "\"start\", \"end\"}], character offsets into the original). The rules\n"
    "and their measured recall and precision: docs/privacy.md.\n"
    "\n"
    "Options:\n"
    "  -j, --json     JSON Lines with the spans\n"
    "  -h, --help     show this help\n"
    "\n"
    "Exit status: 0 success, 1 failure (a bad line is named and skipped),\n"
    "2 usage error.\n");
}

/* The character (code point) offset of byte 'b' in 's'. */
static size_t chars(const char *s, size_t b)
{
  size_t n = 0;

  for (size_t i = 0; i < b; i++)
    n += ((unsigned char)s[i] & 0xc0) != 0x80;
  return n;
}

int cmd_redact(int argc, char **argv)
{
  static const struct option opts[] = {
    { "json", no_argument, NULL, 'j' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  maat_reader_opts ro = MAAT_READER_OPTS_INIT;
  maat_reader *r = NULL;
  maat_record rec;
  const char *path;
  int json = 0, c, rc, bad = 0;

  optind = 1;
  while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
    switch (c) {
    case 'j': json = 1; break;
    case 'h': usage(stdout); return EXIT_OK;
    default: return cli_usage_error("redact", "unknown option");
    }
  }
  if (argc - optind > 1)
    return cli_usage_error("redact", "one input at most");
  path = optind < argc ? argv[optind] : "-";
  cli_messages_format(path, &ro);
  if ((rc = maat_reader_open(path, &ro, &r))) {
    cli_error_rc(rc, "redact");
    return EXIT_FAIL;
  }
  for (;;) {
    struct maat_pii_span sp[256];
    char *out = NULL;
    size_t n, outlen;
    rc = maat_reader_next(r, &rec);
    if (rc == MAAT_EOF)
      break;
    if (rc) {
      cli_error("redact: %s", maat_errmsg());
      bad = 1;
      if (rc == MAAT_EIO)
        break;
      continue;
    }
    if ((rc = maat_pii_find(rec.text, rec.text_len, sp, 256, &n)) ||
        (rc = maat_pii_redact(rec.text, rec.text_len, &out, &outlen))) {
      cli_error("redact: line %zu: %s", rec.line, maat_errmsg());
      bad = 1;
      continue;
    }
    if (!json) {
      fwrite(out, 1, outlen, stdout);
      putchar('\n');
    } else {
      fputs("{\"text\":", stdout);
      cli_json_string(stdout, out, outlen);
      fputs(",\"spans\":[", stdout);
      for (size_t k = 0; k < n && k < 256; k++)
        printf("%s{\"type\":\"%s\",\"start\":%zu,\"end\":%zu}", k ? "," : "",
               maat_pii_type_name(sp[k].type), chars(rec.text, sp[k].start),
               chars(rec.text, sp[k].end));
      fputs("]}\n", stdout);
    }
    maat_free(out);
  }
  maat_reader_close(r);
  return bad ? EXIT_FAIL : EXIT_OK;
}

/*
 * cmd_classify.c - 'maat classify': streams messages (plain text lines, CSV
 * or JSONL) through a model and writes one JSON line per message with the
 * label, its confidence and the top-k alternatives.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
  fputs(
    "Usage: maat classify --model MODEL [OPTIONS] [FILE|-]\n"
    "\n"
    "Labels messages with a trained classifier. FILE is plain text (one\n"
    "message per line: '.txt', standard input or any other name), CSV with a\n"
    "'text' column, or JSON Lines with a \"text\" key, by extension or\n"
    "--format; without FILE (or with '-') standard input is read as text.\n"
    "Writes one JSON object per message:\n"
    "  {\"label\":\"card_arrival\",\"confidence\":0.9312,\"top\":[\n"
    "   {\"label\":...,\"confidence\":...},...]}\n"
    "When the top confidence is below the threshold, \"label\" is the\n"
    "out-of-scope label and \"oos\" is true: the bot must hand over.\n"
    "\n"
    "Options:\n"
    "  -m, --model MODEL      the model to use (required)\n"
    "  -f, --format FMT       auto, text, csv or jsonl (default: auto)\n"
    "      --text-col NAME    the text column or key (default: text)\n"
    "  -k, --top K            alternatives to list (default 3)\n"
    "      --threshold T      override the model's confidence threshold\n"
    "      --skip-bad         skip malformed records, print how many\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit status: 0 on success, 1 on bad input or I/O errors, 2 on usage\n"
    "errors.\n",
    f);
}

/* Pre-rendered JSON string literals, so output needs no escaping per line. */
struct jlabel {
  char *s;
  size_t len;
};

static char *json_literal(const char *s, size_t *len)
{
  char *buf = NULL;
  size_t sz = 0;
  FILE *f = open_memstream(&buf, &sz);
  if (!f)
    return NULL;
  cli_json_string(f, s, strlen(s));
  if (fclose(f)) {
    free(buf);
    return NULL;
  }
  *len = sz;
  return buf;
}

/* Writes a probability in [0, 1] with four decimals, like "%.4f". */
static void put_prob(FILE *f, double v)
{
  char b[8];
  long x = (long)(v * 10000 + 0.5);
  if (x < 0)
    x = 0;
  if (x > 10000)
    x = 10000;
  b[0] = (char)('0' + x / 10000);
  b[1] = '.';
  b[2] = (char)('0' + x / 1000 % 10);
  b[3] = (char)('0' + x / 100 % 10);
  b[4] = (char)('0' + x / 10 % 10);
  b[5] = (char)('0' + x % 10);
  fwrite(b, 1, 6, f);
}

enum { OPT_TEXT_COL = 256, OPT_THRESHOLD, OPT_SKIP_BAD };

int cmd_classify(int argc, char **argv)
{
  static const struct option longopts[] = {
    { "model", required_argument, NULL, 'm' },
    { "format", required_argument, NULL, 'f' },
    { "text-col", required_argument, NULL, OPT_TEXT_COL },
    { "top", required_argument, NULL, 'k' },
    { "threshold", required_argument, NULL, OPT_THRESHOLD },
    { "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  maat_reader_opts ro = MAAT_READER_OPTS_INIT;
  const char *model_path = NULL, *path = "-";
  double threshold = -1;
  long k = 3;
  bool skip_bad = false;
  size_t skipped = 0, nl = 0;
  maat_model *m = NULL;
  maat_predictor *p = NULL;
  maat_reader *r = NULL;
  struct jlabel *jl = NULL, joos = { NULL, 0 };
  char *outbuf = NULL;
  int c, rc, status = EXIT_FAIL;

  optind = 1;
  opterr = 0;
  for (;;) {
    c = getopt_long(argc, argv, ":m:f:k:h", longopts, NULL);
    if (c == -1)
      break;
    switch (c) {
    case 'm': model_path = optarg; break;
    case 'f':
      if (maat_format_parse(optarg, &ro.format) != MAAT_OK)
        return cli_usage_error("classify", "unknown format '%s' (expected "
                               "auto, text, csv or jsonl)", optarg);
      break;
    case OPT_TEXT_COL: ro.text_field = optarg; break;
    case 'k':
      if (!cli_parse_int("--top", optarg, 1, 1000, &k))
        return EXIT_USAGE;
      break;
    case OPT_THRESHOLD:
      if (!cli_parse_double("--threshold", optarg, 0, 1, &threshold))
        return EXIT_USAGE;
      break;
    case OPT_SKIP_BAD: skip_bad = true; break;
    case 'h': usage(stdout); return EXIT_OK;
    case ':':
      return cli_usage_error("classify", "option '%s' needs a value",
                             argv[optind - 1]);
    default:
      return cli_usage_error("classify", "unknown option '%s'",
                             argv[optind - 1]);
    }
  }
  if (!model_path)
    return cli_usage_error("classify", "no model given (use --model MODEL)");
  if (optind < argc)
    path = argv[optind++];
  if (optind < argc)
    return cli_usage_error("classify", "one input at a time, got '%s' too",
                           argv[optind]);
  cli_messages_format(path, &ro);

  rc = maat_model_load(model_path, &m);
  if (rc) {
    cli_error_rc(rc, NULL);
    goto out;
  }
  rc = maat_predictor_new(m, &p);
  if (rc) {
    cli_error_rc(rc, NULL);
    goto out;
  }
  nl = maat_model_label_count(m);
  jl = calloc(nl, sizeof *jl);
  if (!jl)
    goto oom;
  for (size_t i = 0; i < nl; i++) {
    jl[i].s = json_literal(maat_model_label(m, i), &jl[i].len);
    if (!jl[i].s)
      goto oom;
  }
  joos.s = json_literal(maat_model_oos_label(m), &joos.len);
  if (!joos.s)
    goto oom;
  rc = maat_reader_open(path, &ro, &r);
  if (rc) {
    cli_error_rc(rc, NULL);
    goto out;
  }
  outbuf = malloc(1 << 18);
  if (!outbuf)
    goto oom;
  setvbuf(stdout, outbuf, _IOFBF, 1 << 18);
  for (;;) {
    maat_record rec;
    maat_prediction pr;

    rc = maat_reader_next(r, &rec);
    if (rc == MAAT_EOF)
      break;
    if (rc == MAAT_EPARSE || rc == MAAT_EUTF8) {
      if (skip_bad) {
        skipped++;
        continue;
      }
      cli_error_rc(rc, NULL);
      goto out;
    }
    if (rc) {
      cli_error_rc(rc, NULL);
      goto out;
    }
    rc = maat_predict(p, rec.text, rec.text_len, (size_t)k, threshold, &pr);
    if (rc) {
      if (skip_bad) {
        skipped++;
        continue;
      }
      cli_error_rc(rc, path);
      goto out;
    }
    fputs("{\"label\":", stdout);
    if (pr.below_threshold)
      fwrite(joos.s, 1, joos.len, stdout);
    else
      fwrite(jl[pr.top[0].label].s, 1, jl[pr.top[0].label].len, stdout);
    fputs(",\"confidence\":", stdout);
    put_prob(stdout, pr.confidence);
    if (pr.below_threshold)
      fputs(",\"oos\":true", stdout);
    fputs(",\"top\":[", stdout);
    for (size_t i = 0; i < pr.n_top; i++) {
      const struct jlabel *l = &jl[pr.top[i].label];
      fputs(i ? ",{\"label\":" : "{\"label\":", stdout);
      fwrite(l->s, 1, l->len, stdout);
      fputs(",\"confidence\":", stdout);
      put_prob(stdout, pr.top[i].prob);
      putc_unlocked('}', stdout);
    }
    fputs("]}\n", stdout);
  }
  if (fflush(stdout) || ferror(stdout)) {
    cli_error("cannot write the output");
    goto out;
  }
  if (skip_bad)
    fprintf(stderr, "maat: skipped %zu bad record%s\n", skipped,
            skipped == 1 ? "" : "s");
  status = EXIT_OK;
  goto out;
oom:
  cli_error("out of memory");
out:
  fflush(stdout);
  setvbuf(stdout, NULL, _IOLBF, 0);
  free(outbuf);
  maat_reader_close(r);
  for (size_t i = 0; jl && i < nl; i++)
    free(jl[i].s);
  free(jl);
  free(joos.s);
  maat_predictor_free(p);
  maat_model_free(m);
  return status;
}

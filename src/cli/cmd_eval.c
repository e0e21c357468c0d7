/*
 * cmd_eval.c - 'maat eval': measures a classifier on labelled data:
 * accuracy, macro-F1, per-label precision/recall/F1, the most confused
 * pairs, calibration (ECE), and with an out-of-scope label the oos recall
 * and in-scope accuracy as the CLINC150 paper reports them.
 */
#include "cli.h"
#include "cli_labelled.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
  fputs(
    "Usage: maat eval --model MODEL [OPTIONS] FILE...\n"
    "\n"
    "Classifies labelled messages (CSV or JSON Lines, as for 'maat train')\n"
    "and reports accuracy, macro-F1, per-label precision, recall and F1, the\n"
    "most confused label pairs and the expected calibration error (15 bins).\n"
    "\n"
    "Options:\n"
    "  -m, --model MODEL      the model to evaluate (required)\n"
    "  -f, --format FMT       auto, csv or jsonl (default auto: by extension)\n"
    "      --text-col NAME    the text column or key (default: text)\n"
    "      --label-col NAME   the label column or key (default: label)\n"
    "      --oos-label L      also report out-of-scope recall and in-scope\n"
    "                         accuracy, with L as the out-of-scope label\n"
    "      --threshold T      override the model's confidence threshold\n"
    "      --confused N       list the N most confused pairs (default 10)\n"
    "      --json             print one JSON object instead of a report\n"
    "      --skip-bad         skip malformed records, print how many\n"
    "  -h, --help             show this help\n"
    "\n"
    "JSON keys: n, accuracy, macro_f1, ece, threshold, labels (per-label\n"
    "precision, recall, f1, support), confused; with --oos-label also\n"
    "oos_recall and in_scope_accuracy.\n"
    "\n"
    "Exit status: 0 on success, 1 on bad input or I/O errors, 2 on usage\n"
    "errors.\n",
    f);
}

/* Labels of the report: the model's, then unknown gold labels as they come. */
struct labels {
  const maat_model *m;
  size_t n, cap;
  char **extra; /* owned: labels beyond the model's */
};

static long label_id(struct labels *l, const char *name, bool add)
{
  size_t nm = maat_model_label_count(l->m);
  long i = maat_model_label_index(l->m, name);
  if (i >= 0)
    return i;
  for (size_t j = 0; j < l->n - nm; j++)
    if (!strcmp(l->extra[j], name))
      return (long)(nm + j);
  if (!add)
    return -1;
  if (l->n - nm == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 8;
    char **p = realloc(l->extra, cap * sizeof *p);
    if (!p)
      return -1;
    l->extra = p;
    l->cap = cap;
  }
  l->extra[l->n - nm] = strdup(name);
  if (!l->extra[l->n - nm])
    return -1;
  return (long)l->n++;
}

static const char *label_name(const struct labels *l, size_t i)
{
  size_t nm = maat_model_label_count(l->m);
  return i < nm ? maat_model_label(l->m, i) : l->extra[i - nm];
}

/* A sparse confusion count: gold, predicted -> count (only mistakes). */
struct pair {
  size_t gold, pred, count;
};

static int cmp_pair(const void *a, const void *b)
{
  const struct pair *x = a, *y = b;
  if (x->count != y->count)
    return x->count < y->count ? 1 : -1;
  if (x->gold != y->gold)
    return x->gold < y->gold ? -1 : 1;
  return (x->pred > y->pred) - (x->pred < y->pred);
}

struct counts {
  size_t *tp, *fp, *fn, cap;
  struct pair *pairs;
  size_t n_pairs, cap_pairs;
};

static bool counts_grow(struct counts *c, size_t need)
{
  size_t cap = c->cap ? c->cap : 64;
  if (need <= c->cap)
    return true;
  while (cap < need)
    cap *= 2;
  size_t *a = realloc(c->tp, cap * sizeof *a);
  if (!a)
    return false;
  c->tp = a;
  a = realloc(c->fp, cap * sizeof *a);
  if (!a)
    return false;
  c->fp = a;
  a = realloc(c->fn, cap * sizeof *a);
  if (!a)
    return false;
  c->fn = a;
  memset(c->tp + c->cap, 0, (cap - c->cap) * sizeof *a);
  memset(c->fp + c->cap, 0, (cap - c->cap) * sizeof *a);
  memset(c->fn + c->cap, 0, (cap - c->cap) * sizeof *a);
  c->cap = cap;
  return true;
}

static bool add_pair(struct counts *c, size_t gold, size_t pred)
{
  for (size_t i = 0; i < c->n_pairs; i++)
    if (c->pairs[i].gold == gold && c->pairs[i].pred == pred) {
      c->pairs[i].count++;
      return true;
    }
  if (c->n_pairs == c->cap_pairs) {
    size_t cap = c->cap_pairs ? c->cap_pairs * 2 : 64;
    struct pair *p = realloc(c->pairs, cap * sizeof *p);
    if (!p)
      return false;
    c->pairs = p;
    c->cap_pairs = cap;
  }
  c->pairs[c->n_pairs++] = (struct pair){ gold, pred, 1 };
  return true;
}

enum {
  OPT_TEXT_COL = 256, OPT_LABEL_COL, OPT_OOS, OPT_THRESHOLD, OPT_CONFUSED,
  OPT_JSON, OPT_SKIP_BAD
};

int cmd_eval(int argc, char **argv)
{
  static const struct option longopts[] = {
    { "model", required_argument, NULL, 'm' },
    { "format", required_argument, NULL, 'f' },
    { "text-col", required_argument, NULL, OPT_TEXT_COL },
    { "label-col", required_argument, NULL, OPT_LABEL_COL },
    { "oos-label", required_argument, NULL, OPT_OOS },
    { "threshold", required_argument, NULL, OPT_THRESHOLD },
    { "confused", required_argument, NULL, OPT_CONFUSED },
    { "json", no_argument, NULL, OPT_JSON },
    { "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  struct cli_input in = { MAAT_READER_OPTS_INIT, false, 0 };
  const char *model_path = NULL, *oos = NULL;
  double threshold = -1;
  long n_confused = 10;
  bool json = false;
  maat_model *m = NULL;
  maat_predictor *p = NULL;
  maat_dataset *d = NULL;
  struct labels lb = { NULL, 0, 0, NULL };
  struct counts cnt = { NULL, NULL, NULL, 0, NULL, 0, 0 };
  double *conf = NULL;
  unsigned char *corr = NULL;
  size_t n, right = 0, oos_n = 0, oos_hit = 0, ins_n = 0, ins_hit = 0;
  double macro = 0, ece;
  size_t n_present = 0;
  int c, rc, status = EXIT_FAIL;

  optind = 1;
  opterr = 0;
  for (;;) {
    c = getopt_long(argc, argv, ":m:f:h", longopts, NULL);
    if (c == -1)
      break;
    switch (c) {
    case 'm': model_path = optarg; break;
    case 'f':
      if (!cli_set_format(&in, "eval", optarg))
        return EXIT_USAGE;
      break;
    case OPT_TEXT_COL: in.ropts.text_field = optarg; break;
    case OPT_LABEL_COL: in.ropts.label_field = optarg; break;
    case OPT_OOS: oos = optarg; break;
    case OPT_THRESHOLD:
      if (!cli_parse_double("--threshold", optarg, 0, 1, &threshold))
        return EXIT_USAGE;
      break;
    case OPT_CONFUSED:
      if (!cli_parse_int("--confused", optarg, 0, 1000, &n_confused))
        return EXIT_USAGE;
      break;
    case OPT_JSON: json = true; break;
    case OPT_SKIP_BAD: in.skip_bad = true; break;
    case 'h': usage(stdout); return EXIT_OK;
    case ':':
      return cli_usage_error("eval", "option '%s' needs a value",
                             argv[optind - 1]);
    default:
      return cli_usage_error("eval", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (!model_path)
    return cli_usage_error("eval", "no model given (use --model MODEL)");
  if (optind >= argc)
    return cli_usage_error("eval", "no FILE to evaluate on");
  if (in.ropts.format == MAAT_FORMAT_TEXT)
    return cli_usage_error("eval", "evaluation needs labels: use csv or jsonl");

  rc = maat_model_load(model_path, &m);
  if (rc) {
    cli_error_rc(rc, NULL);
    goto out;
  }
  rc = maat_predictor_new(m, &p);
  if (!rc)
    rc = maat_dataset_new(&d);
  if (rc) {
    cli_error_rc(rc, NULL);
    goto out;
  }
  for (int i = optind; i < argc; i++)
    if (!cli_read_labelled(&in, argv[i], d))
      goto out;
  if (in.skip_bad)
    fprintf(stderr, "maat: skipped %zu bad record%s\n", in.skipped,
            in.skipped == 1 ? "" : "s");
  n = maat_dataset_count(d);
  if (n == 0) {
    cli_error("no labelled messages to evaluate on");
    goto out;
  }
  lb.m = m;
  lb.n = maat_model_label_count(m);
  conf = malloc(n * sizeof *conf);
  corr = malloc(n);
  if (!conf || !corr || !counts_grow(&cnt, lb.n + 1)) {
    cli_error("out of memory");
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    size_t len;
    const char *text = maat_dataset_text(d, i, &len);
    const char *gold_name = maat_dataset_label(d, i);
    const char *pred_name;
    maat_prediction pr;
    long gold, pred;

    rc = maat_predict(p, text, len, 1, threshold, &pr);
    if (rc) {
      cli_error_rc(rc, "cannot classify");
      goto out;
    }
    pred_name = pr.below_threshold && oos ? oos : pr.label;
    gold = label_id(&lb, gold_name, true);
    pred = label_id(&lb, pred_name, true);
    if (gold < 0 || pred < 0 || !counts_grow(&cnt, lb.n)) {
      cli_error("out of memory");
      goto out;
    }
    conf[i] = pr.confidence;
    corr[i] = !strcmp(maat_model_label(m, pr.top[0].label), gold_name);
    if (gold == pred) {
      right++;
      cnt.tp[gold]++;
    } else {
      cnt.fp[pred]++;
      cnt.fn[gold]++;
      if (!add_pair(&cnt, (size_t)gold, (size_t)pred)) {
        cli_error("out of memory");
        goto out;
      }
    }
    if (oos) {
      if (!strcmp(gold_name, oos)) {
        oos_n++;
        oos_hit += gold == pred;
      } else {
        ins_n++;
        ins_hit += gold == pred;
      }
    }
  }
  ece = maat_ece(conf, corr, n, 15);
  for (size_t j = 0; j < lb.n; j++) {
    double pr, rc2, f1;
    if (cnt.tp[j] + cnt.fn[j] + cnt.fp[j] == 0)
      continue;
    n_present++;
    pr = cnt.tp[j] + cnt.fp[j]
             ? (double)cnt.tp[j] / (double)(cnt.tp[j] + cnt.fp[j]) : 0;
    rc2 = cnt.tp[j] + cnt.fn[j]
              ? (double)cnt.tp[j] / (double)(cnt.tp[j] + cnt.fn[j]) : 0;
    f1 = pr + rc2 > 0 ? 2 * pr * rc2 / (pr + rc2) : 0;
    macro += f1;
  }
  macro = n_present ? macro / (double)n_present : 0;
  if (cnt.n_pairs)
    qsort(cnt.pairs, cnt.n_pairs, sizeof *cnt.pairs, cmp_pair);
  if ((size_t)n_confused > cnt.n_pairs)
    n_confused = (long)cnt.n_pairs;

  if (json) {
    printf("{\"n\":%zu,\"accuracy\":%.6f,\"macro_f1\":%.6f,\"ece\":%.6f,"
           "\"threshold\":%.6f", n, (double)right / (double)n, macro, ece,
           threshold >= 0 ? threshold : maat_model_threshold(m));
    if (oos)
      printf(",\"oos_recall\":%.6f,\"in_scope_accuracy\":%.6f",
             oos_n ? (double)oos_hit / (double)oos_n : 0.0,
             ins_n ? (double)ins_hit / (double)ins_n : 0.0);
    fputs(",\"labels\":[", stdout);
    for (size_t j = 0, first = 1; j < lb.n; j++) {
      size_t tp = cnt.tp[j], fp = cnt.fp[j], fn = cnt.fn[j];
      double pr = tp + fp ? (double)tp / (tp + fp) : 0;
      double re = tp + fn ? (double)tp / (tp + fn) : 0;
      if (tp + fp + fn == 0)
        continue;
      fputs(first ? "{\"label\":" : ",{\"label\":", stdout);
      first = 0;
      cli_json_string(stdout, label_name(&lb, j), strlen(label_name(&lb, j)));
      printf(",\"precision\":%.6f,\"recall\":%.6f,\"f1\":%.6f,\"support\":%zu}",
             pr, re, pr + re > 0 ? 2 * pr * re / (pr + re) : 0, tp + fn);
    }
    fputs("],\"confused\":[", stdout);
    for (long i = 0; i < n_confused; i++) {
      const char *g = label_name(&lb, cnt.pairs[i].gold);
      const char *q = label_name(&lb, cnt.pairs[i].pred);
      fputs(i ? ",{\"gold\":" : "{\"gold\":", stdout);
      cli_json_string(stdout, g, strlen(g));
      fputs(",\"predicted\":", stdout);
      cli_json_string(stdout, q, strlen(q));
      printf(",\"count\":%zu}", cnt.pairs[i].count);
    }
    fputs("]}\n", stdout);
  } else {
    printf("messages:           %zu\n", n);
    printf("accuracy:           %.4f\n", (double)right / (double)n);
    printf("macro-F1:           %.4f\n", macro);
    printf("ECE (15 bins):      %.4f\n", ece);
    printf("threshold:          %.4f\n",
           threshold >= 0 ? threshold : maat_model_threshold(m));
    if (oos) {
      printf("in-scope accuracy:  %.4f (%zu messages)\n",
             ins_n ? (double)ins_hit / (double)ins_n : 0.0, ins_n);
      printf("oos recall:         %.4f (%zu messages labelled '%s')\n",
             oos_n ? (double)oos_hit / (double)oos_n : 0.0, oos_n, oos);
    }
    printf("\n%-40s %9s %9s %9s %8s\n", "label", "precision", "recall", "f1",
           "support");
    for (size_t j = 0; j < lb.n; j++) {
      size_t tp = cnt.tp[j], fp = cnt.fp[j], fn = cnt.fn[j];
      double pr = tp + fp ? (double)tp / (tp + fp) : 0;
      double re = tp + fn ? (double)tp / (tp + fn) : 0;
      if (tp + fp + fn == 0)
        continue;
      printf("%-40s %9.4f %9.4f %9.4f %8zu\n", label_name(&lb, j), pr, re,
             pr + re > 0 ? 2 * pr * re / (pr + re) : 0, tp + fn);
    }
    if (n_confused > 0) {
      printf("\nmost confused (gold -> predicted):\n");
      for (long i = 0; i < n_confused; i++)
        printf("  %6zu  %s -> %s\n", cnt.pairs[i].count,
               label_name(&lb, cnt.pairs[i].gold),
               label_name(&lb, cnt.pairs[i].pred));
    }
  }
  status = EXIT_OK;
out:
  for (size_t j = 0; lb.m && j < lb.n - maat_model_label_count(lb.m); j++)
    free(lb.extra[j]);
  free(lb.extra);
  free(cnt.tp);
  free(cnt.fp);
  free(cnt.fn);
  free(cnt.pairs);
  free(conf);
  free(corr);
  maat_dataset_free(d);
  maat_predictor_free(p);
  maat_model_free(m);
  return status;
}

/*
 * cmd_train.c - 'maat train': reads labelled CSV or JSONL, trains the
 * classifier, calibrates it on held-out data and writes the model file.
 */
#include "cli.h"
#include "cli_labelled.h"

#include <getopt.h>
#include <string.h>

static void usage(FILE *f)
{
  fputs(
    "Usage: maat train [OPTIONS] FILE... -o MODEL\n"
    "\n"
    "Trains a text classifier (softmax regression over hashed word and\n"
    "character n-grams) on labelled messages and writes it to MODEL.\n"
    "FILE is CSV (RFC 4180; the header names a 'text' and a 'label' column)\n"
    "or JSON Lines ({\"text\": ..., \"label\": ...}), chosen by extension or\n"
    "--format; '-' is standard input. A part of the data (or --valid) is held\n"
    "out to calibrate the probabilities (a softmax temperature) and to choose\n"
    "the out-of-scope threshold. The summary lists the intents it marks\n"
    "sensitive (fraud, bereavement, complaint, legal, debt, a cancellation\n"
    "with a grievance), which a person answers by default (docs/triage.md).\n"
    "\n"
    "Options:\n"
    "  -o, --output MODEL     where to write the model (required)\n"
    "  -f, --format FMT       auto, csv or jsonl (default auto: by extension)\n"
    "      --text-col NAME    the text column or key (default: text)\n"
    "      --label-col NAME   the label column or key (default: label;\n"
    "                         CSV also finds 'category' or 'intent')\n"
    "      --valid FILE       held-out labelled data for calibration\n"
    "      --valid-split F    hold out this fraction of FILE instead\n"
    "                         (default 0.1; 0 disables calibration)\n"
    "  -e, --epochs N         passes over the data (default 10)\n"
    "      --lr X             initial learning rate, decays linearly\n"
    "                         (default 2)\n"
    "      --word-ngrams N    word n-grams up to N, 1..5 (default 2)\n"
    "      --minn N           shortest character n-gram (default 3)\n"
    "      --maxn N           longest character n-gram, 0: none (default 5)\n"
    "      --bits N           hash space of 2^N buckets, 10..24 (default 20)\n"
    "      --stem             add word stems (Snowball, nl/en) as features\n"
    "      --seed N           seed of the split and the shuffling (default 1)\n"
    "  -j, --threads N        training threads (default 1; only 1 is\n"
    "                         bit-for-bit deterministic)\n"
    "      --oos-label L      the out-of-scope label (default: oos)\n"
    "      --threshold T      confidence below which a prediction becomes the\n"
    "                         out-of-scope label (default: chosen on the\n"
    "                         validation data when it has that label, else\n"
    "                         the confidence that keeps 80 % of the in-scope\n"
    "                         validation messages)\n"
    "      --skip-bad         skip malformed records, print how many\n"
    "  -q, --quiet            no summary\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit status: 0 on success, 1 on bad input or I/O errors, 2 on usage\n"
    "errors.\n",
    f);
}

bool cli_set_format(struct cli_input *in, const char *cmd, const char *arg)
{
  if (maat_format_parse(arg, &in->ropts.format) != MAAT_OK) {
    cli_usage_error(cmd, "unknown format '%s' (expected auto, text, csv or "
                    "jsonl)", arg);
    return false;
  }
  return true;
}

bool cli_read_labelled(struct cli_input *in, const char *path, maat_dataset *d)
{
  maat_reader *r = NULL;
  maat_record rec;
  bool ok = false;
  int rc;

  in->ropts.require_label = 1;
  rc = maat_reader_open(path, &in->ropts, &r);
  if (rc) {
    cli_error_rc(rc, NULL);
    return false;
  }
  for (;;) {
    rc = maat_reader_next(r, &rec);
    if (rc == MAAT_EOF)
      break;
    if (rc == MAAT_EPARSE || rc == MAAT_EUTF8) {
      if (!in->skip_bad) {
        cli_error_rc(rc, NULL);
        goto out;
      }
      in->skipped++;
      continue;
    }
    if (rc) {
      cli_error_rc(rc, NULL);
      goto out;
    }
    if (!rec.label || !*rec.label) {
      if (!in->skip_bad) {
        cli_error("%s:%zu: empty label", path, rec.line);
        goto out;
      }
      in->skipped++;
      continue;
    }
    rc = maat_dataset_add(d, rec.text, rec.text_len, rec.label);
    if (rc) {
      cli_error_rc(rc, path);
      goto out;
    }
  }
  ok = true;
out:
  maat_reader_close(r);
  return ok;
}

static void on_progress(void *ud, double frac, double loss)
{
  char detail[64];
  snprintf(detail, sizeof detail, "loss %.4f", loss);
  cli_progress_update(ud, frac, detail);
}

enum {
  OPT_TEXT_COL = 256, OPT_LABEL_COL, OPT_VALID, OPT_VALID_SPLIT, OPT_LR,
  OPT_NGRAMS, OPT_MINN, OPT_MAXN, OPT_BITS, OPT_STEM, OPT_SEED, OPT_OOS,
  OPT_THRESHOLD, OPT_SKIP_BAD
};

int cmd_train(int argc, char **argv)
{
  static const struct option longopts[] = {
    { "output", required_argument, NULL, 'o' },
    { "format", required_argument, NULL, 'f' },
    { "text-col", required_argument, NULL, OPT_TEXT_COL },
    { "label-col", required_argument, NULL, OPT_LABEL_COL },
    { "valid", required_argument, NULL, OPT_VALID },
    { "valid-split", required_argument, NULL, OPT_VALID_SPLIT },
    { "epochs", required_argument, NULL, 'e' },
    { "lr", required_argument, NULL, OPT_LR },
    { "word-ngrams", required_argument, NULL, OPT_NGRAMS },
    { "minn", required_argument, NULL, OPT_MINN },
    { "maxn", required_argument, NULL, OPT_MAXN },
    { "bits", required_argument, NULL, OPT_BITS },
    { "stem", no_argument, NULL, OPT_STEM },
    { "seed", required_argument, NULL, OPT_SEED },
    { "threads", required_argument, NULL, 'j' },
    { "oos-label", required_argument, NULL, OPT_OOS },
    { "threshold", required_argument, NULL, OPT_THRESHOLD },
    { "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  maat_train_opts o = MAAT_TRAIN_OPTS_INIT;
  maat_train_report rep;
  struct cli_input in = { MAAT_READER_OPTS_INIT, false, 0 };
  struct cli_progress prog;
  const char *output = NULL, *valid_path = NULL;
  maat_dataset *d = NULL, *vd = NULL;
  maat_model *m = NULL;
  bool quiet = false;
  double t0, secs;
  long v;
  int c, rc, status = EXIT_FAIL;

  optind = 1;
  opterr = 0;
  for (;;) {
    c = getopt_long(argc, argv, ":o:f:e:j:qh", longopts, NULL);
    if (c == -1)
      break;
    switch (c) {
    case 'o': output = optarg; break;
    case 'f':
      if (!cli_set_format(&in, "train", optarg))
        return EXIT_USAGE;
      break;
    case OPT_TEXT_COL: in.ropts.text_field = optarg; break;
    case OPT_LABEL_COL: in.ropts.label_field = optarg; break;
    case OPT_VALID: valid_path = optarg; break;
    case OPT_VALID_SPLIT:
      if (!cli_parse_double("--valid-split", optarg, 0, 0.9, &o.valid_split))
        return EXIT_USAGE;
      break;
    case 'e':
      if (!cli_parse_int("--epochs", optarg, 1, 10000, &v))
        return EXIT_USAGE;
      o.epochs = (int)v;
      break;
    case OPT_LR:
      if (!cli_parse_double("--lr", optarg, 1e-6, 100, &o.lr))
        return EXIT_USAGE;
      break;
    case OPT_NGRAMS:
      if (!cli_parse_int("--word-ngrams", optarg, 1, 5, &v))
        return EXIT_USAGE;
      o.word_ngrams = (int)v;
      break;
    case OPT_MINN:
      if (!cli_parse_int("--minn", optarg, 1, 8, &v))
        return EXIT_USAGE;
      o.minn = (int)v;
      break;
    case OPT_MAXN:
      if (!cli_parse_int("--maxn", optarg, 0, 8, &v))
        return EXIT_USAGE;
      o.maxn = (int)v;
      break;
    case OPT_BITS:
      if (!cli_parse_int("--bits", optarg, 10, 24, &v))
        return EXIT_USAGE;
      o.hash_bits = (int)v;
      break;
    case OPT_STEM: o.flags |= MAAT_FEATURE_STEM; break;
    case OPT_SEED:
      if (!cli_parse_int("--seed", optarg, 0, 2147483647L, &v))
        return EXIT_USAGE;
      o.seed = (uint64_t)v;
      break;
    case 'j':
      if (!cli_parse_int("--threads", optarg, 1, 256, &v))
        return EXIT_USAGE;
      o.threads = (int)v;
      break;
    case OPT_OOS: o.oos_label = optarg; break;
    case OPT_THRESHOLD:
      if (!cli_parse_double("--threshold", optarg, 0, 1, &o.threshold))
        return EXIT_USAGE;
      break;
    case OPT_SKIP_BAD: in.skip_bad = true; break;
    case 'q': quiet = true; break;
    case 'h': usage(stdout); return EXIT_OK;
    case ':':
      return cli_usage_error("train", "option '%s' needs a value",
                             argv[optind - 1]);
    default:
      return cli_usage_error("train", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind >= argc)
    return cli_usage_error("train", "no training FILE given");
  if (!output)
    return cli_usage_error("train", "no model file given (use -o MODEL)");
  if (o.maxn > 0 && o.minn > o.maxn)
    return cli_usage_error("train", "--minn %d is above --maxn %d", o.minn,
                           o.maxn);
  if (in.ropts.format == MAAT_FORMAT_TEXT)
    return cli_usage_error("train", "training needs labels: use csv or jsonl");

  if (maat_dataset_new(&d) || maat_dataset_new(&vd)) {
    cli_error_rc(MAAT_ENOMEM, NULL);
    goto out;
  }
  for (int i = optind; i < argc; i++)
    if (!cli_read_labelled(&in, argv[i], d))
      goto out;
  if (valid_path) {
    if (!cli_read_labelled(&in, valid_path, vd))
      goto out;
    o.valid = vd;
  }
  if (in.skip_bad)
    fprintf(stderr, "maat: skipped %zu bad record%s\n", in.skipped,
            in.skipped == 1 ? "" : "s");

  cli_progress_start(&prog, "training");
  if (!quiet) {
    o.progress = on_progress;
    o.progress_userdata = &prog;
  }
  t0 = cli_now();
  rc = maat_model_train(d, &o, &m, &rep);
  secs = cli_now() - t0;
  if (!quiet)
    cli_progress_done(&prog);
  if (rc) {
    cli_error_rc(rc, "cannot train");
    goto out;
  }
  rc = maat_model_save(m, output);
  if (rc) {
    cli_error_rc(rc, NULL);
    goto out;
  }
  if (!quiet) {
    printf("trained on %zu messages, %zu labels, %zu feature rows in %.2f s"
           " (%d epochs, last epoch loss %.4f)\n",
           rep.n_train, rep.n_labels, rep.n_rows, secs, o.epochs,
           rep.train_loss);
    if (rep.n_valid) {
      printf("validation: %zu messages, accuracy %.4f, ECE %.4f before and "
             "%.4f after calibration (temperature %.3f)\n",
             rep.n_valid, rep.valid_accuracy, rep.ece_before, rep.ece_after,
             rep.temperature);
      if (rep.valid_unknown)
        printf("validation: %zu messages have a label not seen in training\n",
               rep.valid_unknown);
    } else {
      printf("validation: none (temperature 1, no calibration)\n");
    }
    if (maat_model_label_index(m, maat_model_oos_label(m)) >= 0)
      printf("out-of-scope: label '%s', threshold %.4f\n",
             maat_model_oos_label(m), rep.threshold);
    else
      printf("out-of-scope: no '%s' class, threshold %.4f", 
             maat_model_oos_label(m), rep.threshold);
    if (maat_model_label_index(m, maat_model_oos_label(m)) < 0 &&
        rep.threshold_kept > 0)
      printf(" (keeps %.0f %% of the in-scope validation messages)",
             100 * rep.threshold_kept);
    if (maat_model_label_index(m, maat_model_oos_label(m)) < 0)
      printf("\n");
    {
      /* What a person answers by default (docs/triage.md). */
      size_t ns = 0;
      for (size_t i = 0; i < maat_model_label_count(m); i++)
        if (maat_model_label_sensitive(m, i)) {
          printf("%s%s (%s)", ns++ ? ", " : "sensitive, a person answers: ",
                 maat_model_label(m, i),
                 maat_sensitive_name(maat_model_label_sensitive(m, i)));
        }
      printf(ns ? "\n" : "sensitive: none found\n");
    }
    printf("wrote %s\n", output);
  }
  status = EXIT_OK;
out:
  maat_model_free(m);
  maat_dataset_free(d);
  maat_dataset_free(vd);
  return status;
}

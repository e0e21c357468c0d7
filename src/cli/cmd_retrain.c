/*
 * cmd_retrain.c - 'maat retrain' (a new model from the base data plus the
 * approved corrections, promoted only when not worse on held-out data)
 * and 'maat models' (the registry: list, put a version back in use,
 * register a model trained outside the loop). docs/learning.md.
 */
#include "cli_labelled.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void retrain_usage(FILE *f)
{
  fprintf(f,
    "Usage: maat retrain --db DB [OPTIONS] BASE...\n"
    "\n"
    "Trains a new intent (or tone) model on the labelled BASE files (CSV or\n"
    "JSON Lines, as for 'maat train') plus every approved correction of\n"
    "that kind in the store, measures it and the model in use on the same\n"
    "held-out set, and registers it. It is promoted (put in use; running\n"
    "servers pick it up within seconds) only when its held-out accuracy is\n"
    "not worse than the one in use; otherwise it is kept as refused, with\n"
    "the figures. 'maat models' lists the registry and puts a version back.\n"
    "\n"
    "Options:\n"
    "      --db DB            the store (sqlite:PATH, a path)\n"
    "  -k, --kind KIND        intent (default) or tone\n"
    "      --holdout FILE     the held-out set (default: every tenth BASE\n"
    "                         message, never trained on)\n"
    "      --models DIR       where model files go (default: DB.models)\n"
    "      --tolerance X      promote when accuracy >= in use - X (default 0)\n"
    "      --no-promote       register as a candidate only\n"
    "  -e, --epochs N         passes over the data (default 10)\n"
    "      --bits N           hash space 2^N, 10..24 (default 20)\n"
    "      --seed N           seed (default 1)\n"
    "      --json             print the result as one JSON object\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit status: 0 trained and registered (promoted or not), 1 failure,\n"
    "2 usage error.\n");
}

/* Beside an SQLite file; for a database server, "maat-models" here. */
static void default_dir(const char *db, char *out, size_t size)
{
  const char *p = !strncmp(db, "sqlite:", 7) ? db + 7 : db;
  if (strstr(p, "://"))
    snprintf(out, size, "maat-models");
  else
    snprintf(out, size, "%s.models", p);
}

int cmd_retrain(int argc, char **argv)
{
  enum { OPT_DB = 256, OPT_HOLD, OPT_DIR, OPT_TOL, OPT_NOPROM, OPT_BITS,
         OPT_SEED, OPT_JSON };
  static const struct option opts[] = {
    { "db", required_argument, NULL, OPT_DB },
    { "kind", required_argument, NULL, 'k' },
    { "holdout", required_argument, NULL, OPT_HOLD },
    { "models", required_argument, NULL, OPT_DIR },
    { "tolerance", required_argument, NULL, OPT_TOL },
    { "no-promote", no_argument, NULL, OPT_NOPROM },
    { "epochs", required_argument, NULL, 'e' },
    { "bits", required_argument, NULL, OPT_BITS },
    { "seed", required_argument, NULL, OPT_SEED },
    { "json", no_argument, NULL, OPT_JSON },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct cli_input in = { MAAT_READER_OPTS_INIT, false, 0 };
  struct maat_retrain_opts o;
  struct maat_retrain_report r;
  maat_train_opts t = MAAT_TRAIN_OPTS_INIT;
  const char *db = NULL, *hold = NULL, *dir = NULL;
  maat_dataset *base = NULL, *held = NULL;
  maat_store *st = NULL;
  char dirbuf[512];
  int c, json = 0, ret = EXIT_FAIL, rc;
  long v;
  double x;

  memset(&o, 0, sizeof o);
  o.kind = "intent";
  optind = 1;
  while ((c = getopt_long(argc, argv, "k:e:h", opts, NULL)) != -1) {
    switch (c) {
    case OPT_DB: db = optarg; break;
    case 'k':
      if (strcmp(optarg, "intent") && strcmp(optarg, "tone"))
        return cli_usage_error("retrain", "--kind: intent or tone");
      o.kind = optarg;
      break;
    case OPT_HOLD: hold = optarg; break;
    case OPT_DIR: dir = optarg; break;
    case OPT_TOL:
      if (!cli_parse_double("--tolerance", optarg, 0, 1, &x))
        return EXIT_USAGE;
      o.tolerance = x;
      break;
    case OPT_NOPROM: o.no_promote = 1; break;
    case 'e':
      if (!cli_parse_int("--epochs", optarg, 1, 1000, &v))
        return EXIT_USAGE;
      t.epochs = (int)v;
      break;
    case OPT_BITS:
      if (!cli_parse_int("--bits", optarg, 10, 24, &v))
        return EXIT_USAGE;
      t.hash_bits = (int)v;
      break;
    case OPT_SEED:
      if (!cli_parse_int("--seed", optarg, 0, 1L << 30, &v))
        return EXIT_USAGE;
      t.seed = (uint64_t)v;
      break;
    case OPT_JSON: json = 1; break;
    case 'h': retrain_usage(stdout); return EXIT_OK;
    default:
      return cli_usage_error("retrain", "unknown option '%s'",
                             argv[optind - 1]);
    }
  }
  if (!db)
    return cli_usage_error("retrain", "no store given (--db DB)");
  if (optind >= argc)
    return cli_usage_error("retrain", "no BASE file given");
  if (!dir) {
    default_dir(db, dirbuf, sizeof dirbuf);
    dir = dirbuf;
  }
  if (maat_dataset_new(&base) || (hold && maat_dataset_new(&held))) {
    cli_error_rc(MAAT_ENOMEM, NULL);
    goto out;
  }
  for (int i = optind; i < argc; i++)
    if (!cli_read_labelled(&in, argv[i], base))
      goto out;
  if (hold && !cli_read_labelled(&in, hold, held))
    goto out;
  if ((rc = maat_store_open(&st, db))) {
    cli_error_rc(rc, "retrain");
    goto out;
  }
  {
    /* What the model was made from, for the registry. */
    FILE *mf;
    char *buf = NULL;
    size_t len = 0;
    mf = open_memstream(&buf, &len);
    if (!mf) {
      cli_error_rc(MAAT_ENOMEM, NULL);
      goto out;
    }
    fputs("{\"files\":[", mf);
    for (int i = optind; i < argc; i++) {
      if (i > optind)
        fputc(',', mf);
      cli_json_string(mf, argv[i], strlen(argv[i]));
    }
    fprintf(mf, "],\"messages\":%zu}", maat_dataset_count(base));
    fclose(mf);
    o.base = base;
    o.holdout = held;
    o.train = t;
    o.dir = dir;
    o.data = buf;
    if (!json)
      fprintf(stderr, "retrain: %zu base messages, training...\n",
              maat_dataset_count(base));
    rc = maat_retrain(st, &o, &r);
    free(buf);
  }
  if (rc) {
    cli_error_rc(rc, "retrain");
    goto out;
  }
  if (json) {
    printf("{\"version\":%lld,\"kind\":\"%s\",\"promoted\":%s,"
           "\"in_use_before\":%lld,\"examples\":%zu,\"corrections\":%zu,"
           "\"holdout\":%zu,\"accuracy\":%.4f,\"macro_f1\":%.4f,",
           (long long)r.version, o.kind, r.promoted ? "true" : "false",
           (long long)r.current, r.examples, r.corrections, r.holdout,
           r.accuracy, r.macro_f1);
    if (r.current)
      printf("\"in_use_accuracy\":%.4f,\"in_use_macro_f1\":%.4f,",
             r.cur_accuracy, r.cur_macro_f1);
    printf("\"path\":");
    cli_json_string(stdout, r.path, strlen(r.path));
    printf(",\"decision\":");
    cli_json_string(stdout, r.decision, strlen(r.decision));
    printf("}\n");
  } else {
    printf("%s model version %lld: %zu messages (%zu from approved "
           "corrections), held out %zu\n", o.kind, (long long)r.version,
           r.examples, r.corrections, r.holdout);
    printf("held-out accuracy %.4f, macro-F1 %.4f", r.accuracy, r.macro_f1);
    if (r.current)
      printf("; in use (version %lld): %.4f, %.4f", (long long)r.current,
             r.cur_accuracy, r.cur_macro_f1);
    printf("\n%s\n", r.decision);
  }
  ret = EXIT_OK;
out:
  maat_store_close(st);
  maat_dataset_free(base);
  maat_dataset_free(held);
  return ret;
}

static void models_usage(FILE *f)
{
  fprintf(f,
    "Usage: maat models --db DB [list]\n"
    "       maat models --db DB use VERSION [--by WHO]\n"
    "       maat models --db DB register MODEL [--kind KIND] [--models DIR]\n"
    "\n"
    "The model registry: every model 'maat retrain' made, with what it was\n"
    "trained on, its held-out figures and why it was promoted or refused.\n"
    "'use' puts any version back in use (a rollback, or a refused model a\n"
    "person chooses); running servers pick it up within seconds.\n"
    "'register' makes a model trained with 'maat train' the one in use.\n"
    "\n"
    "Options:\n"
    "      --db DB        the store\n"
    "  -k, --kind KIND    intent (default) or tone\n"
    "      --models DIR   where model files go (default: DB.models)\n"
    "      --by WHO       who puts it back, for the record\n"
    "      --json         'list' as JSON Lines\n"
    "  -h, --help         show this help\n");
}

struct listing {
  int json;
  int64_t in_use;
};

static int print_model(void *ctx, const struct maat_store_model *m)
{
  struct listing *l = ctx;
  const char *state = m->state == MAAT_MODEL_PROMOTED ? "promoted"
                      : m->state == MAAT_MODEL_REFUSED ? "refused"
                                                       : "candidate";

  if (l->json) {
    printf("{\"version\":%lld,\"kind\":\"%s\",\"t\":%.3f,\"state\":\"%s\","
           "\"in_use\":%s,\"path\":", (long long)m->version, m->kind, m->t,
           state, m->version == l->in_use ? "true" : "false");
    cli_json_string(stdout, m->path, strlen(m->path));
    printf(",\"sha256\":\"%s\",\"data\":%s,\"metrics\":%s,\"decision\":",
           m->sha256, m->data[0] ? m->data : "null",
           m->metrics[0] ? m->metrics : "null");
    cli_json_string(stdout, m->decision, strlen(m->decision));
    printf("}\n");
  } else {
    printf("%c %4lld  %-6s %-9s %s\n", m->version == l->in_use ? '*' : ' ',
           (long long)m->version, m->kind, state, m->decision);
  }
  return 0;
}

int cmd_models(int argc, char **argv)
{
  enum { OPT_DB = 256, OPT_DIR, OPT_BY, OPT_JSON };
  static const struct option opts[] = {
    { "db", required_argument, NULL, OPT_DB },
    { "kind", required_argument, NULL, 'k' },
    { "models", required_argument, NULL, OPT_DIR },
    { "by", required_argument, NULL, OPT_BY },
    { "json", no_argument, NULL, OPT_JSON },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *db = NULL, *kind = "intent", *dir = NULL, *by = NULL, *verb;
  maat_store *st = NULL;
  char dirbuf[512];
  int c, json = 0, rc, ret = EXIT_FAIL;

  optind = 1;
  while ((c = getopt_long(argc, argv, "k:h", opts, NULL)) != -1) {
    switch (c) {
    case OPT_DB: db = optarg; break;
    case 'k':
      if (strcmp(optarg, "intent") && strcmp(optarg, "tone"))
        return cli_usage_error("models", "--kind: intent or tone");
      kind = optarg;
      break;
    case OPT_DIR: dir = optarg; break;
    case OPT_BY: by = optarg; break;
    case OPT_JSON: json = 1; break;
    case 'h': models_usage(stdout); return EXIT_OK;
    default:
      return cli_usage_error("models", "unknown option '%s'",
                             argv[optind - 1]);
    }
  }
  if (!db)
    return cli_usage_error("models", "no store given (--db DB)");
  verb = optind < argc ? argv[optind] : "list";
  if (strcmp(verb, "list") && strcmp(verb, "use") && strcmp(verb, "register"))
    return cli_usage_error("models", "'%s'? list, use or register", verb);
  if (strcmp(verb, "list") && optind + 2 != argc)
    return cli_usage_error("models", "%s takes one argument", verb);
  if (!dir) {
    default_dir(db, dirbuf, sizeof dirbuf);
    dir = dirbuf;
  }
  if ((rc = maat_store_open(&st, db))) {
    cli_error_rc(rc, "models");
    return EXIT_FAIL;
  }
  if (!strcmp(verb, "list")) {
    struct listing l = { json, 0 };
    rc = maat_model_current(st, kind, &l.in_use, NULL);
    if (rc && rc != MAAT_ENOTFOUND) {
      cli_error_rc(rc, "models");
      goto out;
    }
    if ((rc = maat_store_models(st, kind, print_model, &l))) {
      cli_error_rc(rc, "models");
      goto out;
    }
  } else if (!strcmp(verb, "use")) {
    long v;
    if (!cli_parse_int("VERSION", argv[optind + 1], 1, 1L << 40, &v)) {
      ret = EXIT_USAGE;
      goto out;
    }
    if ((rc = maat_model_rollback(st, kind, v, by))) {
      cli_error_rc(rc, "models use");
      goto out;
    }
    printf("%s model version %ld is in use\n", kind, v);
  } else {
    int64_t v;
    if ((rc = maat_model_register(st, kind, argv[optind + 1], dir, &v))) {
      cli_error_rc(rc, "models register");
      goto out;
    }
    printf("%s model version %lld registered and in use\n", kind,
           (long long)v);
  }
  ret = EXIT_OK;
out:
  maat_store_close(st);
  return ret;
}

static void corrections_usage(FILE *f)
{
  fprintf(f,
    "Usage: maat corrections --db DB [list] [--state STATE]\n"
    "       maat corrections --db DB approve|dismiss ID\n"
    "       maat corrections --db DB import [--approve] FILE|-\n"
    "\n"
    "The review queue of people's corrections (made in the pages or with\n"
    "POST /v1/contacts/ID/corrections). 'import' reads intent corrections\n"
    "as JSON Lines {\"text\", \"value\"} (the right intent), e.g. labels\n"
    "corrected in a helpdesk; the text is kept with its personal data\n"
    "replaced, and a bad line adds nothing. With --approve they\n"
    "are approved at once (a reviewer's batch). Only approved corrections\n"
    "are learnt from ('maat retrain').\n"
    "\n"
    "Options:\n"
    "      --db DB          the store\n"
    "      --state STATE    open (default), approved, dismissed or all\n"
    "      --approve        import as approved\n"
    "      --by WHO         who reviews, for the record (default: cli)\n"
    "  -h, --help           show this help\n");
}

static int print_correction(void *ctx, const struct maat_store_correction *k)
{
  (void)ctx;
  printf("{\"id\":%lld,\"t\":%.3f,\"contact\":", (long long)k->id, k->t);
  cli_json_string(stdout, k->contact, strlen(k->contact));
  printf(",\"field\":\"%s\",\"was\":", k->field);
  cli_json_string(stdout, k->was, strlen(k->was));
  printf(",\"value\":");
  cli_json_string(stdout, k->value, strlen(k->value));
  printf(",\"state\":\"%s\",\"by\":",
         k->state == MAAT_CORRECTION_APPROVED ? "approved"
         : k->state == MAAT_CORRECTION_DISMISSED ? "dismissed" : "open");
  cli_json_string(stdout, k->by, strlen(k->by));
  printf(",\"override\":%s,\"reason\":", k->override ? "true" : "false");
  cli_json_string(stdout, k->reason, strlen(k->reason));
  printf("}\n");
  return 0;
}

int cmd_corrections(int argc, char **argv)
{
  enum { OPT_DB = 256, OPT_STATE, OPT_APPROVE, OPT_BY };
  static const struct option opts[] = {
    { "db", required_argument, NULL, OPT_DB },
    { "state", required_argument, NULL, OPT_STATE },
    { "approve", no_argument, NULL, OPT_APPROVE },
    { "by", required_argument, NULL, OPT_BY },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *db = NULL, *verb, *by = "cli";
  int c, rc, state = MAAT_CORRECTION_OPEN, approve = 0, learnt = 0;
  int ret = EXIT_FAIL;
  maat_store *st = NULL;

  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case OPT_DB: db = optarg; break;
    case OPT_STATE:
      state = !strcmp(optarg, "open") ? MAAT_CORRECTION_OPEN
              : !strcmp(optarg, "approved") ? MAAT_CORRECTION_APPROVED
              : !strcmp(optarg, "dismissed") ? MAAT_CORRECTION_DISMISSED
              : !strcmp(optarg, "all") ? -1 : -2;
      if (state == -2)
        return cli_usage_error("corrections", "--state: open, approved, "
                               "dismissed or all");
      break;
    case OPT_APPROVE: approve = 1; break;
    case OPT_BY: by = optarg; break;
    case 'h': corrections_usage(stdout); return EXIT_OK;
    default:
      return cli_usage_error("corrections", "unknown option '%s'",
                             argv[optind - 1]);
    }
  }
  if (!db)
    return cli_usage_error("corrections", "no store given (--db DB)");
  verb = optind < argc ? argv[optind] : "list";
  if (strcmp(verb, "list") && strcmp(verb, "approve") &&
      strcmp(verb, "dismiss") && strcmp(verb, "import"))
    return cli_usage_error("corrections", "'%s'? list, approve, dismiss or "
                           "import", verb);
  if (strcmp(verb, "list") && optind + 2 != argc)
    return cli_usage_error("corrections", "%s takes one argument", verb);
  if ((rc = maat_store_open(&st, db))) {
    cli_error_rc(rc, "corrections");
    return EXIT_FAIL;
  }
  if (!strcmp(verb, "list")) {
    if ((rc = maat_store_corrections(st, state, print_correction, NULL))) {
      cli_error_rc(rc, "corrections");
      goto out;
    }
  } else if (!strcmp(verb, "import")) {
    maat_reader_opts ro = MAAT_READER_OPTS_INIT;
    maat_reader *r = NULL;
    maat_record rec;
    const char *path = argv[optind + 1];
    long line = 0, n = 0;
    ro.format = MAAT_FORMAT_JSONL;
    ro.label_field = "value";
    ro.require_label = 1;
    if ((rc = maat_reader_open(path, &ro, &r))) {
      cli_error_rc(rc, "corrections import");
      goto out;
    }
    /* One transaction: an import with a bad line adds nothing. */
    if ((rc = maat_store_begin(st))) {
      maat_reader_close(r);
      cli_error_rc(rc, "corrections import");
      goto out;
    }
    while ((rc = maat_reader_next(r, &rec)) == MAAT_OK) {
      struct maat_store_correction k;
      char *clean = NULL, id[32];
      int64_t cid;
      line++;
      memset(&k, 0, sizeof k);
      snprintf(id, sizeof id, "import-%ld", line);
      if ((rc = maat_pii_redact(rec.text, rec.text_len, &clean, NULL)))
        break;
      k.t = maat_wall_now();
      k.contact = id;
      k.field = "intent";
      k.value = rec.label;
      k.was = "";
      k.reason = "imported";
      k.by = by;
      k.text = clean;
      k.lang = "";
      k.rule = "";
      k.intent = "";
      if (approve) {
        k.state = MAAT_CORRECTION_APPROVED;
        k.reviewed_by = by;
        k.reviewed_at = k.t;
      }
      rc = maat_store_correction_add(st, &k, &cid);
      maat_free(clean);
      if (rc)
        break;
      n++;
    }
    if (rc != MAAT_EOF) {
      /* The reader's message names the file and line. */
      cli_error("corrections import: %s; nothing imported", maat_errmsg());
      maat_store_rollback(st);
      maat_reader_close(r);
      goto out;
    }
    maat_reader_close(r);
    if ((rc = maat_store_commit(st))) {
      cli_error_rc(rc, "corrections import");
      goto out;
    }
    printf("%ld corrections imported%s\n", n, approve ? ", approved" : "");
  } else {
    long v;
    if (!cli_parse_int("ID", argv[optind + 1], 1, 1L << 40, &v)) {
      ret = EXIT_USAGE;
      goto out;
    }
    rc = maat_store_correction_review(st, v, !strcmp(verb, "approve")
                                                 ? MAAT_CORRECTION_APPROVED
                                                 : MAAT_CORRECTION_DISMISSED,
                                      by, maat_wall_now());
    if (rc) {
      cli_error_rc(rc, "corrections");
      goto out;
    }
    /* An approved "the bot's answer was right" joins the knowledge base's
     * history. */
    if (!strcmp(verb, "approve") &&
        (rc = maat_kb_learn_correction(st, v, maat_wall_now(), &learnt))) {
      cli_error_rc(rc, "corrections: approved, but not learnt by the "
                       "knowledge base");
      goto out;
    }
    printf("correction %ld %s%s\n", v,
           !strcmp(verb, "approve") ? "approved" : "dismissed",
           learnt ? "; its question joins the knowledge base's history" : "");
  }
  ret = EXIT_OK;
out:
  maat_store_close(st);
  return ret;
}

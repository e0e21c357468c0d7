/*
 * cmd_triage.c - 'maat triage': streams messages and writes, per message,
 * its language, intent, tone, urgency, tier, priority and the reasons, as a
 * JSON line or (--explain) for a person.
 */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
  fprintf(f,
    "Usage: maat triage [OPTIONS] [FILE|-]\n"
    "\n"
    "Triages customer messages: language, intent (with --intent-model),\n"
    "tone (neutral, positive, frustrated, angry, distressed) with its\n"
    "intensity, urgency, complexity, whether the bot can answer, and the\n"
    "tier (T1 the bot, T2 a specialist, T3 an experienced person) with a\n"
    "priority 0..3 and the reasons. Reads plain lines, CSV or JSON Lines with\n"
    "a 'text' field and optionally 'id', 'customer', 'channel', 'ts' and\n"
    "'history' (earlier messages, an array of strings); writes one JSON line\n"
    "per message.\n"
    "\n"
    "Hard rules (on by default; see --config): a frustrated, angry or\n"
    "distressed customer never gets the bot; nor does an out-of-scope or\n"
    "low-confidence message, a second contact about the same issue, or a\n"
    "critical one; a critical message gets priority 3 whatever its tier.\n"
    "\n"
    "Options:\n"
    "  -m, --intent-model M   the organisation's intent model ('maat train');\n"
    "                         without it nothing goes to the bot\n"
    "  -c, --config FILE      triage configuration (docs/triage-config.md):\n"
    "                         bot-answerable intents, thresholds, rules\n"
    "      --tone-model M     the English tone model (default: $MAAT_TONE_MODEL,\n"
    "                         else the shipped models/tone.model)\n"
    "      --no-tone-model    tone from the cue lexicon alone\n"
    "  -e, --explain          print each result for a person, not JSON\n"
    "  -f, --format FMT       auto, text, csv or jsonl (default: by extension;\n"
    "                         plain lines otherwise)\n"
    "      --text-col NAME    the text column or key (default: text)\n"
    "      --skip-bad         skip malformed records, print how many\n"
    "  -h, --help             show this help\n"
    "\n"
    "Example: echo 'Dit is belachelijk, al drie keer gebeld!' | maat triage\n"
    "Exit status: 0 success, 1 failure (a malformed record names its line),\n"
    "2 usage error.\n");
}

/* Parses a 'history' field: a JSON array of strings (or one string). */
static int parse_history(const char *field, json_t **root,
                         const char **items, size_t cap, size_t *n)
{
  json_error_t err;
  size_t i;
  json_t *v;

  *n = 0;
  *root = json_loads(field, 0, &err);
  if (!*root) {
    /* A plain string (CSV): one earlier message. */
    items[(*n)++] = field;
    return 0;
  }
  if (!json_is_array(*root))
    return -1;
  json_array_foreach(*root, i, v) {
    if (!json_is_string(v))
      return -1;
    if (*n < cap)
      items[(*n)++] = json_string_value(v);
  }
  return 0;
}

static void put_json(FILE *f, const char *id, size_t line,
                     const char *channel, const struct maat_triage *r)
{
  fputs("{\"id\":", f);
  if (id)
    cli_json_string(f, id, strlen(id));
  else
    fprintf(f, "%zu", line);
  if (channel) {
    fputs(",\"channel\":", f);
    cli_json_string(f, channel, strlen(channel));
  }
  fprintf(f, ",\"lang\":\"%s\",\"intent\":", maat_lang_name(r->lang));
  if (r->intent[0])
    cli_json_string(f, r->intent, strlen(r->intent));
  else
    fputs("null", f);
  fprintf(f, ",\"intent_confidence\":%.4f,\"out_of_scope\":%s,"
          "\"bot_can_answer\":%s,\"tone\":\"%s\",\"tone_intensity\":%.4f,"
          "\"urgency\":%.4f,\"critical\":%s,\"critical_kind\":%s%s%s,"
          "\"complexity\":%.4f,"
          "\"repeat\":%s,\"tier\":\"%s\",\"priority\":%d,\"reasons\":[",
          r->intent_confidence, r->out_of_scope ? "true" : "false",
          r->bot_can_answer ? "true" : "false", maat_tone_name(r->tone),
          r->tone_intensity, r->urgency, r->critical ? "true" : "false",
          r->critical_kind ? "\"" : "",
          r->critical_kind ? maat_critical_kind_name(r->critical_kind)
                           : "null",
          r->critical_kind ? "\"" : "", r->complexity, r->repeat ? "true" : "false",
          maat_tier_name(r->tier), r->priority);
  for (size_t i = 0; i < r->nreasons; i++) {
    if (i)
      fputc(',', f);
    cli_json_string(f, r->reasons[i], strlen(r->reasons[i]));
  }
  fputs("]}\n", f);
}

static void put_explain(FILE *f, const char *id, size_t line,
                        const char *text, size_t len,
                        const struct maat_triage *r)
{
  if (id)
    fprintf(f, "%s", id);
  else
    fprintf(f, "line %zu", line);
  fprintf(f, ": %s, priority %d  [%s]\n  \"%.*s%s\"\n",
          maat_tier_name(r->tier), r->priority, maat_lang_name(r->lang),
          len > 200 ? 200 : (int)len, text, len > 200 ? "..." : "");
  if (r->intent[0])
    fprintf(f, "  intent %s %.2f%s%s\n", r->intent, r->intent_confidence,
            r->out_of_scope ? " (out of scope)" : "",
            r->bot_can_answer ? " (the bot can answer)" : "");
  fprintf(f, "  tone %s %.2f, urgency %.2f%s%s%s%s, complexity %.2f%s\n",
          maat_tone_name(r->tone), r->tone_intensity, r->urgency,
          r->critical ? " (critical" : "",
          r->critical_kind ? ": " : "",
          r->critical ? (r->critical_kind
                             ? maat_critical_kind_name(r->critical_kind)
                             : "") : "",
          r->critical ? ")" : "", r->complexity,
          r->repeat ? ", repeat contact" : "");
  for (size_t i = 0; i < r->nreasons; i++)
    fprintf(f, "  - %s\n", r->reasons[i]);
  fputc('\n', f);
}

enum { OPT_TEXT_COL = 256, OPT_SKIP_BAD, OPT_TONE_MODEL, OPT_NO_TONE };

int cmd_triage(int argc, char **argv)
{
  static const struct option longopts[] = {
    { "intent-model", required_argument, NULL, 'm' },
    { "config", required_argument, NULL, 'c' },
    { "tone-model", required_argument, NULL, OPT_TONE_MODEL },
    { "no-tone-model", no_argument, NULL, OPT_NO_TONE },
    { "explain", no_argument, NULL, 'e' },
    { "format", required_argument, NULL, 'f' },
    { "text-col", required_argument, NULL, OPT_TEXT_COL },
    { "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  maat_reader_opts ro = MAAT_READER_OPTS_INIT;
  const char *intent_path = NULL, *config_path = NULL, *tone_path = NULL;
  const char *path = "-";
  int no_tone = 0, explain = 0, skip_bad = 0, c, rc, status = EXIT_FAIL;
  size_t skipped = 0;
  maat_model *intent = NULL, *tone = NULL;
  maat_triage_config *cfg = NULL;
  maat_triager *tri = NULL;
  maat_reader *r = NULL;
  char *outbuf = NULL;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":m:c:ef:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'm': intent_path = optarg; break;
    case 'c': config_path = optarg; break;
    case OPT_TONE_MODEL: tone_path = optarg; break;
    case OPT_NO_TONE: no_tone = 1; break;
    case 'e': explain = 1; break;
    case 'f':
      if (maat_format_parse(optarg, &ro.format) != MAAT_OK)
        return cli_usage_error("triage", "unknown format '%s' (expected "
                               "auto, text, csv or jsonl)", optarg);
      break;
    case OPT_TEXT_COL: ro.text_field = optarg; break;
    case OPT_SKIP_BAD: skip_bad = 1; break;
    case 'h': usage(stdout); return EXIT_OK;
    case ':':
      return cli_usage_error("triage", "option '%s' needs a value",
                             argv[optind - 1]);
    default:
      return cli_usage_error("triage", "unknown option '%s'",
                             argv[optind - 1]);
    }
  }
  if (optind < argc)
    path = argv[optind++];
  if (optind < argc)
    return cli_usage_error("triage", "one input at a time, got '%s' too",
                           argv[optind]);
  if (no_tone && tone_path)
    return cli_usage_error("triage", "--tone-model and --no-tone-model "
                           "contradict each other");
  cli_messages_format(path, &ro);

  rc = config_path ? maat_triage_config_load(&cfg, config_path)
                   : maat_triage_config_default(&cfg);
  if (rc) {
    cli_error_rc(rc, "triage");
    goto out;
  }
  if (intent_path && (rc = maat_model_load(intent_path, &intent))) {
    cli_error_rc(rc, "triage: intent model");
    goto out;
  }
  if (!no_tone && !tone_path)
    tone_path = cli_find_tone_model();
  if (tone_path && (rc = maat_model_load(tone_path, &tone))) {
    cli_error_rc(rc, "triage: tone model");
    goto out;
  }
  if (!no_tone && !tone)
    fprintf(stderr, "maat: triage: no tone model found (run 'make models' "
            "or set MAAT_TONE_MODEL); tone comes from the lexicon alone\n");
  rc = maat_triager_new(&tri, cfg, intent, tone);
  if (rc) {
    cli_error_rc(rc, "triage");
    goto out;
  }
  rc = maat_reader_open(path, &ro, &r);
  if (rc) {
    cli_error_rc(rc, "triage");
    goto out;
  }
  outbuf = malloc(1 << 18);
  if (outbuf)
    setvbuf(stdout, outbuf, _IOFBF, 1 << 18);
  for (;;) {
    maat_record rec;
    struct maat_triage_input in = { 0 };
    struct maat_triage res;
    const char *f, *hist[32];
    char id[MAAT_ID_MAX + 1], customer[MAAT_ID_MAX + 1];
    char channel[MAAT_ID_MAX + 1];
    int has_id = 0, has_channel = 0;
    json_t *hroot = NULL;

    rc = maat_reader_next(r, &rec);
    if (rc == MAAT_EOF)
      break;
    if (rc == MAAT_EPARSE || rc == MAAT_EUTF8) {
      if (skip_bad) {
        skipped++;
        continue;
      }
      cli_error_rc(rc, "triage");
      goto out;
    }
    if (rc) {
      cli_error_rc(rc, "triage");
      goto out;
    }
    in.text = rec.text;
    in.len = rec.text_len;
    in.ts = -1;
    /* Copy each field out at once: the reader reuses its scratch space. */
    if ((f = maat_reader_field(r, "id")) && *f) {
      snprintf(id, sizeof id, "%s", f);
      has_id = 1;
    }
    if ((f = maat_reader_field(r, "customer")) && *f) {
      snprintf(customer, sizeof customer, "%s", f);
      in.customer = customer;
    }
    if ((f = maat_reader_field(r, "channel")) && *f) {
      snprintf(channel, sizeof channel, "%s", f);
      has_channel = 1;
    }
    if ((f = maat_reader_field(r, "ts")) && *f) {
      char *end;
      in.ts = strtod(f, &end);
      if (*end || in.ts < 0) {
        if (skip_bad) {
          skipped++;
          continue;
        }
        cli_error("triage: %s:%zu: field 'ts': expected seconds (a number "
                  ">= 0), got '%.40s'", path, rec.line, f);
        goto out;
      }
    }
    if ((f = maat_reader_field(r, "history")) && *f &&
        parse_history(f, &hroot, hist, 32, &in.nhistory)) {
      json_decref(hroot);
      if (skip_bad) {
        skipped++;
        continue;
      }
      cli_error("triage: %s:%zu: field 'history': expected an array of "
                "strings", path, rec.line);
      goto out;
    }
    in.history = hist;
    rc = maat_triage_run(tri, &in, &res);
    json_decref(hroot);
    if (rc) {
      if (skip_bad && rc == MAAT_EUTF8) {
        skipped++;
        continue;
      }
      cli_error("triage: %s:%zu: %s", path, rec.line, maat_errmsg());
      goto out;
    }
    if (explain)
      put_explain(stdout, has_id ? id : NULL, rec.line, rec.text,
                  rec.text_len, &res);
    else
      put_json(stdout, has_id ? id : NULL, rec.line,
               has_channel ? channel : NULL, &res);
  }
  if (skipped)
    fprintf(stderr, "maat: triage: skipped %zu malformed record%s\n",
            skipped, skipped == 1 ? "" : "s");
  status = EXIT_OK;
out:
  if (fflush(stdout) != 0 && status == EXIT_OK) {
    cli_error("triage: cannot write the output");
    status = EXIT_FAIL;
  }
  maat_reader_close(r);
  maat_triager_free(tri);
  maat_triage_config_free(cfg);
  maat_model_free(intent);
  maat_model_free(tone);
  setvbuf(stdout, NULL, _IONBF, 0);
  free(outbuf);
  return status;
}

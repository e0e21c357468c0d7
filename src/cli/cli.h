/*
 * cli.h - what the maat command's subcommands share: exit codes, error
 * printing, a progress bar for terminals, and a fast JSON writer for the
 * streaming outputs. The CLI uses only the public API (maat.h).
 */
#ifndef MAAT_CLI_H
#define MAAT_CLI_H

#include "maat.h"

#include <stdbool.h>
#include <stdio.h>

/* Exit codes: 0 success, 1 failure (bad input, I/O), 2 usage error. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Subcommands: each returns an exit code. */
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_route(int argc, char **argv);
int cmd_erlang(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_triage(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_kb(int argc, char **argv);
int cmd_redact(int argc, char **argv);
int cmd_retrain(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_insight(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_corrections(int argc, char **argv);
int cmd_privacy(int argc, char **argv);
int cmd_store(int argc, char **argv);
/* The router's modes of 'maat gen' (--team N, --events): cmd_gen_route.c. */
bool cmd_gen_route_wants(int argc, char **argv);
bool cmd_gen_history_wants(int argc, char **argv);
int cmd_gen_history(int argc, char **argv);
void cmd_gen_history_usage(FILE *f);
int cmd_gen_route(int argc, char **argv);
void cmd_gen_route_usage(FILE *f);

/* Prints "maat: <formatted message>\n" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "maat: <context>: <maat_errmsg() or strerror(rc)>\n" to stderr. */
void cli_error_rc(int rc, const char *context);

/* Prints "maat CMD: ...; see 'maat CMD --help'" and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Parses numbers from option arguments strictly (the whole string, in range);
 * on failure prints which option was wrong and returns false.
 */
bool cli_parse_int(const char *opt, const char *arg, long lo, long hi, long *out);
bool cli_parse_double(const char *opt, const char *arg, double lo, double hi,
                      double *out);

/*
 * A progress bar on stderr, drawn only when stderr is a terminal (and the
 * MAAT_NO_PROGRESS environment variable is unset); otherwise a no-op.
 */
struct cli_progress {
  bool enabled;
  const char *label;
  double last_draw;
  double started;
};
void cli_progress_start(struct cli_progress *p, const char *label);
/* 'frac' in [0, 1]; 'detail' (may be NULL) is shown after the bar. */
void cli_progress_update(struct cli_progress *p, double frac, const char *detail);
void cli_progress_done(struct cli_progress *p);

/* Seconds on a monotonic clock. */
double cli_now(void);

/*
 * For streams of messages: with --format auto, plain text unless the file
 * name says CSV or JSON Lines (standard input is plain text).
 */
void cli_messages_format(const char *path, maat_reader_opts *ro);

/*
 * The shipped tone model: $MAAT_TONE_MODEL, else models/tone.model in the
 * source tree this binary was built from, else the installed one; NULL when
 * there is none.
 */
const char *cli_find_tone_model(void);

/*
 * The built web pages (web/dist, from 'make web'): $MAAT_WEB_ROOT, else the
 * source tree's, else the installed ones; NULL when there are none.
 */
const char *cli_find_web_root(void);

/* Writes 's' as one CSV field (RFC 4180: quoted, quotes doubled). */
void cli_csv_field(FILE *f, const char *s);

/* Writes 's' as a JSON string literal (quotes and escapes) to 'f'. */
void cli_json_string(FILE *f, const char *s, size_t len);

#endif /* MAAT_CLI_H */

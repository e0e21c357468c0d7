/*
 * cli_util.c - error printing, strict number parsing, the terminal progress
 * bar and the JSON string writer shared by the subcommands.
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void cli_error(const char *fmt, ...)
{
  va_list ap;
  fputs("maat: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

void cli_error_rc(int rc, const char *context)
{
  const char *msg = maat_errmsg();
  if (!msg || !*msg)
    msg = maat_strerror(rc);
  if (context && *context)
    fprintf(stderr, "maat: %s: %s\n", context, msg);
  else
    fprintf(stderr, "maat: %s\n", msg);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "maat %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nTry 'maat %s --help'.\n", cmd);
  return EXIT_USAGE;
}

bool cli_parse_int(const char *opt, const char *arg, long lo, long hi, long *out)
{
  char *end;
  long v;
  errno = 0;
  v = strtol(arg, &end, 10);
  if (errno || end == arg || *end != '\0' || v < lo || v > hi) {
    cli_error("invalid value '%s' for %s: expected a whole number from %ld to %ld",
              arg, opt, lo, hi);
    return false;
  }
  *out = v;
  return true;
}

bool cli_parse_double(const char *opt, const char *arg, double lo, double hi,
                      double *out)
{
  char *end;
  double v;
  errno = 0;
  v = strtod(arg, &end);
  if (errno || end == arg || *end != '\0' || !isfinite(v) || v < lo || v > hi) {
    cli_error("invalid value '%s' for %s: expected a number from %g to %g",
              arg, opt, lo, hi);
    return false;
  }
  *out = v;
  return true;
}

double cli_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cli_progress_start(struct cli_progress *p, const char *label)
{
  p->enabled = isatty(STDERR_FILENO) && !getenv("MAAT_NO_PROGRESS");
  p->label = label;
  p->started = cli_now();
  p->last_draw = 0;
}

void cli_progress_update(struct cli_progress *p, double frac, const char *detail)
{
  enum { WIDTH = 30 };
  double now;
  int filled;

  if (!p->enabled)
    return;
  now = cli_now();
  /* Redraw at most ten times a second: drawing must not slow the work. */
  if (now - p->last_draw < 0.1 && frac < 1.0)
    return;
  p->last_draw = now;
  if (frac < 0)
    frac = 0;
  if (frac > 1)
    frac = 1;
  filled = (int)(frac * WIDTH);
  fprintf(stderr, "\r%s [", p->label);
  for (int i = 0; i < WIDTH; i++)
    fputc(i < filled ? '#' : '.', stderr);
  fprintf(stderr, "] %3d%% %5.1fs %s\033[K", (int)(frac * 100), now - p->started,
          detail ? detail : "");
  fflush(stderr);
}

void cli_progress_done(struct cli_progress *p)
{
  if (!p->enabled)
    return;
  cli_progress_update(p, 1.0, NULL);
  fputc('\n', stderr);
}

void cli_csv_field(FILE *f, const char *s)
{
  /* RFC 4180: quote every text field, double the quotes inside. */
  putc('"', f);
  for (; s && *s; s++) {
    if (*s == '"')
      putc('"', f);
    putc(*s, f);
  }
  putc('"', f);
}

void cli_json_string(FILE *f, const char *s, size_t len)
{
  char small[1024], *big = NULL;
  size_t n = maat_json_escape(small, sizeof small, s, len);

  putc_unlocked('"', f);
  if (n < sizeof small) {
    fwrite(small, 1, n, f);
  } else if ((big = malloc(n + 1))) {
    maat_json_escape(big, n + 1, s, len);
    fwrite(big, 1, n, f);
    free(big);
  }
  putc_unlocked('"', f);
}

#ifndef MAAT_MODELS_DIR
#define MAAT_MODELS_DIR "models"
#endif
#ifndef MAAT_INSTALLED_MODELS_DIR
#define MAAT_INSTALLED_MODELS_DIR "/usr/local/share/maat/models"
#endif
#ifndef MAAT_WEB_DIR
#define MAAT_WEB_DIR "web/dist"
#endif
#ifndef MAAT_INSTALLED_WEB_DIR
#define MAAT_INSTALLED_WEB_DIR "/usr/local/share/maat/web"
#endif

/*
 * Where something maat ships is: $ENV when set ('env' may be NULL), else
 * the source tree this binary was built from, else the installed copy: the
 * first directory that holds 'file', or NULL.
 */
static const char *find_shipped(const char *env, const char *built,
                                const char *installed, const char *file)
{
  const char *dirs[2] = { built, installed }, *e = env ? getenv(env) : NULL;
  char path[4096];

  if (e && *e)
    return e;
  for (size_t i = 0; i < 2; i++) {
    snprintf(path, sizeof path, "%s/%s", dirs[i], file);
    if (access(path, R_OK) == 0)
      return dirs[i];
  }
  return NULL;
}

const char *cli_find_tone_model(void)
{
  static char path[4096];
  const char *env = getenv("MAAT_TONE_MODEL");
  const char *dir;

  if (env && *env)
    return env;
  dir = find_shipped(NULL, MAAT_MODELS_DIR,
                     MAAT_INSTALLED_MODELS_DIR, "tone.model");
  if (!dir)
    return NULL;
  snprintf(path, sizeof path, "%s/tone.model", dir);
  return path;
}

const char *cli_find_web_root(void)
{
  return find_shipped("MAAT_WEB_ROOT", MAAT_WEB_DIR, MAAT_INSTALLED_WEB_DIR,
                      "index.html");
}

void cli_messages_format(const char *path, maat_reader_opts *ro)
{
  const char *dot = strrchr(path, '.');

  if (ro->format == MAAT_FORMAT_AUTO &&
      (!dot || (strcmp(dot, ".csv") && strcmp(dot, ".jsonl") &&
                strcmp(dot, ".ndjson") && strcmp(dot, ".json"))))
    ro->format = MAAT_FORMAT_TEXT;
}

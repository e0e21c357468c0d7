/*
 * langid_eval.c - prints the accuracy of maat_lang_detect() on every
 * labelled set under a data root (default ../shared/data), one line per
 * set, and the throughput. Usage: langid_eval [DATA_ROOT] [-v]
 * (-v prints every misclassified text).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "maat.h"
#include "langid_sets.h"

struct tally {
  maat_lang expected;
  size_t n, ok, other, bytes;
  int verbose;
  double secs;
};

static void count(void *ctx, const char *text, size_t len)
{
  struct tally *t = ctx;
  struct timespec a, b;
  maat_lang got;

  clock_gettime(CLOCK_MONOTONIC, &a);
  got = maat_lang_detect(text, len, NULL);
  clock_gettime(CLOCK_MONOTONIC, &b);
  t->secs += (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9;
  t->n++;
  t->bytes += len;
  if (got == t->expected)
    t->ok++;
  else if (got == MAAT_LANG_OTHER)
    t->other++;
  if (got != t->expected && t->verbose)
    printf("  %s: %.*s\n", maat_lang_name(got), (int)len, text);
}

int main(int argc, char **argv)
{
  const char *root = "../shared/data";
  int verbose = 0, missing = 0;
  size_t n = 0, bytes = 0;
  double secs = 0;

  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-v") == 0)
      verbose = 1;
    else
      root = argv[i];
  }
  printf("%-22s %-4s %7s %9s %9s\n", "set", "lang", "texts", "accuracy",
         "as other");
  for (size_t i = 0; i < sizeof langid_sets / sizeof langid_sets[0]; i++) {
    struct tally t = { langid_sets[i].expected, 0, 0, 0, 0, verbose, 0 };
    if (langid_load(root, &langid_sets[i], count, &t) || t.n == 0) {
      printf("%-22s skipped: cannot read '%s/%s'\n", langid_sets[i].name,
             root, langid_sets[i].path);
      missing = 1;
      continue;
    }
    printf("%-22s %-4s %7zu %8.2f%% %8.2f%%\n", langid_sets[i].name,
           maat_lang_name(t.expected), t.n, 100.0 * t.ok / t.n,
           100.0 * t.other / t.n);
    n += t.n;
    bytes += t.bytes;
    secs += t.secs;
  }
  if (n)
    printf("speed: %.2f us per text (mean %.0f bytes)\n", secs * 1e6 / n,
           (double)bytes / n);
  return missing ? 2 : 0;
}

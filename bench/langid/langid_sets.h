/*
 * langid_sets.h - readers for the labelled sets that measure language
 * identification, shared by bench/langid/langid_eval.c and the unit test
 * tests/unit/text.c. Reads the files in place under MAAT_SHARED_DATA; nothing
 * is copied into the repository. Header-only: every function is static.
 */
#ifndef MAAT_LANGID_SETS_H
#define MAAT_LANGID_SETS_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maat.h"

struct langid_set {
  const char *name;
  const char *path;   /* under the data root */
  int format;         /* LS_* */
  int column;         /* CSV/TSV column of the text */
  int header;         /* the first row is a header */
  maat_lang expected;
};

enum { LS_CONLL, LS_CSV, LS_TSV, LS_CLINC };

static const struct langid_set langid_sets[] = {
  { "xsid-nl/nl.test", "xsid-nl/nl.test.conll", LS_CONLL, 0, 0, MAAT_LANG_NL },
  { "xsid-nl/nl.valid", "xsid-nl/nl.valid.conll", LS_CONLL, 0, 0,
    MAAT_LANG_NL },
  { "bolcom-polarity-nl", "bolcom-polarity-nl/polarity-nl-bol.com.csv",
    LS_CSV, 1, 0, MAAT_LANG_NL },
  { "xed-nl", "xed-nl/nl-projections.tsv", LS_TSV, 0, 0, MAAT_LANG_NL },
  { "xsid-nl/en.test", "xsid-nl/en.test.conll", LS_CONLL, 0, 0,
    MAAT_LANG_EN },
  { "banking77/test", "banking77/test.csv", LS_CSV, 0, 1, MAAT_LANG_EN },
  { "clinc150/test", "clinc150/data_full.json", LS_CLINC, 0, 0,
    MAAT_LANG_EN },
  { "twitter-airline", "twitter-airline/Tweets.csv", LS_CSV, 10, 1,
    MAAT_LANG_EN },
};

typedef void (*langid_sink)(void *ctx, const char *text, size_t len);

static char *langid_slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t cap = 0, n = 0, r;

  if (!f)
    return NULL;
  for (;;) {
    if (n + 65536 + 1 > cap) {
      char *p;
      cap = cap ? cap * 2 : 1 << 20;
      p = realloc(buf, cap);
      if (!p) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = p;
    }
    r = fread(buf + n, 1, 65536, f);
    n += r;
    if (r < 65536)
      break;
  }
  fclose(f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

/*
 * RFC 4180 CSV (or TSV without quoting): calls 'sink' with field 'want' of
 * every record, after the first when 'skip' (a header) is set.
 */
static void langid_csv(char *s, size_t len, int want, int skip, char sep,
                       langid_sink sink, void *ctx)
{
  size_t i = 0;
  char *field = malloc(len + 1);

  if (!field)
    return;
  while (i < len) {
    int c = 0;
    size_t fl = 0;
    int got = 0;

    for (;;) {
      size_t k = 0;
      if (sep == ',' && i < len && s[i] == '"') {
        i++;
        while (i < len) {
          if (s[i] == '"') {
            if (i + 1 < len && s[i + 1] == '"') {
              field[k++] = '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          field[k++] = s[i++];
        }
      }
      while (i < len && s[i] != sep && s[i] != '\n')
        field[k++] = s[i++];
      if (c == want) {
        fl = k;
        got = 1;
        if (fl && field[fl - 1] == '\r')
          fl--;
        if (!skip)
          sink(ctx, field, fl);
      }
      c++;
      if (i < len && s[i] == sep) {
        i++;
        continue;
      }
      i++; /* newline */
      break;
    }
    (void)got;
    skip = 0;
  }
  free(field);
}

static void langid_conll(char *s, langid_sink sink, void *ctx)
{
  char *line = s;

  while (line && *line) {
    char *nl = strchr(line, '\n');
    size_t n = nl ? (size_t)(nl - line) : strlen(line);
    if (n > 9 && memcmp(line, "# text = ", 9) == 0)
      sink(ctx, line + 9, n - 9);
    line = nl ? nl + 1 : NULL;
  }
}

static void langid_clinc(const char *s, size_t len, langid_sink sink,
                         void *ctx)
{
  json_error_t err;
  json_t *root = json_loadb(s, len, 0, &err);
  json_t *test = root ? json_object_get(root, "test") : NULL;
  size_t i;
  json_t *v;

  json_array_foreach(test, i, v) {
    const char *t = json_string_value(json_array_get(v, 0));
    if (t)
      sink(ctx, t, strlen(t));
  }
  json_decref(root);
}

/* Returns 0, or -1 when the set's file cannot be read. */
static int langid_load(const char *root, const struct langid_set *set,
                       langid_sink sink, void *ctx)
{
  char path[4096];
  size_t len = 0;
  char *s;

  snprintf(path, sizeof path, "%s/%s", root, set->path);
  s = langid_slurp(path, &len);
  if (!s)
    return -1;
  if (set->format == LS_CONLL)
    langid_conll(s, sink, ctx);
  else if (set->format == LS_CSV)
    langid_csv(s, len, set->column, set->header, ',', sink, ctx);
  else if (set->format == LS_TSV)
    langid_csv(s, len, set->column, set->header, '\t', sink, ctx);
  else
    langid_clinc(s, len, sink, ctx);
  free(s);
  return 0;
}

#endif /* MAAT_LANGID_SETS_H */

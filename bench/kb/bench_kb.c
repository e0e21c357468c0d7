/*
 * bench_kb.c - the knowledge base against SQLite FTS5 (bm25) on the same
 * articles and questions, in one run: precision@1 and MRR@10 on the test
 * questions, maat's answer/hand-off trade-off over thresholds, import time
 * and question latency (p50/p99) for both.
 *
 *   bench_kb ARTICLES.jsonl QUESTIONS.jsonl [--history] [--scale N]
 *            [--features FILE]
 *
 * The test questions: a question's own "split" field when it has one
 * ("test"), else those whose FNV-1a 64 hash of the text is odd. With
 * --history the other (training) questions are the organisation's
 * history: each one is a resolved question of its article. With --scale N
 * the articles are first multiplied to N (each copy's sentences in another
 * order, under a new id) to time a large knowledge base; the quality
 * figures are then not comparable and are not printed. --features writes
 * each test question's confidence features and whether the best article
 * was right (the calibration's data, docs/knowledge.md).
 */
#include "maat.h"

#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct q {
  char *text, *article;
  int test;
};

static uint64_t fnv(const char *s)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 0x100000001b3ULL;
  }
  return h;
}

static json_t *load_lines(const char *path, size_t *n)
{
  FILE *f = fopen(path, "r");
  json_t *arr = json_array();
  char *line = NULL;
  size_t cap = 0;

  if (!f) {
    fprintf(stderr, "bench_kb: cannot open %s\n", path);
    exit(1);
  }
  while (getline(&line, &cap, f) > 0) {
    json_error_t err;
    json_t *o = json_loads(line, 0, &err);
    if (o)
      json_array_append_new(arr, o);
  }
  free(line);
  fclose(f);
  *n = json_array_size(arr);
  return arr;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double pct(double *v, size_t n, double p)
{
  size_t k;
  if (!n)
    return 0;
  qsort(v, n, sizeof *v, cmp_double);
  k = (size_t)ceil(p * (double)n);
  return v[k ? k - 1 : 0];
}

/* A copy of article text with its sentences rotated by 'k'. */
static char *rotate(const char *s, int k)
{
  size_t n = strlen(s), cut = 0;
  char *out = malloc(n + 2);
  int seen = 0;

  for (size_t i = 0; i + 1 < n; i++)
    if ((s[i] == '.' || s[i] == '?') && s[i + 1] == ' ' && ++seen == k) {
      cut = i + 2;
      break;
    }
  snprintf(out, n + 2, "%s %.*s", s + cut, (int)cut, s);
  return out;
}

/* FTS5's query: every word of the question, OR'ed (its default is AND). */
static void fts_query(const char *q, char *out, size_t cap)
{
  size_t n = 0;
  int in = 0;

  out[0] = 0;
  for (const unsigned char *p = (const unsigned char *)q; *p && n + 8 < cap;
       p++) {
    int w = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || *p >= 0x80;
    if (w && !in) {
      if (n)
        n += (size_t)snprintf(out + n, cap - n, " OR ");
      out[n++] = '"';
      in = 1;
    } else if (!w && in) {
      out[n++] = '"';
      in = 0;
    }
    if (w)
      out[n++] = (char)*p;
  }
  if (in)
    out[n++] = '"';
  out[n] = 0;
}

int main(int argc, char **argv)
{
  const char *apath = NULL, *qpath = NULL;
  int history = 0, scale = 0, tune = 0;
  FILE *features = NULL;
  size_t na, nq, ntest = 0;
  json_t *arts, *qs;
  struct q *Q;
  maat_store *st = NULL;
  maat_kb *kb = NULL;
  sqlite3 *db;
  sqlite3_stmt *ins, *sel;
  double t0, t_import, t_fts_import, *lat_m, *lat_f, *conf;
  int *right;
  long p1_m = 0, p1_f = 0;
  double mrr_m = 0, mrr_f = 0;
  char tmpl[] = "/tmp/bench_kb_XXXXXX";
  const char *tmp;
  char dbpath[256], artpath[300];

  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--history"))
      history = 1;
    else if (!strcmp(argv[i], "--tune"))
      tune = 1;
    else if (!strcmp(argv[i], "--features") && i + 1 < argc)
      features = fopen(argv[++i], "w");
    else if (!strcmp(argv[i], "--scale") && i + 1 < argc)
      scale = (int)strtol(argv[++i], NULL, 10);
    else if (!apath)
      apath = argv[i];
    else
      qpath = argv[i];
  }
  if (!apath || !qpath) {
    fprintf(stderr, "usage: bench_kb ARTICLES.jsonl QUESTIONS.jsonl "
            "[--history] [--scale N]\n");
    return 2;
  }
  arts = load_lines(apath, &na);
  qs = load_lines(qpath, &nq);
  Q = calloc(nq, sizeof *Q);
  for (size_t i = 0; i < nq; i++) {
    json_t *o = json_array_get(qs, i);
    const char *sp = json_string_value(json_object_get(o, "split"));
    Q[i].text = strdup(json_string_value(json_object_get(o, "question")));
    Q[i].article = strdup(json_string_value(json_object_get(o, "article")));
    Q[i].test = sp ? !strcmp(sp, "test") : (int)(fnv(Q[i].text) & 1);
    /* --tune: the training questions only, split again in two (history
     * and the questions asked), so that nothing is chosen on the test. */
    if (tune)
      Q[i].test = Q[i].test ? -1 : (int)(fnv(Q[i].text) >> 1 & 1);
    ntest += Q[i].test == 1;
  }
  /* The articles as a file maat imports (scaled copies added). */
  tmp = mkdtemp(tmpl);
  snprintf(artpath, sizeof artpath, "%s/articles.jsonl", tmp);
  {
    FILE *f = fopen(artpath, "w");
    size_t total = scale > (int)na ? (size_t)scale : na;
    for (size_t i = 0; i < total; i++) {
      json_t *o = json_deep_copy(json_array_get(arts, i % na));
      if (i >= na) {
        char id[200], *b = rotate(json_string_value(json_object_get(o,
                                                                   "body")),
                                  (int)(i / na));
        snprintf(id, sizeof id, "%s-copy%zu",
                 json_string_value(json_object_get(o, "id")), i / na);
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "body", json_string(b));
        free(b);
      }
      char *s = json_dumps(o, JSON_COMPACT);
      fprintf(f, "%s\n", s);
      free(s);
      json_decref(o);
    }
    fclose(f);
    na = total;
  }
  snprintf(dbpath, sizeof dbpath, "sqlite:%s/kb.db", tmp);
  if (maat_store_open(&st, dbpath)) {
    fprintf(stderr, "bench_kb: %s\n", maat_errmsg());
    return 1;
  }
  {
    const char *paths[] = { artpath };
    struct maat_kb_import_stats s;
    t0 = now();
    if (maat_kb_import(st, paths, 1, NULL, 0, NULL, NULL, &s)) {
      fprintf(stderr, "bench_kb: %s\n", maat_errmsg());
      return 1;
    }
    t_import = now() - t0;
  }
  if (history)
    for (size_t i = 0; i < nq; i++)
      if (Q[i].test == 0)
        maat_store_kb_link_add(st, Q[i].article, Q[i].text, 0);
  t0 = now();
  if (maat_kb_open(&kb, st, NULL)) {
    fprintf(stderr, "bench_kb: %s\n", maat_errmsg());
    return 1;
  }
  t_import += now() - t0;  /* the index is part of being ready to answer */

  /* FTS5 over the same articles: title and body, bm25. */
  sqlite3_open(":memory:", &db);
  sqlite3_exec(db, "CREATE VIRTUAL TABLE a USING fts5(id UNINDEXED, title, "
               "body, tokenize = 'unicode61 remove_diacritics 2')", NULL,
               NULL, NULL);
  sqlite3_prepare_v2(db, "INSERT INTO a VALUES (?, ?, ?)", -1, &ins, NULL);
  t0 = now();
  sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
  {
    FILE *f = fopen(artpath, "r");
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
      json_t *o = json_loads(line, 0, NULL);
      const char *title = json_string_value(json_object_get(o, "title"));
      sqlite3_bind_text(ins, 1, json_string_value(json_object_get(o, "id")),
                        -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 2, title ? title : "", -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 3, json_string_value(json_object_get(o, "body")),
                        -1, SQLITE_TRANSIENT);
      sqlite3_step(ins);
      sqlite3_reset(ins);
      json_decref(o);
    }
    free(line);
    fclose(f);
  }
  sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
  t_fts_import = now() - t0;
  sqlite3_prepare_v2(db, "SELECT id FROM a WHERE a MATCH ? ORDER BY bm25(a) "
                     "LIMIT 10", -1, &sel, NULL);

  lat_m = calloc(ntest + 1, sizeof *lat_m);
  lat_f = calloc(ntest + 1, sizeof *lat_f);
  conf = calloc(ntest + 1, sizeof *conf);
  right = calloc(ntest + 1, sizeof *right);
  {
    size_t k = 0;
    for (size_t i = 0; i < nq; i++) {
      struct maat_kb_answer a;
      char fq[8192];
      int rank = 0, r = 0, frank = 0;
      if (Q[i].test != 1)
        continue;
      t0 = now();
      maat_kb_ask(kb, Q[i].text, strlen(Q[i].text), &a);
      lat_m[k] = now() - t0;
      for (int j = 0; j < a.nranked; j++)
        if (!strcmp(a.ranked[j].id, Q[i].article)) {
          rank = j + 1;
          break;
        }
      p1_m += rank == 1;
      mrr_m += rank ? 1.0 / rank : 0;
      conf[k] = a.confidence;
      right[k] = rank == 1;
      if (features)
        fprintf(features, "%.6f %.6f %.6f %d\n", a.margin, a.cover,
                a.history, rank == 1);
      maat_kb_answer_release(&a);
      fts_query(Q[i].text, fq, sizeof fq);
      t0 = now();
      sqlite3_bind_text(sel, 1, fq, -1, SQLITE_TRANSIENT);
      while (sqlite3_step(sel) == SQLITE_ROW) {
        r++;
        if (!strcmp((const char *)sqlite3_column_text(sel, 0), Q[i].article)
            && !frank)
          frank = r;
      }
      sqlite3_reset(sel);
      lat_f[k] = now() - t0;
      p1_f += frank == 1;
      mrr_f += frank ? 1.0 / frank : 0;
      k++;
    }
  }
  printf("{\"articles\":%zu,\"test_questions\":%zu,\"history\":%s,",
         na, ntest, history ? "true" : "false");
  if (!scale) {
    double thr = maat_kb_threshold(kb);
    long ans = 0, ans_right = 0;
    printf("\"maat\":{\"p1\":%.4f,\"mrr10\":%.4f},",
           (double)p1_m / ntest, mrr_m / ntest);
    printf("\"fts5\":{\"p1\":%.4f,\"mrr10\":%.4f},",
           (double)p1_f / ntest, mrr_f / ntest);
    for (size_t k = 0; k < ntest; k++)
      if (conf[k] >= thr) {
        ans++;
        ans_right += right[k];
      }
    printf("\"threshold\":%.2f,\"answered\":%.4f,\"right_when_answered\":"
           "%.4f,\"curve\":[", thr, (double)ans / ntest,
           ans ? (double)ans_right / ans : 0);
    for (int t = 1; t <= 9; t++) {
      long a2 = 0, r2 = 0;
      for (size_t k = 0; k < ntest; k++)
        if (conf[k] >= t / 10.0) {
          a2++;
          r2 += right[k];
        }
      printf("%s{\"threshold\":%.1f,\"answered\":%.4f,\"right\":%.4f}",
             t > 1 ? "," : "", t / 10.0, (double)a2 / ntest,
             a2 ? (double)r2 / a2 : 0);
    }
    printf("],");
  }
  printf("\"import_s\":{\"maat\":%.3f,\"fts5\":%.3f},", t_import,
         t_fts_import);
  printf("\"latency_ms\":{\"maat\":{\"p50\":%.3f,\"p99\":%.3f},"
         "\"fts5\":{\"p50\":%.3f,\"p99\":%.3f}}}\n",
         1e3 * pct(lat_m, ntest, 0.5), 1e3 * pct(lat_m, ntest, 0.99),
         1e3 * pct(lat_f, ntest, 0.5), 1e3 * pct(lat_f, ntest, 0.99));
  if (features)
    fclose(features);
  maat_kb_free(kb);
  maat_store_close(st);
  sqlite3_finalize(ins);
  sqlite3_finalize(sel);
  sqlite3_close(db);
  {
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd))
      fprintf(stderr, "bench_kb: could not remove %s\n", tmp);
  }
  return 0;
}

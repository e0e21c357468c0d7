/*
 * model.c - tests for the classifier: training on a small generated set,
 * prediction and top-k, determinism for a seed, the out-of-scope threshold,
 * calibration, the model file's save/load round trip and the refusal of
 * foreign, truncated, corrupt and hostile files.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify-int.h"
#include "failalloc.h"

/* Three intents with their own words, plus filler; 'oos' is other words. */
static const char *words[3][6] = {
  { "card", "arrive", "delivery", "post", "waiting", "mail" },
  { "refund", "money", "back", "return", "charge", "payment" },
  { "password", "login", "reset", "account", "locked", "access" },
};
static const char *labels[3] = { "card_arrival", "refund", "login" };
static const char *noise[6] = { "my", "the", "please", "i", "help", "when" };
static const char *oos_words[8] = { "weather", "pizza", "song", "football",
                                    "holiday", "movie", "cat", "joke" };

static void fill(maat_dataset *d, size_t per_label, uint64_t seed, int with_oos)
{
  struct maat_rng r;
  char buf[256];
  maat__rng_seed(&r, seed);
  for (size_t i = 0; i < per_label * 3; i++) {
    size_t l = i % 3, n = 0;
    buf[0] = '\0';
    for (int w = 0; w < 5; w++) {
      const char *word = w % 2 ? noise[maat__rng_below(&r, 6)]
                               : words[l][maat__rng_below(&r, 6)];
      n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", w ? " " : "",
                            word);
    }
    cr_assert_eq(maat_dataset_add(d, buf, n, labels[l]), MAAT_OK);
  }
  for (size_t i = 0; with_oos && i < per_label; i++) {
    size_t n = (size_t)snprintf(buf, sizeof buf, "%s %s %s",
                                oos_words[maat__rng_below(&r, 8)],
                                noise[maat__rng_below(&r, 6)],
                                oos_words[maat__rng_below(&r, 8)]);
    cr_assert_eq(maat_dataset_add(d, buf, n, "oos"), MAAT_OK);
  }
}

static maat_model *train_small(int with_oos, maat_train_report *rep)
{
  maat_dataset *d;
  maat_model *m = NULL;
  maat_train_opts o = MAAT_TRAIN_OPTS_INIT;
  cr_assert_eq(maat_dataset_new(&d), MAAT_OK);
  fill(d, 60, 7, with_oos);
  o.epochs = 5;
  o.hash_bits = 16;
  o.valid_split = 0.2;
  cr_assert_eq(maat_model_train(d, &o, &m, rep), MAAT_OK, "%s", maat_errmsg());
  maat_dataset_free(d);
  return m;
}

/* One predictor at a time, kept until the next model or predict_done(). */
static maat_predictor *cur_p;
static const maat_model *cur_m;

static void predict_done(void)
{
  maat_predictor_free(cur_p);
  cur_p = NULL;
  cur_m = NULL;
}

static const char *predict(maat_model *m, const char *text, double thr,
                           maat_prediction *pr)
{
  if (m != cur_m) {
    predict_done();
    cr_assert_eq(maat_predictor_new(m, &cur_p), MAAT_OK);
    cur_m = m;
  }
  cr_assert_eq(maat_predict(cur_p, text, strlen(text), 3, thr, pr), MAAT_OK);
  return pr->label;
}

static char tmpdir[] = "/tmp/maat-model-test-XXXXXX";
static int tmpdir_made;

static const char *tmp(const char *name)
{
  static char path[256];
  if (!tmpdir_made) {
    cr_assert_not_null(mkdtemp(tmpdir));
    tmpdir_made = 1;
  }
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  return path;
}

/* Removes the files the test wrote, then the directory. */
static void tmp_cleanup(void)
{
  DIR *d;
  struct dirent *e;
  char path[512];

  if (!tmpdir_made)
    return;
  d = opendir(tmpdir);
  while (d) {
    e = readdir(d);
    if (!e)
      break;
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
    unlink(path);
  }
  if (d)
    closedir(d);
  rmdir(tmpdir);
}

static unsigned char *slurp(const char *path, size_t *n)
{
  FILE *f = fopen(path, "rb");
  unsigned char *b;
  long sz;
  cr_assert_not_null(f);
  fseek(f, 0, SEEK_END);
  sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  b = malloc((size_t)sz + 1);
  cr_assert_eq(fread(b, 1, (size_t)sz, f), (size_t)sz);
  fclose(f);
  *n = (size_t)sz;
  return b;
}

static void spit(const char *path, const void *b, size_t n)
{
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f);
  cr_assert_eq(fwrite(b, 1, n, f), n);
  fclose(f);
}

static void put32(unsigned char *p, uint32_t v)
{
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
  p[2] = (unsigned char)(v >> 16);
  p[3] = (unsigned char)(v >> 24);
}

/* Rewrites the trailing checksum so that only the field checks can object. */
static void reseal(unsigned char *b, size_t n)
{
  put32(b + n - 4, maat__crc32c(0, b, n - 4));
}

static int load_err(const char *path, const char *want)
{
  maat_model *m = NULL;
  int rc = maat_model_load(path, &m);
  cr_assert_lt(rc, 0, "loading %s should fail", path);
  cr_assert_null(m);
  cr_assert(strstr(maat_errmsg(), want) != NULL, "message '%s' lacks '%s'",
            maat_errmsg(), want);
  cr_assert(strstr(maat_errmsg(), path) != NULL, "message '%s' lacks the path",
            maat_errmsg());
  return rc;
}

Test(model, learns_separable_intents)
{
  maat_train_report rep;
  maat_prediction pr;
  maat_model *m = train_small(0, &rep);
  cr_assert_eq(maat_model_label_count(m), 3);
  cr_assert_str_eq(maat_model_label(m, 0), "card_arrival"); /* sorted */
  cr_assert_null(maat_model_label(m, 3));
  cr_assert_eq(maat_model_label_index(m, "refund"), 2);
  cr_assert_eq(maat_model_label_index(m, "nope"), -1);
  cr_assert_eq(rep.n_valid, 36);
  cr_assert_gt(rep.valid_accuracy, 0.9);
  /* No oos examples: the threshold keeps 80 % of the in-scope validation
   * messages; the labels themselves are checked without it. */
  cr_assert_float_eq(rep.threshold_kept, 0.8, 1e-9);
  cr_assert_gt(rep.threshold, 0);
  cr_assert_str_eq(predict(m, "when will my card arrive", 0, &pr),
                   "card_arrival");
  cr_assert_str_eq(predict(m, "I want my money back", 0, &pr), "refund");
  cr_assert_str_eq(predict(m, "reset my password please", 0, &pr), "login");
  cr_assert_eq(pr.n_top, 3);
  cr_assert_geq(pr.top[0].prob, pr.top[1].prob);
  cr_assert_geq(pr.top[1].prob, pr.top[2].prob);
  cr_assert_float_eq(pr.top[0].prob + pr.top[1].prob + pr.top[2].prob, 1.0,
                     1e-9);
  cr_assert_float_eq(pr.confidence, pr.top[0].prob, 1e-12);
  predict_done();
  maat_model_free(m);
}

Test(model, threshold_turns_low_confidence_into_oos)
{
  maat_prediction pr;
  maat_model *m = train_small(0, NULL);
  cr_assert_str_eq(predict(m, "xylophone", 0.9, &pr), "oos");
  cr_assert(pr.below_threshold);
  cr_assert_eq(pr.label_index, -1); /* oos is not a class of this model */
  cr_assert_str_eq(predict(m, "xylophone", 0.0, &pr),
                   maat_model_label(m, pr.top[0].label));
  cr_assert(!pr.below_threshold);
  predict_done();
  maat_model_free(m);
}

Test(model, oos_class_gets_a_threshold_from_validation)
{
  maat_train_report rep;
  maat_prediction pr;
  maat_model *m = train_small(1, &rep);
  cr_assert_geq(maat_model_label_index(m, "oos"), 0);
  cr_assert_geq(rep.threshold, 0.0);
  cr_assert_leq(rep.threshold, 1.0);
  cr_assert_float_eq(maat_model_threshold(m), rep.threshold, 1e-6);
  cr_assert_str_eq(predict(m, "pizza movie joke", -1, &pr), "oos");
  predict_done();
  maat_model_free(m);
}

Test(model, calibration_reports_ece_and_temperature)
{
  maat_train_report rep;
  maat_model *m = train_small(1, &rep);
  cr_assert_gt(rep.temperature, 0.04);
  cr_assert_lt(rep.temperature, 21);
  cr_assert_geq(rep.ece_before, 0);
  cr_assert_leq(rep.ece_after, 1);
  cr_assert_float_eq(maat_model_temperature(m), rep.temperature, 1e-6);
  maat_model_free(m);
}

Test(model, ece_of_known_values)
{
  double conf[4] = { 0.9, 0.9, 0.2, 0.2 };
  unsigned char ok[4] = { 1, 0, 0, 0 };
  /* Bin 0.9: |0.5 - 0.9| * 2/4; bin 0.2: |0 - 0.2| * 2/4; sum 0.3. */
  cr_assert_float_eq(maat_ece(conf, ok, 4, 15), 0.3, 1e-12);
  cr_assert_float_eq(maat_ece(conf, ok, 0, 15), 0.0, 1e-12);
}

Test(model, same_seed_same_model_bytes, .fini = tmp_cleanup)
{
  size_t na, nb;
  unsigned char *a, *b;
  maat_model *m1 = train_small(1, NULL), *m2 = train_small(1, NULL);
  cr_assert_eq(maat_model_save(m1, tmp("a.bin")), MAAT_OK);
  cr_assert_eq(maat_model_save(m2, tmp("b.bin")), MAAT_OK);
  a = slurp(tmp("a.bin"), &na);
  b = slurp(tmp("b.bin"), &nb);
  cr_assert_eq(na, nb);
  cr_assert_eq(memcmp(a, b, na), 0);
  free(a);
  free(b);
  maat_model_free(m1);
  maat_model_free(m2);
}

Test(model, save_load_round_trip, .fini = tmp_cleanup)
{
  maat_model *m = train_small(1, NULL), *l = NULL;
  const char *texts[3] = { "where is my card", "money back please",
                           "pizza and a song" };
  cr_assert_eq(maat_model_save(m, tmp("m.bin")), MAAT_OK);
  cr_assert_eq(access(tmp("m.bin.tmp"), F_OK), -1);
  cr_assert_eq(maat_model_load(tmp("m.bin"), &l), MAAT_OK, "%s", maat_errmsg());
  cr_assert_eq(maat_model_label_count(l), maat_model_label_count(m));
  for (size_t i = 0; i < maat_model_label_count(m); i++)
    cr_assert_str_eq(maat_model_label(l, i), maat_model_label(m, i));
  cr_assert_str_eq(maat_model_oos_label(l), "oos");
  cr_assert_eq(maat_model_rows(l), maat_model_rows(m));
  cr_assert_eq(maat_model_threshold(l), maat_model_threshold(m));
  cr_assert_eq(maat_model_temperature(l), maat_model_temperature(m));
  for (int t = 0; t < 3; t++) {
    maat_prediction a, b;
    char la[64];
    snprintf(la, sizeof la, "%s", predict(m, texts[t], -1, &a));
    cr_assert_str_eq(predict(l, texts[t], -1, &b), la);
    cr_assert_eq(a.confidence, b.confidence);
  }
  predict_done();
  maat_model_free(m);
  maat_model_free(l);
}

Test(model, refuses_foreign_truncated_and_corrupt_files, .fini = tmp_cleanup)
{
  maat_model *m = train_small(0, NULL);
  size_t n;
  unsigned char *b, *c;

  cr_assert_eq(maat_model_save(m, tmp("good.bin")), MAAT_OK);
  maat_model_free(m);
  b = slurp(tmp("good.bin"), &n);
  c = malloc(n + 8);

  cr_assert_eq(maat_model_load(tmp("missing.bin"), &m), MAAT_EIO);
  spit(tmp("empty.bin"), "", 0);
  cr_assert_eq(load_err(tmp("empty.bin"), "not a maat model"), MAAT_EFORMAT);
  spit(tmp("text.bin"), "text,label\nhello,greet\n", 23);
  cr_assert_eq(load_err(tmp("text.bin"), "not a maat model"), MAAT_EFORMAT);

  memcpy(c, b, n);
  put32(c + 4, 99);
  spit(tmp("v99.bin"), c, n);
  cr_assert_eq(load_err(tmp("v99.bin"),
                        "model format version 99 not supported"),
               MAAT_EFORMAT);

  for (size_t cut = 9; cut < n; cut += n / 7 + 1) {
    spit(tmp("cut.bin"), b, cut);
    cr_assert_eq(load_err(tmp("cut.bin"), "truncated"), MAAT_ECORRUPT);
  }
  spit(tmp("cut.bin"), b, n - 1);
  cr_assert_eq(load_err(tmp("cut.bin"), "truncated"), MAAT_ECORRUPT);

  memcpy(c, b, n);
  c[n / 2] ^= 0x40;
  spit(tmp("flip.bin"), c, n);
  cr_assert_eq(load_err(tmp("flip.bin"), "checksum mismatch"), MAAT_ECORRUPT);

  memcpy(c, b, n);
  memset(c + n, 0, 8);
  spit(tmp("long.bin"), c, n + 8);
  cr_assert_eq(load_err(tmp("long.bin"), "corrupt"), MAAT_ECORRUPT);
  free(b);
  free(c);
}

Test(model, refuses_hostile_headers_with_valid_checksums, .fini = tmp_cleanup)
{
  maat_model *m = train_small(0, NULL);
  size_t n;
  unsigned char *b, *c;

  cr_assert_eq(maat_model_save(m, tmp("good.bin")), MAAT_OK);
  maat_model_free(m);
  b = slurp(tmp("good.bin"), &n);
  c = malloc(n);

  /* Huge counts: refused on size, before any allocation. */
  memcpy(c, b, n);
  put32(c + 40, 0xffffffffu);
  reseal(c, n);
  spit(tmp("rows.bin"), c, n);
  cr_assert_eq(load_err(tmp("rows.bin"), "corrupt"), MAAT_ECORRUPT);
  memcpy(c, b, n);
  put32(c + 36, 0x7fffffffu);
  reseal(c, n);
  spit(tmp("labels.bin"), c, n);
  cr_assert_eq(maat_model_load(tmp("labels.bin"), &m), MAAT_ECORRUPT);

  /* A label length running past its table. */
  memcpy(c, b, n);
  put32(c + 64, 0x00ffffffu);
  reseal(c, n);
  spit(tmp("lablen.bin"), c, n);
  cr_assert_eq(load_err(tmp("lablen.bin"), "label table"), MAAT_ECORRUPT);

  /* Bad feature settings, oos index and temperature. */
  memcpy(c, b, n);
  put32(c + 20, 40);
  reseal(c, n);
  spit(tmp("ngram.bin"), c, n);
  cr_assert_eq(load_err(tmp("ngram.bin"), "corrupt"), MAAT_ECORRUPT);
  memcpy(c, b, n);
  put32(c + 44, 77);
  reseal(c, n);
  spit(tmp("oos.bin"), c, n);
  cr_assert_eq(load_err(tmp("oos.bin"), "bad header"), MAAT_ECORRUPT);
  memcpy(c, b, n);
  put32(c + 48, 0xbf800000u); /* -1.0f */
  reseal(c, n);
  spit(tmp("temp.bin"), c, n);
  cr_assert_eq(load_err(tmp("temp.bin"), "bad header"), MAAT_ECORRUPT);
  free(b);
  free(c);
}

Test(model, dataset_and_training_errors)
{
  maat_dataset *d;
  maat_model *m = NULL;
  maat_train_opts o = MAAT_TRAIN_OPTS_INIT;
  size_t len;

  cr_assert_eq(maat_dataset_new(&d), MAAT_OK);
  cr_assert_eq(maat_dataset_add(d, "x", 1, ""), MAAT_EINVAL);
  cr_assert_eq(maat_dataset_count(d), 0);
  cr_assert_eq(maat_model_train(d, NULL, &m, NULL), MAAT_EINVAL);
  cr_assert_eq(maat_dataset_add(d, "hello there", 11, "greet"), MAAT_OK);
  cr_assert_eq(maat_dataset_add(d, "hi again", 8, "greet"), MAAT_OK);
  cr_assert_str_eq(maat_dataset_text(d, 1, &len), "hi again");
  cr_assert_eq(len, 8);
  cr_assert_str_eq(maat_dataset_label(d, 0), "greet");
  o.valid_split = 0;
  cr_assert_eq(maat_model_train(d, &o, &m, NULL), MAAT_EINVAL);
  cr_assert(strstr(maat_errmsg(), "two labels") != NULL);
  cr_assert_eq(maat_dataset_add(d, "bye", 3, "bye"), MAAT_OK);
  o.hash_bits = 30;
  cr_assert_eq(maat_model_train(d, &o, &m, NULL), MAAT_EINVAL);
  o.hash_bits = 12;
  o.epochs = 0;
  cr_assert_eq(maat_model_train(d, &o, &m, NULL), MAAT_EINVAL);
  cr_assert_null(m);
  o.epochs = 2;
  cr_assert_eq(maat_model_train(d, &o, &m, NULL), MAAT_OK);
  cr_assert_eq(maat_model_threshold(m), 0);
  cr_assert_eq(maat_model_temperature(m), 1);
  maat_model_free(m);
  maat_dataset_free(d);
}

Test(model, hogwild_threads_still_learn)
{
  maat_dataset *d;
  maat_model *m = NULL;
  maat_train_opts o = MAAT_TRAIN_OPTS_INIT;
  maat_train_report rep;
  cr_assert_eq(maat_dataset_new(&d), MAAT_OK);
  fill(d, 60, 9, 0);
  o.threads = 3;
  o.hash_bits = 16;
  cr_assert_eq(maat_model_train(d, &o, &m, &rep), MAAT_OK);
  cr_assert_gt(rep.valid_accuracy, 0.9);
  maat_model_free(m);
  maat_dataset_free(d);
}


Test(model, survives_every_allocation_failure, .fini = tmp_cleanup)
{
  maat_model *m = train_small(1, NULL), *l = NULL;
  maat_dataset *d;
  maat_train_opts o = MAAT_TRAIN_OPTS_INIT;
  long n;
  int rc;

  cr_assert_eq(maat_model_save(m, tmp("m.bin")), MAAT_OK);
  maat_model_free(m);
  for (n = 1; n < 10000; n++) {
    alloc_count = 0;
    alloc_fail_at = n;
    maat_set_allocator(failing_malloc, failing_realloc, free);
    rc = maat_model_load(tmp("m.bin"), &l);
    maat_set_allocator(NULL, NULL, NULL);
    if (rc == MAAT_OK)
      break;
    cr_assert_eq(rc, MAAT_ENOMEM, "allocation %ld: %s", n, maat_errmsg());
  }
  cr_assert_gt(n, 1);
  maat_model_free(l);

  cr_assert_eq(maat_dataset_new(&d), MAAT_OK);
  fill(d, 10, 3, 1);
  o.epochs = 1;
  o.hash_bits = 12;
  o.valid_split = 0.25;
  for (n = 1; n < 100000; n++) {
    m = NULL;
    alloc_count = 0;
    alloc_fail_at = n;
    maat_set_allocator(failing_malloc, failing_realloc, free);
    rc = maat_model_train(d, &o, &m, NULL);
    maat_set_allocator(NULL, NULL, NULL);
    if (rc == MAAT_OK)
      break;
    cr_assert_eq(rc, MAAT_ENOMEM, "allocation %ld: %s", n, maat_errmsg());
    cr_assert_null(m);
  }
  cr_assert_gt(n, 1);
  maat_model_free(m);
  maat_dataset_free(d);
}

struct shared_job {
  maat_model *m;
  const char *want;
  int ok;
};

static void *predict_many(void *arg)
{
  struct shared_job *j = arg;
  maat_predictor *p;
  maat_prediction pr;
  j->ok = maat_predictor_new(j->m, &p) == MAAT_OK;
  for (int i = 0; j->ok && i < 2000; i++)
    j->ok = maat_predict(p, "reset my password", 17, 2, -1, &pr) == MAAT_OK &&
            !strcmp(pr.label, j->want);
  maat_predictor_free(p);
  return NULL;
}

Test(model, one_model_serves_many_threads)
{
  maat_model *m = train_small(0, NULL);
  struct shared_job jobs[4];
  pthread_t t[4];
  for (int i = 0; i < 4; i++) {
    jobs[i] = (struct shared_job){ m, "login", 0 };
    cr_assert_eq(pthread_create(&t[i], NULL, predict_many, &jobs[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    cr_assert(jobs[i].ok, "thread %d", i);
  }
  maat_model_free(m);
}

/*
 * learn.c - retraining with a model registry (maat/learn.h). A model is
 * trained on the base data plus the approved corrections of its kind,
 * measured beside the model in use on one held-out set, registered with
 * its data and figures, and promoted only when it is not worse there. The
 * registry's model in use is a meta row ("model.KIND.current"); every
 * promotion or rollback also changes "model.changed", which running
 * servers watch. Model files live in a folder beside the store, each
 * checked against the SHA-256 the registry keeps.
 */
#include "maat-int.h"
#include "json-int.h"

#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int sha256_file(const char *path, char hex[65])
{
  gnutls_hash_hd_t h;
  unsigned char buf[65536], d[32];
  FILE *f = fopen(path, "rb");
  size_t n;

  if (!f)
    return maat__fail(MAAT_EIO, "%s: %s", path, strerror(errno));
  if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0) {
    fclose(f);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    gnutls_hash(h, buf, n);
  gnutls_hash_deinit(h, d);
  if (ferror(f)) {
    fclose(f);
    return maat__fail(MAAT_EIO, "%s: cannot read", path);
  }
  fclose(f);
  for (int i = 0; i < 32; i++)
    snprintf(hex + 2 * i, 3, "%02x", d[i]);
  return MAAT_OK;
}

int maat_model_measure(const maat_model *m, const maat_dataset *d,
                       double *accuracy, double *macro_f1)
{
  size_t n = maat_dataset_count(d), L = maat_model_label_count(m), right = 0;
  long *tp = NULL, *fp = NULL, *fn = NULL;
  maat_predictor *p = NULL;
  int rc;

  if (!n) {
    *accuracy = *macro_f1 = 0;
    return MAAT_OK;
  }
  tp = maat__calloc(L, sizeof *tp);
  fp = maat__calloc(L, sizeof *fp);
  fn = maat__calloc(L, sizeof *fn);
  if (!tp || !fp || !fn) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
    goto out;
  }
  if ((rc = maat_predictor_new(m, &p)))
    goto out;
  for (size_t i = 0; i < n; i++) {
    size_t len;
    const char *text = maat_dataset_text(d, i, &len);
    long gold = maat_model_label_index(m, maat_dataset_label(d, i));
    maat_prediction pr;
    size_t top;
    if ((rc = maat_predict(p, text, len, 1, 0.0, &pr)))
      goto out;
    top = pr.top[0].label;
    if (gold >= 0 && (size_t)gold == top) {
      right++;
      tp[top]++;
    } else {
      fp[top]++;
      if (gold >= 0)
        fn[gold]++;
    }
  }
  {
    double f1 = 0;
    size_t k = 0;
    for (size_t l = 0; l < L; l++) {
      if (!tp[l] && !fp[l] && !fn[l])
        continue;
      k++;
      if (tp[l])
        f1 += 2.0 * tp[l] / (2.0 * tp[l] + fp[l] + fn[l]);
    }
    *macro_f1 = k ? f1 / k : 0;
  }
  *accuracy = (double)right / n;
out:
  maat_predictor_free(p);
  maat__free(tp);
  maat__free(fp);
  maat__free(fn);
  return rc;
}

/* ---- the registry ---- */

struct find_v {
  int64_t version;
  char *path, *sha;
  int state;
  int64_t count;
};

static int find_version(void *ctx, const struct maat_store_model *m)
{
  struct find_v *f = ctx;

  f->count++;
  if (m->version != f->version)
    return 0;
  f->path = maat__strdup(m->path);
  f->sha = maat__strdup(m->sha256);
  f->state = m->state;
  return f->path && f->sha ? 0 : maat__fail(MAAT_ENOMEM, "out of memory");
}

static void current_key(const char *kind, char *out, size_t size)
{
  snprintf(out, size, "model.%s.current", kind);
}

int maat_model_current(maat_store *st, const char *kind, int64_t *version,
                       char **path)
{
  struct find_v f = { 0, NULL, NULL, 0, 0 };
  char key[64], *v = NULL, hex[65];
  int rc;

  if (!st || !kind)
    return maat__fail(MAAT_EINVAL, "maat_model_current: invalid argument");
  current_key(kind, key, sizeof key);
  if ((rc = maat_store_meta_get(st, key, &v)))
    return rc == MAAT_ENOTFOUND
               ? maat__fail(MAAT_ENOTFOUND, "the registry has no %s model "
                            "in use", kind) : rc;
  f.version = strtoll(v, NULL, 10);
  maat_free(v);
  if ((rc = maat_store_models(st, kind, find_version, &f)))
    goto out;
  if (!f.path) {
    rc = maat__fail(MAAT_ENOTFOUND, "the registry has no %s model %lld",
                    kind, (long long)f.version);
    goto out;
  }
  if ((rc = sha256_file(f.path, hex)))
    goto out;
  if (strcmp(hex, f.sha)) {
    rc = maat__fail(MAAT_ECORRUPT, "%s: the file of %s model %lld changed "
                    "since it was registered (SHA-256 %s, expected %s)",
                    f.path, kind, (long long)f.version, hex, f.sha);
    goto out;
  }
  if (version)
    *version = f.version;
  if (path) {
    *path = f.path;
    f.path = NULL;
  }
out:
  maat__free(f.path);
  maat__free(f.sha);
  return rc;
}

/* Makes 'version' the one in use; in the caller's transaction. */
static int put_in_use(maat_store *st, const char *kind, int64_t version)
{
  char key[64], val[96];
  int rc;

  current_key(kind, key, sizeof key);
  snprintf(val, sizeof val, "%lld", (long long)version);
  if ((rc = maat_store_meta_set(st, key, val)))
    return rc;
  snprintf(val, sizeof val, "%s:%lld:%.3f", kind, (long long)version,
           maat_wall_now());
  return maat_store_meta_set(st, MAAT_MODEL_CHANGED_KEY, val);
}

int maat_model_rollback(maat_store *st, const char *kind, int64_t version,
                        const char *by)
{
  struct find_v f = { version, NULL, NULL, 0, 0 };
  char why[160];
  int rc;

  if (!st || !kind)
    return maat__fail(MAAT_EINVAL, "maat_model_rollback: invalid argument");
  if ((rc = maat_store_models(st, kind, find_version, &f)))
    goto out;
  if (!f.path) {
    rc = maat__fail(MAAT_ENOTFOUND, "the registry has no %s model %lld",
                    kind, (long long)version);
    goto out;
  }
  snprintf(why, sizeof why, "put back in use by %s", by ? by : "a person");
  if ((rc = maat_store_begin(st)))
    goto out;
  rc = maat_store_model_set(st, version, MAAT_MODEL_PROMOTED, why);
  if (!rc)
    rc = put_in_use(st, kind, version);
  rc = rc ? (maat_store_rollback(st), rc) : maat_store_commit(st);
out:
  maat__free(f.path);
  maat__free(f.sha);
  return rc;
}

/* A free file name in 'dir' for a model of 'kind'. */
static int model_path(const char *dir, const char *kind, char *out,
                      size_t size)
{
  struct stat sb;

  if (mkdir(dir, 0755) && errno != EEXIST)
    return maat__fail(MAAT_EIO, "%s: %s", dir, strerror(errno));
  for (int k = 1; k < 100000; k++) {
    if ((size_t)snprintf(out, size, "%s/%s-%ld-%d.model", dir, kind,
                         (long)maat_wall_now(), k) >= size)
      return maat__fail(MAAT_EINVAL, "%s: path too long", dir);
    if (stat(out, &sb))
      return MAAT_OK;
  }
  return maat__fail(MAAT_EIO, "%s: no free file name", dir);
}

static int add_model(maat_store *st, const char *kind, const char *path,
                     const char *data, const char *metrics, int state,
                     const char *decision, int64_t *version)
{
  struct maat_store_model m;
  char hex[65];
  int rc;

  if ((rc = sha256_file(path, hex)))
    return rc;
  memset(&m, 0, sizeof m);
  m.t = maat_wall_now();
  m.kind = kind;
  m.path = path;
  m.sha256 = hex;
  m.data = data ? data : "{}";
  m.metrics = metrics ? metrics : "{}";
  m.state = state;
  m.decision = decision;
  return maat_store_model_add(st, &m, version);
}

int maat_model_register(maat_store *st, const char *kind, const char *file,
                        const char *dir, int64_t *version)
{
  char path[512];
  maat_model *m = NULL;
  int64_t v;
  int rc;

  if (!st || !kind || !file || !dir)
    return maat__fail(MAAT_EINVAL, "maat_model_register: invalid argument");
  /* A model, or nothing: loaded before it is copied. */
  if ((rc = maat_model_load(file, &m)))
    return rc;
  if (!(rc = model_path(dir, kind, path, sizeof path)))
    rc = maat_model_save(m, path);
  maat_model_free(m);
  if (rc)
    return rc;
  if ((rc = maat_store_begin(st)))
    return rc;
  rc = add_model(st, kind, path, "{\"registered\":true}", "{}",
                 MAAT_MODEL_PROMOTED, "registered as the model in use", &v);
  if (!rc)
    rc = put_in_use(st, kind, v);
  rc = rc ? (maat_store_rollback(st), rc) : maat_store_commit(st);
  if (!rc && version)
    *version = v;
  return rc;
}

/* ---- retraining ---- */

struct gather {
  const char *kind;
  maat_dataset *train;
  const maat_model *labels;   /* NULL: any label */
  size_t n;
  int rc;
};

static int take_correction(void *ctx, const struct maat_store_correction *c)
{
  struct gather *g = ctx;
  int rc;

  if (strcmp(c->field, g->kind) || !c->text[0] || !c->value[0])
    return 0;
  rc = maat_dataset_add(g->train, c->text, strlen(c->text), c->value);
  if (rc)
    return rc;
  g->n++;
  return 0;
}

static int in_holdout(const char *text, size_t len)
{
  return maat__hash64(text, len, 0x9e3779b97f4a7c15ull) % 10 == 0;
}

int maat_retrain(maat_store *st, const struct maat_retrain_opts *o,
                 struct maat_retrain_report *r)
{
  const char *kind = o && o->kind ? o->kind : "intent";
  maat_dataset *train = NULL, *held = NULL;
  const maat_dataset *hold;
  maat_model *m = NULL, *cur = NULL;
  struct gather g;
  json_t *data = NULL, *metrics = NULL, *base = NULL;
  char *dtext = NULL, *mtext = NULL, *curpath = NULL;
  int64_t curv = 0;
  int rc;

  if (!st || !o || !o->base || !o->dir || !r)
    return maat__fail(MAAT_EINVAL, "maat_retrain: invalid argument");
  if (strcmp(kind, "intent") && strcmp(kind, "tone"))
    return maat__fail(MAAT_EINVAL, "retrain: a model of kind '%s'? intent "
                      "or tone", kind);
  memset(r, 0, sizeof *r);
  r->cur_accuracy = r->cur_macro_f1 = -1;
  if ((rc = maat_dataset_new(&train)))
    return rc;
  if (!o->holdout && (rc = maat_dataset_new(&held)))
    goto out;
  for (size_t i = 0; i < maat_dataset_count(o->base); i++) {
    size_t len;
    const char *text = maat_dataset_text(o->base, i, &len);
    const char *label = maat_dataset_label(o->base, i);
    rc = !o->holdout && in_holdout(text, len)
             ? maat_dataset_add(held, text, len, label)
             : maat_dataset_add(train, text, len, label);
    if (rc)
      goto out;
  }
  hold = o->holdout ? o->holdout : held;
  g = (struct gather){ kind, train, NULL, 0, 0 };
  if ((rc = maat_store_corrections(st, MAAT_CORRECTION_APPROVED,
                                   take_correction, &g)))
    goto out;
  r->corrections = g.n;
  r->examples = maat_dataset_count(train);
  r->holdout = maat_dataset_count(hold);
  if (!r->holdout) {
    rc = maat__fail(MAAT_EINVAL, "retrain: no held-out messages to judge "
                    "the model on");
    goto out;
  }
  if ((rc = maat_model_train(train, &o->train, &m, NULL)))
    goto out;
  if ((rc = maat_model_measure(m, hold, &r->accuracy, &r->macro_f1)))
    goto out;
  /* The model in use, on the same held-out set. */
  rc = maat_model_current(st, kind, &curv, &curpath);
  if (rc == MAAT_ENOTFOUND) {
    rc = MAAT_OK;
    curv = 0;
  } else if (rc) {
    goto out;
  } else {
    if ((rc = maat_model_load(curpath, &cur)))
      goto out;
    if ((rc = maat_model_measure(cur, hold, &r->cur_accuracy,
                                 &r->cur_macro_f1)))
      goto out;
  }
  r->current = curv;
  if ((rc = model_path(o->dir, kind, r->path, sizeof r->path)))
    goto out;
  if ((rc = maat_model_save(m, r->path)))
    goto out;
  if (o->no_promote)
    snprintf(r->decision, sizeof r->decision, "registered as a candidate: "
             "held-out accuracy %.4f", r->accuracy);
  else if (!curv)
    r->promoted = 1, snprintf(r->decision, sizeof r->decision,
                              "promoted: the first %s model in the "
                              "registry (held-out accuracy %.4f)", kind,
                              r->accuracy);
  else if (r->accuracy + 1e-12 >= r->cur_accuracy - o->tolerance)
    r->promoted = 1, snprintf(r->decision, sizeof r->decision,
                              "promoted: held-out accuracy %.4f, not worse "
                              "than %.4f of version %lld", r->accuracy,
                              r->cur_accuracy, (long long)curv);
  else
    snprintf(r->decision, sizeof r->decision, "refused: held-out accuracy "
             "%.4f is worse than %.4f of version %lld, which stays in use",
             r->accuracy, r->cur_accuracy, (long long)curv);
  base = o->data ? json_loads(o->data, 0, NULL) : NULL;
  data = json_pack("{s:o, s:I, s:I, s:I, s:s, s:{s:i, s:f, s:i, s:i, s:i}}",
                   "base", base ? base : json_null(), "examples",
                   (json_int_t)r->examples, "corrections",
                   (json_int_t)r->corrections, "holdout",
                   (json_int_t)r->holdout, "holdout_from",
                   o->holdout ? "given" : "every tenth base message",
                   "train", "epochs", o->train.epochs, "lr", o->train.lr,
                   "word_ngrams", o->train.word_ngrams, "bits",
                   o->train.hash_bits, "seed", (int)o->train.seed);
  metrics = json_pack("{s:f, s:f, s:I}", "accuracy", r->accuracy,
                      "macro_f1", r->macro_f1, "holdout",
                      (json_int_t)r->holdout);
  if (metrics && curv)
    json_object_set_new(metrics, "in_use", json_pack(
        "{s:I, s:f, s:f}", "version", (json_int_t)curv, "accuracy",
        r->cur_accuracy, "macro_f1", r->cur_macro_f1));
  dtext = data ? json_dumps(data, JSON_COMPACT) : NULL;
  mtext = metrics ? json_dumps(metrics, JSON_COMPACT) : NULL;
  if (!dtext || !mtext) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
    goto out;
  }
  if ((rc = maat_store_begin(st)))
    goto out;
  rc = add_model(st, kind, r->path, dtext, mtext,
                 r->promoted ? MAAT_MODEL_PROMOTED
                 : o->no_promote ? MAAT_MODEL_CANDIDATE : MAAT_MODEL_REFUSED,
                 r->decision, &r->version);
  if (!rc && r->promoted)
    rc = put_in_use(st, kind, r->version);
  rc = rc ? (maat_store_rollback(st), rc) : maat_store_commit(st);
out:
  json_decref(data);
  json_decref(metrics);
  free(dtext);
  free(mtext);
  maat_free(curpath);
  maat_model_free(m);
  maat_model_free(cur);
  maat_dataset_free(train);
  maat_dataset_free(held);
  return rc;
}

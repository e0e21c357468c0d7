/*
 * store_records.c - the learning loop's records over the backends' kept
 * records: corrections (with their review), the customer's redacted words
 * per contact, and the model registry. Each is a JSON body beside the
 * columns a backend selects on (kind, key, time, state); the typed
 * structs of maat/store.h are built here, so a backend never parses JSON.
 */
#include "store-int.h"
#include "json-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char *str(json_t *o, const char *key)
{
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static int set_str(json_t *o, const char *key, const char *v)
{
  return json_object_set_new(o, key, json_string(v ? v : ""));
}

/* The body of a correction (the columns carry id, key, t and state). */
static char *correction_body(const struct maat_store_correction *c)
{
  json_t *o = json_object();
  char *s = NULL;
  int bad = !o;

  if (!bad) {
    bad |= set_str(o, "field", c->field);
    bad |= set_str(o, "was", c->was);
    bad |= set_str(o, "value", c->value);
    bad |= set_str(o, "reason", c->reason);
    bad |= set_str(o, "by", c->by);
    bad |= set_str(o, "text", c->text);
    bad |= set_str(o, "lang", c->lang);
    bad |= set_str(o, "rule", c->rule);
    bad |= set_str(o, "intent", c->intent);
    bad |= json_object_set_new(o, "override", json_boolean(c->override));
    bad |= set_str(o, "reviewed_by", c->reviewed_by);
    bad |= json_object_set_new(o, "reviewed_at", json_real(c->reviewed_at));
  }
  if (!bad)
    s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
  json_decref(o);
  return s;
}

static int correction_of(json_t *o, int64_t id, const char *key, double t,
                         int state, struct maat_store_correction *c)
{
  memset(c, 0, sizeof *c);
  c->id = id;
  c->t = t;
  c->contact = key;
  c->state = state;
  c->field = str(o, "field");
  c->was = str(o, "was");
  c->value = str(o, "value");
  c->reason = str(o, "reason");
  c->by = str(o, "by");
  c->text = str(o, "text");
  c->lang = str(o, "lang");
  c->rule = str(o, "rule");
  c->intent = str(o, "intent");
  c->override = json_is_true(json_object_get(o, "override"));
  c->reviewed_by = str(o, "reviewed_by");
  c->reviewed_at = json_number_value(json_object_get(o, "reviewed_at"));
  return MAAT_OK;
}

struct add_args {
  const char *kind, *key;
  double t;
  int state;
  const char *body;
  int64_t *id;
};

static int do_add(maat_store *st, void *arg)
{
  struct add_args *a = arg;
  void *b;
  const struct maat__store_ops *ops = maat__store_ops_of(st, &b);

  return ops->rec_add(b, a->kind, a->key, a->t, a->state, a->body, a->id);
}

int maat_store_correction_add(maat_store *st,
                              const struct maat_store_correction *c,
                              int64_t *id)
{
  struct add_args a;
  char *body;
  int rc;

  if (!st || !c || !c->contact || !*c->contact || !c->field || !c->value)
    return maat__fail(MAAT_EINVAL, "store: a correction needs its contact, "
                      "field and value");
  if (c->state < MAAT_CORRECTION_OPEN || c->state > MAAT_CORRECTION_DISMISSED)
    return maat__fail(MAAT_EINVAL, "store: a correction's state?");
  if (!(body = correction_body(c)))
    return maat__fail(MAAT_ENOMEM, "out of memory");
  a = (struct add_args){ "correction", c->contact, c->t, c->state, body,
                         id };
  rc = maat__store_write(st, do_add, &a);
  free(body);
  return rc;
}

struct find_one {
  int64_t id;
  int found, state;
  char *key, *body;
  double t;
};

static int find_row(void *ctx, int64_t id, const char *key, double t,
                    int state, const char *body)
{
  struct find_one *f = ctx;

  if (id != f->id)
    return MAAT_OK;
  f->found = 1;
  f->state = state;
  f->t = t;
  f->key = maat__strdup(key);
  f->body = maat__strdup(body);
  return f->key && f->body ? 1 : maat__fail(MAAT_ENOMEM, "out of memory");
}

struct review_args {
  int64_t id;
  int state;
  const char *by;
  double at;
};

static int do_review(maat_store *st, void *arg)
{
  struct review_args *r = arg;
  struct find_one f = { r->id, 0, 0, NULL, NULL, 0 };
  void *b;
  const struct maat__store_ops *ops = maat__store_ops_of(st, &b);
  json_error_t err;
  json_t *o;
  char *body = NULL;
  int rc;

  rc = ops->recs(b, 1, "correction", NULL, -1, find_row, &f);
  if (rc < 0 || (rc > 1))
    goto out;
  rc = MAAT_OK;
  if (!f.found) {
    rc = maat__fail(MAAT_ENOTFOUND, "no correction %lld", (long long)r->id);
    goto out;
  }
  if (f.state != MAAT_CORRECTION_OPEN) {
    rc = maat__fail(MAAT_ESTATE, "correction %lld was %s already",
                    (long long)r->id, f.state == MAAT_CORRECTION_APPROVED
                                          ? "approved" : "dismissed");
    goto out;
  }
  if (!(o = json_loads(f.body, 0, &err))) {
    rc = maat__json_fail(&err);
    goto out;
  }
  set_str(o, "reviewed_by", r->by);
  json_object_set_new(o, "reviewed_at", json_real(r->at));
  body = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
  json_decref(o);
  rc = body ? ops->rec_set(b, "correction", r->id, r->state, body)
            : maat__fail(MAAT_ENOMEM, "out of memory");
out:
  free(body);
  maat__free(f.key);
  maat__free(f.body);
  return rc;
}

int maat_store_correction_review(maat_store *st, int64_t id, int state,
                                 const char *by, double at)
{
  struct review_args r = { id, state, by, at };

  if (!st || (state != MAAT_CORRECTION_APPROVED &&
              state != MAAT_CORRECTION_DISMISSED))
    return maat__fail(MAAT_EINVAL, "store: a review approves or dismisses");
  return maat__store_write(st, do_review, &r);
}

struct each_c {
  int (*fn)(void *, const struct maat_store_correction *);
  void *ctx;
};

static int row_correction(void *ctx, int64_t id, const char *key, double t,
                          int state, const char *body)
{
  struct each_c *e = ctx;
  struct maat_store_correction c;
  json_error_t err;
  json_t *o = json_loads(body, 0, &err);
  int rc;

  if (!o)
    return maat__json_fail(&err);
  correction_of(o, id, key, t, state, &c);
  rc = e->fn(e->ctx, &c);
  json_decref(o);
  return rc;
}

int maat_store_corrections(maat_store *st, int state,
                           int (*fn)(void *,
                                     const struct maat_store_correction *),
                           void *ctx)
{
  struct each_c e = { fn, ctx };
  void *b;
  const struct maat__store_ops *ops;

  if (!st || !fn)
    return maat__fail(MAAT_EINVAL, "store: no callback");
  ops = maat__store_ops_of(st, &b);
  return ops->recs(b, 0, "correction", NULL, state, row_correction, &e);
}

/* ---- the customer's words ---- */

struct msg_args {
  const char *contact, *body;
  double t;
};

static int do_message(maat_store *st, void *arg)
{
  struct msg_args *m = arg;
  void *b;
  const struct maat__store_ops *ops = maat__store_ops_of(st, &b);
  int rc = ops->rec_delete(b, "message", m->contact, 1e300, NULL);

  return rc ? rc : ops->rec_add(b, "message", m->contact, m->t, 0, m->body,
                                NULL);
}

int maat_store_message_put(maat_store *st, const char *contact, double t,
                           const char *lang, const char *text)
{
  struct msg_args m;
  json_t *o;
  char *body;
  int rc;

  if (!st || !contact || !*contact || !text)
    return maat__fail(MAAT_EINVAL, "store: a message needs its contact and "
                      "text");
  o = json_pack("{s:s, s:s}", "text", text, "lang", lang ? lang : "");
  body = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  if (!body)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  m = (struct msg_args){ contact, body, t };
  rc = maat__store_write(st, do_message, &m);
  free(body);
  return rc;
}

struct msg_out {
  char *text, *lang;
};

static int row_message(void *ctx, int64_t id, const char *key, double t,
                       int state, const char *body)
{
  struct msg_out *m = ctx;
  json_error_t err;
  json_t *o = json_loads(body, 0, &err);

  (void)id, (void)key, (void)t, (void)state;
  if (!o)
    return maat__json_fail(&err);
  maat__free(m->text);
  maat__free(m->lang);
  m->text = maat__strdup(str(o, "text"));
  m->lang = maat__strdup(str(o, "lang"));
  json_decref(o);
  return m->text && m->lang ? MAAT_OK : maat__fail(MAAT_ENOMEM,
                                                   "out of memory");
}

int maat_store_message_get(maat_store *st, const char *contact, char **text,
                           char **lang)
{
  struct msg_out m = { NULL, NULL };
  void *b;
  const struct maat__store_ops *ops;
  int rc;

  if (!st || !contact || !text)
    return maat__fail(MAAT_EINVAL, "store: invalid argument");
  ops = maat__store_ops_of(st, &b);
  rc = ops->recs(b, 0, "message", contact, -1, row_message, &m);
  if (!rc && !m.text)
    rc = MAAT_ENOTFOUND;
  if (rc) {
    maat__free(m.text);
    maat__free(m.lang);
    return rc;
  }
  *text = m.text;
  if (lang)
    *lang = m.lang;
  else
    maat__free(m.lang);
  return MAAT_OK;
}

/* ---- the model registry ---- */

struct model_args {
  const struct maat_store_model *m;
  char *body;
  int64_t *version;
};

static int count_models(void *ctx, int64_t id, const char *key, double t,
                        int state, const char *body)
{
  (void)id, (void)key, (void)t, (void)state, (void)body;
  ++*(int64_t *)ctx;
  return MAAT_OK;
}

static int do_model_add(maat_store *st, void *arg)
{
  struct model_args *a = arg;
  void *b;
  const struct maat__store_ops *ops = maat__store_ops_of(st, &b);
  int64_t n = 0, id;
  char key[32];
  int rc = ops->recs(b, 1, "model", NULL, -1, count_models, &n);

  if (rc)
    return rc;
  snprintf(key, sizeof key, "%lld", (long long)(n + 1));
  rc = ops->rec_add(b, "model", key, a->m->t, a->m->state, a->body, &id);
  if (!rc && a->version)
    *a->version = n + 1;
  return rc;
}

static char *model_body(const struct maat_store_model *m)
{
  json_t *o = json_object();
  char *s = NULL;
  int bad = !o;

  if (!bad) {
    bad |= set_str(o, "kind", m->kind);
    bad |= set_str(o, "path", m->path);
    bad |= set_str(o, "sha256", m->sha256);
    bad |= set_str(o, "data", m->data);
    bad |= set_str(o, "metrics", m->metrics);
    bad |= set_str(o, "decision", m->decision);
  }
  if (!bad)
    s = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  return s;
}

int maat_store_model_add(maat_store *st, const struct maat_store_model *m,
                         int64_t *version)
{
  struct model_args a;
  int rc;

  if (!st || !m || !m->kind || !m->path || !m->sha256)
    return maat__fail(MAAT_EINVAL, "store: a model needs its kind, file "
                      "and checksum");
  if (!(a.body = model_body(m)))
    return maat__fail(MAAT_ENOMEM, "out of memory");
  a.m = m;
  a.version = version;
  rc = maat__store_write(st, do_model_add, &a);
  free(a.body);
  return rc;
}

struct each_m {
  int (*fn)(void *, const struct maat_store_model *);
  void *ctx;
  const char *kind;
  int64_t want;         /* model_set: the version to find */
  char *body;           /* its body, owned */
  int found;
};

static int row_model(void *ctx, int64_t id, const char *key, double t,
                     int state, const char *body)
{
  struct each_m *e = ctx;
  struct maat_store_model m;
  json_error_t err;
  json_t *o = json_loads(body, 0, &err);
  int rc;

  (void)id;
  if (!o)
    return maat__json_fail(&err);
  memset(&m, 0, sizeof m);
  m.version = strtoll(key, NULL, 10);
  m.t = t;
  m.state = state;
  m.kind = str(o, "kind");
  m.path = str(o, "path");
  m.sha256 = str(o, "sha256");
  m.data = str(o, "data");
  m.metrics = str(o, "metrics");
  m.decision = str(o, "decision");
  rc = !e->kind || !strcmp(e->kind, m.kind) ? e->fn(e->ctx, &m) : MAAT_OK;
  json_decref(o);
  return rc;
}

int maat_store_models(maat_store *st, const char *kind,
                      int (*fn)(void *, const struct maat_store_model *),
                      void *ctx)
{
  struct each_m e = { fn, ctx, kind, 0, NULL, 0 };
  void *b;
  const struct maat__store_ops *ops;

  if (!st || !fn)
    return maat__fail(MAAT_EINVAL, "store: no callback");
  ops = maat__store_ops_of(st, &b);
  return ops->recs(b, 0, "model", NULL, -1, row_model, &e);
}

struct set_args {
  int64_t version;
  int state;
  const char *decision;
};

struct find_model {
  int64_t id;
  char *body;
};

static int find_model_row(void *ctx, int64_t id, const char *key, double t,
                          int state, const char *body)
{
  struct find_model *f = ctx;

  (void)t, (void)state, (void)key;
  f->id = id;
  f->body = maat__strdup(body);
  return f->body ? 1 : maat__fail(MAAT_ENOMEM, "out of memory");
}

static int do_model_set(maat_store *st, void *arg)
{
  struct set_args *a = arg;
  struct find_model f = { 0, NULL };
  void *b;
  const struct maat__store_ops *ops = maat__store_ops_of(st, &b);
  char key[32];
  json_error_t err;
  json_t *o;
  char *body = NULL;
  int rc;

  snprintf(key, sizeof key, "%lld", (long long)a->version);
  rc = ops->recs(b, 1, "model", key, -1, find_model_row, &f);
  if (rc == 1)
    rc = MAAT_OK;
  if (!rc && !f.body)
    rc = maat__fail(MAAT_ENOTFOUND, "no model version %lld",
                    (long long)a->version);
  if (!rc && !(o = json_loads(f.body, 0, &err)))
    rc = maat__json_fail(&err);
  if (!rc) {
    if (a->decision) {
      /* The history stays: a later decision is added to the first. */
      const char *was = str(o, "decision");
      char *both = NULL;
      size_t n = strlen(was) + strlen(a->decision) + 3;
      if (*was && (both = maat__malloc(n)))
        snprintf(both, n, "%s; %s", was, a->decision);
      set_str(o, "decision", both ? both : a->decision);
      maat__free(both);
    }
    body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    rc = body ? ops->rec_set(b, "model", f.id, a->state, body)
              : maat__fail(MAAT_ENOMEM, "out of memory");
  }
  free(body);
  maat__free(f.body);
  return rc;
}

int maat_store_model_set(maat_store *st, int64_t version, int state,
                         const char *decision)
{
  struct set_args a = { version, state, decision };

  if (!st || state < MAAT_MODEL_CANDIDATE || state > MAAT_MODEL_REFUSED)
    return maat__fail(MAAT_EINVAL, "store: invalid model state");
  return maat__store_write(st, do_model_set, &a);
}

/* ---- the data subject ---- */

struct scrub_args {
  const char *needle;
  size_t n;
  int (*fn)(void *, const char *, const void *, size_t, void **, size_t *);
  void *ctx;
};

static int do_scrub(maat_store *st, void *arg)
{
  struct scrub_args *a = arg;
  void *b;
  const struct maat__store_ops *ops = maat__store_ops_of(st, &b);

  return ops->scrub(b, a->needle, a->n, a->fn, a->ctx);
}

int maat_store_scrub(maat_store *st, const char *needle, size_t n,
                     int (*fn)(void *, const char *, const void *, size_t,
                               void **, size_t *),
                     void *ctx)
{
  struct scrub_args a = { needle, n, fn, ctx };

  if (!st || !needle || !n || !fn)
    return maat__fail(MAAT_EINVAL, "store: scrub needs what to look for");
  return maat__store_write(st, do_scrub, &a);
}

int maat_store_compact(maat_store *st)
{
  void *b;
  const struct maat__store_ops *ops;

  if (!st)
    return maat__fail(MAAT_EINVAL, "store: no store");
  ops = maat__store_ops_of(st, &b);
  return ops->compact(b);
}

struct forget {
  int64_t ids[64];
  char *bodies[64];
  int n;
};

static int take_blank(void *ctx, int64_t id, const char *key, double t,
                      int state, const char *body)
{
  struct forget *f = ctx;
  json_t *o;

  (void)key, (void)t, (void)state;
  if (f->n == 64 || !(o = json_loads(body, 0, NULL)))
    return 0;
  json_object_set_new(o, "text", json_string(""));
  f->ids[f->n] = id;
  f->bodies[f->n] = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
  json_decref(o);
  if (f->bodies[f->n])
    f->n++;
  return 0;
}

static int do_forget(maat_store *st, void *arg)
{
  const char *contact = arg;
  void *b;
  const struct maat__store_ops *ops = maat__store_ops_of(st, &b);
  struct forget f;
  int rc;

  f.n = 0;
  if ((rc = ops->rec_delete(b, "message", contact, 1e300, NULL)) ||
      (rc = ops->recs(b, 1, "correction", contact, -1, take_blank, &f)))
    return rc;
  for (int i = 0; i < f.n; i++) {
    /* The state stays: a review is not undone by an erasure. */
    int64_t id = f.ids[i];
    struct find_one one = { id, 0, 0, NULL, NULL, 0 };
    if (!rc)
      rc = ops->recs(b, 1, "correction", contact, -1, find_row, &one);
    if (rc == 1)
      rc = MAAT_OK;
    if (!rc && one.found)
      rc = ops->rec_set(b, "correction", id, one.state, f.bodies[i]);
    maat__free(one.key);
    maat__free(one.body);
    free(f.bodies[i]);
  }
  return rc;
}

int maat_store_forget_words(maat_store *st, const char *contact)
{
  if (!st || !contact || !*contact)
    return maat__fail(MAAT_EINVAL, "store: which contact?");
  return maat__store_write(st, do_forget, (void *)contact);
}

struct purge_args {
  const char *what;
  double before;
  long *n;
};

static int do_purge(maat_store *st, void *arg)
{
  struct purge_args *a = arg;
  void *b;
  const struct maat__store_ops *ops = maat__store_ops_of(st, &b);

  if (!strcmp(a->what, "messages"))
    return ops->rec_delete(b, "message", NULL, a->before, a->n);
  return ops->purge(b, a->what, a->before, a->n);
}

int maat_store_purge(maat_store *st, const char *what, double before,
                     long *n)
{
  struct purge_args a = { what, before, n };

  if (!st || !what)
    return maat__fail(MAAT_EINVAL, "store: what to purge?");
  if (n)
    *n = 0;
  return maat__store_write(st, do_purge, &a);
}

struct agent_args {
  const char *agent;
  long *n;
};

static int do_checkins_erase(maat_store *st, void *arg)
{
  struct agent_args *a = arg;
  void *b;
  const struct maat__store_ops *ops = maat__store_ops_of(st, &b);

  return ops->checkins_erase(b, a->agent, a->n);
}

int maat_store_checkins_erase(maat_store *st, const char *agent, long *n)
{
  struct agent_args a = { agent, n };

  if (!st || !agent || !*agent)
    return maat__fail(MAAT_EINVAL, "store: which agent?");
  return maat__store_write(st, do_checkins_erase, &a);
}

/* ---- the insight area's records (maat/insight.h) ---- */

static int insight_kind(const char *kind)
{
  static const char *const kinds[] = { "fact", "pulse", "pulse_done",
                                       "reinvest", "task" };

  for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
    if (!strcmp(kind, kinds[i]))
      return 1;
  return 0;
}

struct rec_add_args {
  const char *kind, *key, *body;
  double t;
  int64_t *id;
};

static int do_record_add(maat_store *st, void *arg)
{
  struct rec_add_args *a = arg;
  void *b;
  const struct maat__store_ops *ops = maat__store_ops_of(st, &b);

  return ops->rec_add(b, a->kind, a->key, a->t, 0, a->body, a->id);
}

int maat_store_record_add(maat_store *st, const char *kind, const char *key,
                          double t, const char *body, int64_t *id)
{
  struct rec_add_args a = { kind, key, body, t, id };

  if (!st || !insight_kind(kind) || !key || !body)
    return maat__fail(MAAT_EINVAL, "store: a record needs a known kind, a "
                      "key and a body");
  return maat__store_write(st, do_record_add, &a);
}

struct rec_walk {
  int (*fn)(void *, int64_t, const char *, double, const char *);
  void *ctx;
};

static int row_walk(void *ctx, int64_t id, const char *key, double t,
                    int state, const char *body)
{
  struct rec_walk *w = ctx;

  (void)state;
  return w->fn(w->ctx, id, key, t, body);
}

int maat_store_records(maat_store *st, const char *kind, const char *key,
                       int (*fn)(void *ctx, int64_t id, const char *key,
                                 double t, const char *body),
                       void *ctx)
{
  struct rec_walk w = { fn, ctx };
  void *b;
  const struct maat__store_ops *ops;

  if (!st || !insight_kind(kind) || !fn)
    return maat__fail(MAAT_EINVAL, "store: records of an unknown kind");
  ops = maat__store_ops_of(st, &b);
  return ops->recs(b, 0, kind, key, -1, row_walk, &w);
}

struct rec_del_args {
  const char *kind, *key;
  double before;
  long *n;
};

static int do_record_delete(maat_store *st, void *arg)
{
  struct rec_del_args *a = arg;
  void *b;
  const struct maat__store_ops *ops = maat__store_ops_of(st, &b);

  return ops->rec_delete(b, a->kind, a->key, a->before, a->n);
}

int maat_store_records_delete(maat_store *st, const char *kind,
                              const char *key, double before, long *n)
{
  long dummy;
  struct rec_del_args a = { kind, key, before, n ? n : &dummy };

  if (!st || !insight_kind(kind))
    return maat__fail(MAAT_EINVAL, "store: records of an unknown kind");
  return maat__store_write(st, do_record_delete, &a);
}

struct closed_walk {
  int (*fn)(void *, const char *, double, const char *);
  void *ctx;
};

static int row_closed(void *ctx, const char *const *v, const size_t *len,
                      int n)
{
  struct closed_walk *w = ctx;

  (void)len;
  if (n < 3 || !v[0] || !v[1] || !v[2])
    return MAAT_OK;
  return w->fn(w->ctx, v[0], strtod(v[1], NULL), v[2]);
}

int maat_store_contacts_closed(maat_store *st,
                               int (*fn)(void *ctx, const char *id,
                                         double closed, const char *record),
                               void *ctx)
{
  struct closed_walk w = { fn, ctx };
  void *b;
  const struct maat__store_ops *ops;

  if (!st || !fn)
    return maat__fail(MAAT_EINVAL, "store: no store");
  ops = maat__store_ops_of(st, &b);
  return ops->dump(b, "contacts", row_closed, &w);
}

struct energy_walk {
  int (*fn)(void *, const char *, double, int);
  void *ctx;
};

static int row_energy(void *ctx, const char *const *v, const size_t *len,
                      int n)
{
  struct energy_walk *w = ctx;

  (void)len;
  /* seq, agent, contact, t, energy, ... */
  if (n < 5 || !v[1] || !v[3] || !v[4])
    return MAAT_OK;
  return w->fn(w->ctx, v[1], strtod(v[3], NULL), (int)strtol(v[4], NULL,
                                                              10));
}

int maat_store_checkin_energies(maat_store *st,
                                int (*fn)(void *ctx, const char *agent,
                                          double t, int energy),
                                void *ctx)
{
  struct energy_walk w = { fn, ctx };
  void *b;
  const struct maat__store_ops *ops;

  if (!st || !fn)
    return maat__fail(MAAT_EINVAL, "store: no store");
  ops = maat__store_ops_of(st, &b);
  return ops->dump(b, "checkins", row_energy, &w);
}

/*
 * learn.c - people correct the AI: a correction of a decision (tier,
 * intent, tone, urgency, the bot's answer, the assignment), made by a
 * lead or by the agent who had the contact, with a reason; a lead's
 * review queue (open, approved, dismissed, with how often the same
 * correction was made); the overrides counted per rule and intent.
 * Approved corrections are training data for 'maat retrain'
 * (docs/learning.md). Every correction and review is audited.
 */
#include "server-int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fields[] = { "tier", "intent", "tone", "urgency",
                                      "answer", "assignment" };

/* The rule codes behind a decision, "," joined (codes only: a reason's
 * parameters may name a person's wellbeing). */
static void rule_codes(const char *reasons, int joined, char *out,
                       size_t size)
{
  json_t *codes = maat__msg_codes(reasons, joined), *v;
  size_t i, n = 0;

  out[0] = '\0';
  json_array_foreach(codes, i, v) {
    const char *code = json_string_value(json_object_get(v, "code"));
    if (!code || strstr(out, code))
      continue;
    n += (size_t)snprintf(out + n, n < size ? size - n : 0, "%s%s",
                          n ? "," : "", code);
    if (n >= size) {
      out[size - 1] = '\0';
      break;
    }
  }
  json_decref(codes);
}

/* The automated value of 'field' in a contact's record and triage. */
static void automated(const struct maat_contact_record *r, json_t *tri,
                      const char *field, char *out, size_t size)
{
  out[0] = '\0';
  if (!strcmp(field, "tier")) {
    if (r->tier >= 1 && r->tier <= 3)
      snprintf(out, size, "T%d", r->tier);
  } else if (!strcmp(field, "intent")) {
    snprintf(out, size, "%s", r->intent);
  } else if (!strcmp(field, "tone")) {
    snprintf(out, size, "%s", maat_tone_name(r->tone));
  } else if (!strcmp(field, "urgency")) {
    json_t *u = json_object_get(tri, "urgency");
    if (json_is_number(u))
      snprintf(out, size, "%.2f", json_number_value(u));
  } else if (!strcmp(field, "answer")) {
    json_t *kb = json_object_get(tri, "kb");
    const char *a = json_string_value(json_object_get(kb, "article"));
    snprintf(out, size, "%s", a ? a : "");
  } else if (!strcmp(field, "assignment")) {
    snprintf(out, size, "%s", r->to);
  }
}

/* Whether 'v' is a value 'field' can take; a message when not. */
static const char *bad_value(struct maat_server *s, const char *field,
                             const char *v)
{
  if (!strcmp(field, "tier"))
    return strcmp(v, "T1") && strcmp(v, "T2") && strcmp(v, "T3")
               ? "field 'value': a tier is T1, T2 or T3" : NULL;
  if (!strcmp(field, "intent")) {
    int found = 0, model;
    pthread_mutex_lock(&s->model_mu);
    model = s->intent != NULL;
    for (size_t k = 0; model && k < maat_model_label_count(s->intent); k++)
      found |= !strcmp(maat_model_label(s->intent, k), v);
    pthread_mutex_unlock(&s->model_mu);
    if (!model)
      return maat_id_valid(v, strlen(v)) ? NULL
                                         : "field 'value': not an intent";
    return found ? NULL : "field 'value': no intent of the model";
  }
  if (!strcmp(field, "tone")) {
    for (int k = 0; k < 5; k++)
      if (!strcmp(maat_tone_name(k), v))
        return NULL;
    return "field 'value': a tone is neutral, positive, frustrated, angry "
           "or distressed";
  }
  if (!strcmp(field, "urgency")) {
    char *end;
    double u = strtod(v, &end);
    return *end || !(u >= 0 && u <= 1) ? "field 'value': an urgency from 0 "
                                         "to 1" : NULL;
  }
  if (!strcmp(field, "answer"))
    return strcmp(v, "right") && strcmp(v, "wrong") && strcmp(v, "missing")
               ? "field 'value': the bot's answer was right, wrong or "
                 "missing (no knowledge to answer it)" : NULL;
  /* assignment */
  return maat_id_valid(v, strlen(v)) ? NULL
                                     : "field 'value': expected an agent id";
}

/* The bot's reply to a contact, not yet delivered, held back: a person
 * said the answer is wrong while it was still going out. */
struct withhold {
  char pat[MAAT_ID_MAX + 16];
  int64_t ids[16];
  int attempts[16];
  int n;
};

static int find_reply(void *ctx, const struct maat_store_outbox *o)
{
  struct withhold *w = ctx;

  if (o->key && strstr(o->key, w->pat) && w->n < 16) {
    w->ids[w->n] = o->id;
    w->attempts[w->n++] = o->attempts;
  }
  return 0;
}

static int withhold_reply(struct maat_server *s, const char *contact)
{
  struct withhold w;
  int k = 0;

  memset(&w, 0, sizeof w);
  snprintf(w.pat, sizeof w.pat, ":%s:reply@", contact);
  if (maat_store_outbox_list(s->store, MAAT_OUTBOX_PENDING, 1000, find_reply,
                             &w))
    return 0;
  for (int i = 0; i < w.n; i++)
    k += maat_store_outbox_mark(s->store, w.ids[i], MAAT_OUTBOX_DEAD,
                                w.attempts[i], 0, "withheld: a person said "
                                "the bot's answer is wrong", maat_wall_now())
         == MAAT_OK;
  return k;
}

/* POST /v1/contacts/{id}/corrections {field, value, reason, override} */
enum MHD_Result maat__post_correction(struct call *c)
{
  struct maat_server *s = c->s;
  const char *id = c->seg[2], *field, *value, *why;
  struct maat_store_correction k;
  struct maat_contact_record r;
  enum MHD_Result ret;
  json_t *o, *tri = NULL;
  char was[MAAT_ID_MAX + 1], by[MAAT_ID_MAX + 8], rules[256];
  char *text = NULL, *lang = NULL, *reason = NULL;
  int64_t cid;
  size_t f;
  int rc;

  c->audit = 1;
  snprintf(c->detail, sizeof c->detail, "correction of contact %s", id);
  if (maat_engine_contact(s->engine, id, &r))
    return maat__fail_call(c, 404, "no such contact", NULL);
  if (c->who.role == MAAT_ROLE_AGENT && strcmp(r.to, c->who.agent)) {
    maat_contact_record_release(&r);
    return maat__fail_call(c, 403, "an agent corrects only her own contacts",
                           NULL);
  }
  if (!(o = maat__parse_body(c, &ret))) {
    maat_contact_record_release(&r);
    return ret;
  }
  field = json_string_value(json_object_get(o, "field"));
  value = json_string_value(json_object_get(o, "value"));
  why = json_string_value(json_object_get(o, "reason"));
  for (f = 0; field && f < sizeof fields / sizeof fields[0]; f++)
    if (!strcmp(field, fields[f]))
      break;
  if (!field || f == sizeof fields / sizeof fields[0]) {
    ret = maat__fail_call(c, 400, "field 'field': tier, intent, tone, "
                          "urgency, answer or assignment", "field");
    goto out;
  }
  if (!value || !*value || strlen(value) > MAAT_ID_MAX) {
    ret = maat__fail_call(c, 400, "field 'value': expected the right value",
                          "value");
    goto out;
  }
  {
    const char *bad = bad_value(s, field, value);
    if (bad) {
      ret = maat__fail_call(c, 400, bad, "value");
      goto out;
    }
  }
  if (!why || !*why || strlen(why) > 500) {
    ret = maat__fail_call(c, 400, "field 'reason': why, in 1 to 500 bytes",
                          "reason");
    goto out;
  }
  if (json_object_get(o, "override") &&
      !json_is_boolean(json_object_get(o, "override"))) {
    ret = maat__fail_call(c, 400, "field 'override': true or false",
                          "override");
    goto out;
  }
  tri = r.triage ? json_loads(r.triage, 0, NULL) : NULL;
  automated(&r, tri, field, was, sizeof was);
  if (!strcmp(field, "assignment") || !strcmp(field, "answer") ? 0
      : !strcmp(was, value)) {
    ret = maat__fail_call(c, 409, "that is what maat decided: nothing to "
                          "correct", "value");
    goto out;
  }
  if (!strcmp(field, "assignment"))
    rule_codes(r.reasons, 1, rules, sizeof rules);
  else if (json_is_array(json_object_get(tri, "reasons"))) {
    json_t *v;
    size_t i, n = 0;
    rules[0] = '\0';
    json_array_foreach(json_object_get(tri, "reasons"), i, v) {
      char one[128];
      rule_codes(json_string_value(v), 0, one, sizeof one);
      if (one[0] && !strstr(rules, one) && n + strlen(one) + 2 < sizeof rules)
        n += (size_t)snprintf(rules + n, sizeof rules - n, "%s%s",
                              n ? "," : "", one);
    }
  } else {
    rules[0] = '\0';
  }
  /* The reason may quote the customer: kept without personal data. */
  if ((rc = maat_pii_redact(why, strlen(why), &reason, NULL))) {
    ret = maat__library_error(c, rc);
    goto out;
  }
  if (maat_store_message_get(s->store, id, &text, &lang) != MAAT_OK)
    text = lang = NULL;
  if (c->who.role == MAAT_ROLE_AGENT)
    snprintf(by, sizeof by, "agent:%s", c->who.agent);
  else
    snprintf(by, sizeof by, "%s", maat_role_name(c->who.role));
  memset(&k, 0, sizeof k);
  k.t = maat_wall_now();
  k.contact = id;
  k.field = field;
  k.was = was;
  k.value = value;
  k.reason = reason;
  k.by = by;
  k.text = text ? text : "";
  k.lang = lang ? lang
                : json_string_value(json_object_get(tri, "lang"))
                      ? json_string_value(json_object_get(tri, "lang")) : "";
  k.rule = rules;
  k.intent = r.intent;
  k.override = json_is_true(json_object_get(o, "override"));
  rc = maat_store_correction_add(s->store, &k, &cid);
  if (rc) {
    ret = maat__library_error(c, rc);
    goto out;
  }
  {
    /* An answer overruled as wrong: its reply, if still going out, is
     * held back. */
    int withheld = k.override && !strcmp(field, "answer") &&
                   !strcmp(value, "wrong") ? withhold_reply(s, id) : 0;
    snprintf(c->detail, sizeof c->detail, "%s %lld of contact %s: %s %s -> "
             "%s%s", k.override ? "override" : "correction", (long long)cid,
             id, field, was[0] ? was : "(none)", value,
             withheld ? ", reply withheld" : "");
    ret = maat__send_json(c, 201, json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:b, s:s, s:b, s:i}", "id",
        (json_int_t)cid, "contact", id, "field", field, "was", was, "value",
        value, "override", k.override, "state", "open", "training_text",
        text != NULL, "withheld", withheld));
  }
out:
  maat_free(text);
  maat_free(lang);
  maat_free(reason);
  json_decref(tri);
  json_decref(o);
  maat_contact_record_release(&r);
  return ret;
}

/* ---- the review queue ---- */

struct listing {
  json_t *list;
  json_t *same;          /* "field|was|value" -> how many */
  int state;
};

static void same_key(const struct maat_store_correction *k, char *out,
                     size_t size)
{
  snprintf(out, size, "%s|%s|%s", k->field, k->was, k->value);
}

static int count_same(void *ctx, const struct maat_store_correction *k)
{
  struct listing *l = ctx;
  char key[3 * MAAT_ID_MAX + 8];

  same_key(k, key, sizeof key);
  json_object_set_new(l->same, key, json_integer(
      json_integer_value(json_object_get(l->same, key)) + 1));
  return 0;
}

static const char *state_name(int state)
{
  return state == MAAT_CORRECTION_APPROVED ? "approved"
         : state == MAAT_CORRECTION_DISMISSED ? "dismissed" : "open";
}

static int list_one(void *ctx, const struct maat_store_correction *k)
{
  struct listing *l = ctx;
  char key[3 * MAAT_ID_MAX + 8];
  json_t *o;

  if (l->state >= 0 && k->state != l->state)
    return 0;
  same_key(k, key, sizeof key);
  o = json_pack("{s:I, s:f, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, "
                "s:s, s:I, s:b}",
                "id", (json_int_t)k->id, "t", k->t, "contact", k->contact,
                "field", k->field, "was", k->was, "value", k->value,
                "reason", k->reason, "by", k->by, "intent", k->intent,
                "rule", k->rule, "override", k->override,
                "state", state_name(k->state),
                "same", json_integer_value(json_object_get(l->same, key)),
                "training_text", k->text[0] != '\0');
  if (o && k->state != MAAT_CORRECTION_OPEN) {
    json_object_set_new(o, "reviewed_by", json_string(k->reviewed_by));
    json_object_set_new(o, "reviewed_at", json_real(k->reviewed_at));
  }
  json_array_append_new(l->list, o);
  return 0;
}

/* GET /v1/corrections?state=open|approved|dismissed|all */
enum MHD_Result maat__get_corrections(struct call *c)
{
  struct listing l;
  const char *st = maat__arg(c, "state");
  int rc;

  if (!st || !strcmp(st, "open"))
    l.state = MAAT_CORRECTION_OPEN;
  else if (!strcmp(st, "approved"))
    l.state = MAAT_CORRECTION_APPROVED;
  else if (!strcmp(st, "dismissed"))
    l.state = MAAT_CORRECTION_DISMISSED;
  else if (!strcmp(st, "all"))
    l.state = -1;
  else
    return maat__fail_call(c, 400, "parameter 'state': open, approved, "
                           "dismissed or all", "state");
  l.list = json_array();
  l.same = json_object();
  rc = maat_store_corrections(c->s->store, -1, count_same, &l);
  if (!rc)
    rc = maat_store_corrections(c->s->store, -1, list_one, &l);
  json_decref(l.same);
  if (rc) {
    json_decref(l.list);
    return maat__library_error(c, rc);
  }
  return maat__send_json(c, 200, json_pack("{s:o}", "corrections", l.list));
}

/* POST /v1/corrections/{id}/approve and /dismiss */
enum MHD_Result maat__post_correction_review(struct call *c)
{
  const char *idtxt = c->seg[2], *verb = c->seg[3];
  int approve = !strcmp(verb, "approve");
  char *end;
  long long id = strtoll(idtxt, &end, 10);
  char by[MAAT_ID_MAX + 8];
  int rc, learnt = 0;

  c->audit = 1;
  if (!approve && strcmp(verb, "dismiss"))
    return maat__fail_call(c, 404, "approve or dismiss", NULL);
  if (*end || id <= 0)
    return maat__fail_call(c, 404, "no such correction", NULL);
  snprintf(by, sizeof by, "%s", maat_role_name(c->who.role));
  rc = maat_store_correction_review(c->s->store, id,
                                    approve ? MAAT_CORRECTION_APPROVED
                                            : MAAT_CORRECTION_DISMISSED,
                                    by, maat_wall_now());
  if (rc == MAAT_ENOTFOUND)
    return maat__fail_call(c, 404, "no such correction", NULL);
  if (rc == MAAT_ESTATE)
    return maat__fail_call(c, 409, maat_errmsg(), NULL);
  if (rc)
    return maat__library_error(c, rc);
  /* An approved "the bot's answer was right": its words join the
   * knowledge base's history. Best effort: the review stands. */
  if (approve)
    maat_kb_learn_correction(c->s->store, id, maat_wall_now(), &learnt);
  snprintf(c->detail, sizeof c->detail, "correction %lld %s%s", id,
           approve ? "approved" : "dismissed",
           learnt ? ", its question joins the knowledge base's history" : "");
  return maat__send_json(c, 200, json_pack("{s:I, s:s, s:b}", "id",
                                           (json_int_t)id, "state",
                                           approve ? "approved"
                                                   : "dismissed",
                                           "kb_history", learnt));
}

/* ---- overrides, counted per rule and intent ---- */

struct tally {
  json_t *by_rule, *by_intent, *by_field;
  long total;
};

static void bump(json_t *o, const char *key)
{
  json_object_set_new(o, key, json_integer(
      json_integer_value(json_object_get(o, key)) + 1));
}

static int tally_one(void *ctx, const struct maat_store_correction *k)
{
  struct tally *t = ctx;
  char rules[256], *save = NULL;

  if (!k->override)
    return 0;
  t->total++;
  bump(t->by_field, k->field);
  bump(t->by_intent, k->intent[0] ? k->intent : "(none)");
  snprintf(rules, sizeof rules, "%s", k->rule);
  if (!rules[0])
    bump(t->by_rule, "(none)");
  for (char *p = strtok_r(rules, ",", &save); p;
       p = strtok_r(NULL, ",", &save))
    bump(t->by_rule, p);
  return 0;
}

/* GET /v1/overrides: how often people overruled maat, per rule, intent
 * and kind of decision. */
enum MHD_Result maat__get_overrides(struct call *c)
{
  struct tally t = { json_object(), json_object(), json_object(), 0 };
  int rc = maat_store_corrections(c->s->store, -1, tally_one, &t);

  if (rc) {
    json_decref(t.by_rule);
    json_decref(t.by_intent);
    json_decref(t.by_field);
    return maat__library_error(c, rc);
  }
  return maat__send_json(c, 200, json_pack("{s:I, s:o, s:o, s:o}", "total",
                                           (json_int_t)t.total, "by_rule",
                                           t.by_rule, "by_intent",
                                           t.by_intent, "by_field",
                                           t.by_field));
}

/*
 * A lead's move overrules the router's assignment: recorded as an
 * override with the rules it went against.
 */
void maat__note_move(struct call *c, const struct maat_contact_record *r,
                     const char *agent, const char *why)
{
  struct maat_store_correction k;
  char rules[256], *reason = NULL;

  if (maat_pii_redact(why, strlen(why), &reason, NULL))
    return;
  rule_codes(r->reasons, 1, rules, sizeof rules);
  memset(&k, 0, sizeof k);
  k.t = maat_wall_now();
  k.contact = r->id;
  k.field = "assignment";
  k.was = r->to;
  k.value = agent[0] ? agent : "(queue)";
  k.reason = reason;
  k.by = maat_role_name(c->who.role);
  k.text = "";
  k.lang = "";
  k.rule = rules;
  k.intent = r->intent;
  k.override = 1;
  maat_store_correction_add(c->s->store, &k, NULL);
  maat_free(reason);
}

/*
 * After a contact with the customer's words was applied: the words,
 * personal data replaced (once), for the knowledge gaps and, when the data
 * class "messages" is kept (docs/privacy.md), for learning.
 */
void maat__note_words(struct maat_server *s, const char *id,
                      const char *text, const char *source)
{
  struct maat_contact_record r;
  char *clean = NULL;
  json_t *tri;

  if (!text || maat_engine_contact(s->engine, id, &r))
    return;
  tri = r.triage ? json_loads(r.triage, 0, NULL) : NULL;
  if (!maat_pii_redact(text, strlen(text), &clean, NULL)) {
    maat__kb_note(s, &r, tri, clean, source);
    if (!s->o.forget_words)
      maat_store_message_put(s->store, id, maat_wall_now(),
                             json_string_value(json_object_get(tri, "lang")),
                             clean);
  }
  maat_free(clean);
  json_decref(tri);
  maat_contact_record_release(&r);
}

/* ---- the intent model, followed in the registry ---- */

int maat__model_start(struct maat_server *s, const char *file)
{
  char *path = NULL, *changed = NULL;
  int64_t v;
  int rc = maat_model_current(s->store, "intent", &v, &path);

  /* The first scheduled retrain comes one period after the start. */
  s->last_retrain = maat_wall_now();
  if (rc == MAAT_OK) {
    rc = maat_model_load(path, &s->intent);
    maat_free(path);
    if (rc)
      return rc;
    s->model_version = v;
  } else if (rc == MAAT_ENOTFOUND) {
    rc = file ? maat_model_load(file, &s->intent) : MAAT_OK;
    if (rc)
      return rc;
  } else {
    return rc;
  }
  if (maat_store_meta_get(s->store, MAAT_MODEL_CHANGED_KEY, &changed) ==
      MAAT_OK) {
    snprintf(s->model_changed, sizeof s->model_changed, "%s", changed);
    maat_free(changed);
  }
  return MAAT_OK;
}

void maat__model_refresh(struct maat_server *s)
{
  char *changed = NULL, *path = NULL;
  maat_model *m = NULL;
  maat_predictor *p = NULL;
  int64_t v;

  if (maat_store_meta_get(s->store, MAAT_MODEL_CHANGED_KEY, &changed))
    return;
  if (!strcmp(changed, s->model_changed) || !s->tri) {
    maat_free(changed);
    return;
  }
  /* Tried once per change: a broken file is not retried every 5 s. */
  snprintf(s->model_changed, sizeof s->model_changed, "%s", changed);
  maat_free(changed);
  if (maat_model_current(s->store, "intent", &v, &path) ||
      maat_model_load(path, &m) || maat_predictor_new(m, &p) ||
      maat_engine_set_intent_model(s->engine, m)) {
    maat_predictor_free(p);
    maat_model_free(m);
    maat_free(path);
    return;
  }
  maat_free(path);
  pthread_mutex_lock(&s->ex_mu);
  maat_predictor_free(s->ex_pred);
  s->ex_pred = p;
  pthread_mutex_unlock(&s->ex_mu);
  pthread_mutex_lock(&s->model_mu);
  if (s->intent) {
    if (s->nretired == (int)(sizeof s->retired / sizeof s->retired[0])) {
      /* Long-running: the oldest retired model has had minutes to go. */
      maat_model_free(s->retired[0]);
      memmove(s->retired, s->retired + 1,
              (size_t)(s->nretired - 1) * sizeof s->retired[0]);
      s->nretired--;
    }
    s->retired[s->nretired++] = s->intent;
  }
  s->intent = m;
  s->model_version = v;
  pthread_mutex_unlock(&s->model_mu);
}

json_t *maat__ai_text(struct maat_server *s, const char *text)
{
  char *clean = NULL;
  json_t *v;

  if (s->o.ai_sees_raw || !text ||
      maat_pii_redact(text, strlen(text), &clean, NULL))
    return json_string(text ? text : "");
  v = json_string(clean);
  maat_free(clean);
  return v;
}

void maat__retention(struct maat_server *s)
{
  static const struct maat_retention def = MAAT_RETENTION_DEFAULT;
  struct maat_purge_report r;
  double now = maat_wall_now();

  if (now - s->last_purge < 3600)
    return;
  s->last_purge = now;
  maat_privacy_purge(s->store, s->o.retention ? s->o.retention : &def, now,
                     &r);
}

/* ---- the scheduled retrain ---- */

static int read_labelled(const char *path, maat_dataset *d)
{
  maat_reader_opts ro = MAAT_READER_OPTS_INIT;
  maat_reader *r = NULL;
  maat_record rec;
  int rc;

  ro.require_label = 1;
  if ((rc = maat_reader_open(path, &ro, &r)))
    return rc;
  while ((rc = maat_reader_next(r, &rec)) == MAAT_OK)
    if ((rc = maat_dataset_add(d, rec.text, rec.text_len, rec.label)))
      break;
  maat_reader_close(r);
  return rc == MAAT_EOF ? MAAT_OK : rc;
}

static void *retrainer(void *arg)
{
  struct maat_server *s = arg;
  const char *db = s->o.db_path;
  struct maat_retrain_opts o;
  struct maat_retrain_report r;
  struct maat_store_audit au;
  maat_dataset *base = NULL, *hold = NULL;
  char dir[512], detail[160];
  int rc;

  memset(&o, 0, sizeof o);
  o.train = (maat_train_opts)MAAT_TRAIN_OPTS_INIT;
  if (strstr(db, "://"))
    snprintf(dir, sizeof dir, "maat-models");
  else
    snprintf(dir, sizeof dir, "%s.models", strncmp(db, "sqlite:", 7)
                                               ? db : db + 7);
  rc = maat_dataset_new(&base);
  if (!rc && s->o.retrain_holdout)
    rc = maat_dataset_new(&hold);
  for (int i = 0; !rc && i < s->o.nretrain_base; i++)
    rc = read_labelled(s->o.retrain_base[i], base);
  if (!rc && hold)
    rc = read_labelled(s->o.retrain_holdout, hold);
  if (!rc) {
    o.kind = "intent";
    o.base = base;
    o.holdout = hold;
    o.dir = s->o.retrain_dir ? s->o.retrain_dir : dir;
    o.data = "{\"scheduled\":true}";
    rc = maat_retrain(s->store, &o, &r);
  }
  /* The outcome in the audit log; the registry has the figures. */
  if (rc)
    snprintf(detail, sizeof detail, "scheduled retrain failed: %.120s",
             maat_errmsg());
  else
    snprintf(detail, sizeof detail, "scheduled retrain: version %lld %s "
             "(held-out accuracy %.4f, %zu corrections)",
             (long long)r.version, r.promoted ? "promoted" : "refused",
             r.accuracy, r.corrections);
  memset(&au, 0, sizeof au);
  au.at = maat_wall_now();
  au.role = "admin";
  au.method = "SCHEDULE";
  au.path = "retrain";
  au.status = rc ? 500 : 200;
  au.detail = detail;
  maat_store_audit_append(s->store, &au);
  maat_dataset_free(base);
  maat_dataset_free(hold);
  pthread_mutex_lock(&s->model_mu);
  s->retrain_done = 1;
  pthread_mutex_unlock(&s->model_mu);
  return NULL;
}

void maat__retrain_due(struct maat_server *s)
{
  double now = maat_wall_now();

  if (!(s->o.retrain_every_h > 0) || !s->o.nretrain_base ||
      now - s->last_retrain < s->o.retrain_every_h * 3600)
    return;
  if (s->retraining) {
    /* One at a time: the last one joined once it said it is done. */
    int done;
    pthread_mutex_lock(&s->model_mu);
    done = s->retrain_done;
    pthread_mutex_unlock(&s->model_mu);
    if (!done)
      return;
    pthread_join(s->retrainer, NULL);
    s->retraining = 0;
  }
  s->last_retrain = now;
  s->retrain_done = 0;
  if (pthread_create(&s->retrainer, NULL, retrainer, s) == 0)
    s->retraining = 1;
}

void maat__retrain_join(struct maat_server *s)
{
  if (s->retraining)
    pthread_join(s->retrainer, NULL);
  s->retraining = 0;
}

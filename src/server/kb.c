/*
 * kb.c - the knowledge base in maat serve: the index opened from the
 * store (and reloaded when an import changes it), questions asked by
 * employees (POST /v1/ask), the questions nobody could answer kept for the
 * gaps report (GET /v1/kb/gaps), and drafts an owner writes from a gap and
 * publishes once approved. docs/knowledge.md.
 */
#include "server-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int maat__kb_start(struct maat_server *s)
{
  struct maat_kb_options o = { s->o.kb_threshold, 0 };
  char *changed = NULL;
  int rc = maat_kb_open(&s->kb, s->store, &o);

  pthread_mutex_init(&s->ex_mu, NULL);
  s->ex_open = json_object();
  s->ex_stats = json_object();
  if (!s->ex_open || !s->ex_stats)
    return maat_error_set(MAAT_ENOMEM, "out of memory");
  if (!rc && s->intent)
    rc = maat_predictor_new(s->intent, &s->ex_pred);
  if (rc)
    return rc;
  if (maat_store_meta_get(s->store, "kb.changed", &changed) == MAAT_OK)
    snprintf(s->kb_changed, sizeof s->kb_changed, "%s", changed);
  maat_free(changed);
  changed = NULL;
  if (maat_store_meta_get(s->store, "kb.learnt", &changed) == MAAT_OK)
    snprintf(s->kb_learnt, sizeof s->kb_learnt, "%s", changed);
  maat_free(changed);
  s->kb_built_at = maat_wall_now();
  return maat_triager_set_kb(s->tri, s->kb);
}

void maat__kb_stop(struct maat_server *s)
{
  json_decref(s->ex_open);
  json_decref(s->ex_stats);
  maat_predictor_free(s->ex_pred);
  s->ex_open = s->ex_stats = NULL;
  s->ex_pred = NULL;
}

/* A history learnt from outcomes and corrections is taken into the index
 * this often at most (an import at once). */
#define KB_LEARNT_RELOAD_S 600

/* The store's meta 'key', "" when there is none; owned. */
static char *meta_or_empty(struct maat_server *s, const char *key)
{
  char *v = NULL;

  if (maat_store_meta_get(s->store, key, &v) != MAAT_OK)
    v = maat_strdup("");
  return v;
}

/* From the ticker: an import since the last look rebuilds the index; so
 * does a history learnt since, once KB_LEARNT_RELOAD_S have passed. */
void maat__kb_refresh(struct maat_server *s)
{
  char *changed, *learnt;
  double now = maat_wall_now();

  if (!s->kb)
    return;
  changed = meta_or_empty(s, "kb.changed");
  learnt = meta_or_empty(s, "kb.learnt");
  if (changed && learnt &&
      (strcmp(changed, s->kb_changed) ||
       (strcmp(learnt, s->kb_learnt) &&
        now - s->kb_built_at >= KB_LEARNT_RELOAD_S)) &&
      maat_kb_reload(s->kb) == MAAT_OK) {
    snprintf(s->kb_changed, sizeof s->kb_changed, "%s", changed);
    snprintf(s->kb_learnt, sizeof s->kb_learnt, "%s", learnt);
    s->kb_built_at = now;
  }
  maat_free(changed);
  maat_free(learnt);
}

/*
 * After a raw contact was applied: a T1 contact the knowledge base could
 * not answer is a gap; so is a bot conversation handed back. 'clean': the
 * customer's words with their personal data replaced. Best effort: the
 * contact itself is durable already.
 */
void maat__kb_note(struct maat_server *s, const struct maat_contact_record *r,
                   json_t *tri, const char *clean, const char *source)
{
  struct maat_store_kb_question q;
  json_t *kb = json_object_get(tri, "kb");

  if (!s->kb)
    return;
  memset(&q, 0, sizeof q);
  q.t = maat_wall_now();
  q.question = clean;
  q.lang = json_string_value(json_object_get(tri, "lang"));
  q.source = source;
  if (kb) {
    q.answered = json_is_true(json_object_get(kb, "answered"));
    q.confidence = json_number_value(json_object_get(kb, "confidence"));
    q.article = json_string_value(json_object_get(kb, "article"));
  }
  if ((kb && !q.answered) ||
      (!strcmp(source, "handback") && r->state != MAAT_CONTACT_WITH_BOT))
    maat_store_kb_question_add(s->store, &q);
}

/* ---- ask an expert: who resolved contacts of an intent well ---- */

/* A contact on its way through the log: its intent, agent and end. */
static json_t *pending(struct maat_server *s, const char *id)
{
  json_t *p = json_object_get(s->ex_open, id);

  if (!p) {
    p = json_object();
    json_object_set_new(s->ex_open, id, p);
  }
  return p;
}

static int take_event(void *ctx, int64_t seq, const char *line, size_t len)
{
  struct maat_server *s = ctx;
  json_t *o = json_loadb(line, len, 0, NULL);
  const char *type = json_string_value(json_object_get(o, "type"));

  if (seq > s->ex_seq)
    s->ex_seq = seq;
  if (type && !strcmp(type, "contact") &&
      json_is_string(json_object_get(o, "intent")))
    json_object_set(pending(s, json_string_value(json_object_get(o, "id"))),
                    "intent", json_object_get(o, "intent"));
  else if (type && !strcmp(type, "done") &&
           json_is_string(json_object_get(o, "contact"))) {
    json_t *p = pending(s, json_string_value(json_object_get(o, "contact")));
    json_object_set_new(p, "done", json_true());
    if (json_object_get(o, "outcome"))
      json_object_set(p, "outcome", json_object_get(o, "outcome"));
    if (json_object_get(o, "csat"))
      json_object_set(p, "csat", json_object_get(o, "csat"));
  }
  json_decref(o);
  return 0;
}

static int take_decision(void *ctx, int64_t seq, const char *line, size_t len)
{
  struct maat_server *s = ctx;
  json_t *o = json_loadb(line, len, 0, NULL);
  const char *type = json_string_value(json_object_get(o, "type"));
  const char *to = json_string_value(json_object_get(o, "to"));

  (void)seq;
  /* The last agent it went to (a lead may have moved it). */
  if (type && !strcmp(type, "assign") && to && strcmp(to, "bot") &&
      json_is_string(json_object_get(o, "contact")))
    json_object_set_new(pending(s, json_string_value(json_object_get(
                                       o, "contact"))), "agent",
                        json_string(to));
  json_decref(o);
  return 0;
}

/*
 * Reads the log since the last look (at most every 30 s): each contact an
 * agent closed counts for the agent and its intent, resolved unless the
 * customer left or it was handed on, with its CSAT. Outcome and CSAT only:
 * never strain, check-ins or any wellbeing figure.
 */
static void experts_refresh(struct maat_server *s)
{
  int64_t from = s->ex_seq;
  const char *id;
  json_t *p, *tmp;

  if (maat_wall_now() - s->ex_at < 30)
    return;
  s->ex_at = maat_wall_now();
  if (maat_store_events(s->store, from, take_event, s) ||
      maat_store_decisions(s->store, from, take_decision, s))
    return;
  json_object_foreach_safe(s->ex_open, tmp, id, p) {
    const char *agent = json_string_value(json_object_get(p, "agent"));
    const char *intent = json_string_value(json_object_get(p, "intent"));
    const char *outcome = json_string_value(json_object_get(p, "outcome"));
    json_t *st;
    char key[160];
    if (!json_is_true(json_object_get(p, "done")))
      continue;
    if (agent && intent && (!outcome || !strcmp(outcome, "resolved") ||
                            !strcmp(outcome, "done"))) {
      snprintf(key, sizeof key, "%s\t%s", agent, intent);
      if (!(st = json_object_get(s->ex_stats, key))) {
        st = json_pack("{s:i, s:i, s:i}", "n", 0, "csat_n", 0, "csat_sum", 0);
        json_object_set_new(s->ex_stats, key, st);
      }
      json_object_set_new(st, "n", json_integer(
          json_integer_value(json_object_get(st, "n")) + 1));
      if (json_is_integer(json_object_get(p, "csat"))) {
        json_object_set_new(st, "csat_n", json_integer(
            json_integer_value(json_object_get(st, "csat_n")) + 1));
        json_object_set_new(st, "csat_sum", json_integer(
            json_integer_value(json_object_get(st, "csat_sum")) +
            json_integer_value(json_object_get(p, "csat"))));
      }
    }
    json_object_del(s->ex_open, id);
  }
}

/*
 * Up to three colleagues for a question: its intent (the intent model),
 * then the agents with at least two contacts of it resolved, by their CSAT
 * (shrunk towards 3.5 while they have few ratings), then how many.
 */
static json_t *experts_for(struct maat_server *s, const char *q, size_t len,
                           const char **intent_out)
{
  maat_prediction pr;
  json_t *list = json_array();
  const char *key;
  json_t *st;
  struct { char agent[64]; double score; long n; } best[3];
  int nb = 0;

  *intent_out = NULL;
  /* The predictor is one for all requests: used under ex_mu. */
  pthread_mutex_lock(&s->ex_mu);
  if (!s->ex_pred || maat_predict(s->ex_pred, q, len, 1, -1, &pr) ||
      pr.below_threshold) {
    pthread_mutex_unlock(&s->ex_mu);
    return list;
  }
  *intent_out = pr.label;
  experts_refresh(s);
  json_object_foreach(s->ex_stats, key, st) {
    const char *tab = strchr(key, '\t');
    long n = (long)json_integer_value(json_object_get(st, "n"));
    double cn = (double)json_integer_value(json_object_get(st, "csat_n"));
    double cs = (double)json_integer_value(json_object_get(st, "csat_sum"));
    double score = (cs + 3.5 * 3) / (cn + 3);
    int at;
    if (!tab || strcmp(tab + 1, pr.label) || n < 2 ||
        (size_t)(tab - key) >= sizeof best[0].agent)
      continue;
    for (at = nb; at > 0 && (best[at - 1].score < score ||
                             (best[at - 1].score == score &&
                              best[at - 1].n < n)); at--)
      ;
    if (at >= 3)
      continue;
    if (nb < 3)
      nb++;
    memmove(&best[at + 1], &best[at], (size_t)(nb - 1 - at) * sizeof best[0]);
    memcpy(best[at].agent, key, (size_t)(tab - key));
    best[at].agent[tab - key] = 0;
    best[at].score = score;
    best[at].n = n;
  }
  pthread_mutex_unlock(&s->ex_mu);
  for (int k = 0; k < nb; k++)
    json_array_append_new(list, json_pack("{s:s, s:I}", "agent",
                                          best[k].agent, "resolved",
                                          (json_int_t)best[k].n));
  return list;
}

static json_t *answer_json(const struct maat_kb_answer *a)
{
  json_t *o = json_object(), *src = json_array(), *ranked = json_array();

  json_object_set_new(o, "answered", json_boolean(a->answered));
  json_object_set_new(o, "confidence", json_real(a->confidence));
  json_object_set_new(o, "lang", json_string(a->lang));
  json_object_set_new(o, "answer", a->answered && a->passage
                                       ? json_string(a->passage)
                                       : json_null());
  json_object_set_new(o, "ai", json_true());
  if (a->article[0])
    json_array_append_new(src, json_pack(
        "{s:s, s:I, s:s, s:s, s:s, s:I, s:I}", "id", a->article, "version",
        (json_int_t)a->version, "title", a->title ? a->title : "", "url",
        a->url ? a->url : "", "section", a->section ? a->section : "",
        "start", (json_int_t)a->passage_start, "end",
        (json_int_t)a->passage_end));
  for (int k = 0; k < a->nranked; k++)
    json_array_append_new(ranked, json_string(a->ranked[k].id));
  json_object_set_new(o, "sources", src);
  json_object_set_new(o, "ranked", ranked);
  if (a->nsimilar) {
    json_t *sim = json_array();
    for (int k = 0; k < a->nsimilar; k++)
      json_array_append_new(sim, json_pack(
          "{s:s, s:s, s:f}", "question", a->similar[k].question,
          "resolved_by", a->similar[k].article, "similarity",
          a->similar[k].similarity));
    json_object_set_new(o, "similar", sim);
  }
  return o;
}

/* POST /v1/ask {"question"}: an answer with its sources, or not. */
enum MHD_Result maat__post_ask(struct call *c)
{
  struct maat_server *s = c->s;
  struct maat_kb_answer a;
  struct maat_store_kb_question q;
  enum MHD_Result ret;
  json_t *o, *v, *reply;
  char *clean = NULL;
  int rc;

  if (!(o = maat__parse_body(c, &ret)))
    return ret;
  v = json_object_get(o, "question");
  if (!json_is_string(v) || !json_string_length(v) ||
      json_string_length(v) > 4000) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'question': expected a question "
                           "of 1 to 4000 bytes", "question");
  }
  if (!s->kb || !maat_kb_articles(s->kb)) {
    json_decref(o);
    return maat__fail_call(c, 409, "the knowledge base is empty: import "
                           "articles first (maat kb import)", NULL);
  }
  if ((rc = maat_kb_ask(s->kb, json_string_value(v), json_string_length(v),
                        &a))) {
    json_decref(o);
    return maat__library_error(c, rc);
  }
  reply = answer_json(&a);
  maat__call_lang(c);
  json_object_set_new(reply, "label", json_string(
      !strcmp(c->lang, "nl") ? "Door AI gekozen antwoord uit de kennisbank"
                             : "AI-selected answer from the knowledge base"));
  if (!a.answered) {
    const char *intent;
    json_t *ex = experts_for(s, json_string_value(v), json_string_length(v),
                             &intent);
    json_object_set_new(reply, "why", json_string(
        !strcmp(c->lang, "nl") ? "geen zeker antwoord: vraag het een collega"
                               : "no confident answer: ask a colleague"));
    /* Colleagues who resolved contacts of this intent well. */
    json_object_set_new(reply, "experts", ex);
    if (intent)
      json_object_set_new(reply, "intent", json_string(intent));
  }
  memset(&q, 0, sizeof q);
  q.t = maat_wall_now();
  if (maat_pii_redact(json_string_value(v), json_string_length(v), &clean,
                      NULL))
    clean = NULL;
  q.question = clean ? clean : "(not kept: it could not be redacted)";
  q.lang = a.lang;
  q.answered = a.answered;
  q.confidence = a.confidence;
  q.article = a.article;
  q.source = "ask";
  maat_store_kb_question_add(s->store, &q);
  maat_free(clean);
  maat_kb_answer_release(&a);
  json_decref(o);
  return maat__send_json(c, 200, reply);
}

/* GET /v1/kb/gaps?days=N&min=M */
enum MHD_Result maat__get_kb_gaps(struct call *c)
{
  const char *days = maat__arg(c, "days");
  const char *min = maat__arg(c, "min");
  double d = days ? strtod(days, NULL) : 30, now = maat_wall_now();
  long m = min ? strtol(min, NULL, 10) : 1;
  char *json = NULL;
  int rc;

  if (!(d > 0 && d <= 3660) || m < 1 || m > 100000)
    return maat__fail_call(c, 400, "days: 1 to 3660, min: 1 or more", "days");
  if (!c->s->kb)
    return maat__fail_call(c, 409, "no knowledge base", NULL);
  if ((rc = maat_kb_gaps(c->s->kb, now - d * 86400, now, (int)m, &json)))
    return maat__library_error(c, rc);
  {
    enum MHD_Result r = maat__send_buf(c, 200, json, strlen(json),
                                       "application/json");
    maat_free(json);
    return r;
  }
}

/* POST /v1/kb/drafts {"title", "body", "lang", "url", "topic"}: kept as a
 * draft until an owner publishes it. */
enum MHD_Result maat__post_kb_draft(struct call *c)
{
  struct maat_store_article a;
  enum MHD_Result ret;
  json_t *o, *title, *body;
  char id[160], owner[64];
  int64_t v;
  int rc;

  c->audit = 1;
  if (!(o = maat__parse_body(c, &ret)))
    return ret;
  title = json_object_get(o, "title");
  body = json_object_get(o, "body");
  if (!json_is_string(title) || !json_string_length(title) ||
      json_string_length(title) > 300) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'title': expected 1 to 300 bytes",
                           "title");
  }
  if (!json_is_string(body) || !json_string_length(body)) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'body': expected the text",
                           "body");
  }
  {
    /* An id from the title: "draft-" and its words. */
    size_t n = (size_t)snprintf(id, sizeof id, "draft-");
    int dash = 0;
    for (const unsigned char *p = (const unsigned char *)json_string_value(
             title); *p && n + 12 < sizeof id && n < 70; p++) {
      unsigned char ch = *p >= 'A' && *p <= 'Z' ? (unsigned char)(*p + 32)
                                                : *p;
      if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
        if (dash && n > 6)
          id[n++] = '-';
        id[n++] = (char)ch;
        dash = 0;
      } else {
        dash = 1;
      }
    }
    snprintf(id + n, sizeof id - n, "-%lx",
             (unsigned long)maat_wall_now() & 0xffffff);
  }
  snprintf(owner, sizeof owner, "%s %ld", maat_role_name(c->who.role),
           c->who.token);
  memset(&a, 0, sizeof a);
  a.id = id;
  a.t = maat_wall_now();
  a.status = MAAT_ARTICLE_DRAFT;
  a.title = json_string_value(title);
  a.body = json_string_value(body);
  a.lang = json_string_value(json_object_get(o, "lang"));
  a.url = json_string_value(json_object_get(o, "url"));
  a.tags = json_string_value(json_object_get(o, "topic"));
  a.owner = owner;
  if (a.lang && strcmp(a.lang, "nl") && strcmp(a.lang, "en")) {
    json_decref(o);
    return maat__fail_call(c, 400, "field 'lang': nl or en", "lang");
  }
  rc = maat_kb_put(c->s->store, &a, &v);
  json_decref(o);
  if (rc)
    return maat__library_error(c, rc);
  snprintf(c->detail, sizeof c->detail, "draft article %.120s", id);
  return maat__send_json(c, 201, json_pack("{s:s, s:I, s:s}", "id", id,
                                           "version", (json_int_t)v,
                                           "status", "draft"));
}

/* POST /v1/kb/publish/{id}: a draft approved; the bot uses it. */
enum MHD_Result maat__post_kb_publish(struct call *c)
{
  struct maat_store_article a;
  int64_t v;
  int rc;

  c->audit = 1;
  rc = maat_kb_article_get(c->s->store, c->seg[3], &a);
  if (rc == MAAT_ENOTFOUND)
    return maat__fail_call(c, 404, "no such article", NULL);
  if (rc)
    return maat__library_error(c, rc);
  if (a.status != MAAT_ARTICLE_DRAFT) {
    maat_kb_article_release(&a);
    return maat__fail_call(c, 409, "only a draft is published", NULL);
  }
  a.t = maat_wall_now();
  a.status = MAAT_ARTICLE_PUBLISHED;
  rc = maat_kb_put(c->s->store, &a, &v);
  maat_kb_article_release(&a);
  if (rc)
    return maat__library_error(c, rc);
  snprintf(c->detail, sizeof c->detail, "published article %.100s",
           c->seg[3]);
  maat__kb_refresh(c->s);
  return maat__send_json(c, 200, json_pack("{s:s, s:I, s:s}", "id", c->seg[3],
                                           "version", (json_int_t)v,
                                           "status", "published"));
}

static int list_one(void *ctx, const struct maat_store_article *a)
{
  json_t *list = ctx;

  json_array_append_new(list, json_pack(
      "{s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "id", a->id, "version",
      (json_int_t)a->version, "status",
      a->status == MAAT_ARTICLE_DRAFT ? "draft"
      : a->status == MAAT_ARTICLE_REMOVED ? "removed" : "published",
      "title", a->title, "lang", a->lang, "url", a->url, "owner", a->owner));
  return 0;
}

/* GET /v1/kb/articles: the newest version of each, drafts too. */
enum MHD_Result maat__get_kb_articles(struct call *c)
{
  json_t *list = json_array();
  int rc = maat_store_articles(c->s->store, NULL, list_one, list);

  if (rc) {
    json_decref(list);
    return maat__library_error(c, rc);
  }
  return maat__send_json(c, 200, json_pack("{s:o}", "articles", list));
}

/*
 * triage_event.c - a raw contact (JSON with the customer's text) becomes the
 * router's contact event: triaged, with the verdict as fields and the full
 * result under "triage", and the text left out. 'maat route' and 'maat
 * serve' both go through here, so they cannot triage differently.
 */
#include "triage-int.h"
#include "json-int.h"
#include "maat/kb.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HISTORY 32

static const char *urgency_level(const struct maat_triage *r)
{
  return maat_urgency_name(r->priority >= 0 && r->priority <= 3 ? r->priority
                                                                 : 1);
}

static int set(json_t *o, const char *key, json_t *v, int keep)
{
  if (!v)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  if (keep && json_object_get(o, key)) {
    json_decref(v);
    return MAAT_OK;
  }
  return json_object_set_new(o, key, v) ? maat__fail(MAAT_ENOMEM,
                                                     "out of memory")
                                         : MAAT_OK;
}

static json_t *result_json(const struct maat_triage *r)
{
  json_t *o = json_object(), *reasons = json_array();

  if (!o || !reasons) {
    json_decref(o);
    json_decref(reasons);
    return NULL;
  }
  for (size_t i = 0; i < r->nreasons; i++)
    json_array_append_new(reasons, json_string(r->reasons[i]));
  json_object_set_new(o, "lang", json_string(maat_lang_name(r->lang)));
  json_object_set_new(o, "intent", r->intent[0] ? json_string(r->intent)
                                                : json_null());
  json_object_set_new(o, "intent_confidence",
                      json_real(r->intent_confidence));
  json_object_set_new(o, "out_of_scope", json_boolean(r->out_of_scope));
  json_object_set_new(o, "bot_can_answer", json_boolean(r->bot_can_answer));
  if (r->bot_shadow)
    json_object_set_new(o, "bot_shadow", json_true());
  json_object_set_new(o, "tone", json_string(maat_tone_name(r->tone)));
  json_object_set_new(o, "tone_intensity", json_real(r->tone_intensity));
  json_object_set_new(o, "urgency", json_real(r->urgency));
  json_object_set_new(o, "critical", json_boolean(r->critical));
  json_object_set_new(o, "critical_kind", r->critical_kind
                      ? json_string(maat_critical_kind_name(r->critical_kind))
                      : json_null());
  json_object_set_new(o, "complexity", json_real(r->complexity));
  json_object_set_new(o, "repeat", json_boolean(r->repeat));
  json_object_set_new(o, "tier", json_string(maat_tier_name(r->tier)));
  json_object_set_new(o, "priority", json_integer(r->priority));
  json_object_set_new(o, "reasons", reasons);
  if (r->kb_checked)
    json_object_set_new(o, "kb", json_pack("{s:b,s:f,s:s}", "answered",
                                           r->kb_answered, "confidence",
                                           r->kb_confidence, "article",
                                           r->kb_article));
  return o;
}

/*
 * A helpdesk's channel as the router's 'capacity' names it: "chat",
 * "email" or "voice" for what it recognises (Chatwoot's
 * "Channel::WebWidget", an inbox called "Website chat", Zammad's "phone"),
 * otherwise the name in lower case with anything but letters, digits, '-'
 * and '_' as '_', at most 15 bytes.
 */
static void channel_name(const char *in, char *out, size_t cap)
{
  char low[64];
  size_t n = 0;

  if (!strncmp(in, "Channel::", 9))
    in += 9;
  for (; *in && n < sizeof low - 1; in++) {
    unsigned char ch = (unsigned char)*in;
    if (ch >= 'A' && ch <= 'Z')
      ch = (unsigned char)(ch - 'A' + 'a');
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'))
      ch = '_';
    low[n++] = (char)ch;
  }
  low[n] = 0;
  if (strstr(low, "chat") || strstr(low, "widget"))
    snprintf(out, cap, "chat");
  else if (strstr(low, "mail"))
    snprintf(out, cap, "email");
  else if (strstr(low, "phone") || strstr(low, "voice") ||
           strstr(low, "call"))
    snprintf(out, cap, "voice");
  else
    snprintf(out, cap, "%.15s", n ? low : "other");
}

/*
 * What the knowledge base says, as the triage result carries it: the text
 * (the passage), its confidence, the label that says a machine chose it,
 * and its source (the article's version and the passage's place in it).
 */
static json_t *kb_json(const struct maat_kb_answer *a, const char *label)
{
  json_t *o = json_object(), *src = json_object();

  json_object_set_new(src, "id", json_string(a->article));
  json_object_set_new(src, "version", json_integer(a->version));
  json_object_set_new(src, "title", json_string(a->title ? a->title : ""));
  json_object_set_new(src, "url", json_string(a->url ? a->url : ""));
  json_object_set_new(src, "section", json_string(a->section ? a->section
                                                             : ""));
  json_object_set_new(src, "start", json_integer((json_int_t)a->passage_start));
  json_object_set_new(src, "end", json_integer((json_int_t)a->passage_end));
  json_object_set_new(o, "text", json_string(a->passage ? a->passage : ""));
  json_object_set_new(o, "confidence", json_real(a->confidence));
  json_object_set_new(o, "ai", json_true());
  json_object_set_new(o, "label", json_string(label));
  json_object_set_new(o, "sources", json_pack("[o]", src));
  return o;
}

/* The bot's answer (T1) or a person's prepared case (T2), under "triage". */
static int add_kb(maat_triager *t, const struct maat_triage_input *in,
                  const struct maat_triage *r, json_t *tri)
{
  struct maat_kb *kb = maat__triager_kb(t);
  struct maat_kb_answer a;
  int rc;

  if (!kb || !tri || (r->tier == MAAT_T1 && !r->kb_answered) ||
      r->tier == MAAT_T3)
    return MAAT_OK;
  if ((rc = maat_kb_ask(kb, in->text, in->len, &a)))
    return rc;
  if (!a.article[0]) {
    maat_kb_answer_release(&a);
    return MAAT_OK;
  }
  if (r->tier == MAAT_T1) {
    json_object_set_new(tri, "answer",
                        kb_json(&a, "AI-generated answer from the knowledge "
                                    "base"));
  } else {
    json_t *p = json_object(), *arts = json_array();
    for (int k = 0; k < a.nranked && k < 3; k++)
      json_array_append_new(arts, json_pack("{s:s,s:f}", "id",
                                            a.ranked[k].id, "score",
                                            a.ranked[k].score));
    json_object_set_new(p, "articles", arts);
    {
      /* Resolved before: the closest questions and the article that
       * resolved each. */
      json_t *sim = json_array();
      for (int k = 0; k < a.nsimilar; k++)
        json_array_append_new(sim, json_pack("{s:s,s:s,s:f}", "question",
                                             a.similar[k].question,
                                             "resolved_by",
                                             a.similar[k].article,
                                             "similarity",
                                             a.similar[k].similarity));
      json_object_set_new(p, "similar", sim);
    }
    json_object_set_new(p, "draft",
                        kb_json(&a, "AI draft from the knowledge base: check "
                                    "it before sending"));
    json_object_set_new(tri, "prepared", p);
  }
  maat_kb_answer_release(&a);
  return MAAT_OK;
}

int maat_triage_event_line(maat_triager *t, const char *json, size_t len,
                           double time, char **out, size_t *outlen)
{
  struct maat_triage_input in = { 0 };
  struct maat_triage r;
  const char *history[MAX_HISTORY];
  json_error_t err;
  json_t *o, *v;
  char *s;
  int rc = MAAT_OK;

  if (!t || !json || !out)
    return maat__fail(MAAT_EINVAL, "maat_triage_event_line: invalid "
                      "argument");
  o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
  if (!o)
    return maat__json_fail(&err);
  if (!json_is_object(o)) {
    json_decref(o);
    return maat__fail(MAAT_EPARSE, "expected a JSON object");
  }
  v = json_object_get(o, "text");
  if (!json_is_string(v)) {
    rc = maat__fail(MAAT_EPARSE, "field 'text': %s", v ? "expected a string"
                                                      : "missing");
    goto out;
  }
  in.text = json_string_value(v);
  in.len = json_string_length(v);
  v = json_object_get(o, "t");
  in.ts = json_is_number(v) ? json_number_value(v) : time;
  v = json_object_get(o, "customer");
  if (v && !json_is_string(v)) {
    rc = maat__fail(MAAT_EPARSE, "field 'customer': expected a string");
    goto out;
  }
  in.customer = v ? json_string_value(v) : NULL;
  v = json_object_get(o, "channel");
  if (v && !json_is_string(v)) {
    rc = maat__fail(MAAT_EPARSE, "field 'channel': expected a string");
    goto out;
  }
  if (v) {
    char chan[16];
    channel_name(json_string_value(v), chan, sizeof chan);
    if ((rc = set(o, "channel", json_string(chan), 0)))
      goto out;
  }
  v = json_object_get(o, "history");
  if (v) {
    size_t i;
    json_t *e;
    if (!json_is_array(v)) {
      rc = maat__fail(MAAT_EPARSE, "field 'history': expected an array of "
                      "strings");
      goto out;
    }
    json_array_foreach(v, i, e) {
      if (!json_is_string(e)) {
        rc = maat__fail(MAAT_EPARSE, "field 'history[%zu]': expected a "
                        "string", i);
        goto out;
      }
      if (in.nhistory < MAX_HISTORY)
        history[in.nhistory++] = json_string_value(e);
    }
    in.history = history;
  }
  rc = maat_triage_run(t, &in, &r);
  if (rc)
    goto out;
  if ((rc = set(o, "type", json_string("contact"), 1)) ||
      (rc = set(o, "t", json_real(in.ts), 1)) ||
      (rc = set(o, "tier", json_string(maat_tier_name(r.tier)), 1)) ||
      (rc = set(o, "tone", json_string(maat_tone_name(r.tone)), 1)) ||
      (rc = set(o, "intensity", json_real(r.tone_intensity), 1)) ||
      (rc = set(o, "urgency", json_string(urgency_level(&r)), 1)) ||
      (rc = set(o, "priority", json_integer(r.priority), 1)))
    goto out;
  if (r.intent[0] && !r.out_of_scope &&
      (rc = set(o, "intent", json_string(r.intent), 1)))
    goto out;
  if (r.lang != MAAT_LANG_OTHER &&
      (rc = set(o, "lang", json_string(maat_lang_name(r.lang)), 1)))
    goto out;
  if ((rc = set(o, "triage", result_json(&r), 0)) ||
      (rc = add_kb(t, &in, &r, json_object_get(o, "triage"))))
    goto out;
  json_object_del(o, "text");
  json_object_del(o, "history");
  s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
  if (!s) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
    goto out;
  }
  *outlen = strlen(s);
  *out = maat__malloc(*outlen + 1);
  if (!*out) {
    free(s);
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
    goto out;
  }
  memcpy(*out, s, *outlen + 1);
  free(s);
out:
  json_decref(o);
  return rc;
}

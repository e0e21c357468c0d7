/*
 * helpdesk.c - a routing decision written back to the helpdesk its contact
 * came from, as outbox calls (include/maat/outbox.h): Chatwoot's
 * Application API and Zammad's REST API, as ../shared/docs/helpdesk-api.md
 * describes them (docs/helpdesks.md says what was tested against what).
 */
#include "maat-int.h"
#include "maat/outbox.h"
#include "maat/msg.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int maat_helpdesk_kind_parse(const char *name)
{
  if (name && !strcmp(name, "chatwoot"))
    return MAAT_HELPDESK_CHATWOOT;
  if (name && !strcmp(name, "zammad"))
    return MAAT_HELPDESK_ZAMMAD;
  if (name && !strcmp(name, "rt"))
    return MAAT_HELPDESK_RT;
  return 0;
}

const char *maat_helpdesk_kind_name(int kind)
{
  return kind == MAAT_HELPDESK_CHATWOOT ? "chatwoot"
         : kind == MAAT_HELPDESK_ZAMMAD ? "zammad"
         : kind == MAAT_HELPDESK_RT ? "rt" : "?";
}

void maat_helpdesk_calls_free(struct maat_helpdesk_call *c, int n)
{
  for (int i = 0; i < n; i++) {
    maat__free(c[i].method);
    maat__free(c[i].url);
    maat__free(c[i].key);
    maat__free(c[i].body);
    maat__free(c[i].headers);
    memset(&c[i], 0, sizeof c[i]);
  }
}

/* The helpdesk user an agent is, or NULL. */
static const char *user_of(const struct maat_helpdesk_target *h,
                           const char *agent)
{
  for (int i = 0; i < h->nusers; i++)
    if (!strcmp(h->users[i].agent, agent))
      return h->users[i].user;
  return NULL;
}

/* Appends a call; the body (a JSON object) is taken. */
static int add(struct maat_helpdesk_call *out, int *n, const char *method,
               const char *url, const char *key, json_t *body)
{
  char *b = body ? json_dumps(body, JSON_COMPACT) : NULL;
  struct maat_helpdesk_call *c = &out[*n];

  json_decref(body);
  if (!b)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  c->headers = NULL;
  c->method = maat__strdup(method);
  c->url = maat__strdup(url);
  c->key = maat__strdup(key);
  c->body = maat__strdup(b);
  free(b);
  if (!c->method || !c->url || !c->key || !c->body) {
    maat_helpdesk_calls_free(c, 1);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  (*n)++;
  return MAAT_OK;
}

/* Gives a call its check URL (include/maat/outbox.h); nonzero when out
 * of memory. */
static int add_check(struct maat_helpdesk_call *c, const char *url)
{
  size_t n = strlen(url) + sizeof "X-Maat-Check: ";

  if (!(c->headers = maat__malloc(n)))
    return -1;
  snprintf(c->headers, n, "X-Maat-Check: %s", url);
  return 0;
}

/*
 * Whether a reason may go into the helpdesk, where every colleague reads
 * it: not one that speaks of the assignee's strain or recovery (a reason
 * that says her recovery window was cut short, next to her name, would
 * tell the team about her wellbeing).
 */
static int shareable(const char *reason)
{
  static const char *const private_codes[] = {
    "route.heavy_best", "route.lowest_strain", "route.relaxed_cap",
    "route.rescued", "route.over_line", "route.recovery_cut",
    "route.light_offer"
  };
  char params[16];
  const char *code = maat_msg_parse(reason, params, sizeof params);

  for (size_t i = 0; code && i < sizeof private_codes / sizeof *private_codes;
       i++)
    if (!strcmp(code, private_codes[i]))
      return 0;
  return 1;
}

/* The note for the person who takes it: who, the tier, the reasons. */
static void note_text(const struct maat_helpdesk_target *h,
                      const struct maat_decision *d, char *out, size_t cap)
{
  int nl = h->lang && !strcmp(h->lang, "nl"), any = 0;
  size_t used;

  if (!strcmp(d->to, "bot"))
    snprintf(out, cap, nl ? "maat: T%d, de bot. Redenen: "
                          : "maat: T%d, the bot. Reasons: ", d->tier);
  else
    snprintf(out, cap, nl ? "maat: T%d, naar %s. Redenen: "
                          : "maat: T%d, to %s. Reasons: ", d->tier, d->to);
  for (int k = 0; k < d->nreasons; k++) {
    if (!shareable(d->reasons[k]))
      continue;
    used = strlen(out);
    if (any++ && used + 2 < cap) {
      memcpy(out + used, "; ", 3);
      used += 2;
    }
    if (used + 1 < cap)
      maat_msg_render(d->reasons[k], h->lang, out + used, cap - used);
  }
}

int maat_helpdesk_calls(const struct maat_helpdesk_target *h,
                        const struct maat_decision *d, const char *reply,
                        struct maat_helpdesk_call out[MAAT_HELPDESK_CALLS],
                        int *n)
{
  const char *prefix = h->kind == MAAT_HELPDESK_CHATWOOT ? "cw-"
                       : h->kind == MAAT_HELPDESK_RT ? "rt-" : "zm-";
  long long thread, msg;
  char url[1024], key[200], note[2048], tail;
  const char *user;
  int person, rc = MAAT_OK;

  *n = 0;
  if (d->type != MAAT_DEC_ASSIGN || strncmp(d->contact, prefix, 3) ||
      sscanf(d->contact + 3, "%lld-%lld%c", &thread, &msg, &tail) != 2 ||
      thread < 0)
    return MAAT_OK;
  person = strcmp(d->to, "bot") != 0;
  user = person ? user_of(h, d->to) : NULL;
  note_text(h, d, note, sizeof note);
  if (h->kind == MAAT_HELPDESK_CHATWOOT) {
    char base[900];
    snprintf(base, sizeof base, "%s/api/v1/accounts/%s/conversations/%lld",
             h->url, h->account ? h->account : "1", thread);
    if (user) {
      snprintf(url, sizeof url, "%s/assignments", base);
      snprintf(key, sizeof key, "cw:%s:assign:%s@%.3f", d->contact, d->to, d->t);
      rc = add(out, n, "POST", url, key,
               json_pack("{s:I}", "assignee_id",
                         (json_int_t)strtoll(user, NULL, 10)));
    }
    if (!rc) {
      snprintf(url, sizeof url, "%s/messages", base);
      snprintf(key, sizeof key, "cw:%s:note:%s@%.3f", d->contact, d->to, d->t);
      /* A marker in content_attributes: maat knows its own note when
       * Chatwoot sends it back as message_created. */
      rc = add(out, n, "POST", url, key,
               json_pack("{s:s, s:s, s:b, s:{s:b, s:s}}", "content", note,
                         "message_type", "outgoing", "private", 1,
                         "content_attributes", "maat", 1, "maat_key", key));
      /* A retry reads the conversation's messages first: a note already
       * made carries its key (helpdesk-api.md, pitfall 9). */
      if (!rc && add_check(&out[*n - 1], url))
        rc = maat__fail(MAAT_ENOMEM, "out of memory");
    }
    if (!rc && reply && !person) {
      /* The bot's answer: public, and marked as written by AI. */
      snprintf(key, sizeof key, "cw:%s:reply@%.3f", d->contact, d->t);
      rc = add(out, n, "POST", url, key,
               json_pack("{s:s, s:s, s:b, s:{s:b, s:s, s:b}}", "content",
                         reply, "message_type", "outgoing", "private", 0,
                         "content_attributes", "maat", 1, "maat_key", key,
                         "ai", 1));
      if (!rc && add_check(&out[*n - 1], url))
        rc = maat__fail(MAAT_ENOMEM, "out of memory");
    }
    if (!rc && person) {
      snprintf(url, sizeof url, "%s/toggle_status", base);
      snprintf(key, sizeof key, "cw:%s:open@%.3f", d->contact, d->t);
      rc = add(out, n, "POST", url, key, json_pack("{s:s}", "status",
                                                   "open"));
    }
  } else if (h->kind == MAAT_HELPDESK_RT) {
    const char *queue = d->tier >= 1 && d->tier <= 3 ? h->group[d->tier]
                                                     : NULL;
    char base[900];
    snprintf(base, sizeof base, "%s/REST/2.0/ticket/%lld", h->url, thread);
    if (user || queue) {
      json_t *b = json_object();
      if (user)
        json_object_set_new(b, "Owner", json_string(user));
      if (queue)
        json_object_set_new(b, "Queue", json_string(queue));
      snprintf(key, sizeof key, "rt:%s:owner:%s@%.3f", d->contact, d->to,
               d->t);
      rc = add(out, n, "PUT", base, key, b);
    }
    if (!rc) {
      char subject[240], check[1100];
      snprintf(url, sizeof url, "%s/comment", base);
      snprintf(key, sizeof key, "rt:%s:note:%s@%.3f", d->contact, d->to, d->t);
      /* The subject carries the key: a retry finds a comment already made
       * among the ticket's attachments and makes no second one. */
      snprintf(subject, sizeof subject, "maat %s", key);
      rc = add(out, n, "POST", url, key,
               json_pack("{s:s, s:s, s:s}", "Subject", subject, "Content",
                         note, "ContentType", "text/plain"));
      snprintf(check, sizeof check, "%s/attachments?"
               "fields=Subject&per_page=100&orderby=id&order=DESC", base);
      if (!rc && add_check(&out[*n - 1], check))
        rc = maat__fail(MAAT_ENOMEM, "out of memory");
      if (!rc && reply && !person) {
        /* The bot's answer as correspondence: the customer gets it. */
        snprintf(url, sizeof url, "%s/correspond", base);
        snprintf(key, sizeof key, "rt:%s:reply@%.3f", d->contact, d->t);
        snprintf(subject, sizeof subject, "maat %s", key);
        rc = add(out, n, "POST", url, key,
                 json_pack("{s:s, s:s, s:s}", "Subject", subject, "Content",
                           reply, "ContentType", "text/plain"));
        if (!rc && add_check(&out[*n - 1], check))
          rc = maat__fail(MAAT_ENOMEM, "out of memory");
      }
    }
  } else {
    const char *group = d->tier >= 1 && d->tier <= 3 ? h->group[d->tier]
                                                     : NULL;
    if (user || (person && group)) {
      json_t *b = json_object();
      if (user)
        json_object_set_new(b, "owner_id",
                            json_integer(strtoll(user, NULL, 10)));
      if (group)
        json_object_set_new(b, "group", json_string(group));
      snprintf(url, sizeof url, "%s/api/v1/tickets/%lld", h->url, thread);
      snprintf(key, sizeof key, "zm:%s:owner:%s@%.3f", d->contact, d->to, d->t);
      rc = add(out, n, "PUT", url, key, b);
    }
    if (!rc) {
      snprintf(url, sizeof url, "%s/api/v1/ticket_articles", h->url);
      snprintf(key, sizeof key, "zm:%s:note:%s@%.3f", d->contact, d->to, d->t);
      char subject[240], check[1100];
      snprintf(subject, sizeof subject, "maat %s", key);
      rc = add(out, n, "POST", url, key,
               json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "ticket_id",
                         (json_int_t)thread, "subject", subject, "body",
                         note, "content_type", "text/plain", "type", "note",
                         "internal", 1));
      /* A retry reads the ticket's articles first (helpdesk-api.md: check
       * by_ticket before retrying). */
      snprintf(check, sizeof check, "%s/api/v1/ticket_articles/by_ticket/%lld",
               h->url, thread);
      if (!rc && add_check(&out[*n - 1], check))
        rc = maat__fail(MAAT_ENOMEM, "out of memory");
      if (!rc && reply && !person) {
        /* The bot's answer, public ("internal": false, type web:
         * helpdesk-api.md, pitfall 2). */
        snprintf(key, sizeof key, "zm:%s:reply@%.3f", d->contact, d->t);
        snprintf(subject, sizeof subject, "maat %s", key);
        rc = add(out, n, "POST", url, key,
                 json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:s}", "ticket_id",
                           (json_int_t)thread, "subject", subject, "body",
                           reply, "content_type", "text/plain", "type", "web",
                           "internal", 0, "sender", "Agent"));
        if (!rc && add_check(&out[*n - 1], check))
          rc = maat__fail(MAAT_ENOMEM, "out of memory");
      }
    }
  }
  if (rc) {
    maat_helpdesk_calls_free(out, *n);
    *n = 0;
  }
  return rc;
}

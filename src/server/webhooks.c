/*
 * webhooks.c - /v1/webhooks/chatwoot and /v1/webhooks/zammad: the
 * helpdesks' own payloads become contacts, let in by a token or by the
 * helpdesk's HMAC signature.
 */
#include "server-int.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpdesk webhooks (docs/api.md, "Webhooks") ---- */

/* Compares two strings in time that does not depend on where they differ. */
static int same_secret(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  unsigned diff = la != lb;

  for (size_t i = 0; i < la && i < lb; i++)
    diff |= (unsigned char)(a[i] ^ b[i]);
  return diff == 0;
}

static void hmac_hex(gnutls_mac_algorithm_t alg, const char *key,
                     const void *data, size_t len, char *hex)
{
  unsigned char d[64];
  size_t n = gnutls_hmac_get_len(alg);

  gnutls_hmac_fast(alg, key, strlen(key), data, len, d);
  maat_hex(d, n, hex);
}

/*
 * A webhook is let in by an integration (or admin) token, or by the
 * helpdesk's signature with the configured secret: Chatwoot signs
 * "TIMESTAMP.BODY" with HMAC-SHA256 (X-Chatwoot-Signature: sha256=...,
 * X-Chatwoot-Timestamp, at most 5 minutes old); Zammad signs the body with
 * HMAC-SHA1 (X-Hub-Signature: sha1=...).
 */
static int webhook_allowed(struct call *c, int chatwoot)
{
  const char *secret = c->s->webhook_secret;
  const char *sig;
  char want[140], hex[129];

  if (c->who.role == MAAT_ROLE_INTEGRATION || c->who.role == MAAT_ROLE_ADMIN)
    return 1;
  if (!secret || !*secret)
    return 0;
  if (chatwoot) {
    const char *ts = maat__header(c, "X-Chatwoot-Timestamp");
    char *b;
    size_t tlen;
    double age;
    sig = maat__header(c, "X-Chatwoot-Signature");
    if (!ts || !sig)
      return 0;
    age = maat_wall_now() - strtod(ts, NULL);
    if (!(age < 300 && age > -300))
      return 0;
    tlen = strlen(ts);
    if (tlen > 32 || !(b = maat_malloc(tlen + 1 + c->len + 1)))
      return 0;
    memcpy(b, ts, tlen);
    b[tlen] = '.';
    if (c->len)
      memcpy(b + tlen + 1, c->body, c->len);
    hmac_hex(GNUTLS_MAC_SHA256, secret, b, tlen + 1 + c->len, hex);
    maat_free(b);
    snprintf(want, sizeof want, "sha256=%s", hex);
  } else {
    sig = maat__header(c, "X-Hub-Signature");
    if (!sig)
      return 0;
    hmac_hex(GNUTLS_MAC_SHA1, secret, c->body ? c->body : "", c->len, hex);
    snprintf(want, sizeof want, "sha1=%s", hex);
  }
  return same_secret(want, sig);
}

static enum MHD_Result ignored(struct call *c, const char *why)
{
  json_t *o = json_object();
  json_object_set_new(o, "ignored", json_string(why));
  return maat__send_json(c, 200, o);
}

/*
 * A conversation (Chatwoot) or ticket (Zammad) resolved in the helpdesk:
 * every open contact of it is closed in maat, with the outcome
 * "resolved_in_helpdesk", so its agent is free and the figures count it.
 */
static enum MHD_Result close_thread(struct call *c, const char *helpdesk,
                                    const char *prefix)
{
  struct maat_apply_extra x;
  json_t *o, *closed = json_array();
  int rc, n = 0;

  snprintf(c->detail, sizeof c->detail, "%s resolved %s*", helpdesk, prefix);
  maat__call_extra(c, 200, &x);
  rc = maat__thread_close(c->s, prefix, &x, closed, &n);
  /* The first close carried the audit row; with none, the server writes it. */
  c->audited = n > 0;
  c->audit = !c->audited;
  if (rc) {
    json_decref(closed);
    return maat__library_error(c, rc);
  }
  o = json_object();
  json_object_set_new(o, "closed", closed);
  return maat__send_json(c, 200, o);
}

/* A customer's message on a thread: a new contact, or a follow-up. */
static enum MHD_Result thread_message(struct call *c, const char *helpdesk,
                                      const struct thread_msg *m)
{
  struct maat_apply_extra x;
  struct thread_result r;
  json_t *o;
  int rc;

  if (!maat_id_valid(m->id, strlen(m->id)))
    return maat__fail_call(c, 400, "the message's id is too long", "id");
  snprintf(c->detail, sizeof c->detail, "%s message %s", helpdesk, m->id);
  maat__call_extra(c, 201, &x);
  rc = maat__thread_message(c->s, m, &x, &r);
  if (rc) {
    c->audited = 0;
    return maat__library_error(c, rc);
  }
  if (r.kind == THREAD_SEEN)
    c->audited = 0;
  o = maat__contact_reply(c, r.contact);
  json_object_set_new(o, "thread", json_string(
                                       r.kind == THREAD_FOLLOWUP ? "followup"
                                       : r.kind == THREAD_SEEN ? "seen"
                                                               : "new"));
  return maat__send_json(c, r.kind == THREAD_NEW ? 201 : 200, o);
}

/* Chatwoot message_created: an incoming, public customer message. */
enum MHD_Result maat__webhook_chatwoot(struct call *c)
{
  enum MHD_Result ret;
  json_t *in, *conv, *sender, *inbox, *v;
  char id[MAAT_ID_MAX + 1], customer[MAAT_ID_MAX + 1];

  if (!webhook_allowed(c, 1)) {
    c->audit = 1;
    return maat__fail_call(c, 401, "a valid bearer token or Chatwoot signature is "
                "needed", NULL);
  }
  if (!(in = maat__parse_body(c, &ret)))
    return ret;
  v = json_object_get(in, "event");
  /* A resolution: conversation_status_changed (or _updated) with the
   * top-level status "resolved" (helpdesk-api.md: no conversation_resolved
   * account webhook exists). */
  if (json_is_string(v) &&
      (!strcmp(json_string_value(v), "conversation_status_changed") ||
       !strcmp(json_string_value(v), "conversation_updated")) &&
      json_is_string(json_object_get(in, "status")) &&
      !strcmp(json_string_value(json_object_get(in, "status")), "resolved") &&
      json_is_integer(json_object_get(in, "id"))) {
    char prefix[48];
    snprintf(prefix, sizeof prefix, "cw-%lld-",
             (long long)json_integer_value(json_object_get(in, "id")));
    json_decref(in);
    return close_thread(c, "Chatwoot", prefix);
  }
  if (!json_is_string(v) || strcmp(json_string_value(v), "message_created")) {
    json_decref(in);
    return ignored(c, "only message_created events become contacts, and a "
                   "resolved conversation closes them");
  }
  v = json_object_get(in, "message_type");
  if (!json_is_string(v) || strcmp(json_string_value(v), "incoming") ||
      json_is_true(json_object_get(in, "private"))) {
    json_decref(in);
    return ignored(c, "not an incoming public message");
  }
  conv = json_object_get(in, "conversation");
  sender = json_object_get(in, "sender");
  inbox = json_object_get(in, "inbox");
  v = json_object_get(in, "content");
  if (!json_is_string(v) || !json_is_integer(json_object_get(in, "id")) ||
      !json_is_integer(json_object_get(conv, "id"))) {
    json_decref(in);
    return maat__fail_call(c, 400, "Chatwoot message_created: 'id', 'content' and "
                "'conversation.id' are needed", "content");
  }
  {
    char prefix[48];
    struct thread_msg m;
    enum MHD_Result r;
    snprintf(prefix, sizeof prefix, "cw-%lld-",
             (long long)json_integer_value(json_object_get(conv, "id")));
    snprintf(id, sizeof id, "%s%lld", prefix,
             (long long)json_integer_value(json_object_get(in, "id")));
    memset(&m, 0, sizeof m);
    m.prefix = prefix;
    m.id = id;
    m.text = json_string_value(v);
    if (json_is_integer(json_object_get(sender, "id"))) {
      snprintf(customer, sizeof customer, "cw-%lld",
               (long long)json_integer_value(json_object_get(sender, "id")));
      m.customer = customer;
    }
    /* The inbox's channel type ("Channel::WebWidget"), else its name:
     * triage makes it a capacity name ("chat"). */
    if (json_is_string(json_object_get(conv, "channel")))
      m.channel = json_string_value(json_object_get(conv, "channel"));
    else if (json_is_string(json_object_get(inbox, "name")))
      m.channel = json_string_value(json_object_get(inbox, "name"));
    r = thread_message(c, "Chatwoot", &m);
    json_decref(in);
    return r;
  }
}

/* Drops HTML tags and decodes the common entities: Zammad sends HTML. */
static char *plain_text(const char *html)
{
  size_t n = strlen(html), k = 0;
  char *out = maat_malloc(n + 1);
  int tag = 0;

  if (!out)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    if (html[i] == '<') {
      tag = 1;
      if (k && out[k - 1] != ' ')
        out[k++] = ' ';
    } else if (html[i] == '>') {
      tag = 0;
    } else if (!tag) {
      static const struct { const char *e; char ch; } ents[] = {
        { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
        { "&quot;", '"' }, { "&#39;", '\'' }, { "&nbsp;", ' ' },
      };
      size_t j;
      for (j = 0; j < sizeof ents / sizeof ents[0]; j++)
        if (!strncmp(html + i, ents[j].e, strlen(ents[j].e)))
          break;
      if (j < sizeof ents / sizeof ents[0]) {
        out[k++] = ents[j].ch;
        i += strlen(ents[j].e) - 1;
      } else {
        out[k++] = html[i];
      }
    }
  }
  out[k] = '\0';
  return out;
}

/* Zammad trigger webhook: a ticket with its newest article. */
enum MHD_Result maat__webhook_zammad(struct call *c)
{
  enum MHD_Result ret;
  json_t *in, *ticket, *article, *v;
  char id[MAAT_ID_MAX + 1], customer[MAAT_ID_MAX + 1];
  const char *sender, *ctype;
  char *text;

  if (!webhook_allowed(c, 0)) {
    c->audit = 1;
    return maat__fail_call(c, 401, "a valid bearer token or Zammad signature is "
                "needed", NULL);
  }
  if (!(in = maat__parse_body(c, &ret)))
    return ret;
  ticket = json_object_get(in, "ticket");
  article = json_object_get(in, "article");
  /* A closed ticket (the trigger "state is closed"): its contacts close. */
  v = json_object_get(ticket, "state");
  if (json_is_integer(json_object_get(ticket, "id")) &&
      ((json_is_string(v) && !strcmp(json_string_value(v), "closed")) ||
       (json_is_object(v) && json_is_string(json_object_get(v, "name")) &&
        !strcmp(json_string_value(json_object_get(v, "name")), "closed")))) {
    char prefix[48];
    snprintf(prefix, sizeof prefix, "zm-%lld-",
             (long long)json_integer_value(json_object_get(ticket, "id")));
    json_decref(in);
    return close_thread(c, "Zammad", prefix);
  }
  if (!json_is_object(ticket) || !json_is_object(article)) {
    json_decref(in);
    return ignored(c, "no ticket with an article");
  }
  v = json_object_get(article, "sender");
  sender = json_is_string(v) ? json_string_value(v) : "";
  if (strcmp(sender, "Customer") ||
      json_is_true(json_object_get(article, "internal"))) {
    json_decref(in);
    return ignored(c, "not a customer's public article");
  }
  v = json_object_get(article, "body");
  if (!json_is_string(v) || !json_is_integer(json_object_get(ticket, "id")) ||
      !json_is_integer(json_object_get(article, "id"))) {
    json_decref(in);
    return maat__fail_call(c, 400, "Zammad webhook: 'ticket.id', 'article.id' and "
                "'article.body' are needed", "article.body");
  }
  v = json_object_get(article, "content_type");
  ctype = json_is_string(v) ? json_string_value(v) : "";
  text = strstr(ctype, "html") ? plain_text(json_string_value(
                                     json_object_get(article, "body")))
                               : maat_strdup(json_string_value(
                                     json_object_get(article, "body")));
  if (!text) {
    json_decref(in);
    return maat__fail_call(c, 500, "out of memory", NULL);
  }
  {
    char prefix[48];
    struct thread_msg m;
    enum MHD_Result r;
    snprintf(prefix, sizeof prefix, "zm-%lld-",
             (long long)json_integer_value(json_object_get(ticket, "id")));
    snprintf(id, sizeof id, "%s%lld", prefix,
             (long long)json_integer_value(json_object_get(article, "id")));
    memset(&m, 0, sizeof m);
    m.prefix = prefix;
    m.id = id;
    m.text = text;
    v = json_object_get(ticket, "customer_id");
    if (json_is_integer(v)) {
      snprintf(customer, sizeof customer, "zm-%lld",
               (long long)json_integer_value(v));
      m.customer = customer;
    }
    v = json_object_get(article, "type");
    if (json_is_string(v))
      m.channel = json_string_value(v);
    r = thread_message(c, "Zammad", &m);
    maat_free(text);
    json_decref(in);
    return r;
  }
}

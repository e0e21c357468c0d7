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
    const char *ts = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND,
                                                 "X-Chatwoot-Timestamp");
    char *b;
    size_t tlen;
    double age;
    sig = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND,
                                      "X-Chatwoot-Signature");
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
    sig = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND,
                                      "X-Hub-Signature");
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

/* Chatwoot message_created: an incoming, public customer message. */
enum MHD_Result maat__webhook_chatwoot(struct call *c)
{
  enum MHD_Result ret;
  json_t *in, *o, *conv, *sender, *inbox, *v;
  char id[MAAT_ID_MAX + 1], customer[MAAT_ID_MAX + 1];
  int bad = 0;

  if (!webhook_allowed(c, 1)) {
    c->audit = 1;
    return maat__fail_call(c, 401, "a valid bearer token or Chatwoot signature is "
                "needed", NULL);
  }
  if (!(in = maat__parse_body(c, &ret)))
    return ret;
  v = json_object_get(in, "event");
  if (!json_is_string(v) || strcmp(json_string_value(v), "message_created")) {
    json_decref(in);
    return ignored(c, "only message_created events become contacts");
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
  snprintf(id, sizeof id, "cw-%lld-%lld",
           (long long)json_integer_value(json_object_get(conv, "id")),
           (long long)json_integer_value(json_object_get(in, "id")));
  o = json_object();
  bad |= maat__jset(o, "id", json_string(id));
  bad |= maat__jset(o, "text", json_incref(v));
  if (json_is_integer(json_object_get(sender, "id"))) {
    snprintf(customer, sizeof customer, "cw-%lld",
             (long long)json_integer_value(json_object_get(sender, "id")));
    bad |= maat__jset(o, "customer", json_string(customer));
  }
  if (json_is_string(json_object_get(inbox, "name")))
    bad |= maat__jset(o, "channel", json_incref(json_object_get(inbox,
                                                                "name")));
  json_decref(in);
  if (bad) {
    json_decref(o);
    return maat__fail_call(c, 500, "out of memory", NULL);
  }
  return maat__accept_contact(c, o, 1);
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
  json_t *in, *o, *ticket, *article, *v;
  char id[MAAT_ID_MAX + 1], customer[MAAT_ID_MAX + 1];
  int bad = 0;
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
  snprintf(id, sizeof id, "zm-%lld-%lld",
           (long long)json_integer_value(json_object_get(ticket, "id")),
           (long long)json_integer_value(json_object_get(article, "id")));
  o = json_object();
  bad |= maat__jset(o, "id", json_string(id));
  bad |= maat__jset(o, "text", json_string(text));
  maat_free(text);
  v = json_object_get(ticket, "customer_id");
  if (json_is_integer(v)) {
    snprintf(customer, sizeof customer, "zm-%lld",
             (long long)json_integer_value(v));
    bad |= maat__jset(o, "customer", json_string(customer));
  }
  v = json_object_get(article, "type");
  if (json_is_string(v))
    bad |= maat__jset(o, "channel", json_incref(v));
  json_decref(in);
  if (bad) {
    json_decref(o);
    return maat__fail_call(c, 500, "out of memory", NULL);
  }
  return maat__accept_contact(c, o, 1);
}


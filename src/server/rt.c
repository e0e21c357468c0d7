/*
 * rt.c - the Request Tracker 5 connector of 'maat serve': a thread that
 * reads RT's new ticket transactions through REST2 every poll_s seconds
 * and turns them into maat's events (docs/helpdesks.md):
 *
 *   Create or Correspond by the customer  -> a contact, or a follow-up of
 *                                            the ticket's open contact
 *                                            (threads.c)
 *   Status to resolved, rejected, deleted -> the ticket's contacts close
 *
 * "By the customer": by anyone who is neither one of the team's agents (the
 * helpdesk's "agents" map) nor the user maat acts as. RT has no outgoing
 * webhooks without a local extension, so maat reads, by transaction id,
 * from a cursor kept in the store and written in the same commit as the
 * event each transaction became: a kill -9 anywhere reads nothing twice
 * and loses nothing. On its first start maat begins at RT's newest
 * transaction: tickets from before it are not routed.
 *
 * Write-back (owner, queue, comment) goes through the outbox like every
 * other call (src/outbox/helpdesk.c).
 *
 * The same thread reads Chatwoot's agent presence, for a Chatwoot helpdesk
 * with "presence" on.
 */
#include "server-int.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct buf {
  char *p;
  size_t n;
};

static size_t grow(char *p, size_t size, size_t n, void *ctx)
{
  struct buf *b = ctx;
  size_t add = size * n;
  char *q;

  if (b->n + add > (16u << 20))
    return 0;   /* a reply this large is not RT's */
  if (!(q = maat_realloc(b->p, b->n + add + 1)))
    return 0;
  memcpy(q + b->n, p, add);
  b->n += add;
  q[b->n] = '\0';
  b->p = q;
  return add;
}

/* One REST2 call: the reply as JSON in '*out', or an error named. */
static int rt_call(struct maat_server *s, int k, const char *path,
                   const char *post, json_t **out)
{
  const struct maat_helpdesk_target *h = &s->o.helpdesks[k];
  const char *cred = s->o.helpdesk_tokens ? s->o.helpdesk_tokens[k] : NULL;
  char url[1400], tok[600];
  struct buf b = { NULL, 0 };
  struct curl_slist *hd = NULL;
  CURL *c = curl_easy_init();
  long status = 0;
  CURLcode cc;
  json_error_t err;
  int rc = MAAT_OK;

  *out = NULL;
  if (!c)
    return maat_error_set(MAAT_ENOMEM, "cannot start an HTTP call");
  if (h->kind == MAAT_HELPDESK_RT)
    snprintf(url, sizeof url, "%s/REST/2.0/%s", h->url, path);
  else
    snprintf(url, sizeof url, "%s%s", h->url, path);
  hd = curl_slist_append(hd, "User-Agent: maat");
  hd = curl_slist_append(hd, "Content-Type: application/json");
  if (cred && h->kind == MAAT_HELPDESK_CHATWOOT) {
    snprintf(tok, sizeof tok, "api_access_token: %s", cred);
    hd = curl_slist_append(hd, tok);
  } else if (cred && strchr(cred, ':')) {
    curl_easy_setopt(c, CURLOPT_USERPWD, cred);
  } else if (cred) {
    snprintf(tok, sizeof tok, "Authorization: token %s", cred);
    hd = curl_slist_append(hd, tok);
  }
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hd);
  if (post) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, post);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(post));
  }
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 15000L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, grow);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  cc = curl_easy_perform(c);
  if (cc == CURLE_OK)
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (cc != CURLE_OK)
    rc = maat_error_set(MAAT_EIO, "RT %s: %s", path, curl_easy_strerror(cc));
  else if (status < 200 || status > 299)
    rc = maat_error_set(MAAT_EIO, "RT %s: HTTP %ld", path, status);
  else if (!(*out = json_loadb(b.p ? b.p : "", b.n, 0, &err)))
    rc = maat_error_set(MAAT_EPARSE, "RT %s: the reply is not JSON (%s)",
                        path, err.text);
  maat_free(b.p);
  curl_slist_free_all(hd);
  curl_easy_cleanup(c);
  return rc;
}

static const char *user_id(json_t *u)
{
  json_t *v = json_object_get(u, "id");
  return json_is_string(v) ? json_string_value(v) : "";
}

/* Whether RT user 'name' is staff: an agent of the map, or maat itself. */
static int staff(struct maat_server *s, int k, const char *name)
{
  const struct maat_helpdesk_target *h = &s->o.helpdesks[k];

  if (h->self && !strcmp(h->self, name))
    return 1;
  if (!strcmp(name, "RT_System"))
    return 1;
  return maat__hd_user_agent(s, k, name, NULL, 0);
}

/* The customer's text of a transaction: its first text part (and on a
 * Create, the ticket's subject before it), owned, in '*out'; NULL when it
 * has none. An error when RT could not be read (tried again later).
 * '*bare': the transaction has no attachment at all (yet: RT writes a
 * reply's transaction and then its attachment, each committed alone). */
static int message_text(struct maat_server *s, int k, const char *txn,
                        int create, char **out, int *bare)
{
  char path[128];
  json_t *o, *items, *it;
  size_t i;
  char *text = NULL;
  const char *subject = "", *content = NULL;
  int rc;

  *out = NULL;
  snprintf(path, sizeof path, "transaction/%s/attachments?"
           "fields=Content,ContentType,Subject&per_page=20", txn);
  if ((rc = rt_call(s, k, path, NULL, &o)))
    return rc;
  items = json_object_get(o, "items");
  *bare = json_array_size(items) == 0;
  json_array_foreach(items, i, it) {
    const char *ct = json_string_value(json_object_get(it, "ContentType"));
    const char *sub = json_string_value(json_object_get(it, "Subject"));
    const char *body = json_string_value(json_object_get(it, "Content"));
    if (sub && *sub && !*subject)
      subject = sub;
    if (!content && ct && !strncmp(ct, "text/plain", 10) && body && *body)
      content = body;
  }
  if (create || !content) {
    size_t n = strlen(subject) + (content ? strlen(content) : 0) + 3;
    if ((text = maat_malloc(n)))
      snprintf(text, n, "%s%s%s", create ? subject : "",
               create && content ? "\n" : "", content ? content : "");
  } else {
    text = maat_strdup(content);
  }
  json_decref(o);
  if (!text)
    return maat_error_set(MAAT_ENOMEM, "out of memory");
  if (!*text) {
    maat_free(text);
    text = NULL;
  }
  *out = text;
  return MAAT_OK;
}

static void cursor_key(const struct maat_helpdesk_target *h, char *key,
                       size_t cap)
{
  snprintf(key, cap, "rt.cursor:%s", h->url);
}

static void note_error(struct maat_server *s)
{
  pthread_mutex_lock(&s->outbox_mu);
  s->rt_errors++;
  snprintf(s->rt_error, sizeof s->rt_error, "%s", maat_errmsg());
  pthread_mutex_unlock(&s->outbox_mu);
}

/* take_txn(): a customer's transaction whose attachment RT has not shown
 * yet; read again next round, for up to RT_BARE_WAIT seconds. */
#define RT_NOT_YET 1
#define RT_BARE_WAIT 10.0

/* One transaction: an event (with the cursor in its commit), or nothing. */
static int take_txn(struct maat_server *s, int k, json_t *it, long long id,
                    int *applied)
{
  const struct maat_helpdesk_target *h = &s->o.helpdesks[k];
  const char *type = json_string_value(json_object_get(it, "Type"));
  const char *ticket = json_string_value(json_object_get(it, "ObjectId"));
  const char *creator = user_id(json_object_get(it, "Creator"));
  struct maat_apply_extra x;
  char key[1100], value[32], prefix[32], cid[MAAT_ID_MAX + 1];
  char customer[MAAT_ID_MAX + 1];
  int rc = MAAT_OK;

  *applied = 0;
  if (!type || !ticket || strlen(ticket) > 20)
    return MAAT_OK;
  memset(&x, 0, sizeof x);
  cursor_key(h, key, sizeof key);
  snprintf(value, sizeof value, "%lld", id);
  x.meta_key = key;
  x.meta_value = value;
  snprintf(prefix, sizeof prefix, "rt-%s-", ticket);
  if ((!strcmp(type, "Create") || !strcmp(type, "Correspond")) &&
      !staff(s, k, creator)) {
    struct thread_msg m;
    struct thread_result r;
    char *text;
    int bare = 0;
    if ((rc = message_text(s, k, value, !strcmp(type, "Create"), &text,
                           &bare)))
      return rc;
    if (!text && bare && k < 8) {
      /* Its attachment may be a moment behind: waited for, up to
       * RT_BARE_WAIT seconds, before it counts as having no text. */
      if (s->rt_wait_id[k] != id) {
        s->rt_wait_id[k] = id;
        s->rt_wait_since[k] = maat_wall_now();
      }
      if (maat_wall_now() - s->rt_wait_since[k] < RT_BARE_WAIT)
        return RT_NOT_YET;
    }
    if (!text)
      return MAAT_OK;  /* nothing to read: an attachment alone */
    memset(&m, 0, sizeof m);
    snprintf(cid, sizeof cid, "%s%lld", prefix, id);
    snprintf(customer, sizeof customer, "rt-%.50s", creator);
    m.prefix = prefix;
    m.id = cid;
    m.text = text;
    m.customer = maat_id_valid(customer, strlen(customer)) ? customer : NULL;
    m.channel = "email";
    rc = maat__thread_message(s, &m, &x, &r);
    maat_free(text);
    *applied = !rc && r.kind != THREAD_SEEN;
    return rc;
  }
  if (!strcmp(type, "Status")) {
    const char *to = json_string_value(json_object_get(it, "NewValue"));
    int n = 0;
    if (to && (!strcmp(to, "resolved") || !strcmp(to, "rejected") ||
               !strcmp(to, "deleted"))) {
      rc = maat__thread_close(s, prefix, &x, NULL, &n);
      *applied = !rc && n > 0;
    }
  }
  return rc;
}

/* Reads RT's transactions after the cursor, in order, once. */
static int rt_round(struct maat_server *s, int k, long long *cursor)
{
  const struct maat_helpdesk_target *h = &s->o.helpdesks[k];
  char key[1100], post[200], *stored = NULL;
  json_t *o, *items, *it;
  size_t i;
  int rc;

  cursor_key(h, key, sizeof key);
  if (*cursor < 0) {
    if (maat_store_meta_get(s->store, key, &stored) == MAAT_OK && stored &&
        *stored) {
      *cursor = strtoll(stored, NULL, 10);
    } else {
      /* First start: from RT's newest transaction on. */
      json_t *last;
      if ((rc = rt_call(s, k, "transactions?per_page=1&orderby=id&"
                        "order=DESC", "[{\"field\":\"ObjectType\",\"value\":\"RT::Ticket\"}]", &last)))
        return rc;
      it = json_array_get(json_object_get(last, "items"), 0);
      *cursor = it ? strtoll(json_string_value(json_object_get(it, "id"))
                                 ? json_string_value(json_object_get(it, "id"))
                                 : "0", NULL, 10)
                   : 0;
      json_decref(last);
      snprintf(post, sizeof post, "%lld", *cursor);
      if ((rc = maat_store_meta_set(s->store, key, post)))
        return rc;
    }
    maat_free(stored);
  }
  for (;;) {
    long long last = *cursor;
    int any = 0, applied = 0, full;
    snprintf(post, sizeof post, "[{\"field\":\"id\",\"operator\":\">\","
             "\"value\":%lld},{\"field\":\"ObjectType\",\"value\":"
             "\"RT::Ticket\"}]", *cursor);
    if ((rc = rt_call(s, k, "transactions?fields=Type,ObjectId,Creator,"
                      "NewValue&per_page=100&orderby=id&order=ASC", post,
                      &o)))
      return rc;
    items = json_object_get(o, "items");
    json_array_foreach(items, i, it) {
      const char *sid = json_string_value(json_object_get(it, "id"));
      long long id = sid ? strtoll(sid, NULL, 10) : 0;
      if (id <= *cursor)
        continue;
      if ((rc = take_txn(s, k, it, id, &applied))) {
        if (rc == RT_NOT_YET) {
          rc = MAAT_OK;      /* read again next round, from here */
          any = 0;
        }
        break;
      }
      *cursor = id;
      any = 1;
      pthread_mutex_lock(&s->outbox_mu);
      s->rt_read++;
      pthread_mutex_unlock(&s->outbox_mu);
    }
    /* Read past transactions that became no event: kept too. */
    if (*cursor > last && !applied) {
      snprintf(post, sizeof post, "%lld", *cursor);
      if (!rc)
        rc = maat_store_meta_set(s->store, key, post);
    }
    full = json_array_size(items) >= 100;
    json_decref(o);
    if (rc || !any || !full)
      return rc;
  }
}

/* ---- presence from Chatwoot ---- */

/*
 * Chatwoot pushes presence only over ActionCable (helpdesk-api.md), so maat
 * reads GET /api/v1/accounts/{a}/agents: each mapped user's
 * availability_status, online -> available, busy -> break, offline ->
 * offline. A status is applied when it changes in Chatwoot (and once at
 * the first read), so a state an agent sets in maat holds until her
 * Chatwoot status changes.
 */
struct presence {
  json_t *last;                 /* helpdesk user -> the last state read */
};

static int presence_round(struct maat_server *s, int k, struct presence *p)
{
  const struct maat_helpdesk_target *h = &s->o.helpdesks[k];
  char path[128];
  json_t *o, *it;
  size_t i;
  int rc;

  snprintf(path, sizeof path, "/api/v1/accounts/%s/agents",
           h->account ? h->account : "1");
  if ((rc = rt_call(s, k, path, NULL, &o)))
    return rc;
  if (!json_is_array(o)) {
    json_decref(o);
    return maat_error_set(MAAT_EPARSE, "Chatwoot %s: expected an array of "
                          "agents", path);
  }
  json_array_foreach(o, i, it) {
    json_t *id = json_object_get(it, "id");
    const char *st = json_string_value(json_object_get(it,
                                                       "availability_status"));
    char user[32], agent[MAAT_ID_MAX + 1], line[200];
    json_t *last;
    int state;
    if (!json_is_integer(id) || !st)
      continue;
    snprintf(user, sizeof user, "%lld", (long long)json_integer_value(id));
    if (!maat__hd_user_agent(s, k, user, agent, sizeof agent))
      continue;
    state = !strcmp(st, "online") ? MAAT_AGENT_AVAILABLE
            : !strcmp(st, "busy") ? MAAT_AGENT_BREAK
            : !strcmp(st, "offline") ? MAAT_AGENT_OFFLINE : -1;
    last = json_object_get(p->last, user);
    if (state < 0 || (last && json_integer_value(last) == state))
      continue;
    json_object_set_new(p->last, user, json_integer(state));
    {
      struct maat_apply_extra x;
      struct maat_applied a;
      int n = snprintf(line, sizeof line, "{\"type\":\"agent\",\"t\":%.3f,"
                       "\"agent\":\"%s\",\"state\":\"%s\"}", maat__now_t(s),
                       agent, maat_agent_state_name(state));
      memset(&x, 0, sizeof x);
      x.now = maat__now_t(s);
      rc = maat_engine_apply(s->engine, line, (size_t)n,
                             MAAT_APPLY_NOW | MAAT_APPLY_AS_IS, &x, &a);
      if (!rc)
        rc = maat_engine_wait(s->engine, a.ticket);
      if (rc)
        break;
    }
  }
  json_decref(o);
  return rc;
}

void *maat__rt_thread(void *arg)
{
  struct maat_server *s = arg;
  long long cursor[8];
  struct presence pres[8];
  double wait = 3600;

  for (int k = 0; k < 8; k++)
    pres[k].last = json_object();
  for (int k = 0; k < s->o.nhelpdesks && k < 8; k++) {
    const struct maat_helpdesk_target *h = &s->o.helpdesks[k];
    cursor[k] = -1;
    if ((h->kind == MAAT_HELPDESK_RT || h->presence) && h->poll_s > 0 &&
        h->poll_s < wait)
      wait = h->poll_s;
  }
  pthread_mutex_lock(&s->clock_mu);
  while (!s->stop) {
    struct timespec ts;
    pthread_mutex_unlock(&s->clock_mu);
    for (int k = 0; k < s->o.nhelpdesks && k < 8; k++) {
      const struct maat_helpdesk_target *h = &s->o.helpdesks[k];
      if (h->kind == MAAT_HELPDESK_RT && rt_round(s, k, &cursor[k]))
        note_error(s);
      if (h->kind == MAAT_HELPDESK_CHATWOOT && h->presence &&
          pres[k].last && presence_round(s, k, &pres[k]))
        note_error(s);
    }
    pthread_mutex_lock(&s->clock_mu);
    if (s->stop)
      break;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)wait;
    ts.tv_nsec += (long)((wait - (double)(time_t)wait) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&s->stop_cv, &s->clock_mu, &ts);
  }
  pthread_mutex_unlock(&s->clock_mu);
  for (int k = 0; k < 8; k++)
    json_decref(pres[k].last);
  return NULL;
}

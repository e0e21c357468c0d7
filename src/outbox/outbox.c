/*
 * outbox.c - delivering the outbox: due rows, oldest first, one HTTP call
 * each (libcurl), then marked done, to retry, or dead (include/maat/outbox.h).
 * And the alerts' bodies: JSON, Slack and Teams.
 */
#include "maat-int.h"
#include "maat/outbox.h"
#include "maat/msg.h"

#include <curl/curl.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ok;

static void curl_init(void)
{
  curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

/* A due row, copied out of the store's callback. */
struct due {
  int64_t id;
  double created;
  char *kind, *key, *method, *url, *headers, *body;
  int attempts;
};

struct due_list {
  struct due *d;
  size_t n, cap;
};

static int take_due(void *ctx, const struct maat_store_outbox *o)
{
  struct due_list *l = ctx;
  struct due *d;

  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 16;
    struct due *p = maat__realloc(l->d, cap * sizeof *p);
    if (!p)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    l->d = p;
    l->cap = cap;
  }
  d = &l->d[l->n];
  memset(d, 0, sizeof *d);
  d->id = o->id;
  d->created = o->created;
  d->attempts = o->attempts;
  d->key = o->key ? maat__strdup(o->key) : NULL;
  d->kind = maat__strdup(o->kind);
  d->method = maat__strdup(o->method);
  d->url = maat__strdup(o->url);
  d->headers = o->headers ? maat__strdup(o->headers) : NULL;
  d->body = maat__strdup(o->body);
  if ((o->key && !d->key) || !d->method || !d->url || !d->body ||
      (o->headers && !d->headers) || !d->kind) {
    maat__free(d->kind);
    maat__free(d->key);
    maat__free(d->method);
    maat__free(d->url);
    maat__free(d->headers);
    maat__free(d->body);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  l->n++;
  return MAAT_OK;
}

static void due_free(struct due_list *l)
{
  for (size_t i = 0; i < l->n; i++) {
    maat__free(l->d[i].kind);
    maat__free(l->d[i].key);
    maat__free(l->d[i].method);
    maat__free(l->d[i].url);
    maat__free(l->d[i].headers);
    maat__free(l->d[i].body);
  }
  maat__free(l->d);
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
  (void)p;
  (void)ctx;
  return size * n;
}

/*
 * Makes one call: the HTTP status in '*status' (0 when none came), a
 * sentence for a failure in 'err'.
 */
static void call(const struct due *d, const struct maat_outbox_opts *o,
                 long *status, char *err, size_t cap)
{
  double timeout_s = o->timeout_s;
  char cred[512];
  CURL *c = curl_easy_init();
  struct curl_slist *h = NULL;
  char line[256], ebuf[CURL_ERROR_SIZE] = "";
  CURLcode rc;

  *status = 0;
  err[0] = '\0';
  if (!c) {
    snprintf(err, cap, "cannot start an HTTP call");
    return;
  }
  snprintf(line, sizeof line, "Idempotency-Key: %s",
           d->key ? d->key : "");
  if (!d->key)
    snprintf(line, sizeof line, "Idempotency-Key: maat-outbox-%lld",
             (long long)d->id);
  h = curl_slist_append(h, line);
  h = curl_slist_append(h, "Content-Type: application/json");
  h = curl_slist_append(h, "User-Agent: maat");
  if (o->auth && o->auth(o->auth_ctx, d->kind, cred, sizeof cred))
    h = curl_slist_append(h, cred);
  for (char *p = d->headers; p && *p;) {
    char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    /* maat's own: read by the deliverer, never sent. */
    if (n && n < sizeof line && strncmp(p, "X-Maat-", 7)) {
      memcpy(line, p, n);
      line[n] = '\0';
      h = curl_slist_append(h, line);
    }
    p = nl ? nl + 1 : p + n;
  }
  curl_easy_setopt(c, CURLOPT_URL, d->url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, d->method);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, d->body);
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(d->body));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(timeout_s * 1000));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   (long)(timeout_s * 1000 < 5000 ? timeout_s * 1000 : 5000));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  rc = curl_easy_perform(c);
  if (rc == CURLE_OK)
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
  else
    snprintf(err, cap, "%s", ebuf[0] ? ebuf : curl_easy_strerror(rc));
  if (rc == CURLE_OK && (*status < 200 || *status > 299))
    snprintf(err, cap, "HTTP %ld", *status);
  curl_slist_free_all(h);
  curl_easy_cleanup(c);
}

struct body_buf {
  char *p;
  size_t n;
};

static size_t keep_body(char *p, size_t size, size_t n, void *ctx)
{
  struct body_buf *b = ctx;
  size_t add = size * n;

  /* Enough to find a key in: the first megabyte. */
  if (b->n + add > (1u << 20))
    return add;
  char *q = maat__realloc(b->p, b->n + add + 1);
  if (!q)
    return 0;
  memcpy(q + b->n, p, add);
  b->n += add;
  q[b->n] = '\0';
  b->p = q;
  return add;
}

/* The row's check URL ("X-Maat-Check: URL" among its headers), or NULL. */
static const char *check_url(const struct due *d, char *buf, size_t cap)
{
  const char *p = d->headers ? strstr(d->headers, "X-Maat-Check: ") : NULL;
  size_t n;

  if (!p)
    return NULL;
  p += strlen("X-Maat-Check: ");
  n = strcspn(p, "\n");
  if (!n || n >= cap)
    return NULL;
  memcpy(buf, p, n);
  buf[n] = '\0';
  return buf;
}

/*
 * Whether the call was made already: its key in what the check URL
 * answers. 1 yes, 0 no, -1 the check itself failed (try again later).
 */
static int already_made(const struct due *d, const char *url,
                        const struct maat_outbox_opts *o)
{
  CURL *c = curl_easy_init();
  struct curl_slist *h = NULL;
  struct body_buf b = { NULL, 0 };
  char cred[512];
  long status = 0;
  int made = -1;

  if (!c)
    return -1;
  h = curl_slist_append(h, "User-Agent: maat");
  if (o->auth && o->auth(o->auth_ctx, d->kind, cred, sizeof cred))
    h = curl_slist_append(h, cred);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(o->timeout_s * 1000));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  if (curl_easy_perform(c) == CURLE_OK) {
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status <= 299)
      made = b.p && d->key && strstr(b.p, d->key) ? 1 : 0;
  }
  maat__free(b.p);
  curl_slist_free_all(h);
  curl_easy_cleanup(c);
  return made;
}

double maat_outbox_backoff(const struct maat_outbox_opts *o, int attempts,
                           uint64_t jitter_seed)
{
  double w = o->backoff_s * pow(2, attempts > 0 ? attempts - 1 : 0);
  uint64_t x = jitter_seed * 0x9E3779B97F4A7C15ULL + 1;

  if (w > o->backoff_max_s)
    w = o->backoff_max_s;
  /* +-20 %, so that many failed calls do not come back together. */
  x ^= x >> 31;
  return w * (0.8 + 0.4 * (double)(x % 1000) / 1000);
}

/* Whether a failure may pass on retrying: no answer, 408, 429 or 5xx. */
static int retryable(long status)
{
  return status == 0 || status == 408 || status == 429 || status >= 500;
}

/* A call that may have been made is checked no sooner than this many call
 * timeouts after it began (docs/outbox.md). */
#define SETTLE 3

int maat_outbox_deliver(maat_store *st, double now,
                        const struct maat_outbox_opts *opt,
                        struct maat_outbox_round *res)
{
  static const struct maat_outbox_opts defaults = MAAT_OUTBOX_OPTS_INIT;
  const struct maat_outbox_opts *o = opt ? opt : &defaults;
  struct due_list l = { NULL, 0, 0 };
  int rc;

  memset(res, 0, sizeof *res);
  pthread_once(&curl_once, curl_init);
  if (!curl_ok)
    return maat__fail(MAAT_EIO, "outbox: the HTTP library did not start");
  if ((rc = maat_store_outbox_due(st, now, o->batch, take_due, &l))) {
    due_free(&l);
    return rc;
  }
  for (size_t i = 0; i < l.n && !rc; i++) {
    struct due *d = &l.d[i];
    char err[300];
    long status;
    int attempts = d->attempts + 1;
    double at;
    char curl_buf[1100];
    const char *check = check_url(d, curl_buf, sizeof curl_buf);
    double start;
    if (check && d->attempts > 0) {
      /* Tried before, maybe made: look before making it again. */
      int made = already_made(d, check, o);
      if (made != 0) {
        at = maat_wall_now();
        res->tried++;
        if (made > 0) {
          rc = maat_store_outbox_mark(st, d->id, MAAT_OUTBOX_DONE,
                                      d->attempts, at, NULL, at);
          res->delivered++;
          res->deduplicated++;
          res->latency_sum_s += at - d->created;
        } else {
          rc = maat_store_outbox_mark(st, d->id, MAAT_OUTBOX_PENDING,
                                      d->attempts, at + maat_outbox_backoff(
                                          o, attempts, (uint64_t)d->id),
                                      "the check before a retry failed", at);
          res->retried++;
        }
        continue;
      }
    }
    start = maat_wall_now();
    if (check) {
      /* Claimed before the call, durably: after a crash in the call the
       * row comes back as tried, and is checked first, no sooner than
       * SETTLE call timeouts after the call began: a slow peer may still
       * be making it, and a check before it is done would make it twice. */
      if ((rc = maat_store_outbox_mark(st, d->id, MAAT_OUTBOX_PENDING,
                                       attempts, start + SETTLE * o->timeout_s,
                                       "in flight", start)))
        break;
    }
    call(d, o, &status, err, sizeof err);
    at = maat_wall_now();
    res->tried++;
    if (status >= 200 && status <= 299) {
      rc = maat_store_outbox_mark(st, d->id, MAAT_OUTBOX_DONE, attempts, at,
                                  NULL, at);
      res->delivered++;
      res->latency_sum_s += at - d->created;
    } else if (retryable(status) && attempts < o->max_attempts) {
      double next = at + maat_outbox_backoff(o, attempts, (uint64_t)d->id);
      /* A call that may have been made (it timed out, the peer failed
       * midway) is checked once the peer has surely finished with it. */
      if (check && next < start + SETTLE * o->timeout_s)
        next = start + SETTLE * o->timeout_s;
      rc = maat_store_outbox_mark(st, d->id, MAAT_OUTBOX_PENDING, attempts,
                                  next, err, at);
      res->retried++;
    } else {
      rc = maat_store_outbox_mark(st, d->id, MAAT_OUTBOX_DEAD, attempts, at,
                                  err, at);
      res->dead++;
    }
  }
  due_free(&l);
  return rc;
}

/* ---- alerts ---- */

static const char *const alert_kinds[] = {
  "overload", "understaffed", "forecast", "unroutable", "open_too_long"
};

unsigned maat_alert_kind(const char *kind)
{
  for (size_t i = 0; kind && i < sizeof alert_kinds / sizeof *alert_kinds;
       i++)
    if (!strcmp(kind, alert_kinds[i]))
      return 1u << i;
  return 0;
}

int maat_alert_format_parse(const char *name)
{
  if (!name)
    return -1;
  if (!strcmp(name, "json"))
    return MAAT_ALERT_JSON;
  if (!strcmp(name, "slack"))
    return MAAT_ALERT_SLACK;
  if (!strcmp(name, "teams"))
    return MAAT_ALERT_TEAMS;
  return -1;
}

char *maat_alert_body(const struct maat_alert_target *a, const char *kind,
                      const char *message, double t)
{
  const char *lang = a->lang && !strcmp(a->lang, "nl") ? "nl" : "en";
  char text[1024], params[768], when[48], line[1200];
  const char *code = maat_msg_parse(message, params, sizeof params);
  int m = (int)floor(fmod(t > 0 ? t : 0, 86400) / 60);
  json_t *o = NULL;
  char *out, *copy;

  maat_msg_render(message, lang, text, sizeof text);
  snprintf(when, sizeof when, "%d:%02d", m / 60, m % 60);
  snprintf(line, sizeof line, "maat %s %s: %s",
           !strcmp(lang, "nl") ? "om" : "at", when, text);
  switch (a->format) {
  case MAAT_ALERT_SLACK:
    o = json_pack("{s:s}", "text", line);
    break;
  case MAAT_ALERT_TEAMS:
    o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "@type", "MessageCard",
                  "@context", "https://schema.org/extensions",
                  "summary", text, "themeColor",
                  !strcmp(kind, "overload") || !strcmp(kind, "understaffed")
                      ? "A32020" : "2F6F5E",
                  "text", line);
    break;
  default: {
    json_t *p = json_loads(params, 0, NULL);
    o = json_pack("{s:s, s:s, s:o, s:o, s:s, s:s, s:f}", "source", "maat",
                  "kind", kind, "code", code ? json_string(code) : json_null(),
                  "params", p ? p : json_object(), "message", text, "lang",
                  lang, "t", t);
    break;
  }
  }
  if (!o)
    return NULL;
  out = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  if (!out)
    return NULL;
  /* Owned by maat's allocator, like everything the library hands out. */
  copy = maat__strdup(out);
  free(out);
  return copy;
}

/*
 * erase.c - the data subject (maat/privacy.h): all maat holds on one
 * customer, exported as JSON or erased everywhere. Erasure anonymises:
 * the customer's id becomes a random pseudonym of the same length in the
 * event log, the decisions, the contact records, the kept records and
 * the snapshots (in place, their checksum made again), so every total
 * and every replay stays as it was, while nothing links back. The
 * customer's words kept for learning are deleted; other strings known to
 * be theirs (a name, an e-mail address) are overwritten wherever they
 * are. Then the database is compacted, so that the overwritten bytes are
 * not left in free pages or the write-ahead log.
 */
#include "maat-int.h"
#include "json-int.h"
#include "engine-int.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int memfind(const void *hay, size_t hn, const char *needle, size_t n)
{
  const char *h = hay;

  for (size_t i = 0; n && i + n <= hn; i++)
    if (h[i] == needle[0] && !memcmp(h + i, needle, n))
      return 1;
  return 0;
}

/* An audit row of the data subject's commands (never naming the person). */
static int audit_cli(maat_store *st, const char *path, const char *detail)
{
  struct maat_store_audit au;

  memset(&au, 0, sizeof au);
  au.at = maat_wall_now();
  au.role = "admin";
  au.method = "CLI";
  au.path = path;
  au.status = 200;
  au.detail = detail;
  return maat_store_audit_append(st, &au);
}

static int id_char(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
         c == '-';
}

static int is_json_table(const char *table)
{
  return !strcmp(table, "events") || !strcmp(table, "decisions") ||
         !strcmp(table, "contacts") || !strcmp(table, "records") ||
         !strcmp(table, "outbox");
}

/*
 * 'data' with each occurrence of 'from' replaced by 'to'. 'quoted': only
 * a whole JSON string ("from"); 'bounded': only where no id character
 * touches it; else every one. NULL in '*out' when nothing changed.
 */
static int replace(const void *data, size_t len, const char *from, size_t fn,
                   const char *to, size_t tn, int quoted, int bounded,
                   void **out, size_t *outlen, long *hits)
{
  const unsigned char *d = data;
  struct maat_buf b = { 0 };
  size_t i = 0, last = 0;
  long n = 0;

  *out = NULL;
  while (i + fn <= len) {
    int match = !memcmp(d + i, from, fn);
    if (match && quoted)
      match = i > 0 && d[i - 1] == '"' && i + fn < len && d[i + fn] == '"';
    if (match && bounded)
      match = (i == 0 || !id_char(d[i - 1])) &&
              (i + fn == len || !id_char(d[i + fn]));
    if (!match) {
      i++;
      continue;
    }
    if (maat__buf_append(&b, d + last, i - last) ||
        maat__buf_append(&b, to, tn)) {
      maat__free(b.data);
      return maat__fail(MAAT_ENOMEM, "out of memory");
    }
    i += fn;
    last = i;
    n++;
  }
  if (!n)
    return MAAT_OK;
  if (maat__buf_append(&b, d + last, len - last)) {
    maat__free(b.data);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  *out = b.data;
  *outlen = b.len;
  *hits += n;
  return MAAT_OK;
}

struct erase_ctx {
  const char *needle, *to;  /* to: same length as the needle */
  size_t n;
  int is_id;                /* the customer's id, else a string of theirs */
  long rows, hits, snapshots;
  int failed;
};

static int erase_row(void *ctx, const char *table, const void *data,
                     size_t len, void **out, size_t *outlen)
{
  struct erase_ctx *e = ctx;
  long before = e->hits;
  int rc;

  if (!strcmp(table, "snapshots")) {
    /* Same length in place: lengths and offsets inside stay true. */
    if ((rc = replace(data, len, e->needle, e->n, e->to, e->n, 0, e->is_id,
                      out, outlen, &e->hits)))
      return rc;
    if (*out && (rc = maat__snapshot_reseal(*out, *outlen)))
      return rc;
    if (*out)
      e->snapshots++;
  } else if (e->is_id) {
    rc = replace(data, len, e->needle, e->n, e->to, e->n,
                 is_json_table(table), !is_json_table(table), out, outlen,
                 &e->hits);
    if (rc)
      return rc;
  } else {
    if ((rc = replace(data, len, e->needle, e->n, "[ERASED]", 8, 0, 0, out,
                      outlen, &e->hits)))
      return rc;
  }
  if (e->hits > before)
    e->rows++;
  return MAAT_OK;
}

/* The customer's contacts: the ids of the contact events naming them. */
struct contacts_ctx {
  const char *customer;
  char quoted[MAAT_ID_MAX + 16];
  json_t *ids;
};

static int collect_contact(void *ctx, int64_t seq, const char *line,
                           size_t len)
{
  struct contacts_ctx *c = ctx;
  json_t *o, *id;

  (void)seq;
  if (!memfind(line, len, c->quoted, strlen(c->quoted)))
    return 0;
  if (!(o = json_loadb(line, len, 0, NULL)))
    return 0;
  id = json_object_get(o, "id");
  if (json_is_string(json_object_get(o, "customer")) &&
      !strcmp(json_string_value(json_object_get(o, "customer")),
              c->customer) && json_is_string(id)) {
    size_t i;
    json_t *v;
    int seen = 0;
    json_array_foreach(c->ids, i, v)
      seen |= json_equal(v, id);
    if (!seen)
      json_array_append(c->ids, id);
  }
  json_decref(o);
  return 0;
}

static int customer_contacts(maat_store *st, const char *customer,
                             json_t **out)
{
  struct contacts_ctx c;
  int rc;

  c.customer = customer;
  snprintf(c.quoted, sizeof c.quoted, "\"%s\"", customer);
  if (!(c.ids = json_array()))
    return maat__fail(MAAT_ENOMEM, "out of memory");
  if ((rc = maat_store_events(st, 0, collect_contact, &c))) {
    json_decref(c.ids);
    return rc;
  }
  *out = c.ids;
  return MAAT_OK;
}

static int check_customer(const char *customer)
{
  if (!customer || !maat_id_valid(customer, strlen(customer)))
    return maat__fail(MAAT_EINVAL, "customer: expected an id of "
                      MAAT_ID_RULE);
  return MAAT_OK;
}

int maat_privacy_erase(maat_store *st, const char *customer,
                       const char *const *also,
                       struct maat_erase_report *r)
{
  struct erase_ctx e;
  json_t *ids = NULL, *v;
  char pseudo[MAAT_ID_MAX + 1];
  unsigned char rnd[MAAT_ID_MAX];
  size_t n, i;
  int rc = MAAT_OK;

  if (!st || !r || (rc = check_customer(customer)))
    return rc ? rc : maat__fail(MAAT_EINVAL, "maat_privacy_erase: invalid "
                                "argument");
  for (const char *const *a = also; a && *a; a++)
    if (strlen(*a) < 4)
      return maat__fail(MAAT_EINVAL, "'%s': a string to erase needs 4 "
                        "characters or more (a whole name, an address), "
                        "or it would erase other people's words too", *a);
  memset(r, 0, sizeof *r);
  /* A running server holds the customer in memory too: not beside it. */
  if ((rc = maat_store_lock_writer(st)))
    return rc == MAAT_EBUSY
               ? maat__fail(MAAT_EBUSY, "%s; stop maat serve first: its "
                            "memory holds the customer too", maat_errmsg())
               : rc;
  n = strlen(customer);
  if (gnutls_rnd(GNUTLS_RND_NONCE, rnd, n) != 0)
    return maat__fail(MAAT_EIO, "no random bytes for a pseudonym");
  /* Random, so that nothing can be matched back; the same length, so
   * that a snapshot stays readable; an id like the rest. */
  for (i = 0; i < n; i++)
    pseudo[i] = i == 0 ? 'x' : "abcdefghijklmnopqrstuvwxyz0123456789"[
                                   rnd[i] % 36];
  pseudo[n] = '\0';
  if ((rc = customer_contacts(st, customer, &ids)))
    return rc;
  if ((rc = maat_store_begin(st)))
    goto out;
  json_array_foreach(ids, i, v)
    if ((rc = maat_store_forget_words(st, json_string_value(v))))
      break;
  memset(&e, 0, sizeof e);
  e.needle = customer;
  e.n = n;
  e.to = pseudo;
  e.is_id = 1;
  if (!rc)
    rc = maat_store_scrub(st, customer, n, erase_row, &e);
  for (const char *const *a = also; !rc && a && *a; a++) {
    char *xs = maat__malloc(strlen(*a) + 1);
    if (!xs) {
      rc = maat__fail(MAAT_ENOMEM, "out of memory");
      break;
    }
    memset(xs, 'x', strlen(*a));
    xs[strlen(*a)] = '\0';
    e.needle = *a;
    e.n = strlen(*a);
    e.to = xs;
    e.is_id = 0;
    rc = maat_store_scrub(st, *a, e.n, erase_row, &e);
    maat__free(xs);
  }
  if (!rc) {
    char detail[160];
    snprintf(detail, sizeof detail, "a customer erased: %zu contacts, %ld "
             "rows overwritten, %ld snapshots", json_array_size(ids), e.rows,
             e.snapshots);
    rc = audit_cli(st, "maat privacy erase", detail);
  }
  rc = rc ? (maat_store_rollback(st), rc) : maat_store_commit(st);
  if (!rc)
    rc = maat_store_compact(st);
  if (!rc) {
    r->contacts = (long)json_array_size(ids);
    r->rows = e.rows;
    r->snapshots = e.snapshots;
    snprintf(r->pseudonym, sizeof r->pseudonym, "%s", pseudo);
  }
out:
  json_decref(ids);
  return rc;
}

/* ---- export ---- */

struct export_ctx {
  json_t *by_table;
  long snapshots;
};

static int export_row(void *ctx, const char *table, const void *data,
                      size_t len, void **out, size_t *outlen)
{
  struct export_ctx *x = ctx;
  json_t *list, *v;

  (void)outlen;
  *out = NULL;
  if (!strcmp(table, "snapshots")) {
    x->snapshots++;
    return MAAT_OK;
  }
  if (!(list = json_object_get(x->by_table, table))) {
    list = json_array();
    json_object_set_new(x->by_table, table, list);
  }
  v = is_json_table(table) ? json_loadb(data, len, 0, NULL) : NULL;
  if (!v)
    v = json_stringn(data, len);
  json_array_append_new(list, v ? v : json_null());
  return MAAT_OK;
}

int maat_privacy_export(maat_store *st, const char *customer, char **json)
{
  struct export_ctx x;
  json_t *ids = NULL, *o, *v, *words;
  size_t i;
  int rc = MAAT_OK;

  if (!st || !json || (rc = check_customer(customer)))
    return rc ? rc : maat__fail(MAAT_EINVAL, "maat_privacy_export: invalid "
                                "argument");
  if ((rc = customer_contacts(st, customer, &ids)))
    return rc;
  x.by_table = json_object();
  x.snapshots = 0;
  rc = maat_store_scrub(st, customer, strlen(customer), export_row, &x);
  /* The words kept for learning, by contact. */
  words = json_array();
  json_array_foreach(ids, i, v) {
    char *text = NULL, *lang = NULL;
    if (!rc && maat_store_message_get(st, json_string_value(v), &text,
                                      &lang) == MAAT_OK)
      json_array_append_new(words, json_pack("{s:O, s:s, s:s}", "contact",
                                             v, "text", text, "lang", lang));
    maat_free(text);
    maat_free(lang);
  }
  o = json_pack("{s:s, s:f, s:O, s:o, s:o, s:I}", "customer", customer,
                "exported_at", maat_wall_now(), "contacts", ids, "found",
                x.by_table, "words_kept", words, "snapshots_holding",
                (json_int_t)x.snapshots);
  json_decref(ids);
  if (!rc && o)
    rc = audit_cli(st, "maat privacy export", "a customer's data exported");
  if (!rc) {
    char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(15))
                : NULL;
    *json = s ? maat__strdup(s) : NULL;
    free(s);
    if (!*json)
      rc = maat__fail(MAAT_ENOMEM, "out of memory");
  }
  json_decref(o);
  return rc;
}

/* ---- retention ---- */

static int meta_num(maat_store *st, const char *key, double *v)
{
  char *s = NULL;

  if (maat_store_meta_get(st, key, &s))
    return 0;
  *v = strtod(s, NULL);
  maat_free(s);
  return 1;
}

int maat_privacy_purge(maat_store *st, const struct maat_retention *r,
                       double now, struct maat_purge_report *out)
{
  const double day = 86400;
  double ew = 0, et = 0;
  int rc = MAAT_OK;

  if (!st || !r || !out)
    return maat__fail(MAAT_EINVAL, "maat_privacy_purge: invalid argument");
  memset(out, 0, sizeof *out);
  /* Router time = serve_epoch_t + (wall - serve_epoch_wall). */
  out->router_time = meta_num(st, "serve_epoch_wall", &ew) &&
                     meta_num(st, "serve_epoch_t", &et);
  if (r->messages_days > 0) {
    double cut = now - r->messages_days * day;
    rc = maat_store_purge(st, "messages", cut, &out->messages);
    if (!rc)
      rc = maat_store_purge(st, "kb_questions", cut, &out->questions);
  }
  if (!rc && r->audit_days > 0)
    rc = maat_store_purge(st, "audit", now - r->audit_days * day,
                          &out->audit);
  if (!rc && out->router_time && r->contacts_days > 0) {
    double cut = et + (now - r->contacts_days * day - ew);
    rc = maat_store_purge(st, "contacts", cut, &out->contacts);
    if (!rc)
      rc = maat_store_purge(st, "bot_outcomes", cut, &out->outcomes);
  }
  if (!rc && out->router_time && r->checkins_days > 0)
    rc = maat_store_purge(st, "checkins",
                          et + (now - r->checkins_days * day - ew),
                          &out->checkins);
  return rc;
}

/* ---- an agent who leaves ---- */

struct agent_tokens {
  const char *agent;
  int64_t ids[256];
  int n;
};

static int agent_token(void *ctx, const struct maat_store_token *t)
{
  struct agent_tokens *a = ctx;

  if (!strcmp(t->agent, a->agent) && t->revoked == 0 && a->n < 256)
    a->ids[a->n++] = t->id;
  return 0;
}

int maat_privacy_erase_agent(maat_store *st, const char *agent,
                             long *checkins, long *tokens)
{
  struct agent_tokens a;
  int rc;

  if (!st || !agent || !maat_id_valid(agent, strlen(agent)))
    return maat__fail(MAAT_EINVAL, "agent: expected an id of " MAAT_ID_RULE);
  a.agent = agent;
  a.n = 0;
  if ((rc = maat_store_tokens(st, agent_token, &a)))
    return rc;
  if ((rc = maat_store_begin(st)))
    return rc;
  rc = maat_store_checkins_erase(st, agent, checkins);
  for (int i = 0; !rc && i < a.n; i++)
    rc = maat_store_token_revoke(st, a.ids[i], maat_wall_now());
  if (!rc)
    rc = audit_cli(st, "maat privacy erase", "an agent's check-ins erased "
                   "and tokens revoked");
  rc = rc ? (maat_store_rollback(st), rc) : maat_store_commit(st);
  if (!rc)
    rc = maat_store_compact(st);
  if (!rc && tokens)
    *tokens = a.n;
  return rc;
}

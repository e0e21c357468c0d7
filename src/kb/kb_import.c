/*
 * kb_import.c - articles into the store from the formats teams have:
 * JSON Lines and CSV (articles or FAQs), Markdown and HTML files and
 * folders, Chatwoot's help-centre articles and Zammad's knowledge-base
 * answers. One transaction per import: it is all kept or none of it.
 */
#include "kb-int.h"
#include "json-int.h"
#include "maat/io.h"
#include "maat/privacy.h"
#include "maat/text.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FILE_MAX ((size_t)512 << 20)

/* What an article's newest version holds, to see an import change it. */
struct have {
  char *id;
  uint64_t hash;
};

struct imp {
  maat_store *st;
  const char *owner;
  double t;
  struct maat_map have;     /* id -> struct have */
  struct have **all;
  size_t nall, capall;
  struct maat_kb_import_stats *stats;
};

/* One article as read, before it is checked and stored. */
struct art {
  const char *id, *title, *body, *url, *lang, *tags, *owner, *status;
  int body_clean;           /* the body is cleaned text already */
};

static uint64_t content_hash(const struct maat_store_article *a)
{
  const char *parts[] = { a->title, a->body, a->url, a->lang, a->tags,
                          a->owner };
  uint64_t h = (uint64_t)a->status + 1;

  for (size_t k = 0; k < sizeof parts / sizeof *parts; k++)
    h = maat__hash64(parts[k] ? parts[k] : "", strlen(parts[k] ? parts[k]
                                                               : "") + 1, h);
  return h;
}

static int have_put(struct imp *im, const char *id, uint64_t hash)
{
  struct have *h = maat__map_get(&im->have, id);

  if (h) {
    h->hash = hash;
    return MAAT_OK;
  }
  if (im->nall == im->capall) {
    size_t cap = im->capall ? im->capall * 2 : 256;
    struct have **p = maat__realloc(im->all, cap * sizeof *p);
    if (!p)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    im->all = p;
    im->capall = cap;
  }
  h = maat__calloc(1, sizeof *h);
  if (!h || !(h->id = maat__strdup(id))) {
    maat__free(h);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  h->hash = hash;
  im->all[im->nall++] = h;
  return maat__map_put(&im->have, h->id, h);
}

static int take_have(void *ctx, const struct maat_store_article *a)
{
  return have_put(ctx, a->id, content_hash(a));
}

static void imp_release(struct imp *im)
{
  for (size_t i = 0; i < im->nall; i++) {
    maat__free(im->all[i]->id);
    maat__free(im->all[i]);
  }
  maat__free(im->all);
  maat__map_release(&im->have);
}

/* "nl", "en", or "" from what a file says ("nl-NL", "Dutch", "EN"). */
static const char *lang_code(const char *s)
{
  char c0, c1;

  if (!s || !s[0] || !s[1])
    return NULL;
  c0 = (char)(s[0] | 0x20);
  c1 = (char)(s[1] | 0x20);
  if ((c0 == 'n' && c1 == 'l') || !strcmp(s, "Dutch") ||
      !strcmp(s, "Nederlands"))
    return "nl";
  if ((c0 == 'e' && c1 == 'n') || !strcmp(s, "English"))
    return "en";
  return NULL;
}

static int status_of(const char *s, int *out)
{
  if (!s || !*s || !strcmp(s, "published") || !strcmp(s, "1"))
    *out = MAAT_ARTICLE_PUBLISHED;
  else if (!strcmp(s, "draft") || !strcmp(s, "0"))
    *out = MAAT_ARTICLE_DRAFT;
  else if (!strcmp(s, "removed") || !strcmp(s, "archived") ||
           !strcmp(s, "2"))
    *out = MAAT_ARTICLE_REMOVED;
  else
    return -1;
  return 0;
}

/* An id from a title or question: its words, lower case, joined by '-'. */
static void slug_id(const char *prefix, const char *text, char *out,
                    size_t cap)
{
  size_t n = (size_t)snprintf(out, cap, "%s", prefix);
  int dash = 0;

  for (const unsigned char *p = (const unsigned char *)text; *p && n + 2 < cap
       && n < 72; p++) {
    unsigned char c = *p;
    if (c >= 'A' && c <= 'Z')
      c = (unsigned char)(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (dash && n > strlen(prefix))
        out[n++] = '-';
      out[n++] = (char)c;
      dash = 0;
    } else {
      dash = 1;
    }
  }
  /* A short hash keeps two questions with the same words apart. */
  snprintf(out + n, cap - n, "-%08x",
           (unsigned)(maat__hash64(text, strlen(text), 0) & 0xffffffffu));
}

static int store_one(struct imp *im, const char *where, const struct art *in)
{
  struct maat_store_article a;
  struct maat_buf body = MAAT_BUF_INIT;
  struct have *h;
  char lang[8] = "";
  int rc = MAAT_OK, status;
  int64_t v;
  uint64_t hash;

  memset(&a, 0, sizeof a);
  if (!in->id || !maat__kb_id_valid(in->id))
    return maat__fail(MAAT_EPARSE, "%s: field 'id': expected 1-%d "
                      "characters without spaces%s%.60s%s", where,
                      MAAT__KB_ID_MAX, in->id ? " (got '" : "",
                      in->id ? in->id : "", in->id ? "')" : "");
  if (status_of(in->status, &status))
    return maat__fail(MAAT_EPARSE, "%s: field 'status': expected "
                      "published, draft or removed", where);
  if (!in->body)
    return maat__fail(MAAT_EPARSE, "%s: field 'body': missing (or "
                      "'answer')", where);
  if (strlen(in->body) > MAAT__KB_BODY_MAX)
    return maat__fail(MAAT_EPARSE, "%s: article '%s' is over %zu MiB of "
                      "text: split it", where, in->id,
                      MAAT__KB_BODY_MAX >> 20);
  if (in->body_clean)
    rc = maat__buf_append(&body, in->body, strlen(in->body) + 1);
  else
    rc = maat__kb_clean(&body, in->body, strlen(in->body));
  if (rc) {
    maat__buf_release(&body);
    return maat__fail_prefix(rc, "%s: field 'body'", where);
  }
  if (status != MAAT_ARTICLE_REMOVED && !body.data[0]) {
    maat__buf_release(&body);
    return maat__fail(MAAT_EPARSE, "%s: field 'body': empty", where);
  }
  {
    size_t bad;
    const char *checks[] = { in->title, in->url, in->tags, in->owner };
    for (int k = 0; k < 4; k++)
      if (checks[k] && maat_utf8_validate(checks[k], strlen(checks[k]),
                                          &bad)) {
        maat__buf_release(&body);
        return maat__fail(MAAT_EUTF8, "%s: invalid UTF-8", where);
      }
  }
  if (in->lang && *in->lang) {
    const char *c = lang_code(in->lang);
    if (!c) {
      maat__buf_release(&body);
      return maat__fail(MAAT_EPARSE, "%s: field 'lang': '%.20s' is not nl "
                        "or en", where, in->lang);
    }
    snprintf(lang, sizeof lang, "%s", c);
  } else {
    /* Not given: the text's own language, when it is clear. */
    double conf;
    maat_lang l = maat_lang_detect(body.data, body.len, &conf);
    if (l != MAAT_LANG_OTHER)
      snprintf(lang, sizeof lang, "%s", maat_lang_name(l));
  }
  a.id = in->id;
  a.t = im->t;
  a.status = status;
  a.title = in->title ? in->title : "";
  a.body = body.data;
  a.lang = lang;
  a.url = in->url ? in->url : "";
  a.tags = in->tags ? in->tags : "";
  a.owner = in->owner && *in->owner ? in->owner
                                    : (im->owner ? im->owner : "");
  hash = content_hash(&a);
  h = maat__map_get(&im->have, a.id);
  if (h && h->hash == hash) {
    im->stats->unchanged++;
  } else {
    rc = maat_store_article_put(im->st, &a, &v);
    if (!rc)
      rc = have_put(im, a.id, hash);
    if (!rc) {
      if (h)
        im->stats->updated++;
      else
        im->stats->added++;
      if (status == MAAT_ARTICLE_DRAFT)
        im->stats->drafts++;
    }
  }
  maat__buf_release(&body);
  return rc;
}

/* A JSON object's string field, the first of 'names' present. */
static const char *jstr(json_t *o, const char *const *names)
{
  for (; *names; names++) {
    json_t *v = json_object_get(o, *names);
    if (json_is_string(v))
      return json_string_value(v);
  }
  return NULL;
}

/* Tags as "a,b": a JSON array of strings or a string. */
static char *jtags(json_t *v)
{
  struct maat_buf b = MAAT_BUF_INIT;
  size_t i;
  json_t *e;

  if (json_is_string(v))
    return maat__strdup(json_string_value(v));
  if (!json_is_array(v))
    return maat__strdup("");
  json_array_foreach(v, i, e) if (json_is_string(e)) {
    if ((b.len && maat__buf_putc(&b, ',')) ||
        maat__buf_append(&b, json_string_value(e),
                         json_string_length(e))) {
      maat__buf_release(&b);
      return NULL;
    }
  }
  if (maat__buf_putc(&b, 0)) {
    maat__buf_release(&b);
    return NULL;
  }
  return b.data;
}

/* An article object: {"id", "title", "body"} or {"question", "answer"}. */
static int json_article(struct imp *im, const char *where, json_t *o,
                        const char *idprefix)
{
  static const char *const f_id[] = { "id", "slug", NULL };
  static const char *const f_title[] = { "title", "question", NULL };
  static const char *const f_body[] = { "body", "answer", "content", "text",
                                        NULL };
  static const char *const f_url[] = { "url", "link", NULL };
  static const char *const f_lang[] = { "lang", "language", "locale", NULL };
  static const char *const f_owner[] = { "owner", "author", NULL };
  static const char *const f_status[] = { "status", NULL };
  struct art a;
  char idbuf[MAAT__KB_ID_MAX + 1], num[32];
  char *tags;
  json_t *idv = json_object_get(o, "id");
  int rc;

  if (!json_is_object(o))
    return maat__fail(MAAT_EPARSE, "%s: expected a JSON object", where);
  memset(&a, 0, sizeof a);
  a.title = jstr(o, f_title);
  a.body = jstr(o, f_body);
  a.url = jstr(o, f_url);
  a.lang = jstr(o, f_lang);
  a.owner = jstr(o, f_owner);
  a.status = jstr(o, f_status);
  if (json_is_integer(json_object_get(o, "status"))) {
    snprintf(num, sizeof num, "%lld",
             (long long)json_integer_value(json_object_get(o, "status")));
    a.status = num;
  }
  if (json_is_integer(idv)) {
    snprintf(idbuf, sizeof idbuf, "%s%lld", idprefix,
             (long long)json_integer_value(idv));
    a.id = idbuf;
  } else if ((a.id = jstr(o, f_id)) && *idprefix) {
    snprintf(idbuf, sizeof idbuf, "%s%s", idprefix, a.id);
    a.id = idbuf;
  } else if (!a.id && a.title) {
    slug_id(idprefix[0] ? idprefix : "faq-", a.title, idbuf, sizeof idbuf);
    a.id = idbuf;
  } else if (!a.id) {
    return maat__fail(MAAT_EPARSE, "%s: field 'id': missing (and no "
                      "'title' or 'question' to make one from)", where);
  }
  if (json_object_get(o, "id") && !json_is_string(idv) &&
      !json_is_integer(idv))
    return maat__fail(MAAT_EPARSE, "%s: field 'id': expected a string",
                      where);
  if (json_object_get(o, "body") && !json_is_string(json_object_get(o,
                                                                    "body")))
    return maat__fail(MAAT_EPARSE, "%s: field 'body': expected a string",
                      where);
  tags = jtags(json_object_get(o, "tags") ? json_object_get(o, "tags")
                                          : json_object_get(
                                                json_object_get(o, "meta"),
                                                "tags"));
  if (!tags)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  a.tags = tags;
  rc = store_one(im, where, &a);
  maat__free(tags);
  return rc;
}

static int import_jsonl(struct imp *im, const char *path,
                        const struct maat_buf *b)
{
  size_t i = 0, line = 0;
  int rc = MAAT_OK;

  while (i < b->len && !rc) {
    size_t e = i;
    char where[1100];
    json_error_t err;
    json_t *o;
    while (e < b->len && b->data[e] != '\n')
      e++;
    line++;
    snprintf(where, sizeof where, "%s:%zu", path, line);
    {
      size_t k = i;
      while (k < e && (b->data[k] == ' ' || b->data[k] == '\t' ||
                       b->data[k] == '\r'))
        k++;
      if (k == e) {
        i = e + 1;
        continue;
      }
    }
    o = json_loadb(b->data + i, e - i, JSON_REJECT_DUPLICATES, &err);
    if (!o) {
      rc = maat__json_fail(&err);
      maat__fail_prefix(rc, "%s", where);
      break;
    }
    rc = json_article(im, where, o, "");
    json_decref(o);
    i = e + 1;
  }
  return rc;
}

static int import_csv(struct imp *im, const char *path)
{
  maat_reader_opts o = MAAT_READER_OPTS_INIT;
  maat_reader *r = NULL;
  maat_record rec;
  int rc;

  o.format = MAAT_FORMAT_CSV;
  o.text_field = "body";
  o.label_field = "body";
  if (maat_reader_open(path, &o, &r)) {
    o.text_field = "answer";
    o.label_field = "answer";
    if ((rc = maat_reader_open(path, &o, &r)))
      return maat__fail_prefix(rc, "%s: a CSV file of articles needs a "
                               "'body' or an 'answer' column", path);
  }
  while ((rc = maat_reader_next(r, &rec)) == MAAT_OK) {
    struct art a;
    char where[1100], idbuf[MAAT__KB_ID_MAX + 1];
    memset(&a, 0, sizeof a);
    snprintf(where, sizeof where, "%s:%zu", path, rec.line);
    a.body = rec.text;
    a.id = maat_reader_field(r, "id");
    a.title = maat_reader_field(r, "title");
    if (!a.title)
      a.title = maat_reader_field(r, "question");
    a.url = maat_reader_field(r, "url");
    a.lang = maat_reader_field(r, "lang");
    a.tags = maat_reader_field(r, "tags");
    a.owner = maat_reader_field(r, "owner");
    a.status = maat_reader_field(r, "status");
    if ((!a.id || !*a.id) && a.title && *a.title) {
      slug_id("faq-", a.title, idbuf, sizeof idbuf);
      a.id = idbuf;
    }
    if ((rc = store_one(im, where, &a)))
      break;
  }
  maat_reader_close(r);
  return rc == MAAT_EOF ? MAAT_OK : rc;
}

/* An id from a file's path under the folder given: "billing/invoice". */
static void path_id(const char *base, const char *path, char *out,
                    size_t cap)
{
  const char *rel = path, *dot;
  size_t n;

  if (base && !strncmp(path, base, strlen(base)) && path[strlen(base)] == '/')
    rel = path + strlen(base) + 1;
  else if (strrchr(path, '/'))
    rel = strrchr(path, '/') + 1;
  dot = strrchr(rel, '.');
  n = dot && dot > rel ? (size_t)(dot - rel) : strlen(rel);
  if (n >= cap)
    n = cap - 1;
  memcpy(out, rel, n);
  out[n] = 0;
  for (char *p = out; *p; p++)
    if ((unsigned char)*p <= ' ')
      *p = '-';
}

static int import_markdown(struct imp *im, const char *base, const char *path,
                           const struct maat_buf *b)
{
  struct maat__kb_front f = { 0 };
  struct maat_buf text = MAAT_BUF_INIT;
  char idbuf[MAAT__KB_ID_MAX + 1];
  struct art a;
  int rc = maat__kb_markdown_text(b->data ? b->data : "", b->len, &text, &f);

  if (rc) {
    maat__kb_front_release(&f);
    maat__buf_release(&text);
    return maat__fail_prefix(rc, "%s", path);
  }
  memset(&a, 0, sizeof a);
  path_id(base, path, idbuf, sizeof idbuf);
  a.id = f.id ? f.id : idbuf;
  a.title = f.title;
  a.body = text.data ? text.data : "";
  a.body_clean = 1;
  a.url = f.url;
  a.lang = f.lang;
  a.tags = f.tags;
  a.owner = f.owner;
  a.status = f.status;
  rc = store_one(im, path, &a);
  maat__kb_front_release(&f);
  maat__buf_release(&text);
  return rc;
}

static int import_html(struct imp *im, const char *base, const char *path,
                       const struct maat_buf *b)
{
  struct maat_buf text = MAAT_BUF_INIT;
  char idbuf[MAAT__KB_ID_MAX + 1], *title = NULL;
  struct art a;
  int rc = maat__kb_html_text(b->data ? b->data : "", b->len, &text, &title);

  if (rc) {
    maat__buf_release(&text);
    return maat__fail_prefix(rc, "%s", path);
  }
  memset(&a, 0, sizeof a);
  path_id(base, path, idbuf, sizeof idbuf);
  a.id = idbuf;
  a.title = title;
  a.body = text.data ? text.data : "";
  a.body_clean = 1;
  rc = store_one(im, path, &a);
  maat__free(title);
  maat__buf_release(&text);
  return rc;
}

/* A Chatwoot article: its Markdown content made text first. */
static int chatwoot_article(struct imp *im, const char *where, json_t *o)
{
  json_t *c = json_object_get(o, "content"), *copy;
  struct maat__kb_front f = { 0 };
  struct maat_buf text = MAAT_BUF_INIT;
  int rc;

  if (!json_is_object(o) || !json_is_string(c))
    return maat__fail(MAAT_EPARSE, "%s: a Chatwoot article needs "
                      "'content'", where);
  rc = maat__kb_markdown_text(json_string_value(c), json_string_length(c),
                              &text, &f);
  maat__kb_front_release(&f);
  if (rc) {
    maat__buf_release(&text);
    return maat__fail_prefix(rc, "%s", where);
  }
  copy = json_copy(o);
  if (!copy || json_object_set_new(copy, "content",
                                   json_string(text.data ? text.data : ""))) {
    json_decref(copy);
    maat__buf_release(&text);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  rc = json_article(im, where, copy, "chatwoot-");
  json_decref(copy);
  maat__buf_release(&text);
  return rc;
}

/* A Zammad answer's "assets": each translation, its HTML content as text. */
static int zammad_assets(struct imp *im, const char *where, json_t *assets)
{
  json_t *tr = json_object_get(assets, "KnowledgeBaseAnswerTranslation");
  json_t *ct = json_object_get(assets,
                               "KnowledgeBaseAnswerTranslationContent");
  json_t *an = json_object_get(assets, "KnowledgeBaseAnswer");
  const char *key;
  json_t *t;
  int rc = MAAT_OK;

  if (!json_is_object(tr))
    return maat__fail(MAAT_EPARSE, "%s: a Zammad export needs "
                      "assets.KnowledgeBaseAnswerTranslation", where);
  json_object_foreach(tr, key, t) {
    char cid[32], aid[32], idbuf[MAAT__KB_ID_MAX + 1], *title = NULL;
    json_t *content, *answer;
    struct maat_buf text = MAAT_BUF_INIT;
    struct art a;
    snprintf(cid, sizeof cid, "%lld",
             (long long)json_integer_value(json_object_get(t, "content_id")));
    snprintf(aid, sizeof aid, "%lld",
             (long long)json_integer_value(json_object_get(t, "answer_id")));
    content = json_object_get(json_object_get(ct, cid), "body");
    if (!json_is_string(content)) {
      rc = maat__fail(MAAT_EPARSE, "%s: Zammad translation %s: no content "
                      "%s in assets.KnowledgeBaseAnswerTranslationContent",
                      where, key, cid);
      break;
    }
    rc = maat__kb_html_text(json_string_value(content),
                            json_string_length(content), &text, &title);
    maat__free(title);
    if (rc) {
      maat__buf_release(&text);
      maat__fail_prefix(rc, "%s: Zammad translation %s", where, key);
      break;
    }
    answer = json_object_get(an, aid);
    memset(&a, 0, sizeof a);
    snprintf(idbuf, sizeof idbuf, "zammad-%s-%s", aid, key);
    a.id = idbuf;
    a.title = jstr(t, (const char *const[]){ "title", NULL });
    a.body = text.data ? text.data : "";
    a.body_clean = 1;
    /* Archived: removed; published: answers; internal or new: a draft. */
    if (json_is_string(json_object_get(answer, "archived_at")))
      a.status = "removed";
    else if (json_is_string(json_object_get(answer, "published_at")))
      a.status = "published";
    else
      a.status = "draft";
    rc = store_one(im, where, &a);
    maat__buf_release(&text);
    if (rc)
      break;
  }
  return rc;
}

static int import_json(struct imp *im, const char *path,
                       const struct maat_buf *b)
{
  json_error_t err;
  json_t *root = json_loadb(b->data ? b->data : "", b->len, 0, &err), *v;
  size_t i;
  int rc = MAAT_OK;

  if (!root) {
    rc = maat__json_fail(&err);
    return maat__fail_prefix(rc, "%s:%d", path, err.line);
  }
  if (json_is_object(root) && json_is_array(v = json_object_get(root,
                                                               "payload"))) {
    json_t *e;
    json_array_foreach(v, i, e) {
      char where[1100];
      snprintf(where, sizeof where, "%s: payload[%zu]", path, i);
      if ((rc = chatwoot_article(im, where, e)))
        break;
    }
  } else if (json_is_object(root) && json_object_get(root, "assets")) {
    rc = zammad_assets(im, path, json_object_get(root, "assets"));
  } else if (json_is_array(root)) {
    json_t *e;
    json_array_foreach(root, i, e) {
      char where[1100];
      snprintf(where, sizeof where, "%s: [%zu]", path, i);
      if (json_is_object(e) && json_object_get(e, "assets"))
        rc = zammad_assets(im, where, json_object_get(e, "assets"));
      else
        rc = json_article(im, where, e, "");
      if (rc)
        break;
    }
  } else if (json_is_object(root)) {
    rc = json_article(im, path, root, "");
  } else {
    rc = maat__fail(MAAT_EPARSE, "%s: expected articles: an object, an "
                    "array, Chatwoot's {\"payload\": [...]} or Zammad's "
                    "{\"assets\": {...}}", path);
  }
  json_decref(root);
  return rc;
}

static const char *ext_of(const char *path)
{
  const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');

  return dot && (!slash || dot > slash) ? dot + 1 : "";
}

static int known_ext(const char *e)
{
  static const char *const exts[] = { "jsonl", "ndjson", "json", "csv", "md",
                                      "markdown", "html", "htm", NULL };
  for (int k = 0; exts[k]; k++)
    if (!strcmp(e, exts[k]))
      return 1;
  return 0;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int import_path(struct imp *im, const char *base, const char *path,
                       int depth, void (*progress)(void *, const char *, long),
                       void *ctx);

static int import_dir(struct imp *im, const char *base, const char *path,
                      int depth, void (*progress)(void *, const char *, long),
                      void *ctx)
{
  DIR *d = opendir(path);
  struct dirent *de;
  char **names = NULL;
  size_t n = 0, cap = 0;
  int rc = MAAT_OK;

  if (!d)
    return maat__fail(MAAT_EIO, "%s: cannot open the folder", path);
  while ((de = readdir(d))) {
    char *full;
    size_t len;
    if (de->d_name[0] == '.')
      continue;           /* ".", "..", hidden files */
    len = strlen(path) + strlen(de->d_name) + 2;
    if (!(full = maat__malloc(len))) {
      rc = maat__fail(MAAT_ENOMEM, "out of memory");
      break;
    }
    snprintf(full, len, "%s/%s", path, de->d_name);
    if (n == cap) {
      char **p;
      cap = cap ? cap * 2 : 32;
      if (!(p = maat__realloc(names, cap * sizeof *p))) {
        maat__free(full);
        rc = maat__fail(MAAT_ENOMEM, "out of memory");
        break;
      }
      names = p;
    }
    names[n++] = full;
  }
  closedir(d);
  /* In name order: the same folder imports the same way every time. */
  if (!rc && n)
    qsort(names, n, sizeof *names, cmp_str);
  for (size_t i = 0; i < n; i++) {
    struct stat sb;
    if (!rc && !stat(names[i], &sb) &&
        (S_ISDIR(sb.st_mode) || known_ext(ext_of(names[i]))))
      rc = import_path(im, base, names[i], depth + 1, progress, ctx);
    maat__free(names[i]);
  }
  maat__free(names);
  return rc;
}

static int import_path(struct imp *im, const char *base, const char *path,
                       int depth, void (*progress)(void *, const char *, long),
                       void *ctx)
{
  struct maat_buf b = MAAT_BUF_INIT;
  struct stat sb;
  const char *e = ext_of(path);
  long before = im->stats->added + im->stats->updated + im->stats->unchanged;
  int rc;

  if (stat(path, &sb))
    return maat__fail(MAAT_EIO, "%s: no such file or folder", path);
  if (S_ISDIR(sb.st_mode)) {
    if (depth > 32)
      return maat__fail(MAAT_EPARSE, "%s: folders nested too deep", path);
    return import_dir(im, depth ? base : path, path, depth, progress, ctx);
  }
  if (!known_ext(e))
    return maat__fail(MAAT_EPARSE, "%s: unknown kind of file (expected "
                      ".jsonl, .csv, .json, .md or .html)", path);
  im->stats->files++;
  if (!strcmp(e, "csv")) {
    rc = import_csv(im, path);
  } else {
    if ((rc = maat__read_file(path, FILE_MAX, &b)))
      return rc;
    if (!strcmp(e, "jsonl") || !strcmp(e, "ndjson"))
      rc = import_jsonl(im, path, &b);
    else if (!strcmp(e, "json"))
      rc = import_json(im, path, &b);
    else if (!strcmp(e, "md") || !strcmp(e, "markdown"))
      rc = import_markdown(im, base, path, &b);
    else
      rc = import_html(im, base, path, &b);
    maat__buf_release(&b);
  }
  if (!rc && progress)
    progress(ctx, path, im->stats->added + im->stats->updated +
                            im->stats->unchanged - before);
  return rc;
}

int maat_kb_import(maat_store *st, const char *const *paths, int npaths,
                   const char *owner, double t,
                   void (*progress)(void *, const char *, long), void *ctx,
                   struct maat_kb_import_stats *stats)
{
  struct imp im;
  struct maat_kb_import_stats dummy;
  int rc;

  if (!st || !paths || npaths < 1)
    return maat__fail(MAAT_EINVAL, "maat_kb_import: invalid argument");
  memset(&im, 0, sizeof im);
  im.st = st;
  im.owner = owner;
  im.t = t;
  im.stats = stats ? stats : &dummy;
  memset(im.stats, 0, sizeof *im.stats);
  if ((rc = maat_store_articles(st, NULL, take_have, &im))) {
    imp_release(&im);
    return rc;
  }
  if ((rc = maat_store_begin(st))) {
    imp_release(&im);
    return rc;
  }
  for (int k = 0; k < npaths && !rc; k++)
    rc = import_path(&im, NULL, paths[k], 0, progress, ctx);
  if (!rc && (im.stats->added || im.stats->updated))
    rc = maat_kb_touch(st, t);
  if (rc) {
    /* Nothing of a failed import is kept. */
    int keep = rc;
    maat_store_rollback(st);
    imp_release(&im);
    memset(im.stats, 0, sizeof *im.stats);
    return keep;
  }
  rc = maat_store_commit(st);
  imp_release(&im);
  return rc;
}

int maat_kb_put(maat_store *st, const struct maat_store_article *a,
                int64_t *version)
{
  struct maat_buf body = MAAT_BUF_INIT;
  struct maat_store_article c;
  int rc;

  if (!st || !a || !a->id || !a->body)
    return maat__fail(MAAT_EINVAL, "maat_kb_put: invalid argument");
  if (!maat__kb_id_valid(a->id))
    return maat__fail(MAAT_EINVAL, "article id '%.60s': expected 1-%d "
                      "characters without spaces", a->id, MAAT__KB_ID_MAX);
  if ((rc = maat__kb_clean(&body, a->body, strlen(a->body))))
    return rc;
  c = *a;
  c.body = body.data ? body.data : "";
  rc = maat_store_article_put(st, &c, version);
  if (!rc)
    rc = maat_kb_touch(st, a->t);
  maat__buf_release(&body);
  return rc;
}

int maat_kb_touch(maat_store *st, double t)
{
  char v[48];

  snprintf(v, sizeof v, "%.6f", t);
  return maat_store_meta_set(st, "kb.changed", v);
}

static int take_copy(void *ctx, const struct maat_store_article *a)
{
  struct maat_store_article *o = ctx;

  maat_kb_article_release(o);
  *o = *a;
  o->id = maat__strdup(a->id);
  o->title = maat__strdup(a->title);
  o->body = maat__strdup(a->body);
  o->lang = maat__strdup(a->lang);
  o->url = maat__strdup(a->url);
  o->tags = maat__strdup(a->tags);
  o->owner = maat__strdup(a->owner);
  if (!o->id || !o->title || !o->body || !o->lang || !o->url || !o->tags ||
      !o->owner)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  return 0;
}

int maat_kb_article_get(maat_store *st, const char *id,
                        struct maat_store_article *out)
{
  int rc;

  if (!st || !id || !out)
    return maat__fail(MAAT_EINVAL, "maat_kb_article_get: invalid argument");
  memset(out, 0, sizeof *out);
  rc = maat_store_articles(st, id, take_copy, out);
  if (rc)
    maat_kb_article_release(out);
  if (rc == MAAT_ENOTFOUND)
    return maat__fail(MAAT_ENOTFOUND, "no article '%.60s'", id);
  return rc;
}

void maat_kb_article_release(struct maat_store_article *a)
{
  if (!a)
    return;
  maat__free((void *)a->id);
  maat__free((void *)a->title);
  maat__free((void *)a->body);
  maat__free((void *)a->lang);
  maat__free((void *)a->url);
  maat__free((void *)a->tags);
  maat__free((void *)a->owner);
  memset(a, 0, sizeof *a);
}

int maat_kb_learn(maat_store *st, const char *article, const char *question,
                  double t)
{
  char *clean = NULL;
  int rc;

  if (!st || !article || !question)
    return maat__fail(MAAT_EINVAL, "maat_kb_learn: invalid argument");
  if ((rc = maat_pii_redact(question, strlen(question), &clean, NULL)))
    return rc;
  rc = maat_store_kb_link_add(st, article, clean, t);
  maat__free(clean);
  return rc;
}

/* The history learnt from what happened changed (meta "kb.learnt"): a
 * running server takes it at its next slow reload, not at once. */
static int mark_learnt(maat_store *st, double t)
{
  char v[48];

  snprintf(v, sizeof v, "%.6f", t);
  return maat_store_meta_set(st, "kb.learnt", v);
}

int maat_kb_learn_contact(maat_store *st, const char *contact,
                          const char *article, double t)
{
  char *text = NULL, *lang = NULL;
  int rc;

  if (!st || !contact || !article || !*article)
    return maat__fail(MAAT_EINVAL, "maat_kb_learn_contact: invalid argument");
  if ((rc = maat_store_message_get(st, contact, &text, &lang)))
    return rc;
  rc = text && *text ? maat_kb_learn(st, article, text, t)
                     : maat__fail(MAAT_ENOTFOUND, "no words kept for "
                                  "contact '%.60s'", contact);
  maat__free(text);
  maat__free(lang);
  if (!rc)
    rc = mark_learnt(st, t);
  return rc;
}

struct find_correction {
  int64_t id;
  char article[130];
  char *text;
};

static int take_correction(void *ctx, const struct maat_store_correction *c)
{
  struct find_correction *f = ctx;

  if (c->id != f->id)
    return 0;
  if (!strcmp(c->field, "answer") && !strcmp(c->value, "right") &&
      c->was[0] && strlen(c->was) < sizeof f->article && c->text[0]) {
    snprintf(f->article, sizeof f->article, "%s", c->was);
    f->text = maat__strdup(c->text);
    if (!f->text)
      return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  return 1;   /* found: stop */
}

int maat_kb_learn_correction(maat_store *st, int64_t id, double t,
                             int *learnt)
{
  struct find_correction f;
  int rc;

  if (learnt)
    *learnt = 0;
  if (!st || id <= 0)
    return maat__fail(MAAT_EINVAL, "maat_kb_learn_correction: invalid "
                      "argument");
  memset(&f, 0, sizeof f);
  f.id = id;
  rc = maat_store_corrections(st, MAAT_CORRECTION_APPROVED, take_correction,
                              &f);
  if (rc < 0 || !f.text) {
    maat__free(f.text);
    return rc < 0 ? rc : MAAT_OK;
  }
  rc = maat_kb_learn(st, f.article, f.text, t);
  maat__free(f.text);
  if (!rc)
    rc = mark_learnt(st, t);
  if (!rc && learnt)
    *learnt = 1;
  return rc;
}

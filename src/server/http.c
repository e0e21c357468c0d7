/*
 * http.c - the server's responses: JSON bodies, errors that name the
 * field, and the library's errors mapped to HTTP statuses.
 */
#include "server-int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum MHD_Result maat__send_buf(struct call *c, int status, const char *buf,
                               size_t len, const char *type)
{
  struct MHD_Response *r;
  enum MHD_Result ret;

  c->status = status;
  if (!c->conn) {
    /* A request a follower took: the answer goes back through the store
     * (always JSON: the routes a follower hands on answer in JSON). */
    maat_free(c->answer);
    c->answer = maat_malloc(len + 1);
    if (!c->answer)
      return MHD_NO;
    memcpy(c->answer, buf, len);
    c->answer[len] = '\0';
    return MHD_YES;
  }
  /* libmicrohttpd keeps its own copy: the caller frees 'buf' as it was
   * allocated (jansson's, or the library's allocator). */
  r = MHD_create_response_from_buffer(len, (void *)buf,
                                      MHD_RESPMEM_MUST_COPY);
  if (!r)
    return MHD_NO;
  MHD_add_response_header(r, "Content-Type", type);
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  ret = MHD_queue_response(c->conn, (unsigned)status, r);
  MHD_destroy_response(r);
  return ret;
}

const char *maat__arg(struct call *c, const char *name)
{
  if (c->conn)
    return MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, name);
  return json_string_value(json_object_get(json_object_get(c->fwd, "q"),
                                           name));
}

const char *maat__header(struct call *c, const char *name)
{
  char low[64];
  size_t i;

  if (c->conn)
    return MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, name);
  /* Kept with lower-case names: header names are case-insensitive. */
  for (i = 0; name[i] && i + 1 < sizeof low; i++)
    low[i] = (char)tolower((unsigned char)name[i]);
  low[i] = '\0';
  return json_string_value(json_object_get(json_object_get(c->fwd, "h"),
                                           low));
}

enum MHD_Result maat__send_json(struct call *c, int status, json_t *body)
{
  char *s = body ? json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(15))
                 : NULL;
  enum MHD_Result ret;
  size_t n;
  char *t;

  json_decref(body);
  if (!s)
    return MHD_NO;
  n = strlen(s);
  /* A trailing newline, for people reading it with curl. */
  t = maat_malloc(n + 2);
  if (t) {
    memcpy(t, s, n);
    t[n] = '\n';
    t[n + 1] = '\0';
  }
  free(s);
  if (!t)
    return MHD_NO;
  ret = maat__send_buf(c, status, t, n + 1, "application/json");
  maat_free(t);
  return ret;
}

enum MHD_Result maat__fail_call(struct call *c, int status, const char *msg,
                                const char *field)
{
  json_t *o = json_object();

  json_object_set_new(o, "error", json_string(msg));
  json_object_set_new(o, "field", field ? json_string(field) : json_null());
  return maat__send_json(c, status, o);
}

enum MHD_Result maat__library_error(struct call *c, int rc)
{
  const char *f = maat_errfield();
  int status = rc == MAAT_ENOMEM || rc == MAAT_EDB || rc == MAAT_EIO ? 500
             : rc == MAAT_EBUSY ? 503
             : rc == MAAT_ESTATE ? 409 : rc == MAAT_ENOTFOUND ? 404 : 400;

  return maat__fail_call(c, status, maat_errmsg(), *f ? f : NULL);
}

json_t *maat__parse_body(struct call *c, enum MHD_Result *ret)
{
  json_error_t err;
  json_t *o;
  char msg[200];

  o = json_loadb(c->body ? c->body : "", c->len, JSON_REJECT_DUPLICATES,
                 &err);
  /* jansson says nothing when it could not allocate its lexer. */
  if (!o && (json_error_code(&err) == json_error_out_of_memory ||
             !err.text[0])) {
    *ret = maat__fail_call(c, 500, "out of memory", NULL);
    return NULL;
  }
  if (!o) {
    snprintf(msg, sizeof msg, "body: not JSON (%s at line %d)", err.text,
             err.line);
    *ret = maat__fail_call(c, 400, msg, NULL);
    return NULL;
  }
  if (!json_is_object(o)) {
    json_decref(o);
    *ret = maat__fail_call(c, 400, "body: expected a JSON object", NULL);
    return NULL;
  }
  return o;
}

void maat__call_lang(struct call *c)
{
  const char *q = maat__arg(c, "lang");
  const char *h = maat__header(c, "Accept-Language");

  memcpy(c->lang, "en", 3);
  if (q) {
    if (!strncmp(q, "nl", 2))
      memcpy(c->lang, "nl", 3);
    return;
  }
  /* The first language in the header that maat speaks (q-values aside:
   * browsers list them in order). */
  for (const char *p = h; p && *p;) {
    while (*p == ' ' || *p == ',')
      p++;
    if (!strncasecmp(p, "nl", 2) && (p[2] == 0 || strchr(",;-_ ", p[2]))) {
      memcpy(c->lang, "nl", 3);
      return;
    }
    if (!strncasecmp(p, "en", 2) && (p[2] == 0 || strchr(",;-_ ", p[2])))
      return;
    p = strchr(p, ',');
  }
}

json_t *maat__msg_json(struct call *c, const char *text)
{
  char buf[1024];

  maat_msg_render(text ? text : "", c->lang, buf, sizeof buf);
  return json_string(buf);
}

static json_t *msg_code(const char *text)
{
  char params[768];
  const char *code = maat_msg_parse(text, params, sizeof params);
  json_t *e = json_object(), *p = json_loads(params, 0, NULL);

  json_object_set_new(e, "code", code ? json_string(code) : json_null());
  json_object_set_new(e, "params", p ? p : json_object());
  return e;
}

json_t *maat__msg_codes(const char *text, int joined)
{
  json_t *list = json_array();
  char part[1024];
  char params[16];

  if (!text || !*text)
    return list;
  /* Whole first: a tone reason has "; " inside. */
  if (!joined || maat_msg_parse(text, params, sizeof params)) {
    json_array_append_new(list, msg_code(text));
    return list;
  }
  for (const char *p = text;;) {
    size_t m = maat_msg_first(p);
    snprintf(part, sizeof part, "%.*s", (int)m, p);
    json_array_append_new(list, msg_code(part));
    if (!p[m])
      break;
    p += m + 2;
  }
  return list;
}

/*
 * A decision's reasons as the caller may read them. A fallback reason
 * next to the agent's name says her recovery window was cut short or she
 * was over the overload line: that is hers. Anyone else (lead, admin, the
 * helpdesk) reads that a wellbeing rule gave way, not which.
 */
void maat__reasons_for(struct call *c, const char *reasons, const char *to,
                       char *out, size_t cap)
{
  static const char *const private_codes[] = {
    "route.relaxed_cap", "route.rescued", "route.over_line",
    "route.recovery_cut"
  };
  const char *p = reasons;
  size_t used = 0;
  int hidden = 0;

  out[0] = '\0';
  if (c->who.role == MAAT_ROLE_AGENT && to && !strcmp(c->who.agent, to)) {
    snprintf(out, cap, "%s", reasons);
    return;
  }
  while (*p && used + 1 < cap) {
    size_t n = maat_msg_first(p);
    char one[512], params[16];
    const char *code;
    int keep = 1;
    snprintf(one, sizeof one, "%.*s", (int)n, p);
    code = maat_msg_parse(one, params, sizeof params);
    for (size_t k = 0; code && k < sizeof private_codes / sizeof *private_codes;
         k++)
      keep &= strcmp(code, private_codes[k]) != 0;
    if (!keep && hidden++)
      one[0] = '\0';
    else if (!keep)
      snprintf(one, sizeof one, "overload: a wellbeing rule gave way for this "
               "contact (which one, and the agent's figures, stay private)");
    if (one[0])
      used += (size_t)snprintf(out + used, cap - used, "%s%s",
                               used ? "; " : "", one);
    if (!p[n])
      break;
    p += n + 2;
  }
}

json_t *maat__warnings_json(struct call *c, const struct maat_warning_view *w,
                            int n)
{
  json_t *list = json_array();

  for (int k = 0; k < n; k++) {
    json_t *e = json_object(), *codes = maat__msg_codes(w[k].message, 0);
    json_t *first = json_array_get(codes, 0);
    json_object_set_new(e, "t", json_real(w[k].t));
    json_object_set_new(e, "kind", json_string(w[k].kind));
    json_object_set(e, "code", json_object_get(first, "code"));
    json_object_set(e, "params", json_object_get(first, "params"));
    json_object_set_new(e, "message", maat__msg_json(c, w[k].message));
    json_decref(codes);
    json_array_append_new(list, e);
  }
  return list;
}

int maat__jset(json_t *o, const char *key, json_t *v)
{
  if (!o || !v) {
    json_decref(v);
    return -1;
  }
  return json_object_set_new(o, key, v);
}

double maat__now_t(struct maat_server *s)
{
  double t;

  pthread_mutex_lock(&s->clock_mu);
  t = s->epoch_t + (maat_wall_now() - s->epoch_wall) * s->speed;
  t = floor(t * 1000) / 1000;
  if (t < s->last_t)
    t = s->last_t;
  s->last_t = t;
  pthread_mutex_unlock(&s->clock_mu);
  return t;
}

void maat__call_extra(struct call *c, int status, struct maat_apply_extra *x)
{
  memset(x, 0, sizeof *x);
  x->who = &c->who;
  x->method = c->method;
  /* An audit row keeps a bounded path: a URL is the caller's to choose. */
  snprintf(c->path, sizeof c->path, "%s", c->url);
  x->path = c->path;
  x->status = status;
  x->detail = c->detail[0] ? c->detail : NULL;
  x->now = maat__now_t(c->s);
  /* A request a follower took: marked as applied in the same commit, so
   * a leader that takes over never runs it twice. */
  if (c->inbox_id) {
    x->meta_key = c->inbox_key;
    x->meta_value = "applied";
  }
  c->audited = 1;
}

double maat__wall_to_t(struct maat_server *s, double wall)
{
  double t;

  pthread_mutex_lock(&s->clock_mu);
  t = s->epoch_t + (wall - s->epoch_wall) * s->speed;
  pthread_mutex_unlock(&s->clock_mu);
  return t;
}

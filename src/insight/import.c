/*
 * import.c - a helpdesk's history as facts (maat/insight.h): a CSV in the
 * helpdesk's export layout, read with a mapping (JSON) that names the
 * column of each field; every good row kept, every bad one named by file,
 * line and column. docs/insight.md describes the mapping; docs/insight/
 * holds mappings for Chatwoot, Zammad and Zendesk exports.
 */
#include "insight-int.h"
#include "json-int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { F_ID, F_CUSTOMER, F_CREATED, F_TAKEN, F_CLOSED, F_CHANNEL, F_LANG,
       F_INTENT, F_HANDLER, F_TIER, F_TRANSFERS, F_OUTCOME, F_HANDED_BACK,
       F_CSAT, F_NPS, F_HANDLE_S, NFIELDS };

static const char *const field_names[NFIELDS] = {
  "id", "customer", "created_at", "taken_at", "closed_at", "channel", "lang",
  "intent", "handler", "tier", "transfers", "outcome", "handed_back", "csat",
  "nps", "handle_s"
};

struct mapping {
  json_t *root;
  const char *col[NFIELDS];    /* NULL: not in the file */
  json_t *bot, *handed_back, *resolved, *unresolved;
  int unix_time;               /* times as Unix seconds, else ISO 8601 */
  int csat_scale;              /* 5 (default) or 10: mapped to 1..5 */
  json_t *csat_values;         /* words for ratings: {"good": 5, ...} */
  long transfers_offset;       /* added to the column (stations - 1) */
};

static int load_mapping(const char *path, struct mapping *m)
{
  json_error_t err;
  json_t *cols, *tf, *sc;

  memset(m, 0, sizeof *m);
  if (!(m->root = json_load_file(path, JSON_REJECT_DUPLICATES, &err)))
    return maat__fail(MAAT_EPARSE, "%s:%d: %s", path, err.line, err.text);
  cols = json_object_get(m->root, "columns");
  if (!json_is_object(cols))
    return maat__fail(MAAT_EPARSE, "%s: field 'columns': expected an object "
                      "naming the CSV column of each field", path);
  {
    const char *k;
    json_t *v;
    json_object_foreach(cols, k, v) {
      int f;
      for (f = 0; f < NFIELDS && strcmp(k, field_names[f]); f++)
        ;
      if (f == NFIELDS)
        return maat__fail(MAAT_EPARSE, "%s: columns: unknown field '%s' "
                          "(docs/insight.md lists them)", path, k);
      if (!json_is_string(v) || !json_string_length(v))
        return maat__fail(MAAT_EPARSE, "%s: columns: field '%s': expected "
                          "a column name", path, k);
      m->col[f] = json_string_value(v);
    }
  }
  if (!m->col[F_ID] || !m->col[F_CLOSED])
    return maat__fail(MAAT_EPARSE, "%s: columns: '%s' is needed", path,
                      !m->col[F_ID] ? "id" : "closed_at");
  m->bot = json_object_get(m->root, "bot_values");
  m->handed_back = json_object_get(m->root, "handed_back_values");
  m->resolved = json_object_get(m->root, "resolved_values");
  m->unresolved = json_object_get(m->root, "unresolved_values");
  tf = json_object_get(m->root, "time_format");
  if (tf && (!json_is_string(tf) || (strcmp(json_string_value(tf), "iso8601")
                                     && strcmp(json_string_value(tf),
                                               "unix"))))
    return maat__fail(MAAT_EPARSE, "%s: field 'time_format': expected "
                      "\"iso8601\" or \"unix\"", path);
  m->unix_time = tf && !strcmp(json_string_value(tf), "unix");
  m->csat_values = json_object_get(m->root, "csat_values");
  if (m->csat_values && !json_is_object(m->csat_values))
    return maat__fail(MAAT_EPARSE, "%s: field 'csat_values': expected an "
                      "object of words and ratings 1 to 5", path);
  {
    json_t *to = json_object_get(m->root, "transfers_offset");
    if (to && !json_is_integer(to))
      return maat__fail(MAAT_EPARSE, "%s: field 'transfers_offset': "
                        "expected a whole number", path);
    m->transfers_offset = to ? (long)json_integer_value(to) : 0;
  }
  sc = json_object_get(m->root, "csat_scale");
  m->csat_scale = json_is_integer(sc) ? (int)json_integer_value(sc) : 5;
  if (m->csat_scale != 5 && m->csat_scale != 10)
    return maat__fail(MAAT_EPARSE, "%s: field 'csat_scale': expected 5 or "
                      "10", path);
  return MAAT_OK;
}

/* Whether 'v' is one of the strings of 'list' (case-insensitive). */
static int one_of(json_t *list, const char *v)
{
  size_t i;
  json_t *e;

  json_array_foreach(list, i, e)
    if (json_is_string(e) && !strcasecmp(json_string_value(e), v))
      return 1;
  return 0;
}

/* "2026-03-01T10:00:00Z", "2026-03-01 10:00:00+01:00", "2026-03-01
 * 10:00" (UTC when no offset is given). */
static int iso_time(const char *s, double *out)
{
  struct tm tm;
  int y, mo, d, h = 0, mi = 0, n = 0, sign = 1, oh = 0, om = 0;
  double sec = 0;
  const char *p;

  memset(&tm, 0, sizeof tm);
  if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
    return -1;
  p = s + n;
  if (*p == 'T' || *p == ' ') {
    int k = 0;
    p++;
    if (sscanf(p, "%2d:%2d%n", &h, &mi, &k) != 2)
      return -1;
    p += k;
    if (*p == ':') {
      char *e;
      sec = strtod(p + 1, &e);
      p = e;
    }
  }
  while (*p == ' ')
    p++;
  if (*p == 'Z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int k = 0;
    sign = *p == '-' ? -1 : 1;
    if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) != 2 &&
        sscanf(p + 1, "%2d%2d%n", &oh, &om, &k) != 2)
      return -1;
    p += 1 + k;
  } else if (!strncmp(p, "UTC", 3)) {
    p += 3;
  }
  if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
      sec < 0 || sec >= 61)
    return -1;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  *out = (double)timegm(&tm) + sec - sign * (oh * 3600.0 + om * 60.0);
  return 0;
}

static int a_time(const struct mapping *m, const char *s, double *out)
{
  char *e;

  if (m->unix_time) {
    *out = strtod(s, &e);
    return e == s || *e || !isfinite(*out) ? -1 : 0;
  }
  return iso_time(s, out);
}

static int an_int(const char *s, long lo, long hi, long *out)
{
  char *e;
  double v = strtod(s, &e);

  if (e == s || *e || !isfinite(v) || v != floor(v) || v < lo || v > hi)
    return -1;
  *out = (long)v;
  return 0;
}

/* One row as a fact's JSON; NULL with 'why' and 'col' set when bad. */
static json_t *row_fact(const struct mapping *m, maat_reader *r,
                        const char *source, double *at, const char **col,
                        char *why, size_t cap)
{
  const char *v[NFIELDS];
  double created = -1, taken = -1, closed;
  long n;
  json_t *o;
  int by_bot = 0;

  for (int f = 0; f < NFIELDS; f++)
    v[f] = m->col[f] ? maat_reader_field(r, m->col[f]) : NULL;
#define BAD(f, msg)                                                         \
  do {                                                                      \
    *col = m->col[f];                                                       \
    snprintf(why, cap, "%s", msg);                                          \
    return NULL;                                                            \
  } while (0)
  if (!v[F_CLOSED] || a_time(m, v[F_CLOSED], &closed))
    BAD(F_CLOSED, m->unix_time ? "expected Unix seconds"
                               : "expected a time like 2026-03-01T10:00:00Z");
  if (v[F_CREATED] && *v[F_CREATED] && a_time(m, v[F_CREATED], &created))
    BAD(F_CREATED, "expected a time like 2026-03-01T10:00:00Z");
  if (v[F_TAKEN] && *v[F_TAKEN] && a_time(m, v[F_TAKEN], &taken))
    BAD(F_TAKEN, "expected a time like 2026-03-01T10:00:00Z");
  if (created >= 0 && closed < created)
    BAD(F_CLOSED, "closed before it was created");
  o = json_object();
  json_object_set_new(o, "id", json_string(v[F_ID]));
  json_object_set_new(o, "source", json_string(source));
  json_object_set_new(o, "at", json_real(closed));
  if (v[F_CUSTOMER] && *v[F_CUSTOMER])
    json_object_set_new(o, "customer", json_string(v[F_CUSTOMER]));
  if (v[F_CHANNEL] && *v[F_CHANNEL])
    json_object_set_new(o, "channel", json_string(v[F_CHANNEL]));
  if (v[F_LANG] && *v[F_LANG])
    json_object_set_new(o, "lang", json_string(v[F_LANG]));
  if (v[F_INTENT] && *v[F_INTENT])
    json_object_set_new(o, "intent", json_string(v[F_INTENT]));
  if (v[F_HANDLER] && *v[F_HANDLER] && one_of(m->bot, v[F_HANDLER]))
    by_bot = 1;
  json_object_set_new(o, "by_bot", json_integer(by_bot));
  if (created >= 0 && taken >= created)
    json_object_set_new(o, "wait_s", json_real(taken - created));
  if (v[F_HANDLE_S] && *v[F_HANDLE_S]) {
    char *e;
    double h = strtod(v[F_HANDLE_S], &e);
    if (e == v[F_HANDLE_S] || *e || !isfinite(h) || h < 0) {
      json_decref(o);
      BAD(F_HANDLE_S, "expected seconds, 0 or more");
    }
    json_object_set_new(o, "handle_s", json_real(h));
  } else if (taken >= 0 && closed >= taken) {
    json_object_set_new(o, "handle_s", json_real(closed - taken));
  }
  if (v[F_TIER] && *v[F_TIER]) {
    const char *t = v[F_TIER];
    if ((t[0] == 'T' || t[0] == 't') && t[1])
      t++;
    if (an_int(t, 1, 3, &n)) {
      json_decref(o);
      BAD(F_TIER, "expected a tier: 1, 2, 3 or T1, T2, T3");
    }
    json_object_set_new(o, "tier", json_integer(n));
  }
  if (v[F_TRANSFERS] && *v[F_TRANSFERS]) {
    if (an_int(v[F_TRANSFERS], 0, 1000, &n)) {
      json_decref(o);
      BAD(F_TRANSFERS, "expected a count, 0 or more");
    }
    n += m->transfers_offset;
    json_object_set_new(o, "transfers", json_integer(n < 0 ? 0 : n));
  }
  if (v[F_CSAT] && *v[F_CSAT] && m->csat_values &&
      json_is_integer(json_object_get(m->csat_values, v[F_CSAT]))) {
    n = (long)json_integer_value(json_object_get(m->csat_values, v[F_CSAT]));
    if (n >= 1 && n <= 5)
      json_object_set_new(o, "csat", json_integer(n));
  } else if (v[F_CSAT] && *v[F_CSAT] && m->csat_values &&
             (!strcasecmp(v[F_CSAT], "offered") ||
              !strcasecmp(v[F_CSAT], "unoffered"))) {
    /* asked, not answered: no rating */
  } else if (v[F_CSAT] && *v[F_CSAT]) {
    if (an_int(v[F_CSAT], 1, m->csat_scale, &n)) {
      json_decref(o);
      BAD(F_CSAT, m->csat_scale == 5 ? "expected 1 to 5" : "expected 1 to 10");
    }
    /* A 1..10 scale onto 1..5. */
    json_object_set_new(o, "csat", json_integer(m->csat_scale == 10
                                                    ? (n + 1) / 2 : n));
  }
  if (v[F_NPS] && *v[F_NPS]) {
    if (an_int(v[F_NPS], 0, 10, &n)) {
      json_decref(o);
      BAD(F_NPS, "expected 0 to 10");
    }
    json_object_set_new(o, "nps", json_integer(n));
  }
  {
    const char *out = v[F_OUTCOME] && *v[F_OUTCOME] ? v[F_OUTCOME] : NULL;
    const char *hb = v[F_HANDED_BACK];
    int back = 0;
    if (hb && *hb)
      back = !strcasecmp(hb, "1") || !strcasecmp(hb, "true") ||
             !strcasecmp(hb, "yes") || !strcasecmp(hb, "ja");
    else if (out && one_of(m->handed_back, out))
      back = 1;
    json_object_set_new(o, "handed_back", json_integer(by_bot && back));
    json_object_set_new(o, "resolved", json_integer(
        back ? 0 : out && one_of(m->resolved, out) ? 1
                 : out && one_of(m->unresolved, out) ? 0 : -1));
    if (out)
      json_object_set_new(o, "outcome", json_string(out));
  }
#undef BAD
  *at = closed;
  return o;
}

int maat_insight_import(maat_store *st, const char *csv_path,
                        const char *mapping_path, const char *source,
                        void (*bad)(void *ctx, const char *message),
                        void *ctx, long *n, long *nbad)
{
  struct mapping m;
  maat_reader_opts ro = MAAT_READER_OPTS_INIT;
  maat_reader *r = NULL;
  maat_record rec;
  long kept = 0, skipped = 0;
  int rc, first = 1, open_tx = 0;

  if (n)
    *n = 0;
  if (nbad)
    *nbad = 0;
  if (!st || !csv_path || !mapping_path)
    return maat__fail(MAAT_EINVAL, "insight: import needs a file and a "
                      "mapping");
  if (!source || !*source)
    source = "import";
  if ((rc = load_mapping(mapping_path, &m)))
    goto done;
  ro.format = MAAT_FORMAT_CSV;
  ro.text_field = m.col[F_ID];
  if ((rc = maat_reader_open(csv_path, &ro, &r)))
    goto done;
  /* One transaction per thousand rows: a large history goes in fast, and
   * what was read before an I/O error stays. */
  for (;;) {
    char why[160], msg[600];
    const char *col = NULL;
    double at = 0;
    json_t *o;
    char *body;
    rc = maat__insight_next(r, &rec, bad, ctx, &skipped);
    if (rc == MAAT_EOF) {
      rc = MAAT_OK;
      break;
    }
    if (rc)
      break;
    if (first) {
      /* Every mapped column is in the file, or nothing is read. */
      first = 0;
      for (int f = 0; f < NFIELDS; f++)
        if (m.col[f] && !maat_reader_field(r, m.col[f])) {
          rc = maat__fail(MAAT_EPARSE, "%s: the mapping's column '%s' (for "
                          "'%s') is not in the header of %s", mapping_path,
                          m.col[f], field_names[f], csv_path);
          goto done;
        }
    }
    if (!(o = row_fact(&m, r, source, &at, &col, why, sizeof why))) {
      skipped++;
      snprintf(msg, sizeof msg, "%s:%zu: column '%s': %s", csv_path,
               rec.line, col ? col : "?", why);
      if (bad)
        bad(ctx, msg);
      continue;
    }
    body = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(o);
    if (!body) {
      rc = maat__fail(MAAT_ENOMEM, "out of memory");
      break;
    }
    if (!open_tx && (rc = maat_store_begin(st))) {
      free(body);
      break;
    }
    open_tx = 1;
    rc = maat_store_record_add(st, "fact", rec.text, at, body, NULL);
    free(body);
    if (rc)
      break;
    kept++;
    if (kept % 1000 == 0) {
      open_tx = 0;
      if ((rc = maat_store_commit(st)))
        break;
    }
  }
  if (open_tx) {
    if (rc)
      maat_store_rollback(st);
    else
      rc = maat_store_commit(st);
  }
done:
  maat_reader_close(r);
  json_decref(m.root);
  if (n)
    *n = rc ? kept - kept % 1000 : kept;
  if (nbad)
    *nbad = skipped;
  return rc;
}

/*
 * tasks.c - the task audit (maat/insight.h, docs/insight.md): an inventory
 * of tasks placed on the complexity matrix (rule-based to creative, little
 * to much interaction with people), each given an allocation between AI
 * and people as the brief's table does, and a 70-20-10 priority.
 */
#include "insight-int.h"
#include "json-int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const cols[] = { "task", "category", "per_week",
                                    "minutes", "error_rate", "frustration",
                                    "stakeholder", "creative" };
#define NCOLS (sizeof cols / sizeof cols[0])

/*
 * The matrix, after the brief's table: routine documentation (rule-based,
 * little interaction) AI automates; data analysis (rule-based, some) AI
 * leads and a person validates; text creation (creative, little or some)
 * collaboration; customer conversations (much interaction, not creative)
 * a person leads and AI supports; strategy (much interaction, creative) a
 * person leads with AI's insights. What must stay human (the optional
 * column person_only: yes) a person only.
 */
static const char *allocate(int creative, int stakeholder, int human)
{
  if (human)
    return "person_only";
  if (stakeholder >= 4)
    return creative >= 4 ? "person_leads_ai_insights"
                         : "person_leads_ai_supports";
  if (creative >= 3)
    return "collaboration";
  return stakeholder <= 2 ? "ai_automates" : "ai_leads_person_validates";
}

/* 70: proven automation of routine; 20: working together; 10: the rest,
 * person-led, where AI is an experiment. */
static int bucket(const char *a)
{
  if (!strcmp(a, "ai_automates") || !strcmp(a, "ai_leads_person_validates"))
    return 70;
  if (!strcmp(a, "collaboration") || !strcmp(a, "person_leads_ai_supports"))
    return 20;
  return 10;
}

static int num_in(const char *s, double lo, double hi, double *out)
{
  char *e;
  double v;

  if (!s || !*s)
    return -1;
  v = strtod(s, &e);
  if (e == s || *e || !isfinite(v) || v < lo || v > hi)
    return -1;
  *out = v;
  return 0;
}

static int by_score(const void *a, const void *b)
{
  json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
  int bx = (int)json_integer_value(json_object_get(x, "priority"));
  int by = (int)json_integer_value(json_object_get(y, "priority"));
  double sx = json_number_value(json_object_get(x, "score"));
  double sy = json_number_value(json_object_get(y, "score"));

  if (bx != by)
    return by - bx;
  return sx < sy ? 1 : sx > sy ? -1 : 0;
}

int maat_tasks_assess(const char *csv_path,
                      void (*bad)(void *ctx, const char *message),
                      void *ctx, char **json, long *nbad)
{
  maat_reader_opts ro = MAAT_READER_OPTS_INIT;
  maat_reader *r = NULL;
  maat_record rec;
  json_t *tasks = json_array(), *root, *alloc = json_object();
  json_t **v = NULL;
  long skipped = 0;
  size_t n;
  char *s;
  int rc, first = 1;

  *json = NULL;
  ro.format = MAAT_FORMAT_CSV;
  ro.text_field = "task";
  if ((rc = maat_reader_open(csv_path, &ro, &r)))
    goto done;
  for (;;) {
    double d[NCOLS];
    const char *bad_col = NULL;
    char msg[400];
    json_t *t;
    const char *a;
    rc = maat__insight_next(r, &rec, bad, ctx, &skipped);
    if (rc == MAAT_EOF) {
      rc = MAAT_OK;
      break;
    }
    if (rc)
      goto done;
    if (first) {
      first = 0;
      for (size_t k = 0; k < NCOLS; k++)
        if (!maat_reader_field(r, cols[k])) {
          rc = maat__fail(MAAT_EPARSE, "%s:1: no column '%s' (the columns: "
                          "task, category, per_week, minutes, error_rate, "
                          "frustration, stakeholder, creative)", csv_path,
                          cols[k]);
          goto done;
        }
    }
    if (num_in(maat_reader_field(r, "per_week"), 0, 1e6, &d[2]))
      bad_col = "per_week";
    else if (num_in(maat_reader_field(r, "minutes"), 0, 1e5, &d[3]))
      bad_col = "minutes";
    else if (num_in(maat_reader_field(r, "error_rate"), 0, 1, &d[4]))
      bad_col = "error_rate";
    else if (num_in(maat_reader_field(r, "frustration"), 1, 5, &d[5]) ||
             d[5] != floor(d[5]))
      bad_col = "frustration";
    else if (num_in(maat_reader_field(r, "stakeholder"), 1, 5, &d[6]) ||
             d[6] != floor(d[6]))
      bad_col = "stakeholder";
    else if (num_in(maat_reader_field(r, "creative"), 1, 5, &d[7]) ||
             d[7] != floor(d[7]))
      bad_col = "creative";
    if (bad_col) {
      skipped++;
      snprintf(msg, sizeof msg, "%s:%zu: column '%s': expected %s",
               csv_path, rec.line, bad_col,
               !strcmp(bad_col, "error_rate") ? "a share from 0 to 1"
               : !strcmp(bad_col, "per_week") || !strcmp(bad_col, "minutes")
                   ? "a number, 0 or more" : "a whole number from 1 to 5");
      if (bad)
        bad(ctx, msg);
      continue;
    }
    {
      const char *h = maat_reader_field(r, "person_only");
      a = allocate((int)d[7], (int)d[6],
                   h && (!strcasecmp(h, "yes") || !strcasecmp(h, "ja") ||
                         !strcmp(h, "1") || !strcasecmp(h, "true")));
    }
    {
      double hours = d[2] * d[3] / 60;
      double score = hours * (1 + (d[5] - 1) / 4) * (1 + d[4]);
      t = json_pack("{s:s,s:s,s:f,s:f,s:f,s:i,s:i,s:i,s:{s:s,s:s},s:s,s:i,"
                    "s:f,s:f}",
                    "task", rec.text, "category",
                    maat_reader_field(r, "category"), "per_week", d[2],
                    "minutes", d[3], "error_rate", d[4], "frustration",
                    (int)d[5], "stakeholder", (int)d[6], "creative",
                    (int)d[7], "matrix", "work",
                    d[7] <= 2 ? "rule_based" : d[7] >= 4 ? "creative"
                                                         : "mixed",
                    "interaction", d[6] <= 2 ? "low" : d[6] >= 4 ? "high"
                                                                 : "some",
                    "allocation", a, "priority", bucket(a), "hours_per_week",
                    round(hours * 100) / 100, "score",
                    round(score * 100) / 100);
      json_array_append_new(tasks, t);
      {
        json_t *x = json_object_get(alloc, a);
        double h = x ? json_number_value(x) : 0;
        json_object_set_new(alloc, a, json_real(round((h + hours) * 100) /
                                                100));
      }
    }
  }
  /* The priority order: the 70 first, then 20, then 10; by score. */
  n = json_array_size(tasks);
  if (n && !(v = maat__calloc(n, sizeof *v))) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < n; i++)
    v[i] = json_incref(json_array_get(tasks, i));
  if (n > 1)
    qsort(v, n, sizeof *v, by_score);
  json_array_clear(tasks);
  for (size_t i = 0; i < n; i++) {
    json_object_set_new(v[i], "rank", json_integer((json_int_t)i + 1));
    json_array_append_new(tasks, v[i]);
  }
  maat__free(v);
  root = json_pack("{s:O,s:O,s:I}", "tasks", tasks, "hours_by_allocation",
                   alloc, "skipped", (json_int_t)skipped);
  s = root ? json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
  json_decref(root);
  if (!s || !(*json = maat__strdup(s)))
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
  free(s);
done:
  maat_reader_close(r);
  json_decref(tasks);
  json_decref(alloc);
  if (nbad)
    *nbad = skipped;
  return rc;
}

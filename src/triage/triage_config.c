/*
 * triage_config.c - the triage configuration: its defaults and the JSON
 * file (docs/triage-config.md), read defensively; every error names the file
 * and the field.
 */
#include "triage-int.h"
#include "conf-int.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static void defaults(struct maat__triage_cfg *c)
{
  memset(c, 0, sizeof *c);
  c->bot_all = 1;
  c->intent_threshold = -1;
  c->bot_confidence = 0.8;
  c->tone_model_threshold = 0.2;
  c->high = 0.5;
  c->critical = 0.8;
  c->t3_angry = 0.6;
  c->t3_urgency = 0.6;
  c->t3_complexity = 0.75;
  c->repeat_window_s = 72 * 3600.0;
  c->rule_upset = c->rule_oos = c->rule_repeat = 1;
  c->rule_critical_first = c->rule_critical_not_bot = 1;
}

static void free_list(char **l, size_t n)
{
  for (size_t i = 0; i < n; i++)
    maat__free(l[i]);
  maat__free(l);
}

void maat_triage_config_free(maat_triage_config *cfg)
{
  if (!cfg)
    return;
  free_list(cfg->c.bot, cfg->c.nbot);
  free_list(cfg->c.not_bot, cfg->c.nnot);
  maat__free(cfg);
}

int maat_triage_config_default(maat_triage_config **out)
{
  maat_triage_config *cfg;

  if (!out)
    return maat__fail(MAAT_EINVAL, "maat_triage_config_default: no output");
  cfg = maat__calloc(1, sizeof *cfg);
  if (!cfg)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  defaults(&cfg->c);
  *out = cfg;
  return MAAT_OK;
}

int maat__triage_bot_answerable(const struct maat_triage_config *cfg,
                                const char *intent, int sensitive)
{
  const struct maat__triage_cfg *c = &cfg->c;

  for (size_t i = 0; i < c->nnot; i++)
    if (!strcmp(c->not_bot[i], intent))
      return 0;
  /* Named in "bot_answerable": the organisation chose, sensitive or not. */
  for (size_t i = 0; i < c->nbot; i++)
    if (!strcmp(c->bot[i], intent))
      return 1;
  return c->bot_all && !sensitive;
}

/* An array of intent names; "*" sets '*all' when 'all' is given. */
static void intents(struct maat__conf *rd, json_t *root, const char *key,
                    char ***list, size_t *n, int *all)
{
  json_t *j, *e;
  size_t i;

  if (rd->rc || !(j = json_object_get(root, key)))
    return;
  if (!json_is_array(j) || json_array_size(j) > MAAT__TRIAGE_MAX_INTENTS) {
    rd->rc = maat__fail(MAAT_EPARSE, "%s: field '%s': expected an array of "
                        "at most %d intent names", rd->name, key,
                        MAAT__TRIAGE_MAX_INTENTS);
    return;
  }
  if (all)
    *all = 0;
  *list = maat__calloc(json_array_size(j) + 1, sizeof **list);
  if (!*list) {
    rd->rc = maat__fail(MAAT_ENOMEM, "out of memory");
    return;
  }
  json_array_foreach(j, i, e) {
    if (!json_is_string(e) || json_string_length(e) == 0 ||
        json_string_length(e) > MAAT_ID_MAX) {
      rd->rc = maat__fail(MAAT_EPARSE, "%s: field '%s[%zu]': expected an "
                          "intent name of 1 to %d bytes", rd->name, key, i,
                          MAAT_ID_MAX);
      return;
    }
    if (all && !strcmp(json_string_value(e), "*")) {
      *all = 1;
      continue;
    }
    (*list)[*n] = maat__strdup(json_string_value(e));
    if (!(*list)[*n]) {
      rd->rc = maat__fail(MAAT_ENOMEM, "out of memory");
      return;
    }
    (*n)++;
  }
}

int maat_triage_config_parse(maat_triage_config **out, const char *json,
                             size_t len, const char *name)
{
  static const char *const top[] = { "bot_answerable", "not_bot_answerable",
                                     "thresholds", "rules", "repeat_window_h",
                                     NULL };
  static const char *const th_keys[] = { "intent", "bot_confidence",
                                         "tone_model", "high",
                                         "critical", "t3_angry",
                                         "t3_urgency", "t3_complexity",
                                         NULL };
  static const char *const rule_keys[] = { "upset_never_bot",
                                           "out_of_scope_never_bot",
                                           "repeat_never_bot",
                                           "critical_first",
                                           "critical_never_bot", NULL };
  struct maat__conf rd = { name ? name : "config", MAAT_OK };
  maat_triage_config *cfg;
  struct maat__triage_cfg *c;
  json_error_t err;
  json_t *root, *o;
  double hours;

  if (!out || (!json && len))
    return maat__fail(MAAT_EINVAL, "maat_triage_config_parse: invalid "
                      "argument");
  root = json_loadb(json ? json : "", len, JSON_REJECT_DUPLICATES, &err);
  if (!root)
    return maat__fail(MAAT_EPARSE, "%s:%d: %s", rd.name, err.line, err.text);
  if (!json_is_object(root)) {
    json_decref(root);
    return maat__fail(MAAT_EPARSE, "%s: expected a JSON object", rd.name);
  }
  cfg = maat__calloc(1, sizeof *cfg);
  if (!cfg) {
    json_decref(root);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  c = &cfg->c;
  defaults(c);
  maat__conf_known(&rd, root, "", top);
  intents(&rd, root, "bot_answerable", &c->bot, &c->nbot, &c->bot_all);
  intents(&rd, root, "not_bot_answerable", &c->not_bot, &c->nnot, NULL);
  o = maat__conf_object(&rd, root, "thresholds");
  maat__conf_known(&rd, o, "thresholds.", th_keys);
  maat__conf_number(&rd, o, "thresholds.", "intent", 0, 1, &c->intent_threshold);
  maat__conf_number(&rd, o, "thresholds.", "bot_confidence", 0, 1,
         &c->bot_confidence);
  maat__conf_number(&rd, o, "thresholds.", "tone_model", 0, 1.01,
         &c->tone_model_threshold);
  maat__conf_number(&rd, o, "thresholds.", "high", 0, 1, &c->high);
  maat__conf_number(&rd, o, "thresholds.", "critical", 0, 1, &c->critical);
  maat__conf_number(&rd, o, "thresholds.", "t3_angry", 0, 1.01, &c->t3_angry);
  maat__conf_number(&rd, o, "thresholds.", "t3_urgency", 0, 1.01, &c->t3_urgency);
  maat__conf_number(&rd, o, "thresholds.", "t3_complexity", 0, 1.01, &c->t3_complexity);
  o = maat__conf_object(&rd, root, "rules");
  maat__conf_known(&rd, o, "rules.", rule_keys);
  maat__conf_bool(&rd, o, "rules.", "upset_never_bot", &c->rule_upset);
  maat__conf_bool(&rd, o, "rules.", "out_of_scope_never_bot", &c->rule_oos);
  maat__conf_bool(&rd, o, "rules.", "repeat_never_bot", &c->rule_repeat);
  maat__conf_bool(&rd, o, "rules.", "critical_first", &c->rule_critical_first);
  maat__conf_bool(&rd, o, "rules.", "critical_never_bot", &c->rule_critical_not_bot);
  hours = c->repeat_window_s / 3600;
  maat__conf_number(&rd, root, "", "repeat_window_h", 0, 24 * 365, &hours);
  c->repeat_window_s = hours * 3600;
  if (!rd.rc && c->high > c->critical)
    rd.rc = maat__fail(MAAT_EPARSE, "%s: field 'thresholds.high': %.2f is "
                       "above 'thresholds.critical' %.2f", rd.name, c->high,
                       c->critical);
  json_decref(root);
  if (rd.rc) {
    maat_triage_config_free(cfg);
    return rd.rc;
  }
  *out = cfg;
  return MAAT_OK;
}

int maat_triage_config_load(maat_triage_config **out, const char *path)
{
  struct maat_buf b = MAAT_BUF_INIT;
  int rc;

  if (!path)
    return maat__fail(MAAT_EINVAL, "no configuration file");
  rc = maat__read_file(path, (size_t)1 << 20, &b);
  if (!rc)
    rc = maat_triage_config_parse(out, b.data ? b.data : "", b.len, path);
  maat__buf_release(&b);
  return rc;
}

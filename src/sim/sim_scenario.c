/*
 * sim_scenario.c - scenarios for the simulator: the built-in ones, which
 * reproduce the brief's situations, and the JSON scenario file
 * (docs/scenario-file.md), read defensively with errors that name the field.
 */
#include "sim-int.h"
#include "conf-int.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Arrivals per hour of the day on a weekday, relative (office hours). */
static const double office_hours[24] = {
  [8] = 0.45, [9] = 0.5, [10] = 0.8, [11] = 0.85, [12] = 1.05, [13] = 1.0,
  [14] = 1.05, [15] = 1.0, [16] = 0.65, [17] = 0.6, [18] = 0.35, [19] = 0.3,
};

static void defaults(struct maat_scenario *sc)
{
  memset(sc, 0, sizeof *sc);
  sc->agents = 50;
  sc->team_seed = 1;
  sc->per_day = 2200;
  memcpy(sc->hourly, office_hours, sizeof sc->hourly);
  for (int d = 0; d < 7; d++)
    sc->weekly[d] = 1;
  sc->lang_nl = 0.7;
  sc->bot = 1;
  sc->bounce_back = 0.3;
  sc->bot_handle_s = 120;
  sc->patience_s = 300;
  sc->handle_sigma = 0.5;
  sc->agent_hour_cost = 35;
  sc->bot_contact_cost = 0.5;
  /* Calibration settings (docs/simulation.md), not findings. */
  sc->leave_monthly = 0.022;
  sc->leave_gamma = 0.5;
  sc->chronic_tau_days = 2;
  sc->overload_day_h = 0.5;
  sc->absent = 0.04;
}

static void add_intent(struct maat_scenario *sc, const char *name,
                       double share, double t1, double t2, double t3,
                       double hostile, double handle_s)
{
  struct maat__sim_intent *in = &sc->intents[sc->nintents++];
  snprintf(in->name, sizeof in->name, "%s", name);
  in->share = share;
  in->tier[0] = t1;
  in->tier[1] = t2;
  in->tier[2] = t3;
  in->hostile = hostile;
  in->handle_s = handle_s;
}

/* A Dutch bank's service team of 50; hostile share about 20 % overall. */
static void bank_nl_50(struct maat_scenario *sc, int bot)
{
  defaults(sc);
  snprintf(sc->name, sizeof sc->name, bot ? "bank-nl-50" : "bank-nl-50-nobot");
  snprintf(sc->about, sizeof sc->about, "%s",
           bot ? "a Dutch bank's service team of 50 with a bot on calm T1 "
                 "contacts (30 % bounce back)"
               : "the same team before its bot: people take every contact");
  sc->bot = bot;
  add_intent(sc, "billing", 0.25, 0.60, 0.32, 0.08, 0.15, 360);
  add_intent(sc, "account", 0.20, 0.65, 0.30, 0.05, 0.10, 300);
  add_intent(sc, "technical", 0.20, 0.45, 0.45, 0.10, 0.20, 480);
  add_intent(sc, "delivery", 0.10, 0.70, 0.25, 0.05, 0.15, 300);
  add_intent(sc, "complaint", 0.10, 0.10, 0.50, 0.40, 0.55, 540);
  add_intent(sc, "cancellation", 0.15, 0.40, 0.45, 0.15, 0.25, 420);
}

/* A software company's international support centre of 500. */
static void saas_500(struct maat_scenario *sc)
{
  defaults(sc);
  snprintf(sc->name, sizeof sc->name, "saas-500");
  snprintf(sc->about, sizeof sc->about, "%s",
           "a software company's support centre of 500, mostly English, "
           "longer technical contacts, lighter weekends");
  sc->agents = 500;
  sc->team_seed = 5;
  sc->per_day = 20000;
  sc->lang_nl = 0.2;
  sc->weekly[5] = 0.5;
  sc->weekly[6] = 0.4;
  add_intent(sc, "technical", 0.40, 0.40, 0.45, 0.15, 0.20, 540);
  add_intent(sc, "account", 0.20, 0.70, 0.25, 0.05, 0.10, 300);
  add_intent(sc, "billing", 0.20, 0.60, 0.30, 0.10, 0.15, 360);
  add_intent(sc, "cancellation", 0.10, 0.40, 0.45, 0.15, 0.25, 420);
  add_intent(sc, "complaint", 0.10, 0.10, 0.50, 0.40, 0.55, 540);
}

static const char *const builtins[] = { "bank-nl-50", "bank-nl-50-nobot",
                                        "saas-500", NULL };

const char *const *maat_scenario_builtins(void) { return builtins; }

static int normalise(struct maat_scenario *sc, const char *name)
{
  double total = 0;

  if (sc->nintents < 1)
    return maat__fail(MAAT_EPARSE, "%s: field 'mix': at least one kind of "
                      "contact is needed", name);
  for (int k = 0; k < sc->nintents; k++) {
    struct maat__sim_intent *in = &sc->intents[k];
    double t = in->tier[0] + in->tier[1] + in->tier[2];
    if (!(t > 0))
      return maat__fail(MAAT_EPARSE, "%s: field 'mix[%d].tiers': the tier "
                        "shares add up to 0", name, k);
    for (int i = 0; i < 3; i++)
      in->tier[i] /= t;
    total += in->share;
  }
  if (!(total > 0))
    return maat__fail(MAAT_EPARSE, "%s: field 'mix': the shares add up to 0",
                      name);
  for (int k = 0; k < sc->nintents; k++)
    sc->intents[k].share /= total;
  return MAAT_OK;
}

/* Fills 'sc' with the built-in scenario 'name'; false when there is none. */
static int fill_builtin(struct maat_scenario *sc, const char *name)
{
  if (!strcmp(name, "bank-nl-50"))
    bank_nl_50(sc, 1);
  else if (!strcmp(name, "bank-nl-50-nobot"))
    bank_nl_50(sc, 0);
  else if (!strcmp(name, "saas-500"))
    saas_500(sc);
  else
    return 0;
  return 1;
}

int maat_scenario_builtin(maat_scenario **out, const char *name)
{
  maat_scenario *sc;

  if (!name)
    return maat__fail(MAAT_EINVAL, "no scenario name");
  sc = maat__calloc(1, sizeof *sc);
  if (!sc)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  if (!fill_builtin(sc, name)) {
    maat__free(sc);
    return maat__fail(MAAT_ENOTFOUND, "no built-in scenario '%s' (there are "
                      "bank-nl-50, bank-nl-50-nobot and saas-500)", name);
  }
  normalise(sc, name);
  *out = sc;
  return MAAT_OK;
}

/* ---- the scenario file ---- */

static void read_mix(struct maat__conf *rd, struct maat_scenario *sc, json_t *mix)
{
  static const char *const keys[] = { "intent", "share", "tiers", "hostile",
                                      "handle_s", NULL };
  size_t i;
  json_t *e;

  if (!json_is_array(mix) || json_array_size(mix) == 0 ||
      json_array_size(mix) > MAAT__SIM_MAX_INTENTS) {
    rd->rc = maat__fail(MAAT_EPARSE, "%s: field 'mix': expected an array of "
                        "1 to %d kinds of contact", rd->name,
                        MAAT__SIM_MAX_INTENTS);
    return;
  }
  sc->nintents = 0;
  json_array_foreach(mix, i, e) {
    struct maat__sim_intent *in = &sc->intents[sc->nintents++];
    char path[32];
    json_t *name;
    snprintf(path, sizeof path, "mix[%zu].", i);
    if (!json_is_object(e)) {
      rd->rc = maat__fail(MAAT_EPARSE, "%s: field 'mix[%zu]': expected an "
                          "object", rd->name, i);
      return;
    }
    maat__conf_known(rd, e, path, keys);
    name = json_object_get(e, "intent");
    if (!rd->rc && (!json_is_string(name) || !json_string_length(name) ||
                    json_string_length(name) > MAAT_ID_MAX)) {
      rd->rc = maat__fail(MAAT_EPARSE, "%s: field '%sintent': expected a "
                          "name of 1 to %d bytes", rd->name, path,
                          MAAT_ID_MAX);
      return;
    }
    if (rd->rc)
      return;
    snprintf(in->name, sizeof in->name, "%s", json_string_value(name));
    in->share = 1;
    in->tier[0] = 0.55;
    in->tier[1] = 0.35;
    in->tier[2] = 0.10;
    in->hostile = 0.2;
    in->handle_s = 420;
    maat__conf_number(rd, e, path, "share", 0, 1e9, &in->share);
    maat__conf_numbers(rd, e, path, "tiers", 3, in->tier);
    maat__conf_number(rd, e, path, "hostile", 0, 1, &in->hostile);
    maat__conf_number(rd, e, path, "handle_s", 1, 86400, &in->handle_s);
  }
}

int maat_scenario_parse(maat_scenario **out, const char *json, size_t len,
                        const char *name)
{
  static const char *const top[] = { "base", "name", "about", "team",
                                     "arrivals",
                                     "bot", "patience_s", "handle_sigma",
                                     "mix", "cost", "attrition",
                                     "overload_day_h", "absent", "settings",
                                     NULL };
  static const char *const team_keys[] = { "agents", "seed", "file", NULL };
  static const char *const arr_keys[] = { "per_day", "hourly", "weekly",
                                          "dutch_share", NULL };
  static const char *const bot_keys[] = { "enabled", "bounce_back",
                                          "handle_s", NULL };
  static const char *const cost_keys[] = { "agent_hour", "bot_contact",
                                           NULL };
  static const char *const attr_keys[] = { "base_monthly", "gamma",
                                           "chronic_tau_days", NULL };
  struct maat__conf rd = { name ? name : "scenario", MAAT_OK };
  maat_scenario *sc;
  json_error_t err;
  json_t *root, *o, *j;
  double agents, seed;

  root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
  if (!root)
    return maat__fail(MAAT_EPARSE, "%s:%d: %s", rd.name, err.line, err.text);
  if (!json_is_object(root)) {
    json_decref(root);
    return maat__fail(MAAT_EPARSE, "%s: expected a JSON object", rd.name);
  }
  sc = maat__calloc(1, sizeof *sc);
  if (!sc) {
    json_decref(root);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  defaults(sc);
  maat__conf_known(&rd, root, "", top);
  /* "base": start from a built-in scenario and change only what is given. */
  j = json_object_get(root, "base");
  if (!rd.rc && j && (!json_is_string(j) ||
                      !fill_builtin(sc, json_string_value(j))))
    rd.rc = maat__fail(MAAT_EPARSE, "%s: field 'base': expected the name of "
                       "a built-in scenario (bank-nl-50, bank-nl-50-nobot, "
                       "saas-500)", rd.name);
  snprintf(sc->name, sizeof sc->name, "%s", rd.name);
  j = json_object_get(root, "name");
  if (!rd.rc && j) {
    if (!json_is_string(j))
      rd.rc = maat__fail(MAAT_EPARSE, "%s: field 'name': expected a string",
                         rd.name);
    else
      snprintf(sc->name, sizeof sc->name, "%s", json_string_value(j));
  }
  j = json_object_get(root, "about");
  if (!rd.rc && j && json_is_string(j))
    snprintf(sc->about, sizeof sc->about, "%s", json_string_value(j));

  o = maat__conf_object(&rd, root, "team");
  maat__conf_known(&rd, o, "team.", team_keys);
  agents = sc->agents;
  seed = (double)sc->team_seed;
  maat__conf_number(&rd, o, "team.", "agents", 1, 20000, &agents);
  maat__conf_number(&rd, o, "team.", "seed", 0, 2147483647.0, &seed);
  sc->agents = (int)agents;
  sc->team_seed = (unsigned long long)seed;
  if (!rd.rc && o && (j = json_object_get(o, "file"))) {
    if (!json_is_string(j))
      rd.rc = maat__fail(MAAT_EPARSE, "%s: field 'team.file': expected a "
                         "path", rd.name);
    else {
      sc->team_file = maat__strdup(json_string_value(j));
      if (!sc->team_file)
        rd.rc = maat__fail(MAAT_ENOMEM, "out of memory");
    }
  }

  o = maat__conf_object(&rd, root, "arrivals");
  maat__conf_known(&rd, o, "arrivals.", arr_keys);
  maat__conf_number(&rd, o, "arrivals.", "per_day", 0, 1e8, &sc->per_day);
  maat__conf_numbers(&rd, o, "arrivals.", "hourly", 24, sc->hourly);
  maat__conf_numbers(&rd, o, "arrivals.", "weekly", 7, sc->weekly);
  maat__conf_number(&rd, o, "arrivals.", "dutch_share", 0, 1, &sc->lang_nl);

  o = maat__conf_object(&rd, root, "bot");
  maat__conf_known(&rd, o, "bot.", bot_keys);
  if (!rd.rc && o && (j = json_object_get(o, "enabled"))) {
    if (!json_is_boolean(j))
      rd.rc = maat__fail(MAAT_EPARSE, "%s: field 'bot.enabled': expected "
                         "true or false", rd.name);
    else
      sc->bot = json_is_true(j);
  }
  maat__conf_number(&rd, o, "bot.", "bounce_back", 0, 1, &sc->bounce_back);
  maat__conf_number(&rd, o, "bot.", "handle_s", 0, 86400, &sc->bot_handle_s);

  maat__conf_number(&rd, root, "", "patience_s", 0, 86400, &sc->patience_s);
  maat__conf_number(&rd, root, "", "handle_sigma", 0, 3, &sc->handle_sigma);
  maat__conf_number(&rd, root, "", "overload_day_h", 0, 24, &sc->overload_day_h);
  maat__conf_number(&rd, root, "", "absent", 0, 1, &sc->absent);

  o = maat__conf_object(&rd, root, "cost");
  maat__conf_known(&rd, o, "cost.", cost_keys);
  maat__conf_number(&rd, o, "cost.", "agent_hour", 0, 1e6, &sc->agent_hour_cost);
  maat__conf_number(&rd, o, "cost.", "bot_contact", 0, 1e6, &sc->bot_contact_cost);

  o = maat__conf_object(&rd, root, "attrition");
  maat__conf_known(&rd, o, "attrition.", attr_keys);
  maat__conf_number(&rd, o, "attrition.", "base_monthly", 0, 1, &sc->leave_monthly);
  maat__conf_number(&rd, o, "attrition.", "gamma", 0, 100, &sc->leave_gamma);
  maat__conf_number(&rd, o, "attrition.", "chronic_tau_days", 0.01, 365,
      &sc->chronic_tau_days);

  o = maat__conf_object(&rd, root, "settings");
  if (!rd.rc && o) {
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
      if (sc->nsettings == MAAT__SIM_MAX_SETTINGS || strlen(key) >= 40) {
        rd.rc = maat__fail(MAAT_EPARSE, "%s: field 'settings.%s': too many "
                           "settings or too long a name", rd.name, key);
        break;
      }
      if (!json_is_number(v)) {
        rd.rc = maat__fail(MAAT_EPARSE, "%s: field 'settings.%s': expected "
                           "a number", rd.name, key);
        break;
      }
      snprintf(sc->setting[sc->nsettings], 40, "%s", key);
      sc->setting_value[sc->nsettings++] = json_number_value(v);
    }
  }

  j = json_object_get(root, "mix");
  if (!rd.rc && j)
    read_mix(&rd, sc, j);
  if (!rd.rc && !j && !json_object_get(root, "base"))
    rd.rc = maat__fail(MAAT_EPARSE, "%s: field 'mix': missing; a scenario "
                       "needs its contact mix (or a 'base' to take it from)",
                       rd.name);
  if (!rd.rc)
    rd.rc = normalise(sc, rd.name);
  json_decref(root);
  if (rd.rc) {
    maat_scenario_free(sc);
    return rd.rc;
  }
  *out = sc;
  return MAAT_OK;
}

int maat_scenario_load(maat_scenario **out, const char *path)
{
  struct maat_buf b = MAAT_BUF_INIT;
  int rc = maat__read_file(path, (size_t)1 << 20, &b);

  if (!rc)
    rc = maat_scenario_parse(out, b.data ? b.data : "", b.len, path);
  maat__buf_release(&b);
  return rc;
}

void maat_scenario_free(maat_scenario *sc)
{
  if (!sc)
    return;
  maat__free(sc->team_file);
  maat__free(sc);
}

const char *maat_scenario_name(const maat_scenario *sc) { return sc->name; }
const char *maat_scenario_about(const maat_scenario *sc) { return sc->about; }

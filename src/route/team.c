/*
 * team.c - team files: agents with languages, skills, tiers and shifts, and
 * the rule settings (docs/team-file.md). Errors name the file and the agent
 * or field.
 */
#include "route-int.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int maat__team_lang(const struct maat_team *t, const char *lang)
{
  for (int i = 0; i < t->nlangs; i++)
    if (maat__str_eq(t->langs[i], lang))
      return i;
  return -1;
}

int maat__team_intent(const struct maat_team *t, const char *intent)
{
  /* Inline comparisons: this runs for every contact. */
  if (t->has_map) {
    for (int i = 0; i < t->nmap; i++)
      if (maat__str_eq(t->map_intent[i], intent))
        return t->map_bit[i];
    return -1;
  }
  for (int i = 0; i < t->nintents; i++)
    if (maat__str_eq(t->intents[i], intent))
      return i;
  return -1;
}

int maat__team_channel(const struct maat_team *t, const char *channel)
{
  for (int i = 0; i < t->nchans; i++)
    if (maat__str_eq(t->chans[i], channel))
      return i;
  return -1;
}

/*
 * "capacity": {"chat": 3, "email": 5, "voice": 1}: how many contacts of a
 * channel an agent holds at once, the team's ('who' NULL) or one agent's
 * own ('caps' hers). A channel it names first gets the next index.
 */
static int parse_capacity(struct maat_team *t, json_t *m, const char *name,
                          const char *who, unsigned char *caps)
{
  const char *ch;
  json_t *v;
  char where[MAAT_ID_MAX + 16] = "";

  if (who)
    snprintf(where, sizeof where, "agent '%s': ", who);
  if (!json_is_object(m))
    return maat__fail(MAAT_EPARSE, "%s: %sfield 'capacity': expected an "
                      "object of channel: contacts at once, like "
                      "{\"chat\": 3, \"email\": 5, \"voice\": 1}", name,
                      where);
  json_object_foreach(m, ch, v) {
    int c = maat__team_channel(t, ch);
    double n = json_number_value(v);
    if (!maat_id_valid(ch, strlen(ch)) || strlen(ch) >= sizeof t->chans[0])
      return maat__fail(MAAT_EPARSE, "%s: %sfield 'capacity': '%.40s' is "
                        "not a channel name (1-%zu letters, digits, '-' or "
                        "'_')", name, where, ch, sizeof t->chans[0] - 1);
    if (!json_is_integer(v) || n < 1 || n > MAAT__MAX_SLOTS)
      return maat__fail(MAAT_EPARSE, "%s: %sfield 'capacity.%s': expected "
                        "a whole number from 1 to %d", name, where, ch,
                        MAAT__MAX_SLOTS);
    if (c < 0) {
      if (t->nchans == MAAT__MAX_CHANNELS)
        return maat__fail(MAAT_EPARSE, "%s: %sfield 'capacity': more than "
                          "%d channels in the team", name, where,
                          MAAT__MAX_CHANNELS);
      c = t->nchans++;
      snprintf(t->chans[c], sizeof t->chans[c], "%s", ch);
      snprintf(t->chan_reason[c], sizeof t->chan_reason[c], "capacity %s: "
               "nobody free; a place left with an agent who holds several "
               "at once, within her capacity", ch);
      t->chan_cap[c] = 1;
    }
    if (who)
      caps[c] = (unsigned char)n;
    else
      t->chan_cap[c] = (unsigned char)n;
  }
  return MAAT_OK;
}

/* A skill's bit by name (the map's keys, or agents' skills without one). */
static int skill_bit(const struct maat_team *t, const char *skill)
{
  for (int i = 0; i < t->nintents; i++)
    if (!strcmp(t->intents[i], skill))
      return i;
  return -1;
}

/*
 * "skills": {"billing": ["invoice_question", ...], ...}: which intents need
 * which skill. Each key is a skill, each intent belongs to one skill.
 */
static int parse_skill_map(struct maat_team *t, json_t *m, const char *name)
{
  const char *skill;
  json_t *list;
  size_t n = 0;

  if (!json_is_object(m))
    return maat__fail(MAAT_EPARSE, "%s: field 'skills': expected an object "
                      "of skill: [intents]", name);
  json_object_foreach(m, skill, list)
    n += json_is_array(list) ? json_array_size(list) : 0;
  t->map_intent = maat__calloc(n + 1, sizeof *t->map_intent);
  t->map_bit = maat__calloc(n + 1, sizeof *t->map_bit);
  if (!t->map_intent || !t->map_bit)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  t->has_map = 1;
  json_object_foreach(m, skill, list) {
    size_t k;
    json_t *e;
    int bit;
    if (!*skill || strlen(skill) > MAAT_ID_MAX || !strcmp(skill, "*"))
      return maat__fail(MAAT_EPARSE, "%s: field 'skills': '%s' is not a "
                        "skill name (1 to %d bytes, not \"*\")", name, skill,
                        MAAT_ID_MAX);
    if (!json_is_array(list) || !json_array_size(list))
      return maat__fail(MAAT_EPARSE, "%s: skill '%s': expected a non-empty "
                        "array of intents", name, skill);
    if (t->nintents == MAAT__MAX_INTENTS)
      return maat__fail(MAAT_EPARSE, "%s: field 'skills': more than %d "
                        "skills", name, MAAT__MAX_INTENTS);
    bit = t->nintents++;
    snprintf(t->intents[bit], sizeof t->intents[bit], "%s", skill);
    snprintf(t->skill_reason[bit], sizeof t->skill_reason[bit],
             "skill %s: the contact's intent needs it", skill);
    json_array_foreach(list, k, e) {
      const char *in = json_string_value(e);
      if (!in || !*in || strlen(in) > MAAT_ID_MAX)
        return maat__fail(MAAT_EPARSE, "%s: skill '%s': expected intents "
                          "(strings of 1 to %d bytes)", name, skill,
                          MAAT_ID_MAX);
      if (maat__team_intent(t, in) >= 0)
        return maat__fail(MAAT_EPARSE, "%s: skill '%s': intent '%s' is "
                          "already under skill '%s'", name, skill, in,
                          t->intents[maat__team_intent(t, in)]);
      snprintf(t->map_intent[t->nmap], sizeof t->map_intent[0], "%s", in);
      t->map_bit[t->nmap++] = bit;
    }
  }
  return MAAT_OK;
}

static int parse_hhmm(const char *s, int *out)
{
  int h, m;
  char tail;

  if (sscanf(s, "%2d:%2d%c", &h, &m, &tail) != 2 || h < 0 || h > 24 ||
      m < 0 || m > 59)
    return -1;
  *out = h * 60 + m;
  return 0;
}

int maat__team_agent(const struct maat_team *t, const char *id)
{
  const struct maat__agent_def *a = maat__map_get(&t->by_id, id);
  return a ? (int)(a - t->agents) : -1;
}

/* Indexes agent i by id: 1, or 0 when an earlier agent has it, or a
 * negative code. */
static int index_agent(struct maat_team *t, size_t i)
{
  int rc;

  if (maat__team_agent(t, t->agents[i].id) >= 0)
    return 0;
  rc = maat__map_put(&t->by_id, t->agents[i].id, &t->agents[i]);
  return rc ? rc : 1;
}

static int parse_agent(struct maat_team *t, struct maat__agent_def *a,
                       json_t *o, size_t i, const char *name)
{
  json_t *v;
  size_t k;
  json_t *e;
  const char *s;
  int rc;

  if (!json_is_object(o))
    return maat__fail(MAAT_EPARSE, "%s: agents[%zu]: expected an object",
                      name, i);
  v = json_object_get(o, "id");
  if (!json_is_string(v) ||
      !maat_id_valid(json_string_value(v), json_string_length(v)))
    return maat__fail(MAAT_EPARSE,
                      "%s: agents[%zu]: field 'id': expected an id of "
                      MAAT_ID_RULE, name, i);
  memcpy(a->id, json_string_value(v), json_string_length(v) + 1);
  {
    int ok = index_agent(t, i);
    if (ok < 0)
      return ok;
    if (!ok)
      return maat__fail(MAAT_EPARSE, "%s: agent '%s': duplicate id", name,
                        a->id);
  }

  v = json_object_get(o, "languages");
  if (!json_is_array(v) || !json_array_size(v))
    return maat__fail(MAAT_EPARSE, "%s: agent '%s': field 'languages': "
                      "expected a non-empty array", name, a->id);
  json_array_foreach(v, k, e) {
    int bit;
    s = json_string_value(e);
    if (!s || strlen(s) >= sizeof t->langs[0])
      return maat__fail(MAAT_EPARSE, "%s: agent '%s': field 'languages': "
                        "expected short strings like \"nl\"", name, a->id);
    bit = maat__team_lang(t, s);
    if (bit < 0) {
      if (t->nlangs == MAAT__MAX_LANGS)
        return maat__fail(MAAT_EPARSE, "%s: agent '%s': more than %d "
                          "languages in the team", name, a->id,
                          MAAT__MAX_LANGS);
      bit = t->nlangs++;
      snprintf(t->langs[bit], sizeof t->langs[bit], "%s", s);
    }
    a->langs |= 1u << bit;
  }

  v = json_object_get(o, "skills");
  if (!v) {
    a->skills = ~(uint64_t)0;
  } else if (!json_is_array(v)) {
    return maat__fail(MAAT_EPARSE, "%s: agent '%s': field 'skills': expected "
                      "an array", name, a->id);
  } else {
    json_array_foreach(v, k, e) {
      int bit;
      s = json_string_value(e);
      if (!s || !*s || strlen(s) > MAAT_ID_MAX)
        return maat__fail(MAAT_EPARSE, "%s: agent '%s': field 'skills': "
                          "expected strings", name, a->id);
      if (!strcmp(s, "*")) {
        a->skills = ~(uint64_t)0;
        continue;
      }
      bit = skill_bit(t, s);
      if (bit < 0 && t->has_map) {
        char known[400] = "";
        for (int q = 0; q < t->nintents; q++)
          snprintf(known + strlen(known), sizeof known - strlen(known),
                   "%s%s", q ? ", " : "", t->intents[q]);
        return maat__fail(MAAT_EPARSE, "%s: agent '%s': field 'skills': "
                          "'%s' is no skill of the team's 'skills' map (%s)",
                          name, a->id, s, known);
      }
      if (bit < 0) {
        if (t->nintents == MAAT__MAX_INTENTS)
          return maat__fail(MAAT_EPARSE, "%s: agent '%s': more than %d "
                            "skills in the team", name, a->id,
                            MAAT__MAX_INTENTS);
        bit = t->nintents++;
        snprintf(t->intents[bit], sizeof t->intents[bit], "%s", s);
      }
      a->skills |= (uint64_t)1 << bit;
    }
  }

  v = json_object_get(o, "tiers");
  if (!v) {
    a->tiers = 1u << MAAT_T1 | 1u << MAAT_T2;
  } else if (!json_is_array(v) || !json_array_size(v)) {
    return maat__fail(MAAT_EPARSE, "%s: agent '%s': field 'tiers': expected "
                      "a non-empty array", name, a->id);
  } else {
    json_array_foreach(v, k, e) {
      s = json_string_value(e);
      if (!s || strlen(s) != 2 || s[0] != 'T' || s[1] < '1' || s[1] > '3')
        return maat__fail(MAAT_EPARSE, "%s: agent '%s': field 'tiers': "
                          "expected \"T1\", \"T2\" or \"T3\"", name, a->id);
      a->tiers |= 1u << (s[1] - '0');
    }
  }

  if ((v = json_object_get(o, "capacity")) &&
      (rc = parse_capacity(t, v, name, a->id, a->cap)))
    return rc;

  a->shift_start = 8 * 60;
  a->shift_end = 16 * 60;
  v = json_object_get(o, "shift");
  if (v) {
    char from[8], to[8];
    s = json_string_value(v);
    if (!s || strlen(s) != 11 || s[5] != '-')
      goto bad_shift;
    memcpy(from, s, 5);
    from[5] = 0;
    memcpy(to, s + 6, 5);
    to[5] = 0;
    if (parse_hhmm(from, &a->shift_start) || parse_hhmm(to, &a->shift_end) ||
        a->shift_end <= a->shift_start)
      goto bad_shift;
  }
  return MAAT_OK;
bad_shift:
  return maat__fail(MAAT_EPARSE, "%s: agent '%s': field 'shift': expected "
                    "\"HH:MM-HH:MM\" within one day", name, a->id);
}

int maat_team_parse(maat_team **out, const char *json, size_t len,
                    const char *name)
{
  json_error_t err;
  json_t *root = NULL, *agents, *settings, *v;
  struct maat_team *t = NULL;
  const char *key;
  size_t i;
  int rc = MAAT_OK;

  root = json_loadb(json, len, 0, &err);
  if (!root) {
    rc = maat__fail(MAAT_EPARSE, "%s:%d: %s", name, err.line, err.text);
    goto out;
  }
  t = maat__calloc(1, sizeof *t);
  if (!t) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
    goto out;
  }
  for (i = 0; i < MAAT__S_COUNT; i++)
    t->set[i] = maat__settings[i].def;
  settings = json_object_get(root, "settings");
  if (settings && !json_is_object(settings)) {
    rc = maat__fail(MAAT_EPARSE, "%s: field 'settings': expected an object",
                    name);
    goto out;
  }
  json_object_foreach(settings, key, v) {
    if (!json_is_number(v)) {
      rc = maat__fail(MAAT_EPARSE, "%s: setting '%s': expected a number",
                      name, key);
      goto out;
    }
    rc = maat_team_set(t, key, json_number_value(v));
    if (rc) {
      maat__fail_prefix(rc, "%s", name);
      goto out;
    }
  }
  if ((v = json_object_get(root, "skills")) &&
      (rc = parse_skill_map(t, v, name)))
    goto out;
  if ((v = json_object_get(root, "capacity")) &&
      (rc = parse_capacity(t, v, name, NULL, NULL)))
    goto out;
  agents = json_object_get(root, "agents");
  if (!json_is_array(agents) || !json_array_size(agents)) {
    rc = maat__fail(MAAT_EPARSE, "%s: field 'agents': expected a non-empty "
                    "array", name);
    goto out;
  }
  t->n = json_array_size(agents);
  t->agents = maat__calloc(t->n, sizeof *t->agents);
  if (!t->agents) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
    goto out;
  }
  if ((rc = maat__map_reserve(&t->by_id, t->n)))
    goto out;
  json_array_foreach(agents, i, v) {
    rc = parse_agent(t, &t->agents[i], v, i, name);
    if (rc)
      goto out;
  }
  /* Capacity: an agent's own where she has one, else the team's. */
  for (size_t k = 0; k < t->n; k++)
    for (int c = 0; c < t->nchans; c++) {
      if (!t->agents[k].cap[c])
        t->agents[k].cap[c] = t->chan_cap[c];
      if (t->agents[k].cap[c] > 1)
        t->chan_multi[c] = 1;
    }
  /* A skill nobody has would leave its contacts waiting for ever. */
  for (int b = 0; t->has_map && b < t->nintents; b++) {
    int any = 0;
    for (size_t k = 0; k < t->n && !any; k++)
      any = (t->agents[k].skills >> b & 1) &&
            t->agents[k].skills != ~(uint64_t)0;
    for (size_t k = 0; k < t->n && !any; k++)
      any = t->agents[k].skills == ~(uint64_t)0;
    if (!any) {
      rc = maat__fail(MAAT_EPARSE, "%s: skill '%s' of the 'skills' map "
                      "matches no agent: its contacts could never be "
                      "taken", name, t->intents[b]);
      goto out;
    }
  }
  *out = t;
  t = NULL;
out:
  maat_team_free(t);
  json_decref(root);
  return rc;
}

int maat_team_load(maat_team **out, const char *path)
{
  struct maat_buf b = MAAT_BUF_INIT;
  int rc = maat__read_file(path, (size_t)64 << 20, &b);

  if (!rc)
    rc = maat_team_parse(out, b.data ? b.data : "", b.len, path);
  maat__buf_release(&b);
  return rc;
}

void maat_team_free(maat_team *team)
{
  if (!team)
    return;
  maat__free(team->agents);
  maat__free(team->map_intent);
  maat__free(team->map_bit);
  maat__map_release(&team->by_id);
  maat__free(team);
}

size_t maat_team_size(const maat_team *team)
{
  return team->n;
}

const char *maat_team_agent_id(const maat_team *team, size_t i)
{
  return i < team->n ? team->agents[i].id : NULL;
}

double maat_team_setting(const maat_team *team, const char *name)
{
  for (int i = 0; i < MAAT__S_COUNT; i++)
    if (!strcmp(maat__settings[i].name, name))
      return team->set[i];
  return NAN;
}

int maat_team_set(maat_team *team, const char *name, double value)
{
  for (int i = 0; i < MAAT__S_COUNT; i++) {
    const struct maat__setting *s = &maat__settings[i];
    if (strcmp(s->name, name))
      continue;
    if (!(value >= s->lo && value <= s->hi))
      return maat__fail(MAAT_EINVAL, "setting '%s': %g is outside %g..%g",
                        name, value, s->lo, s->hi);
    team->set[i] = value;
    return MAAT_OK;
  }
  return maat__fail(MAAT_ENOTFOUND, "unknown setting '%s'", name);
}

int maat_team_describe(const maat_team *team, char **out)
{
  json_t *o = json_object(), *agents = json_array(), *set = json_object();
  char *s;

  for (size_t i = 0; i < team->n; i++) {
    const struct maat__agent_def *a = &team->agents[i];
    json_t *e = json_object(), *langs = json_array(), *skills, *tiers =
        json_array();
    char shift[48];
    for (int l = 0; l < team->nlangs; l++)
      if (a->langs >> l & 1)
        json_array_append_new(langs, json_string(team->langs[l]));
    if (a->skills == ~(uint64_t)0) {
      skills = json_string("*");
    } else {
      skills = json_array();
      for (int k = 0; k < team->nintents; k++)
        if (a->skills >> k & 1)
          json_array_append_new(skills, json_string(team->intents[k]));
    }
    for (int t = MAAT_T1; t <= MAAT_T3; t++)
      if (a->tiers >> t & 1)
        json_array_append_new(tiers, json_string(maat_tier_name(t)));
    snprintf(shift, sizeof shift, "%02d:%02d-%02d:%02d", a->shift_start / 60,
             a->shift_start % 60, a->shift_end / 60 % 100, a->shift_end % 60);
    json_object_set_new(e, "id", json_string(a->id));
    json_object_set_new(e, "languages", langs);
    json_object_set_new(e, "skills", skills);
    json_object_set_new(e, "tiers", tiers);
    json_object_set_new(e, "shift", json_string(shift));
    if (team->nchans) {
      json_t *cap = json_object();
      for (int c = 0; c < team->nchans; c++)
        json_object_set_new(cap, team->chans[c], json_integer(a->cap[c]));
      json_object_set_new(e, "capacity", cap);
    }
    json_array_append_new(agents, e);
  }
  for (int i = 0; i < MAAT__S_COUNT; i++)
    json_object_set_new(set, maat__settings[i].name,
                        json_real(team->set[i]));
  json_object_set_new(o, "agents", agents);
  json_object_set_new(o, "settings", set);
  if (team->nchans) {
    json_t *cap = json_object();
    for (int c = 0; c < team->nchans; c++)
      json_object_set_new(cap, team->chans[c], json_integer(team->chan_cap[c]));
    json_object_set_new(o, "capacity", cap);
  }
  s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10));
  json_decref(o);
  if (!s)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  *out = maat__strdup(s);
  free(s);
  return *out ? MAAT_OK : maat__fail(MAAT_ENOMEM, "out of memory");
}

const char *maat_team_mapped_intent(const maat_team *team, size_t i,
                                    const char **skill)
{
  if (!team->has_map || i >= (size_t)team->nmap)
    return NULL;
  if (skill)
    *skill = team->intents[team->map_bit[i]];
  return team->map_intent[i];
}

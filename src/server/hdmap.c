/*
 * hdmap.c - who is who in each helpdesk: the map from a helpdesk's users
 * to the team's agents. It starts as the config file's "agents"; an admin
 * may replace it through the API (PUT /v1/helpdesks/{n}/agents) or go back
 * to the file's (DELETE). A map set through the API is kept in the store
 * (meta "helpdesk.N.agents"), so it survives a restart and holds on the
 * node that leads next. The engine gets each new map under its own lock
 * for the write-back; the server's readers (the RT connector, Chatwoot
 * presence, the config view) read it under hd_mu.
 */
#include "server-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HD_USERS_MAX 256

static void meta_key(int k, char *out, size_t size)
{
  snprintf(out, size, "helpdesk.%d.agents", k);
}

int maat__hd_start(struct maat_server *s)
{
  int n = s->o.nhelpdesks;

  if (n <= 0 || !s->o.helpdesks)
    return MAAT_OK;
  s->hd = calloc((size_t)n, sizeof *s->hd);
  s->hd_file = calloc((size_t)n, sizeof *s->hd_file);
  s->hd_owned = calloc((size_t)n, sizeof *s->hd_owned);
  s->hd_map = calloc((size_t)n, sizeof *s->hd_map);
  if (!s->hd || !s->hd_file || !s->hd_owned || !s->hd_map)
    return maat_error_set(MAAT_ENOMEM, "out of memory");
  memcpy(s->hd, s->o.helpdesks, (size_t)n * sizeof *s->hd);
  memcpy(s->hd_file, s->o.helpdesks, (size_t)n * sizeof *s->hd_file);
  s->o.helpdesks = s->hd;
  return MAAT_OK;
}

void maat__hd_stop(struct maat_server *s)
{
  for (int k = 0; s->hd_owned && s->hd_map && k < s->o.nhelpdesks; k++) {
    free(s->hd_owned[k]);
    json_decref(s->hd_map[k]);
  }
  free(s->hd);
  free(s->hd_file);
  free(s->hd_owned);
  free(s->hd_map);
}

/*
 * Checks a map {helpdesk user: agent} for helpdesk 'k' and makes its users
 * (pointing into 'map'); NULL and a message naming the entry when it is
 * not one.
 */
static struct maat_helpdesk_user *users_of(struct maat_server *s, int k,
                                           json_t *map, int *n, char *err,
                                           size_t errsize)
{
  const struct maat_helpdesk_target *h = &s->hd_file[k];
  struct maat_helpdesk_user *u;
  const char *user;
  json_t *v;
  int i = 0;

  if (!json_is_object(map)) {
    snprintf(err, errsize, "field 'agents': expected an object of helpdesk "
             "user: maat agent id");
    return NULL;
  }
  if (json_object_size(map) > HD_USERS_MAX) {
    snprintf(err, errsize, "field 'agents': at most %d users",
             HD_USERS_MAX);
    return NULL;
  }
  json_object_foreach(map, user, v) {
    const char *agent = json_string_value(v);
    char *end;
    int state;
    if (!*user || strlen(user) > 64 || maat_utf8_validate(user, strlen(user), NULL) ||
        strpbrk(user, "\r\n\t")) {
      snprintf(err, errsize, "agents: a helpdesk user is 1 to 64 bytes of "
               "text");
      return NULL;
    }
    (void)strtol(user, &end, 10);
    if (*end && h->kind != MAAT_HELPDESK_RT) {
      snprintf(err, errsize, "agents: '%.64s': a %s user is its numeric id",
               user, maat_helpdesk_kind_name(h->kind));
      return NULL;
    }
    if (!agent || maat_engine_agent_state(s->engine, agent, &state)) {
      snprintf(err, errsize, "agents: '%.64s': maps to '%.64s', who is not "
               "an agent of the team", user, agent ? agent : "(not text)");
      return NULL;
    }
  }
  u = calloc(json_object_size(map) ? json_object_size(map) : 1, sizeof *u);
  if (!u) {
    snprintf(err, errsize, "out of memory");
    return NULL;
  }
  json_object_foreach(map, user, v) {
    u[i].user = user;
    u[i++].agent = json_string_value(v);
  }
  *n = i;
  return u;
}

/*
 * Puts users[0..n) (from 'map', both taken; NULL: the file's) in force for
 * helpdesk 'k': the engine's first, then the server's readers'.
 */
static int put_in_force(struct maat_server *s, int k,
                        struct maat_helpdesk_user *users, int n, json_t *map)
{
  const struct maat_helpdesk_user *use = users ? users : s->hd_file[k].users;
  int nuse = users ? n : s->hd_file[k].nusers;
  struct maat_helpdesk_user *old;
  json_t *oldmap;
  int rc = maat_engine_helpdesk_users(s->engine, k, use, nuse);

  if (rc) {
    free(users);
    json_decref(map);
    return rc;
  }
  pthread_mutex_lock(&s->hd_mu);
  s->hd[k].users = use;
  s->hd[k].nusers = nuse;
  old = s->hd_owned[k];
  oldmap = s->hd_map[k];
  s->hd_owned[k] = users;
  s->hd_map[k] = map;
  pthread_mutex_unlock(&s->hd_mu);
  free(old);
  json_decref(oldmap);
  return MAAT_OK;
}

int maat__hd_restore(struct maat_server *s)
{
  for (int k = 0; k < s->o.nhelpdesks; k++) {
    char key[48], err[200], *txt = NULL;
    struct maat_helpdesk_user *u;
    json_t *map;
    int n = 0, rc;
    meta_key(k, key, sizeof key);
    rc = maat_store_meta_get(s->store, key, &txt);
    if (rc == MAAT_ENOTFOUND)
      continue;
    if (rc)
      return rc;
    map = *txt ? json_loads(txt, 0, NULL) : NULL;
    maat_free(txt);
    if (!map)
      continue;      /* "": the file's map (DELETE) */
    if (json_is_object(map)) {
      /* An agent who left the team since is dropped from the map. */
      const char *user;
      json_t *v, *tmp;
      int state, pruned = 0;
      json_object_foreach_safe(map, tmp, user, v) {
        if (!json_is_string(v) ||
            maat_engine_agent_state(s->engine, json_string_value(v),
                                    &state)) {
          json_object_del(map, user);
          pruned = 1;
        }
      }
      if (pruned && (txt = json_dumps(map, JSON_COMPACT | JSON_SORT_KEYS))) {
        maat_store_meta_set(s->store, key, txt);
        free(txt);
      }
    }
    if (!(u = users_of(s, k, map, &n, err, sizeof err))) {
      json_decref(map);
      return maat_error_set(MAAT_EINVAL, "helpdesks[%d]: the agent map set "
                            "through the API (store meta '%s'): %s", k, key,
                            err);
    }
    if ((rc = put_in_force(s, k, u, n, map)))
      return rc;
  }
  return MAAT_OK;
}

int maat__hd_user_agent(struct maat_server *s, int k, const char *user,
                        char *agent, size_t size)
{
  int found = 0;

  pthread_mutex_lock(&s->hd_mu);
  for (int i = 0; i < s->hd[k].nusers && !found; i++)
    if (!strcmp(s->hd[k].users[i].user, user)) {
      if (agent)
        snprintf(agent, size, "%s", s->hd[k].users[i].agent);
      found = 1;
    }
  pthread_mutex_unlock(&s->hd_mu);
  return found;
}

json_t *maat__hd_agents_json(struct maat_server *s, int k)
{
  json_t *o = json_object();

  pthread_mutex_lock(&s->hd_mu);
  for (int i = 0; i < s->hd[k].nusers; i++)
    json_object_set_new(o, s->hd[k].users[i].user,
                        json_string(s->hd[k].users[i].agent));
  pthread_mutex_unlock(&s->hd_mu);
  return o;
}

const char *maat__hd_agents_source(struct maat_server *s, int k)
{
  const char *src;

  pthread_mutex_lock(&s->hd_mu);
  src = s->hd_map[k] ? "api" : "file";
  pthread_mutex_unlock(&s->hd_mu);
  return src;
}

/* The helpdesk a path's segment 2 names: its index in the config. */
static int helpdesk_of(struct call *c)
{
  char *end;
  long k = strtol(c->seg[2], &end, 10);

  return *c->seg[2] && !*end && k >= 0 && k < c->s->o.nhelpdesks ? (int)k
                                                                 : -1;
}

static json_t *one_json(struct maat_server *s, int k)
{
  return json_pack("{s:i, s:s, s:o, s:s}", "index", k, "kind",
                   maat_helpdesk_kind_name(s->hd[k].kind), "agents",
                   maat__hd_agents_json(s, k), "agents_from",
                   maat__hd_agents_source(s, k));
}

/* GET /v1/helpdesks: each helpdesk's kind and who is who in it. */
enum MHD_Result maat__get_helpdesks(struct call *c)
{
  json_t *list = json_array();

  for (int k = 0; k < c->s->o.nhelpdesks; k++)
    json_array_append_new(list, one_json(c->s, k));
  return maat__send_json(c, 200, json_pack("{s:o}", "helpdesks", list));
}

/* PUT /v1/helpdesks/{n}/agents {"agents": {user: agent}}; DELETE: back to
 * the config file's map. */
enum MHD_Result maat__put_helpdesk_agents(struct call *c)
{
  struct maat_server *s = c->s;
  int k = helpdesk_of(c), del = !strcmp(c->method, "DELETE"), n = 0, rc;
  struct maat_helpdesk_user *u = NULL;
  enum MHD_Result ret;
  char key[48], err[200], *txt = NULL;
  json_t *o = NULL, *map = NULL;

  c->audit = 1;
  if (k < 0)
    return maat__fail_call(c, 404, "no such helpdesk: the index of one in "
                           "GET /v1/helpdesks", NULL);
  if (!del) {
    if (!(o = maat__parse_body(c, &ret)))
      return ret;
    map = json_deep_copy(json_object_get(o, "agents"));
    json_decref(o);
    if (!(u = users_of(s, k, map, &n, err, sizeof err))) {
      json_decref(map);
      return maat__fail_call(c, 400, err, "agents");
    }
    if (!(txt = json_dumps(map, JSON_COMPACT | JSON_SORT_KEYS))) {
      free(u);
      json_decref(map);
      return maat__library_error(c, maat_error_set(MAAT_ENOMEM,
                                                   "out of memory"));
    }
  }
  meta_key(k, key, sizeof key);
  /* Kept first: what is in force is always what a restart finds. */
  rc = maat_store_meta_set(s->store, key, txt ? txt : "");
  free(txt);
  if (!rc)
    rc = put_in_force(s, k, u, n, map);
  else {
    free(u);
    json_decref(map);
  }
  if (rc)
    return maat__library_error(c, rc);
  snprintf(c->detail, sizeof c->detail, "helpdesk %d (%s): agent map %s", k,
           maat_helpdesk_kind_name(s->hd[k].kind),
           del ? "back to the config file's" : "set");
  return maat__send_json(c, 200, one_json(s, k));
}

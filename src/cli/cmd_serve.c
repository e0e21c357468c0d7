/*
 * cmd_serve.c - 'maat serve': runs the HTTP API and the web pages until
 * SIGINT or SIGTERM. Settings come from a JSON file (--config) and flags;
 * flags win.
 */
#include "cli.h"
#include "server.h"

#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
  fprintf(f,
    "Usage: maat serve --team TEAM --db STORE [OPTIONS]\n"
    "\n"
    "Serves the HTTP API (docs/api.md) and the web pages: the team dashboard\n"
    "for leads and each agent's private view. Contacts are triaged, routed\n"
    "and committed to the store's event log before the reply, so a 2xx means\n"
    "durable; requests run side by side and share commits. A restart loads\n"
    "the newest snapshot and replays the events after it. Requests need\n"
    "a bearer token ('maat token add'). Listens on 127.0.0.1 unless told\n"
    "otherwise. Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.\n"
    "\n"
    "Options:\n"
    "  -t, --team FILE          the team (docs/team-file.md)\n"
    "  -d, --db STORE           the store: a file path, sqlite:PATH or a\n"
    "                           PostgreSQL URI, postgresql://USER@HOST/DB\n"
    "                           (event log, snapshots, tokens, audit log,\n"
    "                           check-ins; docs/deploy.md)\n"
    "  -p, --port N             port (default 8420; 0: any free port)\n"
    "  -b, --bind ADDR          IPv4 or IPv6 address to listen on (default\n"
    "                           127.0.0.1; :: listens on every address of both)\n"
    "      --policy P           maat (default), efficiency or round-robin\n"
    "  -m, --intent-model M     the intent model for triage; without it\n"
    "                           nothing goes to the bot\n"
    "      --tone-model M       the English tone model (default: the\n"
    "                           shipped one)\n"
    "      --no-tone-model      tone from the lexicon alone\n"
    "      --standby            when another maat serves the store, wait and\n"
    "                           take over the moment it stops (kill -9\n"
    "                           included): a second node, docs/deploy.md\n"
    "      --follow             PostgreSQL: serve beside the node that leads:\n"
    "                           reads from the log it follows, writes handed\n"
    "                           to the leader; take over when it stops\n"
    "      --triage-config C    docs/triage-config.md\n"
    "      --web-root DIR       the web pages (default: the built web/dist)\n"
    "      --clock-speed X      router seconds per real second (default 1;\n"
    "                           the demo runs a day in minutes)\n"
    "      --max-body BYTES     largest request body (default 1048576)\n"
    "      --min-group N        team strain figures need a group of N people\n"
    "                           (default 5, at least 3: docs/security.md)\n"
    "      --max-connections N  connections open at once (default 1000)\n"
    "      --per-client N       connections open at once from one address\n"
    "                           (default 100)\n"
    "      --idle-timeout S     close a connection silent for S seconds\n"
    "                           (default 10)\n"
    "  -c, --config FILE        a JSON file with any of: team, db, port, bind,\n"
    "                           policy, intent_model, tone_model,\n"
    "                           triage_config, web_root, clock_speed,\n"
    "                           max_body, min_group, webhook_secret,\n"
    "                           alerts, outbox, timezone, helpdesks,\n"
    "                           kb_threshold, data_classes, retrain,\n"
    "                           insight\n"
    "                           (docs/api.md, docs/learning.md,\n"
    "                           docs/outbox.md, docs/helpdesks.md,\n"
    "                           docs/knowledge.md, docs/privacy.md)\n"
    "      --alert-url URL      post team warnings (overload, understaffed,\n"
    "                           forecast, unroutable, open_too_long) to URL,\n"
    "                           retried until delivered (docs/outbox.md)\n"
    "      --alert-format F     json (default), slack or teams; give it\n"
    "                           before --alert-url\n"
    "\n"
    "Helpdesk webhooks (POST /v1/webhooks/chatwoot, /v1/webhooks/zammad) are\n"
    "let in by an integration token, or by the helpdesk's HMAC signature with\n"
    "the secret from the config file's webhook_secret or the environment\n"
    "variable MAAT_WEBHOOK_SECRET (not a flag: flags show in 'ps').\n"
    "Request Tracker 5 (a helpdesk of kind rt) is read through its REST2 API\n"
    "every poll_s seconds instead. A customer's message on a conversation\n"
    "with an open contact joins that contact (docs/helpdesks.md).\n"
    "\n"
    "When the store holds a knowledge base ('maat kb import'), a contact\n"
    "for the bot goes to it only when the knowledge base answers it with\n"
    "confidence; the answer, labelled as AI, goes back to the helpdesk, and\n"
    "a T2 contact carries a prepared case. POST /v1/ask answers employees;\n"
    "GET /v1/kb/gaps groups what nobody could answer (docs/knowledge.md).\n"
    "An import is picked up within seconds.\n"
    "  -h, --help               show this help\n"
    "\n"
    "Exit status: 0 after a clean stop, 1 failure, 2 usage error.\n");
}

/* "outbox": {"max_attempts", "backoff_s", "backoff_max_s", "timeout_s"} */
static int parse_outbox(const char *path, json_t *v,
                        struct maat_outbox_opts *out)
{
  static const struct maat_outbox_opts def = MAAT_OUTBOX_OPTS_INIT;
  const char *key;
  json_t *x;

  *out = def;
  if (!json_is_object(v)) {
    cli_error("serve: %s: field 'outbox': expected an object", path);
    return -1;
  }
  json_object_foreach(v, key, x) {
    double d = json_number_value(x);
    if (!json_is_number(x)) {
      cli_error("serve: %s: outbox: field '%s': expected a number", path, key);
      return -1;
    }
    if (!strcmp(key, "max_attempts") && d >= 1 && d <= 1000)
      out->max_attempts = (int)d;
    else if (!strcmp(key, "backoff_s") && d >= 0.01 && d <= 3600)
      out->backoff_s = d;
    else if (!strcmp(key, "backoff_max_s") && d >= 0.01 && d <= 86400)
      out->backoff_max_s = d;
    else if (!strcmp(key, "timeout_s") && d >= 0.1 && d <= 600)
      out->timeout_s = d;
    else {
      cli_error("serve: %s: outbox: field '%s': unknown, or out of range "
                "(max_attempts 1..1000, backoff_s 0.01..3600, "
                "backoff_max_s 0.01..86400, timeout_s 0.1..600)", path, key);
      return -1;
    }
  }
  return 0;
}

/*
 * "data_classes": {"messages": {"keep", "days", "ai"}, "contacts":
 * {"days"}, "checkins": {"days"}, "audit": {"days"}} (docs/privacy.md)
 */
static struct maat_retention retention = MAAT_RETENTION_DEFAULT;

static int parse_data_classes(const char *path, json_t *v,
                              struct maat_serve_options *o)
{
  static const char *const classes[] = { "messages", "contacts", "checkins",
                                         "audit" };
  int *days[] = { &retention.messages_days, &retention.contacts_days,
                  &retention.checkins_days, &retention.audit_days };
  const char *cls;
  json_t *c;

  if (!json_is_object(v)) {
    cli_error("serve: %s: field 'data_classes': expected an object", path);
    return -1;
  }
  json_object_foreach(v, cls, c) {
    const char *key;
    json_t *x;
    int k;
    for (k = 0; k < 4 && strcmp(classes[k], cls); k++)
      ;
    if (k == 4 || !json_is_object(c)) {
      cli_error("serve: %s: data_classes: field '%s': expected one of "
                "messages, contacts, checkins, audit, as an object", path,
                cls);
      return -1;
    }
    json_object_foreach(c, key, x) {
      if (!strcmp(key, "days") && json_is_integer(x) &&
          json_integer_value(x) >= 0 && json_integer_value(x) <= 36500) {
        *days[k] = (int)json_integer_value(x);
      } else if (k == 0 && !strcmp(key, "keep") && json_is_boolean(x)) {
        o->forget_words = !json_is_true(x);
      } else if (k == 0 && !strcmp(key, "ai") && json_is_string(x) &&
                 (!strcmp(json_string_value(x), "redacted") ||
                  !strcmp(json_string_value(x), "raw"))) {
        o->ai_sees_raw = !strcmp(json_string_value(x), "raw");
      } else {
        cli_error("serve: %s: data_classes: %s: field '%s': unknown, or "
                  "out of range (days 0..36500, 0 keeps until erased; "
                  "messages also has keep true|false and ai "
                  "\"redacted\"|\"raw\")", path, cls, key);
        return -1;
      }
    }
  }
  return 0;
}

/* "retrain": {"every_hours", "base": [FILE...], "holdout", "models"} */
static const char *retrain_base[16];

static int parse_retrain(const char *path, json_t *v,
                         struct maat_serve_options *o)
{
  const char *key;
  json_t *x;

  if (!json_is_object(v)) {
    cli_error("serve: %s: field 'retrain': expected an object", path);
    return -1;
  }
  json_object_foreach(v, key, x) {
    if (!strcmp(key, "every_hours") && json_is_number(x) &&
        json_number_value(x) > 0 && json_number_value(x) <= 24 * 366) {
      o->retrain_every_h = json_number_value(x);
    } else if (!strcmp(key, "base") && json_is_array(x) &&
               json_array_size(x) >= 1 && json_array_size(x) <= 16) {
      size_t i;
      json_t *f;
      json_array_foreach(x, i, f) {
        if (!json_is_string(f)) {
          cli_error("serve: %s: retrain: field 'base': expected file "
                    "names", path);
          return -1;
        }
        retrain_base[i] = json_string_value(f);
      }
      o->retrain_base = retrain_base;
      o->nretrain_base = (int)json_array_size(x);
    } else if (!strcmp(key, "holdout") && json_is_string(x)) {
      o->retrain_holdout = json_string_value(x);
    } else if (!strcmp(key, "models") && json_is_string(x)) {
      o->retrain_dir = json_string_value(x);
    } else {
      cli_error("serve: %s: retrain: field '%s': unknown, or not right "
                "(every_hours a number of hours, base 1 to 16 files, "
                "holdout a file, models a folder)", path, key);
      return -1;
    }
  }
  if (!o->nretrain_base || !(o->retrain_every_h > 0)) {
    cli_error("serve: %s: retrain: needs every_hours and base", path);
    return -1;
  }
  for (int i = 0; i < o->nretrain_base; i++)
    if (access(o->retrain_base[i], R_OK) != 0) {
      cli_error("serve: %s: retrain: base file '%s' cannot be read", path,
                o->retrain_base[i]);
      return -1;
    }
  return 0;
}

/* "insight": {"hour_cost", "currency", "reinvest_share", "assist_minutes",
 * "min_contacts"} (docs/insight.md) */
static struct maat_insight_opts insight_opts;

static int parse_insight(const char *path, json_t *v,
                         struct maat_serve_options *o)
{
  const char *key;
  json_t *x;

  if (!json_is_object(v)) {
    cli_error("serve: %s: field 'insight': expected an object", path);
    return -1;
  }
  json_object_foreach(v, key, x) {
    double d = json_number_value(x);
    if (!strcmp(key, "hour_cost") && json_is_number(x) && d >= 0 && d < 1e6)
      insight_opts.hour_cost = d;
    else if (!strcmp(key, "currency") && json_is_string(x) &&
             json_string_length(x) == 3)
      insight_opts.currency = json_string_value(x);
    else if (!strcmp(key, "reinvest_share") && json_is_number(x) && d >= 0 &&
             d <= 1)
      insight_opts.reinvest_share = d;
    else if (!strcmp(key, "assist_minutes") && json_is_number(x) && d >= 0 &&
             d <= 600)
      insight_opts.assist_minutes = d;
    else if (!strcmp(key, "min_contacts") && json_is_integer(x) && d >= 1 &&
             d <= 1e6)
      insight_opts.min_contacts = (int)d;
    else {
      cli_error("serve: %s: insight: field '%s': unknown, or not right "
                "(hour_cost and assist_minutes 0 or more, currency a code "
                "such as EUR, reinvest_share 0 to 1, min_contacts a count)",
                path, key);
      return -1;
    }
  }
  o->insight = &insight_opts;
  return 0;
}

/* The helpdesks to write back to: the config file's "helpdesks". */
#define MAX_HELPDESKS 4
static struct maat_helpdesk_target helpdesks[MAX_HELPDESKS];
static const char *helpdesk_tokens[MAX_HELPDESKS];
static struct maat_helpdesk_user helpdesk_users[MAX_HELPDESKS][256];
static char helpdesk_account[MAX_HELPDESKS][32];
static char helpdesk_cred[MAX_HELPDESKS][512];
static int nhelpdesks;

/*
 * "helpdesks": [{"kind": "chatwoot"|"zammad", "url", "token" or
 * "token_env" (the name of an environment variable), "account_id"
 * (Chatwoot), "lang", "agents": {helpdesk user id: maat agent id},
 * "groups": {"T2": name, "T3": name} (Zammad), RT's "user" and
 * "password" (or "password_env"), "queues" by tier and "poll_s"}]; errors
 * name the entry and the field.
 */
static int parse_helpdesks(const char *path, json_t *list)
{
  size_t i;
  json_t *h;

  if (!json_is_array(list)) {
    cli_error("serve: %s: field 'helpdesks': expected an array", path);
    return -1;
  }
  json_array_foreach(list, i, h) {
    struct maat_helpdesk_target *t;
    const char *key, *kind;
    json_t *v;
    if (nhelpdesks == MAX_HELPDESKS || !json_is_object(h)) {
      cli_error("serve: %s: helpdesks[%zu]: expected an object (at most %d)",
                path, i, MAX_HELPDESKS);
      return -1;
    }
    t = &helpdesks[nhelpdesks];
    memset(t, 0, sizeof *t);
    json_object_foreach(h, key, v)
      if (strcmp(key, "kind") && strcmp(key, "url") && strcmp(key, "token") &&
          strcmp(key, "token_env") && strcmp(key, "account_id") &&
          strcmp(key, "lang") && strcmp(key, "agents") && strcmp(key, "groups") &&
          strcmp(key, "user") && strcmp(key, "password") &&
          strcmp(key, "password_env") && strcmp(key, "queues") &&
          strcmp(key, "poll_s") && strcmp(key, "presence")) {
        cli_error("serve: %s: helpdesks[%zu]: field '%s': unknown field", path,
                  i, key);
        return -1;
      }
    kind = json_string_value(json_object_get(h, "kind"));
    if (!(t->kind = maat_helpdesk_kind_parse(kind))) {
      cli_error("serve: %s: helpdesks[%zu]: field 'kind': expected rt, "
                "chatwoot or zammad", path, i);
      return -1;
    }
    t->url = json_string_value(json_object_get(h, "url"));
    if (!t->url || (strncmp(t->url, "http://", 7) &&
                    strncmp(t->url, "https://", 8)) ||
        t->url[strlen(t->url) - 1] == '/') {
      cli_error("serve: %s: helpdesks[%zu]: field 'url': expected an http:// or "
                "https:// base URL without a trailing /", path, i);
      return -1;
    }
    v = json_object_get(h, "token_env");
    helpdesk_tokens[nhelpdesks] = v ? getenv(json_string_value(v) ? json_string_value(v) : "")
                                    : json_string_value(json_object_get(h, "token"));
    if (t->kind == MAAT_HELPDESK_RT && json_object_get(h, "user")) {
      /* RT: a user and password (basic authentication), kept as
       * "user:password"; or an auth token ("token"). */
      const char *user = json_string_value(json_object_get(h, "user"));
      const char *pw;
      v = json_object_get(h, "password_env");
      pw = v ? getenv(json_string_value(v) ? json_string_value(v) : "")
             : json_string_value(json_object_get(h, "password"));
      if (!user || !*user || strchr(user, ':') || !pw || !*pw) {
        cli_error("serve: %s: helpdesks[%zu]: field 'user': RT needs a 'user' "
                  "(no ':') with a 'password', or a 'password_env' naming a "
                  "set environment variable", path, i);
        return -1;
      }
      snprintf(helpdesk_cred[nhelpdesks], sizeof helpdesk_cred[0], "%s:%s",
               user, pw);
      helpdesk_tokens[nhelpdesks] = helpdesk_cred[nhelpdesks];
      t->self = user;
    }
    if (!helpdesk_tokens[nhelpdesks] || !*helpdesk_tokens[nhelpdesks]) {
      cli_error("serve: %s: helpdesks[%zu]: a 'token', or a 'token_env' naming "
                "a set environment variable, is needed%s", path, i,
                t->kind == MAAT_HELPDESK_RT ? " (RT: or 'user' and 'password')"
                                            : "");
      return -1;
    }
    v = json_object_get(h, "poll_s");
    t->poll_s = 2;
    if (v && (!json_is_number(v) || json_number_value(v) < 0.2 ||
              json_number_value(v) > 3600)) {
      cli_error("serve: %s: helpdesks[%zu]: field 'poll_s': expected seconds "
                "from 0.2 to 3600", path, i);
      return -1;
    }
    if (v)
      t->poll_s = json_number_value(v);
    v = json_object_get(h, "presence");
    if (v && (!json_is_boolean(v) || t->kind != MAAT_HELPDESK_CHATWOOT)) {
      cli_error("serve: %s: helpdesks[%zu]: field 'presence': expected true or "
                "false, for Chatwoot", path, i);
      return -1;
    }
    t->presence = json_is_true(v);
    v = json_object_get(h, "account_id");
    if (json_is_integer(v))
      snprintf(helpdesk_account[nhelpdesks], sizeof helpdesk_account[0], "%lld",
               (long long)json_integer_value(v));
    else if (json_is_string(v))
      snprintf(helpdesk_account[nhelpdesks], sizeof helpdesk_account[0], "%s",
               json_string_value(v));
    else if (t->kind == MAAT_HELPDESK_CHATWOOT) {
      cli_error("serve: %s: helpdesks[%zu]: field 'account_id': Chatwoot needs "
                "the account's id", path, i);
      return -1;
    }
    t->account = helpdesk_account[nhelpdesks];
    t->lang = json_string_value(json_object_get(h, "lang"));
    if (!t->lang)
      t->lang = "en";
    if (strcmp(t->lang, "en") && strcmp(t->lang, "nl")) {
      cli_error("serve: %s: helpdesks[%zu]: field 'lang': expected en or nl",
                path, i);
      return -1;
    }
    v = json_object_get(h, "agents");
    if (v && !json_is_object(v)) {
      cli_error("serve: %s: helpdesks[%zu]: field 'agents': expected an object "
                "of helpdesk user id: maat agent id", path, i);
      return -1;
    }
    json_object_foreach(v, key, h) {
      char *end;
      (void)strtol(key, &end, 10);
      if (!*key || (*end && t->kind != MAAT_HELPDESK_RT) ||
          !json_is_string(h) || t->nusers == 256) {
        cli_error("serve: %s: helpdesks[%zu]: agents: '%s': expected a %s "
                  "and a maat agent id (at most 256)", path, i, key,
                  t->kind == MAAT_HELPDESK_RT ? "RT user name"
                                              : "numeric helpdesk user id");
        return -1;
      }
      helpdesk_users[nhelpdesks][t->nusers].user = key;
      helpdesk_users[nhelpdesks][t->nusers++].agent = json_string_value(h);
    }
    t->users = helpdesk_users[nhelpdesks];
    v = json_object_get(json_array_get(list, i),
                        t->kind == MAAT_HELPDESK_RT ? "queues" : "groups");
    if (v && !json_is_object(v)) {
      cli_error("serve: %s: helpdesks[%zu]: field '%s': expected an object "
                "{\"T1\": name, \"T2\": name, \"T3\": name}", path, i,
                t->kind == MAAT_HELPDESK_RT ? "queues" : "groups");
      return -1;
    }
    if (v) {
      for (int tier = 1; tier <= 3; tier++) {
        char name[4];
        snprintf(name, sizeof name, "T%d", tier);
        t->group[tier] = json_string_value(json_object_get(v, name));
      }
    }
    nhelpdesks++;
  }
  return 0;
}

/* Keeps strings from the config file alive until exit. */
static json_t *config_root;

/* The alert targets: the config file's "alerts", then --alert-url. */
#define MAX_ALERTS 8
static struct maat_alert_target alerts[MAX_ALERTS];
static int nalerts;

/*
 * "alerts": [{"url": "https://...", "format": "json|slack|teams",
 * "lang": "en|nl", "kinds": ["overload", ...]}]; errors name the entry
 * and the field.
 */
static int parse_alerts(const char *path, json_t *list)
{
  size_t i;
  json_t *a;

  if (!json_is_array(list)) {
    cli_error("serve: %s: field 'alerts': expected an array", path);
    return -1;
  }
  json_array_foreach(list, i, a) {
    struct maat_alert_target *t;
    json_t *url = json_object_get(a, "url"), *f = json_object_get(a, "format");
    json_t *lang = json_object_get(a, "lang"), *kinds = json_object_get(a,
                                                                       "kinds");
    const char *key;
    json_t *v;
    if (nalerts == MAX_ALERTS) {
      cli_error("serve: %s: field 'alerts': at most %d", path, MAX_ALERTS);
      return -1;
    }
    if (!json_is_object(a)) {
      cli_error("serve: %s: alerts[%zu]: expected an object", path, i);
      return -1;
    }
    json_object_foreach(a, key, v)
      if (strcmp(key, "url") && strcmp(key, "format") && strcmp(key, "lang") &&
          strcmp(key, "kinds")) {
        cli_error("serve: %s: alerts[%zu]: field '%s': unknown field", path,
                  i, key);
        return -1;
      }
    t = &alerts[nalerts];
    memset(t, 0, sizeof *t);
    if (!json_is_string(url) ||
        (strncmp(json_string_value(url), "http://", 7) &&
         strncmp(json_string_value(url), "https://", 8))) {
      cli_error("serve: %s: alerts[%zu]: field 'url': expected an http:// "
                "or https:// URL", path, i);
      return -1;
    }
    t->url = json_string_value(url);
    t->format = f ? maat_alert_format_parse(json_string_value(f)) : 0;
    if (t->format < 0) {
      cli_error("serve: %s: alerts[%zu]: field 'format': expected json, "
                "slack or teams", path, i);
      return -1;
    }
    t->lang = lang ? json_string_value(lang) : "en";
    if (!t->lang || (strcmp(t->lang, "en") && strcmp(t->lang, "nl"))) {
      cli_error("serve: %s: alerts[%zu]: field 'lang': expected en or nl",
                path, i);
      return -1;
    }
    if (kinds) {
      size_t k;
      json_t *kind;
      if (!json_is_array(kinds)) {
        cli_error("serve: %s: alerts[%zu]: field 'kinds': expected an array",
                  path, i);
        return -1;
      }
      json_array_foreach(kinds, k, kind) {
        unsigned bit = maat_alert_kind(json_string_value(kind));
        if (!bit) {
          cli_error("serve: %s: alerts[%zu]: field 'kinds': '%s' is none of "
                    "overload, understaffed, forecast, unroutable, "
                    "open_too_long", path, i,
                    json_is_string(kind) ? json_string_value(kind) : "?");
          return -1;
        }
        t->kinds |= bit;
      }
    }
    nalerts++;
  }
  return 0;
}

static int load_config(const char *path, struct maat_serve_options *o,
                       long *port)
{
  static const char *const keys[] = { "team", "db", "port", "bind", "policy",
                                      "intent_model", "tone_model",
                                      "triage_config", "web_root",
                                      "clock_speed", "max_body", "min_group",
                                      "webhook_secret", "alerts", "outbox",
                                      "timezone", "helpdesks",
                                      "kb_threshold", "data_classes",
                                      "retrain", "insight", NULL };
  json_error_t err;
  const char *key;
  json_t *v;

  config_root = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
  if (!config_root) {
    cli_error("serve: %s:%d: %s", path, err.line, err.text);
    return -1;
  }
  if (!json_is_object(config_root)) {
    cli_error("serve: %s: expected a JSON object", path);
    return -1;
  }
  json_object_foreach(config_root, key, v) {
    int known = 0, str = 1;
    for (int i = 0; keys[i]; i++)
      known |= !strcmp(keys[i], key);
    if (!known) {
      cli_error("serve: %s: field '%s': unknown field", path, key);
      return -1;
    }
    if (!strcmp(key, "alerts")) {
      if (parse_alerts(path, v))
        return -1;
      continue;
    }
    if (!strcmp(key, "helpdesks")) {
      if (parse_helpdesks(path, v))
        return -1;
      continue;
    }
    if (!strcmp(key, "outbox")) {
      if (parse_outbox(path, v, &o->outbox))
        return -1;
      continue;
    }
    if (!strcmp(key, "data_classes")) {
      if (parse_data_classes(path, v, o))
        return -1;
      continue;
    }
    if (!strcmp(key, "retrain")) {
      if (parse_retrain(path, v, o))
        return -1;
      continue;
    }
    if (!strcmp(key, "insight")) {
      if (parse_insight(path, v, o))
        return -1;
      continue;
    }
    if (!strcmp(key, "port") || !strcmp(key, "clock_speed") ||
        !strcmp(key, "max_body") || !strcmp(key, "min_group") ||
        !strcmp(key, "kb_threshold"))
      str = 0;
    if (str != json_is_string(v) || (!str && !json_is_number(v))) {
      cli_error("serve: %s: field '%s': expected a %s", path, key,
                str ? "string" : "number");
      return -1;
    }
    if (!strcmp(key, "team")) o->team_path = json_string_value(v);
    if (!strcmp(key, "db")) o->db_path = json_string_value(v);
    if (!strcmp(key, "bind")) o->bind = json_string_value(v);
    if (!strcmp(key, "policy")) o->policy = json_string_value(v);
    if (!strcmp(key, "intent_model")) o->intent_model = json_string_value(v);
    if (!strcmp(key, "tone_model")) o->tone_model = json_string_value(v);
    if (!strcmp(key, "triage_config"))
      o->triage_config = json_string_value(v);
    if (!strcmp(key, "web_root")) o->web_root = json_string_value(v);
    if (!strcmp(key, "webhook_secret"))
      o->webhook_secret = json_string_value(v);
    if (!strcmp(key, "timezone")) {
      /* The team's day: router time counts from its local midnight. */
      char zone[300];
      snprintf(zone, sizeof zone, "/usr/share/zoneinfo/%s",
               json_string_value(v));
      if (strstr(json_string_value(v), "..") || access(zone, R_OK) != 0) {
        cli_error("serve: %s: field 'timezone': '%s' is not a time zone "
                  "(like Europe/Amsterdam)", path, json_string_value(v));
        return -1;
      }
      setenv("TZ", json_string_value(v), 1);
      tzset();
    }
    if (!strcmp(key, "port")) *port = (long)json_number_value(v);
    if (!strcmp(key, "clock_speed")) o->clock_speed = json_number_value(v);
    if (!strcmp(key, "max_body")) o->max_body = (size_t)json_number_value(v);
    if (!strcmp(key, "min_group")) o->min_group = (int)json_number_value(v);
    if (!strcmp(key, "kb_threshold")) {
      o->kb_threshold = json_number_value(v);
      if (!(o->kb_threshold > 0 && o->kb_threshold <= 1)) {
        cli_error("serve: %s: field 'kb_threshold': expected a confidence "
                  "above 0, at most 1", path);
        return -1;
      }
    }
  }
  if (*port < 0 || *port > 65535 || o->clock_speed < 0 ||
      o->clock_speed > 100000 || (o->min_group && o->min_group < 3)) {
    cli_error("serve: %s: port, clock_speed or min_group (at least 3) out of "
              "range", path);
    return -1;
  }
  return 0;
}

enum { OPT_POLICY = 256, OPT_TONE, OPT_NO_TONE, OPT_TCFG, OPT_WEB, OPT_SPEED,
       OPT_BODY, OPT_GROUP, OPT_MAXCONN, OPT_PERCLIENT, OPT_IDLE,
       OPT_ALERT_URL, OPT_ALERT_FORMAT, OPT_STANDBY, OPT_FOLLOW };

/*
 * --follow: serves as a follower until the leader's lock comes free and
 * this node has it, then starts again as the leader on the same store
 * (the lock kept across) and port. 0 with '*out' the leader; 1 when a
 * signal stopped it; an error otherwise.
 */
static int follow_then_lead(struct maat_serve_options *o, sigset_t *set,
                            maat_server **out)
{
  const char *host = o->bind ? o->bind : "127.0.0.1";
  int v6 = strchr(host, ':') != NULL;

  for (;;) {
    maat_server *f = NULL;
    maat_store *kept = NULL;
    struct timespec ts = { 0, 50000000 };
    double t0;
    int rc;
    o->follow = 1;
    o->store = NULL;
    if ((rc = maat_server_start(&f, o)))
      return rc;
    if (!o->port)
      o->port = maat_server_port(f);   /* the same port when it leads */
    fprintf(stderr, "maat: serve: following on http://%s%s%s:%d/ (reads "
            "from the log, writes handed to the node that leads; taking "
            "over when it stops)\n", v6 ? "[" : "", host, v6 ? "]" : "",
            maat_server_port(f));
    while (!maat_server_promotable(f))
      if (sigtimedwait(set, NULL, &ts) > 0) {
        fprintf(stderr, "maat: serve: follower stopped\n");
        maat_server_stop(f);
        return 1;
      }
    t0 = cli_now();
    maat_server_stop_keep(f, &kept);
    o->follow = 0;
    o->store = kept;
    rc = maat_server_start(out, o);
    o->store = NULL;
    if (rc == MAAT_EBUSY)
      continue;
    if (!rc)
      fprintf(stderr, "maat: serve: the node that led stopped; this one "
              "leads now (started in %.3f s)\n", cli_now() - t0);
    return rc;
  }
}

int cmd_serve(int argc, char **argv)
{
  static const struct option opts[] = {
    { "team", required_argument, NULL, 't' },
    { "db", required_argument, NULL, 'd' },
    { "port", required_argument, NULL, 'p' },
    { "bind", required_argument, NULL, 'b' },
    { "policy", required_argument, NULL, OPT_POLICY },
    { "intent-model", required_argument, NULL, 'm' },
    { "tone-model", required_argument, NULL, OPT_TONE },
    { "no-tone-model", no_argument, NULL, OPT_NO_TONE },
    { "standby", no_argument, NULL, OPT_STANDBY },
    { "follow", no_argument, NULL, OPT_FOLLOW },
    { "triage-config", required_argument, NULL, OPT_TCFG },
    { "web-root", required_argument, NULL, OPT_WEB },
    { "clock-speed", required_argument, NULL, OPT_SPEED },
    { "max-body", required_argument, NULL, OPT_BODY },
    { "min-group", required_argument, NULL, OPT_GROUP },
    { "max-connections", required_argument, NULL, OPT_MAXCONN },
    { "per-client", required_argument, NULL, OPT_PERCLIENT },
    { "idle-timeout", required_argument, NULL, OPT_IDLE },
    { "alert-url", required_argument, NULL, OPT_ALERT_URL },
    { "alert-format", required_argument, NULL, OPT_ALERT_FORMAT },
    { "config", required_argument, NULL, 'c' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct maat_serve_options o;
  const char *config = NULL;
  long port = 8420, v;
  int c, rc, no_tone = 0, sig, alert_format = MAAT_ALERT_JSON, standby = 0;
  int follow = 0;
  sigset_t set;
  maat_server *s = NULL;

  memset(&o, 0, sizeof o);
  /* The config file first, so that flags override it. */
  for (int i = 1; i + 1 < argc; i++)
    if (!strcmp(argv[i], "--config") || !strcmp(argv[i], "-c"))
      config = argv[i + 1];
  if (config && load_config(config, &o, &port)) {
    json_decref(config_root);
    return EXIT_FAIL;
  }
  optind = 1;
  while ((c = getopt_long(argc, argv, "t:d:p:b:m:c:h", opts, NULL)) != -1) {
    switch (c) {
    case 't': o.team_path = optarg; break;
    case 'd': o.db_path = optarg; break;
    case 'p':
      if (!cli_parse_int("--port", optarg, 0, 65535, &port))
        return EXIT_USAGE;
      break;
    case 'b': o.bind = optarg; break;
    case OPT_POLICY: o.policy = optarg; break;
    case 'm': o.intent_model = optarg; break;
    case OPT_TONE: o.tone_model = optarg; break;
    case OPT_NO_TONE: no_tone = 1; break;
    case OPT_STANDBY: standby = 1; break;
    case OPT_FOLLOW: follow = 1; break;
    case OPT_TCFG: o.triage_config = optarg; break;
    case OPT_WEB: o.web_root = optarg; break;
    case OPT_SPEED:
      if (!cli_parse_double("--clock-speed", optarg, 0.001, 100000,
                            &o.clock_speed))
        return EXIT_USAGE;
      break;
    case OPT_BODY:
      if (!cli_parse_int("--max-body", optarg, 1024, 1L << 30, &v))
        return EXIT_USAGE;
      o.max_body = (size_t)v;
      break;
    case OPT_GROUP:
      if (!cli_parse_int("--min-group", optarg, 3, 1000, &v))
        return EXIT_USAGE;
      o.min_group = (int)v;
      break;
    case OPT_MAXCONN:
      if (!cli_parse_int("--max-connections", optarg, 1, 100000, &v))
        return EXIT_USAGE;
      o.max_connections = (int)v;
      break;
    case OPT_PERCLIENT:
      if (!cli_parse_int("--per-client", optarg, 1, 100000, &v))
        return EXIT_USAGE;
      o.per_client = (int)v;
      break;
    case OPT_IDLE:
      if (!cli_parse_int("--idle-timeout", optarg, 1, 3600, &v))
        return EXIT_USAGE;
      o.idle_timeout_s = (int)v;
      break;
    case OPT_ALERT_URL:
      if (strncmp(optarg, "http://", 7) && strncmp(optarg, "https://", 8))
        return cli_usage_error("serve", "--alert-url: expected an http:// "
                               "or https:// URL");
      if (nalerts == MAX_ALERTS)
        return cli_usage_error("serve", "--alert-url: at most %d targets",
                               MAX_ALERTS);
      memset(&alerts[nalerts], 0, sizeof alerts[nalerts]);
      alerts[nalerts].url = optarg;
      alerts[nalerts].lang = "en";
      alerts[nalerts].format = alert_format;
      nalerts++;
      break;
    case OPT_ALERT_FORMAT:
      if ((alert_format = maat_alert_format_parse(optarg)) < 0)
        return cli_usage_error("serve", "--alert-format: expected json, "
                               "slack or teams");
      break;
    case 'c': break;
    case 'h': usage(stdout); return EXIT_OK;
    default: return cli_usage_error("serve", "unknown option");
    }
  }
  if (optind < argc)
    return cli_usage_error("serve", "unexpected argument '%s'",
                           argv[optind]);
  if (!o.team_path || !o.db_path)
    return cli_usage_error("serve", "--team and --db are required");
  o.port = (int)port;
  o.retention = &retention;
  o.alerts = nalerts ? alerts : NULL;
  o.nalerts = nalerts;
  o.helpdesks = nhelpdesks ? helpdesks : NULL;
  o.helpdesk_tokens = helpdesk_tokens;
  o.nhelpdesks = nhelpdesks;
  if (no_tone)
    o.tone_model = NULL;
  else if (!o.tone_model)
    o.tone_model = cli_find_tone_model();
  if (!o.web_root)
    o.web_root = cli_find_web_root();
  if (!o.webhook_secret && getenv("MAAT_WEBHOOK_SECRET") &&
      *getenv("MAAT_WEBHOOK_SECRET"))
    o.webhook_secret = getenv("MAAT_WEBHOOK_SECRET");

  /* Signals are taken by sigwait() below, not by the server's threads. */
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  /* A follower serves beside the leader until the leader's lock comes
   * free, then starts again as the leader, on the same port. */
  if (follow) {
    rc = follow_then_lead(&o, &set, &s);
    if (rc == 1) {   /* stopped by a signal */
      json_decref(config_root);
      return EXIT_OK;
    }
    if (rc) {
      cli_error_rc(rc, "serve");
      json_decref(config_root);
      return EXIT_FAIL;
    }
    standby = 0;
  }
  /* A standby waits for the store's writer lock; the node holding it
   * dies, its lock goes with it (its connection, its process), and this
   * one starts from the snapshot and the log. */
  if (!s) {
    int said = 0;
    double since = 0;
    for (;;) {
      struct timespec ts = { 0, 250000000 };
      maat_store *probe = NULL;
      /* Cheaply first: the lock alone, not the models and the log. */
      rc = standby ? maat_store_open(&probe, o.db_path) : MAAT_OK;
      if (!rc && probe)
        rc = maat_store_lock_writer(probe);
      maat_store_close(probe);
      if (!rc)
        rc = maat_server_start(&s, &o);
      if (rc != MAAT_EBUSY || !standby)
        break;
      if (!said++) {
        since = cli_now();
        fprintf(stderr, "maat: serve: standby: %s; taking over when it "
                "stops\n", maat_errmsg());
      }
      if (sigtimedwait(&set, NULL, &ts) > 0) {
        fprintf(stderr, "maat: serve: standby stopped\n");
        json_decref(config_root);
        return EXIT_OK;
      }
    }
    if (!rc && said)
      fprintf(stderr, "maat: serve: standby: took over the store after "
              "%.1f s of waiting\n", cli_now() - since);
  }
  if (rc) {
    cli_error_rc(rc, "serve");
    json_decref(config_root);
    return EXIT_FAIL;
  }
  {
    /* An IPv6 address goes in brackets in a URL. */
    const char *host = o.bind ? o.bind : "127.0.0.1";
    int v6 = strchr(host, ':') != NULL;
    fprintf(stderr, "maat: serve: listening on http://%s%s%s:%d/ (%ld "
            "events from '%s'%s%s)\n", v6 ? "[" : "", host, v6 ? "]" : "",
            maat_server_port(s), maat_server_events(s), o.db_path,
            o.web_root ? "; pages from " : "; no web pages",
            o.web_root ? o.web_root : "");
  }
  sigwait(&set, &sig);
  fprintf(stderr, "maat: serve: stopping (%s)\n",
          sig == SIGINT ? "interrupt" : "terminate");
  maat_server_stop(s);
  json_decref(config_root);
  return EXIT_OK;
}

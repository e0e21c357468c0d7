/*
 * threads.c - a helpdesk conversation stays one contact in maat. A
 * Chatwoot conversation, a Zammad ticket or an RT ticket is a thread: its
 * contacts have ids "<prefix><message>" ("rt-12-345"), and at most one of
 * them is open. A customer's message on a thread with an open contact is a
 * follow-up of it (re-triaged: it can rise, never fall, and keeps its
 * agent); one on a thread the bot holds becomes a new contact, and the
 * bot's is closed ("handed_back" when the new one needs a person); one on
 * a closed thread (reopened) is a new contact that goes back to the agent
 * who had it, if she is free within the rules. The webhooks and the RT
 * connector share this.
 */
#include "server-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The open contacts of a thread, by the prefix of their ids. */
struct thread_ids {
  const char *prefix;
  size_t plen;
  char ids[16][MAAT_ID_MAX + 1];
  char to[16][MAAT_ID_MAX + 1];
  int states[16];
  int n;
};

static int take_thread(void *ctx, const struct maat_contact_record *r)
{
  struct thread_ids *t = ctx;

  if (t->n < 16 && !strncmp(r->id, t->prefix, t->plen)) {
    snprintf(t->ids[t->n], sizeof t->ids[0], "%s", r->id);
    snprintf(t->to[t->n], sizeof t->to[0], "%s", r->to);
    t->states[t->n++] = r->state;
  }
  return MAAT_OK;
}

static int find_open(struct maat_server *s, const char *prefix,
                     struct thread_ids *t)
{
  static const int states[] = { MAAT_CONTACT_ASSIGNED, MAAT_CONTACT_QUEUED,
                                MAAT_CONTACT_WITH_BOT };
  long total;
  int rc = MAAT_OK;

  t->prefix = prefix;
  t->plen = strlen(prefix);
  t->n = 0;
  for (size_t k = 0; k < sizeof states / sizeof *states && !rc; k++)
    rc = maat_engine_open_contacts(s->engine, states[k], (size_t)-1,
                                   take_thread, t, &total);
  return rc;
}

/* The store's key for the agent who last had a thread. */
static void last_key(const char *prefix, char *key, size_t cap)
{
  snprintf(key, cap, "thread.agent:%s", prefix);
}

/* Applies a line now, with the extra, and waits until it is durable. */
static int apply_now(struct maat_server *s, json_t *o, unsigned flags,
                     const struct maat_apply_extra *x0,
                     struct maat_applied *a)
{
  struct maat_apply_extra x = *x0;
  char *line;
  int rc;

  x.now = maat__now_t(s);
  if (maat__jset(o, "t", json_real(x.now)) ||
      !(line = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15))))
    return maat_error_set(MAAT_ENOMEM, "out of memory");
  rc = maat_engine_apply(s->engine, line, strlen(line), MAAT_APPLY_NOW | flags,
                         &x, a);
  free(line);
  if (!rc)
    rc = maat_engine_wait(s->engine, a->ticket);
  return rc;
}

int maat__thread_message(struct maat_server *s, const struct thread_msg *m,
                         const struct maat_apply_extra *x,
                         struct thread_result *out)
{
  struct thread_ids *t;
  struct maat_contact_record r;
  struct maat_applied a;
  json_t *o;
  int rc, open = -1, bot = -1;
  unsigned flags = m->text ? MAAT_APPLY_TRIAGE : MAAT_APPLY_AS_IS;

  memset(out, 0, sizeof *out);
  snprintf(out->contact, sizeof out->contact, "%s", m->id);
  if (maat_engine_contact(s->engine, m->id, &r) == MAAT_OK) {
    /* Delivered again (an answer got lost): taken already. */
    maat_contact_record_release(&r);
    out->kind = THREAD_SEEN;
    return MAAT_OK;
  }
  if (!(t = maat_malloc(sizeof *t)))
    return maat_error_set(MAAT_ENOMEM, "out of memory");
  if ((rc = find_open(s, m->prefix, t))) {
    maat_free(t);
    return rc;
  }
  for (int i = 0; i < t->n; i++) {
    if (t->states[i] == MAAT_CONTACT_WITH_BOT)
      bot = i;
    else
      open = i;
  }
  o = json_object();
  if (open >= 0 && m->text) {
    /* A follow-up: the open contact is re-triaged, keeps its agent. A
     * webhook delivered again is known by the thread's last message id
     * (the helpdesks number messages upwards), kept in the follow-up's
     * commit; the RT connector's cursor already reads each once. */
    char key[MAAT_ID_MAX + 32], num[32], *last = NULL;
    long long msg = strtoll(m->id + strlen(m->prefix), NULL, 10);
    struct maat_apply_extra y = *x;
    snprintf(out->contact, sizeof out->contact, "%s", t->ids[open]);
    if (!x->meta_key && s->store) {
      snprintf(key, sizeof key, "thread.last:%s", m->prefix);
      if (maat_store_meta_get(s->store, key, &last) == MAAT_OK && last &&
          strtoll(last, NULL, 10) >= msg) {
        maat_free(last);
        json_decref(o);
        maat_free(t);
        out->kind = THREAD_SEEN;
        return MAAT_OK;
      }
      maat_free(last);
      snprintf(num, sizeof num, "%lld", msg);
      y.meta_key = key;
      y.meta_value = num;
    }
    if (maat__jset(o, "type", json_string("followup")) ||
        maat__jset(o, "contact", json_string(t->ids[open])) ||
        maat__jset(o, "text", maat__ai_text(s, m->text)) ||
        (m->customer && maat__jset(o, "customer", json_string(m->customer))) ||
        (m->channel && maat__jset(o, "channel", json_string(m->channel))))
      rc = maat_error_set(MAAT_ENOMEM, "out of memory");
    if (!rc)
      rc = apply_now(s, o, flags, &y, &a);
    json_decref(o);
    maat_free(t);
    out->kind = THREAD_FOLLOWUP;
    return rc;
  }
  if (maat__jset(o, "type", json_string("contact")) ||
      maat__jset(o, "id", json_string(m->id)) ||
      (m->text && maat__jset(o, "text", maat__ai_text(s, m->text))) ||
      (m->customer && maat__jset(o, "customer", json_string(m->customer))) ||
      (m->channel && maat__jset(o, "channel", json_string(m->channel))))
    rc = maat_error_set(MAAT_ENOMEM, "out of memory");
  if (!rc && bot < 0 && s->store) {
    /* Reopened: back to the agent who had it, if she may take it. */
    char key[MAAT_ID_MAX + 32], *agent = NULL;
    last_key(m->prefix, key, sizeof key);
    if (maat_store_meta_get(s->store, key, &agent) == MAAT_OK && agent &&
        *agent && maat__jset(o, "prefer", json_string(agent)))
      rc = maat_error_set(MAAT_ENOMEM, "out of memory");
    maat_free(agent);
  }
  if (!rc)
    rc = apply_now(s, o, flags, x, &a);
  json_decref(o);
  out->kind = THREAD_NEW;
  if (!rc && m->text)
    maat__note_words(s, m->id, m->text, bot >= 0 ? "handback" : "triage");
  if (!rc && bot >= 0) {
    /* The bot had the thread: its contact ends here, handed back when
     * the customer's new message needs a person. */
    int found = maat_engine_contact(s->engine, m->id, &r) == MAAT_OK;
    int person = found && r.state != MAAT_CONTACT_WITH_BOT;
    int64_t ticket = 0;
    struct maat_apply_extra y = *x;
    if (found)
      maat_contact_record_release(&r);
    y.method = NULL;
    y.meta_key = NULL;
    rc = maat_engine_bot_done(s->engine, t->ids[bot], maat__now_t(s),
                              person ? "handed_back" : "continued", 0, -1, &y,
                              &ticket);
    if (!rc)
      rc = maat_engine_wait(s->engine, ticket);
    if (rc == MAAT_ESTATE || rc == MAAT_ENOTFOUND)
      rc = MAAT_OK;   /* closed meanwhile */
  }
  maat_free(t);
  return rc;
}

int maat__thread_close(struct maat_server *s, const char *prefix,
                       const struct maat_apply_extra *x, json_t *closed,
                       int *nclosed)
{
  struct thread_ids *t = maat_malloc(sizeof *t);
  int rc;

  if (nclosed)
    *nclosed = 0;
  if (!t)
    return maat_error_set(MAAT_ENOMEM, "out of memory");
  rc = find_open(s, prefix, t);
  for (int i = 0; i < t->n && !rc; i++) {
    struct maat_apply_extra y = *x;
    int64_t ticket = 0;
    char key[MAAT_ID_MAX + 32];
    if (i > 0)
      y.method = NULL;   /* one audit row for the whole resolution */
    if (i < t->n - 1)
      y.meta_key = NULL; /* a connector's cursor with the last */
    if (t->states[i] == MAAT_CONTACT_WITH_BOT) {
      rc = maat_engine_bot_done(s->engine, t->ids[i], maat__now_t(s),
                                "resolved_in_helpdesk", 0, -1, &y, &ticket);
    } else {
      char line[256];
      struct maat_applied a;
      int n;
      y.now = maat__now_t(s);
      n = snprintf(line, sizeof line, "{\"type\":\"done\",\"t\":%.3f,"
                   "\"contact\":\"%s\",\"outcome\":\"resolved_in_helpdesk\"}",
                   y.now, t->ids[i]);
      rc = maat_engine_apply(s->engine, line, (size_t)n,
                             MAAT_APPLY_NOW | MAAT_APPLY_AS_IS, &y, &a);
      ticket = rc ? 0 : a.ticket;
    }
    if (!rc)
      rc = maat_engine_wait(s->engine, ticket);
    /* Who had it, for a reopened thread. */
    if (!rc && t->states[i] == MAAT_CONTACT_ASSIGNED && t->to[i][0] &&
        s->store) {
      last_key(prefix, key, sizeof key);
      rc = maat_store_meta_set(s->store, key, t->to[i]);
    }
    if (!rc && closed)
      json_array_append_new(closed, json_string(t->ids[i]));
    if (!rc && nclosed)
      (*nclosed)++;
  }
  maat_free(t);
  return rc;
}

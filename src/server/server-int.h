/*
 * server-int.h - what the server's files share: the server, one request
 * (a "call"), the responses, and the handlers the route table names.
 */
#ifndef MAAT_SERVER_INT_H
#define MAAT_SERVER_INT_H

#include "server.h"

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>

struct audit_slot;

struct maat_server {
  struct maat_serve_options o;
  char *web_root, *webhook_secret;
  struct MHD_Daemon *mhd;
  pthread_t ticker;
  pthread_mutex_t clock_mu;
  pthread_cond_t stop_cv;
  int ticking, stop;
  int port;
  maat_store *store;
  maat_engine *engine;
  maat_model *intent, *tone;
  maat_triage_config *tcfg;
  maat_triager *tri;
  char policy[32];
  double epoch_wall, epoch_t, speed, last_t;
  /* audit rows of refusals and aggregate reads, at most one a minute per
   * caller and kind (server.c) */
  pthread_mutex_t audit_mu;
  struct audit_slot *slots;
  double last_flush;
  /* the outbox's courier (server.c): delivers what is due every second */
  pthread_t courier;
  int couriering;
  pthread_cond_t kick_cv;          /* new outbox rows (under clock_mu) */
  int kicked;
  struct maat_outbox_opts outbox;
  pthread_mutex_t outbox_mu;       /* the counters below */
  long out_delivered, out_retried, out_dead, out_failures, out_dedup;
  double out_latency_sum;
  /* who is who in each helpdesk (hdmap.c): the server's copy of the
   * helpdesk targets (s->o.helpdesks points to it), whose users change
   * under hd_mu; the config file's as given; a map set through the API
   * (its users array and the JSON object they point into), or NULL */
  pthread_mutex_t hd_mu;
  struct maat_helpdesk_target *hd, *hd_file;
  struct maat_helpdesk_user **hd_owned;
  json_t **hd_map;
  /* the RT connector (rt.c), its counters under outbox_mu */
  pthread_t rt;
  int rt_running;
  long rt_read, rt_errors;
  char rt_error[256];
  /* a customer's transaction RT showed before its attachment: waited for
   * (its id, since when; the RT thread's only) */
  long long rt_wait_id[8];
  double rt_wait_since[8];
  /* the knowledge base (kb.c); kb_changed: the store's "kb.changed" when
   * the index was built */
  maat_kb *kb;
  char kb_changed[48];
  char kb_learnt[48];              /* the store's "kb.learnt" then */
  double kb_built_at;              /* wall time the index was built */
  /* who resolved what (kb.c, "ask an expert"), read from the log up to
   * ex_seq; under ex_mu */
  pthread_mutex_t ex_mu;
  int64_t ex_seq;
  double ex_at;
  json_t *ex_open, *ex_stats;
  maat_predictor *ex_pred;
  /* the intent model (learn.c): the registry's in use, followed; the
   * ones it replaced are kept until the server stops (a request may
   * still hold one of their labels) */
  pthread_mutex_t model_mu;
  char model_changed[96];
  int64_t model_version;           /* the registry's; 0: from a file */
  maat_model *retired[32];
  int nretired;
  double last_purge;               /* retention (learn.c), wall time */
  pthread_t retrainer;             /* a scheduled retrain (learn.c) */
  int retraining;                  /* 1: the thread ran, to be joined */
  int retrain_done;                /* it finished (under model_mu) */
  double last_retrain;             /* wall time it last started */
  /* several nodes (nodes.c): who this node is; a follower's thread that
   * follows the log and hears answers; a leader's inbox workers */
  char node[96];                   /* "HOST pid N" */
  pthread_mutex_t node_mu;
  pthread_cond_t node_cv;          /* answers (follower), work (leader) */
  int node_stop, promote, work;
  int64_t answered[256];           /* recently answered inbox ids */
  unsigned nanswered;
  pthread_t node_thr, workers[16];
  int node_running, nworkers;
  long fwd_total, fwd_pending, inbox_applied, inbox_retried;
  int64_t inbox_waiting;
  double followed_at;              /* wall time the log was last followed */
};
/* nodes.c */
int maat__nodes_start(struct maat_server *s);
void maat__nodes_stop(struct maat_server *s);
/* server.c: runs a request a follower took, as this leader; its answer
 * (owned, maat_free()) and status. */
int maat__run_forwarded(struct maat_server *s, int64_t id, int tries,
                        const char *request, int *status, char **answer);
/* rt.c: the RT connector's thread (docs/helpdesks.md) */
void *maat__rt_thread(void *arg);

/* threads.c: a helpdesk conversation stays one contact */
struct thread_msg {
  const char *prefix;    /* the thread's contacts: "rt-12-" */
  const char *id;        /* this message's contact id: "rt-12-345" */
  const char *text, *customer, *channel;  /* text NULL: none */
};
enum { THREAD_NEW = 1, THREAD_FOLLOWUP, THREAD_SEEN };
struct thread_result {
  int kind;              /* THREAD_* */
  char contact[MAAT_ID_MAX + 1];  /* the contact it went to */
};
/* A customer's message on a thread (see threads.c); durable on return. */
int maat__thread_message(struct maat_server *s, const struct thread_msg *m,
                         const struct maat_apply_extra *x,
                         struct thread_result *out);
/* A thread resolved in the helpdesk: its open contacts closed (their ids
 * appended to 'closed' when not NULL), durable on return. */
int maat__thread_close(struct maat_server *s, const char *prefix,
                       const struct maat_apply_extra *x, json_t *closed,
                       int *nclosed);

/* One request, parsed once. */
struct call;
/* A contact's reply: its id, triage and decision, as the caller may read. */
json_t *maat__contact_reply(struct call *c, const char *id);
struct call {
  struct maat_server *s;
  struct MHD_Connection *conn;
  const char *method, *url;
  char seg[4][MAAT_ID_MAX + 1];  /* the path's segments */
  int nseg;
  struct maat_principal who;
  const char *body;
  size_t len;
  int status;           /* what was sent, for the audit */
  int audit;            /* 1: write an audit row */
  int audit_read;       /* 1: a read of team figures, audited per minute */
  int audited;          /* 1: the handler staged its own audit row */
  char detail[160];
  char path[160];       /* the URL for the audit, cut to fit */
  char lang[3];         /* "en" or "nl": ?lang=, else Accept-Language */
  /* a request a follower took (conn NULL): its arguments and headers,
   * and the answer kept here instead of sent */
  json_t *fwd;
  int64_t inbox_id;
  char inbox_key[40];
  char *answer;
};

typedef enum MHD_Result (*handler_fn)(struct call *c);

/* A query argument or header of a call (forwarded ones too); NULL. */
const char *maat__arg(struct call *c, const char *name);
const char *maat__header(struct call *c, const char *name);
/* nodes.c: a follower hands a write to the leader and answers with its
 * answer. */
enum MHD_Result maat__forward(struct call *c);

/* http.c: responses */
enum MHD_Result maat__send_buf(struct call *c, int status, const char *buf,
                               size_t len, const char *type);
enum MHD_Result maat__send_json(struct call *c, int status, json_t *body);
enum MHD_Result maat__fail_call(struct call *c, int status, const char *msg,
                                const char *field);
enum MHD_Result maat__library_error(struct call *c, int rc);
json_t *maat__parse_body(struct call *c, enum MHD_Result *ret);
/*
 * Sets o[key] = v, taking 'v': -1 when either is NULL or memory ran out,
 * for the event lines the server builds (a field lost to a failed
 * allocation must not turn into a different event).
 */
int maat__jset(json_t *o, const char *key, json_t *v);
/* Warnings as a JSON array of {t, kind, code, params, message}, newest
 * first, the message in the call's language. */
json_t *maat__warnings_json(struct call *c, const struct maat_warning_view *w,
                            int n);
/* A message libmaat wrote (or several joined by "; "), in the call's
 * language (include/maat/msg.h). */
json_t *maat__msg_json(struct call *c, const char *text);
/* The codes and parameters of messages: [{code, params}] ("code" null
 * for a person's own words); 'joined' splits "; "-joined ones. */
json_t *maat__msg_codes(const char *text, int joined);
/*
 * A decision's reasons ("; "-joined) as the caller may read them: the
 * agent it went to ('to') reads them all; anyone else reads that a
 * wellbeing rule gave way, not which (her recovery window, her strain).
 */
void maat__reasons_for(struct call *c, const char *reasons, const char *to,
                       char *out, size_t cap);
/* Sets c->lang from ?lang= or the Accept-Language header. */
void maat__call_lang(struct call *c);
/* Router time now: never backwards, accelerated by clock_speed. */
double maat__now_t(struct maat_server *s);
/* The router time of a wall-clock time (Unix seconds). */
double maat__wall_to_t(struct maat_server *s, double wall);
/* The audit row of a call, for maat_engine_apply()'s extra. */
void maat__call_extra(struct call *c, int status,
                      struct maat_apply_extra *x);

/* handlers, one file per resource */
enum MHD_Result maat__post_contact(struct call *c);
enum MHD_Result maat__get_contact(struct call *c);
enum MHD_Result maat__get_contacts(struct call *c);
enum MHD_Result maat__post_done(struct call *c);
enum MHD_Result maat__post_move(struct call *c);
enum MHD_Result maat__get_free_agents(struct call *c);
/* hdmap.c */
int maat__hd_start(struct maat_server *s);
int maat__hd_restore(struct maat_server *s);
void maat__hd_stop(struct maat_server *s);
/* 1 when helpdesk 'k''s user 'user' is an agent (her id in 'agent'). */
int maat__hd_user_agent(struct maat_server *s, int k, const char *user,
                        char *agent, size_t size);
json_t *maat__hd_agents_json(struct maat_server *s, int k);
const char *maat__hd_agents_source(struct maat_server *s, int k);
enum MHD_Result maat__get_helpdesks(struct call *c);
enum MHD_Result maat__put_helpdesk_agents(struct call *c);
enum MHD_Result maat__get_outbox(struct call *c);
enum MHD_Result maat__get_config(struct call *c);
enum MHD_Result maat__post_agent_state(struct call *c);
enum MHD_Result maat__get_agent(struct call *c);
enum MHD_Result maat__post_checkin(struct call *c);
enum MHD_Result maat__get_queue(struct call *c);
enum MHD_Result maat__get_team(struct call *c);
enum MHD_Result maat__get_warnings(struct call *c);
enum MHD_Result maat__get_metrics(struct call *c);
enum MHD_Result maat__get_tokens(struct call *c);
enum MHD_Result maat__post_token(struct call *c);
enum MHD_Result maat__delete_token(struct call *c);
enum MHD_Result maat__post_enrolment(struct call *c);
enum MHD_Result maat__post_enrol(struct call *c);
enum MHD_Result maat__webhook_chatwoot(struct call *c);
enum MHD_Result maat__webhook_zammad(struct call *c);
enum MHD_Result maat__static_file(struct call *c, const char *path);
enum MHD_Result maat__get_bot_pauses(struct call *c);
enum MHD_Result maat__post_bot_pause(struct call *c);
/* controls.c: the bot's pauses and the rollout stages back from the
 * store, at start. */
int maat__restore_bot_pauses(struct maat_server *s);
int maat__restore_rollout(struct maat_server *s);
enum MHD_Result maat__get_rollout(struct call *c);
enum MHD_Result maat__post_rollout(struct call *c);
/* kb.c: the knowledge base */
int maat__kb_start(struct maat_server *s);
void maat__kb_refresh(struct maat_server *s);
void maat__kb_stop(struct maat_server *s);
void maat__kb_note(struct maat_server *s, const struct maat_contact_record *r,
                   json_t *tri, const char *clean, const char *source);
enum MHD_Result maat__post_ask(struct call *c);
enum MHD_Result maat__get_kb_gaps(struct call *c);
enum MHD_Result maat__post_kb_draft(struct call *c);
enum MHD_Result maat__post_kb_publish(struct call *c);

/* learn.c: corrections, the review queue, overrides */
enum MHD_Result maat__post_correction(struct call *c);
enum MHD_Result maat__get_corrections(struct call *c);
enum MHD_Result maat__post_correction_review(struct call *c);
enum MHD_Result maat__get_overrides(struct call *c);
void maat__note_move(struct call *c, const struct maat_contact_record *r,
                     const char *agent, const char *why);
void maat__note_words(struct maat_server *s, const char *id,
                      const char *text, const char *source);
/* A message as the AI may see it (json string, new reference): redacted
 * unless the data classes let it see the raw words. */
json_t *maat__ai_text(struct maat_server *s, const char *text);
/* Retention (learn.c): purges what its data class no longer keeps, at
 * most once an hour. */
void maat__retention(struct maat_server *s);
/* A scheduled retrain, when one is due: in a thread of its own. */
void maat__retrain_due(struct maat_server *s);
/* Waits for a running retrain (the server stops). */
void maat__retrain_join(struct maat_server *s);
/* The intent model at start: the registry's in use, else 'file' (NULL:
 * none). */
int maat__model_start(struct maat_server *s, const char *file);
/* Follows the registry: a promoted or restored model is put in use. */
void maat__model_refresh(struct maat_server *s);
enum MHD_Result maat__get_kb_articles(struct call *c);
/* insight.c: the insight report, the reinvestment ledger, the pulse */
enum MHD_Result maat__get_insight(struct call *c);
enum MHD_Result maat__post_reinvestment(struct call *c);
enum MHD_Result maat__post_pulse(struct call *c);
enum MHD_Result maat__get_pulse(struct call *c);

/*
 * routes.c: the route table. With the headers in: finds the route and
 * checks the caller: '*route' set (MHD_YES) to read the body and run it,
 * or a refusal queued ('*route' NULL). Then, with the body in, runs it.
 */
enum MHD_Result maat__route_head(struct call *c, const void **route);
enum MHD_Result maat__route_run(struct call *c, const void *route);
/* A request a follower took (its caller checked there): finds the route
 * by method and path; '*route' NULL with a 404 or 405 answered. */
void maat__route_forwarded(struct call *c, const void **route);

#endif /* MAAT_SERVER_INT_H */

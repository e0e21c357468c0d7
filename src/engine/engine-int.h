/*
 * engine-int.h - the engine's private structures, shared by engine.c (the
 * loop and group commit) and engine_views.c (contact records and the
 * views the server shows). Never installed.
 */
#ifndef MAAT_ENGINE_INT_H
#define MAAT_ENGINE_INT_H

#include "route-int.h"

#include <pthread.h>

#define ENGINE_RING 64       /* recent decisions and team warnings kept */
#define ENGINE_AGENT_RING 8  /* warnings kept per agent (private) */
#define ENGINE_RECENT_CONTACTS 5 /* an agent's own recent contacts */
/* Team wellbeing figures are published once per period (docs/security.md,
 * "The aggregate rule"). */
#define ENGINE_PERIOD_S 900.0
#define ENGINE_STEP 0.1      /* published strain is coarsened to this */

/* One staged write, in the order it is to reach the store. */
enum op_kind { OP_EVENT, OP_DECISION, OP_AUDIT, OP_CHECKIN, OP_OUTCOME,
               OP_CONTACT, OP_SNAPSHOT, OP_OUTBOX, OP_META };
struct op {
  int kind;
  double t;
  int status, energy;
  long token;
  char *a, *b, *c, *d, *e, *f, *g; /* by kind; owned */
  size_t len;                      /* of 'a' */
};

struct batch {
  struct op *ops;
  size_t n, cap;
  int64_t ticket;
};

/* A contact the engine keeps in memory: open, or closed and not yet
 * durable in the store. */
struct econtact {
  struct maat_contact_record r;
  int64_t evict_after;             /* closed: drop once this is durable */
  struct econtact *qprev, *qnext;  /* the queue, in arrival order */
  struct econtact *cnext;          /* closed, awaiting eviction */
};

/* The views' fixed part: plain values, saved as they are in snapshots. */
struct engine_views {
  double t;                        /* the latest event */
  long events;
  struct maat_recent_decision recent[ENGINE_RING];
  long nrecent;
  struct maat_warning_view warns[ENGINE_RING];
  long nwarns;
  /* the published team figures: the last period that ended */
  double period_start;             /* the running period */
  int pub_shown;
  long pub_group, pub_over;
  double pub_mean, pub_p90, pub_end;
  double hour_sum[24];             /* published means, per hour of day */
  long hour_n[24], hour_day[24];
  long decisions[4][2];
  long abandoned, warnings, ncontacts, handbacks;
  double wait_sum;
  long waited, within;
};

struct maat_engine {
  pthread_mutex_t mu;              /* everything below but the commit */
  pthread_cond_t cv;               /* a commit ended */
  pthread_mutex_t tri_mu;          /* the triager, used outside 'mu' */
  maat_team *team;
  maat_router *router;
  maat_store *store;
  maat_triager *tri;
  unsigned flags;
  int min_group;
  const struct maat_alert_target *alerts;
  int nalerts;
  struct maat_helpdesk_target *helpdesks;   /* a copy: its users change */
  int nhelpdesks;
  void (*on_outbox)(void *ctx);
  void *on_outbox_ctx;
  char *run;
  int rebuilding;                  /* 1 while replaying the log */
  long snapshot_every;             /* events between snapshots; 0: never */
  long since_snapshot;
  int64_t last_seq;                /* the last durable event's seq */
  /* group commit */
  struct batch cur;                /* staged, not yet being written */
  int committing;
  int64_t durable;                 /* tickets up to this one are durable */
  int broken;                      /* a commit failed: the code */
  char broken_msg[256];
  /* output for the command line */
  struct maat_buf out;             /* durable decision lines */
  size_t out_pos;
  struct maat_buf staged_out;      /* lines of the batch being built */
  struct maat_buf line;            /* the line handed out last */
  /* records and views */
  struct maat_map contacts;
  struct econtact *qhead, *qtail;  /* queued, in arrival order */
  struct econtact *closed;         /* awaiting eviction */
  long q_len, q_tier[4], q_prio[4];
  struct maat_warning_view *agent_warns; /* n * ENGINE_AGENT_RING */
  long *nagent_warns;
  unsigned char *in_period;        /* on shift at some time this period */
  /* each agent's last ENGINE_RECENT_CONTACTS contacts, newest at
   * nrecent_contacts % ring, for its own check-ins */
  char (*recent_contacts)[MAAT_ID_MAX + 1];
  long *nrecent_contacts;
  struct engine_views v;
  /* The bot's answer for the contact being applied (its id, and the text
   * with its citation), for the helpdesk write-back of its decision. */
  const char *reply_for;
  char *reply;
};

/* engine_views.c */
/* 'o' is the event's parsed line (borrowed). */
int maat__engine_add_contact(struct maat_engine *e,
                             const struct maat_event *ev, struct json_t *o);
/* A follow-up on an open contact: its record rises with it. */
int maat__engine_followup(struct maat_engine *e, const struct maat_event *ev,
                          struct json_t *o);
void maat__engine_take_decision(struct maat_engine *e,
                                const struct maat_decision *d);
int maat__engine_close_contact(struct maat_engine *e, struct econtact *c,
                               int state, const char *outcome);
void maat__engine_set_state(struct maat_engine *e, struct econtact *c,
                            int state);
/* After an event: marks who is on shift, and publishes the team figures
 * when a period ended. 1 when it published (the event must be logged). */
int maat__engine_period(struct maat_engine *e, int agent_event);
void maat__engine_evict(struct maat_engine *e, int64_t durable);
void maat__engine_free_records(struct maat_engine *e);
/* The record as JSON text (owned; free with maat_free()). */
char *maat__record_json(const struct maat_contact_record *r, size_t *len);
int maat__record_parse(const char *json, size_t len,
                       struct maat_contact_record *r);

/* engine_snapshot.c: the state after the last applied event, as bytes
 * (the router drained), and back into a freshly opened engine. */
int maat__engine_snapshot(struct maat_engine *e, struct maat_buf *b);
int maat__engine_restore(struct maat_engine *e, const void *data,
                         size_t len);

/* engine.c */
struct op *maat__engine_stage(struct maat_engine *e, int kind);

/*
 * A snapshot's bytes changed in place (an erasure overwrote a person's
 * data with bytes of the same length): its checksum made again.
 */
int maat__snapshot_reseal(void *data, size_t len);

#endif /* MAAT_ENGINE_INT_H */

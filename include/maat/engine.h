/*
 * maat/engine.h - the event-sourced loop every front end shares: events in
 * (triaged when they carry raw text), the router's decisions out, every
 * event and decision in the store's log, and a restart that rebuilds the
 * same state from it. 'maat route' and 'maat serve' both run on it.
 * Included by maat.h; do not include directly.
 *
 * Durability by group commit: maat_engine_apply() stages an event and its
 * decisions and returns a ticket; maat_engine_wait() returns once that
 * ticket's transaction is durable. Callers arriving while a commit is in
 * flight share the next one, so many requests pay for one fsync. Nothing
 * may be acknowledged before its wait returned MAAT_OK.
 *
 * An engine is safe to use from several threads. Should a commit fail,
 * the engine refuses further events (its state went past its log); a
 * restart rebuilds from what was durable.
 */
#ifndef MAAT_ENGINE_H
#define MAAT_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct maat_engine maat_engine;
struct maat_helpdesk_user;

enum maat_engine_flags {
  /* Keep each decision's JSON line for maat_engine_next_line(). */
  MAAT_ENGINE_OUTPUT = 1 << 0,
  /* Keep a record of every contact and the views below (the server). */
  MAAT_ENGINE_RECORDS = 1 << 1,
  /*
   * Follow a log another process writes (a node that does not lead, on a
   * shared PostgreSQL store): no writer's lock is taken and nothing is
   * written; maat_engine_follow() applies what was logged since. Events,
   * check-ins and audit rows are refused with MAAT_ESTATE.
   */
  MAAT_ENGINE_FOLLOW = 1 << 2
};

struct maat_engine_options {
  const char *team_path;      /* required: docs/team-file.md */
  const char *policy;         /* NULL: "maat" */
  unsigned router_flags;      /* enum maat_router_flags */
  unsigned flags;             /* enum maat_engine_flags */
  maat_store *store;          /* borrowed; NULL: nothing is kept */
  maat_triager *triager;      /* borrowed; NULL: raw text is refused */
  int min_group;              /* views: aggregates over this many; 0: 5,
                                 and never fewer than 3 */
  /* Events between snapshots of the state in the store; 0: 100,000;
   * negative: none. A restart replays only the events after the newest. */
  long snapshot_every;
  /* Team warnings go out to these as alerts, through the store's outbox
   * (maat/outbox.h), committed with the event that caused them; borrowed,
   * for the engine's life. Never during a rebuild. */
  const struct maat_alert_target *alerts;
  int nalerts;
  /* Decisions on contacts that came from these helpdesks are written back
   * to them, through the outbox likewise (maat_helpdesk_calls()). The
   * array is copied; its strings and users are borrowed, and
   * maat_engine_helpdesk_users() changes the users later. */
  const struct maat_helpdesk_target *helpdesks;
  int nhelpdesks;
  /* Called after a commit that stored outbox rows (in the committing
   * thread, holding no engine lock), so a deliverer can start at once;
   * NULL: none. */
  void (*on_outbox)(void *ctx);
  void *on_outbox_ctx;
};

/*
 * Opens an engine: loads the team, opens the router, ties the store to
 * this run (team file and policy: a log is never replayed under another)
 * and rebuilds the state from the store: the newest snapshot, then the
 * events logged after it (all of them when there is none, or when it was
 * written by another build). Errors name what failed.
 * Returns owned memory in '*out' (close with maat_engine_close()).
 */
int maat_engine_open(maat_engine **out, const struct maat_engine_options *o);
/* Commits what is staged with a snapshot, and frees everything. Accepts
 * NULL. */
void maat_engine_close(maat_engine *e);

enum maat_apply_flags {
  /* A tick is logged only if it decided something. */
  MAAT_APPLY_TICK_IF_DECIDED = 1 << 0,
  /*
   * The event happens now: its 't' is set, under the engine's lock, to
   * the extra's 'now' or the engine's latest time if that is later, so
   * that callers on several threads never apply time backwards.
   */
  MAAT_APPLY_NOW = 1 << 1,
  /*
   * What the caller knows of the line, so that the engine need not look:
   * a contact with raw text and no verdict (triage it), or a line that
   * needs no triage. With neither, the engine looks.
   */
  MAAT_APPLY_TRIAGE = 1 << 2,
  MAAT_APPLY_AS_IS = 1 << 3
};

/* What goes into the same transaction as the event (all optional). */
struct maat_apply_extra {
  const char *note;               /* a check-in's note: never in the log */
  const struct maat_principal *who; /* with 'method': an audit row */
  const char *method, *path, *detail;
  int status;
  double now;                     /* MAAT_APPLY_NOW: the caller's clock */
  /* A store meta row set in the same commit (a connector's cursor: what
   * it read is then taken exactly once). */
  const char *meta_key, *meta_value;
};

/* What an applied event was. */
struct maat_applied {
  int type;                       /* enum maat_event_type */
  char id[MAAT_ID_MAX + 1];       /* the contact's id (contact, done) */
  double t;
  int64_t ticket;                 /* for maat_engine_wait(); 0: nothing
                                     to wait for */
  int decided;                    /* decisions the event led to */
};

/*
 * Applies one JSONL event line (docs/events.md). A contact with a "text"
 * and no "tier" is triaged first, and the triaged line is what is logged.
 * On failure nothing changed and nothing is staged; the message names the
 * field (maat_errfield()). 'out' may be NULL.
 */
int maat_engine_apply(maat_engine *e, const char *line, size_t len,
                      unsigned flags, const struct maat_apply_extra *x,
                      struct maat_applied *out);

/* Stages an audit row (and the extra's meta row) alone; its ticket in
 * '*ticket'. */
int maat_engine_audit(maat_engine *e, const struct maat_apply_extra *x,
                      int64_t *ticket);

/*
 * Closes a contact the bot took: its outcome ("resolved", "handed_back",
 * ...) is kept, with the customer's CSAT (1..5; 0: none) and NPS (0..10;
 * -1: none) in its record; the router had forgotten the contact when the
 * bot took it. MAAT_ENOTFOUND for an unknown contact, MAAT_ESTATE if it is
 * not with the bot.
 */
int maat_engine_bot_done(maat_engine *e, const char *id, double t,
                         const char *outcome, int csat, int nps,
                         const struct maat_apply_extra *x, int64_t *ticket);

/*
 * MAAT_ENGINE_FOLLOW: applies the events logged after the last one this
 * engine has, as a restart would; how many in '*n' (may be NULL).
 */
int maat_engine_follow(maat_engine *e, long *n);
/* The seq of the last event this engine has applied or written. */
int64_t maat_engine_last_seq(maat_engine *e);

/* Returns once 'ticket' is durable; the commit's error otherwise. */
int maat_engine_wait(maat_engine *e, int64_t ticket);
/* Makes everything staged durable now. */
int maat_engine_commit(maat_engine *e);

/*
 * Ends the run at 't_end' (maat_router_finish()); what it decides is
 * logged with the last event.
 */
int maat_engine_finish(maat_engine *e, double t_end);

/*
 * With MAAT_ENGINE_OUTPUT: the next decision line (JSON and a newline) of
 * those made durable so far, in order; MAAT_EOF when none is left. '*line'
 * is owned by the engine, valid until the next call.
 */
int maat_engine_next_line(maat_engine *e, const char **line, size_t *len);

/* The router (summary, state). Do not push to it. */
const maat_router *maat_engine_router(maat_engine *e);
/* The team. */
const maat_team *maat_engine_team(maat_engine *e);
/* The number of events logged, rebuilt ones included; the latest time. */
long maat_engine_events(maat_engine *e);
double maat_engine_time(maat_engine *e);
/* The run's identity as kept in the store. Owned by the engine. */
const char *maat_engine_run(maat_engine *e);

/* ---- views (MAAT_ENGINE_RECORDS) ---- */

enum maat_contact_state {
  MAAT_CONTACT_QUEUED = 1,
  MAAT_CONTACT_WITH_BOT,
  MAAT_CONTACT_ASSIGNED,
  MAAT_CONTACT_DONE,
  MAAT_CONTACT_ABANDONED
};
/* "queued", "with_bot", "assigned", "done", "abandoned"; "?" otherwise. */
const char *maat_contact_state_name(int state);
/* "offline", "available", "busy", "recovery", "break"; "?" otherwise. */
const char *maat_agent_state_name(int state);

struct maat_contact_record {
  char id[MAAT_ID_MAX + 1];
  char customer[MAAT_ID_MAX + 1];
  char to[MAAT_ID_MAX + 1];       /* "bot" or the agent, once assigned */
  char intent[MAAT_ID_MAX + 1];
  int state;                      /* enum maat_contact_state */
  int tier, priority, tone;
  int followups;                  /* the customer's messages after the
                                     first, joined to this contact */
  double t_in, t_assigned;
  char outcome[MAAT_ID_MAX + 1];  /* "" while none */
  char reasons[480];              /* the routing decision's reasons */
  char *triage;                   /* the triage result, JSON; NULL: none */
  /* for analysis (maat/insight.h) */
  char lang[8], channel[16];
  int moves;                      /* a lead moved it to another agent */
  double t_done;                  /* when it closed; 0: open */
  int csat;                       /* 1..5; 0: none */
  int nps;                        /* 0..10; -1: none */
};
/*
 * The record of contact 'id' (open ones from memory, closed ones from the
 * store); release with maat_contact_record_release(). MAAT_ENOTFOUND.
 */
int maat_engine_contact(maat_engine *e, const char *id,
                        struct maat_contact_record *out);
void maat_contact_record_release(struct maat_contact_record *r);

/*
 * Calls 'fn' for the open contacts in 'state' (MAAT_CONTACT_QUEUED: in
 * queue order; MAAT_CONTACT_ASSIGNED or MAAT_CONTACT_WITH_BOT: oldest
 * taken first), at most 'limit'; '*total' is how many there are. Stops at
 * fn's nonzero value and returns it. The records are borrowed for the
 * call (their 'triage' is NULL).
 */
int maat_engine_open_contacts(maat_engine *e, int state, size_t limit,
                              int (*fn)(void *ctx,
                                        const struct maat_contact_record *r),
                              void *ctx, long *total);

/*
 * Agent 'agent' checks in on contact 'id' it handled (open or closed):
 * energy 1..5 and an optional note, private to it, with the audit row of
 * 'x' in the same commit ('*ticket' to wait for). MAAT_ESTATE when the
 * contact is not one the agent handled, MAAT_ENOTFOUND when none.
 */
int maat_engine_checkin(maat_engine *e, const char *agent, const char *id,
                        double t, int energy, const char *note,
                        const struct maat_apply_extra *x, int64_t *ticket);
/* The agent's most recent contacts, newest first, at most 'cap' (5 are
 * kept): their ids into 'ids'; the count. */
int maat_engine_recent_contacts(maat_engine *e, const char *agent,
                                char ids[][MAAT_ID_MAX + 1], int cap);

/*
 * Gives the engine's triager another intent model (a promoted one, see
 * maat/learn.h), between two triages; 'm' is borrowed and must outlive
 * its use (the caller keeps the old one until the engine is freed, or
 * until the next change). MAAT_ESTATE without a triager.
 */
int maat_engine_set_intent_model(maat_engine *e, const maat_model *m);

/*
 * Who is who in helpdesk 'k' (the index in the options' helpdesks) from
 * now on: users[0..n) replace its users for the write-back of later
 * decisions, under the engine's lock. The caller keeps 'users' (and its
 * strings) alive until it replaces them again or closes the engine.
 * MAAT_EINVAL for a helpdesk the engine was not given.
 */
int maat_engine_helpdesk_users(maat_engine *e, int k,
                               const struct maat_helpdesk_user *users, int n);

/*
 * Pauses or resumes the bot for an intent in the engine's triager (under
 * its lock); the caller keeps the list where it must survive a restart.
 * MAAT_ESTATE without a triager.
 */
int maat_engine_bot_pause(maat_engine *e, const char *intent, int paused);
/* maat_triager_rollout() on the engine's triager, under its lock. */
int maat_engine_rollout(maat_engine *e, const char *intent, int stage,
                        double share);
int maat_engine_bot_paused(maat_engine *e,
                           int (*fn)(void *ctx, const char *intent),
                           void *ctx);

struct maat_queue_view {
  double t;
  long length, by_tier[4], by_priority[4];
  double oldest_wait_s, target_s;
};
/*
 * The queue's counts, and 'fn' for up to 'limit' waiting contacts, the
 * longest waiting first ('fn' must not call the engine).
 */
int maat_engine_queue(maat_engine *e, double now, size_t limit,
                      struct maat_queue_view *v,
                      int (*fn)(void *ctx, const struct maat_contact_record *c,
                                double wait_s),
                      void *ctx);

#define MAAT_VIEW_RECENT 20
struct maat_recent_decision {
  double t;
  char contact[MAAT_ID_MAX + 1];
  char intent[MAAT_ID_MAX + 1];   /* "" when triage found none */
  int to_bot, tier;
  char reasons[480];
};
/*
 * Team strain is wellbeing data: it is published once per period (of
 * 'period_s'), computed when the period ends over its group (everyone on
 * shift at some time in it, offline since or not), only when that group
 * has at least the minimum number of people, coarsened to 0.1 and kept
 * when it moved less than that. Reading twice, before and after someone
 * goes offline, shows the same figures. docs/security.md gives the rule.
 */
struct maat_team_view {
  long agents[5];            /* by enum maat_agent_state, now */
  long on_shift;             /* now */
  int strain_shown;          /* 0: the last period's group was too small */
  double strain_mean, strain_p90, overload_line;
  long over_line;
  double period_s, period_end; /* the figures are of the period to this */
  long group;                /* people in that period's group */
  int hour_shown[24];        /* the last 24 hours, by hour of the day */
  double strain_by_hour[24]; /* mean of the hour's published means */
  int min_group;
  long bot_contacts, to_people, handed_back;
  double bot_share;
  int waited;                /* 0: no contact waited for a person yet */
  double service_level, avg_wait_s, target_s;
  int nrecent;
  struct maat_recent_decision recent[MAAT_VIEW_RECENT];
  long warnings;
};
int maat_engine_team_view(maat_engine *e, struct maat_team_view *v);

struct maat_warning_view {
  double t;
  char kind[16];
  char message[256];
};
/*
 * Team warnings, newest first, up to 'cap' into 'w' ('*n' of them); and
 * how many personal ones went to agents (only the count: they are
 * private).
 */
int maat_engine_warnings(maat_engine *e, struct maat_warning_view *w,
                         int cap, int *n, long *personal);

/* maat_router_move_check() on the engine's router, now. */
int maat_engine_move_check(maat_engine *e, const char *contact,
                           const char *agent, char *broken, size_t cap);

/* An agent's own view: private to that agent. */
struct maat_agent_view {
  int state, next_state;     /* next_state: -1 when none pending */
  double strain, overload_line, recovery_to, recovery_left_s;
  int in_recovery, heavy_in_a_row, heavy_today;
  int nwarnings;
  struct maat_warning_view warnings[8];
};
/* MAAT_ENOTFOUND for an agent not in the team. */
int maat_engine_agent_view(maat_engine *e, const char *agent,
                           struct maat_agent_view *v);
/* Whether 'agent' is in the team, and its state now. */
int maat_engine_agent_state(maat_engine *e, const char *agent, int *state);

struct maat_engine_counters {
  long contacts, abandoned, handbacks, warnings;
  long decisions[4][2];      /* by tier: to the bot, to a person */
  long queued[4];            /* by tier */
  double oldest_wait_s, wait_sum;
  long waited;
  long on_shift;
  int strain_shown;
  double strain_mean;
};
int maat_engine_counters(maat_engine *e, double now,
                         struct maat_engine_counters *c);

#ifdef __cplusplus
}
#endif

#endif /* MAAT_ENGINE_H */

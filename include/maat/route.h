/*
 * maat/route.h - the wellbeing-aware router: a team, contact events in,
 * decisions and warnings out, a durable event log, and the generators of
 * realistic teams and event streams. Included by maat.h.
 *
 * The router is a pure function of its input: the same team, policy and
 * events give the same decisions, byte for byte. Time is the input's own
 * clock ('t', seconds); the router never reads the wall clock.
 *
 * Privacy: an agent's strain is personal data. Decisions may name the agent
 * a contact goes to; warnings with scope MAAT_SCOPE_AGENT are addressed to
 * that agent only (private = 1), and team warnings carry aggregates only.
 */
#ifndef MAAT_ROUTE_H
#define MAAT_ROUTE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Identifiers (contact, agent, customer) are at most this long, in bytes. */
#define MAAT_ID_MAX 63

enum maat_tier { MAAT_T1 = 1, MAAT_T2 = 2, MAAT_T3 = 3 };

enum maat_tone {
  MAAT_TONE_NEUTRAL = 0,
  MAAT_TONE_POSITIVE,
  MAAT_TONE_FRUSTRATED,
  MAAT_TONE_ANGRY,
  MAAT_TONE_DISTRESSED
};

enum maat_urgency {
  MAAT_URGENCY_LOW = 0,
  MAAT_URGENCY_NORMAL,
  MAAT_URGENCY_HIGH,
  MAAT_URGENCY_CRITICAL
};

enum maat_agent_state {
  MAAT_AGENT_OFFLINE = 0,
  MAAT_AGENT_AVAILABLE,
  MAAT_AGENT_BUSY,
  MAAT_AGENT_RECOVERY,
  MAAT_AGENT_BREAK
};

/* A triaged contact, as carried by a "contact" event. */
struct maat_contact {
  char id[MAAT_ID_MAX + 1];
  char customer[MAAT_ID_MAX + 1];
  char intent[MAAT_ID_MAX + 1];   /* "" = any */
  char lang[8];                   /* "nl", "en"; "" = any */
  int tier;                       /* enum maat_tier */
  int tone;                       /* enum maat_tone */
  double intensity;               /* 0..1 */
  int urgency;                    /* enum maat_urgency */
  int priority;                   /* 0..3, higher first; defaults to urgency */
  double handle_s;                /* handling time; 0 = the team's mean */
  double patience_s;              /* replay: abandons after this wait; 0 = never */
  char channel[16];               /* "chat", "email", "voice", ...; "" = none:
                                     the team's 'capacity' says how many of
                                     one channel an agent holds at once */
};

enum maat_event_type {
  MAAT_EV_CONTACT = 1, /* a contact arrived */
  MAAT_EV_AGENT,       /* an agent changed state (available, break, offline) */
  MAAT_EV_DONE,        /* a contact finished (outcome, optional check-in) */
  MAAT_EV_TICK,        /* time passes; nothing else */
  MAAT_EV_MOVE,        /* a lead moves a contact: to an agent, or back to
                          the queue (no agent) */
  MAAT_EV_FOLLOWUP     /* the customer wrote again on an open contact: its
                          new triage can raise it, never lower it */
};

/* "low", "normal", "high", "critical"; "?" otherwise. */
const char *maat_urgency_name(int urgency);

/* One input event. Plain data: init with memset 0. */
struct maat_event {
  int type;                /* enum maat_event_type */
  double t;                /* seconds on the input's clock, never decreasing */
  struct maat_contact contact;       /* MAAT_EV_CONTACT, MAAT_EV_FOLLOWUP
                                        (its new triage) */
  /* MAAT_EV_AGENT, MAAT_EV_MOVE; MAAT_EV_CONTACT: the agent who had the
   * conversation before ("prefer"), who gets it on arrival if she is free
   * and may take it within the rules; "" for none. */
  char agent[MAAT_ID_MAX + 1];
  int state;               /* MAAT_EV_AGENT: AVAILABLE, BREAK or OFFLINE */
  char contact_id[MAAT_ID_MAX + 1];  /* MAAT_EV_DONE, MAAT_EV_MOVE,
                                        MAAT_EV_FOLLOWUP */
  int abandoned;           /* MAAT_EV_DONE: the customer left while queued */
  int energy;              /* MAAT_EV_DONE: check-in 1..5, 0 = none */
};

/*
 * Parses one JSONL event line ('len' bytes, no newline needed). On failure
 * returns MAAT_EPARSE with a message naming the field, e.g. "field 't':
 * expected a number"; the caller adds the line number.
 */
int maat_event_parse(struct maat_event *ev, const char *line, size_t len);

enum maat_decision_type {
  MAAT_DEC_ASSIGN = 1, /* a contact goes to the bot or an agent */
  MAAT_DEC_ABANDON,    /* a queued contact left (replay patience or input) */
  MAAT_DEC_WARNING,    /* an early or overload warning */
  MAAT_DEC_REQUEUE     /* a lead put a contact back in the queue */
};

enum maat_scope { MAAT_SCOPE_TEAM = 0, MAAT_SCOPE_AGENT = 1 };

#define MAAT_MAX_REASONS 6

/*
 * One output of the router. Reasons are plain-language sentences owned by
 * the router, valid until the next call on it.
 */
struct maat_decision {
  int type;                          /* enum maat_decision_type */
  double t;
  char contact[MAAT_ID_MAX + 1];     /* ASSIGN, ABANDON, REQUEUE */
  char to[MAAT_ID_MAX + 1];          /* ASSIGN: "bot" or the agent's id */
  int tier;                          /* ASSIGN */
  int again;                         /* ASSIGN: it was with a person before
                                        (a lead moved it): its wait counted */
  double wait_s;                     /* ASSIGN, ABANDON */
  int nreasons;
  const char *reasons[MAAT_MAX_REASONS];
  /* WARNING */
  const char *kind;                  /* "overload", "strain", "forecast" */
  int scope;                         /* enum maat_scope */
  char agent[MAAT_ID_MAX + 1];       /* scope AGENT: the addressee */
  char message[256];                 /* what, why, and by how much */
};

/*
 * Writes 'd' as one JSON line with a newline into 'buf' (fixed number
 * formatting, so outputs compare byte for byte). Returns the length, or the
 * length it would need (like snprintf) when 'cap' is too small.
 */
size_t maat_decision_format(const struct maat_decision *d, char *buf,
                            size_t cap);

/* ---- teams ---- */

typedef struct maat_team maat_team;

/*
 * Loads a team file (JSON, see docs/team-file.md). Errors name the file and
 * the agent or field. Returns owned memory in '*out' (free with
 * maat_team_free()).
 */
int maat_team_load(maat_team **out, const char *path);
/* Same, from a JSON text; 'name' is used in messages. */
int maat_team_parse(maat_team **out, const char *json, size_t len,
                    const char *name);
void maat_team_free(maat_team *team);
size_t maat_team_size(const maat_team *team);
/*
 * The team as loaded, for an admin to read: {"agents": [{id, languages,
 * skills ("*" or a list), tiers, shift}], "settings": {name: value, every
 * setting with its value in force}} as owned memory (maat_free()).
 */
int maat_team_describe(const maat_team *team, char **json);
/*
 * The team file's "skills" map (docs/team-file.md): its intent 'i' (from
 * 0) and, in '*skill', the skill it needs; NULL past the end or when the
 * team has no map. For checking the map against an intent model.
 */
const char *maat_team_mapped_intent(const maat_team *team, size_t i,
                                    const char **skill);
/* The id of the team's agent 'i' (0..size-1), NULL past the end. */
const char *maat_team_agent_id(const maat_team *team, size_t i);
/* The team's settings, by name (see docs/strain-model.md); NAN if unknown. */
double maat_team_setting(const maat_team *team, const char *name);
/*
 * Overrides a setting; MAAT_ENOTFOUND for an unknown name. Set settings
 * before opening a router on the team: a router works some of them into
 * its state when it opens or as agents change state (the fallback stages,
 * the strain keys), so a change while it runs is not reliably taken up.
 */
int maat_team_set(maat_team *team, const char *name, double value);

/* ---- the router ---- */

typedef struct maat_router maat_router;

enum maat_router_flags {
  /* Complete assigned contacts after their (strain-stretched) handle_s. */
  MAAT_ROUTER_REPLAY = 1 << 0,
  /* No bot: every contact needs a person (a team before its bot). */
  MAAT_ROUTER_NO_BOT = 1 << 1
};

/*
 * Opens a router for 'team' (borrowed; must outlive the router) under the
 * named policy: "maat" (NULL means this), "efficiency" or "round-robin".
 * MAAT_ENOTFOUND for an unknown policy. Returns owned memory in '*out'.
 */
int maat_router_open(maat_router **out, const maat_team *team,
                     const char *policy, unsigned flags);
void maat_router_close(maat_router *r);

/* The names of the built-in policies, NULL-terminated. Static storage. */
const char *const *maat_router_policies(void);

/*
 * Applies one event: first advances the clock to ev->t (completing work,
 * ending recovery windows, abandoning impatient contacts in replay), then
 * applies the event and dispatches. Decisions are queued; fetch them with
 * maat_router_next(). On failure (time going backwards, an unknown agent or
 * contact, a duplicate contact id) the router's state is unchanged.
 */
int maat_router_push(maat_router *r, const struct maat_event *ev);

/*
 * Ends the run at time 't_end' (>= the last event): in replay, completes
 * every contact in service; the queue keeps what is waiting.
 */
int maat_router_finish(maat_router *r, double t_end);

/*
 * Whether a lead may move 'contact' to 'agent' (NULL or "": back to the
 * queue) now: MAAT_OK with the soft rules it breaks "; "-joined in
 * 'broken' ("" when none; a lead may overrule those), or MAAT_ESTATE when
 * the agent cannot take it or a hard limit forbids it (the message says
 * which), MAAT_ENOTFOUND for an unknown contact or agent. Changes nothing:
 * the move itself is the event {"type":"move","contact":C,"agent":A}.
 */
int maat_router_move_check(maat_router *r, const char *contact,
                           const char *agent, char *broken, size_t cap);

/* Pops the next decision into '*d'; MAAT_EOF when there is none. */
int maat_router_next(maat_router *r, struct maat_decision *d);

/* The figures of the run so far (docs/events.md lists them). */
struct maat_route_summary {
  long contacts, assigned, to_bot, to_people, abandoned, queued_at_end,
      in_service_at_end;
  long hostile_to_bot;         /* must be 0 */
  long light_to_people;        /* T1 light contacts offered to people */
  long heavy_contacts;
  long warnings, overload_warnings, checkins;
  long understaffed_warnings;
  long hard_breaks;            /* contacts given against a hard limit;
                                  0 under policy maat */
  double service_target_s;
  double service_level;        /* share answered within target, all */
  double service_level_people; /* the same, contacts that needed a person */
  double avg_wait_s;           /* over assigned contacts needing a person */
  double peak_strain;
  double overload_agent_hours;
  double heavy_gini;           /* heavy contacts per agent on shift */
  double mean_energy;          /* check-ins, 0 when none */
};
void maat_router_summary(const maat_router *r, struct maat_route_summary *s);
/* The summary as a JSON object with a newline (fixed formatting). */
size_t maat_route_summary_format(const struct maat_route_summary *s,
                                 char *buf, size_t cap);

/*
 * Writes the router's state (queue in dispatch order, agents with state,
 * heavy streak and rounded strain) as JSON into 'buf'; used to check that a
 * restart rebuilds the same state. Returns the length needed, like snprintf.
 */
size_t maat_router_state_format(const maat_router *r, char *buf, size_t cap);

/* ---- the event log ---- */

typedef struct maat_eventlog maat_eventlog;

/*
 * Opens (creating or migrating) an SQLite event log in WAL mode. 'config'
 * (borrowed) identifies the run (team and policy); an existing log written
 * with another config is refused with MAAT_ESTATE. A NULL 'config' opens
 * the log without checking or setting it (for 'maat token').
 */
int maat_eventlog_open(maat_eventlog **out, const char *path,
                       const char *config);
void maat_eventlog_close(maat_eventlog *log);
/* The number of input events the log holds. */
long maat_eventlog_count(const maat_eventlog *log);
/* Starts a transaction if none is open; appends an input event line. */
int maat_eventlog_append_event(maat_eventlog *log, double t, const char *line,
                               size_t len);
/* Appends a decision line, tied to the last appended event. */
int maat_eventlog_append_decision(maat_eventlog *log, const char *line,
                                  size_t len);
/* Commits the open transaction, if any: everything in it is durable. */
int maat_eventlog_commit(maat_eventlog *log);
/*
 * Calls 'fn' for each logged event line in order; stops and returns fn's
 * value when it is nonzero.
 */
int maat_eventlog_each(maat_eventlog *log,
                       int (*fn)(void *ctx, const char *line, size_t len),
                       void *ctx);

/* ---- generators (docs/team-file.md, docs/events.md) ---- */

/*
 * Writes a realistic team of 'n' agents as JSON into '*out' (owned; free
 * with maat_free()), deterministic for 'seed'.
 */
int maat_gen_team(char **out, size_t *len, int n, unsigned long long seed);

/*
 * Generates 'days' days of events for 'team' (shifts, breaks, arrivals with
 * a time-of-day profile, intents, tones, urgency, handle_s, patience_s),
 * calling 'emit' for each JSONL line (no newline) in time order. Stops and
 * returns emit's value when it is nonzero.
 */
int maat_gen_events(const maat_team *team, int days, unsigned long long seed,
                    int (*emit)(void *ctx, const char *line, size_t len),
                    void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* MAAT_ROUTE_H */

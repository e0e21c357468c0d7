/*
 * route-int.h - the router's private structures: the team, the strain
 * model's settings, the agent and contact records, the heaps and the policy
 * interface shared by src/router.c and src/policy_*.c.
 */
#ifndef MAAT_ROUTE_INT_H
#define MAAT_ROUTE_INT_H

#include "maat-int.h"

#include <math.h>
#include <stdint.h>

/* Settings: one enumerator per row of maat__settings[] (src/strain.c). */
enum {
  MAAT__S_SERVICE_TARGET,
  MAAT__S_MEAN_HANDLE,
  MAAT__S_W_ROUTINE,
  MAAT__S_W_COMPLEX,
  MAAT__S_W_HOSTILE,
  MAAT__S_GAIN,
  MAAT__S_T_A,
  MAAT__S_ALPHA,
  MAAT__S_OVERLOAD,
  MAAT__S_RECOVERY_MIN,
  MAAT__S_RECOVERY_MAX,
  MAAT__S_RECOVERY_TO,
  MAAT__S_HEAVY_CAP,
  MAAT__S_LIGHT_SHARE,
  MAAT__S_HEAVY_FAIR,
  MAAT__S_AGEING,
  MAAT__S_WARN_STRAIN,
  MAAT__S_WARN_PERIOD,
  MAAT__S_WARN_INTERVAL,
  MAAT__S_FORECAST_WINDOW,
  MAAT__S_MAX_OCCUPANCY,
  MAAT__S_SCAN_DEPTH,
  MAAT__S_RELAX_AFTER,
  MAAT__S_OVERLOAD_GRACE,
  MAAT__S_OPEN_FACTOR,
  MAAT__S_HARD_RECOVERY,
  MAAT__S_HARD_HEAVY_MAX,
  MAAT__S_SERVICE_FIRST,
  MAAT__S_CONCURRENCY,
  MAAT__S_COUNT
};

struct maat__setting {
  const char *name;
  double def;
  double lo, hi;
  const char *basis;
};
extern const struct maat__setting maat__settings[MAAT__S_COUNT];

#define MAAT__MAX_LANGS 32
#define MAAT__MAX_INTENTS 64
/* Channels a team's 'capacity' names, and the most contacts of one channel
 * an agent holds at once. */
#define MAAT__MAX_CHANNELS 8
#define MAAT__MAX_SLOTS 8

struct maat__agent_def {
  char id[MAAT_ID_MAX + 1];
  uint32_t langs;      /* bit per team language */
  uint64_t skills;     /* bit per team intent; all ones for "*" */
  unsigned tiers;      /* bit 1 << tier */
  int shift_start;     /* minutes after midnight */
  int shift_end;       /* minutes after midnight, > shift_start */
  /* Contacts of channel c she holds at once (team 'capacity', her own
   * override); 1 for a contact without a channel or of another one. */
  unsigned char cap[MAAT__MAX_CHANNELS];
};

struct maat_team {
  struct maat__agent_def *agents;
  size_t n;
  char langs[MAAT__MAX_LANGS][8];
  int nlangs;
  char intents[MAAT__MAX_INTENTS][MAAT_ID_MAX + 1];
  int nintents;
  double set[MAAT__S_COUNT];
  struct maat_map by_id;   /* agents by id: their definitions */
  /* The team's "skills" map, intent -> skill bit; nmap 0: none (an intent
   * is then its own skill, by name). skill_reason[bit]: the reason a
   * decision gives, "skill S: the contact's intent needs it". */
  int nmap;
  int has_map;
  char (*map_intent)[MAAT_ID_MAX + 1];
  int *map_bit;
  char skill_reason[MAAT__MAX_INTENTS][MAAT_ID_MAX + 48];
  /* The channels 'capacity' names (the team's, then agents' own), the
   * team's capacity of each, and whether anyone holds more than one. */
  char chans[MAAT__MAX_CHANNELS][16];
  int nchans;
  unsigned char chan_cap[MAAT__MAX_CHANNELS];
  int chan_multi[MAAT__MAX_CHANNELS];
  char chan_reason[MAAT__MAX_CHANNELS][112];
};

/* Team lookups: an agent's index by id; the bit index of a language or
 * intent; -1 when there is none. */
int maat__team_agent(const struct maat_team *t, const char *id);
int maat__team_lang(const struct maat_team *t, const char *lang);
int maat__team_intent(const struct maat_team *t, const char *intent);
int maat__team_channel(const struct maat_team *t, const char *channel);

/* ---- the strain model (src/strain.c) ---- */

/*
 * The rules run for every contact and every candidate agent, so the small
 * ones are inline here.
 */
/* Hostile: a tone that must never stay alone with the bot. */
static inline int maat__tone_hostile(int tone)
{
  return tone == MAAT_TONE_FRUSTRATED || tone == MAAT_TONE_ANGRY ||
         tone == MAAT_TONE_DISTRESSED;
}

/* Heavy: a hostile tone (frustrated, angry, distressed) or tier T3. */
static inline int maat__contact_heavy(const struct maat_contact *c)
{
  return maat__tone_hostile(c->tone) || c->tier == MAAT_T3;
}

/* Strain added by a contact of duration 'd' seconds. */
static inline double maat__strain_load(const double *set,
                                       const struct maat_contact *c, double d)
{
  double w;

  /*
   * The kind's weight w_k; a hostile contact's weight scales with its
   * intensity so that intensity 0.5 gives w_hostile.
   */
  if (maat__tone_hostile(c->tone))
    w = set[MAAT__S_W_HOSTILE] * (0.5 + c->intensity);
  else if (c->tier >= MAAT_T2)
    w = set[MAAT__S_W_COMPLEX];
  else
    w = set[MAAT__S_W_ROUTINE];
  return set[MAAT__S_GAIN] * w * d / set[MAAT__S_MEAN_HANDLE];
}

/* Strain 'a' after 'tau' seconds of idle time or rest. */
static inline double maat__strain_decay(const double *set, double a,
                                        double tau)
{
  if (tau <= 0 || a <= 0)
    return a;
  return a * exp(-tau / set[MAAT__S_T_A]);
}
/* Seconds of the interval [0, tau] of decay from 'a' spent above 'thr'. */
double maat__strain_time_above(const double *set, double a, double tau,
                               double thr);
/* The recovery window after a heavy contact, given the strain after it. */
double maat__strain_recovery(const double *set, double a);
/* Handling time stretched by strain (rule 4, mean only). */
double maat__strain_stretch(const double *set, double handle_s, double a);

/* ---- a min-heap (4-ary) of small ints ordered by (key, tie) ---- */

/*
 * A node carries its key and tie, so that sifting reads no other array. The
 * key is kept as bits that order as integers do (maat__heap_bits()), so
 * that (key, tie) compares as one 128-bit integer: a comparison of doubles
 * and then of ties was the longest step of a sift.
 */
struct maat__heap_node {
  uint64_t key;
  int64_t tie;      /* >= 0 */
  int item;
};

/* A double's bits, flipped so that they order as unsigned integers. */
static inline uint64_t maat__heap_bits(double k)
{
  uint64_t u;

  memcpy(&u, &k, sizeof u);
  return u ^ ((uint64_t)((int64_t)u >> 63) | (uint64_t)1 << 63);
}

static inline double maat__heap_unbits(uint64_t u)
{
  double k;

  u ^= u >> 63 ? (uint64_t)1 << 63 : ~(uint64_t)0;
  memcpy(&k, &u, sizeof k);
  return k;
}

/* The heap's arity; its node array has this many sentinels past 'cap'. */
#define MAAT__HEAP_D 4

struct maat__heap {
  struct maat__heap_node *node; /* heap order */
  int n;
  int cap;          /* capacity of both arrays */
  int *pos;         /* by item; -1 when not in the heap */
};
int maat__heap_reserve(struct maat__heap *h, int cap);
void maat__heap_release(struct maat__heap *h);
void maat__heap_push(struct maat__heap *h, int item, double key, int64_t tie);
void maat__heap_remove(struct maat__heap *h, int item);
int maat__heap_pop(struct maat__heap *h);
static inline int maat__heap_top(const struct maat__heap *h)
{
  return h->n ? h->node[0].item : -1;
}
/* The least key; INFINITY when empty. */
static inline double maat__heap_top_key(const struct maat__heap *h)
{
  return h->n ? maat__heap_unbits(h->node[0].key) : __builtin_inf();
}

/* ---- the router ---- */

#define MAAT__RECENT 10

/*
 * An agent as the router sees her. The first 64 bytes are what the
 * policies and the periodic checks read of every agent; the record and
 * the array are aligned to 64 bytes so that this is one cache line.
 */
struct maat__ragent {
  _Alignas(64) int state;
  int streak;          /* consecutive heavy contacts */
  double strain;       /* at strain_t */
  double strain_t;
  double idle_since;
  int heavy_today;
  int warned;
  double above_since;  /* strain > warn threshold since; -1 when not */
  unsigned recent;     /* bit i: the i-th most recent contact was heavy */
  int nrecent;
  int nheld;           /* contacts in service: held[0..nheld) */
  int pending;         /* state to take after the current contact, or -1 */
  /* 64 bytes */
  const struct maat__agent_def *def;
  double busy_until;   /* replay */
  double recovery_until;
  long heavy_total;
  long served;
  double overload_s;
  int on_shift;        /* was ever on shift (for the Gini) */
  int light_due;       /* recent work heavy enough for a light offer */
  /* Until when the hard minimum rest after her last heavy contact lasts
   * (hard_recovery_s): no contact before it, by any policy's count. */
  double rest_until;
  /* The contacts she holds at once (their slots, in order of taking),
   * all of channel 'chan' (-1: none yet, or one without capacity). */
  int held[MAAT__MAX_SLOTS];
  int chan;
  int heavy_held;      /* one of them is heavy: she takes no other */
  int recover_due;     /* a heavy one ended while she held others: her
                          recovery window starts when the last one ends */
  /* The integral over time of the other contacts she held at once,
   * max(nheld - 1, 0), up to extra_t: the concurrency a contact's strain
   * counts (exactly 0 for someone who never held two). */
  double extra_int, extra_t;
};

/*
 * The hard limits (docs/strain-model.md), which no stage relaxes: no
 * contact within hard_recovery_s of a heavy one's end, no heavy contact
 * after hard_heavy_max heavy ones in a row.
 */
static inline int maat__hard_ok(const struct maat__ragent *a, int heavy,
                                double now, const double *set)
{
  return !(now < a->rest_until) &&
         !(heavy && a->streak >= (int)set[MAAT__S_HARD_HEAVY_MAX]);
}
/* The heavy cap the router keeps: the soft cap, never above the hard one. */
static inline int maat__heavy_cap(const double *set)
{
  double c = set[MAAT__S_HEAVY_CAP], h = set[MAAT__S_HARD_HEAVY_MAX];

  return (int)(c < h ? c : h);
}

/* Heavy contacts among the agent's last MAAT__RECENT. */
static inline int maat__recent_heavy(const struct maat__ragent *a)
{
  unsigned mask = a->nrecent >= 32 ? ~0u : (1u << a->nrecent) - 1;

  return __builtin_popcount(a->recent & mask);
}

/* What dispatch reads of every waiting contact comes first, together. */
struct maat__rcontact {
  double qkey;         /* dispatch order: (qkey, qseq) */
  int64_t qseq;
  /* When its fallback stages start (arrival + stage_at[k]), and the stage
   * it was last seen in: stages only advance (maat__wait_stage()). */
  double stage_t[4];
  /*
   * Found nobody when 'newcomers' was at 'blocked_at': until 'blocked_until'
   * only an agent who fits and became available or started a recovery window
   * since can change that (dispatch skips it otherwise).
   */
  double blocked_until;
  /* Then, when it enters its next stage that allows more: blocked until
   * before it, the contact is in the same stage or one with the same next. */
  double wake_t;
  int qnext;           /* the next in its list of the queue, or -1 */
  int stage;
  int open_warned;     /* told the lead it stays open too long */
  uint64_t blocked_at;
  int qlist;           /* the queue's list it waits in, or -1 */
  int qprev;           /* the previous in that list, or -1 */
  int kind;            /* tier, language and skill: an index into fitcache */
  int heavy;
  double load;         /* strain it adds at the mean handling time */
  double arrival;
  int person;          /* needs a person: tier >= T2 or a hostile tone */
  int answered;        /* was with a person (counted in the waits) */
  uint32_t langs;      /* the agent language bits that fit */
  int used;
  uint64_t skills;     /* the agent skill bits that fit */
  int agent;           /* agent index in service, or -1 */
  double assigned_t;
  double duration;
  int chan;            /* the team's channel index, or -1 */
  int multi;           /* someone holds several of its channel at once */
  double end_t;        /* replay: when it ends, once taken */
  double extra0;       /* its agent's extra_int when she took it */
  struct maat_contact c;
};

struct maat__choice {
  int agent;           /* index, or -1 to keep waiting */
  int fallback;        /* a rule was relaxed (overload) */
  const char *rule;    /* the rule relaxed, for the warning */
  const char *reasons[MAAT_MAX_REASONS];
  int nreasons;
  /* On finding nobody: before this time, with no new agent who fits, it
   * would find nobody again (INFINITY: time alone never helps). */
  double retry_at;
};

/*
 * A routing policy. 'light' decides where a light T1 contact goes on
 * arrival: an agent index to offer it to a person, or -1 for the bot.
 * 'choose' picks an agent for a contact that needs a person, looking only
 * at agents who fit it. When it finds nobody, it must find nobody for any
 * contact of the same kind, heaviness and lateness that adds at least as
 * much strain, and must find nobody again for this contact while no agent
 * who fits becomes available or starts a recovery window, until the time it
 * sets in 'retry_at' (dispatch relies on both to skip contacts). 'recovery'
 * says whether heavy contacts start a recovery window.
 */
struct maat__policy {
  const char *name;
  int recovery;
  int by_strain;       /* reads order_key (so the router keeps it) */
  int staged;          /* relaxes its rules by maat__wait_stage() */
  int (*light)(struct maat_router *r, const struct maat__rcontact *c,
               const char **why);
  void (*choose)(struct maat_router *r, const struct maat__rcontact *c,
                 struct maat__choice *out);
  /*
   * Optional: from when agent 'i', who fits 'c', could take it within the
   * rules if nothing else changed (INFINITY: not without changing state
   * first). Lets dispatch pass over a contact when the agents new since it
   * was blocked could not take it yet. NULL: every new agent who fits might.
   */
  double (*ready_at)(const struct maat_router *r,
                     const struct maat__rcontact *c, int i);
};
extern const struct maat__policy maat__policy_maat;
extern const struct maat__policy maat__policy_efficiency;
extern const struct maat__policy maat__policy_roundrobin;

/*
 * A router flag for library callers only: the caller makes every contact id
 * unique and never sends a 'done' event (the simulator), so the router
 * keeps no index by id.
 */
#define MAAT__ROUTER_NO_INDEX (1u << 16)

#define MAAT__NEWCOMERS 64
#define MAAT__QLISTS 2    /* not critical, critical */
/* Contact kinds: tier x (languages + any + unknown) x (intents + any). */
#define MAAT__KINDS (3 * (MAAT__MAX_LANGS + 2) * (MAAT__MAX_INTENTS + 1))

struct maat_router {
  const struct maat_team *team;
  const struct maat__policy *pol;
  unsigned flags;
  double now;
  long day;
  double day_check;    /* new_day() need not look before this time */
  int started;
  struct maat__ragent *agents;  /* aligned to 64 bytes, in 'agents_mem' */
  void *agents_mem;
  int nagents;
  /*
   * Agents available or in recovery, a list ordered by (idle_since, index):
   * the longest idle first, so that a policy that wants the longest-idle
   * eligible agent stops at the first that fits. -1 ends the list.
   */
  int *ready_next, *ready_prev;
  int ready_head, ready_tail;
  int nready, navail, non;
  /*
   * Bit sets over agents, 'nwords' words each: who is available, who of
   * them is due light work, who is in a recovery window, and by contact
   * kind who fits (made on the kind's first contact). A policy ANDs them to
   * see only the agents that could take a contact. Each agent i available
   * or in recovery has 'order_key[i]': her strain decays as a e^(-t/tau)
   * while she waits or rests, so ln a + t/tau stays put and comparing keys
   * compares strains without an exp() (an array of its own, since the
   * policies read it for every candidate).
   */
  double *order_key;
  /*
   * And 'strain_e[i]' (available or in recovery too): her strain scaled to
   * 'strain_base', so that it is strain_e[i] e^(-(now - strain_base)/tau)
   * now, one factor for everyone (maat__router_strain_factor()); equal to
   * her strain to within rounding, for a policy to narrow its candidates
   * before the exact maat__router_strain().
   */
  double *strain_e;
  double strain_base, strain_f, strain_f_at;
  /* A policy's memory of ln(overload - load) for the last two loads (NAN:
   * none yet). */
  double room_load[2], room_ln[2];
  int room_next;
  int nwords;
  uint64_t *avail_bits, *light_bits, *recovery_bits;
  /* Available agents under the heavy cap (their streak is fixed while
   * they wait): the ones a heavy contact may go to within the rules. */
  uint64_t *undercap_bits;
  /* Busy agents with a place left for another contact of their channel
   * (none heavy, nothing pending): maat__agent_def.cap. */
  uint64_t *open_bits;
  int nopen;
  /* Who the periodic strain check must look at (warn_strain_all()). */
  uint64_t *warn_watch;
  double warn_watch_thr;
  double ln_warn, ln_warn_thr;  /* ln(warn threshold), for that threshold */
  /* The agents who last became available or started a recovery window:
   * 'newcomer[n % MAAT__NEWCOMERS]' is the n-th of 'newcomers' so far. */
  uint64_t newcomers;
  int newcomer[MAAT__NEWCOMERS];
  uint64_t **fit_bits;
  int nlight_due;
  int nshift;          /* agents ever on shift */
  unsigned char *fitcache; /* by contact kind: 0 unknown, 1 fits, 2 none */
  long heavy_today_sum;
  int rr_cursor;
  /* contacts: a pool of slots and an id index */
  struct maat__rcontact *cs;
  int ncs, capcs;
  int *free_slots;
  int nfree;
  int *idx;            /* open addressing: slot + 1, 0 empty, -1 deleted */
  size_t idxcap, idxused;
  int64_t seq;
  /*
   * The waiting contacts in dispatch order (key, arrival time less ageing
   * per priority step, then seq), in two lists, critical or not: the queue
   * is a merge of the two, and dispatch walks it without taking contacts out
   * and putting them back.
   */
  int qhead[MAAT__QLISTS], qtail[MAAT__QLISTS];
  /* Per list and priority, the contact that joined last (-1: gone). Keys
   * of one priority only grow (now - ageing * priority), so a new one
   * belongs after it: queue_add() walks forward from there, over the few
   * that arrived since, instead of back from the tail over a flood. */
  int qlast[MAAT__QLISTS][4];
  int nqueued;
  /*
   * Within one dispatch, while no one is assigned, a contact of a kind
   * (tier, language, skill; heavy; fallback stage) that found nobody means
   * every contact of that kind adding at least as much strain finds nobody:
   * 'fail_load' by kind, valid where 'fail_stamp' is the dispatch's stamp.
   */
  double *fail_load, *fail_retry;
  unsigned *fail_stamp;
  unsigned stamp;
  /*
   * Quiet: the last walk looked at every waiting contact and each found
   * nobody (or was taken). While no agent is new since ('quiet_newcomers'),
   * before 'quiet_until' (the least 'blocked_until' then, which is before
   * any of them enters its next fallback stage) and with no more contacts
   * waiting than 'scan_depth', a walk would only ask about a contact that
   * arrived since: 'fresh' (agents taken since only leave fewer to ask
   * about). Dispatch then asks about it alone.
   */
  int quiet;
  uint64_t quiet_newcomers;
  double quiet_until;
  int fresh;
  struct maat__heap deadline;  /* replay: waiting contacts by abandon time */
  struct maat__heap timers;    /* agents by their next timed transition */
  double wake;                 /* fallback re-check time, or INFINITY */
  /*
   * The fallback's stage starts, as waits (maat__wait_stage()): relax,
   * rescue, the target and anyone; all INFINITY for a policy without one.
   */
  double stage_at[4];
  double stage_at_crit[4]; /* a critical contact's: always service first */
  double ln_overload;          /* ln(overload), for the strain keys */
  /* outputs */
  int lost;                    /* decisions dropped for want of memory */
  struct maat_decision *out;
  int nout, capout, headout;
  char reasonbuf[MAAT_MAX_REASONS][160];
  /* warnings */
  double last_overload_warn, last_forecast_warn, last_understaffed_warn;
  double missed_at;    /* a contact last missed the target (or the rules gave way) */
  double offered_work;         /* exponentially decayed person-work seconds */
  double offered_n;            /* ... and person-contacts, decayed alike */
  double offered_t;
  /* summary */
  struct maat_route_summary sum;
  double wait_sum;
  long waited_n, within, within_people, ended, ended_people;
  double energy_sum;
};

/* Walks the ready agents, longest idle first: for (READY_EACH(r, i)) ... */
#define MAAT__READY_EACH(r, i) int i = (r)->ready_head; i >= 0; \
                               i = (r)->ready_next[i]

/*
 * The first agent from 'from' on that fits contact 'c' and is in bit set
 * 'in' (r->avail_bits, r->light_bits), or -1:
 *   for (i = maat__router_next_fit(r, c, in, 0); i >= 0;
 *        i = maat__router_next_fit(r, c, in, i + 1))
 */
static inline int maat__router_next_fit(const struct maat_router *r,
                                        const struct maat__rcontact *c,
                                        const uint64_t *in, int from)
{
  const uint64_t *fit = r->fit_bits[c->kind];
  int w = from >> 6;
  uint64_t m;

  if (w >= r->nwords)
    return -1;
  m = fit[w] & in[w] & (~(uint64_t)0 << (from & 63));
  while (!m) {
    if (++w >= r->nwords)
      return -1;
    m = fit[w] & in[w];
  }
  return w * 64 + __builtin_ctzll(m);
}

/*
 * Every agent i in bit set 'in' who fits contact 'c', in team order, word
 * by word: for (MAAT__EACH_FIT(r, c, in, w, m, i)) { ... } (no 'break':
 * it would leave only the inner loop).
 */
#define MAAT__EACH_FIT(r, c, in, w, m, i) \
  int w = 0; w < (r)->nwords; w++) \
    for (uint64_t m = (r)->fit_bits[(c)->kind][w] & (in)[w]; \
         m && ((i) = w * 64 + __builtin_ctzll(m), 1); m &= m - 1

/* Whether agent i fits contact c: one bit of the kind's set. */
static inline int maat__router_fit_bit(const struct maat_router *r,
                                       const struct maat__rcontact *c, int i)
{
  return (int)(r->fit_bits[c->kind][i >> 6] >> (i & 63) & 1);
}

/* Whether agent x comes before y by strain, then longest idle, then index. */
static inline int maat__router_less_strained(const struct maat_router *r,
                                             int x, int y)
{
  if (r->order_key[x] != r->order_key[y])
    return r->order_key[x] < r->order_key[y];
  if (r->agents[x].idle_since != r->agents[y].idle_since)
    return r->agents[x].idle_since < r->agents[y].idle_since;
  return x < y;
}

/*
 * maat_router_push() for a caller that knows the team's bit of a contact's
 * language and intent (what maat__team_lang() and maat__team_intent() return
 * for them, -1 included) and so spares the router looking them up by name:
 * the simulator, whose contacts draw from a few of each. MAAT__LOOK_UP: by
 * name, as maat_router_push().
 */
#define MAAT__LOOK_UP (-2)
int maat__router_push_known(struct maat_router *r, const struct maat_event *ev,
                            int lang_bit, int intent_bit);

/*
 * The decisions not yet taken with maat_router_next(), in place (the
 * simulator reads thousands a second); maat__router_drop() forgets them.
 */
const struct maat_decision *maat__router_pending(const struct maat_router *r,
                                                 int *n);
void maat__router_drop(struct maat_router *r);

/* Eligible on language, skill and tier (not state); inline: it is the
 * policies' innermost test. */
static inline int maat__router_fits(const struct maat_router *r, int agent,
                                    const struct maat__rcontact *c)
{
  const struct maat__agent_def *d = r->agents[agent].def;

  return (d->tiers & 1u << c->c.tier) && (d->langs & c->langs) &&
         (d->skills & c->skills);
}
/* The agent's strain now (decayed while idle; it stays put during work). */
static inline double maat__router_strain(const struct maat_router *r, int i)
{
  const struct maat__ragent *a = &r->agents[i];

  if (a->state == MAAT_AGENT_BUSY)
    return a->strain;
  return maat__strain_decay(r->team->set, a->strain, r->now - a->strain_t);
}
/*
 * e^(-(now - strain_base)/tau): strain_e[i] times this is the strain now
 * of agent i, available or in recovery, to a relative 1e-12 (by_strain
 * policies only).
 */
double maat__router_strain_factor(struct maat_router *r);
/*
 * maat__router_strain(), for a caller that lets the router work out now's
 * factor: an agent available or resting by her scaled strain times it (an
 * exp() for all of them, and often known already), equal to rounding.
 */
static inline double maat__router_strain_now(struct maat_router *r, int i)
{
  int state = r->agents[i].state;

  if ((state == MAAT_AGENT_AVAILABLE || state == MAAT_AGENT_RECOVERY) &&
      r->pol->by_strain) {
    double f = maat__router_strain_factor(r); /* may rebase strain_e */
    return r->strain_e[i] * f;
  }
  return maat__router_strain(r, i);
}
/* The number of waiting contacts that need a person. */
int maat__router_waiting(const struct maat_router *r);

/*
 * How far a waiting contact is into its policy's fallback, by its wait w
 * (settings relax_after_s, service_target_s T, overload_grace_s). A policy
 * may keep more rules in earlier stages; dispatch wakes at each stage that
 * allows more and keeps its failure cache per stage.
 *   RULES   w < relax_after_s: every rule holds
 *   RELAX   the heavy cap, overload margin and a recovery window may give
 *           way for someone under the overload line
 *   RESCUE  the last second before T: a light or critical contact that would
 *           miss the target may go to someone over the line
 *   LATE    past T: someone over the line only after the grace
 *   ANYONE  past T + overload_grace_s: nothing waits longer for the rules
 */
enum {
  MAAT__WAIT_RULES,
  MAAT__WAIT_RELAX,
  MAAT__WAIT_RESCUE,
  MAAT__WAIT_LATE,
  MAAT__WAIT_ANYONE,
  MAAT__WAIT_STAGES
};
#define MAAT__RESCUE_S 1.0
/* The failure cache's keys: kind, heaviness and stage. */
#define MAAT__FAIL_KEYS (MAAT__KINDS * 2 * MAAT__WAIT_STAGES)

static inline int maat__wait_stage(const struct maat_router *r,
                                   const struct maat__rcontact *c)
{
  int k = c->stage;

  /* By absolute times, as maat__wait_next() wakes: the two must agree. */
  while (k < 4 && r->now >= c->stage_t[k])
    k++;
  return k;
}

/* When the contact next enters a stage that allows more, or INFINITY. */
static inline double maat__wait_next(const struct maat_router *r,
                                     const struct maat__rcontact *c)
{
  int k = maat__wait_stage(r, c);

  /* The target itself starts a stage that allows less: no wake there. */
  if (k == MAAT__WAIT_RESCUE)
    k = MAAT__WAIT_LATE;
  return k < 4 ? c->stage_t[k] : INFINITY;
}
double maat__router_overload_s(const struct maat_router *r, int agent);
int maat__router_agent_state(const struct maat_router *r, int agent);

/*
 * The router's whole state as bytes (src/route/router_image.c), for the
 * engine's snapshots: appended to 'b'. Only with no decision waiting to
 * be fetched (MAAT_ESTATE otherwise).
 */
int maat__router_save(const struct maat_router *r, struct maat_buf *b);
/*
 * Restores a state saved by this build into 'r', a router just opened on
 * the same team, policy and flags. MAAT_EFORMAT when the bytes come from
 * another build or team: the caller then replays the log instead.
 */
int maat__router_load(struct maat_router *r, const void *data, size_t len);
/* Makes the cache of who fits each kind for every contact the router holds
 * (a loaded router starts with an empty one). */
int maat__router_refit(struct maat_router *r);

/*
 * maat_event_parse(), also handing over the parsed object in '*keep' on
 * success (the caller owns it: json_decref()), so that a caller who wants
 * more of the line (the engine: "triage", "outcome") need not parse it
 * again.
 */
struct json_t;
int maat__event_parse_keep(struct maat_event *ev, const char *line,
                           size_t len, struct json_t **keep);

/*
 * The event log's SQLite connection, for maat serve's tables (tokens,
 * audit, check-ins; schema version 2), so that an audit row commits in the
 * same transaction as the event it records.
 */
struct sqlite3;
struct sqlite3 *maat__eventlog_db(maat_eventlog *log);
/* Opens a transaction if none is open. */
int maat__eventlog_begin(maat_eventlog *log);

#endif /* MAAT_ROUTE_INT_H */

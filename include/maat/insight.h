/*
 * maat/insight.h - insight for the organisation (docs/insight.md): every
 * closed contact as a fact fit for analysis, a helpdesk's history imported
 * as the same facts, and the report built on them: where the bot performs
 * and fails, CSAT and NPS by who handled what, shifts between bot and
 * people with their evidence, what the AI saves and what goes back to the
 * people, and the team's pulse, only ever for groups large enough to hide
 * anyone. Included by maat.h; do not include directly.
 */
#ifndef MAAT_INSIGHT_H
#define MAAT_INSIGHT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One closed contact, as analysed. */
struct maat_fact {
  char id[65], customer[65], intent[65];
  char channel[16], lang[8], source[24];
  double at;            /* when it closed, Unix time */
  double wait_s;        /* until a person or the bot took it; -1: unknown */
  double handle_s;      /* from taken to closed; -1: unknown */
  int tier;             /* 1..3; 0: unknown */
  int by_bot;           /* the bot had it (to the end, or until it handed
                           it back) */
  int handed_back;      /* the bot handed it to people */
  int transfers;        /* moved from one person to another */
  int resolved;         /* 1 resolved, 0 not (abandoned, unresolved);
                           -1 unknown */
  int csat;             /* 1..5; 0: none */
  int nps;              /* 0..10; -1: none */
  int shadow;           /* shadow mode: the bot would have answered it */
};

/*
 * Calls 'fn' for every fact closed in [from, to) (Unix time; 0 and 0:
 * all): the contacts maat closed (router time mapped to the clock of the
 * server that ran them) and the imported ones.
 */
int maat_insight_facts(maat_store *st, double from, double to,
                       int (*fn)(void *ctx, const struct maat_fact *f),
                       void *ctx);

/*
 * Imports a helpdesk's history from CSV: 'mapping' (JSON, docs/insight.md)
 * names the column of each field, the values that mean the bot, and how
 * times are written. Every good row is kept as a fact of 'source'; a bad
 * one is skipped and reported through 'bad' ("FILE:LINE: column 'C':
 * what was wrong"), at most the first 'max_bad' of them; '*n' rows kept,
 * '*nbad' skipped. MAAT_EPARSE for a mapping that names no column of the
 * file (nothing is kept then).
 */
int maat_insight_import(maat_store *st, const char *csv_path,
                        const char *mapping_path, const char *source,
                        void (*bad)(void *ctx, const char *message),
                        void *ctx, long *n, long *nbad);

struct maat_insight_opts {
  double from, to;          /* Unix time; 0, 0: everything */
  int min_contacts;         /* no figure or shift from fewer; 0: 30 */
  int min_group;            /* pulse and check-ins: groups of at least
                               this many people; 0: 5; never below 5 */
  double hour_cost;         /* what an hour of a person costs; 0: none */
  const char *currency;     /* "EUR" when NULL */
  double reinvest_share;    /* the share of savings committed back to
                               people, 0..1 */
  double assist_minutes;    /* minutes agent-assist saves per contact a
                               person handles (an assumption; 0: none) */
  double now;               /* Unix time; 0: the clock */
};

/*
 * The report as JSON (owned, maat_free()): docs/insight.md lists its
 * fields. Aggregates only: nothing in it is about one person.
 */
int maat_insight_report(maat_store *st, const struct maat_insight_opts *o,
                        char **json);

/*
 * The report for people: 'format' "html" (one self-contained page, inline
 * SVG charts, no script) or "csv" (per intent), 'lang' "en" or "nl", from
 * the JSON of maat_insight_report(). '*out' is owned (maat_free()).
 */
int maat_insight_render(const char *json, const char *format,
                        const char *lang, char **out, size_t *len);

/*
 * The task audit: an inventory (CSV with the columns task, category,
 * per_week, minutes, error_rate 0..1, frustration, stakeholder and
 * creative 1..5; optional person_only yes/no for what must stay human)
 * placed on the complexity matrix, each task given an
 * allocation ("ai_automates", "ai_leads_person_validates",
 * "collaboration", "person_leads_ai_supports", "person_leads_ai_insights",
 * "person_only") and a 70-20-10 priority, ranked; JSON in '*json' (owned).
 * A bad row is skipped and named through 'bad' (file, line, column).
 */
int maat_tasks_assess(const char *csv_path,
                      void (*bad)(void *ctx, const char *message),
                      void *ctx, char **json, long *nbad);

/* ---- the pulse survey and the reinvestment ledger ---- */

struct maat_pulse {
  int enps;             /* 0..10: would you recommend working here */
  int happiness;        /* 1..5 */
  int stress;           /* 1..5 (5: very stressed) */
  int engagement;       /* 1..5 */
  int learning;         /* 1..5: time for learning */
};

/* "2026-12-01" as the Unix time of local midnight; MAAT_EINVAL when it is
 * not a date. */
int maat_insight_date(const char *s, double *out);

/* The ISO week of Unix time 't' ("2026-W49", local time) into 'out'. */
void maat_insight_week(double t, char *out, size_t cap);

/*
 * Keeps agent 'agent's answers to this week's pulse ('now', Unix time),
 * without who gave them: the answers and the fact that she answered are
 * kept apart. MAAT_ESTATE when she answered this week already; MAAT_EINVAL
 * naming a value out of range.
 */
int maat_insight_pulse(maat_store *st, const char *agent, double now,
                       const struct maat_pulse *p);
/* Whether agent 'agent' answered this week's pulse. */
int maat_insight_pulse_done(maat_store *st, const char *agent, double now);

struct maat_reinvestment {
  double at;            /* Unix time */
  const char *kind;     /* "growth", "cocreation", "recovery" */
  double hours;         /* hours given back (>= 0) */
  double amount;        /* money spent (>= 0) */
  const char *currency; /* "EUR" when NULL */
  const char *note;     /* what it was (no one's name); may be NULL */
};

/* An entry of the ledger; MAAT_EINVAL naming the field that is wrong. */
int maat_insight_reinvest(maat_store *st, const struct maat_reinvestment *r);

#ifdef __cplusplus
}
#endif

#endif /* MAAT_INSIGHT_H */

/*
 * maat/sim.h - planning: Erlang C, and a discrete-event simulator of a team
 * under a routing policy. The simulator drives the router of maat/route.h
 * (the same policies, strain model and summary as 'maat route'); it adds
 * arrivals, shifts and breaks, the bot's bounce-backs, customer patience,
 * chronic load and the risk that an agent leaves. docs/simulation.md
 * describes the model; docs/scenario-file.md the scenario format.
 * Included by maat.h; do not include directly.
 */
#ifndef MAAT_SIM_H
#define MAAT_SIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Erlang C ---- */

/* What Erlang C says of 'agents' agents, with the offered traffic. */
struct maat_erlang {
  double traffic;        /* A = rate * aht, in erlangs */
  double p_wait;         /* probability that a contact waits */
  double asa_s;          /* average speed of answer, all contacts */
  double service_level;  /* share answered within the target */
  double occupancy;      /* A / agents */
};

/*
 * Erlang C for Poisson arrivals at 'rate_per_hour', exponential handling
 * with mean 'aht_s', 'agents' agents and a service-level target of
 * 'target_s' seconds. Computed with the Erlang B recurrence, so it neither
 * overflows nor loses precision for thousands of agents. Returns MAAT_OK, or
 * MAAT_EINVAL for a non-positive or non-finite input, or when the traffic is
 * not below the number of agents (the queue grows without bound).
 */
int maat_erlang_c(double rate_per_hour, double aht_s, int agents,
                  double target_s, struct maat_erlang *out);

/*
 * The fewest agents for which the service level within 'target_s' reaches
 * 'sl_goal' (0..1), into '*agents'. Returns MAAT_OK or MAAT_EINVAL.
 */
int maat_erlang_agents(double rate_per_hour, double aht_s, double target_s,
                       double sl_goal, int *agents);

/* ---- the plain M/M/c queue, simulated through the router ---- */

struct maat_mmc_options {
  double rate_per_hour;  /* Poisson arrivals */
  double aht_s;          /* exponential handling, mean */
  int agents;
  long contacts;         /* over all replications (after warm-up) */
  int reps;              /* independent replications, >= 2 for a CI */
  unsigned long long seed;
};

/* Means over the replications and 95 % confidence half-widths. */
struct maat_mmc_result {
  long contacts;
  int reps;
  double p_wait, p_wait_ci;
  double asa_s, asa_s_ci;
};

/*
 * Simulates M/M/c: the router's 'efficiency' policy with strain, its effect
 * on handling time, the bot and abandonment switched off. The first contacts
 * of each replication (a warm-up of 50 mean handling times) are not counted.
 * Deterministic for a seed. Returns MAAT_OK, MAAT_EINVAL or MAAT_ENOMEM.
 */
int maat_simulate_mmc(const struct maat_mmc_options *o,
                      struct maat_mmc_result *out);

/* ---- scenarios ---- */

typedef struct maat_scenario maat_scenario;

/* The built-in scenarios' names, NULL-terminated. */
const char *const *maat_scenario_builtins(void);

/* A built-in scenario by name; MAAT_ENOTFOUND when there is none. */
int maat_scenario_builtin(maat_scenario **out, const char *name);

/*
 * Reads a scenario file (JSON, docs/scenario-file.md). Errors name the file
 * and the field. 'name' in parse() is used in messages.
 */
int maat_scenario_load(maat_scenario **out, const char *path);
int maat_scenario_parse(maat_scenario **out, const char *json, size_t len,
                        const char *name);
void maat_scenario_free(maat_scenario *sc);
const char *maat_scenario_name(const maat_scenario *sc);
const char *maat_scenario_about(const maat_scenario *sc);

/* ---- the simulator ---- */

/* The figures of one run, in this order in results and output. */
enum maat_sim_stat {
  MAAT_SIM_CONTACTS = 0,
  MAAT_SIM_SERVICE_LEVEL,
  MAAT_SIM_AVG_WAIT_S,
  MAAT_SIM_P90_WAIT_S,
  MAAT_SIM_ABANDON_RATE,
  MAAT_SIM_BOT_SHARE,
  MAAT_SIM_BOUNCE_BACKS,
  MAAT_SIM_AGENT_HOURS,
  MAAT_SIM_COST,
  MAAT_SIM_MEAN_STRAIN,
  MAAT_SIM_P95_STRAIN,
  MAAT_SIM_OVERLOAD_AGENT_HOURS,
  MAAT_SIM_OVERLOAD_AGENT_DAYS,
  MAAT_SIM_HEAVY_GINI,
  MAAT_SIM_LEAVERS_PER_YEAR,
  MAAT_SIM_HARD_BREAKS,
  MAAT_SIM_UNDERSTAFFED_WARNINGS,
  MAAT_SIM_NSTAT
};

/* "contacts", "service_level", ..., "expected_leavers_per_year". */
const char *maat_sim_stat_name(int stat);

struct maat_sim_options {
  const char *policy;      /* a router policy; NULL = "maat" */
  int days;                /* >= 1 */
  int reps;                /* >= 1; >= 2 for confidence intervals */
  unsigned long long seed;
  /* Called now and then with the share done, when not NULL. */
  void (*progress)(void *ctx, double done);
  void *progress_ctx;
};

/* The wait histogram of maat_sim_result: people's contacts, 30 s bins. */
#define MAAT_SIM_WAIT_BINS 20

struct maat_sim_result {
  int reps;
  double mean[MAAT_SIM_NSTAT];
  double ci[MAAT_SIM_NSTAT];   /* 95 % half-width over replications; 0 if 1 */
  double strain_by_hour[24];   /* mean strain of agents on shift, per hour
                                  of the day, over days and replications */
  double wait_share[MAAT_SIM_WAIT_BINS]; /* share of waits per 30 s bin,
                                            the last bin open-ended */
};

/*
 * Runs 'o->reps' independent replications of 'o->days' days of the
 * scenario under 'o->policy'. Replication k uses a random stream derived
 * from the seed and k, so results do not depend on how many replications
 * run. Returns MAAT_OK, MAAT_EINVAL (options), MAAT_ENOTFOUND (policy) or
 * MAAT_ENOMEM.
 */
int maat_simulate(const maat_scenario *sc, const struct maat_sim_options *o,
                  struct maat_sim_result *out);

#ifdef __cplusplus
}
#endif

#endif /* MAAT_SIM_H */

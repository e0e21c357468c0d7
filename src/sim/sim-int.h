/*
 * sim-int.h - the scenario as the simulator reads it, shared between
 * sim_scenario.c (built-ins and the JSON file) and sim.c. Never installed.
 */
#ifndef MAAT_SIM_INT_H
#define MAAT_SIM_INT_H

#include "route-int.h"

#define MAAT__SIM_MAX_INTENTS 32
#define MAAT__SIM_MAX_SETTINGS 32

/* One kind of contact in the mix. */
struct maat__sim_intent {
  char name[MAAT_ID_MAX + 1];
  double share;          /* of arrivals, normalised on load */
  double tier[3];        /* P(T1), P(T2), P(T3), normalised */
  double hostile;        /* P(frustrated, angry or distressed) */
  double handle_s;       /* median handling time of a T2 contact */
};

struct maat_scenario {
  char name[64];
  char about[256];
  int agents;                  /* generated team of this size ... */
  unsigned long long team_seed;
  char *team_file;             /* ... or this team file (docs/team-file.md) */
  double per_day;              /* arrivals on a weekday at profile 1 */
  double hourly[24];           /* relative, per hour of the day */
  double weekly[7];            /* relative, Monday first */
  double lang_nl;              /* share of Dutch contacts */
  int bot;                     /* the bot takes calm T1 contacts */
  double bounce_back;          /* share of the bot's contacts that come back */
  double bot_handle_s;         /* how long before a bounce comes back */
  double patience_s;           /* median customer patience; 0 = endless */
  double handle_sigma;         /* lognormal spread of handling times */
  int nintents;
  struct maat__sim_intent intents[MAAT__SIM_MAX_INTENTS];
  double agent_hour_cost;
  double bot_contact_cost;
  double leave_monthly;        /* leaving rate at zero chronic load */
  double leave_gamma;          /* rate multiplier exp(gamma * C) */
  double chronic_tau_days;     /* T_C */
  double overload_day_h;       /* hours above the line that make a day */
  double absent;               /* share of shifts missed */
  int nsettings;
  char setting[MAAT__SIM_MAX_SETTINGS][40];
  double setting_value[MAAT__SIM_MAX_SETTINGS];
};

#endif /* MAAT_SIM_INT_H */

/*
 * strain.c - the strain model: its settings with their sources, and the
 * rules by which an agent's acute strain rises with work and recovers with
 * rest. docs/strain-model.md explains every number.
 */
#include "route-int.h"

#include <math.h>

const struct maat__setting maat__settings[MAAT__S_COUNT] = {
  [MAAT__S_SERVICE_TARGET] = { "service_target_s", 60, 1, 86400,
    "setting: the team's answer-time target" },
  [MAAT__S_MEAN_HANDLE] = { "mean_handle_s", 360, 1, 86400,
    "setting: the mean handling time h" },
  [MAAT__S_W_ROUTINE] = { "w_routine", 1, 0, 100,
    "setting (direction only published: Rafaeli et al. 2012)" },
  [MAAT__S_W_COMPLEX] = { "w_complex", 1.5, 0, 100,
    "setting (direction only published: Wegge et al. 2007)" },
  [MAAT__S_W_HOSTILE] = { "w_hostile", 3, 0, 100,
    "setting, try 2-5 (direction only published: Altman et al. 2021)" },
  [MAAT__S_GAIN] = { "strain_gain", 0.1, 0, 10,
    "setting: scales w*d/h so that 1 is the overload threshold" },
  [MAAT__S_T_A] = { "recovery_tau_s", 600, 1, 86400,
    "setting, 5-30 min (Albulescu et al. 2022)" },
  [MAAT__S_ALPHA] = { "alpha", 0.05, 0, 10,
    "+5 % handling time at end-of-shift strain (SSRN 3943699)" },
  [MAAT__S_OVERLOAD] = { "overload", 1, 0.01, 100,
    "convention: strain 1 is overload" },
  [MAAT__S_RECOVERY_MIN] = { "recovery_min_s", 60, 0, 86400,
    "setting: shortest recovery window after a heavy contact" },
  [MAAT__S_RECOVERY_MAX] = { "recovery_max_s", 600, 0, 86400,
    "setting: longest recovery window" },
  [MAAT__S_RECOVERY_TO] = { "recovery_to", 0.5, 0.01, 100,
    "setting: a recovery window lasts until strain decays to this" },
  [MAAT__S_HEAVY_CAP] = { "heavy_cap", 2, 1, 1000,
    "setting: most consecutive heavy contacts" },
  [MAAT__S_LIGHT_SHARE] = { "light_share", 0.3, 0, 1,
    "setting: share of light work kept for people after heavy work" },
  [MAAT__S_HEAVY_FAIR] = { "heavy_fair", 0.05, 0, 100,
    "setting: score per heavy contact above the team's mean today" },
  [MAAT__S_AGEING] = { "ageing_s", 120, 0, 86400,
    "setting: waiting time worth one priority step" },
  [MAAT__S_WARN_STRAIN] = { "warn_strain", 0.8, 0, 100,
    "setting: early-warning strain threshold" },
  [MAAT__S_WARN_PERIOD] = { "warn_period_s", 1800, 0, 86400,
    "setting: how long strain stays above it before a warning" },
  [MAAT__S_WARN_INTERVAL] = { "warn_interval_s", 900, 0, 86400,
    "setting: least time between two team warnings of one kind" },
  [MAAT__S_FORECAST_WINDOW] = { "forecast_window_s", 1800, 1, 86400,
    "setting: the load forecast's time constant" },
  [MAAT__S_MAX_OCCUPANCY] = { "max_occupancy", 0.85, 0.01, 1,
    "throughput worsens past ~93 % occupancy (Berry Jaeker & Tucker 2017)" },
  [MAAT__S_SCAN_DEPTH] = { "scan_depth", 64, 1, 1e9,
    "setting: queued contacts examined per dispatch" },
  [MAAT__S_RELAX_AFTER] = { "relax_after_s", 5, 0, 86400,
    "setting: wait before a soft rule gives way for someone under the line" },
  [MAAT__S_OVERLOAD_GRACE] = { "overload_grace_s", 300, 0, 86400,
    "setting: wait past the target before someone over the line is asked" },
  [MAAT__S_OPEN_FACTOR] = { "open_too_long_factor", 3, 1, 1000,
    "setting: a contact with a person this many times its expected "
    "handling time gets a warning (a missed 'done' keeps an agent busy)" },
  [MAAT__S_HARD_RECOVERY] = { "hard_recovery_s", 60, 0, 3600,
    "hard limit: least rest after a heavy contact, never cut short "
    "(Albulescu et al. 2022: micro-breaks restore vigour)" },
  [MAAT__S_HARD_HEAVY_MAX] = { "hard_heavy_max", 4, 1, 1000,
    "hard limit: most heavy contacts in a row, never exceeded "
    "(twice the soft heavy_cap)" },
  [MAAT__S_SERVICE_FIRST] = { "service_first", 0, 0, 1,
    "the lead's choice: 0 protects people first (soft rules hold until "
    "the service target), 1 the service level (they give way after "
    "relax_after_s); the hard limits hold either way" },
  [MAAT__S_CONCURRENCY] = { "concurrency_penalty", 0.25, 0, 10,
    "setting: extra strain per other contact held at once (direction only "
    "published: Tezcan & Zhang 2014; Goes et al. 2018)" },
};

double maat__strain_time_above(const double *set, double a, double tau,
                               double thr)
{
  double cross;

  if (a <= thr || tau <= 0)
    return 0;
  cross = set[MAAT__S_T_A] * log(a / thr);
  return cross < tau ? cross : tau;
}

double maat__strain_recovery(const double *set, double a)
{
  double w = 0;

  /* Long enough for strain to decay to 'recovery_to', within bounds. */
  if (a > set[MAAT__S_RECOVERY_TO])
    w = set[MAAT__S_T_A] * log(a / set[MAAT__S_RECOVERY_TO]);
  if (w < set[MAAT__S_RECOVERY_MIN])
    w = set[MAAT__S_RECOVERY_MIN];
  if (w > set[MAAT__S_RECOVERY_MAX])
    w = set[MAAT__S_RECOVERY_MAX];
  /* Never shorter than the hard minimum rest. */
  if (w < set[MAAT__S_HARD_RECOVERY])
    w = set[MAAT__S_HARD_RECOVERY];
  return w;
}

double maat__strain_stretch(const double *set, double handle_s, double a)
{
  return handle_s * (1 + set[MAAT__S_ALPHA] * a);
}

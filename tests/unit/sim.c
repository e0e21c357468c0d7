/*
 * sim.c - the simulator: M/M/c against Erlang C, determinism per seed,
 * scenario files and their errors, and what the full model must keep
 * (counts, no bot when there is none, strain off means no overload).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "maat.h"
#include "failalloc.h"

/*
 * 400,000 contacts in 20 replications put the 95 % half-width of P_W near
 * 1 % of the value; a simulator with the wrong queue discipline or a bias
 * of a few percent falls outside twice that, while a correct one lands
 * inside it with probability far above 99.9 % (and the seed is fixed).
 */
static void check_mmc(double rate, double aht, int agents)
{
  struct maat_mmc_options o = { rate, aht, agents, 400000, 20, 7 };
  struct maat_mmc_result r = { 0 };
  struct maat_erlang e;

  cr_assert_eq(maat_simulate_mmc(&o, &r), MAAT_OK, "%s", maat_errmsg());
  cr_assert_eq(maat_erlang_c(rate, aht, agents, 0, &e), MAAT_OK);
  cr_expect_geq(r.contacts, 400000 - 20);
  cr_expect(r.p_wait_ci > 0 && r.asa_s_ci > 0);
  cr_expect_leq(fabs(r.p_wait - e.p_wait), 2 * r.p_wait_ci + 1e-3,
                "A=%.1f c=%d: P_W simulated %.4f +- %.4f, Erlang C %.4f",
                e.traffic, agents, r.p_wait, r.p_wait_ci, e.p_wait);
  cr_expect_leq(fabs(r.asa_s - e.asa_s), 2 * r.asa_s_ci + 0.01 * e.asa_s,
                "A=%.1f c=%d: ASA simulated %.2f +- %.2f, Erlang C %.2f",
                e.traffic, agents, r.asa_s, r.asa_s_ci, e.asa_s);
}

Test(sim, mmc_matches_erlang_c_ten_erlangs) { check_mmc(200, 180, 14); }
Test(sim, mmc_matches_erlang_c_busy_small) { check_mmc(3600, 10, 12); }
Test(sim, mmc_matches_erlang_c_fifty_erlangs) { check_mmc(600, 300, 55); }

Test(sim, mmc_is_deterministic_per_seed)
{
  struct maat_mmc_options o = { 200, 180, 14, 20000, 4, 3 };
  struct maat_mmc_result a = { 0 }, b = { 0 }, c = { 0 };

  cr_assert_eq(maat_simulate_mmc(&o, &a), MAAT_OK);
  cr_assert_eq(maat_simulate_mmc(&o, &b), MAAT_OK);
  o.seed = 4;
  cr_assert_eq(maat_simulate_mmc(&o, &c), MAAT_OK);
  cr_expect_eq(a.p_wait, b.p_wait);
  cr_expect_eq(a.asa_s, b.asa_s);
  cr_expect_neq(a.asa_s, c.asa_s);
}

Test(sim, mmc_refuses_an_unstable_queue)
{
  struct maat_mmc_options o = { 200, 180, 10, 1000, 2, 1 };
  struct maat_mmc_result r = { 0 };

  cr_expect_eq(maat_simulate_mmc(&o, &r), MAAT_EINVAL);
  cr_expect(strstr(maat_errmsg(), "without bound") != NULL);
}

static maat_scenario *builtin(const char *name)
{
  maat_scenario *sc = NULL;
  cr_assert_eq(maat_scenario_builtin(&sc, name), MAAT_OK, "%s",
               maat_errmsg());
  return sc;
}

static struct maat_sim_result run(const maat_scenario *sc, const char *pol,
                                  int days, int reps, unsigned long long seed)
{
  struct maat_sim_options o = { pol, days, reps, seed, NULL, NULL };
  struct maat_sim_result r;
  cr_assert_eq(maat_simulate(sc, &o, &r), MAAT_OK, "%s", maat_errmsg());
  return r;
}

Test(sim, same_seed_same_figures_other_seed_other_figures)
{
  maat_scenario *sc = builtin("bank-nl-50");
  struct maat_sim_result a = run(sc, "maat", 2, 2, 11);
  struct maat_sim_result b = run(sc, "maat", 2, 2, 11);
  struct maat_sim_result c = run(sc, "maat", 2, 2, 12);

  cr_expect_eq(memcmp(a.mean, b.mean, sizeof a.mean), 0);
  cr_expect_eq(memcmp(a.ci, b.ci, sizeof a.ci), 0);
  cr_expect_neq(a.mean[MAAT_SIM_CONTACTS], c.mean[MAAT_SIM_CONTACTS]);
  maat_scenario_free(sc);
}

Test(sim, figures_are_within_their_ranges)
{
  maat_scenario *sc = builtin("bank-nl-50");
  struct maat_sim_result r = run(sc, "efficiency", 2, 2, 1);
  double share = 0;

  /* About 2,200 arrivals on a weekday. */
  cr_expect(r.mean[MAAT_SIM_CONTACTS] > 3600 && r.mean[MAAT_SIM_CONTACTS] <
            5200, "contacts %.0f", r.mean[MAAT_SIM_CONTACTS]);
  for (int s = 0; s < MAAT_SIM_NSTAT; s++)
    cr_expect(isfinite(r.mean[s]) && r.mean[s] >= 0, "%s %g",
              maat_sim_stat_name(s), r.mean[s]);
  cr_expect_leq(r.mean[MAAT_SIM_SERVICE_LEVEL], 1);
  cr_expect_leq(r.mean[MAAT_SIM_ABANDON_RATE], 1);
  /* The bot takes calm T1 contacts (about 40 %), 30 % of them come back. */
  cr_expect(r.mean[MAAT_SIM_BOT_SHARE] > 0.15 &&
            r.mean[MAAT_SIM_BOT_SHARE] < 0.45, "bot share %.3f",
            r.mean[MAAT_SIM_BOT_SHARE]);
  cr_expect_gt(r.mean[MAAT_SIM_BOUNCE_BACKS], 0);
  cr_expect_geq(r.mean[MAAT_SIM_P95_STRAIN], r.mean[MAAT_SIM_MEAN_STRAIN]);
  cr_expect_leq(r.mean[MAAT_SIM_OVERLOAD_AGENT_DAYS], 2 * 50);
  /* 50 agents on 8-hour shifts, minus absences. */
  cr_expect(r.mean[MAAT_SIM_AGENT_HOURS] > 2 * 50 * 8 * 0.85 &&
            r.mean[MAAT_SIM_AGENT_HOURS] < 2 * 50 * 8 * 1.05, "hours %.0f",
            r.mean[MAAT_SIM_AGENT_HOURS]);
  for (int b = 0; b < MAAT_SIM_WAIT_BINS; b++)
    share += r.wait_share[b];
  cr_expect_float_eq(share, 1, 1e-9);
  cr_expect_str_eq(maat_sim_stat_name(MAAT_SIM_LEAVERS_PER_YEAR),
                   "expected_leavers_per_year");
  maat_scenario_free(sc);
}

Test(sim, without_a_bot_people_take_every_contact)
{
  maat_scenario *sc = builtin("bank-nl-50-nobot");
  struct maat_sim_result r = run(sc, "efficiency", 1, 2, 1);

  cr_expect_eq(r.mean[MAAT_SIM_BOT_SHARE], 0);
  cr_expect_eq(r.mean[MAAT_SIM_BOUNCE_BACKS], 0);
  maat_scenario_free(sc);
}

static maat_scenario *parsed(const char *json)
{
  maat_scenario *sc = NULL;
  cr_assert_eq(maat_scenario_parse(&sc, json, strlen(json), "t.json"),
               MAAT_OK, "%s", maat_errmsg());
  return sc;
}

Test(sim, no_strain_means_no_overload_and_no_chronic_leavers)
{
  maat_scenario *sc = parsed("{\"base\": \"bank-nl-50\", \"settings\": "
                             "{\"strain_gain\": 0}, \"attrition\": "
                             "{\"base_monthly\": 0.03}}");
  struct maat_sim_result r = run(sc, "efficiency", 2, 2, 1);

  cr_expect_eq(r.mean[MAAT_SIM_MEAN_STRAIN], 0);
  cr_expect_eq(r.mean[MAAT_SIM_OVERLOAD_AGENT_HOURS], 0);
  cr_expect_eq(r.mean[MAAT_SIM_OVERLOAD_AGENT_DAYS], 0);
  /* At zero chronic load the leaving rate is the base rate: 50 agents at
   * 1 - (1 - 0.03)^12 a year, as a continuous hazard 12 * -ln(0.97). */
  cr_expect_float_eq(r.mean[MAAT_SIM_LEAVERS_PER_YEAR],
                     50 * 12 * -log(0.97) * 365.0 / 365.25, 1e-6, "%.4f",
                     r.mean[MAAT_SIM_LEAVERS_PER_YEAR]);
  maat_scenario_free(sc);
}

Test(sim, maat_spares_the_team_where_efficiency_does_not)
{
  maat_scenario *sc = builtin("bank-nl-50");
  struct maat_sim_result m = run(sc, "maat", 3, 3, 5);
  struct maat_sim_result e = run(sc, "efficiency", 3, 3, 5);

  cr_expect_lt(m.mean[MAAT_SIM_OVERLOAD_AGENT_HOURS],
               e.mean[MAAT_SIM_OVERLOAD_AGENT_HOURS]);
  cr_expect_lt(m.mean[MAAT_SIM_HEAVY_GINI], e.mean[MAAT_SIM_HEAVY_GINI]);
  cr_expect_lt(m.mean[MAAT_SIM_P95_STRAIN], e.mean[MAAT_SIM_P95_STRAIN]);
  maat_scenario_free(sc);
}

Test(sim, a_file_scenario_changes_only_what_it_gives)
{
  maat_scenario *half = parsed("{\"base\": \"bank-nl-50\", \"name\": "
                               "\"half\", \"arrivals\": {\"per_day\": 1100}}");
  maat_scenario *full = builtin("bank-nl-50");
  struct maat_sim_result h = run(half, "maat", 2, 2, 1);
  struct maat_sim_result f = run(full, "maat", 2, 2, 1);

  cr_expect_str_eq(maat_scenario_name(half), "half");
  cr_expect(fabs(h.mean[MAAT_SIM_CONTACTS] / f.mean[MAAT_SIM_CONTACTS] -
                 0.5) < 0.05, "%.0f vs %.0f", h.mean[MAAT_SIM_CONTACTS],
            f.mean[MAAT_SIM_CONTACTS]);
  maat_scenario_free(half);
  maat_scenario_free(full);
}

static void expect_error(const char *json, const char *needle)
{
  maat_scenario *sc = NULL;
  int rc = maat_scenario_parse(&sc, json, strlen(json), "bad.json");

  cr_expect_eq(rc, MAAT_EPARSE, "%s: rc %d", json, rc);
  cr_expect(sc == NULL);
  cr_expect(strstr(maat_errmsg(), needle) != NULL, "%s: message '%s' lacks "
            "'%s'", json, maat_errmsg(), needle);
  cr_expect(strstr(maat_errmsg(), "bad.json") != NULL);
}

Test(sim, scenario_errors_name_the_field)
{
  expect_error("{\"mix\": [{\"intent\": \"a\"}], \"arrivals\": {\"per_dy\": "
               "1}}", "arrivals.per_dy");
  expect_error("{\"mix\": [{\"intent\": \"a\", \"share\": -1}]}",
               "mix[0].share");
  expect_error("{\"mix\": [{\"intent\": \"a\", \"tiers\": [1, 2]}]}",
               "mix[0].tiers");
  expect_error("{\"mix\": [{\"share\": 1}]}", "mix[0].intent");
  expect_error("{\"arrivals\": {\"per_day\": 10}}", "'mix'");
  expect_error("{\"base\": \"nope\"}", "'base'");
  expect_error("{\"base\": \"saas-500\", \"bot\": {\"enabled\": 1}}",
               "bot.enabled");
  expect_error("{\"base\": \"saas-500\", \"absent\": 2}", "absent");
  expect_error("{\"base\": \"saas-500\",\n \"absent\": }", "bad.json:2");
  expect_error("[1, 2]", "JSON object");
}

Test(sim, unknown_policy_and_scenario_are_refused)
{
  maat_scenario *sc = builtin("saas-500");
  struct maat_sim_options o = { "fastest", 1, 1, 1, NULL, NULL };
  struct maat_sim_result r;

  cr_expect_eq(maat_simulate(sc, &o, &r), MAAT_ENOTFOUND);
  o.policy = "maat";
  o.days = 0;
  cr_expect_eq(maat_simulate(sc, &o, &r), MAAT_EINVAL);
  cr_expect_eq(maat_scenario_builtin(&sc, "bank-nl-5000"), MAAT_ENOTFOUND);
  maat_scenario_free(sc);
}


Test(sim, survives_every_allocation_failure)
{
  const char *json = "{\"team\": {\"agents\": 4}, \"arrivals\": {\"per_day\": "
                     "60}, \"mix\": [{\"intent\": \"billing\"}, {\"intent\": "
                     "\"complaint\", \"hostile\": 0.6}]}";
  struct maat_mmc_options mo = { 100, 60, 3, 200, 2, 1 };
  long n;
  int rc = MAAT_ENOMEM;

  for (n = 1; n < 100000; n++) {
    maat_scenario *sc = NULL;
    struct maat_sim_options o = { "maat", 1, 2, 1, NULL, NULL };
    struct maat_sim_result r;
    struct maat_mmc_result mr = { 0 };
    alloc_count = 0;
    alloc_fail_at = n;
    maat_set_allocator(failing_malloc, failing_realloc, free);
    rc = maat_scenario_parse(&sc, json, strlen(json), "t.json");
    if (!rc)
      rc = maat_simulate(sc, &o, &r);
    if (!rc)
      rc = maat_simulate_mmc(&mo, &mr);
    maat_set_allocator(NULL, NULL, NULL);
    maat_scenario_free(sc);
    if (rc == MAAT_OK)
      break;
    cr_assert_eq(rc, MAAT_ENOMEM, "allocation %ld: %s", n, maat_errmsg());
  }
  cr_assert_eq(rc, MAAT_OK);
  cr_assert_gt(n, 5, "the walk covered %ld allocations", n);
}

/*
 * erlang.c - Erlang C against the worked values of docs/strain-model.md,
 * closed forms for small cases, a published planning example, and the
 * agents-needed search.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "maat.h"

/* Traffic A with a mean handling time of 3600 s is A arrivals per hour. */
static struct maat_erlang at(double traffic, int agents, double target)
{
  struct maat_erlang e;
  cr_assert_eq(maat_erlang_c(traffic, 3600, agents, target, &e), MAAT_OK,
               "%s", maat_errmsg());
  return e;
}

Test(erlang, worked_values_for_ten_erlangs)
{
  static const struct { int c; double pw, asa_h; } v[] = {
    { 11, .6821, .6821 }, { 12, .4494, .2247 }, { 13, .2853, .0951 },
    { 14, .1741, .0435 }, { 15, .1020, .0204 },
  };
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    struct maat_erlang e = at(10, v[i].c, 0);
    cr_expect_float_eq(e.p_wait, v[i].pw, 5e-5, "c=%d: P_W %.5f", v[i].c,
                       e.p_wait);
    cr_expect_float_eq(e.asa_s / 3600, v[i].asa_h, 5e-5, "c=%d: ASA/h %.5f",
                       v[i].c, e.asa_s / 3600);
  }
}

Test(erlang, worked_values_for_a_hundred_erlangs)
{
  cr_expect_float_eq(at(100, 105, 0).p_wait, .5157, 5e-5);
  cr_expect_float_eq(at(100, 110, 0).p_wait, .2370, 5e-5);
  cr_expect_float_eq(at(100, 115, 0).p_wait, .0954, 5e-5);
}

Test(erlang, closed_forms)
{
  /* One agent: P_W = A (M/M/1), ASA = A h / (1 - A). */
  struct maat_erlang e = at(0.6, 1, 0);
  cr_expect_float_eq(e.p_wait, 0.6, 1e-12);
  cr_expect_float_eq(e.asa_s, 0.6 * 3600 / 0.4, 1e-6);
  /* Two agents, one erlang: P_W = A^2 / (2 + A) / ... = 1/3. */
  cr_expect_float_eq(at(1, 2, 0).p_wait, 1.0 / 3, 1e-12);
}

Test(erlang, published_planning_example)
{
  /* 100 calls in 30 minutes, 180 s each, 14 agents, target 20 s. */
  struct maat_erlang e;
  cr_assert_eq(maat_erlang_c(200, 180, 14, 20, &e), MAAT_OK);
  cr_expect_float_eq(e.traffic, 10, 1e-12);
  cr_expect_float_eq(e.p_wait, .1741, 5e-5);
  cr_expect_float_eq(e.service_level, .8884, 5e-5);
  cr_expect_float_eq(e.occupancy, .7143, 5e-5);
}

Test(erlang, thousands_of_agents_do_not_overflow)
{
  struct maat_erlang e = at(4900, 5000, 20);
  cr_expect(isfinite(e.p_wait) && e.p_wait > 0 && e.p_wait < 1);
  cr_expect(isfinite(e.asa_s));
}

Test(erlang, agents_needed_is_the_smallest_that_reaches_the_goal)
{
  int c = 0;
  struct maat_erlang e;

  cr_assert_eq(maat_erlang_agents(200, 180, 20, 0.8, &c), MAAT_OK);
  cr_expect_eq(c, 14, "agents %d", c); /* 13 give 79.6 % */
  cr_assert_eq(maat_erlang_c(200, 180, c, 20, &e), MAAT_OK);
  cr_expect_geq(e.service_level, 0.8);
  cr_assert_eq(maat_erlang_c(200, 180, c - 1, 20, &e), MAAT_OK);
  cr_expect_lt(e.service_level, 0.8);
}

Test(erlang, rejects_what_has_no_answer)
{
  struct maat_erlang e;
  int c;

  cr_expect_eq(maat_erlang_c(200, 180, 10, 20, &e), MAAT_EINVAL);
  cr_expect(strstr(maat_errmsg(), "without bound") != NULL, "%s",
            maat_errmsg());
  cr_expect_eq(maat_erlang_c(-1, 180, 10, 20, &e), MAAT_EINVAL);
  cr_expect_eq(maat_erlang_c(NAN, 180, 10, 20, &e), MAAT_EINVAL);
  cr_expect_eq(maat_erlang_c(200, 0, 10, 20, &e), MAAT_EINVAL);
  cr_expect_eq(maat_erlang_c(200, 180, 0, 20, &e), MAAT_EINVAL);
  cr_expect_eq(maat_erlang_agents(200, 180, 20, 1.0, &c), MAAT_EINVAL);
}

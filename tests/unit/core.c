/*
 * core.c - tests for errors, buffers, the checksum, the PRNG and its
 * normal and exponential variates.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "maat-int.h"

Test(core, fail_sets_message_and_returns_code)
{
  int rc = maat__fail(MAAT_EPARSE, "%s:%d: bad field '%s'", "a.csv", 3, "x");
  cr_assert_eq(rc, MAAT_EPARSE);
  cr_assert_str_eq(maat_errmsg(), "a.csv:3: bad field 'x'");
  maat__fail_prefix(rc, "cannot load '%s'", "m.bin");
  cr_assert_str_eq(maat_errmsg(), "cannot load 'm.bin': a.csv:3: bad field 'x'");
}

Test(core, strerror_covers_every_code)
{
  for (int c = MAAT_EOF; c <= MAAT_OK; c++)
    cr_assert_str_neq(maat_strerror(c), "unknown error", "code %d", c);
  cr_assert_str_eq(maat_strerror(-999), "unknown error");
}

Test(core, buf_grows_and_terminates)
{
  struct maat_buf b = MAAT_BUF_INIT;
  for (int i = 0; i < 1000; i++)
    cr_assert_eq(maat__buf_printf(&b, "%d,", i), MAAT_OK);
  cr_assert_eq(b.data[b.len], '\0');
  cr_assert(strncmp(b.data, "0,1,2,", 6) == 0);
  cr_assert(strstr(b.data, "999,") != NULL);
  maat__buf_release(&b);
  cr_assert_null(b.data);
}

Test(core, crc32c_known_vector)
{
  /* The standard check value of CRC-32C for "123456789". */
  cr_assert_eq(maat__crc32c(0, "123456789", 9), 0xE3069283u);
  /* Incremental equals one-shot, across the 8-byte fast path. */
  const char *s = "the quick brown fox jumps over the lazy dog";
  uint32_t one = maat__crc32c(0, s, strlen(s));
  uint32_t two = maat__crc32c(maat__crc32c(0, s, 13), s + 13, strlen(s) - 13);
  cr_assert_eq(one, two);
}

Test(core, rng_is_deterministic_and_bounded)
{
  struct maat_rng a, b;
  maat__rng_seed(&a, 42);
  maat__rng_seed(&b, 42);
  for (int i = 0; i < 100; i++)
    cr_assert_eq(maat__rng_next(&a), maat__rng_next(&b));
  maat__rng_seed(&b, 43);
  cr_assert_neq(maat__rng_next(&a), maat__rng_next(&b));
  for (int i = 0; i < 10000; i++) {
    double u = maat__rng_uniform(&a);
    cr_assert(u >= 0.0 && u < 1.0);
    cr_assert_lt(maat__rng_below(&a, 7), 7);
  }
}

static int fail_after;
static void *failing_malloc(size_t n)
{
  if (fail_after-- <= 0)
    return NULL;
  return malloc(n);
}

Test(core, allocator_can_be_replaced_and_failure_reported)
{
  struct maat_buf b = MAAT_BUF_INIT;
  cr_assert_eq(maat_set_allocator(failing_malloc, NULL, free), MAAT_EINVAL);
  fail_after = 0;
  cr_assert_eq(maat_set_allocator(failing_malloc, realloc, free), MAAT_OK);
  cr_assert_null(maat__malloc(16));
  cr_assert_null(maat__strdup("x"));
  cr_assert_eq(maat_set_allocator(NULL, NULL, NULL), MAAT_OK);
  cr_assert_eq(maat__buf_append(&b, "ok", 2), MAAT_OK);
  maat__buf_release(&b);
}

static int cmp_dbl(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The simulator's p90 wait: selection must give what sorting gives, for
 * every k, with ties (many waits are exactly 0) and sorted input. */
Test(core, kth_smallest_agrees_with_sorting)
{
  struct maat_rng rng;
  double x[200], y[200], sorted[200];

  maat__rng_seed(&rng, 7);
  for (size_t n = 1; n <= 200; n += 13) {
    for (int shape = 0; shape < 3; shape++) {
      for (size_t i = 0; i < n; i++)
        x[i] = shape == 0 ? maat__rng_uniform(&rng)
             : shape == 1 ? (double)maat__rng_below(&rng, 4) /* ties */
                          : (double)i;                       /* sorted */
      memcpy(sorted, x, n * sizeof *x);
      qsort(sorted, n, sizeof *sorted, cmp_dbl);
      for (size_t k = 0; k < n; k++) {
        memcpy(y, x, n * sizeof *x);
        cr_assert_eq(maat__kth_smallest(y, n, k), sorted[k],
                     "n %zu shape %d k %zu", n, shape, k);
      }
    }
  }
}

/*
 * The ziggurat's variates against their distributions, 400,000 of each:
 * mean, variance and the Kolmogorov-Smirnov distance to the exact CDF
 * (1.95 / sqrt(n) is its 0.1 % critical value), and the share in the tail
 * beyond the base layer's edge, which only the slow path draws. A wrong
 * table or a layer that accepts too much moves one of them by many times
 * its standard error; a correct generator fails with probability under
 * 0.5 % (and the seed is fixed).
 */
#define ZIG_N 400000

static double zig_ks(double *x, size_t n, double (*cdf)(double))
{
  double d = 0;

  qsort(x, n, sizeof *x, cmp_dbl);
  for (size_t i = 0; i < n; i++) {
    double f = cdf(x[i]);
    double lo = f - (double)i / n, hi = (double)(i + 1) / n - f;
    d = lo > d ? lo : d;
    d = hi > d ? hi : d;
  }
  return d;
}

static double normal_cdf(double x) { return 0.5 * erfc(-x / sqrt(2)); }
static double expo_cdf(double x) { return x < 0 ? 0 : -expm1(-x); }

static void zig_check(int normal, double tail_at, double tail_p)
{
  static double x[ZIG_N];
  struct maat_ziggurat z;
  struct maat_rng rng;
  double mean = 0, var = 0, want = normal ? 0 : 1;
  long tail = 0, neg = 0;

  maat__ziggurat_init(&z);
  maat__rng_seed(&rng, 11);
  for (size_t i = 0; i < ZIG_N; i++) {
    x[i] = normal ? maat__rng_normal(&rng, &z) : maat__rng_expo(&rng, &z);
    mean += x[i];
    tail += fabs(x[i]) > tail_at;
    neg += x[i] < 0;
  }
  mean /= ZIG_N;
  for (size_t i = 0; i < ZIG_N; i++)
    var += (x[i] - mean) * (x[i] - mean);
  var /= ZIG_N - 1;
  /* Standard errors: 1/sqrt(n) for the mean, sqrt(2/n) (normal) or
   * sqrt(8/n) (exponential) for the variance. */
  cr_assert_lt(fabs(mean - want), 4 / sqrt(ZIG_N), "mean %g", mean);
  cr_assert_lt(fabs(var - 1), 4 * sqrt((normal ? 2.0 : 8.0) / ZIG_N),
               "variance %g", var);
  cr_assert_lt(fabs((double)tail / ZIG_N - tail_p),
               4 * sqrt(tail_p / ZIG_N), "tail share %g, want %g",
               (double)tail / ZIG_N, tail_p);
  if (normal)
    cr_assert_lt(fabs((double)neg / ZIG_N - 0.5), 4 * 0.5 / sqrt(ZIG_N));
  else
    cr_assert_eq(neg, 0);
  {
    double d = zig_ks(x, ZIG_N, normal ? normal_cdf : expo_cdf);
    cr_assert_lt(d, 1.95 / sqrt(ZIG_N), "KS distance %g", d);
  }
}

Test(core, ziggurat_normal_is_standard_normal)
{
  /* Beyond r = 3.654 (the tail) and beyond 1 (mostly the wedges). */
  zig_check(1, 3.6541528853610088, erfc(3.6541528853610088 / sqrt(2)));
  zig_check(1, 1, erfc(1 / sqrt(2)));
}

Test(core, ziggurat_expo_is_exponential)
{
  zig_check(0, 7.69711747013104972, exp(-7.69711747013104972));
  zig_check(0, 1, exp(-1));
}

Test(core, ziggurat_is_deterministic_per_seed)
{
  struct maat_ziggurat z;
  struct maat_rng a, b;

  maat__ziggurat_init(&z);
  maat__rng_seed(&a, 5);
  maat__rng_seed(&b, 5);
  for (int i = 0; i < 10000; i++) {
    cr_assert_eq(maat__rng_normal(&a, &z), maat__rng_normal(&b, &z));
    cr_assert_eq(maat__rng_expo(&a, &z), maat__rng_expo(&b, &z));
  }
}

/* A draw that lands in layer i at x = frac * its width (sign bit clear). */
static uint64_t zig_draw(int i, double frac)
{
  return (uint64_t)(frac * 0x1.0p53) << 11 | (uint64_t)i;
}

/*
 * The slow paths, which too few draws reach for the tests above to see a
 * mistake there. A draw in a wedge must be kept with probability (f(x) -
 * f(bottom)) / (f(top) - f(bottom)), the share of its row under the curve
 * (a rejected one gives a fresh variate, never x itself); one in the tail
 * must follow the tail: P(X > r + t | X > r) = Q(r + t) / Q(r) for the
 * normal, e^(-t) for the exponential.
 */
Test(core, ziggurat_wedges_keep_what_is_under_the_curve)
{
  struct maat_ziggurat z;
  struct maat_rng rng;
  const int n = 100000;

  maat__ziggurat_init(&z);
  maat__rng_seed(&rng, 3);
  for (int i = 1; i < 256; i += 50) {
    for (int normal = 0; normal < 2; normal++) {
      const double *x = normal ? z.xn : z.xe, *f = normal ? z.fn : z.fe;
      uint64_t u = zig_draw(i, (x[i + 1] / x[i] + 1) / 2);
      double at = (double)(u >> 11) * 0x1.0p-53 * x[i];
      double fx = normal ? exp(-0.5 * at * at) : exp(-at);
      double want = (fx - f[i]) / (f[i + 1] - f[i]), kept = 0;
      cr_assert(at > x[i + 1] && at < x[i]);
      for (int k = 0; k < n; k++) {
        double v = normal ? maat__ziggurat_normal_slow(&rng, &z, u)
                          : maat__ziggurat_expo_slow(&rng, &z, u);
        kept += v == at;
      }
      kept /= n;
      cr_assert_lt(fabs(kept - want), 4 * sqrt(want * (1 - want) / n) + 1e-9,
                   "%s layer %d: kept %g, want %g",
                   normal ? "normal" : "exponential", i, kept, want);
    }
  }
}

Test(core, ziggurat_tails_follow_the_distribution)
{
  struct maat_ziggurat z;
  struct maat_rng rng;
  const int n = 40000;
  const double rn = 3.6541528853610088, re = 7.69711747013104972, t = 0.5;
  double want_n = erfc((rn + t) / sqrt(2)) / erfc(rn / sqrt(2));
  double want_e = exp(-t), beyond_n = 0, beyond_e = 0;

  maat__ziggurat_init(&z);
  maat__rng_seed(&rng, 4);
  for (int k = 0; k < n; k++) {
    /* Layer 0 past its rectangle: the tail, for both signs. */
    uint64_t u = zig_draw(0, 0.99) | (uint64_t)(k & 1) << 8;
    double v = maat__ziggurat_normal_slow(&rng, &z, u);
    double e = maat__ziggurat_expo_slow(&rng, &z, zig_draw(0, 0.99));
    cr_assert_geq(fabs(v), rn);
    cr_assert_eq(v < 0, k & 1);
    cr_assert_geq(e, re);
    beyond_n += fabs(v) > rn + t;
    beyond_e += e > re + t;
  }
  beyond_n /= n;
  beyond_e /= n;
  cr_assert_lt(fabs(beyond_n - want_n), 4 * sqrt(want_n * (1 - want_n) / n),
               "normal tail: %g beyond r + %g, want %g", beyond_n, t, want_n);
  cr_assert_lt(fabs(beyond_e - want_e), 4 * sqrt(want_e * (1 - want_e) / n),
               "exponential tail: %g beyond r + %g, want %g", beyond_e, t,
               want_e);
}

/* Each catalogue entry: the same placeholders in both languages, and a
 * message rendered from its English template parses back to its code. */
static void sample(const char *tpl, char *out, size_t cap)
{
  size_t o = 0;
  while (*tpl && o + 16 < cap) {
    if (*tpl == '{') {
      const char *e = strchr(tpl, '}'), *colon = memchr(tpl, ':', e - tpl);
      const char *v = !colon ? "word" : colon[1] == 'n' ? "2.5"
                      : colon[1] == 'd' ? "1:05 min" : "'free' text";
      o += snprintf(out + o, cap - o, "%s", v);
      tpl = e + 1;
    } else {
      out[o++] = *tpl++;
    }
  }
  out[o] = 0;
}

static int same_placeholders(const char *a, const char *b)
{
  for (const char *p = strchr(a, '{'); p; p = strchr(p + 1, '{')) {
    const char *e = strchr(p, '}');
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(e - p + 1), p);
    if (!strstr(b, name))
      return 0;
  }
  return 1;
}

Test(core, message_catalogue_round_trips_in_both_languages)
{
  char text[1024], nl[1024], params[512];
  const struct maat_msg_entry *m;
  size_t n = 0;

  for (; (m = maat_msg_entry(n)); n++) {
    const char *code;
    cr_assert(same_placeholders(m->en, m->nl) &&
              same_placeholders(m->nl, m->en), "%s: placeholders differ",
              m->code);
    cr_assert(strcmp(m->en, m->nl) || !strcmp(m->code, "triage.t3"),
              "%s: no Dutch", m->code);
    sample(m->en, text, sizeof text);
    code = maat_msg_parse(text, params, sizeof params);
    cr_assert(code, "%s: '%s' does not parse", m->code, text);
    /* A sample may fit an earlier, more general template: the same
     * text then, at least. */
    maat_msg_render(text, "nl", nl, sizeof nl);
    cr_assert(!strchr(nl, '{'), "%s: %s", m->code, nl);
    cr_assert(strcmp(nl, text) || !strcmp(m->en, "T3: {why}"),
              "%s: not translated: %s", m->code, nl);
  }
  cr_assert_gt(n, 40);
}

Test(core, messages_render_their_parameters_per_language)
{
  char out[512], params[256];
  const char *w = "overload: contact 'c1' waited 2:47 min (target 1:00 min) "
                  "and no agent could take it within the rules; the recovery "
                  "window gave way for it; 3 contacts wait for a person";

  cr_assert_str_eq(maat_msg_parse(w, params, sizeof params),
                   "warning.overload");
  cr_assert_str_eq(params, "{\"contact\":\"c1\",\"waited\":\"2:47 min\","
                   "\"target\":\"1:00 min\",\"rule\":\"recovery window\","
                   "\"waiting\":3}");
  maat_msg_render(w, "nl", out, sizeof out);
  cr_assert(strstr(out, "wachtte 2:47 min (norm 1:00 min)") &&
            strstr(out, "het herstelvenster week"), "%s", out);
  /* Numbers get a decimal comma; maat's own words are translated, a
   * customer's quotes are not. */
  maat_msg_render("intent balance 0.42 below threshold 0.60", "nl", out,
                  sizeof out);
  cr_assert_str_eq(out, "onderwerp balance 0,42 onder de drempel 0,60");
  maat_msg_render("tone angry 0.80: 'ridiculous' (negated); urgency 0.50: "
                  "'tomorrow' (deadline)", "nl", out, sizeof out);
  cr_assert_str_eq(out, "toon boos 0,80: 'ridiculous' (ontkend); urgentie "
                   "0.50: 'tomorrow' (termijn)");
  maat_msg_render("critical (fraud): a scam in progress: 'scammer on the "
                  "phone'", "nl", out, sizeof out);
  cr_assert_str_eq(out, "kritiek (fraude): oplichting die nu gebeurt: "
                   "'scammer on the phone'");
  /* A Dutch rule's words back in English. */
  maat_msg_render("critical (fraud): oplichting die nu gebeurt: 'x'", "en",
                  out, sizeof out);
  cr_assert_str_eq(out, "critical (fraud): a scam in progress: 'x'");
  /* Joined reasons one by one; a person's own words as they are. */
  maat_msg_render("tier T2: a specialist; eligible on language, skill and "
                  "tier", "nl", out, sizeof out);
  cr_assert_str_eq(out, "niveau T2: een specialist; geschikt op taal, "
                   "vaardigheid en niveau");
  /* A reason with "; " inside, in a joined list: still one message. */
  maat_msg_render("tier T2: a specialist; overload: nobody free within the "
                  "rules; recovery window cut short for the lowest-strain "
                  "agent", "nl", out, sizeof out);
  cr_assert_str_eq(out, "niveau T2: een specialist; overbelasting: niemand "
                   "vrij binnen de regels; herstelvenster ingekort voor de "
                   "medewerker met de laagste belasting");
  cr_assert_eq(maat_msg_first("overload: nobody free within the rules; "
                              "recovery window cut short for the "
                              "lowest-strain agent; x"), 93);
  cr_assert_null(maat_msg_parse("closed by the lead: customer called back",
                                params, sizeof params));
  cr_assert_str_eq(params, "{}");
  maat_msg_render("closed by the lead: customer called back", "nl", out,
                  sizeof out);
  cr_assert_str_eq(out, "closed by the lead: customer called back");
  /* Cut on a character, never inside one. */
  cr_assert_eq(maat_msg_render("tier T2: a specialist", "nl", out, 6), 25);
  cr_assert_str_eq(out, "nivea");
}

/* The p90 by nearest rank: never the order statistic below it, which on a
 * small team put "p90" under the mean. */
Test(core, quantile_is_the_nearest_rank)
{
  double a[] = { 0, 0, 0, 0, 10 };          /* mean 2 */
  double b[] = { 5, 1, 4, 2, 3, 9, 8, 7, 6, 10 };
  double c[] = { 0.4 };
  double d[20];

  cr_assert_float_eq(maat__quantile(a, 5, 0.9), 10, 1e-12, "not 0 < mean");
  cr_assert_float_eq(maat__quantile(b, 10, 0.9), 9, 1e-12);
  cr_assert_float_eq(maat__quantile(b, 10, 0.5), 5, 1e-12);
  cr_assert_float_eq(maat__quantile(b, 10, 1.0), 10, 1e-12);
  cr_assert_float_eq(maat__quantile(c, 1, 0.9), 0.4, 1e-12);
  for (int i = 0; i < 20; i++)
    d[i] = 20 - i;                          /* 1..20 */
  /* 18 of 20 at or below 18: 90 % exactly */
  cr_assert_float_eq(maat__quantile(d, 20, 0.9), 18, 1e-12);
}

/* A decision written back: the calls per helpdesk, by where the contact
 * came from and whom it went to. */
Test(core, helpdesk_writeback_calls)
{
  static const struct maat_helpdesk_user users[] = { { "17", "a0001" } };
  struct maat_helpdesk_target cw = { MAAT_HELPDESK_CHATWOOT, "http://cw", "3",
                                     "en", users, 1, { NULL }, NULL, 0, 0 };
  struct maat_helpdesk_target zm = { MAAT_HELPDESK_ZAMMAD, "http://zm", NULL,
                                     "nl", users, 1,
                                     { NULL, NULL, "Support", "Escalation" },
                                     NULL, 0, 0 };
  struct maat_decision d;
  struct maat_helpdesk_call c[MAAT_HELPDESK_CALLS];
  int n;

  memset(&d, 0, sizeof d);
  d.type = MAAT_DEC_ASSIGN;
  d.tier = 2;
  d.nreasons = 2;
  d.reasons[0] = "tier T2: a specialist";
  /* about the assignee's strain: never into the helpdesk */
  d.reasons[1] = "overload: nobody free within the rules; recovery window "
                 "cut short for the lowest-strain agent";
  snprintf(d.contact, sizeof d.contact, "cw-12-345");
  snprintf(d.to, sizeof d.to, "a0001");
  cr_assert_eq(maat_helpdesk_calls(&cw, &d, NULL, c, &n), MAAT_OK);
  cr_assert_eq(n, 3);
  cr_assert_str_eq(c[0].url, "http://cw/api/v1/accounts/3/conversations/12/assignments");
  cr_assert_str_eq(c[0].body, "{\"assignee_id\":17}");
  cr_assert_str_eq(c[0].key, "cw:cw-12-345:assign:a0001@0.000");
  cr_assert(strstr(c[1].body, "\"private\":true") &&
            strstr(c[1].body, "maat: T2, to a0001. Reasons: tier T2: a specialist\""),
            "%s", c[1].body);
  cr_assert(!strstr(c[1].body, "recovery"), "%s", c[1].body);
  cr_assert_str_eq(c[2].body, "{\"status\":\"open\"}");
  maat_helpdesk_calls_free(c, n);
  /* not this helpdesk's contact: nothing */
  cr_assert_eq(maat_helpdesk_calls(&zm, &d, NULL, c, &n), MAAT_OK);
  cr_assert_eq(n, 0);
  /* an agent no user maps to: the note and the status, no assignment */
  snprintf(d.to, sizeof d.to, "a0002");
  cr_assert_eq(maat_helpdesk_calls(&cw, &d, NULL, c, &n), MAAT_OK);
  cr_assert_eq(n, 2);
  cr_assert(strstr(c[0].url, "/messages") != NULL);
  maat_helpdesk_calls_free(c, n);
  /* the bot: the note only */
  snprintf(d.to, sizeof d.to, "bot");
  cr_assert_eq(maat_helpdesk_calls(&cw, &d, NULL, c, &n), MAAT_OK);
  cr_assert_eq(n, 1);
  maat_helpdesk_calls_free(c, n);
  /* the bot with an answer: the note, then the answer, public and
   * labelled as AI, keyed and checked before a retry */
  cr_assert_eq(maat_helpdesk_calls(&cw, &d, "Block it in the app.\n\n[AI] "
                                   "source", c, &n), MAAT_OK);
  cr_assert_eq(n, 2);
  cr_assert(strstr(c[1].body, "\"private\":false") &&
            strstr(c[1].body, "\"ai\":true") &&
            strstr(c[1].body, "Block it in the app"), "%s", c[1].body);
  cr_assert_str_eq(c[1].key, "cw:cw-12-345:reply@0.000");
  cr_assert(c[1].headers && strstr(c[1].headers, "X-Maat-Check"));
  maat_helpdesk_calls_free(c, n);
  /* ... never to a person's contact */
  snprintf(d.to, sizeof d.to, "a0001");
  cr_assert_eq(maat_helpdesk_calls(&cw, &d, "answer", c, &n), MAAT_OK);
  for (int k = 0; k < n; k++)
    cr_assert(!strstr(c[k].body, "answer\""), "%s", c[k].body);
  maat_helpdesk_calls_free(c, n);
  snprintf(d.to, sizeof d.to, "bot");
  /* Zammad: owner and group by tier, then an internal note in Dutch */
  snprintf(d.contact, sizeof d.contact, "zm-314-1001");
  snprintf(d.to, sizeof d.to, "a0001");
  d.tier = 3;
  cr_assert_eq(maat_helpdesk_calls(&zm, &d, NULL, c, &n), MAAT_OK);
  cr_assert_eq(n, 2);
  cr_assert_str_eq(c[0].method, "PUT");
  cr_assert_str_eq(c[0].url, "http://zm/api/v1/tickets/314");
  cr_assert_str_eq(c[0].body, "{\"owner_id\":17,\"group\":\"Escalation\"}");
  cr_assert(strstr(c[1].body, "\"internal\":true") &&
            strstr(c[1].body, "niveau T2: een specialist"), "%s", c[1].body);
  maat_helpdesk_calls_free(c, n);
  /* not an id of the helpdesk's shape */
  snprintf(d.contact, sizeof d.contact, "zm-314");
  cr_assert_eq(maat_helpdesk_calls(&zm, &d, NULL, c, &n), MAAT_OK);
  cr_assert_eq(n, 0);
}

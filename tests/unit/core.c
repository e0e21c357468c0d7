/*
 * core.c - tests for errors, buffers, the checksum and the PRNG.
 */
#include <criterion/criterion.h>
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

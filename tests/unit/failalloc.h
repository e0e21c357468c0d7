/*
 * failalloc.h - an allocator that fails the Nth allocation, for tests that
 * walk every failure path of a module: count from zero, set the failing
 * number, install with maat_set_allocator(failing_malloc, failing_realloc,
 * free), run, and put the default back with maat_set_allocator(NULL, NULL,
 * NULL).
 */
#ifndef MAAT_TEST_FAILALLOC_H
#define MAAT_TEST_FAILALLOC_H

#include <stdlib.h>

static long alloc_count, alloc_fail_at;

static void *failing_malloc(size_t n)
{
  if (++alloc_count == alloc_fail_at)
    return NULL;
  return malloc(n);
}

static void *failing_realloc(void *p, size_t n)
{
  if (++alloc_count == alloc_fail_at)
    return NULL;
  return realloc(p, n);
}

#endif /* MAAT_TEST_FAILALLOC_H */

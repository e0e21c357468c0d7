/*
 * tmpfiles.h - what the tests that need files share: a fresh path under
 * /tmp, a generated team file, and removing an SQLite file with its WAL
 * and shared-memory sides.
 */
#ifndef MAAT_TEST_TMPFILES_H
#define MAAT_TEST_TMPFILES_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "maat.h"

/* A path no file has: "/tmp/maat-<what>-XXXXXX" made unique. */
static inline void tmp_path(char *buf, size_t cap, const char *what)
{
  int fd;

  snprintf(buf, cap, "/tmp/maat-%s-XXXXXX", what);
  fd = mkstemp(buf);
  cr_assert(fd >= 0);
  close(fd);
  unlink(buf);
}

/* A generated team of 'n' agents in a new file at 'buf'. */
static inline void tmp_team(char *buf, size_t cap, int n,
                            unsigned long long seed)
{
  char *json = NULL;
  size_t len = 0;
  FILE *f;

  tmp_path(buf, cap, "team");
  cr_assert_eq(maat_gen_team(&json, &len, n, seed), MAAT_OK);
  f = fopen(buf, "w");
  cr_assert(f);
  fwrite(json, 1, len, f);
  fclose(f);
  maat_free(json);
}

/* Removes an SQLite file and its -wal and -shm sides. */
static inline void rm_db(const char *path)
{
  char side[96];

  unlink(path);
  snprintf(side, sizeof side, "%s-wal", path);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", path);
  unlink(side);
  snprintf(side, sizeof side, "%s.lock", path);
  unlink(side);
}

#endif /* MAAT_TEST_TMPFILES_H */

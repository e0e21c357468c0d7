/*
 * insight-int.h - what the insight area's files share.
 */
#ifndef MAAT_INSIGHT_INT_H
#define MAAT_INSIGHT_INT_H

#include "maat-int.h"

/*
 * The next readable record of a CSV: a record the reader refused (bad
 * UTF-8, the wrong number of fields) is counted in '*skipped', told to
 * 'bad' and passed over. MAAT_OK, MAAT_EOF, or the reader's error.
 */
static inline int maat__insight_next(maat_reader *r, maat_record *rec,
                                     void (*bad)(void *, const char *),
                                     void *ctx, long *skipped)
{
  for (;;) {
    int rc = maat_reader_next(r, rec);
    if (rc != MAAT_EPARSE && rc != MAAT_EUTF8)
      return rc;
    (*skipped)++;
    if (bad)
      bad(ctx, maat_errmsg());
  }
}

#endif /* MAAT_INSIGHT_INT_H */

/*
 * conf-int.h - reading settings files (scenarios, triage configuration)
 * from JSON defensively: every error names the file and the field, an
 * unknown field is an error, and the first error stops the rest. Never
 * installed.
 */
#ifndef MAAT_CONF_INT_H
#define MAAT_CONF_INT_H

#include "maat-int.h"

#include <jansson.h>

/* The file being read and the first error (MAAT_OK while there is none). */
struct maat__conf {
  const char *name;
  int rc;
};

/*
 * A number field 'path'+'key' of 'obj' within [lo, hi]; an absent field
 * (or a NULL 'obj') leaves '*v' as it is.
 */
void maat__conf_number(struct maat__conf *cf, json_t *obj, const char *path,
                       const char *key, double lo, double hi, double *v);
/* An array of exactly 'n' numbers >= 0. */
void maat__conf_numbers(struct maat__conf *cf, json_t *obj, const char *path,
                        const char *key, size_t n, double *v);
/* true or false. */
void maat__conf_bool(struct maat__conf *cf, json_t *obj, const char *path,
                     const char *key, int *v);
/* Every key of 'obj' must be one of 'known' (NULL-terminated). */
void maat__conf_known(struct maat__conf *cf, json_t *obj, const char *path,
                      const char *const *known);
/* The object under 'key', or NULL when absent (or after an error). */
json_t *maat__conf_object(struct maat__conf *cf, json_t *obj,
                          const char *key);

#endif /* MAAT_CONF_INT_H */

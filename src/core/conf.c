/*
 * conf.c - the field readers behind the settings files (conf-int.h).
 */
#include "conf-int.h"

#include <math.h>
#include <string.h>

void maat__conf_number(struct maat__conf *cf, json_t *obj, const char *path,
                       const char *key, double lo, double hi, double *v)
{
  json_t *j;

  if (cf->rc || !obj || !(j = json_object_get(obj, key)))
    return;
  if (!json_is_number(j) || !isfinite(json_number_value(j)) ||
      json_number_value(j) < lo || json_number_value(j) > hi) {
    cf->rc = maat__fail(MAAT_EPARSE, "%s: field '%s%s': expected a number "
                        "from %g to %g", cf->name, path, key, lo, hi);
    return;
  }
  *v = json_number_value(j);
}

void maat__conf_numbers(struct maat__conf *cf, json_t *obj, const char *path,
                        const char *key, size_t n, double *v)
{
  json_t *j;

  if (cf->rc || !obj || !(j = json_object_get(obj, key)))
    return;
  if (!json_is_array(j) || json_array_size(j) != n) {
    cf->rc = maat__fail(MAAT_EPARSE, "%s: field '%s%s': expected an array "
                        "of %zu numbers", cf->name, path, key, n);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    json_t *x = json_array_get(j, i);
    if (!json_is_number(x) || !(json_number_value(x) >= 0) ||
        !isfinite(json_number_value(x))) {
      cf->rc = maat__fail(MAAT_EPARSE, "%s: field '%s%s[%zu]': expected a "
                          "number >= 0", cf->name, path, key, i);
      return;
    }
    v[i] = json_number_value(x);
  }
}

void maat__conf_bool(struct maat__conf *cf, json_t *obj, const char *path,
                     const char *key, int *v)
{
  json_t *j;

  if (cf->rc || !obj || !(j = json_object_get(obj, key)))
    return;
  if (!json_is_boolean(j))
    cf->rc = maat__fail(MAAT_EPARSE, "%s: field '%s%s': expected true or "
                        "false", cf->name, path, key);
  else
    *v = json_is_true(j);
}

void maat__conf_known(struct maat__conf *cf, json_t *obj, const char *path,
                      const char *const *known)
{
  const char *key;
  json_t *v;

  if (cf->rc || !obj)
    return;
  json_object_foreach(obj, key, v) {
    int ok = 0;
    (void)v;
    for (int i = 0; known[i] && !ok; i++)
      ok = !strcmp(known[i], key);
    if (!ok) {
      cf->rc = maat__fail(MAAT_EPARSE, "%s: field '%s%s': unknown field",
                          cf->name, path, key);
      return;
    }
  }
}

json_t *maat__conf_object(struct maat__conf *cf, json_t *obj, const char *key)
{
  json_t *j;

  if (cf->rc || !obj || !(j = json_object_get(obj, key)))
    return NULL;
  if (!json_is_object(j)) {
    cf->rc = maat__fail(MAAT_EPARSE, "%s: field '%s': expected an object",
                        cf->name, key);
    return NULL;
  }
  return j;
}

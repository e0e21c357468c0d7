/*
 * json-int.h - reading JSON with jansson the library's way: a load that
 * failed for want of memory is MAAT_ENOMEM, not a parse error, so that a
 * caller never blames the input for it.
 */
#ifndef MAAT_JSON_INT_H
#define MAAT_JSON_INT_H

#include "maat-int.h"

#include <jansson.h>

/*
 * The failure of a json_load*() that returned NULL with 'err': ENOMEM
 * when jansson ran out of memory (it says so, or says nothing when it
 * could not even allocate its lexer), else EPARSE "not JSON: ...".
 */
static inline int maat__json_fail(const json_error_t *err)
{
  if (json_error_code(err) == json_error_out_of_memory || !err->text[0])
    return maat__fail(MAAT_ENOMEM, "out of memory");
  return maat__fail(MAAT_EPARSE, "not JSON: %s", err->text);
}

#endif /* MAAT_JSON_INT_H */

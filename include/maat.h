/*
 * maat.h - the public API of libmaat.
 *
 * libmaat decides, for every incoming customer contact, who handles it (the
 * bot, a specialist, an experienced person) and when, with the team's
 * wellbeing as a constraint next to service level and cost.
 *
 * This header holds the core (errors, allocation, version) and includes one
 * header per area from include/maat/. Nothing outside these headers is API.
 *
 * Conventions, stated once for every function:
 * - Fallible functions return int: MAAT_OK (0) on success, a negative MAAT_E*
 *   code on failure. Results come back through out-parameters, which are left
 *   untouched on failure unless the function says otherwise.
 * - On failure, maat_errmsg() returns a message for the calling thread that
 *   says what was wrong and where. It stays valid until the next failing call
 *   in the same thread.
 * - Strings passed in are borrowed: the library copies what it keeps.
 * - Memory returned to the caller is freed with the matching _free()/_close()
 *   function, or with maat_free() where a function says so. Every destroy
 *   function accepts NULL and then does nothing.
 * - The library never prints and never exits.
 */
#ifndef MAAT_H
#define MAAT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MAAT_VERSION_MAJOR 0
#define MAAT_VERSION_MINOR 1
#define MAAT_VERSION_PATCH 0
#define MAAT_VERSION_STRING "0.1.0"

/* Result codes. Keep maat_strerror() in step. */
enum maat_status {
  MAAT_OK = 0,
  MAAT_ENOMEM = -1,    /* out of memory */
  MAAT_EINVAL = -2,    /* invalid argument or option */
  MAAT_EIO = -3,       /* a read or write failed */
  MAAT_EPARSE = -4,    /* malformed input: CSV, JSON, configuration */
  MAAT_EUTF8 = -5,     /* input is not valid UTF-8 */
  MAAT_EFORMAT = -6,   /* not a maat file, or a version this build can't read */
  MAAT_ECORRUPT = -7,  /* a maat file failed its checksum or is truncated */
  MAAT_ENOTFOUND = -8, /* a named thing (column, label, agent) does not exist */
  MAAT_EDB = -9,       /* the database refused an operation */
  MAAT_ESTATE = -10,   /* the call does not fit the object's current state */
  MAAT_EOF = -11,      /* end of input; not an error for streaming readers */
  MAAT_EBUSY = -12     /* the database is busy: nothing changed, try again */
};

/* Returns a static, lowercase description of a MAAT_E* code. */
const char *maat_strerror(int code);

/*
 * Returns the detailed message of the last failing call in this thread, or ""
 * when there was none. Owned by the library; valid until the next failing call
 * in the same thread.
 */
const char *maat_errmsg(void);

/*
 * Returns the input field the last failing call in this thread found wrong
 * (e.g. "tier", "article.body"), or "" when the error names none. Same
 * lifetime as maat_errmsg().
 */
const char *maat_errfield(void);

/* Returns the library's version, e.g. "0.1.0". Static storage. */
const char *maat_version(void);

/*
 * Replaces the allocator the library uses for everything it allocates. Call
 * before any other maat function; all three must be non-NULL, or all NULL to
 * restore the C library's. Returns MAAT_EINVAL on a partial set.
 */
int maat_set_allocator(void *(*malloc_fn)(size_t),
                       void *(*realloc_fn)(void *, size_t),
                       void (*free_fn)(void *));

/*
 * Records a printf-style message as this thread's last error and returns
 * 'code': for front ends that report their own errors the library's way.
 */
int maat_error_set(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The 64-bit FNV-1a of 'n' bytes: the library's one hash of bytes. */
uint64_t maat_hash64(const void *p, size_t n);

/*
 * Writes 's' ('len' bytes) as the body of a JSON string (no quotes) into
 * 'out', with a NUL when it fits: the library's one JSON escaper. Returns
 * the length it needs without the NUL, like snprintf.
 */
size_t maat_json_escape(char *out, size_t cap, const char *s, size_t len);

/*
 * Whether 's' ('n' bytes) is a valid id of a contact, agent, customer or
 * intent: 1 to 63 bytes of ASCII letters, digits and "-_.:@+=" (so an id
 * is always one path segment and never needs escaping). 1 if valid.
 */
int maat_id_valid(const char *s, size_t n);
/* The rule above in words, for error messages. */
#define MAAT_ID_RULE "1 to 63 letters, digits or -_.:@+="

/* Writes 'n' bytes as 2n lowercase hex digits and a NUL into 'out'. */
void maat_hex(const void *p, size_t n, char *out);

/* Frees memory that a maat function documented as "free with maat_free()". */
void maat_free(void *p);

/*
 * Allocates through the library's allocator (maat_set_allocator()), for
 * front ends that want their allocations to fail where the library's do
 * in tests. Free with maat_free(). NULL when out of memory.
 */
void *maat_malloc(size_t n);
void *maat_realloc(void *p, size_t n);
char *maat_strdup(const char *s);

#ifdef __cplusplus
}
#endif

#include "maat/text.h"
#include "maat/io.h"
#include "maat/classify.h"
#include "maat/gen.h"
#include "maat/route.h"
#include "maat/sim.h"
#include "maat/tone.h"
#include "maat/triage.h"
#include "maat/store.h"
#include "maat/access.h"
#include "maat/engine.h"
#include "maat/msg.h"
#include "maat/outbox.h"
#include "maat/kb.h"
#include "maat/privacy.h"
#include "maat/learn.h"
#include "maat/insight.h"

#endif /* MAAT_H */

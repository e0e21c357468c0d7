/*
 * access.c - roles and access tokens, and the audit log, over the store:
 * a token is 32 random bytes shown once as "maat_" and 64 hex digits, and
 * kept only as its SHA-256, with a role each (and an agent for agent
 * tokens).
 */
#include "maat-int.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

static const char *const role_names[] = { "?", "integration", "agent", "lead",
                                          "admin" };

const char *maat_role_name(int role)
{
  return role >= MAAT_ROLE_INTEGRATION && role <= MAAT_ROLE_ADMIN
             ? role_names[role] : "?";
}

int maat_role_parse(const char *name, int *role)
{
  for (int r = MAAT_ROLE_INTEGRATION; name && r <= MAAT_ROLE_ADMIN; r++)
    if (!strcmp(name, role_names[r])) {
      *role = r;
      return MAAT_OK;
    }
  return maat__fail(MAAT_EINVAL, "role '%s': expected integration, agent, "
                    "lead or admin", name ? name : "");
}

double maat_wall_now(void)
{
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* The SHA-256 of a token as 64 hex digits. */
static void token_hash(const char *token, size_t len, char hex[65])
{
  unsigned char d[32];

  gnutls_hash_fast(GNUTLS_DIG_SHA256, token, len, d);
  maat_hex(d, sizeof d, hex);
}

int maat_token_add(maat_store *st, int role, const char *agent, char *token,
                   long *id)
{
  struct maat_store_token t;
  unsigned char raw[32];
  int64_t tid;
  int rc;

  if (!st || !token || !id)
    return maat__fail(MAAT_EINVAL, "maat_token_add: invalid argument");
  if (role < MAAT_ROLE_INTEGRATION || role > MAAT_ROLE_ADMIN)
    return maat__fail(MAAT_EINVAL, "unknown role %d", role);
  if ((role == MAAT_ROLE_AGENT) != (agent && *agent))
    return maat__fail(MAAT_EINVAL, role == MAAT_ROLE_AGENT
                      ? "an agent token needs the agent's id (--agent ID)"
                      : "only an agent token names an agent");
  if (agent && !maat_id_valid(agent, strlen(agent)))
    return maat__fail(MAAT_EINVAL, "agent '%.70s': expected an id of "
                      MAAT_ID_RULE, agent);
  if (gnutls_rnd(GNUTLS_RND_KEY, raw, sizeof raw) != 0)
    return maat__fail(MAAT_EIO, "no random bytes for a token");
  memcpy(token, "maat_", 5);
  maat_hex(raw, sizeof raw, token + 5);
  memset(&t, 0, sizeof t);
  token_hash(token, MAAT_TOKEN_LEN, t.hash);
  snprintf(t.role, sizeof t.role, "%s", maat_role_name(role));
  snprintf(t.agent, sizeof t.agent, "%s", agent ? agent : "");
  t.created = maat_wall_now();
  rc = maat_store_token_insert(st, &t, &tid);
  if (!rc)
    *id = (long)tid;
  return rc;
}

struct list_ctx {
  int (*fn)(void *ctx, const struct maat_token_info *t);
  void *ctx;
};

static int list_one(void *ctx, const struct maat_store_token *s)
{
  struct list_ctx *l = ctx;
  struct maat_token_info t;

  memset(&t, 0, sizeof t);
  t.id = (long)s->id;
  if (maat_role_parse(s->role, &t.role))
    t.role = 0;
  snprintf(t.agent, sizeof t.agent, "%s", s->agent);
  t.created = s->created;
  t.revoked = s->revoked;
  return l->fn(l->ctx, &t);
}

int maat_token_list(maat_store *st,
                    int (*fn)(void *ctx, const struct maat_token_info *t),
                    void *ctx)
{
  struct list_ctx l = { fn, ctx };

  if (!st || !fn)
    return maat__fail(MAAT_EINVAL, "maat_token_list: invalid argument");
  return maat_store_tokens(st, list_one, &l);
}

int maat_token_revoke(maat_store *st, long id)
{
  if (!st)
    return maat__fail(MAAT_EINVAL, "maat_token_revoke: no store");
  return maat_store_token_revoke(st, id, maat_wall_now());
}

int maat_token_check(maat_store *st, const char *token, size_t len,
                     struct maat_principal *who)
{
  struct maat_store_token t;
  char hash[65];
  int rc;

  memset(who, 0, sizeof *who);
  if (!st || !token || len != MAAT_TOKEN_LEN)
    return MAAT_ENOTFOUND;
  token_hash(token, len, hash);
  rc = maat_store_token_find(st, hash, &t);
  if (rc)
    return rc;
  if (maat_role_parse(t.role, &who->role)) {
    who->role = 0;
    return MAAT_ENOTFOUND;
  }
  who->token = (long)t.id;
  snprintf(who->agent, sizeof who->agent, "%s", t.agent);
  return MAAT_OK;
}

int maat_audit(maat_store *st, const struct maat_principal *who,
               const char *method, const char *path, int status,
               const char *detail)
{
  struct maat_store_audit a;

  memset(&a, 0, sizeof a);
  a.at = maat_wall_now();
  a.token = who ? who->token : 0;
  a.role = who && who->role ? maat_role_name(who->role) : NULL;
  a.method = method;
  a.path = path;
  a.status = status;
  a.detail = detail;
  return maat_store_audit_append(st, &a);
}

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
                                          "admin", "hr" };

const char *maat_role_name(int role)
{
  return role >= MAAT_ROLE_INTEGRATION && role <= MAAT_ROLE_HR
             ? role_names[role] : "?";
}

int maat_role_parse(const char *name, int *role)
{
  for (int r = MAAT_ROLE_INTEGRATION; name && r <= MAAT_ROLE_HR; r++)
    if (!strcmp(name, role_names[r])) {
      *role = r;
      return MAAT_OK;
    }
  return maat__fail(MAAT_EINVAL, "role '%s': expected integration, agent, "
                    "lead, admin or hr", name ? name : "");
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

/* A new token of 'role' (a role name, or "enrolment"). */
static int insert_token(maat_store *st, const char *role, const char *agent,
                        const char *token, size_t len, double now, long *id)
{
  struct maat_store_token t;
  int64_t tid;
  int rc;

  memset(&t, 0, sizeof t);
  token_hash(token, len, t.hash);
  snprintf(t.role, sizeof t.role, "%s", role);
  snprintf(t.agent, sizeof t.agent, "%s", agent ? agent : "");
  t.created = now;
  rc = maat_store_token_insert(st, &t, &tid);
  if (!rc && id)
    *id = (long)tid;
  return rc;
}

static int new_token(char *token)
{
  unsigned char raw[32];

  if (gnutls_rnd(GNUTLS_RND_KEY, raw, sizeof raw) != 0)
    return maat__fail(MAAT_EIO, "no random bytes for a token");
  memcpy(token, "maat_", 5);
  maat_hex(raw, sizeof raw, token + 5);
  return MAAT_OK;
}

int maat_token_add(maat_store *st, int role, const char *agent, char *token,
                   long *id)
{
  int rc;

  if (!st || !token || !id)
    return maat__fail(MAAT_EINVAL, "maat_token_add: invalid argument");
  if (role < MAAT_ROLE_INTEGRATION || role > MAAT_ROLE_HR)
    return maat__fail(MAAT_EINVAL, "unknown role %d", role);
  if (role == MAAT_ROLE_AGENT)
    return maat__fail(MAAT_EINVAL, "agent tokens come only from enrolment: "
                      "create a one-time code (maat token enrol --agent ID, "
                      "or POST /v1/enrolments) and let the agent redeem it");
  if (agent && *agent)
    return maat__fail(MAAT_EINVAL, "only an agent token names an agent");
  if ((rc = new_token(token)))
    return rc;
  return insert_token(st, maat_role_name(role), NULL, token, MAAT_TOKEN_LEN,
                      maat_wall_now(), id);
}

/* ---- enrolment ---- */

/* Crockford's base 32: a person types these, so O reads as 0, I and L as
 * 1, and case does not matter. */
static const char code_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int maat_enrol_add(maat_store *st, const char *agent, char *code, long *id)
{
  unsigned char raw[12];
  char bare[13];

  if (!st || !code || !id)
    return maat__fail(MAAT_EINVAL, "maat_enrol_add: invalid argument");
  if (!agent || !maat_id_valid(agent, strlen(agent)))
    return maat__fail(MAAT_EINVAL, "agent '%.70s': expected an id of "
                      MAAT_ID_RULE, agent ? agent : "");
  if (gnutls_rnd(GNUTLS_RND_KEY, raw, sizeof raw) != 0)
    return maat__fail(MAAT_EIO, "no random bytes for a code");
  /* 12 symbols of 32: 60 bits, against codes that live three days and
   * refusals that are counted. */
  for (int i = 0; i < 12; i++)
    bare[i] = code_alphabet[raw[i] & 31];
  bare[12] = '\0';
  snprintf(code, MAAT_ENROL_CODE_LEN + 1, "%.4s-%.4s-%.4s", bare, bare + 4,
           bare + 8);
  return insert_token(st, "enrolment", agent, bare, 12, maat_wall_now(), id);
}

struct agent_tokens {
  const char *agent;
  double before;         /* only tokens created before this */
  int64_t ids[64];
  int n, more;
};

static int collect_agent(void *ctx, const struct maat_store_token *t)
{
  struct agent_tokens *a = ctx;

  if (strcmp(t->role, "agent") || strcmp(t->agent, a->agent) ||
      t->created >= a->before)
    return 0;
  if (t->revoked == 0 && a->n < 64)
    a->ids[a->n++] = t->id;
  a->more = 1;
  return 0;
}

int maat_enrol_earlier(maat_store *st, const char *agent, double since,
                       int *earlier)
{
  struct agent_tokens a;
  int rc;

  memset(&a, 0, sizeof a);
  a.agent = agent;
  a.before = since;
  rc = maat_store_tokens(st, collect_agent, &a);
  *earlier = a.more;
  return rc;
}

static int redeem(maat_store *st, const char *hash, const char *bare,
                  char *token, struct maat_principal *who)
{
  struct maat_store_token t;
  struct agent_tokens a;
  double now = maat_wall_now();
  long id;
  int rc;

  rc = maat_store_token_find(st, hash, &t);
  if (rc == MAAT_ENOTFOUND || (!rc && (strcmp(t.role, "enrolment") ||
                                       now > t.created + MAAT_ENROL_TTL_S)))
    return maat__fail(MAAT_ENOTFOUND, "code '%.12s': unknown, used or "
                      "expired; ask for a new one", bare);
  if (rc)
    return rc;
  memset(&a, 0, sizeof a);
  a.agent = t.agent;
  a.before = now + 1;
  if ((rc = maat_store_token_revoke(st, t.id, now)) ||
      (rc = maat_store_tokens(st, collect_agent, &a)))
    return rc;
  for (int i = 0; i < a.n && !rc; i++)
    rc = maat_store_token_revoke(st, a.ids[i], now);
  if (!rc)
    rc = new_token(token);
  if (!rc)
    rc = insert_token(st, "agent", t.agent, token, MAAT_TOKEN_LEN, now, &id);
  if (!rc) {
    memset(who, 0, sizeof *who);
    who->token = id;
    who->role = MAAT_ROLE_AGENT;
    snprintf(who->agent, sizeof who->agent, "%s", t.agent);
    who->since = now;
  }
  return rc;
}

int maat_enrol_redeem(maat_store *st, const char *code, size_t len,
                      char *token, struct maat_principal *who)
{
  char bare[13], hash[65];
  size_t n = 0;
  int rc;

  if (!st || !code || !token || !who)
    return maat__fail(MAAT_EINVAL, "maat_enrol_redeem: invalid argument");
  for (size_t i = 0; i < len; i++) {
    char ch = code[i];
    if (ch == '-' || ch == ' ')
      continue;
    if (ch >= 'a' && ch <= 'z')
      ch = (char)(ch - 'a' + 'A');
    ch = ch == 'O' ? '0' : ch == 'I' || ch == 'L' ? '1' : ch;
    if (n == 12 || !ch || !strchr(code_alphabet, ch))
      return maat__fail(MAAT_ENOTFOUND, "code: expected 12 letters and "
                        "digits, as XXXX-XXXX-XXXX");
    bare[n++] = ch;
  }
  if (n != 12)
    return maat__fail(MAAT_ENOTFOUND, "code: expected 12 letters and "
                      "digits, as XXXX-XXXX-XXXX");
  bare[12] = '\0';
  token_hash(bare, 12, hash);
  if ((rc = maat_store_begin(st)))
    return rc;
  rc = redeem(st, hash, bare, token, who);
  if (rc) {
    maat_store_rollback(st);
    return rc;
  }
  return maat_store_commit(st);
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
  if (!strcmp(s->role, "enrolment")) {
    t.enrolment = 1;
    t.expires = s->created + MAAT_ENROL_TTL_S;
  } else if (maat_role_parse(s->role, &t.role)) {
    t.role = 0;
  }
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
  who->since = t.created;
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

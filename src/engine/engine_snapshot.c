/*
 * engine_snapshot.c - the engine's state as bytes and back: the router's
 * image, the views' counters and rings, the open contacts' records and
 * what the triager remembers of recent customers. A snapshot is written
 * in the same transaction as the events it follows, so it is never ahead
 * of the log; a restart loads the newest and replays only the events after
 * it. A snapshot this build cannot read is passed over: the whole log is
 * replayed, which is always right, only slower.
 */
#include "engine-int.h"

#include <stdio.h>
#include <string.h>

#define SNAP_MAGIC 0x50414e5354414d4dULL  /* "MMATSNAP" */
#define SNAP_VERSION 10

struct head {
  uint64_t magic;
  uint32_t version, fixed_size, nagents, ring, records, record_size;
  uint64_t ncontacts, nmemory;
};

static int put_str(struct maat_buf *b, const char *s, size_t n)
{
  uint32_t len = (uint32_t)n;
  int rc = maat__buf_append(b, &len, sizeof len);
  return rc ? rc : maat__buf_append(b, s, n);
}

struct mem_ctx {
  struct maat_buf *b;
  uint64_t n;
};

static int put_memory(void *ctx, const char *customer, const char *intent,
                      double ts)
{
  struct mem_ctx *m = ctx;
  int rc;

  if ((rc = put_str(m->b, customer, strlen(customer))) ||
      (rc = put_str(m->b, intent, strlen(intent))) ||
      (rc = maat__buf_append(m->b, &ts, sizeof ts)))
    return rc;
  m->n++;
  return 0;
}

/* A record's numbers, then its strings with their lengths: no formatting
 * (the engine's lock is held) and no padding of fixed-size fields. */
struct record_nums {
  int32_t state, tier, priority, tone, followups, moves, csat, nps;
  double t_in, t_assigned, t_done;
};

static int put_record(struct maat_buf *b, const struct maat_contact_record *r)
{
  struct record_nums k = { r->state, r->tier, r->priority, r->tone,
                           r->followups, r->moves, r->csat, r->nps,
                           r->t_in, r->t_assigned, r->t_done };
  const char *s[8] = { r->id, r->customer, r->to, r->intent, r->outcome,
                       r->reasons, r->lang, r->channel };
  int rc = maat__buf_append(b, &k, sizeof k);

  for (int i = 0; i < 8 && !rc; i++)
    rc = put_str(b, s[i], strlen(s[i]));
  if (!rc)
    rc = put_str(b, r->triage ? r->triage : "", r->triage ?
                 strlen(r->triage) : 0);
  return rc;
}

/* Open contacts: the queued ones in queue order, then the rest. The
 * engine's lock is held: a copy of memory per contact, no formatting. */
static int put_contacts(struct maat_engine *e, struct maat_buf *b,
                        uint64_t *n)
{
  int rc = MAAT_OK;

  for (struct econtact *c = e->qhead; c && !rc; c = c->qnext, (*n)++)
    rc = put_record(b, &c->r);
  for (size_t i = 0; i < e->contacts.cap && !rc; i++) {
    struct econtact *c = e->contacts.slots[i].value;
    if (!e->contacts.slots[i].key || c->evict_after ||
        c->r.state == MAAT_CONTACT_QUEUED)
      continue;
    rc = put_record(b, &c->r);
    (*n)++;
  }
  return rc;
}

int maat__engine_snapshot(struct maat_engine *e, struct maat_buf *b)
{
  struct head h;
  struct mem_ctx m = { b, 0 };
  size_t at_head = b->len, n = e->team->n;
  int rc;

  memset(&h, 0, sizeof h);
  h.magic = SNAP_MAGIC;
  h.version = SNAP_VERSION;
  h.fixed_size = sizeof e->v;
  h.nagents = (uint32_t)n;
  h.ring = ENGINE_AGENT_RING;
  h.records = !!(e->flags & MAAT_ENGINE_RECORDS);
  h.record_size = sizeof(struct maat_contact_record);
  if ((rc = maat__buf_append(b, &h, sizeof h)) ||
      (rc = maat__buf_append(b, &e->v, sizeof e->v)))
    return rc;
  if (e->agent_warns &&
      ((rc = maat__buf_append(b, e->agent_warns, n * ENGINE_AGENT_RING *
                                                     sizeof *e->agent_warns)) ||
       (rc = maat__buf_append(b, e->nagent_warns,
                              n * sizeof *e->nagent_warns)) ||
       (rc = maat__buf_append(b, e->in_period, n)) ||
       (rc = maat__buf_append(b, e->recent_contacts,
                              n * ENGINE_RECENT_CONTACTS *
                                  sizeof *e->recent_contacts)) ||
       (rc = maat__buf_append(b, e->nrecent_contacts,
                              n * sizeof *e->nrecent_contacts))))
    return rc;
  if ((rc = put_contacts(e, b, &h.ncontacts)))
    return rc;
  if (e->tri && (rc = maat_triager_each_memory(e->tri, put_memory, &m)))
    return rc;
  h.nmemory = m.n;
  memcpy(b->data + at_head, &h, sizeof h);
  if ((rc = maat__router_save(e->router, b)))
    return rc;
  /* A checksum over it all: a snapshot damaged on disk is passed over. */
  {
    uint32_t crc = maat__crc32c(0, b->data + at_head, b->len - at_head);
    return maat__buf_append(b, &crc, sizeof crc);
  }
}

/* ---- restore ---- */

struct reader {
  const unsigned char *p;
  size_t left;
};

static int take(struct reader *rd, void *dst, size_t n)
{
  if (n > rd->left)
    return maat__fail(MAAT_EFORMAT, "snapshot: truncated");
  memcpy(dst, rd->p, n);
  rd->p += n;
  rd->left -= n;
  return MAAT_OK;
}

static int take_str(struct reader *rd, const char **s, size_t *n)
{
  uint32_t len = 0;
  int rc = take(rd, &len, sizeof len);

  if (rc)
    return rc;
  if (len > rd->left)
    return maat__fail(MAAT_EFORMAT, "snapshot: truncated");
  *s = (const char *)rd->p;
  *n = len;
  rd->p += len;
  rd->left -= len;
  return MAAT_OK;
}

/* The router first: if its image does not fit, nothing else was touched. */
static int skip_to_router(struct reader rd, const struct head *h,
                          size_t agents_bytes, struct reader *router)
{
  const char *s;
  size_t n;
  double ts;
  int rc;

  rd.p += sizeof(struct engine_views) + agents_bytes;
  rd.left -= sizeof(struct engine_views) + agents_bytes;
  for (uint64_t i = 0; i < h->ncontacts; i++) {
    struct record_nums k;
    if ((rc = take(&rd, &k, sizeof k)))
      return rc;
    for (int j = 0; j < 7; j++)
      if ((rc = take_str(&rd, &s, &n)))
        return rc;
  }
  for (uint64_t i = 0; i < h->nmemory; i++)
    if ((rc = take_str(&rd, &s, &n)) || (rc = take_str(&rd, &s, &n)) ||
        (rc = take(&rd, &ts, sizeof ts)))
      return rc;
  *router = rd;
  return MAAT_OK;
}

/* Reads a record written by put_record() into 'r' (its triage borrowed
 * from the bytes, in 'triage' and 'len'). The format was checked. */
static void take_record(struct reader *rd, struct maat_contact_record *r,
                        const char **triage, size_t *len)
{
  char *dst[8] = { r->id, r->customer, r->to, r->intent, r->outcome,
                   r->reasons, r->lang, r->channel };
  size_t cap[8] = { sizeof r->id, sizeof r->customer, sizeof r->to,
                    sizeof r->intent, sizeof r->outcome, sizeof r->reasons,
                    sizeof r->lang, sizeof r->channel };
  struct record_nums k;

  memset(r, 0, sizeof *r);
  take(rd, &k, sizeof k);
  r->state = k.state;
  r->tier = k.tier;
  r->priority = k.priority;
  r->tone = k.tone;
  r->followups = k.followups;
  r->t_in = k.t_in;
  r->t_assigned = k.t_assigned;
  r->t_done = k.t_done;
  r->moves = k.moves;
  r->csat = k.csat;
  r->nps = k.nps;
  for (int i = 0; i < 8; i++) {
    const char *s;
    size_t n;
    take_str(rd, &s, &n);
    snprintf(dst[i], cap[i], "%.*s", (int)n, s);
  }
  take_str(rd, triage, len);
}

static int restore_contact(struct maat_engine *e,
                           const struct maat_contact_record *flat,
                           const char *triage, size_t len)
{
  struct econtact *c = maat__calloc(1, sizeof *c);
  int state, rc = MAAT_OK;

  if (!c)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  c->r = *flat;
  c->r.triage = len ? maat__strndup(triage, len) : NULL;
  if (len && !c->r.triage)
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
  if (rc || (rc = maat__map_put(&e->contacts, c->r.id, c))) {
    maat__free(c->r.triage);
    maat__free(c);
    return rc;
  }
  state = c->r.state;
  c->r.state = 0;
  maat__engine_set_state(e, c, state);
  return MAAT_OK;
}

int maat__engine_restore(struct maat_engine *e, const void *data, size_t len)
{
  struct reader rd = { data, len - sizeof(uint32_t) }, router = { NULL, 0 };
  struct head h;
  size_t n = e->team->n;
  size_t agents_bytes = e->agent_warns
      ? n * ENGINE_AGENT_RING * sizeof *e->agent_warns +
            n * sizeof *e->nagent_warns + n +
            n * ENGINE_RECENT_CONTACTS * sizeof *e->recent_contacts +
            n * sizeof *e->nrecent_contacts : 0;
  uint32_t crc;
  int rc;

  if (len < sizeof h + sizeof crc)
    return maat__fail(MAAT_EFORMAT, "snapshot: truncated");
  memcpy(&crc, (const unsigned char *)data + len - sizeof crc, sizeof crc);
  if (crc != maat__crc32c(0, data, len - sizeof crc))
    return maat__fail(MAAT_EFORMAT, "snapshot: checksum mismatch");
  if ((rc = take(&rd, &h, sizeof h)))
    return rc;
  if (h.magic != SNAP_MAGIC || h.version != SNAP_VERSION ||
      h.fixed_size != sizeof e->v || h.nagents != n ||
      h.ring != ENGINE_AGENT_RING ||
      h.records != !!(e->flags & MAAT_ENGINE_RECORDS) ||
      h.record_size != sizeof(struct maat_contact_record) || rd.left < sizeof e->v + agents_bytes)
    return maat__fail(MAAT_EFORMAT, "snapshot: from another build or team");
  if ((rc = skip_to_router(rd, &h, agents_bytes, &router)) ||
      (rc = maat__router_load(e->router, router.p, router.left)))
    return rc;
  /* From here the router holds the snapshot's state: failing is fatal. */
  take(&rd, &e->v, sizeof e->v);
  if (e->agent_warns) {
    take(&rd, e->agent_warns, n * ENGINE_AGENT_RING * sizeof *e->agent_warns);
    take(&rd, e->nagent_warns, n * sizeof *e->nagent_warns);
    take(&rd, e->in_period, n);
    take(&rd, e->recent_contacts,
         n * ENGINE_RECENT_CONTACTS * sizeof *e->recent_contacts);
    take(&rd, e->nrecent_contacts, n * sizeof *e->nrecent_contacts);
  }
  for (uint64_t i = 0; i < h.ncontacts; i++) {
    struct maat_contact_record flat;
    const char *s;
    size_t k;
    take_record(&rd, &flat, &s, &k);
    if ((e->flags & MAAT_ENGINE_RECORDS) &&
        (rc = restore_contact(e, &flat, s, k)))
      return rc;
  }
  for (uint64_t i = 0; i < h.nmemory; i++) {
    const char *cu, *in;
    size_t nc, ni;
    double ts;
    char customer[MAAT_ID_MAX + 1], intent[MAAT_ID_MAX + 1];
    take_str(&rd, &cu, &nc);
    take_str(&rd, &in, &ni);
    take(&rd, &ts, sizeof ts);
    snprintf(customer, sizeof customer, "%.*s", (int)nc, cu);
    snprintf(intent, sizeof intent, "%.*s", (int)ni, in);
    if (e->tri && (rc = maat_triager_remember(e->tri, customer, intent, ts)))
      return rc;
  }
  return MAAT_OK;
}

int maat__snapshot_reseal(void *data, size_t len)
{
  uint32_t crc;

  if (len < sizeof crc)
    return maat__fail(MAAT_EFORMAT, "snapshot: truncated");
  crc = maat__crc32c(0, data, len - sizeof crc);
  memcpy((unsigned char *)data + len - sizeof crc, &crc, sizeof crc);
  return MAAT_OK;
}

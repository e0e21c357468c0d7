/*
 * router_image.c - the router's state as bytes and back, for the engine's
 * snapshots: a restart loads the newest snapshot and replays only the
 * events after it. The image is the router's struct and its arrays as they
 * are in memory, under a header of their sizes: it is read back only by
 * the same build on the same team (anything else is refused, and the
 * engine replays the whole log, which is always right). Caches that are
 * made on demand (which agents fit a kind of contact, a dispatch's memo of
 * kinds that found nobody) are not saved: the fresh router's empty ones
 * give the same decisions.
 */
#include "route-int.h"

#include <string.h>

#define IMAGE_MAGIC 0x4d4141545249ULL  /* "MAATRI" */
#define IMAGE_VERSION 4

struct image_head {
  uint64_t magic;
  uint32_t version, router_size, agent_size, contact_size;
  int32_t nagents, nwords, capcs, nfree;
  uint64_t idxcap;
  int32_t deadline_cap, timers_cap;
};

static int put(struct maat_buf *b, const void *p, size_t n)
{
  return maat__buf_append(b, p, n);
}

/* A heap that never held anything has no arrays: its cap is saved as -1. */
static int heap_cap(const struct maat__heap *h)
{
  return h->node ? h->cap : -1;
}

static int put_heap(struct maat_buf *b, const struct maat__heap *h)
{
  int rc;

  if (!h->node)
    return MAAT_OK;
  /* Field by field: a node's padding is never written out. */
  for (int i = 0; i < h->cap + MAAT__HEAP_D; i++) {
    struct maat__heap_node x;
    memset(&x, 0, sizeof x);
    x.key = h->node[i].key;
    x.tie = h->node[i].tie;
    x.item = h->node[i].item;
    if ((rc = put(b, &x, sizeof x)))
      return rc;
  }
  return put(b, h->pos, (size_t)h->cap * sizeof *h->pos);
}

int maat__router_save(const struct maat_router *r, struct maat_buf *b)
{
  struct image_head h;
  size_t na = (size_t)r->nagents, nw = (size_t)r->nwords;
  int rc;

  if (r->nout != r->headout)
    return maat__fail(MAAT_ESTATE, "router: decisions wait to be fetched");
  memset(&h, 0, sizeof h);
  h.magic = IMAGE_MAGIC;
  h.version = IMAGE_VERSION;
  h.router_size = sizeof *r;
  h.agent_size = sizeof *r->agents;
  h.contact_size = sizeof *r->cs;
  h.nagents = r->nagents;
  h.nwords = r->nwords;
  h.capcs = r->capcs;
  h.nfree = r->nfree;
  h.idxcap = r->idxcap;
  h.deadline_cap = heap_cap(&r->deadline);
  h.timers_cap = heap_cap(&r->timers);
  if ((rc = put(b, &h, sizeof h)) || (rc = put(b, r, sizeof *r)) ||
      (rc = put(b, r->agents, na * sizeof *r->agents)) ||
      (rc = put(b, r->ready_next, na * sizeof *r->ready_next)) ||
      (rc = put(b, r->ready_prev, na * sizeof *r->ready_prev)) ||
      (rc = put(b, r->order_key, na * sizeof *r->order_key)) ||
      (rc = put(b, r->strain_e, na * sizeof *r->strain_e)) ||
      (rc = put(b, r->avail_bits, nw * sizeof *r->avail_bits)) ||
      (rc = put(b, r->light_bits, nw * sizeof *r->light_bits)) ||
      (rc = put(b, r->recovery_bits, nw * sizeof *r->recovery_bits)) ||
      (rc = put(b, r->undercap_bits, nw * sizeof *r->undercap_bits)) ||
      (rc = put(b, r->open_bits, nw * sizeof *r->open_bits)) ||
      (rc = put(b, r->warn_watch, nw * sizeof *r->warn_watch)) ||
      (rc = put(b, r->cs, (size_t)r->capcs * sizeof *r->cs)) ||
      (rc = put(b, r->free_slots, (size_t)r->capcs * sizeof *r->free_slots)) ||
      (rc = put(b, r->idx, r->idxcap * sizeof *r->idx)) ||
      (rc = put_heap(b, &r->deadline)) || (rc = put_heap(b, &r->timers)))
    return rc;
  return MAAT_OK;
}

struct reader {
  const unsigned char *p;
  size_t left;
};

static int take(struct reader *rd, void *dst, size_t n)
{
  if (n > rd->left)
    return maat__fail(MAAT_EFORMAT, "router image: truncated");
  memcpy(dst, rd->p, n);
  rd->p += n;
  rd->left -= n;
  return MAAT_OK;
}

/* Gives 'h' room for 'cap' items and reads its arrays (none: -1). */
static int take_heap(struct reader *rd, struct maat__heap *h, int cap, int n)
{
  int rc;

  if (cap < 0)
    return MAAT_OK;
  if ((rc = maat__heap_reserve(h, cap)))
    return rc;
  h->n = n;
  if ((rc = take(rd, h->node, ((size_t)cap + MAAT__HEAP_D) * sizeof *h->node)))
    return rc;
  return take(rd, h->pos, (size_t)cap * sizeof *h->pos);
}

static void *grow(void *p, size_t n)
{
  return maat__realloc(p, n ? n : 1);
}

int maat__router_load(struct maat_router *r, const void *data, size_t len)
{
  struct reader rd = { data, len };
  struct image_head h;
  struct maat_router img, keep = *r;
  size_t na = (size_t)r->nagents, nw = (size_t)r->nwords;
  int rc;

  if ((rc = take(&rd, &h, sizeof h)))
    return rc;
  if (h.magic != IMAGE_MAGIC || h.version != IMAGE_VERSION ||
      h.router_size != sizeof *r || h.agent_size != sizeof *r->agents ||
      h.contact_size != sizeof *r->cs || h.nagents != r->nagents ||
      h.nwords != r->nwords || h.capcs < 0 || h.nfree < 0 ||
      h.nfree > h.capcs || h.deadline_cap < -1 || h.timers_cap < -1)
    return maat__fail(MAAT_EFORMAT, "router image: from another build or "
                      "team");
  if ((rc = take(&rd, &img, sizeof img)))
    return rc;
  /* The arrays whose length is the team's: into the fresh router's. */
  if ((rc = take(&rd, r->agents, na * sizeof *r->agents)) ||
      (rc = take(&rd, r->ready_next, na * sizeof *r->ready_next)) ||
      (rc = take(&rd, r->ready_prev, na * sizeof *r->ready_prev)) ||
      (rc = take(&rd, r->order_key, na * sizeof *r->order_key)) ||
      (rc = take(&rd, r->strain_e, na * sizeof *r->strain_e)) ||
      (rc = take(&rd, r->avail_bits, nw * sizeof *r->avail_bits)) ||
      (rc = take(&rd, r->light_bits, nw * sizeof *r->light_bits)) ||
      (rc = take(&rd, r->recovery_bits, nw * sizeof *r->recovery_bits)) ||
      (rc = take(&rd, r->undercap_bits, nw * sizeof *r->undercap_bits)) ||
      (rc = take(&rd, r->open_bits, nw * sizeof *r->open_bits)) ||
      (rc = take(&rd, r->warn_watch, nw * sizeof *r->warn_watch)))
    return rc;
  for (size_t i = 0; i < na; i++)
    r->agents[i].def = &r->team->agents[i];
  /* The contacts: as many slots as the image had. */
  {
    void *cs = grow(r->cs, (size_t)h.capcs * sizeof *r->cs);
    void *fs = cs ? grow(r->free_slots, (size_t)h.capcs *
                                            sizeof *r->free_slots) : NULL;
    void *ix = fs ? grow(r->idx, h.idxcap * sizeof *r->idx) : NULL;
    if (cs)
      r->cs = keep.cs = cs;
    if (fs)
      r->free_slots = keep.free_slots = fs;
    if (ix)
      r->idx = keep.idx = ix;
    if (!cs || !fs || !ix)
      return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  if ((rc = take(&rd, r->cs, (size_t)h.capcs * sizeof *r->cs)) ||
      (rc = take(&rd, r->free_slots, (size_t)h.capcs *
                                         sizeof *r->free_slots)) ||
      (rc = take(&rd, r->idx, h.idxcap * sizeof *r->idx)) ||
      (rc = take_heap(&rd, &r->deadline, h.deadline_cap, img.deadline.n)) ||
      (rc = take_heap(&rd, &r->timers, h.timers_cap, img.timers.n)))
    return rc;
  if (rd.left)
    return maat__fail(MAAT_EFORMAT, "router image: %zu bytes too many",
                      rd.left);
  keep.deadline = r->deadline;
  keep.timers = r->timers;
  /* The image's values, the fresh router's memory and caches. */
  *r = img;
  r->team = keep.team;
  r->pol = keep.pol;
  r->flags = keep.flags;
  r->agents = keep.agents;
  r->agents_mem = keep.agents_mem;
  r->ready_next = keep.ready_next;
  r->ready_prev = keep.ready_prev;
  r->order_key = keep.order_key;
  r->strain_e = keep.strain_e;
  r->avail_bits = keep.avail_bits;
  r->light_bits = keep.light_bits;
  r->recovery_bits = keep.recovery_bits;
  r->undercap_bits = keep.undercap_bits;
  r->open_bits = keep.open_bits;
  r->warn_watch = keep.warn_watch;
  r->fit_bits = keep.fit_bits;
  r->fitcache = keep.fitcache;
  r->cs = keep.cs;
  r->free_slots = keep.free_slots;
  r->idx = keep.idx;
  r->capcs = h.capcs;
  r->idxcap = (size_t)h.idxcap;
  r->fail_load = keep.fail_load;
  r->fail_retry = keep.fail_retry;
  r->fail_stamp = keep.fail_stamp;
  r->deadline = keep.deadline;
  r->timers = keep.timers;
  r->out = keep.out;
  r->nout = r->headout = 0;
  r->capout = keep.capout;
  return maat__router_refit(r);
}

/*
 * router.c - the router: a priority queue with ageing, the eligibility gate,
 * the dispatch loop that asks the policy to rank eligible agents, the timed
 * transitions (completions in replay, recovery windows, patience), early
 * warnings and the run's summary. docs/internals/router.md walks through it.
 */
#include "route-int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- heap ---- */

/*
 * A 4-ary heap: half the levels of a binary one, and the least of four
 * children is found without branches, since which is least is a coin toss
 * to the CPU. The nodes from n to cap + 3 hold a sentinel greater than any
 * other, so a node's four children can always be read.
 */
#define HEAP_D MAAT__HEAP_D

static const struct maat__heap_node sentinel = { UINT64_MAX, INT64_MAX, -1 };

int maat__heap_reserve(struct maat__heap *h, int cap)
{
  struct maat__heap_node *node;
  int *pos;

  if (cap <= h->cap)
    return MAAT_OK;
  node = maat__realloc(h->node, ((size_t)cap + HEAP_D) * sizeof *node);
  if (!node)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  for (int i = h->n; i < cap + HEAP_D; i++)
    node[i] = sentinel;
  h->node = node;
  pos = maat__realloc(h->pos, (size_t)cap * sizeof *pos);
  if (!pos)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  h->pos = pos;
  for (int i = h->cap; i < cap; i++)
    h->pos[i] = -1;
  h->cap = cap;
  return MAAT_OK;
}

void maat__heap_release(struct maat__heap *h)
{
  maat__free(h->node);
  maat__free(h->pos);
  memset(h, 0, sizeof *h);
}

static int node_less(const struct maat__heap_node *a,
                     const struct maat__heap_node *b)
{
#ifdef __SIZEOF_INT128__
  unsigned __int128 x = (unsigned __int128)a->key << 64 | (uint64_t)a->tie;
  unsigned __int128 y = (unsigned __int128)b->key << 64 | (uint64_t)b->tie;

  return x < y;
#else
  return (a->key < b->key) | ((a->key == b->key) & (a->tie < b->tie));
#endif
}

/* The least of the four children from c (sentinels past n never win). */
static int least_child(const struct maat__heap_node *nd, int c)
{
  int x = c + node_less(&nd[c + 1], &nd[c]);
  int y = c + 2 + node_less(&nd[c + 3], &nd[c + 2]);

  /* Arithmetic, as compilers turn '?:' into a branch here. */
  return x + (y - x) * node_less(&nd[y], &nd[x]);
}

static void heap_put(struct maat__heap *h, int i,
                     const struct maat__heap_node *x)
{
  h->node[i] = *x;
  h->pos[x->item] = i;
}

/* Puts x at hole i or above it. */
static void heap_up_from(struct maat__heap *h, int i,
                         const struct maat__heap_node *x)
{
  while (i > 0) {
    int p = (i - 1) / HEAP_D;
    if (!node_less(x, &h->node[p]))
      break;
    heap_put(h, i, &h->node[p]);
    i = p;
  }
  heap_put(h, i, x);
}

static void heap_down(struct maat__heap *h, int i)
{
  struct maat__heap_node x = h->node[i];

  for (;;) {
    int c = HEAP_D * i + 1, m;
    if (c >= h->n)
      break;
    m = least_child(h->node, c);
    if (!node_less(&h->node[m], &x))
      break;
    heap_put(h, i, &h->node[m]);
    i = m;
  }
  heap_put(h, i, &x);
}

void maat__heap_push(struct maat__heap *h, int item, double key, int64_t tie)
{
  struct maat__heap_node x;

  if (h->pos[item] >= 0)
    maat__heap_remove(h, item);
  x.key = maat__heap_bits(key);
  x.tie = tie;
  x.item = item;
  h->n++;
  heap_up_from(h, h->n - 1, &x);
}

/* Takes the last node out, leaving a sentinel in its place. */
static struct maat__heap_node heap_take_last(struct maat__heap *h)
{
  struct maat__heap_node last = h->node[--h->n];

  h->node[h->n] = sentinel;
  return last;
}

void maat__heap_remove(struct maat__heap *h, int item)
{
  int i = h->pos[item];
  struct maat__heap_node last;

  if (i < 0)
    return;
  h->pos[item] = -1;
  last = heap_take_last(h);
  if (i == h->n)
    return;
  heap_put(h, i, &last);
  if (i > 0 && node_less(&h->node[i], &h->node[(i - 1) / HEAP_D]))
    heap_up_from(h, i, &last);
  else
    heap_down(h, i);
}

/*
 * The least item out: its hole goes down to a leaf by the lesser children,
 * then the last node comes up from there (it is large, so rarely far).
 */
int maat__heap_pop(struct maat__heap *h)
{
  int top = h->node[0].item, i = 0;
  struct maat__heap_node last;

  h->pos[top] = -1;
  last = heap_take_last(h);
  if (!h->n)
    return top;
  for (;;) {
    int c = HEAP_D * i + 1, m;
    if (c >= h->n)
      break;
    m = least_child(h->node, c);
    heap_put(h, i, &h->node[m]);
    i = m;
  }
  heap_up_from(h, i, &last);
  return top;
}

/* ---- contacts: slots and the id index ---- */

static uint64_t id_hash(const char *id)
{
  return maat__hash64(id, strlen(id), 0);
}

static int index_find(const struct maat_router *r, const char *id)
{
  size_t mask = r->idxcap - 1;
  size_t i = id_hash(id) & mask;

  for (;;) {
    int v = r->idx[i];
    if (v == 0)
      return -1;
    if (v > 0 && !strcmp(r->cs[v - 1].c.id, id))
      return v - 1;
    i = (i + 1) & mask;
  }
}

static void index_put(struct maat_router *r, int slot);

/*
 * Rehashes the index, dropping the deleted marks: at twice the size when
 * the live contacts fill a quarter of it, else at the same size, so that
 * a long run of contacts coming and going keeps it as small as the open
 * work.
 */
static int index_grow(struct maat_router *r)
{
  int *old = r->idx;
  size_t oldcap = r->idxcap;
  size_t live = (size_t)(r->ncs - r->nfree);

  r->idxcap = !oldcap ? 1024 : (live + 1) * 4 > oldcap ? oldcap * 2
                                                         : oldcap;
  r->idx = maat__calloc(r->idxcap, sizeof *r->idx);
  if (!r->idx) {
    r->idx = old;
    r->idxcap = oldcap;
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  r->idxused = 0;
  for (size_t i = 0; i < oldcap; i++)
    if (old[i] > 0)
      index_put(r, old[i] - 1);
  maat__free(old);
  return MAAT_OK;
}

static void index_put(struct maat_router *r, int slot)
{
  size_t mask = r->idxcap - 1;
  size_t i = id_hash(r->cs[slot].c.id) & mask;

  while (r->idx[i] > 0)
    i = (i + 1) & mask;
  if (r->idx[i] == 0)
    r->idxused++;
  r->idx[i] = slot + 1;
}

static void index_del(struct maat_router *r, int slot)
{
  size_t mask = r->idxcap - 1;
  size_t i = id_hash(r->cs[slot].c.id) & mask;

  while (r->idx[i] != slot + 1)
    i = (i + 1) & mask;
  r->idx[i] = -1;
}

static int slot_alloc(struct maat_router *r, int *out)
{
  int rc;

  if (!(r->flags & MAAT__ROUTER_NO_INDEX) &&
      (r->idxused + 1) * 2 > r->idxcap) {
    rc = index_grow(r);
    if (rc)
      return rc;
  }
  if (r->nfree) {
    *out = r->free_slots[--r->nfree];
    /* Zeroed, padding too: a snapshot writes slots as they are. */
    memset(&r->cs[*out], 0, sizeof *r->cs);
    return MAAT_OK;
  }
  if (r->ncs == r->capcs) {
    int cap = r->capcs ? r->capcs * 2 : 256;
    struct maat__rcontact *cs = maat__realloc(r->cs, (size_t)cap * sizeof *cs);
    int *fs;
    if (!cs)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    r->cs = cs;
    fs = maat__realloc(r->free_slots, (size_t)cap * sizeof *fs);
    if (!fs)
      return maat__fail(MAAT_ENOMEM, "out of memory");
    r->free_slots = fs;
    /* The image saves every slot of the capacity: no stray bytes in it. */
    memset(cs + r->capcs, 0, (size_t)(cap - r->capcs) * sizeof *cs);
    memset(fs + r->capcs, 0, (size_t)(cap - r->capcs) * sizeof *fs);
    if ((rc = maat__heap_reserve(&r->deadline, cap)))
      return rc;
    r->capcs = cap;
  }
  *out = r->ncs++;
  memset(&r->cs[*out], 0, sizeof *r->cs);
  return MAAT_OK;
}

static void slot_free(struct maat_router *r, int slot)
{
  if (r->idxcap)
    index_del(r, slot);
  r->cs[slot].used = 0;
  r->free_slots[r->nfree++] = slot;
}

/* ---- the queue ---- */

/*
 * Into its place by (key, seq). A key is the arrival time less ageing_s per
 * priority step, so a contact goes after all that came before it but those
 * of lower priority that came less than a few steps ago: the walk back from
 * the tail is short. Critical contacts have a list of their own, as they
 * come before everyone else.
 */
static void queue_add(struct maat_router *r, int slot, double key)
{
  struct maat__rcontact *c = &r->cs[slot];
  int l = c->c.urgency == MAAT_URGENCY_CRITICAL;
  int p = c->c.priority & 3;
  int after = r->qlast[l][p];

  /* The newest seq: after those of the same key. */
  if (after >= 0 && r->cs[after].qkey <= key) {
    while (r->cs[after].qnext >= 0 && r->cs[r->cs[after].qnext].qkey <= key)
      after = r->cs[after].qnext;
  } else {
    after = r->qtail[l];
    while (after >= 0 && r->cs[after].qkey > key)
      after = r->cs[after].qprev;
  }
  r->qlast[l][p] = slot;
  c->qlist = l;
  c->qkey = key;
  c->qseq = r->seq++;
  c->qprev = after;
  c->qnext = after >= 0 ? r->cs[after].qnext : r->qhead[l];
  if (c->qnext >= 0)
    r->cs[c->qnext].qprev = slot;
  else
    r->qtail[l] = slot;
  if (after >= 0)
    r->cs[after].qnext = slot;
  else
    r->qhead[l] = slot;
  r->nqueued++;
}

static void queue_remove(struct maat_router *r, int slot)
{
  struct maat__rcontact *c = &r->cs[slot];
  int l = c->qlist;

  if (l < 0)
    return;
  if (r->qlast[l][c->c.priority & 3] == slot)
    r->qlast[l][c->c.priority & 3] = -1;
  /* The fallback wake-up may have been its: the next dispatch walks. */
  if (r->wake < INFINITY && maat__wait_next(r, c) == r->wake)
    r->quiet = 0;
  if (c->qprev >= 0)
    r->cs[c->qprev].qnext = c->qnext;
  else
    r->qhead[l] = c->qnext;
  if (c->qnext >= 0)
    r->cs[c->qnext].qprev = c->qprev;
  else
    r->qtail[l] = c->qprev;
  c->qlist = -1;
  r->nqueued--;
}

/*
 * A walk of the queue in dispatch order: a cursor per list, merged, with
 * each cursor's key at hand and a bit per list not yet walked to its end.
 */
struct qwalk {
  int cur[MAAT__QLISTS];
  double key[MAAT__QLISTS];
  int64_t seq[MAAT__QLISTS];
  unsigned live;
};

static void qwalk_load(const struct maat_router *r, struct qwalk *w, int l)
{
  if (w->cur[l] < 0) {
    w->live &= ~(1u << l);
    return;
  }
  w->key[l] = r->cs[w->cur[l]].qkey;
  w->seq[l] = r->cs[w->cur[l]].qseq;
}

static void qwalk_start(const struct maat_router *r, struct qwalk *w)
{
  w->live = (1u << MAAT__QLISTS) - 1;
  for (int l = 0; l < MAAT__QLISTS; l++) {
    w->cur[l] = r->qhead[l];
    qwalk_load(r, w, l);
  }
}

/* The next contact in dispatch order, or -1; qwalk_step() passes it. */
static int qwalk_peek(const struct qwalk *w)
{
  int best = -1;

  for (unsigned m = w->live; m; m &= m - 1) {
    int l = __builtin_ctz(m);
    if (best < 0 || w->key[l] < w->key[best] ||
        (w->key[l] == w->key[best] && w->seq[l] < w->seq[best]))
      best = l;
  }
  return best < 0 ? -1 : w->cur[best];
}

static void qwalk_step(const struct maat_router *r, struct qwalk *w, int slot)
{
  int l = r->cs[slot].qlist;

  w->cur[l] = r->cs[slot].qnext;
  qwalk_load(r, w, l);
}

/* ---- outputs ---- */

static int lost_check(struct maat_router *r);

static struct maat_decision *emit(struct maat_router *r, int type)
{
  struct maat_decision *d;

  if (r->nout == r->capout) {
    int cap = r->capout ? r->capout * 2 : 64;
    d = maat__realloc(r->out, (size_t)cap * sizeof *d);
    if (!d) {
      /* Counted, so that the call that made it fails (lost_check()). */
      r->lost++;
      return NULL;
    }
    r->out = d;
    r->capout = cap;
  }
  d = &r->out[r->nout++];
  d->type = type;
  d->t = r->now;
  d->contact[0] = 0;
  d->to[0] = 0;
  d->agent[0] = 0;
  d->message[0] = 0;
  d->tier = 0;
  d->wait_s = 0;
  d->again = 0;
  d->nreasons = 0;
  d->kind = NULL;
  d->scope = MAAT_SCOPE_TEAM;
  return d;
}

const struct maat_decision *maat__router_pending(const maat_router *r, int *n)
{
  *n = r->nout - r->headout;
  return r->out + r->headout;
}

void maat__router_drop(maat_router *r)
{
  r->headout = r->nout = 0;
}

int maat_router_next(maat_router *r, struct maat_decision *d)
{
  if (r->headout == r->nout) {
    r->headout = r->nout = 0;
    return MAAT_EOF;
  }
  *d = r->out[r->headout++];
  return MAAT_OK;
}

/* ---- agents ---- */

static const double *set_of(const struct maat_router *r)
{
  return r->team->set;
}

/*
 * Rebases every 64 tau (e^64 keeps far from overflow), so the scaled
 * strains of agents available now are recomputed about once a day.
 */
double maat__router_strain_factor(struct maat_router *r)
{
  double tau = set_of(r)[MAAT__S_T_A];

  if (!(r->now - r->strain_base <= 64 * tau)) {
    r->strain_base = r->now;
    for (int w = 0; w < r->nwords; w++)
      for (uint64_t m = r->avail_bits[w] | r->recovery_bits[w]; m;
           m &= m - 1) {
        int i = w * 64 + __builtin_ctzll(m);
        const struct maat__ragent *a = &r->agents[i];
        r->strain_e[i] = a->strain * exp((a->strain_t - r->strain_base) / tau);
      }
    r->strain_f_at = NAN;
  }
  if (r->strain_f_at != r->now) {
    r->strain_f = exp(-(r->now - r->strain_base) / tau);
    r->strain_f_at = r->now;
  }
  return r->strain_f;
}

/* The agent's time above the overload line so far, in seconds. */
double maat__router_overload_s(const struct maat_router *r, int i)
{
  const struct maat__ragent *a = &r->agents[i];
  const double *set = set_of(r);
  double dt = r->now - a->strain_t;

  if (a->state == MAAT_AGENT_BUSY)
    return a->overload_s + (a->strain > set[MAAT__S_OVERLOAD] ? dt : 0);
  if (a->state == MAAT_AGENT_OFFLINE)
    return a->overload_s;
  return a->overload_s + maat__strain_time_above(set, a->strain, dt,
                                                 set[MAAT__S_OVERLOAD]);
}

int maat__router_waiting(const struct maat_router *r)
{
  return r->nqueued;
}

int maat__router_agent_state(const struct maat_router *r, int i)
{
  return r->agents[i].state;
}

/* Light work is offered after heavy work: more heavy than 'light_share'
 * allows among the last MAAT__RECENT contacts (and at least two). */
static int light_due(const struct maat_router *r, const struct maat__ragent *a)
{
  int heavy = maat__recent_heavy(a);

  return a->nrecent >= 2 &&
         1 - (double)heavy / a->nrecent < r->team->set[MAAT__S_LIGHT_SHARE];
}

static void bit_set(uint64_t *bits, int i, int on)
{
  if (on)
    bits[i >> 6] |= (uint64_t)1 << (i & 63);
  else
    bits[i >> 6] &= ~((uint64_t)1 << (i & 63));
}

/* Brings the integral of the other contacts agent 'a' holds up to now. */
static void extra_advance(struct maat__ragent *a, double now)
{
  if (a->nheld > 1)
    a->extra_int += (a->nheld - 1) * (now - a->extra_t);
  a->extra_t = now;
}

/*
 * Whether busy agent i has a place for another contact of her channel:
 * below her capacity for it, none of hers heavy, no break or recovery
 * waiting for her. Kept in 'open_bits' (see slot_choice()).
 */
static void open_update(struct maat_router *r, int i)
{
  struct maat__ragent *a = &r->agents[i];
  int open = a->state == MAAT_AGENT_BUSY && a->nheld > 0 && a->chan >= 0 &&
             a->nheld < a->def->cap[a->chan] && !a->heavy_held &&
             a->pending < 0 && !a->recover_due;
  int was = (int)(r->open_bits[i >> 6] >> (i & 63) & 1);

  if (open != was) {
    bit_set(r->open_bits, i, open);
    r->nopen += open ? 1 : -1;
  }
  /* A place opened or changed: the quiet shortcut would not look. */
  if (open)
    r->quiet = 0;
}

/* The earliest end among agent a's contacts (replay). */
static double held_end(const struct maat_router *r,
                       const struct maat__ragent *a, int *slot)
{
  double end = INFINITY;

  for (int k = 0; k < a->nheld; k++)
    if (r->cs[a->held[k]].end_t < end) {
      end = r->cs[a->held[k]].end_t;
      if (slot)
        *slot = a->held[k];
    }
  return end;
}

/*
 * Every state change goes through here: it keeps the list of ready agents
 * (available or in recovery) that the policies scan, the available agents
 * by strain, and the counters.
 */
static void set_state(struct maat_router *r, int i, int state)
{
  struct maat__ragent *a = &r->agents[i];
  int was_ready = a->state == MAAT_AGENT_AVAILABLE ||
                  a->state == MAAT_AGENT_RECOVERY;
  int ready = state == MAAT_AGENT_AVAILABLE || state == MAAT_AGENT_RECOVERY;
  int was_on = a->state != MAAT_AGENT_OFFLINE && a->state != MAAT_AGENT_BREAK;
  int on = state != MAAT_AGENT_OFFLINE && state != MAAT_AGENT_BREAK;

  if ((state == MAAT_AGENT_AVAILABLE) != (a->state == MAAT_AGENT_AVAILABLE)) {
    int now_avail = state == MAAT_AGENT_AVAILABLE;
    if (now_avail) {
      /* ln(a e^(-(t - t0)/tau)) + t/tau = ln a + t0/tau, whatever t; out
       * of a recovery window, her keys are those it started with. */
      if (r->pol->by_strain && a->state != MAAT_AGENT_RECOVERY) {
        r->order_key[i] = log(a->strain) +
                          a->strain_t / set_of(r)[MAAT__S_T_A];
        /* Her strain is as of now (accounted): divide by now's factor,
         * which the policy asks for next anyway. */
        r->strain_e[i] = a->strain_t == r->now
                             ? a->strain / maat__router_strain_factor(r)
                             : a->strain * exp((a->strain_t - r->strain_base) /
                                               set_of(r)[MAAT__S_T_A]);
      }
      a->light_due = light_due(r, a);
    }
    bit_set(r->avail_bits, i, now_avail);
    bit_set(r->undercap_bits, i,
            now_avail && a->streak < maat__heavy_cap(set_of(r)));
    bit_set(r->light_bits, i, now_avail && a->light_due);
    r->nlight_due += a->light_due ? (now_avail ? 1 : -1) : 0;
  }
  if ((state == MAAT_AGENT_RECOVERY) != (a->state == MAAT_AGENT_RECOVERY)) {
    bit_set(r->recovery_bits, i, state == MAAT_AGENT_RECOVERY);
    /* Her strain decays in the window as while available: keys too (her
     * strain is as of now: a contact just ended). */
    if (state == MAAT_AGENT_RECOVERY && r->pol->by_strain) {
      r->order_key[i] = log(a->strain) + a->strain_t / set_of(r)[MAAT__S_T_A];
      r->strain_e[i] = a->strain / maat__router_strain_factor(r);
    }
  }
  r->navail += (state == MAAT_AGENT_AVAILABLE) -
               (a->state == MAAT_AGENT_AVAILABLE);
  r->non += on - was_on;
  if ((state == MAAT_AGENT_AVAILABLE || state == MAAT_AGENT_RECOVERY) &&
      state != a->state)
    r->newcomer[r->newcomers++ % MAAT__NEWCOMERS] = i;
  if (ready && !was_ready) {
    /* Into place by (idle_since, index); almost always at the tail. */
    int after = r->ready_tail;
    while (after >= 0 &&
           (r->agents[after].idle_since > a->idle_since ||
            (r->agents[after].idle_since == a->idle_since && after > i)))
      after = r->ready_prev[after];
    r->ready_prev[i] = after;
    r->ready_next[i] = after >= 0 ? r->ready_next[after] : r->ready_head;
    if (r->ready_next[i] >= 0)
      r->ready_prev[r->ready_next[i]] = i;
    else
      r->ready_tail = i;
    if (after >= 0)
      r->ready_next[after] = i;
    else
      r->ready_head = i;
    r->nready++;
  } else if (!ready && was_ready) {
    int p = r->ready_prev[i], n = r->ready_next[i];
    if (p >= 0)
      r->ready_next[p] = n;
    else
      r->ready_head = n;
    if (n >= 0)
      r->ready_prev[n] = p;
    else
      r->ready_tail = p;
    r->nready--;
  }
  a->state = state;
}

/* Brings the agent's strain and overload time up to now. */
static void account(struct maat_router *r, int i)
{
  struct maat__ragent *a = &r->agents[i];
  const double *set = set_of(r);
  double dt = r->now - a->strain_t;

  if (dt <= 0)
    return;
  if (a->state == MAAT_AGENT_BUSY) {
    if (a->strain > set[MAAT__S_OVERLOAD])
      a->overload_s += dt;
  } else {
    if (a->state != MAAT_AGENT_OFFLINE)
      a->overload_s += maat__strain_time_above(set, a->strain, dt,
                                               set[MAAT__S_OVERLOAD]);
    /* Available or resting, by now's factor (often known already: an
     * agent just came free or a heavy contact asked). */
    a->strain = maat__router_strain_now(r, i);
  }
  a->strain_t = r->now;
}

static void set_timer(struct maat_router *r, int i)
{
  struct maat__ragent *a = &r->agents[i];

  if (a->state == MAAT_AGENT_BUSY && (r->flags & MAAT_ROUTER_REPLAY))
    maat__heap_push(&r->timers, i, a->busy_until, i);
  else if (a->state == MAAT_AGENT_RECOVERY)
    maat__heap_push(&r->timers, i, a->recovery_until, i);
  else
    maat__heap_remove(&r->timers, i);
}

/*
 * Whether agent i's strain is above the warning threshold now. It only
 * falls from its last value outside work, and the key (ln s + t/tau) of an
 * agent available or in recovery against ln(threshold) + now/tau answers
 * without an exp() unless the two are within rounding of each other.
 */
static int above_warn(struct maat_router *r, int i)
{
  const struct maat__ragent *a = &r->agents[i];
  const double *set = set_of(r);
  double thr = set[MAAT__S_WARN_STRAIN];

  if (a->strain <= thr)
    return 0;
  /* Right after work her strain is the stored value: no exp() either. */
  if (a->strain_t == r->now)
    return 1;
  if ((a->state == MAAT_AGENT_AVAILABLE || a->state == MAAT_AGENT_RECOVERY) &&
      r->pol->by_strain && thr > 0) {
    double line;
    if (r->ln_warn_thr != thr) {
      r->ln_warn = log(thr);
      r->ln_warn_thr = thr;
    }
    line = r->ln_warn + r->now / set[MAAT__S_T_A];
    double d = r->order_key[i] - line, slack = 1e-9 * (1 + fabs(line));
    if (d > slack || d < -slack)
      return d > 0;
  }
  return maat__router_strain(r, i) > thr;
}

static void warn_strain(struct maat_router *r, int i)
{
  struct maat__ragent *a = &r->agents[i];
  const double *set = set_of(r);
  struct maat_decision *d;

  if (!above_warn(r, i)) {
    a->above_since = -1;
    a->warned = 0;
    return;
  }
  if (a->above_since < 0)
    a->above_since = r->now;
  if (a->warned || r->now - a->above_since < set[MAAT__S_WARN_PERIOD])
    return;
  a->warned = 1;
  d = emit(r, MAAT_DEC_WARNING);
  if (!d)
    return;
  d->kind = "strain";
  d->scope = MAAT_SCOPE_AGENT;
  memcpy(d->agent, a->def->id, sizeof d->agent);
  snprintf(d->message, sizeof d->message,
           "your strain has stayed above %.2f for %.0f min; the router gives "
           "you lighter work and longer recovery, and a break would help",
           set[MAAT__S_WARN_STRAIN], (r->now - a->above_since) / 60);
  r->sum.warnings++;
}

/*
 * warn_strain() for every agent whose bit in 'warn_watch' is set: the
 * others have strain at most the threshold and no episode open, and strain
 * rises only in finish_service(), which sets the bit; so for them it would
 * change nothing. All agents when the threshold changed.
 */
static void warn_strain_all(struct maat_router *r)
{
  double thr = set_of(r)[MAAT__S_WARN_STRAIN];
  int all = thr != r->warn_watch_thr;

  r->warn_watch_thr = thr;
  for (int w = 0; w < r->nwords; w++) {
    uint64_t m = all ? ~(uint64_t)0 : r->warn_watch[w];
    for (; m; m &= m - 1) {
      int i = w * 64 + __builtin_ctzll(m);
      const struct maat__ragent *a = &r->agents[i];
      if (i >= r->nagents)
        break;
      warn_strain(r, i);
      /* Under the threshold now, she stays under until her next contact
       * ends (her stored strain may be above it: it decays unrecorded). */
      bit_set(r->warn_watch, i, a->above_since >= 0);
    }
  }
}

static void start_service(struct maat_router *r, int i, int slot)
{
  struct maat__ragent *a = &r->agents[i];
  struct maat__rcontact *c = &r->cs[slot];
  const double *set = set_of(r);
  double h = c->c.handle_s > 0 ? c->c.handle_s : set[MAAT__S_MEAN_HANDLE];

  account(r, i);
  extra_advance(a, r->now);
  c->extra0 = a->extra_int;
  if (!a->nheld) {
    set_state(r, i, MAAT_AGENT_BUSY);
    a->chan = c->chan;
  }
  a->held[a->nheld++] = slot;
  a->heavy_held |= c->heavy;
  a->served++;
  a->recent = a->recent << 1 | (unsigned)c->heavy;
  if (a->nrecent < MAAT__RECENT)
    a->nrecent++;
  /* Counted for every policy: the hard limits are maat's promise. */
  if (!maat__hard_ok(a, c->heavy, r->now, set))
    r->sum.hard_breaks++;
  if (c->heavy) {
    a->streak++;
    a->heavy_today++;
    r->heavy_today_sum++;
    a->heavy_total++;
    r->sum.heavy_contacts++;
  } else {
    a->streak = 0;
  }
  c->agent = i;
  c->answered = 1;
  c->assigned_t = r->now;
  c->end_t = r->now + maat__strain_stretch(set, h, a->strain);
  a->busy_until = held_end(r, a, NULL);
  set_timer(r, i);
  open_update(r, i);
}

static void apply_state(struct maat_router *r, int i, int state)
{
  struct maat__ragent *a = &r->agents[i];
  int back = state == MAAT_AGENT_AVAILABLE;

  /*
   * Back before the hard minimum rest after a heavy contact is over (her
   * own choice may cut a recovery window short, never that): she rests
   * until it is.
   */
  if (back && r->now < a->rest_until && r->pol->recovery) {
    a->recovery_until = a->rest_until;
    if (a->state == MAAT_AGENT_RECOVERY) {
      set_timer(r, i);
      return;
    }
    state = MAAT_AGENT_RECOVERY;
  }

  /* Strain decays alike in a recovery window and after it: the end of the
   * window changes neither her strain nor her keys. */
  if (!(a->state == MAAT_AGENT_RECOVERY && state == MAAT_AGENT_AVAILABLE))
    account(r, i);
  if (back && a->state != MAAT_AGENT_AVAILABLE &&
      a->state != MAAT_AGENT_RECOVERY)
    a->idle_since = r->now;
  set_state(r, i, state);
  if (back && !a->on_shift) {
    a->on_shift = 1;
    r->nshift++;
  }
  set_timer(r, i);
}

static void end_service(struct maat_router *r, int i, int slot, int energy,
                        int keep);

static void finish_service(struct maat_router *r, int i, int slot,
                           int energy)
{
  end_service(r, i, slot, energy, 0);
}

/*
 * Contact 'slot' of agent i ends for her; 'keep': the contact stays
 * (moved). Its strain counts the other contacts she held at once: its
 * load times 1 + concurrency_penalty x their mean number over its time.
 */
static void end_service(struct maat_router *r, int i, int slot, int energy,
                        int keep)
{
  struct maat__ragent *a = &r->agents[i];
  struct maat__rcontact *c = &r->cs[slot];
  const double *set = set_of(r);
  double d = r->now - c->assigned_t;
  double before, load;
  int k;

  account(r, i);
  extra_advance(a, r->now);
  before = a->strain;
  load = maat__strain_load(set, &c->c, d);
  if (d > 0 && a->extra_int > c->extra0)
    load *= 1 + set[MAAT__S_CONCURRENCY] * (a->extra_int - c->extra0) / d;
  a->strain += load;
  bit_set(r->warn_watch, i, 1);
  if (a->strain > r->sum.peak_strain)
    r->sum.peak_strain = a->strain;
  /* Strain only rises here, so a warning episode starts or goes on here. */
  if (before <= set[MAAT__S_WARN_STRAIN]) {
    a->above_since = -1;
    a->warned = 0;
  }
  if (energy > 0) {
    r->sum.checkins++;
    r->energy_sum += energy;
  }
  for (k = 0; k < a->nheld && a->held[k] != slot; k++)
    ;
  if (k < a->nheld) {
    memmove(a->held + k, a->held + k + 1,
            (size_t)(a->nheld - k - 1) * sizeof *a->held);
    a->nheld--;
  }
  a->heavy_held = 0;
  for (k = 0; k < a->nheld; k++)
    a->heavy_held |= r->cs[a->held[k]].heavy;
  if (c->heavy)
    a->rest_until = r->now + set[MAAT__S_HARD_RECOVERY];
  if (keep)
    c->agent = -1;
  else
    slot_free(r, slot);
  if (a->nheld) {
    /* She goes on with the others; a heavy one's recovery waits for the
     * last of them. */
    if (c->heavy && r->pol->recovery)
      a->recover_due = 1;
    a->busy_until = held_end(r, a, NULL);
    set_timer(r, i);
    open_update(r, i);
    r->quiet = 0;
    warn_strain(r, i);
    return;
  }
  a->idle_since = r->now;
  a->chan = -1;
  if (a->recover_due) {
    a->recover_due = 0;
    if (a->pending < 0) {
      set_state(r, i, MAAT_AGENT_RECOVERY);
      a->recovery_until = r->now + maat__strain_recovery(set, a->strain);
      set_timer(r, i);
      open_update(r, i);
      warn_strain(r, i);
      return;
    }
  }
  /* Straight to the next state: a break, a recovery window or available. */
  if (a->pending >= 0) {
    int p = a->pending;
    a->pending = -1;
    apply_state(r, i, p);
  } else if (c->heavy && r->pol->recovery) {
    set_state(r, i, MAAT_AGENT_RECOVERY);
    a->recovery_until = r->now + maat__strain_recovery(set, a->strain);
    set_timer(r, i);
  } else {
    set_state(r, i, MAAT_AGENT_AVAILABLE);
    set_timer(r, i);
  }
  open_update(r, i);
  warn_strain(r, i);
}

/* ---- assignment ---- */

static void count_wait(struct maat_router *r, const struct maat__rcontact *c,
                       double wait)
{
  double target = set_of(r)[MAAT__S_SERVICE_TARGET];

  r->ended++;
  if (wait <= target)
    r->within++;
  else
    r->missed_at = r->now;
  if (c->person) {
    r->ended_people++;
    if (wait <= target)
      r->within_people++;
  }
}

static void assign(struct maat_router *r, int slot, int agent,
                   const char *const *reasons, int nreasons)
{
  struct maat__rcontact *c = &r->cs[slot];
  struct maat_decision *d = emit(r, MAAT_DEC_ASSIGN);
  double wait = r->now - c->arrival;

  if (d) {
    memcpy(d->contact, c->c.id, sizeof d->contact);
    if (agent < 0)
      memcpy(d->to, "bot", sizeof "bot");
    else
      memcpy(d->to, r->agents[agent].def->id, sizeof d->to);
    d->tier = c->c.tier;
    d->wait_s = wait;
    d->again = c->answered;
    for (int k = 0; k < nreasons && k < MAAT_MAX_REASONS; k++)
      d->reasons[d->nreasons++] = reasons[k];
  }
  /* A contact a lead put back was answered once: its wait counted then. */
  if (!c->answered) {
    r->sum.assigned++;
    count_wait(r, c, wait);
    if (c->person) {
      r->wait_sum += wait;
      r->waited_n++;
    }
  }
  if (agent < 0) {
    r->sum.to_bot++;
    if (maat__tone_hostile(c->c.tone))
      r->sum.hostile_to_bot++;
    slot_free(r, slot);
    return;
  }
  if (!c->answered) {
    r->sum.to_people++;
    if (!c->person)
      r->sum.light_to_people++;
  }
  start_service(r, agent, slot);
}

static void abandon(struct maat_router *r, int slot)
{
  struct maat__rcontact *c = &r->cs[slot];
  struct maat_decision *d = emit(r, MAAT_DEC_ABANDON);

  queue_remove(r, slot);
  maat__heap_remove(&r->deadline, slot);
  if (d) {
    memcpy(d->contact, c->c.id, sizeof d->contact);
    d->tier = c->c.tier;
    d->wait_s = r->now - c->arrival;
    d->reasons[d->nreasons++] = "the customer left the queue";
  }
  r->sum.abandoned++;
  r->missed_at = r->now;
  r->ended++;
  r->ended_people++;
  slot_free(r, slot);
}

static void warn_overload(struct maat_router *r, const struct maat__rcontact *c,
                          const char *rule)
{
  const double *set = set_of(r);
  struct maat_decision *d;

  r->sum.overload_warnings++;
  r->missed_at = r->now;
  if (r->last_overload_warn > -INFINITY &&
      r->now - r->last_overload_warn < set[MAAT__S_WARN_INTERVAL])
    return;
  r->last_overload_warn = r->now;
  d = emit(r, MAAT_DEC_WARNING);
  if (!d)
    return;
  d->kind = "overload";
  {
    char waited[24], target[24];
    maat__dur(waited, sizeof waited, r->now - c->arrival);
    maat__dur(target, sizeof target, set[MAAT__S_SERVICE_TARGET]);
    snprintf(d->message, sizeof d->message,
             "overload: contact '%s' waited %s (target %s) and no "
             "agent could take it within the rules; the %s gave way for it; "
             "%d contacts wait for a person",
             c->c.id, waited, target, rule, r->nqueued);
  }
  r->sum.warnings++;
}

/*
 * Whether a contact that found nobody still would: its time has not come
 * and no agent who fits it became available or started a recovery window.
 */
static int still_blocked(struct maat_router *r, struct maat__rcontact *c)
{
  const uint64_t *fit = r->fit_bits[c->kind];

  if (!(r->now < c->blocked_until) ||
      r->newcomers - c->blocked_at > MAAT__NEWCOMERS)
    return 0;
  for (uint64_t n = c->blocked_at; n < r->newcomers; n++) {
    int i = r->newcomer[n % MAAT__NEWCOMERS];
    double t;
    if (!(fit[i >> 6] >> (i & 63) & 1))
      continue;
    /* One who fits but cannot take it yet only brings its time forward. */
    t = r->pol->ready_at ? r->pol->ready_at(r, c, i) : -INFINITY;
    if (!(t > r->now))
      return 0;
    if (t < c->blocked_until)
      c->blocked_until = t;
  }
  c->blocked_at = r->newcomers;
  return 1;
}

/* A new stamp: what found nobody before an assignment may find someone. */
static void forget_failures(struct maat_router *r)
{
  if (++r->stamp == 0) {
    memset(r->fail_stamp, 0, MAAT__FAIL_KEYS * sizeof *r->fail_stamp);
    r->stamp = 1;
  }
}

static int any_ready(const struct maat_router *r)
{
  return r->nready > 0;
}

static int any_available(const struct maat_router *r)
{
  return r->navail > 0;
}

/*
 * Whether busy agent i may take contact c beside the ones she holds: it
 * fits her, is light and of her channel, she has a place left for it
 * (open_bits), the hard limits hold, and for a policy that keeps the
 * strain rules, her strain stays under the overload line with its load
 * scaled for the contacts she would hold at once.
 */
static int slot_fits(struct maat_router *r, const struct maat__rcontact *c,
                     int i)
{
  const double *set = set_of(r);
  const struct maat__ragent *a = &r->agents[i];

  if (c->heavy || c->chan < 0 || a->chan != c->chan ||
      !(r->open_bits[i >> 6] >> (i & 63) & 1) ||
      !maat__router_fit_bit(r, c, i) || !maat__hard_ok(a, 0, r->now, set))
    return 0;
  return !r->pol->recovery ||
         a->strain + c->load * (1 + set[MAAT__S_CONCURRENCY] * a->nheld) <=
             set[MAAT__S_OVERLOAD];
}

/*
 * For a contact the policy found nobody free for, of a channel agents hold
 * several of at once: the busy agent with a place left who may take it
 * (slot_fits()), the fewest held first, then the least strain, then team
 * order. So work spreads over free people first, and a second chat goes
 * to someone only when nobody free may take it.
 */
static int slot_choice(struct maat_router *r, const struct maat__rcontact *c,
                       struct maat__choice *ch)
{
  int best = -1, i;

  if (!r->nopen || !c->multi || c->heavy)
    return 0;
  for (MAAT__EACH_FIT(r, c, r->open_bits, w, m, i)) {
    const struct maat__ragent *a = &r->agents[i], *b;
    if (!slot_fits(r, c, i))
      continue;
    b = best >= 0 ? &r->agents[best] : NULL;
    if (!b || a->nheld < b->nheld ||
        (a->nheld == b->nheld && a->strain < b->strain))
      best = i;
  }
  if (best < 0)
    return 0;
  memset(ch, 0, sizeof *ch);
  ch->agent = best;
  ch->retry_at = INFINITY;
  ch->reasons[ch->nreasons++] = r->team->chan_reason[c->chan];
  if (c->c.tier == MAAT_T2)
    ch->reasons[ch->nreasons++] = "tier T2: a specialist";
  ch->reasons[ch->nreasons++] = "eligible on language, skill and tier";
  if (r->team->has_map && c->skills != ~(uint64_t)0 && c->skills)
    ch->reasons[ch->nreasons++] =
        r->team->skill_reason[__builtin_ctzll(c->skills)];
  return 1;
}

/* Takes contact 'slot' off the queue to the agent the policy chose. */
static void dispatch_assign(struct maat_router *r, int slot,
                            const struct maat__choice *ch)
{
  queue_remove(r, slot);
  maat__heap_remove(&r->deadline, slot);
  if (ch->fallback)
    warn_overload(r, &r->cs[slot], ch->rule);
  assign(r, slot, ch->agent, ch->reasons, ch->nreasons);
}

/* ---- the fallback's stages ---- */

/* Wakes the router at t, if no wake-up comes before. */
static void wake_at(struct maat_router *r, double t)
{
  if (t < r->wake)
    r->wake = t;
}

/* Wakes the router when the contact's next stage starts. */
static void wake_at_next_stage(struct maat_router *r,
                               const struct maat__rcontact *c)
{
  wake_at(r, maat__wait_next(r, c));
}

/*
 * Marks a contact that found nobody: until 'retry' (and a hair before its
 * next fallback stage, if that comes first) only a new agent can help.
 * Returns that time.
 */
static double block(struct maat_router *r, struct maat__rcontact *c,
                    double retry)
{
  double next = maat__wait_next(r, c);

  if (next < INFINITY && next - 1e-9 * fmax(1, fabs(next)) < retry)
    retry = next - 1e-9 * fmax(1, fabs(next));
  c->blocked_at = r->newcomers;
  c->blocked_until = retry;
  c->wake_t = next;
  return retry;
}

/* The policy's choice for contact c: an agent, or when to ask again. */
static void ask_policy(struct maat_router *r, const struct maat__rcontact *c,
                       struct maat__choice *ch)
{
  memset(ch, 0, sizeof *ch);
  ch->agent = -1;
  ch->retry_at = INFINITY;
  r->pol->choose(r, c, ch);
}

/* slot_choice() for a waiting contact the walk has stepped past. */
static int dispatch_slot(struct maat_router *r, int slot)
{
  struct maat__choice ch;

  if (!slot_choice(r, &r->cs[slot], &ch))
    return 0;
  dispatch_assign(r, slot, &ch);
  forget_failures(r);
  return 1;
}

static void dispatch(struct maat_router *r)
{
  const double *set = set_of(r);
  int depth = (int)set[MAAT__S_SCAN_DEPTH];
  struct qwalk qw;
  int scanned = 0, fresh = r->fresh;
  int avail, walked_all = 0;
  double until = INFINITY;
  struct maat__choice ch;

  r->fresh = -1;
  if (r->quiet && r->newcomers == r->quiet_newcomers &&
      r->now < r->quiet_until && r->nqueued <= depth) {
    struct maat__rcontact *c;
    if (fresh < 0 || r->cs[fresh].qlist < 0)
      return;
    c = &r->cs[fresh];
    ask_policy(r, c, &ch);
    if (ch.agent >= 0) {
      dispatch_assign(r, fresh, &ch);
      return;
    }
    if (dispatch_slot(r, fresh))
      return;
    until = block(r, c, ch.retry_at);
    if (until < r->quiet_until)
      r->quiet_until = until;
    wake_at(r, c->wake_t);
    return;
  }
  r->quiet = 0;
  r->wake = INFINITY;
  if (!r->nqueued || (!any_ready(r) && !r->nopen))
    return;
  avail = any_available(r);
  qwalk_start(r, &qw);
  forget_failures(r);
  while (scanned < depth) {
    int slot = qwalk_peek(&qw);
    struct maat__rcontact *c;
    double load;
    int stage, k;

    if (slot < 0) {
      walked_all = 1;
      break;
    }
    c = &r->cs[slot];
    /*
     * Found nobody, and no agent is new since: it still finds nobody
     * (what still_blocked() would say, for less), and its stage allows no
     * more than when it was blocked, so the stage it was seen in serves.
     */
    if (c->blocked_at == r->newcomers && r->now < c->blocked_until) {
      if (!avail && c->stage == MAAT__WAIT_RULES && !r->nopen) {
        wake_at(r, c->wake_t);
        break;
      }
      qwalk_step(r, &qw, slot);
      scanned++;
      if (dispatch_slot(r, slot)) {
        avail = any_available(r);
        continue;
      }
      if (c->blocked_until < until)
        until = c->blocked_until;
      wake_at(r, c->wake_t);
      continue;
    }
    stage = c->stage = maat__wait_stage(r, c);
    /* Waiting past its target: the queue bears a shortage out. */
    if (stage >= MAAT__WAIT_LATE)
      r->missed_at = r->now;
    /*
     * With nobody available only a rule can be relaxed, and only for a
     * contact past relax_after_s: stop at the first one that is not.
     */
    if (!avail && stage == MAAT__WAIT_RULES) {
      if (!r->nopen) {
        wake_at_next_stage(r, c);
        break;
      }
      /* Only a place beside someone's contacts might take it now. */
      qwalk_step(r, &qw, slot);
      scanned++;
      if (!dispatch_slot(r, slot))
        wake_at_next_stage(r, c);
      continue;
    }
    /* Look at it; one nobody takes now stays where it is in the queue. */
    qwalk_step(r, &qw, slot);
    scanned++;
    load = c->load;
    k = (c->kind * 2 + c->heavy) * MAAT__WAIT_STAGES + stage;
    if (still_blocked(r, c) ||
        (r->fail_stamp[k] == r->stamp && load >= r->fail_load[k] &&
         block(r, c, r->fail_retry[k]) > -INFINITY)) {
      if (dispatch_slot(r, slot)) {
        avail = any_available(r);
        continue;
      }
      if (c->blocked_until < until)
        until = c->blocked_until;
      wake_at(r, c->wake_t);
      continue;
    }
    ask_policy(r, c, &ch);
    if (ch.agent >= 0) {
      dispatch_assign(r, slot, &ch);
      forget_failures(r);
      avail = any_available(r);
      if (!any_ready(r) && !r->nopen)
        break;
      continue;
    }
    if (dispatch_slot(r, slot)) {
      avail = any_available(r);
      continue;
    }
    if (r->fail_stamp[k] != r->stamp || load < r->fail_load[k]) {
      r->fail_stamp[k] = r->stamp;
      r->fail_load[k] = load;
      r->fail_retry[k] = ch.retry_at;
    }
    if (block(r, c, ch.retry_at) < until)
      until = c->blocked_until;
    wake_at(r, c->wake_t);
  }
  /* Every waiting contact looked at and none taken since: quiet until. */
  if (walked_all || !r->nqueued) {
    r->quiet = 1;
    r->quiet_newcomers = r->newcomers;
    r->quiet_until = until;
  }
}

/* ---- time ---- */

static void new_day(struct maat_router *r)
{
  long day;

  /* Time only moves on: the same day until a second before its end. */
  if (r->now < r->day_check)
    return;
  day = (long)floor(r->now / 86400);
  r->day_check = day * 86400.0 + 86399;
  if (day == r->day)
    return;
  r->day = day;
  r->heavy_today_sum = 0;
  for (int i = 0; i < r->nagents; i++)
    r->agents[i].heavy_today = 0;
}

/* Runs the timed transitions up to 't', dispatching after each. */
static void advance(struct maat_router *r, double t)
{
  for (;;) {
    double next = r->wake;
    int which = 0;
    int top = maat__heap_top(&r->timers);

    if (top >= 0 && maat__heap_top_key(&r->timers) < next) {
      next = maat__heap_top_key(&r->timers);
      which = 1;
    }
    top = maat__heap_top(&r->deadline);
    if (top >= 0 && maat__heap_top_key(&r->deadline) < next) {
      next = maat__heap_top_key(&r->deadline);
      which = 2;
    }
    if (!(next <= t))
      break;
    if (next > r->now)
      r->now = next;
    if (which == 1) {
      int i = maat__heap_pop(&r->timers), slot = -1;
      if (r->agents[i].state == MAAT_AGENT_BUSY) {
        held_end(r, &r->agents[i], &slot);
        finish_service(r, i, slot, 0);
      } else
        apply_state(r, i, MAAT_AGENT_AVAILABLE);
    } else if (which == 2) {
      abandon(r, maat__heap_top(&r->deadline));
    } else {
      r->wake = INFINITY;
    }
    dispatch(r);
  }
  if (t > r->now)
    r->now = t;
}

/*
 * On a tick: a contact with a person for open_too_long_factor times its
 * expected handling time is probably one whose 'done' was missed, and its
 * agent stays busy: the lead is told once, by the contact, never the
 * agent (the lead can close it).
 */
static void warn_open_too_long(struct maat_router *r)
{
  const double *set = set_of(r);

  for (int i = 0; i < r->nagents; i++)
    for (int k = 0; k < r->agents[i].nheld; k++) {
      struct maat__rcontact *c;
      struct maat_decision *d;
      double expect, open_s;
      int slot = r->agents[i].held[k];
      c = &r->cs[slot];
      expect = c->c.handle_s > 0 ? c->c.handle_s : set[MAAT__S_MEAN_HANDLE];
      open_s = r->now - c->assigned_t;
      if (c->open_warned || open_s < set[MAAT__S_OPEN_FACTOR] * expect)
        continue;
      c->open_warned = 1;
      if (!(d = emit(r, MAAT_DEC_WARNING)))
        return;
      d->kind = "open_too_long";
      {
        char open[24], exp_s[24];
        maat__dur(open, sizeof open, open_s);
        maat__dur(exp_s, sizeof exp_s, expect);
        snprintf(d->message, sizeof d->message,
                 "open too long: contact %s has been with a person for %s, "
                 "more than %.0f times its expected %s; was its 'done' "
                 "missed? A lead can close it", c->c.id, open,
                 set[MAAT__S_OPEN_FACTOR], exp_s);
      }
      r->sum.warnings++;
    }
}

/*
 * Understaffing: the people the current arrival rate needs, by Erlang C on
 * the observed rate and handling time (the forecast window's decayed
 * counts), to answer 80 % within the service target, against the agents
 * on shift. Said at once, with how many more; the lead chooses what gives.
 */
#define UNDERSTAFF_SL 0.80

/* Whether a contact for a person waits past the service target now. */
static int any_late(const struct maat_router *r)
{
  double since = r->now - set_of(r)[MAAT__S_SERVICE_TARGET];

  for (int l = 0; l < MAAT__QLISTS; l++)
    for (int s = r->qhead[l]; s >= 0; s = r->cs[s].qnext)
      if (r->cs[s].person && r->cs[s].arrival <= since)
        return 1;
  return 0;
}
static void warn_understaffed(struct maat_router *r)
{
  const double *set = set_of(r);
  double window = set[MAAT__S_FORECAST_WINDOW];
  double rate = r->offered_n / window * 3600, aht;
  int need = 0, on = r->non;
  struct maat_decision *d;

  /* A rate from a handful of contacts says nothing yet. */
  if (r->offered_n < 10 || on < 1)
    return;
  aht = round(r->offered_work / r->offered_n);
  if (maat_erlang_agents(rate, aht, set[MAAT__S_SERVICE_TARGET],
                         UNDERSTAFF_SL, &need) != MAAT_OK || need <= on)
    return;
  if (r->last_understaffed_warn > -INFINITY &&
      r->now - r->last_understaffed_warn < set[MAAT__S_WARN_INTERVAL])
    return;
  /*
   * Erlang C on a decayed rate is a noisy forecast: only when the queue
   * bears it out too (a contact missed the target, left, or a rule gave
   * way within the warning interval, or one waits past its target now).
   */
  if (!(r->now - r->missed_at < set[MAAT__S_WARN_INTERVAL]) && !any_late(r))
    return;
  r->last_understaffed_warn = r->now;
  d = emit(r, MAAT_DEC_WARNING);
  if (!d)
    return;
  d->kind = "understaffed";
  {
    char each[24], within[24];
    maat__dur(each, sizeof each, aht);
    maat__dur(within, sizeof within, set[MAAT__S_SERVICE_TARGET]);
    snprintf(d->message, sizeof d->message,
             "understaffed: %.0f contacts an hour for people at %s each "
             "need %d people to answer %.0f %% within %s (Erlang C); %d "
             "on shift, %d more needed; %s",
             rate, each, need, UNDERSTAFF_SL * 100, within, on, need - on,
             set[MAAT__S_SERVICE_FIRST] >= 0.5
                 ? "service first: the soft rules give way sooner"
                 : "people first: the soft rules hold until the target");
  }
  r->sum.warnings++;
  r->sum.understaffed_warnings++;
}

static void warn_forecast(struct maat_router *r)
{
  const double *set = set_of(r);
  double load = r->offered_work / set[MAAT__S_FORECAST_WINDOW];
  double cap;
  int on = r->non;
  struct maat_decision *d;

  cap = on * set[MAAT__S_MAX_OCCUPANCY];
  if (load <= cap)
    return;
  if (r->last_forecast_warn > -INFINITY &&
      r->now - r->last_forecast_warn < set[MAAT__S_WARN_INTERVAL])
    return;
  r->last_forecast_warn = r->now;
  d = emit(r, MAAT_DEC_WARNING);
  if (!d)
    return;
  d->kind = "forecast";
  snprintf(d->message, sizeof d->message,
           "forecast: the load for people is %.1f agents' work, more than "
           "the %.1f that the %d agents on shift can carry within the rules "
           "(%.0f %% occupancy); shortfall %.1f agents",
           load, cap, on, set[MAAT__S_MAX_OCCUPANCY] * 100, load - cap);
  r->sum.warnings++;
}

/*
 * A contact that fits no agent of the team (tier, language, skill) would
 * wait until the customer leaves: say so. Whether a kind of contact fits
 * anyone is cached, so this costs one lookup per contact.
 */
static void warn_unroutable(struct maat_router *r,
                            const struct maat__rcontact *c)
{
  size_t k = (size_t)c->kind;
  struct maat_decision *d;

  if (r->fitcache[k] == 1)
    return;
  d = emit(r, MAAT_DEC_WARNING);
  if (!d)
    return;
  d->kind = "unroutable";
  snprintf(d->message, sizeof d->message,
           "contact '%.63s' (T%d, language '%.7s', intent '%.40s') fits no "
           "agent in the team; it waits until the team changes or the "
           "customer leaves", c->c.id, c->c.tier, c->c.lang, c->c.intent);
  r->sum.warnings++;
}

/*
 * The agents who fit contacts of kind 'k' (tier, language and skill as in
 * 'c'), as a bit set made on the kind's first contact; 'fitcache' says
 * whether anyone does.
 */
static int fit_kind(struct maat_router *r, const struct maat__rcontact *c)
{
  uint64_t *bits;

  if (r->fit_bits[c->kind])
    return MAAT_OK;
  bits = maat__calloc((size_t)r->nwords + 1, sizeof *bits);
  if (!bits)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  r->fitcache[c->kind] = 2;
  for (int i = 0; i < r->nagents; i++)
    if (maat__router_fits(r, i, c)) {
      bits[i >> 6] |= (uint64_t)1 << (i & 63);
      r->fitcache[c->kind] = 1;
    }
  r->fit_bits[c->kind] = bits;
  return MAAT_OK;
}

int maat__router_refit(struct maat_router *r)
{
  int rc = MAAT_OK;

  for (int s = 0; s < r->ncs && !rc; s++)
    if (r->cs[s].used)
      rc = fit_kind(r, &r->cs[s]);
  return rc;
}

/*
 * e^(-x) for x >= 0. Contacts for a person come seconds apart against a
 * forecast window of half an hour, so x is mostly under 1/64, where seven
 * terms of the series are as good as exp() (the first left out is under
 * 5e-17) for a fraction of its cost.
 */
static double decay_factor(double x)
{
  if (!(x < 1.0 / 64))
    return exp(-x);
  return 1 + x * (-1 + x * (1.0 / 2 + x * (-1.0 / 6 + x * (1.0 / 24 +
         x * (-1.0 / 120 + x * (1.0 / 720))))));
}

/*
 * Called by maat_router_push() once the event is checked, with the team's
 * bit of the contact's language and intent (as maat__team_lang() and
 * maat__team_intent() say), or MAAT__LOOK_UP.
 */
/*
 * A contact's eligibility masks and kind into 'probe', and the kind's fit
 * bits made: a language no agent speaks fits nobody, an intent no agent
 * lists is open to every agent.
 */
static int contact_kind(struct maat_router *r, const struct maat_contact *in,
                        int lang_bit, int intent_bit,
                        struct maat__rcontact *probe)
{
  int lang_idx = MAAT__MAX_LANGS, skill_idx = MAAT__MAX_INTENTS;

  probe->c.tier = in->tier;
  probe->langs = ~0u;
  probe->skills = ~(uint64_t)0;
  if (in->lang[0]) {
    int bit = lang_bit == MAAT__LOOK_UP ? maat__team_lang(r->team, in->lang)
                                        : lang_bit;
    probe->langs = bit < 0 ? 0 : 1u << bit;
    lang_idx = bit < 0 ? MAAT__MAX_LANGS + 1 : bit;
  }
  if (in->intent[0]) {
    int bit = intent_bit == MAAT__LOOK_UP
                  ? maat__team_intent(r->team, in->intent)
                  : intent_bit;
    if (bit >= 0) {
      probe->skills = (uint64_t)1 << bit;
      skill_idx = bit;
    }
  }
  probe->kind = ((in->tier - 1) * (MAAT__MAX_LANGS + 2) + lang_idx) *
                (MAAT__MAX_INTENTS + 1) + skill_idx;
  return fit_kind(r, probe);
}

/*
 * Whether agent i, who had this contact's conversation before, may take
 * it now within every rule: available (not resting), fits it, the hard
 * limits, and for a policy that keeps the strain rules, under the overload
 * line with it and, for a heavy one, under the heavy cap.
 */
static int prefer_ok(struct maat_router *r, const struct maat__rcontact *c,
                     int i)
{
  const double *set = set_of(r);
  const struct maat__ragent *a = &r->agents[i];

  if (a->state == MAAT_AGENT_BUSY)
    return slot_fits(r, c, i);
  if (a->state != MAAT_AGENT_AVAILABLE || !maat__router_fit_bit(r, c, i) ||
      !maat__hard_ok(a, c->heavy, r->now, set))
    return 0;
  if (!r->pol->recovery)
    return 1;
  return maat__router_strain(r, i) + c->load <= set[MAAT__S_OVERLOAD] &&
         !(c->heavy && a->streak >= maat__heavy_cap(set));
}

static int push_contact(struct maat_router *r, const struct maat_contact *in,
                        int lang_bit, int intent_bit, int prefer)
{
  const double *set = set_of(r);
  struct maat__rcontact *c, probe;
  int slot = -1, rc, agent;
  int64_t tie;
  const char *why = NULL;

  /* The eligibility masks, once: a language no agent speaks fits nobody. */
  if ((rc = contact_kind(r, in, lang_bit, intent_bit, &probe)) ||
      (rc = slot_alloc(r, &slot)))
    return rc;
  c = &r->cs[slot];
  c->c = *in;
  c->used = 1;
  c->assigned_t = 0;
  c->duration = 0;
  c->agent = -1;
  c->arrival = r->now;
  c->heavy = maat__contact_heavy(in);
  c->load = maat__strain_load(set, in, set[MAAT__S_MEAN_HANDLE]);
  c->person = in->tier >= MAAT_T2 || maat__tone_hostile(in->tone) ||
              (r->flags & MAAT_ROUTER_NO_BOT);
  c->langs = probe.langs;
  c->skills = probe.skills;
  c->kind = probe.kind;
  c->chan = in->channel[0] ? maat__team_channel(r->team, in->channel) : -1;
  c->multi = c->chan >= 0 && r->team->chan_multi[c->chan];
  c->qlist = -1;
  c->blocked_until = -INFINITY;
  c->blocked_at = 0;   /* read beside blocked_until: never uninitialised */
  c->stage = 0;
  for (int k = 0; k < 4; k++)
    c->stage_t[k] = c->arrival + (in->urgency == MAAT_URGENCY_CRITICAL
                                      ? r->stage_at_crit[k]
                                      : r->stage_at[k]);
  if (r->idxcap)
    index_put(r, slot);
  r->sum.contacts++;

  /* A conversation that comes back goes to the agent who had it, when
   * she is free and may take it within the rules. */
  if (prefer >= 0 && prefer_ok(r, c, prefer)) {
    const char *rs[] = {
      "the agent who had this conversation before: free, and within the "
      "rules"
    };
    assign(r, slot, prefer, rs, 1);
    return MAAT_OK;
  }
  if (!c->person) {
    const char *bot[] = { "tier T1, calm tone: the bot answers it" };
    agent = r->pol->light(r, c, &why);
    if (agent >= 0) {
      const char *rs[] = { why, "nobody waits for a person" };
      assign(r, slot, agent, rs, 2);
    } else {
      assign(r, slot, -1, bot, 1);
    }
    return MAAT_OK;
  }
  /* The decayed sum of person-work offered: the load forecast. */
  {
    double f = decay_factor((r->now - r->offered_t) /
                            set[MAAT__S_FORECAST_WINDOW]);
    r->offered_work *= f;
    r->offered_n *= f;
  }
  r->offered_t = r->now;
  r->offered_work += in->handle_s > 0 ? in->handle_s
                                        : set[MAAT__S_MEAN_HANDLE];
  r->offered_n += 1;
  {
    /* Critical first; otherwise 'ageing_s' of waiting is one priority step. */
    double key = r->now - set[MAAT__S_AGEING] * in->priority;
    if (in->urgency == MAAT_URGENCY_CRITICAL)
      key -= 1e12;
    queue_add(r, slot, key);
    r->fresh = slot;
  }
  warn_forecast(r);
  warn_understaffed(r);
  warn_unroutable(r, c);
  tie = r->seq;
  dispatch(r);
  /*
   * Its patience runs from arrival; most contacts are taken in the
   * dispatch just above, which reads no deadline, so only one still
   * waiting joins the deadline heap (with the tie it would have had).
   */
  if ((r->flags & MAAT_ROUTER_REPLAY) && in->patience_s > 0 &&
      r->cs[slot].qlist >= 0)
    maat__heap_push(&r->deadline, slot, r->now + in->patience_s, tie);
  return MAAT_OK;
}

/*
 * The customer wrote again on an open contact: its new triage raises the
 * tier, urgency, priority and tone, never lowers them (a person does
 * that). A waiting contact keeps its place by arrival under its new
 * priority; one in service stays with its agent, and if it became heavy
 * it counts as heavy for her (recovery window, streak, hard limits).
 */
static int followup(struct maat_router *r, int slot,
                    const struct maat_contact *in)
{
  const double *set = set_of(r);
  struct maat__rcontact *c = &r->cs[slot], probe;
  struct maat_contact m = c->c;
  int was_heavy = c->heavy, queued = c->qlist >= 0, rc;

  if (in->tier > m.tier)
    m.tier = in->tier;
  if (in->urgency > m.urgency)
    m.urgency = in->urgency;
  if (in->priority > m.priority)
    m.priority = in->priority;
  if (maat__tone_hostile(in->tone) &&
      (!maat__tone_hostile(m.tone) || in->intensity > m.intensity)) {
    m.tone = in->tone;
    m.intensity = in->intensity;
  }
  if (m.tier == c->c.tier && m.urgency == c->c.urgency &&
      m.priority == c->c.priority && m.tone == c->c.tone &&
      m.intensity == c->c.intensity)
    return MAAT_OK;
  if ((rc = contact_kind(r, &m, MAAT__LOOK_UP, MAAT__LOOK_UP, &probe)))
    return rc;
  if (queued)
    queue_remove(r, slot);
  c->c = m;
  c->langs = probe.langs;
  c->skills = probe.skills;
  c->kind = probe.kind;
  c->heavy = maat__contact_heavy(&m);
  c->load = maat__strain_load(set, &m, set[MAAT__S_MEAN_HANDLE]);
  c->person = c->person || m.tier >= MAAT_T2 || maat__tone_hostile(m.tone);
  if (queued) {
    double key = c->arrival - set[MAAT__S_AGEING] * m.priority;
    if (m.urgency == MAAT_URGENCY_CRITICAL) {
      key -= 1e12;
      for (int k = 0; k < 4; k++)
        if (c->arrival + r->stage_at_crit[k] < c->stage_t[k])
          c->stage_t[k] = c->arrival + r->stage_at_crit[k];
    }
    queue_add(r, slot, key);
    c->blocked_until = -INFINITY;
    r->quiet = 0;
    forget_failures(r);
  } else if (c->agent >= 0 && c->heavy && !was_heavy) {
    struct maat__ragent *a = &r->agents[c->agent];
    a->heavy_held = 1;
    open_update(r, c->agent);
    a->recent |= 1u;
    a->streak++;
    a->heavy_today++;
    r->heavy_today_sum++;
    a->heavy_total++;
    r->sum.heavy_contacts++;
  }
  return MAAT_OK;
}

/*
 * A decision that could not be kept (out of memory) fails the call that
 * made it: the router has moved on, and its caller must not go on as if
 * nothing were missing.
 */
static int lost_check(struct maat_router *r)
{
  int n = r->lost;

  if (!n)
    return MAAT_OK;
  r->lost = 0;
  return maat__fail(MAAT_ENOMEM, "out of memory: %d decision%s could not be "
                    "kept", n, n == 1 ? "" : "s");
}

int maat_router_push(maat_router *r, const struct maat_event *ev)
{
  int rc = maat__router_push_known(r, ev, MAAT__LOOK_UP, MAAT__LOOK_UP);

  return rc ? rc : lost_check(r);
}

/* ---- a lead's move: reassign or back to the queue ---- */

/*
 * Whether contact 'slot' may go to agent i (-1: back to the queue). A hard
 * limit, or an agent who cannot take it now, refuses it (MAAT_ESTATE, the
 * message says why); the soft rules it breaks go into broken[] (up to 4),
 * for the reply and the decision's reasons: a lead may overrule those.
 */
static int move_check(struct maat_router *r, int slot, int i,
                      const char **broken, int *nbroken)
{
  const double *set = set_of(r);
  struct maat__rcontact *c = &r->cs[slot];
  struct maat__ragent *a;

  *nbroken = 0;
  if (i < 0) {
    if (c->agent < 0)
      return maat__fail(MAAT_ESTATE, "contact '%s' is already waiting",
                        c->c.id);
    return MAAT_OK;
  }
  a = &r->agents[i];
  if (c->agent == i)
    return maat__fail(MAAT_ESTATE, "contact '%s' is already with agent '%s'",
                      c->c.id, a->def->id);
  if (a->state == MAAT_AGENT_BUSY &&
      (c->heavy || c->chan < 0 || a->chan != c->chan ||
       !(r->open_bits[i >> 6] >> (i & 63) & 1)))
    return maat__fail(MAAT_ESTATE, "agent '%s' is with another contact%s",
                      a->def->id,
                      a->chan >= 0 && a->chan == c->chan && !c->heavy
                          ? " and has no place for one more" : "");
  if (a->state == MAAT_AGENT_BREAK || a->state == MAAT_AGENT_OFFLINE)
    return maat__fail(MAAT_ESTATE, "agent '%s' is %s", a->def->id,
                      a->state == MAAT_AGENT_BREAK ? "on a break" : "offline");
  if (r->now < a->rest_until)
    return maat__fail(MAAT_ESTATE, "hard limit: agent '%s' rests %.0f s "
                      "more after a heavy contact (hard_recovery_s); nobody "
                      "overrules it", a->def->id, a->rest_until - r->now);
  if (c->heavy && a->streak >= (int)set[MAAT__S_HARD_HEAVY_MAX])
    return maat__fail(MAAT_ESTATE, "hard limit: agent '%s' has had %d heavy "
                      "contacts in a row (hard_heavy_max); nobody overrules "
                      "it", a->def->id, a->streak);
  if (!maat__router_fits(r, i, c))
    broken[(*nbroken)++] = "language, skill or tier";
  if (c->heavy && a->streak >= (int)set[MAAT__S_HEAVY_CAP])
    broken[(*nbroken)++] = "heavy cap";
  /* Her recovery window and her strain are hers: the lead learns that a
   * wellbeing rule gives way, not which, nor her figures. */
  if (a->state == MAAT_AGENT_RECOVERY ||
      maat__router_strain(r, i) + c->load > set[MAAT__S_OVERLOAD])
    broken[(*nbroken)++] =
        "a wellbeing rule (which one, and the agent's figures, stay private)";
  return MAAT_OK;
}

static int move_find(struct maat_router *r, const char *contact,
                     const char *agent, int *slot, int *i)
{
  *slot = r->idxcap ? index_find(r, contact) : -1;
  if (*slot < 0)
    return maat__fail(MAAT_ENOTFOUND, "field 'contact': no contact '%s' "
                      "waiting or with a person", contact);
  *i = -1;
  if (agent[0] && (*i = maat__team_agent(r->team, agent)) < 0)
    return maat__fail(MAAT_ENOTFOUND, "field 'agent': no agent '%s' in the "
                      "team", agent);
  return MAAT_OK;
}

int maat_router_move_check(maat_router *r, const char *contact,
                           const char *agent, char *broken, size_t cap)
{
  const char *b[4];
  int slot, i, nb, rc;
  size_t used = 0;

  if (cap)
    broken[0] = 0;
  if ((rc = move_find(r, contact, agent ? agent : "", &slot, &i)) ||
      (rc = move_check(r, slot, i, b, &nb)))
    return rc;
  for (int k = 0; k < nb && used < cap; k++)
    used += (size_t)snprintf(broken + used, cap - used, "%s%s",
                             k ? "; " : "", b[k]);
  return MAAT_OK;
}

/* Applies a checked move: the contact leaves its agent (if any), then goes
 * to agent i or back to its place in the queue. */
static void move(struct maat_router *r, int slot, int i,
                 const char *const *broken, int nbroken)
{
  struct maat__rcontact *c = &r->cs[slot];
  const char *why[MAAT_MAX_REASONS];
  int n = 0;
  struct maat_decision *d;

  if (c->agent >= 0)
    end_service(r, c->agent, slot, 0, 1);
  else {
    queue_remove(r, slot);
    maat__heap_remove(&r->deadline, slot);
  }
  if (i < 0) {
    /* Back where its arrival and priority put it; looked at again. */
    queue_add(r, slot, c->qkey);
    c->blocked_until = -INFINITY;
    c->stage = 0;
    r->quiet = 0;
    forget_failures(r);
    if ((d = emit(r, MAAT_DEC_REQUEUE))) {
      memcpy(d->contact, c->c.id, sizeof d->contact);
      d->tier = c->c.tier;
      d->wait_s = r->now - c->arrival;
      d->reasons[d->nreasons++] = "put back in the queue by a lead";
    }
    return;
  }
  why[n++] = "reassigned by a lead";
  for (int k = 0; k < nbroken && n < MAAT_MAX_REASONS; k++)
    why[n++] = broken[k];
  if ((d = emit(r, MAAT_DEC_ASSIGN))) {
    memcpy(d->contact, c->c.id, sizeof d->contact);
    memcpy(d->to, r->agents[i].def->id, sizeof d->to);
    d->tier = c->c.tier;
    d->again = c->answered;
    d->wait_s = r->now - c->arrival;
    for (int k = 0; k < n; k++)
      d->reasons[d->nreasons++] = why[k];
  }
  if (!c->answered) {
    /* First time with a person: it counts as answered now. */
    r->sum.assigned++;
    r->sum.to_people++;
    count_wait(r, c, r->now - c->arrival);
    r->wait_sum += r->now - c->arrival;
    r->waited_n++;
  }
  start_service(r, i, slot);
}

int maat__router_push_known(maat_router *r, const struct maat_event *ev,
                            int lang_bit, int intent_bit)
{
  int i = -1, slot = -1, rc;

  if (!(ev->t >= 0) || !isfinite(ev->t))
    return maat__fail(MAAT_EPARSE, "field 't': expected a finite number >= 0");
  if (r->started && ev->t < r->now)
    return maat__fail(MAAT_EINVAL, "field 't': %.3f is before the router's "
                      "time %.3f", ev->t, r->now);
  /* Check the event before time moves, so a refused event changes nothing. */
  switch (ev->type) {
  case MAAT_EV_AGENT:
    i = maat__team_agent(r->team, ev->agent);
    if (i < 0)
      return maat__fail(MAAT_ENOTFOUND, "field 'agent': no agent '%s' in the "
                        "team", ev->agent);
    if (ev->state != MAAT_AGENT_AVAILABLE && ev->state != MAAT_AGENT_BREAK &&
        ev->state != MAAT_AGENT_OFFLINE)
      return maat__fail(MAAT_EPARSE, "field 'state': expected available, "
                        "break or offline");
    break;
  case MAAT_EV_DONE:
    slot = r->idxcap ? index_find(r, ev->contact_id) : -1;
    if (slot < 0)
      return maat__fail(MAAT_ENOTFOUND, "field 'contact': no contact '%s' "
                        "waiting or in service", ev->contact_id);
    break;
  case MAAT_EV_CONTACT:
    if (!ev->contact.id[0])
      return maat__fail(MAAT_EPARSE, "field 'id': missing");
    if (r->idxcap && index_find(r, ev->contact.id) >= 0)
      return maat__fail(MAAT_EINVAL, "field 'id': contact '%s' is already in "
                        "the router", ev->contact.id);
    if (ev->contact.tier < MAAT_T1 || ev->contact.tier > MAAT_T3)
      return maat__fail(MAAT_EPARSE, "field 'tier': expected T1, T2 or T3");
    if (ev->contact.priority < 0 || ev->contact.priority > 3)
      return maat__fail(MAAT_EPARSE, "field 'priority': expected 0 to 3");
    if (ev->contact.urgency < MAAT_URGENCY_LOW ||
        ev->contact.urgency > MAAT_URGENCY_CRITICAL)
      return maat__fail(MAAT_EPARSE, "field 'urgency': expected low, "
                        "normal, high or critical");
    break;
  case MAAT_EV_FOLLOWUP:
    slot = r->idxcap ? index_find(r, ev->contact_id) : -1;
    if (slot < 0)
      return maat__fail(MAAT_ENOTFOUND, "field 'contact': no contact '%s' "
                        "waiting or in service", ev->contact_id);
    if (ev->contact.tier < MAAT_T1 || ev->contact.tier > MAAT_T3)
      return maat__fail(MAAT_EPARSE, "field 'tier': expected T1, T2 or T3");
    if (ev->contact.priority < 0 || ev->contact.priority > 3)
      return maat__fail(MAAT_EPARSE, "field 'priority': expected 0 to 3");
    break;
  case MAAT_EV_TICK:
    break;
  case MAAT_EV_MOVE: {
    /* Time first (as a tick would): whether the move fits is a question
     * about now. A refused move is then a tick. */
    const char *broken[4];
    int nb;
    if (!r->started)
      return maat__fail(MAAT_ESTATE, "nothing to move yet");
    advance(r, ev->t);
    new_day(r);
    if ((rc = move_find(r, ev->contact_id, ev->agent, &slot, &i)) ||
        (rc = move_check(r, slot, i, broken, &nb)))
      return rc;
    move(r, slot, i, broken, nb);
    dispatch(r);
    return lost_check(r);
  }
  default:
    return maat__fail(MAAT_EPARSE, "field 'type': unknown event type");
  }
  if (!r->started) {
    r->now = ev->t;
    r->offered_t = ev->t;
    r->day = (long)floor(ev->t / 86400);
    r->started = 1;
  }
  advance(r, ev->t);
  new_day(r);
  switch (ev->type) {
  case MAAT_EV_CONTACT:
    return push_contact(r, &ev->contact, lang_bit, intent_bit,
                        ev->agent[0] ? maat__team_agent(r->team, ev->agent)
                                     : -1);
  case MAAT_EV_FOLLOWUP:
    if ((rc = followup(r, index_find(r, ev->contact_id), &ev->contact)))
      return rc;
    dispatch(r);
    return MAAT_OK;
  case MAAT_EV_AGENT:
    /* 'i' is the agent found when the event was checked. */
    if (r->agents[i].state == MAAT_AGENT_BUSY) {
      r->agents[i].pending =
          ev->state == MAAT_AGENT_AVAILABLE ? -1 : ev->state;
      open_update(r, i);
    } else {
      apply_state(r, i, ev->state);
    }
    dispatch(r);
    return MAAT_OK;
  case MAAT_EV_DONE:
    slot = index_find(r, ev->contact_id);
    if (r->cs[slot].agent >= 0) {
      finish_service(r, r->cs[slot].agent, slot, ev->energy);
    } else {
      abandon(r, slot);
    }
    dispatch(r);
    return MAAT_OK;
  default:
    warn_strain_all(r);
    warn_open_too_long(r);
    dispatch(r);
    /* A queue waiting past the target between arrivals: said at once. */
    warn_understaffed(r);
    return MAAT_OK;
  }
}

int maat_router_finish(maat_router *r, double t_end)
{
  if (r->started && t_end < r->now)
    return maat__fail(MAAT_EINVAL, "end time %.3f is before the router's "
                      "time %.3f", t_end, r->now);
  if (!r->started)
    return MAAT_OK;
  advance(r, t_end);
  /*
   * In replay, complete everything in service; freed agents may take
   * queued contacts, so go on until nobody is busy.
   */
  while (r->flags & MAAT_ROUTER_REPLAY) {
    double last = r->now;
    for (int i = 0; i < r->nagents; i++)
      if (r->agents[i].state == MAAT_AGENT_BUSY &&
          r->agents[i].busy_until > last)
        last = r->agents[i].busy_until;
    if (last <= r->now)
      break;
    advance(r, last);
  }
  for (int i = 0; i < r->nagents; i++)
    account(r, i);
  return lost_check(r);
}

/* ---- lifecycle ---- */

static const char *const policy_names[] = { "maat", "efficiency",
                                            "round-robin", NULL };

const char *const *maat_router_policies(void)
{
  return policy_names;
}

int maat_router_open(maat_router **out, const maat_team *team,
                     const char *policy, unsigned flags)
{
  const struct maat__policy *pol;
  struct maat_router *r;
  int rc;

  if (!policy || !strcmp(policy, "maat"))
    pol = &maat__policy_maat;
  else if (!strcmp(policy, "efficiency"))
    pol = &maat__policy_efficiency;
  else if (!strcmp(policy, "round-robin"))
    pol = &maat__policy_roundrobin;
  else
    return maat__fail(MAAT_ENOTFOUND, "unknown policy '%s' (maat, efficiency, "
                      "round-robin)", policy);
  r = maat__calloc(1, sizeof *r);
  if (!r)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  r->team = team;
  r->pol = pol;
  for (int k = 0; k < 4; k++)
    r->stage_at[k] = r->stage_at_crit[k] = INFINITY;
  r->ln_overload = log(team->set[MAAT__S_OVERLOAD]);
  if (pol->staged) {
    double target = team->set[MAAT__S_SERVICE_TARGET];
    double relax = team->set[MAAT__S_RELAX_AFTER];
    double late = target + team->set[MAAT__S_OVERLOAD_GRACE];
    /*
     * Service first: the soft rules give way after relax_after_s (within
     * the target), and a light contact about to miss it may go to someone
     * over the line. People first (the default): not before the target,
     * and nobody over the line before the grace has passed. A critical
     * contact always has the first schedule; the hard limits hold in both.
     */
    r->stage_at_crit[0] = fmin(relax, target);
    r->stage_at_crit[1] = fmax(r->stage_at_crit[0], target - MAAT__RESCUE_S);
    r->stage_at_crit[2] = target;
    r->stage_at_crit[3] = late;
    if (team->set[MAAT__S_SERVICE_FIRST] >= 0.5)
      memcpy(r->stage_at, r->stage_at_crit, sizeof r->stage_at);
    else {
      r->stage_at[0] = fmax(relax, target);
      r->stage_at[1] = r->stage_at[2] = r->stage_at[0];
      r->stage_at[3] = fmax(late, r->stage_at[0]);
    }
  }
  r->flags = flags;
  r->wake = INFINITY;
  r->last_overload_warn = -INFINITY;
  r->last_forecast_warn = -INFINITY;
  r->last_understaffed_warn = -INFINITY;
  r->missed_at = -INFINITY;
  r->nagents = (int)team->n;
  r->agents_mem = maat__calloc(team->n + 1, sizeof *r->agents);
  if (r->agents_mem)
    r->agents = (struct maat__ragent *)(((uintptr_t)r->agents_mem + 63) &
                                        ~(uintptr_t)63);
  if (!r->agents) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
    goto fail;
  }
  r->fitcache = maat__calloc(MAAT__KINDS, 1);
  r->fail_load = maat__calloc(MAAT__FAIL_KEYS, sizeof *r->fail_load);
  r->fail_stamp = maat__calloc(MAAT__FAIL_KEYS, sizeof *r->fail_stamp);
  r->fail_retry = maat__calloc(MAAT__FAIL_KEYS, sizeof *r->fail_retry);
  r->fresh = -1;
  for (int l = 0; l < MAAT__QLISTS; l++) {
    r->qhead[l] = r->qtail[l] = -1;
    for (int p = 0; p < 4; p++)
      r->qlast[l][p] = -1;
  }
  if (!r->fitcache || !r->fail_load || !r->fail_stamp || !r->fail_retry) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
    goto fail;
  }
  r->ready_next = maat__calloc(team->n ? team->n : 1, sizeof *r->ready_next);
  r->ready_prev = maat__calloc(team->n ? team->n : 1, sizeof *r->ready_prev);
  r->ready_head = r->ready_tail = -1;
  r->nwords = (int)((team->n + 63) / 64);
  r->avail_bits = maat__calloc((size_t)r->nwords + 1, sizeof *r->avail_bits);
  r->light_bits = maat__calloc((size_t)r->nwords + 1, sizeof *r->light_bits);
  r->recovery_bits = maat__calloc((size_t)r->nwords + 1,
                                  sizeof *r->recovery_bits);
  r->warn_watch = maat__calloc((size_t)r->nwords + 1, sizeof *r->warn_watch);
  r->undercap_bits = maat__calloc((size_t)r->nwords + 1,
                                  sizeof *r->undercap_bits);
  r->open_bits = maat__calloc((size_t)r->nwords + 1, sizeof *r->open_bits);
  r->warn_watch_thr = NAN;
  r->ln_warn_thr = NAN;
  r->fit_bits = maat__calloc(MAAT__KINDS, sizeof *r->fit_bits);
  r->order_key = maat__calloc(team->n ? team->n : 1, sizeof *r->order_key);
  r->strain_e = maat__calloc(team->n ? team->n : 1, sizeof *r->strain_e);
  r->strain_base = NAN;
  r->room_load[0] = r->room_load[1] = NAN;
  r->strain_f_at = NAN;
  if (!r->order_key || !r->strain_e || !r->ready_next || !r->ready_prev ||
      !r->avail_bits || !r->light_bits || !r->recovery_bits ||
      !r->warn_watch || !r->undercap_bits || !r->open_bits ||
      !r->fit_bits) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory");
    goto fail;
  }
  rc = maat__heap_reserve(&r->timers, r->nagents);
  if (rc)
    goto fail;
  for (int i = 0; i < r->nagents; i++) {
    struct maat__ragent *a = &r->agents[i];
    a->def = &team->agents[i];
    a->state = MAAT_AGENT_OFFLINE;
    a->pending = -1;
    a->chan = -1;
    a->above_since = -1;
  }
  r->sum.service_target_s = team->set[MAAT__S_SERVICE_TARGET];
  *out = r;
  return MAAT_OK;
fail:
  maat_router_close(r);
  return rc;
}

void maat_router_close(maat_router *r)
{
  if (!r)
    return;
  maat__heap_release(&r->deadline);
  maat__heap_release(&r->timers);
  maat__free(r->agents_mem);
  maat__free(r->ready_next);
  maat__free(r->ready_prev);
  maat__free(r->order_key);
  maat__free(r->strain_e);
  maat__free(r->avail_bits);
  maat__free(r->light_bits);
  maat__free(r->recovery_bits);
  maat__free(r->warn_watch);
  maat__free(r->undercap_bits);
  maat__free(r->open_bits);
  for (int k = 0; r->fit_bits && k < MAAT__KINDS; k++)
    maat__free(r->fit_bits[k]);
  maat__free(r->fit_bits);
  maat__free(r->fitcache);
  maat__free(r->fail_load);
  maat__free(r->fail_stamp);
  maat__free(r->fail_retry);
  maat__free(r->cs);
  maat__free(r->free_slots);
  maat__free(r->idx);
  maat__free(r->out);
  maat__free(r);
}

/* ---- summary and state ---- */

static int cmp_long(const void *a, const void *b)
{
  long x = *(const long *)a, y = *(const long *)b;
  return (x > y) - (x < y);
}

void maat_router_summary(const maat_router *r, struct maat_route_summary *s)
{
  const double *set = set_of(r);
  double over = 0, total = 0, weighted = 0;
  long *heavy;
  int n = 0;

  *s = r->sum;
  s->queued_at_end = r->nqueued;
  s->in_service_at_end = 0;
  heavy = maat__malloc((size_t)(r->nagents ? r->nagents : 1) * sizeof *heavy);
  for (int i = 0; i < r->nagents; i++) {
    const struct maat__ragent *a = &r->agents[i];
    double dt = r->now - a->strain_t;
    over += a->overload_s;
    if (a->state == MAAT_AGENT_BUSY) {
      s->in_service_at_end++;
      if (a->strain > set[MAAT__S_OVERLOAD])
        over += dt;
    } else if (a->state != MAAT_AGENT_OFFLINE) {
      over += maat__strain_time_above(set, a->strain, dt,
                                      set[MAAT__S_OVERLOAD]);
    }
    if (a->on_shift && heavy)
      heavy[n++] = a->heavy_total;
  }
  s->overload_agent_hours = over / 3600;
  s->service_level = r->ended ? (double)r->within / r->ended : 1;
  s->service_level_people =
      r->ended_people ? (double)r->within_people / r->ended_people : 1;
  s->avg_wait_s = r->waited_n ? r->wait_sum / r->waited_n : 0;
  s->mean_energy = s->checkins ? r->energy_sum / s->checkins : 0;
  /* Gini over agents on shift: 2 sum(i x_i) / (n sum x) - (n + 1) / n. */
  s->heavy_gini = 0;
  if (heavy && n > 0) {
    qsort(heavy, (size_t)n, sizeof *heavy, cmp_long);
    for (int i = 0; i < n; i++) {
      total += (double)heavy[i];
      weighted += (double)(i + 1) * (double)heavy[i];
    }
    if (total > 0)
      s->heavy_gini = 2 * weighted / (n * total) - (double)(n + 1) / n;
  }
  maat__free(heavy);
}


size_t maat_router_state_format(const maat_router *r, char *buf, size_t cap)
{
  struct maat_buf b = MAAT_BUF_INIT;
  struct qwalk qw;
  size_t len;

  maat__buf_printf(&b, "{\"t\":%.3f,\"queue\":[", r->now);
  /* The queue in dispatch order. */
  qwalk_start(r, &qw);
  for (int k = 0, slot; (slot = qwalk_peek(&qw)) >= 0; k++) {
    maat__buf_printf(&b, "%s\"%s\"", k ? "," : "", r->cs[slot].c.id);
    qwalk_step(r, &qw, slot);
  }
  maat__buf_printf(&b, "],\"agents\":[");
  for (int i = 0; i < r->nagents; i++) {
    const struct maat__ragent *a = &r->agents[i];
    maat__buf_printf(&b,
                     "%s{\"id\":\"%s\",\"state\":\"%s\",\"contact\":\"%s\"",
                     i ? "," : "", a->def->id, maat_agent_state_name(a->state),
                     a->nheld ? r->cs[a->held[0]].c.id : "");
    /* Several at once: all of them, in order of taking. */
    if (a->nheld > 1) {
      maat__buf_printf(&b, ",\"contacts\":[");
      for (int k = 0; k < a->nheld; k++)
        maat__buf_printf(&b, "%s\"%s\"", k ? "," : "",
                         r->cs[a->held[k]].c.id);
      maat__buf_printf(&b, "]");
    }
    maat__buf_printf(&b, ",\"streak\":%d,\"heavy_today\":%d,"
                     "\"strain\":%.4f}", a->streak, a->heavy_today,
                     maat__router_strain(r, i));
  }
  maat__buf_printf(&b, "]}\n");
  len = b.len;
  if (b.data && cap) {
    size_t n = len < cap - 1 ? len : cap - 1;
    memcpy(buf, b.data, n);
    buf[n] = 0;
  }
  maat__buf_release(&b);
  return len;
}

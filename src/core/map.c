/*
 * map.c - the library's one hash map: string keys to pointers, open
 * addressing with linear probing and backward-shift deletion (no
 * tombstones, so a map that churns stays short). The key is borrowed from
 * the value's owner and must live as long as the entry.
 */
#include "maat-int.h"

int maat__map_reserve(struct maat_map *m, size_t n)
{
  size_t cap = m->cap ? m->cap : 16;
  struct maat_map_slot *slots;

  while (cap < 2 * n)
    cap *= 2;
  if (cap == m->cap)
    return MAAT_OK;
  slots = maat__calloc(cap, sizeof *slots);
  if (!slots)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  for (size_t i = 0; i < m->cap; i++) {
    size_t j;
    if (!m->slots[i].key)
      continue;
    j = m->slots[i].hash & (cap - 1);
    while (slots[j].key)
      j = (j + 1) & (cap - 1);
    slots[j] = m->slots[i];
  }
  maat__free(m->slots);
  m->slots = slots;
  m->cap = cap;
  return MAAT_OK;
}

void maat__map_release(struct maat_map *m)
{
  maat__free(m->slots);
  m->slots = NULL;
  m->cap = m->n = 0;
}

static size_t find(const struct maat_map *m, const char *key, uint64_t h)
{
  size_t i = h & (m->cap - 1);

  while (m->slots[i].key && (m->slots[i].hash != h ||
                             !maat__str_eq(m->slots[i].key, key)))
    i = (i + 1) & (m->cap - 1);
  return i;
}

void *maat__map_get(const struct maat_map *m, const char *key)
{
  if (!m->n)
    return NULL;
  return m->slots[find(m, key, maat__hash64(key, strlen(key), 0))].value;
}

int maat__map_put(struct maat_map *m, const char *key, void *value)
{
  uint64_t h = maat__hash64(key, strlen(key), 0);
  size_t i;
  int rc;

  if (2 * (m->n + 1) > m->cap && (rc = maat__map_reserve(m, m->n + 1)))
    return rc;
  i = find(m, key, h);
  if (!m->slots[i].key)
    m->n++;
  m->slots[i].key = key;
  m->slots[i].hash = h;
  m->slots[i].value = value;
  return MAAT_OK;
}

void *maat__map_del(struct maat_map *m, const char *key)
{
  size_t i, j;
  void *value;

  if (!m->n)
    return NULL;
  i = find(m, key, maat__hash64(key, strlen(key), 0));
  if (!m->slots[i].key)
    return NULL;
  value = m->slots[i].value;
  m->n--;
  /* Shift back the entries of the run that follows into the hole. */
  for (j = (i + 1) & (m->cap - 1); m->slots[j].key;
       j = (j + 1) & (m->cap - 1)) {
    size_t home = m->slots[j].hash & (m->cap - 1);
    /* Moves unless its home lies cyclically in (i, j]. */
    if ((j > i && (home <= i || home > j)) ||
        (j < i && (home <= i && home > j))) {
      m->slots[i] = m->slots[j];
      i = j;
    }
  }
  memset(&m->slots[i], 0, sizeof m->slots[i]);
  return value;
}

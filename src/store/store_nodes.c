/*
 * store_nodes.c - several nodes on one store (maat/store.h): the inbox a
 * follower hands write requests to, and the notifications that wake the
 * node waiting for them. Only PostgreSQL has them.
 */
#include "store-int.h"

#include <string.h>

static int one_node(const struct maat__store_ops *ops)
{
  return maat__fail(MAAT_EINVAL, "store: several nodes need a PostgreSQL "
                    "store, not %s", ops->name);
}

struct put_args {
  const char *request;
  double now;
  int64_t *id;
};

static int do_put(maat_store *st, void *arg)
{
  struct put_args *a = arg;
  void *b;
  const struct maat__store_ops *ops = maat__store_ops_of(st, &b);
  return ops->inbox_put(b, a->request, a->now, a->id);
}

int maat_store_inbox_put(maat_store *st, const char *request, double now,
                         int64_t *id)
{
  struct put_args a = { request, now, id };
  void *b;
  const struct maat__store_ops *ops;

  if (!st || !request || !id)
    return maat__fail(MAAT_EINVAL, "store: inbox: no request");
  ops = maat__store_ops_of(st, &b);
  if (!ops->inbox_put)
    return one_node(ops);
  return maat__store_write(st, do_put, &a);
}

int maat_store_inbox_claim(maat_store *st, const char *node, double now,
                           int (*fn)(void *ctx,
                                     const struct maat_store_inbox *r),
                           void *ctx)
{
  void *b;
  const struct maat__store_ops *ops;

  if (!st || !node || !fn)
    return maat__fail(MAAT_EINVAL, "store: inbox: no node");
  ops = maat__store_ops_of(st, &b);
  if (!ops->inbox_claim)
    return one_node(ops);
  /* Not in a transaction of the log: on a connection of its own. */
  return ops->inbox_claim(b, node, now, fn, ctx);
}

int maat_store_inbox_finish(maat_store *st, int64_t id, int status,
                            const char *response)
{
  void *b;
  const struct maat__store_ops *ops;

  if (!st)
    return maat__fail(MAAT_EINVAL, "store: no store");
  ops = maat__store_ops_of(st, &b);
  if (!ops->inbox_finish)
    return one_node(ops);
  /* Not in a transaction of the log: on a connection of its own. */
  return ops->inbox_finish(b, id, status, response ? response : "");
}

int maat_store_inbox_get(maat_store *st, int64_t id,
                         int (*fn)(void *ctx,
                                   const struct maat_store_inbox *r),
                         void *ctx)
{
  void *b;
  const struct maat__store_ops *ops;

  if (!st || !fn)
    return maat__fail(MAAT_EINVAL, "store: no store");
  ops = maat__store_ops_of(st, &b);
  if (!ops->inbox_get)
    return one_node(ops);
  return ops->inbox_get(b, id, fn, ctx);
}

int maat_store_inbox_release(maat_store *st, const char *node, long *n)
{
  long dummy;
  void *b;
  const struct maat__store_ops *ops;

  if (!st || !node)
    return maat__fail(MAAT_EINVAL, "store: inbox: no node");
  ops = maat__store_ops_of(st, &b);
  if (!ops->inbox_release)
    return one_node(ops);
  /* Not in a transaction of the log: on a connection of its own. */
  return ops->inbox_release(b, node, n ? n : &dummy);
}

int maat_store_inbox_purge(maat_store *st, double before, long *n,
                           long *waiting)
{
  long d1, d2;
  void *b;
  const struct maat__store_ops *ops;

  if (!st)
    return maat__fail(MAAT_EINVAL, "store: no store");
  ops = maat__store_ops_of(st, &b);
  if (!ops->inbox_purge)
    return one_node(ops);
  /* Not in a transaction of the log: on a connection of its own. */
  return ops->inbox_purge(b, before, n ? n : &d1, waiting ? waiting : &d2);
}

int maat_store_listen(maat_store *st, const char *channel)
{
  void *b;
  const struct maat__store_ops *ops;

  if (!st || !channel ||
      (strcmp(channel, "maat_inbox") && strcmp(channel, "maat_inbox_done") &&
       strcmp(channel, "maat_log")))
    return maat__fail(MAAT_EINVAL, "store: listen: unknown channel");
  ops = maat__store_ops_of(st, &b);
  if (!ops->listen)
    return one_node(ops);
  return ops->listen(b, channel);
}

int maat_store_wait(maat_store *st, int timeout_ms, char *chan, size_t ccap,
                    char *payload, size_t pcap)
{
  void *b;
  const struct maat__store_ops *ops;

  if (!st || !chan || !ccap || !payload || !pcap)
    return maat__fail(MAAT_EINVAL, "store: wait: no buffers");
  ops = maat__store_ops_of(st, &b);
  if (!ops->wait)
    return one_node(ops);
  return ops->wait(b, timeout_ms, chan, ccap, payload, pcap);
}

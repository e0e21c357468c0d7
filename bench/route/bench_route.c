/*
 * bench_route.c - the router at library level: decisions per second and
 * the latency of each event with 1,000 agents and 10,000 queued contacts.
 * Usage: bench_route [POLICY] [EVENTS]
 */
#include "maat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AGENTS 1000
#define QUEUED 10000

static double now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static char held[AGENTS][MAAT_ID_MAX + 1];
static long decisions;

static int agent_index(const char *id)
{
  return (int)strtol(id + 1, NULL, 10) - 1; /* "a0001" */
}

static void drain(maat_router *r)
{
  struct maat_decision d;
  while (maat_router_next(r, &d) == MAAT_OK) {
    if (d.type != MAAT_DEC_ASSIGN)
      continue;
    decisions++;
    if (strcmp(d.to, "bot"))
      snprintf(held[agent_index(d.to)], sizeof held[agent_index(d.to)], "%s", d.contact);
  }
}

static unsigned long long rng = 88172645463325252ULL;
static unsigned next_rand(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (unsigned)(rng >> 32);
}

static void contact(struct maat_event *ev, double t, long id)
{
  static const char *const intents[] = { "billing", "technical", "account",
                                         "delivery", "complaint", "other" };
  memset(ev, 0, sizeof *ev);
  ev->type = MAAT_EV_CONTACT;
  ev->t = t;
  snprintf(ev->contact.id, sizeof ev->contact.id, "c%ld", id);
  ev->contact.tier = 2 + (int)(next_rand() % 4 == 0);
  ev->contact.tone = next_rand() % 5 == 0 ? MAAT_TONE_ANGRY
                                          : MAAT_TONE_NEUTRAL;
  ev->contact.intensity = 0.5;
  ev->contact.urgency = MAAT_URGENCY_NORMAL;
  ev->contact.priority = (int)(next_rand() % 3);
  snprintf(ev->contact.lang, sizeof ev->contact.lang, "%s", next_rand() % 10 < 7 ? "nl" : "en");
  snprintf(ev->contact.intent, sizeof ev->contact.intent, "%s", intents[next_rand() % 6]);
  ev->contact.handle_s = 300;
}

int main(int argc, char **argv)
{
  const char *policy = argc > 1 ? argv[1] : "maat";
  long events = argc > 2 ? strtol(argv[2], NULL, 10) : 200000;
  maat_team *team = NULL;
  maat_router *r = NULL;
  struct maat_event ev;
  char *json;
  size_t len;
  double *lat, t = 0, total = 0;
  long id = 0, n = 0, before;

  if (maat_gen_team(&json, &len, AGENTS, 1) ||
      maat_team_parse(&team, json, len, "bench") ||
      maat_router_open(&r, team, policy, 0)) {
    fprintf(stderr, "bench_route: %s\n", maat_errmsg());
    return 1;
  }
  maat_free(json);
  for (int i = 0; i < AGENTS; i++) {
    memset(&ev, 0, sizeof ev);
    ev.type = MAAT_EV_AGENT;
    snprintf(ev.agent, sizeof ev.agent, "a%04d", i + 1);
    ev.state = MAAT_AGENT_AVAILABLE;
    maat_router_push(r, &ev);
  }
  for (int i = 0; i < AGENTS + QUEUED; i++) {
    contact(&ev, t, id++);
    maat_router_push(r, &ev);
  }
  drain(r);
  lat = malloc((size_t)events * sizeof *lat);
  before = decisions;
  /* Steady state: an agent finishes, a new contact arrives. */
  while (n < events) {
    int a = (int)(next_rand() % AGENTS);
    double t0, t1;
    t += 0.05;
    memset(&ev, 0, sizeof ev);
    if (held[a][0]) {
      ev.type = MAAT_EV_DONE;
      snprintf(ev.contact_id, sizeof ev.contact_id, "%s", held[a]);
      held[a][0] = 0;
    } else {
      contact(&ev, t, id++);
    }
    ev.t = t;
    t0 = now_ns();
    if (maat_router_push(r, &ev)) {
      fprintf(stderr, "bench_route: %s\n", maat_errmsg());
      return 1;
    }
    t1 = now_ns();
    drain(r);
    lat[n++] = t1 - t0;
    total += t1 - t0;
    if (ev.type == MAAT_EV_DONE) {
      /* Keep the queue at its size. */
      contact(&ev, t, id++);
      maat_router_push(r, &ev);
      drain(r);
    }
  }
  qsort(lat, (size_t)n, sizeof *lat, cmp_d);
  {
    struct maat_route_summary s;
    maat_router_summary(r, &s);
    printf("{\"policy\":\"%s\",\"agents\":%d,\"queued\":%ld,\"events\":%ld,"
           "\"decisions\":%ld,\"decisions_per_s\":%.0f,\"events_per_s\":%.0f,"
           "\"p50_us\":%.3f,\"p99_us\":%.3f}\n",
           policy, AGENTS, s.queued_at_end, n, decisions - before,
           (decisions - before) / (total / 1e9), n / (total / 1e9),
           lat[n / 2] / 1e3, lat[(long)(n * 0.99)] / 1e3);
  }
  free(lat);
  maat_router_close(r);
  maat_team_free(team);
  return 0;
}

/*
 * soak.c - the server under a slow-connection attack and a flood of
 * unauthenticated requests, measured from outside:
 *   soak PORT TOKEN SECONDS post|unauth
 * 1. 64 clients post contacts on kept-alive connections for SECONDS: the
 *    p99 latency unloaded;
 * 2. 1,000 connections from one other address (127.0.0.2) send a request
 *    a byte at a time, slower than anyone would, and hold on; the same 64
 *    clients post again: the p99 under attack;
 * 3. 100,000 requests without a token, on kept-alive connections.
 * Prints one line of key=value pairs. The test script judges them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CLIENTS 64
#define SLOW 1000
#define UNAUTH 100000
#define UNAUTH_THREADS 8

static int port;
static const char *token;
static double seconds;

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dial(const char *from)
{
  struct sockaddr_in a;
  int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

  if (fd < 0)
    return -1;
  if (from) {
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    inet_pton(AF_INET, from, &a.sin_addr);
    if (bind(fd, (struct sockaddr *)&a, sizeof a)) {
      close(fd);
      return -1;
    }
  }
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
    close(fd);
    return -1;
  }
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

/* Sends a request and reads one response: its status, or -1. */
static int roundtrip(int fd, const char *req, size_t len)
{
  char buf[16384];
  size_t got = 0;
  char *end = NULL;
  long clen = -1;

  if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len)
    return -1;
  for (;;) {
    ssize_t n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
    if (n <= 0)
      return -1;
    got += (size_t)n;
    buf[got] = '\0';
    if (!end && (end = strstr(buf, "\r\n\r\n"))) {
      char *cl = strcasestr(buf, "Content-Length:");
      clen = cl && cl < end ? strtol(cl + 15, NULL, 10) : 0;
    }
    if (end && got >= (size_t)(end + 4 - buf) + (size_t)clen)
      return (int)strtol(buf + 9, NULL, 10);
    if (got >= sizeof buf - 1)
      return -1;
  }
}

struct poster {
  int id;
  double *lat;
  size_t n, cap;
  long errors;
  int phase;
};

static void *post_loop(void *arg)
{
  struct poster *p = arg;
  double stop = now() + seconds;
  char req[512], body[128];
  long k = 0;
  int fd = dial(NULL);

  while (now() < stop) {
    int blen = snprintf(body, sizeof body, "{\"id\":\"s%d-%d-%ld\",\"tier\":"
                        "\"T2\",\"tone\":\"neutral\"}", p->phase, p->id, k++);
    int n = snprintf(req, sizeof req, "POST /v1/contacts HTTP/1.1\r\nHost: x"
                     "\r\nAuthorization: Bearer %s\r\nContent-Type: "
                     "application/json\r\nContent-Length: %d\r\n\r\n%s",
                     token, blen, body);
    double t0 = now();
    int st = fd >= 0 ? roundtrip(fd, req, (size_t)n) : -1;
    if (st != 201) {
      p->errors++;
      if (fd >= 0)
        close(fd);
      fd = dial(NULL);
      continue;
    }
    if (p->n == p->cap) {
      p->cap = p->cap ? p->cap * 2 : 1024;
      p->lat = realloc(p->lat, p->cap * sizeof *p->lat);
    }
    p->lat[p->n++] = now() - t0;
  }
  if (fd >= 0)
    close(fd);
  return NULL;
}

static int cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* 64 posters for 'seconds': the p99 in ms, the rate, the errors. */
static void post_phase(int phase, double *p99, double *rate, long *errors)
{
  struct poster p[CLIENTS];
  pthread_t th[CLIENTS];
  double *all = NULL, t0 = now();
  size_t n = 0;

  memset(p, 0, sizeof p);
  for (int i = 0; i < CLIENTS; i++) {
    p[i].id = i;
    p[i].phase = phase;
    pthread_create(&th[i], NULL, post_loop, &p[i]);
  }
  *errors = 0;
  for (int i = 0; i < CLIENTS; i++) {
    pthread_join(th[i], NULL);
    all = realloc(all, (n + p[i].n + 1) * sizeof *all);
    memcpy(all + n, p[i].lat, p[i].n * sizeof *all);
    n += p[i].n;
    *errors += p[i].errors;
    free(p[i].lat);
  }
  qsort(all, n, sizeof *all, cmp);
  *p99 = n ? all[(size_t)(0.99 * (n - 1))] * 1000 : -1;
  *rate = n / (now() - t0);
  free(all);
}

/* The attack: connections that send a byte every 2 s and never finish. */
static int slow_fd[SLOW];
static volatile int slow_stop;
static void *slow_loop(void *arg)
{
  static const char req[] = "POST /v1/contacts HTTP/1.1\r\nHost: x\r\nX-Pad: ";
  size_t sent[SLOW];

  (void)arg;
  memset(sent, 0, sizeof sent);
  while (!slow_stop) {
    for (int i = 0; i < SLOW; i++) {
      char ch = sent[i] < sizeof req - 1 ? req[sent[i]] : 'a';
      if (slow_fd[i] < 0)
        continue;
      if (send(slow_fd[i], &ch, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1)
        sent[i]++;
    }
    for (int k = 0; k < 20 && !slow_stop; k++)
      usleep(100 * 1000);
  }
  return NULL;
}

/* How many of the slow connections the server still holds open. */
static int slow_open(void)
{
  int open = 0;

  for (int i = 0; i < SLOW; i++) {
    struct pollfd pf = { slow_fd[i], POLLIN, 0 };
    char c;
    if (slow_fd[i] < 0)
      continue;
    if (poll(&pf, 1, 0) == 1 &&
        recv(slow_fd[i], &c, 1, MSG_DONTWAIT | MSG_PEEK) <= 0) {
      close(slow_fd[i]);
      slow_fd[i] = -1;
      continue;
    }
    open++;
  }
  return open;
}

static long unauth_ok, unauth_401;
static pthread_mutex_t unauth_mu = PTHREAD_MUTEX_INITIALIZER;
static void *unauth_loop(void *arg)
{
  static const char req[] = "GET /v1/queue HTTP/1.1\r\nHost: x\r\n\r\n";
  long per = UNAUTH / UNAUTH_THREADS, n401 = 0, n = 0;
  int fd = dial(NULL);

  (void)arg;
  for (long k = 0; k < per; k++) {
    int st = fd >= 0 ? roundtrip(fd, req, sizeof req - 1) : -1;
    if (st < 0) {
      if (fd >= 0)
        close(fd);
      fd = dial(NULL);
      k--;
      continue;
    }
    n++;
    n401 += st == 401;
  }
  if (fd >= 0)
    close(fd);
  pthread_mutex_lock(&unauth_mu);
  unauth_ok += n;
  unauth_401 += n401;
  pthread_mutex_unlock(&unauth_mu);
  return NULL;
}

int main(int argc, char **argv)
{
  double p99a, p99b, ra, rb, t0;
  long ea, eb;
  pthread_t slow, th[UNAUTH_THREADS];
  int opened = 0, held;

  if (argc != 5) {
    fprintf(stderr, "usage: soak PORT TOKEN SECONDS post|unauth\n");
    return 2;
  }
  port = atoi(argv[1]);
  token = argv[2];
  seconds = atof(argv[3]);
  if (!strcmp(argv[4], "unauth")) {
    t0 = now();
    for (int i = 0; i < UNAUTH_THREADS; i++)
      pthread_create(&th[i], NULL, unauth_loop, NULL);
    for (int i = 0; i < UNAUTH_THREADS; i++)
      pthread_join(th[i], NULL);
    printf("unauth=%ld unauth_401=%ld unauth_s=%.1f\n", unauth_ok,
           unauth_401, now() - t0);
    return 0;
  }

  post_phase(1, &p99a, &ra, &ea);

  for (int i = 0; i < SLOW; i++) {
    slow_fd[i] = dial("127.0.0.2");
    opened += slow_fd[i] >= 0;
  }
  pthread_create(&slow, NULL, slow_loop, NULL);
  usleep(500 * 1000);
  post_phase(2, &p99b, &rb, &eb);
  held = slow_open();
  slow_stop = 1;
  pthread_join(slow, NULL);
  for (int i = 0; i < SLOW; i++)
    if (slow_fd[i] >= 0)
      close(slow_fd[i]);

  printf("p99_unloaded_ms=%.2f p99_attack_ms=%.2f ratio=%.2f "
         "rate_unloaded=%.0f rate_attack=%.0f errors_unloaded=%ld "
         "errors_attack=%ld slow_opened=%d slow_held=%d\n",
         p99a, p99b, p99b / p99a, ra, rb, ea, eb, opened, held);
  return 0;
}

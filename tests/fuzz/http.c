/*
 * http.c - libFuzzer harness: a request as bytes on the wire, into a
 * server running in this process (a memory store, a team of 8), through
 * the route table to every handler. "@INT@", "@LEAD@", "@ADM@" and "@AG@"
 * in the input become valid integration, lead, admin and agent tokens, so
 * the fuzzer gets past the door; everything else is its own.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "maat.h"
#include "server.h"

static maat_server *srv;
static int port;
static char tok[4][MAAT_TOKEN_LEN + 1];
static const char *const marks[4] = { "@INT@", "@LEAD@", "@ADM@", "@AG@" };

static int start(void)
{
  static char team[] = "/tmp/maat-fuzz-team-XXXXXX";
  struct maat_serve_options o;
  char *json = NULL, code[MAAT_ENROL_CODE_LEN + 1];
  struct maat_principal who;
  maat_store *st = NULL;
  size_t len = 0;
  long id;
  int fd = mkstemp(team);
  FILE *f;

  if (fd < 0 || maat_gen_team(&json, &len, 8, 1))
    return -1;
  f = fdopen(fd, "w");
  fwrite(json, 1, len, f);
  fclose(f);
  maat_free(json);
  /* The tokens go into the store the server then opens: a file, since a
   * memory store lives only inside one open. */
  char db[] = "/tmp/maat-fuzz-db-XXXXXX";
  fd = mkstemp(db);
  close(fd);
  unlink(db);
  if (maat_store_open(&st, db) ||
      maat_token_add(st, MAAT_ROLE_INTEGRATION, NULL, tok[0], &id) ||
      maat_token_add(st, MAAT_ROLE_LEAD, NULL, tok[1], &id) ||
      maat_token_add(st, MAAT_ROLE_ADMIN, NULL, tok[2], &id) ||
      maat_enrol_add(st, "a0001", code, &id) ||
      maat_enrol_redeem(st, code, strlen(code), tok[3], &who))
    return -1;
  maat_store_close(st);
  memset(&o, 0, sizeof o);
  o.team_path = team;
  o.db_path = strdup(db);
  if (maat_server_start(&srv, &o))
    return -1;
  port = maat_server_port(srv);
  return 0;
}

/* The input with the marks replaced by tokens (malloc'd). */
static char *with_tokens(const uint8_t *data, size_t size, size_t *out)
{
  /* the shortest mark, "@AG@", grows 4 bytes into MAAT_TOKEN_LEN */
  char *buf = malloc(size / 4 * MAAT_TOKEN_LEN + size + 1);
  size_t n = 0;

  for (size_t i = 0; i < size;) {
    int hit = -1;
    for (int k = 0; k < 4 && hit < 0; k++) {
      size_t m = strlen(marks[k]);
      if (i + m <= size && !memcmp(data + i, marks[k], m))
        hit = k;
    }
    if (hit >= 0) {
      memcpy(buf + n, tok[hit], MAAT_TOKEN_LEN);
      n += MAAT_TOKEN_LEN;
      i += strlen(marks[hit]);
    } else {
      buf[n++] = (char)data[i++];
    }
  }
  *out = n;
  return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct sockaddr_in a;
  struct timeval tv = { 2, 0 };
  char resp[8192];
  size_t n;
  char *req;
  int fd;

  if (!srv && start())
    abort();
  req = with_tokens(data, size, &n);
  fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
    size_t off = 0;
    while (off < n) {
      ssize_t w = send(fd, req + off, n - off, MSG_NOSIGNAL);
      if (w <= 0)
        break;
      off += (size_t)w;
    }
    shutdown(fd, SHUT_WR);
    while (recv(fd, resp, sizeof resp, 0) > 0)
      ;
  }
  close(fd);
  free(req);
  return 0;
}

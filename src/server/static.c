/*
 * static.c - the web pages' files, from 'web_root': sent from a file
 * descriptor by libmicrohttpd, never read into memory under a lock.
 */
#include "server-int.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *type_of(const char *path)
{
  static const struct { const char *ext, *type; } types[] = {
    { ".html", "text/html; charset=utf-8" }, { ".js", "text/javascript" },
    { ".css", "text/css" }, { ".json", "application/json" },
    { ".svg", "image/svg+xml" }, { ".png", "image/png" },
    { ".ico", "image/x-icon" },
  };
  const char *dot = strrchr(path, '.');

  for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
    if (!strcmp(dot, types[i].ext))
      return types[i].type;
  return "application/octet-stream";
}

enum MHD_Result maat__static_file(struct call *c, const char *path)
{
  struct MHD_Response *r;
  enum MHD_Result ret;
  char full[4096];
  struct stat st;
  int fd;

  if (!c->s->web_root || strstr(path, "..") || strchr(path, '\\'))
    return maat__fail_call(c, 404, "not found", NULL);
  if ((size_t)snprintf(full, sizeof full, "%s/%s", c->s->web_root, path) >=
      sizeof full)
    return maat__fail_call(c, 404, "not found", NULL);
  fd = open(full, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return maat__fail_call(c, 404, "not found", NULL);
  if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
    close(fd);
    return maat__fail_call(c, 404, "not found", NULL);
  }
  /* The response owns 'fd' from here, and closes it. */
  r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
  if (!r) {
    close(fd);
    return maat__fail_call(c, 500, "cannot send the file", NULL);
  }
  MHD_add_response_header(r, "Content-Type", type_of(path));
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  c->status = 200;
  ret = MHD_queue_response(c->conn, 200, r);
  MHD_destroy_response(r);
  return ret;
}

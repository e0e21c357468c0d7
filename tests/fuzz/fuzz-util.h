/*
 * fuzz-util.h - what the harnesses share: the input as a file (for the
 * loaders that take a path), in memory, never on disk.
 */
#ifndef MAAT_FUZZ_UTIL_H
#define MAAT_FUZZ_UTIL_H

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* Writes the bytes to an anonymous file; its path in 'path'; -1 on error. */
static inline int fuzz_file(const uint8_t *data, size_t size, char *path,
                            size_t cap)
{
  int fd = memfd_create("maat-fuzz", 0);

  if (fd < 0)
    return -1;
  if (size && write(fd, data, size) != (ssize_t)size) {
    close(fd);
    return -1;
  }
  snprintf(path, cap, "/proc/self/fd/%d", fd);
  return fd;
}

#endif

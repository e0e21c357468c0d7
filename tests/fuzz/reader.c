/*
 * reader.c - libFuzzer harness: the data-set reader (JSONL, CSV, plain
 * text, or detected); the first byte picks the format.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz-util.h"
#include "maat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const formats[] = { "auto", "jsonl", "csv", "text" };
  maat_reader_opts o = MAAT_READER_OPTS_INIT;
  maat_reader *r = NULL;
  maat_record rec;
  char path[64];
  int fd, rc, n = 0;

  if (size < 1)
    return 0;
  if (maat_format_parse(formats[data[0] & 3], &o.format))
    return 0;
  o.require_label = (data[0] >> 2) & 1;
  fd = fuzz_file(data + 1, size - 1, path, sizeof path);
  if (fd < 0)
    return 0;
  if (maat_reader_open(path, &o, &r) == MAAT_OK) {
    while ((rc = maat_reader_next(r, &rec)) != MAAT_EOF && n++ < 100000) {
      if (rc == MAAT_EIO)
        break;
      if (rc == MAAT_OK)
        maat_reader_field(r, "id");
    }
    maat_reader_close(r);
  }
  close(fd);
  return 0;
}

/*
 * msg.c - libFuzzer harness: the message catalogue's matcher and renderer
 * (include/maat/msg.h) on any text, since reasons quote customers' words:
 * no crash, no read past the text, the output always NUL-terminated,
 * bounded time (the matcher's budget).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "maat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = malloc(size + 1), out[256], params[128];

  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  (void)maat_msg_parse(text, params, sizeof params);
  if (!memchr(params, '\0', sizeof params))
    abort();
  (void)maat_msg_render(text, size % 2 ? "nl" : "en", out, sizeof out);
  if (!memchr(out, '\0', sizeof out))
    abort();
  free(text);
  return 0;
}

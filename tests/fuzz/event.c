/*
 * event.c - libFuzzer harness: an event line, as 'maat route' and the
 * server read it, and the triage of a contact that brings raw text.
 */
#include <stdint.h>
#include <string.h>

#include "maat.h"

static maat_triager *tri;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct maat_event ev;
  char *out = NULL;
  size_t len = 0;

  if (!tri) {
    maat_triage_config *cfg = NULL;
    if (maat_triage_config_default(&cfg) ||
        maat_triager_new(&tri, cfg, NULL, NULL))
      return 0;  /* the config stays with the triager for the run */
  }
  memset(&ev, 0, sizeof ev);
  maat_event_parse(&ev, (const char *)data, size);
  if (maat_triage_event_line(tri, (const char *)data, size, 0, &out,
                             &len) == MAAT_OK)
    maat_free(out);
  return 0;
}

/*
 * config.c - libFuzzer harness: the configuration files a person writes:
 * the team file, the triage configuration and a simulation scenario; the
 * first byte picks which.
 */
#include <stdint.h>
#include <string.h>

#include "maat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *json = (const char *)data + 1;
  size_t len = size - 1;

  if (size < 1)
    return 0;
  switch (data[0] % 3) {
  case 0: {
    maat_team *t = NULL;
    if (maat_team_parse(&t, json, len, "fuzz") == MAAT_OK)
      maat_team_free(t);
    break;
  }
  case 1: {
    maat_triage_config *c = NULL;
    if (maat_triage_config_parse(&c, json, len, "fuzz") == MAAT_OK)
      maat_triage_config_free(c);
    break;
  }
  default: {
    maat_scenario *sc = NULL;
    if (maat_scenario_parse(&sc, json, len, "fuzz") == MAAT_OK)
      maat_scenario_free(sc);
    break;
  }
  }
  return 0;
}

/*
 * history.c - libFuzzer harness: a helpdesk's export imported for the
 * insight report (CSV with a mapping that names every field, times,
 * ratings, counts), the report made over it, and the same bytes read as a
 * task inventory.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz-util.h"
#include "maat.h"

static const char mapping[] =
  "{\"columns\":{\"id\":\"id\",\"customer\":\"customer\",\"created_at\":"
  "\"created\",\"taken_at\":\"taken\",\"closed_at\":\"closed\",\"channel\":"
  "\"channel\",\"lang\":\"lang\",\"intent\":\"intent\",\"handler\":"
  "\"handler\",\"tier\":\"tier\",\"transfers\":\"transfers\",\"outcome\":"
  "\"outcome\",\"csat\":\"csat\",\"nps\":\"nps\"},\"bot_values\":[\"bot\"],"
  "\"handed_back_values\":[\"handed_back\"],\"resolved_values\":"
  "[\"resolved\"],\"csat_values\":{\"good\":5,\"bad\":1},"
  "\"transfers_offset\":-1}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static char map_path[64];
  struct maat_insight_opts o;
  maat_store *st = NULL;
  char path[64], *json = NULL;
  long n = 0, bad = 0;
  int fd;

  if (!map_path[0]) {
    int mf = fuzz_file((const uint8_t *)mapping, sizeof mapping - 1,
                       map_path, sizeof map_path);
    if (mf < 0)
      return 0;
    close(mf);
  }
  fd = fuzz_file(data, size, path, sizeof path);
  if (fd < 0)
    return 0;
  if (maat_store_open(&st, "memory:") == MAAT_OK) {
    maat_insight_import(st, path, map_path, "fuzz", NULL, NULL, &n, &bad);
    memset(&o, 0, sizeof o);
    o.hour_cost = 40;
    o.reinvest_share = 0.3;
    if (maat_insight_report(st, &o, &json) == MAAT_OK) {
      char *page = NULL;
      if (maat_insight_render(json, "html", "nl", &page, NULL) == MAAT_OK)
        maat_free(page);
      maat_free(json);
    }
    maat_store_close(st);
  }
  json = NULL;
  if (maat_tasks_assess(path, NULL, NULL, &json, &bad) == MAAT_OK)
    maat_free(json);
  close(fd);
  return 0;
}

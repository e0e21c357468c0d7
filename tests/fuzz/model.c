/*
 * model.c - libFuzzer harness: a model file, loaded and, when it loads,
 * used for a prediction (a loaded model must be safe to use).
 */
#include <stdint.h>
#include <string.h>

#include "fuzz-util.h"
#include "maat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  maat_model *m = NULL;
  maat_predictor *p = NULL;
  char path[64];
  int fd = fuzz_file(data, size, path, sizeof path);

  if (fd < 0)
    return 0;
  if (maat_model_load(path, &m) == MAAT_OK) {
    if (maat_predictor_new(m, &p) == MAAT_OK) {
      maat_prediction pr;
      const char *text = "Waar blijft mijn pakket? Where is my parcel?";
      maat_predict(p, text, strlen(text), 3, -1, &pr);
      maat_predictor_free(p);
    }
    maat_model_free(m);
  }
  close(fd);
  return 0;
}

/*
 * kb.c - libFuzzer harness: what a knowledge base reads from people and
 * help centres: Markdown, HTML (through libxml2), text to clean, and
 * questions asked of a knowledge base (the generated one), and personal
 * data found and redacted in a message; the first byte picks which.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kb-int.h"

static maat_kb *kb;

static void open_kb(void)
{
  static maat_store *st;
  char *text;
  size_t len;
  struct maat_store_article a;
  int64_t v;

  if (kb)
    return;
  if (maat_store_open(&st, "memory:") || maat_gen_kb(&text, &len))
    abort();
  /* The generated articles, one by one, as an import would store them. */
  for (char *line = text, *nl; line < text + len; line = nl + 1) {
    char id[32];
    nl = strchr(line, '\n');
    if (!nl)
      break;
    *nl = 0;
    snprintf(id, sizeof id, "a%ld", (long)(line - text));
    memset(&a, 0, sizeof a);
    a.id = id;
    a.title = "";
    a.body = line;
    a.lang = "";
    if (maat_kb_put(st, &a, &v))
      abort();
  }
  maat_free(text);
  if (maat_kb_open(&kb, st, NULL))
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *s = (const char *)data + 1;
  size_t len = size - 1;
  struct maat_buf out = MAAT_BUF_INIT;

  if (size < 1)
    return 0;
  switch (data[0] % 5) {
  case 0: {
    struct maat__kb_front f = { 0 };
    maat__kb_markdown_text(s, len, &out, &f);
    maat__kb_front_release(&f);
    break;
  }
  case 1: {
    char *title = NULL;
    maat__kb_html_text(s, len, &out, &title);
    maat__free(title);
    break;
  }
  case 2:
    maat__kb_clean(&out, s, len);
    break;
  case 4: {
    /* Personal data: found, then redacted. */
    struct maat_pii_span sp[16];
    size_t n;
    char *r = NULL;
    if (maat_pii_find(s, len, sp, 16, &n) == MAAT_OK &&
        maat_pii_redact(s, len, &r, NULL) == MAAT_OK)
      maat_free(r);
    break;
  }
  default: {
    struct maat_kb_answer a;
    open_kb();
    if (maat_kb_ask(kb, s, len, &a) == MAAT_OK)
      maat_kb_answer_release(&a);
    break;
  }
  }
  maat__buf_release(&out);
  return 0;
}

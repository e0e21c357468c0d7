/*
 * gen.c - the synthetic message generator: picks a language, an intent and
 * a tone, fills a template's slots, wraps it in what people write when they
 * feel that way, adds urgency cues and the noise of real typing (typos,
 * missing capitals and full stops, chat shorthand). Deterministic for a seed.
 */
#include "gen-int.h"

#include <ctype.h>
#include <string.h>

struct maat_msggen {
  maat_gen_opts opts;
  struct maat_rng rng;
  struct maat_rng typo_rng; /* its own stream: more typos, same messages */
  struct maat_buf text;
  struct maat_buf tmp;
};

/* Tone mix of ordinary contacts and of the heavy intents (fraud, a death). */
static const double tone_mix[2][5] = {
  /* neutral positive frustrated angry distressed */
  { 0.55, 0.10, 0.18, 0.10, 0.07 },
  { 0.20, 0.00, 0.15, 0.20, 0.45 },
};

size_t maat_gen_intent_count(void)
{
  return maat__gen_intent_count;
}

const char *maat_gen_intent_name(size_t i)
{
  return i < maat__gen_intent_count ? maat__gen_intents[i].name : NULL;
}

int maat_msggen_new(const maat_gen_opts *opts, maat_msggen **out)
{
  static const maat_gen_opts defaults = MAAT_GEN_OPTS_INIT;
  maat_msggen *g;

  if (!opts)
    opts = &defaults;
  if (!(opts->nl_share >= 0 && opts->nl_share <= 1))
    return maat__fail(MAAT_EINVAL, "nl share %g is not within 0..1",
                      opts->nl_share);
  if (!(opts->typo_rate >= 0 && opts->typo_rate <= 0.5))
    return maat__fail(MAAT_EINVAL, "typo rate %g is not within 0..0.5",
                      opts->typo_rate);
  if (opts->split != MAAT_GEN_ALL && opts->split != MAAT_GEN_HISTORY &&
      opts->split != MAAT_GEN_NEW)
    return maat__fail(MAAT_EINVAL, "unknown template split %d",
                      (int)opts->split);
  g = maat__calloc(1, sizeof *g);
  if (!g)
    return maat__fail(MAAT_ENOMEM, "out of memory creating a generator");
  g->opts = *opts;
  maat__rng_seed(&g->rng, opts->seed);
  maat__rng_seed(&g->typo_rng, opts->seed ^ 0x7479706f73ULL);
  *out = g;
  return MAAT_OK;
}

void maat_msggen_free(maat_msggen *g)
{
  if (!g)
    return;
  maat__buf_release(&g->text);
  maat__buf_release(&g->tmp);
  maat__free(g);
}

static size_t list_len(const char *const *list)
{
  size_t n = 0;
  while (list[n])
    n++;
  return n;
}

static const char *pick(maat_msggen *g, const char *const *list)
{
  return list[maat__rng_below(&g->rng, list_len(list))];
}

/*
 * Picks an intent template from the split's share of the list: template i
 * belongs to "new" when i % 4 == 3, to "history" otherwise.
 */
static const char *pick_template(maat_msggen *g, const char *const *list)
{
  size_t n = list_len(list), k;
  switch (g->opts.split) {
  case MAAT_GEN_HISTORY:
    k = maat__rng_below(&g->rng, n - n / 4);
    return list[k + k / 3];
  case MAAT_GEN_NEW:
    k = maat__rng_below(&g->rng, n / 4);
    return list[4 * k + 3];
  default:
    return list[maat__rng_below(&g->rng, n)];
  }
}

static size_t pick_weighted(maat_msggen *g, const double *w, size_t n)
{
  double u = maat__rng_uniform(&g->rng), acc = 0;
  for (size_t i = 0; i < n; i++) {
    acc += w[i];
    if (u < acc)
      return i;
  }
  return n - 1;
}

/* Appends 'tpl' to g->text with its slots filled. */
static int fill(maat_msggen *g, const char *tpl, bool nl)
{
  struct maat_buf *b = &g->text;
  int rc = MAAT_OK;

  for (const char *p = tpl; *p && !rc; p++) {
    if (p[0] != '{' || !p[1] || p[2] != '}') {
      rc = maat__buf_putc(b, *p);
      continue;
    }
    switch (p[1]) {
    case 'A': {
      unsigned euros = 5 + (unsigned)maat__rng_below(&g->rng, 400);
      unsigned cents = (unsigned)maat__rng_below(&g->rng, 100);
      rc = nl ? maat__buf_printf(b, "€%u,%02u", euros, cents)
              : maat__buf_printf(b, "€%u.%02u", euros, cents);
      break;
    }
    case 'D': {
      unsigned day = 1 + (unsigned)maat__rng_below(&g->rng, 28);
      const char *m = pick(g, nl ? maat__gen_months_nl : maat__gen_months_en);
      rc = nl ? maat__buf_printf(b, "%u %s", day, m)
              : maat__buf_printf(b, "%s %u", m, day);
      break;
    }
    case 'O':
      rc = maat__buf_printf(b, "%u", 1000000u +
                            (unsigned)maat__rng_below(&g->rng, 9000000));
      break;
    case 'N': rc = maat__buf_printf(b, "%s", pick(g, maat__gen_names)); break;
    case 'C': rc = maat__buf_printf(b, "%s", pick(g, maat__gen_cities)); break;
    case 'P':
      rc = maat__buf_printf(b, "%s", pick(g, nl ? maat__gen_products_nl
                                                : maat__gen_products_en));
      break;
    case 'K':
      rc = maat__buf_printf(b, "%u", 3 + (unsigned)maat__rng_below(&g->rng, 25));
      break;
    case 'L':
      rc = maat__buf_printf(b, "%04u", (unsigned)maat__rng_below(&g->rng, 10000));
      break;
    case 'T':
      rc = maat__buf_printf(b, "%u:%02u", 8 + (unsigned)maat__rng_below(&g->rng, 12),
                            15 * (unsigned)maat__rng_below(&g->rng, 4));
      break;
    default:
      rc = maat__buf_append(b, p, 3);
    }
    p += 2;
  }
  return rc;
}

/*
 * Types the message the way people do: now and then a typo in a longer
 * ASCII word (two letters swapped, one dropped or doubled). Multi-byte
 * characters are never touched, so the text stays valid UTF-8.
 */
static int add_typos(maat_msggen *g)
{
  struct maat_buf *src = &g->text, *dst = &g->tmp;
  size_t i = 0;
  int rc = MAAT_OK;

  dst->len = 0;
  while (i < src->len && !rc) {
    size_t j = i;
    while (j < src->len && isalpha((unsigned char)src->data[j]))
      j++;
    if (j - i >= 4 && maat__rng_uniform(&g->typo_rng) < g->opts.typo_rate) {
      size_t at = i + 1 + maat__rng_below(&g->typo_rng, j - i - 2);
      char w[64];
      size_t n = j - i < sizeof w ? j - i : sizeof w - 1;
      memcpy(w, src->data + i, n);
      at -= i;
      if (at + 1 >= n)
        at = n - 2;
      switch (maat__rng_below(&g->typo_rng, 3)) {
      case 0: { char c = w[at]; w[at] = w[at + 1]; w[at + 1] = c; break; }
      case 1: memmove(w + at, w + at + 1, n - at - 1); n--; break;
      default: memmove(w + at + 1, w + at, n - at); n++; break;
      }
      rc = maat__buf_append(dst, w, n);
      i = i + (j - i < sizeof w ? j - i : sizeof w - 1);
      continue;
    }
    if (j == i)
      j = i + 1;
    rc = maat__buf_append(dst, src->data + i, j - i);
    i = j;
  }
  if (!rc) {
    struct maat_buf t = *src;
    *src = *dst;
    *dst = t;
  }
  return rc;
}

int maat_msggen_next(maat_msggen *g, maat_gen_message *msg)
{
  const struct gen_intent *in;
  const struct gen_tone *tone;
  bool nl = maat__rng_uniform(&g->rng) < g->opts.nl_share;
  size_t t;
  double intensity = 0, urgency;
  const char *open, *close;
  int rc = MAAT_OK;

  in = &maat__gen_intents[maat__rng_below(&g->rng, maat__gen_intent_count)];
  t = pick_weighted(g, tone_mix[in->heavy], 5);
  tone = &maat__gen_tones[t];
  if (t == 1)
    intensity = 0.3 + 0.4 * maat__rng_uniform(&g->rng);
  else if (t >= 2)
    intensity = 0.35 + 0.65 * maat__rng_uniform(&g->rng);

  /* Feelings show at the start, the end or both; neutral often in neither. */
  open = pick(g, nl ? tone->open_nl : tone->open_en);
  close = pick(g, nl ? tone->close_nl : tone->close_en);
  if (t != 0 && !*open && !*close)
    close = (nl ? tone->close_nl : tone->close_en)[0];

  g->text.len = 0;
  rc = fill(g, open, nl);
  if (!rc) {
    size_t body = g->text.len;
    rc = fill(g, pick_template(g, nl ? in->nl : in->en), nl);
    /* After "Hallo, " the sentence goes on in lower case. */
    if (!rc && body >= 2 && g->text.data[body - 2] == ',')
      g->text.data[body] = (char)tolower((unsigned char)g->text.data[body]);
  }
  if (!rc && *close) {
    /* Most people end a sentence before the next; some run on. */
    char last = g->text.len ? g->text.data[g->text.len - 1] : '.';
    if (!strchr(".!?)", last) && maat__rng_uniform(&g->rng) < 0.8)
      rc = maat__buf_putc(&g->text, '.');
    if (!rc)
      rc = fill(g, close, nl);
  }

  urgency = in->urgency * (0.7 + 0.3 * maat__rng_uniform(&g->rng));
  if (t == 4)
    urgency += 0.15;
  else if (t == 3)
    urgency += 0.1;
  if (!rc && maat__rng_uniform(&g->rng) < 0.12 + 0.2 * in->urgency) {
    rc = fill(g, pick(g, nl ? maat__gen_urgency_nl : maat__gen_urgency_en), nl);
    urgency += 0.3;
  }
  if (urgency > 1)
    urgency = 1;
  if (!rc && t <= 2 && maat__rng_uniform(&g->rng) < 0.08)
    rc = fill(g, pick(g, nl ? maat__gen_chat_nl : maat__gen_chat_en), nl);
  /* Strong anger shouts. */
  if (!rc && t == 3 && intensity > 0.8)
    rc = maat__buf_append(&g->text, "!!", 2);
  if (!rc)
    rc = add_typos(g);
  if (rc)
    return rc;

  /* Many people start without a capital or end without a full stop. */
  if (g->text.len > 1 && g->text.data[g->text.len - 1] == '.' &&
      maat__rng_uniform(&g->rng) < 0.3)
    g->text.data[--g->text.len] = '\0';
  if (g->text.len && maat__rng_uniform(&g->rng) < 0.2)
    g->text.data[0] = (char)tolower((unsigned char)g->text.data[0]);

  msg->text = g->text.data;
  msg->lang = nl ? "nl" : "en";
  msg->intent = in->name;
  msg->tone = tone->name;
  msg->tone_intensity = intensity;
  msg->urgency = urgency;
  return MAAT_OK;
}

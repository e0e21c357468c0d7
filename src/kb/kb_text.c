/*
 * kb_text.c - articles' text as the knowledge base keeps it: plain
 * paragraphs, a section's heading as a line "## Heading". HTML goes
 * through libxml2's HTML parser (whatever the page holds, only its text
 * is kept: scripts, styles and markup never reach the store or a reply);
 * Markdown through a line-by-line reading of the common syntax.
 */
#include "kb-int.h"
#include "maat/text.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <string.h>

int maat__kb_id_valid(const char *s)
{
  size_t n = strlen(s), bad;

  if (n == 0 || n > MAAT__KB_ID_MAX || maat_utf8_validate(s, n, &bad))
    return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
      return 0;
  return 1;
}

int maat__kb_clean(struct maat_buf *out, const char *s, size_t len)
{
  size_t bad, start = out->len;
  int space = 0, newlines = 0, rc;

  if (maat_utf8_validate(s, len, &bad))
    return maat__fail(MAAT_EUTF8, "invalid UTF-8 at byte %zu", bad);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\r')
      continue;
    if (c == '\n') {
      newlines++;
      space = 0;
      continue;
    }
    if (c < ' ' || c == 0x7f) {
      space = 1;
      continue;
    }
    if (c == ' ') {
      space = 1;
      continue;
    }
    /* Something to write: what separated it first, if anything. */
    if (out->len > start) {
      if (newlines)
        rc = maat__buf_append(out, "\n\n", newlines > 1 ? 2 : 1);
      else
        rc = space ? maat__buf_putc(out, ' ') : MAAT_OK;
      if (rc)
        return rc;
    }
    newlines = 0;
    space = 0;
    if ((rc = maat__buf_putc(out, (char)c)))
      return rc;
  }
  if ((rc = maat__buf_reserve(out, 1)))
    return rc;
  out->data[out->len] = 0;
  return MAAT_OK;
}

/* ---- HTML ---- */

struct walk {
  struct maat_buf raw;
  char *title;
  char *h1;
  int rc;
};

static int name_is(const xmlNode *n, const char *const *names)
{
  for (; *names; names++)
    if (!xmlStrcasecmp(n->name, (const xmlChar *)*names))
      return 1;
  return 0;
}

static void walk_put(struct walk *w, const char *s)
{
  if (!w->rc)
    w->rc = maat__buf_append(&w->raw, s, strlen(s));
}

/* The text under 'n', flattened (a title, a heading). */
static char *flat_text(xmlNode *n)
{
  xmlChar *c = xmlNodeGetContent(n);
  struct maat_buf b = MAAT_BUF_INIT;
  char *s = NULL;

  if (!c)
    return NULL;
  for (const xmlChar *p = c; *p; p++)
    if (maat__buf_putc(&b, *p == '\n' || *p == '\t' ? ' ' : (char)*p))
      break;
  xmlFree(c);
  if (b.data) {
    struct maat_buf t = MAAT_BUF_INIT;
    if (!maat__kb_clean(&t, b.data, b.len) && t.data)
      s = maat__strndup(t.data, t.len);
    maat__buf_release(&t);
  }
  maat__buf_release(&b);
  return s;
}

static void walk_node(struct walk *w, xmlNode *n, int depth)
{
  static const char *const skip[] = { "script", "style", "noscript",
                                      "template", "iframe", "object",
                                      "svg", "form", "button", "nav", NULL };
  static const char *const block[] = { "p", "div", "section", "article",
                                       "header", "footer", "main", "aside",
                                       "blockquote", "pre", "table", "tr",
                                       "ul", "ol", "dl", "dd", "dt",
                                       "figure", "figcaption", "hr", NULL };
  static const char *const heads[] = { "h1", "h2", "h3", "h4", "h5", "h6",
                                       NULL };

  if (depth > 200)
    return;       /* a page nested this deep is broken: the rest waits */
  for (; n && !w->rc; n = n->next) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      if (n->content)
        walk_put(w, (const char *)n->content);
      continue;
    }
    if (n->type != XML_ELEMENT_NODE)
      continue;
    if (!xmlStrcasecmp(n->name, (const xmlChar *)"title")) {
      if (!w->title)
        w->title = flat_text(n);
      continue;
    }
    if (!xmlStrcasecmp(n->name, (const xmlChar *)"head")) {
      /* Of the head, only the title. */
      for (xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !w->title &&
            !xmlStrcasecmp(c->name, (const xmlChar *)"title"))
          w->title = flat_text(c);
      continue;
    }
    if (name_is(n, skip))
      continue;
    if (name_is(n, heads)) {
      char *h = flat_text(n);
      if (h && *h) {
        if (!xmlStrcasecmp(n->name, (const xmlChar *)"h1") && !w->h1) {
          w->h1 = h;
          h = NULL;
        } else {
          walk_put(w, "\n\n## ");
          walk_put(w, h);
          walk_put(w, "\n\n");
        }
      }
      maat__free(h);
      continue;
    }
    if (!xmlStrcasecmp(n->name, (const xmlChar *)"br")) {
      walk_put(w, "\n");
      continue;
    }
    if (!xmlStrcasecmp(n->name, (const xmlChar *)"li")) {
      walk_put(w, "\n- ");
      walk_node(w, n->children, depth + 1);
      walk_put(w, "\n");
      continue;
    }
    if (name_is(n, block)) {
      walk_put(w, "\n\n");
      walk_node(w, n->children, depth + 1);
      walk_put(w, "\n\n");
      continue;
    }
    if (!xmlStrcasecmp(n->name, (const xmlChar *)"td") ||
        !xmlStrcasecmp(n->name, (const xmlChar *)"th")) {
      walk_node(w, n->children, depth + 1);
      walk_put(w, " ");
      continue;
    }
    walk_node(w, n->children, depth + 1);
  }
}

int maat__kb_html_text(const char *html, size_t len, struct maat_buf *out,
                       char **title)
{
  struct walk w = { MAAT_BUF_INIT, NULL, NULL, MAAT_OK };
  htmlDocPtr doc;
  size_t bad;
  int rc;

  *title = NULL;
  if (maat_utf8_validate(html, len, &bad))
    return maat__fail(MAAT_EUTF8, "invalid UTF-8 at byte %zu", bad);
  if (len > (size_t)1 << 30)
    return maat__fail(MAAT_EPARSE, "the page is too large");
  xmlInitParser();
  doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
                       HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                       HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
  if (!doc)
    return maat__fail(MAAT_EPARSE, "not an HTML page libxml2 can read");
  walk_node(&w, xmlDocGetRootElement(doc), 0);
  xmlFreeDoc(doc);
  rc = w.rc ? w.rc : maat__kb_clean(out, w.raw.data ? w.raw.data : "",
                                    w.raw.len);
  maat__buf_release(&w.raw);
  /* The page's <title>, else its first <h1>. */
  if (!rc && w.title && *w.title) {
    *title = w.title;
    w.title = NULL;
  } else if (!rc && w.h1) {
    *title = w.h1;
    w.h1 = NULL;
  }
  maat__free(w.title);
  maat__free(w.h1);
  return rc;
}

/* ---- Markdown ---- */

void maat__kb_front_release(struct maat__kb_front *f)
{
  maat__free(f->id);
  maat__free(f->title);
  maat__free(f->url);
  maat__free(f->lang);
  maat__free(f->tags);
  maat__free(f->owner);
  maat__free(f->status);
  memset(f, 0, sizeof *f);
}

/* 'line' trimmed of spaces at both ends, as a new string. */
static char *trimmed(const char *s, size_t n)
{
  while (n && (*s == ' ' || *s == '\t')) {
    s++;
    n--;
  }
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
    n--;
  /* Quotes around a front-matter value are not part of it. */
  if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
    s++;
    n -= 2;
  }
  return maat__strndup(s, n);
}

static int front_line(struct maat__kb_front *f, const char *s, size_t n)
{
  static const char *const keys[] = { "id", "title", "url", "lang", "tags",
                                      "owner", "status" };
  const char *colon = memchr(s, ':', n);
  char **slot[] = { &f->id, &f->title, &f->url, &f->lang, &f->tags,
                    &f->owner, &f->status };

  if (!colon)
    return MAAT_OK;
  for (int k = 0; k < 7; k++)
    if ((size_t)(colon - s) == strlen(keys[k]) &&
        !memcmp(s, keys[k], strlen(keys[k])) && !*slot[k]) {
      *slot[k] = trimmed(colon + 1, n - (size_t)(colon - s) - 1);
      return *slot[k] ? MAAT_OK : maat__fail(MAAT_ENOMEM, "out of memory");
    }
  return MAAT_OK;
}

/* One line of Markdown's inline text, markup dropped, onto 'b'. */
static int md_inline(struct maat_buf *b, const char *s, size_t n)
{
  int rc = MAAT_OK;

  for (size_t i = 0; i < n && !rc; i++) {
    char c = s[i];
    if (c == '!' && i + 1 < n && s[i + 1] == '[')
      continue;                        /* an image: its alt text stays */
    if (c == '[') {
      /* [words](url): the words. */
      const char *close = memchr(s + i, ']', n - i);
      if (close && (size_t)(close - s) + 1 < n && close[1] == '(') {
        const char *end = memchr(close, ')', n - (size_t)(close - s));
        if (end) {
          rc = md_inline(b, s + i + 1, (size_t)(close - s) - i - 1);
          i = (size_t)(end - s);
          continue;
        }
      }
    }
    if (c == '*' || c == '`' || (c == '_' && (i + 1 < n && s[i + 1] == '_')))
      continue;
    if (c == '_' && (i == 0 || s[i - 1] == ' ' || i + 1 == n ||
                     s[i + 1] == ' '))
      continue;
    rc = maat__buf_putc(b, c);
  }
  return rc;
}

int maat__kb_markdown_text(const char *md, size_t len, struct maat_buf *out,
                           struct maat__kb_front *front)
{
  struct maat_buf raw = MAAT_BUF_INIT;
  size_t i = 0, bad, prev_start = 0, prev_len = 0;
  int rc = MAAT_OK, fence = 0, have_prev = 0;

  if (maat_utf8_validate(md, len, &bad))
    return maat__fail(MAAT_EUTF8, "invalid UTF-8 at byte %zu", bad);
  /* Front matter: "---" on the first line up to the next "---". */
  if (len >= 3 && !memcmp(md, "---", 3) && (len == 3 || md[3] == '\n' ||
                                            md[3] == '\r')) {
    size_t j = 3;
    while (j < len && md[j] != '\n')
      j++;
    for (j++; j < len && !rc;) {
      size_t e = j;
      while (e < len && md[e] != '\n')
        e++;
      if (e - j >= 3 && !memcmp(md + j, "---", 3)) {
        i = e < len ? e + 1 : e;
        break;
      }
      rc = front_line(front, md + j, e - j);
      j = e + 1;
    }
  }
  while (i < len && !rc) {
    size_t e = i, k = 0, n;
    const char *s;
    while (e < len && md[e] != '\n')
      e++;
    s = md + i;
    n = e - i;
    if (n && s[n - 1] == '\r')
      n--;
    i = e + 1;
    if (n >= 3 && (!memcmp(s, "```", 3) || !memcmp(s, "~~~", 3))) {
      fence = !fence;
      rc = maat__buf_append(&raw, "\n", 1);
      continue;
    }
    if (fence) {
      if (!(rc = maat__buf_append(&raw, s, n)))
        rc = maat__buf_append(&raw, "\n", 1);
      continue;
    }
    while (k < n && k < 3 && s[k] == ' ')
      k++;
    /* Setext: a line of '=' or '-' under text makes it a heading. */
    if (have_prev && n && k < n && (s[k] == '=' || s[k] == '-')) {
      size_t m = k;
      while (m < n && s[m] == s[k])
        m++;
      while (m < n && s[m] == ' ')
        m++;
      if (m == n && n - k >= 2) {
        char *h = trimmed(raw.data + prev_start, prev_len);
        raw.len = prev_start;
        if (!h) {
          rc = maat__fail(MAAT_ENOMEM, "out of memory");
          break;
        }
        if (s[k] == '=' && !front->title) {
          front->title = h;
        } else {
          rc = maat__buf_printf(&raw, "\n\n## %s\n\n", h);
          maat__free(h);
        }
        have_prev = 0;
        continue;
      }
    }
    if (k < n && s[k] == '#') {
      size_t level = 0, a, z;
      while (k + level < n && s[k + level] == '#')
        level++;
      if (level <= 6 && (k + level == n || s[k + level] == ' ')) {
        a = k + level;
        z = n;
        while (z > a && (s[z - 1] == '#' || s[z - 1] == ' '))
          z--;
        if (level == 1 && !front->title) {
          struct maat_buf t = MAAT_BUF_INIT;
          rc = md_inline(&t, s + a, z - a);
          if (!rc)
            front->title = trimmed(t.data ? t.data : "", t.len);
          maat__buf_release(&t);
          if (!rc && !front->title)
            rc = maat__fail(MAAT_ENOMEM, "out of memory");
        } else {
          if (!(rc = maat__buf_append(&raw, "\n\n## ", 5)) &&
              !(rc = md_inline(&raw, s + a, z - a)))
            rc = maat__buf_append(&raw, "\n\n", 2);
        }
        have_prev = 0;
        continue;
      }
    }
    if (k < n && s[k] == '>') {
      k++;
      while (k < n && s[k] == ' ')
        k++;
    }
    if (k + 1 < n && (s[k] == '*' || s[k] == '+' || s[k] == '-') &&
        s[k + 1] == ' ') {
      rc = maat__buf_append(&raw, "\n- ", 3);
      k += 2;
    }
    prev_start = raw.len;
    if (!rc)
      rc = md_inline(&raw, s + k, n - k);
    prev_len = raw.len - prev_start;
    have_prev = n > k;
    if (!rc)
      rc = maat__buf_append(&raw, "\n", 1);
  }
  if (!rc)
    rc = maat__kb_clean(out, raw.data ? raw.data : "", raw.len);
  maat__buf_release(&raw);
  return rc;
}

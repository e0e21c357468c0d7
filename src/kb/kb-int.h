/*
 * kb-int.h - what the knowledge base's modules share: article ids and the
 * cleaning of text into the plain form the store keeps (paragraphs
 * separated by blank lines, a section's heading as a line "## Heading").
 */
#ifndef MAAT_KB_INT_H
#define MAAT_KB_INT_H

#include "maat-int.h"
#include "maat/kb.h"

/* The longest article id and body the knowledge base takes. */
#define MAAT__KB_ID_MAX 128
#define MAAT__KB_BODY_MAX ((size_t)4 << 20)

/* Whether 's' is an article id: 1-128 bytes, no spaces or control
 * characters, valid UTF-8. */
int maat__kb_id_valid(const char *s);

/*
 * Appends 'len' bytes of plain text to 'out' cleaned: runs of spaces and
 * tabs as one space, at most one blank line between paragraphs, no
 * control characters, trimmed. MAAT_EUTF8 for invalid UTF-8.
 */
int maat__kb_clean(struct maat_buf *out, const char *s, size_t len);

/* HTML to cleaned text (libxml2's parser; scripts and styles dropped,
 * headings as "## " lines); the page's <title> or first <h1> in '*title'
 * (owned, may be NULL). */
int maat__kb_html_text(const char *html, size_t len, struct maat_buf *out,
                       char **title);

/* A Markdown file's front matter (--- key: value ---), owned strings or
 * NULL. */
struct maat__kb_front {
  char *id, *title, *url, *lang, *tags, *owner, *status;
};
void maat__kb_front_release(struct maat__kb_front *f);

/* Markdown to cleaned text: headings as "## " lines, emphasis and link
 * markup dropped (a link keeps its words); the first "# " heading as the
 * title when the front matter has none. */
int maat__kb_markdown_text(const char *md, size_t len, struct maat_buf *out,
                           struct maat__kb_front *front);

#endif /* MAAT_KB_INT_H */

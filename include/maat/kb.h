/*
 * maat/kb.h - the knowledge base: articles imported into the store (with
 * their versions), a ranked search over them in Dutch and English, and an
 * answer that is the best passage of the best article with its citation
 * and a calibrated confidence. Below the answer threshold there is no
 * answer: the question goes to a person. docs/knowledge.md explains the
 * formats, the ranking and the figures. Included by maat.h.
 */
#ifndef MAAT_KB_H
#define MAAT_KB_H

#include <stddef.h>
#include <stdint.h>

#include "maat/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- import ---- */

struct maat_kb_import_stats {
  long files;
  long added;        /* new articles */
  long updated;      /* a new version of an article whose text changed */
  long unchanged;    /* the same text again: no new version */
  long drafts;       /* imported as drafts */
};

/*
 * Imports 'path' into the store: a JSON Lines file of articles ({"id",
 * "title", "body", "url", "lang", "tags", "owner", "status"}) or FAQs
 * ({"question", "answer", "url"}), a CSV file with a header (the same
 * columns), a Markdown (.md) or HTML (.html, .htm) file, a folder of them
 * (recursively), a Chatwoot help-centre export (the articles API's JSON:
 * {"payload": [...]}) or a Zammad knowledge-base export (an answer's JSON
 * with "assets"). 'owner' (may be NULL) is the owner of articles that name
 * none; 't' is the time stored with each version.
 *
 * All of it in one transaction: a malformed file or record fails the
 * whole import (MAAT_EPARSE, the message naming the file and line), and
 * nothing of it is kept. An article whose title and text are the same as
 * its newest version adds no version. Does not print; 'progress' (may be
 * NULL) is called after each file.
 */
int maat_kb_import(maat_store *st, const char *const *paths, int npaths,
                   const char *owner, double t,
                   void (*progress)(void *ctx, const char *path, long n),
                   void *ctx, struct maat_kb_import_stats *stats);

/*
 * Stores a new version of one article (in the caller's transaction when
 * one is open): for `maat kb remove` (status MAAT_ARTICLE_REMOVED) and for
 * drafts written from a gap. The body is cleaned as an import cleans it.
 */
int maat_kb_put(maat_store *st, const struct maat_store_article *a,
                int64_t *version);

/*
 * History: question 'question' was resolved by article 'article' (in the
 * caller's transaction when one is open). Personal data in it is replaced
 * by its type first (maat/privacy.h): resolved questions are shown to
 * colleagues as similar cases.
 */
int maat_kb_learn(maat_store *st, const char *article, const char *question,
                  double t);

/*
 * The history learns from what happened, not only from files:
 *
 * maat_kb_learn_contact(): contact 'contact', answered by the bot with
 * article 'article', ended resolved and its customer rated it 4 or 5, so
 * its words (kept for the data class "messages") resolved that article.
 * MAAT_ENOTFOUND when its words are not kept.
 *
 * maat_kb_learn_correction(): correction 'id', once approved, says the
 * bot's answer was right: its words resolved the article the bot cited.
 * '*learnt' (may be NULL) is 1 when it became history, 0 when it is no
 * such correction (another field, "wrong", "missing", not approved, no
 * words kept).
 *
 * Both mark the history learnt (meta "kb.learnt"), which a running
 * server takes into its index at most every ten minutes: a busy bot would
 * otherwise rebuild the index after every rated contact. An import
 * (maat_kb_touch()) is taken within seconds.
 */
int maat_kb_learn_contact(maat_store *st, const char *contact,
                          const char *article, double t);
int maat_kb_learn_correction(maat_store *st, int64_t id, double t,
                             int *learnt);

/*
 * The newest version of article 'id' into '*out', its strings owned
 * (release with maat_kb_article_release()). MAAT_ENOTFOUND when there is
 * none.
 */
int maat_kb_article_get(maat_store *st, const char *id,
                        struct maat_store_article *out);
void maat_kb_article_release(struct maat_store_article *a);

/* ---- search and answers ---- */

typedef struct maat_kb maat_kb;

struct maat_kb_options {
  /* Confidence at or above which the bot answers (0: calibrated). */
  double threshold;
  /* Use the history of resolved questions (default 1; -1 turns it off). */
  int history;
};

/*
 * Builds the index from the store's newest published articles and its
 * history (maat_store_kb_links()). The index is the knowledge base as it
 * was then: open again (or maat_kb_reload()) after an import.
 */
int maat_kb_open(maat_kb **out, maat_store *st,
                 const struct maat_kb_options *opts);
/* Rebuilds from the store; on failure the old index stays in use. */
int maat_kb_reload(maat_kb *kb);
void maat_kb_free(maat_kb *kb);
/* Articles and passages indexed. */
size_t maat_kb_articles(const maat_kb *kb);
size_t maat_kb_passages(const maat_kb *kb);
/*
 * The answer threshold in use: the one asked for, else the one calibrated
 * on the organisation's history (the lowest at which 92 % of its resolved
 * questions, each asked without itself, were answered right), else 0.8.
 */
double maat_kb_threshold(const maat_kb *kb);
/* How many resolved questions the confidence was calibrated on (0: none,
 * the defaults fitted on generated data serve). */
long maat_kb_calibrated(const maat_kb *kb);

#define MAAT_KB_RANKED 10

struct maat_kb_hit {
  char id[129];
  double score;
};

struct maat_kb_answer {
  int answered;            /* confidence >= threshold */
  double confidence;       /* 0..1: the chance the best article is right */
  char lang[8];            /* the question's language, "" when unknown */
  /* The best article and its passage (strings owned by 'out', valid until
   * maat_kb_answer_release()); article[0] 0 when nothing matched. */
  char article[129];
  int64_t version;
  char *title, *url, *section, *passage;
  size_t passage_start, passage_end;  /* byte offsets in the article body */
  int nranked;
  struct maat_kb_hit ranked[MAAT_KB_RANKED];
  /* The resolved questions most like this one (cosine over 0.3), with
   * the article that resolved each: "similar resolved contacts" for a
   * person's prepared case. Owned, like the strings above. */
  int nsimilar;
  struct maat_kb_similar {
    char *question;
    char article[129];
    double similarity;
  } similar[3];
  /* What the confidence was computed from (docs/knowledge.md): the
   * winner's margin over the runner-up (0..1), the share of the question's
   * weight it holds (0..1), and the cosine of the closest question it
   * resolved before (0..1). */
  double margin, cover, history;
  /* Why there is no answer, in English (msg catalogue code "kb.*"). */
  const char *why;
};

/*
 * Searches for 'question' and fills 'out' (release with
 * maat_kb_answer_release()). Thread-safe.
 */
int maat_kb_ask(maat_kb *kb, const char *question, size_t len,
                struct maat_kb_answer *out);
void maat_kb_answer_release(struct maat_kb_answer *a);

/* ---- knowledge gaps ---- */

/*
 * The questions since 'since' that got no confident answer (asked, bot
 * contacts handed to a person, bot hand-backs: maat_store_kb_questions()),
 * grouped by their subject (of each question's rarer stems, the one most
 * of them share, then the one the knowledge base lacks), groups of at
 * least 'min_count', biggest first, as
 * JSON: {"since", "questions", "gaps": [{"topic", "count", "examples" (the
 * newest three), "languages", "trend": {"last_7_days",
 * "previous_7_days"}}]} counted back from 'now'. '*out' owned.
 */
int maat_kb_gaps(maat_kb *kb, double since, double now, int min_count,
                 char **out);
/* Marks the knowledge base changed (meta "kb.changed"), so that a running
 * server reloads its index: import, remove and learn call it. */
int maat_kb_touch(maat_store *st, double t);

#ifdef __cplusplus
}
#endif

#endif /* MAAT_KB_H */

/*
 * maat/msg.h - the messages a person reads: the reasons of a triage or
 * routing decision, the router's warnings and an agent's notices.
 *
 * libmaat writes them in English from one catalogue of templates
 * (src/core/msg.c); each has a stable code and named parameters, and
 * every one has a Dutch template too. A front end shows a message in the
 * reader's language with maat_msg_render(), and gives programs its code
 * and parameters with maat_msg_parse(). The catalogue is in docs/api.md.
 */
#ifndef MAAT_MSG_H
#define MAAT_MSG_H

#include <stddef.h>

/*
 * The code of 'text' (a message as libmaat wrote it), and its parameters
 * as a JSON object (numbers as numbers) into 'params' ('cap' bytes, cut to
 * "{}" when they do not fit); NULL when 'text' is not a catalogue message
 * (a person's own words, say): 'params' is then "{}".
 */
const char *maat_msg_parse(const char *text, char *params, size_t cap);

/*
 * 'text' in 'lang' ("en" or "nl"; anything else is English): a catalogue
 * message in that language's template, with the parameters that are
 * maat's own words (tones, rules, kinds of emergency, durations, numbers)
 * in that language too; quotes of a customer stay as they were. Text not
 * in the catalogue is copied as is. Several messages joined by "; " are
 * rendered one by one. Returns the length of the whole result, like
 * snprintf; 'buf' always ends in a NUL when 'cap' > 0, cut on a character.
 */
size_t maat_msg_render(const char *text, const char *lang, char *buf,
                       size_t cap);

/*
 * The length of the first message in 'text', a list of messages joined by
 * "; " (a decision's reasons): the longest run up to a "; " or the end
 * that is one catalogue message (some have "; " inside), else up to the
 * first "; ". The next message starts 2 bytes after it, if text[len] is
 * not the end.
 */
size_t maat_msg_first(const char *text);

/* The catalogue, for docs and tests: entry 'i' (0..), NULL past the end. */
struct maat_msg_entry {
  const char *code, *en, *nl;
};
const struct maat_msg_entry *maat_msg_entry(size_t i);

#endif /* MAAT_MSG_H */

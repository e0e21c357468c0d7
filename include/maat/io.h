/*
 * maat/io.h - streaming readers for labelled and unlabelled messages in plain
 * text (one per line), CSV (RFC 4180) and JSON Lines. Every error names the
 * file, the line and what was wrong. Included by maat.h.
 */
#ifndef MAAT_IO_H
#define MAAT_IO_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum maat_format {
  MAAT_FORMAT_AUTO = 0, /* by extension: .csv, .jsonl/.ndjson/.json, else text */
  MAAT_FORMAT_TEXT = 1,
  MAAT_FORMAT_CSV = 2,
  MAAT_FORMAT_JSONL = 3
} maat_format;

/* Parses "auto", "text"/"txt", "csv", "jsonl"; MAAT_EINVAL otherwise. */
int maat_format_parse(const char *name, maat_format *out);

typedef struct maat_reader_opts {
  maat_format format;
  const char *text_field;  /* NULL: "text" */
  const char *label_field; /* NULL: "label" (CSV also accepts "category", "intent") */
  int require_label;       /* non-zero: a record without a label is an error */
} maat_reader_opts;

#define MAAT_READER_OPTS_INIT { MAAT_FORMAT_AUTO, NULL, NULL, 0 }

/*
 * One record. All strings are NUL-terminated, valid UTF-8, owned by the
 * reader and valid until the next maat_reader_next() call. 'label' is NULL
 * when the input has none.
 */
typedef struct maat_record {
  const char *text;
  size_t text_len;
  const char *label;
  size_t line; /* 1-based line where the record starts */
} maat_record;

typedef struct maat_reader maat_reader;

/*
 * Opens 'path' ("-" is standard input) for reading records. For CSV the
 * header line is read and checked here. Returns MAAT_OK, MAAT_EIO (cannot
 * open), MAAT_EPARSE (bad header, missing column) or MAAT_ENOMEM.
 */
int maat_reader_open(const char *path, const maat_reader_opts *opts,
                     maat_reader **out);

/*
 * Reads the next record. Returns MAAT_OK, MAAT_EOF at the end, or an error
 * (MAAT_EPARSE, MAAT_EUTF8, MAAT_EIO) whose message reads
 * "FILE:LINE: what was wrong". After MAAT_EPARSE or MAAT_EUTF8 the reader has
 * skipped the bad record and the next call continues with the one after it;
 * after MAAT_EIO it is finished.
 */
int maat_reader_next(maat_reader *r, maat_record *rec);

/*
 * Looks up another field of the current record by name (a CSV column or a
 * JSON key; JSON numbers and booleans come back as text). Returns NULL when
 * absent. Valid until the next maat_reader_next() call.
 */
const char *maat_reader_field(maat_reader *r, const char *name);

/* The format in use after auto-detection. */
maat_format maat_reader_format(const maat_reader *r);
void maat_reader_close(maat_reader *r);

#ifdef __cplusplus
}
#endif

#endif /* MAAT_IO_H */

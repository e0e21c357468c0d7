/*
 * io_reader.c - streaming readers for messages in plain text, CSV (RFC 4180)
 * and JSON Lines.
 *
 * One reader serves all three formats so that every command reads input the
 * same way and every error reads "FILE:LINE: what was wrong". Buffers are
 * reused from record to record: classifying a large file must not allocate
 * per line. After a bad record the reader has consumed exactly that record,
 * so a caller that skips bad input loses nothing else.
 */
#include "maat-int.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A record larger than this is refused: it is not a customer message. */
#define MAX_RECORD (1u << 20)

struct maat_reader {
  FILE *f;
  bool own_file;
  char *name;       /* for messages: the path, or "stdin" */
  maat_format format;
  int require_label;
  bool done;        /* EOF or I/O error reached */

  char *line;       /* getline() buffer */
  size_t line_cap;
  size_t lineno;    /* lines consumed so far */

  /* CSV: the header and the current row, fields NUL-separated in 'row'. */
  char **columns;
  size_t ncolumns;
  long text_col, label_col;
  struct maat_buf row;
  size_t *field_off;
  size_t field_cap;
  size_t nfields;

  /* JSONL: the current object, and text for non-string fields. */
  json_t *obj;
  char *text_key, *label_key;
  struct maat_buf scratch;   /* maat_reader_field()'s non-string values */
  struct maat_buf label_buf; /* an integer label as text */
};

int maat_format_parse(const char *name, maat_format *out)
{
  static const struct {
    const char *name;
    maat_format format;
  } names[] = {
    { "auto", MAAT_FORMAT_AUTO }, { "text", MAAT_FORMAT_TEXT },
    { "txt", MAAT_FORMAT_TEXT },  { "csv", MAAT_FORMAT_CSV },
    { "jsonl", MAAT_FORMAT_JSONL }, { "ndjson", MAAT_FORMAT_JSONL },
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strcasecmp(name, names[i].name) == 0) {
      *out = names[i].format;
      return MAAT_OK;
    }
  }
  return maat__fail(MAAT_EINVAL,
                    "unknown format '%s' (expected auto, text, csv or jsonl)",
                    name);
}

static maat_format format_from_path(const char *path)
{
  const char *dot = strrchr(path, '.');
  if (!dot || strchr(dot, '/'))
    return MAAT_FORMAT_TEXT;
  if (strcasecmp(dot, ".csv") == 0)
    return MAAT_FORMAT_CSV;
  if (strcasecmp(dot, ".jsonl") == 0 || strcasecmp(dot, ".ndjson") == 0 ||
      strcasecmp(dot, ".json") == 0)
    return MAAT_FORMAT_JSONL;
  return MAAT_FORMAT_TEXT;
}

maat_format maat_reader_format(const maat_reader *r)
{
  return r->format;
}

/*
 * Reads one physical line into r->line without its line ending. Returns its
 * length, -1 at end of input, or -2 on a read error (message set).
 */
static long read_line(maat_reader *r)
{
  ssize_t n;

  errno = 0;
  n = getline(&r->line, &r->line_cap, r->f);
  if (n < 0) {
    if (ferror(r->f)) {
      r->done = true;
      maat__fail(MAAT_EIO, "%s:%zu: read error: %s", r->name, r->lineno + 1,
                 strerror(errno ? errno : EIO));
      return -2;
    }
    return -1;
  }
  r->lineno++;
  if (n > 0 && r->line[n - 1] == '\n')
    n--;
  if (n > 0 && r->line[n - 1] == '\r')
    n--;
  r->line[n] = '\0';
  /* A UTF-8 byte order mark is not part of the first field. */
  if (r->lineno == 1 && n >= 3 && memcmp(r->line, "\xEF\xBB\xBF", 3) == 0) {
    memmove(r->line, r->line + 3, (size_t)n - 2);
    n -= 3;
  }
  return (long)n;
}

/* Checks text for invalid UTF-8; names the line on failure. */
static int check_utf8(maat_reader *r, size_t line, const char *what,
                      const char *s, size_t len)
{
  size_t bad;
  if (maat_utf8_validate(s, len, &bad) != MAAT_OK)
    return maat__fail(MAAT_EUTF8, "%s:%zu: invalid UTF-8 in %s at byte %zu",
                      r->name, line, what, bad);
  return MAAT_OK;
}

/* Also refuses NUL bytes, which would silently cut the text short. */
static int check_text(maat_reader *r, size_t line, const char *what,
                      const char *s, size_t len)
{
  if (memchr(s, '\0', len))
    return maat__fail(MAAT_EPARSE, "%s:%zu: %s contains a NUL byte", r->name,
                      line, what);
  return check_utf8(r, line, what, s, len);
}

/* ---- CSV --------------------------------------------------------------- */

static int push_field_start(maat_reader *r)
{
  if (r->nfields == r->field_cap) {
    size_t cap = r->field_cap ? r->field_cap * 2 : 16;
    size_t *p = maat__realloc(r->field_off, cap * sizeof *p);
    if (!p)
      return maat__fail(MAAT_ENOMEM, "out of memory reading '%s'", r->name);
    r->field_off = p;
    r->field_cap = cap;
  }
  r->field_off[r->nfields++] = r->row.len;
  return MAAT_OK;
}

/*
 * Parses one CSV record, which may span several lines inside quotes, into
 * r->row and r->field_off. '*start' receives the record's first line.
 * Returns MAAT_OK, MAAT_EOF, or an error.
 */
static int csv_parse_record(maat_reader *r, size_t *start)
{
  bool quoted = false; /* inside a quoted field */
  bool field_was_quoted = false;
  long n;
  int rc;

  r->row.len = 0;
  r->nfields = 0;
  n = read_line(r);
  if (n == -2)
    return MAAT_EIO;
  if (n < 0)
    return MAAT_EOF;
  *start = r->lineno;
  if ((rc = push_field_start(r)))
    return rc;

  for (;;) {
    const char *s = r->line;
    if (memchr(s, '\0', (size_t)n))
      return maat__fail(MAAT_EPARSE, "%s:%zu: line contains a NUL byte",
                        r->name, r->lineno);
    for (long i = 0; i < n; i++) {
      char c = s[i];
      if (quoted) {
        if (c == '"') {
          if (i + 1 < n && s[i + 1] == '"') {
            if ((rc = maat__buf_putc(&r->row, '"')))
              return rc;
            i++;
          } else {
            quoted = false;
          }
        } else if ((rc = maat__buf_putc(&r->row, c))) {
          return rc;
        }
      } else if (c == ',') {
        if ((rc = maat__buf_putc(&r->row, '\0')) || (rc = push_field_start(r)))
          return rc;
        field_was_quoted = false;
      } else if (c == '"') {
        if (r->row.len != r->field_off[r->nfields - 1] || field_was_quoted)
          return maat__fail(MAAT_EPARSE,
                            "%s:%zu: stray '\"' in field %zu (a quote may only "
                            "open a field, and is doubled inside one)",
                            r->name, r->lineno, r->nfields);
        quoted = true;
        field_was_quoted = true;
      } else if (field_was_quoted) {
        return maat__fail(MAAT_EPARSE,
                          "%s:%zu: text after the closing quote of field %zu",
                          r->name, r->lineno, r->nfields);
      } else if ((rc = maat__buf_putc(&r->row, c))) {
        return rc;
      }
    }
    if (!quoted)
      break;
    /* A quoted field goes on past the line end: the newline is data. */
    if (r->row.len > MAX_RECORD)
      return maat__fail(MAAT_EPARSE,
                        "%s:%zu: quoted field opened here is not closed within "
                        "1 MiB",
                        r->name, *start);
    if ((rc = maat__buf_putc(&r->row, '\n')))
      return rc;
    n = read_line(r);
    if (n == -2)
      return MAAT_EIO;
    if (n < 0)
      return maat__fail(MAAT_EPARSE,
                        "%s:%zu: quoted field is not closed before the end of "
                        "the file",
                        r->name, *start);
  }
  if (r->row.len > MAX_RECORD)
    return maat__fail(MAAT_EPARSE, "%s:%zu: record is larger than 1 MiB",
                      r->name, *start);
  return maat__buf_putc(&r->row, '\0');
}

static const char *csv_field(const maat_reader *r, size_t i)
{
  return r->row.data + r->field_off[i];
}

static long csv_find(const maat_reader *r, const char *name)
{
  for (size_t i = 0; i < r->ncolumns; i++)
    if (strcmp(r->columns[i], name) == 0)
      return (long)i;
  return -1;
}

static int csv_missing_column(maat_reader *r, const char *role,
                              const char *name)
{
  struct maat_buf cols = MAAT_BUF_INIT;
  for (size_t i = 0; i < r->ncolumns; i++)
    maat__buf_printf(&cols, "%s'%s'", i ? ", " : "", r->columns[i]);
  maat__fail(MAAT_EPARSE, "%s:1: no %s column '%s' in the header (columns: %s)",
             r->name, role, name, cols.data ? cols.data : "none");
  maat__buf_release(&cols);
  return MAAT_EPARSE;
}

static int csv_read_header(maat_reader *r, const maat_reader_opts *o)
{
  size_t start;
  int rc = csv_parse_record(r, &start);

  if (rc == MAAT_EOF)
    return maat__fail(MAAT_EPARSE, "%s:1: empty file: expected a CSV header",
                      r->name);
  if (rc)
    return rc;
  if ((rc = check_utf8(r, start, "the header", r->row.data, r->row.len - 1)))
    return rc;
  r->columns = maat__calloc(r->nfields, sizeof *r->columns);
  if (!r->columns)
    return maat__fail(MAAT_ENOMEM, "out of memory reading '%s'", r->name);
  r->ncolumns = r->nfields;
  for (size_t i = 0; i < r->nfields; i++) {
    r->columns[i] = maat__strdup(csv_field(r, i));
    if (!r->columns[i])
      return maat__fail(MAAT_ENOMEM, "out of memory reading '%s'", r->name);
  }

  r->text_col = csv_find(r, o->text_field ? o->text_field : "text");
  if (r->text_col < 0)
    return csv_missing_column(r, "text", o->text_field ? o->text_field : "text");
  if (o->label_field) {
    r->label_col = csv_find(r, o->label_field);
    if (r->label_col < 0)
      return csv_missing_column(r, "label", o->label_field);
  } else {
    static const char *const fallbacks[] = { "label", "category", "intent" };
    r->label_col = -1;
    for (size_t i = 0; i < 3 && r->label_col < 0; i++)
      r->label_col = csv_find(r, fallbacks[i]);
    if (r->label_col < 0 && r->require_label)
      return csv_missing_column(r, "label", "label");
  }
  return MAAT_OK;
}

static int csv_next(maat_reader *r, maat_record *rec)
{
  size_t start;
  const char *text, *label = NULL;
  int rc = csv_parse_record(r, &start);

  if (rc)
    return rc;
  /* A blank line between records is not a record. */
  while (r->nfields == 1 && r->row.len == 1) {
    if ((rc = csv_parse_record(r, &start)))
      return rc;
  }
  if (r->nfields != r->ncolumns)
    return maat__fail(MAAT_EPARSE, "%s:%zu: %zu fields, but the header has %zu",
                      r->name, start, r->nfields, r->ncolumns);
  text = csv_field(r, (size_t)r->text_col);
  if (r->label_col >= 0)
    label = csv_field(r, (size_t)r->label_col);
  if ((rc = check_utf8(r, start, "the record", r->row.data, r->row.len - 1)))
    return rc;
  if (*text == '\0')
    return maat__fail(MAAT_EPARSE, "%s:%zu: empty '%s' field", r->name, start,
                      r->columns[r->text_col]);
  if (label && *label == '\0')
    label = NULL;
  if (!label && r->require_label)
    return maat__fail(MAAT_EPARSE, "%s:%zu: empty label ('%s' column)", r->name,
                      start,
                      r->label_col >= 0 ? r->columns[r->label_col] : "label");
  rec->text = text;
  rec->text_len = strlen(text);
  rec->label = label;
  rec->line = start;
  return MAAT_OK;
}

/* ---- JSON Lines -------------------------------------------------------- */

/*
 * Gives a JSON value as text in r->scratch (strings as they are, numbers and
 * booleans in their JSON spelling). Returns NULL for null, objects and arrays
 * unless 'compound' asks for their compact JSON.
 */
static const char *json_as_text(maat_reader *r, json_t *v, bool compound)
{
  r->scratch.len = 0;
  switch (json_typeof(v)) {
  case JSON_STRING:
    return json_string_value(v);
  case JSON_INTEGER:
    if (maat__buf_printf(&r->scratch, "%" JSON_INTEGER_FORMAT,
                         json_integer_value(v)))
      return NULL;
    return r->scratch.data;
  case JSON_REAL:
    if (maat__buf_printf(&r->scratch, "%.17g", json_real_value(v)))
      return NULL;
    return r->scratch.data;
  case JSON_TRUE:
    return "true";
  case JSON_FALSE:
    return "false";
  case JSON_OBJECT:
  case JSON_ARRAY: {
    char *s;
    if (!compound)
      return NULL;
    s = json_dumps(v, JSON_COMPACT);
    if (!s)
      return NULL;
    maat__buf_append(&r->scratch, s, strlen(s));
    free(s); /* jansson allocated it */
    return r->scratch.data;
  }
  default:
    return NULL;
  }
}

static int jsonl_next(maat_reader *r, maat_record *rec)
{
  json_error_t err;
  json_t *text, *label;
  long n;
  int rc;

  if (r->obj) {
    json_decref(r->obj);
    r->obj = NULL;
  }
  do {
    n = read_line(r);
    if (n == -2)
      return MAAT_EIO;
    if (n < 0)
      return MAAT_EOF;
  } while (n == 0 || strspn(r->line, " \t") == (size_t)n);

  if ((size_t)n > MAX_RECORD)
    return maat__fail(MAAT_EPARSE, "%s:%zu: record is larger than 1 MiB",
                      r->name, r->lineno);
  if ((rc = check_text(r, r->lineno, "the line", r->line, (size_t)n)))
    return rc;
  r->obj = json_loadb(r->line, (size_t)n, JSON_REJECT_DUPLICATES, &err);
  if (!r->obj)
    return maat__fail(MAAT_EPARSE, "%s:%zu: invalid JSON at column %d: %s",
                      r->name, r->lineno, err.column, err.text);
  if (!json_is_object(r->obj))
    return maat__fail(MAAT_EPARSE, "%s:%zu: expected a JSON object", r->name,
                      r->lineno);
  text = json_object_get(r->obj, r->text_key);
  if (!text)
    return maat__fail(MAAT_EPARSE, "%s:%zu: no '%s' field", r->name, r->lineno,
                      r->text_key);
  if (!json_is_string(text))
    return maat__fail(MAAT_EPARSE, "%s:%zu: field '%s' is not a string",
                      r->name, r->lineno, r->text_key);
  if (json_string_length(text) == 0)
    return maat__fail(MAAT_EPARSE, "%s:%zu: empty '%s' field", r->name,
                      r->lineno, r->text_key);
  if (memchr(json_string_value(text), '\0', json_string_length(text)))
    return maat__fail(MAAT_EPARSE, "%s:%zu: field '%s' contains a NUL byte",
                      r->name, r->lineno, r->text_key);

  rec->label = NULL;
  if (r->label_key) {
    label = json_object_get(r->obj, r->label_key);
  } else {
    label = json_object_get(r->obj, "label");
    if (!label)
      label = json_object_get(r->obj, "intent");
    if (!label)
      label = json_object_get(r->obj, "category");
  }
  if (label && !json_is_null(label)) {
    if (json_is_string(label)) {
      rec->label = json_string_value(label);
    } else if (json_is_integer(label)) {
      r->label_buf.len = 0;
      if (maat__buf_printf(&r->label_buf, "%" JSON_INTEGER_FORMAT,
                           json_integer_value(label)))
        return MAAT_ENOMEM;
      rec->label = r->label_buf.data;
    } else {
      return maat__fail(MAAT_EPARSE,
                        "%s:%zu: label field is not a string or an integer",
                        r->name, r->lineno);
    }
    if (rec->label && *rec->label == '\0')
      rec->label = NULL;
  }
  if (!rec->label && r->require_label)
    return maat__fail(MAAT_EPARSE, "%s:%zu: no '%s' field", r->name, r->lineno,
                      r->label_key ? r->label_key : "label");
  rec->text = json_string_value(text);
  rec->text_len = json_string_length(text);
  rec->line = r->lineno;
  return MAAT_OK;
}

/* ---- plain text ------------------------------------------------------- */

static int text_next(maat_reader *r, maat_record *rec)
{
  long n;
  int rc;

  /* One message per line; a blank line carries no message. */
  do {
    n = read_line(r);
    if (n == -2)
      return MAAT_EIO;
    if (n < 0)
      return MAAT_EOF;
  } while (n == 0 || strspn(r->line, " \t") == (size_t)n);
  if ((size_t)n > MAX_RECORD)
    return maat__fail(MAAT_EPARSE, "%s:%zu: line is longer than 1 MiB",
                      r->name, r->lineno);
  if ((rc = check_text(r, r->lineno, "the line", r->line, (size_t)n)))
    return rc;
  rec->text = r->line;
  rec->text_len = (size_t)n;
  rec->label = NULL;
  rec->line = r->lineno;
  return MAAT_OK;
}

/* ---- the reader ------------------------------------------------------- */

int maat_reader_open(const char *path, const maat_reader_opts *opts,
                     maat_reader **out)
{
  static const maat_reader_opts defaults = MAAT_READER_OPTS_INIT;
  const maat_reader_opts *o = opts ? opts : &defaults;
  bool is_stdin = strcmp(path, "-") == 0;
  maat_reader *r;
  int rc = MAAT_OK;

  r = maat__calloc(1, sizeof *r);
  if (!r)
    return maat__fail(MAAT_ENOMEM, "out of memory opening '%s'", path);
  r->name = maat__strdup(is_stdin ? "stdin" : path);
  r->require_label = o->require_label;
  r->text_key = maat__strdup(o->text_field ? o->text_field : "text");
  if (o->label_field)
    r->label_key = maat__strdup(o->label_field);
  if (!r->name || !r->text_key || (o->label_field && !r->label_key)) {
    rc = maat__fail(MAAT_ENOMEM, "out of memory opening '%s'", path);
    goto out;
  }
  r->format = o->format;
  if (r->format == MAAT_FORMAT_AUTO)
    r->format = is_stdin ? MAAT_FORMAT_TEXT : format_from_path(path);

  if (is_stdin) {
    r->f = stdin;
  } else {
    r->f = fopen(path, "r");
    if (!r->f) {
      rc = maat__fail(MAAT_EIO, "cannot open '%s': %s", path, strerror(errno));
      goto out;
    }
    r->own_file = true;
  }
  if (r->format == MAAT_FORMAT_CSV)
    rc = csv_read_header(r, o);
out:
  if (rc) {
    maat_reader_close(r);
    return rc;
  }
  *out = r;
  return MAAT_OK;
}

int maat_reader_next(maat_reader *r, maat_record *rec)
{
  int rc;

  if (r->done)
    return MAAT_EOF;
  switch (r->format) {
  case MAAT_FORMAT_CSV:
    rc = csv_next(r, rec);
    break;
  case MAAT_FORMAT_JSONL:
    rc = jsonl_next(r, rec);
    break;
  default:
    rc = text_next(r, rec);
    break;
  }
  if (rc == MAAT_EOF || rc == MAAT_EIO)
    r->done = true;
  return rc;
}

const char *maat_reader_field(maat_reader *r, const char *name)
{
  switch (r->format) {
  case MAAT_FORMAT_CSV: {
    long i = csv_find(r, name);
    if (i < 0 || (size_t)i >= r->nfields)
      return NULL;
    return csv_field(r, (size_t)i);
  }
  case MAAT_FORMAT_JSONL: {
    json_t *v;
    if (!r->obj)
      return NULL;
    v = json_object_get(r->obj, name);
    return v ? json_as_text(r, v, true) : NULL;
  }
  default:
    return NULL;
  }
}

void maat_reader_close(maat_reader *r)
{
  if (!r)
    return;
  if (r->own_file && r->f)
    fclose(r->f);
  for (size_t i = 0; i < r->ncolumns; i++)
    maat__free(r->columns[i]);
  maat__free(r->columns);
  maat__free(r->field_off);
  maat__buf_release(&r->row);
  maat__buf_release(&r->scratch);
  maat__buf_release(&r->label_buf);
  if (r->obj)
    json_decref(r->obj);
  free(r->line); /* getline() allocated it with malloc */
  maat__free(r->name);
  maat__free(r->text_key);
  maat__free(r->label_key);
  maat__free(r);
}

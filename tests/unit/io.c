/*
 * io.c - tests for the record readers: CSV (RFC 4180), JSON Lines and plain
 * text, their error messages, and continuing after a bad record.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maat-int.h"

static char dir[] = "/tmp/maat-io-XXXXXX";

static void setup(void)
{
  cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
  char cmd[64];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  cr_assert_eq(system(cmd), 0);
}

/* Writes 'len' bytes to DIR/name and returns the path (static buffer). */
static const char *write_file(const char *name, const char *data, size_t len)
{
  static char path[128];
  FILE *f;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  f = fopen(path, "wb");
  cr_assert_not_null(f);
  cr_assert_eq(fwrite(data, 1, len, f), len);
  fclose(f);
  return path;
}
#define WRITE(name, lit) write_file((name), (lit), sizeof(lit) - 1)

static maat_reader *open_ok(const char *path, maat_format fmt, int need_label)
{
  maat_reader_opts o = MAAT_READER_OPTS_INIT;
  maat_reader *r = NULL;
  o.format = fmt;
  o.require_label = need_label;
  cr_assert_eq(maat_reader_open(path, &o, &r), MAAT_OK, "%s", maat_errmsg());
  return r;
}

TestSuite(io, .init = setup, .fini = teardown);

Test(io, csv_rfc4180_quoting)
{
  const char *p = WRITE("a.csv", "\xEF\xBB\xBFtext,label\r\n"
                                 "\"hello, world\",greet\r\n"
                                 "\"two\nlines \"\"quoted\"\"\",multi\r\n"
                                 "plain,x\n");
  maat_reader *r = open_ok(p, MAAT_FORMAT_AUTO, 1);
  maat_record rec;
  cr_assert_eq(maat_reader_format(r), MAAT_FORMAT_CSV);
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_OK);
  cr_assert_str_eq(rec.text, "hello, world");
  cr_assert_str_eq(rec.label, "greet");
  cr_assert_eq(rec.line, 2);
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_OK);
  cr_assert_str_eq(rec.text, "two\nlines \"quoted\"");
  cr_assert_eq(rec.text_len, strlen("two\nlines \"quoted\""));
  cr_assert_eq(rec.line, 3);
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_OK);
  cr_assert_str_eq(rec.text, "plain");
  cr_assert_eq(rec.line, 5, "the record after a two-line one starts on line 5");
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_EOF);
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_EOF);
  maat_reader_close(r);
}

Test(io, csv_bad_rows_are_reported_and_skipped)
{
  const char *p = WRITE("b.csv", "id,text,category\n"
                                 "1,good one,a\n"
                                 "2,too,many,fields\n"
                                 "3,\"x\"y,b\n"
                                 "4,,c\n"
                                 "5,after the bad ones,d\n");
  maat_reader *r = open_ok(p, MAAT_FORMAT_CSV, 1);
  maat_record rec;
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_OK);
  cr_assert_str_eq(rec.label, "a", "'category' is accepted as the label");
  cr_assert_str_eq(maat_reader_field(r, "id"), "1");
  cr_assert_null(maat_reader_field(r, "nope"));

  cr_assert_eq(maat_reader_next(r, &rec), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "b.csv:3: 4 fields, but the header has 3"),
            "%s", maat_errmsg());
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "b.csv:4: text after the closing quote"),
            "%s", maat_errmsg());
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "b.csv:5: empty 'text' field"), "%s",
            maat_errmsg());
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_OK, "nothing after is lost");
  cr_assert_str_eq(rec.text, "after the bad ones");
  cr_assert_eq(rec.line, 6);
  maat_reader_close(r);
}

Test(io, csv_header_problems)
{
  maat_reader_opts o = MAAT_READER_OPTS_INIT;
  maat_reader *r = NULL;
  const char *p = WRITE("c.csv", "message,label\nhi,x\n");
  cr_assert_eq(maat_reader_open(p, &o, &r), MAAT_EPARSE);
  cr_assert_null(r);
  cr_assert(strstr(maat_errmsg(), "no text column 'text'"), "%s", maat_errmsg());
  cr_assert(strstr(maat_errmsg(), "'message'"), "lists the columns: %s",
            maat_errmsg());
  o.text_field = "message";
  cr_assert_eq(maat_reader_open(p, &o, &r), MAAT_OK);
  maat_reader_close(r);

  p = WRITE("d.csv", "text\nhi\n");
  o.text_field = NULL;
  o.require_label = 1;
  cr_assert_eq(maat_reader_open(p, &o, &r), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "no label column"), "%s", maat_errmsg());

  p = WRITE("e.csv", "");
  cr_assert_eq(maat_reader_open(p, &o, &r), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "empty file"), "%s", maat_errmsg());

  cr_assert_eq(maat_reader_open("/nonexistent/x.csv", &o, &r), MAAT_EIO);
  cr_assert(strstr(maat_errmsg(), "cannot open '/nonexistent/x.csv'"));
}

Test(io, csv_unterminated_quote_names_its_line)
{
  const char *p = WRITE("f.csv", "text,label\nok,a\n\"never closed,b\nmore\n");
  maat_reader *r = open_ok(p, MAAT_FORMAT_CSV, 0);
  maat_record rec;
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_OK);
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "f.csv:3: quoted field is not closed"), "%s",
            maat_errmsg());
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_EOF);
  maat_reader_close(r);
}

Test(io, invalid_utf8_names_line_and_continues)
{
  const char *p = WRITE("g.txt", "goed\nfo\xC3\x28o\n\xED\xA0\x80\ncafé\n");
  maat_reader *r = open_ok(p, MAAT_FORMAT_AUTO, 0);
  maat_record rec;
  cr_assert_eq(maat_reader_format(r), MAAT_FORMAT_TEXT);
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_OK);
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_EUTF8);
  cr_assert(strstr(maat_errmsg(), "g.txt:2: invalid UTF-8"), "%s", maat_errmsg());
  cr_assert(strstr(maat_errmsg(), "byte 2"), "%s", maat_errmsg());
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_EUTF8, "a surrogate is refused");
  cr_assert(strstr(maat_errmsg(), "g.txt:3:"), "%s", maat_errmsg());
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_OK);
  cr_assert_str_eq(rec.text, "café");
  cr_assert_eq(rec.line, 4);
  maat_reader_close(r);
}

Test(io, text_skips_blank_lines_and_refuses_nul)
{
  const char *p = write_file("h.txt", "een\n\n   \r\ntwee\r\nd\0rie\nvier", 26);
  maat_reader *r = open_ok(p, MAAT_FORMAT_TEXT, 0);
  maat_record rec;
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_OK);
  cr_assert_str_eq(rec.text, "een");
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_OK);
  cr_assert_str_eq(rec.text, "twee", "CRLF is stripped");
  cr_assert_eq(rec.line, 4);
  cr_assert_null(rec.label);
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "h.txt:5: the line contains a NUL byte"), "%s",
            maat_errmsg());
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_OK);
  cr_assert_str_eq(rec.text, "vier", "a last line without newline counts");
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_EOF);
  maat_reader_close(r);
}

Test(io, jsonl_records_fields_and_errors)
{
  const char *p = WRITE("i.jsonl",
                        "{\"text\": \"pas kwijt\", \"label\": \"card_lost\", "
                        "\"id\": 7, \"vip\": true, \"ts\": 1.5, \"h\": [1,2]}\n"
                        "\n"
                        "[1, 2]\n"
                        "{\"text\": 5}\n"
                        "{\"label\": \"x\"}\n"
                        "{\"text\": \"kapot\", \"label\": \"x\"\n"
                        "{\"text\": \"a\", \"text\": \"b\", \"label\": \"x\"}\n"
                        "{\"text\": \"nog een\", \"label\": -1}\n");
  maat_reader *r = open_ok(p, MAAT_FORMAT_AUTO, 1);
  maat_record rec;
  cr_assert_eq(maat_reader_format(r), MAAT_FORMAT_JSONL);
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_OK);
  cr_assert_str_eq(rec.text, "pas kwijt");
  cr_assert_str_eq(rec.label, "card_lost");
  cr_assert_str_eq(maat_reader_field(r, "id"), "7");
  cr_assert_str_eq(maat_reader_field(r, "vip"), "true");
  cr_assert_str_eq(maat_reader_field(r, "ts"), "1.5");
  cr_assert_str_eq(maat_reader_field(r, "h"), "[1,2]");
  cr_assert_null(maat_reader_field(r, "absent"));

  cr_assert_eq(maat_reader_next(r, &rec), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "i.jsonl:3: expected a JSON object"), "%s",
            maat_errmsg());
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "i.jsonl:4: field 'text' is not a string"));
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "i.jsonl:5: no 'text' field"));
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "i.jsonl:6: invalid JSON at column"), "%s",
            maat_errmsg());
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_EPARSE, "duplicate keys refused");
  cr_assert(strstr(maat_errmsg(), "i.jsonl:7:"), "%s", maat_errmsg());
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_OK);
  cr_assert_str_eq(rec.label, "-1", "an integer label becomes text");
  cr_assert_eq(rec.line, 8);
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_EOF);
  maat_reader_close(r);
}

Test(io, jsonl_missing_label_when_required)
{
  const char *p = WRITE("j.jsonl", "{\"text\": \"hoi\"}\n");
  maat_reader *r = open_ok(p, MAAT_FORMAT_JSONL, 1);
  maat_record rec;
  cr_assert_eq(maat_reader_next(r, &rec), MAAT_EPARSE);
  cr_assert(strstr(maat_errmsg(), "j.jsonl:1: no 'label' field"), "%s",
            maat_errmsg());
  maat_reader_close(r);
}

Test(io, format_names)
{
  maat_format f;
  cr_assert_eq(maat_format_parse("CSV", &f), MAAT_OK);
  cr_assert_eq(f, MAAT_FORMAT_CSV);
  cr_assert_eq(maat_format_parse("ndjson", &f), MAAT_OK);
  cr_assert_eq(f, MAAT_FORMAT_JSONL);
  cr_assert_eq(maat_format_parse("xml", &f), MAAT_EINVAL);
  cr_assert(strstr(maat_errmsg(), "unknown format 'xml'"));
}

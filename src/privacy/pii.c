/*
 * pii.c - personal data in a message, by rules that can be checked: an
 * e-mail address by its shape; an IBAN by mod 97, a card number by Luhn, a
 * BSN by the 11-proof, so that an order number of the same length is left
 * alone; phone numbers in the Dutch and international ways of writing
 * them; a Dutch postcode; a date next to words about birth; and names after
 * the words people put before a name ("mijn naam is", "Dear", "dhr.") or
 * when they start with a common first name. Each detector claims bytes in
 * that order, so a card number is never also a phone number.
 * docs/privacy.md has the measured recall and precision.
 */
#include "maat-int.h"
#include "maat/privacy.h"
#include "maat/text.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

const char *maat_pii_type_name(int type)
{
  static const char *const names[] = { "?", "email", "phone", "iban", "bsn",
                                       "card", "postcode", "date_of_birth",
                                       "name" };
  return type >= 1 && type <= MAAT_PII_NAME ? names[type] : "?";
}

/* The spans found so far, kept in a fixed array (the caller's). */
struct found {
  struct maat_pii_span *out;
  size_t cap, n;
  const char *s;
  size_t len;
};

static int taken(const struct found *f, size_t a, size_t b)
{
  for (size_t i = 0; i < f->n && i < f->cap; i++)
    if (a < f->out[i].end && f->out[i].start < b)
      return 1;
  return 0;
}

static void add(struct found *f, int type, size_t a, size_t b)
{
  if (b <= a || taken(f, a, b))
    return;
  if (f->n < f->cap) {
    f->out[f->n].type = type;
    f->out[f->n].start = a;
    f->out[f->n].end = b;
  }
  f->n++;
}

static int is_alnum(unsigned char c)
{
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static int is_digit(unsigned char c)
{
  return c >= '0' && c <= '9';
}

/* ---- e-mail ---- */

static int email_local(unsigned char c)
{
  return is_alnum(c) && c < 0x80 ? 1 : c == '.' || c == '_' || c == '%' ||
                                           c == '+' || c == '-';
}

static void find_email(struct found *f)
{
  const unsigned char *s = (const unsigned char *)f->s;

  for (size_t i = 1; i + 1 < f->len; i++) {
    size_t a = i, b = i + 1, dot = 0;
    if (s[i] != '@')
      continue;
    while (a > 0 && email_local(s[a - 1]))
      a--;
    while (a < i && s[a] == '.')
      a++;
    while (b < f->len && ((is_alnum(s[b]) && s[b] < 0x80) || s[b] == '.' ||
                          s[b] == '-'))
      b++;
    while (b > i + 1 && (s[b - 1] == '.' || s[b - 1] == '-'))
      b--;
    for (size_t k = i + 1; k < b; k++)
      if (s[k] == '.')
        dot = k;
    /* A local part, a domain with a dot and a top level of 2+ letters. */
    if (a < i && dot && dot > i + 1 && b - dot > 2)
      add(f, MAAT_PII_EMAIL, a, b);
  }
}

/* ---- numbers with check digits ---- */

/* Collects the digits (and letters, for an IBAN) of a run starting at i
 * that allows single spaces, dashes or dots between groups: the bytes end
 * in '*end', the characters in 'buf' (at most 'cap' - 1). */
static size_t run(const struct found *f, size_t i, int letters, char *buf,
                  size_t cap, size_t *end)
{
  const unsigned char *s = (const unsigned char *)f->s;
  size_t n = 0, j = i, last = i;

  while (j < f->len && n + 1 < cap) {
    unsigned char c = s[j];
    if (is_digit(c) || (letters && isalpha(c) && c < 0x80)) {
      buf[n++] = (char)toupper(c);
      last = ++j;
    } else if ((c == ' ' || c == '-' || c == '.') && j + 1 < f->len &&
               (is_digit(s[j + 1]) ||
                (letters && isalpha(s[j + 1]) && s[j + 1] < 0x80))) {
      j++;
    } else {
      break;
    }
  }
  buf[n] = 0;
  *end = last;
  return n;
}

static int iban_ok(const char *c, size_t n)
{
  unsigned rem = 0;

  if (n < 15 || n > 34 || !isalpha((unsigned char)c[0]) ||
      !isalpha((unsigned char)c[1]) || !is_digit((unsigned char)c[2]) ||
      !is_digit((unsigned char)c[3]))
    return 0;
  for (size_t k = 0; k < n; k++) {
    char ch = c[(k + 4) % n];
    if (is_digit((unsigned char)ch))
      rem = (rem * 10 + (unsigned)(ch - '0')) % 97;
    else if (ch >= 'A' && ch <= 'Z')
      rem = (rem * 100 + (unsigned)(ch - 'A' + 10)) % 97;
    else
      return 0;
  }
  return rem == 1;
}

static void find_iban(struct found *f)
{
  const unsigned char *s = (const unsigned char *)f->s;

  for (size_t i = 0; i + 15 <= f->len; i++) {
    char c[40];
    size_t end, n;
    if ((i && is_alnum(s[i - 1])) || !isalpha(s[i]) || !isalpha(s[i + 1]) ||
        !is_digit(s[i + 2]))
      continue;
    n = run(f, i, 1, c, sizeof c, &end);
    /* The longest prefix that checks: text may follow the number. */
    for (; n >= 15; n--) {
      if (iban_ok(c, n)) {
        /* Back to the byte after the n-th character. */
        size_t k = i, m = 0;
        while (k < end && m < n) {
          if (is_alnum(s[k]))
            m++;
          k++;
        }
        add(f, MAAT_PII_IBAN, i, k);
        i = k;
        break;
      }
    }
  }
}

static int luhn(const char *d, size_t n)
{
  int sum = 0;

  for (size_t k = 0; k < n; k++) {
    int v = d[n - 1 - k] - '0';
    if (k % 2) {
      v *= 2;
      if (v > 9)
        v -= 9;
    }
    sum += v;
  }
  return sum % 10 == 0;
}

static int bsn_ok(const char *d)
{
  int sum = 0, same = 1;

  for (int k = 0; k < 8; k++) {
    sum += (9 - k) * (d[k] - '0');
    same &= d[k] == d[0];
  }
  sum -= d[8] - '0';
  return sum % 11 == 0 && !same && sum != 0;
}

static void find_card_bsn(struct found *f)
{
  const unsigned char *s = (const unsigned char *)f->s;

  for (size_t i = 0; i < f->len; i++) {
    char d[40];
    size_t end, n;
    if (!is_digit(s[i]) || (i && (is_alnum(s[i - 1]) || s[i - 1] == '+')))
      continue;
    n = run(f, i, 0, d, sizeof d, &end);
    if (end < f->len && is_alnum((unsigned char)s[end])) {
      i = end;
      continue;
    }
    if (n >= 13 && n <= 19 && luhn(d, n))
      add(f, MAAT_PII_CARD, i, end);
    else if (n == 9 && bsn_ok(d))
      add(f, MAAT_PII_BSN, i, end);
    i = end;
  }
}

/* ---- phone numbers ---- */

static int phone_char(unsigned char c)
{
  return is_digit(c) || c == ' ' || c == '-' || c == '.' || c == '(' ||
         c == ')' || c == '/';
}

/* Whether the digits look like a date (dd-mm-yyyy, yyyy-mm-dd). */
static int date_like(const unsigned char *s, size_t a, size_t b)
{
  int groups[4] = { 0 }, ng = 0, seps = 0;

  for (size_t k = a; k < b; k++) {
    if (is_digit(s[k])) {
      if (ng == 0 || (k > a && !is_digit(s[k - 1])))
        ng++;
      if (ng <= 4)
        groups[ng - 1]++;
    } else if (s[k] == '-' || s[k] == '/' || s[k] == '.') {
      seps++;
    }
  }
  return ng == 3 && seps >= 2 &&
         ((groups[2] == 4 && groups[0] <= 2 && groups[1] <= 2) ||
          (groups[0] == 4 && groups[1] <= 2 && groups[2] <= 2));
}

/* Numbers of other shapes: a US social security number (ddd-dd-dddd), a
 * US ZIP+4 code (ddddd-dddd) and an IPv4 address (four dotted groups of
 * up to three digits). */
static int other_number(const unsigned char *s, size_t a, size_t b)
{
  int len[8] = { 0 }, ng = 0, dots = 0, dashes = 0;

  for (size_t k = a; k < b; k++) {
    if (is_digit(s[k])) {
      if (k == a || !is_digit(s[k - 1]))
        ng++;
      if (ng <= 8)
        len[ng - 1]++;
    } else if (s[k] == '.') {
      dots++;
    } else if (s[k] == '-') {
      dashes++;
    } else {
      return 0;
    }
  }
  if (ng == 3 && dashes == 2 && !dots && len[0] == 3 && len[1] == 2 &&
      len[2] == 4)
    return 1;
  if (ng == 2 && dashes == 1 && !dots && len[0] == 5 && len[1] == 4)
    return 1;
  return ng == 4 && dots == 3 && !dashes && len[0] <= 3 && len[1] <= 3 &&
         len[2] <= 3 && len[3] <= 3;
}

static void find_phone(struct found *f)
{
  const unsigned char *s = (const unsigned char *)f->s;

  for (size_t i = 0; i < f->len; i++) {
    size_t b = i, digits = 0, seps = 0, last = i, end;
    int plus = s[i] == '+', paren = s[i] == '(';
    if (!(plus || paren || is_digit(s[i])) ||
        (i && (is_alnum(s[i - 1]) || s[i - 1] == '+')))
      continue;
    if (plus && (i + 1 >= f->len || !is_digit(s[i + 1])))
      continue;
    b = i + (size_t)plus;
    while (b < f->len && phone_char(s[b])) {
      /* Two spaces, or a space after a separator, end the number. */
      if (s[b] == ' ' && b + 1 < f->len && !is_digit(s[b + 1]) &&
          s[b + 1] != '(')
        break;
      if (is_digit(s[b])) {
        digits++;
        last = b + 1;
      } else {
        seps++;
      }
      b++;
    }
    /* An extension written on ("555-123-4567x890") is part of it. */
    end = last;
    if (digits >= 9 && last + 1 < f->len && (s[last] == 'x' ||
                                              s[last] == 'X') &&
        is_digit(s[last + 1])) {
      size_t e = last + 1;
      while (e < f->len && e - last <= 6 && is_digit(s[e]))
        e++;
      if (e - last - 1 <= 5 && (e == f->len || !is_alnum(s[e])))
        end = e;
    }
    if (end < f->len && is_alnum(s[end]))
      continue;
    if (digits < 8 || digits > 15 || date_like(s, i, last) ||
        other_number(s, i, last) || taken(f, i, last)) {
      i = end > i ? end - 1 : i;
      continue;
    }
    {
      /* The first digit (after "+" or "("): a trunk 0, a country code or
       * a parenthesised area code make it a phone number; otherwise ten
       * digits, or nine or more in groups. */
      size_t k = i;
      while (k < last && !is_digit(s[k]))
        k++;
      if (plus || paren || (s[k] == '0' && digits >= 9) ||
          (seps && digits >= 9) || digits == 10)
        add(f, MAAT_PII_PHONE, i, end);
    }
    i = end > i ? end - 1 : i;
  }
}

/* ---- postcode ---- */

static void find_postcode(struct found *f)
{
  const unsigned char *s = (const unsigned char *)f->s;

  for (size_t i = 0; i + 6 <= f->len; i++) {
    size_t j = i + 4;
    if ((i && is_alnum(s[i - 1])) || s[i] < '1' || s[i] > '9' ||
        !is_digit(s[i + 1]) || !is_digit(s[i + 2]) || !is_digit(s[i + 3]))
      continue;
    if (j < f->len && s[j] == ' ')
      j++;
    if (j + 2 > f->len || !isupper(s[j]) || !isupper(s[j + 1]) ||
        (j + 2 < f->len && is_alnum(s[j + 2])))
      continue;
    /* SA, SD and SS are never issued. */
    if (s[j] == 'S' && (s[j + 1] == 'A' || s[j + 1] == 'D' ||
                        s[j + 1] == 'S'))
      continue;
    add(f, MAAT_PII_POSTCODE, i, j + 2);
  }
}

/* ---- date of birth ---- */

static const char *const months[] = {
  "januari", "februari", "maart", "april", "mei", "juni", "juli",
  "augustus", "september", "oktober", "november", "december", "january",
  "february", "march", "may", "june", "july", "august", "october", "jan",
  "feb", "mrt", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "okt",
  "oct", "nov", "dec", NULL
};

static size_t month_at(const unsigned char *s, size_t i, size_t len)
{
  for (int k = 0; months[k]; k++) {
    size_t n = strlen(months[k]);
    if (i + n <= len && !strncasecmp((const char *)s + i, months[k], n) &&
        (i + n == len || !is_alnum(s[i + n])))
      return n + (i + n < len && s[i + n] == '.');
  }
  return 0;
}

/* A date at i: its end, or 0. */
static size_t date_at(const unsigned char *s, size_t i, size_t len)
{
  size_t j = i, n;

  if (!is_digit(s[i]))
    return 0;
  while (j < len && is_digit(s[j]) && j - i < 4)
    j++;
  if (j < len && (s[j] == '-' || s[j] == '/' || s[j] == '.')) {
    size_t end = j + 1, groups = 2;  /* the groups before and after s[j] */
    while (end < len && (is_digit(s[end]) || s[end] == '-' || s[end] == '/' ||
                         s[end] == '.')) {
      if (!is_digit(s[end]))
        groups++;
      end++;
    }
    while (end > j && !is_digit(s[end - 1]))
      end--;
    return groups == 3 && date_like(s, i, end) ? end : 0;
  }
  /* "12 maart 1980" */
  if (j - i <= 2 && j < len && s[j] == ' ' && (n = month_at(s, j + 1, len))) {
    size_t k = j + 1 + n;
    if (k + 5 <= len && s[k] == ' ' && is_digit(s[k + 1]) &&
        is_digit(s[k + 2]) && is_digit(s[k + 3]) && is_digit(s[k + 4]))
      return k + 5;
  }
  return 0;
}

static void find_birth(struct found *f)
{
  static const char *const cues[] = { "geboren", "geboortedatum", "geb.",
                                      "born", "birth", "dob", "d.o.b",
                                      "verjaardag", "birthday", NULL };
  const unsigned char *s = (const unsigned char *)f->s;

  for (size_t i = 0; i < f->len; i++) {
    size_t end;
    int cue = 0;
    if ((i && is_alnum(s[i - 1])) || !(end = date_at(s, i, f->len)))
      continue;
    /* A word about birth in the 40 bytes before it. */
    for (size_t k = i > 40 ? i - 40 : 0; k < i && !cue; k++)
      for (int c = 0; cues[c] && !cue; c++)
        cue = k + strlen(cues[c]) <= i &&
              !strncasecmp((const char *)s + k, cues[c], strlen(cues[c]));
    if (cue)
      add(f, MAAT_PII_DATE_OF_BIRTH, i, end);
    i = end;
  }
}

/* ---- names ---- */

/* Common given names, Dutch and English (lower case). */
static const char *const first_names[] = {
  "aad", "adam", "adriaan", "albert", "alex", "alexander", "alice", "amy",
  "anna", "anne", "annemarie", "anouk", "arjen", "astrid", "bart", "bas",
  "ben", "bert", "bram", "brian", "carla", "carlos", "caroline", "charlotte",
  "chris", "claire", "daan", "daniel", "david", "dennis", "dirk", "edwin",
  "eline", "elisabeth", "ellen", "emily", "emma", "erik", "esther", "eva",
  "femke", "floor", "frank", "fleur", "george", "gerrit", "hans", "hanna",
  "hannah", "harry", "hein", "hendrik", "henk", "ilse", "inge", "ingrid",
  "iris", "jaap", "jack", "jacob", "james", "jan", "jane", "janneke",
  "jasper", "jeroen", "jessica", "joost", "john", "jos", "joris", "jort",
  "julia", "karin", "kees", "kevin", "kim", "klaas", "koen", "laura",
  "lars", "lieke", "linda", "lisa", "lotte", "lucas", "luuk", "maaike",
  "marco", "maria", "marieke", "mark", "marloes", "martijn", "martin",
  "mary", "matthijs", "max", "meike", "michael", "michel", "milan", "mohamed",
  "monique", "nina", "noah", "noor", "olivia", "patrick", "paul", "peter",
  "petra", "piet", "pieter", "priya", "rachel", "richard", "rik", "rob",
  "robert", "robin", "roos", "ruben", "sam", "sander", "sandra", "sara",
  "sarah", "sem", "sophie", "stefan", "steven", "susan", "sven", "thomas",
  "tim", "tom", "vera", "wendy", "willem", "william", "wim", "yvonne",
  "zoe", NULL
};

static const char *const name_cues[] = {
  "mijn naam is", "ik ben", "ik heet", "my name is", "i am", "i'm",
  "this is", "dit is", "namens", "dhr", "mevr", "mw", "meneer", "mevrouw",
  "mr", "mrs", "ms", "miss", "dr", "beste", "geachte", "dear", "groet",
  "groeten", "regards", "sincerely", "contactpersoon", "spreek ik met",
  "met vriendelijke groet", NULL
};

static const char *const titles[] = { "dhr", "mevr", "mw", "meneer",
                                      "mevrouw", "mr", "mrs", "ms", "miss",
                                      "dr", NULL };

static const char *const particles[] = { "van", "de", "der", "den", "te",
                                         "ter", "ten", "het", "'t", "von",
                                         "da", "di", "le", "la", NULL };

/* The code point at s[i] and its length; 0 at the end. */
static size_t cp_at(const unsigned char *s, size_t i, size_t len,
                    utf8proc_int32_t *cp)
{
  utf8proc_ssize_t n = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i),
                                        cp);
  return n > 0 ? (size_t)n : 0;
}

/* A capitalised word at i (letters, inner hyphens and apostrophes): its
 * end, or i. */
static size_t cap_word(const unsigned char *s, size_t i, size_t len)
{
  utf8proc_int32_t cp;
  size_t n = i < len ? cp_at(s, i, len, &cp) : 0, j;

  if (!n || utf8proc_category(cp) != UTF8PROC_CATEGORY_LU)
    return i;
  j = i + n;
  while (j < len) {
    size_t m = cp_at(s, j, len, &cp);
    if (!m)
      break;
    if (utf8proc_category(cp) == UTF8PROC_CATEGORY_LL ||
        utf8proc_category(cp) == UTF8PROC_CATEGORY_LU) {
      j += m;
    } else if ((cp == '-' || cp == '\'') && j + 1 < len &&
               cp_at(s, j + 1, len, &cp) &&
               (utf8proc_category(cp) == UTF8PROC_CATEGORY_LL ||
                utf8proc_category(cp) == UTF8PROC_CATEGORY_LU)) {
      j++;
    } else {
      break;
    }
  }
  /* An initial: "J." */
  if (j - i == n && j < len && s[j] == '.')
    return j + 1;
  return j - i > n || (j < len && s[j] == '.') ? j : (j - i == n ? i : j);
}

static size_t particle_at(const unsigned char *s, size_t i, size_t len)
{
  for (int k = 0; particles[k]; k++) {
    size_t n = strlen(particles[k]);
    if (i + n < len && !strncmp((const char *)s + i, particles[k], n) &&
        s[i + n] == ' ')
      return n + 1;
  }
  return 0;
}

/* A name from i: capitalised words with particles between; its end. */
static size_t name_from(const unsigned char *s, size_t i, size_t len)
{
  size_t end = i, j = i;
  int words = 0;

  while (j < len && words < 5) {
    size_t w = cap_word(s, j, len), p;
    if (w > j) {
      end = w;
      words++;
      j = w;
      if (j < len && s[j] == ' ')
        j++;
      continue;
    }
    /* "van der" between two capitalised words */
    if (words && (p = particle_at(s, j, len))) {
      size_t k = j + p, q;
      while ((q = particle_at(s, k, len)))
        k += q;
      if (cap_word(s, k, len) > k) {
        j = k;
        continue;
      }
    }
    break;
  }
  return end;
}

static int first_name(const unsigned char *s, size_t i, size_t end)
{
  char w[32];
  size_t n = end - i;

  if (n >= sizeof w)
    return 0;
  for (size_t k = 0; k < n; k++)
    w[k] = (char)tolower(s[i + k]);
  w[n] = 0;
  for (int k = 0; first_names[k]; k++)
    if (!strcmp(w, first_names[k]))
      return 1;
  return 0;
}

static void find_names(struct found *f)
{
  const unsigned char *s = (const unsigned char *)f->s;

  for (size_t i = 0; i < f->len; i++) {
    size_t end;
    if (i && is_alnum(s[i - 1]))
      continue;
    /* After a cue: "mijn naam is Anna de Vries", "Dear Mr. Smith". */
    for (int c = 0; name_cues[c]; c++) {
      size_t n = strlen(name_cues[c]), j = i + n;
      if (j >= f->len || strncasecmp((const char *)s + i, name_cues[c], n) ||
          is_alnum(s[j]))
        continue;
      while (j < f->len && (s[j] == ' ' || s[j] == '.' || s[j] == ',' ||
                            s[j] == ':'))
        j++;
      /* A title after the cue: "Beste mevrouw Jansen". */
      for (int t = 0; titles[t]; t++) {
        size_t m = strlen(titles[t]);
        if (j + m < f->len &&
            !strncasecmp((const char *)s + j, titles[t], m) &&
            !is_alnum(s[j + m])) {
          j += m;
          while (j < f->len && (s[j] == ' ' || s[j] == '.'))
            j++;
          break;
        }
      }
      end = name_from(s, j, f->len);
      if (end > j) {
        add(f, MAAT_PII_NAME, j, end);
        i = end;
        break;
      }
    }
    if (i >= f->len)
      break;
    /* A common first name, and the capitalised words after it. */
    end = cap_word(s, i, f->len);
    if (end > i && first_name(s, i, end)) {
      size_t all = name_from(s, i, f->len);
      add(f, MAAT_PII_NAME, i, all);
      i = all;
    }
  }
}

static int cmp_span(const void *a, const void *b)
{
  const struct maat_pii_span *x = a, *y = b;

  return (x->start > y->start) - (x->start < y->start);
}

int maat_pii_find(const char *s, size_t len, struct maat_pii_span *out,
                  size_t cap, size_t *n)
{
  struct found f = { out, cap, 0, s, len };
  size_t bad;

  if (!s || !n || (cap && !out))
    return maat__fail(MAAT_EINVAL, "maat_pii_find: invalid argument");
  *n = 0;
  if (maat_utf8_validate(s, len, &bad))
    return maat__fail(MAAT_EUTF8, "invalid UTF-8 at byte %zu", bad);
  find_email(&f);
  find_iban(&f);
  find_card_bsn(&f);
  find_birth(&f);
  find_phone(&f);
  find_postcode(&f);
  find_names(&f);
  if (cap && f.n)
    qsort(out, f.n < cap ? f.n : cap, sizeof *out, cmp_span);
  *n = f.n;
  return MAAT_OK;
}

int maat_pii_redact(const char *s, size_t len, char **out, size_t *outlen)
{
  struct maat_pii_span sp[256];
  struct maat_buf b = MAAT_BUF_INIT;
  size_t n, at = 0;
  int rc;

  if (!out)
    return maat__fail(MAAT_EINVAL, "maat_pii_redact: invalid argument");
  if ((rc = maat_pii_find(s, len, sp, 256, &n)))
    return rc;
  if (n > 256)
    n = 256;   /* more than 256 in one message: the rest stays (rare) */
  for (size_t k = 0; k < n && !rc; k++) {
    char tag[32];
    size_t t = 0;
    const char *name = maat_pii_type_name(sp[k].type);
    tag[t++] = '[';
    for (; *name && t < sizeof tag - 2; name++)
      tag[t++] = (char)toupper((unsigned char)*name);
    tag[t++] = ']';
    if (!(rc = maat__buf_append(&b, s + at, sp[k].start - at)))
      rc = maat__buf_append(&b, tag, t);
    at = sp[k].end;
  }
  if (!rc)
    rc = maat__buf_append(&b, s + at, len - at);
  if (!rc)
    rc = maat__buf_putc(&b, 0);
  if (rc) {
    maat__buf_release(&b);
    return rc;
  }
  *out = b.data;
  if (outlen)
    *outlen = b.len - 1;
  return MAAT_OK;
}

/*
 * privacy.c - tests for finding personal data: each type found in the ways
 * people write it, numbers that fail their check digits left alone, and
 * the redacted text.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "maat.h"

/* The types found in 's', joined by ',' ("email,phone"). */
static const char *types(const char *s)
{
  static char out[256];
  struct maat_pii_span sp[32];
  size_t n;

  out[0] = 0;
  cr_assert_eq(maat_pii_find(s, strlen(s), sp, 32, &n), MAAT_OK);
  for (size_t k = 0; k < n; k++)
    snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s",
             k ? "," : "", maat_pii_type_name(sp[k].type));
  return out;
}

static const char *redacted(const char *s)
{
  static char out[512];
  char *r;
  cr_assert_eq(maat_pii_redact(s, strlen(s), &r, NULL), MAAT_OK);
  snprintf(out, sizeof out, "%s", r);
  maat_free(r);
  return out;
}

Test(privacy, numbers_are_found_only_when_their_check_digits_hold)
{
  cr_assert_str_eq(types("IBAN NL91ABNA0417164300 graag"), "iban");
  cr_assert_str_eq(types("iban nl91 abna 0417 1643 00."), "iban");
  cr_assert_str_eq(types("GB82 WEST 1234 5698 7654 32"), "iban");
  cr_assert_str_eq(types("NL91ABNA0417164301"), "", "mod 97 fails");
  cr_assert_str_eq(types("card 4111 1111 1111 1111"), "card");
  cr_assert_str_eq(types("4111-1111-1111-1111"), "card");
  cr_assert_str_eq(types("4111 1111 1111 1112"), "", "Luhn fails");
  cr_assert_str_eq(types("mijn BSN is 111222333"), "bsn");
  cr_assert_str_eq(types("BSN 123456782"), "bsn");
  cr_assert_str_eq(types("ordernummer 123456789"), "", "not 11-proof");
  cr_assert_str_eq(types("bestelling 4412345678902"), "", "13 digits, no Luhn");
}

Test(privacy, phone_numbers_dutch_and_international)
{
  static const char *const yes[] = {
    "bel 06-12345678", "06 12 34 56 78", "(06)12345678", "+31 6 12345678",
    "+31612345678", "0031612345678", "020-1234567", "(020) 123 4567",
    "0314-555555", "+44 20 7946 0958", "call 905-674-3793",
    "(541) 714-1388", "call 555-123-4567x890 now", "001-202-555-0143x5555",
    "(555)123-4567x12",
  };
  static const char *const no[] = {
    "op 12-03-2024 besteld", "order 2024-03-12", "IP 192.168.100.200",
    "SSN 123-45-6789", "25 euro", "artikel 12345", "a 1920x1080 screen",
    "code 123456789x12", "Springfield, IL 62704-1234",
  };
  for (size_t k = 0; k < sizeof yes / sizeof *yes; k++)
    cr_assert_str_eq(types(yes[k]), "phone", "%s", yes[k]);
  for (size_t k = 0; k < sizeof no / sizeof *no; k++)
    cr_assert_str_eq(types(no[k]), "", "%s: %s", no[k], types(no[k]));
}

Test(privacy, emails_postcodes_dates_of_birth_and_names)
{
  cr_assert_str_eq(types("mail a.b.naam-12@umcutrecht.nl."), "email");
  cr_assert_str_eq(types("Van persoon@gmail.com een mail"), "email");
  cr_assert_str_eq(types("niet@ geen mail"), "");
  cr_assert_str_eq(types("Stationsplein 1, 3511 ED Utrecht"), "postcode");
  cr_assert_str_eq(types("1234AB"), "postcode");
  cr_assert_str_eq(types("code 1234 SS"), "", "SS is never issued");
  cr_assert_str_eq(types("geboren op 12-03-1980"), "date_of_birth");
  cr_assert_str_eq(types("date of birth: 3 march 1975"), "date_of_birth");
  cr_assert_str_eq(types("besteld op 12-03-1980"), "", "no birth cue");
  cr_assert_str_eq(types("Mijn naam is Anna de Vries"), "name");
  cr_assert_str_eq(types("Beste mevrouw Jansen, dank u"), "name");
  cr_assert_str_eq(types("Dear Mr. Smith,"), "name");
  cr_assert_str_eq(types("Groet, Pieter van der Berg"), "name");
  cr_assert_str_eq(types("vanmiddag sprak ik Sophie Bakker"), "name");
  cr_assert_str_eq(types("Het pakket is niet bezorgd"), "", "%s",
                   types("Het pakket is niet bezorgd"));
}

Test(privacy, redacted_text_keeps_the_rest)
{
  cr_assert_str_eq(redacted("Mijn naam is Anna de Vries, bel 06-12345678 of "
                            "mail anna@example.nl"),
                   "Mijn naam is [NAME], bel [PHONE] of mail [EMAIL]");
  cr_assert_str_eq(redacted("IBAN NL91 ABNA 0417 1643 00, BSN 111222333"),
                   "IBAN [IBAN], BSN [BSN]");
  cr_assert_str_eq(redacted("niets persoonlijks hier"),
                   "niets persoonlijks hier");
  {
    char *r;
    cr_assert_eq(maat_pii_redact("\xff", 1, &r, NULL), MAAT_EUTF8);
  }
}

/* ---- erasure: the store's copies, the snapshot resealed ---- */

uint32_t maat__crc32c(uint32_t crc, const void *p, size_t n);

static int take_line(void *ctx, int64_t seq, const char *line, size_t len)
{
  char *all = ctx;
  size_t at = strlen(all);
  (void)seq;
  snprintf(all + at, 1024 - at, "%.*s\n", (int)len, line);
  return 0;
}

Test(privacy, erase_overwrites_the_id_whole_and_reseals_the_snapshot)
{
  static const char *const lines[] = {
    "{\"type\":\"contact\",\"id\":\"k1\",\"t\":1,\"customer\":\"klant-4711\"}",
    "{\"type\":\"contact\",\"id\":\"k2\",\"t\":2,\"customer\":\"klant-47\"}",
    "{\"type\":\"contact\",\"id\":\"k3\",\"t\":3,\"customer\":\"klant-47110\"}",
  };
  unsigned char snap[64], *got = NULL;
  uint32_t len = 10, crc;
  struct maat_erase_report r;
  maat_store *st = NULL;
  char all[1024] = "";
  size_t n = 0, glen = 0;
  int64_t seq;
  void *data = NULL;

  cr_assert_eq(maat_store_open(&st, "memory:"), MAAT_OK);
  for (int i = 0; i < 3; i++)
    cr_assert_eq(maat_store_event_append(st, i, lines[i], strlen(lines[i]),
                                         &seq), MAAT_OK);
  /* A snapshot as the engine writes one: strings with their length, the
   * id also as the tail of a longer one, a checksum at the end. */
  memcpy(snap + n, &len, 4), n += 4;
  memcpy(snap + n, "klant-4711", 10), n += 10;
  len = 11;
  memcpy(snap + n, &len, 4), n += 4;
  memcpy(snap + n, "klant-47110", 11), n += 11;
  crc = maat__crc32c(0, snap, n);
  memcpy(snap + n, &crc, 4), n += 4;
  cr_assert_eq(maat_store_snapshot_put(st, 3, snap, n), MAAT_OK);
  cr_assert_eq(maat_privacy_erase(st, "klant-4711", NULL, &r), MAAT_OK, "%s",
               maat_errmsg());
  cr_assert_eq(r.contacts, 1);
  cr_assert_eq(strlen(r.pseudonym), 10);
  cr_assert_eq(maat_store_events(st, 0, take_line, all), MAAT_OK);
  cr_assert(!strstr(all, "\"klant-4711\""), "%s", all);
  cr_assert(strstr(all, r.pseudonym), "%s", all);
  cr_assert(strstr(all, "\"klant-47\""), "a shorter id is another customer");
  cr_assert(strstr(all, "\"klant-47110\""), "so is a longer one");
  cr_assert_eq(maat_store_snapshot_latest(st, &seq, &data, &glen), MAAT_OK);
  got = data;
  cr_assert_eq(glen, n, "the snapshot keeps its length");
  cr_assert_eq(memcmp(got + 4, r.pseudonym, 10), 0);
  cr_assert_eq(memcmp(got + 18, "klant-47110", 11), 0,
               "the longer id is left alone");
  memcpy(&crc, got + glen - 4, 4);
  cr_assert_eq(crc, maat__crc32c(0, got, glen - 4), "resealed");
  maat_free(data);
  maat_store_close(st);
}

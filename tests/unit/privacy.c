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
    "(541) 714-1388",
  };
  static const char *const no[] = {
    "op 12-03-2024 besteld", "order 2024-03-12", "IP 192.168.100.200",
    "SSN 123-45-6789", "25 euro", "artikel 12345",
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

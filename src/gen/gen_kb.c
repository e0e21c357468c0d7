/*
 * gen_kb.c - a generated knowledge base for the generated intents, in
 * Dutch and English: one help-centre article per intent and language (id
 * "kb-INTENT-LANG"), plus a few on other subjects that no generated
 * message asks about, so that the demo and the tests have a knowledge base
 * with its own distractors where the real sets are absent.
 */
#include "gen-int.h"
#include "maat/gen.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kb_text {
  const char *intent;    /* NULL: an article no generated intent asks for */
  const char *slug;
  const char *title[2];  /* nl, en */
  const char *body[2];
};

static const struct kb_text texts[] = {
  { "card_lost", "card-lost",
    { "Pas kwijt of gestolen: blokkeer hem direct",
      "Card lost or stolen: block it at once" },
    { "Bent u uw bankpas of creditcard kwijt, of is hij gestolen? Blokkeer "
      "de pas direct in de app onder Pas blokkeren, of bel de blokkeerlijn, "
      "dag en nacht bereikbaar.\n\n## Na het blokkeren\n\nEen geblokkeerde "
      "pas kan niet meer worden gebruikt, ook niet als u hem terugvindt. U "
      "krijgt binnen 5 werkdagen automatisch een nieuwe pas op uw adres. "
      "Zijn er betalingen gedaan die u niet herkent? Meld ze dan ook.",
      "Have you lost your debit or credit card, or was it stolen? Block the "
      "card at once in the app under Block card, or call the blocking line, "
      "open day and night.\n\n## After blocking\n\nA blocked card cannot be "
      "used again, even if you find it. A new card is sent to your address "
      "within 5 working days. Are there payments you do not recognise? "
      "Report them too." } },
  { "card_not_arrived", "card-not-arrived",
    { "Nieuwe pas nog niet ontvangen", "New card not received yet" },
    { "Een nieuwe of vervangende pas wordt binnen 5 werkdagen bezorgd op het "
      "adres dat bij ons bekend is. Controleer in de app of uw adres klopt. "
      "Is de pas na 10 werkdagen nog niet binnen? Vraag dan een nieuwe pas "
      "aan: de eerste wordt dan geblokkeerd.",
      "A new or replacement card is delivered within 5 working days to the "
      "address we have for you. Check in the app that your address is "
      "right. Has the card not arrived after 10 working days? Order a new "
      "one: the first is then blocked." } },
  { "refund_request", "refund",
    { "Geld terug na een retour", "Getting a refund after a return" },
    { "Heeft u een product teruggestuurd? Zodra wij de retour hebben "
      "ontvangen en gecontroleerd, storten wij het bedrag binnen 14 dagen "
      "terug op de rekening waarmee u betaalde.\n\n## Status van uw "
      "terugbetaling\n\nIn Mijn bestellingen ziet u per bestelling of de "
      "retour is ontvangen en wanneer het geld is teruggestort. Een "
      "beschadigd product vergoeden wij ook zonder retour, met een foto.",
      "Did you send a product back? As soon as we have received and checked "
      "the return, we pay the amount back within 14 days to the account you "
      "paid with.\n\n## Status of your refund\n\nIn My orders you see for "
      "each order whether the return arrived and when the money was paid "
      "back. A damaged product is refunded without a return too, with a "
      "photo." } },
  { "delivery_late", "delivery-late",
    { "Bestelling nog niet bezorgd", "Order not delivered yet" },
    { "De meeste bestellingen worden binnen 2 werkdagen bezorgd. Met de "
      "track-and-trace link in uw bevestigingsmail ziet u waar uw pakket "
      "is. Is de verwachte bezorgdag voorbij? Wacht dan nog 1 werkdag; "
      "daarna zoeken wij het pakket voor u op en sturen we zo nodig een "
      "nieuw.",
      "Most orders are delivered within 2 working days. The track and trace "
      "link in your confirmation e-mail shows where your parcel is. Has the "
      "expected delivery day passed? Wait 1 more working day; after that we "
      "trace the parcel for you and send a new one if need be." } },
  { "invoice_question", "invoice",
    { "Uw factuur uitgelegd", "Your invoice explained" },
    { "Uw factuur staat elke maand in de app onder Facturen. Per regel ziet "
      "u waarvoor u betaalt: het abonnement, extra verbruik en eenmalige "
      "kosten.\n\n## Klopt uw factuur niet?\n\nVergelijk de regels met uw "
      "abonnement. Is er iets dubbel of te veel gerekend, meld dat dan "
      "binnen 2 maanden: wij corrigeren het op de volgende factuur.",
      "Your invoice is in the app every month under Invoices. Each line "
      "shows what you pay for: the subscription, extra use and one-off "
      "costs.\n\n## Is your invoice wrong?\n\nCompare the lines with your "
      "subscription. Was something charged twice or too much, report it "
      "within 2 months: we correct it on the next invoice." } },
  { "cancel_subscription", "cancel",
    { "Abonnement opzeggen", "Cancelling your subscription" },
    { "U zegt uw abonnement op in de app onder Abonnement, Opzeggen. De "
      "opzegtermijn is 1 maand; u betaalt tot het einde van die maand. U "
      "krijgt een bevestiging per e-mail. Tijdens de minimale looptijd "
      "betaalt u de resterende maanden.",
      "You cancel your subscription in the app under Subscription, Cancel. "
      "The notice period is 1 month; you pay until the end of that month. "
      "You get a confirmation by e-mail. During the minimum term you pay "
      "the remaining months." } },
  { "change_address", "change-address",
    { "Adres wijzigen", "Changing your address" },
    { "Verhuist u? Wijzig uw adres in de app onder Mijn gegevens, Adres. De "
      "wijziging gaat direct in voor post en bezorging. Een bestelling die "
      "al onderweg is, gaat nog naar het oude adres.",
      "Are you moving? Change your address in the app under My details, "
      "Address. The change takes effect at once for mail and deliveries. "
      "An order already on its way still goes to the old address." } },
  { "password_reset", "password",
    { "Wachtwoord vergeten of inloggen lukt niet",
      "Forgot your password or cannot log in" },
    { "Kies op het inlogscherm Wachtwoord vergeten. U krijgt een link per "
      "e-mail om een nieuw wachtwoord te kiezen; de link is 1 uur geldig. "
      "Na 5 foute pogingen is uw account 15 minuten geblokkeerd.",
      "On the login screen choose Forgot password. You get a link by e-mail "
      "to choose a new password; the link is valid for 1 hour. After 5 "
      "wrong attempts your account is locked for 15 minutes." } },
  { "payment_failed", "payment-failed",
    { "Betaling mislukt", "Payment failed" },
    { "Een betaling kan mislukken door onvoldoende saldo, een verlopen pas "
      "of een bestedingslimiet. Controleer uw saldo en limiet in de app en "
      "probeer het opnieuw. Is het bedrag wel afgeschreven maar de betaling "
      "mislukt? Dan komt het binnen 3 werkdagen terug.",
      "A payment can fail because of too little balance, an expired card or "
      "a spending limit. Check your balance and limit in the app and try "
      "again. Was the amount taken but the payment failed? It comes back "
      "within 3 working days." } },
  { "opening_hours", "opening-hours",
    { "Openingstijden klantenservice", "Customer service opening hours" },
    { "Onze klantenservice is bereikbaar op maandag tot en met vrijdag van "
      "8.00 tot 20.00 uur en op zaterdag van 9.00 tot 17.00 uur. Chatten kan "
      "dezelfde tijden. Op feestdagen zijn wij gesloten.",
      "Our customer service is open Monday to Friday from 8 am to 8 pm and "
      "on Saturday from 9 am to 5 pm. Chat has the same hours. We are "
      "closed on public holidays." } },
  { "complaint_service", "complaint",
    { "Een klacht indienen", "Making a complaint" },
    { "Niet tevreden over onze service? Dat horen wij graag. Dien uw klacht "
      "in via het klachtenformulier; u krijgt binnen 5 werkdagen een "
      "reactie van een medewerker die uw klacht behandelt. Bent u het niet "
      "eens met de uitkomst, dan kunt u naar de geschillencommissie.",
      "Not happy with our service? We want to hear it. Send your complaint "
      "with the complaint form; within 5 working days a colleague who "
      "handles it replies. If you disagree with the outcome, you can go to "
      "the disputes committee." } },
  { "technical_outage", "outage",
    { "Storing in de app of website", "Outage of the app or website" },
    { "Werkt de app of website niet? Kijk op de storingspagina of er een "
      "bekende storing is en hoe lang die naar verwachting duurt. Is er geen "
      "storing gemeld, update dan de app en herstart uw telefoon.",
      "Is the app or website not working? Check the outage page for a known "
      "outage and how long it is expected to last. If none is reported, "
      "update the app and restart your phone." } },
  { "contract_change", "contract-change",
    { "Abonnement of contract wijzigen",
      "Changing your plan or contract" },
    { "U kunt uw abonnement elke maand wijzigen in de app onder Abonnement, "
      "Wijzigen. Een hoger abonnement gaat direct in, een lager abonnement "
      "op de eerste dag van de volgende maand.",
      "You can change your plan every month in the app under Subscription, "
      "Change. A bigger plan starts at once, a smaller one on the first day "
      "of the next month." } },
  { "fraud_report", "fraud",
    { "Fraude of oplichting melden", "Reporting fraud or a scam" },
    { "Vermoedt u fraude, of heeft u geld overgemaakt aan een oplichter? "
      "Bel direct de fraudelijn; een medewerker helpt u meteen. Deel nooit "
      "uw inlogcodes, ook niet met iemand die zegt van de bank te zijn.",
      "Do you suspect fraud, or did you transfer money to a scammer? Call "
      "the fraud line at once; a colleague helps you straight away. Never "
      "share your login codes, not even with someone who says they are "
      "from the bank." } },
  { "bereavement", "bereavement",
    { "Bij overlijden", "When someone has died" },
    { "Gecondoleerd met uw verlies. Een medewerker van het nabestaandenteam "
      "helpt u persoonlijk met de rekeningen en abonnementen van de "
      "overledene. U heeft een akte van overlijden nodig.",
      "We are sorry for your loss. A colleague of the bereavement team "
      "helps you in person with the accounts and subscriptions of the "
      "deceased. You need a death certificate." } },
  { "mortgage_question", "mortgage",
    { "Vragen over uw hypotheek", "Questions about your mortgage" },
    { "In de app ziet u uw hypotheek, de rente en de rentevaste periode. "
      "Wilt u extra aflossen? Dat kan elk jaar tot 10 procent zonder boete. "
      "Voor advies over oversluiten maakt u een afspraak met een adviseur.",
      "The app shows your mortgage, the interest rate and the fixed-rate "
      "period. Want to pay off extra? Up to 10 percent a year is free of "
      "penalty. For advice on moving your mortgage, book a meeting with an "
      "adviser." } },
  /* Subjects no generated message asks about: distractors. */
  { NULL, "privacy",
    { "Hoe wij met uw gegevens omgaan", "How we handle your data" },
    { "Wij bewaren uw gegevens niet langer dan nodig en delen ze alleen met "
      "partijen die u helpen, zoals de bezorger. U kunt uw gegevens inzien "
      "en laten verwijderen via het privacyformulier.",
      "We keep your data no longer than needed and share it only with "
      "parties that help you, such as the delivery company. You can see "
      "your data and have it removed with the privacy form." } },
  { NULL, "app-install",
    { "De app installeren", "Installing the app" },
    { "Download de app in de App Store of Google Play. Log in met uw "
      "gebruikersnaam en kies een pincode van 5 cijfers. Op een nieuwe "
      "telefoon activeert u de app opnieuw met een code per sms.",
      "Download the app from the App Store or Google Play. Log in with your "
      "user name and choose a 5-digit PIN. On a new phone you activate the "
      "app again with a code by text message." } },
  { NULL, "fees",
    { "Kosten en tarieven", "Fees and rates" },
    { "Een overzicht van alle kosten staat in de tarievenlijst: de "
      "maandelijkse kosten van het abonnement, kosten voor een extra pas en "
      "opnames in het buitenland.",
      "An overview of all costs is in the price list: the monthly fee of the "
      "subscription, costs of an extra card and withdrawals abroad." } },
};

int maat_gen_kb(char **out, size_t *len)
{
  static const char *const langs[2] = { "nl", "en" };
  struct maat_buf b = MAAT_BUF_INIT;
  int rc = MAAT_OK;

  for (size_t i = 0; i < sizeof texts / sizeof *texts && !rc; i++)
    for (int l = 0; l < 2 && !rc; l++) {
      json_t *o = json_object();
      char id[96], url[160], *s;
      snprintf(id, sizeof id, "kb-%s-%s", texts[i].slug, langs[l]);
      snprintf(url, sizeof url, "https://help.example.nl/%s/%s", langs[l],
               texts[i].slug);
      if (!o || json_object_set_new(o, "id", json_string(id)) ||
          json_object_set_new(o, "title", json_string(texts[i].title[l])) ||
          json_object_set_new(o, "body", json_string(texts[i].body[l])) ||
          json_object_set_new(o, "url", json_string(url)) ||
          json_object_set_new(o, "lang", json_string(langs[l])) ||
          json_object_set_new(o, "tags", json_string(texts[i].intent
                                                         ? texts[i].intent
                                                         : "")) ||
          !(s = json_dumps(o, JSON_COMPACT))) {
        json_decref(o);
        rc = maat__fail(MAAT_ENOMEM, "out of memory");
        break;
      }
      json_decref(o);
      rc = maat__buf_printf(&b, "%s\n", s);
      free(s);
    }
  if (rc) {
    maat__buf_release(&b);
    return rc;
  }
  *out = b.data;
  *len = b.len;
  return MAAT_OK;
}

int maat_gen_kb_article(const char *intent, const char *lang, char *out,
                        size_t cap)
{
  for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
    if (texts[i].intent && intent && !strcmp(texts[i].intent, intent)) {
      snprintf(out, cap, "kb-%s-%s", texts[i].slug,
               lang && !strcmp(lang, "nl") ? "nl" : "en");
      return 1;
    }
  return 0;
}

/*
 * render.c - the insight report for people (maat/insight.h): one
 * self-contained HTML page (inline SVG charts, no script, no CDN), or CSV
 * per intent, in Dutch or English, from the report's JSON. Numbers as
 * people read them: grouped, money with its currency, durations as h:mm
 * and m:ss.
 */
#include "maat-int.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- words ---- */

enum {
  W_TITLE, W_PERIOD, W_CONTACTS, W_BOT_SHARE, W_CONTAINMENT, W_BOT_FAILURE,
  W_CSAT_BOT, W_CSAT_PEOPLE, W_NPS_BOT, W_NPS_PEOPLE, W_PER_INTENT, W_INTENT,
  W_SHIFTS, W_NO_SHIFTS, W_TO_BOT, W_TO_PEOPLE, W_WHY_CONTAINS,
  W_WHY_FAILS, W_WHY_CSAT, W_INTERVENTION, W_FIRST_TIME, W_TRANSFERRED,
  W_ESCALATED, W_SAVINGS, W_SAVED_HOURS, W_SAVED_MONEY, W_ASSUMPTIONS,
  W_ASSUME_BOT, W_ASSUME_ASSIST, W_ASSUME_COST, W_REINVEST, W_COMMITTED,
  W_REINVESTED, W_HOURS_BACK, W_FOR_EMPLOYEES, W_SYSTEM_DECIDES,
  W_PEOPLE_DECIDE, W_PULSE, W_CHECKINS, W_WEEK, W_TOO_FEW, W_WEEK_OPEN,
  W_ENPS, W_HAPPINESS, W_STRESS, W_ENGAGEMENT, W_LEARNING, W_ENERGY,
  W_NOTHING, W_CI_NOTE, W_SOURCES, W_HANDLE, W_PRIVACY, W_NO_WEEKS,
  W_ROLLOUT, W_STAGE, W_SHARE, W_SHADOW_N, W_AGREED, W_NO_ROLLOUT,
  W_SHADOW_HELP, W_GROWTH,
  W_COCREATION, W_RECOVERY, W_PEOPLE_COUNT, W_ANSWERS, NWORDS
};

static const char *const words[NWORDS][2] = {
  { "Insight report", "Inzichtrapport" },
  { "Period", "Periode" },
  { "Contacts", "Contacten" },
  { "Share to the bot", "Aandeel naar de bot" },
  { "Bot containment", "Afgehandeld door de bot" },
  { "Bot failure", "Bot faalt" },
  { "CSAT, bot", "CSAT, bot" },
  { "CSAT, people", "CSAT, mensen" },
  { "NPS, bot", "NPS, bot" },
  { "NPS, people", "NPS, mensen" },
  { "Per intent", "Per onderwerp" },
  { "Intent", "Onderwerp" },
  { "Shifts between bot and people", "Verschuivingen tussen bot en mensen" },
  { "No shift is supported by enough evidence.",
    "Geen verschuiving heeft genoeg onderbouwing." },
  { "more to the bot", "meer naar de bot" },
  { "more to people", "meer naar mensen" },
  { "the bot settles most of these, and customers rate it no worse",
    "de bot handelt de meeste af, en klanten waarderen het niet slechter" },
  { "the bot fails a third or more of these (hand-back, return within 7 days, low rating)",
    "de bot faalt bij een derde of meer (terug naar mensen, klant binnen 7 dagen terug, lage waardering)" },
  { "customers rate the bot clearly lower than people",
    "klanten waarderen de bot duidelijk lager dan mensen" },
  { "People's contacts by kind of intervention",
    "Contacten van mensen naar soort interventie" },
  { "resolved the first time", "in een keer opgelost" },
  { "transferred", "doorverbonden" },
  { "escalated (T3)", "geëscaleerd (T3)" },
  { "What the AI saves", "Wat de AI bespaart" },
  { "Time saved", "Bespaarde tijd" },
  { "Worth", "Waarde" },
  { "Assumptions", "Aannames" },
  { "each contact the bot settled saves what a person takes for that intent (measured; the team's mean where fewer than 10 were measured)",
    "elk contact dat de bot afhandelde bespaart wat een mens voor dat onderwerp nodig heeft (gemeten; het teamgemiddelde waar minder dan 10 gemeten zijn)" },
  { "agent-assist saves %.1f minutes per contact a person handles",
    "hulp van de AI bespaart %.1f minuut per contact dat een mens afhandelt" },
  { "an hour of a person's time costs %s", "een uur van een medewerker kost %s" },
  { "Reinvested in people", "Teruggeïnvesteerd in mensen" },
  { "Committed (%.0f %% of the savings)", "Toegezegd (%.0f %% van de besparing)" },
  { "Reinvested so far", "Tot nu toe teruggeïnvesteerd" },
  { "Hours given back", "Teruggegeven uren" },
  { "For everyone in the team", "Voor iedereen in het team" },
  { "maat decides who handles a contact: the bot or a person, and which person. It answers with the bot only for the intents the team allows, and it never lets routing break the limits that protect your recovery time.",
    "maat beslist wie een contact afhandelt: de bot of een mens, en welke mens. De bot antwoordt alleen bij onderwerpen die het team toestaat, en de routering gaat nooit over de grenzen die je hersteltijd beschermen." },
  { "People decide everything else: how a contact is handled and resolved, when a lead moves work, which of maat's decisions were wrong (corrections), and what the savings are reinvested in.",
    "Mensen beslissen al het andere: hoe een contact wordt afgehandeld en opgelost, wanneer een teamleider werk verplaatst, welke beslissingen van maat fout waren (correcties), en waarin de besparing wordt teruggeïnvesteerd." },
  { "Team pulse (weekly)", "Teampuls (wekelijks)" },
  { "Check-ins after contacts (weekly)", "Check-ins na contacten (wekelijks)" },
  { "Week", "Week" },
  { "too few to show", "te weinig om te tonen" },
  { "shown when the week is over", "te zien als de week voorbij is" },
  { "eNPS", "eNPS" },
  { "Work happiness (1-5)", "Werkgeluk (1-5)" },
  { "Stress (1-5)", "Stress (1-5)" },
  { "Engagement (1-5)", "Betrokkenheid (1-5)" },
  { "Time for learning (1-5)", "Tijd om te leren (1-5)" },
  { "Energy (1-5)", "Energie (1-5)" },
  { "No contacts in this period.", "Geen contacten in deze periode." },
  { "Figures in brackets are 95 %% confidence intervals. A shift is only proposed from at least %d contacts of an intent.",
    "Cijfers tussen haken zijn 95 %%-betrouwbaarheidsintervallen. Een verschuiving wordt pas voorgesteld vanaf %d contacten van een onderwerp." },
  { "Sources: %ld contacts from maat, %ld imported",
    "Bronnen: %ld contacten uit maat, %ld geïmporteerd" },
  { "Handling time, people", "Afhandeltijd, mensen" },
  { "Team figures about people are shown per week and only for groups of at least %d people; nobody's own answers or check-ins are in this report.",
    "Teamcijfers over mensen staan er per week en alleen voor groepen van minstens %d mensen; niemands eigen antwoorden of check-ins staan in dit rapport." },
  { "No week in this period has answers yet.",
    "In deze periode heeft nog geen week antwoorden." },
  { "Rollout and shadow mode", "Uitrol en schaduwmodus" },
  { "Stage", "Fase" },
  { "Bot's share", "Aandeel bot" },
  { "In shadow", "In schaduw" },
  { "People agreed", "Mensen eens" },
  { "No intent is in a rollout stage.", "Geen onderwerp zit in een uitrolfase." },
  { "In shadow mode maat decides but the bot does not answer: a person does. People agreed when they did not correct the contact's tier or intent.",
    "In schaduwmodus beslist maat maar antwoordt de bot niet: een mens doet het. Mensen waren het eens als ze de tier of het onderwerp van het contact niet corrigeerden." },
  { "growth budget", "groeibudget" },
  { "co-creation sessions", "co-creatiesessies" },
  { "recovery time", "hersteltijd" },
  { "People", "Mensen" },
  { "Answers", "Antwoorden" },
};

/* The language of the page being written (a server renders several at
 * once). */
static _Thread_local int nl;

static const char *w(int id)
{
  return words[id][nl];
}

/* ---- numbers as people read them ---- */

static void grouped(char *out, size_t cap, double v, int decimals)
{
  char raw[64], *dot, buf[96];
  size_t len, k = 0, intlen;
  int neg = v < 0;

  snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v));
  dot = strchr(raw, '.');
  intlen = dot ? (size_t)(dot - raw) : strlen(raw);
  if (neg)
    buf[k++] = '-';
  for (size_t i = 0; i < intlen; i++) {
    if (i && (intlen - i) % 3 == 0)
      buf[k++] = nl ? '.' : ',';
    buf[k++] = raw[i];
  }
  if (dot) {
    buf[k++] = nl ? ',' : '.';
    len = strlen(dot + 1);
    memcpy(buf + k, dot + 1, len);
    k += len;
  }
  buf[k] = '\0';
  snprintf(out, cap, "%s", buf);
}

static void money(char *out, size_t cap, double v, const char *cur)
{
  char n[64];

  grouped(n, sizeof n, v, 2);
  if (!strcmp(cur, "EUR"))
    snprintf(out, cap, nl ? "€ %s" : "€%s", n);
  else
    snprintf(out, cap, "%s %s", cur, n);
}

/* Hours as h:mm. */
static void hmm(char *out, size_t cap, double hours)
{
  long m = lround(hours * 60);
  char h[32];

  grouped(h, sizeof h, (double)(m / 60), 0);
  snprintf(out, cap, "%s:%02ld", h, m % 60);
}

/* Seconds as m:ss. */
static void mss(char *out, size_t cap, double s)
{
  long t = lround(s);
  snprintf(out, cap, "%ld:%02ld", t / 60, t % 60);
}

static void pct(char *out, size_t cap, double v)
{
  char n[24];
  grouped(n, sizeof n, 100 * v, 1);
  snprintf(out, cap, "%s %%", n);
}

static double num(json_t *o, const char *k)
{
  return json_number_value(json_object_get(o, k));
}

/* "42.0 % [38.1 – 45.9]" of a figure {value, lo, hi, n}; "–" for none. */
static void fig(char *out, size_t cap, json_t *f, int kind)
{
  char a[40], b[40], c[40];

  if (!json_is_object(f)) {
    snprintf(out, cap, "–");
    return;
  }
  if (kind == 0) {
    pct(a, sizeof a, num(f, "value"));
    pct(b, sizeof b, num(f, "lo"));
    pct(c, sizeof c, num(f, "hi"));
  } else {
    grouped(a, sizeof a, num(f, "value"), kind == 1 ? 2 : 0);
    grouped(b, sizeof b, num(f, "lo"), kind == 1 ? 2 : 0);
    grouped(c, sizeof c, num(f, "hi"), kind == 1 ? 2 : 0);
  }
  snprintf(out, cap, "%s <small>[%s – %s]</small>", a, b, c);
}

static void esc(FILE *f, const char *s)
{
  for (; s && *s; s++)
    switch (*s) {
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '&': fputs("&amp;", f); break;
    case '"': fputs("&quot;", f); break;
    default: putc(*s, f);
    }
}

static void date_of(char *out, size_t cap, double t)
{
  time_t s = (time_t)t;
  struct tm tm;
  localtime_r(&s, &tm);
  strftime(out, cap, "%Y-%m-%d", &tm);
}

/* ---- HTML ---- */

/* Bars with their intervals: one row per intent, 0..100 %. */
static void bars(FILE *f, json_t *intents, const char *key, const char *color)
{
  size_t i, n = json_array_size(intents), row = 22;
  json_t *e;

  fprintf(f, "<svg class=\"chart\" viewBox=\"0 0 640 %zu\" role=\"img\">\n",
          n * row + 24);
  for (int g = 0; g <= 4; g++)
    fprintf(f, "<line x1=\"%d\" y1=\"0\" x2=\"%d\" y2=\"%zu\" class=\"grid\"/>"
            "<text x=\"%d\" y=\"%zu\" class=\"axis\">%d %%</text>\n",
            200 + g * 100, 200 + g * 100, n * row, 200 + g * 100 - 8,
            n * row + 16, g * 25);
  json_array_foreach(intents, i, e) {
    json_t *v = json_object_get(e, key);
    double y = (double)(i * row);
    fprintf(f, "<text x=\"192\" y=\"%.0f\" class=\"label\">", y + 15);
    esc(f, json_string_value(json_object_get(e, "intent")));
    fputs("</text>", f);
    if (json_is_object(v)) {
      fprintf(f, "<rect x=\"200\" y=\"%.0f\" width=\"%.1f\" height=\"14\" "
              "fill=\"%s\"/><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" "
              "y2=\"%.0f\" class=\"ci\"/>", y + 4, 400 * num(v, "value"),
              color, 200 + 400 * num(v, "lo"), 200 + 400 * num(v, "hi"),
              y + 11, y + 11);
    }
    fputc('\n', f);
  }
  fputs("</svg>\n", f);
}

static void weeks_table(FILE *f, json_t *weeks, int pulse)
{
  size_t i;
  json_t *e;

  if (!json_array_size(weeks)) {
    fprintf(f, "<p class=\"hidden\">%s</p>\n", w(W_NO_WEEKS));
    return;
  }
  fprintf(f, "<table><tr><th>%s</th>", w(W_WEEK));
  if (pulse)
    fprintf(f, "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
            "<th>%s</th>", w(W_ANSWERS), w(W_ENPS), w(W_HAPPINESS),
            w(W_STRESS), w(W_ENGAGEMENT), w(W_LEARNING));
  else
    fprintf(f, "<th>%s</th><th>%s</th>", w(W_PEOPLE_COUNT), w(W_ENERGY));
  fputs("</tr>\n", f);
  json_array_foreach(weeks, i, e) {
    fprintf(f, "<tr><td>%s</td>", json_string_value(json_object_get(e,
                                                                    "week")));
    if (!json_is_true(json_object_get(e, "shown"))) {
      const char *why = json_string_value(json_object_get(e, "why"));
      fprintf(f, "<td colspan=\"%d\" class=\"hidden\">%s</td></tr>\n",
              pulse ? 6 : 2, why && !strcmp(why, "week_open")
                                 ? w(W_WEEK_OPEN) : w(W_TOO_FEW));
      continue;
    }
    if (pulse) {
      char a[5][32];
      const char *k[5] = { "enps", "happiness", "stress", "engagement",
                           "learning" };
      for (int j = 0; j < 5; j++)
        grouped(a[j], sizeof a[j], num(e, k[j]), j ? 1 : 0);
      fprintf(f, "<td>%lld</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
              "<td>%s</td>", (long long)json_integer_value(json_object_get(
                                 e, "answers")), a[0], a[1], a[2], a[3], a[4]);
    } else {
      char a[32];
      grouped(a, sizeof a, num(e, "energy"), 1);
      fprintf(f, "<td>%lld</td><td>%s</td>", (long long)json_integer_value(
                                                 json_object_get(e, "people")),
              a);
    }
    fputs("</tr>\n", f);
  }
  fputs("</table>\n", f);
}

static void html(FILE *f, json_t *r)
{
  json_t *all = json_object_get(r, "all"), *intents = json_object_get(r,
                                                                      "intents");
  json_t *sav = json_object_get(r, "savings"), *re = json_object_get(
                                                    r, "reinvestment");
  json_t *shifts = json_object_get(r, "shifts"), *e;
  const char *cur = json_string_value(json_object_get(sav, "currency"));
  char a[160], b[160], c[160], d[160];
  size_t i;
  int min = (int)json_integer_value(json_object_get(r, "min_contacts"));
  int mg = (int)json_integer_value(json_object_get(r, "min_group"));

  if (!cur)
    cur = "EUR";
  /* From the first contact when no start was asked for. */
  date_of(a, sizeof a, num(json_object_get(r, "period"), "from") > 0
                           ? num(json_object_get(r, "period"), "from")
                           : num(json_object_get(r, "period"), "first"));
  date_of(b, sizeof b, num(json_object_get(r, "period"), "to"));
  fprintf(f, "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, "
          "initial-scale=1\"><title>maat – %s</title>\n<style>\n"
          "body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:"
          "960px;padding:16px;color:#1d2330}h1{font-size:1.6em}h2{margin-top:"
          "1.6em;border-bottom:1px solid #d5d9e0}table{border-collapse:"
          "collapse;width:100%%;margin:8px 0}td,th{padding:4px 6px;border-"
          "bottom:1px solid #e5e7eb;text-align:left;vertical-align:top}"
          "small{color:#5b6472}.cards{display:grid;grid-template-columns:"
          "repeat(auto-fit,minmax(170px,1fr));gap:10px}.card{border:1px "
          "solid #d5d9e0;border-radius:8px;padding:10px}.card b{display:"
          "block;font-size:1.3em}.chart{width:100%%;height:auto}.chart .grid"
          "{stroke:#e5e7eb}.chart .ci{stroke:#1d2330;stroke-width:2}.chart "
          "text{font-size:11px;fill:#3b4252}.chart .label{text-anchor:end}"
          ".hidden{color:#5b6472;font-style:italic}.wrap{overflow-x:auto}"
          "@media print{body{max-width:none}}\n</style></head><body>\n",
          nl ? "nl" : "en", w(W_TITLE));
  fprintf(f, "<h1>%s</h1>\n<p>%s: %s – %s. ", w(W_TITLE), w(W_PERIOD), a, b);
  fprintf(f, w(W_SOURCES), (long)json_integer_value(json_object_get(
                               json_object_get(r, "sources"), "maat")),
          (long)json_integer_value(json_object_get(json_object_get(r,
                                                                   "sources"),
                                                   "imported")));
  fputs(".</p>\n<p><small>", f);
  fprintf(f, w(W_CI_NOTE), min);
  fputs("</small></p>\n", f);
  if (!json_integer_value(json_object_get(all, "contacts")))
    fprintf(f, "<p>%s</p>\n", w(W_NOTHING));
  /* the cards */
  fputs("<div class=\"cards\">\n", f);
  grouped(a, sizeof a, num(all, "contacts"), 0);
  fprintf(f, "<div class=\"card\">%s<b>%s</b></div>\n", w(W_CONTACTS), a);
  {
    const struct { int word; const char *key; int kind; } cards[] = {
      { W_BOT_SHARE, "bot_share", 0 }, { W_CONTAINMENT, "containment", 0 },
      { W_CSAT_BOT, "csat_bot", 1 }, { W_CSAT_PEOPLE, "csat_people", 1 },
      { W_NPS_BOT, "nps_bot", 2 }, { W_NPS_PEOPLE, "nps_people", 2 },
    };
    for (size_t k = 0; k < sizeof cards / sizeof cards[0]; k++) {
      fig(a, sizeof a, json_object_get(all, cards[k].key), cards[k].kind);
      fprintf(f, "<div class=\"card\">%s<b>%s</b></div>\n",
              w(cards[k].word), a);
    }
  }
  fputs("</div>\n", f);
  /* per intent */
  fprintf(f, "<h2>%s</h2>\n<h3>%s</h3>\n", w(W_PER_INTENT), w(W_CONTAINMENT));
  bars(f, intents, "containment", "#2f7d5b");
  fprintf(f, "<h3>%s</h3>\n", w(W_BOT_FAILURE));
  bars(f, intents, "bot_failure", "#b5523b");
  fprintf(f, "<div class=\"wrap\"><table><tr><th>%s</th><th>%s</th><th>%s"
          "</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
          w(W_INTENT), w(W_CONTACTS), w(W_BOT_SHARE), w(W_CONTAINMENT),
          w(W_BOT_FAILURE), w(W_CSAT_BOT), w(W_CSAT_PEOPLE), w(W_HANDLE));
  json_array_foreach(intents, i, e) {
    char g[160], h[160];
    json_t *hs = json_object_get(e, "handle_s_people");
    fputs("<tr><td>", f);
    esc(f, json_string_value(json_object_get(e, "intent")));
    grouped(a, sizeof a, num(e, "contacts"), 0);
    fig(b, sizeof b, json_object_get(e, "bot_share"), 0);
    fig(c, sizeof c, json_object_get(e, "containment"), 0);
    fig(d, sizeof d, json_object_get(e, "bot_failure"), 0);
    fig(g, sizeof g, json_object_get(e, "csat_bot"), 1);
    fig(h, sizeof h, json_object_get(e, "csat_people"), 1);
    fprintf(f, "</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
            "<td>%s</td><td>", a, b, c, d, g, h);
    if (json_is_object(hs)) {
      mss(a, sizeof a, num(hs, "value"));
      fputs(a, f);
    } else {
      fputs("–", f);
    }
    fputs("</td></tr>\n", f);
  }
  fputs("</table></div>\n", f);
  /* shifts */
  fprintf(f, "<h2>%s</h2>\n", w(W_SHIFTS));
  if (!json_array_size(shifts))
    fprintf(f, "<p>%s</p>\n", w(W_NO_SHIFTS));
  else
    fputs("<ul>\n", f);
  json_array_foreach(shifts, i, e) {
    const char *to = json_string_value(json_object_get(e, "shift_to"));
    const char *why = json_string_value(json_object_get(e, "because"));
    fig(a, sizeof a, json_object_get(e, "containment"), 0);
    fig(b, sizeof b, json_object_get(e, "csat_bot"), 1);
    fig(c, sizeof c, json_object_get(e, "csat_people"), 1);
    fputs("<li><b>", f);
    esc(f, json_string_value(json_object_get(e, "intent")));
    fprintf(f, "</b>: %s — %s. %s %s; %s %s; %s %s (%lld %s).</li>\n",
            !strcmp(to, "bot") ? w(W_TO_BOT) : w(W_TO_PEOPLE),
            !strcmp(why, "bot_contains") ? w(W_WHY_CONTAINS)
            : !strcmp(why, "bot_fails") ? w(W_WHY_FAILS) : w(W_WHY_CSAT),
            w(W_CONTAINMENT), a, w(W_CSAT_BOT), b, w(W_CSAT_PEOPLE), c,
            (long long)json_integer_value(json_object_get(e, "contacts")),
            nl ? "contacten" : "contacts");
  }
  if (json_array_size(shifts))
    fputs("</ul>\n", f);
  /* rollout stages and shadow mode */
  fprintf(f, "<h2>%s</h2>\n", w(W_ROLLOUT));
  {
    json_t *ro = json_object_get(r, "rollout"), *v;
    const char *intent;
    if (!json_object_size(ro)) {
      fprintf(f, "<p>%s</p>\n", w(W_NO_ROLLOUT));
    } else {
      fprintf(f, "<p><small>%s</small></p>\n<table><tr><th>%s</th><th>%s"
              "</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
              w(W_SHADOW_HELP), w(W_INTENT), w(W_STAGE), w(W_SHARE),
              w(W_SHADOW_N), w(W_AGREED));
      json_object_foreach(ro, intent, v) {
        json_t *sh = NULL;
        json_array_foreach(intents, i, e)
          if (!strcmp(json_string_value(json_object_get(e, "intent")),
                      intent))
            sh = json_object_get(e, "shadow");
        pct(a, sizeof a, num(v, "share"));
        fig(b, sizeof b, json_object_get(sh, "agreed"), 0);
        fputs("<tr><td>", f);
        esc(f, intent);
        fputs("</td><td>", f);
        {
          static const char *const st[][3] = {
            { "shadow", "shadow mode", "schaduwmodus" },
            { "pilot", "pilot", "pilot" },
            { "scale", "scale", "opschalen" },
            { "optimise", "optimise", "optimaliseren" },
          };
          const char *code = json_string_value(json_object_get(v, "stage"));
          const char *word = code;
          for (size_t k = 0; code && k < 4; k++)
            if (!strcmp(st[k][0], code))
              word = st[k][nl ? 2 : 1];
          esc(f, word);
        }
        fprintf(f, "</td><td>%s</td><td>%lld</td><td>%s</td></tr>\n", a,
                (long long)json_integer_value(json_object_get(sh,
                                                              "contacts")),
                b);
      }
      fputs("</table>\n", f);
    }
  }
  /* interventions */
  fprintf(f, "<h2>%s</h2>\n<table><tr><th></th><th>%s</th><th>CSAT</th>"
          "<th>NPS</th></tr>\n", w(W_INTERVENTION), w(W_CONTACTS));
  {
    const char *keys[3] = { "first_time", "transferred", "escalated" };
    int names[3] = { W_FIRST_TIME, W_TRANSFERRED, W_ESCALATED };
    json_t *k = json_object_get(all, "people_by_intervention");
    for (int j = 0; j < 3; j++) {
      json_t *x = json_object_get(k, keys[j]);
      grouped(a, sizeof a, num(x, "contacts"), 0);
      fig(b, sizeof b, json_object_get(x, "csat"), 1);
      fig(c, sizeof c, json_object_get(x, "nps"), 2);
      fprintf(f, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
              w(names[j]), a, b, c);
    }
  }
  fputs("</table>\n", f);
  /* savings and reinvestment */
  fprintf(f, "<h2>%s</h2>\n<div class=\"cards\">", w(W_SAVINGS));
  hmm(a, sizeof a, num(sav, "hours"));
  fprintf(f, "<div class=\"card\">%s<b>%s h</b></div>", w(W_SAVED_HOURS), a);
  money(a, sizeof a, num(sav, "money"), cur);
  fprintf(f, "<div class=\"card\">%s<b>%s</b></div></div>\n", w(W_SAVED_MONEY),
          a);
  fprintf(f, "<p>%s:</p><ul><li>%s</li>", w(W_ASSUMPTIONS), w(W_ASSUME_BOT));
  if (num(json_object_get(r, "savings"), "assist_hours") > 0) {
    json_t *as;
    json_array_foreach(json_object_get(sav, "assumptions"), i, as)
      if (json_is_object(as) &&
          !strcmp(json_string_value(json_object_get(as, "code")),
                  "assist_minutes")) {
        fputs("<li>", f);
        fprintf(f, w(W_ASSUME_ASSIST), num(as, "minutes"));
        fputs("</li>", f);
      }
  }
  if (num(sav, "hour_cost") > 0) {
    money(b, sizeof b, num(sav, "hour_cost"), cur);
    fputs("<li>", f);
    fprintf(f, w(W_ASSUME_COST), b);
    fputs("</li>", f);
  }
  fputs("</ul>\n", f);
  fprintf(f, "<h2>%s</h2>\n<div class=\"cards\">", w(W_REINVEST));
  money(a, sizeof a, num(re, "committed"), cur);
  fputs("<div class=\"card\">", f);
  fprintf(f, w(W_COMMITTED), 100 * num(re, "share"));
  fprintf(f, "<b>%s</b></div>", a);
  money(a, sizeof a, num(re, "reinvested"), cur);
  fprintf(f, "<div class=\"card\">%s<b>%s</b></div>", w(W_REINVESTED), a);
  hmm(a, sizeof a, num(re, "hours_back"));
  fprintf(f, "<div class=\"card\">%s<b>%s h</b></div></div>\n", w(W_HOURS_BACK),
          a);
  {
    const char *kinds[3] = { "growth", "cocreation", "recovery" };
    int names[3] = { W_GROWTH, W_COCREATION, W_RECOVERY };
    json_t *bk = json_object_get(re, "by_kind");
    fputs("<table>", f);
    for (int j = 0; j < 3; j++) {
      json_t *x = json_object_get(bk, kinds[j]);
      money(a, sizeof a, x ? num(x, "amount") : 0, cur);
      hmm(b, sizeof b, x ? num(x, "hours") : 0);
      fprintf(f, "<tr><td>%s</td><td>%s</td><td>%s h</td></tr>", w(names[j]),
              a, b);
    }
    fputs("</table>\n", f);
  }
  /* for employees */
  fprintf(f, "<h2>%s</h2>\n<p>%s</p>\n<p>%s</p>\n", w(W_FOR_EMPLOYEES),
          w(W_SYSTEM_DECIDES), w(W_PEOPLE_DECIDE));
  /* the people */
  fprintf(f, "<h2>%s</h2>\n", w(W_PULSE));
  weeks_table(f, json_object_get(r, "pulse"), 1);
  fprintf(f, "<h2>%s</h2>\n", w(W_CHECKINS));
  weeks_table(f, json_object_get(r, "checkins"), 0);
  fputs("<p><small>", f);
  fprintf(f, w(W_PRIVACY), mg);
  fputs("</small></p>\n</body></html>\n", f);
}

static void csv(FILE *f, json_t *r)
{
  size_t i;
  json_t *e;
  const char *keys[] = { "bot_share", "containment", "bot_failure",
                         "csat_bot", "csat_people", "nps_bot", "nps_people" };

  fputs("intent,contacts,bot,people", f);
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
    fprintf(f, ",%s,%s_lo,%s_hi", keys[k], keys[k], keys[k]);
  fputs(",handle_s_people\n", f);
  json_array_foreach(json_object_get(r, "intents"), i, e) {
    json_t *h = json_object_get(e, "handle_s_people");
    fprintf(f, "\"%s\",%lld,%lld,%lld", json_string_value(json_object_get(
                                            e, "intent")),
            (long long)json_integer_value(json_object_get(e, "contacts")),
            (long long)json_integer_value(json_object_get(e, "bot")),
            (long long)json_integer_value(json_object_get(e, "people")));
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
      json_t *v = json_object_get(e, keys[k]);
      if (json_is_object(v))
        fprintf(f, ",%.4f,%.4f,%.4f", num(v, "value"), num(v, "lo"),
                num(v, "hi"));
      else
        fputs(",,,", f);
    }
    if (json_is_object(h))
      fprintf(f, ",%.1f\n", num(h, "value"));
    else
      fputs(",\n", f);
  }
}


int maat_insight_render(const char *json, const char *format,
                        const char *lang, char **out, size_t *len)
{
  json_t *r;
  char *buf = NULL;
  size_t n = 0;
  FILE *f;

  if (!json || !out)
    return maat__fail(MAAT_EINVAL, "insight: nothing to render");
  if (format && strcmp(format, "html") && strcmp(format, "csv"))
    return maat__fail(MAAT_EINVAL, "insight: format '%s': expected html or "
                      "csv", format);
  if (!(r = json_loads(json, 0, NULL)))
    return maat__fail(MAAT_EFORMAT, "insight: the report is not JSON");
  if (!(f = open_memstream(&buf, &n))) {
    json_decref(r);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  nl = lang && !strcmp(lang, "nl");
  if (format && !strcmp(format, "csv"))
    csv(f, r);
  else
    html(f, r);
  json_decref(r);
  if (fclose(f) || !buf) {
    free(buf);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  *out = maat__strdup(buf);
  free(buf);
  if (!*out)
    return maat__fail(MAAT_ENOMEM, "out of memory");
  if (len)
    *len = n;
  return MAAT_OK;
}

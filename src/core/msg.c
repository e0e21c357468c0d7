/*
 * msg.c - the message catalogue: every reason, warning and notice libmaat
 * writes, by code, in English and Dutch (include/maat/msg.h).
 *
 * A template's placeholders are {name} (any text without "; "), {name:n}
 * (a number), {name:d} (a duration, "m:ss min" or "h:mm h") and {name:*}
 * (any text, to the end). The English template is what the code prints,
 * so parsing a message is matching it against the English templates;
 * tests/unit/core.c checks that every message the router and triage
 * write on a generated day is in the catalogue.
 */
#include "maat-int.h"
#include "maat/msg.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct maat_msg_entry catalogue[] = {
  /* ---- triage ---- */
  { "triage.no_model", "no intent model: the bot is not offered contacts",
    "geen onderwerpmodel: de bot krijgt geen contacten" },
  { "triage.no_words",
    "no words in the message: nothing for the bot to answer",
    "geen woorden in het bericht: niets voor de bot om te beantwoorden" },
  { "triage.other_language",
    "not Dutch or English: the bot answers in those only",
    "geen Nederlands of Engels: de bot antwoordt alleen in die talen" },
  { "triage.below_threshold",
    "intent {intent} {confidence:n} below threshold {threshold:n}",
    "onderwerp {intent} {confidence:n} onder de drempel {threshold:n}" },
  { "triage.out_of_scope", "intent {intent} {confidence:n}: out of scope",
    "onderwerp {intent} {confidence:n}: buiten wat de bot kent" },
  { "triage.tone", "tone {tone} {score:n}{cues:*}",
    "toon {tone} {score:n}{cues:*}" },
  { "triage.critical", "critical ({kind}): {what}: {words:*}",
    "kritiek ({kind}): {what}: {words:*}" },
  { "triage.repeat_said",
    "repeat contact: the customer says they tried before",
    "herhaald contact: de klant zegt het eerder geprobeerd te hebben" },
  { "triage.repeat_history",
    "repeat contact: earlier message {n:n} of its history was also about "
    "{intent}",
    "herhaald contact: eerder bericht {n:n} uit de geschiedenis ging ook "
    "over {intent}" },
  { "triage.repeat_customer",
    "repeat contact: customer {customer} asked about {intent} before",
    "herhaald contact: klant {customer} vroeg eerder naar {intent}" },
  { "triage.bot_paused", "the bot is paused for intent {intent} by a lead",
    "de bot is door een teamleider gepauzeerd voor onderwerp {intent}" },
  { "triage.bot_shadow", "shadow mode for intent {intent}: the bot would "
    "have answered; a person does",
    "schaduwmodus voor onderwerp {intent}: de bot had geantwoord; een mens "
    "doet het" },
  { "triage.bot_pilot", "pilot for intent {intent}: this contact is in the "
    "part people keep",
    "pilot voor onderwerp {intent}: dit contact hoort bij het deel dat "
    "mensen houden" },
  { "triage.sensitive", "intent {intent} is sensitive ({topic}): a person "
    "answers",
    "onderwerp {intent} is gevoelig ({topic}): een mens antwoordt" },
  { "triage.not_bot_answerable", "intent {intent} is not bot-answerable",
    "onderwerp {intent} beantwoordt de bot niet" },
  { "triage.below_bot_floor",
    "intent {intent} {confidence:n} below the bot's confidence floor "
    "{floor:n}",
    "onderwerp {intent} {confidence:n} onder de zekerheidsgrens van de bot "
    "{floor:n}" },
  { "triage.rule_upset", "rule: a {tone_adj} customer never gets the bot",
    "regel: een {tone_adj} klant krijgt nooit de bot" },
  { "triage.rule_repeat",
    "rule: a second contact about the same issue never gets the bot",
    "regel: een tweede contact over hetzelfde probleem krijgt nooit de bot" },
  { "triage.rule_critical", "rule: a critical message never gets the bot",
    "regel: een kritiek bericht krijgt nooit de bot" },
  { "triage.kb_no_answer",
    "no confident answer in the knowledge base ({confidence:n}): a person "
    "answers",
    "geen zeker antwoord in de kennisbank ({confidence:n}): een mens "
    "antwoordt" },
  { "triage.t3", "T3: {why}", "T3: {why}" },
  { "triage.critical_first", "rule: critical goes first (priority 3)",
    "regel: kritiek gaat voor (prioriteit 3)" },
  { "triage.t1", "T1: intent {intent} {confidence:n}, bot-answerable, calm",
    "T1: onderwerp {intent} {confidence:n}, door de bot te beantwoorden, "
    "rustig" },
  /* ---- routing ---- */
  { "route.critical_first", "critical: first in the queue",
    "kritiek: als eerste in de wachtrij" },
  { "route.hostile", "hostile tone: never left alone with the bot",
    "vijandige toon: nooit alleen gelaten met de bot" },
  { "route.t3", "tier T3: an experienced person",
    "niveau T3: een ervaren mens" },
  { "route.t2", "tier T2: a specialist", "niveau T2: een specialist" },
  { "route.same_agent",
    "the agent who had this conversation before: free, and within the "
    "rules",
    "de medewerker die dit gesprek eerder had: vrij, en binnen de regels" },
  { "route.capacity",
    "capacity {channel}: nobody free; a place left with an agent who holds "
    "several at once, within her capacity",
    "capaciteit {channel}: niemand vrij; nog plaats bij een medewerker die "
    "er meerdere tegelijk heeft, binnen de capaciteit" },
  { "route.eligible", "eligible on language, skill and tier",
    "geschikt op taal, vaardigheid en niveau" },
  { "route.heavy_best",
    "heavy contact: lowest strain and fewest heavy contacts today, outside "
    "any recovery window, under the heavy cap",
    "zwaar contact: laagste belasting en minste zware contacten vandaag, "
    "buiten elk herstelvenster, onder het maximum zware contacten op rij" },
  { "route.lowest_strain",
    "lowest strain among eligible agents, staying under the overload line",
    "laagste belasting van de geschikte medewerkers, blijft onder de "
    "overbelastingsgrens" },
  { "route.relaxed_cap",
    "overload: nobody free within the rules; heavy cap or overload margin "
    "relaxed for the lowest-strain agent",
    "overbelasting: niemand vrij binnen de regels; maximum zware contacten "
    "of overbelastingsmarge versoepeld voor de medewerker met de laagste "
    "belasting" },
  { "route.rescued",
    "overload: a light or critical contact about to miss its service target "
    "goes to the lowest-strain agent, over the overload line",
    "overbelasting: een licht of kritiek contact dat de servicenorm dreigt "
    "te missen gaat naar de medewerker met de laagste belasting, boven de "
    "overbelastingsgrens" },
  { "route.over_line",
    "overload: past the service target and the overload grace; the "
    "lowest-strain agent, over the overload line",
    "overbelasting: voorbij de servicenorm en de extra wachttijd; de "
    "medewerker met de laagste belasting, boven de overbelastingsgrens" },
  { "route.recovery_cut",
    "overload: nobody free within the rules; recovery window cut short for "
    "the lowest-strain agent",
    "overbelasting: niemand vrij binnen de regels; herstelvenster ingekort "
    "voor de medewerker met de laagste belasting" },
  { "route.skill", "skill {skill}: the contact's intent needs it",
    "vaardigheid {skill}: het onderwerp van het contact vraagt erom" },
  { "route.left", "the customer left the queue",
    "de klant verliet de wachtrij" },
  { "route.bot", "tier T1, calm tone: the bot answers it",
    "niveau T1, rustige toon: de bot beantwoordt het" },
  { "route.light_offer",
    "light T1 work offered to a person whose recent work was heavy",
    "licht T1-werk aangeboden aan iemand van wie het recente werk zwaar was" },
  { "route.nobody_waits", "nobody waits for a person",
    "niemand wacht op een mens" },
  { "route.needs_person", "needs a person: tier or tone",
    "heeft een mens nodig: niveau of toon" },
  { "route.longest_idle", "longest-idle eligible agent",
    "geschikte medewerker die het langst vrij is" },
  { "route.next_in_turn", "next eligible agent in turn",
    "volgende geschikte medewerker op de beurt" },
  { "route.private_fallback",
    "overload: a wellbeing rule gave way for this contact (which one, and "
    "the agent's figures, stay private)",
    "overbelasting: een welzijnsregel week voor dit contact (welke, en de "
    "cijfers van de medewerker, blijven privé)" },
  { "route.moved", "reassigned by a lead",
    "opnieuw toegewezen door een teamleider" },
  { "route.requeued", "put back in the queue by a lead",
    "door een teamleider terug in de wachtrij gezet" },
  /* the soft rules a lead's move breaks */
  { "rule.fit", "language, skill or tier", "taal, vaardigheid of niveau" },
  { "rule.heavy_cap", "heavy cap", "maximum zware contacten op rij" },
  { "rule.wellbeing",
    "a wellbeing rule (which one, and the agent's figures, stay private)",
    "een welzijnsregel (welke, en de cijfers van de medewerker, blijven "
    "privé)" },
  /* ---- warnings and notices ---- */
  { "warning.strain",
    "your strain has stayed above {threshold:n} for {minutes:n} min; the "
    "router gives you lighter work and longer recovery, and a break would "
    "help",
    "je belasting staat al {minutes:n} min boven {threshold:n}; de router "
    "geeft je lichter werk en langer herstel, en een pauze zou helpen" },
  { "warning.overload",
    "overload: contact '{contact}' waited {waited:d} (target {target:d}) and "
    "no agent could take it within the rules; the {rule} gave way for it; "
    "{waiting:n} contacts wait for a person",
    "overbelasting: contact '{contact}' wachtte {waited:d} (norm "
    "{target:d}) en niemand kon het binnen de regels aannemen; {rule} "
    "week ervoor; {waiting:n} contacten wachten op een mens" },
  { "warning.understaffed",
    "understaffed: {rate:n} contacts an hour for people at {each:d} each "
    "need {need:n} people to answer {share:n} % within {target:d} (Erlang "
    "C); {on_shift:n} on shift, {more:n} more needed; {choice}",
    "onderbezet: {rate:n} contacten per uur voor mensen van {each:d} elk "
    "vragen {need:n} mensen om {share:n} % binnen {target:d} te "
    "beantwoorden (Erlang C); {on_shift:n} in dienst, {more:n} meer nodig; "
    "{choice}" },
  { "warning.forecast",
    "forecast: the load for people is {load:n} agents' work, more than the "
    "{capacity:n} that the {on_shift:n} agents on shift can carry within "
    "the rules ({occupancy:n} % occupancy); shortfall {shortfall:n} agents",
    "verwachting: het werk voor mensen is {load:n} medewerkers vol, meer "
    "dan de {capacity:n} die de {on_shift:n} medewerkers in dienst binnen "
    "de regels aankunnen ({occupancy:n} % bezetting); tekort "
    "{shortfall:n} medewerkers" },
  { "warning.unroutable",
    "contact '{contact}' (T{tier:n}, language '{lang}', intent '{intent}') "
    "fits no agent in the team; it waits until the team changes or the "
    "customer leaves",
    "contact '{contact}' (T{tier:n}, taal '{lang}', onderwerp '{intent}') "
    "past bij niemand in het team; het wacht tot het team verandert of de "
    "klant weggaat" },
  { "warning.open_too_long",
    "open too long: contact {contact} has been with a person for "
    "{open:d}, more than {factor:n} times its expected {expected:d}; was "
    "its 'done' missed? A lead can close it",
    "te lang open: contact {contact} is al {open:d} bij een mens, meer "
    "dan {factor:n} keer de verwachte {expected:d}; is 'klaar' gemist? Een "
    "teamleider kan het sluiten" },
};

/* maat's own words inside parameters, English and Dutch, by parameter. */
struct term {
  const char *param, *en, *nl;
};
static const struct term terms[] = {
  { "tone", "neutral", "neutraal" },
  { "tone", "positive", "positief" },
  { "tone", "frustrated", "gefrustreerd" },
  { "tone", "angry", "boos" },
  { "tone", "distressed", "radeloos" },
  { "tone_adj", "frustrated", "gefrustreerde" },
  { "tone_adj", "angry", "boze" },
  { "tone_adj", "distressed", "radeloze" },
  { "rule", "overload line", "de overbelastingsgrens" },
  { "rule", "heavy cap or overload margin",
    "het maximum zware contacten of de overbelastingsmarge" },
  { "rule", "recovery window", "het herstelvenster" },
  { "choice", "people first: the soft rules hold until the target",
    "mensen eerst: de zachte regels houden tot de servicenorm" },
  { "choice", "service first: the soft rules give way sooner",
    "service eerst: de zachte regels wijken eerder" },
  { "why", "a distressed customer", "een radeloze klant" },
  { "why", "a very angry customer", "een zeer boze klant" },
  { "why", "urgent", "dringend" },
  { "why", "an upset customer who tried before",
    "een overstuur klant die het eerder probeerde" },
  { "why", "a complex message", "een complex bericht" },
  { "topic", "fraud", "fraude" },
  { "topic", "bereavement", "overlijden" },
  { "topic", "complaint", "klacht" },
  { "topic", "legal", "juridisch" },
  { "topic", "cancellation", "opzegging" },
  { "topic", "vulnerable", "kwetsbare klant" },
  { "kind", "fraud", "fraude" },
  { "kind", "health", "gezondheid" },
  { "kind", "safety", "veiligheid" },
  { "kind", "self_harm", "zelfbeschadiging" },
  { "kind", "deadline", "termijn" },
  { "kind", "vulnerable", "kwetsbaar" },
  { "kind", "outage", "storing" },
  { "kind", "breach", "datalek" },
  /* The critical rules describe what they found in the message's own
   * language; each English one has a Dutch twin. */
  { "what", "money taken from the account now",
    "geld dat nu van de rekening wordt gehaald" },
  { "what", "money leaving the account as we speak",
    "geld dat op dit moment van de rekening gaat" },
  { "what", "the account emptied", "een leeggehaalde rekening" },
  { "what", "payments the customer did not make",
    "betalingen die de klant niet deed" },
  { "what", "someone else in the account", "iemand anders in het account" },
  { "what", "the account hacked", "een gehackt account" },
  { "what", "a stolen card in use", "een gestolen pas in gebruik" },
  { "what", "a card used by someone else now",
    "een kaart die nu door een ander wordt gebruikt" },
  { "what", "a scam in progress", "oplichting die nu gebeurt" },
  { "what", "being scammed", "opgelicht worden" },
  { "what", "identity fraud", "identiteitsfraude" },
  { "what", "a medical emergency", "een medisch noodgeval" },
  { "what", "medication not there", "medicijnen die er niet zijn" },
  { "what", "power for medical equipment",
    "stroom voor medische apparatuur" },
  { "what", "gas, fire or electricity danger",
    "gevaar van gas, brand of stroom" },
  { "what", "water on electrics", "water bij de elektriciteit" },
  { "what", "a threat", "een bedreiging" },
  { "what", "self-harm or hopelessness", "zelfbeschadiging of wanhoop" },
  { "what", "a legal or payment deadline",
    "een juridische of betaaltermijn" },
  { "what", "a supply about to be cut off", "afsluiting die dreigt" },
  { "what", "losing the home", "de woning kwijtraken" },
  { "what", "a vulnerable customer without money",
    "een kwetsbare klant zonder geld" },
  { "what", "no money for food", "geen geld voor eten" },
  { "what", "a total outage", "een totale storing" },
  { "what", "an outage for the whole business",
    "een storing voor het hele bedrijf" },
  { "what", "a data breach", "een datalek" },
};

/* Phrases maat writes inside the free text of a tone reason. */
static const struct term phrases[] = {
  { "cues", " (no tone cues)", " (geen toonsignalen)" },
  { "cues", "; urgency ", "; urgentie " },
  { "cues", " (negated)", " (ontkend)" },
  { "cues", " (tone model", " (toonmodel" },
  { "cues", " (frustration)", " (frustratie)" },
  { "cues", " (anger)", " (boosheid)" },
  { "cues", " (distress)", " (nood)" },
  { "cues", " (positive)", " (positief)" },
  { "cues", " (deadline)", " (termijn)" },
  { "cues", " (money)", " (geld)" },
  { "cues", " (safety)", " (veiligheid)" },
  { "cues", " (legal)", " (juridisch)" },
  { "cues", " (cancel)", " (opzegging)" },
  { "cues", " (repeat)", " (herhaling)" },
};

#define NCAT (sizeof catalogue / sizeof *catalogue)
#define MAXP 12

const struct maat_msg_entry *maat_msg_entry(size_t i)
{
  return i < NCAT ? &catalogue[i] : NULL;
}

/* One placeholder's name and type, and the span of its value in the text. */
struct param {
  const char *name;
  size_t nlen;
  char type;            /* 0, 'n', 'd', '*' */
  const char *v;
  size_t vlen;
};

/* Reads the placeholder at 'p' ('{'); returns what follows its '}'. */
static const char *placeholder(const char *p, struct param *out)
{
  const char *e = strchr(p, '}'), *colon;

  out->name = p + 1;
  colon = memchr(p, ':', (size_t)(e - p));
  out->nlen = (size_t)((colon ? colon : e) - out->name);
  out->type = colon ? colon[1] : 0;
  return e + 1;
}

static int is_number(const char *s, size_t n)
{
  size_t i = 0, digits = 0;

  if (i < n && s[i] == '-')
    i++;
  for (; i < n && isdigit((unsigned char)s[i]); i++)
    digits++;
  if (i < n && s[i] == '.')
    for (i++; i < n && isdigit((unsigned char)s[i]); i++)
      digits++;
  return digits && i == n;
}

static int is_duration(const char *s, size_t n)
{
  size_t i = 0;

  while (i < n && isdigit((unsigned char)s[i]))
    i++;
  if (!i || i + 3 > n || s[i] != ':' || !isdigit((unsigned char)s[i + 1]) ||
      !isdigit((unsigned char)s[i + 2]))
    return 0;
  i += 3;
  return (n - i == 4 && !memcmp(s + i, " min", 4)) ||
         (n - i == 2 && !memcmp(s + i, " h", 2));
}

static int fits(const struct param *p, const char *v, size_t n)
{
  switch (p->type) {
  case 'n':
    return is_number(v, n);
  case 'd':
    return is_duration(v, n);
  case '*':
    return 1;
  default:
    for (size_t i = 0; i + 1 < n; i++)
      if (v[i] == ';' && v[i + 1] == ' ')
        return 0;
    return 1;
  }
}

/*
 * Matches text t[0..n) against template 'tpl'; the values into 'ps'.
 * '*budget' bounds the tries, so that no text, however made, costs more
 * than a fixed amount: a text that would need more is not a match.
 */
static int match(const char *tpl, const char *t, size_t n, struct param *ps,
                 int np, long *budget)
{
  if (--*budget < 0)
    return 0;
  while (*tpl && *tpl != '{') {
    if (!n || *tpl != *t)
      return 0;
    tpl++;
    t++;
    n--;
  }
  if (!*tpl)
    return n == 0;
  if (np == MAXP)
    return 0;
  {
    struct param *p = &ps[np];
    const char *rest = placeholder(tpl, p);
    /* Text: the shortest value that lets the rest match (the last: all);
     * a number or a duration: the longest. */
    int greedy = p->type == 'n' || p->type == 'd';
    size_t lo = *rest ? 0 : n;
    for (size_t j = lo; j <= n; j++) {
      size_t k = greedy ? n - (j - lo) : j;
      if (*rest && *rest != '{' && k < n && t[k] != *rest)
        continue;
      if (!fits(p, t, k))
        continue;
      p->v = t;
      p->vlen = k;
      if (match(rest, t + k, n - k, ps, np + 1, budget))
        return 1;
    }
  }
  return 0;
}

/* The entry 'text' (n bytes) is, with its parameters; -1 when none. */
static int find(const char *text, size_t n, struct param *ps)
{
  for (size_t i = 0; i < NCAT; i++) {
    long budget = 20000;
    memset(ps, 0, MAXP * sizeof *ps);
    if (match(catalogue[i].en, text, n, ps, 0, &budget))
      return (int)i;
  }
  return -1;
}

static int count(const char *tpl)
{
  int n = 0;

  for (; *tpl; tpl++)
    n += *tpl == '{';
  return n;
}

struct out {
  char *buf;
  size_t cap, len;
};

static void put(struct out *o, const char *s, size_t n)
{
  if (o->len < o->cap) {
    size_t room = o->cap - 1 - o->len;
    memcpy(o->buf + o->len, s, n < room ? n : room);
  }
  o->len += n;
}

static void put_json_str(struct out *o, const char *s, size_t n)
{
  put(o, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[8];
    if (c == '"' || c == '\\') {
      esc[0] = '\\';
      esc[1] = (char)c;
      put(o, esc, 2);
    } else if (c < 0x20) {
      snprintf(esc, sizeof esc, "\\u%04x", c);
      put(o, esc, 6);
    } else {
      put(o, (const char *)&s[i], 1);
    }
  }
  put(o, "\"", 1);
}

const char *maat_msg_parse(const char *text, char *params, size_t cap)
{
  struct param ps[MAXP];
  struct out o = { params, cap, 0 };
  int e = text ? find(text, strlen(text), ps) : -1;

  if (e >= 0) {
    int np = count(catalogue[e].en);
    put(&o, "{", 1);
    for (int k = 0; k < np; k++) {
      if (k)
        put(&o, ",", 1);
      put_json_str(&o, ps[k].name, ps[k].nlen);
      put(&o, ":", 1);
      if (ps[k].type == 'n')
        put(&o, ps[k].v, ps[k].vlen);
      else
        put_json_str(&o, ps[k].v, ps[k].vlen);
    }
    put(&o, "}", 1);
  }
  if (e < 0 || o.len >= cap) {
    if (cap >= 3)
      memcpy(params, "{}", 3);
    else if (cap)
      params[0] = 0;
    return e < 0 ? NULL : catalogue[e].code;
  }
  params[o.len] = 0;
  return catalogue[e].code;
}

/* A parameter's value in 'nl' (or back to English), into o. */
static void put_value(struct out *o, const struct param *p, int nl)
{
  if (p->type == 'n' && nl) {
    /* Dutch writes a decimal comma. */
    for (size_t i = 0; i < p->vlen; i++)
      put(o, p->v[i] == '.' ? "," : &p->v[i], 1);
    return;
  }
  if (p->type == 'd') {
    size_t unit = p->v[p->vlen - 1] == 'h' ? 2 : 4;
    put(o, p->v, p->vlen - unit);
    put(o, unit == 2 ? (nl ? " u" : " h") : " min", unit == 2 ? 2 : 4);
    return;
  }
  for (size_t i = 0; i < sizeof terms / sizeof *terms; i++) {
    const struct term *t = &terms[i];
    const char *from = nl ? t->en : t->nl, *to = nl ? t->nl : t->en;
    if (strlen(t->param) == p->nlen && !memcmp(t->param, p->name, p->nlen) &&
        strlen(from) == p->vlen && !memcmp(from, p->v, p->vlen)) {
      put(o, to, strlen(to));
      return;
    }
  }
  if (p->nlen == 4 && !memcmp(p->name, "cues", 4) && nl) {
    /* maat's phrases inside; the customer's quotes as they are. */
    size_t i = 0;
    while (i < p->vlen) {
      size_t k;
      for (k = 0; k < sizeof phrases / sizeof *phrases; k++) {
        size_t m = strlen(phrases[k].en);
        if (m <= p->vlen - i && !memcmp(p->v + i, phrases[k].en, m)) {
          put(o, phrases[k].nl, strlen(phrases[k].nl));
          i += m;
          break;
        }
      }
      if (k == sizeof phrases / sizeof *phrases)
        put(o, p->v + i++, 1);
    }
    return;
  }
  put(o, p->v, p->vlen);
}

/* Renders one message (n bytes) into o. */
static void render_one(struct out *o, const char *text, size_t n, int nl)
{
  struct param ps[MAXP];
  int e = find(text, n, ps);
  const char *tpl;

  if (e < 0) {
    put(o, text, n);
    return;
  }
  tpl = nl ? catalogue[e].nl : catalogue[e].en;
  while (*tpl) {
    if (*tpl == '{') {
      struct param want;
      const char *rest = placeholder(tpl, &want);
      for (int k = 0; k < MAXP && ps[k].name; k++)
        if (ps[k].nlen == want.nlen &&
            !memcmp(ps[k].name, want.name, want.nlen)) {
          put_value(o, &ps[k], nl);
          break;
        }
      tpl = rest;
    } else {
      const char *b = strchr(tpl, '{');
      size_t m = b ? (size_t)(b - tpl) : strlen(tpl);
      put(o, tpl, m);
      tpl += m;
    }
  }
}

size_t maat_msg_first(const char *text)
{
  struct param ps[MAXP];
  size_t n = strlen(text), first = n, best = 0;
  int found = 0;

  for (const char *p = strstr(text, "; "); p; p = strstr(p + 2, "; ")) {
    size_t e = (size_t)(p - text);
    if (first == n)
      first = e;
    if (find(text, e, ps) >= 0) {
      best = e;
      found = 1;
    }
  }
  if (find(text, n, ps) >= 0)
    return n;
  return found ? best : first;
}

size_t maat_msg_render(const char *text, const char *lang, char *buf,
                       size_t cap)
{
  struct out o = { buf, cap, 0 };
  int nl = lang && !strncmp(lang, "nl", 2);
  struct param ps[MAXP];
  size_t n = text ? strlen(text) : 0;

  if (!text)
    text = "";
  /* Message by message: some have "; " inside (maat_msg_first()). */
  if (find(text, n, ps) >= 0)
    render_one(&o, text, n, nl);
  else {
    const char *p = text;
    for (;;) {
      size_t m = maat_msg_first(p);
      render_one(&o, p, m, nl);
      if (!p[m])
        break;
      put(&o, "; ", 2);
      p += m + 2;
    }
  }
  if (cap) {
    size_t end = o.len < cap ? o.len : cap - 1;
    if (o.len >= cap)
      end = maat__utf8_fit(buf, cap - 1);
    buf[end] = 0;
  }
  return o.len;
}

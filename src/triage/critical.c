/*
 * critical.c - the contacts that must reach a person first, in Dutch and
 * English: money leaving an account now, an account taken over, a stolen
 * card in use, a scam in progress; health and medication; safety (threats,
 * gas, power for medical equipment); self-harm and hopelessness; eviction,
 * legal and payment deadlines; vulnerable customers without access to
 * money or food; business-wide outages; data breaches.
 *
 * A rule is a few groups of alternatives that must all occur within a
 * window of words ("geld" ... "gehaald" ... "nu"), in any order. A match
 * does not count when a negation stands just before one of its parts ("er
 * is geen geld afgeschreven"), or when its sentences speak of the past or
 * of a what-if ("vorig jaar is mijn pas gestolen, hoe ..."; "what should I
 * do if my card is stolen"). Written by hand, like the tone lexicon: each
 * rule is a reason a team lead can read, and the reason quotes the words
 * that matched. Tuned on the messages in tests/data/critical-*.jsonl and on
 * examples written for it, never on a test split.
 *
 * Alternatives are separated by '|'; a phrase is words separated by single
 * spaces, where ".." stands for up to three other words ("didn't ..
 * authori*" matches "didn't authorise", "did not really authorise"); a
 * word "pre*" matches any word starting with "pre", "*suf" any word ending
 * in "suf". Words are matched case-folded (NFKC), with ’ read
 * as '.
 */
#include "triage-int.h"

#include <stdio.h>
#include <string.h>

#define EN MAAT_LANG_EN
#define NL MAAT_LANG_NL
#define ANY MAAT_LANG_OTHER

#define WINDOW 16            /* words a match may span */
#define NEG_REACH 3          /* words before a part a negation reaches */
#define MAX_GROUPS 3

struct rule {
  unsigned char kind;        /* enum maat_critical_kind */
  unsigned char lang;
  const char *what;          /* for the reason */
  const char *group[MAX_GROUPS];
  int keep_negated;          /* its parts say "no" themselves ("no money
                                for food"): negations do not undo it */
};

/* ---- the rules, by kind ---- */

/* Some words the rules share. */
/* Now, strictly; and recently, for words that already say "not by me". */
#define EN_NOW_STRICT "now|right now|as we speak|at this moment|keeps|" \
  "keep|every few minutes|every minute|one after another|" \
  "this very moment|this minute|this very minute|this second|while i|" \
  "in progress|keeps being|keep being|" \
  "still being|is being|are being"
#define EN_NOW EN_NOW_STRICT "|currently|at the moment|happening|ongoing|" \
  "keeps|keep|just now|minutes ago|an hour ago|this morning|tonight|today|" \
  "suddenly|all of a sudden"
#define NL_NOW_STRICT "nu|op dit moment|momenteel|terwijl ik|" \
  "op ditzelfde moment|blijft|blijven|steeds meer|gaande|nog steeds|" \
  "de hele ochtend|de hele dag|elke paar minuten|elke minuut|" \
  "achter elkaar|de ene na de andere"
#define NL_NOW NL_NOW_STRICT "|zojuist|zonet|net nog|vanochtend|vannacht|" \
  "vandaag|ineens|opeens|plotseling|minuten geleden|uur geleden"
#define EN_MONEY "money|funds|savings|balance|payments|payment|" \
  "transactions|transaction|transfers|transfer|withdrawals|withdrawal|" \
  "charges|debits|euros|pounds|dollars|cash"
/* ("rekening" is also a bill: not here) */
#define NL_MONEY "geld|bedrag|bedragen|saldo|spaargeld|betalingen|betaling|" \
  "transacties|transactie|overboekingen|overboeking|afschrijvingen|" \
  "afschrijving|euro|euros"
#define EN_CARD "card|debit card|credit card|bank card|cards"
#define NL_CARD "pas|pinpas|bankpas|betaalpas|creditcard|kaart|passen"

static const struct rule rules[] = {
  /* -- fraud: money leaving now, takeover, a stolen card in use, scams -- */
  { MAAT_CRITICAL_FRAUD, EN, "money taken from the account now",
    { EN_MONEY, "taken|taking|disappearing|disappeared|draining|drained|"
      "stolen|emptied|emptying|vanishing|vanished|siphoned|gone from|"
      "missing from|taken from|taken out of|disappeared from",
      EN_NOW }, 0 },
  { MAAT_CRITICAL_FRAUD, EN, "money leaving the account as we speak",
    { EN_MONEY, "leaving|withdrawn|withdrawing|transferred|transferring|"
      "sent out|debited|going out|moved", EN_NOW_STRICT }, 0 },
  { MAAT_CRITICAL_FRAUD, EN, "the account emptied",
    { "emptied|drained|cleaned out|wiped out|cleared out",
      "account|accounts|savings|balance", NULL }, 0 },
  { MAAT_CRITICAL_FRAUD, EN, "payments the customer did not make",
    { "didn't make|did not make|never made|not mine|don't recognise|"
      "don't recognize|do not recognise|do not recognize|unauthorised|"
      "unauthorized|fraudulent|without my permission|not authorised|"
      "not authorized|wasn't me|was not me|didn't .. authori*|"
      "did not .. authori*|never .. authori*|haven't .. authori*|"
      "didn't .. do|did not .. do|never did|never .. ordered|"
      "didn't .. order|did not .. order|not by me",
      "payment|payments|transaction|transactions|transfer|transfers|charge|"
      "charges|withdrawal|withdrawals|debit|debits|purchases|purchase|"
      "money|amounts|amount|orders|order", NULL }, 1 },
  { MAAT_CRITICAL_FRAUD, EN, "someone else in the account",
    { "someone|somebody|a stranger|stranger|hacker|hackers|an unknown|"
      "unknown person|someone else",
      "logged in|logging in|logged into|got into|into my account|in my account|"
      "accessed|access to my|changed .. password|changed .. email|"
      "changed .. e-mail|changed .. phone number|changed .. number|"
      "changed .. address|took over|taken over|is using my account",
      NULL }, 0 },
  { MAAT_CRITICAL_FRAUD, EN, "the account hacked",
    { "account|accounts|online banking|app|email",
      "hacked|compromised|taken over|breached|hijacked", NULL }, 0 },
  { MAAT_CRITICAL_FRAUD, EN, "a stolen card in use",
    { EN_CARD, "stolen|lost|missing|skimmed|cloned|copied|taken",
      "used|using|being used|payments|charges|transactions|withdrawals|"
      "someone|bought|purchases|spending|spent" }, 0 },
  { MAAT_CRITICAL_FRAUD, EN, "a scam in progress",
    { "safe account|safety account|remote access|anydesk|teamviewer|"
      "screen sharing|asked for my pin|asking for my pin|asked me for my pin|"
      "verification code|my codes|move my savings|move my money|"
      "transfer my savings|transfer all my money|pretending to be|"
      "pretends to be|claims to be|claiming to be|impersonat*",
      "bank|police|fraud|scam|scammer|someone|caller|man|woman|he|she|"
      "they|phone|calling|called|call|text|message|whatsapp", NULL }, 0 },
  { MAAT_CRITICAL_FRAUD, EN, "a card used by someone else now",
    { "someone|somebody|a stranger|someone else",
      "using my card|using my credit card|using my debit card|"
      "spending on my card|paying with my card|uses my card",
      NULL }, 0 },
  { MAAT_CRITICAL_FRAUD, EN, "identity fraud",
    { "in my name|under my name|my identity|my details|my id",
      "never applied|didn't apply|did not apply|never opened|didn't open|"
      "did not open|never signed|used to open|was used|been used|"
      "fraudulent", NULL }, 0 },
  { MAAT_CRITICAL_FRAUD, EN, "being scammed",
    { "being scammed|getting scammed|been scammed|scammed me|scamming me|"
      "a scammer|scammers|fraudster|fraudsters|phishing|identity theft|"
      "stolen my identity|stole my identity", NULL, NULL }, 0 },
  { MAAT_CRITICAL_FRAUD, NL, "geld dat nu van de rekening wordt gehaald",
    { NL_MONEY, "gehaald|weggehaald|verdwijnt|verdwijnen|verdwenen|"
      "gestolen|leeggehaald|leeggeroofd|weggesluisd|gejat", NL_NOW }, 0 },
  { MAAT_CRITICAL_FRAUD, NL, "geld dat op dit moment van de rekening gaat",
    { NL_MONEY, "afgeschreven|overgemaakt|overgeboekt|opgenomen|afgeboekt|"
      "gepind|gaat eraf|gaan eraf|maakt over|maken over",
      NL_NOW_STRICT }, 0 },
  { MAAT_CRITICAL_FRAUD, NL, "een leeggehaalde rekening",
    { "leeggehaald|leeggeroofd|leeg gehaald|leeggetrokken|geplunderd|"
      "helemaal leeg|ineens leeg",
      "rekening|rekeningen|spaarrekening|saldo|spaargeld|account", NULL }, 0 },
  { MAAT_CRITICAL_FRAUD, NL, "betalingen die de klant niet deed",
    { "niet door mij|niet van mij|ken ik niet|herken ik niet|"
      "heb ik niet gedaan|nooit gedaan|zonder toestemming|onbekende|"
      "onbevoegd|frauduleus*|frauduleuze|niet gemachtigd|was ik niet|"
      "ik .. niet ken|ik .. niet herken|ik .. nooit .. gedaan|"
      "ik .. niet .. gedaan|ik .. nooit .. gemaakt|niet .. geautoriseerd|"
      "nooit .. besteld|niet .. besteld|niet .. goedgekeurd",
      "afschrijving|afschrijvingen|betaling|betalingen|transactie|"
      "transacties|overboeking|overboekingen|afgeschreven|bedrag|"
      "bedragen|aankopen|aankoop|geld|bestellingen|bestelling", NULL }, 1 },
  { MAAT_CRITICAL_FRAUD, NL, "iemand anders in het account",
    { "iemand|een onbekende|onbekenden|een vreemde|hacker|hackers|"
      "iemand anders",
      "ingelogd|inlogt|logt in|inloggen|toegang|in mijn account|"
      "in mijn app|wachtwoord .. veranderd|wachtwoord .. gewijzigd|"
      "e-mail* .. veranderd|e-mail* .. gewijzigd|telefoonnummer .. veranderd|"
      "telefoonnummer .. gewijzigd|adres .. veranderd|overgenomen|"
      "neemt over|zit in mijn|veranderd|gewijzigd",
      NULL }, 0 },
  { MAAT_CRITICAL_FRAUD, NL, "een gehackt account",
    { "account|rekening|internetbankieren|app|mail|e-mail",
      "gehackt|gekaapt|overgenomen|gehacked", NULL }, 0 },
  { MAAT_CRITICAL_FRAUD, NL, "een gestolen pas in gebruik",
    { NL_CARD, "gestolen|kwijt|verloren|gekopieerd|geskimd|gejat|gerold|"
      "ontvreemd|afgepakt",
      "gebruikt|betalingen|betaald|gepind|opgenomen|afgeschreven|iemand|"
      "gekocht|aankopen|uitgegeven" }, 0 },
  { MAAT_CRITICAL_FRAUD, NL, "oplichting die nu gebeurt",
    { "veilige rekening|kluisrekening|anydesk|teamviewer|meekijken|"
      "scherm delen|vraagt om mijn pincode|vroeg om mijn pincode|"
      "vroeg mijn pincode|vraagt mijn pincode|mijn codes|"
      "mijn spaargeld overzetten|al mijn geld overmaken|geld overzetten|"
      "doet zich voor als|deed zich voor als|zich voordoen als|"
      "beweert van de bank",
      "bank|politie|fraude*|iemand|beller|man|vrouw|hij|zij|ze|telefoon|"
      "belt|belde|gebeld|sms|bericht|whatsapp|medewerker", NULL }, 0 },
  { MAAT_CRITICAL_FRAUD, NL, "een kaart die nu door een ander wordt gebruikt",
    { "iemand|een ander|een onbekende|iemand anders",
      "gebruikt mijn kaart|gebruikt mijn pas|betaalt met mijn|"
      "pint met mijn|gebruikt .. mijn kaart|gebruikt .. mijn pas",
      NULL }, 0 },
  { MAAT_CRITICAL_FRAUD, NL, "identiteitsfraude",
    { "op mijn naam|met mijn gegevens|mijn identiteit",
      "nooit aangevraagd|niet aangevraagd|nooit afgesloten|"
      "niet afgesloten|nooit geopend|nooit .. aangevraagd|"
      "nooit .. afgesloten|misbruikt|gebruikt", NULL }, 0 },
  { MAAT_CRITICAL_FRAUD, NL, "opgelicht worden",
    { "word opgelicht|opgelicht|wordt opgelicht|oplichter|oplichters|"
      "phishing|identiteitsfraude|mijn identiteit gestolen|"
      "identiteit is gestolen|nepbank|nep-bank|spoofing|"
      "bankhelpdeskfraude|vriend-in-noodfraude", NULL, NULL }, 0 },

  /* -- health and medication -- */
  { MAAT_CRITICAL_HEALTH, EN, "medication not there",
    { "medication|*medication|medicine|medicines|insulin*|inhaler*|"
      "prescription|prescriptions|epipen|epi-pen|pills|tablets|meds|oxygen|"
      "chemo*|dialysis|antibiotics|morphine|methadone",
      "not arrived|hasn't arrived|has not arrived|didn't arrive|"
      "did not arrive|not delivered|hasn't been delivered|never arrived|"
      "never came|didn't come|did not come|hasn't come|has not come|"
      "never showed up|didn't get|did not get|haven't got|missing|ran out|"
      "none left|no more|wrong address|"
      "run out|running out|out of|haven't received|have not received|"
      "not received|still waiting|delayed|late|without|need it|needs it|"
      "lost", NULL }, 1 },
  { MAAT_CRITICAL_HEALTH, EN, "a medical emergency",
    { "ambulance|can't breathe|cannot breathe|can not breathe|"
      "struggling to breathe|chest pain|heart attack|unconscious|"
      "allergic reaction|anaphylactic|anaphylaxis|seizure|seizures|"
      "overdose|stroke|collapsed|bleeding heavily|medical emergency",
      NULL, NULL }, 0 },
  { MAAT_CRITICAL_HEALTH, NL, "medicijnen die er niet zijn",
    { "medicijnen|*medicijnen|medicijn|medicatie|*medicatie|insuline*|"
      "inhalator|puffer|recept|pillen|*pillen|tabletten|*tabletten|"
      "zuurstof|epipen|"
      "chemo*|dialyse|antibiotica|geneesmiddelen|medicatierol|morfine",
      "niet aangekomen|niet geleverd|niet ontvangen|nog niet binnen|"
      "nog steeds niet|nooit aangekomen|niet gekomen|nooit gekomen|"
      "kwam niet|zijn er niet|is er niet|kwijt|bijna op|raakt op|raken op|"
      "zijn op|is op|geen|geen meer|zonder|waar blijft|waar blijven|"
      "vertraagd|"
      "te laat|niet bezorgd|zoekgeraakt|kwijtgeraakt|verloren|"
      "heb ze nodig|heeft ze nodig|hard nodig|vanavond nodig|"
      "vandaag nodig|morgen nodig", NULL }, 1 },
  { MAAT_CRITICAL_HEALTH, NL, "een medisch noodgeval",
    { "ambulance|112 gebeld|112 bellen|krijgt geen lucht|krijg geen lucht|"
      "kan niet ademen|erg benauwd|heel benauwd|zo benauwd|"
      "krijg het benauwd|pijn op de borst|hartaanval|bewusteloos|"
      "allergische reactie|anafylactische|epileptische aanval|"
      "epileptisch aanval|overdosis|beroerte|ingestort|flauwgevallen|"
      "medisch noodgeval", NULL, NULL }, 0 },

  /* -- safety -- */
  { MAAT_CRITICAL_SAFETY, EN, "gas, fire or electricity danger",
    { "gas leak|smell gas|smell .. gas|smells .. gas|smell of gas|gas smell|"
      "smells of gas|"
      "carbon monoxide|on fire|caught fire|fire in my|fire in our|"
      "sparks coming|sparks from|sparks flying|sparking|smoke "
      "coming|smoking meter|electric shock|exposed wires|live wire|"
      "burst pipe|house is flooding|house is flooded|flooded house",
      NULL, NULL }, 0 },
  { MAAT_CRITICAL_SAFETY, EN, "water on electrics",
    { "water|leak|leaking|dripping|pouring",
      "fuse box|fusebox|fuseboard|consumer unit|electrics|socket|sockets|"
      "meter cupboard|wiring", NULL }, 0 },
  { MAAT_CRITICAL_SAFETY, EN, "a threat",
    { "threaten*|going to hurt|hurt me|kill me|kill you|beat me|violent|"
      "violence|stalking|stalker|domestic abuse|abusive partner|unsafe|"
      "not safe|in danger|attacked me|assaulted",
      "me|us|my|i|we|our|i'm|myself", NULL }, 0 },
  { MAAT_CRITICAL_SAFETY, EN, "power for medical equipment",
    { "power|electricity|disconnect*|cut off|shut off|outage|supply",
      "oxygen|ventilator|dialysis|medical equipment|medical device|"
      "breathing machine|oxygen concentrator|respirator|cpap|home dialysis|"
      "life support|stairlift|hoist", NULL }, 0 },
  { MAAT_CRITICAL_SAFETY, NL, "gevaar van gas, brand of stroom",
    { "gaslek|ruik gas|ruikt gas|ruiken gas|rook gas|gaslucht|"
      "ruikt naar gas|ruik .. gas|gas ruiken|naar gas ruikt|koolmonoxide|"
      "staat in brand|vlam in de pan|brand in de|brand in mijn|"
      "brand in ons|vonken uit|komen vonken|vonkt|rook uit|"
      "stroomschok|blank liggende|draden bloot|gesprongen leiding|"
      "huis staat onder water|kelder staat onder water", NULL, NULL }, 0 },
  { MAAT_CRITICAL_SAFETY, NL, "water bij de elektriciteit",
    { "water|lekt|lekkage|druppelt|stroomt",
      "meterkast|stoppenkast|groepenkast|stopcontact|stopcontacten|"
      "bedrading|elektra", NULL }, 0 },
  { MAAT_CRITICAL_SAFETY, NL, "een bedreiging",
    { "bedreigd|bedreigt|bedreigen|bedreiging|bedreigingen|dreigt mij|"
      "dreigde mij|vermoorden|iets aandoen|"
      "pijn doen|in elkaar slaan|in elkaar zou slaan|in elkaar te slaan|"
      "in elkaar geslagen|geweld|gewelddadig|stalker|stalkt|"
      "huiselijk geweld|niet veilig|onveilig|in gevaar|aangevallen|"
      "mishandeld",
      "mij|me|ik|ons|mijn|we|wij|onze|mezelf", NULL }, 0 },
  { MAAT_CRITICAL_SAFETY, NL, "stroom voor medische apparatuur",
    { "stroom|elektriciteit|afgesloten|afsluiten|afsluiting|storing|"
      "stroomstoring|uitval",
      "zuurstof|beademing|dialyse|medische apparatuur|medisch apparaat|"
      "thuisdialyse|zuurstofapparaat|zuurstofconcentrator|traplift|cpap|"
      "tillift|hoog-laagbed", NULL }, 0 },

  /* -- self-harm, hopelessness -- */
  { MAAT_CRITICAL_SELF_HARM, EN, "self-harm or hopelessness",
    { "kill myself|killing myself|end my life|ending my life|end it all|"
      "suicide|suicidal|don't want to live|do not want to live|"
      "don't want to be here anymore|don't see the point|"
      "do not see the point|no point in living|no point anymore|"
      "no point any more|can't go on|cannot go on|can't take it anymore|"
      "can't take this anymore|cannot take it anymore|better off dead|"
      "hurt myself|harm myself|self harm|self-harm|no way out|"
      "not worth living|nothing to live for|give up on everything|"
      "want to disappear|wish i was dead|wish i were dead|"
      "better off without me|better off if i wasn't here|"
      "better off if i weren't here|if i wasn't here|if i weren't here|"
      "can't do this anymore|cannot do this anymore|"
      "can't do this any more", NULL, NULL }, 0 },
  { MAAT_CRITICAL_SELF_HARM, NL, "zelfbeschadiging of wanhoop",
    { "zelfmoord|suïcide|suicide|suïcidaal|een eind aan maken|"
      "een einde aan maken|er een eind aan|er een einde aan|"
      "niet meer leven|wil niet meer leven|wil er niet meer zijn|"
      "zie het niet meer zitten|zie het nut niet meer|"
      "zie het nut er niet meer van|heeft allemaal geen zin meer|"
      "heeft geen zin meer|het hoeft niet meer|"
      "ik kan het niet meer aan|ik trek het niet meer|"
      "ik houd het niet meer vol|ik hou het niet meer vol|geen uitweg|"
      "mezelf iets aandoen|mezelf wat aandoen|uit het leven stappen|"
      "uit het leven te stappen|"
      "beter dood|was ik maar dood|wil dood|beter af zonder mij|"
      "einde aan mijn leven|eind aan mijn leven|"
      "beter af .. zonder mij|ik kan dit niet meer|ik kan dit niet meer aan|"
      "er niet meer zijn|wil verdwijnen", NULL, NULL }, 0 },

  /* -- eviction, legal and payment deadlines -- */
  { MAAT_CRITICAL_DEADLINE, EN, "losing the home",
    { "evict*|eviction|kicked out of my home|kicked out of our home|"
      "lose my home|lose our home|losing my home|losing our home|"
      "lose my house|losing my house|homeless|repossess*|foreclos*|"
      "out on the street", NULL, NULL }, 0 },
  { MAAT_CRITICAL_DEADLINE, EN, "a legal or payment deadline",
    { "court|bailiff|bailiffs|summons|legal action|hearing|final notice|"
      "last notice|final demand|debt collector|debt collectors|"
      "collection agency|seize|seizure of|enforcement",
      "today|tomorrow|tonight|this week|friday|monday|within|"
      "before|hours|days left|expires|deadline|coming|or else|will take",
      NULL }, 0 },
  { MAAT_CRITICAL_DEADLINE, EN, "a supply about to be cut off",
    { "cut off|cutting off|disconnect*|shut off|shutting off|switch off|"
      "switched off",
      "power|gas|water|electricity|heating|energy|supply",
      "today|tomorrow|tonight|this week|friday|monday|going to|threaten*|"
      "in two days|in 2 days|in three days|in 3 days" }, 0 },
  { MAAT_CRITICAL_DEADLINE, NL, "de woning kwijtraken",
    { "uitzetting|uitgezet|huisuitzetting|dakloos|op straat komen|"
      "op straat gezet|op straat staan|huis kwijt|"
      "woning kwijt|ontruiming|ontruimd|ontruimen|executieveiling|"
      "gedwongen verkoop", NULL, NULL }, 0 },
  { MAAT_CRITICAL_DEADLINE, NL, "een juridische of betaaltermijn",
    { "rechtbank|rechter|dagvaarding|zitting|deurwaarder|incassobureau|"
      "laatste aanmaning|ingebrekestelling|fatale termijn|beslag|"
      "beslaglegging|loonbeslag|executie",
      "vandaag|morgen|deze week|vrijdag|maandag|binnen|uiterlijk|verloopt|"
      "nog twee dagen|nog 2 dagen|nog drie dagen|nog 3 dagen|komt|"
      "staat voor de deur|dreigt|dreigen|uur|anders", NULL }, 0 },
  { MAAT_CRITICAL_DEADLINE, NL, "afsluiting die dreigt",
    { "afgesloten|afsluiten|afsluiting|sluiten af|sluit af|dichtgedraaid|"
      "dichtdraaien|afgekoppeld|af te sluiten|af sluiten|af gesloten|"
      "sluit .. af|sluiten .. af|draait .. dicht|draaien .. dicht",
      "stroom|gas|water|elektriciteit|verwarming|energie",
      "vandaag|morgen|deze week|vrijdag|maandag|dreigen|dreigt|gaan|"
      "over twee dagen|over 2 dagen|binnenkort|word|worden" }, 0 },

  /* -- vulnerable customers without access to money or food -- */
  { MAAT_CRITICAL_VULNERABLE, EN, "a vulnerable customer without money",
    { "elderly|my mother|my father|my mum|my mom|my dad|my grandmother|"
      "my grandfather|my grandma|my grandpa|my uncle|my aunt|"
      "lives alone|dementia|alzheimer*|disabled|"
      "disability|blind|widow|widowed|care home|nursing home|year-old|"
      "years old|pensioner|in hospital",
      "no money|can't access|cannot access|can not access|without money|"
      "no access|can't get to|cannot get to|can't pay|cannot pay|no food|"
      "can't buy|cannot buy|nothing to eat|stuck without|locked out of|"
      "has no cash|can't withdraw|cannot withdraw|can't get .. cash|"
      "cannot get .. cash|can't get .. money|cannot get .. money|"
      "no cash|without cash", NULL }, 1 },
  { MAAT_CRITICAL_VULNERABLE, EN, "no money for food",
    { "food|eat|groceries|formula|nappies|diapers|baby milk|medicine",
      "no money|can't afford|cannot afford|can't buy|cannot buy|"
      "nothing left|not a penny|not a cent|no cash|can't pay for|"
      "cannot pay for", NULL }, 1 },
  { MAAT_CRITICAL_VULNERABLE, NL, "een kwetsbare klant zonder geld",
    { "moeder|vader|oma|opa|oom|tante|woont alleen|bejaard|bejaarde|"
      "hoogbejaard|dementie|"
      "dementerend|alzheimer|gehandicapt|beperking|blind|slechtziend|"
      "weduwe|weduwnaar|verpleeghuis|verzorgingshuis|jarige|jaar oud|"
      "in het ziekenhuis",
      "geen geld|niet bij haar geld|niet bij zijn geld|niet bij mijn geld|"
      "kan niet bij|kunnen niet bij|geen toegang|kan niet betalen|"
      "geen eten|zonder geld|kan geen geld|kan .. geen geld|kan niet pinnen|"
      "geen contant|kan .. niet pinnen|"
      "niets te eten|buitengesloten", NULL }, 1 },
  { MAAT_CRITICAL_VULNERABLE, NL, "geen geld voor eten",
    { "eten|boodschappen|voedsel|luiers|babyvoeding|flesvoeding|"
      "melkpoeder",
      "geen geld|kan niet betalen|kan geen|niks meer|niets meer|"
      "geen cent|geen euro|kan ik niet betalen|niet meer betalen", NULL },
    1 },

  /* -- business-wide outages -- */
  { MAAT_CRITICAL_OUTAGE, EN, "an outage for the whole business",
    { "everyone|everybody|all our|all of our|whole company|entire company|"
      "whole office|entire office|all customers|all users|all our users|"
      "all stores|all shops|all branches|nobody can|no one can|"
      "none of our|all employees|all staff|company-wide|production|"
      "all systems|whole team|entire team|all our customers|all .. of our|"
      "our shops|our stores|our branches|our staff|our employees|"
      "every one of our|each of our|our restaurants|all our restaurants",
      "down|not working|can't|cannot|outage|offline|unable|stopped|fails|"
      "failing|broken|crashed|locked out|no access|standstill",
      NULL }, 0 },
  { MAAT_CRITICAL_OUTAGE, EN, "a total outage",
    { "complete outage|total outage|down for everyone|everything is down|"
      "whole site is down|site is down for|system-wide|systemwide outage|"
      "production is down|production down|major outage", NULL, NULL }, 0 },
  { MAAT_CRITICAL_OUTAGE, NL, "een storing voor het hele bedrijf",
    { "iedereen|alle klanten|alle medewerkers|hele bedrijf|hele kantoor|"
      "al onze|alle winkels|alle vestigingen|niemand kan|niemand van ons|"
      "bedrijfsbreed|het hele team|alle collega's|alle kassa's|"
      "al onze klanten|alle gebruikers|geen van onze|ons bedrijf|"
      "onze medewerkers|onze klanten",
      "plat|werkt niet|werken niet|kan niet|kunnen niet|kunnen .. geen|"
      "kan .. geen|kunnen .. niet|kan .. niet|storing|offline|eruit|stil|"
      "onbereikbaar|down|geen toegang|ligt", NULL }, 0 },
  { MAAT_CRITICAL_OUTAGE, NL, "een totale storing",
    { "alles ligt plat|ligt volledig plat|ligt helemaal plat|"
      "productie ligt stil|landelijke storing|totale storing|"
      "complete storing|grote storing|alles ligt eruit", NULL, NULL }, 0 },

  /* -- data breaches -- */
  { MAAT_CRITICAL_BREACH, EN, "a data breach",
    { "data breach|data leak|breach of|leaked|has leaked|have leaked|"
      "exposed|someone else's|somebody else's|other customers'|"
      "other people's|another customer's|another customer|other customer|"
      "another person's|another person|someone else's|"
      "other customers|someone else|somebody else|hundreds of|"
      "thousands of|wrong person|sent to the wrong|"
      "visible to anyone|publicly visible|public online",
      "data|details|information|personal data|records|passwords|password|"
      "invoices|invoice|medical records|account details|passport|"
      "address|addresses|emails|files|documents|account|statements|"
      "bank details|name|names|phone number|"
      "*statements|transactions|orders|bookings|payslips", NULL }, 0 },
  { MAAT_CRITICAL_BREACH, NL, "een datalek",
    { "datalek|gelekt|uitgelekt|lek|van iemand anders|van een ander|"
      "andere klanten|andere klant|verkeerde persoon|verkeerde adres|"
      "openbaar|voor iedereen te zien|voor iedereen zichtbaar|op straat",
      "gegevens|data|persoonsgegevens|wachtwoorden|wachtwoord|facturen|"
      "factuur|dossier|bsn|paspoort|medische gegevens|rekeninggegevens|"
      "adressen|documenten|bestanden|account|datalek|*afschriften|"
      "afschrift*|transacties|bestellingen|loonstroken", NULL }, 0 },
};

/* Negations: before a part, they undo it ("no money was taken"). */
static const char *const negations[] = {
  "not", "no", "never", "nothing", "without", "hasn't", "haven't", "isn't",
  "wasn't", "aren't", "weren't", "don't", "doesn't", "didn't", "nobody",
  "niet", "geen", "nooit", "niets", "niks", "zonder", "niemand", NULL
};

/* Sentences that speak of the past or of a what-if are not emergencies. */
static const char *const blockers[] = {
  /* the past */
  "last year", "last month", "last week", "last summer", "years ago",
  "months ago", "weeks ago", "a while ago", "long ago", "back in",
  "in the past", "used to",
  "vorig jaar", "vorige maand", "vorige week", "vorige zomer",
  "jaren geleden", "maanden geleden", "weken geleden", "lang geleden",
  "een tijd geleden", "destijds", "in het verleden", "vroeger",
  /* what-if, how-to, policy questions */
  "what should i do if", "what do i do if", "what happens if", "what if",
  "in case", "suppose", "imagine", "how do i prevent", "how can i prevent",
  "how can i protect", "how do i protect", "how to protect",
  "hypothetically", "what is your policy", "does the insurance cover",
  "does my insurance cover", "am i covered",
  "wat moet ik doen als", "wat moet ik doen wanneer", "wat gebeurt er als",
  "wat als", "stel dat", "voor het geval", "hoe voorkom ik",
  "hoe kan ik voorkomen", "hoe bescherm ik", "hoe kan ik mij beschermen",
  "ben ik verzekerd", "dekt de verzekering", "wat is jullie beleid", NULL
};

/* ---- matching ---- */

struct word {
  char s[48];                /* case-folded, ’ as ' ; "" if too long */
  size_t start, end;         /* bytes in the original text */
  int sentence;
};

/* Whether 'w' fits the pattern word 'p' ('n' bytes, maybe with '*'). */
static int word_is(const char *w, const char *p, size_t n)
{
  size_t wl = strlen(w);

  if (n && p[n - 1] == '*')
    return wl >= n - 1 && !memcmp(w, p, n - 1);
  if (n && p[0] == '*')
    return wl >= n - 1 && !memcmp(w + wl - (n - 1), p + 1, n - 1);
  return wl == n && !memcmp(w, p, n);
}

#define GAP 3                /* words a ".." may skip */

/* Whether the phrase ('n' bytes) matches the words from 'i' on, the same
 * sentence; its length in words in '*len'. */
static int phrase_at(const struct word *w, size_t nw, size_t i,
                     const char *p, size_t n, size_t *len)
{
  const char *sp = memchr(p, ' ', n);
  size_t wl = sp ? (size_t)(sp - p) : n, rest = sp ? n - wl - 1 : 0;

  if (!n || i >= nw)
    return 0;
  if (wl == 2 && !memcmp(p, "..", 2)) {
    /* skip 0..GAP words, then the rest of the phrase */
    for (size_t g = 0; g <= GAP && i + g < nw; g++) {
      size_t l;
      if (g && w[i + g].sentence != w[i + g - 1].sentence)
        break;
      if (phrase_at(w, nw, i + g, sp + 1, rest, &l)) {
        *len = g + l;
        return 1;
      }
    }
    return 0;
  }
  if (!word_is(w[i].s, p, wl))
    return 0;
  if (!sp) {
    *len = 1;
    return 1;
  }
  if (i + 1 >= nw || w[i + 1].sentence != w[i].sentence ||
      !phrase_at(w, nw, i + 1, sp + 1, rest, len))
    return 0;
  (*len)++;
  return 1;
}

/* Whether any alternative of 'alts' matches at word 'i'. */
static int alts_at(const struct word *w, size_t nw, size_t i,
                   const char *alts, size_t *len)
{
  const char *p = alts;

  while (*p) {
    const char *bar = strchr(p, '|');
    size_t n = bar ? (size_t)(bar - p) : strlen(p);
    if (phrase_at(w, nw, i, p, n, len))
      return 1;
    p += n + (bar != NULL);
  }
  return 0;
}

static int negated(const struct word *w, size_t i)
{
  for (size_t k = i >= NEG_REACH ? i - NEG_REACH : 0; k < i; k++)
    for (int j = 0; negations[j]; j++)
      if (w[k].sentence == w[i].sentence && !strcmp(w[k].s, negations[j]))
        return 1;
  return 0;
}

struct spot {
  size_t at, len;
};

/* The best (closest to 'anchor') match of group 'g' that is not negated. */
static int nearest(const struct word *w, size_t nw, const char *alts,
                   size_t anchor, int keep_negated, struct spot *out)
{
  size_t lo = anchor >= WINDOW ? anchor - WINDOW : 0;
  size_t hi = anchor + WINDOW < nw ? anchor + WINDOW : nw;
  size_t best = (size_t)-1, len;
  int found = 0;

  for (size_t i = lo; i < hi; i++) {
    size_t d = i > anchor ? i - anchor : anchor - i;
    if (alts_at(w, nw, i, alts, &len) && (keep_negated || !negated(w, i)) &&
        (!found || d < best)) {
      best = d;
      out->at = i;
      out->len = len;
      found = 1;
    }
  }
  return found;
}

/* Whether a sentence from 'first' to 'last' speaks of the past or a
 * what-if. */
static int blocked(const unsigned char *sentence_blocked, int first,
                   int last)
{
  for (int s = first; s <= last; s++)
    if (sentence_blocked[s])
      return 1;
  return 0;
}

static void quote(const char *text, const struct word *w, struct spot *s,
                  int n, char *out, size_t cap)
{
  size_t used = 0;

  out[0] = '\0';
  for (int k = 0; k < n && used + 4 < cap; k++) {
    size_t a = w[s[k].at].start, b = w[s[k].at + s[k].len - 1].end;
    int m = snprintf(out + used, cap - used, "%s'%.*s'", k ? " + " : "",
                     (int)(b - a), text + a);
    if (m < 0 || (size_t)m >= cap - used) {
      out[used] = '\0';
      break;
    }
    used += (size_t)m;
  }
}

static int rule_matches(const struct rule *r, const struct word *w, size_t nw,
                        const unsigned char *sblocked, const char *text,
                        struct maat__critical *hit)
{
  struct spot s[MAX_GROUPS];
  size_t len;
  int ng = 0;

  while (ng < MAX_GROUPS && r->group[ng])
    ng++;
  for (size_t i = 0; i < nw; i++) {
    size_t lo, hi;
    int ok = 1;
    if (!alts_at(w, nw, i, r->group[0], &len) ||
        (!r->keep_negated && negated(w, i)))
      continue;
    s[0].at = i;
    s[0].len = len;
    for (int g = 1; g < ng && ok; g++)
      ok = nearest(w, nw, r->group[g], i, r->keep_negated, &s[g]);
    if (!ok)
      continue;
    lo = s[0].at;
    hi = s[0].at + s[0].len;
    for (int g = 1; g < ng; g++) {
      if (s[g].at < lo)
        lo = s[g].at;
      if (s[g].at + s[g].len > hi)
        hi = s[g].at + s[g].len;
    }
    if (hi - lo > WINDOW ||
        blocked(sblocked, w[lo].sentence, w[hi - 1].sentence))
      continue;
    hit->kind = r->kind;
    hit->what = r->what;
    /* quoted in the order the words stand */
    for (int a = 1; a < ng; a++)
      for (int b = a; b > 0 && s[b].at < s[b - 1].at; b--) {
        struct spot t = s[b];
        s[b] = s[b - 1];
        s[b - 1] = t;
      }
    quote(text, w, s, ng, hit->words, sizeof hit->words);
    return 1;
  }
  return 0;
}

int maat__critical_scan(maat_tokenizer *tok, const char *text, size_t len,
                        maat_lang lang, struct maat__critical *hit)
{
  struct word *w;
  unsigned char *sblocked;
  size_t n, nw = 0;
  int sentence = 0, rc;

  memset(hit, 0, sizeof *hit);
  if (!text || !len)
    return 0;
  if ((rc = maat_tokenize(tok, text, len, 0)))
    return rc;
  n = maat_tokenizer_count(tok);
  w = maat__calloc(n + 1, sizeof *w);
  sblocked = maat__calloc(n + 2, 1);
  if (!w || !sblocked) {
    maat__free(w);
    maat__free(sblocked);
    return maat__fail(MAAT_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < n; i++) {
    const maat_token *t = maat_tokenizer_get(tok, i);
    size_t o = 0;
    /* A line break between two words ends a sentence; two tokens cut from
     * one grapheme cluster share its bytes, so the gap may be none. */
    if (nw && t->start > w[nw - 1].end &&
        memchr(text + w[nw - 1].end, '\n', t->start - w[nw - 1].end))
      sentence++;
    if (t->kind == MAAT_TOK_PUNCT) {
      if (memchr(t->text, '.', t->len) || memchr(t->text, '!', t->len) ||
          memchr(t->text, '?', t->len) || memchr(t->text, ';', t->len))
        sentence++;
      continue;
    }
    for (size_t k = 0; k < t->len && o + 1 < sizeof w[nw].s; k++) {
      if (k + 2 < t->len && !memcmp(t->text + k, "\xe2\x80\x99", 3)) {
        w[nw].s[o++] = '\'';
        k += 2;
      } else {
        w[nw].s[o++] = t->text[k];
      }
    }
    w[nw].start = t->start;
    w[nw].end = t->end;
    w[nw].sentence = sentence;
    nw++;
  }
  /* Which sentences speak of the past or of a what-if. */
  for (size_t i = 0; i < nw; i++)
    for (int b = 0; blockers[b]; b++)
      if (phrase_at(w, nw, i, blockers[b], strlen(blockers[b]), &n))
        sblocked[w[i].sentence] = 1;
  rc = 0;
  for (size_t r = 0; r < sizeof rules / sizeof rules[0] && !rc; r++)
    if (rules[r].lang == ANY || lang == MAAT_LANG_OTHER ||
        rules[r].lang == lang)
      rc = rule_matches(&rules[r], w, nw, sblocked, text, hit);
  maat__free(w);
  maat__free(sblocked);
  return rc;
}

const char *maat_critical_kind_name(int kind)
{
  static const char *const names[] = {
    "none", "fraud", "health", "safety", "self_harm", "deadline",
    "vulnerable", "outage", "breach"
  };
  return kind >= 0 && kind <= MAAT_CRITICAL_BREACH ? names[kind] : "?";
}

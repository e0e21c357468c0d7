// maat's pages: the token, the language, calls to the API. No framework;
// the chart library is uPlot from npm (assets/uplot.js).
'use strict';

const T = {
  en: {
    title: 'maat', login: 'Sign in', token: 'Your access token',
    err400: 'That was not accepted: check what you entered.', err401: 'Your sign-in has expired: sign in again.',
    err403: 'Your role may not do this.', err404: 'Not found: it may have been closed already.',
    err409: 'That was already done, or conflicts with what is there.', err413: 'That is too long.',
    err429: 'Too many requests: wait a moment and try again.', err5xx: 'The server could not do it: try again in a moment.',
    errOther: 'That did not work (status {s}).', field: 'field',
    tokenHelp: 'Paste your access token. It stays in this browser tab only.',
    enrolTitle: 'First time? Use your enrolment code', code: 'Enrolment code',
    codeHelp: 'Your administrator gave you a one-time code (XXXX-XXXX-XXXX). It gives you your own token, which only you see: nobody else, administrators included, can read your day with it.',
    enrol: 'Get my token', badCode: 'This code is unknown, used or expired: ask for a new one.',
    yourToken: 'Your token, shown only now. Keep it in your password manager: you sign in with it.',
    continue: 'Continue to My day',
    liveHidden: 'Your live figures are hidden until {t}: your access was reset, and they still carry work from before.',
    go: 'Sign in', signout: 'Sign out', badToken: 'This token is not valid.',
    noPages: 'This role has no pages: integration tokens are for the helpdesk.',
    dashboard: 'Team dashboard', myday: 'My day',
    queue: 'Queue', waiting: 'waiting', oldest: 'oldest wait', target: 'target',
    byTier: 'By tier', byPriority: 'By priority', priority: 'priority',
    strain: 'Team strain', strainNow: 'now (mean / p90)', overLine: 'above the overload line',
    withheld: 'Hidden: fewer people worked the last quarter of an hour than the minimum group, so the figure could point to someone.',
    noPeriod: 'The first figures appear when the first quarter of an hour has ended.',
    strainPeriod: 'over the quarter to {t}, {n} people, rounded to 0.1',
    strainDay: 'Team strain today, from midnight (hourly mean)',
    agents: 'Agents', available: 'available', busy: 'busy', recovery: 'recovering',
    break: 'on a break', offline: 'offline', onShift: 'on shift',
    bot: 'The bot', botShare: 'share of contacts', handedBack: 'handed back to people',
    service: 'Service level', avgWait: 'average wait',
    warnings: 'Warnings', noWarnings: 'No warnings.', personalWarnings: 'personal warnings went to agents themselves',
    recent: 'Recent decisions', toBot: 'bot', toPerson: 'a person',
    myStrain: 'My strain', line: 'overload line', recovering: 'Recovering after a heavy contact',
    left: 'left', inARow: 'heavy contacts in a row', today: 'heavy contacts today', inARow1: 'heavy contact in a row', today1: 'heavy contact today',
    breather: 'Take a breather', back: "I'm back", state: 'State',
    checkins: 'My check-ins', noCheckins: 'No check-ins yet: after a contact, tap how much energy it left you.',
    energy: 'energy', energyByKind: 'What gives and costs me energy', kind: 'kind of contact', mean: 'mean energy',
    myWarnings: 'For me', forbidden: 'You may not see this page.', updated: 'updated',
    privacy: 'Only you can see this page. Your team lead sees team totals, never yours.',
    min: 'min', hr: 'h', hour: 'hour of the day', strainAxis: 'strain', overloadLine: 'overload line',
    time: 'time', contact: 'contact', tier: 'tier', to: 'to', reasons: 'reasons',
    legend: 'T1: the bot answers \u00b7 T2: a specialist, with a prepared proposal \u00b7 T3: straight to an experienced person. Priority 3: critical, first \u00b7 2: urgent or T3 \u00b7 1: normal \u00b7 0: low.',
    times: '\u00d7', lastAt: 'last at',
    breatherDo: 'Take a breather', backDo: "I'm back", breatherPending: 'A breather after this contact',
    openContacts: 'Open contacts', openHelp: 'Contacts people are working on, longest first. Close one an agent left open (a missed \u201cdone\u201d keeps them busy), give it to someone else or put it back in the queue; your reason is kept.',
    intentH: 'intent', openFor: 'open for', close: 'Close', reasonNeeded: 'Give a reason first: it is kept.',
    noOpen: 'Nobody is working on a contact.', closed: 'Closed.',
    waitingContacts: 'Waiting contacts', waitingHelp: 'Contacts waiting for a person, first in line first. You can give one to someone who is free; maat says which of its rules that breaks. The hard limits (a minimum rest after a heavy contact, the most heavy contacts in a row) hold for you too.',
    waitingFor: 'waiting for', noWaiting: 'Nobody is waiting.',
    moveTo: 'Give to…', move: 'Give', requeue: 'Back to the queue', chooseAgent: 'who is free',
    noneFree: 'Nobody is free right now.', moved: 'Moved.', movedAgainst: 'Moved, against: {r}.',
    requeued: 'Back in the queue.', reasonMove: 'Why give it? (kept)', reasonAny: 'Your reason (kept)',
    configTitle: 'Team and configuration', configHelp: 'What maat runs with now, read only: the team file and the configuration file are where it is changed.',
    teamAgents: 'Agents', languages: 'languages', skills: 'skills', shift: 'shift', allSettings: 'All settings',
    cfgChoice: 'When the team cannot meet both', peopleFirst: 'people first: the soft rules hold until the service target', serviceFirst: 'service first: the soft rules give way sooner',
    cfgHardRest: 'Hard limit: least rest after a heavy contact', cfgHardHeavy: 'Hard limit: most heavy contacts in a row',
    cfgTarget: 'Service target', cfgPolicy: 'Routing policy', cfgMinGroup: 'Team figures need a group of', cfgTimezone: 'Time zone',
    cfgAlerts: 'Alerts go to', none: 'nowhere', anySkill: 'any',
    cfgHelpdesks: 'Helpdesks', mappedAgents: (n) => `${n} agent${n === 1 ? '' : 's'} mapped`, mapFromApi: 'set through the API', noHelpdesk: 'none',
    cfgCapacity: 'Contacts at once', oneAtATime: 'one at a time, every channel',
    capacityOf: (ch, n) => `${ch} ${n}`,
    undelivered: '{n} alert(s) or helpdesk update(s) could not be delivered after their retries: ask IT to look at GET /v1/outbox.',
    moveRefused: 'Not possible now: that person is busy, on a break, or resting after a heavy contact (a hard limit nobody overrules).',
    adminTitle: 'Administration', enrolAgent: 'Enrol an agent',
    enrolHelp: 'A one-time code for the agent, valid 72 hours. The agent redeems it on the sign-in page and gets a token only they see: you never see an agent\u2019s token or day. A new code for an agent who has one resets their access.',
    agentId: 'Agent id', makeCode: 'Make a one-time code', codeShown: 'Give this code to the agent (shown once):',
    notAnAgent: 'That is not an agent of the team.', newToken: 'A new token', role: 'Role', makeToken: 'Make a token',
    tokenShown: 'The token, shown once:', tokens: 'Tokens and codes',
    tokensHelp: 'Only their fingerprints are kept; revoking works at once.', created: 'created', status: 'status',
    revoke: 'Revoke', revoked: 'revoked', usedOrRevoked: 'used or revoked', expires: 'expires', valid: 'valid',
    enrolmentCode: 'enrolment code', roleIntegration: 'the helpdesk (integration)',
    roleLead: 'a team lead', roleAdmin: 'an administrator', roleHr: 'HR (the insight report)',
    botPaused: 'Bot paused for', pause: 'Pause', resume: 'Resume', nonePaused: 'no intent: the bot answers what it may',
    gaps: 'Knowledge gaps', gapsHelp: 'Questions the knowledge base could not answer with confidence in the last 30 days, by subject, biggest first. Write an article for one: it stays a draft until you publish it.',
    topic: 'subject', asked: 'asked', last7: 'last 7 days', examples: 'examples', noGaps: 'no gaps: every question got a confident answer',
    writeArticle: 'Write an article', draftTitle: 'Title', draftBody: 'The answer, as the customer should read it', saveDraft: 'Save as draft', cancel: 'Cancel',
    draftSaved: (id) => `Saved as draft ${id}: the bot answers from it once it is published.`,
    drafts: 'Drafts', publish: 'Publish', published: (id) => `${id} is published: the bot answers from it within seconds.`, noDrafts: 'no drafts',
    afterContacts: 'After your contacts', checkinHelp: 'How much energy did it leave you? 1 drained, 5 energised. Only you see this.',
    nothingToCheck: 'Nothing to check in on.', notePlaceholder: 'a note for yourself (optional)',
    neutral: 'neutral', positive: 'positive', frustrated: 'frustrated', angry: 'angry', distressed: 'distressed',
    corrections: 'Corrections to review',
    correctionsHelp: 'What people said maat got wrong, with why. Approve a correction and the next model learns from it (maat retrain, promoted only when it is not worse); dismiss one that is not right. The same correction made more than once is likely a pattern.',
    corrWhat: 'what', corrChange: 'maat, then the correction', corrReason: 'why', corrBy: 'by', corrSame: 'made',
    approve: 'Approve', dismiss: 'Dismiss', noCorrections: 'nothing to review',
    approvedMsg: 'Approved: the next model learns from it.', dismissedMsg: 'Dismissed: it is kept, never learnt from.',
    recentHelp: 'Did maat get one wrong? Correct it: the correction waits in the review queue above.',
    correct: 'Correct', correcting: 'Correcting contact', corrValue: 'the right value', sendCorrection: 'Send the correction',
    corrOverride: 'it overruled the decision while it was in force',
    corrSent: 'Sent: it waits in the review queue.', corrSame409: 'That is what maat decided: nothing to correct.',
    fTier: 'tier', fIntent: 'intent', fTone: 'tone', fUrgency: 'urgency (0 to 1)', fAnswer: 'the bot\u2019s answer', fAssignment: 'who had it',
    aRight: 'right', aWrong: 'wrong', aMissing: 'missing knowledge',
    overridesLine: (n, rule) => `People overruled ${n} decision${n === 1 ? '' : 's'}; most often the rule ${rule}.`,
    noOverrides: 'No decision overruled by people yet.',
    timesMade: (n) => `${n}\u00d7`, byLead: 'a lead', byAdmin: 'an admin', byAgent: 'the agent', byCli: 'imported',
    noText: 'without the customer\u2019s words: it cannot teach the model',
    gotWrong: 'Did maat get this one wrong?',
    insightTitle: 'Insight', insightReport: 'The report',
    insightHelp: 'Where the bot performs and fails, how customers rate bot and people, what the AI saves and what goes back to the team. Team figures about people only per week and for groups of at least five.',
    from: 'From', to: 'To', show: 'Show', download: 'Download',
    reinvestTitle: 'Reinvested in people',
    reinvestHelp: 'What the savings went back into: a growth budget, co-creation sessions, recovery time. Write no one\u2019s name.',
    kind: 'What', growth: 'growth budget', cocreation: 'co-creation sessions', recovery: 'recovery time',
    hours: 'Hours', amount: 'Amount', currency: 'Currency', date: 'Date', note: 'Note',
    noteNoNames: 'what it was, without names', add: 'Add', reinvestKept: 'Kept.', insight: 'Insight',
    pulseTitle: 'This week\u2019s pulse',
    pulseHelp: 'Five questions, once a week. Your answers are kept without your name and are only ever shown for the team as a whole, from five people and once the week is over. Not even you can read them back.',
    pulseEnps: 'How likely are you to recommend working here? (0\u201310)',
    pulseHappiness: 'How happy are you at work? (1\u20135)', pulseStress: 'How stressed do you feel? (1\u20135)',
    pulseEngagement: 'How engaged do you feel? (1\u20135)', pulseLearning: 'Do you get time to learn? (1\u20135)',
    pulseSend: 'Send', pulseDone: 'Thank you: this week\u2019s pulse is in.',
  },
  nl: {
    err400: 'Dat werd niet aangenomen: controleer wat je invulde.', err401: 'Je aanmelding is verlopen: meld je opnieuw aan.',
    err403: 'Je rol mag dit niet.', err404: 'Niet gevonden: misschien is het al gesloten.',
    err409: 'Dat is al gedaan, of botst met wat er al is.', err413: 'Dat is te lang.',
    err429: 'Te veel verzoeken: wacht even en probeer het opnieuw.', err5xx: 'De server kon het niet doen: probeer het zo opnieuw.',
    errOther: 'Dat lukte niet (status {s}).', field: 'veld',
    title: 'maat', login: 'Inloggen', token: 'Je toegangstoken',
    tokenHelp: 'Plak je toegangstoken. Het blijft alleen in dit tabblad.',
    enrolTitle: 'Eerste keer? Gebruik je aanmeldcode', code: 'Aanmeldcode',
    codeHelp: 'Je beheerder gaf je een eenmalige code (XXXX-XXXX-XXXX). Daarmee krijg je je eigen token, dat alleen jij ziet: niemand anders, ook een beheerder niet, kan er je dag mee lezen.',
    enrol: 'Mijn token ophalen', badCode: 'Deze code is onbekend, al gebruikt of verlopen: vraag een nieuwe.',
    yourToken: 'Je token, alleen nu getoond. Bewaar het in je wachtwoordkluis: je logt ermee in.',
    continue: 'Verder naar Mijn dag',
    liveHidden: 'Je actuele cijfers zijn verborgen tot {t}: je toegang is opnieuw ingesteld en ze bevatten nog werk van daarvoor.',
    go: 'Inloggen', signout: 'Uitloggen', badToken: 'Dit token is niet geldig.',
    noPages: 'Deze rol heeft geen pagina\u2019s: integratietokens zijn voor de helpdesk.',
    dashboard: 'Teamoverzicht', myday: 'Mijn dag',
    queue: 'Wachtrij', waiting: 'wachtend', oldest: 'langste wachttijd', target: 'doel',
    byTier: 'Per niveau', byPriority: 'Per prioriteit', priority: 'prioriteit',
    strain: 'Belasting van het team', strainNow: 'nu (gemiddeld / p90)', overLine: 'boven de overbelastingsgrens',
    withheld: 'Verborgen: in het laatste kwartier werkten minder mensen dan de minimale groep, dus het cijfer zou naar iemand kunnen wijzen.',
    noPeriod: 'De eerste cijfers verschijnen als het eerste kwartier voorbij is.',
    strainPeriod: 'over het kwartier tot {t}, {n} mensen, afgerond op 0,1',
    strainDay: 'Belasting van het team vandaag, vanaf middernacht (gemiddelde per uur)',
    agents: 'Medewerkers', available: 'beschikbaar', busy: 'bezig', recovery: 'herstellend',
    break: 'met pauze', offline: 'offline', onShift: 'in dienst',
    bot: 'De bot', botShare: 'aandeel van de contacten', handedBack: 'teruggegeven aan mensen',
    service: 'Serviceniveau', avgWait: 'gemiddelde wachttijd',
    warnings: 'Waarschuwingen', noWarnings: 'Geen waarschuwingen.', personalWarnings: 'persoonlijke waarschuwingen gingen naar de medewerkers zelf',
    recent: 'Recente beslissingen', toBot: 'bot', toPerson: 'een mens',
    myStrain: 'Mijn belasting', line: 'overbelastingsgrens', recovering: 'Herstel na een zwaar contact',
    left: 'nog', inARow: 'zware contacten achter elkaar', today: 'zware contacten vandaag', inARow1: 'zwaar contact achter elkaar', today1: 'zwaar contact vandaag',
    breather: 'Even op adem komen', back: 'Ik ben er weer', state: 'Status',
    checkins: 'Mijn check-ins', noCheckins: 'Nog geen check-ins: tik na een contact aan hoeveel energie het je liet.',
    energy: 'energie', energyByKind: 'Wat geeft en kost mij energie', kind: 'soort contact', mean: 'gemiddelde energie',
    myWarnings: 'Voor mij', forbidden: 'Je mag deze pagina niet zien.', updated: 'bijgewerkt',
    privacy: 'Alleen jij ziet deze pagina. Je teamleider ziet teamtotalen, nooit de jouwe.',
    min: 'min', hr: 'u', hour: 'uur van de dag', strainAxis: 'belasting', overloadLine: 'overbelastingsgrens',
    time: 'tijd', contact: 'contact', tier: 'niveau', to: 'naar', reasons: 'redenen',
    legend: 'T1: de bot antwoordt \u00b7 T2: een specialist, met een voorbereid voorstel \u00b7 T3: direct naar een ervaren collega. Prioriteit 3: kritiek, eerst \u00b7 2: dringend of T3 \u00b7 1: normaal \u00b7 0: laag.',
    times: '\u00d7', lastAt: 'laatst om',
    breatherDo: 'Even op adem komen', backDo: 'Ik ben er weer', breatherPending: 'Pauze na dit contact',
    openContacts: 'Open contacten', openHelp: 'Contacten waar mensen aan werken, langst openstaand eerst. Sluit er een die een medewerker open liet (een gemist \u201cklaar\u201d houdt hem bezet), geef het aan een ander of zet het terug in de wachtrij; je reden wordt bewaard.',
    intentH: 'onderwerp', openFor: 'open sinds', close: 'Sluiten', reasonNeeded: 'Geef eerst een reden: die wordt bewaard.',
    noOpen: 'Niemand werkt aan een contact.', closed: 'Gesloten.',
    waitingContacts: 'Wachtende contacten', waitingHelp: 'Contacten die op een mens wachten, eerste in de rij eerst. Je kunt er een geven aan iemand die vrij is; maat zegt welke van zijn regels dat breekt. De harde grenzen (een minimale rust na een zwaar contact, het maximum zware contacten op rij) gelden ook voor jou.',
    waitingFor: 'wacht al', noWaiting: 'Niemand wacht.',
    moveTo: 'Geven aan…', move: 'Geven', requeue: 'Terug in de wachtrij', chooseAgent: 'wie vrij is',
    noneFree: 'Niemand is nu vrij.', moved: 'Verplaatst.', movedAgainst: 'Verplaatst, tegen: {r}.',
    requeued: 'Terug in de wachtrij.', reasonMove: 'Waarom geven? (wordt bewaard)', reasonAny: 'Je reden (wordt bewaard)',
    configTitle: 'Team en configuratie', configHelp: 'Waarmee maat nu draait, alleen te lezen: het teambestand en het configuratiebestand zijn waar het verandert.',
    teamAgents: 'Medewerkers', languages: 'talen', skills: 'vaardigheden', shift: 'dienst', allSettings: 'Alle instellingen',
    cfgChoice: 'Als het team niet aan beide kan voldoen', peopleFirst: 'mensen eerst: de zachte regels houden tot de servicenorm', serviceFirst: 'service eerst: de zachte regels wijken eerder',
    cfgHardRest: 'Harde grens: minste rust na een zwaar contact', cfgHardHeavy: 'Harde grens: meeste zware contacten op rij',
    cfgTarget: 'Servicenorm', cfgPolicy: 'Routeringsbeleid', cfgMinGroup: 'Teamcijfers vragen een groep van', cfgTimezone: 'Tijdzone',
    cfgAlerts: 'Meldingen gaan naar', none: 'nergens heen', anySkill: 'alle',
    cfgHelpdesks: 'Helpdesks', mappedAgents: (n) => `${n} ${n === 1 ? 'medewerker' : 'medewerkers'} gekoppeld`, mapFromApi: 'ingesteld via de API', noHelpdesk: 'geen',
    cfgCapacity: 'Contacten tegelijk', oneAtATime: 'één tegelijk, elk kanaal',
    capacityOf: (ch, n) => `${ch} ${n}`,
    undelivered: '{n} melding(en) of helpdesk-update(s) kwamen na alle nieuwe pogingen niet aan: vraag IT te kijken naar GET /v1/outbox.',
    moveRefused: 'Nu niet mogelijk: die persoon is bezig, met pauze, of rust na een zwaar contact (een harde grens die niemand opzij zet).',
    adminTitle: 'Beheer', enrolAgent: 'Een medewerker aanmelden',
    enrolHelp: 'Een eenmalige code voor de medewerker, 72 uur geldig. De medewerker wisselt hem in op de inlogpagina en krijgt een token dat alleen hij of zij ziet: jij ziet nooit het token of de dag van een medewerker. Een nieuwe code voor iemand die er al een heeft, zet de toegang opnieuw.',
    agentId: 'Medewerker-id', makeCode: 'Maak een eenmalige code', codeShown: 'Geef deze code aan de medewerker (alleen nu getoond):',
    notAnAgent: 'Dat is geen medewerker van het team.', newToken: 'Een nieuw token', role: 'Rol', makeToken: 'Maak een token',
    tokenShown: 'Het token, alleen nu getoond:', tokens: 'Tokens en codes',
    tokensHelp: 'Alleen hun vingerafdrukken worden bewaard; intrekken werkt direct.', created: 'gemaakt', status: 'status',
    revoke: 'Intrekken', revoked: 'ingetrokken', usedOrRevoked: 'gebruikt of ingetrokken', expires: 'verloopt', valid: 'geldig',
    enrolmentCode: 'aanmeldcode', roleIntegration: 'de helpdesk (integratie)',
    roleLead: 'een teamleider', roleAdmin: 'een beheerder', roleHr: 'HR (het inzichtrapport)',
    botPaused: 'Bot gepauzeerd voor', pause: 'Pauzeren', resume: 'Hervatten', nonePaused: 'geen onderwerp: de bot antwoordt wat hij mag',
    gaps: 'Kennishiaten', gapsHelp: 'Vragen die de kennisbank de afgelopen 30 dagen niet met zekerheid kon beantwoorden, per onderwerp, grootste eerst. Schrijf er een artikel voor: het blijft een concept tot je het publiceert.',
    topic: 'onderwerp', asked: 'gesteld', last7: 'laatste 7 dagen', examples: 'voorbeelden', noGaps: 'geen hiaten: elke vraag kreeg een zeker antwoord',
    writeArticle: 'Schrijf een artikel', draftTitle: 'Titel', draftBody: 'Het antwoord, zoals de klant het moet lezen', saveDraft: 'Bewaar als concept', cancel: 'Annuleren',
    draftSaved: (id) => `Bewaard als concept ${id}: de bot antwoordt ermee zodra het gepubliceerd is.`,
    drafts: 'Concepten', publish: 'Publiceren', published: (id) => `${id} is gepubliceerd: de bot antwoordt er binnen enkele seconden mee.`, noDrafts: 'geen concepten',
    afterContacts: 'Na je contacten', checkinHelp: 'Hoeveel energie liet het je? 1 leeg, 5 vol energie. Alleen jij ziet dit.',
    nothingToCheck: 'Niets om in te checken.', notePlaceholder: 'een notitie voor jezelf (mag leeg)',
    neutral: 'neutraal', positive: 'positief', frustrated: 'gefrustreerd', angry: 'boos', distressed: 'van streek',
    corrections: 'Correcties om te beoordelen',
    correctionsHelp: 'Wat mensen zeiden dat maat fout deed, met waarom. Keur een correctie goed en het volgende model leert ervan (maat retrain, alleen in gebruik als het niet slechter is); wijs er een af die niet klopt. Dezelfde correctie vaker gemaakt wijst op een patroon.',
    corrWhat: 'wat', corrChange: 'maat, dan de correctie', corrReason: 'waarom', corrBy: 'door', corrSame: 'gemaakt',
    approve: 'Goedkeuren', dismiss: 'Afwijzen', noCorrections: 'niets te beoordelen',
    approvedMsg: 'Goedgekeurd: het volgende model leert ervan.', dismissedMsg: 'Afgewezen: bewaard, nooit van geleerd.',
    recentHelp: 'Zat maat ergens naast? Corrigeer het: de correctie wacht hierboven op beoordeling.',
    correct: 'Corrigeren', correcting: 'Correctie van contact', corrValue: 'de juiste waarde', sendCorrection: 'Stuur de correctie',
    corrOverride: 'het ging in tegen het besluit terwijl het gold',
    corrSent: 'Verstuurd: de correctie wacht op beoordeling.', corrSame409: 'Dat besloot maat al: niets te corrigeren.',
    fTier: 'niveau', fIntent: 'onderwerp', fTone: 'toon', fUrgency: 'urgentie (0 tot 1)', fAnswer: 'het antwoord van de bot', fAssignment: 'wie het had',
    aRight: 'goed', aWrong: 'fout', aMissing: 'kennis ontbreekt',
    overridesLine: (n, rule) => `Mensen gingen ${n} keer in tegen een besluit; het vaakst tegen de regel ${rule}.`,
    noOverrides: 'Nog geen besluit door mensen teruggedraaid.',
    timesMade: (n) => `${n}\u00d7`, byLead: 'een teamleider', byAdmin: 'een beheerder', byAgent: 'de medewerker', byCli: 'ingelezen',
    noText: 'zonder de woorden van de klant: het model kan er niet van leren',
    gotWrong: 'Zat maat hier naast?',
    insightTitle: 'Inzicht', insightReport: 'Het rapport',
    insightHelp: 'Waar de bot goed werkt en waar niet, hoe klanten bot en mensen waarderen, wat de AI bespaart en wat terugvloeit naar het team. Teamcijfers over mensen alleen per week en voor groepen van minstens vijf.',
    from: 'Van', to: 'Tot en met', show: 'Tonen', download: 'Downloaden',
    reinvestTitle: 'Teruggeïnvesteerd in mensen',
    reinvestHelp: 'Waar de besparing naartoe ging: een groeibudget, co-creatiesessies, hersteltijd. Noem geen namen.',
    kind: 'Wat', growth: 'groeibudget', cocreation: 'co-creatiesessies', recovery: 'hersteltijd',
    hours: 'Uren', amount: 'Bedrag', currency: 'Valuta', date: 'Datum', note: 'Toelichting',
    noteNoNames: 'wat het was, zonder namen', add: 'Toevoegen', reinvestKept: 'Bewaard.', insight: 'Inzicht',
    pulseTitle: 'De puls van deze week',
    pulseHelp: 'Vijf vragen, eens per week. Je antwoorden worden zonder je naam bewaard en alleen voor het team als geheel getoond, vanaf vijf mensen en als de week voorbij is. Ook jij kunt ze niet teruglezen.',
    pulseEnps: 'Hoe waarschijnlijk raad je werken hier aan? (0\u201310)',
    pulseHappiness: 'Hoe gelukkig ben je op je werk? (1\u20135)', pulseStress: 'Hoeveel stress ervaar je? (1\u20135)',
    pulseEngagement: 'Hoe betrokken voel je je? (1\u20135)', pulseLearning: 'Krijg je tijd om te leren? (1\u20135)',
    pulseSend: 'Versturen', pulseDone: 'Dank je: de puls van deze week is binnen.',
  },
};

let lang = localStorage.getItem('maat.lang') ||
  ((navigator.language || 'en').toLowerCase().startsWith('nl') ? 'nl' : 'en');

function t(key) { return (T[lang] && T[lang][key]) || T.en[key] || key; }

function translate() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-t]'))
    el.textContent = t(el.dataset.t);
  for (const el of document.querySelectorAll('[data-t-placeholder]'))
    el.placeholder = t(el.dataset.tPlaceholder);
  for (const b of document.querySelectorAll('.lang button'))
    b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
}

function setupLanguage(onChange) {
  for (const b of document.querySelectorAll('.lang button'))
    b.addEventListener('click', () => {
      lang = b.dataset.lang;
      localStorage.setItem('maat.lang', lang);
      translate();
      if (onChange) onChange();
    });
  translate();
}

function token() { return sessionStorage.getItem('maat.token'); }

async function api(method, path, body) {
  const r = await fetch(path, {
    method,
    // Reasons, warnings and notices come back in the page's language.
    headers: Object.assign({ Authorization: 'Bearer ' + token(), 'Accept-Language': lang },
                           body ? { 'Content-Type': 'application/json' } : {}),
    body: body ? JSON.stringify(body) : undefined,
  });
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  return { status: r.status, data };
}

// An intent's name: the organisation's labels are ids; the demo's known
// ones have names in both languages, others read with spaces.
const INTENTS = {
  en: { card_lost: 'card lost', card_not_arrived: 'card not arrived', refund_request: 'refund',
        delivery_late: 'late delivery', invoice_question: 'invoice question',
        cancel_subscription: 'cancel subscription', change_address: 'change of address',
        password_reset: 'password reset', payment_failed: 'failed payment', opening_hours: 'opening hours',
        complaint_service: 'complaint about service', technical_outage: 'outage',
        contract_change: 'contract change', fraud_report: 'fraud report', bereavement: 'bereavement',
        mortgage_question: 'mortgage question', billing: 'billing', technical: 'technical',
        account: 'account', delivery: 'delivery', complaint: 'complaint', cancellation: 'cancellation' },
  nl: { card_lost: 'pas kwijt', card_not_arrived: 'pas niet ontvangen', refund_request: 'terugbetaling',
        delivery_late: 'late levering', invoice_question: 'vraag over factuur',
        cancel_subscription: 'abonnement opzeggen', change_address: 'adreswijziging',
        password_reset: 'wachtwoord herstellen', payment_failed: 'mislukte betaling', opening_hours: 'openingstijden',
        complaint_service: 'klacht over service', technical_outage: 'storing',
        contract_change: 'contractwijziging', fraud_report: 'fraudemelding', bereavement: 'overlijden',
        mortgage_question: 'vraag over hypotheek', billing: 'facturering', technical: 'techniek',
        account: 'account', delivery: 'levering', complaint: 'klacht', cancellation: 'opzegging' },
};
function intentName(id) {
  if (!id) return '\u2013';
  return (INTENTS[lang] && INTENTS[lang][id]) || id.replace(/_/g, ' ');
}

// An API error for a person, in the page's language: what went wrong by
// its status, and which field when the server names one.
function errText(r) {
  const key = r.status >= 500 ? 'err5xx' : 'err' + r.status;
  const base = T[lang][key] ? t(key) : t('errOther').replace('{s}', r.status);
  const field = r.data && r.data.field;
  return field ? base + ' (' + t('field') + ': ' + field + ')' : base;
}

function signout() {
  sessionStorage.removeItem('maat.token');
  sessionStorage.removeItem('maat.agent');
  location.href = '/';
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children)
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function fmt(x, digits) { return x === null || x === undefined ? '\u2013' : Number(x).toFixed(digits); }
function pct(x) { return x === null || x === undefined ? '\u2013' : Math.round(x * 100) + ' %'; }
// Durations as m:ss under an hour, h:mm beyond ("1:05 min", "6:40 h").
function secs(x) {
  if (x === null || x === undefined) return '\u2013';
  const s = Math.max(0, Math.round(x));
  if (s < 3600) return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0') + ' ' + t('min');
  return Math.floor(s / 3600) + ':' + String(Math.floor(s / 60) % 60).padStart(2, '0') + ' ' + t('hr');
}
// A chart's top: room above the highest value (never clipped) and always
// the overload line with half of it again above, so 10 never looks like 1.1.
function chartTop(values, line) {
  const vs = values.filter((v) => v !== null && v !== undefined && Number.isFinite(v));
  return Math.max(1.5 * line, ...vs.map((v) => v * 1.1));
}
// Router time (seconds since midnight) as the clock time h:mm.
function clock(x) {
  const m = Math.floor(x / 60) % 1440;
  return Math.floor(m / 60) + ':' + String(m % 60).padStart(2, '0');
}

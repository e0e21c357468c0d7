// The demo's helpdesk: feeds a generated day of events to 'maat serve'
// through its API, on an accelerated clock. Agents come and go as the
// day's shifts say; each contact arrives with the text of a generated
// customer message and is triaged and routed by the server; a person's
// contact is closed after its handling time with an energy check-in; some
// of the bot's contacts are handed back.
// A customer still waiting after the event's patience_s leaves (a 'done'
// on the queued contact), as in 'maat route --replay'. Around 11:00 an
// outage brings a burst of extra contacts, so the demo shows an overload
// moment and what maat does about it (warnings, the rules' stages).
// Usage: node demo-feed.mjs URL EVENTS.jsonl MESSAGES.jsonl SPEED
//   with MAAT_INTEGRATION and MAAT_ADMIN tokens in the environment.
//   DEMO_AS_IS=1 posts each contact as the generator triaged it (tier,
//   tone, intent...) instead of a message's text, and adds no burst: the
//   same day as the replay, for bench/serve/demo_sl.sh.
import { readFileSync } from 'node:fs';

const [url, eventsFile, messagesFile, speedArg] = process.argv.slice(2);
const speed = Number(speedArg || 60);
const integration = process.env.MAAT_INTEGRATION;
const admin = process.env.MAAT_ADMIN;
const asIs = process.env.DEMO_AS_IS === '1';
const events = readFileSync(eventsFile, 'utf8').split('\n').filter(Boolean).map(JSON.parse);
const messages = readFileSync(messagesFile, 'utf8').split('\n').filter(Boolean).map(JSON.parse);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

async function call(method, path, token, body) {
  try {
    const r = await fetch(url + path, { method, headers: { Authorization: 'Bearer ' + token,
      'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, data: await r.json().catch(() => null) };
  } catch (e) {
    return { status: 0, data: null };
  }
}

const waiting = new Map();   // contact id -> handle_s, until someone takes it
const closing = [];          // [real ms, contact id, energy or 0]
let posted = 0, toBot = 0, m = 0;

function schedule(id, handle, energy) {
  closing.push([Date.now() + 1000 * handle / speed, id, energy]);
}

function energyFor(tone) {
  const base = { angry: 2, distressed: 2, frustrated: 3, neutral: 4, positive: 4 }[tone] || 3;
  return Math.max(1, Math.min(5, base + Math.round(rand() * 2 - 1)));
}

// Customers who waited past their patience leave.
async function leaveDue() {
  const now = Date.now();
  for (const [id, info] of waiting) {
    if (!info.leaveAt || info.leaveAt > now) continue;
    waiting.delete(id);
    await call('POST', `/v1/contacts/${id}/done`, integration, { outcome: 'abandoned' });
  }
}

async function closeDue() {
  const now = Date.now();
  await leaveDue();
  for (let i = closing.length - 1; i >= 0; i--) {
    const [at, id, energy] = closing[i];
    if (at > now) continue;
    closing.splice(i, 1);
    const body = { outcome: energy < 0 ? 'handed_back' : 'resolved' };
    if (energy > 0 && rand() < 0.6) body.energy = energy;
    await call('POST', `/v1/contacts/${id}/done`, integration, body);
  }
}

// Every contact the feeder posted and saw queued is closed once someone
// takes it: the assigned ones come from one list call, not one call per
// contact (before, only the 40 oldest were asked after, and contacts
// assigned further back were never closed: their agents stayed busy).
async function pollWaiting() {
  if (!waiting.size) return;
  const r = await call('GET', '/v1/contacts?state=assigned&limit=1000', integration);
  if (r.status !== 200 || !r.data) return;
  for (const c of r.data.contacts) {
    const info = waiting.get(c.id);
    if (!info) continue;
    waiting.delete(c.id);
    schedule(c.id, info.handle, energyFor(info.tone));
  }
}

const outage = [
  'Jullie app doet het niet, ik kan niet inloggen en moet nu betalen!',
  'Storing? De website geeft alleen maar foutmeldingen',
  'I cannot log in to my account, the app keeps crashing, this is urgent',
  'Internetbankieren ligt eruit, ik kan mijn huur niet overmaken',
  'Your site is down again. Third time this month. Ridiculous.',
];
let burstDone = false;

async function postContact(ev) {
  const body = asIs
    ? { id: ev.id, customer: ev.customer, channel: 'chat', tier: ev.tier, tone: ev.tone,
        intensity: ev.intensity, urgency: ev.urgency, intent: ev.intent, lang: ev.lang,
        handle_s: ev.handle_s }
    : { id: ev.id, customer: ev.customer, channel: 'chat',
        text: ev.text || messages[m++ % messages.length].text };
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  const r = await call('POST', '/v1/contacts', integration, body);
  if (r.status !== 201) return;
  posted++;
  const d = r.data.decision, tone = r.data.triage ? r.data.triage.tone : ev.tone || 'neutral';
  if (d.state === 'assigned') schedule(ev.id, ev.handle_s || 300, energyFor(tone));
  else if (d.state === 'with_bot') {
    toBot++;
    if (!asIs && rand() < 0.3) schedule(ev.id, 60, -1);
  } else {
    waiting.set(ev.id, { handle: ev.handle_s || 300, tone,
                         leaveAt: ev.patience_s ? Date.now() + 1000 * ev.patience_s / speed : 0 });
  }
}

const t0 = events[0].t;
const start = Date.now();
let lastReport = 0, lastPoll = 0;
for (const ev of events) {
  const due = start + 1000 * (ev.t - t0) / speed;
  while (Date.now() < due) {
    await closeDue();
    if (Date.now() - lastPoll > 500) {
      await pollWaiting();
      lastPoll = Date.now();
    }
    await sleep(Math.min(200, Math.max(0, due - Date.now())));
  }
  if (ev.type === 'agent') {
    await call('POST', `/v1/agents/${ev.agent}/state`, admin, { state: ev.state });
  } else if (ev.type === 'contact') {
    await postContact(ev);
    if (!asIs && !burstDone && ev.t % 86400 >= 11 * 3600) {
      // The outage: 80 extra contacts over ten minutes of the day.
      burstDone = true;
      for (let k = 0; k < 80; k++) {
        const due2 = Date.now() + 1000 * 7.5 / speed;
        await postContact({ id: 'outage-' + k, customer: 'o' + k, text: outage[k % outage.length],
                            handle_s: 420, patience_s: 900 });
        while (Date.now() < due2) { await closeDue(); await sleep(20); }
      }
    }
  }
  if (Date.now() - lastReport > 10000) {
    const h = Math.floor((ev.t % 86400) / 3600), mm = Math.floor((ev.t % 3600) / 60);
    console.log(`demo: ${String(h).padStart(2, '0')}:${String(mm).padStart(2, '0')} ` +
                `of the generated day: ${posted} contacts posted, ${toBot} to the bot, ` +
                `${waiting.size} waiting for a person`);
    lastReport = Date.now();
  }
}
console.log('demo: the day is over; the server keeps running (Ctrl-C stops it)');
while (true) {
  await closeDue();
  await pollWaiting();
  await sleep(1000);
}

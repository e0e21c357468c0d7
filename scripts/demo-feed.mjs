// The demo's helpdesk: feeds a generated day of events to 'maat serve'
// through its API, on an accelerated clock. Agents come and go as the
// day's shifts say; each contact arrives with the text of a generated
// customer message and is triaged and routed by the server; a person's
// contact is closed after its handling time with an energy check-in; some
// of the bot's contacts are handed back.
// Usage: node demo-feed.mjs URL EVENTS.jsonl MESSAGES.jsonl SPEED
//   with MAAT_INTEGRATION and MAAT_ADMIN tokens in the environment.
import { readFileSync } from 'node:fs';

const [url, eventsFile, messagesFile, speedArg] = process.argv.slice(2);
const speed = Number(speedArg || 60);
const integration = process.env.MAAT_INTEGRATION;
const admin = process.env.MAAT_ADMIN;
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

async function closeDue() {
  const now = Date.now();
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
    const msg = messages[m++ % messages.length];
    const r = await call('POST', '/v1/contacts', integration,
                         { id: ev.id, customer: ev.customer, channel: 'chat', text: msg.text });
    if (r.status !== 201) continue;
    posted++;
    const d = r.data.decision, tone = r.data.triage ? r.data.triage.tone : 'neutral';
    if (d.state === 'assigned') schedule(ev.id, ev.handle_s || 300, energyFor(tone));
    else if (d.state === 'with_bot') {
      toBot++;
      if (rand() < 0.3) schedule(ev.id, 60, -1);
    } else waiting.set(ev.id, { handle: ev.handle_s || 300, tone });
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

// The measurement of bench/rt/run.sh (see there).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const { MAAT_BIN, RT_URL, TMP } = process.env;
const K = Number(process.env.K || 60);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pw = (u) => (u === 'root' ? 'password' : u === 'maat' ? process.env.MAAT_RT_PASSWORD : `${u}-pw-1`);
async function rt(user, method, path, body) {
  const r = await fetch(`${RT_URL}/REST/2.0/${path}`, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { Authorization: 'Basic ' + Buffer.from(`${user}:${pw(user)}`).toString('base64'), 'Content-Type': 'application/json' },
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status}`);
  return r.json();
}
async function each(items, width, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => { while (next < items.length) await fn(items[next++]); }));
}
// L agents for the steady phase, K for the burst.
const L = 20;
const agents = Array.from({ length: K + L }, (_, i) => `ag${i + 1}`);
const ids = agents.map((_, i) => `a${String(i + 1).padStart(4, '0')}`);
writeFileSync(`${TMP}/team.json`, JSON.stringify({ agents: ids.map((id) => ({ id, languages: ['nl', 'en'], tiers: ['T1', 'T2', 'T3'] })) }));
writeFileSync(`${TMP}/cfg.json`, JSON.stringify({
  helpdesks: [{ kind: 'rt', url: RT_URL, user: 'maat', password_env: 'MAAT_RT_PASSWORD', poll_s: 0.3,
    agents: Object.fromEntries(agents.map((a, i) => [a, ids[i]])), queues: { T1: 'T1', T2: 'T2', T3: 'T3' } }],
}));
const token = readFileSync(`${TMP}/admin.token`, 'utf8').trim();
const p = spawn(MAAT_BIN, ['serve', '--team', `${TMP}/team.json`, '--db', `${TMP}/m.db`, '--port', '0',
  '--no-tone-model', '--config', `${TMP}/cfg.json`], { stdio: ['ignore', 'ignore', 'pipe'] });
let base = '', err = '';
p.stderr.on('data', (d) => { err += d; const m = /listening on (http:\/\/[\d.:]+)\//.exec(err); if (m) base = m[1]; });
while (!base) await sleep(50);
const api = async (method, path, body) => (await fetch(base + path, { method, body: body && JSON.stringify(body),
  headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } })).json();

const latencies = (rows) => {
  const lat = rows.map((r) => r.done_at - r.created).sort((a, b) => a - b);
  const q = (f) => lat[Math.min(lat.length - 1, Math.ceil(f * lat.length) - 1)];
  return `over ${lat.length} calls: p50 ${q(0.5).toFixed(2)} s, p99 ${q(0.99).toFixed(2)} s`;
};
const waitDone = async (n) => {
  for (;;) {
    const o = await api('GET', '/v1/outbox?state=done&limit=1');
    if (o.counts.done >= n && o.counts.pending === 0) return;
    await sleep(100);
  }
};

// Steady: L agents on shift, a ticket every 1.5 s: the latency of calls
// that find the courier idle (the poll, RT's answer).
await Promise.all(ids.slice(K).map((a) => api('POST', `/v1/agents/${a}/state`, { state: 'available' })));
for (let i = 0; i < L; i++) {
  await rt('klant1', 'POST', 'ticket', { Queue: 'General', Subject: `Adres ${i}`,
    Content: 'Ik wil mijn adres wijzigen, hoe doe ik dat?', ContentType: 'text/plain' });
  await sleep(1500);
}
await waitDone(2 * L);
const steady = latencies((await api('GET', `/v1/outbox?state=done&limit=${2 * L}`)).calls);

// Burst: K tickets wait in maat, none of the other K agents on shift yet.
await each([...Array(K).keys()], 3, (i) => rt('klant1', 'POST', 'ticket', { Queue: 'General', Subject: `Vraag ${i}`,
  Content: 'Mijn factuur klopt niet, kunt u dat nakijken?', ContentType: 'text/plain' }));
for (;;) {
  const q = await api('GET', '/v1/contacts?state=queued&limit=1');
  if (q.total >= K) break;
  await sleep(200);
}
// Everyone on shift: K decisions at once, 2 K calls out.
const t0 = Date.now();
await Promise.all(ids.slice(0, K).map((a) => api('POST', `/v1/agents/${a}/state`, { state: 'available' })));
await waitDone(2 * (K + L));
const maatS = (Date.now() - t0) / 1000;
const burst = latencies((await api('GET', `/v1/outbox?state=done&limit=${Math.min(1000, 2 * K)}`)).calls);
p.kill('SIGTERM');

// RT's own rate: the same two calls for K other tickets, one at a time.
const more = [];
await each([...Array(K).keys()], 3, async (i) => more.push((await rt('klant1', 'POST', 'ticket', { Queue: 'General',
  Subject: `Direct ${i}`, Content: 'Mijn factuur klopt niet.', ContentType: 'text/plain' })).id));
const t1 = Date.now();
for (let i = 0; i < more.length; i++) {
  await rt('maat', 'PUT', `ticket/${more[i]}`, { Owner: agents[i], Queue: 'T2' });
  await rt('maat', 'POST', `ticket/${more[i]}/comment`, { Subject: `direct ${i}`, Content: 'maat: T2', ContentType: 'text/plain' });
}
const rtS = (Date.now() - t1) / 1000;
console.log(`decisions written back to RT: ${K} in ${maatS.toFixed(1)} s = ${(K / maatS).toFixed(2)}/s ` +
  `(from the agents coming on shift to the last call delivered)`);
console.log(`RT's own REST2 rate for the same calls: ${K} in ${rtS.toFixed(1)} s = ${(K / rtS).toFixed(2)}/s`);
console.log(`ratio maat / RT direct: ${((K / maatS) / (K / rtS)).toFixed(2)}`);
console.log(`outbox delivery latency, steady (a ticket every 1.5 s) ${steady}`);
console.log(`outbox delivery latency, burst (${K} decisions at once) ${burst}`);

// Makes the screenshots in docs/screenshots/: the team dashboard (laptop
// width) and an agent's My day (phone width), in English and Dutch, of a
// server fed two hours of a generated 12-agent team on an accelerated
// clock. Needs the built maat, web/dist, Chromium and playwright-core
// (web/node_modules). Usage: node scripts/screenshots.mjs [MAAT] [OUT_DIR]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const maat = resolve(process.argv[2] || join(root, 'build/src/cli/maat'));
const out = resolve(process.argv[3] || join(root, 'docs/screenshots'));
const chromiumPath = process.env.MAAT_CHROMIUM || '/usr/bin/chromium';
const { chromium } = createRequire(join(root, 'web/package.json'))('playwright-core');
const tmp = mkdtempSync(join(tmpdir(), 'maat-shots-'));
const run = (...args) => execFileSync(maat, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const db = join(tmp, 's.db');

console.log('screenshots: a team, a model, tokens');
run('gen', '--team', '12', '--seed', '4', '-o', join(tmp, 'team.json'));
run('gen', '--messages', '3000', '--seed', '1', '-o', join(tmp, 'hist.jsonl'));
run('train', '--seed', '1', '-o', join(tmp, 'intent.model'), join(tmp, 'hist.jsonl'));
run('gen', '--messages', '400', '--seed', '9', '-o', join(tmp, 'live.jsonl'));
const tok = {
  admin: run('token', 'add', '--db', db, '--role', 'admin'),
  lead: run('token', 'add', '--db', db, '--role', 'lead'),
  integration: run('token', 'add', '--db', db, '--role', 'integration'),
  agent: run('token', 'redeem', '--db', db, run('token', 'enrol', '--db', db, '--agent', 'a0001')),
};
const server = spawn(maat, ['serve', '--team', join(tmp, 'team.json'), '--db', db, '--port', '0',
                            '--intent-model', join(tmp, 'intent.model'), '--clock-speed', '60',
                            '--web-root', join(root, 'web/dist')],
                     { stdio: ['ignore', 'ignore', 'pipe'] });
const base = await new Promise((ok, fail) => {
  let err = '';
  server.stderr.on('data', (d) => {
    err += d;
    const m = /listening on (http:\/\/[0-9.]+:\d+)\//.exec(err);
    if (m) ok(m[1]);
  });
  server.on('exit', () => fail(new Error('maat serve stopped: ' + err)));
});
async function api(method, path, t, body) {
  const r = await fetch(base + path, { method, headers: { Authorization: 'Bearer ' + t },
                                       body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, data: await r.json().catch(() => null) };
}

try {
  console.log('screenshots: feeding two hours of contacts');
  const agents = ['a0001', 'a0002', 'a0003', 'a0004', 'a0005', 'a0006', 'a0007', 'a0008'];
  for (const a of agents.slice(1)) await api('POST', `/v1/agents/${a}/state`, tok.admin, { state: 'available' });
  await api('POST', '/v1/agents/a0001/state', tok.agent, { state: 'available' });
  const texts = readFileSync(join(tmp, 'live.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).text);
  const seen = new Map();   // contact -> when first seen with a person
  for (let k = 0; k < 160; k++) {
    await api('POST', '/v1/contacts', tok.integration, { id: 'm' + k, customer: 'u' + (k % 90), text: texts[k] });
    // each contact is closed a few router minutes after someone took it
    // (two are left open, for the lead to see); the agent checks in
    const l = await api('GET', '/v1/contacts?state=assigned&limit=1000', tok.integration);
    for (const c of (l.status === 200 ? l.data.contacts : [])) {
      if (!seen.has(c.id)) seen.set(c.id, Date.now());
      if (Date.now() - seen.get(c.id) < 5000 || c.id === 'm5' || c.id === 'm16') continue;
      await api('POST', `/v1/contacts/${c.id}/done`, tok.integration, { outcome: 'resolved' });
      if (c.to === 'a0001')
        await api('POST', `/v1/contacts/${c.id}/checkin`, tok.agent, { energy: 1 + (k % 5) });
    }
    await sleep(180);
  }
  await api('POST', '/v1/bot/pauses', tok.lead, { intent: 'fraud_report', paused: true });
  await sleep(4000);

  mkdirSync(out, { recursive: true });
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  for (const lang of ['en', 'nl']) {
    for (const [who, path, viewport, file] of [
      [tok.lead, '/dashboard', { width: 1280, height: 900 }, 'dashboard'],
      [tok.agent, '/me', { width: 390, height: 844 }, 'myday']]) {
      const ctx = await browser.newContext({ viewport, locale: lang === 'nl' ? 'nl-NL' : 'en-GB' });
      const page = await ctx.newPage();
      await page.goto(base + '/');
      await page.evaluate((l) => localStorage.setItem('maat.lang', l), lang);
      await page.fill('#token', who);
      await page.click('button[type=submit]');
      await page.waitForURL('**' + path);
      await page.waitForTimeout(3000);
      const to = join(out, `${file}-${lang}.png`);
      await page.screenshot({ path: to, fullPage: true });
      console.log('screenshots: wrote', to);
      await ctx.close();
    }
  }
  await browser.close();
} finally {
  server.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
}

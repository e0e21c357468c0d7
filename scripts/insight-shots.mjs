// Makes the insight screenshots in docs/screenshots/: the report (a whole
// page, English and Dutch) and HR's Insight page at laptop width and at
// phone width, from a generated history of 20,000 contacts with two
// entries in the reinvestment ledger. Needs the built maat, web/dist,
// Chromium and playwright-core (web/node_modules).
// Usage: node scripts/insight-shots.mjs [MAAT] [OUT_DIR]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const maat = resolve(process.argv[2] || join(root, 'build/src/cli/maat'));
const out = resolve(process.argv[3] || join(root, 'docs/screenshots'));
const chromiumPath = process.env.MAAT_CHROMIUM || '/usr/bin/chromium';
const { chromium } = createRequire(join(root, 'web/package.json'))('playwright-core');
const tmp = mkdtempSync(join(tmpdir(), 'maat-insight-shots-'));
const run = (...args) => execFileSync(maat, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const db = join(tmp, 's.db');

console.log('insight-shots: a history, a ledger, a team');
run('gen', '--history', '20000', '--seed', '1', '-o', join(tmp, 'h.csv'));
run('insight', 'import', '--db', db, '--mapping', join(root, 'docs/insight/maat.json'), join(tmp, 'h.csv'));
run('insight', 'reinvest', '--db', db, '--kind', 'growth', '--hours', '40', '--amount', '2500',
    '--note', 'training: difficult conversations');
run('insight', 'reinvest', '--db', db, '--kind', 'recovery', '--hours', '64');
run('gen', '--team', '12', '--seed', '4', '-o', join(tmp, 'team.json'));
const hr = run('token', 'add', '--db', db, '--role', 'hr');
mkdirSync(out, { recursive: true });
for (const lang of ['en', 'nl'])
  run('report', '--db', db, '--lang', lang, '--hour-cost', '38.50', '--reinvest-share', '0.3',
      '--assist-minutes', '1', '-o', join(tmp, `report-${lang}.html`));
const config = join(tmp, 'serve.json');
execFileSync('sh', ['-c', `printf '{"insight":{"hour_cost":38.5,"reinvest_share":0.3,"assist_minutes":1}}' > '${config}'`]);
const server = spawn(maat, ['serve', '--team', join(tmp, 'team.json'), '--db', db, '--port', '0',
                            '--config', config, '--no-tone-model', '--web-root', join(root, 'web/dist')],
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
const browser = await chromium.launch({ executablePath: chromiumPath, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
try {
  for (const lang of ['en', 'nl']) {
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await ctx.newPage();
    await page.goto('file://' + join(tmp, `report-${lang}.html`));
    await page.screenshot({ path: join(out, `report-${lang}.png`), fullPage: true });
    console.log('insight-shots: wrote', join(out, `report-${lang}.png`));
    await ctx.close();
  }
  for (const [lang, viewport, file] of [['en', { width: 1280, height: 900 }, 'insight-en'],
                                        ['nl', { width: 390, height: 844 }, 'insight-nl-phone']]) {
    const ctx = await browser.newContext({ viewport, locale: lang === 'nl' ? 'nl-NL' : 'en-GB' });
    const page = await ctx.newPage();
    await page.goto(base + '/');
    await page.evaluate((l) => localStorage.setItem('maat.lang', l), lang);
    await page.fill('#token', hr);
    await page.click('button[type=submit]');
    await page.waitForURL('**/insight');
    await page.frameLocator('#report').locator('h1').waitFor({ timeout: 15000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(out, `${file}.png`), fullPage: true });
    console.log('insight-shots: wrote', join(out, `${file}.png`));
    await ctx.close();
  }
} finally {
  await browser.close();
  server.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
}

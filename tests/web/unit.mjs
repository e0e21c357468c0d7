// The pages' pure helpers, in Node without a browser: the chart's scale,
// durations, clock times, intent names and error texts, in both languages.
// Loads web/src/app.js as the pages do (a classic script), with the few
// browser objects it reads at load.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';

const root = process.env.MAAT_SOURCE_ROOT || '.';
let failed = 0;
function check(name, ok) {
  console.log((ok ? 'ok: ' : 'FAIL: ') + name);
  if (!ok) failed = 1;
}
const store = () => { const m = new Map(); return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => m.set(k, v), removeItem: (k) => m.delete(k) }; };
const ctx = vm.createContext({ localStorage: store(), sessionStorage: store(), navigator: { language: 'en-GB' }, console });
vm.runInContext(readFileSync(join(root, 'web/src/app.js'), 'utf8'), ctx, { filename: 'app.js' });
const run = (code) => vm.runInContext(code, ctx);

// The chart's scale: never clipped, always the overload line.
check('an empty chart still shows the line', run('chartTop([null, null], 1)') === 1.5);
check('a calm day: the line and half again', run('chartTop([0.2, 0.4, null], 1)') === 1.5);
check('the worst hour fits (strain 5 is drawn, not clipped at 1.5)',
      Math.abs(run('chartTop([0.5, 5, null], 1)') - 5.5) < 1e-9);
check('another line scales with it', run('chartTop([0.1], 2)') === 3);
check('junk values are ignored', run('chartTop([NaN, undefined, 0.3], 1)') === 1.5);
// Durations and clock times.
check('m:ss under an hour', run('secs(75)') === '1:15 min');
check('h:mm from an hour', run('secs(3 * 3600 + 125)') === '3:02 h');
check('a clock time past midnight', run('clock(86400 + 3600 + 120)') === '1:02');
run("lang = 'nl'");
check('Dutch hours', run('secs(7200)') === '2:00 u');
check('intent names in Dutch', run("intentName('invoice_question')") === 'vraag over factuur');
check('an unknown intent reads with spaces', run("intentName('my_new_intent')") === 'my new intent');
check('an error by status, in Dutch, naming the field',
      run("errText({ status: 400, data: { field: 'reason' } })") ===
      'Dat werd niet aangenomen: controleer wat je invulde. (veld: reason)');
check('a server error in Dutch', run('errText({ status: 503, data: null })').startsWith('De server'));
run("lang = 'en'");
check('an unexpected status still says something', run('errText({ status: 418, data: null })') === 'That did not work (status 418).');
// Every key exists in both languages.
const missing = run("Object.keys(T.en).filter((k) => !(k in T.nl)).concat(Object.keys(T.nl).filter((k) => !(k in T.en)))");
check('every text exists in English and Dutch' + (missing.length ? ' (missing: ' + missing.join(', ') + ')' : ''),
      missing.length === 0);
process.exit(failed);

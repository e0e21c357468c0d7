// Builds web/dist for 'maat serve': our pages and scripts, and the chart
// library from node_modules (uPlot), so the pages need no CDN.
import { cpSync, mkdirSync, rmSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'assets'), { recursive: true });
for (const f of readdirSync(join(here, 'src'))) {
  const to = f.endsWith('.html') ? dist : join(dist, 'assets');
  cpSync(join(here, 'src', f), join(to, f));
}
const uplot = join(here, 'node_modules', 'uplot', 'dist');
cpSync(join(uplot, 'uPlot.iife.min.js'), join(dist, 'assets', 'uplot.js'));
cpSync(join(uplot, 'uPlot.min.css'), join(dist, 'assets', 'uplot.css'));
console.log('web: built', dist);

// Load for several maat nodes (tests/cli/serve_nodes.sh, bench/nodes):
// CONNS connections, each posting contacts and closing the ones it got
// assigned, spread over every node given (request k of connection i goes
// to node (i + k) mod n). A refused or cut connection moves on to the next
// node. Runs until the file STOP exists, or for SECONDS; then writes, in
// OUT: acked.txt ("wall-time id status" per contact answered 2xx) and
// closed.txt (ids closed with a 2xx), and prints a summary line as JSON.
//
//   node nodes_load.mjs --ports P1,P2,P3 --token T --out DIR
//        [--conns 64] [--stop FILE] [--seconds S] [--close 1]
import http from 'node:http';
import fs from 'node:fs';

const arg = (name, def) => {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : def;
};
const ports = arg('ports', '').split(',').filter(Boolean).map(Number);
const token = arg('token', '');
const out = arg('out', '.');
const conns = Number(arg('conns', '64'));
const stopFile = arg('stop', '');
const seconds = Number(arg('seconds', '0'));
const close = arg('close', '1') === '1';
const prefix = arg('prefix', 'n');
if (!ports.length || !token) {
  console.error('nodes_load: --ports and --token are needed');
  process.exit(2);
}
const started = Date.now();
const agents = ports.map(() => new http.Agent({ keepAlive: true, maxSockets: conns }));
const acked = [], closed = [];
let errors = 0, accepted202 = 0;
const lat = [];

function post(port, path, body) {
  return new Promise((resolve) => {
    const data = JSON.stringify(body);
    const t0 = process.hrtime.bigint();
    const rq = http.request({ host: '127.0.0.1', port, path, method: 'POST',
      agent: agents[ports.indexOf(port)], timeout: 20000,
      headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(data) } }, (res) => {
      let s = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { s += d; });
      res.on('end', () => {
        let j = null;
        try { j = JSON.parse(s); } catch { j = null; }
        resolve({ status: res.statusCode, body: j,
          ms: Number(process.hrtime.bigint() - t0) / 1e6 });
      });
    });
    rq.on('timeout', () => rq.destroy(new Error('timeout')));
    rq.on('error', () => resolve({ status: 0, body: null }));
    rq.end(data);
  });
}

const done = () => (stopFile && fs.existsSync(stopFile)) ||
  (seconds > 0 && Date.now() - started > seconds * 1000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function conn(i) {
  const mine = [];
  for (let k = 0; !done(); k++) {
    const port = ports[(i + k) % ports.length];
    if (close && mine.length && k % 2 === 1) {
      const id = mine.shift();
      const r = await post(port, `/v1/contacts/${id}/done`, {});
      if (r.status >= 200 && r.status < 300) closed.push(id);
      else if (r.status === 0) { errors++; mine.unshift(id); await sleep(50); }
      continue;
    }
    const id = `${prefix}${i}k${k}`;
    const r = await post(port, '/v1/contacts', { id, tier: 'T2', lang: 'nl' });
    if (r.status >= 200 && r.status < 300) {
      acked.push(`${(Date.now() / 1000).toFixed(3)} ${id} ${r.status}`);
      lat.push(r.ms);
      if (r.status === 202) accepted202++;
      if (r.body && r.body.decision && r.body.decision.state === 'assigned') mine.push(id);
    } else if (r.status === 0) {
      errors++;
      await sleep(50);
    }
  }
}

await Promise.all(Array.from({ length: conns }, (_, i) => conn(i)));
fs.writeFileSync(`${out}/acked.txt`, acked.join('\n') + (acked.length ? '\n' : ''));
fs.writeFileSync(`${out}/closed.txt`, closed.join('\n') + (closed.length ? '\n' : ''));
lat.sort((a, b) => a - b);
const q = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : 0);
const secs = (Date.now() - started) / 1000;
console.log(JSON.stringify({ acked: acked.length, closed: closed.length, accepted202,
  errors, seconds: secs, per_s: acked.length / secs, p50_ms: q(0.5), p99_ms: q(0.99) }));
for (const a of agents) a.destroy();

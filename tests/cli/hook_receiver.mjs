// A webhook receiver for the outbox tests: /flaky answers 500 twice, then
// 200; /dead always 400; /slow waits 3 s, then 200; anything else 200.
// Logs one JSON line per request (path, key, status, body) to the file
// given as the first argument, and prints its port.
import { createServer } from 'node:http';
import { appendFileSync } from 'node:fs';

const log = process.argv[2];
let flaky = 0;
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const key = req.headers['idempotency-key'] || '';
    let status = 200;
    if (req.url === '/flaky') status = flaky++ < 2 ? 500 : 200;
    if (req.url === '/dead') status = 400;
    const answer = () => {
      appendFileSync(log, JSON.stringify({ path: req.url, key, status, body }) + '\n');
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(status === 200 ? 'ok' : 'no');
    };
    if (req.url === '/slow') {
      appendFileSync(log, JSON.stringify({ path: '/slow-start', key, status: 0, body: '' }) + '\n');
      setTimeout(answer, 3000);
    } else {
      answer();
    }
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));

// A contract stub for the helpdesks maat writes back to, where the real
// ones cannot run here: every request is checked against the published
// description and logged with what was wrong.
//   Chatwoot: the Application API's OpenAPI file (v4.15.1, from
//   ../shared/docs/contracts/): the path and method exist, the
//   api_access_token header is the configured token, the JSON body has
//   every required field, no field the schema does not list, each of the
//   listed type and enum.
//   Zammad: the facts of ../shared/docs/helpdesk-api.md (section 2):
//   "Authorization: Token token=...", PUT /api/v1/tickets/{id} with owner,
//   group, state or priority fields, POST /api/v1/ticket_articles with
//   ticket_id and body, and only their documented fields.
// Faults, for the retry tests: the first call with a given Idempotency-Key
// to .../assignments answers 500; the first to /api/v1/ticket_articles
// answers after 3 s (longer than the caller's timeout).
// Usage: node helpdesk_stub.mjs SWAGGER.json LOG.jsonl CHATWOOT_TOKEN ZAMMAD_TOKEN
import { createServer } from 'node:http';
import { appendFileSync, readFileSync } from 'node:fs';

const [swaggerFile, log, cwToken, zmToken] = process.argv.slice(2);
const swagger = JSON.parse(readFileSync(swaggerFile, 'utf8'));
const resolve = (s) => (s && s.$ref ? resolve(s.$ref.split('/').slice(1).reduce((o, k) => o[k], swagger)) : s);
const routes = Object.entries(swagger.paths).map(([p, ops]) => ({
  re: new RegExp('^' + p.replace(/\{[^}]+\}/g, '[^/]+') + '$'), path: p, ops,
}));

function checkSchema(schema, value, where, errors) {
  schema = resolve(schema);
  if (!schema) return;
  const t = schema.type;
  const ok = { object: (v) => v && typeof v === 'object' && !Array.isArray(v), array: Array.isArray,
               string: (v) => typeof v === 'string', boolean: (v) => typeof v === 'boolean',
               number: (v) => typeof v === 'number', integer: Number.isInteger }[t];
  if (ok && !ok(value)) { errors.push(`${where}: expected ${t}`); return; }
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${where}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  if (t === 'object' && schema.properties) {
    for (const r of schema.required || []) if (!(r in value)) errors.push(`${where}.${r}: required`);
    for (const [k, v] of Object.entries(value)) {
      if (!(k in schema.properties)) errors.push(`${where}.${k}: not in the schema`);
      else checkSchema(schema.properties[k], v, `${where}.${k}`, errors);
    }
  }
}

function chatwoot(req, body, errors) {
  if (req.headers.api_access_token !== cwToken) errors.push('header api_access_token: missing or wrong');
  const path = req.url.split('?')[0];
  const route = routes.find((r) => r.re.test(path));
  if (!route) return errors.push(`path ${path}: not in the Application API`);
  const op = route.ops[req.method.toLowerCase()];
  if (!op) return errors.push(`${req.method} ${route.path}: no such operation`);
  const rb = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
  if (rb) checkSchema(rb.schema, body, 'body', errors);
}

const zammadFields = {
  'PUT /api/v1/tickets/{id}': { allowed: ['owner_id', 'owner', 'group', 'group_id', 'state', 'state_id',
                                          'priority', 'priority_id', 'article', 'title'], required: [] },
  'POST /api/v1/ticket_articles': { allowed: ['ticket_id', 'body', 'content_type', 'type', 'internal',
                                              'sender', 'subject', 'to', 'time_unit'],
                                    required: ['ticket_id', 'body'] },
};
function zammad(req, body, errors) {
  if (req.headers.authorization !== 'Token token=' + zmToken) errors.push('header Authorization: expected "Token token=..."');
  const path = req.url.split('?')[0].replace(/^\/api\/v1\/tickets\/\d+$/, '/api/v1/tickets/{id}');
  const spec = zammadFields[req.method + ' ' + path];
  if (!spec) return errors.push(`${req.method} ${path}: not a documented write`);
  for (const r of spec.required) if (!(r in body)) errors.push(`body.${r}: required`);
  for (const k of Object.keys(body)) if (!spec.allowed.includes(k)) errors.push(`body.${k}: not documented`);
  if ('owner_id' in body && !Number.isInteger(body.owner_id)) errors.push('body.owner_id: expected an integer');
  if ('ticket_id' in body && !Number.isInteger(body.ticket_id)) errors.push('body.ticket_id: expected an integer');
  if ('internal' in body && typeof body.internal !== 'boolean') errors.push('body.internal: expected a boolean');
}

const seen = new Set();
// Chatwoot agents' availability_status by user id, set by the test
// through POST /__presence (not part of Chatwoot).
const presence = {};
// What was made, for reads: Chatwoot messages by conversation path, Zammad
// articles by ticket id.
const messages = {};
const articles = {};
const server = createServer((req, res) => {
  let raw = '';
  req.on('data', (c) => { raw += c; });
  req.on('end', () => {
    const errors = [];
    let body = null;
    if (req.url === '/__presence') {
      Object.assign(presence, JSON.parse(raw));
      res.writeHead(200);
      res.end('{}');
      return;
    }
    if (req.method === 'GET') {
      // A read: Chatwoot's agents (the _agent partial's fields) or a
      // conversation's messages ({payload: [...]}); Zammad's articles of a
      // ticket (an array).
      const path = req.url.split('?')[0];
      const zmRead = path.startsWith('/api/v1/ticket_articles/by_ticket/');
      if (zmRead) {
        if (req.headers.authorization !== 'Token token=' + zmToken) errors.push('header Authorization: expected "Token token=..."');
      } else {
        chatwoot(req, {}, errors);
      }
      let answer;
      if (zmRead) answer = articles[path.split('/').pop()] || [];
      else if (path.endsWith('/messages')) answer = { payload: messages[path] || [] };
      else answer = Object.entries(presence).map(([id, st]) => ({ id: Number(id), account_id: 3,
        availability_status: st, auto_offline: true, confirmed: true, name: `user ${id}`, role: 'agent' }));
      appendFileSync(log, JSON.stringify({ helpdesk: zmRead ? 'zammad' : 'chatwoot', method: 'GET', path: req.url,
                                           key: '', status: errors.length ? 422 : 200, errors, body: null }) + '\n');
      res.writeHead(errors.length ? 422 : 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(errors.length ? { errors } : answer));
      return;
    }
    try { body = JSON.parse(raw); } catch (e) { errors.push('body: not JSON'); body = {}; }
    const zm = req.url.startsWith('/api/v1/tickets') || req.url.startsWith('/api/v1/ticket_articles');
    if (zm) zammad(req, body, errors); else chatwoot(req, body, errors);
    const key = req.headers['idempotency-key'] || '';
    let status = errors.length ? 422 : 200, delay = 0;
    if (!errors.length && !seen.has(key)) {
      if (req.url.endsWith('/assignments')) status = 500;
      if (req.url.startsWith('/api/v1/ticket_articles')) delay = 3000;
    }
    seen.add(key);
    // A note or article is made when it is received, even if the answer
    // is then slow or lost: as a real helpdesk does.
    if (!errors.length && status < 300) {
      const path = req.url.split('?')[0];
      if (req.method === 'POST' && path.endsWith('/messages')) (messages[path] ||= []).push({ id: Date.now(), ...body });
      if (req.method === 'POST' && path === '/api/v1/ticket_articles') (articles[body.ticket_id] ||= []).push({ id: Date.now(), ...body });
    }
    if (status === 200 && req.url.startsWith('/api/v1/ticket_articles')) status = 201;
    setTimeout(() => {
      appendFileSync(log, JSON.stringify({ helpdesk: zm ? 'zammad' : 'chatwoot', method: req.method,
                                           path: req.url, key, status, delayed: delay > 0, errors, body }) + '\n');
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(errors.length ? { errors } : { ok: true }));
    }, delay);
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));

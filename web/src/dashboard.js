// The team dashboard: the live queue, team strain (aggregates only), the
// bot, warnings and recent decisions; refreshes every two seconds.
'use strict';
let chart = null;
let last = null;

function bars(node, entries, label) {
  node.replaceChildren();
  const max = Math.max(1, ...entries.map(([, v]) => v));
  for (const [k, v] of entries)
    node.append(el('div', {}, el('span', { class: 'muted' }, label(k)),
                   el('b', { style: `width:${Math.round(8 * v / max)}rem` }),
                   el('span', { 'data-count': k }, v)));
}

// Today, from local midnight: one day per chart (the server drops the
// hours of the day before); the scale fits the data and always shows the
// overload line.
function drawChart(hours, nowT, line) {
  const node = document.getElementById('chart');
  const order = Array.from({ length: 24 }, (_, k) => k);
  const xs = order.map((_, k) => k);
  const ys = order.map((h) => (hours[h] === null ? null : hours[h]));
  const top = chartTop(ys, line);
  const width = Math.max(260, node.clientWidth || 600);
  const opts = {
    width, height: 220,
    scales: { x: { time: false }, y: { range: [0, top] } },
    axes: [{ label: t('hour'), values: (u, v) => v.map((k) => order[k] !== undefined ? order[k] + ':00' : '') },
           { label: t('strainAxis') }],
    series: [{}, { label: t('strain'), stroke: '#2f6f5e', width: 2, spanGaps: false },
             { label: t('overloadLine'), stroke: '#a32020', width: 1, dash: [6, 4] }],
  };
  if (chart) chart.destroy();
  chart = new uPlot(opts, [xs, ys, xs.map(() => line)], node);
  node.dataset.top = String(top);
  node.dataset.order = order.join(',');
}

// The same warning once, with how often and when last.
function grouped(warnings) {
  const by = new Map();
  for (const w of warnings) {
    const key = w.kind + '|' + w.message;
    const g = by.get(key);
    if (g) { g.n++; g.t = Math.max(g.t, w.t); } else by.set(key, { kind: w.kind, message: w.message, t: w.t, n: 1 });
  }
  return [...by.values()].sort((a, b) => b.t - a.t);
}

function render() {
  if (!last) return;
  const [q, team, w] = last;
  document.getElementById('q-length').textContent = q.length;
  document.getElementById('q-oldest').textContent = secs(q.oldest_wait_s);
  document.getElementById('q-target').textContent = secs(q.target_s);
  document.getElementById('q-oldest').className = q.oldest_wait_s > q.target_s ? 'bad' : '';
  bars(document.getElementById('q-tiers'), Object.entries(q.by_tier), (k) => k);
  bars(document.getElementById('q-prios'), Object.entries(q.by_priority), (k) => t('priority') + ' ' + k);
  const s = team.strain;
  const sw = document.getElementById('s-withheld');
  sw.hidden = !!s;
  sw.textContent = team.strain_withheld === 'no_period_yet' ? t('noPeriod') : t('withheld');
  document.getElementById('s-mean').textContent = s ? fmt(s.mean, 1) + ' / ' + fmt(s.p90, 1) : '–';
  document.getElementById('s-over').textContent = s ? s.over_line + ' ' + t('overLine') : '';
  const m = s ? Math.floor(s.period_end / 60) % 1440 : 0;
  document.getElementById('s-period').textContent = s ? t('strainPeriod')
    .replace('{t}', Math.floor(m / 60) + ':' + String(m % 60).padStart(2, '0'))
    .replace('{n}', s.group) : '';
  const a = team.agents;
  bars(document.getElementById('agents'),
       ['available', 'busy', 'recovery', 'break', 'offline'].map((k) => [k, a[k]]), (k) => t(k));
  document.getElementById('b-share').textContent = pct(team.bot.share);
  document.getElementById('b-back').textContent = team.bot.handed_back;
  document.getElementById('sl').textContent = pct(team.service_level);
  document.getElementById('avgwait').textContent = secs(team.avg_wait_s);
  const ul = document.getElementById('warnings');
  const groups = grouped(w.warnings).slice(0, 10);
  // Calls out (alerts, helpdesk write-back) given up on: first, so they are seen.
  const lost = w.undelivered > 0
    ? [el('li', { class: 'warn', 'data-kind': 'undelivered' }, t('undelivered').replace('{n}', w.undelivered))] : [];
  ul.replaceChildren(...lost, ...(groups.length ? groups.map((x) =>
    el('li', { class: x.kind === 'overload' || x.kind === 'understaffed' ? 'warn' : '', 'data-kind': x.kind },
       x.message +
       (x.n > 1 ? ' (' + x.n + t('times') + ')' : '') + ' \u2014 ' + t('lastAt') + ' ' + clock(x.t)))
    : lost.length ? [] : [el('li', { class: 'muted' }, t('noWarnings'))]));
  document.getElementById('personal').textContent = w.personal_warnings;
  document.getElementById('recent').replaceChildren(...team.recent_decisions.map((d) => {
    const b = el('button', { class: 'secondary', 'data-correct': d.contact }, t('correct'));
    b.addEventListener('click', () => openCorrection(d.contact));
    return el('tr', {}, el('td', {}, clock(d.t)), el('td', {}, d.contact), el('td', {}, intentName(d.intent)),
              el('td', {}, d.tier),
              el('td', {}, d.to === 'bot' ? t('toBot') : t('toPerson')),
              el('td', { class: 'muted' }, d.reasons), el('td', { class: 'actions' }, b));
  }));
  drawChart(team.strain_by_hour, team.t, team.overload_line || 1);
  document.getElementById('updated').textContent = new Date().toLocaleTimeString(lang);
}

// A lead's move of contact c: to someone free (asked for when opened, by
// id only), or back to the queue; the reply says which rule it broke.
function moveControls(c, input, msg, withRequeue) {
  const pick = el('button', { class: 'secondary', 'data-move': c.id }, t('moveTo'));
  const box = el('span', { class: 'move' });
  pick.addEventListener('click', async () => {
    if (!input.value.trim()) { msg.textContent = t('reasonNeeded'); return; }
    const free = await api('GET', '/v1/agents');
    const ids = free.status === 200 ? free.data.free : [];
    if (!ids.length) { msg.textContent = free.status === 200 ? t('noneFree') : errText(free); return; }
    const sel = el('select', { 'aria-label': t('chooseAgent'), 'data-pick': c.id },
                   ...ids.map((id) => el('option', { value: id }, id)));
    const go = el('button', { 'data-give': c.id }, t('move'));
    go.addEventListener('click', () => doMove(c, sel.value, input, msg));
    box.replaceChildren(sel, go);
    // The tables hold still while the lead chooses (at most half a minute).
    choosing = Date.now() + 30000;
  });
  const parts = [pick, box];
  if (withRequeue) {
    const back = el('button', { class: 'secondary', 'data-requeue': c.id }, t('requeue'));
    back.addEventListener('click', () => doMove(c, null, input, msg));
    parts.push(back);
  }
  return parts;
}

let choosing = 0;

async function doMove(c, agent, input, msg) {
  if (!input.value.trim()) { msg.textContent = t('reasonNeeded'); return; }
  choosing = 0;
  const r = await api('POST', '/v1/contacts/' + encodeURIComponent(c.id) + '/move',
                      { agent, reason: input.value.trim() });
  if (r.status === 200)
    msg.textContent = agent === null ? t('requeued')
      : r.data.breaks ? t('movedAgainst').replace('{r}', r.data.breaks) : t('moved');
  else
    msg.textContent = r.status === 409 ? t('moveRefused') : errText(r);
  refresh();
}

// Open contacts, longest first, with a close for one left open, a move to
// someone else or back to the queue; the agent working on it is not named
// here (the lead acts on the contact).
function renderOpen(list, nowT) {
  const body = document.getElementById('open');
  const msg = document.getElementById('open-msg');
  document.getElementById('open-none').hidden = list.length > 0;
  body.replaceChildren(...list.map((c) => {
    const input = el('input', { 'aria-label': t('reasonAny'), placeholder: t('reasonAny'),
                                class: 'reason' });
    const btn = el('button', { class: 'secondary', 'data-close': c.id }, t('close'));
    btn.addEventListener('click', async () => {
      if (!input.value.trim()) { msg.textContent = t('reasonNeeded'); return; }
      const r = await api('POST', '/v1/contacts/' + encodeURIComponent(c.id) + '/done',
                          { reason: input.value.trim() });
      msg.textContent = r.status === 200 ? t('closed') : errText(r);
      refresh();
    });
    return el('tr', {}, el('td', {}, c.id), el('td', {}, c.tier), el('td', {}, intentName(c.intent)),
              el('td', {}, secs(nowT - c.assigned_t)),
              el('td', { class: 'actions' }, input, btn, ...moveControls(c, input, msg, true)));
  }));
}

// Waiting contacts, first in line first, each with a move to someone free.
function renderWaiting(list, nowT) {
  const msg = document.getElementById('waiting-msg');
  document.getElementById('waiting-none').hidden = list.length > 0;
  document.getElementById('waiting').replaceChildren(...list.map((c) => {
    const input = el('input', { 'aria-label': t('reasonMove'), placeholder: t('reasonMove'),
                                class: 'reason' });
    return el('tr', {}, el('td', {}, c.id), el('td', {}, c.tier), el('td', {}, c.priority),
              el('td', {}, intentName(c.intent)), el('td', {}, secs(nowT - c.arrived_t)),
              el('td', { class: 'actions' }, input, ...moveControls(c, input, msg, false)));
  }));
}

// Pausing the bot for an intent: a lead's switch, kept by the server.
function renderPaused(list) {
  const ul = document.getElementById('paused');
  ul.replaceChildren(...(list.length ? list.map((intent) => {
    const b = el('button', { class: 'secondary', 'data-resume': intent }, t('resume'));
    b.addEventListener('click', async () => {
      await api('POST', '/v1/bot/pauses', { intent, paused: false });
      refresh();
    });
    return el('li', {}, intentName(intent) + ' (' + intent + ') ', b);
  }) : [el('li', { class: 'muted' }, t('nonePaused'))]));
}

document.getElementById('pause-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const input = document.getElementById('pause-intent');
  if (!input.value.trim()) return;
  await api('POST', '/v1/bot/pauses', { intent: input.value.trim(), paused: true });
  input.value = '';
  refresh();
});

// Knowledge gaps: what the knowledge base could not answer, and drafts a
// lead writes for them (published by a lead before the bot uses them).
let gapTopic = '', gapTick = 0;
function renderGaps(g) {
  document.getElementById('gapsec').hidden = false;
  const rows = g.gaps.slice(0, 10).map((x) => {
    const b = el('button', { class: 'secondary', 'data-gap': x.topic }, t('writeArticle'));
    b.addEventListener('click', () => {
      gapTopic = x.topic;
      document.getElementById('draft-form').hidden = false;
      document.getElementById('draft-title').value = x.examples[0] || x.topic;
      document.getElementById('draft-body').focus();
    });
    return el('tr', {}, el('td', {}, x.topic), el('td', {}, String(x.count)),
              el('td', {}, String(x.trend.last_7_days)),
              el('td', {}, x.examples.join(' \u2022 ')), el('td', { class: 'actions' }, b));
  });
  document.getElementById('gaps').replaceChildren(...rows);
  document.getElementById('gaps-none').hidden = rows.length > 0;
}

function renderDrafts(list) {
  const drafts = list.filter((a) => a.status === 'draft');
  document.getElementById('drafts').replaceChildren(...(drafts.length ? drafts.map((a) => {
    const b = el('button', { class: 'secondary', 'data-publish': a.id }, t('publish'));
    b.addEventListener('click', async () => {
      const r = await api('POST', '/v1/kb/publish/' + encodeURIComponent(a.id));
      document.getElementById('draft-msg').textContent = r.status === 200 ? t('published')(a.id) : errText(r);
      gapTick = 0;
      refresh();
    });
    return el('li', {}, a.title + ' (' + a.id + ') ', b);
  }) : [el('li', { class: 'muted' }, t('noDrafts'))]));
}

async function refreshGaps() {
  const [g, arts] = await Promise.all([api('GET', '/v1/kb/gaps?days=30'), api('GET', '/v1/kb/articles')]);
  if (g.status !== 200) { document.getElementById('gapsec').hidden = true; return; }
  renderGaps(g.data);
  if (arts.status === 200) renderDrafts(arts.data.articles);
}

document.getElementById('draft-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const title = document.getElementById('draft-title').value.trim();
  const body = document.getElementById('draft-body').value.trim();
  if (!title || !body) return;
  const r = await api('POST', '/v1/kb/drafts', { title, body, topic: gapTopic, lang });
  const msg = document.getElementById('draft-msg');
  if (r.status === 201) {
    msg.textContent = t('draftSaved')(r.data.id);
    document.getElementById('draft-form').hidden = true;
    document.getElementById('draft-body').value = '';
    gapTick = 0;
    refresh();
  } else {
    msg.textContent = errText(r);
  }
});
document.getElementById('draft-cancel').addEventListener('click', () => {
  document.getElementById('draft-form').hidden = true;
});

// Corrections: a lead corrects a decision (the form under Recent
// decisions) and reviews what people corrected (approve, dismiss).
let correcting = '';
const CHOICES = { tier: ['T1', 'T2', 'T3'], tone: ['neutral', 'positive', 'frustrated', 'angry', 'distressed'],
                  answer: ['right', 'wrong', 'missing'] };
const ANSWER_KEY = { right: 'aRight', wrong: 'aWrong', missing: 'aMissing' };
function valueControl() {
  const field = document.getElementById('correct-field').value;
  const box = document.getElementById('correct-value-box');
  const choices = CHOICES[field];
  const ctl = choices
    ? el('select', { id: 'correct-value' }, ...choices.map((v) =>
        el('option', { value: v }, field === 'tone' ? t(v) : field === 'answer' ? t(ANSWER_KEY[v]) : v)))
    : el('input', { id: 'correct-value', class: 'reason', required: 'required',
                    placeholder: field === 'urgency' ? '0.8' : 'card_arrival' });
  box.replaceChildren(ctl);
}
function openCorrection(id) {
  correcting = id;
  document.getElementById('correct-contact').textContent = id;
  document.getElementById('correct-form').hidden = false;
  document.getElementById('correct-msg').textContent = '';
  valueControl();
  document.getElementById('correct-reason').focus();
}
document.getElementById('correct-field').addEventListener('change', valueControl);
document.getElementById('correct-cancel').addEventListener('click', () => {
  document.getElementById('correct-form').hidden = true;
});
document.getElementById('correct-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const reason = document.getElementById('correct-reason').value.trim();
  const value = document.getElementById('correct-value').value.trim();
  if (!reason || !value) return;
  const r = await api('POST', '/v1/contacts/' + encodeURIComponent(correcting) + '/corrections',
                      { field: document.getElementById('correct-field').value, value, reason,
                        override: document.getElementById('correct-override').checked });
  const msg = document.getElementById('correct-msg');
  if (r.status === 201) {
    msg.textContent = t('corrSent') + (r.data.training_text ? '' : ' (' + t('noText') + ')');
    document.getElementById('correct-form').hidden = true;
    document.getElementById('correct-reason').value = '';
    refreshCorrections();
  } else {
    msg.textContent = r.status === 409 ? t('corrSame409') : errText(r);
  }
});

function byName(by) {
  return by.startsWith('agent:') ? t('byAgent') : by === 'lead' ? t('byLead')
    : by === 'admin' ? t('byAdmin') : t('byCli');
}
function fieldName(f) {
  return t('f' + f[0].toUpperCase() + f.slice(1));
}
function valueName(field, v) {
  if (!v) return '\u2013';
  if (field === 'intent') return intentName(v);
  if (field === 'tone') return t(v);
  if (field === 'answer') return ANSWER_KEY[v] ? t(ANSWER_KEY[v]) : v;
  return v;
}
function renderCorrections(list, ov) {
  document.getElementById('corrsec').hidden = false;
  const msg = document.getElementById('corr-msg');
  document.getElementById('corr-none').hidden = list.length > 0;
  document.getElementById('corrections').replaceChildren(...list.slice(0, 20).map((c) => {
    const ok = el('button', { 'data-approve': c.id }, t('approve'));
    const no = el('button', { class: 'secondary', 'data-dismiss': c.id }, t('dismiss'));
    const review = async (verb) => {
      const r = await api('POST', '/v1/corrections/' + c.id + '/' + verb);
      msg.textContent = r.status === 200 ? t(verb === 'approve' ? 'approvedMsg' : 'dismissedMsg') : errText(r);
      refreshCorrections();
    };
    ok.addEventListener('click', () => review('approve'));
    no.addEventListener('click', () => review('dismiss'));
    return el('tr', {}, el('td', {}, c.contact), el('td', {}, fieldName(c.field)),
              el('td', {}, valueName(c.field, c.was) + ' \u2192 ' + valueName(c.field, c.value)),
              el('td', { class: 'muted' }, c.reason + (c.training_text || c.field !== 'intent' ? '' : ' (' + t('noText') + ')')),
              el('td', {}, byName(c.by)), el('td', { 'data-same': c.id }, t('timesMade')(c.same)),
              el('td', { class: 'actions' }, ok, no));
  }));
  const line = document.getElementById('overrides');
  if (ov && ov.total > 0) {
    const top = Object.entries(ov.by_rule).sort((a, b) => b[1] - a[1])[0];
    line.textContent = t('overridesLine')(ov.total, top ? top[0] : '\u2013');
  } else {
    line.textContent = t('noOverrides');
  }
}
async function refreshCorrections() {
  const [c, o] = await Promise.all([api('GET', '/v1/corrections'), api('GET', '/v1/overrides')]);
  if (c.status !== 200) { document.getElementById('corrsec').hidden = true; return; }
  renderCorrections(c.data.corrections, o.status === 200 ? o.data : null);
}

async function refresh() {
  /* The gaps change slowly: every tenth refresh (20 s), and at once after
   * a draft or a language change. */
  if (gapTick++ % 10 === 0) { refreshGaps(); refreshCorrections(); }
  const [q, team, w, open, waiting] = await Promise.all([
    api('GET', '/v1/queue'), api('GET', '/v1/team'), api('GET', '/v1/warnings'),
    api('GET', '/v1/contacts?state=assigned&limit=20'), api('GET', '/v1/contacts?state=queued&limit=20')]);
  // Not while the lead is typing a reason or choosing someone.
  const busy = Date.now() < choosing ||
               (document.activeElement && document.activeElement.className === 'reason');
  if (open.status === 200 && !busy) renderOpen(open.data.contacts, open.data.t);
  if (waiting.status === 200 && !busy) renderWaiting(waiting.data.contacts, waiting.data.t);
  const paused = await api('GET', '/v1/bot/pauses');
  if (paused.status === 200) renderPaused(paused.data.paused);
  if (q.status === 401) return signout();
  if (q.status !== 200 || team.status !== 200 || w.status !== 200) {
    for (const s of document.querySelectorAll('main > section')) s.hidden = s.id !== 'forbidden';
    document.getElementById('forbidden').hidden = false;
    return;
  }
  last = [q.data, team.data, w.data];
  render();
}

if (!token()) location.href = '/';
document.getElementById('signout').addEventListener('click', signout);
setupLanguage(() => { gapTick = 0; refresh(); });
refresh();
setInterval(refresh, 2000);

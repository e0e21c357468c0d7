// The agent's own day: strain and recovery, check-ins, what gives or costs
// energy, and a breather the router respects. Only this agent sees it.
'use strict';
const agent = sessionStorage.getItem('maat.agent');
let me = null;

function render() {
  if (!me) return;
  const line = me.overload_line || 1;
  const hidden = me.strain === null;
  const lh = document.getElementById('livehidden');
  lh.hidden = !hidden;
  if (hidden) {
    const m = Math.floor(me.live_withheld_until / 60) % 1440;
    lh.textContent = t('liveHidden').replace('{t}',
      Math.floor(m / 60) + ':' + String(m % 60).padStart(2, '0'));
  }
  document.getElementById('strain').textContent = hidden ? '\u2013' : fmt(me.strain, 2);
  // The scale grows with the strain, so 10 never looks like 1.1; the
  // colour says the level; the red mark is the overload line.
  const top = chartTop(hidden ? [] : [me.strain], line);
  const meter = document.getElementById('meter');
  meter.style.width = hidden ? '0%' : Math.min(100, 100 * me.strain / top) + '%';
  meter.className = hidden ? '' : me.strain >= line ? 'high' : me.strain >= 0.7 * line ? 'mid' : '';
  document.getElementById('line').style.left = (100 * line / top) + '%';
  document.getElementById('linev').textContent = fmt(line, 2);
  document.getElementById('recovering').hidden = !me.in_recovery;
  document.getElementById('left').textContent = secs(me.recovery_left_s);
  // "1 heavy contact", "4 heavy contacts": the noun follows the number.
  const n = (k, one, many) => hidden ? '\u2013 ' + t(many) : k + ' ' + t(k === 1 ? one : many);
  document.getElementById('heavy').textContent =
    n(me.heavy_in_a_row, 'inARow1', 'inARow') + ', ' + n(me.heavy_today, 'today1', 'today');
  const st = document.getElementById('state');
  st.textContent = t(me.state) + (me.next_state ? ' \u2192 ' + t(me.next_state) : '');
  st.dataset.state = me.next_state || me.state;
  // One button, the one that does something now.
  const onBreak = (me.next_state || me.state) === 'break';
  document.getElementById('breather').hidden = onBreak;
  document.getElementById('back').hidden = !onBreak;
  document.getElementById('kinds').replaceChildren(...me.energy_by_kind.map((k) =>
    el('tr', {}, el('td', {}, intentName(k.intent) + ' (' + t(k.tone) + ')'),
       el('td', {}, fmt(k.mean_energy, 1) + ' / 5 \u00b7 ' + k.checkins + '\u00d7'))));
  const ul = document.getElementById('checkins');
  ul.replaceChildren(...(me.checkins.length ? me.checkins.map((c) =>
    el('li', {}, t('energy') + ' ' + c.energy + '/5' + (c.intent ? ' \u00b7 ' + intentName(c.intent) : '') +
       (c.note ? ' \u2014 ' + c.note : '')))
    : [el('li', { class: 'muted' }, t('noCheckins'))]));
  // Each notice once, with how often and when last.
  const seen = new Map();
  for (const w of me.warnings) {
    const g = seen.get(w.message);
    if (g) { g.n++; g.t = Math.max(g.t, w.t); } else seen.set(w.message, { n: 1, t: w.t });
  }
  document.getElementById('mywarnings').replaceChildren(...[...seen].map(([m, g]) =>
    el('li', { class: 'warn' }, clock(g.t) + ' \u2014 ' + m + (g.n > 1 ? ' (' + g.n + t('times') + ')' : ''))));
  // One tap per contact: how much energy it left.
  const open = (me.recent_contacts || []).filter((c) => !c.checked_in);
  document.getElementById('tocheck-none').hidden = open.length > 0;
  if (document.activeElement && document.activeElement.classList.contains('note')) return;
  if (document.querySelector('#tocheck details[open]')) return;
  document.getElementById('tocheck').replaceChildren(...open.map((c) => {
    const note = el('input', { class: 'note', placeholder: t('notePlaceholder'),
                               'aria-label': t('notePlaceholder') });
    const taps = [1, 2, 3, 4, 5].map((n) => {
      const b = el('button', { class: 'secondary tap', 'data-contact': c.id, 'data-energy': n,
                               'aria-label': t('energy') + ' ' + n }, n);
      b.addEventListener('click', async () => {
        const body = { energy: n };
        if (note.value.trim()) body.note = note.value.trim();
        await api('POST', '/v1/contacts/' + encodeURIComponent(c.id) + '/checkin', body);
        refresh();
      });
      return b;
    });
    return el('li', {}, el('div', {}, (c.intent ? intentName(c.intent) : t('contact')) + ' \u00b7 ' + t(c.tone) + ' \u00b7 ' + clock(c.assigned_t)),
              el('div', { class: 'taps' }, ...taps), note, correction(c));
  }));
}

// "maat got this wrong": the agent corrects the tone, the tier or the
// intent of her own contact, with a reason; a lead reviews it.
function correction(c) {
  const field = el('select', { 'data-cfield': c.id, 'aria-label': t('corrWhat') },
                   ...['tone', 'tier', 'intent'].map((f) =>
                     el('option', { value: f }, t('f' + f[0].toUpperCase() + f.slice(1)))));
  const box = el('span', {});
  const value = () => box.firstChild;
  const fill = () => {
    const f = field.value;
    box.replaceChildren(f === 'intent'
      ? el('input', { class: 'note', 'data-cvalue': c.id, placeholder: t('corrValue') })
      : el('select', { 'data-cvalue': c.id, 'aria-label': t('corrValue') },
           ...(f === 'tone' ? ['neutral', 'positive', 'frustrated', 'angry', 'distressed'] : ['T1', 'T2', 'T3'])
             .map((v) => el('option', { value: v }, f === 'tone' ? t(v) : v))));
  };
  field.addEventListener('change', fill);
  fill();
  const why = el('input', { class: 'note', 'data-creason': c.id, placeholder: t('corrReason'),
                            'aria-label': t('corrReason'), maxlength: '500' });
  const msg = el('div', { class: 'muted', role: 'status', 'data-cmsg': c.id });
  const send = el('button', { class: 'secondary', 'data-csend': c.id }, t('sendCorrection'));
  const det = el('details', {}, el('summary', {}, t('gotWrong')), field, box, why, send);
  send.addEventListener('click', async () => {
    if (!why.value.trim() || !value().value.trim()) { msg.textContent = t('reasonNeeded'); return; }
    const r = await api('POST', '/v1/contacts/' + encodeURIComponent(c.id) + '/corrections',
                        { field: field.value, value: value().value.trim(), reason: why.value.trim() });
    msg.textContent = r.status === 201 ? t('corrSent') : r.status === 409 ? t('corrSame409') : errText(r);
    if (r.status === 201) det.open = false;
  });
  return el('div', {}, det, msg);
}

async function refresh() {
  const r = await api('GET', '/v1/agents/' + encodeURIComponent(agent || '-'));
  if (r.status === 401) return signout();
  if (r.status !== 200) {
    for (const s of document.querySelectorAll('main > section')) s.hidden = s.id !== 'forbidden';
    return;
  }
  me = r.data;
  render();
}

async function setState(state) {
  await api('POST', '/v1/agents/' + encodeURIComponent(agent) + '/state', { state });
  refresh();
}

if (!token()) location.href = '/';
document.getElementById('signout').addEventListener('click', signout);
document.getElementById('breather').addEventListener('click', () => setState('break'));
document.getElementById('back').addEventListener('click', () => setState('available'));
setupLanguage(refresh);
refresh();
setInterval(refresh, 2000);

// The weekly pulse: asked until it is answered; never shown back.
async function pulseState() {
  const r = await api('GET', '/v1/pulse');
  const done = r.status === 200 && r.data.answered;
  document.getElementById('pulse').hidden = done;
  const msg = document.getElementById('pulse-msg');
  if (done) { msg.className = 'ok'; msg.dataset.t = 'pulseDone'; msg.textContent = t('pulseDone'); }
}
document.getElementById('pulse').addEventListener('submit', async (e) => {
  e.preventDefault();
  const v = (id) => Number(document.getElementById('p-' + id).value);
  const r = await api('POST', '/v1/pulse', { enps: v('enps'), happiness: v('happiness'), stress: v('stress'),
                                             engagement: v('engagement'), learning: v('learning') });
  const msg = document.getElementById('pulse-msg');
  if (r.status === 201 || r.status === 409) return pulseState();
  msg.className = 'bad';
  delete msg.dataset.t;
  msg.textContent = errText(r);
});
pulseState();

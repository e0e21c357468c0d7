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

function drawChart(hours) {
  const node = document.getElementById('chart');
  const xs = hours.map((_, h) => h);
  const ys = hours.map((v) => (v === null ? null : v));
  const width = Math.max(260, node.clientWidth || 600);
  if (chart) { chart.setData([xs, ys]); chart.setSize({ width, height: 220 }); return; }
  chart = new uPlot({
    width, height: 220,
    scales: { x: { time: false }, y: { range: [0, 1.5] } },
    axes: [{ label: 'h' }, { label: 'strain' }],
    series: [{}, { label: t('strain'), stroke: '#2f6f5e', width: 2, spanGaps: false }],
  }, [xs, ys], node);
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
  ul.replaceChildren(...(w.warnings.length ? w.warnings.slice(0, 10).map((x) =>
    el('li', { class: x.kind === 'overload' ? 'warn' : '' },
       x.message.startsWith(x.kind) ? x.message : x.kind + ': ' + x.message))
    : [el('li', { class: 'muted' }, t('noWarnings'))]));
  document.getElementById('personal').textContent = w.personal_warnings;
  document.getElementById('recent').replaceChildren(...team.recent_decisions.map((d) =>
    el('tr', {}, el('td', {}, d.contact), el('td', {}, d.tier),
       el('td', {}, d.to === 'bot' ? t('toBot') : t('toPerson')),
       el('td', { class: 'muted' }, d.reasons))));
  drawChart(team.strain_by_hour);
  document.getElementById('updated').textContent = new Date().toLocaleTimeString(lang);
}

async function refresh() {
  const [q, team, w] = await Promise.all([api('GET', '/v1/queue'), api('GET', '/v1/team'),
                                          api('GET', '/v1/warnings')]);
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
setupLanguage(render);
refresh();
setInterval(refresh, 2000);

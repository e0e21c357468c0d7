// The admin's page: enrolment codes for agents (an agent's token is the
// agent's alone: an admin never sees one), tokens for the helpdesk, leads
// and admins, and revoking either. Never any agent's wellbeing data.
'use strict';

function day(unix) {
  return unix ? new Date(unix * 1000).toLocaleString(lang === 'nl' ? 'nl-NL' : 'en-GB') : '\u2013';
}

async function refresh() {
  const r = await api('GET', '/v1/tokens');
  if (r.status === 401) return signout();
  if (r.status !== 200) {
    for (const s of document.querySelectorAll('main > section')) s.hidden = s.id !== 'forbidden';
    return;
  }
  document.getElementById('tokens').replaceChildren(...r.data.tokens.slice().reverse().map((k) => {
    const live = !k.revoked && !(k.expires && k.expires * 1000 < Date.now());
    const status = k.revoked ? t(k.role === 'enrolment' ? 'usedOrRevoked' : 'revoked') + ' ' + day(k.revoked)
                 : k.role === 'enrolment' ? t('expires') + ' ' + day(k.expires) : t('valid');
    const cells = [el('td', {}, k.id), el('td', {}, k.role === 'enrolment' ? t('enrolmentCode') : k.role),
                   el('td', {}, k.agent || '\u2013'), el('td', {}, day(k.created)), el('td', {}, status)];
    const td = el('td', {});
    if (live) {
      const b = el('button', { class: 'secondary', 'data-revoke': k.id }, t('revoke'));
      b.addEventListener('click', async () => { await api('DELETE', '/v1/tokens/' + k.id); refresh(); });
      td.append(b);
    }
    return el('tr', {}, ...cells, td);
  }));
}

document.getElementById('enrol-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const msg = document.getElementById('enrol-msg');
  const r = await api('POST', '/v1/enrolments', { agent: document.getElementById('enrol-agent').value.trim() });
  if (r.status !== 201) {
    msg.textContent = r.status === 400 || r.status === 404 ? t('notAnAgent') : errText(r);
    document.getElementById('code-out').hidden = true;
    return;
  }
  msg.textContent = '';
  document.getElementById('code').textContent = r.data.code;
  document.getElementById('code-out').hidden = false;
  refresh();
});

document.getElementById('token-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const r = await api('POST', '/v1/tokens', { role: document.getElementById('role').value });
  const msg = document.getElementById('token-msg');
  if (r.status === 201) {
    document.getElementById('newtoken').textContent = r.data.token;
    document.getElementById('token-out').hidden = false;
    if (msg) msg.textContent = '';
  } else if (msg) {
    msg.textContent = errText(r);
  }
  refresh();
});

// The team and the settings in force, read only (the team file and the
// config file are their source); the hard limits and the lead's choice
// first, as they matter most to the people.
async function renderConfig() {
  const r = await api('GET', '/v1/config');
  if (r.status !== 200) return;
  const c = r.data, set = c.team.settings;
  const rows = [
    [t('cfgChoice'), set.service_first >= 0.5 ? t('serviceFirst') : t('peopleFirst')],
    [t('cfgHardRest'), secs(set.hard_recovery_s)],
    [t('cfgHardHeavy'), set.hard_heavy_max],
    [t('cfgTarget'), secs(set.service_target_s)],
    [t('cfgCapacity'), c.team.capacity
      ? Object.entries(c.team.capacity).map(([ch, n]) => t('capacityOf')(ch, n)).join(', ')
      : t('oneAtATime')],
    [t('cfgPolicy'), c.policy],
    [t('cfgMinGroup'), c.min_group],
    [t('cfgTimezone'), c.timezone],
    [t('cfgAlerts'), c.alerts.length ? c.alerts.map((a) => a.url + ' (' + a.format + ', ' + a.lang + ')').join('; ') : t('none')],
    [t('cfgHelpdesks'), (c.helpdesks || []).length
      ? c.helpdesks.map((h) => `${h.kind} ${h.url} (${t('mappedAgents')(Object.keys(h.agents).length)}${h.agents_from === 'api' ? `, ${t('mapFromApi')}` : ''})`).join('; ')
      : t('noHelpdesk')],
  ];
  document.getElementById('config').replaceChildren(...rows.flatMap(([k, v]) =>
    [el('dt', {}, k), el('dd', {}, String(v))]));
  document.getElementById('team-agents').replaceChildren(...c.team.agents.map((a) =>
    el('tr', {}, el('td', {}, a.id), el('td', {}, a.languages.join(', ')),
       el('td', {}, Array.isArray(a.skills) ? a.skills.map(intentName).join(', ') : t('anySkill')),
       el('td', {}, a.tiers.join(' ')), el('td', {}, a.shift))));
  document.getElementById('settings').replaceChildren(...Object.entries(set).map(([k, v]) =>
    el('tr', {}, el('td', {}, k), el('td', {}, String(Math.round(v * 1000) / 1000)))));
}

if (!token()) location.href = '/';
document.getElementById('signout').addEventListener('click', signout);
setupLanguage(() => { refresh(); renderConfig(); });
renderConfig();
refresh();

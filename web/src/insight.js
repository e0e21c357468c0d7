// The insight page, for HR and team leads: the report (aggregates only,
// rendered by the server in the page's language) and the reinvestment
// ledger. Never one person's pulse answers, check-ins or strain.
'use strict';

let lastUrl = '';

async function showReport() {
  const from = document.getElementById('from').value;
  const to = document.getElementById('to').value;
  const msg = document.getElementById('report-msg');
  const q = new URLSearchParams({ format: 'html', lang });
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  const r = await fetch('/v1/insight?' + q, { headers: { Authorization: 'Bearer ' + token() } });
  if (r.status === 401) return signout();
  if (r.status === 403) {
    for (const s of document.querySelectorAll('main > section')) s.hidden = s.id !== 'forbidden';
    return;
  }
  if (r.status !== 200) {
    msg.textContent = errText({ status: r.status, data: await r.json().catch(() => null) });
    return;
  }
  msg.textContent = '';
  const html = await r.text();
  document.getElementById('report').srcdoc = html;
  // The download: the same page as a file, self-contained.
  if (lastUrl) URL.revokeObjectURL(lastUrl);
  lastUrl = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
  const a = document.getElementById('download');
  a.href = lastUrl;
  a.download = 'maat-report-' + (from || 'all') + (to ? '-' + to : '') + '-' + lang + '.html';
}

document.getElementById('period').addEventListener('submit', (e) => { e.preventDefault(); showReport(); });
document.getElementById('reinvest').addEventListener('submit', async (e) => {
  e.preventDefault();
  const body = {
    kind: document.getElementById('kind').value,
    hours: Number(document.getElementById('hours').value || 0),
    amount: Number(document.getElementById('amount').value || 0),
    currency: document.getElementById('currency').value.trim().toUpperCase(),
    note: document.getElementById('note').value,
  };
  const d = document.getElementById('date').value;
  if (d) body.date = d;
  const r = await api('POST', '/v1/reinvestments', body);
  const msg = document.getElementById('reinvest-msg');
  msg.className = r.status === 201 ? 'ok' : 'bad';
  msg.textContent = r.status === 201 ? t('reinvestKept') : errText(r);
  if (r.status === 201) showReport();
});
document.getElementById('signout').addEventListener('click', signout);

(async () => {
  if (!token()) return signout();
  const who = await api('GET', '/v1/whoami');
  if (who.status !== 200) return signout();
  document.getElementById('to-dashboard').hidden = who.data.role !== 'lead';
  setupLanguage(showReport);
  showReport();
})();

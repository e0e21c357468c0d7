#!/usr/bin/env python3
"""bench/pii/eval.py MAAT GOLD.jsonl - recall and precision per type of
'maat redact --json' against gold spans (overlap of the same type counts).
Gold types are mapped to maat's: presidio's EMAIL_ADDRESS, PHONE_NUMBER,
IBAN_CODE, CREDIT_CARD, PERSON; deduce's emailadres, telefoonnummer, bsn,
persoon. IBAN and card numbers whose check digits fail (the synthetic set
has some) are counted apart: maat leaves them alone by design."""
import json, subprocess, sys

MAP = {'EMAIL_ADDRESS': 'email', 'PHONE_NUMBER': 'phone', 'IBAN_CODE': 'iban',
       'CREDIT_CARD': 'card', 'PERSON': 'name', 'emailadres': 'email',
       'telefoonnummer': 'phone', 'bsn': 'bsn', 'persoon': 'name'}

def luhn(d):
    s = 0
    for i, c in enumerate(reversed(d)):
        v = int(c)
        if i % 2:
            v *= 2
            v -= 9 if v > 9 else 0
        s += v
    return s % 10 == 0

def iban_ok(t):
    t = ''.join(c for c in t if c.isalnum()).upper()
    if len(t) < 15:
        return False
    r = t[4:] + t[:4]
    return int(''.join(str(int(c, 36)) for c in r)) % 97 == 1

maat, gold = sys.argv[1], sys.argv[2]
rows = [json.loads(l) for l in open(gold)]
rows = [r for r in rows if r['text'].strip()]
inp = '\n'.join(json.dumps({'text': r['text']}) for r in rows) + '\n'
out = subprocess.run([maat, 'redact', '--json', '-'], input=inp.encode(),
                     capture_output=True, env={'MAAT_NO_PROGRESS': '1'})
# stdin is read as plain text: one JSON line per message, the JSON itself
# is the text; so feed the texts with newlines replaced instead.
inp = '\n'.join(r['text'].replace('\n', ' ') for r in rows) + '\n'
out = subprocess.run([maat, 'redact', '--json', '-'], input=inp.encode(),
                     capture_output=True)
pred = [json.loads(l) for l in out.stdout.decode().splitlines()]
assert len(pred) == len(rows), (len(pred), len(rows), out.stderr[:300])
tp, fn, fp, bad = {}, {}, {}, {}
for r, p in zip(rows, pred):
    g = [(MAP[s['type']], s['start'], s['end'], s['text']) for s in r['spans'] if s['type'] in MAP]
    for t, a, b, txt in g:
        if (t == 'card' and not luhn(''.join(c for c in txt if c.isdigit()))) or \
           (t == 'iban' and not iban_ok(txt)):
            bad[t] = bad.get(t, 0) + 1
            continue
        hit = any(s['type'] == t and s['start'] < b and a < s['end'] for s in p['spans'])
        (tp if hit else fn)[t] = (tp if hit else fn).get(t, 0) + 1
    for s in p['spans']:
        t = s['type']
        # A date of birth inside a gold date, a postcode inside a gold
        # address or place: not wrong, only finer than the gold's type.
        near = {'date_of_birth': ('DATE_TIME', 'datum'),
                'postcode': ('STREET_ADDRESS', 'ZIP_CODE', 'locatie')}.get(t, ())
        if any(sp['type'] in near and s['start'] < sp['end'] and sp['start'] < s['end']
               for sp in r['spans']):
            continue
        if not any(gt == t and s['start'] < b and a < s['end'] for gt, a, b, _ in g) and \
           not any(s['start'] < sp['end'] and sp['start'] < s['end'] for sp in r['spans']
                   if sp['type'] in MAP and MAP[sp['type']] == t):
            fp[t] = fp.get(t, 0) + 1
res = {}
for t in sorted(set(tp) | set(fn) | set(fp)):
    a, m, f = tp.get(t, 0), fn.get(t, 0), fp.get(t, 0)
    res[t] = {'gold': a + m, 'recall': round(a / (a + m), 3) if a + m else None,
              'precision': round(a / (a + f), 3) if a + f else None,
              'false_positives': f, 'failing_check_digits': bad.get(t, 0)}
print(json.dumps({'set': gold.split('/')[-1], 'messages': len(rows), 'types': res}, indent=1))

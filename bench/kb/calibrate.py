#!/usr/bin/env python3
"""bench/kb/calibrate.py BENCH_KB - fits the knowledge base's default
confidence (no history) on paraphrased questions from data sets whose
licence allows training shipped models, and checks it on the FAQ sets'
training questions.

    python3 bench/kb/calibrate.py build-rel/bench/bench_kb

Knowledge bases are built from CLINC150 (CC BY 3.0: its train and val
splits only) and Banking77 (CC BY 4.0: its train split only): one article
per intent, titled with the intent's name, whose body is K crowd-written
requests of it (K = 3, 5, 12); a share of intents is left out, so that
their questions have no right article, and CLINC150's out-of-scope
questions have none either. The questions asked are other requests of the
same split, so a person's own wording meets an article written in other
words, as in a help centre. bench_kb --features gives each question's
features (margin, cover) and whether the best article was right; a
logistic regression is fitted to them, and the threshold is the lowest of
0.30, 0.35 ... 0.95 at which 92 % of the answers were right (the same rule
as the self-calibration on a team's history, docs/knowledge.md).

Nothing is fitted on covidfaq or policyqa-nl (evaluation only): their
training questions (bench_kb --tune) are only printed as a check.
"""
import csv
import json
import math
import os
import random
import subprocess
import sys
import tempfile

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    '..', '..', '..', 'shared', 'data')


def write_set(tmp, name, by, asked, k, drop, seed, oos=()):
    rnd = random.Random(seed)
    intents = sorted(by)
    dropped = set(rnd.sample(intents, int(drop * len(intents))))
    apath = os.path.join(tmp, name + '-a.jsonl')
    qpath = os.path.join(tmp, name + '-q.jsonl')
    with open(apath, 'w') as f:
        for it in intents:
            if it in dropped:
                continue
            u = by[it][:]
            rnd.shuffle(u)
            body = ' '.join(x.strip().rstrip('?.!') + '.' for x in u[:k])
            f.write(json.dumps({'id': it, 'title': it.replace('_', ' '),
                                'body': body, 'lang': 'en'}) + '\n')
    with open(qpath, 'w') as f:
        for text, it in asked:
            f.write(json.dumps({'question': text, 'split': 'test',
                                'article': '' if it in dropped else it})
                    + '\n')
        for text in oos:
            f.write(json.dumps({'question': text, 'article': '',
                                'split': 'test'}) + '\n')
    return apath, qpath


def sets(tmp):
    out = []
    d = json.load(open(os.path.join(DATA, 'clinc150', 'data_full.json')))
    by = {}
    for text, it in d['train']:
        by.setdefault(it, []).append(text)
    oos = [t for t, _ in d['oos_val']]
    for k, drop, seed in ((5, 0.0, 1), (12, 0.2, 2), (3, 0.1, 3)):
        out.append(write_set(tmp, 'clinc-k%d' % k, by, d['val'], k, drop,
                             seed, oos))
    rows = list(csv.DictReader(open(os.path.join(DATA, 'banking77',
                                                 'train.csv'))))
    random.Random(7).shuffle(rows)
    by, asked = {}, []
    for r in rows:
        if len(by.get(r['category'], [])) < 40:
            by.setdefault(r['category'], []).append(r['text'])
        elif len(asked) < 3000:
            asked.append((r['text'], r['category']))
    for k, drop, seed in ((5, 0.0, 4), (12, 0.2, 5)):
        out.append(write_set(tmp, 'bank-k%d' % k, by, asked, k, drop, seed))
    return out


def features(bench, apath, qpath, tmp, extra=()):
    fpath = os.path.join(tmp, 'features.txt')
    subprocess.run([bench, apath, qpath, '--features', fpath, *extra],
                   check=True, stdout=subprocess.DEVNULL)
    rows = []
    for line in open(fpath):
        m, c, _h, y = line.split()
        rows.append(([1.0, float(m), float(c)], int(y)))
    return rows


def sigmoid(z):
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def fit(rows, iters=3000, rate=0.5, l2=1e-3):
    w = [0.0] * len(rows[0][0])
    for _ in range(iters):
        g = [0.0] * len(w)
        for x, y in rows:
            p = sigmoid(sum(a * b for a, b in zip(w, x)))
            for j, xj in enumerate(x):
                g[j] += (p - y) * xj
        w = [wj - rate * (gj / len(rows) + (l2 * wj if j else 0))
             for j, (wj, gj) in enumerate(zip(w, g))]
    return w


def at(w, rows, t):
    ans = [y for x, y in rows if sigmoid(sum(a * b for a, b in
                                             zip(w, x))) >= t]
    return len(ans) / len(rows), (sum(ans) / len(ans) if ans else 0.0)


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: bench/kb/calibrate.py PATH_TO_BENCH_KB')
    bench = sys.argv[1]
    if not os.path.isdir(DATA):
        print('calibrate: skipped: %s is absent' % DATA)
        return
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for apath, qpath in sets(tmp):
            rows += features(bench, apath, qpath, tmp)
        w = fit(rows)
        thr = 0.95
        for t in range(30, 100, 5):
            share, right = at(w, rows, t / 100)
            if share * len(rows) >= 20 and right >= 0.92:
                thr = t / 100
                break
        share, right = at(w, rows, thr)
        print('fitted on %d questions: C0 %.3f, C_MARGIN %.3f, C_COVER %.3f;'
              ' threshold %.2f (answers %.1f %%, right %.1f %%)'
              % (len(rows), w[0], w[1], w[2], thr, 100 * share, 100 * right))
        for name in ('covidfaq', 'policyqa-nl'):
            d = os.path.join(DATA, name)
            check = features(bench, os.path.join(d, 'articles.jsonl'),
                             os.path.join(d, 'questions.jsonl'), tmp,
                             ('--tune',))
            share, right = at(w, check, thr)
            print('check, %s training questions (%d): answers %.1f %%, '
                  'right %.1f %%' % (name, len(check), 100 * share,
                                     100 * right))


if __name__ == '__main__':
    main()

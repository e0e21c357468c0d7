#!/usr/bin/env python3
"""bench/learning/curve.py MAAT [DATA_DIR] - the learning curve of the
correction loop on Banking77 (../shared/data/banking77).

The training split is shuffled (seed 7) and cut into: the base, 10 % of
it; a held-out set of 1,000 messages that the promotion rule judges on;
and the stream, the rest. A first model is trained on the base
('maat retrain', registry version 1). The stream then arrives in chunks
of 250 messages: the model in use labels each chunk, and every message it
gets wrong becomes a correction with the right intent, approved at once
(simulated reviewers, 'maat corrections import --approve'). After 100,
500 and 2,000 corrections, 'maat retrain' builds a new model from the
base plus the approved corrections; its accuracy on Banking77's test
split is measured with 'maat eval'. Next to it: a full retrain on the
whole training split, and a retrain after 2,000 deliberately wrong
corrections (each message labelled with another intent), which the
promotion rule must refuse. The test split is only measured on.
"""
import csv, json, os, random, subprocess, sys, tempfile, time

maat = sys.argv[1]
data = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
    os.path.dirname(__file__), '..', '..', '..', 'shared', 'data', 'banking77')
if not os.path.exists(os.path.join(data, 'train.csv')):
    print('learning: skipped: no Banking77 in %s' % data)
    sys.exit(0)

def rows(name):
    with open(os.path.join(data, name), newline='') as f:
        return [(r['text'], r['category']) for r in csv.DictReader(f)]

def write(path, rs, key='label'):
    with open(path, 'w') as f:
        for t, l in rs:
            f.write(json.dumps({'text': t, key: l}) + '\n')

def run(*args, **kw):
    return subprocess.run([maat] + list(args), check=True,
                          capture_output=True, text=True, **kw).stdout

train, test = rows('train.csv'), rows('test.csv')
random.Random(7).shuffle(train)
nb = len(train) // 10
base, hold, stream = train[:nb], train[nb:nb + 1000], train[nb + 1000:]
tmp = tempfile.mkdtemp(prefix='maat-learning-')
db = os.path.join(tmp, 'l.db')
for name, rs in (('base', base), ('hold', hold), ('test', test),
                 ('all', train)):
    write(os.path.join(tmp, name + '.jsonl'), rs)
B, H, T = (os.path.join(tmp, n + '.jsonl') for n in ('base', 'hold', 'test'))

def test_accuracy(model):
    return json.loads(run('eval', '--json', '--threshold', '0', '-m', model,
                          T))['accuracy']

def retrain(store=None):
    t0 = time.time()
    r = json.loads(run('retrain', '--db', store or db, '--holdout', H,
                       '--json', B))
    r['seconds'] = time.time() - t0
    return r

print('learning: Banking77, base %d, held out %d, stream %d, test %d'
      % (len(base), len(hold), len(stream), len(test)), file=sys.stderr)
first = retrain()
model = first['path']
lines = [('start: 10 %% of the training split (%d)' % len(base), 0,
          test_accuracy(model), first)]
# The first model labels the stream; its mistakes are the corrections.
src = os.path.join(tmp, 'stream.jsonl')
write(src, stream)
out = run('classify', '-m', model, '-k', '1', '--threshold', '0', src)
wrong = [(t, l) for (t, l), o in zip(stream, out.splitlines())
         if json.loads(o)['top'][0]['label'] != l]
print('learning: the first model gets %d of the %d stream messages wrong'
      % (len(wrong), len(stream)), file=sys.stderr)
done = 0
for target in (100, 500, 2000):
    if target > len(wrong):
        break
    cf = os.path.join(tmp, 'corr.jsonl')
    write(cf, wrong[done:target], key='value')
    run('corrections', '--db', db, 'import', '--approve', cf)
    done = target
    r = retrain()
    lines.append(('after %d corrections' % done, done,
                  test_accuracy(r['path']), r))
full = os.path.join(tmp, 'full.model')
run('train', '-q', '-o', full, os.path.join(tmp, 'all.jsonl'))
full_acc = test_accuracy(full)
# Deliberately wrong, in a store of its own: 2,000 stream messages, each
# with another intent, approved; the model they make must be refused.
bad_db = os.path.join(tmp, 'bad.db')
retrain(bad_db)
labels = sorted({l for _, l in train})
bad = [(t, labels[(labels.index(l) + 1 + i % 5) % len(labels)])
       for i, (t, l) in enumerate(stream[:2000])]
cf = os.path.join(tmp, 'bad.jsonl')
write(cf, bad, key='value')
run('corrections', '--db', bad_db, 'import', '--approve', cf)
wr = retrain(bad_db)

print('| model | corrections | test accuracy | held-out accuracy | promoted | retrain s |')
print('| --- | ---: | ---: | ---: | --- | ---: |')
for name, n, acc, r in lines:
    print('| %s | %d | %.4f | %.4f | %s | %.1f |' % (
        name, n, acc, r['accuracy'], 'yes' if r['promoted'] else 'no',
        r['seconds']))
print('| full retrain on the whole training split (%d) | – | %.4f | – | – | – |'
      % (len(train), full_acc))
print('| after 2,000 deliberately wrong corrections | %d | %.4f | %.4f | %s | %.1f |'
      % (wr['corrections'], test_accuracy(wr['path']), wr['accuracy'],
         'yes' if wr['promoted'] else 'no (refused)', wr['seconds']))
print('\nrefusal: ' + wr['decision'])
import shutil
shutil.rmtree(tmp)
if wr['promoted']:
    print('learning: FAIL: the model of wrong corrections was promoted')
    sys.exit(1)

#!/usr/bin/env python3
"""Tables of http-bench.sh / slowdisk.sh raw lines: medians over rounds per workload and peer, and ratios of aio to
each peer (MB/s, requests/s, p50 and p99 latency). Usage: summary.py RAW.txt"""
import statistics
import sys
from collections import defaultdict

rows = defaultdict(list)
order_w, order_p = [], []
for line in open(sys.argv[1]):
    if line.startswith('#') or 'peer=' not in line:
        continue
    kv = dict(t.split('=', 1) for t in line.split() if '=' in t)
    if 'requests' not in kv:
        continue
    w, p = kv['workload'], kv['peer']
    if w not in order_w:
        order_w.append(w)
    if p not in order_p:
        order_p.append(p)
    d = int(kv['duration_us']) / 1e6
    errors = sum(int(kv[k]) for k in kv if k.startswith('errors_'))
    rows[w, p].append(dict(mbs=int(kv['bytes']) / d / 1e6, rps=int(kv['requests']) / d,
                           p50=int(kv['p50_us']) / 1000, p99=int(kv['p99_us']) / 1000, err=errors))

def med(xs):
    return statistics.median(xs) if xs else float('nan')

def rng(xs, fmt):
    return (fmt % min(xs)) + '-' + (fmt % max(xs)) if len(xs) > 1 else fmt % xs[0]

print('| workload (size:conns) | peer | MB/s median (range) | req/s | p50 ms | p99 ms | errors |')
print('|---|---|---:|---:|---:|---:|---:|')
for w in order_w:
    for p in order_p:
        r = rows.get((w, p))
        if not r:
            continue
        m = [x['mbs'] for x in r]
        print('| %s | %s | %.0f (%s) | %.0f | %.2f | %.2f | %d |' % (
            w, p, med(m), rng(m, '%.0f'), med([x['rps'] for x in r]), med([x['p50'] for x in r]),
            med([x['p99'] for x in r]), sum(x['err'] for x in r)))
base = [p for p in order_p if p.startswith('aio')]
others = [p for p in order_p if not p.startswith('aio')]
if base and others:
    print()
    print('Ratios of the medians, aio candidate / peer: MB/s (higher is better), p50 and p99 latency (lower is '
          'better).')
    print()
    print('| workload | candidate | ' + ' | '.join('MB/s vs %s' % p for p in others) + ' | '
          + ' | '.join('p50 vs %s' % p for p in others) + ' | ' + ' | '.join('p99 vs %s' % p for p in others) + ' |')
    print('|---|---|' + '---:|' * (3 * len(others)))
    for w in order_w:
        for b in base:
            rb = rows.get((w, b))
            if not rb:
                continue
            cells = []
            for key in ('mbs', 'p50', 'p99'):
                for p in others:
                    ro = rows.get((w, p))
                    if not ro or med([x[key] for x in ro]) == 0:
                        cells.append('-')
                        continue
                    cells.append('%.2fx' % (med([x[key] for x in rb]) / med([x[key] for x in ro])))
            print('| %s | %s | %s |' % (w, b, ' | '.join(cells)))

#!/usr/bin/env python3
"""A latency and throughput chart (SVG, gnuplot) of http-bench.sh / slowdisk.sh raw files: medians over rounds per
workload and peer. Usage: chart.py OUT.svg RAW.txt [RAW.txt ...]"""
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict

out, raws = sys.argv[1], sys.argv[2:]
rows = defaultdict(list)
workloads, peers = [], []
for raw in raws:
    for line in open(raw):
        if line.startswith('#') or 'peer=' not in line or 'requests=' not in line:
            continue
        kv = dict(t.split('=', 1) for t in line.split() if '=' in t)
        w, p = kv['workload'], kv['peer']
        workloads += [w] if w not in workloads else []
        peers += [p] if p not in peers else []
        d = int(kv['duration_us']) / 1e6
        rows[w, p].append((int(kv['p50_us']) / 1000, int(kv['p99_us']) / 1000, int(kv['bytes']) / d / 1e6))

tmp = tempfile.mkdtemp()
def table(i, name):
    path = os.path.join(tmp, name)
    with open(path, 'w') as f:
        f.write('workload ' + ' '.join(peers) + '\n')
        for w in workloads:
            vals = []
            for p in peers:
                r = rows.get((w, p))
                v = statistics.median(x[i] for x in r) if r else float('nan')
                vals.append('%.3f' % v if v and v > 0 else 'NaN')
            f.write('"%s" %s\n' % (w, ' '.join(vals)))
    return path

p50, p99, mbs = table(0, 'p50.dat'), table(1, 'p99.dat'), table(2, 'mbs.dat')
n = len(peers)
plot = lambda f, title: 'plot ' + ', '.join(
    "'%s' using %d:xtic(1) title columnheader(%d)" % (f, i + 2, i + 2) for i in range(n))
script = '''
%s
set output "%s"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set key top left
set grid ytics
set xtics rotate by -20
set multiplot layout 1,3 title "aio4j file server vs peers (medians of alternating rounds; 2 noisy cores)"
set logscale y
set title "p50 latency, ms (log)"
%s
unset key
set title "p99 latency, ms (log)"
%s
unset logscale y
set logscale y
set title "throughput, MB/s (log)"
%s
unset multiplot
''' % ('set terminal pngcairo size 1200,420 font "sans,9"' if out.endswith('.png')
       else 'set terminal svg size 1200,420 font "sans,11" background rgb "white"', out, plot(p50, ''), plot(p99, ''), plot(mbs, ''))
subprocess.run(['gnuplot'], input=script.encode(), check=True)
print('wrote', out)

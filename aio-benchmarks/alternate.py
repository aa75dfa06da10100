#!/usr/bin/env python3
"""Times whole commands in alternating runs and prints medians and ratios (used by copy-vs-cp.sh, cli-startup.sh).

    alternate.py [--runs N] [--warmup W] [--prepare CMD] [--baseline LABEL] LABEL CMD [LABEL CMD ...]

Each run executes every command once, in a rotating order, so that the noise of a shared machine falls on all of
them alike (hyperfine runs one command's runs back to back). --prepare runs (untimed) before every command, e.g. to
delete the copy's target. Prints, per command, the median and the spread of the wall time and of the CPU time (user +
system of the command's processes), then the ratio of each median wall time to the baseline's (the first command by
default) and the median of the per-run ratios. Exits non-zero if a command fails.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--prepare", default=None)
    ap.add_argument("--baseline", default=None)
    ap.add_argument("pairs", nargs="+")
    a = ap.parse_args()
    if len(a.pairs) % 2:
        sys.exit("LABEL CMD pairs expected")
    cmds = list(zip(a.pairs[0::2], a.pairs[1::2]))
    base = a.baseline or cmds[0][0]
    wall = {label: [] for label, _ in cmds}
    cpu = {label: [] for label, _ in cmds}
    for run in range(-a.warmup, a.runs):
        for i in range(len(cmds)):
            label, cmd = cmds[(run + i) % len(cmds)]
            if a.prepare:
                subprocess.run(a.prepare, shell=True, check=True)
            r0, t0 = os.times(), time.monotonic()
            p = subprocess.run(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            t1, r1 = time.monotonic(), os.times()
            if p.returncode != 0:
                sys.exit(f"{label} failed ({p.returncode}): {cmd}\n{p.stderr.decode(errors='replace')}")
            if run >= 0:
                wall[label].append(t1 - t0)
                cpu[label].append((r1.children_user - r0.children_user) + (r1.children_system - r0.children_system))
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"{a.runs} alternating runs (+{a.warmup} warm-up), load at the end {load}")
    print(f"| command | wall median | wall min-max | CPU median | wall / {base} (of medians) | median of per-run ratios |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, _ in cmds:
        w, c = wall[label], cpu[label]
        ratio = statistics.median(w) / statistics.median(wall[base])
        per_run = statistics.median([x / y for x, y in zip(w, wall[base])])
        print(f"| {label} | {statistics.median(w):.3f} s | {min(w):.3f}-{max(w):.3f} s | {statistics.median(c):.3f} s"
              f" | {ratio:.2f}x | {per_run:.2f}x |")


if __name__ == "__main__":
    main()

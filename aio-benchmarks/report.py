#!/usr/bin/env python3
"""Turns the JMH JSON results of run.sh into the Markdown tables of docs/benchmarks.md, with the issue targets.

usage: report.py ENGINE_JSON REACTOR_JSON > summary.md
  (either may be '-' when that suite was not run, or several files joined by commas)
"""
import json
import sys

MB_PER_FILE = (1 << 30) / 1e6  # one op of the reactor suites is the whole 1 GiB file


def load(paths):
    """One JMH JSON file, several joined by commas, or '-' for none."""
    rows = []
    for path in paths.split(","):
        if path in ("-", ""):
            continue
        try:
            with open(path) as f:
                rows += json.load(f)
        except (OSError, ValueError) as e:
            print(f"<!-- could not read {path}: {e} -->")
    return rows


def num(x):
    """JMH writes NaN (e.g. the error of a single iteration) as the string "NaN"."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if v != v else v


def spread(pm, scale=1.0):
    """(min, max) of the measured iterations, or None with fewer than two."""
    raw = [num(v) for fork in pm.get("rawData", []) for v in fork]
    raw = [v * scale for v in raw if v is not None]
    return (min(raw), max(raw)) if len(raw) >= 2 else None


def short_num(x):
    if x >= 10_000:
        return f"{x / 1000:.0f}k"
    if x >= 1_000:
        return f"{x / 1000:.1f}k"
    return f"{x:.0f}"


def with_spread(score, sp):
    cell = fmt(score)
    if sp is not None:
        cell += f" ({short_num(sp[0])}-{short_num(sp[1])})"
    return cell


def fmt(x, digits=0):
    if x is None:
        return "n/a"
    return f"{x:,.{digits}f}".replace(",", " ")


def ratio_cell(num, den, target):
    if num is None or den is None or den == 0:
        return "n/a", None
    r = num / den
    return f"{r:.2f}x", r >= target


def verdict(ok):
    return {True: "**met**", False: "**not met**", None: "not measured"}[ok]


def engine_tables(rows):
    res = {}  # (impl, file, qd) -> (score, err, bytes/op)
    for r in rows:
        p = r.get("params", {})
        pm = r["primaryMetric"]
        norm = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        if r["benchmark"].endswith("RandomReadSyncBenchmark.preadLoop"):
            key = ("pread-1thread", p["file"], 1)
        else:
            key = (p["impl"], p["file"], int(p["qd"]))
        res[key] = (num(pm["score"]), spread(pm), num(norm))
    if not res:
        return [], {}
    impls = []
    for k in res:
        if k[0] not in impls:
            impls.append(k[0])
    out = []
    for file in ("cached", "direct"):
        title = "page-cached" if file == "cached" else "O_DIRECT"
        out.append(f"\n#### 4 KiB random reads, {title}: ops/s (lowest-highest measured iteration); B/op from `-prof gc`\n")
        out.append("| candidate | QD 1 | QD 16 | QD 64 | B/op QD1 | B/op QD16 | B/op QD64 |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for impl in impls:
            cells, norms = [], []
            for qd in (1, 16, 64):
                v = res.get((impl, file, qd))
                if v is None:
                    cells.append("-")
                    norms.append("-")
                    continue
                cells.append(with_spread(v[0], v[1]))
                norms.append(fmt(v[2], 1) if v[2] is not None else "n/a")
            if all(c == "-" for c in cells):
                continue
            out.append(f"| {impl} | " + " | ".join(cells) + " | " + " | ".join(norms) + " |")
    return out, res


def engine_targets(res):
    out = ["\n#### Issue 3 targets\n", "| target | engine candidate | measured | verdict |", "|---|---|---:|---|"]
    engines = sorted({k[0] for k in res if k[0].startswith("engine-")})
    summary = {}

    def score(impl, file, qd):
        v = res.get((impl, file, qd))
        return v[0] if v else None

    for e in engines:
        for (label, file, qd, peer, target) in (
            ("cached QD16 >= 1.5x AsynchronousFileChannel (default pool)", "cached", 16, "afc-default", 1.5),
            ("cached QD16 >= 1.0x AsynchronousFileChannel (fixed pool of 4)", "cached", 16, "afc-fixed4", 1.0),
            ("O_DIRECT QD64 >= 1.0x 16-thread pread pool", "direct", 64, "pool16", 1.0),
        ):
            cell, ok = ratio_cell(score(e, file, qd), score(peer, file, qd), target)
            out.append(f"| {label} | {e} | {cell} | {verdict(ok)} |")
            summary.setdefault(label, []).append((e, cell, ok))
        norms = [res[k][2] for k in res if k[0] == e and res[k][2] is not None]
        if norms:
            worst = max(norms)
            out.append(f"| < 64 B allocated per op (worst of all QD/files) | {e} | {worst:.1f} B/op | "
                       f"{verdict(worst < 64)} |")
        else:
            out.append(f"| < 64 B allocated per op | {e} | n/a | not measured |")
    return out


def reactor_tables(rows):
    read, copy = {}, {}
    for r in rows:
        p = r.get("params", {})
        pm = r["primaryMetric"]
        mbps = num(pm["score"]) * MB_PER_FILE
        norm = num(r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score"))
        entry = (mbps, spread(pm, MB_PER_FILE), norm)
        if r["benchmark"].endswith("ReactorReadBenchmark.readFile"):
            read[(p["impl"], int(p["chunk"]))] = entry
        elif r["benchmark"].endswith("ReactorCopyBenchmark.copyFile"):
            copy[(p["impl"], int(p["chunk"]), p.get("target", "disk"))] = entry
    out = []
    if read:
        chunks = sorted({k[1] for k in read})
        out.append("\n#### Read the whole page-cached 1 GiB file into a counting subscriber, MB/s (lowest-highest "
                   "measured iteration); B/op = bytes allocated per whole-file read\n")
        out.append("| candidate | " + " | ".join(f"{c // 1024} KiB chunks" for c in chunks) + " | "
                   + " | ".join(f"B/op {c // 1024} KiB" for c in chunks) + " |")
        out.append("|---|" + "---:|" * (2 * len(chunks)))
        for impl in ("aio", "spring", "elastic", "plain"):
            cells, norms = [], []
            for c in chunks:
                v = read.get((impl, c))
                cells.append("-" if v is None else with_spread(v[0], v[1]))
                norms.append("-" if v is None or v[2] is None else fmt(v[2]))
            out.append(f"| {impl} | " + " | ".join(cells) + " | " + " | ".join(norms) + " |")
    if copy:
        out.append("\n#### Copy the page-cached 1 GiB file, MB/s of source read (lowest-highest measured iteration)\n")
        out.append("Target `tmpfs`: the copy goes to /dev/shm (the cost of the copy pipeline itself); `disk`: next to the "
                   "source on the disk's file system (also write-back and discards of the replaced target).\n")
        out.append("| candidate | target | chunk | MB/s | B/op |")
        out.append("|---|---|---:|---:|---:|")
        for (impl, c, t), v in sorted(copy.items(), key=lambda kv: (kv[0][2] != "tmpfs", kv[0])):
            chunk = f"{c // 1024} KiB" + (" (not used)" if impl == "files" else "")
            out.append(f"| {impl} | {t} | {chunk} | {with_spread(v[0], v[1])} | "
                       f"{fmt(v[2]) if v[2] is not None else 'n/a'} |")
    out.append("\n#### Issue 4 targets\n")
    out.append("| target | chunk | measured | verdict |")
    out.append("|---|---:|---:|---|")
    for c in sorted({k[1] for k in read}):
        aio = read.get(("aio", c), (None,))[0]
        for label, peer, target in (("read >= 3x DataBufferUtils.read", "spring", 3.0),
                                    ("read >= 0.8x plain FileChannel loop", "plain", 0.8)):
            cell, ok = ratio_cell(aio, read.get((peer, c), (None,))[0], target)
            out.append(f"| {label} | {c // 1024} KiB | {cell} | {verdict(ok)} |")
    for t, c in sorted({(k[2], k[1]) for k in copy if k[0] != "files"}, key=lambda tc: (tc[0] != "tmpfs", tc)):
        cell, ok = ratio_cell(copy.get(("aio", c, t), (None,))[0], copy.get(("spring", c, t), (None,))[0], 2.0)
        out.append(f"| copy >= 2x DataBufferUtils.write(read), target {t} | {c // 1024} KiB | {cell} | {verdict(ok)} |")
    return out


def main():
    engine = load(sys.argv[1]) if len(sys.argv) > 1 else []
    reactor = load(sys.argv[2]) if len(sys.argv) > 2 else []
    lines = []
    if engine:
        lines.append("### Engine (issue 3)")
        tables, res = engine_tables(engine)
        lines += tables
        lines += engine_targets(res)
    if reactor:
        lines.append("\n### Reactor (issue 4)")
        lines += reactor_tables(reactor)
    print("\n".join(lines))


if __name__ == "__main__":
    main()

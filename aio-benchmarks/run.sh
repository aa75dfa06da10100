#!/usr/bin/env bash
# Builds aio-benchmarks/target/benchmarks.jar and runs both JMH suites (issue 3: engine random reads; issue 4:
# Reactor read and copy) in one go, writing JMH JSON, the JMH text log, the machine description and a Markdown
# summary (the tables of docs/benchmarks.md) to aio-benchmarks/results/.
#
# Sized for a 2-core shared machine: a full run takes about 20-25 minutes. Run it in the background:
#   nohup aio-benchmarks/run.sh > /tmp/bench.log 2>&1 &
#
# Environment (all optional):
#   AIO_BUILD_DIR   Maven output folder of the build (default: target; -Daio.buildDir of the parent pom)
#   BENCH_JAR       a prebuilt jar to use (default: aio-benchmarks/$AIO_BUILD_DIR/benchmarks.jar)
#   SKIP_BUILD=1    do not build, use the jar as it is
#   RESULTS_DIR     where results go (default: aio-benchmarks/results)
#   AIO_BENCH_DIR   folder of the 1 GiB data file (default: /var/tmp, created once and reused)
#   SUITES          "engine reactor" (default), or one of them
#   ENGINE_OPTS     JMH options of the engine suite (default below)
#   REACTOR_OPTS    JMH options of the Reactor suite (default below)
#   JMH_EXTRA       more JMH options for both, e.g. "-p qd=16"
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
AIO_BUILD_DIR=${AIO_BUILD_DIR:-target}
BENCH_JAR=${BENCH_JAR:-$HERE/$AIO_BUILD_DIR/benchmarks.jar}
RESULTS_DIR=${RESULTS_DIR:-$HERE/results}
SUITES=${SUITES:-"engine reactor"}
# Engine: 1 warmup of 3 s, then 10 s measured as 2 x 5 s (so JMH can give an error), per candidate/QD/file.
ENGINE_OPTS=${ENGINE_OPTS:-"-f 1 -wi 1 -w 3s -i 2 -r 5s"}
# Reactor: one op is a whole 1 GiB file (up to ~4 s cold), so warm up longer.
REACTOR_OPTS=${REACTOR_OPTS:-"-f 1 -wi 1 -w 8s -i 2 -r 5s"}
JMH_EXTRA=${JMH_EXTRA:-}

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    echo "== building $BENCH_JAR"
    (cd "$ROOT" && mvn -B -q -Daio.buildDir="$AIO_BUILD_DIR" -Dspotless.skip=true -pl aio-benchmarks -am package \
        -DskipTests)
fi
[[ -f "$BENCH_JAR" ]] || { echo "no jar at $BENCH_JAR" >&2; exit 1; }

mkdir -p "$RESULTS_DIR"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
MACHINE="$RESULTS_DIR/machine-$STAMP.txt"
{
    echo "date: $(date -u)"
    echo "uname: $(uname -srm)"
    echo "cpus: $(nproc)"
    grep -m1 'model name' /proc/cpuinfo || true
    free -h | head -2
    echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    java -version 2>&1 | head -2
    echo "source: git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')" \
        "($(git -C "$ROOT" status --porcelain 2>/dev/null | wc -l) files changed since that commit)"
    echo "jar: $BENCH_JAR ($(date -u -r "$BENCH_JAR" 2>/dev/null || echo '?'))"
    echo "data dir: ${AIO_BENCH_DIR:-/var/tmp}/aio4j-bench ($(df -h "${AIO_BENCH_DIR:-/var/tmp}" | tail -1))"
    echo "engine options: $ENGINE_OPTS $JMH_EXTRA -prof gc"
    echo "reactor options: $REACTOR_OPTS $JMH_EXTRA -prof gc"
} > "$MACHINE"
cat "$MACHINE"

ENGINE_JSON=-
REACTOR_JSON=-
for suite in $SUITES; do
    case "$suite" in
        engine)
            ENGINE_JSON="$RESULTS_DIR/engine-$STAMP.json"
            # shellcheck disable=SC2086
            java -jar "$BENCH_JAR" 'org.aio4j.benchmarks.RandomRead' $ENGINE_OPTS $JMH_EXTRA -prof gc \
                -rf json -rff "$ENGINE_JSON" 2>&1 | tee "$RESULTS_DIR/engine-$STAMP.txt"
            ;;
        reactor)
            REACTOR_JSON="$RESULTS_DIR/reactor-$STAMP.json"
            # shellcheck disable=SC2086
            java -jar "$BENCH_JAR" 'org.aio4j.benchmarks.Reactor' $REACTOR_OPTS $JMH_EXTRA -prof gc \
                -rf json -rff "$REACTOR_JSON" 2>&1 | tee "$RESULTS_DIR/reactor-$STAMP.txt"
            ;;
        *) echo "unknown suite $suite" >&2; exit 2 ;;
    esac
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$MACHINE"

python3 "$HERE/report.py" "$ENGINE_JSON" "$REACTOR_JSON" > "$RESULTS_DIR/summary-$STAMP.md"
echo "== summary: $RESULTS_DIR/summary-$STAMP.md"
cat "$RESULTS_DIR/summary-$STAMP.md"

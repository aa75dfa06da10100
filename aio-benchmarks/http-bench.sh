#!/usr/bin/env bash
# Issue 10, HTTP targets: GET throughput and latency of the aio4j file server against Spring's static resources,
# nginx and python3 -m http.server, one load generator (wrk, with http/report.lua), peers started by this script and
# measured alternately (each round runs every peer once per workload, in a rotating order), on page-cached files.
#
#   apt-get install -y wrk nginx                         # once (Debian); CI does not run benchmarks
#   mvn -B -q -DskipTests -Dspotless.skip=true -pl aio-cli -am package   # aio-cli/target/aio.jar
#   aio-benchmarks/http-bench.sh                         # about 10 minutes; prints the table, keeps the raw lines
#   ROUNDS=3 DURATION=5s PEERS="aio spring" WORKLOADS="8k:64 1m:16" aio-benchmarks/http-bench.sh
#
# Workloads SIZE:CONNECTIONS (files f8k.bin, f1m.bin, f64m.bin in HTTP_BENCH_DIR, default /var/tmp/aio4j-http).
# Peers (http/peers.sh): aio, aio-nozc (aio serve --no-zero-copy), spring, nginx, python. Every peer runs on the same
# 2 cores as wrk (2 threads): the numbers are relative; compare ratios within one run.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
AIO_JAR=${AIO_JAR:-$ROOT/aio-cli/target/aio.jar}
PEERS=${PEERS:-"aio aio-nozc spring nginx python"}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-10s}
WORKLOADS=${WORKLOADS:-"8k:64 1m:16 1m:200 64m:16 64m:200"}
DIR=${HTTP_BENCH_DIR:-/var/tmp/aio4j-http}
THREADS=${WRK_THREADS:-2}
WARMUP=${WARMUP:-5s}
WARMUP_WORKLOADS=${WARMUP_WORKLOADS:-"8k:64 1m:16"}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RAW=${RAW:-$HERE/results/http-$STAMP.txt}

for tool in wrk nginx curl python3 java; do
    command -v $tool > /dev/null || { echo "http-bench: $tool is missing (apt-get install -y wrk nginx)" >&2; exit 2; }
done
[[ -f $AIO_JAR ]] || { echo "http-bench: no $AIO_JAR (mvn -pl aio-cli -am package)" >&2; exit 2; }

mkdir -p "$DIR" "$(dirname "$RAW")"
for f in 8k:8192 1m:1048576 64m:67108864; do
    name=$DIR/f${f%%:*}.bin size=${f#*:}
    [[ -f $name && $(stat -c %s "$name") == "$size" ]] || head -c "$size" /dev/urandom > "$name"
done
chmod 755 "$DIR"; chmod 644 "$DIR"/*.bin
cat "$DIR"/*.bin > /dev/null # page-cached

. "$HERE/http/peers.sh"
PEER_LOGS=${RAW%.txt}-logs
trap stop_peers EXIT
declare -A PORT
port=18081
for p in $PEERS; do
    PORT[$p]=$port
    start_peer "$p" "$DIR" "$port"
    port=$((port + 1))
done

{
    echo "# http-bench $STAMP: $(nproc) cpus, $(uname -sr), $(java -version 2>&1 | head -1), $(nginx -v 2>&1),"
    echo "# $(python3 --version), wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), git $(git -C "$ROOT" rev-parse --short HEAD)"
    echo "# peers: $PEERS; workloads: $WORKLOADS; rounds: $ROUNDS x $DURATION; wrk threads $THREADS"
    echo "# load at start: $(cut -d ' ' -f 1-3 /proc/loadavg)"
} | tee "$RAW"

read -ra peers <<< "$PEERS"
n=${#peers[@]}
# warm-up (not recorded): the JVM peers' JIT, every peer's first connections
for p in "${peers[@]}"; do
    for w in $WARMUP_WORKLOADS; do
        wrk -t"$THREADS" -c"${w#*:}" -d"$WARMUP" --timeout 30s "$(peer_url "$p" "${PORT[$p]}")/f${w%%:*}.bin" > /dev/null
    done
done
for round in $(seq 1 "$ROUNDS"); do
    for w in $WORKLOADS; do
        size=${w%%:*} conns=${w#*:}
        for i in $(seq 0 $((n - 1))); do
            p=${peers[$(((i + round - 1) % n))]}
            url=$(peer_url "$p" "${PORT[$p]}")/f$size.bin
            cat "$DIR/f$size.bin" > /dev/null # cached again (other tenants may have evicted pages meanwhile)
            line=$(wrk -t"$THREADS" -c"$conns" -d"$DURATION" --timeout 30s -s "$HERE/http/report.lua" "$url" \
                | grep '^RESULT' || echo "RESULT failed")
            echo "round=$round workload=$size:$conns peer=$p ${line#RESULT }" | tee -a "$RAW"
        done
    done
done
echo "# load at end: $(cut -d ' ' -f 1-3 /proc/loadavg)" | tee -a "$RAW"
python3 "$HERE/http/summary.py" "$RAW" | tee "${RAW%.txt}.md"

#!/usr/bin/env bash
# Issue 10, item 2, memory: the resident set (RSS) of a server process idle, during 200 concurrent downloads of a
# page-cached 64 MiB file (curl, one connection each, all started at once), and after them (5 s and 20 s later).
# Target: RSS after the downloads within 1.5x of idle. Peers as in http-bench.sh (http/peers.sh), one at a time.
# "Idle" is after start and one warm-up GET of the file (class loading and the first JIT are part of starting).
#
#   aio-benchmarks/http-rss.sh                   # needs aio-cli/target/aio.jar and curl
#   PEERS="aio aio-nozc" CLIENTS=200 aio-benchmarks/http-rss.sh
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
AIO_JAR=${AIO_JAR:-$ROOT/aio-cli/target/aio.jar}
PEERS=${PEERS:-"aio aio-nozc spring"}
CLIENTS=${CLIENTS:-200}
DIR=${HTTP_BENCH_DIR:-/var/tmp/aio4j-http}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RAW=${RAW:-$HERE/results/http-rss-$STAMP.txt}
[[ -f $AIO_JAR ]] || { echo "http-rss: no $AIO_JAR (mvn -pl aio-cli -am package)" >&2; exit 2; }
mkdir -p "$DIR" "$(dirname "$RAW")"
f=$DIR/f64m.bin
[[ -f $f && $(stat -c %s "$f") == 67108864 ]] || head -c 67108864 /dev/urandom > "$f"
chmod 755 "$DIR"; chmod 644 "$f"
cat "$f" > /dev/null

. "$HERE/http/peers.sh"
trap stop_peers EXIT
echo "# http-rss $STAMP: $CLIENTS concurrent GETs of a cached 64 MiB file; RSS in MiB; JAVA_OPTS='${JAVA_OPTS:-}';" \
    "git $(git -C "$ROOT" rev-parse --short HEAD); load $(cut -d ' ' -f 1-3 /proc/loadavg)" | tee "$RAW"
echo "| peer | idle | peak during | after +5 s | after +20 s | after / idle | downloads complete | wall s |" | tee -a "$RAW"
echo "|---|---:|---:|---:|---:|---:|---:|---:|" | tee -a "$RAW"
port=18281
for p in $PEERS; do
    start_peer "$p" "$DIR" "$port"
    pid=$LAST_PEER_PID
    url=$(peer_url "$p" "$port")/f64m.bin
    curl -s -o /dev/null "$url"
    sleep 2
    idle=$(peer_rss "$pid")
    peak=$idle
    t0=$(date +%s.%N)
    pids=()
    okfile=$(mktemp)
    for i in $(seq 1 "$CLIENTS"); do
        (curl -s -o /dev/null -w '%{size_download}\n' --max-time 300 "$url" >> "$okfile") &
        pids+=($!)
    done
    while :; do
        r=$(peer_rss "$pid"); ((r > peak)) && peak=$r
        alive=0
        for q in "${pids[@]}"; do kill -0 "$q" 2> /dev/null && alive=1 && break; done
        ((alive)) || break
        sleep 0.2
    done
    wall=$(echo "$(date +%s.%N) - $t0" | bc)
    complete=$(grep -c '^67108864$' "$okfile" || true)
    rm -f "$okfile"
    sleep 5; a5=$(peer_rss "$pid")
    sleep 15; a20=$(peer_rss "$pid")
    if [[ -n ${NMT_OUT:-} ]]; then jcmd "$pid" VM.native_memory summary > "$NMT_OUT-$p.txt" 2>&1 || true; fi
    printf '| %s | %d | %d | %d | %d | %.2fx | %d/%d | %.1f |\n' "$p" $((idle / 1024)) $((peak / 1024)) \
        $((a5 / 1024)) $((a20 / 1024)) "$(echo "$a20 / $idle" | bc -l)" "$complete" "$CLIENTS" "$wall" | tee -a "$RAW"
    kill "$pid"; wait "$pid" 2> /dev/null || true
    port=$((port + 1))
done

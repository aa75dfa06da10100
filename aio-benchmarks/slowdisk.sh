#!/usr/bin/env bash
# Issue 10, slow storage: p99 of cached 8 KiB GETs (64 keep-alive connections, wrk) while 8 clients stream cold
# 64 MiB files, from servers whose reads are throttled like a slow disk: aio serve against Spring's static resources
# (http/peers.sh), measured alternately, the cold files evicted before every round.
#
# Needs root: it makes a loop-mounted ext4 image, a cgroup v1 blkio group throttling reads from that loop device
# (blkio.throttle.read_bps_device and read_iops_device: READ_BPS, default 30 MB/s, and READ_IOPS, default 300), starts
# the servers inside the group, and removes all of it on exit (also on Ctrl-C). Without root, or without the cgroup v1
# blkio controller, it says what is missing and exits 0 (skipped).
#
#   sudo aio-benchmarks/slowdisk.sh              # needs aio-cli/target/aio.jar, wrk, curl
#   ROUNDS=3 DURATION=10s PEERS="aio aio-nozc spring" sudo -E aio-benchmarks/slowdisk.sh
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
AIO_JAR=${AIO_JAR:-$ROOT/aio-cli/target/aio.jar}
PEERS=${PEERS:-"aio spring"}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
READ_BPS=${READ_BPS:-30000000}
READ_IOPS=${READ_IOPS:-300}
STREAMS=${STREAMS:-8}
CONNS=${CONNS:-64}
BLKIO=${BLKIO:-/sys/fs/cgroup/blkio}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RAW=${RAW:-$HERE/results/slowdisk-$STAMP.txt}

if [[ $(id -u) != 0 ]]; then
    echo "slowdisk.sh: skipped: needs root (losetup, mount, cgroup v1 blkio); run it with sudo"
    exit 0
fi
if [[ ! -w $BLKIO/cgroup.procs || ! -f $BLKIO/blkio.throttle.read_bps_device ]]; then
    echo "slowdisk.sh: skipped: no writable cgroup v1 blkio hierarchy with blkio.throttle.read_bps_device at $BLKIO"
    echo "  (mount -t cgroup -o blkio none $BLKIO; a pure cgroup v2 system has io.max instead, not used here)"
    exit 0
fi
for tool in wrk curl losetup mkfs.ext4 java; do
    command -v $tool > /dev/null || { echo "slowdisk.sh: skipped: $tool is missing" >&2; exit 0; }
done
[[ -f $AIO_JAR ]] || { echo "slowdisk.sh: no $AIO_JAR (mvn -pl aio-cli -am package)" >&2; exit 2; }

WORK=$(mktemp -d /var/tmp/aio4j-slowdisk.XXXXXX)
IMG=$WORK/disk.img
MNT=$WORK/mnt
CG=$BLKIO/aio4j-slowdisk-$$
LOOP=""
STREAM_PIDS=()

. "$HERE/http/peers.sh"

cleanup() {
    set +e
    for p in "${STREAM_PIDS[@]}"; do kill "$p" 2> /dev/null; done
    stop_peers
    if [[ -d $CG ]]; then
        # whatever is left in the group goes back to the root group, then the group is removed
        for p in $(cat "$CG/cgroup.procs" 2> /dev/null); do echo "$p" > "$BLKIO/cgroup.procs"; done
        rmdir "$CG"
    fi
    if mountpoint -q "$MNT"; then umount "$MNT"; fi
    if [[ -n $LOOP ]]; then losetup -d "$LOOP"; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

truncate -s 1G "$IMG"
mkfs.ext4 -q -F "$IMG"
LOOP=$(losetup -f --show "$IMG")
mkdir -p "$MNT"
mount "$LOOP" "$MNT"
mkdir -p "$MNT/files"
head -c 8192 /dev/urandom > "$MNT/files/hot.bin"
for i in $(seq 1 "$STREAMS"); do head -c $((64 << 20)) /dev/urandom > "$MNT/files/cold$i.bin"; done
sync
chmod -R a+rX "$MNT/files"
DEV=$(lsblk -ndo MAJ:MIN "$LOOP" | tr -d ' ')

mkdir "$CG"
echo "$DEV $READ_BPS" > "$CG/blkio.throttle.read_bps_device"
echo "$DEV $READ_IOPS" > "$CG/blkio.throttle.read_iops_device"
PEER_CGROUP=$CG

{
    echo "# slowdisk $STAMP: $(nproc) cpus, $(uname -sr), $(java -version 2>&1 | head -1), git $(git -C "$ROOT" rev-parse --short HEAD)"
    echo "# loop device $LOOP ($DEV) ext4 1 GiB; cgroup v1 blkio $CG: read_bps $READ_BPS, read_iops $READ_IOPS"
    echo "# $STREAMS streams of cold 64 MiB files (curl) while wrk -c$CONNS -t2 GETs the cached 8 KiB hot.bin for $DURATION"
    echo "# peers: $PEERS, rounds: $ROUNDS; load at start: $(cut -d ' ' -f 1-3 /proc/loadavg)"
} | tee "$RAW"

declare -A PORT
port=18181
for p in $PEERS; do
    PORT[$p]=$port
    start_peer "$p" "$MNT/files" "$port"
    port=$((port + 1))
done

read -ra peers <<< "$PEERS"
n=${#peers[@]}
cg_read() { awk -v d="$DEV" '$1 == d && $2 == "Read" {print $3}' "$CG/blkio.throttle.io_service_bytes" | head -1; }
# warm-up (not recorded): the JVMs' JIT on the hot file, no cold streams
for p in "${peers[@]}"; do
    wrk -t2 -c"$CONNS" -d"${WARMUP:-5s}" --timeout 30s "$(peer_url "$p" "${PORT[$p]}")/hot.bin" > /dev/null
done
for round in $(seq 1 "$ROUNDS"); do
    for i in $(seq 0 $((n - 1))); do
        p=${peers[$(((i + round - 1) % n))]}
        base=$(peer_url "$p" "${PORT[$p]}")
        for f in "$MNT"/files/cold*.bin; do dd if="$f" iflag=nocache count=0 status=none; done
        cat "$MNT/files/hot.bin" > /dev/null
        curl -s -o /dev/null "$base/hot.bin" # the hot file is cached and the server warm
        STREAM_PIDS=()
        read_before=$(cg_read)
        for s in $(seq 1 "$STREAMS"); do
            curl -s -o /dev/null --max-time 120 "$base/cold$s.bin" &
            STREAM_PIDS+=($!)
        done
        sleep 0.5 # the streams are under way
        line=$(wrk -t2 -c"$CONNS" -d"$DURATION" --timeout 30s -s "$HERE/http/report.lua" "$base/hot.bin" \
            | grep '^RESULT' || echo "RESULT failed")
        for s in "${STREAM_PIDS[@]}"; do kill "$s" 2> /dev/null || true; done
        for s in "${STREAM_PIDS[@]}"; do wait "$s" 2> /dev/null || true; done
        STREAM_PIDS=()
        read_bytes=$(($(cg_read) - ${read_before:-0}))
        echo "round=$round workload=hot8k:$CONNS+cold:$STREAMS peer=$p ${line#RESULT } cold_read_bytes=$read_bytes" \
            | tee -a "$RAW"
    done
done
echo "# load at end: $(cut -d ' ' -f 1-3 /proc/loadavg)" | tee -a "$RAW"
python3 "$HERE/http/summary.py" "$RAW" | tee "${RAW%.txt}.md"

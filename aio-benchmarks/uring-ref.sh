#!/usr/bin/env bash
# The C reference of issue 12: raw io_uring 4 KiB random reads (src/main/c/uring_randread.c, no liburing) of the
# benchmarks' 1 GiB data file at queue depths 16 and 64, O_DIRECT and page-cached: the physical limit that
# RandomReadBenchmark's engine-uring rows are compared with. Built with cc when there is one; skipped with a message
# otherwise (and where the kernel refuses io_uring).
#
#   aio-benchmarks/uring-ref.sh [SECONDS]        # default 5 s per case
#
# Environment: AIO_BENCH_DIR as for run.sh (the data file is $AIO_BENCH_DIR/aio4j-bench/aio4j-bench-1g.dat, made by
# any RandomReadBenchmark run).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SECS=${1:-5}
CC=$(command -v cc || command -v gcc || command -v clang || true)
if [[ -z "$CC" ]]; then
    echo "uring-ref: skipped: no C compiler (cc, gcc or clang) on the PATH"
    exit 0
fi
if [[ ! -f /usr/include/linux/io_uring.h ]]; then
    echo "uring-ref: skipped: no /usr/include/linux/io_uring.h (apt-get install linux-libc-dev)"
    exit 0
fi
DATA=${AIO_BENCH_DIR:-/var/tmp}/aio4j-bench/aio4j-bench-1g.dat
if [[ ! -f "$DATA" ]]; then
    echo "uring-ref: skipped: no data file $DATA (run RandomReadBenchmark once to make it)"
    exit 0
fi
BIN=$(mktemp -d)/uring_randread
"$CC" -O2 -Wall -o "$BIN" "$HERE/src/main/c/uring_randread.c"
cat "$DATA" > /dev/null # page-cached cases read from memory
echo "| C io_uring reference | QD 16 | QD 64 |"
echo "|---|---:|---:|"
for mode in direct cached; do
    row="| $mode |"
    for qd in 16 64; do
        out=$("$BIN" "$DATA" "$qd" "$SECS" "$mode" 2>&1) || { echo "uring-ref: $mode QD $qd failed: $out"; exit 1; }
        row="$row ${out#ops/s } |"
    done
    echo "$row"
done
rm -rf "$(dirname "$BIN")"

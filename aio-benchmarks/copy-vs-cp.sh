#!/usr/bin/env bash
# Issue 10, copy targets, whole process: `aio copy` (aio-cli/bin/aio, the launcher with its AppCDS archive) against
# `cp` (GNU coreutils), in alternating runs (alternate.py), on
#   cached       a page-cached 1 GiB file of data, copied next to itself (AIO_BENCH_DIR, /var/tmp: ext4 here)
#   cached-shm   the same file copied to tmpfs (/dev/shm)
#   sparse       a 1 GiB file with 8 KiB of data (two 4 KiB blocks), copied next to itself
# The target is deleted (untimed) before every run. For the sparse file it also prints the 512-byte blocks of the
# source and of each command's copy (stat -c %b): holes kept means about as few blocks as the source.
# With HYPERFINE=1 and hyperfine installed, also runs hyperfine on each case (its runs are not alternated).
#
#   aio-benchmarks/copy-vs-cp.sh                 # needs aio-cli/target/aio.jar (mvn -pl aio-cli -am package)
#   RUNS=21 CASES="cached sparse" aio-benchmarks/copy-vs-cp.sh
#   OLD_AIO=/tmp/old/aio-cli/bin/aio aio-benchmarks/copy-vs-cp.sh   # adds the launcher of another build (aio-old)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
AIO=${AIO:-$ROOT/aio-cli/bin/aio}
RUNS=${RUNS:-11}
CASES=${CASES:-"cached cached-shm sparse"}
DIR=${AIO_BENCH_DIR:-/var/tmp}/aio4j-bench
SHM=${SHM_DIR:-/dev/shm}
mkdir -p "$DIR"

data="$DIR/copy-vs-cp-1g.dat"
if [[ ! -f "$data" || $(stat -c %s "$data") != 1073741824 ]]; then
    echo "== making $data (1 GiB of random data)"
    head -c 1073741824 /dev/urandom > "$data.tmp" && mv "$data.tmp" "$data"
fi
sparse="$DIR/copy-vs-cp-sparse-1g.dat"
if [[ ! -f "$sparse" ]]; then
    truncate -s 1G "$sparse.tmp"
    head -c 4096 /dev/urandom | dd of="$sparse.tmp" bs=4096 seek=1000 conv=notrunc status=none
    head -c 4096 /dev/urandom | dd of="$sparse.tmp" bs=4096 seek=200000 conv=notrunc status=none
    mv "$sparse.tmp" "$sparse"
fi
cat "$data" "$sparse" > /dev/null # page-cached

echo "machine: $(nproc) cpus, $(uname -sr), $(java -version 2>&1 | head -1), $(cp --version | head -1)"
echo "aio: $AIO ($(stat -c %y "$ROOT/aio-cli/target/aio.jar" 2>/dev/null || echo '?')), git $(git -C "$ROOT" rev-parse --short HEAD)"
"$AIO" --version > /dev/null # makes the launcher's AppCDS archive if needed

for c in $CASES; do
    case $c in
        cached) src=$data; dst=$DIR/copy-vs-cp-target ;;
        cached-shm) src=$data; dst=$SHM/copy-vs-cp-target ;;
        sparse) src=$sparse; dst=$DIR/copy-vs-cp-sparse-target ;;
        *) echo "unknown case $c" >&2; exit 2 ;;
    esac
    echo
    echo "== $c: $src -> $dst ($(df -T "$(dirname "$dst")" | awk 'NR==2 {print $2}'))"
    args=(cp "cp '$src' '$dst'" aio "'$AIO' copy '$src' '$dst' --progress none")
    if [[ -n ${OLD_AIO:-} ]]; then
        args+=(aio-old "'$OLD_AIO' copy '$src' '$dst' --progress none")
    fi
    python3 "$HERE/alternate.py" --runs "$RUNS" --prepare "rm -f '$dst'" "${args[@]}"
    if [[ $c == sparse ]]; then
        rm -f "$dst"; cp "$src" "$dst"; cp_blocks=$(stat -c %b "$dst")
        rm -f "$dst"; "$AIO" copy "$src" "$dst" --progress none > /dev/null; aio_blocks=$(stat -c %b "$dst")
        cmp -s "$src" "$dst" && same=identical || same=DIFFERENT
        echo "blocks (512 B): source $(stat -c %b "$src"), cp copy $cp_blocks, aio copy $aio_blocks (aio copy $same)"
    fi
    if [[ ${HYPERFINE:-0} == 1 ]] && command -v hyperfine > /dev/null; then
        hyperfine -N -w 1 -r "$RUNS" --prepare "rm -f $dst" "cp $src $dst" "$AIO copy $src $dst --progress none"
    fi
    rm -f "$dst"
done

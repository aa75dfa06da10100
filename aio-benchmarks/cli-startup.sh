#!/usr/bin/env bash
# Issue 10: the start of the `aio` command, measured as `aio copy` of a 4 KiB file, in alternating runs
# (alternate.py): the launcher with its AppCDS archive (aio-cli/bin/aio), the same without the archive (AIO_CDS=0),
# `java -jar aio.jar` as it was before issue 10 when OLD_JAR points at such a jar, and `cp` as the floor.
#
#   aio-benchmarks/cli-startup.sh                          # needs aio-cli/target/aio.jar
#   OLD_JAR=/tmp/old/aio.jar RUNS=21 aio-benchmarks/cli-startup.sh
#   OLD_AIO=/tmp/old/aio-cli/bin/aio aio-benchmarks/cli-startup.sh   # the launcher of another build (aio-old)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
AIO=${AIO:-$ROOT/aio-cli/bin/aio}
RUNS=${RUNS:-21}
work=$(mktemp -d "${TMPDIR:-/tmp}/aio-startup.XXXXXX")
trap 'rm -rf "$work"' EXIT
head -c 4096 /dev/urandom > "$work/tiny.bin"
"$AIO" --version > /dev/null # makes the launcher's AppCDS archive if needed

args=(cp "cp $work/tiny.bin $work/out.bin"
    aio "$AIO copy $work/tiny.bin $work/out.bin --progress none"
    aio-no-cds "AIO_CDS=0 $AIO copy $work/tiny.bin $work/out.bin --progress none")
if [[ -n ${OLD_AIO:-} ]]; then
    "$OLD_AIO" --version > /dev/null
    args+=(aio-old "$OLD_AIO copy $work/tiny.bin $work/out.bin --progress none")
fi
if [[ -n ${OLD_JAR:-} ]]; then
    args+=(old-jar "java -jar $OLD_JAR copy $work/tiny.bin $work/out.bin --progress none")
fi
echo "machine: $(nproc) cpus, $(uname -sr), $(java -version 2>&1 | head -1); git $(git -C "$ROOT" rev-parse --short HEAD)"
python3 "$HERE/alternate.py" --runs "$RUNS" --warmup 2 --baseline aio "${args[@]}"

#!/usr/bin/env bash
# Installs what the test suite needs beyond Java and Maven, so that no check passes by skipping:
#   musl-tools                 musl-gcc: AbiMatchesCTest compares the musl x86_64 table with musl's headers
#   gcc-aarch64-linux-gnu,
#   libc6-dev-arm64-cross,
#   qemu-user-static           the glibc aarch64 table, compiled with the cross compiler and run under qemu
#   python3, util-linux        (prlimit) signal-mode and RLIMIT_SIGPENDING tests
# Debian/Ubuntu only; needs root (or passwordless sudo). Does nothing for tools already on the PATH.
set -euo pipefail
need=()
command -v musl-gcc >/dev/null || need+=(musl-tools)
command -v aarch64-linux-gnu-gcc >/dev/null || need+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
command -v qemu-aarch64-static >/dev/null || command -v qemu-aarch64 >/dev/null || need+=(qemu-user-static)
command -v python3 >/dev/null || need+=(python3)
command -v prlimit >/dev/null || need+=(util-linux)
if [ ${#need[@]} -eq 0 ]; then
    echo "install-test-tools: everything present"
    exit 0
fi
SUDO=
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then SUDO=sudo; else
        echo "install-test-tools: need root to install: ${need[*]}" >&2
        exit 1
    fi
fi
if ! command -v apt-get >/dev/null; then
    echo "install-test-tools: no apt-get here; install by hand: ${need[*]}" >&2
    exit 1
fi
echo "install-test-tools: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "install-test-tools: done"

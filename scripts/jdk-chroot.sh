#!/usr/bin/env bash
# Prepares a JDK that this machine's Debian does not ship (JDK 21 and 25 come with Debian 13 "trixie"), in a
# minimal trixie chroot cached under /var/cache/aio4j/trixie, and prints the path of a `java` wrapper that runs it
# there. The repository, ~/.m2 and /tmp are bind-mounted into the chroot at the same paths, so surefire's forked JVM
# (and any child JVM a test starts from java.home) sees the same files. Root only; Debian/Ubuntu host (debootstrap).
#   scripts/jdk-chroot.sh 21          prints /var/cache/aio4j/trixie-java-21/bin/java (the wrapper)
#   scripts/jdk-chroot.sh --unmount   removes the bind mounts
set -euo pipefail
cd "$(dirname "$0")/.."
root=/var/cache/aio4j/trixie
fail() { echo "jdk-chroot: $*" >&2; exit 2; }
if [ "${1:-}" = --unmount ]; then
    for m in $(awk -v r="$root" '$2 ~ "^"r"(/|$)" {print $2}' /proc/mounts | sort -r); do umount -l "$m"; done
    exit 0
fi
v=${1:?usage: scripts/jdk-chroot.sh 21|25}
case $v in 21|25) ;; *) fail "JDK $v: only 21 and 25 (Debian 13's openjdk packages)";; esac
[ "$(id -u)" -eq 0 ] || fail "must run as root (debootstrap, chroot, mount)"
if [ ! -x "$root/usr/bin/apt-get" ]; then
    command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null \
        || fail "no debootstrap"
    mkdir -p "$(dirname "$root")"
    debootstrap --variant=minbase trixie "$root" http://deb.debian.org/debian >&2 || fail "debootstrap trixie failed"
fi
mnt() { mkdir -p "$root$1"; mountpoint -q "$root$1" || mount --rbind "$1" "$root$1"; }
# the root a mount point of its own, so that /proc/self/mounts lists "/" inside (Files.getFileStore needs it)
mountpoint -q "$root" || mount --bind "$root" "$root"
mnt /proc; mnt /dev; mnt /sys; mnt /tmp; mnt "$PWD"; mnt "$HOME/.m2"
jdk=/usr/lib/jvm/java-$v-openjdk-amd64
if [ ! -x "$root$jdk/bin/java" ]; then
    chroot "$root" env DEBIAN_FRONTEND=noninteractive sh -c \
        "apt-get update -qq && apt-get install -y -qq --no-install-recommends openjdk-$v-jdk-headless >/dev/null" >&2 \
        || fail "could not install openjdk-$v-jdk-headless in the chroot"
fi
wrapper=/var/cache/aio4j/trixie-java-$v/bin/java # surefire wants a path ending in java
mkdir -p "$(dirname "$wrapper")"
cat > "$wrapper" <<W
#!/bin/sh
# java $v of the trixie chroot, run in the caller's folder (written by scripts/jdk-chroot.sh)
exec chroot $root /bin/sh -c 'cd "\$0" && exec $jdk/bin/java "\$@"' "\$PWD" "\$@"
W
chmod +x "$wrapper"
echo "$wrapper"

#!/usr/bin/env bash
# Every test, as CI runs it: the README's test command, which .ci/run holds (tools, every suite on the default
# JDK, two router test classes on the versions Spring Boot manages, then aio-core and aio-reactor on JDK 25: one under /usr/lib/jvm, else Debian 13's in a chroot; then the
# aarch64 part, scripts/test-on-aarch64.sh --ci).
exec "$(dirname "$0")/../.ci/run"

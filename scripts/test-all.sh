#!/usr/bin/env bash
# Every test, as CI runs it (.ci/run calls this): installs the test tools (so that no layout check passes by
# skipping), runs the whole build with its tests on the default JDK (17), then the aio-core and aio-reactor suites
# again on JDK 25 (stress sizes scaled down): a JDK 25 under /usr/lib/jvm, or else Debian 13's in a chroot
# (scripts/jdk-chroot.sh, root, a few minutes the first time). Run from anywhere; needs root for the tools.
#   JDK25=/path/to/jdk   the JDK 25 to use;   JDK25=none skips that pass (it says so)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-tools.sh
AIO4J_REQUIRE_ALL_CHECKS=true mvn -B -ntp verify
jdk25=${JDK25:-25}
if [ "$jdk25" = none ]; then
    echo "test-all: JDK25=none: the JDK 25 pass did not run" >&2
    exit 0
fi
AIO4J_REQUIRE_ALL_CHECKS=true SCALED=true scripts/test-on-jdk.sh "$jdk25" aio-core,aio-reactor

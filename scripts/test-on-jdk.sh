#!/usr/bin/env bash
# Runs test suites of this repository on another JVM (surefire's `jvm`; the build itself stays on the default JDK)
# and prints a summary. Run from the repository root.
#
#   scripts/test-on-jdk.sh /usr/lib/jvm/temurin-25-jdk-amd64                  aio-core and aio-reactor
#   scripts/test-on-jdk.sh 25          a JDK 25 under /usr/lib/jvm, else Debian 13's in a chroot (scripts/jdk-chroot.sh)
#   scripts/test-on-jdk.sh 21          the same for 21
#   scripts/test-on-jdk.sh /usr/lib/jvm/temurin-25-jdk-amd64 aio-core         one module
#   SCALED=true ...        stress sizes scaled down (emulation, quick checks)
#   TESTS='A,B' ...        some classes only;   EXTRA_ARGLINE=...   more options for the test JVM
#
# Exits non-zero when a test fails, when no test ran, or when the JVM is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
home=${1:?usage: scripts/test-on-jdk.sh JAVA_HOME_OR_JAVA [modules]}
modules=${2:-aio-core,aio-reactor}
java=$home
if [[ $home =~ ^[0-9]+$ ]]; then
    java=$(ls -d /usr/lib/jvm/*-"$home"-* /usr/lib/jvm/*-"$home" 2>/dev/null | grep -v -- "-$home[0-9]" | head -1 || true)
    if [ -n "$java" ]; then java=$java/bin/java; else java=$(scripts/jdk-chroot.sh "$home"); fi
elif [ -d "$home" ]; then
    java=$home/bin/java
fi
[ -x "$java" ] || { echo "test-on-jdk: no java at $java" >&2; exit 2; }
version=$("$java" -version 2>&1 | head -1)
log_dir=${LOG_DIR:-target/test-on-jdk}
mkdir -p "$log_dir"
sizes=()
if [ "${SCALED:-false}" = true ]; then
    sizes=(-Daio4j.engine.stressOps=20000 -Daio4j.engine.raceIterations=1000 -Daio4j.engine.cancelRaceIterations=300
        -Daio4j.engine.batchRaceIterations=300 -Daio4j.engine.chainReads=20000 -Daio4j.core.concurrentCancelMillis=3000)
fi
tests=()
[ -n "${TESTS:-}" ] && tests=(-Dtest="$TESTS" -Dsurefire.failIfNoSpecifiedTests=false)
echo "test-on-jdk: $modules on $version"
# no stale reports in the summary (aio-reactor's io-uring execution writes to surefire-reports-io-uring)
for m in ${modules//,/ }; do rm -rf "$m/target/surefire-reports" "$m/target/surefire-reports-io-uring"; done
start=$(date +%s)
set +e
mvn -B -ntp -pl "$modules" -am test -Djvm="$java" "-Daio4j.test.jvmArgs=${EXTRA_ARGLINE:-}" \
    -Dmaven.test.failure.ignore=true ${sizes[@]+"${sizes[@]}"} ${tests[@]+"${tests[@]}"} > "$log_dir/mvn.log" 2>&1
rc=$?
set -e
secs=$(( $(date +%s) - start ))
[ $rc -eq 0 ] || { tail -40 "$log_dir/mvn.log" >&2; echo "test-on-jdk: the build failed (log: $log_dir/mvn.log)" >&2; exit 2; }
python3 - "$modules" "$secs" "$version" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
modules, secs, version = sys.argv[1].split(','), sys.argv[2], sys.argv[3]
bad = 0
print(f"results on {version}, {secs} s:")
for m in modules:
    t = f = e = s = 0
    failed = []
    for rep in glob.glob(f"{m}/target/surefire-reports/TEST-*.xml") + glob.glob(f"{m}/target/surefire-reports-io-uring/TEST-*.xml"):
        r = ET.parse(rep).getroot()
        t += int(r.get('tests')); f += int(r.get('failures')); e += int(r.get('errors')); s += int(r.get('skipped'))
        for c in r.findall('testcase'):
            if c.find('failure') is not None or c.find('error') is not None:
                run = " (io_uring run)" if "surefire-reports-io-uring" in rep else ""
                failed.append(f"{c.get('classname').split('.')[-1]}.{c.get('name')}{run}")
    print(f"  {m}: {t} run, {f} failed, {e} errors, {s} skipped")
    for n in failed:
        print(f"    FAILED {n}")
    bad += f + e
    if t == 0:
        print(f"    no test ran in {m}")
        bad += 1
sys.exit(1 if bad else 0)
PY

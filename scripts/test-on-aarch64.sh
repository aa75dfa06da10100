#!/usr/bin/env bash
# Runs the aio-core and aio-reactor test suites on a real aarch64 JDK 17 (Debian's arm64 package) under qemu-user,
# on this x86_64 Linux machine, and prints a summary. Run from the repository root, as root (it installs
# qemu-user-static, adds Debian's arm64 architecture to download the JDK, and registers qemu for aarch64 binaries
# with binfmt_misc so that tests which start a child JVM from java.home can run it).
#
#   scripts/test-on-aarch64.sh                 both suites (stress sizes scaled down: SCALED=true of test-on-jdk.sh)
#   scripts/test-on-aarch64.sh aio-core        one module
#   TESTS='AioFileTest,EngineRaceTest' scripts/test-on-aarch64.sh aio-core     some classes only
#   scripts/test-on-aarch64.sh --ci            the CI subset: the aio-core classes listed in scripts/aarch64-ci-tests.txt
#                                              (fails when a listed class did not run or ran no test, and when a test
#                                              was skipped that the list does not name as an expected skip)
#
# The JDK and its libraries are unpacked into target/aarch64/root once and reused. Emulation proves layouts,
# constants and logic on aarch64; it runs with the host's (x86, strong) memory ordering, so it does not prove the
# aarch64 memory model. Exits non-zero when a test fails or when something it needs is missing: it never "passes" by
# skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "test-on-aarch64: $*" >&2; exit 2; }
ci=false
list=scripts/aarch64-ci-tests.txt
if [ "${1:-}" = --ci ]; then
    ci=true
    shift
    [ $# -eq 0 ] || fail "--ci takes no module: it runs the aio-core classes of $list"
    [ -z "${TESTS:-}" ] || fail "--ci runs the classes of $list: unset TESTS"
    [ -r "$list" ] || fail "no $list"
    TESTS=$(awk '$1 == "test" { print $2 }' "$list" | paste -sd, -)
    [ -n "$TESTS" ] || fail "$list names no class"
    export TESTS
    set -- aio-core
fi
modules=${1:-aio-core,aio-reactor}
dir=$PWD/target/aarch64
root=$dir/root
jdk=$root/usr/lib/jvm/java-17-openjdk-arm64

[ "$(uname -s)" = Linux ] || fail "needs Linux (qemu-user), this is $(uname -s)"
[ "$(uname -m)" = x86_64 ] || [ "$(uname -m)" = aarch64 ] || fail "untested host $(uname -m)"
if [ "$(uname -m)" = aarch64 ]; then
    echo "test-on-aarch64: this machine is aarch64: run 'mvn -B -ntp verify' natively instead" >&2
    exit 2
fi
[ "$(id -u)" -eq 0 ] || fail "must run as root (apt-get, binfmt_misc); nothing was run"

# 1. qemu-user
if ! command -v qemu-aarch64-static >/dev/null; then
    echo "test-on-aarch64: installing qemu-user-static"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-user-static >/dev/null \
        || fail "could not install qemu-user-static"
fi
qemu=$(command -v qemu-aarch64-static)

# 2. the arm64 JDK, unpacked once (no system-wide install)
if [ ! -x "$jdk/bin/java" ]; then
    command -v apt-get >/dev/null || fail "needs Debian's apt-get to fetch the arm64 JDK"
    dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
    apt-get update -qq || fail "apt-get update failed"
    mkdir -p "$dir/debs" "$root"
    (cd "$dir/debs" && apt-get download -qq openjdk-17-jre-headless:arm64 libc6:arm64 zlib1g:arm64 \
        libgcc-s1:arm64 libstdc++6:arm64 libffi8:arm64 2>/dev/null) || fail "apt-get download of the arm64 JDK failed"
    for deb in "$dir"/debs/*.deb; do dpkg -x "$deb" "$root"; done
fi
[ -x "$jdk/bin/java" ] || fail "no java in $jdk after unpacking"

# 3. aarch64 binaries run through qemu (binfmt_misc), finding their libraries under $root (QEMU_LD_PREFIX)
bm=/proc/sys/fs/binfmt_misc
[ -e $bm/register ] || mount -t binfmt_misc binfmt_misc $bm || fail "cannot mount binfmt_misc"
if [ ! -e $bm/qemu-aarch64 ]; then
    printf '%s' ':qemu-aarch64:M::\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:'"$qemu"':F' \
        > $bm/register || fail "cannot register qemu-aarch64 with binfmt_misc"
fi
export QEMU_LD_PREFIX=$root
arch=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *os.arch = //p')
[ "$arch" = aarch64 ] || fail "the emulated JVM reports os.arch '$arch', expected aarch64"
echo "test-on-aarch64: $("$jdk/bin/java" -version 2>&1 | head -1) under $($qemu --version | head -1)"

# 4. the suites, with stress sizes scaled down: emulation is 10-40x slower, and qemu-user leaks ~300 KiB for every
# thread that starts and ends (the per-completion-thread modes start one per op).
start=$(date +%s)
set +e
EXTRA_ARGLINE=-Djdk.lang.Process.launchMechanism=FORK SCALED=true LOG_DIR=$dir \
    scripts/test-on-jdk.sh "$jdk" "$modules"
rc=$?
set -e
$ci || exit $rc
[ $rc -ne 2 ] || exit 2 # the build failed or the JVM is missing: already said

# 5. --ci: every listed class ran and ran tests; a skipped test fails unless the list expects that skip, for that reason
python3 - "$list" "$rc" "$(( $(date +%s) - start ))" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
path, rc, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3]
classes, expected = [], []
for line in open(path):
    f = line.split(None, 1)
    if f and f[0] == "test": classes.append(f[1].split()[0])
    elif f and f[0] == "skip":
        name, reason = [x.strip() for x in f[1].split("|")[:2]]
        expected.append((name, reason))
bad, total, ran, skipped = [], 0.0, 0, 0
print(f"aarch64 CI subset ({path}): {secs} s in all (build included); per class, surefire's time:")
for c in classes:
    reps = glob.glob(f"aio-core/target/surefire-reports/TEST-*.{c}.xml")
    if not reps:
        bad.append(f"{c}: did not run (no surefire report)")
        continue
    r = ET.parse(reps[0]).getroot()
    t, s, secs_c = int(r.get("tests")), int(r.get("skipped")), float(r.get("time") or 0)
    total, ran, skipped = total + secs_c, ran + t, skipped + s
    print(f"  {c:30} {t:3} run, {s:2} skipped, {secs_c:6.1f} s")
    if t == 0: bad.append(f"{c}: ran no test")
    for tc in r.findall("testcase"):
        sk = tc.find("skipped")
        if sk is None: continue
        name = f"{c}.{tc.get('name')}"
        why = " ".join(filter(None, [sk.get("message"), (sk.text or "").split("\n")[0]]))
        def fits(n, reason):
            rest = name[len(n):]
            return name.startswith(n) and (rest == "" or not rest[0].isalnum()) and reason in why
        if not any(fits(n, reason) for n, reason in expected):
            bad.append(f"{name}: skipped ({why}), which {path} does not expect")
print(f"  {'total':30} {ran:3} run, {skipped:2} skipped, {total:6.1f} s in the emulated JVM")
for b in bad: print(f"  FAILED {b}")
sys.exit(1 if bad or rc else 0)
PY

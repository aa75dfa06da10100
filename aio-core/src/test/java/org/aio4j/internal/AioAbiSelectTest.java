package org.aio4j.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.aio4j.internal.AioAbi.LinuxLibc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link AioAbi#select} per os.name/os.arch/libc, libc detection, and the internal consistency of every table. */
class AioAbiSelectTest {

    @ParameterizedTest(name = "{0} / {1} / {2} -> {3}")
    @CsvSource({
        "Linux, amd64, GLIBC, linux-glibc-x86_64",
        "Linux, x86_64, GLIBC, linux-glibc-x86_64",
        "linux, AMD64, GLIBC, linux-glibc-x86_64",
        "Linux, aarch64, GLIBC, linux-glibc-aarch64",
        "Linux, arm64, GLIBC, linux-glibc-aarch64",
        "Linux, amd64, MUSL, linux-musl-x86_64",
        "Linux, aarch64, MUSL, linux-musl-aarch64",
        "FreeBSD, amd64, GLIBC, freebsd-amd64",
        "FreeBSD, x86_64, MUSL, freebsd-amd64",
        "Mac OS X, x86_64, GLIBC, macos-x86_64",
        "Mac OS X, aarch64, GLIBC, macos-arm64",
        "Darwin, arm64, MUSL, macos-arm64",
    })
    void picksTheTableOfThePlatform(String os, String arch, LinuxLibc libc, String expected) {
        assertThat(AioAbi.select(os, arch, libc).name).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} / {1} is refused")
    @CsvSource({
        "Windows 11, amd64",
        "Linux, x86",
        "Linux, i386",
        "Linux, arm",
        "Linux, ppc64le",
        "Linux, s390x",
        "Linux, riscv64",
        "FreeBSD, aarch64",
        "FreeBSD, i386",
        "OpenBSD, amd64",
        "SunOS, sparcv9",
        "AIX, ppc64",
        "'', ''",
    })
    void refusesUnknownPlatformsNamingThem(String os, String arch) {
        assertThatThrownBy(() -> AioAbi.select(os, arch, LinuxLibc.GLIBC))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("os.name=" + os)
                .hasMessageContaining("os.arch=" + arch)
                .hasMessageContaining("supported:");
    }

    @Test
    void currentIsTheTableOfThisJvm() {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        AioAbi abi = AioAbi.current();
        assertThat(abi).isSameAs(AioAbi.select(os, arch, LinuxLibc.detect()));
        assertThat(AioAbi.current()).as("cached").isSameAs(abi);
    }

    @Test
    void libcDetectionReadsWhatIsMappedNotWhatIsInstalled() {
        List<String> glibcJvm = List.of(
                "55d4c0a00000-55d4c0a01000 r--p 00000000 08:01 1234   /usr/lib/jvm/java-17/bin/java",
                "7f1c2a000000-7f1c2a028000 r--p 00000000 08:01 5678   /usr/lib/x86_64-linux-gnu/libc.so.6",
                "7f1c2b000000-7f1c2b002000 r--p 00000000 08:01 9012   /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                "7ffd1e000000-7ffd1e021000 rw-p 00000000 00:00 0      [stack]",
                "7f1c2c000000-7f1c2c001000 rw-p 00000000 00:00 0");
        assertThat(LinuxLibc.fromMaps(glibcJvm)).isEqualTo(LinuxLibc.GLIBC);
        List<String> alpineJvm = List.of(
                "7f00aa000000-7f00aa014000 r--p 00000000 08:01 11   /lib/ld-musl-x86_64.so.1",
                "7f00ab000000-7f00ab001000 r--p 00000000 08:01 12   /usr/lib/jvm/java-17-openjdk/lib/libjli.so");
        assertThat(LinuxLibc.fromMaps(alpineJvm)).isEqualTo(LinuxLibc.MUSL);
        assertThat(LinuxLibc.fromMaps(List.of("0-1 r--p 0 08:01 1 /lib/libc.musl-aarch64.so.1")))
                .isEqualTo(LinuxLibc.MUSL);
        assertThat(LinuxLibc.fromMaps(List.of())).isEqualTo(LinuxLibc.GLIBC);
    }

    @Test
    void thisGlibcJvmIsDetectedAsGlibcEvenWithMuslInstalled() throws Exception {
        assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux"), "Linux only");
        List<String> maps = Files.readAllLines(Path.of("/proc/self/maps"));
        boolean glibcMapped = maps.stream().anyMatch(l -> l.endsWith("/libc.so.6"));
        assumeTrue(glibcMapped, "this JVM does not run on glibc");
        // Debian's musl-tools installs /lib/ld-musl-*.so.1; that must not make a glibc JVM pick the musl table.
        assertThat(LinuxLibc.detect()).isEqualTo(LinuxLibc.GLIBC);
    }

    @Test
    void everyTableIsSelfConsistent() {
        Set<String> names = new HashSet<>();
        for (AioAbi t : AbiTables.ALL) {
            assertThat(names.add(t.name)).as("unique name %s", t.name).isTrue();
            var a = t.aiocb;
            var s = t.sigevent;
            // aiocb fields: start and width; none may overlap and all must fit.
            int[][] aiocbFields = {
                {a.fildes(), 4},
                {a.lioOpcode(), 4},
                {a.reqprio(), 4},
                {a.buf(), 8},
                {a.nbytes(), 8},
                {a.offset(), 8},
                {a.sigevent(), s.size()}
            };
            assertNoOverlap(t + " struct aiocb", aiocbFields, a.size());
            int[][] sigeventFields = {{s.value(), 8}, {s.signo(), 4}, {s.notifyField(), 4}, {s.notifyFunction(), 8}};
            assertNoOverlap(t + " struct sigevent", sigeventFields, s.size());
            assertThat(s.notifyAttributes())
                    .as("%s attributes after function", t)
                    .isEqualTo(s.notifyFunction() + 8);
            assertThat(a.buf() % 8).as("%s aio_buf aligned", t).isZero();
            assertThat(a.offset() % 8).as("%s aio_offset aligned", t).isZero();
            assertThat(a.sigevent() % 8).as("%s aio_sigevent aligned", t).isZero();
            boolean kevent = t.has("SIGEV_KEVENT");
            assertThat(s.notifyKqueue() >= 0)
                    .as("%s kqueue field iff SIGEV_KEVENT", t)
                    .isEqualTo(kevent);
            assertThat(s.keventFlags() >= 0)
                    .as("%s kevent flags iff SIGEV_KEVENT", t)
                    .isEqualTo(kevent);

            assertDistinct(t, "SIGEV_NONE", "SIGEV_SIGNAL", "SIGEV_THREAD");
            assertDistinct(t, "LIO_READ", "LIO_WRITE", "LIO_NOP");
            assertDistinct(t, "LIO_WAIT", "LIO_NOWAIT");
            assertDistinct(t, "AIO_CANCELED", "AIO_NOTCANCELED", "AIO_ALLDONE");
            assertDistinct(t, "O_RDONLY", "O_WRONLY", "O_RDWR");
            assertDistinct(t, "SIGUSR1", "SIGUSR2");
            assertThat(t.LIO_READV == AioAbi.ABSENT).isEqualTo(t.LIO_WRITEV == AioAbi.ABSENT);
            for (var e : t.constants().entrySet()) {
                assertThat(e.getValue()).as("%s %s", t, e.getKey()).isNotEqualTo(AioAbi.ABSENT);
            }
            // The fields mirror the map.
            assertThat(t.SIGEV_NONE).isEqualTo(t.constants().get("SIGEV_NONE"));
            assertThat(t.AIO_ALLDONE).isEqualTo(t.constants().get("AIO_ALLDONE"));
            assertThat(t.O_DSYNC).isEqualTo(t.constants().get("O_DSYNC"));
            assertThat(t.O_DIRECT).isEqualTo(t.constants().getOrDefault("O_DIRECT", AioAbi.ABSENT));
            assertThat(t.sizeofTimespec).isEqualTo(16);
            assertThat(t.sizeofIovec).isEqualTo(16);
        }
        assertThat(AbiTables.ALL).hasSize(7);
    }

    private static void assertNoOverlap(String what, int[][] fields, int size) {
        for (int i = 0; i < fields.length; i++) {
            assertThat(fields[i][0]).as("%s field %d start", what, i).isBetween(0, size - fields[i][1]);
            for (int j = i + 1; j < fields.length; j++) {
                boolean overlap =
                        fields[i][0] < fields[j][0] + fields[j][1] && fields[j][0] < fields[i][0] + fields[i][1];
                assertThat(overlap)
                        .as("%s fields at %d and %d overlap", what, fields[i][0], fields[j][0])
                        .isFalse();
            }
        }
    }

    private static void assertDistinct(AioAbi t, String... names) {
        Set<Integer> seen = new HashSet<>();
        for (String n : names) {
            assertThat(t.has(n)).as("%s has %s", t, n).isTrue();
            assertThat(seen.add(t.constants().get(n)))
                    .as("%s: %s collides", t, n)
                    .isTrue();
        }
    }
}

package org.aio4j.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HotStat} against the kernel (cached files, links, FIFOs, directories, cold paths) and its constants against
 * the C headers ({@code src/test/resources/abi/hotstat_probe.c}).
 */
class HotStatTest {
    @TempDir
    Path dir;

    private static void assumeSupported() {
        assumeTrue(HotStat.isSupported(), "HotStat not supported here (needs Linux 6.5+ on x86_64 or aarch64)");
    }

    private Path file(String name, int size) throws Exception {
        Path p = dir.resolve(name);
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        Files.write(p, b);
        Files.readAllBytes(p); // path and pages cached
        return p.toRealPath();
    }

    @Test
    void attributesOfACachedFileAreThoseTheJdkReads() throws Exception {
        assumeSupported();
        Path f = file("a.bin", 100_000);
        Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2024-02-29T12:34:56.123456789Z")));
        HotStat.Attributes a = HotStat.stat(f, true);
        assertThat(a).isNotNull();
        Map<String, Object> jdk = Files.readAttributes(f, "unix:size,lastModifiedTime,ino");
        assertThat(a.size()).isEqualTo(100_000L).isEqualTo(jdk.get("size"));
        assertThat(a.inode()).isEqualTo(jdk.get("ino"));
        Instant modified = Instant.ofEpochSecond(a.modifiedSeconds(), a.modifiedNanos());
        assertThat(modified).isEqualTo(((FileTime) jdk.get("lastModifiedTime")).toInstant());
        assertThat(a.wholeFileCached()).isTrue();
        assertThat(HotStat.stat(f, false).wholeFileCached()).as("not asked").isFalse();
    }

    @Test
    void anEvictedFileIsNotWhollyCached() throws Exception {
        assumeSupported();
        Path f = file("cold.bin", 1 << 20);
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Process dd = new ProcessBuilder("dd", "if=" + f, "iflag=nocache", "count=0", "status=none")
                .redirectErrorStream(true)
                .start();
        dd.getInputStream().readAllBytes();
        assertThat(dd.waitFor()).isZero();
        HotStat.Attributes a = HotStat.stat(f, true);
        assertThat(a).as("the path is still in the lookup cache").isNotNull();
        assertThat(a.wholeFileCached()).isFalse();
    }

    @Test
    void emptyFileIsCached() throws Exception {
        assumeSupported();
        Path f = file("empty", 0);
        assertThat(HotStat.stat(f, true)).isNotNull().satisfies(a -> {
            assertThat(a.size()).isZero();
            assertThat(a.wholeFileCached()).isTrue();
        });
    }

    @Test
    void whatItCannotAnswerWithoutWaitingOrResolvingIsNull() throws Exception {
        assumeSupported();
        Path target = file("t.bin", 10);
        Path link = dir.toRealPath().resolve("link");
        Files.createSymbolicLink(link, target);
        Path sub = Files.createDirectory(dir.resolve("sub")).toRealPath();
        Files.write(sub.resolve("x"), new byte[1]);
        Path linkedDir = dir.toRealPath().resolve("linkedDir");
        Files.createSymbolicLink(linkedDir, sub);

        assertThat(HotStat.stat(link, true)).as("a link").isNull();
        assertThat(HotStat.stat(linkedDir.resolve("x"), true))
                .as("a link on the way")
                .isNull();
        assertThat(HotStat.stat(sub, true)).as("a directory").isNull();
        assertThat(HotStat.stat(dir.toRealPath().resolve("missing"), true))
                .as("missing")
                .isNull();
        assertThat(HotStat.stat(Path.of("relative.bin"), true)).as("relative").isNull();
        assertThat(HotStat.stat(sub.resolve("x"), false))
                .as("a plain file next to them")
                .isNotNull();
    }

    @Test
    void aFifoIsRefusedWithoutBlocking() throws Exception {
        assumeSupported();
        Path fifo = dir.toRealPath().resolve("fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mk.waitFor()).isZero();
        Files.readAttributes(fifo, "unix:mode"); // into the lookup cache
        CompletableFuture<HotStat.Attributes> r = CompletableFuture.supplyAsync(() -> HotStat.stat(fifo, true));
        assertThat(r.get(30, TimeUnit.SECONDS))
                .as("no writer: a blocking open would hang")
                .isNull();
    }

    @Test
    void noNativeMemoryIsKept() throws Exception {
        assumeSupported();
        Path f = file("m.bin", 4096);
        long before = NativeMemory.outstandingBytes();
        for (int i = 0; i < 10_000; i++) {
            HotStat.stat(f, true);
            HotStat.stat(dir.resolve("missing"), true);
        }
        assertThat(NativeMemory.outstandingBytes()).isEqualTo(before);
    }

    @Test
    void everyConstantMatchesTheCHeaders(@TempDir Path work) throws Exception {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "openat2/statx are Linux only");
        Path cc = AbiMatchesCTest.onPath("cc", "gcc", "clang");
        AbiMatchesCTest.toolPresent(cc != null, "HotStatTest skipped: no C compiler (cc, gcc or clang) on the PATH");
        AbiMatchesCTest.toolPresent(
                Files.exists(Path.of("/usr/include/linux/openat2.h")),
                "HotStatTest skipped: no /usr/include/linux/openat2.h (apt-get install linux-libc-dev)");
        Path src = work.resolve("hotstat_probe.c");
        try (InputStream in = HotStatTest.class.getResourceAsStream("/abi/hotstat_probe.c")) {
            assertThat(in).as("test resource /abi/hotstat_probe.c").isNotNull();
            Files.copy(in, src);
        }
        Path bin = work.resolve("hotstat_probe");
        String compileOut = AbiMatchesCTest.run(List.of(cc.toString(), "-o", bin.toString(), src.toString()), work);
        assertThat(bin).as("compiled probe; the compiler said: %s", compileOut).exists();
        Map<String, Long> c = new LinkedHashMap<>();
        for (String line : AbiMatchesCTest.run(List.of(bin.toString()), work).split("\n")) {
            if (line.isBlank()) continue;
            String[] parts = line.trim().split(" ");
            assertThat(parts).as("probe line '%s'", line).hasSize(2);
            c.put(parts[0], Long.parseLong(parts[1]));
        }
        Map<String, Long> java = new TreeMap<>();
        constants(HotStat.class, java);
        assertThat(java).as("HotStat's constants").hasSizeGreaterThan(20);
        assertThat(java.keySet()).as("the probe prints every constant").isEqualTo(new TreeMap<>(c).keySet());
        for (Map.Entry<String, Long> e : java.entrySet()) {
            assertThat(e.getValue()).as("HotStat.%s against C", e.getKey()).isEqualTo(c.get(e.getKey()));
        }
    }

    @Test
    void statxNumberOfAarch64MatchesItsHeaders(@TempDir Path work) throws Exception {
        Path cc = AbiMatchesCTest.onPath("aarch64-linux-gnu-gcc");
        AbiMatchesCTest.toolPresent(
                cc != null,
                "HotStatTest (aarch64) skipped: no aarch64-linux-gnu-gcc (apt-get install gcc-aarch64-linux-gnu)");
        Path src = work.resolve("nr.c");
        Files.writeString(src, "#include <sys/syscall.h>\nlong statx_nr = SYS_statx; long openat2_nr = SYS_openat2;\n");
        String out = AbiMatchesCTest.run(List.of(cc.toString(), "-E", "-P", src.toString()), work)
                .replaceAll("\\s+", " ");
        assertThat(out).as("preprocessed by %s", cc).contains("statx_nr = 291;").contains("openat2_nr = 437;");
    }

    private static void constants(Class<?> type, Map<String, Long> into) throws Exception {
        for (Field f : type.getDeclaredFields()) {
            int m = f.getModifiers();
            if (!Modifier.isStatic(m) || !Modifier.isFinal(m)) continue;
            if (f.getType() != int.class && f.getType() != long.class) continue;
            f.setAccessible(true);
            into.put(f.getName(), ((Number) f.get(null)).longValue());
        }
    }
}

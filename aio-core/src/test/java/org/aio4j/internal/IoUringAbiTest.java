package org.aio4j.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.aio4j.engine.internal.IoUring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles {@code src/test/resources/abi/io_uring_probe.c} against the installed {@code <linux/io_uring.h>} and
 * compares every value it prints with the constant of the same name in {@link IoUring} (every static int/long field
 * of that class must be printed, so a constant added without a C check fails here). Skipped where there is no C
 * compiler or no {@code linux/io_uring.h} (apt-get install linux-libc-dev).
 */
class IoUringAbiTest {
    /** Names the probe prints for the CQ ring's offsets, which IoUring shares with the SQ ring's. */
    private static final Map<String, String> SAME_AS = Map.of(
            "OFF_HEAD_CQ", "OFF_HEAD",
            "OFF_TAIL_CQ", "OFF_TAIL",
            "OFF_RING_MASK_CQ", "OFF_RING_MASK",
            "OFF_RING_ENTRIES_CQ", "OFF_RING_ENTRIES",
            "SQE_OP_FLAGS_FSYNC", "SQE_OP_FLAGS");

    @Test
    void everyConstantMatchesTheCHeader(@TempDir Path dir) throws Exception {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "io_uring is Linux only");
        Path cc = AbiMatchesCTest.onPath("cc", "gcc", "clang");
        assumeTrue(cc != null, "IoUringAbiTest skipped: no C compiler (cc, gcc or clang) on the PATH");
        assumeTrue(
                Files.exists(Path.of("/usr/include/linux/io_uring.h")),
                "IoUringAbiTest skipped: no /usr/include/linux/io_uring.h (apt-get install linux-libc-dev)");
        Path src = dir.resolve("io_uring_probe.c");
        try (InputStream in = IoUringAbiTest.class.getResourceAsStream("/abi/io_uring_probe.c")) {
            assertThat(in).as("test resource /abi/io_uring_probe.c").isNotNull();
            Files.copy(in, src);
        }
        Path bin = dir.resolve("io_uring_probe");
        String compileOut = AbiMatchesCTest.run(List.of(cc.toString(), "-o", bin.toString(), src.toString()), dir);
        assertThat(bin).as("compiled probe; the compiler said: %s", compileOut).exists();
        String out = AbiMatchesCTest.run(List.of(bin.toString()), dir);
        Map<String, Long> c = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) continue;
            String[] parts = line.trim().split(" ");
            assertThat(parts).as("probe line '%s'", line).hasSize(2);
            c.put(parts[0], Long.parseLong(parts[1]));
        }
        Map<String, Long> java = new TreeMap<>();
        for (Field f : IoUring.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (!Modifier.isStatic(m) || !Modifier.isFinal(m)) continue;
            if (f.getType() != int.class && f.getType() != long.class) continue;
            f.setAccessible(true);
            java.put(f.getName(), ((Number) f.get(null)).longValue());
        }
        assertThat(java).as("IoUring's constants").hasSizeGreaterThan(50);
        for (Map.Entry<String, Long> e : java.entrySet()) {
            assertThat(c).as("the probe prints %s", e.getKey()).containsKey(e.getKey());
            assertThat(e.getValue()).as("IoUring.%s against C", e.getKey()).isEqualTo(c.get(e.getKey()));
        }
        for (Map.Entry<String, String> e : SAME_AS.entrySet()) {
            assertThat(c.get(e.getKey()))
                    .as("%s = %s", e.getKey(), e.getValue())
                    .isEqualTo(java.get(e.getValue()));
        }
        for (String name : c.keySet()) {
            assertThat(java.containsKey(name) || SAME_AS.containsKey(name))
                    .as("the probe's %s is a constant of IoUring", name)
                    .isTrue();
        }
    }
}

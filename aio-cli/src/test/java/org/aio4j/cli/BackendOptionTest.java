package org.aio4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.aio4j.engine.EngineBackend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --backend}: {@code cat} and {@code copy} on io_uring in a fresh JVM (the shared engine is per process). */
class BackendOptionTest {
    @TempDir
    Path tmp;

    private record Run(int exit, String out, String err) {}

    private static Run aio(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                AioCli.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void catAndCopyRunOnIoUring() throws Exception {
        Assumptions.assumeTrue(
                EngineBackend.IO_URING.isAvailable(),
                () -> "io_uring unavailable here: " + EngineBackend.IO_URING.unavailabilityCause());
        Path src = tmp.resolve("src.txt");
        byte[] data = new byte[300_000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) ('a' + i % 26);
        Files.write(src, data);
        Run cat = aio("cat", "--backend", "io_uring", src.toString());
        assertThat(cat.exit()).as(cat.err()).isZero();
        assertThat(cat.out().getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(data);
        Path dst = tmp.resolve("dst.txt");
        Run copy = aio("copy", "--backend", "io_uring", src.toString(), dst.toString());
        assertThat(copy.exit()).as(copy.err()).isZero();
        assertThat(Files.readAllBytes(dst)).isEqualTo(data);
    }

    @Test
    void anUnknownBackendIsAUsageError() throws Exception {
        Run r = aio("cat", "--backend", "uring", tmp.toString());
        assertThat(r.exit()).isEqualTo(AioCli.EXIT_USAGE);
        assertThat(r.err()).contains("--backend");
    }
}

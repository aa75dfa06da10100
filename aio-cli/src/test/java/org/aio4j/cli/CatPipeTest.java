package org.aio4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aio cat} in a shell pipe whose reader goes away ({@code aio cat big | head -c 10}). */
class CatPipeTest {
    @TempDir
    Path tmp;

    @Test
    void closedPipeEndsQuietlyWith141() throws Exception {
        Path big = tmp.resolve("big.bin");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(1L << 30);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        AioCli.class.getName(),
                        "cat",
                        big.toString())
                .start();
        try {
            InputStream out = p.getInputStream();
            byte[] ten = out.readNBytes(10);
            assertThat(ten).hasSize(10).containsOnly((byte) 0);
            out.close(); // the reader goes away, like head -c 10
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(err).isEqualTo(AioCli.EXIT_BROKEN_PIPE);
            assertThat(err).doesNotContain("Exception");
        } finally {
            p.destroyForcibly();
        }
    }
}

package org.aio4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real signals to {@code aio copy} in a child JVM, mid-copy: SIGINT, SIGTERM and SIGHUP each end it with 128 + the
 * signal number, remove the temporary file, and leave the destination as it was (a pre-existing one byte for byte,
 * a new one not created). The copy is kept running by a 4 GiB sparse source read through AIO in 4 KiB reads
 * ({@code --no-kernel-copy}; the kernel copy would skip the holes at once).
 */
class CopySignalsTest {
    @TempDir
    Path tmp;

    private Path sparseSource() throws Exception {
        Path src = tmp.resolve("sparse.bin");
        try (RandomAccessFile f = new RandomAccessFile(src.toFile(), "rw")) {
            f.setLength(4L << 30); // 4 GiB of holes: costs no disk, takes long at 4 KiB per AIO read
        }
        return src;
    }

    private static Process aio(String... args) throws Exception {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.add("-cp");
        c.add(System.getProperty("java.class.path"));
        c.add(AioCli.class.getName());
        c.addAll(List.of(args));
        return new ProcessBuilder(c).start();
    }

    record Result(int exit, String err) {}

    /** Starts the slow copy, waits for its first progress line, checks the state mid-copy, sends the signal. */
    private Result copyAndSignal(Path src, Path dst, String signal, byte[] existing, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "copy",
                src.toString(),
                dst.toString(),
                "--no-kernel-copy",
                "--chunk",
                "4k",
                "--in-flight",
                "1",
                "--progress",
                "plain",
                "--progress-interval",
                "100"));
        args.addAll(List.of(extra));
        Process p = aio(args.toArray(String[]::new));
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine(); // the first progress line: the copy is running
            assertThat(line).as("first progress line").isNotNull().startsWith("copy: ");
            // mid-copy: the bytes go to the temporary file, the destination is as it was
            assertThat(CopyCancelTest.temps(dst)).hasSize(1);
            if (existing == null) assertThat(dst).doesNotExist();
            else assertThat(Files.readAllBytes(dst)).isEqualTo(existing);

            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(kill.exitValue()).isZero();
            assertThat(p.waitFor(30, TimeUnit.SECONDS))
                    .as("exited after SIG" + signal)
                    .isTrue();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(p.exitValue(), err);
        } finally {
            p.destroyForcibly();
        }
    }

    @ParameterizedTest(name = "SIG{0} -> exit {1}, destination existed: {2}")
    @CsvSource({"INT, 130, true", "TERM, 143, true", "HUP, 129, true", "TERM, 143, false", "INT, 130, false"})
    void aSignalMidCopyRemovesTheTemporaryFileAndLeavesTheDestination(String signal, int code, boolean existed)
            throws Exception {
        Path src = sparseSource();
        Path dst = tmp.resolve("copy.bin");
        byte[] before = null;
        if (existed) {
            before = new byte[100_000];
            new Random(7).nextBytes(before);
            Files.write(dst, before);
        }
        Result r = copyAndSignal(src, dst, signal, before);
        assertThat(r.exit()).as(r.err()).isEqualTo(code);
        assertThat(r.err())
                .contains("interrupted (SIG" + signal + ") after")
                .contains("removed partial copy")
                .contains(dst + (existed ? " unchanged" : " not created"))
                .doesNotContain("\tat ");
        assertThat(CopyCancelTest.temps(dst)).as("temporary files left").isEmpty();
        if (existed) assertThat(Files.readAllBytes(dst)).as("the destination").isEqualTo(before);
        else assertThat(dst).doesNotExist();
    }

    @Test
    void keepPartialKeepsTheTemporaryFileAndStillLeavesTheDestination() throws Exception {
        Path src = sparseSource();
        Path dst = tmp.resolve("copy.bin");
        byte[] before = "the old contents".getBytes(StandardCharsets.US_ASCII);
        Files.write(dst, before);
        Result r = copyAndSignal(src, dst, "TERM", before, "--keep-partial");
        assertThat(r.exit()).as(r.err()).isEqualTo(143);
        List<Path> temps = CopyCancelTest.temps(dst);
        assertThat(temps).hasSize(1);
        assertThat(r.err()).contains("kept partial copy " + temps.get(0)).contains(dst + " unchanged");
        assertThat(Files.readAllBytes(dst)).isEqualTo(before);
    }
}

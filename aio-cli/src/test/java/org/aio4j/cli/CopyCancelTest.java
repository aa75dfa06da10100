package org.aio4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.CopyOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Ctrl-C does to {@code aio copy}: the cancel path, programmatically and with a real SIGINT. */
class CopyCancelTest {
    @TempDir
    Path tmp;

    static long openFds(Path file) throws IOException {
        Path real = file.toAbsolutePath().normalize();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                        try {
                            Path target = Files.readSymbolicLink(fd);
                            return target.equals(real) || target.toString().startsWith(real + " (deleted)");
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .count();
        }
    }

    static long awaitNoFds(Path file) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long n;
        while ((n = openFds(file)) > 0 && System.nanoTime() < deadline) Thread.sleep(10);
        return n;
    }

    private Path source(int size) throws IOException {
        byte[] data = new byte[size];
        new Random(11).nextBytes(data);
        return Files.write(tmp.resolve("source.bin"), data);
    }

    private CopyJob.Outcome cancelAfterFirstProgress(Path src, Path dst, boolean keepPartial) throws Exception {
        AtomicBoolean first = new AtomicBoolean(true);
        CopyJob[] job = new CopyJob[1];
        job[0] = new CopyJob(
                src,
                dst,
                CopyOptions.defaults().chunkSize(64 * 1024).maxInFlight(4).replaceExisting(true),
                null,
                keepPartial);
        job[0].start(p -> {
            if (!p.done() && first.getAndSet(false)) job[0].cancel();
        });
        return job[0].await();
    }

    @Test
    void cancelMidCopyRemovesThePartialTargetAndLeaksNothing() throws Exception {
        Path src = source(32 * 1024 * 1024);
        Path dst = tmp.resolve("target.bin");
        int chunksBefore = AioFiles.outstandingChunks();
        int opsBefore = CopyJob.opsInFlight();

        CopyJob.Outcome outcome = cancelAfterFirstProgress(src, dst, false);

        assertThat(outcome.state()).isEqualTo(CopyJob.State.CANCELLED);
        assertThat(outcome.last()).isNotNull();
        assertThat(outcome.last().bytesDone()).isLessThan(Files.size(src));
        assertThat(outcome.partialRemoved()).isTrue();
        assertThat(dst).doesNotExist();
        assertThat(awaitNoFds(src)).as("fds open on the source").isZero();
        assertThat(awaitNoFds(dst)).as("fds open on the target").isZero();
        assertThat(CopyJob.opsInFlight()).isEqualTo(opsBefore);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (AioFiles.outstandingChunks() != chunksBefore && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(AioFiles.outstandingChunks())
                .as("pooled chunks not returned")
                .isEqualTo(chunksBefore);
    }

    @Test
    void keepPartialKeepsAPrefixOfTheSource() throws Exception {
        Path src = source(32 * 1024 * 1024);
        Path dst = tmp.resolve("target.bin");
        CopyJob.Outcome outcome = cancelAfterFirstProgress(src, dst, true);
        assertThat(outcome.state()).isEqualTo(CopyJob.State.CANCELLED);
        assertThat(outcome.partialRemoved()).isFalse();
        assertThat(awaitNoFds(dst)).isZero();
        byte[] partial = Files.readAllBytes(dst);
        byte[] all = Files.readAllBytes(src);
        assertThat(partial.length).isLessThan(all.length);
        // a prefix: completed writes are contiguous up to the first hole, anything written equals the source
        for (int i = 0; i < partial.length; i++) {
            if (partial[i] != all[i] && partial[i] != 0) {
                throw new AssertionError("byte " + i + " differs from the source");
            }
        }
        assertThat(Arrays.equals(partial, 0, Math.min(partial.length, 4096), all, 0, Math.min(partial.length, 4096)))
                .isTrue();
    }

    @Test
    void cancelIsIdempotentAndAnErrorDoesNotRemoveAnExistingTarget() throws Exception {
        Path dst = Files.writeString(tmp.resolve("existing.txt"), "keep me");
        CopyJob job = new CopyJob(
                tmp.resolve("missing.bin"), dst, CopyOptions.defaults().replaceExisting(true), null, false);
        CopyJob.Outcome outcome = job.start(p -> {}).await();
        assertThat(outcome.state()).isEqualTo(CopyJob.State.FAILED);
        assertThat(Errors.describe(outcome.error())).contains("missing.bin");
        assertThat(outcome.partialRemoved()).isFalse();
        job.cancel();
        job.cancel();
        // the file the user had is not removed (aio-reactor's copy opens, and so truncates, the target even when the
        // source cannot be opened; the CLI checks the source before it starts)
        assertThat(dst).exists();
    }

    /** A real Ctrl-C: a child JVM runs {@code aio copy}, gets SIGINT mid-copy, exits 130 and removes the target. */
    @Test
    void sigintExits130AndRemovesThePartialTarget() throws Exception {
        Path src = tmp.resolve("sparse.bin");
        try (RandomAccessFile f = new RandomAccessFile(src.toFile(), "rw")) {
            f.setLength(4L << 30); // 4 GiB of holes: costs no disk, takes long at 4 KiB per op
        }
        Path dst = tmp.resolve("copy.bin");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        AioCli.class.getName(),
                        "copy",
                        src.toString(),
                        dst.toString(),
                        "--chunk",
                        "4k",
                        "--in-flight",
                        "1",
                        "--progress",
                        "plain",
                        "--progress-interval",
                        "100")
                .redirectError(ProcessBuilder.Redirect.PIPE)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine(); // the first progress line: the copy is running
            assertThat(line).as("first progress line").isNotNull().startsWith("copy: ");
            assertThat(dst).exists();
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(p.waitFor(30, TimeUnit.SECONDS))
                    .as("exited after SIGINT")
                    .isTrue();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(err).isEqualTo(AioCli.EXIT_INTERRUPTED);
            assertThat(err).contains("interrupted after").contains("removed partial");
            assertThat(dst).doesNotExist();
        } finally {
            p.destroyForcibly();
        }
    }
}

package org.aio4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.CopyOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The cancel path of {@code aio copy} in-process (what a signal calls): the temporary file goes, the destination
 * stays as it was, nothing leaks; cancel and the final rename exclude each other. Real signals: {@link
 * CopySignalsTest}.
 */
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

    /** The temporary files ({@code .NAME.*.part}) of {@code dst} left in its directory. */
    static List<Path> temps(Path dst) throws IOException {
        String prefix = "." + dst.getFileName() + ".";
        try (Stream<Path> s = Files.list(dst.getParent())) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)
                            && p.getFileName().toString().endsWith(".part"))
                    .toList();
        }
    }

    private CopyJob cancelAfterFirstProgress(Path src, Path dst, boolean keepPartial, boolean kernel) throws Exception {
        AtomicBoolean first = new AtomicBoolean(true);
        CopyJob[] job = new CopyJob[1];
        job[0] = new CopyJob(
                src,
                dst,
                CopyOptions.defaults().chunkSize(64 * 1024).maxInFlight(4).kernelCopy(kernel),
                null,
                keepPartial);
        job[0].start(p -> {
            if (!p.done() && first.getAndSet(false)) job[0].cancel();
        });
        return job[0];
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void cancelMidCopyRemovesTheTemporaryFileAndLeaksNothing(boolean kernel) throws Exception {
        Path src = source(32 * 1024 * 1024);
        Path dst = tmp.resolve("target.bin");
        int chunksBefore = AioFiles.outstandingChunks();
        int opsBefore = CopyJob.opsInFlight();

        CopyJob job = cancelAfterFirstProgress(src, dst, false, kernel);
        CopyJob.Outcome outcome = job.await();

        assertThat(outcome.state()).isEqualTo(CopyJob.State.CANCELLED);
        assertThat(outcome.last()).isNotNull();
        assertThat(outcome.last().bytesDone()).isLessThan(Files.size(src));
        assertThat(outcome.tempKept()).isFalse();
        assertThat(dst).doesNotExist();
        assertThat(job.temp()).doesNotExist();
        assertThat(temps(dst)).isEmpty();
        assertThat(awaitNoFds(src)).as("fds open on the source").isZero();
        assertThat(awaitNoFds(job.temp())).as("fds open on the temporary file").isZero();
        assertThat(CopyJob.opsInFlight()).isEqualTo(opsBefore);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (AioFiles.outstandingChunks() != chunksBefore && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(AioFiles.outstandingChunks())
                .as("pooled chunks not returned")
                .isEqualTo(chunksBefore);
    }

    @Test
    void keepPartialKeepsTheTemporaryFileWithAPrefixOfTheSourceAndNoDestination() throws Exception {
        Path src = source(32 * 1024 * 1024);
        Path dst = tmp.resolve("target.bin");
        CopyJob job = cancelAfterFirstProgress(src, dst, true, false);
        CopyJob.Outcome outcome = job.await();
        assertThat(outcome.state()).isEqualTo(CopyJob.State.CANCELLED);
        assertThat(outcome.tempKept()).isTrue();
        assertThat(dst).doesNotExist();
        assertThat(temps(dst)).containsExactly(job.temp());
        assertThat(awaitNoFds(job.temp())).isZero();
        byte[] partial = Files.readAllBytes(job.temp());
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
    void anErrorLeavesAnExistingDestinationAndNoTemporaryFile() throws Exception {
        Path dst = Files.writeString(tmp.resolve("existing.txt"), "keep me");
        CopyJob job = new CopyJob(tmp.resolve("missing.bin"), dst, CopyOptions.defaults(), null, false);
        CopyJob.Outcome outcome = job.start(p -> {}).await();
        assertThat(outcome.state()).isEqualTo(CopyJob.State.FAILED);
        assertThat(Errors.describe(outcome.error())).contains("missing.bin");
        assertThat(job.cancel()).as("a cancel after the end").isFalse();
        assertThat(job.cancel()).isFalse();
        assertThat(Files.readString(dst)).isEqualTo("keep me");
        assertThat(temps(dst)).isEmpty();
    }

    @Test
    void aCancelAfterTheCopyCompletedIsRefusedOnceTheRenameBegan() throws Exception {
        Path src = source(100_000);
        Path dst = Files.writeString(tmp.resolve("existing.bin"), "old");
        CopyJob job = new CopyJob(src, dst, CopyOptions.defaults(), null, false).start(p -> {});
        CopyJob.Outcome outcome = job.await();
        assertThat(outcome.state()).isEqualTo(CopyJob.State.DONE);
        assertThat(job.cancel(Interrupts.SIGTERM)).isFalse();
        assertThat(Files.readAllBytes(dst)).isEqualTo(Files.readAllBytes(src));
        assertThat(temps(dst)).isEmpty();
    }

    @Test
    void aCancelRightAfterTheStartLeavesNoTemporaryFile() throws Exception {
        Path src = source(4 * 1024 * 1024);
        Path dst = tmp.resolve("racy.bin");
        for (int i = 0; i < 30; i++) {
            CopyJob job = new CopyJob(src, dst, CopyOptions.defaults().kernelCopy(i % 2 == 0), null, false);
            job.start(p -> {});
            if (i % 3 != 0) Thread.onSpinWait();
            job.cancel(Interrupts.SIGTERM);
            CopyJob.Outcome outcome = job.await();
            assertThat(outcome.state()).isEqualTo(CopyJob.State.CANCELLED);
            assertThat(temps(dst)).as("iteration %d", i).isEmpty();
            assertThat(dst).doesNotExist();
        }
    }

    @Test
    void aTemporaryNameThatIsTakenIsNotRemoved() throws Exception {
        Path src = source(100_000);
        Path dst = Files.writeString(tmp.resolve("dst.bin"), "old");
        CopyJob job = new CopyJob(src, dst, CopyOptions.defaults(), null, false);
        Files.writeString(job.temp(), "someone else's");
        CopyJob.Outcome outcome = job.start(p -> {}).await();
        assertThat(outcome.state()).isEqualTo(CopyJob.State.FAILED);
        assertThat(Errors.describe(outcome.error())).contains("already exists: " + job.temp());
        assertThat(Files.readString(job.temp())).isEqualTo("someone else's");
        assertThat(Files.readString(dst)).isEqualTo("old");
    }

    @Test
    void aCancelBeforeTheStartCreatesNothing() throws Exception {
        Path src = source(100_000);
        Path dst = tmp.resolve("new.bin");
        CopyJob job = new CopyJob(src, dst, CopyOptions.defaults(), null, false);
        assertThat(job.cancel(Interrupts.SIGHUP)).isTrue();
        CopyJob.Outcome outcome = job.start(p -> {}).await();
        assertThat(outcome.state()).isEqualTo(CopyJob.State.CANCELLED);
        assertThat(outcome.signal()).isEqualTo(Interrupts.SIGHUP);
        assertThat(dst).doesNotExist();
        assertThat(temps(dst)).isEmpty();
    }
}

package org.aio4j.reactor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.internal.Errno;
import org.aio4j.internal.KernelCopy;
import org.aio4j.reactor.TestFiles;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * The kernel-copy mode of a copy's {@link WriteMono} with a fake {@link KernelCopier}: steps run on the blocking
 * scheduler one at a time, a cancel waits for the step in flight before the files are closed, a refusal falls back
 * to reads and writes, and a step's error is signalled after the files were closed.
 */
class KernelCopyOperatorTest {
    static final OpenOption[] CREATE = {
        StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE
    };

    @TempDir
    Path dir;

    ChunkPool pool;
    Scheduler blocking;

    @BeforeEach
    void before() {
        pool = new ChunkPool(1 << 20, 1 << 20);
        blocking = Schedulers.newBoundedElastic(4, 100, "kstep");
    }

    @AfterEach
    void after() {
        TestFiles.await(() -> pool.outstanding() == 0, () -> "chunks back, outstanding " + pool.outstanding());
        TestFiles.await(() -> TestFiles.openFdsUnder(dir) == 0, () -> "fds closed: " + TestFiles.fdTargets());
        blocking.dispose();
    }

    /** A copy of {@code src} to {@code dst} as AioFiles builds it, with {@code kernel} as the kernel copier. */
    private WriteMono copy(Path src, Path dst, KernelCopier kernel, @Nullable LongConsumer onProgress) {
        AioOps ops = EngineOps.of(null);
        CopySource opened = new CopySource(src, dst, kernel, null);
        ReadFlux read = new ReadFlux(ops, src, 64 << 10, 4, 0, Long.MAX_VALUE, pool, null, blocking, null, opened);
        return new WriteMono(read, ops, dst, CREATE, 4, false, pool, null, blocking, onProgress, opened);
    }

    /** A fake kernel copy: each step adds {@code per} to the position, waiting for {@code gate} first. */
    static final class FakeCopy implements KernelCopier.Copy {
        final AioFile in;
        final AioFile out;
        final long size;
        final long per;
        final CountDownLatch entered = new CountDownLatch(1);
        volatile CountDownLatch gate = new CountDownLatch(0);
        final AtomicInteger steps = new AtomicInteger();
        final List<String> threads = new CopyOnWriteArrayList<>();
        final List<Boolean> openAtReturn = new CopyOnWriteArrayList<>();
        volatile KernelCopy.Step first;
        volatile AioException failAt2;
        long pos;

        FakeCopy(AioFile in, AioFile out, long size, long per) {
            this.in = in;
            this.out = out;
            this.size = size;
            this.per = per;
        }

        @Override
        public KernelCopy.Step step() throws AioException {
            int n = steps.incrementAndGet();
            threads.add(Thread.currentThread().getName());
            entered.countDown();
            try {
                assertThat(gate.await(20, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            openAtReturn.add(in.isOpen() && out.isOpen() && in.fd() >= 0);
            if (n == 1 && first != null) return first;
            if (n == 2 && failAt2 != null) throw failAt2;
            pos = Math.min(size, pos + per);
            return pos >= size ? KernelCopy.Step.DONE : KernelCopy.Step.MORE;
        }

        @Override
        public long position() {
            return pos;
        }
    }

    @Test
    void stepsRunOneAtATimeOnTheBlockingSchedulerAndReportProgress() throws Exception {
        Path src = TestFiles.create(dir.resolve("src"), 1000, 1);
        Path dst = dir.resolve("dst");
        FakeCopy[] fake = new FakeCopy[1];
        List<Long> progress = new CopyOnWriteArrayList<>();
        WriteMono w = copy(src, dst, (in, out, size) -> fake[0] = new FakeCopy(in, out, size, 300), progress::add);
        StepVerifier.create(w).expectNext(1000L).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(progress).containsExactly(300L, 600L, 900L, 1000L);
        assertThat(fake[0].threads).hasSize(4).allSatisfy(t -> assertThat(t).startsWith("kstep"));
        assertThat(new java.util.HashSet<>(fake[0].threads))
                .as("one task runs every step")
                .hasSize(1);
        assertThat(fake[0].openAtReturn).containsOnly(true);
    }

    @Test
    void aCancelWaitsForTheStepInFlightBeforeTheFilesAreClosed() throws Exception {
        Path src = TestFiles.create(dir.resolve("src"), 1000, 2);
        Path dst = dir.resolve("dst");
        FakeCopy[] fake = new FakeCopy[1];
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger signals = new AtomicInteger();
        WriteMono w = copy(
                src,
                dst,
                (in, out, size) -> {
                    FakeCopy f = new FakeCopy(in, out, size, 100);
                    f.gate = gate;
                    return fake[0] = f;
                },
                null);
        Disposable d = w.subscribe(v -> signals.incrementAndGet(), e -> signals.incrementAndGet());
        TestFiles.await(() -> fake[0] != null && fake[0].entered.getCount() == 0, () -> "a step running");
        d.dispose();
        Thread.sleep(100);
        assertThat(TestFiles.openFdsUnder(dir))
                .as("both files open while the step runs")
                .isEqualTo(2);
        assertThat(fake[0].in.isOpen()).isTrue();
        assertThat(fake[0].out.isOpen()).isTrue();
        gate.countDown();
        TestFiles.await(() -> TestFiles.openFdsUnder(dir) == 0, () -> "files closed after the step");
        Thread.sleep(50);
        assertThat(fake[0].steps.get()).as("no step after the cancel").isEqualTo(1);
        assertThat(fake[0].openAtReturn).containsExactly(true);
        assertThat(signals.get()).as("nothing signalled after a cancel").isZero();
    }

    @Test
    void aRefusalFallsBackToReadsAndWritesByteExact() throws Exception {
        int size = 1_000_003;
        Path src = TestFiles.create(dir.resolve("src"), size, 3);
        Path dst = dir.resolve("dst");
        FakeCopy[] fake = new FakeCopy[1];
        List<Long> progress = new CopyOnWriteArrayList<>();
        WriteMono w = copy(
                src,
                dst,
                (in, out, n) -> {
                    FakeCopy f = new FakeCopy(in, out, n, 100);
                    f.first = KernelCopy.Step.REFUSED;
                    return fake[0] = f;
                },
                progress::add);
        StepVerifier.create(w).expectNext((long) size).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(fake[0].steps.get()).isEqualTo(1);
        assertThat(Files.mismatch(src, dst)).isEqualTo(-1L);
        assertThat(progress).isSorted().last().isEqualTo((long) size);
        assertThat(progress.get(0)).as("64 KiB AIO writes").isLessThanOrEqualTo(64 << 10);
    }

    @Test
    void aStepErrorIsSignalledAfterBothFilesAreClosed() throws Exception {
        Path src = TestFiles.create(dir.resolve("src"), 1000, 4);
        Path dst = dir.resolve("dst");
        AioException enospc = AioException.of("copy_file_range", Errno.ENOSPC.value(), dst, 100);
        WriteMono w = copy(
                src,
                dst,
                (in, out, n) -> {
                    FakeCopy f = new FakeCopy(in, out, n, 100);
                    f.failAt2 = enospc;
                    return f;
                },
                null);
        List<Long> fdsAtError = new CopyOnWriteArrayList<>();
        StepVerifier.create(w.doOnError(e -> fdsAtError.add(TestFiles.openFdsUnder(dir))))
                .expectErrorSatisfies(e -> assertThat(e).isSameAs(enospc))
                .verify(Duration.ofSeconds(10));
        assertThat(fdsAtError).containsExactly(0L);
    }

    @Test
    void noKernelCopierOrNoneThatAppliesCopiesWithReadsAndWrites() throws Exception {
        int size = 300_000;
        Path src = TestFiles.create(dir.resolve("src"), size, 5);
        StepVerifier.create(copy(src, dir.resolve("a"), (in, out, n) -> null, null))
                .expectNext((long) size)
                .verifyComplete();
        assertThat(Files.mismatch(src, dir.resolve("a"))).isEqualTo(-1L);
    }
}

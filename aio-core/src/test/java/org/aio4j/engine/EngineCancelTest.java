package org.aio4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.aio4j.AioCancelledException;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.internal.NativeLib;
import org.aio4j.internal.NativeMemory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Cancellation and glibc's queue-stranding bug: {@code aio_cancel(fd, aiocb)} of a request that heads its fd
 * number's queue and was not yet taken by a helper thread marks the next request "running" without putting it on
 * the run list, so every later request on that fd number waits forever. The engine must never let that happen.
 *
 * <p>The deterministic set-up: every glibc helper thread is kept busy by 1-byte reads on dup'd read ends of a pipe
 * nobody writes yet (more reads than glibc's default 20 threads), so requests on the file under test stay queued,
 * untaken, until the pipe is written.
 */
class EngineCancelTest {
    static final int BLOCK = 4096;
    static final int BUSY = 100;
    static final int RACE_ITERATIONS = Integer.getInteger("aio4j.engine.cancelRaceIterations", 2_000);

    /** The race tests run a quarter of the iterations on io_uring (CI time; the glibc guard is what needs many). */
    static int raceIterations(EngineBackend backend) {
        return backend == EngineBackend.IO_URING ? Math.max(1, RACE_ITERATIONS / 4) : RACE_ITERATIONS;
    }

    @TempDir
    Path dir;

    /** Records each op's outcome by index; counts calls so a second call is seen. */
    static final class Recorder implements AioHandler<Integer> {
        final AtomicIntegerArray calls;
        final long[] results;
        final AioException[] errors;
        final CountDownLatch done;

        Recorder(int n) {
            calls = new AtomicIntegerArray(n);
            results = new long[n];
            errors = new AioException[n];
            done = new CountDownLatch(n);
        }

        @Override
        public void completed(long result, Integer i) {
            results[i] = result;
            if (calls.incrementAndGet(i) == 1) done.countDown();
        }

        @Override
        public void failed(AioException error, Integer i) {
            errors[i] = error;
            results[i] = -1;
            if (calls.incrementAndGet(i) == 1) done.countDown();
        }

        int called() {
            int n = 0;
            for (int i = 0; i < calls.length(); i++) if (calls.get(i) > 0) n++;
            return n;
        }

        boolean await(long millis) throws InterruptedException {
            return done.await(millis, TimeUnit.MILLISECONDS);
        }

        void assertEachCalledOnce() {
            for (int i = 0; i < calls.length(); i++) {
                assertThat(calls.get(i)).as("handler calls of op %d", i).isEqualTo(1);
            }
        }
    }

    /**
     * Keeps every glibc helper thread busy: {@code n} 1-byte reads, each on its own dup of a pipe's read end, through
     * their own engine. {@link #release()} writes {@code n} bytes, so every read completes.
     */
    static final class BusyHelpers implements AutoCloseable {
        final AioEngine engine;
        final AioFile readEnd;
        final int wfd;
        final List<AioFile> dups = new ArrayList<>();
        final Recorder rec;
        boolean released;

        BusyHelpers(int n) throws Exception {
            long fds = NativeMemory.allocate(8);
            try {
                assertThat(NativeLib.libc().pipe(fds)).isZero();
                readEnd = AioFile.adopt(NativeMemory.getInt(fds), null);
                wfd = NativeMemory.getInt(fds + 4);
            } finally {
                NativeMemory.free(fds, 8);
            }
            engine = AioEngine.builder()
                    .name("busy")
                    .cachedReadFastPath(false)
                    .maxInFlight(n)
                    .build();
            rec = new Recorder(n);
            for (int i = 0; i < n; i++) {
                AioFile d = readEnd.dup();
                dups.add(d);
                engine.read(d, 0, ByteBuffer.allocateDirect(1), i, rec);
            }
            // glibc hands a request to an idle helper by queueing it; let every helper take one (no call tells).
            Thread.sleep(250);
        }

        void release() throws InterruptedException {
            if (released) return;
            released = true;
            long buf = NativeMemory.allocate(BUSY);
            try {
                long left = rec.calls.length();
                while (left > 0) {
                    long w = NativeLib.libc().write(wfd, buf, left);
                    assertThat(w).isPositive();
                    left -= w;
                }
            } finally {
                NativeMemory.free(buf, BUSY);
            }
            assertThat(rec.await(10_000)).as("the busy reads finish").isTrue();
        }

        @Override
        public void close() throws Exception {
            release();
            engine.close();
            for (AioFile d : dups) d.close();
            readEnd.close();
            NativeLib.libc().close(wfd);
        }
    }

    private Path dataFile(int blocks) throws Exception {
        Path p = dir.resolve("data");
        EngineTestSupport.writeInitial(p, blocks, BLOCK);
        return p;
    }

    private static ByteBuffer[] buffers(int n) {
        ByteBuffer[] b = new ByteBuffer[n];
        for (int i = 0; i < n; i++) b[i] = ByteBuffer.allocateDirect(BLOCK);
        return b;
    }

    /** Nothing of ours ran yet: the helpers are all busy, so our requests are queued and untaken. */
    private static void assumeQueuedUntaken(Recorder rec) throws InterruptedException {
        Thread.sleep(250);
        Assumptions.assumeTrue(
                rec.called() == 0, "could not keep every glibc helper thread busy (aio_init with more threads?)");
    }

    /**
     * The reproduction through the engine: four reads queued on one fd behind busy helpers, cancel of the head by
     * token. With a plain per-op {@code aio_cancel} glibc strands reads 1..3 forever; the engine must refuse the
     * cancel (the head is not alone on its fd number) and let all four complete normally.
     */
    @Test
    void cancellingTheUntakenHeadOfAnFdQueueStrandsNothing() throws Exception {
        Path p = dataFile(4);
        var base = EngineTestSupport.Baseline.take();
        try (AioEngine engine = AioEngine.builder()
                        .cachedReadFastPath(false)
                        .maxInFlight(16)
                        .build();
                AioFile f = AioFile.open(p)) {
            Recorder rec = new Recorder(4);
            ByteBuffer[] bufs = buffers(4);
            boolean cancelled;
            boolean allDone;
            int calledInTime;
            try (BusyHelpers busy = new BusyHelpers(BUSY)) {
                long[] tokens = new long[4];
                for (int i = 0; i < 4; i++) tokens[i] = engine.read(f, (long) i * BLOCK, bufs[i], i, rec);
                for (long t : tokens) assertThat(t).isNotZero();
                assumeQueuedUntaken(rec);
                cancelled = engine.cancel(tokens[0]);
                busy.release();
                allDone = rec.await(5_000);
                calledInTime = rec.called();
                if (!allDone) {
                    // free what glibc stranded, so that the engine can close (only aio_cancel(fd, NULL) does)
                    NativeLib.libc().aio_cancel(f.fd(), 0);
                    rec.await(5_000);
                }
            }
            assertThat(allDone)
                    .as(
                            "reads behind a cancelled untaken head never completed (glibc stranded the fd queue);"
                                    + " cancel returned %s, %d of 4 handlers called",
                            cancelled, calledInTime)
                    .isTrue();
            assertThat(cancelled)
                    .as("cancel of a head that is not alone on its fd")
                    .isFalse();
            rec.assertEachCalledOnce();
            for (int i = 0; i < 4; i++) {
                assertThat(rec.errors[i]).isNull();
                assertThat(rec.results[i]).isEqualTo(BLOCK);
                assertThat(EngineTestSupport.matches(bufs[i], i, 0)).isTrue();
            }
            assertThat(engine.metrics().cancelled()).isZero();
            // the fd still works
            assertThat(engine.read(f, 0, bufs[0]).get(5, TimeUnit.SECONDS)).isEqualTo(BLOCK);
        }
        base.assertBack();
    }

    /** The future form refuses the same way: future.cancel returns false and the future completes normally. */
    @Test
    void futureCancelOfAQueuedHeadThatIsNotAloneReturnsFalse() throws Exception {
        Path p = dataFile(2);
        try (AioEngine engine = AioEngine.builder()
                        .cachedReadFastPath(false)
                        .maxInFlight(16)
                        .build();
                AioFile f = AioFile.open(p)) {
            ByteBuffer a = ByteBuffer.allocateDirect(BLOCK), b = ByteBuffer.allocateDirect(BLOCK);
            java.util.concurrent.CompletableFuture<Integer> fa, fb;
            boolean cancelled;
            try (BusyHelpers busy = new BusyHelpers(BUSY)) {
                fa = engine.read(f, 0, a);
                fb = engine.read(f, BLOCK, b);
                Thread.sleep(250);
                Assumptions.assumeFalse(fa.isDone() || fb.isDone(), "could not keep every glibc helper thread busy");
                cancelled = fa.cancel(false);
                busy.release();
                assertThat(fb.get(5, TimeUnit.SECONDS)).isEqualTo(BLOCK);
            }
            assertThat(cancelled).isFalse();
            assertThat(fa.get(5, TimeUnit.SECONDS)).isEqualTo(BLOCK);
            assertThat(EngineTestSupport.matches(a, 0, 0)).isTrue();
            assertThat(EngineTestSupport.matches(b, 1, 0)).isTrue();
        }
    }

    /** An op alone on its fd number is cancelled for real: it completes as cancelled, once. */
    @Test
    void aQueuedOpAloneOnItsFdIsCancelled() throws Exception {
        Path p = dataFile(1);
        try (AioEngine engine = AioEngine.builder()
                        .cachedReadFastPath(false)
                        .maxInFlight(4)
                        .build();
                AioFile f = AioFile.open(p)) {
            Recorder rec = new Recorder(1);
            boolean cancelled;
            try (BusyHelpers busy = new BusyHelpers(BUSY)) {
                long t = engine.read(f, 0, ByteBuffer.allocateDirect(BLOCK), 0, rec);
                assumeQueuedUntaken(rec);
                cancelled = engine.cancel(t);
                assertThat(rec.await(5_000))
                        .as("a cancelled op is reaped without a helper")
                        .isTrue();
            }
            assertThat(cancelled).isTrue();
            rec.assertEachCalledOnce();
            assertThat(rec.errors[0]).isInstanceOf(AioCancelledException.class);
            assertThat(engine.metrics().cancelled()).isEqualTo(1);
            assertThat(engine.read(f, 0, ByteBuffer.allocateDirect(BLOCK)).get(5, TimeUnit.SECONDS))
                    .isEqualTo(BLOCK);
        }
    }

    /**
     * cancelAll(file) with 64 queued reads on one file spread over 4 lanes, half of them waiting in the overflow
     * queue: every one completes as cancelled exactly once, none is stranded, and the file works afterwards.
     */
    @Test
    void cancelAllCancelsEveryQueuedOpOfTheFileOnEveryLane() throws Exception {
        int n = 64;
        Path p = dataFile(n);
        var base = EngineTestSupport.Baseline.take();
        try (AioEngine engine = AioEngine.builder()
                        .cachedReadFastPath(false)
                        .lanes(4)
                        .maxInFlight(32)
                        .build();
                AioFile f = AioFile.open(p)) {
            Recorder rec = new Recorder(n);
            ByteBuffer[] bufs = buffers(n);
            int count;
            try (BusyHelpers busy = new BusyHelpers(BUSY)) {
                for (int i = 0; i < n; i++) engine.read(f, (long) i * BLOCK, bufs[i], i, rec);
                assumeQueuedUntaken(rec);
                assertThat(engine.metrics().queued()).isEqualTo(n - 32);
                count = engine.cancelAll(f);
                assertThat(rec.await(5_000))
                        .as("%d of %d handlers called", rec.called(), n)
                        .isTrue();
            }
            assertThat(count).isEqualTo(n);
            rec.assertEachCalledOnce();
            for (int i = 0; i < n; i++) assertThat(rec.errors[i]).isInstanceOf(AioCancelledException.class);
            assertThat(engine.metrics().cancelled()).isEqualTo(n);
            assertThat(engine.metrics().queued()).isZero();
            // no lane is stranded: a read on each lane (round-robin) completes
            for (int i = 0; i < 8; i++) {
                assertThat(engine.read(f, (long) i * BLOCK, bufs[i]).get(5, TimeUnit.SECONDS))
                        .isEqualTo(BLOCK);
                assertThat(EngineTestSupport.matches(bufs[i], i, 0)).isTrue();
            }
        }
        base.assertBack();
    }

    /**
     * cancelAll(file) while reads run: those already running complete normally with the right bytes, the rest as
     * cancelled, each handler once; the returned count is exactly the number that completed as cancelled.
     */
    @Test
    void cancelAllWithRunningAndQueuedOps() throws Exception {
        int n = 64;
        Path p = dataFile(n);
        try (AioEngine engine = AioEngine.builder()
                        .cachedReadFastPath(false)
                        .maxInFlight(n)
                        .build();
                AioFile f = AioFile.open(p)) {
            int totalCancelled = 0, totalCompleted = 0;
            for (int round = 0; round < 20; round++) {
                Recorder rec = new Recorder(n);
                ByteBuffer[] bufs = buffers(n);
                for (int i = 0; i < n; i++) engine.read(f, (long) i * BLOCK, bufs[i], i, rec);
                int count = engine.cancelAll(f);
                assertThat(rec.await(5_000))
                        .as("%d of %d handlers called", rec.called(), n)
                        .isTrue();
                rec.assertEachCalledOnce();
                int cancelled = 0;
                for (int i = 0; i < n; i++) {
                    if (rec.errors[i] instanceof AioCancelledException) {
                        cancelled++;
                    } else {
                        assertThat(rec.errors[i]).isNull();
                        assertThat(rec.results[i]).isEqualTo(BLOCK);
                        assertThat(EngineTestSupport.matches(bufs[i], i, 0)).isTrue();
                    }
                }
                assertThat(count).isEqualTo(cancelled);
                totalCancelled += cancelled;
                totalCompleted += n - cancelled;
            }
            System.out.println(
                    "cancelAll with running ops: " + totalCancelled + " cancelled, " + totalCompleted + " completed");
            assertThat(totalCancelled).as("cancelAll cancelled something").isPositive();
        }
    }

    /**
     * cancelAll(file) from another thread against submissions and completions, many times: nothing stranded. On
     * io_uring (a quarter of the iterations) the kernel cancels by fd, and {@code lanes} is ignored.
     */
    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void cancelAllRacesCompletions(EngineBackend backend) throws Exception {
        int n = 8;
        int iterations = raceIterations(backend);
        Path p = dataFile(n);
        var base = EngineTestSupport.Baseline.take();
        ExecutorService canceller = Executors.newSingleThreadExecutor();
        long cancelledTotal = 0, completedTotal = 0;
        try (AioEngine engine = EngineTestSupport.builder(backend)
                        .cachedReadFastPath(false)
                        .lanes(2)
                        .maxInFlight(4) // half of the ops wait in the overflow queue
                        .build();
                AioFile f = AioFile.open(p)) {
            ByteBuffer[] bufs = buffers(n);
            for (int it = 0; it < iterations; it++) {
                Recorder rec = new Recorder(n);
                int spin = ThreadLocalRandom.current().nextInt(2_000);
                Future<Integer> c = canceller.submit(() -> {
                    for (int s = 0; s < spin; s++) Thread.onSpinWait();
                    return engine.cancelAll(f);
                });
                for (int i = 0; i < n; i++) engine.read(f, (long) i * BLOCK, bufs[i], i, rec);
                int count = c.get(5, TimeUnit.SECONDS);
                assertThat(rec.await(5_000))
                        .as("iteration %d: %d of %d handlers called", it, rec.called(), n)
                        .isTrue();
                rec.assertEachCalledOnce();
                int cancelled = 0;
                for (int i = 0; i < n; i++) {
                    if (rec.errors[i] instanceof AioCancelledException) {
                        cancelled++;
                    } else {
                        assertThat(rec.errors[i]).isNull();
                        assertThat(rec.results[i]).isEqualTo(BLOCK);
                        assertThat(EngineTestSupport.matches(bufs[i], i, 0)).isTrue();
                    }
                }
                // ops whose submission was still under way when cancelAll counted are not in its count
                assertThat(count).isLessThanOrEqualTo(cancelled);
                cancelledTotal += cancelled;
                completedTotal += n - cancelled;
            }
            assertThat(engine.metrics().cancelled()).isEqualTo(cancelledTotal);
            assertThat(engine.metrics().completed()).isEqualTo(completedTotal);
            assertThat(engine.metrics().inFlight()).isZero();
        } finally {
            canceller.shutdownNow();
        }
        System.out.println("cancelAll vs completions: " + cancelledTotal + " cancelled, " + completedTotal
                + " completed in " + iterations + " iterations on " + backend);
        assertThat(cancelledTotal).isPositive();
        base.assertBack();
    }

    /**
     * Per-op cancel by token on another thread while more reads are submitted on the same fd: whatever the
     * interleaving, no read is stranded, and cancel returns true exactly for the ops that complete as cancelled.
     */
    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void cancelByTokenRacesSubmissionsOnTheSameFd(EngineBackend backend) throws Exception {
        int n = 4;
        int iterations = raceIterations(backend);
        Path p = dataFile(n);
        ExecutorService canceller = Executors.newSingleThreadExecutor();
        long cancelledTotal = 0;
        try (AioEngine engine = EngineTestSupport.builder(backend)
                        .cachedReadFastPath(false)
                        .maxInFlight(8)
                        .build();
                AioFile f = AioFile.open(p)) {
            ByteBuffer[] bufs = buffers(n);
            for (int it = 0; it < iterations; it++) {
                Recorder rec = new Recorder(n);
                long t0 = engine.read(f, 0, bufs[0], 0, rec);
                AtomicReference<Boolean> answer = new AtomicReference<>();
                Future<?> c = canceller.submit(() -> answer.set(engine.cancel(t0)));
                for (int i = 1; i < n; i++) engine.read(f, (long) i * BLOCK, bufs[i], i, rec);
                c.get(5, TimeUnit.SECONDS);
                assertThat(rec.await(5_000))
                        .as("iteration %d: %d of %d handlers called", it, rec.called(), n)
                        .isTrue();
                rec.assertEachCalledOnce();
                boolean wasCancelled = rec.errors[0] instanceof AioCancelledException;
                assertThat(answer.get()).as("iteration %d: cancel's answer", it).isEqualTo(wasCancelled);
                if (wasCancelled) cancelledTotal++;
                for (int i = wasCancelled ? 1 : 0; i < n; i++) {
                    assertThat(rec.errors[i]).isNull();
                    assertThat(rec.results[i]).isEqualTo(BLOCK);
                    assertThat(EngineTestSupport.matches(bufs[i], i, 0)).isTrue();
                }
            }
        } finally {
            canceller.shutdownNow();
        }
        System.out.println("cancel by token vs submissions on the same fd: " + cancelledTotal + " of " + iterations
                + " cancelled on " + backend);
    }
}

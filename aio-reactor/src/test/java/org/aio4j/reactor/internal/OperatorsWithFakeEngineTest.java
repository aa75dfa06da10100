package org.aio4j.reactor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.AioException;
import org.aio4j.internal.Errno;
import org.aio4j.reactor.TestFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The read and write operators against an adversarial fake engine. */
class OperatorsWithFakeEngineTest {
    @TempDir
    Path dir;

    ChunkPool pool;
    int fds;

    @BeforeEach
    void before() {
        pool = new ChunkPool(1 << 20, 1 << 20);
        fds = TestFiles.openFds();
    }

    @AfterEach
    void after() {
        TestFiles.await(() -> pool.outstanding() == 0, () -> "chunks back, outstanding " + pool.outstanding());
        TestFiles.await(() -> TestFiles.openFdsUnder(dir) == 0, () -> "fds closed: " + TestFiles.fdTargets());
    }

    private ReadFlux read(FakeOps ops, Path f, int chunk, int inFlight) {
        return new ReadFlux(ops, f, chunk, inFlight, 0, Long.MAX_VALUE, pool, null, Schedulers.boundedElastic(), null);
    }

    private Path file(int size) throws Exception {
        Path f = dir.resolve("f" + size);
        Files.write(f, TestFiles.expected(size, size));
        return f;
    }

    @Test
    void completionsInReverseOrderAreEmittedInFileOrder() throws Exception {
        int size = 10 * 100;
        Path f = file(size);
        FakeOps ops = new FakeOps(TestFiles.expected(size, size));
        List<Long> positions = Collections.synchronizedList(new ArrayList<>());
        AtomicLong off = new AtomicLong();
        StepVerifier.create(read(ops, f, 100, 4).doOnNext(b -> {
                    byte[] a = new byte[b.remaining()];
                    b.get(a);
                    byte[] want = new byte[a.length];
                    System.arraycopy(ops.content, (int) off.get(), want, 0, a.length);
                    assertThat(a).isEqualTo(want);
                    positions.add(off.getAndAdd(a.length));
                    pool.release(b);
                }))
                .then(() -> {
                    for (int round = 0; round < 2; round++) {
                        List<FakeOps.Op> p = ops.awaitPending(4);
                        Collections.reverse(p);
                        p.forEach(FakeOps.Op::complete);
                    }
                    // the last two reads
                    List<FakeOps.Op> p = ops.awaitPending(2);
                    Collections.reverse(p);
                    p.forEach(FakeOps.Op::complete);
                })
                .expectNextCount(10)
                .verifyComplete();
        assertThat(positions).containsExactly(0L, 100L, 200L, 300L, 400L, 500L, 600L, 700L, 800L, 900L);
        assertThat(ops.peak.get()).isLessThanOrEqualTo(4);
    }

    @Test
    void readsNeverRunAheadOfDemandByMoreThanTheBound() throws Exception {
        int size = 50 * 64;
        Path f = file(size);
        FakeOps ops = new FakeOps(TestFiles.expected(size, size));
        AtomicInteger received = new AtomicInteger();
        BaseSubscriber<ByteBuffer> sub = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription s) {}

            @Override
            protected void hookOnNext(ByteBuffer b) {
                received.incrementAndGet();
                pool.release(b);
            }
        };
        read(ops, f, 64, 3).subscribe(sub);
        Thread.sleep(50);
        assertThat(ops.submitted()).as("no read before the first request").isZero();
        long requested = 0;
        SplittableRandom rnd = new SplittableRandom(1);
        while (received.get() < 50) {
            int r = rnd.nextInt(0, 3);
            sub.request(r);
            requested += r;
            for (FakeOps.Op op : ops.pending()) if (rnd.nextBoolean()) op.complete();
            assertThat(ops.submitted()).isLessThanOrEqualTo((int) requested + 3);
            assertThat(ops.submitted() - received.get()).isLessThanOrEqualTo(3);
            assertThat(received.get()).isLessThanOrEqualTo((int) requested);
        }
        sub.request(1);
        TestFiles.await(sub::isDisposed, () -> "completion");
    }

    @Test
    void shortReadsAreContinuedAndAnEarlyEndOfFileEndsTheStream() throws Exception {
        int size = 1000;
        Path f = file(size);
        // the fake serves only 700 bytes: the file "shrank" after it was opened
        byte[] shrunk = java.util.Arrays.copyOf(TestFiles.expected(size, size), 700);
        FakeOps ops = new FakeOps(shrunk);
        AtomicLong total = new AtomicLong();
        Thread completer = new Thread(() -> {
            SplittableRandom rnd = new SplittableRandom(2);
            long end = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < end) {
                for (FakeOps.Op op : ops.pending()) op.complete(rnd.nextInt(1, 120)); // short reads
                Thread.onSpinWait();
            }
        });
        completer.setDaemon(true);
        completer.start();
        List<Byte> bytes = Collections.synchronizedList(new ArrayList<>());
        StepVerifier.create(read(ops, f, 256, 2).doOnNext(b -> {
                    total.addAndGet(b.remaining());
                    while (b.hasRemaining()) bytes.add(b.get());
                    pool.release(b);
                }))
                .thenConsumeWhile(b -> true)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        completer.interrupt();
        assertThat(total.get()).isEqualTo(700);
        for (int i = 0; i < 700; i++) assertThat(bytes.get(i)).isEqualTo(shrunk[i]);
    }

    @Test
    void aFailedReadCancelsTheOthersAndReleasesOnlyAfterTheyAreReaped() throws Exception {
        int size = 4 * 100;
        Path f = file(size);
        FakeOps ops = new FakeOps(TestFiles.expected(size, size));
        AtomicInteger errors = new AtomicInteger();
        AtomicLong errorPos = new AtomicLong();
        Flux<ByteBuffer> flux = read(ops, f, 100, 4);
        flux.subscribe(pool::release, e -> {
            // the position first: the test waits for the count and then reads it (in the other order it read 0 once)
            errorPos.set(((AioException) e).position());
            assertThat(((AioException) e).path()).isEqualTo(f);
            assertThat(((AioException) e).errnoName()).isEqualTo("EIO");
            errors.incrementAndGet();
        });
        List<FakeOps.Op> p = ops.awaitPending(4);
        assertThat(p.get(0).start()).isTrue(); // running: cancelAll cannot touch it
        assertThat(p.get(2).start()).isTrue();
        p.get(2).fail(Errno.EIO.value());
        TestFiles.await(() -> ops.cancelAlls.get() == 1, () -> "one cancelAll of the stream's file");
        Thread.sleep(20);
        assertThat(ops.cancelAlls.get()).as("cancelAll called once").isEqualTo(1);
        assertThat(ops.cancels.get()).as("no per-op cancel").isZero();
        assertThat(ops.cancelledByCancelAll.get()).as("the 2 queued reads").isEqualTo(2);
        assertThat(errors.get()).as("error waits for the reaps").isZero();
        assertThat(pool.outstanding())
                .as("buffers kept while ops are in flight")
                .isEqualTo(4);
        assertThat(TestFiles.openFdsUnder(dir)).as("file still open").isEqualTo(1);
        p.get(0).complete();
        assertThat(p.get(0).calls.get()).isEqualTo(1);
        assertThat(ops.completedCancelled.get())
                .as("the running read completed normally")
                .isZero();
        assertThat(pool.outstanding()).isEqualTo(4);
        assertThat(TestFiles.openFdsUnder(dir)).as("file still open").isEqualTo(1);
        assertThat(ops.reapCancelled()).isEqualTo(2);
        assertThat(ops.completedCancelled.get()).isEqualTo(2);
        TestFiles.await(() -> errors.get() == 1, () -> "the error");
        assertThat(errorPos.get()).isEqualTo(200);
    }

    /**
     * Cancel of a read stream with queued and running reads: one cancelAll of its file (no per-op cancel), nothing
     * is released or closed until every op was reaped, the running one completes normally, nothing is signalled.
     */
    @Test
    void cancelOfAReadStreamCancelsItsFileOnceAndWaitsForEveryReap() throws Exception {
        int size = 8 * 100;
        Path f = file(size);
        FakeOps ops = new FakeOps(TestFiles.expected(size, size));
        AtomicInteger signals = new AtomicInteger();
        reactor.core.Disposable d = read(ops, f, 100, 6)
                .subscribe(b -> signals.incrementAndGet(), e -> signals.incrementAndGet(), () -> {
                    signals.incrementAndGet();
                });
        List<FakeOps.Op> p = ops.awaitPending(6);
        assertThat(p.get(1).start()).isTrue();
        d.dispose();
        TestFiles.await(() -> ops.cancelAlls.get() == 1, () -> "cancelAll");
        assertThat(ops.cancels.get()).isZero();
        assertThat(ops.cancelledByCancelAll.get()).isEqualTo(5);
        Thread.sleep(20);
        assertThat(pool.outstanding()).as("buffers kept until reaped").isEqualTo(6);
        assertThat(TestFiles.openFdsUnder(dir)).as("file open until reaped").isEqualTo(1);
        assertThat(ops.reapCancelled()).isEqualTo(5);
        assertThat(pool.outstanding())
                .as("the running read still holds its buffer")
                .isEqualTo(6);
        assertThat(TestFiles.openFdsUnder(dir)).isEqualTo(1);
        p.get(1).complete();
        TestFiles.await(() -> pool.outstanding() == 0, () -> "buffers back");
        TestFiles.await(() -> TestFiles.openFdsUnder(dir) == 0, () -> "file closed");
        assertThat(ops.submitted()).as("nothing submitted after cancel").isEqualTo(6);
        for (FakeOps.Op op : ops.all) assertThat(op.calls.get()).isEqualTo(1);
        assertThat(signals.get()).as("nothing signalled after cancel").isZero();
    }

    /** The same for a write: one cancelAll of the file it opened, close only after every write was reaped. */
    @Test
    void cancelOfAWriteCancelsItsFileOnceAndWaitsForEveryReap() throws Exception {
        Path out = dir.resolve("out");
        FakeOps ops = new FakeOps(new byte[0]);
        Flux<ByteBuffer> src = Flux.range(0, 10).map(i -> ByteBuffer.allocateDirect(10));
        WriteMono w = new WriteMono(
                src,
                ops,
                out,
                new OpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.WRITE},
                4,
                false,
                pool,
                null,
                Schedulers.boundedElastic(),
                null);
        AtomicInteger signals = new AtomicInteger();
        reactor.core.Disposable d = w.subscribe(v -> signals.incrementAndGet(), e -> signals.incrementAndGet());
        List<FakeOps.Op> p = ops.awaitPending(4);
        assertThat(p.get(0).start()).isTrue();
        d.dispose();
        TestFiles.await(() -> ops.cancelAlls.get() == 1, () -> "cancelAll");
        assertThat(ops.cancels.get()).isZero();
        assertThat(ops.cancelledByCancelAll.get()).isEqualTo(3);
        Thread.sleep(20);
        assertThat(TestFiles.openFdsUnder(dir)).as("file open until reaped").isEqualTo(1);
        p.get(0).complete();
        assertThat(TestFiles.openFdsUnder(dir)).isEqualTo(1);
        assertThat(ops.reapCancelled()).isEqualTo(3);
        TestFiles.await(() -> TestFiles.openFdsUnder(dir) == 0, () -> "file closed");
        assertThat(ops.submitted()).as("nothing submitted after cancel").isEqualTo(4);
        for (FakeOps.Op op : ops.all) assertThat(op.calls.get()).isEqualTo(1);
        assertThat(ops.written).as("only the running write wrote").hasSize(10);
        assertThat(signals.get()).isZero();
    }

    @Test
    void submissionThatThrowsBecomesAnError() throws Exception {
        Path f = file(100);
        FakeOps ops = new FakeOps(new byte[100]);
        ops.throwOnSubmit = new IllegalStateException("engine closed");
        StepVerifier.create(read(ops, f, 10, 2))
                .expectErrorMessage("engine closed")
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void cancelAgainstCompletionRaceWithTheFake() throws Exception {
        int size = 16 * 64;
        Path f = file(size);
        byte[] content = TestFiles.expected(size, size);
        SplittableRandom rnd = new SplittableRandom(3);
        AtomicInteger late = new AtomicInteger();
        int effective = 0; // iterations where cancelAll cancelled a queued read
        long cancelledOps = 0;
        int someCompleted = 0; // iterations where some read completed normally
        java.util.concurrent.ExecutorService exec = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < 10_000; i++) {
                FakeOps ops = new FakeOps(content);
                AtomicBoolean cancelled = new AtomicBoolean();
                BaseSubscriber<ByteBuffer> sub = new BaseSubscriber<>() {
                    @Override
                    protected void hookOnNext(ByteBuffer b) {
                        if (cancelled.get()) late.incrementAndGet();
                        pool.release(b);
                    }
                };
                read(ops, f, 64, 4).subscribe(sub);
                List<FakeOps.Op> p = ops.awaitPending(4);
                int when = rnd.nextInt(0, 5);
                // both sides spin (no wake-up latency) so the completions and the cancel really interleave
                AtomicBoolean ready = new AtomicBoolean();
                AtomicBoolean start = new AtomicBoolean();
                java.util.concurrent.Future<?> completer = exec.submit(() -> {
                    ready.set(true);
                    long until = System.nanoTime() + 5_000_000_000L;
                    while (!start.get() && System.nanoTime() < until) Thread.yield();
                    for (int k = 0; k < p.size(); k++) p.get(k).complete();
                });
                long readyBy = System.nanoTime() + 10_000_000_000L;
                while (!ready.get()) {
                    if (System.nanoTime() > readyBy) throw new AssertionError("completer never started");
                    Thread.yield();
                }
                start.set(true);
                long spinUntil = System.nanoTime() + when * 10_000L; // 0 to 40 µs
                while (System.nanoTime() < spinUntil) Thread.onSpinWait();
                int lateBefore = late.get();
                sub.dispose();
                cancelled.set(true);
                completer.get();
                // at most the one onNext already being delivered (past its cancelled check) when cancel happened
                assertThat(late.get() - lateBefore)
                        .as("onNext after cancel returned")
                        .isLessThanOrEqualTo(1);
                // ops submitted after the first completions, then cancelled: reap them as the engine would
                long end = System.nanoTime() + 5_000_000_000L;
                while (true) {
                    List<FakeOps.Op> rest = ops.pending();
                    if (rest.isEmpty()) break;
                    for (FakeOps.Op op : rest) {
                        if (op.cancelRequested) op.cancelled();
                        else op.complete();
                    }
                    if (System.nanoTime() > end) throw new AssertionError("ops never settled: " + rest.size());
                }
                for (FakeOps.Op op : ops.all) assertThat(op.calls.get()).isEqualTo(1);
                assertThat(ops.cancels.get()).as("no per-op cancel").isZero();
                assertThat(ops.cancelAlls.get()).as("at most one cancelAll").isLessThanOrEqualTo(1);
                assertThat(ops.completedCancelled.get()).isEqualTo(ops.cancelledByCancelAll.get());
                if (ops.cancelledByCancelAll.get() > 0) effective++;
                if (ops.completedCancelled.get() < ops.all.size()) someCompleted++;
                cancelledOps += ops.cancelledByCancelAll.get();
                int iteration = i;
                TestFiles.await(
                        () -> pool.outstanding() == 0,
                        () -> "iteration " + iteration + " chunks " + pool.outstanding());
            }
        } finally {
            exec.shutdownNow();
        }
        System.out.printf(
                "cancelAgainstCompletionRaceWithTheFake: cancelAll took effect in %d of 10000 iterations (%d reads),"
                        + " reads completed normally in %d, onNext racing the cancel %d%n",
                effective, cancelledOps, someCompleted, late.get());
        assertThat(effective)
                .as("iterations where cancel took effect on queued reads")
                .isPositive();
        assertThat(someCompleted).as("iterations where completions won").isPositive();
    }

    @Test
    void writeAsksUpstreamOnlyAsWritesCompleteAndContinuesShortWrites() throws Exception {
        Path out = dir.resolve("out");
        FakeOps ops = new FakeOps(new byte[0]);
        AtomicLong requested = new AtomicLong();
        int n = 40;
        Flux<ByteBuffer> src = Flux.range(0, n)
                .map(i -> {
                    ByteBuffer b = ByteBuffer.allocateDirect(10);
                    for (int k = 0; k < 10; k++) b.put((byte) (i * 10 + k));
                    return b.flip();
                })
                .doOnRequest(requested::addAndGet);
        WriteMono w = new WriteMono(
                src,
                ops,
                out,
                new OpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.WRITE},
                3,
                true,
                pool,
                null,
                Schedulers.boundedElastic(),
                null);
        AtomicLong result = new AtomicLong(-1);
        w.subscribe(result::set);
        SplittableRandom rnd = new SplittableRandom(4);
        long end = System.nanoTime() + 10_000_000_000L;
        int completedWrites = 0;
        while (result.get() < 0 && System.nanoTime() < end) {
            for (FakeOps.Op op : ops.pending()) {
                assertThat(requested.get()).isLessThanOrEqualTo(completedWrites + 3);
                if (op.kind.equals("fsync")) {
                    op.complete();
                    continue;
                }
                int max = rnd.nextInt(1, 12); // short writes
                boolean full = max >= op.buffer.remaining();
                op.complete(max);
                if (full) completedWrites++;
            }
        }
        assertThat(result.get()).isEqualTo(n * 10L);
        assertThat(ops.peak.get()).isLessThanOrEqualTo(3);
        byte[] got = new byte[n * 10];
        for (long[] w2 : ops.written) got[(int) w2[0]] = (byte) w2[1];
        for (int i = 0; i < got.length; i++) assertThat(got[i]).isEqualTo((byte) i);
        assertThat(ops.all.get(ops.all.size() - 1).kind).isEqualTo("fsync");
    }

    @Test
    void aWriteOfZeroBytesIsAnErrorNotALoop() throws Exception {
        Path out = dir.resolve("out");
        FakeOps ops = new FakeOps(new byte[0]);
        WriteMono w = new WriteMono(
                Flux.just(ByteBuffer.allocateDirect(10)),
                ops,
                out,
                new OpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.WRITE},
                3,
                false,
                pool,
                null,
                Schedulers.boundedElastic(),
                null);
        StepVerifier.create(w)
                .then(() -> ops.awaitPending(1).get(0).complete(0))
                .expectErrorSatisfies(
                        e -> assertThat(((AioException) e).errnoName()).isEqualTo("EIO"))
                .verify(Duration.ofSeconds(10));
    }
}

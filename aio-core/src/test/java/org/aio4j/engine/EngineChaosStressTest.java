package org.aio4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.AioCancelledException;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Random 4 KiB reads and writes with random per-op cancels, random {@code cancelAll(file)}, and each round ended in
 * one of three ways: drained, the engine closed with ops in flight, or the file closed with ops in flight. On each
 * backend, over {@code aio4j.engine.chaosRounds} rounds (default 30) of up to 3,000 ops, each round with a fresh
 * engine of random size and fast-path setting. Every handler must run exactly once; a failure may only be a cancel,
 * or EBADF after the file was closed; every byte read must be the last version written to its block, and so must the
 * whole file at the end; native memory, fds and reaper threads must be back at their start values.
 */
class EngineChaosStressTest {
    static final int ROUNDS = Integer.getInteger("aio4j.engine.chaosRounds", 30);
    static final int BLOCK = 4096, BLOCKS = 256, QD = 16;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void randomOpsWithRandomCancelsAndCloses(EngineBackend backend) throws Exception {
        EngineTestSupport.builder(backend); // skips where the backend is unavailable
        Path p = dir.resolve("chaos.bin");
        EngineTestSupport.writeInitial(p, BLOCKS, BLOCK);
        AtomicIntegerArray version = new AtomicIntegerArray(BLOCKS);
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        var base = EngineTestSupport.Baseline.take();
        long total = 0, cancelled = 0, badf = 0, refused = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int ending = rnd.nextInt(3);
            int ops = 500 + rnd.nextInt(2500);
            Round r = new Round(backend, p, version, ops, rnd.split(), ending);
            String why = "seed " + seed + " round " + round + " ending " + ending;
            r.run(why);
            total += r.issuedOps();
            cancelled += r.cancelled.get();
            badf += r.badf.get();
            refused += r.refused.get();
        }
        byte[] all = Files.readAllBytes(p);
        for (int b = 0; b < BLOCKS; b++) {
            assertThat(EngineTestSupport.blockIs(all, b, BLOCK, version.get(b)))
                    .as("block %d on disk is version %d (seed %d)", b, version.get(b), seed)
                    .isTrue();
        }
        base.assertBack();
        System.out.printf(
                "chaos %s: %d rounds, %d ops, %d cancelled, %d EBADF after a file close, %d refused after an engine"
                        + " close%n",
                backend, ROUNDS, total, cancelled, badf, refused);
    }

    private static final class Round {
        final AioEngine engine;
        final AioFile file;
        final AtomicIntegerArray version;
        final AtomicIntegerArray busy = new AtomicIntegerArray(BLOCKS);
        final AtomicIntegerArray calls;
        final int ops;
        final int ending;
        final SplittableRandom rnd;
        final AtomicLong issued = new AtomicLong();
        final AtomicLong cancelled = new AtomicLong(), badf = new AtomicLong(), refused = new AtomicLong();
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        final CountDownLatch done = new CountDownLatch(QD);
        volatile boolean fileClosed;

        Round(EngineBackend backend, Path p, AtomicIntegerArray version, int ops, SplittableRandom rnd, int ending)
                throws Exception {
            int[] sizes = {4, 16, 64};
            this.engine = AioEngine.builder()
                    .backend(backend)
                    .maxInFlight(sizes[rnd.nextInt(3)])
                    .cachedReadFastPath(rnd.nextBoolean())
                    .build();
            this.file = AioFile.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
            this.version = version;
            this.ops = ops;
            this.calls = new AtomicIntegerArray(ops);
            this.rnd = rnd;
            this.ending = ending;
        }

        long issuedOps() {
            return Math.min(issued.get(), ops);
        }

        void run(String why) throws Exception {
            try {
                for (int i = 0; i < QD; i++) new Worker(rnd.nextLong()).next();
                if (ending != 0) {
                    while (issued.get() < ops / 2 && done.getCount() > 0) Thread.onSpinWait();
                    if (ending == 1) {
                        engine.close(); // ops in flight: cancelled or completed, each handler once
                    } else {
                        fileClosed = true;
                        file.close(); // deferred until the ops in flight are reaped; later ones get EBADF
                    }
                }
                assertThat(done.await(2, TimeUnit.MINUTES))
                        .as("all workers finished, %s", why)
                        .isTrue();
            } finally {
                file.close();
                engine.close();
            }
            assertThat(engine.isTerminated()).as(why).isTrue();
            assertThat(problems).as(why).isEmpty();
            long n = issuedOps();
            for (int i = 0; i < n; i++) {
                assertThat(calls.get(i))
                        .as("handler calls of op %d, %s", i, why)
                        .isIn(1, -1);
            }
            EngineMetrics m = engine.metrics();
            assertThat(m.inFlight()).as(why).isZero();
        }

        final class Worker implements AioHandler<Worker> {
            final ByteBuffer buf = ByteBuffer.allocateDirect(BLOCK);
            final SplittableRandom wr;
            int opId, block, ver;
            boolean write;

            Worker(long seed) {
                wr = new SplittableRandom(seed);
            }

            void next() {
                long id = issued.getAndIncrement();
                if (id >= ops) {
                    done.countDown();
                    return;
                }
                opId = (int) id;
                int b;
                do {
                    b = wr.nextInt(BLOCKS);
                } while (!busy.compareAndSet(b, 0, 1));
                block = b;
                write = wr.nextBoolean();
                long token;
                try {
                    if (write) {
                        ver = version.get(b) + 1;
                        EngineTestSupport.fill(buf, b, ver);
                        token = engine.write(file, (long) b * BLOCK, buf, this, this);
                    } else {
                        token = engine.read(file, (long) b * BLOCK, buf, this, this);
                    }
                } catch (IllegalStateException closed) {
                    calls.set(opId, -1); // refused: the engine was closed
                    refused.incrementAndGet();
                    busy.set(b, 0);
                    done.countDown();
                    return;
                }
                int dice = wr.nextInt(100);
                if (dice < 5 && token != 0) engine.cancel(token);
                else if (dice == 5) engine.cancelAll(file);
            }

            @Override
            public void completed(long result, Worker w) {
                if (calls.incrementAndGet(opId) != 1) problems.add("op " + opId + " completed twice");
                if (result != BLOCK) problems.add("op " + opId + " transferred " + result);
                if (write) {
                    version.set(block, ver);
                } else if (!EngineTestSupport.matches(buf, block, version.get(block))) {
                    problems.add("op " + opId + ": block " + block + " does not hold version " + version.get(block));
                }
                busy.set(block, 0);
                next();
            }

            @Override
            public void failed(AioException error, Worker w) {
                if (calls.incrementAndGet(opId) != 1) problems.add("op " + opId + " failed twice");
                if (error instanceof AioCancelledException) cancelled.incrementAndGet();
                else if (fileClosed && "EBADF".equals(error.errnoName())) badf.incrementAndGet();
                else problems.add("op " + opId + " failed: " + error);
                busy.set(block, 0);
                next();
            }
        }
    }
}

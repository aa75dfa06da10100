package org.aio4j;

import static org.aio4j.TestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.internal.NativeMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, defect 1: several threads submitting, listing and cancelling on one fd number. Before the fix the order
 * number used by the cancel guard was taken apart from the submit call, so the guard could cancel the untaken head
 * of the fd's glibc queue and strand every later request on it (stalls in 3 of 3 runs of 25 s with six threads).
 * Every op must complete within the reap timeout, without {@code aio_cancel(fd, NULL)}.
 */
class AioConcurrentCancelTest {
    static final int THREADS = 6;
    static final int FILE_SIZE = 1 << 20;
    static final int BLOCK = 4096;
    static final long MILLIS = Long.getLong("aio4j.core.concurrentCancelMillis", 10_000);

    @TempDir
    Path dir;

    @Test
    void cancelsFromSeveralThreadsOnOneFdNeverStrandItsQueue() throws Exception {
        Path path = dir.resolve("shared");
        byte[] data = new byte[FILE_SIZE];
        new SplittableRandom(7).nextBytes(data);
        Files.write(path, data);
        long mem = NativeMemory.outstandingBytes();
        int inFlight = PosixAio.opsInFlight();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicLong ops = new AtomicLong(), cancelled = new AtomicLong();
        try (AioFile file = AioFile.open(path, StandardOpenOption.READ)) {
            long end = System.nanoTime() + MILLIS * 1_000_000;
            CountDownLatch done = new CountDownLatch(THREADS);
            for (int t = 0; t < THREADS; t++) {
                long seed = t;
                Thread th = new Thread(() -> {
                    try {
                        worker(file, data, seed, end, failures, ops, cancelled);
                    } catch (Throwable e) {
                        failures.add(e.toString());
                    } finally {
                        done.countDown();
                    }
                });
                th.setDaemon(true);
                th.start();
            }
            assertThat(done.await(MILLIS + 60_000, java.util.concurrent.TimeUnit.MILLISECONDS))
                    .as("workers finished")
                    .isTrue();
        }
        System.out.printf(
                "concurrent cancel: %d ops, %d cancelled, %d unproven cancels, %d parts healed%n",
                ops.get(), cancelled.get(), AbstractAio.UNPROVEN_CANCELS.get(), AbstractAio.HEALED.get());
        assertThat(failures).isEmpty();
        assertThat(ops.get()).isPositive();
        assertThat(PosixAio.opsInFlight()).isEqualTo(inFlight);
        assertThat(NativeMemory.outstandingBytes()).isEqualTo(mem);
    }

    private static void worker(
            AioFile file,
            byte[] data,
            long seed,
            long end,
            ConcurrentLinkedQueue<String> failures,
            AtomicLong ops,
            AtomicLong cancelled)
            throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<AioRead> window = new ArrayList<>();
        java.util.Map<AioRead, ByteBuffer> bufs = new java.util.IdentityHashMap<>();
        while (System.nanoTime() < end || !window.isEmpty()) {
            if (System.nanoTime() < end && window.size() < 8) {
                int n = rnd.nextInt(10) == 0 ? 2 + rnd.nextInt(4) : 1;
                List<AioRead> batch = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    long off = (long) rnd.nextInt(FILE_SIZE / BLOCK) * BLOCK;
                    ByteBuffer b = ByteBuffer.allocateDirect(BLOCK);
                    AioRead r = new AioRead(file.fd(), off, b, 0, SigevNotify.none());
                    bufs.put(r, b);
                    batch.add(r);
                }
                if (n == 1) batch.get(0).submit();
                else PosixAio.lioListio(LioMode.LIO_NOWAIT, batch, SigevNotify.none());
                for (AioRead r : batch) {
                    window.add(r);
                    ops.incrementAndGet();
                    if (rnd.nextInt(3) == 0 && r.cancel() == AioCancelStat.AIO_CANCELED) cancelled.incrementAndGet();
                }
                // now and then cancel an older op of this thread
                if (!window.isEmpty() && rnd.nextInt(4) == 0)
                    window.get(rnd.nextInt(window.size())).cancel();
                continue;
            }
            AioRead first = window.get(0);
            try {
                PosixAio.aioSuspend(List.of(first), Duration.ofSeconds(10));
            } catch (AioTryAgainException e) {
                failures.add("stranded fd queue: " + first + " never completed; aio_cancel(fd, NULL) = "
                        + PosixAio.aioCancelAll(first.fd()));
            }
            for (int i = window.size() - 1; i >= 0; i--) {
                AioRead r = window.get(i);
                if (r.error() == EINPROGRESS) continue;
                try {
                    long got = r.aioReturn();
                    ByteBuffer b = bufs.get(r);
                    if (got != BLOCK) failures.add("short read " + got);
                    else if (b.mismatch(ByteBuffer.wrap(data, (int) r.offset, BLOCK)) != -1) {
                        failures.add("wrong bytes at " + r.offset);
                    }
                } catch (AioCancelledException expected) {
                    // cancelled
                } catch (AioException e) {
                    failures.add(e.toString());
                }
                r.close();
                bufs.remove(r);
                window.remove(i);
            }
        }
    }
}

package org.aio4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.aio4j.AioFile;
import org.aio4j.AioFsyncMode;
import org.aio4j.internal.AioAbi;
import org.aio4j.internal.TestAbis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Notification#KEVENT} cannot run on Linux: its logic runs here against {@link FakeFreeBsdPosix}, a fake of
 * FreeBSD's kernel AIO and kqueue that executes the requests with real pread/pwrite in random order, refuses 2% of
 * submissions with EAGAIN (exercising the backoff retries) and records protocol violations. Untested on a real
 * FreeBSD.
 */
class KeventModeTest {
    @TempDir
    Path dir;

    @Test
    void stressThroughFakeKqueue() throws Exception {
        AioAbi bsd = TestAbis.of("FreeBSD", "amd64");
        FakeFreeBsdPosix fake = new FakeFreeBsdPosix(bsd, 0.02, 3);
        try {
            AioEngine.Builder b = AioEngine.builder();
            b.posix = fake;
            b.abi = bsd;
            int ops = EngineStressTest.SLOW_OPS;
            EngineStressTest.runIn(dir, b, ops);
            assertThat(fake.violations).isEmpty();
            assertThat(fake.outstanding()).as("requests never aio_return'ed").isZero();
            assertThat(fake.returned.get()).isEqualTo(fake.submitted.get());
            assertThat(fake.refused.get()).as("EAGAIN refusals exercised").isPositive();
            assertThat(fake.kqOpen()).as("kqueue closed").isFalse();
        } finally {
            fake.shutdown();
        }
    }

    /**
     * cancelAll(file) through the fake, with half of the submissions refused with EAGAIN so that ops wait for a retry:
     * queued, retrying and running ops each end exactly once, with the right bytes when not cancelled, and the fake
     * sees every request returned.
     */
    @Test
    void cancelAllCoversQueuedAndRetryingOps() throws Exception {
        AioAbi bsd = TestAbis.of("FreeBSD", "amd64");
        FakeFreeBsdPosix fake = new FakeFreeBsdPosix(bsd, 0.5, 1);
        int n = 32, block = 4096;
        Path p = dir.resolve("c");
        EngineTestSupport.writeInitial(p, n, block);
        long cancelledTotal = 0, countedTotal = 0, exhausted = 0;
        try {
            AioEngine.Builder b = AioEngine.builder();
            b.posix = fake;
            b.abi = bsd;
            try (AioEngine engine = b.maxInFlight(n).build();
                    AioFile f = AioFile.open(p)) {
                for (int round = 0; round < 50; round++) {
                    EngineCancelTest.Recorder rec = new EngineCancelTest.Recorder(n);
                    java.nio.ByteBuffer[] bufs = new java.nio.ByteBuffer[n];
                    for (int i = 0; i < n; i++) {
                        bufs[i] = java.nio.ByteBuffer.allocateDirect(block);
                        engine.read(f, (long) i * block, bufs[i], i, rec);
                    }
                    int count = engine.cancelAll(f);
                    assertThat(rec.await(10_000)).isTrue();
                    rec.assertEachCalledOnce();
                    int cancelled = 0;
                    for (int i = 0; i < n; i++) {
                        if (rec.errors[i] instanceof org.aio4j.AioCancelledException) {
                            cancelled++;
                        } else if (rec.errors[i] instanceof org.aio4j.AioTryAgainException) {
                            // refused Backlog.MAX_RETRIES times in a row (the fake refuses half of all submissions
                            // at random: about 1 in 256 retried ops): the documented end of the retries, not a bug
                            exhausted++;
                        } else {
                            assertThat(rec.errors[i]).isNull();
                            assertThat(rec.results[i]).isEqualTo(block);
                            assertThat(EngineTestSupport.matches(bufs[i], i, 0)).isTrue();
                        }
                    }
                    // a retry being submitted by the reaper during the call may be cancelled without being counted
                    assertThat(count).isLessThanOrEqualTo(cancelled);
                    cancelledTotal += cancelled;
                    countedTotal += count;
                }
                assertThat(engine.metrics().cancelled()).isEqualTo(cancelledTotal);
            }
            assertThat(cancelledTotal).isPositive();
            assertThat(fake.violations).isEmpty();
            assertThat(fake.outstanding()).as("requests never aio_return'ed").isZero();
            assertThat(fake.refused.get()).as("EAGAIN refusals exercised").isPositive();
            assertThat(exhausted).as("ops whose retries ran out").isLessThan(50L * n / 20);
            System.out.println("cancelAll through the fake: " + cancelledTotal + " cancelled (" + countedTotal
                    + " counted by cancelAll) of " + 50 * n + ", " + exhausted + " ran out of retries");
        } finally {
            fake.shutdown();
        }
    }

    @Test
    void defaultsToKeventOnFreeBsdAndSyncs() throws Exception {
        AioAbi bsd = TestAbis.of("FreeBSD", "amd64");
        FakeFreeBsdPosix fake = new FakeFreeBsdPosix(bsd, 0, 1);
        try {
            AioEngine.Builder b = AioEngine.builder();
            b.posix = fake;
            b.abi = bsd;
            try (AioEngine engine = b.build();
                    AioFile f = AioFile.open(
                            dir.resolve("s"),
                            java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.WRITE)) {
                assertThat(engine.notification()).isEqualTo(Notification.KEVENT);
                assertThat(engine.mechanism()).contains("KEVENT").contains("untested");
                assertThat(engine.cachedReadFastPath()).isFalse();
                assertThat(engine.fsync(f, AioFsyncMode.O_SYNC).get()).isNull();
            }
            assertThat(fake.violations).isEmpty();
            assertThat(fake.kqOpen()).isFalse();
        } finally {
            fake.shutdown();
        }
    }
}

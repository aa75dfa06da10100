package org.aio4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.engine.internal.IoUring;
import org.aio4j.internal.Errno;
import org.aio4j.internal.NativeLib;
import org.aio4j.internal.NativeMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What is particular to {@link EngineBackend#IO_URING}: availability, its builder rules, cancellation, close. */
class IoUringEngineTest {
    @TempDir
    Path dir;

    /**
     * io_uring refused (as by {@code kernel.io_uring_disabled=2} or a container's seccomp filter, injected through
     * the test hook): the backend says so and why, building an engine with it fails with that cause and leaves
     * nothing open, and POSIX AIO still works.
     */
    @Test
    void refusedSetupIsReportedClearlyAndPosixStillWorks() throws Exception {
        Path p = dir.resolve("f");
        Files.writeString(p, "posix still works");
        var base = EngineTestSupport.Baseline.take();
        IoUring.failSetupForTests(Errno.EPERM.value());
        try {
            assertThat(EngineBackend.IO_URING.isAvailable()).isFalse();
            Throwable cause = EngineBackend.IO_URING.unavailabilityCause();
            assertThat(cause)
                    .hasMessageContaining("io_uring_setup failed: EPERM")
                    .hasMessageContaining("kernel.io_uring_disabled");
            assertThat(AioException.errnoOf(cause)).isEqualTo(Errno.EPERM.value());
            assertThatThrownBy(() ->
                            AioEngine.builder().backend(EngineBackend.IO_URING).build())
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("io_uring is unavailable")
                    .hasMessageContaining("EPERM")
                    .satisfies(e -> assertThat(AioException.find(e)).isPresent());
            assertThat(EngineBackend.POSIX_AIO.isAvailable()).isTrue();
            try (AioEngine engine =
                            AioEngine.builder().backend(EngineBackend.POSIX_AIO).build();
                    AioFile f = AioFile.open(p)) {
                ByteBuffer b = ByteBuffer.allocateDirect(17);
                assertThat(engine.read(f, 0, b).get(5, TimeUnit.SECONDS)).isEqualTo(17);
                assertThat(AioEngineBasicTest.string(b)).isEqualTo("posix still works");
                assertThat(engine.backend()).isEqualTo(EngineBackend.POSIX_AIO);
            }
        } finally {
            IoUring.failSetupForTests(0);
        }
        base.assertBack();
        // the real answer again after the hook is cleared (here: available, unless this kernel refuses it)
        Throwable real = EngineBackend.IO_URING.unavailabilityCause();
        if (real != null) System.out.println("io_uring unavailable on this machine: " + real);
    }

    @Test
    void notificationModesAreRefusedWithIoUringAndTheDefaultStaysPosix() {
        try (AioEngine engine = AioEngine.builder().build()) {
            assertThat(engine.backend()).isEqualTo(EngineBackend.POSIX_AIO);
        }
        assertThatThrownBy(() -> EngineTestSupport.builder(EngineBackend.IO_URING)
                        .notification(Notification.SUSPEND)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("POSIX_AIO only");
    }

    @Test
    void systemPropertyNamesTheSharedEnginesBackend() {
        String old = System.getProperty(EngineBackend.PROPERTY);
        try {
            System.clearProperty(EngineBackend.PROPERTY);
            assertThat(EngineBackend.fromSystemProperty()).isEqualTo(EngineBackend.POSIX_AIO);
            System.setProperty(EngineBackend.PROPERTY, "io_uring");
            assertThat(EngineBackend.fromSystemProperty()).isEqualTo(EngineBackend.IO_URING);
            System.setProperty(EngineBackend.PROPERTY, "POSIX_AIO");
            assertThat(EngineBackend.fromSystemProperty()).isEqualTo(EngineBackend.POSIX_AIO);
            System.setProperty(EngineBackend.PROPERTY, "uring");
            assertThatThrownBy(EngineBackend::fromSystemProperty)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("aio4j.backend=uring");
        } finally {
            if (old == null) System.clearProperty(EngineBackend.PROPERTY);
            else System.setProperty(EngineBackend.PROPERTY, old);
        }
    }

    @Test
    void maxInFlightIsCappedByTheRingAndTheOverflowPolicyAppliesBeyond() throws Exception {
        try (AioEngine engine = EngineTestSupport.builder(EngineBackend.IO_URING)
                .maxInFlight(1 << 20)
                .build()) {
            assertThat(engine.maxInFlight()).isEqualTo(32767);
        }
        try (AioEngine engine =
                EngineTestSupport.builder(EngineBackend.IO_URING).maxInFlight(5).build()) {
            assertThat(engine.maxInFlight()).isEqualTo(5);
        }
    }

    /**
     * An idle io_uring reaper sleeps in the kernel. Before the fix it passed the SQ size as {@code to_submit}, and
     * {@code io_uring_enter} does not wait when it submitted fewer: the reaper spun at 340-900 ms CPU per second.
     */
    @Test
    void anIdleReaperSleeps() throws Exception {
        try (AioEngine engine = EngineTestSupport.builder(EngineBackend.IO_URING)
                .name("idle-uring")
                .build()) {
            Thread.sleep(100);
            Thread reaper = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("aio4j-reaper-idle-uring"))
                    .findFirst()
                    .orElseThrow();
            var mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long c0 = mx.getThreadCpuTime(reaper.getId());
            Thread.sleep(1000);
            long used = mx.getThreadCpuTime(reaper.getId()) - c0;
            assertThat(used).as("reaper CPU nanoseconds in one idle second").isLessThan(50_000_000L);
        }
    }

    /**
     * After completions the reaper spins for a moment ({@code IoUringBackend.SPIN_NANOS}, 50 us) before it sleeps, and
     * submitters write no eventfd meanwhile. Here: 20,000 page-cached reads (fast path off) in rounds of 16, each
     * round submitted while the reaper may be spinning, all complete (a submission the spinning reaper missed would
     * wait forever: the idle wait has no timeout); then the reaper goes back to sleep: its CPU time in the next idle
     * second stays under the bound of {@link #anIdleReaperSleeps}.
     */
    @Test
    void aReaperThatWasBusySleepsAgainWhenTheWorkStops() throws Exception {
        Path p = dir.resolve("burst");
        Files.write(p, new byte[64 * 1024]);
        try (AioEngine engine = EngineTestSupport.builder(EngineBackend.IO_URING)
                        .name("burst-uring")
                        .cachedReadFastPath(false)
                        .build();
                AioFile f = AioFile.open(p)) {
            ByteBuffer[] bufs = new ByteBuffer[16];
            for (int i = 0; i < bufs.length; i++) bufs[i] = ByteBuffer.allocateDirect(4096);
            java.util.concurrent.CompletableFuture<?>[] fs = new java.util.concurrent.CompletableFuture<?>[16];
            for (int round = 0; round < 1250; round++) {
                for (int i = 0; i < fs.length; i++) fs[i] = engine.read(f, i * 4096L, bufs[i]);
                for (var x : fs) assertThat(x.get(30, TimeUnit.SECONDS)).isEqualTo(4096);
            }
            assertThat(engine.metrics().fastPathReads()).isZero();
            Thread reaper = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("aio4j-reaper-burst-uring"))
                    .findFirst()
                    .orElseThrow();
            var mx = java.lang.management.ManagementFactory.getThreadMXBean();
            Thread.sleep(50);
            long c0 = mx.getThreadCpuTime(reaper.getId());
            Thread.sleep(1000);
            long used = mx.getThreadCpuTime(reaper.getId()) - c0;
            assertThat(used)
                    .as("reaper CPU nanoseconds in the idle second after a burst")
                    .isLessThan(50_000_000L);
        }
    }

    /**
     * A read of a pipe nobody writes: POSIX AIO cannot cancel it (a glibc helper blocks in read(2), see {@code
     * EngineRaceTest.closeWaitsBoundedForAnOpThatCannotBeCancelled}); io_uring waits for it with a poll, which the
     * per-op cancel and the engine's close do cancel: the handler gets ECANCELED, the engine terminates at once,
     * and everything is released.
     */
    @Test
    void aBlockedPipeReadIsCancelledByCancelAndByClose() throws Exception {
        var base = EngineTestSupport.Baseline.take();
        long fds = NativeMemory.allocate(8);
        int rfd, wfd;
        try {
            assertThat(NativeLib.libc().pipe(fds)).isZero();
            rfd = NativeMemory.getInt(fds);
            wfd = NativeMemory.getInt(fds + 4);
        } finally {
            NativeMemory.free(fds, 8);
        }
        try (AioFile pipe = AioFile.adopt(rfd, null)) {
            AioEngine engine = EngineTestSupport.builder(EngineBackend.IO_URING)
                    .closeTimeout(Duration.ofSeconds(5))
                    .build();
            // per-op cancel
            AtomicReference<String> first = new AtomicReference<>();
            CountDownLatch firstDone = new CountDownLatch(1);
            long token = engine.read(pipe, 0, ByteBuffer.allocateDirect(16), null, recorder(first, firstDone));
            assertThat(token).isNotZero();
            boolean cancelled = false;
            for (int i = 0; i < 200 && !cancelled; i++) {
                cancelled = engine.cancel(token); // false until the reaper has handed the SQE to the kernel
                if (!cancelled) Thread.sleep(5);
            }
            assertThat(cancelled).isTrue();
            assertThat(firstDone.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(first.get()).isEqualTo("failed ECANCELED");
            // close with the read in flight
            AtomicReference<String> second = new AtomicReference<>();
            CountDownLatch secondDone = new CountDownLatch(1);
            engine.read(pipe, 0, ByteBuffer.allocateDirect(16), null, recorder(second, secondDone));
            Thread.sleep(50);
            long t0 = System.nanoTime();
            engine.close();
            assertThat(System.nanoTime() - t0).isLessThan(2_000_000_000L);
            assertThat(engine.isTerminated()).isTrue();
            assertThat(second.get()).isEqualTo("failed ECANCELED");
        } finally {
            NativeLib.libc().close(wfd);
        }
        base.assertBack();
    }

    private static AioHandler<Object> recorder(AtomicReference<String> outcome, CountDownLatch done) {
        return new AioHandler<>() {
            @Override
            public void completed(long result, Object a) {
                outcome.set("completed " + result);
                done.countDown();
            }

            @Override
            public void failed(AioException e, Object a) {
                outcome.set("failed " + e.errnoName());
                done.countDown();
            }
        };
    }
}

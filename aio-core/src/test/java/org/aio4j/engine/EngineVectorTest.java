package org.aio4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.aio4j.AioCancelledException;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.internal.NativeLib;
import org.aio4j.internal.NativeMemory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code readv}/{@code writev} on both backends: on io_uring one {@code IORING_OP_READV}/{@code WRITEV} per vector
 * (per 1024 buffers), whose native {@code iovec} array lives until its CQE was reaped; on POSIX AIO one op per
 * buffer. Byte-exact contents, buffer positions untouched, the short count at end of file, typed errors, cancel of a
 * vector op (queued for a slot on both backends; in flight on io_uring), and native memory back after each.
 */
class EngineVectorTest {
    @TempDir
    Path dir;

    /** Direct buffers of the given sizes, each inside a larger one at a non-zero position (not page aligned). */
    private static ByteBuffer[] buffers(int... sizes) {
        ByteBuffer[] b = new ByteBuffer[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            int pos = 1 + (i % 7);
            b[i] = ByteBuffer.allocateDirect(pos + sizes[i] + 5).position(pos).limit(pos + sizes[i]);
        }
        return b;
    }

    private static int total(ByteBuffer[] bufs) {
        int n = 0;
        for (ByteBuffer b : bufs) n += b.remaining();
        return n;
    }

    /** The remaining bytes of the buffers, concatenated (positions untouched). */
    private static byte[] concat(ByteBuffer[] bufs) {
        byte[] all = new byte[total(bufs)];
        int at = 0;
        for (ByteBuffer b : bufs) {
            int n = b.remaining();
            b.duplicate().get(all, at, n);
            at += n;
        }
        return all;
    }

    private static void assertUntouched(ByteBuffer[] bufs, int... sizes) {
        for (int i = 0; i < bufs.length; i++) {
            int pos = 1 + (i % 7);
            assertThat(bufs[i].position()).as("position of buffer %d", i).isEqualTo(pos);
            assertThat(bufs[i].limit()).as("limit of buffer %d", i).isEqualTo(pos + sizes[i]);
        }
    }

    /** On io_uring a vector of up to 1024 buffers is one op; on POSIX AIO one op per buffer. */
    private static long expectedOps(EngineBackend backend, int buffers) {
        return backend == EngineBackend.IO_URING ? (buffers + 1023) / 1024 : buffers;
    }

    @ParameterizedTest
    @CsvSource({"POSIX_AIO,false", "POSIX_AIO,true", "IO_URING,false", "IO_URING,true"})
    void vectorWritesAndReadsAreByteExact(EngineBackend backend, boolean fastPath) throws Exception {
        Path p = dir.resolve("v");
        byte[] initial = EngineTestSupport.pattern(256 * 1024, 1, 0);
        Files.write(p, initial);
        int[] sizes = {1, 4095, 0, 8192, 3, 65536, 17, 4096};
        var base = EngineTestSupport.Baseline.take();
        try (AioEngine engine = EngineTestSupport.builder(backend)
                        .cachedReadFastPath(fastPath)
                        .build();
                AioFile f = AioFile.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer[] src = buffers(sizes);
            SplittableRandom rnd = new SplittableRandom(7);
            for (ByteBuffer b : src) {
                for (int i = b.position(); i < b.limit(); i++) b.put(i, (byte) rnd.nextInt());
            }
            byte[] written = concat(src);
            long at = 4097;
            long before = engine.metrics().submitted();
            assertThat(engine.writev(f, at, src).get(10, TimeUnit.SECONDS)).isEqualTo(written.length);
            assertThat(engine.metrics().submitted() - before).isEqualTo(expectedOps(backend, sizes.length));
            assertUntouched(src, sizes);
            byte[] expected = initial.clone();
            System.arraycopy(written, 0, expected, (int) at, written.length);
            assertThat(Files.readAllBytes(p)).isEqualTo(expected);

            ByteBuffer[] dst = buffers(sizes);
            before = engine.metrics().submitted();
            assertThat(engine.readv(f, at, dst).get(10, TimeUnit.SECONDS)).isEqualTo(written.length);
            assertThat(engine.metrics().submitted() - before).isEqualTo(expectedOps(backend, sizes.length));
            assertUntouched(dst, sizes);
            assertThat(concat(dst)).isEqualTo(written);
            // the bytes around each buffer's window were not written
            for (ByteBuffer b : dst) {
                ByteBuffer whole = b.duplicate().clear();
                for (int i = 0; i < b.position(); i++) assertThat(whole.get(i)).isZero();
                for (int i = b.limit(); i < b.capacity(); i++)
                    assertThat(whole.get(i)).isZero();
            }

            // no buffers, and only empty ones: 0 at once
            assertThat(engine.readv(f, 0, new ByteBuffer[0]).get(10, TimeUnit.SECONDS))
                    .isZero();
            assertThat(engine.readv(f, 0, buffers(0, 0)).get(10, TimeUnit.SECONDS))
                    .isZero();
            EngineMetrics m = engine.metrics();
            assertThat(m.completed()).isEqualTo(m.submitted());
            assertThat(m.inFlight()).isZero();
        }
        base.assertBack();
    }

    /** More buffers than one READV takes (UIO_MAXIOV, 1024): two ops on io_uring, still one result, byte-exact. */
    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void vectorsOfMoreThan1024BuffersAreSplit(EngineBackend backend) throws Exception {
        Path p = dir.resolve("big");
        int n = 1500;
        int[] sizes = new int[n];
        for (int i = 0; i < n; i++) sizes[i] = 1 + (i * 7) % 16;
        byte[] data = EngineTestSupport.pattern(64 * 1024, 2, 0);
        Files.write(p, data);
        var base = EngineTestSupport.Baseline.take();
        try (AioEngine engine = EngineTestSupport.builder(backend)
                        .cachedReadFastPath(false)
                        .build();
                AioFile f = AioFile.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer[] dst = buffers(sizes);
            int len = total(dst);
            long before = engine.metrics().submitted();
            assertThat(engine.readv(f, 100, dst).get(30, TimeUnit.SECONDS)).isEqualTo(len);
            assertThat(engine.metrics().submitted() - before).isEqualTo(expectedOps(backend, n));
            assertThat(concat(dst)).isEqualTo(Arrays.copyOfRange(data, 100, 100 + len));
            assertUntouched(dst, sizes);

            ByteBuffer[] src = buffers(sizes);
            for (ByteBuffer b : src) {
                for (int i = b.position(); i < b.limit(); i++) b.put(i, (byte) (i * 31 + b.remaining()));
            }
            byte[] written = concat(src);
            assertThat(engine.writev(f, 7, src).get(30, TimeUnit.SECONDS)).isEqualTo(len);
            byte[] expected = data.clone();
            System.arraycopy(written, 0, expected, 7, len);
            assertThat(Files.readAllBytes(p)).isEqualTo(expected);
        }
        base.assertBack();
    }

    /** A vector read that reaches the end of the file is short, not an error: preadv's count. */
    @ParameterizedTest
    @CsvSource({"POSIX_AIO,false", "POSIX_AIO,true", "IO_URING,false", "IO_URING,true"})
    void shortVectorReadAtEndOfFile(EngineBackend backend, boolean fastPath) throws Exception {
        Path p = dir.resolve("short");
        Files.writeString(p, "0123456789");
        var base = EngineTestSupport.Baseline.take();
        try (AioEngine engine = EngineTestSupport.builder(backend)
                        .cachedReadFastPath(fastPath)
                        .build();
                AioFile f = AioFile.open(p)) {
            ByteBuffer[] dst = buffers(4, 4, 4);
            assertThat(engine.readv(f, 0, dst).get(10, TimeUnit.SECONDS)).isEqualTo(10);
            assertThat(new String(Arrays.copyOf(concat(dst), 10), StandardCharsets.US_ASCII))
                    .isEqualTo("0123456789");
            assertThat(dst[2].get(dst[2].position() + 2)).isZero(); // nothing past the end of the file
            assertUntouched(dst, 4, 4, 4);
            dst = buffers(4, 4, 4);
            assertThat(engine.readv(f, 8, dst).get(10, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(new String(Arrays.copyOf(concat(dst), 2), StandardCharsets.US_ASCII))
                    .isEqualTo("89");
            assertThat(engine.readv(f, 10, buffers(4, 4)).get(10, TimeUnit.SECONDS))
                    .isZero();
            assertThat(engine.readv(f, 1000, buffers(4, 4)).get(10, TimeUnit.SECONDS))
                    .isZero();
            assertThat(engine.metrics().failed()).isZero();
        }
        base.assertBack();
    }

    /** Faults of a vector op are typed like those of single ops on POSIX AIO: same operation, errno, position. */
    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void vectorFaultsAreTypedAndFreeTheirMemory(EngineBackend backend) throws Exception {
        Path p = dir.resolve("ro");
        Files.writeString(p, "read only");
        var base = EngineTestSupport.Baseline.take();
        try (AioEngine engine = EngineTestSupport.builder(backend).build();
                AioFile f = AioFile.open(p)) {
            AioException e = EngineFaultTest.failure(engine.writev(f, 5, buffers(3, 4)));
            assertThat(e.errnoName()).isEqualTo("EBADF");
            assertThat(e.operation()).isEqualTo("aio_write");
            assertThat(e.path()).isEqualTo(p);
            assertThat(e.position()).isEqualTo(5);
            int dfd = NativeLib.libc().open((dir + "\0").getBytes(StandardCharsets.UTF_8), 0, 0);
            assertThat(dfd).isNotNegative();
            try (AioFile d = AioFile.adopt(dfd, dir)) {
                e = EngineFaultTest.failure(engine.readv(d, 0, buffers(8, 8)));
                assertThat(e.errnoName()).isEqualTo("EISDIR");
                assertThat(e.operation()).isEqualTo("aio_read");
            }
            AioFile closed = AioFile.open(p);
            closed.close();
            e = EngineFaultTest.failure(engine.readv(closed, 2, buffers(8, 8)));
            assertThat(e.errnoName()).isEqualTo("EBADF");
            assertThat(e.position()).isEqualTo(2);
            assertThatThrownBy(() -> engine.readv(f, 0, new ByteBuffer[] {ByteBuffer.allocate(4)}))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> engine.readv(
                            f, 0, new ByteBuffer[] {ByteBuffer.allocateDirect(4).asReadOnlyBuffer()}))
                    .isInstanceOf(IllegalArgumentException.class);
            // the engine still serves vectors
            ByteBuffer[] dst = buffers(4, 5);
            assertThat(engine.readv(f, 0, dst).get(10, TimeUnit.SECONDS)).isEqualTo(9);
            assertThat(new String(concat(dst), StandardCharsets.US_ASCII)).isEqualTo("read only");
        }
        base.assertBack();
    }

    /**
     * Both backends: with the only slot held by a read of a pipe nobody writes, a vector read waits for a slot;
     * cancelling its future completes it as cancelled at once, and the engine serves vectors afterwards.
     */
    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void aVectorOpWaitingForASlotIsCancelled(EngineBackend backend) throws Exception {
        Path p = dir.resolve("q");
        Files.writeString(p, "abcdefgh");
        var base = EngineTestSupport.Baseline.take();
        int[] pipe = pipe();
        try (AioFile r = AioFile.adopt(pipe[0], null);
                AioFile f = AioFile.open(p)) {
            AioEngine engine = EngineTestSupport.builder(backend)
                    .maxInFlight(1)
                    .cachedReadFastPath(false)
                    .closeTimeout(Duration.ofSeconds(10))
                    .build();
            try {
                AtomicReference<String> blocker = new AtomicReference<>();
                CountDownLatch blockerDone = new CountDownLatch(1);
                engine.read(r, 0, ByteBuffer.allocateDirect(1), null, recorder(blocker, blockerDone));
                CompletableFuture<Long> v = engine.readv(f, 0, buffers(4, 4));
                assertThat(engine.metrics().queued()).isPositive();
                assertThat(v.cancel(false)).isTrue();
                assertThatThrownBy(() -> v.get(10, TimeUnit.SECONDS))
                        .isInstanceOf(CancellationException.class)
                        .hasCauseInstanceOf(AioCancelledException.class);
                writeOneByte(pipe[1]);
                assertThat(blockerDone.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(blocker.get()).isEqualTo("completed 1");
                ByteBuffer[] dst = buffers(4, 4);
                assertThat(engine.readv(f, 0, dst).get(10, TimeUnit.SECONDS)).isEqualTo(8);
                assertThat(new String(concat(dst), StandardCharsets.US_ASCII)).isEqualTo("abcdefgh");
                assertThat(engine.metrics().queued()).isZero();
            } finally {
                engine.close();
            }
            assertThat(engine.isTerminated()).isTrue();
        } finally {
            NativeLib.libc().close(pipe[1]);
        }
        base.assertBack();
    }

    /**
     * io_uring: a READV in flight on a pipe nobody writes is cancelled by its future's cancel (by user_data), and
     * one in flight at close is cancelled by the close; each iovec array is freed only after its CQE (native memory
     * back to baseline).
     */
    @ParameterizedTest
    @EnumSource(value = EngineBackend.class, names = "IO_URING")
    void aVectorReadInFlightIsCancelledByCancelAndByClose(EngineBackend backend) throws Exception {
        var base = EngineTestSupport.Baseline.take();
        int[] pipe = pipe();
        try (AioFile r = AioFile.adopt(pipe[0], null)) {
            AioEngine engine = EngineTestSupport.builder(backend)
                    .closeTimeout(Duration.ofSeconds(5))
                    .build();
            CompletableFuture<Long> v = engine.readv(r, 0, buffers(16, 16, 16));
            boolean cancelled = false;
            for (int i = 0; i < 400 && !cancelled; i++) {
                cancelled = v.cancel(false); // false until the reaper has handed the SQE to the kernel
                if (!cancelled) Thread.sleep(5);
            }
            assertThat(cancelled).isTrue();
            assertThatThrownBy(() -> v.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(CancellationException.class)
                    .hasCauseInstanceOf(AioCancelledException.class);
            // one in flight at close
            CompletableFuture<Long> w = engine.readv(r, 0, buffers(8, 8));
            Thread.sleep(50);
            long t0 = System.nanoTime();
            engine.close();
            assertThat(System.nanoTime() - t0).isLessThan(4_000_000_000L);
            assertThat(engine.isTerminated()).isTrue();
            assertThatThrownBy(() -> w.get(10, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
            assertThat(engine.metrics().submitted()).isEqualTo(2);
        } finally {
            NativeLib.libc().close(pipe[1]);
        }
        base.assertBack();
    }

    /** io_uring: a READV on a pipe completes short with what was written (one op, not one per buffer). */
    @ParameterizedTest
    @EnumSource(value = EngineBackend.class, names = "IO_URING")
    void aVectorReadOfAPipeIsOneReadv(EngineBackend backend) throws Exception {
        var base = EngineTestSupport.Baseline.take();
        int[] pipe = pipe();
        try (AioFile r = AioFile.adopt(pipe[0], null);
                AioEngine engine = EngineTestSupport.builder(backend).build()) {
            ByteBuffer[] dst = buffers(16, 16);
            CompletableFuture<Long> v = engine.readv(r, 0, dst);
            Thread.sleep(20);
            writeOneByte(pipe[1]);
            // preadv on a pipe returns what is there: one byte, into the first buffer; per-buffer reads would
            // have left the second one waiting forever
            assertThat(v.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(dst[0].get(dst[0].position())).isEqualTo((byte) 'x');
        } finally {
            NativeLib.libc().close(pipe[1]);
        }
        base.assertBack();
    }

    private static int[] pipe() {
        long fds = NativeMemory.allocate(8);
        try {
            assertThat(NativeLib.libc().pipe(fds)).isZero();
            return new int[] {NativeMemory.getInt(fds), NativeMemory.getInt(fds + 4)};
        } finally {
            NativeMemory.free(fds, 8);
        }
    }

    private static void writeOneByte(int fd) {
        long one = NativeMemory.allocate(1);
        try {
            NativeMemory.putByte(one, (byte) 'x');
            assertThat(NativeLib.libc().write(fd, one, 1)).isEqualTo(1);
        } finally {
            NativeMemory.free(one, 1);
        }
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

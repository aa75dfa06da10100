package org.aio4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.AioFsyncMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AioEngineBasicTest {
    @TempDir
    Path dir;

    static ByteBuffer direct(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocateDirect(b.length).put(b).flip();
    }

    static String string(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return new String(a, StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @EnumSource(
            value = Notification.class,
            names = {"SUSPEND", "THREAD", "SIGNAL"})
    void writesReadsAndSyncsInEachMode(Notification mode) throws Exception {
        writesReadsAndSyncs(AioEngine.builder().notification(mode));
    }

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void writesReadsAndSyncsOnEachBackend(EngineBackend backend) throws Exception {
        AioEngine.Builder b = EngineTestSupport.builder(backend);
        writesReadsAndSyncs(b);
        try (AioEngine engine = b.build()) {
            assertThat(engine.backend()).isEqualTo(backend);
            if (backend == EngineBackend.IO_URING) {
                assertThat(engine.notification()).isNull();
                assertThat(engine.mechanism()).startsWith("IO_URING");
                assertThat(engine.lanes()).isOne();
                assertThat(engine.directLanes()).isOne();
            }
        }
    }

    private void writesReadsAndSyncs(AioEngine.Builder builder) throws Exception {
        var base = EngineTestSupport.Baseline.take();
        Path p = dir.resolve("f");
        Files.deleteIfExists(p);
        try (AioEngine engine = builder.cachedReadFastPath(false).build();
                AioFile f =
                        AioFile.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer src = direct("xxhello world");
            src.position(2);
            assertThat(engine.write(f, 3, src).get(5, TimeUnit.SECONDS)).isEqualTo(11);
            assertThat(src.position()).isEqualTo(2);
            assertThat(engine.fsync(f, AioFsyncMode.O_SYNC).get(5, TimeUnit.SECONDS))
                    .isNull();
            assertThat(engine.fsync(f, AioFsyncMode.O_DSYNC).get(5, TimeUnit.SECONDS))
                    .isNull();
            ByteBuffer dst = ByteBuffer.allocateDirect(16);
            dst.position(1).limit(6);
            assertThat(engine.read(f, 3, dst).get(5, TimeUnit.SECONDS)).isEqualTo(5);
            assertThat(dst.position()).isEqualTo(1);
            assertThat(dst.limit()).isEqualTo(6);
            assertThat(string(dst)).isEqualTo("hello");
            assertThat(engine.read(f, 100, ByteBuffer.allocateDirect(4)).get(5, TimeUnit.SECONDS))
                    .isZero();
            ByteBuffer[] v = {ByteBuffer.allocateDirect(3), ByteBuffer.allocateDirect(100)};
            assertThat(engine.readv(f, 3, v).get(5, TimeUnit.SECONDS)).isEqualTo(11);
            assertThat(string(v[0])).isEqualTo("hel");
            assertThat(engine.writev(f, 0, new ByteBuffer[] {direct("ab"), direct("c")})
                            .get(5, TimeUnit.SECONDS))
                    .isEqualTo(3);
            assertThat(engine.mechanism()).isNotEmpty();
            EngineMetrics m = engine.metrics();
            assertThat(m.completed()).isEqualTo(m.submitted());
            assertThat(m.inFlight()).isZero();
        }
        assertThat(Files.readString(p, StandardCharsets.US_ASCII)).isEqualTo("abchello world");
        base.assertBack();
    }

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void fastPathServesCachedReadsOnTheCallingThread(EngineBackend backend) throws Exception {
        Path p = dir.resolve("c");
        Files.writeString(p, "cached data");
        try (AioEngine engine = EngineTestSupport.builder(backend).build();
                AioFile f = AioFile.open(p)) {
            assertThat(engine.cachedReadFastPath()).isTrue();
            EngineTestSupport.assumeFastPathWorks(engine, f);
            long before = engine.metrics().fastPathReads();
            ByteBuffer dst = ByteBuffer.allocateDirect(6);
            Thread[] on = new Thread[1];
            long token = engine.read(f, 0, dst, null, new AioHandler<Object>() {
                @Override
                public void completed(long result, Object a) {
                    on[0] = Thread.currentThread();
                }

                @Override
                public void failed(AioException e, Object a) {}
            });
            assertThat(token).isZero();
            assertThat(on[0]).isSameAs(Thread.currentThread());
            assertThat(string(dst)).isEqualTo("cached");
            assertThat(engine.metrics().fastPathReads()).isEqualTo(before + 1);
        }
    }

    /**
     * qemu-user (and some network and FUSE file systems) answer {@code preadv2(RWF_NOWAIT)} with EOPNOTSUPP: every
     * read then goes the async way (correct), and after 16 such answers in a row the engine stops trying and says so,
     * instead of paying a failed call before every read.
     */
    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void fastPathTurnsItselfOffWhereTheFileSystemRefusesRwfNowait(EngineBackend backend) throws Exception {
        Path p = dir.resolve("u");
        Files.writeString(p, "0123456789");
        EngineBatchTest.CountingPosix px = new EngineBatchTest.CountingPosix();
        px.preadv2Errno = org.aio4j.internal.Errno.ENOTSUP.value();
        AioEngine.Builder b = EngineTestSupport.builder(backend);
        b.posix = px;
        b.abi = px.abi;
        try (AioEngine engine = b.build();
                AioFile f = AioFile.open(p)) {
            assertThat(engine.cachedReadFastPath()).isTrue();
            for (int i = 0; i < 40; i++) {
                ByteBuffer dst = ByteBuffer.allocateDirect(4);
                assertThat(engine.read(f, i % 6, dst).get(5, TimeUnit.SECONDS)).isEqualTo(4);
                assertThat(string(dst)).isEqualTo("0123456789".substring(i % 6, i % 6 + 4));
            }
            assertThat(engine.cachedReadFastPath()).isFalse();
            assertThat(px.preadv2Calls.get()).isEqualTo(16);
            assertThat(engine.metrics().fastPathReads()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void refusesBadInputBeforeSubmission(EngineBackend backend) throws Exception {
        Path p = dir.resolve("b");
        Files.writeString(p, "x");
        try (AioEngine engine = EngineTestSupport.builder(backend).build();
                AioFile f = AioFile.open(p)) {
            assertThatThrownBy(() -> engine.read(f, 0, ByteBuffer.allocate(4)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(
                            () -> engine.read(f, 0, ByteBuffer.allocateDirect(4).asReadOnlyBuffer()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> engine.read(f, -1, ByteBuffer.allocateDirect(4)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> engine.read(null, 0, ByteBuffer.allocateDirect(4)))
                    .isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> engine.read(f, 0, null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> engine.write(f, 0, direct("a"), null, null))
                    .isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> engine.readv(f, 0, new ByteBuffer[] {null}))
                    .isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> engine.readv(f, 0, null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> engine.writev(f, -1, new ByteBuffer[] {direct("a")}))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> engine.writev(f, 0, new ByteBuffer[] {direct("a"), ByteBuffer.allocate(1)}))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> engine.readv(f, Long.MAX_VALUE - 1, new ByteBuffer[] {
                        ByteBuffer.allocateDirect(4), ByteBuffer.allocateDirect(4)
                    }))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> engine.fsync(f, null)).isInstanceOf(NullPointerException.class);
            AioFile closed = AioFile.open(p);
            closed.close();
            CompletableFuture<Integer> r = engine.read(closed, 0, ByteBuffer.allocateDirect(1));
            assertThatThrownBy(r::get)
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(AioException.class)
                    .hasMessageContaining("EBADF");
            engine.close();
            assertThatThrownBy(() -> engine.read(f, 0, ByteBuffer.allocateDirect(1)))
                    .isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> engine.readv(f, 0, new ByteBuffer[] {ByteBuffer.allocateDirect(1)}))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void appliesAioInitAndLanes() throws Exception {
        Path p = dir.resolve("l");
        Files.write(p, new byte[8192]);
        var base = EngineTestSupport.Baseline.take();
        // glibc's thread count is fixed by the first request of the process; the idle time can change any time
        try (AioEngine engine = AioEngine.builder()
                        .aioInit(-1, 5)
                        .lanes(3)
                        .cachedReadFastPath(false)
                        .build();
                AioFile f = AioFile.open(p)) {
            assertThat(engine.lanes()).isEqualTo(3);
            long before = EngineTestSupport.fdCount();
            for (int i = 0; i < 6; i++) {
                assertThat(engine.read(f, 0, ByteBuffer.allocateDirect(4096)).get(5, TimeUnit.SECONDS))
                        .isEqualTo(4096);
            }
            assertThat(EngineTestSupport.fdCount()).as("two dup'd lanes").isEqualTo(before + 2);
        }
        base.assertBack();
    }

    @Test
    void sharedEngineIsOneAndSurvivesClose() throws Exception {
        AioEngine s = AioEngine.shared();
        assertThat(AioEngine.shared()).isSameAs(s);
        s.close();
        assertThat(s.isClosed()).isFalse();
        Path p = dir.resolve("s");
        Files.writeString(p, "abc");
        try (AioFile f = AioFile.open(p)) {
            assertThat(s.read(f, 0, ByteBuffer.allocateDirect(3)).get(5, TimeUnit.SECONDS))
                    .isEqualTo(3);
        }
    }

    /**
     * More ops in flight than one aio_suspend call waits on (4096): the ones beyond are still reaped. On io_uring:
     * thousands of SQEs from one thread, reaped in several passes over the CQ.
     */
    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void reapsMoreOpsThanOneSuspendListHolds(EngineBackend backend) throws Exception {
        Path p = dir.resolve("many");
        byte[] data = EngineTestSupport.pattern(8192, 3, 3);
        Files.write(p, data);
        var base = EngineTestSupport.Baseline.take();
        int n = 6000;
        try (AioEngine engine = EngineTestSupport.builder(backend)
                        .maxInFlight(8192)
                        .cachedReadFastPath(false)
                        .build();
                AioFile f = AioFile.open(p)) {
            java.util.List<CompletableFuture<Integer>> fs = new java.util.ArrayList<>();
            java.util.List<ByteBuffer> bufs = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(8);
                bufs.add(b);
                fs.add(engine.read(f, (i % 1024) * 8L, b));
            }
            for (int i = 0; i < n; i++) {
                assertThat(fs.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(8);
                for (int k = 0; k < 8; k++) {
                    assertThat(bufs.get(i).get(k)).isEqualTo(data[(i % 1024) * 8 + k]);
                }
            }
            assertThat(engine.metrics().peakInFlight()).isGreaterThan(1);
        }
        base.assertBack();
    }
}

package org.aio4j;

import static org.aio4j.TestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.internal.AioAbi;
import org.aio4j.internal.Errno;
import org.aio4j.internal.FdTracker;
import org.aio4j.internal.NativeLib;
import org.aio4j.internal.NativeMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safety contract of issue 2: state machine, bad input, buffers, notifications, groups, leaks. */
class AioContractTest {
    static final AioAbi ABI = NativeLib.abi();

    @TempDir
    Path dir;

    long memBefore;
    int inFlightBefore;

    @BeforeEach
    void snapshot() {
        memBefore = NativeMemory.outstandingBytes();
        inFlightBefore = PosixAio.opsInFlight();
    }

    @AfterEach
    void nothingLeaked() {
        assertThat(PosixAio.opsInFlight()).as("ops in flight").isEqualTo(inFlightBefore);
        assertThat(NativeMemory.outstandingBytes()).as("native bytes").isEqualTo(memBefore);
    }

    static AioRead read(int fd, int n) {
        return new AioRead(fd, 0, ByteBuffer.allocateDirect(n), 0, SigevNotify.none());
    }

    // ---- availability ----

    @Test
    void available() {
        assertThat(PosixAio.isAvailable()).isTrue();
        assertThat(PosixAio.unavailabilityCause()).isNull();
    }

    // ---- state machine ----

    @Test
    void errorBeforeSubmit() {
        try (AioRead r = read(0, 1)) {
            assertThatThrownBy(r::error)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("submit()");
            assertThatThrownBy(r::aioReturn)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("submit");
            assertThatThrownBy(r::cancel).isInstanceOf(IllegalStateException.class);
            assertThat(r.inProgress()).isFalse();
        }
    }

    @Test
    void submitTwiceAioReturnTwiceSubmitAfterReap() throws Exception {
        try (AioFile f = tempFile(dir, "abcd");
                AioRead r = read(f.fd(), 4)) {
            r.submit();
            assertThatThrownBy(r::submit)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already submitted")
                    .hasMessageContaining("aioReturn()");
            poll(r);
            assertThat(r.aioReturn()).isEqualTo(4);
            assertThatThrownBy(r::aioReturn)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already called");
            assertThatThrownBy(r::submit)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("single-use");
            assertThat(r.error()).isZero();
            assertThat(r.cancel()).isEqualTo(AioCancelStat.AIO_ALLDONE);
            assertThatThrownBy(() -> r.setSigevNotify(SigevNotify.none())).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aioReturnWhileInProgressAndSetSigevNotifyRefused() throws Exception {
        Path fifo = mkfifo(dir, "f");
        try (AioFile p = openFifo(fifo);
                AioRead r = read(p.fd(), 1)) {
            r.submit();
            assertThat(r.inProgress()).isTrue();
            assertThatThrownBy(r::aioReturn)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("still in progress");
            assertThatThrownBy(() -> r.setSigevNotify(SigevNotify.none()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in-progress");
            assertThatThrownBy(r::close)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in-progress");
            assertThat(PosixAio.opsInFlight()).isEqualTo(inFlightBefore + 1);
            assertThat(FdTracker.inFlight(p.fd())).isEqualTo(1);
            writeSync(p.fd(), "!");
            poll(r);
            assertThat(r.aioReturn()).isEqualTo(1);
            assertThat(FdTracker.inFlight(p.fd())).isZero();
        }
    }

    @Test
    void failedSubmitLeavesTheOpNewAndResubmittable() {
        try (AioFsync s = new AioFsync(999, AioFsyncMode.O_SYNC, 0, SigevNotify.none())) {
            assertThatThrownBy(s::submit).isInstanceOf(AioException.class);
            assertThat(s.inProgress()).isFalse();
            assertThatThrownBy(s::error).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(s::submit).isInstanceOf(AioException.class);
        }
    }

    @Test
    void closeIsIdempotentAndFreesANewOp() {
        AioWrite w = new AioWrite(1, 0, direct("x"), 0, SigevNotify.none());
        assertThat(NativeMemory.outstandingBytes()).isGreaterThan(memBefore);
        w.close();
        w.close();
        assertThat(NativeMemory.outstandingBytes()).isEqualTo(memBefore);
        assertThatThrownBy(w::submit).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(w::error).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void setSigevNotifyBeforeSubmitRewritesTheSigevent() {
        try (AioRead r = read(3, 1)) {
            long sev = r.aiocbAddress(0) + ABI.aiocb.sigevent();
            assertThat(NativeMemory.getInt(sev + ABI.sigevent.notifyField())).isEqualTo(ABI.SIGEV_NONE);
            r.setSigevNotify(SigevNotify.signal(ABI.SIGUSR1, 5));
            assertThat(r.sigevNotify()).isEqualTo(SigevNotify.signal(ABI.SIGUSR1, 5));
            assertThat(NativeMemory.getInt(sev + ABI.sigevent.notifyField())).isEqualTo(ABI.SIGEV_SIGNAL);
            assertThat(NativeMemory.getInt(sev + ABI.sigevent.signo())).isEqualTo(ABI.SIGUSR1);
            assertThat(NativeMemory.getLong(sev + ABI.sigevent.value())).isEqualTo(5);
            r.setSigevNotify(SigevNotify.threadNative(0x1234, 9));
            assertThat(NativeMemory.getInt(sev + ABI.sigevent.notifyField())).isEqualTo(ABI.SIGEV_THREAD);
            assertThat(NativeMemory.getLong(sev + ABI.sigevent.notifyFunction()))
                    .isEqualTo(0x1234);
            assertThat(NativeMemory.getLong(sev + ABI.sigevent.value())).isEqualTo(9);
            r.setSigevNotify(SigevNotify.none());
            assertThat(NativeMemory.getInt(sev + ABI.sigevent.notifyField())).isEqualTo(ABI.SIGEV_NONE);
            assertThat(NativeMemory.getLong(sev + ABI.sigevent.notifyFunction()))
                    .isZero();
        }
    }

    @Test
    void aiocbFieldsAreWritten() {
        ByteBuffer b = ByteBuffer.allocateDirect(16).position(3).limit(11);
        try (AioRead r = new AioRead(7, 100, b, 4, SigevNotify.none())) {
            long cb = r.aiocbAddress(0);
            assertThat(NativeMemory.getInt(cb + ABI.aiocb.fildes())).isEqualTo(7);
            assertThat(NativeMemory.getInt(cb + ABI.aiocb.reqprio())).isEqualTo(4);
            assertThat(NativeMemory.getInt(cb + ABI.aiocb.lioOpcode())).isEqualTo(ABI.LIO_READ);
            assertThat(NativeMemory.getLong(cb + ABI.aiocb.buf())).isEqualTo(NativeMemory.addressOf(b) + 3);
            assertThat(NativeMemory.getLong(cb + ABI.aiocb.nbytes())).isEqualTo(8);
            assertThat(NativeMemory.getLong(cb + ABI.aiocb.offset())).isEqualTo(100);
            assertThat(r.nbytes()).isEqualTo(8);
        }
    }

    // ---- bad input: refused before anything is submitted ----

    @Test
    void badInput() {
        ByteBuffer heap = ByteBuffer.allocate(4);
        ByteBuffer ro = ByteBuffer.allocateDirect(4).asReadOnlyBuffer();
        ByteBuffer ok = ByteBuffer.allocateDirect(4);
        SigevNotify none = SigevNotify.none();
        assertThatThrownBy(() -> new AioRead(0, 0, heap, 0, none))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("heap buffer");
        assertThatThrownBy(() -> new AioWrite(0, 0, heap, 0, none)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AioReadv(0, 0, new ByteBuffer[] {ok, heap}, 0, none))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("buffer 1");
        assertThatThrownBy(() -> new AioWritev(0, 0, new ByteBuffer[] {heap}, 0, none))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AioRead(0, 0, ro, 0, none))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("immutable");
        assertThatThrownBy(() -> new AioReadv(0, 0, new ByteBuffer[] {ok, ro}, 0, none))
                .isInstanceOf(IllegalArgumentException.class);
        new AioWrite(0, 0, ro, 0, none).close(); // writing from a read-only buffer is fine
        assertThatThrownBy(() -> new AioRead(0, -1, ok, 0, none)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AioWrite(0, 0, ok, -1, none))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("priority");
        assertThatThrownBy(() -> new AioFsync(-1, AioFsyncMode.O_SYNC, 0, none))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AioRead(0, Long.MAX_VALUE, ok, 0, none))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AioRead(0, 0, null, 0, none)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new AioRead(0, 0, ok, 0, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new AioFsync(0, null, 0, none)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new AioWritev(0, 0, null, 0, none)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new AioWritev(0, 0, new ByteBuffer[] {ok, null}, 0, none))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new AioReadv(0, 0, new ByteBuffer[0], 0, none))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SigevNotify.signal(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SigevNotify.thread(null, 0)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> SigevNotify.threadNative(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SigevNotify.kevent(3, 0))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("SIGEV_KEVENT");
        assertThat(FdTracker.inFlight(0)).isZero();
    }

    @Test
    void closedFdFailsOnCompletionWithEbadf() throws Exception {
        AioFile f = tempFile(dir, "abcd");
        int fd = f.fd();
        f.close();
        try (AioRead r = read(fd, 4)) {
            r.submit();
            assertThat(poll(r)).isEqualTo(Errno.EBADF.value());
            assertThatThrownBy(r::aioReturn).isInstanceOf(AioException.class).hasMessageContaining("EBADF");
        }
    }

    @Test
    void directory() throws Exception {
        assertThatThrownBy(() -> AioFile.open(dir))
                .isInstanceOf(java.nio.file.FileSystemException.class)
                .satisfies(e -> PathErrors.assertPathError(e, "EISDIR", dir))
                .satisfies(e -> assertThat(AioException.errnoOf(e)).isEqualTo(Errno.EISDIR.value()));
        int fd = NativeLib.libc().open((dir + "\0").getBytes(StandardCharsets.UTF_8), ABI.O_RDONLY, 0);
        assertThat(fd).isNotNegative();
        try (AioFile d = AioFile.adopt(fd, dir);
                AioRead r = read(d.fd(), 4)) {
            r.submit();
            assertThat(poll(r)).isEqualTo(Errno.EISDIR.value());
            assertThatThrownBy(r::aioReturn).isInstanceOf(AioException.class).hasMessageContaining("EISDIR");
        }
    }

    // ---- buffers ----

    @Test
    void positionAndLimitAreNeverChanged() throws Exception {
        try (AioFile f = tempFile(dir, "abcdefgh")) {
            ByteBuffer b = ByteBuffer.allocateDirect(8);
            for (int i = 0; i < 8; i++) b.put(i, (byte) '.');
            b.position(2).limit(6);
            try (AioRead r = new AioRead(f.fd(), 1, b, 0, SigevNotify.none())) {
                r.submit();
                poll(r);
                assertThat(r.aioReturn()).isEqualTo(4);
            }
            assertThat(b.position()).isEqualTo(2);
            assertThat(b.limit()).isEqualTo(6);
            byte[] all = new byte[8];
            b.duplicate().clear().get(all);
            assertThat(new String(all, StandardCharsets.US_ASCII)).isEqualTo("..bcde..");

            ByteBuffer w = direct("0123456789").position(3).limit(5);
            try (AioWrite op = new AioWrite(f.fd(), 0, w, 0, SigevNotify.none())) {
                op.submit();
                poll(op);
                assertThat(op.aioReturn()).isEqualTo(2);
            }
            assertThat(w.position()).isEqualTo(3);
            assertThat(w.limit()).isEqualTo(5);
            assertThat(contents(f)).isEqualTo("34cdefgh");
        }
    }

    // ---- vectored groups ----

    @Test
    void readvReturnsBytesUpToTheFirstShortPart() throws Exception {
        ByteBuffer[] bufs = {ByteBuffer.allocateDirect(3), ByteBuffer.allocateDirect(3), ByteBuffer.allocateDirect(3)};
        try (AioFile f = tempFile(dir, "abcdef");
                AioReadv r = new AioReadv(f.fd(), 2, bufs, 0, SigevNotify.none())) {
            assertThat(r.iovlen()).isEqualTo(3);
            assertThat(r.nbytes()).isEqualTo(9);
            r.submit();
            PosixAio.aioSuspend(List.of(r), Duration.ofSeconds(10));
            assertThat(r.error()).isZero();
            assertThat(r.aioReturn()).isEqualTo(4);
        }
        assertThat(string(bufs[0])).isEqualTo("cde");
        assertThat(bufs[1].get(0)).isEqualTo((byte) 'f');
        assertThat(bufs[0].position()).isZero();
    }

    @Test
    void groupIsInProgressWhileAnyPartRunsAndCancelsEveryPart() throws Exception {
        Path fifo = mkfifo(dir, "g");
        ByteBuffer[] bufs = {ByteBuffer.allocateDirect(2), ByteBuffer.allocateDirect(2)};
        try (AioFile p = openFifo(fifo);
                AioReadv r = new AioReadv(p.fd(), 0, bufs, 0, SigevNotify.none())) {
            r.submit();
            GlibcCasesTest.letAHelperThreadTakeIt();
            assertThat(r.error()).isEqualTo(EINPROGRESS);
            assertThat(r.cancel()).isEqualTo(AioCancelStat.AIO_NOTCANCELED);
            assertThat(r.error()).as("first part still running").isEqualTo(EINPROGRESS);
            assertThatThrownBy(() -> PosixAio.aioSuspend(List.of(r), Duration.ofMillis(50)))
                    .isInstanceOf(AioTryAgainException.class);
            writeSync(p.fd(), "xy");
            PosixAio.aioSuspend(List.of(r), Duration.ofSeconds(10));
            assertThat(r.error()).isEqualTo(Errno.ECANCELED.value());
            assertThatThrownBy(r::aioReturn).isInstanceOf(AioCancelledException.class);
            assertThat(string(bufs[0])).isEqualTo("xy");
        }
    }

    @Test
    void writevGroupNotifiesOnceWithItsOwnSignal() throws Exception {
        try (NixAioTest.Usr2 usr2 = NixAioTest.Usr2.install();
                AioFile f = tempFile(dir, "");
                AioWritev w = new AioWritev(
                        f.fd(),
                        0,
                        new ByteBuffer[] {direct("ab"), direct("cd"), direct("ef")},
                        0,
                        SigevNotify.signal(ABI.SIGUSR2, 1))) {
            w.submit();
            usr2.await();
            assertThat(w.error()).isZero();
            assertThat(w.aioReturn()).isEqualTo(6);
            assertThat(contents(f)).isEqualTo("abcdef");
        }
    }

    @Test
    void writevToDevFullThrowsTheFirstError() throws Exception {
        try (AioFile full = AioFile.open(Path.of("/dev/full"), java.nio.file.StandardOpenOption.WRITE);
                AioWritev w = new AioWritev(
                        full.fd(), 0, new ByteBuffer[] {direct("ab"), direct("cd")}, 0, SigevNotify.none())) {
            w.submit();
            assertThat(poll(w)).isEqualTo(Errno.ENOSPC.value());
            assertThatThrownBy(w::aioReturn)
                    .isInstanceOf(AioException.class)
                    .satisfies(e -> assertThat(((AioException) e).operation()).isEqualTo("aio_writev"));
        }
    }

    // ---- lio_listio ----

    @Test
    void lioListioRefusesFsyncDuplicatesAndNotifyingGroups() throws Exception {
        try (AioFile f = tempFile(dir, "abcd");
                AioRead r = read(f.fd(), 1);
                AioFsync s = new AioFsync(f.fd(), AioFsyncMode.O_SYNC, 0, SigevNotify.none());
                AioReadv g = new AioReadv(
                        f.fd(), 0, new ByteBuffer[] {ByteBuffer.allocateDirect(1)}, 0, SigevNotify.signal(10, 0))) {
            assertThatThrownBy(() -> PosixAio.lioListio(LioMode.LIO_WAIT, List.of(r, s), SigevNotify.none()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("fsync");
            assertThatThrownBy(() -> PosixAio.lioListio(LioMode.LIO_WAIT, List.of(r, r), SigevNotify.none()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("twice");
            assertThatThrownBy(() -> PosixAio.lioListio(LioMode.LIO_WAIT, List.of(g), SigevNotify.none()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(r.inProgress()).isFalse();
        }
    }

    @Test
    void lioListioWithAnOpNotNewLeavesTheOthersNew() throws Exception {
        try (AioFile f = tempFile(dir, "abcd");
                AioRead a = read(f.fd(), 1);
                AioRead b = read(f.fd(), 1)) {
            b.submit();
            assertThatThrownBy(() -> PosixAio.lioListio(LioMode.LIO_NOWAIT, List.of(a, b), SigevNotify.none()))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(a.inProgress()).isFalse();
            PosixAio.lioListio(LioMode.LIO_WAIT, List.of(a), SigevNotify.none());
            assertThat(a.aioReturn()).isEqualTo(1);
            poll(b);
            assertThat(b.aioReturn()).isEqualTo(1);
        }
    }

    @Test
    void lioListioTakesGroupsAndMixedOps() throws Exception {
        ByteBuffer[] bufs = {ByteBuffer.allocateDirect(2), ByteBuffer.allocateDirect(2)};
        try (AioFile f = tempFile(dir, "abcdef");
                AioReadv rv = new AioReadv(f.fd(), 0, bufs, 0, SigevNotify.none());
                AioWrite w = new AioWrite(f.fd(), 4, direct("XY"), 0, SigevNotify.none())) {
            PosixAio.lioListio(LioMode.LIO_WAIT, List.of(rv, w), SigevNotify.none());
            assertThat(rv.aioReturn()).isEqualTo(4);
            assertThat(w.aioReturn()).isEqualTo(2);
            assertThat(string(bufs[0]) + string(bufs[1])).isEqualTo("abcd");
            assertThat(contents(f)).isEqualTo("abcdXY");
        }
    }

    @Test
    void lioListioEmpty() throws Exception {
        PosixAio.lioListio(LioMode.LIO_WAIT, List.of(), SigevNotify.none());
    }

    // ---- aio_suspend ----

    @Test
    void aioSuspendRefusals() {
        try (AioRead r = read(0, 1)) {
            assertThatThrownBy(() -> PosixAio.aioSuspend(List.of(), null)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> PosixAio.aioSuspend(List.of(r), null)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> PosixAio.aioSuspend(List.of(r), Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** aio_suspend on one thread, reap on another: the pin keeps the aiocb alive until aio_suspend returned. */
    @Test
    void aioSuspendOnAnotherThreadWhileReaping() throws Exception {
        Path fifo = mkfifo(dir, "p");
        try (AioFile p = openFifo(fifo)) {
            for (int i = 0; i < 50; i++) {
                AioRead r = read(p.fd(), 1);
                r.submit();
                Thread t = new Thread(() -> {
                    try {
                        PosixAio.aioSuspend(List.of(r), Duration.ofSeconds(10));
                    } catch (AioException e) {
                        throw new AssertionError(e);
                    }
                });
                t.start();
                writeSync(p.fd(), "a");
                poll(r);
                assertThat(r.aioReturn()).isEqualTo(1);
                t.join(10_000);
                assertThat(t.isAlive()).isFalse();
                r.close();
            }
        }
    }

    /** Three threads race to reap, cancel and close the same ops: each is reaped exactly once, nothing leaks. */
    @Test
    void concurrentReapCancelAndCloseOfTheSameOps() throws Exception {
        // one op per (dup'ed) fd number: no glibc queue, so no cancel can strand one (see Aio#cancel)
        List<AioFile> fds = new java.util.ArrayList<>();
        try (AioFile f = tempFile(dir, "x".repeat(4096))) {
            for (int i = 0; i < 8; i++) fds.add(f.dup());
            for (int round = 0; round < 300; round++) {
                List<AioRead> ops = new java.util.ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    AioRead r = new AioRead(
                            fds.get(i).fd(), i * 512L, ByteBuffer.allocateDirect(512), 0, SigevNotify.none());
                    r.submit();
                    ops.add(r);
                }
                java.util.concurrent.atomic.AtomicInteger reaps = new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.ConcurrentLinkedQueue<Throwable> unexpected =
                        new java.util.concurrent.ConcurrentLinkedQueue<>();
                Runnable racer = () -> {
                    for (AioRead r : ops) {
                        try {
                            r.cancel();
                            if (r.error() != EINPROGRESS) {
                                r.aioReturn();
                                reaps.incrementAndGet();
                            }
                        } catch (AioCancelledException e) {
                            reaps.incrementAndGet();
                        } catch (IllegalStateException e) {
                            // lost the race: already reaped, or still in progress
                        } catch (Throwable t) {
                            unexpected.add(t);
                        }
                        try {
                            r.close();
                        } catch (IllegalStateException e) {
                            // in progress
                        }
                    }
                };
                Thread[] threads = {new Thread(racer), new Thread(racer), new Thread(racer)};
                for (Thread t : threads) t.start();
                for (Thread t : threads) t.join(10_000);
                assertThat(unexpected).isEmpty();
                for (AioRead r : ops) {
                    if (r.inProgress()) {
                        PosixAio.aioSuspend(List.of(r), Duration.ofSeconds(10));
                        try {
                            r.aioReturn();
                        } catch (AioCancelledException e) {
                            // cancelled
                        }
                        reaps.incrementAndGet();
                        r.close();
                    }
                }
                assertThat(reaps.get()).isEqualTo(ops.size());
            }
        } finally {
            for (AioFile d : fds) d.close();
        }
    }

    // ---- notifications ----

    @Test
    void threadCallbackIsCalledWithItsValue() throws Exception {
        CountDownLatch latch = new CountDownLatch(3);
        AtomicLong seen = new AtomicLong();
        SigevNotify.Callback cb = v -> {
            seen.addAndGet(v);
            latch.countDown();
            throw new RuntimeException("ignored: must not unwind into C");
        };
        try (AioFile f = tempFile(dir, "abcdef")) {
            for (int i = 0; i < 3; i++) {
                try (AioRead r = new AioRead(f.fd(), i, ByteBuffer.allocateDirect(1), 0, SigevNotify.thread(cb, 7))) {
                    r.submit();
                    poll(r);
                    assertThat(r.aioReturn()).isEqualTo(1);
                }
            }
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(seen.get()).isEqualTo(21);
        }
    }

    @Test
    void threadNativeCallsSemPost() throws Exception {
        long semPost = com.kenai.jffi.Library.getCachedInstance("libc.so.6", com.kenai.jffi.Library.LAZY)
                .getSymbolAddress("sem_post");
        assertThat(semPost).isNotZero();
        long sem = NativeMemory.allocate(ABI.sizeofSemT);
        try (AioFile f = tempFile(dir, "abcdef")) {
            assertThat(NativeLib.gnu().sem_init(sem, 0, 0)).isZero();
            try (AioRead r =
                    new AioRead(f.fd(), 0, ByteBuffer.allocateDirect(6), 0, SigevNotify.threadNative(semPost, sem))) {
                r.submit();
                long end = System.nanoTime() + 10_000_000_000L;
                while (NativeLib.gnu().sem_trywait(sem) != 0) {
                    assertThat(System.nanoTime()).isLessThan(end);
                    Thread.sleep(1);
                }
                assertThat(r.aioReturn()).isEqualTo(6);
            }
        } finally {
            NativeLib.gnu().sem_destroy(sem);
            NativeMemory.free(sem, ABI.sizeofSemT);
        }
    }

    @Test
    void lioListioWithAThreadNotification() throws Exception {
        CountDownLatch latch = new CountDownLatch(1);
        SigevNotify.Callback cb = v -> latch.countDown();
        try (AioFile f = tempFile(dir, "abcdef");
                AioRead a = read(f.fd(), 2);
                AioRead b = new AioRead(f.fd(), 2, ByteBuffer.allocateDirect(2), 0, SigevNotify.none())) {
            PosixAio.lioListio(LioMode.LIO_NOWAIT, List.of(a, b), SigevNotify.thread(cb, 1));
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(a.aioReturn() + b.aioReturn()).isEqualTo(4);
        }
    }

    // ---- aio_init ----

    @Test
    void aioInitWithGlibcDefaults() {
        PosixAio.aioInit(20, 64, 1); // glibc's defaults: changes nothing for the other tests
        assertThatThrownBy(() -> PosixAio.aioInit(0, 64, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** struct aioinit as aioInit writes it: 8 ints, checked with gcc on this machine. */
    @Test
    void aioinitSize() {
        assertThat(ABI.sizeofAioinit).isEqualTo(32);
    }

    /**
     * {@code open} is variadic in C and bound as such: the mode of {@code O_CREAT} reaches it (a fixed binding would
     * pass garbage on Apple arm64). The new file has mode 0666 minus the umask, and {@code fcntl(F_GETFL)} (also
     * variadic) reads the flags back.
     */
    @Test
    void createdFilesGetTheModeThroughTheVariadicOpen() throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "umask").start();
        int umask = Integer.parseInt(new String(p.getInputStream().readAllBytes()).trim(), 8);
        p.waitFor();
        java.nio.file.Path f = dir.resolve("created-" + System.nanoTime());
        try (AioFile file =
                AioFile.open(f, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            int flags = org.aio4j.internal.NativeLib.libc().fcntl(file.fd(), org.aio4j.internal.LibC.F_GETFL, 0);
            org.assertj.core.api.Assertions.assertThat(flags & 3).as("O_WRONLY").isEqualTo(1);
        }
        int mode = (Integer) java.nio.file.Files.getAttribute(f, "unix:mode") & 0777;
        org.assertj.core.api.Assertions.assertThat(mode).isEqualTo(0666 & ~umask);
    }
}

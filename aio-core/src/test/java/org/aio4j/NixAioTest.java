package org.aio4j;

import static org.aio4j.TestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.aio4j.internal.AioAbi;
import org.aio4j.internal.Errno;
import org.aio4j.internal.NativeLib;
import org.aio4j.internal.NativeMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every case of nix's {@code test/sys/test_aio.rs} and {@code test_aio_drop.rs} (current API), plus the tests nix
 * had for the older API and removed in 2022 (lio_listio wait/nowait/signal/read into an immutable buffer, read into
 * an immutable buffer, drop). Cases nix runs only on FreeBSD/macOS are ported to what Linux does.
 */
class NixAioTest {
    static final String INITIAL = "abcdef123456";

    @TempDir
    Path dir;

    static final AioAbi ABI = NativeLib.abi();

    /** sigev fields as written into the native aiocb. */
    static void assertNativeSignal(AbstractAio op, int signo, long value) {
        long sev = op.aiocbAddress(0) + ABI.aiocb.sigevent();
        if (op.group) return; // checked in AioContractTest
        assertThat(NativeMemory.getInt(sev + ABI.sigevent.notifyField())).isEqualTo(ABI.SIGEV_SIGNAL);
        assertThat(NativeMemory.getInt(sev + ABI.sigevent.signo())).isEqualTo(signo);
        assertThat(NativeMemory.getLong(sev + ABI.sigevent.value())).isEqualTo(value);
    }

    // ---- mod aio_fsync (nix) ----
    @Test
    void aio_fsync_test_accessors() {
        try (AioFsync aiocb = new AioFsync(1001, AioFsyncMode.O_SYNC, 42, SigevNotify.signal(ABI.SIGUSR2, 99))) {
            assertThat(aiocb.fd()).isEqualTo(1001);
            assertThat(aiocb.mode()).isEqualTo(AioFsyncMode.O_SYNC);
            assertThat(aiocb.priority()).isEqualTo(42);
            assertThat(aiocb.sigevNotify()).isEqualTo(SigevNotify.signal(ABI.SIGUSR2, 99));
            assertNativeSignal(aiocb, ABI.SIGUSR2, 99);
        }
    }

    /** nix's error() (FreeBSD/macOS: invalid mode). On Linux aio_fsync checks the fd at once. */
    @Test
    void aio_fsync_error() throws Exception {
        try (AioFsync aiof = new AioFsync(666, AioFsyncMode.O_SYNC, 0, SigevNotify.none())) {
            assertThatThrownBy(aiof::submit)
                    .isInstanceOf(AioException.class)
                    .satisfies(e -> assertThat(((AioException) e).errno()).isEqualTo(Errno.EBADF.value()));
            assertThat(aiof.inProgress()).isFalse();
        }
    }

    @Test
    void aio_fsync_ok() throws Exception {
        try (AioFile f = tempFile(dir, INITIAL);
                AioFsync aiof = new AioFsync(f.fd(), AioFsyncMode.O_SYNC, 0, SigevNotify.none())) {
            aiof.submit();
            assertThat(poll(aiof)).isZero();
            assertThat(aiof.aioReturn()).isZero();
        }
    }

    // ---- mod aio_read (nix) ----
    @Test
    void aio_read_test_accessors() {
        ByteBuffer rbuf = ByteBuffer.allocateDirect(4);
        try (AioRead aiocb = new AioRead(1001, 2, rbuf, 42, SigevNotify.signal(ABI.SIGUSR2, 99))) {
            assertThat(aiocb.fd()).isEqualTo(1001);
            assertThat(aiocb.nbytes()).isEqualTo(4);
            assertThat(aiocb.offset()).isEqualTo(2);
            assertThat(aiocb.priority()).isEqualTo(42);
            assertThat(aiocb.sigevNotify()).isEqualTo(new SigevNotify.SigevSignal(ABI.SIGUSR2, 99));
            assertNativeSignal(aiocb, ABI.SIGUSR2, 99);
        }
    }

    @Test
    void aio_read_cancel() throws Exception {
        ByteBuffer rbuf = ByteBuffer.allocateDirect(4);
        try (AioFile f = tempFile(dir, INITIAL);
                AioRead aior = new AioRead(f.fd(), 2, rbuf, 0, SigevNotify.none())) {
            aior.submit();
            assertThat(aior.cancel()).isNotNull();
            poll(aior);
            try {
                aior.aioReturn();
            } catch (AioCancelledException ignored) {
                // cancelled before it ran
            }
        }
    }

    /** nix's error() (FreeBSD/macOS: offset -1 refused by aio_read): here refused before submission. */
    @Test
    void aio_read_error() throws Exception {
        try (AioFile f = tempFile(dir, INITIAL)) {
            assertThatThrownBy(() -> new AioRead(f.fd(), -1, ByteBuffer.allocateDirect(4), 0, SigevNotify.none()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("offset");
        }
    }

    @Test
    void aio_read_ok() throws Exception {
        ByteBuffer rbuf = ByteBuffer.allocateDirect(4);
        try (AioFile f = tempFile(dir, INITIAL)) {
            try (AioRead aior = new AioRead(f.fd(), 2, rbuf, 0, SigevNotify.none())) {
                aior.submit();
                assertThat(poll(aior)).isZero();
                assertThat(aior.aioReturn()).isEqualTo(4);
            }
        }
        assertThat(string(rbuf)).isEqualTo("cdef");
    }

    /** nix's on_stack: the op is a plain local, not managed by try-with-resources; reaping frees it. */
    @Test
    void aio_read_on_stack() throws Exception {
        long before = NativeMemory.outstandingBytes();
        ByteBuffer rbuf = ByteBuffer.allocateDirect(4);
        try (AioFile f = tempFile(dir, INITIAL)) {
            AioRead aior = new AioRead(f.fd(), 2, rbuf, 0, SigevNotify.none());
            aior.submit();
            assertThat(poll(aior)).isZero();
            assertThat(aior.aioReturn()).isEqualTo(4);
        }
        assertThat(string(rbuf)).isEqualTo("cdef");
        assertThat(NativeMemory.outstandingBytes()).isEqualTo(before);
    }

    // ---- mod aio_readv (nix runs it on FreeBSD 14 only, native aio_readv; here through the lio_listio group) ----
    @Test
    void aio_readv_test_accessors() {
        ByteBuffer[] rbufs = {ByteBuffer.allocateDirect(4), ByteBuffer.allocateDirect(8)};
        try (AioReadv aiocb = new AioReadv(1001, 2, rbufs, 42, SigevNotify.signal(ABI.SIGUSR2, 99))) {
            assertThat(aiocb.fd()).isEqualTo(1001);
            assertThat(aiocb.iovlen()).isEqualTo(2);
            assertThat(aiocb.offset()).isEqualTo(2);
            assertThat(aiocb.priority()).isEqualTo(42);
            assertThat(aiocb.sigevNotify()).isEqualTo(SigevNotify.signal(ABI.SIGUSR2, 99));
        }
    }

    @Test
    void aio_readv_ok() throws Exception {
        ByteBuffer rbuf0 = ByteBuffer.allocateDirect(4);
        ByteBuffer rbuf1 = ByteBuffer.allocateDirect(2);
        try (AioFile f = tempFile(dir, INITIAL);
                AioReadv aior = new AioReadv(f.fd(), 2, new ByteBuffer[] {rbuf0, rbuf1}, 0, SigevNotify.none())) {
            aior.submit();
            assertThat(poll(aior)).isZero();
            assertThat(aior.aioReturn()).isEqualTo(6);
        }
        assertThat(string(rbuf0)).isEqualTo("cdef");
        assertThat(string(rbuf1)).isEqualTo("12");
    }

    // ---- mod aio_write (nix) ----
    @Test
    void aio_write_test_accessors() {
        ByteBuffer wbuf = ByteBuffer.allocateDirect(4);
        try (AioWrite aiocb = new AioWrite(1001, 2, wbuf, 42, SigevNotify.signal(ABI.SIGUSR2, 99))) {
            assertThat(aiocb.fd()).isEqualTo(1001);
            assertThat(aiocb.nbytes()).isEqualTo(4);
            assertThat(aiocb.offset()).isEqualTo(2);
            assertThat(aiocb.priority()).isEqualTo(42);
            assertNativeSignal(aiocb, ABI.SIGUSR2, 99);
        }
    }

    @Test
    void aio_write_cancel() throws Exception {
        try (AioFile f = tempFile(dir, "");
                AioWrite aiow = new AioWrite(f.fd(), 0, direct("CDEF"), 0, SigevNotify.none())) {
            aiow.submit();
            int err = aiow.error();
            assertThat(err).isIn(0, EINPROGRESS);
            assertThat(aiow.cancel()).isNotNull();
            poll(aiow);
            try {
                aiow.aioReturn();
            } catch (AioException ignored) {
                // don't care whether it succeeded
            }
        }
    }

    @Test
    void aio_write_ok() throws Exception {
        ByteBuffer wbuf = direct("CDEF");
        try (AioFile f = tempFile(dir, INITIAL)) {
            try (AioWrite aiow = new AioWrite(f.fd(), 2, wbuf, 0, SigevNotify.none())) {
                aiow.submit();
                assertThat(poll(aiow)).isZero();
                assertThat(aiow.aioReturn()).isEqualTo(wbuf.remaining());
            }
            assertThat(contents(f)).isEqualTo("abCDEF123456");
        }
    }

    @Test
    void aio_write_on_stack() throws Exception {
        ByteBuffer wbuf = direct("CDEF");
        try (AioFile f = tempFile(dir, INITIAL)) {
            AioWrite aiow = new AioWrite(f.fd(), 2, wbuf, 0, SigevNotify.none());
            aiow.submit();
            assertThat(poll(aiow)).isZero();
            assertThat(aiow.aioReturn()).isEqualTo(4);
            assertThat(contents(f)).isEqualTo("abCDEF123456");
        }
    }

    /**
     * nix's error() (FreeBSD/macOS: fd 666 refused by aio_write). glibc accepts it and fails on completion with
     * EBADF; closing the op afterwards must not throw.
     */
    @Test
    void aio_write_error() throws Exception {
        AioWrite aiow = new AioWrite(666, 0, direct("CDEF"), 0, SigevNotify.none());
        aiow.submit();
        assertThat(poll(aiow)).isEqualTo(Errno.EBADF.value());
        assertThatThrownBy(aiow::aioReturn)
                .isInstanceOf(AioException.class)
                .satisfies(e -> assertThat(((AioException) e).errnoName()).isEqualTo("EBADF"));
        aiow.close();
    }

    // ---- mod aio_writev (nix: FreeBSD 14 only; here through the lio_listio group) ----
    @Test
    void aio_writev_test_accessors() {
        ByteBuffer[] wbufs = {ByteBuffer.allocateDirect(4), ByteBuffer.allocateDirect(8)};
        try (AioWritev aiocb = new AioWritev(1001, 2, wbufs, 42, SigevNotify.signal(ABI.SIGUSR2, 99))) {
            assertThat(aiocb.fd()).isEqualTo(1001);
            assertThat(aiocb.iovlen()).isEqualTo(2);
            assertThat(aiocb.offset()).isEqualTo(2);
            assertThat(aiocb.priority()).isEqualTo(42);
            assertThat(aiocb.nbytes()).isEqualTo(12);
        }
    }

    @Test
    void aio_writev_ok() throws Exception {
        try (AioFile f = tempFile(dir, INITIAL)) {
            try (AioWritev aiow =
                    new AioWritev(f.fd(), 1, new ByteBuffer[] {direct("BC"), direct("DEF")}, 0, SigevNotify.none())) {
                aiow.submit();
                assertThat(poll(aiow)).isZero();
                assertThat(aiow.aioReturn()).isEqualTo(5);
            }
            assertThat(contents(f)).isEqualTo("aBCDEF123456");
        }
    }

    @Test
    void sigev_signal() throws Exception {
        try (Usr2 usr2 = Usr2.install();
                AioFile f = tempFile(dir, INITIAL)) {
            ByteBuffer wbuf = direct("CDEF");
            try (AioWrite aiow = new AioWrite(f.fd(), 2, wbuf, 0, SigevNotify.signal(ABI.SIGUSR2, 0))) {
                aiow.submit();
                usr2.await();
                assertThat(aiow.aioReturn()).isEqualTo(4);
            }
            assertThat(contents(f)).isEqualTo("abCDEF123456");
        }
    }

    @Test
    void test_aio_cancel_all() throws Exception {
        try (AioFile f = tempFile(dir, "");
                AioWrite aiocb = new AioWrite(f.fd(), 0, direct("CDEF"), 0, SigevNotify.none())) {
            aiocb.submit();
            assertThat(aiocb.error()).isIn(0, EINPROGRESS);
            assertThat(PosixAio.aioCancelAll(f.fd())).isNotNull();
            poll(aiocb);
            try {
                aiocb.aioReturn();
            } catch (AioException ignored) {
                // don't care whether it succeeded
            }
        }
    }

    /** nix ignores it on Linux for a glibc bug of its time (nix#1099); it passes here. */
    @Test
    void test_aio_suspend() throws Exception {
        ByteBuffer rbuf = ByteBuffer.allocateDirect(4);
        try (AioFile f = tempFile(dir, INITIAL);
                AioWrite wcb = new AioWrite(f.fd(), 2, direct("CDEFG"), 0, SigevNotify.none());
                AioRead rcb = new AioRead(f.fd(), 8, rbuf, 0, SigevNotify.none())) {
            wcb.submit();
            rcb.submit();
            while (true) {
                PosixAio.aioSuspend(List.of(wcb, rcb), Duration.ofSeconds(10));
                if (rcb.error() != EINPROGRESS && wcb.error() != EINPROGRESS) break;
            }
            assertThat(wcb.aioReturn()).isEqualTo(5);
            assertThat(rcb.aioReturn()).isEqualTo(4);
        }
    }

    // ---- test_aio_drop.rs ----

    /** "Dropped an in-progress AioCb": close() of an op in progress is refused and frees nothing. */
    @Test
    void test_drop() throws Exception {
        Path fifo = mkfifo(dir, "drop");
        try (AioFile f = openFifo(fifo)) {
            ByteBuffer rbuf = ByteBuffer.allocateDirect(4);
            AioRead aiocb = new AioRead(f.fd(), 0, rbuf, 0, SigevNotify.none());
            aiocb.submit();
            long outstanding = NativeMemory.outstandingBytes();
            assertThatThrownBy(aiocb::close)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in-progress");
            assertThat(NativeMemory.outstandingBytes()).isEqualTo(outstanding);
            assertThat(aiocb.inProgress()).isTrue();
            // unblock and reap: still allowed after the refused close
            writeSync(f.fd(), "wxyz");
            assertThat(poll(aiocb)).isZero();
            assertThat(aiocb.aioReturn()).isEqualTo(4);
            assertThat(string(rbuf)).isEqualTo("wxyz");
            aiocb.close();
        }
    }

    // ---- removed in 2022 ----

    @Test
    void test_read_immutable_buffer() throws Exception {
        try (AioFile f = tempFile(dir, INITIAL)) {
            ByteBuffer rbuf = direct("CDEF").asReadOnlyBuffer();
            assertThatThrownBy(() -> new AioRead(f.fd(), 2, rbuf, 0, SigevNotify.none()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Can't read into an immutable buffer");
        }
    }

    /** The old test_drop: an op written then dropped completes; here it has to be reaped before close. */
    @Test
    void test_drop_old_waits() throws Exception {
        try (AioFile f = tempFile(dir, INITIAL)) {
            AioWrite aiocb = new AioWrite(f.fd(), 2, direct("CDEF"), 0, SigevNotify.none());
            aiocb.submit();
            PosixAio.aioSuspend(List.of(aiocb), null);
            aiocb.aioReturn();
            aiocb.close();
            assertThat(contents(f)).isEqualTo("abCDEF123456");
        }
    }

    @Test
    void test_lio_listio_wait() throws Exception {
        ByteBuffer rbuf = ByteBuffer.allocateDirect(4);
        try (AioFile f = tempFile(dir, INITIAL)) {
            try (AioWrite wcb = new AioWrite(f.fd(), 2, direct("CDEF"), 0, SigevNotify.none());
                    AioRead rcb = new AioRead(f.fd(), 8, rbuf, 0, SigevNotify.none())) {
                PosixAio.lioListio(LioMode.LIO_WAIT, List.of(wcb, rcb), SigevNotify.none());
                assertThat(wcb.aioReturn()).isEqualTo(4);
                assertThat(rcb.aioReturn()).isEqualTo(4);
            }
            assertThat(string(rbuf)).isEqualTo("3456");
            assertThat(contents(f)).isEqualTo("abCDEF123456");
        }
    }

    @Test
    void test_lio_listio_nowait() throws Exception {
        ByteBuffer rbuf = ByteBuffer.allocateDirect(4);
        try (AioFile f = tempFile(dir, INITIAL)) {
            try (AioWrite wcb = new AioWrite(f.fd(), 2, direct("CDEF"), 0, SigevNotify.none());
                    AioRead rcb = new AioRead(f.fd(), 8, rbuf, 0, SigevNotify.none())) {
                PosixAio.lioListio(LioMode.LIO_NOWAIT, List.of(wcb, rcb), SigevNotify.none());
                assertThat(poll(wcb)).isZero();
                assertThat(poll(rcb)).isZero();
                assertThat(wcb.aioReturn()).isEqualTo(4);
                assertThat(rcb.aioReturn()).isEqualTo(4);
            }
            assertThat(string(rbuf)).isEqualTo("3456");
            assertThat(contents(f)).isEqualTo("abCDEF123456");
        }
    }

    @Test
    void test_lio_listio_signal() throws Exception {
        ByteBuffer rbuf = ByteBuffer.allocateDirect(4);
        long before = NativeMemory.outstandingBytes();
        try (Usr2 usr2 = Usr2.install();
                AioFile f = tempFile(dir, INITIAL)) {
            try (AioWrite wcb = new AioWrite(f.fd(), 2, direct("CDEF"), 0, SigevNotify.none());
                    AioRead rcb = new AioRead(f.fd(), 8, rbuf, 0, SigevNotify.none())) {
                PosixAio.lioListio(LioMode.LIO_NOWAIT, List.of(wcb, rcb), SigevNotify.signal(ABI.SIGUSR2, 0));
                usr2.await();
                // the list notification means every op is complete
                assertThat(wcb.error()).isZero();
                assertThat(rcb.error()).isZero();
                assertThat(wcb.aioReturn()).isEqualTo(4);
                assertThat(rcb.aioReturn()).isEqualTo(4);
            }
            assertThat(string(rbuf)).isEqualTo("3456");
            assertThat(contents(f)).isEqualTo("abCDEF123456");
        }
        assertThat(NativeMemory.outstandingBytes())
                .as("list sigevent freed after the last reap")
                .isEqualTo(before);
    }

    @Test
    void test_lio_listio_read_immutable() throws Exception {
        try (AioFile f = tempFile(dir, INITIAL)) {
            ByteBuffer rbuf = direct("abcd").asReadOnlyBuffer();
            assertThatThrownBy(() -> new AioRead(f.fd(), 2, rbuf, 0, SigevNotify.none()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Can't read into an immutable buffer");
        }
    }

    /** Installs a SIGUSR2 handler through sun.misc.Signal (the JVM handles USR2); restores the old one on close. */
    static final class Usr2 implements AutoCloseable {
        private final AtomicBoolean signaled = new AtomicBoolean();

        private Usr2() {
            sun.misc.Signal.handle(new sun.misc.Signal("USR2"), s -> signaled.set(true));
        }

        static Usr2 install() {
            return new Usr2();
        }

        void await() throws InterruptedException {
            long end = System.nanoTime() + 10_000_000_000L;
            while (!signaled.get()) {
                assertThat(System.nanoTime()).as("SIGUSR2 within 10 s").isLessThan(end);
                Thread.sleep(1);
            }
        }

        boolean signaled() {
            return signaled.get();
        }

        /**
         * Leaves a handler that ignores USR2 rather than restoring the previous one: that may be the default action,
         * and a late completion signal would then end the JVM.
         */
        @Override
        public void close() {
            sun.misc.Signal.handle(new sun.misc.Signal("USR2"), s -> {});
        }
    }
}

package org.aio4j;

import static org.aio4j.TestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.aio4j.internal.NativeLib;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every example in the doc comments of nix's sys/aio.rs (the seed), as the Java Javadoc shows it. */
class SeedExamplesTest {
    static final String WBUF = "abcdef123456";

    @TempDir
    Path dir;

    /** Aio::cancel: cancel an outstanding op; it must still be reaped. */
    @Test
    void cancel() throws Exception {
        try (AioFile f = tempFile(dir, "");
                AioWrite aiocb = new AioWrite(f.fd(), 2, direct("CDEF"), 0, SigevNotify.none())) {
            aiocb.submit();
            AioCancelStat cs = aiocb.cancel();
            if (cs == AioCancelStat.AIO_NOTCANCELED) {
                while (aiocb.error() == EINPROGRESS) Thread.sleep(10);
            }
            try {
                aiocb.aioReturn(); // must call, ignore the result
            } catch (AioException ignored) {
                // cancelled
            }
            assertThat(aiocb.inProgress()).isFalse();
        }
    }

    /** Aio::error: poll for completion. */
    @Test
    void errorPolling() throws Exception {
        try (AioFile f = tempFile(dir, "");
                AioWrite aiocb = new AioWrite(f.fd(), 2, direct(WBUF), 0, SigevNotify.none())) {
            aiocb.submit();
            while (aiocb.error() == EINPROGRESS) Thread.sleep(10);
            assertThat(aiocb.aioReturn()).isEqualTo(WBUF.length());
        }
    }

    /** Aio::in_progress. */
    @Test
    void inProgress() throws Exception {
        try (AioFile f = tempFile(dir, "");
                AioFsync aiof = new AioFsync(f.fd(), AioFsyncMode.O_SYNC, 0, SigevNotify.none())) {
            assertThat(aiof.inProgress()).isFalse();
            aiof.submit();
            assertThat(aiof.inProgress()).isTrue();
            while (aiof.error() == EINPROGRESS) Thread.sleep(10);
            aiof.aioReturn();
            assertThat(aiof.inProgress()).isFalse();
        }
    }

    /** AioFsync. */
    @Test
    void fsync() throws Exception {
        try (AioFile f = tempFile(dir, "");
                AioFsync aiof = new AioFsync(f.fd(), AioFsyncMode.O_SYNC, 0, SigevNotify.none())) {
            aiof.submit();
            while (aiof.error() == EINPROGRESS) Thread.sleep(10);
            aiof.aioReturn();
        }
    }

    /** AioRead: read with aio_suspend. */
    @Test
    void read() throws Exception {
        ByteBuffer rbuf = ByteBuffer.allocateDirect(4);
        try (AioFile f = tempFile(dir, WBUF);
                AioRead aior = new AioRead(f.fd(), 2, rbuf, 0, SigevNotify.none())) {
            aior.submit();
            PosixAio.aioSuspend(List.of(aior), null);
            assertThat(aior.aioReturn()).isEqualTo(4);
        }
        assertThat(string(rbuf)).isEqualTo("cdef");
    }

    /** AioWrite. */
    @Test
    void write() throws Exception {
        try (AioFile f = tempFile(dir, "");
                AioWrite aiow = new AioWrite(f.fd(), 2, direct(WBUF), 0, SigevNotify.none())) {
            aiow.submit();
            while (aiow.error() == EINPROGRESS) Thread.sleep(10);
            assertThat(aiow.aioReturn()).isEqualTo(WBUF.length());
        }
    }

    /** AioReadv (FreeBSD in the seed; the lio_listio group here). */
    @Test
    void readv() throws Exception {
        ByteBuffer rbuf0 = ByteBuffer.allocateDirect(4);
        ByteBuffer rbuf1 = ByteBuffer.allocateDirect(2);
        try (AioFile f = tempFile(dir, WBUF);
                AioReadv aior = new AioReadv(f.fd(), 2, new ByteBuffer[] {rbuf0, rbuf1}, 0, SigevNotify.none())) {
            aior.submit();
            while (aior.error() == EINPROGRESS) Thread.sleep(10);
            assertThat(aior.aioReturn()).isEqualTo(6);
        }
        assertThat(string(rbuf0)).isEqualTo("cdef");
        assertThat(string(rbuf1)).isEqualTo("12");
    }

    /** AioWritev (FreeBSD in the seed; the lio_listio group here). */
    @Test
    void writev() throws Exception {
        try (AioFile f = tempFile(dir, "");
                AioWritev aiow = new AioWritev(
                        f.fd(), 2, new ByteBuffer[] {direct("abcdef"), direct("123456")}, 0, SigevNotify.none())) {
            aiow.submit();
            while (aiow.error() == EINPROGRESS) Thread.sleep(10);
            assertThat(aiow.aioReturn()).isEqualTo(12);
            assertThat(contents(f)).isEqualTo("\0\0abcdef123456");
        }
    }

    /** aio_cancel_all. */
    @Test
    void aioCancelAll() throws Exception {
        try (AioFile f = tempFile(dir, "");
                AioWrite aiocb = new AioWrite(f.fd(), 2, direct("CDEF"), 0, SigevNotify.none())) {
            aiocb.submit();
            AioCancelStat cs = PosixAio.aioCancelAll(f.fd());
            if (cs == AioCancelStat.AIO_NOTCANCELED) {
                while (aiocb.error() == EINPROGRESS) Thread.sleep(10);
            }
            try {
                aiocb.aioReturn();
            } catch (AioException ignored) {
                // cancelled
            }
        }
    }

    /** aio_suspend. */
    @Test
    void aioSuspend() throws Exception {
        try (AioFile f = tempFile(dir, "");
                AioWrite aiocb = new AioWrite(f.fd(), 2, direct(WBUF), 0, SigevNotify.none())) {
            aiocb.submit();
            PosixAio.aioSuspend(List.of(aiocb), null);
            assertThat(aiocb.aioReturn()).isEqualTo(WBUF.length());
        }
    }

    /** lio_listio, first example: LIO_WAIT. */
    @Test
    void lioListioWait() throws Exception {
        try (AioFile f = tempFile(dir, "");
                AioWrite aiow = new AioWrite(f.fd(), 2, direct(WBUF), 0, SigevNotify.none())) {
            PosixAio.lioListio(LioMode.LIO_WAIT, List.of(aiow), SigevNotify.none());
            // guaranteed complete
            assertThat(aiow.error()).isZero();
            assertThat(aiow.aioReturn()).isEqualTo(WBUF.length());
        }
    }

    /** lio_listio, second example: LIO_NOWAIT, then wait for each op. */
    @Test
    void lioListioNowait() throws Exception {
        try (AioFile f = tempFile(dir, "");
                AioWrite aiow = new AioWrite(f.fd(), 2, direct(WBUF), 0, SigevNotify.none())) {
            PosixAio.lioListio(LioMode.LIO_NOWAIT, List.of(aiow), SigevNotify.none());
            while (aiow.error() == EINPROGRESS) Thread.sleep(10);
            assertThat(aiow.aioReturn()).isEqualTo(WBUF.length());
        }
    }

    /** lio_listio, third example: LIO_NOWAIT with one SIGUSR2 when all are complete. */
    @Test
    void lioListioSignal() throws Exception {
        try (NixAioTest.Usr2 usr2 = NixAioTest.Usr2.install();
                AioFile f = tempFile(dir, "");
                AioWrite aiow = new AioWrite(f.fd(), 2, direct(WBUF), 0, SigevNotify.none())) {
            PosixAio.lioListio(LioMode.LIO_NOWAIT, List.of(aiow), SigevNotify.signal(NativeLib.abi().SIGUSR2, 0));
            usr2.await();
            // lio_listio returned success and delivered its notification: all ops are complete
            assertThat(aiow.aioReturn()).isEqualTo(WBUF.length());
        }
    }
}

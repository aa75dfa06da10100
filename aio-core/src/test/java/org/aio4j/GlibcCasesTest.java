package org.aio4j;

import static org.aio4j.TestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.aio4j.internal.Errno;
import org.aio4j.internal.FdTracker;
import org.aio4j.internal.NativeMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The behaviours of glibc's AIO the core must handle (see docs and platform-facts.md), on this machine. */
class GlibcCasesTest {
    @TempDir
    Path dir;

    static int errnoOf(Throwable t) {
        return ((AioException) t).errno();
    }

    @Test
    void lioListioWaitToDevFullFailsThatOpOnly() throws Exception {
        try (AioFile full = AioFile.open(Path.of("/dev/full"), StandardOpenOption.WRITE);
                AioFile f = tempFile(dir, "");
                AioWrite bad = new AioWrite(full.fd(), 0, direct("data"), 0, SigevNotify.none());
                AioWrite good = new AioWrite(f.fd(), 0, direct("good"), 0, SigevNotify.none())) {
            assertThatThrownBy(() -> PosixAio.lioListio(LioMode.LIO_WAIT, List.of(bad, good), SigevNotify.none()))
                    .isInstanceOfSatisfying(LioListioException.class, e -> {
                        assertThat(e.errno()).isEqualTo(Errno.EIO.value());
                        assertThat(e.queued()).containsExactly(bad, good);
                        assertThat(e.notQueued()).isEmpty();
                        assertThat(e.getCause()).isInstanceOf(AioException.class);
                    });
            assertThat(bad.inProgress()).isTrue();
            assertThat(bad.error()).isEqualTo(Errno.ENOSPC.value());
            assertThat(good.error()).isZero();
            assertThatThrownBy(bad::aioReturn)
                    .isInstanceOf(AioException.class)
                    .satisfies(e -> assertThat(((AioException) e).errnoName()).isEqualTo("ENOSPC"))
                    .satisfies(e -> assertThat(((AioException) e).operation()).isEqualTo("aio_write"));
            assertThat(good.aioReturn()).isEqualTo(4);
            assertThat(contents(f)).isEqualTo("good");
        }
    }

    @Test
    void aioWriteToDevFullFailsOnCompletion() throws Exception {
        try (AioFile full = AioFile.open(Path.of("/dev/full"), StandardOpenOption.WRITE);
                AioWrite w = new AioWrite(full.fd(), 0, direct("data"), 0, SigevNotify.none())) {
            w.submit();
            assertThat(poll(w)).isEqualTo(Errno.ENOSPC.value());
            assertThatThrownBy(w::aioReturn)
                    .satisfies(e -> assertThat(errnoOf(e)).isEqualTo(Errno.ENOSPC.value()));
            assertThat(w.error()).as("final error kept after reap").isEqualTo(Errno.ENOSPC.value());
        }
    }

    @Test
    void aioFsyncOnBadFdFailsAtOnce() throws Exception {
        try (AioFsync s = new AioFsync(999, AioFsyncMode.O_DSYNC, 0, SigevNotify.none())) {
            assertThatThrownBy(s::submit)
                    .isInstanceOf(AioException.class)
                    .satisfies(e -> assertThat(errnoOf(e)).isEqualTo(Errno.EBADF.value()))
                    .satisfies(e -> assertThat(((AioException) e).operation()).isEqualTo("aio_fsync"));
            assertThat(s.inProgress()).isFalse();
            assertThat(FdTracker.inFlight(999)).isZero();
        }
    }

    /** Linux fsyncs a read-only fd, and glibc 2.36 accepts it. */
    @Test
    void aioFsyncOnReadOnlyFdSucceeds() throws Exception {
        Path p = dir.resolve("ro");
        java.nio.file.Files.writeString(p, "x");
        try (AioFile f = AioFile.open(p, StandardOpenOption.READ);
                AioFsync s = new AioFsync(f.fd(), AioFsyncMode.O_SYNC, 0, SigevNotify.none())) {
            s.submit();
            assertThat(poll(s)).isZero();
            assertThat(s.aioReturn()).isZero();
        }
    }

    @Test
    void aioReadOnBadFdIsAcceptedAndFailsOnCompletion() throws Exception {
        try (AioRead r = new AioRead(999, 0, ByteBuffer.allocateDirect(4), 0, SigevNotify.none())) {
            r.submit();
            assertThat(poll(r)).isEqualTo(Errno.EBADF.value());
            assertThatThrownBy(r::aioReturn)
                    .satisfies(e -> assertThat(errnoOf(e)).isEqualTo(Errno.EBADF.value()));
        }
    }

    @Test
    void aioCancelOnBadFd() throws Exception {
        assertThatThrownBy(() -> PosixAio.aioCancelAll(999))
                .isInstanceOf(AioException.class)
                .satisfies(e -> assertThat(errnoOf(e)).isEqualTo(Errno.EBADF.value()))
                .satisfies(e -> assertThat(((AioException) e).operation()).isEqualTo("aio_cancel"));
        try (AioRead r = new AioRead(999, 0, ByteBuffer.allocateDirect(4), 0, SigevNotify.none())) {
            r.submit();
            assertThatThrownBy(r::cancel).satisfies(e -> assertThat(errnoOf(e)).isEqualTo(Errno.EBADF.value()));
            poll(r);
            assertThatThrownBy(r::aioReturn).isInstanceOf(AioException.class);
        }
    }

    @Test
    void priorityAbove20IsEinvalAtSubmission() throws Exception {
        try (AioFile f = tempFile(dir, "abcd");
                AioRead r = new AioRead(f.fd(), 0, ByteBuffer.allocateDirect(4), 21, SigevNotify.none())) {
            assertThatThrownBy(r::submit).satisfies(e -> assertThat(errnoOf(e)).isEqualTo(Errno.EINVAL.value()));
            assertThat(r.inProgress()).isFalse();
            assertThat(FdTracker.inFlight(f.fd())).isZero();
        }
    }

    /** LIO_NOWAIT with a bad entry returns -1 while the others run: a LioListioException, and all are reaped. */
    @Test
    void lioListioNowaitWithABadEntry() throws Exception {
        ByteBuffer rbuf = ByteBuffer.allocateDirect(4);
        try (AioFile f = tempFile(dir, "abcdef");
                AioRead good = new AioRead(f.fd(), 2, rbuf, 0, SigevNotify.none());
                AioRead bad = new AioRead(f.fd(), 0, ByteBuffer.allocateDirect(4), 21, SigevNotify.none())) {
            LioListioException e = org.junit.jupiter.api.Assertions.assertThrows(
                    LioListioException.class,
                    () -> PosixAio.lioListio(LioMode.LIO_NOWAIT, List.of(good, bad), SigevNotify.none()));
            assertThat(e.errno()).isEqualTo(Errno.EINVAL.value());
            assertThat(e.queued()).contains(good);
            assertThat(e.getMessage()).contains("queued");
            for (Aio op : e.queued()) {
                poll(op);
            }
            assertThat(good.aioReturn()).isEqualTo(4);
            assertThat(string(rbuf)).isEqualTo("cdef");
            if (e.queued().contains(bad)) {
                // glibc marks the refused entry failed (EINVAL): aio4j counts it as queued, the safe side
                assertThatThrownBy(bad::aioReturn)
                        .satisfies(x -> assertThat(errnoOf(x)).isEqualTo(Errno.EINVAL.value()));
            } else {
                assertThat(bad.inProgress()).isFalse();
            }
            assertThat(FdTracker.inFlight(f.fd())).isZero();
        }
    }

    @Test
    void aioSuspendReturnsAtOnceForACompletedEntry() throws Exception {
        Path fifo = mkfifo(dir, "s1");
        try (AioFile f = tempFile(dir, "abcdef");
                AioFile p = openFifo(fifo);
                AioRead done = new AioRead(f.fd(), 0, ByteBuffer.allocateDirect(4), 0, SigevNotify.none());
                AioRead pending = new AioRead(p.fd(), 0, ByteBuffer.allocateDirect(1), 0, SigevNotify.none())) {
            done.submit();
            poll(done);
            pending.submit();
            long t0 = System.nanoTime();
            PosixAio.aioSuspend(List.of(pending, done), Duration.ofSeconds(10));
            assertThat(System.nanoTime() - t0).isLessThan(2_000_000_000L);
            assertThat(pending.error()).isEqualTo(EINPROGRESS);
            // a reaped op is complete too
            assertThat(done.aioReturn()).isEqualTo(4);
            PosixAio.aioSuspend(List.of(pending, done), Duration.ofSeconds(10));
            writeSync(p.fd(), "x");
            PosixAio.aioSuspend(List.of(pending), null);
            assertThat(pending.aioReturn()).isEqualTo(1);
        }
    }

    @Test
    void aioSuspendTimesOutOnAPendingEntry() throws Exception {
        Path fifo = mkfifo(dir, "s2");
        try (AioFile p = openFifo(fifo);
                AioRead pending = new AioRead(p.fd(), 0, ByteBuffer.allocateDirect(1), 0, SigevNotify.none())) {
            pending.submit();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> PosixAio.aioSuspend(List.of(pending), Duration.ofMillis(100)))
                    .isInstanceOf(AioTryAgainException.class)
                    .satisfies(e -> assertThat(((AioException) e).operation()).isEqualTo("aio_suspend"));
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(90_000_000L);
            assertThat(pending.inProgress()).isTrue();
            writeSync(p.fd(), "x");
            PosixAio.aioSuspend(List.of(pending), Duration.ofSeconds(10));
            assertThat(pending.aioReturn()).isEqualTo(1);
        }
    }

    /** glibc runs one request per fd number: the second waits in the queue and can be cancelled, the first not. */
    @Test
    void queuedBehindABlockedOpIsCanceledTheRunningOneIsNot() throws Exception {
        Path fifo = mkfifo(dir, "c");
        ByteBuffer rbuf1 = ByteBuffer.allocateDirect(4);
        try (AioFile p = openFifo(fifo);
                AioRead running = new AioRead(p.fd(), 0, rbuf1, 0, SigevNotify.none());
                AioRead queued = new AioRead(p.fd(), 0, ByteBuffer.allocateDirect(4), 0, SigevNotify.none())) {
            running.submit();
            letAHelperThreadTakeIt();
            queued.submit();
            assertThat(queued.cancel()).isEqualTo(AioCancelStat.AIO_CANCELED);
            assertThat(running.cancel()).isEqualTo(AioCancelStat.AIO_NOTCANCELED);
            // the cancelled one completes with ECANCELED and must still be reaped
            assertThat(poll(queued)).isEqualTo(Errno.ECANCELED.value());
            assertThatThrownBy(queued::aioReturn).isInstanceOf(AioCancelledException.class);
            assertThat(queued.cancel()).isEqualTo(AioCancelStat.AIO_ALLDONE);
            // now alone on its fd number, so the core asks glibc, which answers the same for a running request
            assertThat(running.cancel()).isEqualTo(AioCancelStat.AIO_NOTCANCELED);
            assertThat(running.error()).isEqualTo(EINPROGRESS);
            writeSync(p.fd(), "wxyz");
            assertThat(poll(running)).isZero();
            assertThat(running.aioReturn()).isEqualTo(4);
            assertThat(string(rbuf1)).isEqualTo("wxyz");
        }
    }

    @Test
    void aioCancelAllOnABlockedFifo() throws Exception {
        Path fifo = mkfifo(dir, "ca");
        try (AioFile p = openFifo(fifo);
                AioRead running = new AioRead(p.fd(), 0, ByteBuffer.allocateDirect(1), 0, SigevNotify.none());
                AioRead queued = new AioRead(p.fd(), 0, ByteBuffer.allocateDirect(1), 0, SigevNotify.none())) {
            running.submit();
            letAHelperThreadTakeIt();
            queued.submit();
            assertThat(PosixAio.aioCancelAll(p.fd())).isEqualTo(AioCancelStat.AIO_NOTCANCELED);
            assertThat(poll(queued)).isEqualTo(Errno.ECANCELED.value());
            assertThatThrownBy(queued::aioReturn).isInstanceOf(AioCancelledException.class);
            writeSync(p.fd(), "z");
            poll(running);
            assertThat(running.aioReturn()).isEqualTo(1);
        }
    }

    /**
     * glibc 2.36 bug (found here, see Aio#cancel): cancelling the request at the head of an fd's queue that no helper
     * thread has taken yet marks the next request runnable without putting it on the run list, so every later
     * request on that fd number waits forever. Reproduced deterministically by keeping every helper thread busy with
     * blocked FIFO reads, so that the head request must wait on the run list. The core's cancel() refuses exactly
     * that case (AIO_NOTCANCELED); a raw aio_cancel shows the bug, and the core's heal (cancel every queued request
     * of ours behind it, then submit them again) gets the stranded op going.
     */
    @Test
    void cancellingAnUntakenHeadStrandsTheFdQueue() throws Exception {
        Path fifo = mkfifo(dir, "busy");
        int busy = 100; // more than glibc's default 20 helper threads (and than any aio_init of these tests)
        List<AioFile> fifos = new java.util.ArrayList<>();
        List<AioRead> blocked = new java.util.ArrayList<>();
        try (AioFile p = openFifo(fifo);
                AioFile f = tempFile(dir, "abcdefgh")) {
            for (int i = 0; i < busy; i++) {
                AioFile d = p.dup();
                fifos.add(d);
                AioRead r = read1(d.fd());
                r.submit();
                blocked.add(r);
            }
            letAHelperThreadTakeIt();
            ByteBuffer nbuf = ByteBuffer.allocateDirect(4);
            try (AioRead head = new AioRead(f.fd(), 0, ByteBuffer.allocateDirect(4), 0, SigevNotify.none());
                    AioRead next = new AioRead(f.fd(), 4, nbuf, 0, SigevNotify.none())) {
                head.submit();
                next.submit();
                // the core refuses: head has no request of ours before it and is not alone on its fd number
                assertThat(head.cancel()).isEqualTo(AioCancelStat.AIO_NOTCANCELED);
                int raw = org.aio4j.internal.NativeLib.libc().aio_cancel(f.fd(), head.aiocbAddress(0));
                boolean stranded = raw == org.aio4j.internal.NativeLib.abi().AIO_CANCELED;
                writeSync(p.fd(), "x".repeat(busy));
                for (AioRead r : blocked) {
                    PosixAio.aioSuspend(List.of(r), Duration.ofSeconds(10));
                    assertThat(r.aioReturn()).isEqualTo(1);
                }
                if (!stranded) {
                    // a helper thread was free after all (aio_init with more than 100 threads in this JVM)
                    poll(head);
                    poll(next);
                    assertThat(head.aioReturn() + next.aioReturn()).isEqualTo(8);
                    org.junit.jupiter.api.Assumptions.abort("could not keep every glibc helper thread busy");
                }
                assertThatThrownBy(head::aioReturn).isInstanceOf(AioCancelledException.class);
                // every helper thread is idle now, yet the request behind the cancelled head never runs
                assertThatThrownBy(() -> PosixAio.aioSuspend(List.of(next), Duration.ofMillis(300)))
                        .as("glibc strands the queue behind a cancelled untaken head")
                        .isInstanceOf(AioTryAgainException.class);
                assertThat(next.error()).isEqualTo(EINPROGRESS);
                head.healLaterOps();
                PosixAio.aioSuspend(List.of(next), Duration.ofSeconds(10));
                assertThat(next.error()).isZero();
                assertThat(next.aioReturn()).isEqualTo(4);
                assertThat(string(nbuf)).isEqualTo("efgh");
            }
            // the fd works again
            try (AioRead again = new AioRead(f.fd(), 4, ByteBuffer.allocateDirect(4), 0, SigevNotify.none())) {
                again.submit();
                PosixAio.aioSuspend(List.of(again), Duration.ofSeconds(10));
                assertThat(again.aioReturn()).isEqualTo(4);
            }
        } finally {
            for (AioFile d : fifos) d.close();
        }
    }

    /** The other way out of a stranded queue: aio_cancel(fd, NULL); the stranded requests complete ECANCELED. */
    @Test
    void aioCancelAllFreesAStrandedQueue() throws Exception {
        Path fifo = mkfifo(dir, "busy2");
        int busy = 100;
        List<AioFile> fifos = new java.util.ArrayList<>();
        List<AioRead> blocked = new java.util.ArrayList<>();
        try (AioFile p = openFifo(fifo);
                AioFile f = tempFile(dir, "abcdefgh")) {
            for (int i = 0; i < busy; i++) {
                AioFile d = p.dup();
                fifos.add(d);
                AioRead r = read1(d.fd());
                r.submit();
                blocked.add(r);
            }
            letAHelperThreadTakeIt();
            try (AioRead head = new AioRead(f.fd(), 0, ByteBuffer.allocateDirect(4), 0, SigevNotify.none());
                    AioRead next = new AioRead(f.fd(), 4, ByteBuffer.allocateDirect(4), 0, SigevNotify.none())) {
                head.submit();
                next.submit();
                int raw = org.aio4j.internal.NativeLib.libc().aio_cancel(f.fd(), head.aiocbAddress(0));
                writeSync(p.fd(), "x".repeat(busy));
                for (AioRead r : blocked) {
                    PosixAio.aioSuspend(List.of(r), Duration.ofSeconds(10));
                    assertThat(r.aioReturn()).isEqualTo(1);
                }
                if (raw != org.aio4j.internal.NativeLib.abi().AIO_CANCELED) {
                    poll(head);
                    poll(next);
                    head.aioReturn();
                    next.aioReturn();
                    org.junit.jupiter.api.Assumptions.abort("could not keep every glibc helper thread busy");
                }
                assertThatThrownBy(head::aioReturn).isInstanceOf(AioCancelledException.class);
                assertThatThrownBy(() -> PosixAio.aioSuspend(List.of(next), Duration.ofMillis(300)))
                        .isInstanceOf(AioTryAgainException.class);
                assertThat(PosixAio.aioCancelAll(f.fd())).isEqualTo(AioCancelStat.AIO_CANCELED);
                assertThat(poll(next)).isEqualTo(Errno.ECANCELED.value());
                assertThatThrownBy(next::aioReturn).isInstanceOf(AioCancelledException.class);
            }
        } finally {
            for (AioFile d : fifos) d.close();
        }
    }

    static AioRead read1(int fd) {
        return new AioRead(fd, 0, ByteBuffer.allocateDirect(1), 0, SigevNotify.none());
    }

    /**
     * glibc hands a new request to an idle helper thread by queueing it: until the thread took it, it can still be
     * cancelled. There is no call that tells when it was taken; 250 ms is plenty even on this loaded machine.
     */
    static void letAHelperThreadTakeIt() throws InterruptedException {
        Thread.sleep(250);
    }

    private static boolean opensFifo(Path link, Path fifo) {
        try {
            return java.nio.file.Files.readSymbolicLink(link).equals(fifo.toAbsolutePath());
        } catch (java.io.IOException e) {
            return false; // no such fd
        }
    }

    /** Closing the AioFile while an op is in flight defers the close until the op is reaped (FdTracker). */
    @Test
    void fileCloseIsDeferredUntilTheOpIsReaped() throws Exception {
        Path fifo = mkfifo(dir, "d");
        long fds = fdCount();
        long mem = NativeMemory.outstandingBytes();
        AioFile p = openFifo(fifo);
        Path link = Path.of("/proc/self/fd/" + p.fd());
        AioRead r = new AioRead(p.fd(), 0, ByteBuffer.allocateDirect(1), 0, SigevNotify.none());
        r.submit();
        p.close();
        // the fd itself, not the process's fd count: other threads of the JVM open and close fds meanwhile
        assertThat(opensFifo(link, fifo))
                .as("still open after close(), while the read is in flight")
                .isTrue();
        assertThat(FdTracker.inFlight(p.fd())).isEqualTo(1);
        writeSync(p.fd(), "q");
        poll(r);
        assertThat(r.aioReturn()).isEqualTo(1);
        r.close();
        assertThat(opensFifo(link, fifo)).as("closed once the read was reaped").isFalse();
        assertThat(fdCount()).isLessThanOrEqualTo(fds + 2);
        assertThat(NativeMemory.outstandingBytes()).isEqualTo(mem);
    }
}

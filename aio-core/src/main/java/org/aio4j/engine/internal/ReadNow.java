package org.aio4j.engine.internal;

import org.aio4j.internal.AioAbi;
import org.aio4j.internal.Errno;
import org.aio4j.internal.NativeMemory;

/**
 * The cached-read fast path shared by the backends: one {@code preadv2(fd, iov, 1, offset, RWF_NOWAIT)} on the
 * calling thread, through the caller's per-slot native {@code iovec} (no allocation). It starts on where asked for
 * and the C library has {@code RWF_NOWAIT}, and is turned off for good when {@code preadv2} answered {@code
 * EOPNOTSUPP} {@link #UNSUPPORTED_LIMIT} times in a row (qemu-user, some network and FUSE file systems): every read
 * would otherwise pay a failed call first. Racy counting is fine: it only decides when to stop trying.
 */
final class ReadNow {
    /** How many {@code EOPNOTSUPP} answers in a row, and no success between, turn the fast path off. */
    static final int UNSUPPORTED_LIMIT = 16;

    private final Posix px;
    private final int rwfNowait;
    private final int enotsup;
    private volatile boolean on;
    private int unsupportedInARow;

    ReadNow(Posix px, AioAbi abi, boolean wanted) {
        this.px = px;
        this.rwfNowait = abi.RWF_NOWAIT;
        this.on = wanted && rwfNowait != AioAbi.ABSENT;
        this.enotsup = Errno.ENOTSUP.value();
    }

    /** True while the fast path is in use. */
    boolean on() {
        return on;
    }

    /**
     * The byte count if the read completed fully (or 0 at end of file), or -1 when the op has to be submitted: the
     * fast path is off, EAGAIN (not cached), a short read (partly cached, or end of file: the asynchronous read
     * tells), or any error (EOPNOTSUPP, EISDIR...), whose real outcome the asynchronous path reports.
     */
    long tryRead(long iov, int fd, long buf, long len, long offset) {
        if (!on) return -1;
        NativeMemory.putLong(iov, buf);
        NativeMemory.putLong(iov + 8, len);
        long r = px.preadv2(fd, iov, 1, offset, rwfNowait);
        if (r == len || r == 0) {
            unsupportedInARow = 0;
            return r;
        }
        if (r < 0 && px.errno() == enotsup) {
            if (++unsupportedInARow >= UNSUPPORTED_LIMIT) on = false;
        } else {
            unsupportedInARow = 0;
        }
        return -1;
    }

    /**
     * {@link #tryRead} over a caller's {@code iovec} array of {@code iovcnt} entries and {@code total} bytes (the
     * engine's vectored read): the same answers.
     */
    long tryReadv(int fd, long iov, int iovcnt, long total, long offset) {
        if (!on) return -1;
        long r = px.preadv2(fd, iov, iovcnt, offset, rwfNowait);
        if (r == total || r == 0) {
            unsupportedInARow = 0;
            return r;
        }
        if (r < 0 && px.errno() == enotsup) {
            if (++unsupportedInARow >= UNSUPPORTED_LIMIT) on = false;
        } else {
            unsupportedInARow = 0;
        }
        return -1;
    }
}

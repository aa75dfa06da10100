package org.aio4j.engine.internal;

import org.aio4j.internal.NativeMemory;

/**
 * The cached-read fast path shared by the backends: one {@code preadv2(fd, iov, 1, offset, RWF_NOWAIT)} on the
 * calling thread, through the caller's per-slot native {@code iovec} (no allocation).
 */
final class ReadNow {
    private ReadNow() {}

    /**
     * The byte count if the read completed fully (or 0 at end of file), or -1 when the op has to be submitted: EAGAIN
     * (not cached), a short read (partly cached, or end of file: the asynchronous read tells), or any error
     * (EOPNOTSUPP, EISDIR...), whose real outcome the asynchronous path reports.
     */
    static long tryRead(Posix px, long iov, int rwfNowait, int fd, long buf, long len, long offset) {
        NativeMemory.putLong(iov, buf);
        NativeMemory.putLong(iov + 8, len);
        long r = px.preadv2(fd, iov, 1, offset, rwfNowait);
        if (r == len || r == 0) return r;
        return -1;
    }
}

package org.aio4j.engine;

import org.aio4j.engine.internal.Backend;
import org.aio4j.engine.internal.IoUring;
import org.aio4j.internal.NativeMemory;

/**
 * Room "cached-read fast path" of {@link AioEngine}: a read first tries {@code preadv2(RWF_NOWAIT)} on the submitting
 * thread ({@link Backend#tryReadNow}, using the slot's native {@code iovec}); data in the page cache comes back at
 * once and {@link Submitter#launch} completes the op right there ({@link Completions#reaped} on this thread);
 * anything else (not cached, short, an error) goes on to the backend's submit, which reports the real outcome. {@code
 * O_DIRECT} files skip it unless the builder forced it: their data never comes from the page cache, and {@code
 * RWF_NOWAIT} on such an fd may perform the device read synchronously (see {@code docs/engine.md}).
 */
final class FastPath {
    private final Backend backend;
    private final SlotRegistry slots;
    private final EngineMetrics metrics;
    /** Also for {@code O_DIRECT} files ({@code cachedReadFastPath(true)} set explicitly). */
    private final boolean direct;

    FastPath(Backend backend, SlotRegistry slots, EngineMetrics metrics, boolean direct) {
        this.backend = backend;
        this.slots = slots;
        this.metrics = metrics;
        this.direct = direct;
    }

    /**
     * Tries the read of a filled slot on {@code fd} on this thread (the fd is pinned in {@code FdTracker} and the
     * file was seen open): the byte count if it was served (the caller completes the op with it, {@link
     * Completions#reaped}), or -1 if it must be submitted. Small on purpose, so that it inlines into {@link
     * Submitter#launch}.
     */
    long tryRead(int slot, int fd) {
        SlotRegistry s = slots;
        if (!backend.supportsReadNow() || !(direct || !s.files[slot].isDirect())) return -1;
        long r = backend.tryReadNow(slot, fd, s.addrs[slot], s.lens[slot], s.positions[slot]);
        if (r >= 0) metrics.fastPath.increment();
        return r;
    }

    /**
     * {@link #tryRead} for a filled vectored read ({@link SlotRegistry#K_READV}): one {@code preadv2(RWF_NOWAIT)}
     * over the slot's {@code iovec} array ({@link Backend#tryReadNowVector}).
     */
    long tryReadVector(int slot, int fd) {
        SlotRegistry s = slots;
        if (!backend.supportsReadNow() || !(direct || !s.files[slot].isDirect())) return -1;
        long iov = s.addrs[slot];
        int n = (int) s.lens[slot];
        long total = 0; // what the kernel will see: the lengths in the iovec array
        for (int i = 0; i < n; i++)
            total += NativeMemory.getLong(iov + (long) i * IoUring.IOVEC_SIZE + IoUring.IOVEC_LEN);
        long r = backend.tryReadNowVector(fd, iov, n, total, s.positions[slot]);
        if (r >= 0) metrics.fastPath.increment();
        return r;
    }
}

package org.aio4j.engine.internal;

/**
 * The one interface between the engine (registry, slots, handlers, metrics) and the mechanism that moves bytes:
 * POSIX AIO ({@link PosixAioBackend}) and Linux io_uring ({@link IoUringBackend}), chosen with {@code
 * AioEngine.Builder.backend(EngineBackend)}, without touching the public API, the registry or the Reactor layer.
 *
 * <p>Slots are integers {@code 0 .. capacity()-1} owned by the engine. A backend keeps whatever native state a
 * slot needs (an {@code aiocb}, an iovec) and must not reuse it before the slot's completion was reported through
 * {@link #poll}. Threads: {@link #submit}, {@link #tryReadNow}, {@link #cancel} and {@link #wakeup} may be called
 * from any thread; {@link #poll} and {@link #close} only from the engine's single reaper thread.
 */
public interface Backend {
    int OP_READ = 0;
    int OP_WRITE = 1;
    int OP_FSYNC = 2;
    /**
     * A vectored read ({@code preadv}), only where {@link #supportsVector()}: {@link #submit}'s {@code buf} is the
     * address of a native {@code struct iovec} array ({@link IoUring#IOVEC_SIZE} bytes per entry) and {@code len}
     * its entry count (1 to {@link IoUring#UIO_MAXIOV}). The engine owns that array and every buffer it names, and
     * keeps them until {@link #poll} reported the slot.
     */
    int OP_READV = 3;
    /** A vectored write ({@code pwritev}); the arguments as for {@link #OP_READV}. */
    int OP_WRITEV = 4;

    /**
     * Reported by {@link #poll} instead of {@code EAGAIN} when the op's completion notification could not be
     * delivered and the C library overwrote the op's result with {@code EAGAIN} (glibc, a real-time completion
     * signal past {@code RLIMIT_SIGPENDING}): the op may have been performed. Not an errno (negative).
     */
    int NOTIFICATION_LOST = -11;

    /** Receives completions on the reaper thread. */
    interface CompletionSink {
        /**
         * Slot {@code slot} finished: {@code errno} 0 with {@code result} bytes (0 for fsync), or the errno
         * (ECANCELED when it was cancelled), or {@link #NOTIFICATION_LOST}.
         */
        void complete(int slot, long result, int errno);
    }

    /** How many slots this backend was built for. */
    int capacity();

    /**
     * Starts the op of {@code slot}. On success (0) the op is in flight until {@link #poll} reports it; otherwise
     * returns the errno of the submit call and the slot is free again at once.
     */
    int submit(int slot, int op, int fd, long buf, long len, long offset, int fsyncOp);

    /**
     * True if {@link #submitBatch} submits with one call ({@code lio_listio}) and can tell, after a failed call,
     * which entries were queued. False: the engine submits a batch op by op.
     */
    boolean supportsBatch();

    /**
     * Starts the reads and writes of {@code slots[0..n-1]} with one call ({@code lio_listio(LIO_NOWAIT)}), where
     * {@link #supportsBatch()}. The op of slot {@code s} is {@code ops[s]} ({@link #OP_READ} or {@link #OP_WRITE}),
     * on {@code fds[s]}, {@code lens[s]} bytes at {@code bufs[s]}, file offset {@code offsets[s]} (arrays indexed by
     * slot). On return {@code status[i]} is 0 if the entry {@code i} was queued (it is in flight until {@link
     * #poll} reports it) or an errno if it was not (its slot is free again at once; submitting it again alone is
     * safe). Returns 0 if the call succeeded, otherwise its errno.
     */
    int submitBatch(int[] slots, int n, byte[] ops, int[] fds, long[] bufs, long[] lens, long[] offsets, int[] status);

    /**
     * True if {@link #submit} takes {@link #OP_READV} and {@link #OP_WRITEV} (one op for many buffers). False (the
     * default, and POSIX AIO: glibc has no vectored AIO): the engine submits one op per buffer. A decorating backend
     * must opt in explicitly, because the {@code buf} and {@code len} of those ops are not a buffer and its length.
     */
    default boolean supportsVector() {
        return false;
    }

    /**
     * The vectored form of {@link #tryReadNow}, where {@link #supportsVector()}: one {@code preadv2(fd, iov, iovcnt,
     * offset, RWF_NOWAIT)} over the engine's {@code iovec} array of {@code total} bytes: the byte count if it
     * completed fully (or 0 at end of file), or -1 when the op has to go through {@link #submit}.
     */
    default long tryReadNowVector(int fd, long iov, int iovcnt, long total, long offset) {
        return -1;
    }

    /** True if {@link #tryReadNow} may return a result. */
    boolean supportsReadNow();

    /**
     * A non-blocking read on the calling thread (Linux {@code preadv2(RWF_NOWAIT)}), using native scratch space of
     * {@code slot}: the byte count if it completed fully (or 0 at end of file), or -1 when the op has to go through
     * {@link #submit}.
     */
    long tryReadNow(int slot, int fd, long buf, long len, long offset);

    /**
     * Asks to cancel the in-flight op of {@code slot} on {@code fd}: returns the native {@code AIO_CANCELED},
     * {@code AIO_NOTCANCELED} or {@code AIO_ALLDONE}, or -1 on error. A cancelled op is still reported by
     * {@link #poll}, with ECANCELED.
     */
    int cancel(int slot, int fd);

    /** The native {@code AIO_CANCELED} value. */
    int canceledValue();

    /**
     * True if a per-op {@link #cancel} can break the queue of other requests on the same fd number, so the engine
     * may only call it for an op that is alone on its fd number (glibc: cancelling the untaken head of an fd's
     * queue strands every request behind it; see {@code docs/engine.md}).
     */
    boolean perOpCancelNeedsGuard();

    /**
     * Cancels every queued request on {@code fd} ({@code aio_cancel(fd, NULL)}), including requests not made by
     * this backend. Each cancelled op of this backend is still reported by {@link #poll}, with ECANCELED. Returns
     * the native {@code AIO_CANCELED}, {@code AIO_NOTCANCELED} or {@code AIO_ALLDONE}, or -1 on error.
     */
    int cancelAll(int fd);

    /**
     * True if the op of {@code slot}, submitted and not yet reported, was cancelled ({@code aio_error} is
     * ECANCELED): it will be reported with ECANCELED.
     */
    boolean isCancelled(int slot);

    /**
     * Reaper thread only: waits up to {@code timeoutNanos} for completions (less if {@link #wakeup} is called) and
     * reports each through {@code sink}. Returns how many were reported.
     */
    int poll(CompletionSink sink, long timeoutNanos);

    /** Any thread: makes a waiting {@link #poll} return soon. */
    void wakeup();

    /** A short description of the mechanism in use, such as {@code "SUSPEND(aio_suspend, slice 1000us)"}. */
    String mechanism();

    /**
     * Reaper thread only, after every submitted op was reported: frees the native resources. Returns false if some
     * had to be kept (for example a semaphore a notification thread may still post) and were leaked on purpose.
     */
    boolean close(long deadlineNanos);
}

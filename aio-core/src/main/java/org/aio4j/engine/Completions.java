package org.aio4j.engine;

import java.util.concurrent.ConcurrentLinkedQueue;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.engine.internal.Backend;
import org.aio4j.internal.Errno;
import org.aio4j.internal.FdTracker;

/**
 * Room "completions" of {@link AioEngine}: where every completion goes, exactly once.
 *
 * <ol>
 *   <li>An op that had a slot ends in {@link #reaped}: reported by the backend's {@code poll} on the reaper thread
 *       (this class is the {@link Backend.CompletionSink}), served by the cached-read fast path ({@link FastPath}),
 *       or refused on the submitting thread (closed file, submit error) or by the reaper (a retry given up, a
 *       cancelled retry). {@code reaped} frees the slot first ({@link SlotRegistry#retire}, fd released in {@code
 *       FdTracker}, slot pushed back), then records the metrics and makes the typed error ({@link #failure}).
 *   <li>An op that never had a slot (closed file, empty buffer, {@link Overflow#FAIL}, cancelled while waiting in
 *       the {@link Backlog}) ends in {@link #finishNow} or straight in {@link Trampoline#deliver}.
 *   <li>{@link Trampoline#deliver} runs the handler on the current thread, queues it behind the handler this thread
 *       is already running (never nested), or, past {@link Trampoline#MAX_INLINE} in one activation, calls {@link
 *       #handOff}: the completion waits in {@link #handOffs} and the reaper delivers it ({@link #runHandOffs},
 *       between polls, in order). A future's handler is {@link EngineFuture#HANDLER}: it completes the future, or
 *       hands it off too ({@link EngineFuture}'s inline rule), re-queued ({@link #requeue}) until the submitting call
 *       returned it.
 * </ol>
 */
final class Completions implements Backend.CompletionSink {
    private final SlotRegistry slots;
    private final EngineMetrics metrics;
    private final Backend backend;
    private final Reaper reaper;
    private final int eagain = Errno.EAGAIN.value();
    private final int ecanceled = Errno.ECANCELED.value();

    /** A completion handed to the reaper by {@link Trampoline} (the budget of inline completions was used). */
    private record HandOff(AioHandler<?> handler, Object attachment, long result, AioException error) {}

    /** Completions handed off by other threads (or the reaper itself), delivered by the reaper in order. */
    private final ConcurrentLinkedQueue<HandOff> handOffs = new ConcurrentLinkedQueue<>();

    Completions(SlotRegistry slots, EngineMetrics metrics, Backend backend, Reaper reaper) {
        this.slots = slots;
        this.metrics = metrics;
        this.backend = backend;
        this.reaper = reaper;
    }

    /** The backend's report, on the reaper thread. */
    @Override
    public void complete(int slot, long result, int errno) {
        reaped(slot, result, errno);
    }

    /** The end of every slotted op: frees the slot, then calls the handler. */
    void reaped(int slot, long result, int errno) {
        SlotRegistry s = slots;
        AioHandler<?> h = s.handlers[slot];
        Object att = s.attachments[slot];
        AioFile file = s.files[slot];
        byte kind = s.kinds[slot];
        long position = s.positions[slot];
        long t0 = s.starts[slot];
        int fd = s.fds[slot];
        s.retire(slot);
        FdTracker.release(fd);
        metrics.inFlight.decrementAndGet();
        s.free.push(slot);
        metrics.record(t0, errno == 0, errno == ecanceled);
        AioException ex =
                errno == 0 ? null : failure(kind, errno, file.path(), kind == SlotRegistry.K_FSYNC ? -1 : position);
        Trampoline.deliver(this, h, att, result, ex);
    }

    /** The end of an op that failed without (or before getting) a slot. */
    void finishNow(byte kind, AioFile file, long position, int errno, AioHandler<?> h, Object att, long t0) {
        metrics.record(t0, false, errno == ecanceled);
        Trampoline.deliver(
                this,
                h,
                att,
                -1,
                AioException.of(opName(kind), errno, file.path(), kind == SlotRegistry.K_FSYNC ? -1 : position));
    }

    /** The operation an error names; a vectored op is named like its parts on POSIX AIO, for the same messages. */
    static String opName(byte kind) {
        return switch (kind) {
            case SlotRegistry.K_READ, SlotRegistry.K_READV -> "aio_read";
            case SlotRegistry.K_WRITE, SlotRegistry.K_WRITEV -> "aio_write";
            default -> "aio_fsync";
        };
    }

    /**
     * The typed exception of a failed op. {@link Backend#NOTIFICATION_LOST}: glibc could not queue the completion
     * signal and overwrote the result with EAGAIN, so not the retry-inviting {@link org.aio4j.AioTryAgainException}
     * but {@link org.aio4j.AioNotificationLostException} (the op may have been performed).
     */
    private AioException failure(byte kind, int errno, java.nio.file.Path path, long position) {
        if (errno == Backend.NOTIFICATION_LOST)
            return AioException.ofSignalledCompletion(opName(kind), eagain, path, position);
        return AioException.of(opName(kind), errno, path, position);
    }

    /**
     * Delivers a completion on the reaper thread instead of the current one (see {@link Trampoline}). If the reaper
     * has already ended (the engine terminated meanwhile), delivers it here.
     */
    void handOff(AioHandler<?> handler, Object attachment, long result, AioException error) {
        metrics.handOffs.increment();
        handOffs.add(new HandOff(handler, attachment, result, error));
        if (!reaper.isReaperThread()) backend.wakeup();
        if (reaper.isTerminated()) runHandOffs(); // nobody else will
    }

    /** Puts a handed-off completion back in the queue (not counted again), for a later turn of the reaper. */
    void requeue(AioHandler<?> handler, Object attachment, long result, AioException error) {
        handOffs.add(new HandOff(handler, attachment, result, error));
    }

    /** True if no handed-off completion waits. */
    boolean noHandOffs() {
        return handOffs.isEmpty();
    }

    /** Delivers the completions handed off so far (not those they hand off in turn: the reaper polls in between). */
    void runHandOffs() {
        for (int n = handOffs.size(); n > 0; n--) {
            HandOff h = handOffs.poll();
            if (h == null) return;
            Trampoline.deliver(this, h.handler(), h.attachment(), h.result(), h.error());
        }
    }
}

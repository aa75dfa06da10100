package org.aio4j.reactor.internal;

import java.nio.ByteBuffer;
import org.aio4j.AioFile;
import org.aio4j.AioFsyncMode;
import org.aio4j.engine.AioHandler;

/**
 * The operations the Reactor layer needs from the completion engine. {@link EngineOps} delegates to an {@link
 * org.aio4j.engine.AioEngine}; tests substitute adversarial fakes (delayed, reordered or failing completions).
 *
 * <p>Contract (that of the engine): each submitted op calls its handler exactly once, possibly on the submitting
 * thread before the submit method returns; the buffer is read or written at its position for its remaining bytes,
 * its position and limit are not changed, and it must not be touched or reused before the handler ran. A submit
 * method may also throw (nothing was submitted then).
 */
public interface AioOps {
    /** Submits a positional read; returns a token for {@link #cancel}. */
    <A> long read(AioFile file, long position, ByteBuffer dst, A attachment, AioHandler<? super A> handler);

    /** Submits a positional write; returns a token for {@link #cancel}. */
    <A> long write(AioFile file, long position, ByteBuffer src, A attachment, AioHandler<? super A> handler);

    /** Submits an fsync; returns a token for {@link #cancel}. */
    <A> long fsync(AioFile file, AioFsyncMode mode, A attachment, AioHandler<? super A> handler);

    /**
     * Asks the engine to cancel the op (aio_cancel); its handler still runs exactly once. With glibc the engine
     * declines (returns false, the op completes normally) unless the op is alone on its fd number: use {@link
     * #cancelAll} for a file the caller owns.
     */
    boolean cancel(long token);

    /**
     * Cancels every request still queued on {@code file} ({@code aio_cancel(fd, NULL)} on its fd numbers): each
     * completes as cancelled after it was reaped, ops already running complete normally, every handler still runs
     * exactly once. It also cancels requests of others on the same fd numbers, so only for a file the caller opened
     * and owns (a read or write stream's own file).
     *
     * @return how many ops will complete as cancelled (a lower bound)
     */
    int cancelAll(AioFile file);
}

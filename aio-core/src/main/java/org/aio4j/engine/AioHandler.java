package org.aio4j.engine;

import org.aio4j.AioException;

/**
 * The completion callback of an {@link AioEngine} operation: exactly one of the two methods is called, exactly
 * once per operation.
 *
 * <p>Threads: on the engine's reaper thread for operations that went through POSIX AIO, or on the submitting thread
 * when the op completed at once (a cached read on the fast path, an error found before submission). Calls made on
 * the submitting thread while another completion is being delivered on it are queued and run after it returns (a
 * trampoline), so issuing the next read from {@link #completed} never grows the stack. Keep handlers short and
 * non-blocking: while one runs, the reaper reaps nothing else.
 *
 * <pre>{@code
 * engine.read(file, 0, buffer, buffer, new AioHandler<ByteBuffer>() {
 *     public void completed(long bytes, ByteBuffer b) { ... }
 *     public void failed(AioException e, ByteBuffer b) { ... }
 * });
 * }</pre>
 *
 * @param <A> the attachment type
 */
public interface AioHandler<A> {
    /**
     * The operation succeeded.
     *
     * @param result bytes transferred (0 at end of file for a read; 0 for fsync)
     * @param attachment what was passed at submission
     */
    void completed(long result, A attachment);

    /**
     * The operation failed or was cancelled ({@link org.aio4j.AioCancelledException}), or could not be submitted
     * ({@link org.aio4j.AioTryAgainException} when the engine is full and configured with {@link Overflow#FAIL}).
     *
     * @param error the typed error of the operation
     * @param attachment what was passed at submission
     */
    void failed(AioException error, A attachment);
}

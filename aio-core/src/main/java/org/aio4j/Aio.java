package org.aio4j;

/**
 * One POSIX asynchronous I/O operation: an {@code aiocb} (or, for {@link AioReadv}/{@link AioWritev} on Linux and
 * macOS, a group of them) with its buffer, notification and lifecycle. Mirrors nix's {@code Aio} trait.
 *
 * <p>Lifecycle: {@code NEW} → {@link #submit()} (or {@link PosixAio#lioListio}) → in progress → complete ({@link
 * #error()} is no longer {@code EINPROGRESS}) → {@link #aioReturn()} exactly once → reaped. Until the operation is
 * reaped its native {@code aiocb} and its buffers stay at a fixed address and strongly reachable, even if you drop
 * every reference to the operation: aio4j keeps in-flight operations in a process-wide set (see {@link
 * PosixAio#opsInFlight()}). {@link #close()} frees the native memory of an operation that is not in progress and
 * refuses one that is, exactly like nix panics when an in-progress {@code AioCb} is dropped.
 *
 * <p>glibc quirks handled here: glibc overwrites {@code aio_lio_opcode} and {@code aio_reqprio} of a submitted
 * {@code aiocb}, so aio4j writes both again before every submission; {@code aio_read}/{@code aio_write} on a bad fd
 * are accepted and fail on completion ({@code EBADF}) while {@code aio_fsync} fails at once; a cancelled operation
 * completes with {@code ECANCELED} and must still be reaped; {@code aio_reqprio} above 20 is {@code EINVAL}.
 *
 * <p>Operations are single-use: after {@link #aioReturn()} create a new one. A submission that failed leaves the
 * operation {@code NEW}, so it may be submitted again. Methods of one operation are thread-safe.
 *
 * <p>Poll for completion with {@link #error()}; polling is an alternative to {@link PosixAio#aioSuspend}:
 *
 * <pre>{@code
 * ByteBuffer wbuf = ByteBuffer.allocateDirect(12).put("abcdef123456".getBytes()).flip();
 * try (AioWrite w = new AioWrite(file.fd(), 2, wbuf, 0, SigevNotify.none())) {
 *     w.submit();
 *     while (w.error() == Errno.EINPROGRESS.value()) Thread.sleep(10);
 *     assert w.aioReturn() == 12;
 * }
 * }</pre>
 *
 * <p>Cancel an outstanding operation; it must still be reaped, even though its result does not matter:
 *
 * <pre>{@code
 * w.submit();
 * if (w.cancel() == AioCancelStat.AIO_NOTCANCELED) {
 *     while (w.error() == Errno.EINPROGRESS.value()) Thread.sleep(10);
 * }
 * try { w.aioReturn(); } catch (AioException ignored) { } // AioCancelledException if it was cancelled
 * }</pre>
 */
public sealed interface Aio extends AutoCloseable permits AbstractAio {
    /**
     * Starts the operation ({@code aio_read}, {@code aio_write}, {@code aio_fsync}, or {@code lio_listio} for a
     * vectored group). The operation is in progress only if the call succeeded.
     *
     * @throws AioException the errno of the submit call (EAGAIN as {@link AioTryAgainException}, EBADF for {@code
     *     aio_fsync} on a bad fd, EINVAL for a priority above the C library's limit); the operation stays {@code NEW}.
     *     A vectored group that was only partly queued throws {@link LioListioException} and is in progress.
     * @throws IllegalStateException if it was already submitted, reaped or closed
     */
    void submit() throws AioException;

    /**
     * What {@code aio_error} returns now: 0 when it completed successfully, {@code EINPROGRESS} (see {@code
     * Errno.EINPROGRESS.value()}) while it runs, otherwise the errno it failed with ({@code ECANCELED} when
     * cancelled). For a vectored group: {@code EINPROGRESS} while any part runs, else the first part's error. After
     * {@link #aioReturn()} it keeps returning the final value.
     *
     * @return 0, {@code EINPROGRESS} or the errno of the operation
     * @throws IllegalStateException before {@link #submit()}
     */
    int error();

    /**
     * Reaps the completed operation ({@code aio_return}) and frees its native memory. Call exactly once, after
     * {@link #error()} stopped returning {@code EINPROGRESS} (or after {@link PosixAio#aioSuspend} or a
     * completion notification). Returns the byte count of the read or write (0 for fsync); for a vectored group
     * the bytes transferred up to and including the first short part.
     *
     * @return the byte count transferred (0 for an fsync)
     * @throws AioException the operation's error, typed: {@link AioCancelledException} if it was cancelled
     * @throws IllegalStateException if not submitted, still in progress, or already reaped
     */
    long aioReturn() throws AioException;

    /**
     * Asks the C library to cancel the operation ({@code aio_cancel(fd, aiocb)}). glibc cancels only queued
     * requests: a running one answers {@link AioCancelStat#AIO_NOTCANCELED}. A cancelled operation still completes
     * (with {@code ECANCELED}) and must still be reaped with {@link #aioReturn()}. Returns {@link
     * AioCancelStat#AIO_ALLDONE} for an operation already reaped.
     *
     * <p><b>glibc bug</b> (seen on 2.36, reproduced by {@code GlibcCasesTest.cancellingAnUntakenHeadStrandsTheFdQueue}):
     * glibc runs one request per fd number at a time. If a cancelled request was the head of its fd's queue and no
     * helper thread had taken it yet, glibc marks the next request on that fd runnable but never hands it to a
     * thread: every later request on that fd number then waits forever. So on glibc aio4j calls {@code aio_cancel}
     * for a request only when that cannot happen: when a request of an earlier aio4j operation on the same fd number
     * (of no lower priority) is still queued before it, or when the operation is the only one in flight on its fd
     * number ("earlier" is the order of the submit calls, which aio4j makes under a process-wide lock per fd number,
     * shared with the engine, so it is glibc's queue order; the check and the call run under that lock too).
     * Otherwise it answers {@link AioCancelStat#AIO_NOTCANCELED} without asking glibc (the operation then
     * completes normally). If the earlier request finished during the call, so that safety is not proven, aio4j heals
     * the fd: every still-queued request of its other operations on that fd number is cancelled and submitted again
     * (their notification may then fire an extra or an early time; a request that cannot be submitted again completes with
     * {@code ECANCELED}). Requests on the same fd number that were not submitted through these classes (the engine's)
     * cannot be healed: {@link PosixAio#aioCancelAll(int)} is the way out for them (they complete with {@code
     * ECANCELED}). An operation made of several requests ({@link AioReadv}/{@link AioWritev} where they are a group
     * of requests) cancels its last request first, so that each of its requests still has an earlier one queued ahead
     * of it when it is cancelled. One operation per (dup'ed) fd number at a time avoids the question entirely.
     *
     * @return {@link AioCancelStat#AIO_CANCELED}, {@link AioCancelStat#AIO_NOTCANCELED} or {@link
     * AioCancelStat#AIO_ALLDONE}
     * @throws AioException the errno of {@code aio_cancel} (EBADF for a bad fd)
     * @throws IllegalStateException before {@link #submit()}
     */
    AioCancelStat cancel() throws AioException;

    /**
     * The file descriptor the operation works on.
     *
     * @return the file descriptor given at construction
     */
    int fd();

    /**
     * True from a successful submission until {@link #aioReturn()}: while true the C library may touch the
     * operation's memory and {@link #close()} is refused.
     *
     * @return true while the C library owns the operation
     */
    boolean inProgress();

    /**
     * The {@code aio_reqprio} given at construction (the value aio4j writes before each submission).
     *
     * @return the request priority, not negative
     */
    int priority();

    /**
     * Replaces the completion notification of an operation that is not submitted yet.
     *
     * @param sigevNotify the new notification, used by the next {@link #submit()}
     * @throws IllegalStateException while in progress, or once reaped or closed
     * @throws UnsupportedOperationException for a notification this OS lacks
     */
    void setSigevNotify(SigevNotify sigevNotify);

    /**
     * The completion notification the operation was given.
     *
     * @return the notification, never null ({@link SigevNotify#none()} for none)
     */
    SigevNotify sigevNotify();

    /**
     * Frees the native memory of an operation that is not in progress (never submitted, or reaped). Idempotent.
     *
     * @throws IllegalStateException {@code "in-progress ..."} if the operation was submitted and not reaped: its
     *     memory and buffers then stay allocated and reachable until it is reaped with {@link #aioReturn()}, which
     *     is still allowed (nix: "Dropped an in-progress AioCb")
     */
    @Override
    void close();
}

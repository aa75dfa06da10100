package org.aio4j;

import java.util.List;

/**
 * {@link PosixAio#lioListio} (or the submission of a vectored group) failed with {@code EAGAIN}, {@code EIO},
 * {@code EINTR} or another errno, possibly after queueing some of the ops. {@link #queued()} are in progress and must
 * be reaped with {@link Aio#aioReturn()} as usual (with {@code LIO_WAIT} and {@code EIO} they have completed, some
 * with an error); {@link #notQueued()} are still NEW and may be submitted again.
 *
 * <p>Which ops were queued is decided with {@code aio_error} on each: {@code EINPROGRESS} or a completion means
 * queued. On glibc an entry refused before it was queued can read as complete (its {@code aiocb} is untouched and
 * zeroed); aio4j then counts it as queued, the safe side: its memory stays reserved until it is reaped.
 *
 * <pre>{@code
 * try {
 *     PosixAio.lioListio(LioMode.LIO_NOWAIT, ops, SigevNotify.none());
 * } catch (LioListioException e) {
 *     for (Aio op : e.notQueued()) op.submit();   // or give up on them
 *     // e.queued() are running: reap them as usual
 * }
 * }</pre>
 */
public final class LioListioException extends AioException {
    private static final long serialVersionUID = 1L;

    private final transient List<Aio> queued;
    private final transient List<Aio> notQueued;

    /** Use {@link AioException#ofLioListio}. */
    LioListioException(int errno, List<Aio> queued, List<Aio> notQueued) {
        super("lio_listio", errno, null, -1);
        this.queued = List.copyOf(queued);
        this.notQueued = List.copyOf(notQueued);
    }

    /**
     * The ops the call queued: they are in progress and must be reaped.
     *
     * @return the queued ops, in list order; an unmodifiable list
     */
    public List<Aio> queued() {
        return queued;
    }

    /**
     * The ops the call did not queue: still NEW.
     *
     * @return the ops left NEW, in list order; an unmodifiable list
     */
    public List<Aio> notQueued() {
        return notQueued;
    }

    @Override
    public String getMessage() {
        if (queued == null || notQueued == null) return super.getMessage();
        return super.getMessage() + "; " + queued.size() + " op(s) queued (in progress, reap them), " + notQueued.size()
                + " not queued";
    }
}

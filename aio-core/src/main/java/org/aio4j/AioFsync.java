package org.aio4j;

import java.util.Objects;

/**
 * An asynchronous {@code fsync} ({@link AioFsyncMode#O_SYNC}) or {@code fdatasync} ({@link AioFsyncMode#O_DSYNC})
 * of every write queued before it on the fd. glibc checks the fd at once: {@link #submit()} throws {@code EBADF} for
 * a bad fd or one not open for writing. {@code lio_listio} cannot carry an fsync.
 *
 * <pre>{@code
 * try (AioFsync f = new AioFsync(file.fd(), AioFsyncMode.O_SYNC, 0, SigevNotify.none())) {
 *     assert !f.inProgress();
 *     f.submit();
 *     assert f.inProgress();
 *     while (f.error() == Errno.EINPROGRESS.value()) Thread.sleep(10);
 *     f.aioReturn();
 *     assert !f.inProgress();
 * }
 * }</pre>
 */
public final class AioFsync extends AbstractAio {
    /**
     * An fsync; nothing is submitted until {@link #submit()}.
     *
     * @param fd file descriptor to sync
     * @param mode data and metadata, or data only
     * @param prio {@code aio_reqprio}, not negative
     * @param sigevNotify how completion is notified
     */
    public AioFsync(int fd, AioFsyncMode mode, int prio, SigevNotify sigevNotify) {
        super(Kind.FSYNC, fd, 0, null, prio, sigevNotify, Objects.requireNonNull(mode, "mode"));
    }

    /**
     * Whether data and metadata or data only are synced.
     *
     * @return {@link AioFsyncMode#O_SYNC} or {@link AioFsyncMode#O_DSYNC}, as given at construction
     */
    public AioFsyncMode mode() {
        return mode;
    }
}

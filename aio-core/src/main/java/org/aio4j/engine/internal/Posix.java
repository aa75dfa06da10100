package org.aio4j.engine.internal;

/**
 * The C calls the engine's POSIX AIO backend makes, behind an interface so that a test can replace them with a
 * fake (the FreeBSD {@code KEVENT} logic is tested that way on Linux). {@link NativePosix} is the real one; it is
 * the only implementation loaded in production, so the JIT sees one receiver and inlines the calls.
 *
 * <p>Addresses are raw native addresses from {@link org.aio4j.internal.NativeMemory}. {@link #errno()} returns
 * the errno saved by this thread's last call.
 */
public interface Posix {
    int aio_read(long aiocb);

    int aio_write(long aiocb);

    int aio_fsync(int op, long aiocb);

    int aio_error(long aiocb);

    long aio_return(long aiocb);

    int aio_cancel(int fd, long aiocb);

    /**
     * {@code lio_listio(mode, list, nent, sig)}. Fakes that do not model it keep this default, which refuses the
     * call (the engine only uses it where {@link PosixAioBackend#supportsBatch()} says so).
     */
    default int lio_listio(int mode, long list, int nent, long sig) {
        throw new UnsupportedOperationException("lio_listio");
    }

    int aio_suspend(long list, int nent, long timeout);

    long preadv2(int fd, long iov, int iovcnt, long offset, int flags);

    int sem_init(long sem, int pshared, int value);

    int sem_destroy(long sem);

    int sem_post(long sem);

    int sem_timedwait(long sem, long absTimeout);

    int sem_trywait(long sem);

    int kqueue();

    int kevent(int kq, long changes, int nchanges, long events, int nevents, long timeout);

    int signalfd(int fd, long mask, int flags);

    int eventfd(int initval, int flags);

    int poll(long fds, long nfds, int timeoutMillis);

    long read(int fd, long buf, long count);

    long write(int fd, long buf, long count);

    int close(int fd);

    int errno();
}

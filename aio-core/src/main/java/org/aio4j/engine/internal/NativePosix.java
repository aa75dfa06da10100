package org.aio4j.engine.internal;

import org.aio4j.internal.LibC;
import org.aio4j.internal.LibCGnu;
import org.aio4j.internal.NativeLib;

/** {@link Posix} through the JNR binding of {@link NativeLib}. */
public final class NativePosix implements Posix {
    /** The one instance. */
    public static final NativePosix INSTANCE = new NativePosix();

    private final LibC c;
    private final LibCGnu g;

    private NativePosix() {
        NativeLib.ensureAvailable();
        this.c = NativeLib.libc();
        this.g = NativeLib.gnu();
    }

    @Override
    public int aio_read(long aiocb) {
        return c.aio_read(aiocb);
    }

    @Override
    public int aio_write(long aiocb) {
        return c.aio_write(aiocb);
    }

    @Override
    public int aio_fsync(int op, long aiocb) {
        return c.aio_fsync(op, aiocb);
    }

    @Override
    public int lio_listio(int mode, long list, int nent, long sig) {
        return c.lio_listio(mode, list, nent, sig);
    }

    @Override
    public int aio_error(long aiocb) {
        return c.aio_error(aiocb);
    }

    @Override
    public long aio_return(long aiocb) {
        return c.aio_return(aiocb);
    }

    @Override
    public int aio_cancel(int fd, long aiocb) {
        return c.aio_cancel(fd, aiocb);
    }

    @Override
    public int aio_suspend(long list, int nent, long timeout) {
        return c.aio_suspend(list, nent, timeout);
    }

    @Override
    public long preadv2(int fd, long iov, int iovcnt, long offset, int flags) {
        return g.preadv2(fd, iov, iovcnt, offset, flags);
    }

    @Override
    public int sem_init(long sem, int pshared, int value) {
        return g.sem_init(sem, pshared, value);
    }

    @Override
    public int sem_destroy(long sem) {
        return g.sem_destroy(sem);
    }

    @Override
    public int sem_post(long sem) {
        return g.sem_post(sem);
    }

    @Override
    public int sem_timedwait(long sem, long absTimeout) {
        return g.sem_timedwait(sem, absTimeout);
    }

    @Override
    public int sem_trywait(long sem) {
        return g.sem_trywait(sem);
    }

    @Override
    public int kqueue() {
        return g.kqueue();
    }

    @Override
    public int kevent(int kq, long changes, int nchanges, long events, int nevents, long timeout) {
        return g.kevent(kq, changes, nchanges, events, nevents, timeout);
    }

    @Override
    public int signalfd(int fd, long mask, int flags) {
        return g.signalfd(fd, mask, flags);
    }

    @Override
    public int eventfd(int initval, int flags) {
        return g.eventfd(initval, flags);
    }

    @Override
    public int poll(long fds, long nfds, int timeoutMillis) {
        return g.poll(fds, nfds, timeoutMillis);
    }

    @Override
    public long read(int fd, long buf, long count) {
        return c.read(fd, buf, count);
    }

    @Override
    public long write(int fd, long buf, long count) {
        return c.write(fd, buf, count);
    }

    @Override
    public int close(int fd) {
        return c.close(fd);
    }

    @Override
    public int errno() {
        return NativeLib.errno();
    }
}

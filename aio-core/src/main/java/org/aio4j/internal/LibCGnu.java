package org.aio4j.internal;

import jnr.ffi.types.intptr_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * glibc-only functions, bound separately so that a missing symbol on another libc never stops {@link LibC} from
 * loading. Each method is looked up lazily by JNR: calling one that the C library lacks throws {@link
 * UnsatisfiedLinkError}, which callers turn into "feature unavailable".
 */
public interface LibCGnu {
    /** {@code void aio_init(const struct aioinit *init);} (glibc) */
    void aio_init(@intptr_t long init);

    /** {@code int aio_readv(struct aiocb *iocb);} (FreeBSD 13+: {@code aio_iov}/{@code aio_iovcnt} in the aiocb) */
    int aio_readv(@intptr_t long aiocbp);

    /** {@code int aio_writev(struct aiocb *iocb);} (FreeBSD 13+) */
    int aio_writev(@intptr_t long aiocbp);

    /** {@code ssize_t preadv2(int fd, const struct iovec *iov, int iovcnt, off_t offset, int flags);} (Linux) */
    @ssize_t
    long preadv2(int fd, @intptr_t long iov, int iovcnt, long offset, int flags);

    // copy_file_range (six arguments) is called through jffi directly, see KernelCopy: jnr-ffi 2.2.17's generated
    // x86_64 stub passes garbage as a sixth argument.

    /**
     * {@code ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count);} (Linux: any out_fd since 2.6.33;
     * reads from {@code *offset}, advanced by the call, and writes at out_fd's file offset)
     */
    @ssize_t
    long sendfile(int outFd, int inFd, @intptr_t long offset, @size_t long count);

    /** {@code int sem_init(sem_t *sem, int pshared, unsigned int value);} */
    int sem_init(@intptr_t long sem, int pshared, int value);

    /** {@code int sem_destroy(sem_t *sem);} */
    int sem_destroy(@intptr_t long sem);

    /** {@code int sem_post(sem_t *sem);} */
    int sem_post(@intptr_t long sem);

    /** {@code int sem_wait(sem_t *sem);} */
    int sem_wait(@intptr_t long sem);

    /** {@code int sem_timedwait(sem_t *sem, const struct timespec *abs_timeout);} */
    int sem_timedwait(@intptr_t long sem, @intptr_t long absTimeout);

    /** {@code int sem_trywait(sem_t *sem);} */
    int sem_trywait(@intptr_t long sem);

    /** {@code int sigemptyset(sigset_t *set);} */
    int sigemptyset(@intptr_t long set);

    /** {@code int sigaddset(sigset_t *set, int signum);} */
    int sigaddset(@intptr_t long set, int signum);

    /** {@code int sigismember(const sigset_t *set, int signum);} */
    int sigismember(@intptr_t long set, int signum);

    /** {@code int pthread_sigmask(int how, const sigset_t *set, sigset_t *oldset);} */
    int pthread_sigmask(int how, @intptr_t long set, @intptr_t long oldset);

    /** {@code int signalfd(int fd, const sigset_t *mask, int flags);} (Linux) */
    int signalfd(int fd, @intptr_t long mask, int flags);

    /** {@code int eventfd(unsigned int initval, int flags);} (Linux) */
    int eventfd(int initval, int flags);

    /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout);} */
    int poll(@intptr_t long fds, long nfds, int timeout);

    /** {@code int __libc_current_sigrtmin(void);} (glibc: the value of SIGRTMIN) */
    int __libc_current_sigrtmin();

    /** {@code int kqueue(void);} (BSD) */
    int kqueue();

    /**
     * {@code int kevent(int kq, const struct kevent *changelist, int nchanges, struct kevent *eventlist, int
     * nevents, const struct timespec *timeout);} (BSD)
     */
    int kevent(
            int kq,
            @intptr_t long changelist,
            int nchanges,
            @intptr_t long eventlist,
            int nevents,
            @intptr_t long timeout);
}

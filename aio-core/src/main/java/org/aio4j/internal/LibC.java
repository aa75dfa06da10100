package org.aio4j.internal;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Variadic;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The C surface aio4j calls, one method per C function, with the C names.
 *
 * <p>Every pointer is passed as a raw address ({@code @intptr_t long}) so that the hot path allocates no
 * {@link jnr.ffi.Pointer} objects. Memory behind those addresses is owned by {@link NativeMemory}. No method is
 * marked {@code @IgnoreError}: every call saves errno, because a skipped save leaves {@code
 * Runtime.getLastError()} stale (see {@code docs/platforms.md}).
 *
 * <p>Loaded by {@link NativeLib} from libc (glibc 2.34 and later, musl, the BSDs, macOS) or, for older glibc,
 * from librt.
 */
public interface LibC {
    /** {@code int aio_read(struct aiocb *aiocbp);} */
    int aio_read(@intptr_t long aiocbp);

    /** {@code int aio_write(struct aiocb *aiocbp);} */
    int aio_write(@intptr_t long aiocbp);

    /** {@code int aio_fsync(int op, struct aiocb *aiocbp);} */
    int aio_fsync(int op, @intptr_t long aiocbp);

    /** {@code int aio_error(const struct aiocb *aiocbp);} */
    int aio_error(@intptr_t long aiocbp);

    /** {@code ssize_t aio_return(struct aiocb *aiocbp);} */
    @ssize_t
    long aio_return(@intptr_t long aiocbp);

    /** {@code int aio_cancel(int fd, struct aiocb *aiocbp);} ({@code aiocbp} may be 0: every request on fd) */
    int aio_cancel(int fd, @intptr_t long aiocbp);

    /** {@code int aio_suspend(const struct aiocb *const list[], int nent, const struct timespec *timeout);} */
    int aio_suspend(@intptr_t long list, int nent, @intptr_t long timeout);

    /** {@code int lio_listio(int mode, struct aiocb *const list[], int nent, struct sigevent *sevp);} */
    int lio_listio(int mode, @intptr_t long list, int nent, @intptr_t long sevp);

    /**
     * {@code int open(const char *pathname, int flags, ...);}: variadic in C, and called as such ({@code @Variadic},
     * libffi's variadic call): on Apple arm64 variadic arguments go on the stack, not in registers, so a fixed
     * three-argument binding would hand {@code open} a garbage mode for {@code O_CREAT} there.
     */
    @Variadic(fixedCount = 2)
    int open(@In byte[] pathname, int flags, int mode);

    /** {@code int close(int fd);} */
    int close(int fd);

    /** {@code int dup(int oldfd);} */
    int dup(int oldfd);

    /** {@code fcntl} command: get the file status flags. 3 on Linux (every architecture), FreeBSD and macOS. */
    int F_GETFL = 3;

    /** {@code int fcntl(int fd, int cmd, ...);}: variadic in C and called as such (see {@link #open}). */
    @Variadic(fixedCount = 2)
    int fcntl(int fd, int cmd, int arg);

    /** {@code off_t lseek(int fd, off_t offset, int whence);} */
    long lseek(int fd, long offset, int whence);

    /** {@code int ftruncate(int fd, off_t length);} */
    int ftruncate(int fd, long length);

    /** {@code int pipe(int pipefd[2]);} (used by tests and the engine's wake-ups) */
    int pipe(@intptr_t long pipefd);

    /** {@code ssize_t pread(int fd, void *buf, size_t count, off_t offset);} */
    @ssize_t
    long pread(int fd, @intptr_t long buf, @size_t long count, long offset);

    /** {@code ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset);} */
    @ssize_t
    long pwrite(int fd, @intptr_t long buf, @size_t long count, long offset);

    /** {@code ssize_t write(int fd, const void *buf, size_t count);} */
    @ssize_t
    long write(int fd, @intptr_t long buf, @size_t long count);

    /** {@code ssize_t read(int fd, void *buf, size_t count);} */
    @ssize_t
    long read(int fd, @intptr_t long buf, @size_t long count);

    /** {@code void *calloc(size_t nmemb, size_t size);} */
    @intptr_t
    long calloc(@size_t long nmemb, @size_t long size);

    /** {@code void free(void *ptr);} */
    void free(@intptr_t long ptr);

    /** {@code long sysconf(int name);} */
    long sysconf(int name);

    /** {@code int getpid(void);} */
    int getpid();

    /** {@code char *strerror(int errnum);} */
    String strerror(int errnum);
}

/*
 * abi_probe.c: prints what the C headers of this machine say about POSIX AIO, one "NAME value" line each, for
 * org.aio4j.internal.AbiMatchesCTest, which compares every line with the Java table AioAbi picks for this platform.
 *
 *   aiocb.<field> / sigevent.<field>   offsetof (".size" = sizeof), -1 where the struct has no such field
 *   sizeof.<type>                      sizeof; 0 where the C library has no such type (struct aioinit is glibc-only)
 *   <CONSTANT>                         the macro's value, or "absent" where this platform's headers do not define it
 *   errno.<NAME>                       errno values
 *   libc <name>                        which C library the headers belong to (glibc, musl, freebsd, darwin)
 *
 * Compile: cc -o abi_probe abi_probe.c   (also with musl-gcc). Keep in step with AbiTables: the test fails when a
 * constant of a Java table is missing here.
 */
#define _GNU_SOURCE 1
#define _WANT_ALL_LIO_OPCODES 1 /* FreeBSD: LIO_READV/LIO_WRITEV */
#include <aio.h>
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/uio.h>
#include <time.h>

#define OFF(s, f) printf("%s.%s %ld\n", #s, #f, (long) offsetof(struct s, f))
#define SIZE(label, t) printf("%s %ld\n", label, (long) sizeof(t))
#define CONST(n) printf("%s %ld\n", #n, (long) (n))
#define ABSENT(n) printf("%s absent\n", #n)

int main(void) {
#if defined(__GLIBC__)
    printf("libc glibc\n");
#elif defined(__FreeBSD__)
    printf("libc freebsd\n");
#elif defined(__APPLE__)
    printf("libc darwin\n");
#elif defined(__linux__)
    printf("libc musl\n"); /* Linux without __GLIBC__: musl defines no identifying macro on purpose */
#else
    printf("libc unknown\n");
#endif

    /* struct aiocb */
    printf("aiocb.size %ld\n", (long) sizeof(struct aiocb));
    OFF(aiocb, aio_fildes);
    OFF(aiocb, aio_lio_opcode);
    OFF(aiocb, aio_reqprio);
    OFF(aiocb, aio_buf);
    OFF(aiocb, aio_nbytes);
    OFF(aiocb, aio_sigevent);
    OFF(aiocb, aio_offset);

    /* struct sigevent */
    printf("sigevent.size %ld\n", (long) sizeof(struct sigevent));
    OFF(sigevent, sigev_value);
    OFF(sigevent, sigev_signo);
    OFF(sigevent, sigev_notify);
    OFF(sigevent, sigev_notify_function);
    OFF(sigevent, sigev_notify_attributes);
#if defined(SIGEV_KEVENT)
    OFF(sigevent, sigev_notify_kqueue);
    OFF(sigevent, sigev_notify_kevent_flags);
#else
    printf("sigevent.sigev_notify_kqueue -1\n");
    printf("sigevent.sigev_notify_kevent_flags -1\n");
#endif

    /* other types */
    SIZE("sizeof.timespec", struct timespec);
    SIZE("sizeof.sem_t", sem_t);
    SIZE("sizeof.sigset_t", sigset_t);
#if defined(__GLIBC__)
    SIZE("sizeof.aioinit", struct aioinit);
#else
    printf("sizeof.aioinit 0\n");
#endif
    SIZE("sizeof.iovec", struct iovec);

    /* glibc-private aiocb offsets (AioAbi.GLIBC_AIOCB_*_OFFSET), compared like constants */
#if defined(__GLIBC__)
    printf("GLIBC_AIOCB_ERROR_CODE_OFFSET %ld\n", (long) offsetof(struct aiocb, __error_code));
    printf("GLIBC_AIOCB_RETURN_VALUE_OFFSET %ld\n", (long) offsetof(struct aiocb, __return_value));
#else
    ABSENT(GLIBC_AIOCB_ERROR_CODE_OFFSET);
    ABSENT(GLIBC_AIOCB_RETURN_VALUE_OFFSET);
#endif

    /* constants */
    CONST(SIGEV_NONE);
    CONST(SIGEV_SIGNAL);
    CONST(SIGEV_THREAD);
#ifdef SIGEV_KEVENT
    CONST(SIGEV_KEVENT);
#else
    ABSENT(SIGEV_KEVENT);
#endif
    CONST(LIO_READ);
    CONST(LIO_WRITE);
    CONST(LIO_NOP);
#ifdef LIO_READV
    CONST(LIO_READV);
#else
    ABSENT(LIO_READV);
#endif
#ifdef LIO_WRITEV
    CONST(LIO_WRITEV);
#else
    ABSENT(LIO_WRITEV);
#endif
    CONST(LIO_WAIT);
    CONST(LIO_NOWAIT);
    CONST(AIO_CANCELED);
    CONST(AIO_NOTCANCELED);
    CONST(AIO_ALLDONE);
    CONST(O_RDONLY);
    CONST(O_WRONLY);
    CONST(O_RDWR);
    CONST(O_CREAT);
    CONST(O_TRUNC);
    CONST(O_APPEND);
    CONST(O_EXCL);
    CONST(O_CLOEXEC);
    CONST(O_NONBLOCK);
    CONST(O_SYNC);
    CONST(O_DSYNC);
#ifdef O_DIRECT
    CONST(O_DIRECT);
#else
    ABSENT(O_DIRECT);
#endif
    CONST(SIGUSR1);
    CONST(SIGUSR2);
#ifdef RWF_NOWAIT
    CONST(RWF_NOWAIT);
#else
    ABSENT(RWF_NOWAIT);
#endif

    /* errno */
#define E(n) printf("errno.%s %d\n", #n, n)
    E(EPERM); E(ENOENT); E(ESRCH); E(EINTR); E(EIO); E(ENXIO); E(E2BIG); E(EBADF); E(EAGAIN); E(ENOMEM);
    E(EACCES); E(EFAULT); E(EBUSY); E(EEXIST); E(EXDEV); E(ENODEV); E(ENOTDIR); E(EISDIR); E(EINVAL); E(ENFILE);
    E(EMFILE); E(ETXTBSY); E(EFBIG); E(ENOSPC); E(ESPIPE); E(EROFS); E(EPIPE); E(ENAMETOOLONG); E(ENOTEMPTY); E(ENOSYS);
    E(ELOOP); E(EOVERFLOW); E(ENOTSUP); E(ETIMEDOUT); E(EINPROGRESS); E(EDQUOT); E(ECANCELED);
    return 0;
}

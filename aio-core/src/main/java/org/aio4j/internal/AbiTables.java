package org.aio4j.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import org.aio4j.internal.AioAbi.AiocbLayout;
import org.aio4j.internal.AioAbi.SigeventLayout;

/**
 * One {@link AioAbi} per supported platform. Sources are cited per table; {@code docs/platforms.md} repeats them.
 * Only the Linux glibc x86_64 table is machine-checked here (against gcc, by {@code AbiMatchesCTest}).
 */
final class AbiTables {
    private AbiTables() {}

    private static Map<String, Integer> map(Object... kv) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Integer) kv[i + 1]);
        }
        return m;
    }

    /** Constants shared by glibc and musl on every Linux architecture ({@code <aio.h>}, {@code <signal.h>}). */
    private static Map<String, Integer> linuxCommon() {
        return map(
                "SIGEV_SIGNAL",
                0,
                "SIGEV_NONE",
                1,
                "SIGEV_THREAD",
                2,
                "LIO_READ",
                0,
                "LIO_WRITE",
                1,
                "LIO_NOP",
                2,
                "LIO_WAIT",
                0,
                "LIO_NOWAIT",
                1,
                "AIO_CANCELED",
                0,
                "AIO_NOTCANCELED",
                1,
                "AIO_ALLDONE",
                2,
                "O_RDONLY",
                0,
                "O_WRONLY",
                1,
                "O_RDWR",
                2,
                "O_CREAT",
                0100,
                "O_EXCL",
                0200,
                "O_TRUNC",
                01000,
                "O_APPEND",
                02000,
                "O_NONBLOCK",
                04000,
                "O_DSYNC",
                010000,
                "O_SYNC",
                04010000,
                "O_CLOEXEC",
                02000000,
                "SIGUSR1",
                10,
                "SIGUSR2",
                12,
                "RWF_NOWAIT",
                8);
    }

    private static Map<String, Integer> linux(int oDirect) {
        Map<String, Integer> m = linuxCommon();
        m.put("O_DIRECT", oDirect);
        return m;
    }

    // glibc 2.36 <aio.h>: same LP64 layout on x86_64 and aarch64. Checked against gcc 12 on x86_64.
    private static final AiocbLayout GLIBC_LP64_AIOCB = new AiocbLayout(168, 0, 4, 8, 16, 24, 32, 128);
    // glibc <bits/types/sigevent_t.h>, musl <signal.h>: sigev_value, sigev_signo, sigev_notify, then the union.
    private static final SigeventLayout LINUX_SIGEVENT = new SigeventLayout(64, 0, 8, 12, 16, 24, -1, -1);
    // musl <aio.h>: fildes, lio_opcode, reqprio, buf, nbytes, sigevent, __td, __lock[2], __err, __ret, aio_offset.
    private static final AiocbLayout MUSL_LP64_AIOCB = new AiocbLayout(168, 0, 4, 8, 16, 24, 32, 128);
    // timespec, sem_t, sigset_t, struct aioinit, struct iovec
    private static final int[] GLIBC_SIZES = {16, 32, 128, 32, 16};
    // musl: sem_t is int[4*sizeof(long)/sizeof(int)] = 32 bytes, sigset_t 128 bytes; no struct aioinit.
    private static final int[] MUSL_SIZES = {16, 32, 128, 0, 16};

    /** Linux x86_64, glibc. O_DIRECT 040000 ({@code <bits/fcntl-linux.h>}). */
    static final AioAbi LINUX_GLIBC_X86_64 =
            new AioAbi("linux-glibc-x86_64", GLIBC_LP64_AIOCB, LINUX_SIGEVENT, GLIBC_SIZES, linux(040000));

    /** Linux aarch64, glibc. O_DIRECT 0200000 ({@code sysdeps/unix/sysv/linux/aarch64/bits/fcntl.h}). */
    static final AioAbi LINUX_GLIBC_AARCH64 =
            new AioAbi("linux-glibc-aarch64", GLIBC_LP64_AIOCB, LINUX_SIGEVENT, GLIBC_SIZES, linux(0200000));

    /** Linux x86_64, musl ({@code arch/x86_64/bits/fcntl.h}: O_DIRECT 040000). */
    static final AioAbi LINUX_MUSL_X86_64 =
            new AioAbi("linux-musl-x86_64", MUSL_LP64_AIOCB, LINUX_SIGEVENT, MUSL_SIZES, linux(040000));

    /** Linux aarch64, musl ({@code arch/aarch64/bits/fcntl.h}: O_DIRECT 0200000). */
    static final AioAbi LINUX_MUSL_AARCH64 =
            new AioAbi("linux-musl-aarch64", MUSL_LP64_AIOCB, LINUX_SIGEVENT, MUSL_SIZES, linux(0200000));

    /**
     * FreeBSD 13/14 amd64: {@code sys/sys/aio.h}, {@code sys/sys/signal.h}, {@code sys/sys/fcntl.h}.
     *
     * <pre>{@code
     * struct aiocb { int aio_fildes; off_t aio_offset; volatile void *aio_buf; size_t aio_nbytes;
     *                int __spare__[2]; void *__spare2__; int aio_lio_opcode; int aio_reqprio;
     *                struct __aiocb_private _aiocb_private; struct sigevent aio_sigevent; };   // 160 bytes
     * struct sigevent { int sigev_notify; int sigev_signo; union sigval sigev_value;
     *                   union { ...; unsigned short _kevent_flags; long __spare__[8]; } _sigev_un; };  // 80
     * #define sigev_notify_kqueue sigev_signo
     * }</pre>
     */
    static final AioAbi FREEBSD_AMD64 = new AioAbi(
            "freebsd-amd64",
            new AiocbLayout(160, 0, 48, 52, 16, 24, 80, 8),
            new SigeventLayout(80, 8, 4, 0, 16, 24, 4, 16),
            new int[] {16, 16, 16, 0, 16},
            map(
                    "SIGEV_NONE",
                    0,
                    "SIGEV_SIGNAL",
                    1,
                    "SIGEV_THREAD",
                    2,
                    "SIGEV_KEVENT",
                    3,
                    "LIO_NOP",
                    0,
                    "LIO_WRITE",
                    1,
                    "LIO_READ",
                    2,
                    "LIO_WRITEV",
                    5,
                    "LIO_READV",
                    6,
                    "LIO_NOWAIT",
                    0,
                    "LIO_WAIT",
                    1,
                    "AIO_CANCELED",
                    1,
                    "AIO_NOTCANCELED",
                    2,
                    "AIO_ALLDONE",
                    3,
                    "O_RDONLY",
                    0,
                    "O_WRONLY",
                    1,
                    "O_RDWR",
                    2,
                    "O_NONBLOCK",
                    0x4,
                    "O_APPEND",
                    0x8,
                    "O_SYNC",
                    0x80,
                    "O_CREAT",
                    0x200,
                    "O_TRUNC",
                    0x400,
                    "O_EXCL",
                    0x800,
                    "O_DIRECT",
                    0x10000,
                    "O_CLOEXEC",
                    0x100000,
                    "O_DSYNC",
                    0x1000000,
                    "SIGUSR1",
                    30,
                    "SIGUSR2",
                    31));

    /**
     * macOS ({@code sys/aio.h}, {@code sys/signal.h}, {@code sys/fcntl.h} of the macOS SDK; same on x86_64 and
     * arm64). No O_DIRECT (Darwin uses {@code F_NOCACHE}), no SIGEV_KEVENT.
     *
     * <pre>{@code
     * struct aiocb { int aio_fildes; off_t aio_offset; volatile void *aio_buf; size_t aio_nbytes;
     *                int aio_reqprio; struct sigevent aio_sigevent; int aio_lio_opcode; };   // 80 bytes
     * struct sigevent { int sigev_notify; int sigev_signo; union sigval sigev_value;
     *                   void (*sigev_notify_function)(union sigval); pthread_attr_t *sigev_notify_attributes; };
     * }</pre>
     */
    private static final Map<String, Integer> MACOS_CONSTANTS = map(
            "SIGEV_NONE",
            0,
            "SIGEV_SIGNAL",
            1,
            "SIGEV_THREAD",
            3,
            "LIO_NOP",
            0,
            "LIO_READ",
            1,
            "LIO_WRITE",
            2,
            "LIO_NOWAIT",
            1,
            "LIO_WAIT",
            2,
            "AIO_ALLDONE",
            1,
            "AIO_CANCELED",
            2,
            "AIO_NOTCANCELED",
            4,
            "O_RDONLY",
            0,
            "O_WRONLY",
            1,
            "O_RDWR",
            2,
            "O_NONBLOCK",
            0x4,
            "O_APPEND",
            0x8,
            "O_SYNC",
            0x80,
            "O_CREAT",
            0x200,
            "O_TRUNC",
            0x400,
            "O_EXCL",
            0x800,
            "O_DSYNC",
            0x400000,
            "O_CLOEXEC",
            0x1000000,
            "SIGUSR1",
            30,
            "SIGUSR2",
            31);

    private static final AiocbLayout MACOS_AIOCB = new AiocbLayout(80, 0, 72, 32, 16, 24, 40, 8);
    private static final SigeventLayout MACOS_SIGEVENT = new SigeventLayout(32, 8, 4, 0, 16, 24, -1, -1);

    /** macOS x86_64. */
    static final AioAbi MACOS_X86_64 =
            new AioAbi("macos-x86_64", MACOS_AIOCB, MACOS_SIGEVENT, new int[] {16, 4, 4, 0, 16}, MACOS_CONSTANTS);

    /** macOS arm64. */
    static final AioAbi MACOS_ARM64 =
            new AioAbi("macos-arm64", MACOS_AIOCB, MACOS_SIGEVENT, new int[] {16, 4, 4, 0, 16}, MACOS_CONSTANTS);

    /** Every table, for tests and {@code aio stat}. */
    static final AioAbi[] ALL = {
        LINUX_GLIBC_X86_64,
        LINUX_GLIBC_AARCH64,
        LINUX_MUSL_X86_64,
        LINUX_MUSL_AARCH64,
        FREEBSD_AMD64,
        MACOS_X86_64,
        MACOS_ARM64
    };
}

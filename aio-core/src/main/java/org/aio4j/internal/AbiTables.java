package org.aio4j.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import org.aio4j.internal.AioAbi.AiocbLayout;
import org.aio4j.internal.AioAbi.SigeventLayout;

/**
 * One {@link AioAbi} per supported platform, with every offset a named constant and every value's header cited.
 * {@code docs/platforms.md} repeats the tables.
 *
 * <p>Checked by machine: {@code AbiMatchesCTest} compiles {@code src/test/resources/abi/abi_probe.c} with the C
 * compiler of the machine the build runs on and compares every field, size, constant and errno with the table
 * {@link AioAbi#current()} picks (here: Linux glibc 2.36 x86_64, gcc 12). Where the tools are installed it also
 * checks the musl x86_64 table ({@code musl-gcc -static}, musl 1.2.3) and the glibc aarch64 table ({@code
 * aarch64-linux-gnu-gcc -static} run under {@code qemu-aarch64-static}; glibc 2.36): both passed on the project's
 * machine. The musl aarch64, FreeBSD and macOS tables were read from the headers cited below (repository and path;
 * the same paths exist in every recent release) and are not run here.
 *
 * <p>Repositories read: glibc = {@code bminor/glibc}; musl = {@code bminor/musl}; FreeBSD 14 = {@code
 * sobomax/freebsd14_vendor} (a vendor copy of {@code freebsd/freebsd-src}); macOS = {@code
 * apple-oss-distributions/xnu} and {@code apple/darwin-xnu} (the SDK's {@code /usr/include/sys} comes from xnu's
 * {@code bsd/sys}).
 */
final class AbiTables {
    private AbiTables() {}

    /** An ordered name-to-value map; the value of a constant the platform lacks is simply not put. */
    private static final class Constants {
        final Map<String, Integer> map = new LinkedHashMap<>();

        Constants put(String name, int value) {
            if (map.put(name, value) != null) throw new IllegalStateException("duplicate constant " + name);
            return this;
        }

        Constants putAll(Constants other) {
            other.map.forEach(this::put);
            return this;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Linux, glibc, LP64 (x86_64 and aarch64 share the layout)
    // ------------------------------------------------------------------------------------------------------------

    /**
     * glibc {@code struct aiocb} and {@code struct sigevent} on LP64 Linux (x86_64, aarch64).
     *
     * <p>From {@code bminor/glibc}: {@code rt/aio.h} (struct aiocb, struct aioinit), {@code
     * sysdeps/unix/sysv/linux/bits/types/sigevent_t.h} (struct sigevent, 64 bytes: {@code __SIGEV_MAX_SIZE}),
     * {@code sysdeps/nptl/bits/semaphore.h} ({@code __SIZEOF_SEM_T} 32 on 64-bit), {@code
     * sysdeps/unix/sysv/linux/bits/types/__sigset_t.h} (1024 bits). Checked by {@code AbiMatchesCTest} against gcc
     * 12 / glibc 2.36 on x86_64, and on aarch64 with the Debian cross compiler under qemu.
     *
     * <pre>{@code
     * struct aiocb {                          // 168 bytes
     *     int aio_fildes;                     //   0
     *     int aio_lio_opcode;                 //   4  (glibc writes it: LIO_READ/LIO_WRITE/LIO_SYNC...)
     *     int aio_reqprio;                    //   8  (glibc writes it for aio_fsync)
     *     volatile void *aio_buf;             //  16
     *     size_t aio_nbytes;                  //  24
     *     struct sigevent aio_sigevent;       //  32  (64 bytes)
     *     struct aiocb *__next_prio;          //  96  glibc private from here
     *     int __abs_prio;                     // 104
     *     int __policy;                       // 108
     *     int __error_code;                   // 112
     *     ssize_t __return_value;             // 120
     *     off_t aio_offset;                   // 128  (off64_t: LP64 has no __pad)
     *     char __glibc_reserved[32];          // 136
     * };
     * struct sigevent {                       // 64 bytes
     *     union sigval sigev_value;           //   0
     *     int sigev_signo;                    //   8
     *     int sigev_notify;                   //  12
     *     union {
     *         int _pad[12];
     *         pid_t _tid;                     //  16  (SIGEV_THREAD_ID)
     *         struct {
     *             void (*_function)(union sigval);   // 16  sigev_notify_function
     *             pthread_attr_t *_attribute;        // 24  sigev_notify_attributes
     *         } _sigev_thread;
     *     } _sigev_un;
     * };
     * struct aioinit { int aio_threads, aio_num, aio_locks, aio_usedba, aio_debug, aio_numusers,
     *                  aio_idle_time, aio_reserved; };            // 32 bytes, glibc only (_GNU_SOURCE)
     * }</pre>
     */
    static final class GlibcLp64 {
        private GlibcLp64() {}

        static final int AIOCB_SIZE = 168;
        static final int AIOCB_FILDES = 0;
        static final int AIOCB_LIO_OPCODE = 4;
        static final int AIOCB_REQPRIO = 8;
        static final int AIOCB_BUF = 16;
        static final int AIOCB_NBYTES = 24;
        static final int AIOCB_SIGEVENT = 32;
        static final int AIOCB_OFFSET = 128;

        static final int SIGEVENT_SIZE = 64;
        static final int SIGEVENT_VALUE = 0;
        static final int SIGEVENT_SIGNO = 8;
        static final int SIGEVENT_NOTIFY = 12;
        static final int SIGEVENT_NOTIFY_FUNCTION = 16;
        static final int SIGEVENT_NOTIFY_ATTRIBUTES = 24;

        static final int SIZEOF_TIMESPEC = 16;
        static final int SIZEOF_SEM_T = 32;
        static final int SIZEOF_SIGSET_T = 128;
        static final int SIZEOF_AIOINIT = 32;
        static final int SIZEOF_IOVEC = 16;

        static final AiocbLayout AIOCB = new AiocbLayout(
                AIOCB_SIZE,
                AIOCB_FILDES,
                AIOCB_LIO_OPCODE,
                AIOCB_REQPRIO,
                AIOCB_BUF,
                AIOCB_NBYTES,
                AIOCB_SIGEVENT,
                AIOCB_OFFSET);
        static final SigeventLayout SIGEVENT = new SigeventLayout(
                SIGEVENT_SIZE,
                SIGEVENT_VALUE,
                SIGEVENT_SIGNO,
                SIGEVENT_NOTIFY,
                SIGEVENT_NOTIFY_FUNCTION,
                SIGEVENT_NOTIFY_ATTRIBUTES,
                AioAbi.ABSENT,
                AioAbi.ABSENT);
        static final int[] SIZES = {SIZEOF_TIMESPEC, SIZEOF_SEM_T, SIZEOF_SIGSET_T, SIZEOF_AIOINIT, SIZEOF_IOVEC};
    }

    /**
     * Constants common to glibc and musl on x86_64 and aarch64 (the kernel's generic values).
     *
     * <ul>
     *   <li>SIGEV_*: glibc {@code sysdeps/unix/sysv/linux/bits/sigevent-consts.h}; musl {@code include/signal.h}.
     *   <li>LIO_*, AIO_*: glibc {@code rt/aio.h} (enums, each also {@code #define}d); musl {@code include/aio.h}.
     *   <li>O_* except O_DIRECT: glibc {@code sysdeps/unix/sysv/linux/bits/fcntl-linux.h}; musl {@code
     *       arch/x86_64/bits/fcntl.h}, {@code arch/aarch64/bits/fcntl.h}.
     *   <li>SIGUSR1/2: glibc {@code sysdeps/unix/sysv/linux/bits/signum-arch.h}; musl {@code
     *       arch/x86_64/bits/signal.h}, {@code arch/aarch64/bits/signal.h}.
     *   <li>RWF_NOWAIT: glibc {@code sysdeps/unix/sysv/linux/bits/uio-ext.h} (2.26+); musl {@code
     *       include/sys/uio.h} (releases after 1.2.3 only, with {@code preadv2}; the value is the kernel's, from
     *       {@code include/uapi/linux/fs.h}).
     * </ul>
     */
    private static Constants linuxCommon() {
        return new Constants()
                .put("SIGEV_SIGNAL", 0)
                .put("SIGEV_NONE", 1)
                .put("SIGEV_THREAD", 2)
                .put("LIO_READ", 0)
                .put("LIO_WRITE", 1)
                .put("LIO_NOP", 2)
                .put("LIO_WAIT", 0)
                .put("LIO_NOWAIT", 1)
                .put("AIO_CANCELED", 0)
                .put("AIO_NOTCANCELED", 1)
                .put("AIO_ALLDONE", 2)
                .put("O_RDONLY", 0)
                .put("O_WRONLY", 01)
                .put("O_RDWR", 02)
                .put("O_CREAT", 0100)
                .put("O_EXCL", 0200)
                .put("O_TRUNC", 01000)
                .put("O_APPEND", 02000)
                .put("O_NONBLOCK", 04000)
                .put("O_DSYNC", 010000)
                .put("O_SYNC", 04010000)
                .put("O_CLOEXEC", 02000000)
                .put("SIGUSR1", 10)
                .put("SIGUSR2", 12)
                .put("RWF_NOWAIT", 0x8);
    }

    /**
     * O_DIRECT on x86_64: 040000. glibc: the default {@code __O_DIRECT} of {@code
     * sysdeps/unix/sysv/linux/bits/fcntl-linux.h} ({@code sysdeps/unix/sysv/linux/x86/bits/fcntl.h} does not
     * override it); musl {@code arch/x86_64/bits/fcntl.h}.
     */
    static final int O_DIRECT_X86_64 = 040000;

    /**
     * O_DIRECT on aarch64: 0200000. glibc {@code sysdeps/unix/sysv/linux/aarch64/bits/fcntl.h} ({@code
     * __O_DIRECT}); musl {@code arch/aarch64/bits/fcntl.h}.
     */
    static final int O_DIRECT_AARCH64 = 0200000;

    private static Map<String, Integer> linux(int oDirect) {
        return linuxCommon().put("O_DIRECT", oDirect).map;
    }

    /**
     * glibc LP64: {@link #linux(int)} plus the glibc-private {@code offsetof(struct aiocb, __error_code)} (112) and
     * {@code offsetof(struct aiocb, __return_value)} (120), see {@link GlibcLp64}. Not an ABI promise of glibc (the
     * fields are private), hence the {@code GLIBC_} names; checked by {@code AbiMatchesCTest} with {@code offsetof}.
     */
    private static Map<String, Integer> linuxGlibc(int oDirect) {
        Map<String, Integer> m = new java.util.LinkedHashMap<>(linux(oDirect));
        m.put("GLIBC_AIOCB_ERROR_CODE_OFFSET", 112);
        m.put("GLIBC_AIOCB_RETURN_VALUE_OFFSET", 120);
        return m;
    }

    /** Linux x86_64, glibc: {@link GlibcLp64}, {@link #linuxCommon()}, {@link #O_DIRECT_X86_64}. Machine-checked. */
    static final AioAbi LINUX_GLIBC_X86_64 = new AioAbi(
            "linux-glibc-x86_64", GlibcLp64.AIOCB, GlibcLp64.SIGEVENT, GlibcLp64.SIZES, linuxGlibc(O_DIRECT_X86_64));

    /**
     * Linux aarch64, glibc: {@link GlibcLp64}, {@link #linuxCommon()}, {@link #O_DIRECT_AARCH64}. Machine-checked
     * where {@code aarch64-linux-gnu-gcc} and {@code qemu-aarch64-static} are installed.
     */
    static final AioAbi LINUX_GLIBC_AARCH64 = new AioAbi(
            "linux-glibc-aarch64", GlibcLp64.AIOCB, GlibcLp64.SIGEVENT, GlibcLp64.SIZES, linuxGlibc(O_DIRECT_AARCH64));

    // ------------------------------------------------------------------------------------------------------------
    // Linux, musl, LP64
    // ------------------------------------------------------------------------------------------------------------

    /**
     * musl {@code struct aiocb} and {@code struct sigevent} on LP64 Linux (x86_64, aarch64): the public fields sit
     * where glibc puts them, the private ones differ.
     *
     * <p>From {@code bminor/musl}: {@code include/aio.h}, {@code include/signal.h} (struct sigevent, padded to 64
     * bytes), {@code include/semaphore.h} ({@code int __val[4*sizeof(long)/sizeof(int)]}: 32 bytes), {@code
     * include/alltypes.h.in} ({@code sigset_t}: {@code unsigned long __bits[128/sizeof(long)]}: 128 bytes). musl
     * has no {@code struct aioinit} and no {@code aio_init} (size 0 here). The x86_64 table is checked with
     * musl-gcc (musl 1.2.3) by {@code AbiMatchesCTest} where musl-gcc is installed.
     *
     * <pre>{@code
     * struct aiocb {                          // 168 bytes
     *     int aio_fildes, aio_lio_opcode, aio_reqprio;   // 0, 4, 8
     *     volatile void *aio_buf;             //  16
     *     size_t aio_nbytes;                  //  24
     *     struct sigevent aio_sigevent;       //  32  (64 bytes)
     *     void *__td;                         //  96  musl private from here
     *     int __lock[2];                      // 104
     *     volatile int __err;                 // 112
     *     ssize_t __ret;                      // 120
     *     off_t aio_offset;                   // 128
     *     void *__next, *__prev;              // 136, 144
     *     char __dummy4[32-2*sizeof(void *)]; // 152
     * };
     * struct sigevent {                       // 64 bytes
     *     union sigval sigev_value;           //   0
     *     int sigev_signo;                    //   8
     *     int sigev_notify;                   //  12
     *     union {
     *         char __pad[64 - 2*sizeof(int) - sizeof(union sigval)];
     *         pid_t sigev_notify_thread_id;
     *         struct {
     *             void (*sigev_notify_function)(union sigval);   // 16
     *             pthread_attr_t *sigev_notify_attributes;       // 24
     *         } __sev_thread;
     *     } __sev_fields;
     * };
     * }</pre>
     */
    static final class MuslLp64 {
        private MuslLp64() {}

        static final int AIOCB_SIZE = 168;
        static final int AIOCB_FILDES = 0;
        static final int AIOCB_LIO_OPCODE = 4;
        static final int AIOCB_REQPRIO = 8;
        static final int AIOCB_BUF = 16;
        static final int AIOCB_NBYTES = 24;
        static final int AIOCB_SIGEVENT = 32;
        static final int AIOCB_OFFSET = 128;

        static final int SIGEVENT_SIZE = 64;
        static final int SIGEVENT_VALUE = 0;
        static final int SIGEVENT_SIGNO = 8;
        static final int SIGEVENT_NOTIFY = 12;
        static final int SIGEVENT_NOTIFY_FUNCTION = 16;
        static final int SIGEVENT_NOTIFY_ATTRIBUTES = 24;

        static final int SIZEOF_TIMESPEC = 16;
        static final int SIZEOF_SEM_T = 32;
        static final int SIZEOF_SIGSET_T = 128;
        static final int SIZEOF_AIOINIT = 0;
        static final int SIZEOF_IOVEC = 16;

        static final AiocbLayout AIOCB = new AiocbLayout(
                AIOCB_SIZE,
                AIOCB_FILDES,
                AIOCB_LIO_OPCODE,
                AIOCB_REQPRIO,
                AIOCB_BUF,
                AIOCB_NBYTES,
                AIOCB_SIGEVENT,
                AIOCB_OFFSET);
        static final SigeventLayout SIGEVENT = new SigeventLayout(
                SIGEVENT_SIZE,
                SIGEVENT_VALUE,
                SIGEVENT_SIGNO,
                SIGEVENT_NOTIFY,
                SIGEVENT_NOTIFY_FUNCTION,
                SIGEVENT_NOTIFY_ATTRIBUTES,
                AioAbi.ABSENT,
                AioAbi.ABSENT);
        static final int[] SIZES = {SIZEOF_TIMESPEC, SIZEOF_SEM_T, SIZEOF_SIGSET_T, SIZEOF_AIOINIT, SIZEOF_IOVEC};
    }

    /** Linux x86_64, musl: {@link MuslLp64}, {@link #linuxCommon()}, {@link #O_DIRECT_X86_64}. */
    static final AioAbi LINUX_MUSL_X86_64 =
            new AioAbi("linux-musl-x86_64", MuslLp64.AIOCB, MuslLp64.SIGEVENT, MuslLp64.SIZES, linux(O_DIRECT_X86_64));

    /** Linux aarch64, musl: {@link MuslLp64}, {@link #linuxCommon()}, {@link #O_DIRECT_AARCH64}. */
    static final AioAbi LINUX_MUSL_AARCH64 = new AioAbi(
            "linux-musl-aarch64", MuslLp64.AIOCB, MuslLp64.SIGEVENT, MuslLp64.SIZES, linux(O_DIRECT_AARCH64));

    // ------------------------------------------------------------------------------------------------------------
    // FreeBSD amd64
    // ------------------------------------------------------------------------------------------------------------

    /**
     * FreeBSD 13/14 amd64. The kernel implements AIO (no helper threads in libc); {@code aio_readv}/{@code
     * aio_writev} and {@code SIGEV_KEVENT} exist.
     *
     * <p>From {@code sobomax/freebsd14_vendor} (= {@code freebsd/freebsd-src}): {@code sys/sys/aio.h} (struct
     * aiocb; LIO_READV/LIO_WRITEV need {@code _WANT_ALL_LIO_OPCODES}), {@code sys/sys/signal.h} (struct sigevent,
     * SIGEV_*, SIGUSR1/2), {@code sys/sys/fcntl.h} (O_*), {@code include/semaphore.h} + {@code sys/sys/_umtx.h}
     * (sem_t: {@code _magic}, {@code struct _usem2 {_count, _flags}}, {@code _padding}: 16 bytes), {@code
     * sys/sys/_sigset.h} ({@code __uint32_t __bits[4]}: 16 bytes), {@code sys/sys/_iovec.h}. No struct aioinit.
     * Very old releases of {@code sys/sys/aio.h} (the 1997 version still stored as {@code freebsd/freebsd-src}
     * commit 5c5cd6c) put {@code aio_sigevent} right after {@code aio_nbytes}: this table is the current layout
     * with {@code __spare__}, as in FreeBSD 13 and 14.
     *
     * <pre>{@code
     * struct aiocb {                          // 160 bytes
     *     int aio_fildes;                     //   0
     *     off_t aio_offset;                   //   8
     *     volatile void *aio_buf;             //  16  (aio_iov for aio_readv)
     *     size_t aio_nbytes;                  //  24  (aio_iovcnt for aio_readv)
     *     int __spare__[2];                   //  32
     *     void *__spare2__;                   //  40
     *     int aio_lio_opcode;                 //  48
     *     int aio_reqprio;                    //  52
     *     struct __aiocb_private { long status; long error; void *kernelinfo; } _aiocb_private;   // 56
     *     struct sigevent aio_sigevent;       //  80  (80 bytes)
     * };
     * struct sigevent {                       // 80 bytes
     *     int sigev_notify;                   //   0
     *     int sigev_signo;                    //   4  (#define sigev_notify_kqueue sigev_signo)
     *     union sigval sigev_value;           //   8
     *     union {
     *         __lwpid_t _threadid;
     *         struct { void (*_function)(union sigval);       // 16 sigev_notify_function
     *                  struct pthread_attr **_attribute; } _sigev_thread;   // 24 sigev_notify_attributes
     *         unsigned short _kevent_flags;   //  16  sigev_notify_kevent_flags
     *         long __spare__[8];
     *     } _sigev_un;
     * };
     * }</pre>
     */
    static final class FreeBsdAmd64 {
        private FreeBsdAmd64() {}

        static final int AIOCB_SIZE = 160;
        static final int AIOCB_FILDES = 0;
        static final int AIOCB_OFFSET = 8;
        static final int AIOCB_BUF = 16;
        static final int AIOCB_NBYTES = 24;
        static final int AIOCB_LIO_OPCODE = 48;
        static final int AIOCB_REQPRIO = 52;
        static final int AIOCB_SIGEVENT = 80;

        static final int SIGEVENT_SIZE = 80;
        static final int SIGEVENT_NOTIFY = 0;
        static final int SIGEVENT_SIGNO = 4;
        static final int SIGEVENT_NOTIFY_KQUEUE = 4;
        static final int SIGEVENT_VALUE = 8;
        static final int SIGEVENT_NOTIFY_FUNCTION = 16;
        static final int SIGEVENT_NOTIFY_KEVENT_FLAGS = 16;
        static final int SIGEVENT_NOTIFY_ATTRIBUTES = 24;

        static final int SIZEOF_TIMESPEC = 16;
        static final int SIZEOF_SEM_T = 16;
        static final int SIZEOF_SIGSET_T = 16;
        static final int SIZEOF_AIOINIT = 0;
        static final int SIZEOF_IOVEC = 16;

        static final AiocbLayout AIOCB = new AiocbLayout(
                AIOCB_SIZE,
                AIOCB_FILDES,
                AIOCB_LIO_OPCODE,
                AIOCB_REQPRIO,
                AIOCB_BUF,
                AIOCB_NBYTES,
                AIOCB_SIGEVENT,
                AIOCB_OFFSET);
        static final SigeventLayout SIGEVENT = new SigeventLayout(
                SIGEVENT_SIZE,
                SIGEVENT_VALUE,
                SIGEVENT_SIGNO,
                SIGEVENT_NOTIFY,
                SIGEVENT_NOTIFY_FUNCTION,
                SIGEVENT_NOTIFY_ATTRIBUTES,
                SIGEVENT_NOTIFY_KQUEUE,
                SIGEVENT_NOTIFY_KEVENT_FLAGS);
        static final int[] SIZES = {SIZEOF_TIMESPEC, SIZEOF_SEM_T, SIZEOF_SIGSET_T, SIZEOF_AIOINIT, SIZEOF_IOVEC};

        /**
         * {@code sys/sys/aio.h} (AIO_*, LIO_*; LIO_WRITEV = LIO_WRITE|LIO_VECTORED = 5, LIO_READV =
         * LIO_READ|LIO_VECTORED = 6), {@code sys/sys/signal.h} (SIGEV_*, SIGUSR1/2), {@code sys/sys/fcntl.h}
         * (O_*). No RWF_NOWAIT (no preadv2).
         */
        static final Map<String, Integer> CONSTANTS = new Constants()
                .put("SIGEV_NONE", 0)
                .put("SIGEV_SIGNAL", 1)
                .put("SIGEV_THREAD", 2)
                .put("SIGEV_KEVENT", 3)
                .put("LIO_NOP", 0)
                .put("LIO_WRITE", 1)
                .put("LIO_READ", 2)
                .put("LIO_WRITEV", 5)
                .put("LIO_READV", 6)
                .put("LIO_NOWAIT", 0)
                .put("LIO_WAIT", 1)
                .put("AIO_CANCELED", 1)
                .put("AIO_NOTCANCELED", 2)
                .put("AIO_ALLDONE", 3)
                .put("O_RDONLY", 0)
                .put("O_WRONLY", 0x1)
                .put("O_RDWR", 0x2)
                .put("O_NONBLOCK", 0x4)
                .put("O_APPEND", 0x8)
                .put("O_SYNC", 0x80)
                .put("O_CREAT", 0x200)
                .put("O_TRUNC", 0x400)
                .put("O_EXCL", 0x800)
                .put("O_DIRECT", 0x10000)
                .put("O_CLOEXEC", 0x100000)
                .put("O_DSYNC", 0x1000000)
                .put("SIGUSR1", 30)
                .put("SIGUSR2", 31)
                .map;
    }

    /** FreeBSD amd64: {@link FreeBsdAmd64}. */
    static final AioAbi FREEBSD_AMD64 = new AioAbi(
            "freebsd-amd64", FreeBsdAmd64.AIOCB, FreeBsdAmd64.SIGEVENT, FreeBsdAmd64.SIZES, FreeBsdAmd64.CONSTANTS);

    // ------------------------------------------------------------------------------------------------------------
    // macOS (Darwin), 64-bit: x86_64 and arm64 share the layout
    // ------------------------------------------------------------------------------------------------------------

    /**
     * macOS x86_64 and arm64 (both LP64, natural alignment). Darwin's libc implements AIO in the kernel; no
     * O_DIRECT (Darwin uses {@code fcntl(F_NOCACHE)}), no SIGEV_KEVENT, no aio_readv, no preadv2, no struct
     * aioinit; {@code aio_fsync} accepts only O_SYNC ({@code sys/aio.h}: "O_DSYNC - NOT SUPPORTED"); SIGEV_THREAD
     * is marked {@code [NOTIMP]} in {@code sys/signal.h}.
     *
     * <p>From {@code apple/darwin-xnu} and {@code apple-oss-distributions/xnu}: {@code bsd/sys/aio.h} (struct aiocb,
     * AIO_*, LIO_*), {@code bsd/sys/signal.h} (struct sigevent, SIGEV_*, SIGUSR1/2), {@code bsd/sys/fcntl.h} with
     * {@code bsd/sys/_types/_o_sync.h} and {@code _o_dsync.h} (O_*), {@code bsd/sys/semaphore.h} ({@code typedef
     * int sem_t}), {@code bsd/sys/_types.h} ({@code __darwin_sigset_t} is {@code __uint32_t}).
     *
     * <pre>{@code
     * struct aiocb {                          // 80 bytes
     *     int aio_fildes;                     //   0
     *     off_t aio_offset;                   //   8
     *     volatile void *aio_buf;             //  16
     *     size_t aio_nbytes;                  //  24
     *     int aio_reqprio;                    //  32
     *     struct sigevent aio_sigevent;       //  40  (32 bytes)
     *     int aio_lio_opcode;                 //  72
     * };
     * struct sigevent {                       // 32 bytes
     *     int sigev_notify;                   //   0
     *     int sigev_signo;                    //   4
     *     union sigval sigev_value;           //   8
     *     void (*sigev_notify_function)(union sigval);   // 16
     *     pthread_attr_t *sigev_notify_attributes;       // 24
     * };
     * }</pre>
     */
    static final class Darwin64 {
        private Darwin64() {}

        static final int AIOCB_SIZE = 80;
        static final int AIOCB_FILDES = 0;
        static final int AIOCB_OFFSET = 8;
        static final int AIOCB_BUF = 16;
        static final int AIOCB_NBYTES = 24;
        static final int AIOCB_REQPRIO = 32;
        static final int AIOCB_SIGEVENT = 40;
        static final int AIOCB_LIO_OPCODE = 72;

        static final int SIGEVENT_SIZE = 32;
        static final int SIGEVENT_NOTIFY = 0;
        static final int SIGEVENT_SIGNO = 4;
        static final int SIGEVENT_VALUE = 8;
        static final int SIGEVENT_NOTIFY_FUNCTION = 16;
        static final int SIGEVENT_NOTIFY_ATTRIBUTES = 24;

        static final int SIZEOF_TIMESPEC = 16;
        static final int SIZEOF_SEM_T = 4;
        static final int SIZEOF_SIGSET_T = 4;
        static final int SIZEOF_AIOINIT = 0;
        static final int SIZEOF_IOVEC = 16;

        static final AiocbLayout AIOCB = new AiocbLayout(
                AIOCB_SIZE,
                AIOCB_FILDES,
                AIOCB_LIO_OPCODE,
                AIOCB_REQPRIO,
                AIOCB_BUF,
                AIOCB_NBYTES,
                AIOCB_SIGEVENT,
                AIOCB_OFFSET);
        static final SigeventLayout SIGEVENT = new SigeventLayout(
                SIGEVENT_SIZE,
                SIGEVENT_VALUE,
                SIGEVENT_SIGNO,
                SIGEVENT_NOTIFY,
                SIGEVENT_NOTIFY_FUNCTION,
                SIGEVENT_NOTIFY_ATTRIBUTES,
                AioAbi.ABSENT,
                AioAbi.ABSENT);
        static final int[] SIZES = {SIZEOF_TIMESPEC, SIZEOF_SEM_T, SIZEOF_SIGSET_T, SIZEOF_AIOINIT, SIZEOF_IOVEC};

        /** {@code bsd/sys/aio.h}, {@code bsd/sys/signal.h}, {@code bsd/sys/fcntl.h} (see {@link Darwin64}). */
        static final Map<String, Integer> CONSTANTS = new Constants()
                .put("SIGEV_NONE", 0)
                .put("SIGEV_SIGNAL", 1)
                .put("SIGEV_THREAD", 3)
                .put("LIO_NOP", 0)
                .put("LIO_READ", 1)
                .put("LIO_WRITE", 2)
                .put("LIO_NOWAIT", 1)
                .put("LIO_WAIT", 2)
                .put("AIO_ALLDONE", 1)
                .put("AIO_CANCELED", 2)
                .put("AIO_NOTCANCELED", 4)
                .put("O_RDONLY", 0)
                .put("O_WRONLY", 0x1)
                .put("O_RDWR", 0x2)
                .put("O_NONBLOCK", 0x4)
                .put("O_APPEND", 0x8)
                .put("O_SYNC", 0x80)
                .put("O_CREAT", 0x200)
                .put("O_TRUNC", 0x400)
                .put("O_EXCL", 0x800)
                .put("O_DSYNC", 0x400000)
                .put("O_CLOEXEC", 0x1000000)
                .put("SIGUSR1", 30)
                .put("SIGUSR2", 31)
                .map;
    }

    /** macOS x86_64: {@link Darwin64}. */
    static final AioAbi MACOS_X86_64 =
            new AioAbi("macos-x86_64", Darwin64.AIOCB, Darwin64.SIGEVENT, Darwin64.SIZES, Darwin64.CONSTANTS);

    /** macOS arm64 (Apple silicon): {@link Darwin64}. */
    static final AioAbi MACOS_ARM64 =
            new AioAbi("macos-arm64", Darwin64.AIOCB, Darwin64.SIGEVENT, Darwin64.SIZES, Darwin64.CONSTANTS);

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

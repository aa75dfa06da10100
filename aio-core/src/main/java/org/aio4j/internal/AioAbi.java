package org.aio4j.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The binary interface of POSIX AIO on one platform: where the fields of {@code struct aiocb} and {@code struct
 * sigevent} live, and the value of every constant aio4j uses. One instance per platform; {@link #current()} picks
 * the one for this process in one place.
 *
 * <p>The Linux x86_64 glibc table is checked against the C compiler by {@code AbiMatchesCTest}. The others were
 * taken from the headers cited on each constant and are documented in {@code docs/platforms.md}.
 *
 * <p>glibc, 64-bit (x86_64 and aarch64), {@code <aio.h>} and {@code <bits/types/sigevent_t.h>}:
 *
 * <pre>{@code
 * struct aiocb {                          // 168 bytes
 *     int aio_fildes;                     //   0
 *     int aio_lio_opcode;                 //   4
 *     int aio_reqprio;                    //   8
 *     volatile void *aio_buf;             //  16
 *     size_t aio_nbytes;                  //  24
 *     struct sigevent aio_sigevent;       //  32 (64 bytes)
 *     struct aiocb *__next_prio;          //  96 (glibc private from here)
 *     int __abs_prio, __policy, __error_code;
 *     ssize_t __return_value;
 *     off_t aio_offset;                   // 128
 *     char __glibc_reserved[32];
 * };
 * struct sigevent {                       // 64 bytes
 *     union sigval sigev_value;           //   0
 *     int sigev_signo;                    //   8
 *     int sigev_notify;                   //  12
 *     void (*sigev_notify_function)(union sigval);   // 16
 *     pthread_attr_t *sigev_notify_attributes;       // 24
 * };
 * }</pre>
 */
public final class AioAbi {
    /** Field offsets of {@code struct aiocb}, in bytes. */
    public record AiocbLayout(
            int size, int fildes, int lioOpcode, int reqprio, int buf, int nbytes, int sigevent, int offset) {}

    /**
     * Field offsets of {@code struct sigevent}, in bytes; {@code notifyKqueue} and {@code keventFlags} are -1 where
     * the OS has no {@code SIGEV_KEVENT}.
     */
    public record SigeventLayout(
            int size,
            int value,
            int signo,
            int notifyField,
            int notifyFunction,
            int notifyAttributes,
            int notifyKqueue,
            int keventFlags) {}

    /** A short name such as {@code linux-glibc-x86_64}. */
    public final String name;

    public final AiocbLayout aiocb;
    public final SigeventLayout sigevent;
    /** Sizes of other C types the core allocates: timespec, sem_t, sigset_t, struct aioinit, struct iovec. */
    public final int sizeofTimespec, sizeofSemT, sizeofSigset, sizeofAioinit, sizeofIovec;

    private final Map<String, Integer> constants;

    // Derived from the constants table, for the hot path.
    public final int SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD, SIGEV_KEVENT;
    public final int LIO_READ, LIO_WRITE, LIO_NOP, LIO_READV, LIO_WRITEV, LIO_WAIT, LIO_NOWAIT;
    public final int AIO_CANCELED, AIO_NOTCANCELED, AIO_ALLDONE;
    public final int O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND, O_EXCL, O_CLOEXEC, O_NONBLOCK;
    public final int O_SYNC, O_DSYNC, O_DIRECT;
    public final int SIGUSR1, SIGUSR2;
    /** {@code RWF_NOWAIT} for {@code preadv2}, or -1 where the OS has no {@code preadv2}. */
    public final int RWF_NOWAIT;

    /** Value meaning "this platform has no such constant". */
    public static final int ABSENT = -1;

    AioAbi(String name, AiocbLayout aiocb, SigeventLayout sigevent, int[] otherSizes, Map<String, Integer> constants) {
        this.name = name;
        this.aiocb = aiocb;
        this.sigevent = sigevent;
        this.sizeofTimespec = otherSizes[0];
        this.sizeofSemT = otherSizes[1];
        this.sizeofSigset = otherSizes[2];
        this.sizeofAioinit = otherSizes[3];
        this.sizeofIovec = otherSizes[4];
        this.constants = Collections.unmodifiableMap(new LinkedHashMap<>(constants));
        SIGEV_NONE = c("SIGEV_NONE");
        SIGEV_SIGNAL = c("SIGEV_SIGNAL");
        SIGEV_THREAD = c("SIGEV_THREAD");
        SIGEV_KEVENT = c("SIGEV_KEVENT");
        LIO_READ = c("LIO_READ");
        LIO_WRITE = c("LIO_WRITE");
        LIO_NOP = c("LIO_NOP");
        LIO_READV = c("LIO_READV");
        LIO_WRITEV = c("LIO_WRITEV");
        LIO_WAIT = c("LIO_WAIT");
        LIO_NOWAIT = c("LIO_NOWAIT");
        AIO_CANCELED = c("AIO_CANCELED");
        AIO_NOTCANCELED = c("AIO_NOTCANCELED");
        AIO_ALLDONE = c("AIO_ALLDONE");
        O_RDONLY = c("O_RDONLY");
        O_WRONLY = c("O_WRONLY");
        O_RDWR = c("O_RDWR");
        O_CREAT = c("O_CREAT");
        O_TRUNC = c("O_TRUNC");
        O_APPEND = c("O_APPEND");
        O_EXCL = c("O_EXCL");
        O_CLOEXEC = c("O_CLOEXEC");
        O_NONBLOCK = c("O_NONBLOCK");
        O_SYNC = c("O_SYNC");
        O_DSYNC = c("O_DSYNC");
        O_DIRECT = c("O_DIRECT");
        SIGUSR1 = c("SIGUSR1");
        SIGUSR2 = c("SIGUSR2");
        RWF_NOWAIT = c("RWF_NOWAIT");
    }

    private int c(String key) {
        return constants.getOrDefault(key, ABSENT);
    }

    /** Every constant of this platform by its C name; absent ones are missing from the map. */
    public Map<String, Integer> constants() {
        return constants;
    }

    /** True where the OS has the named constant. */
    public boolean has(String key) {
        return constants.containsKey(key);
    }

    @Override
    public String toString() {
        return name;
    }

    private static volatile AioAbi current;

    /**
     * The table for this process, chosen from {@code os.name} and {@code os.arch}, and for Linux from the C
     * library in use.
     *
     * @throws UnsupportedOperationException naming the platform where aio4j has no table
     */
    public static AioAbi current() {
        AioAbi abi = current;
        if (abi == null) {
            abi = current =
                    select(System.getProperty("os.name", ""), System.getProperty("os.arch", ""), LinuxLibc.detect());
        }
        return abi;
    }

    /** Which C library a Linux process runs on. */
    public enum LinuxLibc {
        GLIBC,
        MUSL;

        static LinuxLibc detect() {
            // musl's dynamic loader lives at /lib/ld-musl-*; glibc never installs one.
            try (var s = java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/lib"), "ld-musl-*")) {
                return s.iterator().hasNext() ? MUSL : GLIBC;
            } catch (java.io.IOException | RuntimeException e) {
                return GLIBC;
            }
        }
    }

    static AioAbi select(String osName, String osArch, LinuxLibc libc) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
        boolean a64 = arch.equals("aarch64") || arch.equals("arm64");
        if (os.startsWith("linux")) {
            if (x64) return libc == LinuxLibc.MUSL ? AbiTables.LINUX_MUSL_X86_64 : AbiTables.LINUX_GLIBC_X86_64;
            if (a64) return libc == LinuxLibc.MUSL ? AbiTables.LINUX_MUSL_AARCH64 : AbiTables.LINUX_GLIBC_AARCH64;
        } else if (os.startsWith("freebsd") && x64) {
            return AbiTables.FREEBSD_AMD64;
        } else if (os.startsWith("mac") || os.startsWith("darwin")) {
            if (x64) return AbiTables.MACOS_X86_64;
            if (a64) return AbiTables.MACOS_ARM64;
        }
        throw new UnsupportedOperationException("aio4j has no struct aiocb table for " + osName + "/" + osArch);
    }
}

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
 * <p>The tables live in {@link AbiTables}, one per platform, each with its C structs in the Javadoc, its offsets as
 * named constants and the header (repository and path) every value was read from. The table of the machine the build
 * runs on is compared with the C compiler by {@code AbiMatchesCTest} (here Linux glibc x86_64; also musl x86_64 and,
 * with a cross compiler and qemu, glibc aarch64 where those tools are installed); {@code docs/platforms.md} lists
 * all of them.
 *
 * <p>Supported: Linux glibc and musl on x86_64 and aarch64, FreeBSD amd64, macOS x86_64 and arm64. Anything else
 * makes {@link #current()} throw, and {@code NativeLib.isAvailable()} false.
 *
 * <pre>{@code
 * AioAbi abi = AioAbi.current();
 * NativeMemory.putInt(cb + abi.aiocb.fildes(), fd);
 * NativeMemory.putInt(cb + abi.aiocb.sigevent() + abi.sigevent.notifyField(), abi.SIGEV_NONE);
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

    /** Where the fields of {@code struct aiocb} are. */
    public final AiocbLayout aiocb;

    /** Where the fields of {@code struct sigevent} are (also inside the aiocb, at {@code aiocb.sigevent()}). */
    public final SigeventLayout sigevent;
    /**
     * Sizes of other C types the core allocates: timespec, sem_t, sigset_t, struct aioinit (0 where the C library
     * has none: everywhere but glibc), struct iovec.
     */
    public final int sizeofTimespec, sizeofSemT, sizeofSigset, sizeofAioinit, sizeofIovec;

    private final Map<String, Integer> constants;

    /** {@code sigev_notify} values; {@code SIGEV_KEVENT} is {@link #ABSENT} except on FreeBSD. */
    public final int SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD, SIGEV_KEVENT;
    /**
     * {@code aio_lio_opcode} values and {@code lio_listio} modes; {@code LIO_READV}/{@code LIO_WRITEV} are
     * {@link #ABSENT} except on FreeBSD.
     */
    public final int LIO_READ, LIO_WRITE, LIO_NOP, LIO_READV, LIO_WRITEV, LIO_WAIT, LIO_NOWAIT;

    /** {@code aio_cancel} results. */
    public final int AIO_CANCELED, AIO_NOTCANCELED, AIO_ALLDONE;

    /** {@code open} flags. */
    public final int O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND, O_EXCL, O_CLOEXEC, O_NONBLOCK;

    /**
     * {@code O_SYNC}/{@code O_DSYNC} (open flags and {@code aio_fsync} operations) and {@code O_DIRECT}
     * ({@link #ABSENT} on macOS).
     */
    public final int O_SYNC, O_DSYNC, O_DIRECT;

    /** The two signals the JVM lets an application handle ({@code sun.misc.Signal} "USR1"/"USR2"). */
    public final int SIGUSR1, SIGUSR2;
    /**
     * {@code RWF_NOWAIT} for {@code preadv2}, or -1 where the OS has no {@code preadv2} (FreeBSD, macOS). On Linux it
     * is the kernel's value, but the C library may still lack the {@code preadv2} symbol (musl 1.2.3 has neither):
     * a caller must be ready for {@code UnsatisfiedLinkError} from {@code LibCGnu.preadv2}.
     */
    public final int RWF_NOWAIT;
    /**
     * glibc-private offsets in {@code struct aiocb}: {@code __error_code} and {@code __return_value} ({@link
     * #ABSENT} on every other C library). glibc sets {@code __error_code} to {@code EINPROGRESS} exactly when it
     * queues a request ({@code __aio_enqueue_request}); the engine's {@code lio_listio} batch uses that to learn
     * which entries a failed call queued. Private to glibc, so only machine-checked tables have them.
     */
    public final int GLIBC_AIOCB_ERROR_CODE_OFFSET, GLIBC_AIOCB_RETURN_VALUE_OFFSET;

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
        GLIBC_AIOCB_ERROR_CODE_OFFSET = c("GLIBC_AIOCB_ERROR_CODE_OFFSET");
        GLIBC_AIOCB_RETURN_VALUE_OFFSET = c("GLIBC_AIOCB_RETURN_VALUE_OFFSET");
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

        /**
         * The C library mapped into this process. What is installed says nothing: Debian's {@code musl-tools}
         * installs {@code /lib/ld-musl-x86_64.so.1} next to glibc, while the JVM still runs on glibc.
         */
        static LinuxLibc detect() {
            try {
                return fromMaps(java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps")));
            } catch (java.io.IOException | RuntimeException e) {
                return GLIBC;
            }
        }

        /**
         * Reads {@code /proc/self/maps} lines: musl's loader ({@code ld-musl-<arch>.so.1}, Alpine's {@code
         * libc.musl-<arch>.so.1}) mapped means musl; otherwise glibc.
         */
        static LinuxLibc fromMaps(java.util.List<String> mapsLines) {
            for (String line : mapsLines) {
                int slash = line.lastIndexOf('/');
                if (slash < 0) continue;
                String file = line.substring(slash + 1);
                if (file.startsWith("ld-musl-") || file.startsWith("libc.musl-")) return MUSL;
            }
            return GLIBC;
        }
    }

    /**
     * The table for a platform: {@code osName}/{@code osArch} as in the {@code os.name}/{@code os.arch} system
     * properties ({@code amd64}/{@code x86_64}, {@code aarch64}/{@code arm64}), {@code libc} only used on Linux.
     *
     * @throws UnsupportedOperationException naming the platform where aio4j has no table
     */
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
        throw new UnsupportedOperationException("aio4j has no struct aiocb table for os.name=" + osName
                + ", os.arch=" + osArch
                + " (supported: Linux glibc/musl x86_64 and aarch64, FreeBSD amd64, macOS x86_64 and arm64)");
    }
}

package org.aio4j.internal;

import java.util.Locale;

/**
 * errno values aio4j names, per OS family. {@link #name(int)} turns a number of this process's OS into its name.
 *
 * <p>Sources: Linux (the same for glibc and musl, x86_64 and aarch64): {@code torvalds/linux}
 * {@code include/uapi/asm-generic/errno-base.h} (1-34) and {@code include/uapi/asm-generic/errno.h} (35 and up),
 * which glibc's {@code sysdeps/unix/sysv/linux/bits/errno.h} and musl's {@code arch/generic/bits/errno.h} repeat;
 * machine-checked by {@code AbiMatchesCTest}. FreeBSD: {@code sys/sys/errno.h} ({@code sobomax/freebsd14_vendor}, a
 * copy of {@code freebsd/freebsd-src}): EAGAIN 35, ECANCELED 85. macOS: {@code bsd/sys/errno.h} of {@code
 * apple-oss-distributions/xnu}: EAGAIN 35, ECANCELED 89 (and a distinct EOPNOTSUPP 102, not listed here).
 *
 * <pre>{@code
 * int err = libc.aio_error(cb);
 * if (err == Errno.EINPROGRESS.value()) { ... }
 * String name = Errno.name(err);   // "ECANCELED", or "errno 321" for a number aio4j has no name for
 * }</pre>
 */
public enum Errno {
    EPERM(1, 1, 1),
    ENOENT(2, 2, 2),
    ESRCH(3, 3, 3),
    EINTR(4, 4, 4),
    EIO(5, 5, 5),
    ENXIO(6, 6, 6),
    E2BIG(7, 7, 7),
    EBADF(9, 9, 9),
    EAGAIN(11, 35, 35),
    ENOMEM(12, 12, 12),
    EACCES(13, 13, 13),
    EFAULT(14, 14, 14),
    EBUSY(16, 16, 16),
    EEXIST(17, 17, 17),
    EXDEV(18, 18, 18),
    ENODEV(19, 19, 19),
    ENOTDIR(20, 20, 20),
    EISDIR(21, 21, 21),
    EINVAL(22, 22, 22),
    ENFILE(23, 23, 23),
    EMFILE(24, 24, 24),
    ETXTBSY(26, 26, 26),
    EFBIG(27, 27, 27),
    ENOSPC(28, 28, 28),
    ESPIPE(29, 29, 29),
    EROFS(30, 30, 30),
    EPIPE(32, 32, 32),
    ENAMETOOLONG(36, 63, 63),
    ENOTEMPTY(39, 66, 66),
    ENOSYS(38, 78, 78),
    ELOOP(40, 62, 62),
    EOVERFLOW(75, 84, 84),
    ENOTSUP(95, 45, 45),
    ETIMEDOUT(110, 60, 60),
    EINPROGRESS(115, 36, 36),
    EDQUOT(122, 69, 69),
    ECANCELED(125, 85, 89);

    private final int linux;
    private final int freebsd;
    private final int macos;

    Errno(int linux, int freebsd, int macos) {
        this.linux = linux;
        this.freebsd = freebsd;
        this.macos = macos;
    }

    /** The value on Linux. */
    public int linux() {
        return linux;
    }

    /** The value on FreeBSD. */
    public int freebsd() {
        return freebsd;
    }

    /** The value on macOS. */
    public int macos() {
        return macos;
    }

    /** OS families, as {@link #family(String)} returns them. */
    static final int LINUX = 0, FREEBSD = 1, MACOS = 2;

    private static final int FAMILY = family(System.getProperty("os.name", ""));
    private static final Errno[][] BY_VALUE = new Errno[3][256];

    static {
        for (int family = LINUX; family <= MACOS; family++) {
            for (Errno e : values()) {
                int v = e.valueFor(family);
                if (BY_VALUE[family][v] == null) BY_VALUE[family][v] = e;
            }
        }
    }

    /** The OS family of an {@code os.name}: FreeBSD, macOS, else Linux (musl and glibc share the values). */
    static int family(String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("freebsd")) return FREEBSD;
        if (os.startsWith("mac") || os.startsWith("darwin")) return MACOS;
        return LINUX;
    }

    /** This errno's value in an OS family. */
    int valueFor(int family) {
        return family == FREEBSD ? freebsd : family == MACOS ? macos : linux;
    }

    /** The constant for an errno value of an OS family, or null. */
    static Errno of(int family, int value) {
        return value > 0 && value < 256 ? BY_VALUE[family][value] : null;
    }

    /** This errno's value on the OS this process runs on. */
    public int value() {
        return valueFor(FAMILY);
    }

    /** The constant for an errno of this OS, or null when aio4j has no name for it. */
    public static Errno of(int value) {
        return of(FAMILY, value);
    }

    /** The C name of an errno of this OS, such as {@code "EAGAIN"}, or {@code "errno 321"}. */
    public static String name(int value) {
        Errno e = of(value);
        return e != null ? e.name() : "errno " + value;
    }
}

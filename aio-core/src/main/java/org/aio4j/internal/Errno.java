package org.aio4j.internal;

import java.util.Locale;

/**
 * errno values aio4j names, per OS family. Linux values are the same for glibc and musl on x86_64 and aarch64
 * ({@code <asm-generic/errno-base.h>}, {@code <asm-generic/errno.h>}); FreeBSD from {@code sys/sys/errno.h};
 * macOS from the SDK's {@code sys/errno.h}. {@link #name(int)} turns a number of this process's OS into its name.
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

    private static final int FAMILY = family(System.getProperty("os.name", ""));
    private static final Errno[] BY_VALUE = new Errno[256];

    static {
        for (Errno e : values()) {
            int v = e.valueFor(FAMILY);
            if (BY_VALUE[v] == null) BY_VALUE[v] = e; // EAGAIN before EWOULDBLOCK aliases, ENOTSUP = EOPNOTSUPP
        }
    }

    private static int family(String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("freebsd")) return 1;
        if (os.startsWith("mac") || os.startsWith("darwin")) return 2;
        return 0;
    }

    private int valueFor(int family) {
        return family == 1 ? freebsd : family == 2 ? macos : linux;
    }

    /** This errno's value on the OS this process runs on. */
    public int value() {
        return valueFor(FAMILY);
    }

    /** The constant for an errno of this OS, or null when aio4j has no name for it. */
    public static Errno of(int value) {
        return value > 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }

    /** The C name of an errno of this OS, such as {@code "EAGAIN"}, or {@code "errno 321"}. */
    public static String name(int value) {
        Errno e = of(value);
        return e != null ? e.name() : "errno " + value;
    }
}

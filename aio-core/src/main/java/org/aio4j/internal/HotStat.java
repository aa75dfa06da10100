package org.aio4j.internal;

import com.kenai.jffi.MemoryIO;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The metadata of a file whose path is already in the kernel's lookup cache, asked without any call that can wait
 * for a disk or a network: safe on an event loop. Linux 6.5+ on x86_64 and aarch64; elsewhere {@link #stat} answers
 * {@code null} (the caller then takes its blocking path on another thread).
 *
 * <p>Four system calls, none of which waits for I/O:
 *
 * <ol>
 *   <li>{@code openat2(AT_FDCWD, path, {O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0, RESOLVE_CACHED |
 *       RESOLVE_NO_SYMLINKS})} (Linux 5.12+): fails with {@code EAGAIN} unless every component of the path is in
 *       the dentry cache and needs no revalidation; any symbolic link on the way fails it too ({@code ELOOP}), so
 *       the file opened is the one the path names, with no link to resolve or check; {@code O_NONBLOCK} keeps a
 *       FIFO from blocking the open.
 *   <li>{@code statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_BASIC_STATS)}: the attributes the kernel
 *       holds (a network file system is not asked again).
 *   <li>{@code cachestat(fd, {0, size})} (Linux 6.5+; see {@link PageCache}) when the caller asks whether the whole
 *       file is in the page cache.
 *   <li>{@code close(fd)}.
 * </ol>
 *
 * <p>Layouts, the same on every Linux architecture (they are fixed-size kernel structures, not C library ones):
 *
 * <pre>
 * struct open_how { __u64 flags; __u64 mode; __u64 resolve; };                       // 24 bytes
 * struct statx { __u32 stx_mask; __u32 stx_blksize; __u64 stx_attributes;            // 0, 4, 8
 *                __u32 stx_nlink; __u32 stx_uid; __u32 stx_gid; __u16 stx_mode;     // 16, 20, 24, 28
 *                __u64 stx_ino; __u64 stx_size; ...                                // 32, 40
 *                struct statx_timestamp { __s64 tv_sec; __u32 tv_nsec; } stx_mtime; // 112 (sec), 120 (nsec)
 *                __u32 stx_dev_major; __u32 stx_dev_minor; ... };                   // 136, 140; 256 bytes
 * </pre>
 *
 * Checked against {@code <linux/openat2.h>} and {@code <linux/stat.h>} by the C compiler where one is installed
 * ({@code HotStatLayoutTest}).
 */
public final class HotStat {
    /** {@code sizeof(struct open_how)}. */
    static final int OPEN_HOW_SIZE = 24;
    /** {@code sizeof(struct statx)}. */
    static final int STATX_STRUCT_SIZE = 256;

    static final int STX_MASK = 0;
    static final int STX_MODE = 28;
    static final int STX_INO = 32;
    static final int STX_SIZE = 40;
    static final int STX_MTIME_SEC = 112;
    static final int STX_MTIME_NSEC = 120;
    static final int STX_DEV_MAJOR = 136;
    static final int STX_DEV_MINOR = 140;

    static final long RESOLVE_NO_SYMLINKS = 0x04;
    static final long RESOLVE_CACHED = 0x20;
    static final int AT_FDCWD = -100;
    static final int AT_EMPTY_PATH = 0x1000;
    static final int AT_STATX_DONT_SYNC = 0x4000;
    static final int STATX_TYPE = 0x1, STATX_MODE = 0x2, STATX_INO = 0x100, STATX_SIZE = 0x200, STATX_MTIME = 0x40;
    static final int STATX_BASIC_STATS = 0x7ff;
    static final int S_IFMT = 0170000;
    static final int S_IFREG = 0100000;
    /** {@code O_NOCTTY} on Linux (x86_64 and aarch64 alike). */
    static final int O_NOCTTY = 0400;

    private static final long SYS_OPENAT2 = 437; // asm-generic numbering since 5.1: the same on x86_64 and aarch64
    private static final long SYS_STATX = "aarch64".equals(System.getProperty("os.arch")) ? 291 : 332;

    /** False where the calls cannot exist, or once the kernel refused {@code openat2} with ENOSYS or EINVAL. */
    private static volatile boolean supported = probeSupport();

    private HotStat() {}

    /** What {@link #stat} found about a regular file. */
    public record Attributes(
            long size, long modifiedSeconds, int modifiedNanos, long device, long inode, boolean wholeFileCached) {}

    private static boolean probeSupport() {
        try {
            if (!NativeLib.isAvailable() || !NativeLib.abi().name.startsWith("linux")) return false;
            String arch = System.getProperty("os.arch", "");
            return (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))
                    && Syscalls.hasSyscall()
                    && PageCache.isSupported();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** True when {@link #stat} may answer here. */
    public static boolean isSupported() {
        return supported;
    }

    /**
     * The attributes of the regular file at {@code path} (absolute, free of symbolic links), or {@code null} when
     * they cannot be had without possibly waiting: a component of the path not in the lookup cache, a symbolic link
     * on the way, not a regular file, any error, or not supported here. Never blocks on I/O.
     *
     * @param path an absolute path
     * @param residency whether to ask if every page of the file is in the page cache ({@link
     *     Attributes#wholeFileCached()}; false when not asked)
     */
    public static Attributes stat(Path path, boolean residency) {
        Objects.requireNonNull(path, "path");
        if (!supported || !path.isAbsolute()) return null;
        byte[] cpath = path.toString().getBytes(StandardCharsets.UTF_8);
        long size = OPEN_HOW_SIZE + STATX_STRUCT_SIZE + cpath.length + 1 + 1;
        long mem = NativeMemory.allocate(size);
        try {
            long how = mem;
            long stx = mem + OPEN_HOW_SIZE;
            long name = stx + STATX_STRUCT_SIZE;
            long empty = name + cpath.length + 1;
            MemoryIO.getInstance().putByteArray(name, cpath, 0, cpath.length);
            NativeMemory.putByte(name + cpath.length, (byte) 0);
            NativeMemory.putByte(empty, (byte) 0);
            AioAbi abi = NativeLib.abi();
            NativeMemory.putLong(how, abi.O_RDONLY | abi.O_NONBLOCK | abi.O_CLOEXEC | O_NOCTTY);
            NativeMemory.putLong(how + 8, 0);
            NativeMemory.putLong(how + 16, RESOLVE_CACHED | RESOLVE_NO_SYMLINKS);
            long fd = Syscalls.syscall(SYS_OPENAT2, AT_FDCWD, name, how, OPEN_HOW_SIZE);
            if (fd < 0) {
                int errno = NativeLib.errno();
                if (errno == Errno.ENOSYS.value() || errno == Errno.EINVAL.value()) supported = false;
                return null;
            }
            try {
                NativeMemory.zero(stx, STATX_STRUCT_SIZE);
                if (Syscalls.syscall(SYS_STATX, fd, empty, AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, stx)
                        != 0) {
                    return null;
                }
                int need = STATX_TYPE | STATX_MODE | STATX_INO | STATX_SIZE | STATX_MTIME;
                if ((NativeMemory.getInt(stx + STX_MASK) & need) != need) return null;
                int mode = NativeMemory.getShort(stx + STX_MODE) & 0xffff;
                if ((mode & S_IFMT) != S_IFREG) return null;
                long length = NativeMemory.getLong(stx + STX_SIZE);
                boolean cached = residency
                        && (length == 0 || PageCache.residency((int) fd, 0, length) == PageCache.Residency.CACHED);
                long device = ((long) NativeMemory.getInt(stx + STX_DEV_MAJOR) << 32)
                        | (NativeMemory.getInt(stx + STX_DEV_MINOR) & 0xffffffffL);
                return new Attributes(
                        length,
                        NativeMemory.getLong(stx + STX_MTIME_SEC),
                        NativeMemory.getInt(stx + STX_MTIME_NSEC),
                        device,
                        NativeMemory.getLong(stx + STX_INO),
                        cached);
            } finally {
                Syscalls.close((int) fd);
            }
        } finally {
            NativeMemory.free(mem, size);
        }
    }
}

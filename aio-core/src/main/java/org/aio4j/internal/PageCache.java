package org.aio4j.internal;

import com.kenai.jffi.PageManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Whether a region of a file is in the page cache, asked of the kernel with one {@code cachestat(2)} call (Linux 6.5+,
 * system call 451 on x86_64 and aarch64): it counts the cached pages of the region without mapping the file and
 * without any I/O (a walk of the page cache under RCU). Measured on this project's machine (docs/benchmarks.md, "HTTP
 * file serving"): 0.3 us for 8 KiB, 2.8 us for 1 MiB, 142 us for 64 MiB, where {@code mmap}+{@code mincore}+{@code
 * munmap} took 2.1 / 9.1 / 387 us and a {@code preadv2(RWF_NOWAIT)} probe of one byte per page 0.4 us / 58 us / 8.8
 * ms (a one-byte probe of the first page alone is cheap but says nothing about the rest of the region).
 *
 * <p>Where the call is missing (not Linux, another architecture, a kernel before 6.5: ENOSYS, remembered) the answer
 * is {@link Residency#UNKNOWN}: the caller must then assume the region is not cached. The call itself never blocks on
 * the disk, but its cost grows with the region (a page-cache walk); callers keep it off event loops all the same,
 * since the {@code open} it needs may block on a cold directory entry.
 */
public final class PageCache {
    /** What {@link #residency} found. */
    public enum Residency {
        /** Every page of the region was in the page cache at the time of the call. */
        CACHED,
        /** At least one page of the region was not. */
        NOT_CACHED,
        /** Not known: no {@code cachestat} here, or the call failed. */
        UNKNOWN
    }

    private static final long SYS_CACHESTAT = 451; // the same on x86_64 and aarch64 (asm-generic numbering)

    /** False where the call cannot exist, or once the kernel answered ENOSYS. */
    private static volatile boolean supported = probeSupport();

    private PageCache() {}

    private static boolean probeSupport() {
        try {
            if (!NativeLib.isAvailable() || !NativeLib.abi().name.startsWith("linux")) return false;
            String arch = System.getProperty("os.arch", "");
            return (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64")) && Syscalls.hasSyscall();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** True when {@code cachestat} may be called here (Linux on x86_64 or aarch64, not yet answered ENOSYS). */
    public static boolean isSupported() {
        return supported;
    }

    /**
     * Whether every page of {@code [position, position + count)} of the file at {@code path} is in the page cache.
     * Opens the file read-only ({@code O_NONBLOCK}, so that a FIFO put in its place does not block the open), makes
     * one {@code cachestat} call and closes it. Blocking only as far as {@code open} may be. An empty region is
     * {@link Residency#CACHED}.
     *
     * @throws IllegalArgumentException for a negative position or count
     */
    public static Residency residency(Path path, long position, long count) {
        Objects.requireNonNull(path, "path");
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("negative region: " + position + " +" + count);
        }
        if (count == 0) return Residency.CACHED;
        if (!supported) return Residency.UNKNOWN;
        AioAbi abi = NativeLib.abi();
        byte[] cpath = (path.toString() + '\0').getBytes(StandardCharsets.UTF_8);
        int fd = Syscalls.open(cpath, abi.O_RDONLY | abi.O_CLOEXEC | abi.O_NONBLOCK, 0);
        if (fd < 0) return Residency.UNKNOWN;
        try {
            return residency(fd, position, count);
        } finally {
            Syscalls.close(fd);
        }
    }

    /**
     * Like {@link #residency(Path, long, long)} on an fd the caller holds open (and keeps open for the call).
     *
     * @throws IllegalArgumentException for a negative position or count
     */
    public static Residency residency(int fd, long position, long count) {
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("negative region: " + position + " +" + count);
        }
        if (count == 0) return Residency.CACHED;
        if (!supported) return Residency.UNKNOWN;
        long pageSize = Page.SIZE;
        long first = position / pageSize;
        long last = (position + count - 1) / pageSize; // count > 0: no overflow below 2^63 - page
        long pages = last - first + 1;
        // struct cachestat_range { __u64 off, len; } then struct cachestat { __u64 nr_cache, nr_dirty,
        // nr_writeback, nr_evicted, nr_recently_evicted; }
        long mem = NativeMemory.allocate(16 + 40);
        try {
            NativeMemory.putLong(mem, position);
            NativeMemory.putLong(mem + 8, count);
            long r = Syscalls.syscall(SYS_CACHESTAT, fd, mem, mem + 16, 0);
            if (r != 0) {
                if (NativeLib.errno() == Errno.ENOSYS.value()) supported = false;
                return Residency.UNKNOWN;
            }
            return NativeMemory.getLong(mem + 16) >= pages ? Residency.CACHED : Residency.NOT_CACHED;
        } finally {
            NativeMemory.free(mem, 16 + 40);
        }
    }

    /** The page size, asked on first use only. */
    private static final class Page {
        static final long SIZE = PageManager.getInstance().pageSize();
    }
}

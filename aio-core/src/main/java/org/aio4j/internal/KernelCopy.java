package org.aio4j.internal;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.Library;
import com.kenai.jffi.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.aio4j.AioException;
import org.aio4j.AioFile;

/**
 * Copies one regular file into another inside the kernel (Linux), one bounded chunk per {@link #step()}: with
 * {@code copy_file_range(2)} (which shares extents, a reflink, on file systems that can), or with {@code
 * sendfile(2)} where {@code copy_file_range} refuses the pair (EXDEV between two file systems, EINVAL, ENOSYS,
 * EOPNOTSUPP). Holes are kept: only the data extents of the source ({@code lseek} {@code SEEK_DATA}/{@code
 * SEEK_HOLE}) are copied, at the same offsets, and the target's length is set with {@code ftruncate} at the end, so
 * the target must be empty when the copy starts (new or truncated).
 *
 * <p>Blocking, and not thread-safe: one thread at a time, with a happens-before edge between two calls (a volatile
 * hand-over) when they run on different threads. Each call holds both fds in {@link FdTracker} for its duration,
 * so an {@link AioFile#close()} that comes meanwhile only takes effect once the call has returned: a system call
 * never runs on a closed (and maybe reused) fd number.
 *
 * <pre>{@code
 * KernelCopy copy = new KernelCopy(source, target, source.size(), 16 << 20);
 * KernelCopy.Step s;
 * while ((s = copy.step()) == KernelCopy.Step.MORE) progress(copy.position());
 * if (s == KernelCopy.Step.REFUSED) copyWithReadAndWrite(); // the kernel refused before any byte was copied
 * }</pre>
 */
public final class KernelCopy {
    /** What one {@link #step()} achieved. */
    public enum Step {
        /** A chunk was copied; call again. */
        MORE,
        /** The whole file was copied (data extents, holes and length). */
        DONE,
        /** The kernel refused this pair of files before anything was copied: copy them some other way. */
        REFUSED
    }

    private static final int SEEK_SET = 0;
    private static final int SEEK_END = 2;
    private static final int SEEK_DATA = 3; // Linux
    private static final int SEEK_HOLE = 4; // Linux

    private static final boolean LINUX =
            NativeLib.isAvailable() && NativeLib.abi().name.startsWith("linux");
    private static final boolean HAS_SENDFILE = LINUX && NativeLib.hasSymbol("sendfile");
    /** False without the symbol (glibc before 2.27), or once the kernel answered ENOSYS. */
    private static volatile boolean copyFileRange = LINUX && NativeLib.hasSymbol("copy_file_range");

    private final AioFile in;
    private final AioFile out;
    private final long chunk;
    private long size;
    private long pos;
    private long dataEnd;
    private boolean sendfile;
    private boolean transferred;
    private boolean done;

    /**
     * A copy of the first {@code size} bytes of {@code in} into the empty file {@code out}; neither is closed by it.
     *
     * @param chunk bytes per system call at most (per {@link #step()})
     * @throws IllegalArgumentException for a negative size or a chunk that is not positive
     */
    public KernelCopy(AioFile in, AioFile out, long size, long chunk) {
        this.in = Objects.requireNonNull(in, "in");
        this.out = Objects.requireNonNull(out, "out");
        if (size < 0) throw new IllegalArgumentException("size must not be negative: " + size);
        if (chunk <= 0) throw new IllegalArgumentException("chunk must be positive: " + chunk);
        this.size = size;
        this.chunk = chunk;
        this.sendfile = !copyFileRange;
    }

    /** True where a kernel copy can run at all: Linux with {@code copy_file_range} or {@code sendfile}. */
    public static boolean isSupported() {
        return copyFileRange || HAS_SENDFILE;
    }

    /**
     * True when both fds are regular files and {@link #isSupported()}: the only case in which a {@link KernelCopy}
     * is worth trying (pipes, devices and the like are refused by the kernel). Checked on the open fds through
     * {@code /proc/self/fd} (falling back to the paths where {@code /proc} is not mounted). Blocking.
     */
    public static boolean applies(AioFile in, AioFile out) {
        return isSupported() && isRegular(in) && isRegular(out);
    }

    private static boolean isRegular(AioFile f) {
        if (!f.isOpen()) return false;
        Path proc = Path.of("/proc/self/fd", Integer.toString(f.fd()));
        if (Files.exists(proc)) return Files.isRegularFile(proc);
        return f.path() != null && Files.isRegularFile(f.path());
    }

    /** The offset below which everything is copied (data) or skipped (holes): the progress of the copy. */
    public long position() {
        return pos;
    }

    /** The length the target will have: the size given, or less when the source was found to end earlier. */
    public long size() {
        return size;
    }

    /** True when the last call to transfer bytes used {@code sendfile} rather than {@code copy_file_range}. */
    public boolean usesSendfile() {
        return sendfile;
    }

    /**
     * Copies the next chunk (at most {@code chunk} bytes of data, after skipping any holes before it), or, at the end,
     * sets the target's length. Blocking.
     *
     * @return {@link Step#MORE}, {@link Step#DONE}, or {@link Step#REFUSED} when the kernel refused the pair before a
     *     byte was copied (the target is then as it was: empty)
     * @throws AioException the errno of {@code copy_file_range}/{@code sendfile} (ENOSPC, EIO...), with the target's
     *     path for errors of writing (ENOSPC, EDQUOT, EFBIG, EROFS, EIO) and the source's otherwise, and the
     *     position; of {@code lseek} (source) or {@code ftruncate} (target); EBADF when a file was closed
     */
    public Step step() throws AioException {
        if (done) return Step.DONE;
        for (; ; ) {
            if (pos >= size) return finish();
            if (pos >= dataEnd) {
                nextExtent();
                continue;
            }
            long r = transfer(Math.min(chunk, dataEnd - pos));
            if (r > 0) {
                pos += r;
                transferred = true;
                return pos >= size ? finish() : Step.MORE;
            }
            if (r == 0) { // end of file before the size given: the source shrank
                size = pos;
                return finish();
            }
            int errno = (int) -r;
            if (errno == Errno.EINTR.value()) continue;
            if (refusal(errno)) {
                if (!sendfile && HAS_SENDFILE) {
                    if (errno == Errno.ENOSYS.value()) copyFileRange = false;
                    sendfile = true;
                    continue;
                }
                if (!transferred) return Step.REFUSED;
            }
            throw AioException.of(
                    sendfile ? "sendfile" : "copy_file_range", errno, writeError(errno) ? out.path() : in.path(), pos);
        }
    }

    private static boolean refusal(int errno) {
        return errno == Errno.EXDEV.value()
                || errno == Errno.EINVAL.value()
                || errno == Errno.ENOSYS.value()
                || errno == Errno.ENOTSUP.value(); // EOPNOTSUPP on Linux
    }

    private static boolean writeError(int errno) {
        return errno == Errno.ENOSPC.value()
                || errno == Errno.EDQUOT.value()
                || errno == Errno.EFBIG.value()
                || errno == Errno.EROFS.value()
                || errno == Errno.EIO.value();
    }

    /** Moves {@code pos} to the next data at or after it and {@code dataEnd} to the hole after that. */
    private void nextExtent() throws AioException {
        long d;
        int errno;
        FdTracker.acquire(in.fd());
        try {
            in.ensureOpen();
            d = Syscalls.lseek(in.fd(), pos, SEEK_DATA);
            errno = d < 0 ? NativeLib.errno() : 0;
            if (d < 0 && errno == Errno.ENXIO.value()) {
                // no data at or after pos: holes up to the end of file, which may now be before the size given
                long end = Syscalls.lseek(in.fd(), 0, SEEK_END);
                if (end >= 0 && end < size) size = Math.max(end, pos);
            }
            if (d >= 0 && d < size) {
                long h = Syscalls.lseek(in.fd(), d, SEEK_HOLE);
                if (h < 0) {
                    errno = NativeLib.errno();
                    if (errno != Errno.ENXIO.value()) throw AioException.of("lseek", errno, in.path(), d);
                    h = d; // the file ends at d now: it shrank
                    size = d;
                }
                pos = d;
                dataEnd = Math.min(h, size);
                return;
            }
        } finally {
            FdTracker.release(in.fd());
        }
        if (d >= 0 || errno == Errno.ENXIO.value()) {
            pos = size; // nothing but holes up to the end
        } else if (errno == Errno.EINVAL.value() || errno == Errno.ENOTSUP.value()) {
            dataEnd = size; // no SEEK_DATA here: everything is data
        } else {
            throw AioException.of("lseek", errno, in.path(), pos);
        }
    }

    /** One transfer of up to {@code n} bytes at {@code pos}: the byte count, 0 at end of file, or -errno. */
    private long transfer(long n) throws AioException {
        long offsets = NativeMemory.allocate(16);
        FdTracker.acquire(in.fd());
        FdTracker.acquire(out.fd());
        try {
            in.ensureOpen();
            out.ensureOpen();
            long r;
            if (!sendfile) {
                NativeMemory.putLong(offsets, pos);
                NativeMemory.putLong(offsets + 8, pos);
                r = CopyFileRange.call(in.fd(), offsets, out.fd(), offsets + 8, n);
                if (r < 0) return -NativeLib.errno();
            } else {
                // sendfile writes at out's file offset: put it where this extent goes
                r = Syscalls.lseek(out.fd(), pos, SEEK_SET);
                if (r >= 0) {
                    NativeMemory.putLong(offsets, pos);
                    r = Syscalls.sendfile(out.fd(), in.fd(), offsets, n);
                }
            }
            return r >= 0 ? r : -NativeLib.errno();
        } finally {
            FdTracker.release(out.fd());
            FdTracker.release(in.fd());
            NativeMemory.free(offsets, 16);
        }
    }

    /**
     * {@code ssize_t copy_file_range(int fd_in, off_t *off_in, int fd_out, off_t *off_out, size_t len, unsigned int
     * flags)} (Linux 4.5+, glibc 2.27+), called through jffi's six-argument invoker rather than a {@link LibCGnu}
     * method: the x86_64 stub that jnr-ffi 2.2.17 generates for a six-argument method passes garbage as the sixth
     * argument (strace showed {@code flags} = 1351898586 and the kernel answered EINVAL), whatever the Java types;
     * jffi's {@code invokeN6}, which jnr-ffi's reflection mode uses, passes it right. Loaded on first use only.
     */
    private static final class CopyFileRange {
        static final long ADDRESS = Library.getDefault().getSymbolAddress("copy_file_range");
        static final CallContext CONTEXT = CallContext.getCallContext(
                Type.SLONG,
                new Type[] {Type.SINT, Type.POINTER, Type.SINT, Type.POINTER, Type.ULONG, Type.UINT},
                CallingConvention.DEFAULT,
                true); // save errno

        static long call(int fdIn, long offIn, int fdOut, long offOut, long len) {
            return Invoker.getInstance().invokeN6(CONTEXT, ADDRESS, fdIn, offIn, fdOut, offOut, len, 0);
        }
    }

    private Step finish() throws AioException {
        FdTracker.acquire(out.fd());
        try {
            out.ensureOpen();
            if (Syscalls.ftruncate(out.fd(), size) != 0) {
                throw AioException.of("ftruncate", NativeLib.errno(), out.path(), size);
            }
        } finally {
            FdTracker.release(out.fd());
        }
        pos = size;
        done = true;
        return Step.DONE;
    }
}

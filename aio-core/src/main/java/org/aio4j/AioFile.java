package org.aio4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.aio4j.internal.AioAbi;
import org.aio4j.internal.Errno;
import org.aio4j.internal.FdTracker;
import org.aio4j.internal.FileCloseHooks;
import org.aio4j.internal.LibC;
import org.aio4j.internal.NativeLib;
import org.aio4j.internal.Syscalls;

/**
 * An owned file descriptor for asynchronous I/O: a regular file, a FIFO or a device such as {@code /dev/full}.
 *
 * <p>{@link #close()} is idempotent and never closes the fd number while an operation on it is still in flight:
 * glibc queues requests by fd number, so a reused number would stall behind the old request. The close then
 * happens when the last such operation has been reaped.
 *
 * <pre>{@code
 * try (AioFile file = AioFile.open(path, StandardOpenOption.READ)) {
 *     long size = file.size();
 *     ...
 * }
 * }</pre>
 */
public final class AioFile implements AutoCloseable {
    private final int fd;
    private final Path path;
    private final boolean direct;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AioFile(int fd, Path path, boolean direct) {
        this.fd = fd;
        this.path = path;
        this.direct = direct;
    }

    /**
     * Opens {@code path}. Without options it opens for reading. Supported: {@link StandardOpenOption} READ, WRITE,
     * APPEND, CREATE, CREATE_NEW, TRUNCATE_EXISTING, SYNC, DSYNC, and {@link AioOpenOption#DIRECT}. A directory is
     * refused with {@code EISDIR}.
     *
     * <p>A failure the path causes is thrown as its {@code java.nio.file} type, with the {@link AioException}
     * (errno, operation {@code "open"}) as its cause ({@link AioException#ofPath}): {@link
     * java.nio.file.NoSuchFileException} (ENOENT), {@link java.nio.file.FileAlreadyExistsException} (EEXIST, with
     * {@code CREATE_NEW}), {@link java.nio.file.AccessDeniedException} (EACCES, EPERM), {@link
     * java.nio.file.NotDirectoryException} (ENOTDIR), {@link java.nio.file.FileSystemException} (ELOOP,
     * ENAMETOOLONG, EISDIR, EROFS, ETXTBSY). Any other errno (EMFILE, ENOSPC, EINVAL...) is an {@link AioException}.
     *
     * @param path the file to open
     * @param options {@link StandardOpenOption#READ} (the default), {@code WRITE}, {@code APPEND}, {@code CREATE},
     * {@code CREATE_NEW}, {@code TRUNCATE_EXISTING}, {@code SYNC}, {@code DSYNC} and {@link AioOpenOption#DIRECT}
     * @return the open file, owning its fd until {@link #close()}
     * @throws java.nio.file.FileSystemException for the path errors above, caused by the {@link AioException}
     * @throws AioException with the errno of {@code open} for the others
     * @throws UnsupportedOperationException for an option aio4j does not support, or O_DIRECT where there is none
     */
    public static AioFile open(Path path, OpenOption... options) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        AioAbi abi = NativeLib.abi();
        Set<OpenOption> opts = Set.of(options);
        boolean write = opts.contains(StandardOpenOption.WRITE) || opts.contains(StandardOpenOption.APPEND);
        boolean read = opts.contains(StandardOpenOption.READ) || !write;
        int flags = (read && write) ? abi.O_RDWR : write ? abi.O_WRONLY : abi.O_RDONLY;
        flags |= abi.O_CLOEXEC;
        for (OpenOption o : opts) {
            if (o == StandardOpenOption.READ || o == StandardOpenOption.WRITE) continue;
            if (o == StandardOpenOption.APPEND) flags |= abi.O_APPEND;
            else if (o == StandardOpenOption.CREATE) flags |= write ? abi.O_CREAT : 0;
            else if (o == StandardOpenOption.CREATE_NEW) flags |= write ? abi.O_CREAT | abi.O_EXCL : 0;
            else if (o == StandardOpenOption.TRUNCATE_EXISTING) flags |= write ? abi.O_TRUNC : 0;
            else if (o == StandardOpenOption.SYNC) flags |= abi.O_SYNC;
            else if (o == StandardOpenOption.DSYNC) flags |= abi.O_DSYNC;
            else if (o == AioOpenOption.DIRECT) {
                if (abi.O_DIRECT == AioAbi.ABSENT) {
                    throw new UnsupportedOperationException("O_DIRECT is not available on " + abi.name);
                }
                flags |= abi.O_DIRECT;
            } else {
                throw new UnsupportedOperationException("open option " + o + " is not supported by AioFile");
            }
        }
        byte[] cpath = (path.toString() + '\0').getBytes(StandardCharsets.UTF_8);
        int fd = Syscalls.open(cpath, flags, 0666);
        if (fd < 0) throw AioException.ofPath("open", NativeLib.errno(), path);
        if (!write && Files.isDirectory(path)) {
            Syscalls.close(fd);
            throw AioException.ofPath("open", Errno.EISDIR.value(), path);
        }
        return new AioFile(fd, path, opts.contains(AioOpenOption.DIRECT));
    }

    /**
     * Takes ownership of an fd opened elsewhere; {@link #close()} will close it.
     *
     * {@link #isDirect()} is read from the fd's status flags ({@code fcntl(F_GETFL)}).
     *
     * @param fd an open file descriptor, not negative; closed by this file from now on
     * @param path the file, for error messages; may be null
     * @return a file owning {@code fd}
     */
    public static AioFile adopt(int fd, Path path) {
        if (fd < 0) throw new IllegalArgumentException("fd must not be negative: " + fd);
        return new AioFile(fd, path, queryDirect(fd));
    }

    /** {@code fcntl(fd, F_GETFL) & O_DIRECT}; false where there is no O_DIRECT or the query fails. */
    private static boolean queryDirect(int fd) {
        if (!NativeLib.isAvailable()) return false;
        int oDirect = NativeLib.abi().O_DIRECT;
        if (oDirect == AioAbi.ABSENT || oDirect == 0) return false;
        int fl = NativeLib.libc().fcntl(fd, LibC.F_GETFL, 0);
        return fl >= 0 && (fl & oDirect) != 0;
    }

    /**
     * A new {@code AioFile} owning a {@code dup()} of this fd. glibc runs the requests of one fd number one at a
     * time; requests on dup'd fds run in parallel.
     *
     * @return a new open file on the same open file description, closed independently of this one
     * @throws AioException with the errno of {@code dup} (EMFILE...)
     */
    public AioFile dup() throws AioException {
        ensureOpen();
        int d = NativeLib.libc().dup(fd);
        if (d < 0) throw AioException.of("dup", NativeLib.errno(), path, -1);
        return new AioFile(d, path, direct);
    }

    /**
     * True if this file does direct I/O ({@code O_DIRECT}, bypassing the page cache): it was opened with {@link
     * AioOpenOption#DIRECT}, or adopted from an fd with {@code O_DIRECT} set, or duplicated from such a file.
     * Buffers, offsets and lengths of its operations must then be aligned as the file system requires (commonly
     * 4096 bytes), or the operation fails with EINVAL. The completion engine uses this to pick its defaults (see
     * {@code AioEngine.Builder#directLanes(int)}).
     *
     * @return true for a file doing direct I/O
     */
    public boolean isDirect() {
        return direct;
    }

    /**
     * The fd number. Valid while this file is open.
     *
     * @return the file descriptor
     */
    public int fd() {
        return fd;
    }

    /**
     * The path this file was opened from, or null if it was adopted without one.
     *
     * @return the path, or null
     */
    public Path path() {
        return path;
    }

    /**
     * The size in bytes ({@code lseek(fd, 0, SEEK_END)}).
     *
     * @return the file's size in bytes, as the file system reports it now
     * @throws AioException ESPIPE for a FIFO, EBADF once closed
     */
    public long size() throws AioException {
        ensureOpen();
        long s = Syscalls.lseek(fd, 0, 2 /* SEEK_END, the same on every POSIX system */);
        if (s < 0) throw AioException.of("lseek", NativeLib.errno(), path, -1);
        return s;
    }

    /**
     * False once {@link #close()} was called.
     *
     * @return true until {@link #close()} is called
     */
    public boolean isOpen() {
        return !closed.get();
    }

    /**
     * Throws {@link AioException} EBADF if this file was closed: the check every submission makes first.
     *
     * @throws AioException EBADF (operation {@code "aio"}) once {@link #close()} was called
     */
    public void ensureOpen() throws AioException {
        if (closed.get()) throw AioException.of("aio", Errno.EBADF.value(), path, -1);
    }

    /**
     * Operations submitted on this fd and not yet reaped.
     *
     * @return the count of operations on this fd that were submitted and not reaped yet
     */
    public int inFlight() {
        return FdTracker.inFlight(fd);
    }

    /**
     * Closes the fd, now if no operation is in flight on it, otherwise as soon as the last one has been reaped.
     * A completion engine that spread this file's operations over {@code dup()}'d fds (its lanes) closes them here
     * too, each by the same rule. Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            FdTracker.closeWhenIdle(fd);
            FileCloseHooks.fire(this); // an engine closes this file's lanes
        }
    }

    @Override
    public String toString() {
        return "AioFile[fd=" + fd + (path != null ? ", " + path : "") + (isOpen() ? "" : ", closed") + "]";
    }
}

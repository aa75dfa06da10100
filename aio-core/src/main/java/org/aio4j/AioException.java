package org.aio4j;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Optional;
import org.aio4j.internal.Errno;

/**
 * An I/O error reported by the C library for one asynchronous operation: the errno, its C name, the operation
 * ({@code "aio_read"}, {@code "lio_listio"}, {@code "open"}...) and, where known, the file and position.
 *
 * <p>Every instance is made by {@link #of(String, int)} or {@link #of(String, int, Path, long)}, which returns
 * the subclass a caller would branch on: {@link AioCancelledException} for {@code ECANCELED} and {@link
 * AioTryAgainException} for {@code EAGAIN}; or, for the completion of an operation notified by a real-time signal,
 * by {@link #ofSignalledCompletion}, which returns {@link AioNotificationLostException} for {@code EAGAIN}.
 *
 * <pre>{@code
 * try {
 *     op.aioReturn();
 * } catch (AioCancelledException e) {
 *     // cancelled with aio_cancel: nothing was transferred
 * } catch (AioException e) {
 *     log.warn("{} failed with {}", e.operation(), e.errnoName());
 * }
 * }</pre>
 *
 * <p>A failure to open or create a file ({@code AioFile.open} and the Reactor layer's opens) that
 * {@code java.nio.file} has a type for is thrown as that type, made by {@link #ofPath}: {@link
 * NoSuchFileException} for {@code ENOENT}, {@link AccessDeniedException} for {@code EACCES}/{@code EPERM}... (see
 * {@code docs/errors.md}). Its {@linkplain Throwable#getCause() cause} is the {@code AioException} with the errno
 * and the operation; {@link #errnoOf(Throwable)} and {@link #find(Throwable)} read it from any exception.
 */
public class AioException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The C library's error number ({@link #errno()}). */
    private final int errno;
    /** The C function that failed ({@link #operation()}). */
    private final String operation;
    /** The file, or null ({@link #path()}); not serialized: a {@code Path} is not serializable. */
    private final transient Path path;
    /** The file position, or -1 ({@link #position()}). */
    private final long position;

    /** Use {@link #of}. */
    AioException(String operation, int errno, Path path, long position) {
        this(message(operation, errno, path, position), operation, errno, path, position);
    }

    /** For a subclass with its own message. */
    AioException(String message, String operation, int errno, Path path, long position) {
        super(message);
        this.errno = errno;
        this.operation = operation;
        this.path = path;
        this.position = position;
    }

    private static String message(String operation, int errno, Path path, long position) {
        StringBuilder sb = new StringBuilder(operation).append(" failed: ").append(Errno.name(errno));
        String text = describe(errno);
        if (text != null) sb.append(" (").append(text).append(')');
        if (path != null) sb.append(", file ").append(path);
        if (position >= 0) sb.append(", position ").append(position);
        return sb.toString();
    }

    private static String describe(int errno) {
        try {
            return org.aio4j.internal.NativeLib.isAvailable()
                    ? org.aio4j.internal.NativeLib.libc().strerror(errno)
                    : null;
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /**
     * The typed exception for {@code errno} returned by {@code operation}.
     *
     * @param operation the C function that failed, such as {@code "aio_read"}
     * @param errno the error number it reported
     * @return an {@link AioCancelledException} for ECANCELED, an {@link AioTryAgainException} for EAGAIN, otherwise an
     * {@code AioException}
     */
    public static AioException of(String operation, int errno) {
        return of(operation, errno, null, -1);
    }

    /**
     * The typed exception for {@code errno} returned by {@code operation} on {@code path} at {@code position}
     * ({@code path} may be null, {@code position} -1 when unknown).
     *
     * @param operation the C function that failed, such as {@code "aio_read"}
     * @param errno the error number it reported
     * @param path the file, or null when unknown
     * @param position the file position of the operation, or -1 when unknown or not applicable
     * @return an {@link AioCancelledException} for ECANCELED, an {@link AioTryAgainException} for EAGAIN, otherwise an
     * {@code AioException}, with the path and position in its message
     */
    public static AioException of(String operation, int errno, Path path, long position) {
        if (errno == Errno.ECANCELED.value()) return new AioCancelledException(operation, errno, path, position);
        if (errno == Errno.EAGAIN.value()) return new AioTryAgainException(operation, errno, path, position);
        return new AioException(operation, errno, path, position);
    }

    /**
     * The exception for {@code errno} returned by {@code operation} (such as {@code "open"}) on {@code path}, where
     * the path itself is at fault: the {@code java.nio.file} type for the errno when there is one, with the {@link
     * AioException} of {@link #of(String, int, Path, long)} as its cause; otherwise that {@code AioException}.
     *
     * <table>
     *   <caption>errno to exception</caption>
     *   <tr><th>errno</th><th>exception</th></tr>
     *   <tr><td>ENOENT</td><td>{@link NoSuchFileException}</td></tr>
     *   <tr><td>EEXIST</td><td>{@link FileAlreadyExistsException}</td></tr>
     *   <tr><td>EACCES, EPERM</td><td>{@link AccessDeniedException}</td></tr>
     *   <tr><td>ENOTDIR</td><td>{@link NotDirectoryException}</td></tr>
     *   <tr><td>ENOTEMPTY</td><td>{@link DirectoryNotEmptyException}</td></tr>
     *   <tr><td>ELOOP, ENAMETOOLONG, EISDIR, EROFS, ETXTBSY</td><td>{@link FileSystemException}</td></tr>
     *   <tr><td>any other (EMFILE, ENOSPC, EIO, EINVAL, EAGAIN...)</td><td>{@link AioException} (its subclass for
     *   EAGAIN, ECANCELED)</td></tr>
     * </table>
     *
     * <p>{@link FileSystemException#getFile()} is {@code path}, {@link FileSystemException#getReason()} the C
     * library's text for the errno ({@code strerror}) or, where unavailable, its name.
     *
     * @param operation the C function that failed, such as {@code "open"}
     * @param errno the error number it reported
     * @param path the path at fault, named by the exception; may be null
     * @return the {@code java.nio.file} exception of the table, caused by the {@code AioException}, or that {@code
     * AioException} for an errno the table does not list
     */
    public static IOException ofPath(String operation, int errno, Path path) {
        AioException aio = of(operation, errno, path, -1);
        String file = path == null ? null : path.toString();
        String reason = describe(errno);
        if (reason == null) reason = Errno.name(errno);
        FileSystemException nio;
        if (errno == Errno.ENOENT.value()) nio = new NoSuchFileException(file, null, reason);
        else if (errno == Errno.EEXIST.value()) nio = new FileAlreadyExistsException(file, null, reason);
        else if (errno == Errno.EACCES.value() || errno == Errno.EPERM.value()) {
            nio = new AccessDeniedException(file, null, reason);
        } else if (errno == Errno.ENOTDIR.value()) {
            nio = new NotDirectoryException(file); // has no reason
        } else if (errno == Errno.ENOTEMPTY.value()) {
            nio = new DirectoryNotEmptyException(file); // has no reason
        } else if (errno == Errno.ELOOP.value()
                || errno == Errno.ENAMETOOLONG.value()
                || errno == Errno.EISDIR.value()
                || errno == Errno.EROFS.value()
                || errno == Errno.ETXTBSY.value()) {
            nio = new FileSystemException(file, null, reason);
        } else {
            return aio;
        }
        nio.initCause(aio);
        return nio;
    }

    /**
     * The first {@link AioException} in {@code t} and its chain of causes: {@code t} itself, or the cause of a
     * {@code java.nio.file} exception made by {@link #ofPath}, or one wrapped by Reactor or a future. Empty when
     * there is none (an error that did not come from the C library through aio4j).
     *
     * @param t an exception of any type, or null
     * @return the first {@code AioException} among {@code t} and its causes (at most 32 deep), or empty
     */
    public static Optional<AioException> find(Throwable t) {
        for (int depth = 0; t != null && depth < 32; depth++) {
            if (t instanceof AioException a) return Optional.of(a);
            if (t.getCause() == t) break;
            t = t.getCause();
        }
        return Optional.empty();
    }

    /**
     * The errno of the first {@link AioException} in {@code t} and its chain of causes ({@link #find}), or -1 when
     * there is none. {@code AioException.find(e).map(AioException::errnoName)} gives its name.
     *
     * @param t an exception of any type, or null
     * @return the errno of the first {@code AioException} among {@code t} and its causes, or -1
     */
    public static int errnoOf(Throwable t) {
        return find(t).map(AioException::errno).orElse(-1);
    }

    /**
     * The typed exception for the completion errno of an operation whose notification asked the C library to queue
     * a real-time signal ({@code SIGEV_SIGNAL}). There {@code EAGAIN} does not mean "not done, try again": glibc
     * writes it over the operation's real result when it cannot queue the signal ({@code RLIMIT_SIGPENDING}
     * reached), after the operation was performed. So {@code EAGAIN} gives {@link AioNotificationLostException}
     * (the operation may have been performed, its result is unknown); any other errno the same type as {@link
     * #of(String, int, Path, long)}.
     *
     * @param operation the C function whose completion reported the error, such as {@code "aio_read"}
     * @param errno the completion's error number
     * @param path the file, or null when unknown
     * @param position the file position of the operation, or -1 when unknown
     * @return an {@link AioNotificationLostException} for EAGAIN, otherwise the exception of {@link #of(String, int,
     * Path, long)}
     */
    public static AioException ofSignalledCompletion(String operation, int errno, Path path, long position) {
        if (errno == Errno.EAGAIN.value()) return new AioNotificationLostException(operation, errno, path, position);
        return of(operation, errno, path, position);
    }

    /**
     * The exception of a {@code lio_listio} call that failed (EAGAIN, EIO, EINTR...) after queueing the ops in
     * {@code queued}; the ops in {@code notQueued} are still NEW. Its cause is the plain typed exception of the
     * errno.
     */
    static LioListioException ofLioListio(int errno, java.util.List<Aio> queued, java.util.List<Aio> notQueued) {
        LioListioException e = new LioListioException(errno, queued, notQueued);
        e.initCause(of("lio_listio", errno));
        return e;
    }

    /**
     * The same error with the file and position added, of the same type.
     *
     * @param path the file the operation was on, or null when unknown
     * @param position the file position of the operation, or -1 when unknown
     * @return a new exception of this one's type, with this one as its cause
     */
    public AioException withContext(Path path, long position) {
        AioException e = this instanceof AioNotificationLostException
                ? ofSignalledCompletion(operation, errno, path, position)
                : of(operation, errno, path, position);
        e.initCause(this);
        return e;
    }

    /**
     * The errno value, as the C library of this OS numbers it.
     *
     * @return the error number, as reported by the C library
     */
    public int errno() {
        return errno;
    }

    /**
     * The C name of {@link #errno()}, such as {@code "ENOSPC"}.
     *
     * @return the symbolic name, or {@code "errno N"} for a number this platform's table does not name
     */
    public String errnoName() {
        return Errno.name(errno);
    }

    /**
     * The C function that reported the error.
     *
     * @return the C function's name, such as {@code "aio_write"} or {@code "open"}
     */
    public String operation() {
        return operation;
    }

    /**
     * The file involved, or null when unknown.
     *
     * @return the file, or null
     */
    public Path path() {
        return path;
    }

    /**
     * The file position of the operation, or -1 when unknown or not applicable.
     *
     * @return the file position in bytes, or -1
     */
    public long position() {
        return position;
    }
}

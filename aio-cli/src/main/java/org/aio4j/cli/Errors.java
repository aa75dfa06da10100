package org.aio4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.aio4j.AioException;
import reactor.core.Exceptions;

/** Turns an exception into the one line a user reads. */
final class Errors {
    private Errors() {}

    /** The innermost meaningful cause: unwraps Reactor's and the JDK's wrappers. */
    static Throwable unwrap(Throwable e) {
        Throwable t = Exceptions.unwrap(e);
        while ((t instanceof UncheckedIOException
                        || t instanceof CompletionException
                        || t instanceof ExecutionException
                        || (t instanceof RuntimeException && t.getClass() == RuntimeException.class))
                && t.getCause() != null
                && t.getCause() != t) {
            t = Exceptions.unwrap(t.getCause());
        }
        return t;
    }

    static String describe(Throwable e) {
        Throwable t = unwrap(e);
        if (t instanceof CliException) return t.getMessage();
        if (t instanceof AioException a) return describeAio(a);
        if (t instanceof NoSuchFileException f) return "no such file or directory: " + f.getFile();
        if (t instanceof AccessDeniedException f) return "permission denied: " + f.getFile();
        if (t instanceof FileAlreadyExistsException f) return "already exists: " + f.getFile();
        if (t instanceof NotDirectoryException f) return "not a directory: " + f.getFile();
        if (t instanceof DirectoryNotEmptyException f) return "directory not empty: " + f.getFile();
        if (t instanceof FileSystemException f) {
            String reason =
                    f.getReason() == null ? "file system error" : f.getReason().toLowerCase(Locale.ROOT);
            return reason + ": " + f.getFile();
        }
        if (t instanceof IOException && t.getMessage() != null)
            return t.getMessage().toLowerCase(Locale.ROOT);
        if (t instanceof OutOfMemoryError) return "out of memory (try a smaller --chunk or --in-flight)";
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    private static String describeAio(AioException a) {
        String where = a.path() == null ? "" : ": " + a.path();
        String name = a.errnoName() == null ? "" : a.errnoName();
        switch (name) {
            case "ENOSPC":
                return "no space left on device" + where;
            case "EDQUOT":
                return "disk quota exceeded" + where;
            case "EACCES":
            case "EPERM":
                return "permission denied" + where;
            case "ENOENT":
                return "no such file or directory" + where;
            case "EISDIR":
                return "is a directory" + where;
            case "EROFS":
                return "read-only file system" + where;
            case "EIO":
                return "input/output error" + where;
            case "EFBIG":
                return "file too large" + where;
            default:
                return a.getMessage();
        }
    }
}

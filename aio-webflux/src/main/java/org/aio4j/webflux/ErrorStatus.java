package org.aio4j.webflux;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.aio4j.AioException;
import org.springframework.http.HttpStatus;

/** The HTTP status of an expected failure of the router's file operations: one place for every handler. */
final class ErrorStatus {
    private ErrorStatus() {}

    /**
     * The status for an expected failure, or null for an unexpected one (a 500, logged by WebFlux). A lost client is
     * no failure of the request's and is answered before this is asked ({@code FileHandlers.clientWentAway}).
     */
    static HttpStatus statusFor(Throwable e) {
        if (e instanceof RootedPaths.BadPathException) return HttpStatus.BAD_REQUEST;
        if (e instanceof RootedPaths.OutsideRootException) return HttpStatus.NOT_FOUND;
        if (e instanceof NoSuchFileException || e instanceof NotDirectoryException) return HttpStatus.NOT_FOUND;
        if (e instanceof AccessDeniedException) return HttpStatus.FORBIDDEN;
        if (e instanceof java.nio.file.FileAlreadyExistsException) return HttpStatus.CONFLICT;
        // aio4j's own errors, also as the cause of the java.nio.file exception an open throws (the errno, not the
        // C library's wording of the reason, decides)
        AioException a = AioException.find(e).orElse(null);
        if (a != null) {
            String name = a.errnoName() == null ? "" : a.errnoName();
            switch (name) {
                case "EEXIST":
                    return HttpStatus.CONFLICT;
                case "ENOENT", "ENOTDIR", "EISDIR", "ENAMETOOLONG", "ELOOP":
                    return HttpStatus.NOT_FOUND;
                case "EACCES", "EPERM", "EROFS":
                    return HttpStatus.FORBIDDEN;
                case "ENOSPC", "EDQUOT":
                    return HttpStatus.INSUFFICIENT_STORAGE;
                case "EFBIG": // the file size limit (RLIMIT_FSIZE) or the file system's maximum file size
                    return HttpStatus.CONTENT_TOO_LARGE;
                default:
                    return null;
            }
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            String reason = fse.getReason().toLowerCase(java.util.Locale.ROOT);
            // a name longer than the file system allows (ENAMETOOLONG) or a symbolic link loop (ELOOP) names no file
            if (reason.contains("not a directory")
                    || reason.contains("file name too long")
                    || reason.contains("too many levels of symbolic links")) {
                return HttpStatus.NOT_FOUND;
            }
            if (reason.contains("no space") || reason.contains("quota")) return HttpStatus.INSUFFICIENT_STORAGE;
            if (reason.contains("read-only")) return HttpStatus.FORBIDDEN;
        }
        return null;
    }
}

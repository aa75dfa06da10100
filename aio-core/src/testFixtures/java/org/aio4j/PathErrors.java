package org.aio4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/** Assertions on the exceptions of {@link AioException#ofPath}: the java.nio.file type, caused by the AioException. */
public final class PathErrors {
    private PathErrors() {}

    /** The type {@link AioException#ofPath} gives for the errno named {@code errnoName}. */
    public static Class<? extends IOException> typeFor(String errnoName) {
        return switch (errnoName) {
            case "ENOENT" -> NoSuchFileException.class;
            case "EEXIST" -> FileAlreadyExistsException.class;
            case "EACCES", "EPERM" -> AccessDeniedException.class;
            case "ENOTDIR" -> NotDirectoryException.class;
            case "ENOTEMPTY" -> DirectoryNotEmptyException.class;
            case "ELOOP", "ENAMETOOLONG", "EISDIR", "EROFS", "ETXTBSY" -> FileSystemException.class;
            default -> AioException.class;
        };
    }

    /**
     * Asserts that {@code e} is of {@link #typeFor} the errno, that an {@link AioException} with that errno is
     * {@code e} or its cause, and, when {@code path} is not null, that both name {@code path}.
     */
    public static void assertPathError(Throwable e, String errnoName, Path path) {
        assertThat(e).isInstanceOf(typeFor(errnoName));
        AioException a = AioException.find(e).orElseThrow(() -> new AssertionError("no AioException in " + e));
        assertThat(a.errnoName()).isEqualTo(errnoName);
        assertThat(AioException.errnoOf(e)).isEqualTo(a.errno());
        if (e instanceof FileSystemException f && !(e instanceof AioException)) {
            assertThat(e.getCause()).isSameAs(a);
            if (path != null) assertThat(f.getFile()).isEqualTo(path.toString());
        }
        if (path != null) assertThat(a.path()).isEqualTo(path);
    }

    /** {@link #assertPathError(Throwable, String, Path)} without the path. */
    public static void assertPathError(Throwable e, String errnoName) {
        assertPathError(e, errnoName, null);
    }
}

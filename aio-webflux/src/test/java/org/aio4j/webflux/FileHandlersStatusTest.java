package org.aio4j.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.aio4j.AioException;
import org.aio4j.internal.Errno;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

class FileHandlersStatusTest {
    @Test
    void expectedFailuresMapToStatuses() {
        Path p = Path.of("/root/x");
        assertThat(ErrorStatus.statusFor(new RootedPaths.BadPathException("x"))).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(ErrorStatus.statusFor(new RootedPaths.OutsideRootException("x")))
                .isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(ErrorStatus.statusFor(new NoSuchFileException("x"))).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(ErrorStatus.statusFor(new AccessDeniedException("x"))).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(ErrorStatus.statusFor(new FileAlreadyExistsException("x"))).isEqualTo(HttpStatus.CONFLICT);
        assertThat(ErrorStatus.statusFor(new FileSystemException("x", null, "Not a directory")))
                .isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(ErrorStatus.statusFor(AioException.of("write", Errno.ENOSPC.value(), p, 0)))
                .isEqualTo(HttpStatus.INSUFFICIENT_STORAGE);
        assertThat(ErrorStatus.statusFor(AioException.of("open", Errno.EACCES.value(), p, -1)))
                .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(ErrorStatus.statusFor(AioException.of("open", Errno.ENOENT.value(), p, -1)))
                .isEqualTo(HttpStatus.NOT_FOUND);
        // a symbolic link loop or an overlong name: no such file, not a server error
        assertThat(ErrorStatus.statusFor(new FileSystemException(
                        "/root/loop",
                        null,
                        "Too many levels of symbolic links or unable to access attributes of symbolic link")))
                .isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(ErrorStatus.statusFor(new FileSystemException("/root/xxx", null, "File name too long")))
                .isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(ErrorStatus.statusFor(AioException.of("open", Errno.ENAMETOOLONG.value(), p, -1)))
                .isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(ErrorStatus.statusFor(AioException.of("open", Errno.ELOOP.value(), p, -1)))
                .isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(ErrorStatus.statusFor(AioException.of("read", Errno.EIO.value(), p, 0)))
                .isNull();
        // an open's java.nio.file exception caused by the AioException: the errno decides, not the reason's wording
        // (EISDIR arrives as a FileSystemException "Is a directory"; musl words ELOOP "Symbolic link loop")
        FileSystemException isDir = new FileSystemException(p.toString(), null, "Is a directory");
        isDir.initCause(AioException.of("open", Errno.EISDIR.value(), p, -1));
        assertThat(ErrorStatus.statusFor(isDir)).isEqualTo(HttpStatus.NOT_FOUND);
        FileSystemException loop = new FileSystemException(p.toString(), null, "Symbolic link loop");
        loop.initCause(AioException.of("open", Errno.ELOOP.value(), p, -1));
        assertThat(ErrorStatus.statusFor(loop)).isEqualTo(HttpStatus.NOT_FOUND);
        FileSystemException ro = new FileSystemException(p.toString(), null, "RO");
        ro.initCause(AioException.of("open", Errno.EROFS.value(), p, -1));
        assertThat(ErrorStatus.statusFor(ro)).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(ErrorStatus.statusFor(new IllegalStateException())).isNull();
    }
}

package org.aio4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Syscalls} (jffi's invokers) give what the jnr-ffi binding {@link LibC} gives: results, errno, modes. */
class SyscallsTest {
    @TempDir
    Path dir;

    private static byte[] c(Path p) {
        return (p + "\0").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void callsLibcDirectlyHere() {
        // glibc 2.34+ (the build machines): aio_error in libc, so the binding waits for its first use
        assertThat(Syscalls.aioInLibc()).isTrue();
    }

    @Test
    void openCreatesWithTheModeAsLibcDoesAndReportsErrno() throws Exception {
        AioAbi abi = NativeLib.abi();
        int flags = abi.O_WRONLY | abi.O_CREAT | abi.O_EXCL | abi.O_CLOEXEC;
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        int fa = Syscalls.open(c(a), flags, 0640);
        int fb = NativeLib.libc().open(c(b), flags, 0640);
        assertThat(fa).isGreaterThanOrEqualTo(0);
        assertThat(fb).isGreaterThanOrEqualTo(0);
        assertThat(Syscalls.close(fa)).isZero();
        assertThat(Syscalls.close(fb)).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(a)))
                .isEqualTo(PosixFilePermissions.toString(Files.getPosixFilePermissions(b)));

        assertThat(Syscalls.open(c(a), flags, 0640)).isEqualTo(-1);
        assertThat(NativeLib.errno()).isEqualTo(Errno.EEXIST.value());
        assertThat(Syscalls.open(c(dir.resolve("missing")), abi.O_RDONLY, 0)).isEqualTo(-1);
        assertThat(NativeLib.errno()).isEqualTo(Errno.ENOENT.value());
        assertThat(Syscalls.close(fa)).isEqualTo(-1);
        assertThat(NativeLib.errno()).isEqualTo(Errno.EBADF.value());
    }

    @Test
    void seeksTruncatesAndSendsAsLibcDoes() throws Exception {
        AioAbi abi = NativeLib.abi();
        Path sparse = dir.resolve("sparse");
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(64L << 20);
            f.seek(8L << 20);
            f.write("data".getBytes(StandardCharsets.US_ASCII));
        }
        int fd = Syscalls.open(c(sparse), abi.O_RDONLY | abi.O_CLOEXEC, 0);
        try {
            assertThat(Syscalls.lseek(fd, 0, 2))
                    .isEqualTo(64L << 20)
                    .isEqualTo(NativeLib.libc().lseek(fd, 0, 2));
            long data = Syscalls.lseek(fd, 0, 3); // SEEK_DATA
            assertThat(data).isEqualTo(NativeLib.libc().lseek(fd, 0, 3)).isBetween(0L, 8L << 20);
            assertThat(Syscalls.lseek(fd, data, 4)).isEqualTo(NativeLib.libc().lseek(fd, data, 4)); // SEEK_HOLE
            assertThat(Syscalls.lseek(fd, 65L << 20, 3)).isEqualTo(-1);
            assertThat(NativeLib.errno()).isEqualTo(Errno.ENXIO.value());

            Path out = dir.resolve("out");
            int o = Syscalls.open(c(out), abi.O_RDWR | abi.O_CREAT | abi.O_CLOEXEC, 0600);
            long offset = NativeMemory.allocate(8);
            try {
                NativeMemory.putLong(offset, 8L << 20);
                assertThat(Syscalls.sendfile(o, fd, offset, 4)).isEqualTo(4);
                assertThat(NativeMemory.getLong(offset)).isEqualTo((8L << 20) + 4);
                assertThat(Syscalls.ftruncate(o, 10)).isZero();
                assertThat(Syscalls.ftruncate(o, -1)).isEqualTo(-1);
                assertThat(NativeLib.errno()).isEqualTo(Errno.EINVAL.value());
            } finally {
                NativeMemory.free(offset, 8);
                Syscalls.close(o);
            }
            assertThat(Files.readAllBytes(out)).containsExactly('d', 'a', 't', 'a', 0, 0, 0, 0, 0, 0);
        } finally {
            Syscalls.close(fd);
        }
    }
}

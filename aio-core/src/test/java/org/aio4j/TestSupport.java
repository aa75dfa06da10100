package org.aio4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.aio4j.internal.Errno;

/** Helpers shared by the core's tests. */
final class TestSupport {
    static final int EINPROGRESS = Errno.EINPROGRESS.value();

    private TestSupport() {}

    /** A file under {@code dir} with {@code content}, opened read-write. */
    static AioFile tempFile(Path dir, String content) throws IOException {
        Path p = Files.createTempFile(dir, "aio", ".bin");
        Files.write(p, content.getBytes(StandardCharsets.US_ASCII));
        return AioFile.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** A direct buffer holding {@code s}, position 0, limit its length. */
    static ByteBuffer direct(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocateDirect(b.length).put(b).flip();
    }

    /** The remaining bytes of {@code b} as a string, without moving it. */
    static String string(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return new String(a, StandardCharsets.US_ASCII);
    }

    static String contents(AioFile f) throws IOException {
        return Files.readString(f.path(), StandardCharsets.US_ASCII);
    }

    /** nix's poll_aio!: polls error() until it is not EINPROGRESS, sleeping 1 ms between polls (at most 10 s). */
    static int poll(Aio op) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int e;
        while ((e = op.error()) == EINPROGRESS) {
            assertThat(System.nanoTime()).as("completion of %s", op).isLessThan(end);
            Thread.sleep(1);
        }
        return e;
    }

    /** Open fds of this process. */
    static long fdCount() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** Makes a FIFO with the mkfifo tool. */
    static Path mkfifo(Path dir, String name) throws IOException, InterruptedException {
        Path p = dir.resolve(name);
        Process proc = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertThat(proc.waitFor()).isZero();
        return p;
    }

    /** Opens a FIFO read-write, so that open does not block and reads block until someone writes. */
    static AioFile openFifo(Path fifo) throws IOException {
        return AioFile.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** Writes {@code s} to the fd synchronously. */
    static void writeSync(int fd, String s) {
        ByteBuffer b = direct(s);
        long n = org.aio4j.internal.NativeLib.libc()
                .write(fd, org.aio4j.internal.NativeMemory.addressOf(b), b.remaining());
        assertThat(n).isEqualTo(b.remaining());
    }
}

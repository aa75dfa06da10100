package org.aio4j;

import java.nio.ByteBuffer;

/**
 * An asynchronous {@code pwrite}: writes the {@code src.remaining()} bytes at {@code src.position()} to file offset
 * {@code offset}. aio4j never changes the buffer's position or limit. The buffer must be direct and stays strongly
 * referenced until the operation is reaped; do not modify it meanwhile.
 *
 * <pre>{@code
 * ByteBuffer wbuf = ByteBuffer.allocateDirect(12).put("abcdef123456".getBytes()).flip();
 * try (AioWrite w = new AioWrite(file.fd(), 2, wbuf, 0, SigevNotify.none())) {
 *     w.submit();
 *     while (w.error() == Errno.EINPROGRESS.value()) Thread.sleep(10);
 *     assert w.aioReturn() == 12;
 * }
 * }</pre>
 */
public final class AioWrite extends AbstractAio {
    /**
     * A write of {@code src.remaining()} bytes; nothing is submitted until {@link #submit()}.
     *
     * @param fd file descriptor to write to
     * @param offset file offset, not negative (ignored by the OS for files opened with O_APPEND)
     * @param src a direct buffer (read-only is fine)
     * @param prio {@code aio_reqprio}, not negative (glibc refuses more than 20 with EINVAL at submission)
     * @param sigevNotify how completion is notified
     * @throws IllegalArgumentException for a heap buffer, a negative fd, offset or priority
     * @throws NullPointerException for a null buffer or notification
     */
    public AioWrite(int fd, long offset, ByteBuffer src, int prio, SigevNotify sigevNotify) {
        super(Kind.WRITE, fd, offset, src == null ? null : new ByteBuffer[] {src}, prio, sigevNotify, null);
    }

    /**
     * The requested length in bytes ({@code src.remaining()} at construction).
     *
     * @return the byte count this write asks for
     */
    public long nbytes() {
        return totalBytes();
    }

    /**
     * The file offset.
     *
     * @return the position in the file where the write starts, in bytes
     */
    public long offset() {
        return offset;
    }
}

package org.aio4j;

import java.nio.ByteBuffer;

/**
 * An asynchronous {@code pread}: reads {@code dst.remaining()} bytes at file offset {@code offset} into {@code dst}
 * starting at {@code dst.position()}. aio4j never changes the buffer's position or limit: after {@link
 * #aioReturn()} the bytes read are at {@code [position, position + n)}. The buffer must be direct and writable and
 * stays strongly referenced until the operation is reaped; do not touch it meanwhile.
 *
 * <pre>{@code
 * ByteBuffer rbuf = ByteBuffer.allocateDirect(4);
 * try (AioRead r = new AioRead(file.fd(), 2, rbuf, 0, SigevNotify.none())) {
 *     r.submit();
 *     PosixAio.aioSuspend(List.of(r), null);
 *     long n = r.aioReturn(); // 4: rbuf holds "cdef" of "abcdef123456"
 * }
 * }</pre>
 *
 * <p>glibc accepts {@code aio_read} on a bad fd and reports {@code EBADF} on completion.
 */
public final class AioRead extends AbstractAio {
    /**
     * A read of {@code dst.remaining()} bytes; nothing is submitted until {@link #submit()}.
     *
     * @param fd file descriptor to read from
     * @param offset file offset, not negative
     * @param dst a direct, writable buffer
     * @param prio {@code aio_reqprio}: the request runs at the process's priority minus {@code prio}; not negative
     *     (glibc refuses more than 20 with EINVAL at submission)
     * @param sigevNotify how completion is notified
     * @throws IllegalArgumentException for a heap or read-only buffer, a negative fd, offset or priority
     * @throws NullPointerException for a null buffer or notification
     */
    public AioRead(int fd, long offset, ByteBuffer dst, int prio, SigevNotify sigevNotify) {
        super(Kind.READ, fd, offset, dst == null ? null : new ByteBuffer[] {dst}, prio, sigevNotify, null);
    }

    /**
     * The requested length in bytes ({@code dst.remaining()} at construction); the result is {@link #aioReturn()}.
     *
     * @return the byte count this read asks for
     */
    public long nbytes() {
        return totalBytes();
    }

    /**
     * The file offset.
     *
     * @return the position in the file where the read starts, in bytes
     */
    public long offset() {
        return offset;
    }
}

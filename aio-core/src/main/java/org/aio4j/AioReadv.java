package org.aio4j;

import java.nio.ByteBuffer;

/**
 * A vectored operation: reads into the buffers in order, at consecutive file offsets starting at {@code offset}, each
 * buffer's {@code remaining()} bytes at its {@code position()} (never changed by aio4j).
 *
 * <p>FreeBSD has native {@code aio_readv}/{@code aio_writev}, used there (one aiocb with an iovec array; that path
 * is not tested on Linux, where this project is built). Linux and macOS have none: there the operation is a group of
 * aiocbs, one per buffer, submitted with ONE {@code lio_listio(LIO_NOWAIT)} whose sigevent carries this operation's
 * notification. It behaves as one operation: {@link #error()} is {@code EINPROGRESS} while any part runs, then the
 * first part's error; it completes when every part has; {@link #aioReturn()} returns the bytes transferred up to and
 * including the first short part (or throws the first part's error); {@link #cancel()} cancels every part. Unlike a
 * real {@code preadv}, the parts may run in any order and are not atomic with respect to other writers.
 *
 * <pre>{@code
 * ByteBuffer[] bufs = {ByteBuffer.allocateDirect(4), ByteBuffer.allocateDirect(2)};
 * try (AioReadv op = new AioReadv(file.fd(), 2, bufs, 0, SigevNotify.none())) {
 *     op.submit();
 *     PosixAio.aioSuspend(List.of(op), null);
 *     long n = op.aioReturn(); // 6
 * }
 * }</pre>
 */
public final class AioReadv extends AbstractAio {
    /**
     * A vectored operation over {@code dsts}; nothing is submitted until {@link #submit()}.
     *
     * @param fd file descriptor
     * @param offset file offset of the first buffer, not negative
     * @param dsts at least one buffer, each direct, writable
     * @param prio {@code aio_reqprio} of every part, not negative
     * @param sigevNotify how completion of the whole operation is notified
     * @throws IllegalArgumentException for no buffers, a heap or read-only buffer, a negative fd, offset or
     *     priority, or more than {@link PosixAio#MAX_LIST_ENTRIES} buffers (on Linux/macOS each buffer is an
     *     aiocb of one {@code lio_listio} call, whose list glibc puts on the calling thread's stack)
     * @throws NullPointerException for a null array, buffer or notification
     */
    public AioReadv(int fd, long offset, ByteBuffer[] dsts, int prio, SigevNotify sigevNotify) {
        super(Kind.READV, fd, offset, PosixAio.checkVectorLength(dsts), prio, sigevNotify, null);
    }

    /**
     * The number of buffers.
     *
     * @return the count of buffers in the vector
     */
    public int iovlen() {
        return bufferCount();
    }

    /**
     * The total requested length in bytes.
     *
     * @return the sum of the buffers' remaining bytes at construction
     */
    public long nbytes() {
        return totalBytes();
    }

    /**
     * The file offset of the first buffer.
     *
     * @return the position in the file where the read starts, in bytes
     */
    public long offset() {
        return offset;
    }
}

package org.aio4j.engine.internal;

import java.util.Objects;

/**
 * Internal, not API: a {@link Backend} that forwards every call to another one, the base of backend decorators
 * (the fault-injecting backend of aio-core's tests, the scripted backend of the {@code aio-test} kit). A subclass
 * overrides only what it changes. {@link #supportsVector()} is not forwarded (false: the engine submits one op per
 * buffer) unless a subclass that understands {@link Backend#OP_READV}/{@link Backend#OP_WRITEV} overrides it.
 */
public abstract class ForwardingBackend implements Backend {
    /** The backend calls are forwarded to. */
    protected final Backend real;

    /** Forwards to {@code real}. */
    protected ForwardingBackend(Backend real) {
        this.real = Objects.requireNonNull(real, "real");
    }

    @Override
    public int capacity() {
        return real.capacity();
    }

    @Override
    public int submit(int slot, int op, int fd, long buf, long len, long offset, int fsyncOp) {
        return real.submit(slot, op, fd, buf, len, offset, fsyncOp);
    }

    @Override
    public boolean supportsBatch() {
        return real.supportsBatch();
    }

    @Override
    public int submitBatch(
            int[] slots, int n, byte[] ops, int[] fds, long[] bufs, long[] lens, long[] offsets, int[] status) {
        return real.submitBatch(slots, n, ops, fds, bufs, lens, offsets, status);
    }

    @Override
    public boolean supportsReadNow() {
        return real.supportsReadNow();
    }

    @Override
    public long tryReadNow(int slot, int fd, long buf, long len, long offset) {
        return real.tryReadNow(slot, fd, buf, len, offset);
    }

    @Override
    public int cancel(int slot, int fd) {
        return real.cancel(slot, fd);
    }

    @Override
    public int canceledValue() {
        return real.canceledValue();
    }

    @Override
    public boolean perOpCancelNeedsGuard() {
        return real.perOpCancelNeedsGuard();
    }

    @Override
    public int cancelAll(int fd) {
        return real.cancelAll(fd);
    }

    @Override
    public boolean isCancelled(int slot) {
        return real.isCancelled(slot);
    }

    @Override
    public int poll(CompletionSink sink, long timeoutNanos) {
        return real.poll(sink, timeoutNanos);
    }

    @Override
    public void wakeup() {
        real.wakeup();
    }

    @Override
    public String mechanism() {
        return real.mechanism();
    }

    @Override
    public boolean close(long deadlineNanos) {
        return real.close(deadlineNanos);
    }
}

package org.aio4j.reactor.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.AioFsyncMode;
import org.aio4j.engine.AioHandler;
import org.aio4j.internal.Errno;

/**
 * An adversarial engine: ops are held until the test completes them, in any order, with any result; cancel marks
 * an op and completes it as cancelled only when the test says so. Reads are served from {@code content}; writes go
 * into {@code written}.
 *
 * <p>{@link #cancelAll} models {@code aio_cancel(fd, NULL)}: every op of the file still queued (not {@link
 * Op#start() started} by a "helper") is cancelled: it will never run, and completes as cancelled when the test
 * reaps it ({@link #reapCancelled()}, or {@link Op#complete()}, which then reports ECANCELED as a reap would);
 * ops already running are left alone and complete normally.
 */
final class FakeOps implements AioOps {
    final class Op {
        final String kind;
        final AioFile file;
        final long position;
        final ByteBuffer buffer;
        final Object attachment;
        final AioHandler<Object> handler;
        final long token;
        volatile boolean cancelRequested;
        /** {@link #QUEUED}, {@link #RUNNING} or {@link #CANCELLED} (by {@link FakeOps#cancelAll}). */
        final AtomicInteger phase = new AtomicInteger(QUEUED);

        final AtomicInteger calls = new AtomicInteger();

        @SuppressWarnings("unchecked")
        Op(String kind, AioFile file, long position, ByteBuffer buffer, Object attachment, AioHandler<?> handler) {
            this.kind = kind;
            this.file = file;
            this.position = position;
            this.buffer = buffer;
            this.attachment = attachment;
            this.handler = (AioHandler<Object>) handler;
            this.token = tokens.incrementAndGet();
        }

        /** A helper takes the op: from now on cancelAll leaves it alone. False if it was cancelled first. */
        boolean start() {
            return phase.compareAndSet(QUEUED, RUNNING) || phase.get() == RUNNING;
        }

        /**
         * Performs the op for up to {@code max} bytes and calls the handler; an op cancelled by cancelAll before it
         * was started is reaped as cancelled instead (it never ran).
         */
        void complete(int max) {
            if (!start()) {
                cancelled();
                return;
            }
            int n = Math.min(max, buffer == null ? 0 : buffer.remaining());
            if (kind.equals("read")) {
                int avail = (int) Math.max(0, Math.min(n, content.length - position));
                ByteBuffer d = buffer.duplicate();
                d.put(content, (int) Math.min(position, content.length), avail);
                n = avail;
            } else if (kind.equals("write")) {
                ByteBuffer s = buffer.duplicate();
                synchronized (written) {
                    for (int i = 0; i < n; i++) written.add(new long[] {position + i, s.get()});
                }
            }
            done();
            handler.completed(n, attachment);
        }

        void complete() {
            complete(Integer.MAX_VALUE);
        }

        void fail(int errno) {
            done();
            if (errno == Errno.ECANCELED.value()) completedCancelled.incrementAndGet();
            handler.failed(AioException.of("aio_" + kind, errno), attachment);
        }

        void cancelled() {
            fail(Errno.ECANCELED.value());
        }

        private void done() {
            if (calls.incrementAndGet() != 1) throw new AssertionError("handler called twice");
            synchronized (FakeOps.this) {
                pending.remove(this);
            }
            inFlight.decrementAndGet();
        }
    }

    final byte[] content;
    final List<long[]> written = new ArrayList<>();
    final List<Op> pending = new ArrayList<>();
    final List<Op> all = new ArrayList<>();
    final AtomicLong tokens = new AtomicLong();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger peak = new AtomicInteger();
    final AtomicInteger cancels = new AtomicInteger();
    /** Calls of {@link #cancelAll}, and the ops they cancelled (queued ones). */
    final AtomicInteger cancelAlls = new AtomicInteger();

    final AtomicInteger cancelledByCancelAll = new AtomicInteger();
    /** Ops whose handler got ECANCELED. */
    final AtomicInteger completedCancelled = new AtomicInteger();

    static final int QUEUED = 0;
    static final int RUNNING = 1;
    static final int CANCELLED = 2;
    volatile RuntimeException throwOnSubmit;

    FakeOps(byte[] content) {
        this.content = content;
    }

    private synchronized long add(Op op) {
        RuntimeException t = throwOnSubmit;
        if (t != null) throw t;
        pending.add(op);
        all.add(op);
        peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        return op.token;
    }

    @Override
    public <A> long read(AioFile file, long position, ByteBuffer dst, A attachment, AioHandler<? super A> handler) {
        return add(new Op("read", file, position, dst, attachment, handler));
    }

    @Override
    public <A> long write(AioFile file, long position, ByteBuffer src, A attachment, AioHandler<? super A> handler) {
        return add(new Op("write", file, position, src, attachment, handler));
    }

    @Override
    public <A> long fsync(AioFile file, AioFsyncMode mode, A attachment, AioHandler<? super A> handler) {
        return add(new Op("fsync", file, -1, null, attachment, handler));
    }

    @Override
    public synchronized boolean cancel(long token) {
        cancels.incrementAndGet();
        for (Op op : pending) {
            if (op.token == token) {
                op.cancelRequested = true;
                return true;
            }
        }
        return false;
    }

    @Override
    public synchronized int cancelAll(AioFile file) {
        java.util.Objects.requireNonNull(file, "file");
        cancelAlls.incrementAndGet();
        int n = 0;
        for (Op op : pending) {
            if (op.file == file && op.phase.compareAndSet(QUEUED, CANCELLED)) {
                op.cancelRequested = true;
                n++;
            }
        }
        cancelledByCancelAll.addAndGet(n);
        return n;
    }

    /** The engine's reap of cancelled ops: each op cancelAll cancelled completes as cancelled; returns how many. */
    int reapCancelled() {
        int n = 0;
        for (Op op : pending()) {
            if (op.phase.get() == CANCELLED) {
                op.cancelled();
                n++;
            }
        }
        return n;
    }

    synchronized List<Op> pending() {
        return new ArrayList<>(pending);
    }

    synchronized int submitted() {
        return all.size();
    }

    /** Waits until {@code n} ops are pending. */
    List<Op> awaitPending(int n) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (pending().size() < n) {
            if (System.nanoTime() > deadline) throw new AssertionError("expected " + n + " pending, have " + pending());
            Thread.onSpinWait();
        }
        return pending();
    }
}

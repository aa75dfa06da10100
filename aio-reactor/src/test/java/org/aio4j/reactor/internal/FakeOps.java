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
 */
final class FakeOps implements AioOps {
    final class Op {
        final String kind;
        final long position;
        final ByteBuffer buffer;
        final Object attachment;
        final AioHandler<Object> handler;
        final long token;
        volatile boolean cancelRequested;
        final AtomicInteger calls = new AtomicInteger();

        @SuppressWarnings("unchecked")
        Op(String kind, long position, ByteBuffer buffer, Object attachment, AioHandler<?> handler) {
            this.kind = kind;
            this.position = position;
            this.buffer = buffer;
            this.attachment = attachment;
            this.handler = (AioHandler<Object>) handler;
            this.token = tokens.incrementAndGet();
        }

        /** Performs the op for up to {@code max} bytes and calls the handler. */
        void complete(int max) {
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
        return add(new Op("read", position, dst, attachment, handler));
    }

    @Override
    public <A> long write(AioFile file, long position, ByteBuffer src, A attachment, AioHandler<? super A> handler) {
        return add(new Op("write", position, src, attachment, handler));
    }

    @Override
    public <A> long fsync(AioFile file, AioFsyncMode mode, A attachment, AioHandler<? super A> handler) {
        return add(new Op("fsync", -1, null, attachment, handler));
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

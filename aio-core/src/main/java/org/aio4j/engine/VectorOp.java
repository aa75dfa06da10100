package org.aio4j.engine;

import java.util.concurrent.atomic.AtomicInteger;
import org.aio4j.AioCancelledException;
import org.aio4j.AioException;

/**
 * readv/writev as parts run in parallel, each at its own file offset: on POSIX AIO one part per buffer (glibc has no
 * vectored AIO); on io_uring one READV/WRITEV per group of buffers (one group unless the vector has more than 1024
 * buffers or 1 GiB). The result is the byte count of the leading parts up to and including the first one that came
 * back short (as {@code preadv} would count), or the error of the lowest-numbered part that failed; cancelled if any
 * part was cancelled and none failed otherwise.
 */
final class VectorOp implements AioHandler<Object> {
    private final AioEngine engine;
    private final EngineFuture<Long> future;
    private final long[] requested;
    private final long[] results;
    private final AioException[] errors;
    private final long[] tokens;
    private final AtomicInteger remaining;
    private volatile boolean cancelRequested;

    VectorOp(AioEngine engine, EngineFuture<Long> future, long[] requested) {
        this.engine = engine;
        this.future = future;
        this.requested = requested;
        this.results = new long[requested.length];
        this.errors = new AioException[requested.length];
        this.tokens = new long[requested.length];
        this.remaining = new AtomicInteger(requested.length);
    }

    void token(int i, long t) {
        synchronized (tokens) {
            tokens[i] = t;
        }
        if (cancelRequested && t != 0) engine.cancel(t);
    }

    boolean cancelAll() {
        cancelRequested = true;
        boolean any = false;
        long[] ts;
        synchronized (tokens) {
            ts = tokens.clone();
        }
        for (long t : ts) if (t != 0 && engine.cancel(t)) any = true;
        return any;
    }

    @Override
    public void completed(long result, Object index) {
        results[(Integer) index] = result;
        done();
    }

    @Override
    public void failed(AioException error, Object index) {
        errors[(Integer) index] = error;
        done();
    }

    private void done() {
        if (remaining.decrementAndGet() != 0) return;
        AioException firstError = null;
        AioException cancelled = null;
        for (AioException e : errors) {
            if (e == null) continue;
            if (e instanceof AioCancelledException) {
                if (cancelled == null) cancelled = e;
            } else if (firstError == null) {
                firstError = e;
            }
        }
        if (firstError != null) {
            future.fail(firstError);
        } else if (cancelled != null) {
            future.fail(cancelled);
        } else {
            long total = 0;
            for (int i = 0; i < results.length; i++) {
                total += results[i];
                if (results[i] < requested[i]) break;
            }
            future.succeed(total);
        }
    }
}

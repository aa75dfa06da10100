package org.aio4j.engine;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.aio4j.AioCancelledException;
import org.aio4j.AioException;

/**
 * The future an {@link AioEngine} returns. {@link #cancel} goes through {@link AioEngine#cancel(long)}; the future completes as
 * cancelled only after the reaper has reaped the cancelled op, so the buffer is free to reuse once {@link
 * #isDone()} is true, whatever the outcome.
 */
final class EngineFuture<T> extends CompletableFuture<T> {
    static final int INT = 0, VOID = 1, LONG = 2;

    static final AioHandler<EngineFuture<?>> HANDLER = new AioHandler<>() {
        @Override
        public void completed(long result, EngineFuture<?> f) {
            f.succeed(result);
        }

        @Override
        public void failed(AioException error, EngineFuture<?> f) {
            f.fail(error);
        }
    };

    private final AioEngine engine;
    private final int type;
    private volatile long token;
    private volatile boolean cancelRequested;
    volatile VectorOp vector;

    EngineFuture(AioEngine engine, int type) {
        this.engine = engine;
        this.type = type;
    }

    void setToken(long t) {
        token = t;
        if (cancelRequested && t != 0) engine.cancel(t);
    }

    @SuppressWarnings("unchecked")
    void succeed(long result) {
        Object v;
        if (type == INT) v = Integer.valueOf((int) result);
        else if (type == LONG) v = Long.valueOf(result);
        else v = null;
        complete((T) v);
    }

    void fail(AioException error) {
        if (error instanceof AioCancelledException) {
            CancellationException ce = new CancellationException(error.getMessage());
            ce.initCause(error);
            completeExceptionally(ce);
        } else {
            completeExceptionally(error);
        }
    }

    /**
     * Asks the engine to cancel the operation ({@link AioEngine#cancel(long)}: {@code aio_cancel} only where it
     * cannot strand other requests). Returns true when the request was cancelled (or was still waiting for a slot):
     * the future then completes as cancelled as soon as the reaper has reaped it, which may be just after this
     * method returns. Returns false when it already completed, is already running, or (glibc) shares its fd number
     * with another request in flight: it then completes normally. {@code mayInterruptIfRunning} is ignored: a
     * running request cannot be interrupted.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (isDone()) return false;
        cancelRequested = true;
        VectorOp v = vector;
        if (v != null) return v.cancelAll();
        long t = token;
        return t != 0 && engine.cancel(t);
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }

    @Override
    public String toString() {
        return "EngineFuture[" + super.toString() + "]";
    }
}

package org.aio4j.engine;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.aio4j.AioCancelledException;
import org.aio4j.AioException;

/**
 * The future an {@link AioEngine} returns. It completes only when its operation has been reaped, so the buffer is
 * free to reuse once {@link #isDone()} is true, whatever the outcome.
 *
 * <p>Therefore nothing but the engine completes it: {@link #complete}, {@link #completeExceptionally}, {@link
 * #completeAsync}, {@link #obtrudeValue} and {@link #obtrudeException} throw {@link UnsupportedOperationException}
 * (complete a dependent future such as {@code thenApply(x -> x)} or {@code copy()} instead). {@link #cancel} goes
 * through {@link AioEngine#cancel(long)}; {@link #orTimeout} and {@link #completeOnTimeout} are cancel-and-wait: when
 * the time is up they ask the engine to cancel the operation, and the future completes (with the {@link
 * TimeoutException}, or the given value) once the operation was reaped, not before. An operation that cannot be
 * cancelled (already running) therefore times out only when it ends.
 *
 * <p>Inline completion is bounded: a future completed inside the call that submitted it (the cached-read fast path),
 * on a thread that already completed 16 such futures in a row, is completed by the engine's reaper thread instead, so
 * a {@code whenComplete} loop that submits the next read neither overflows the stack nor keeps the thread. Waiting
 * with {@link #join()} or {@link #get()} inside a completion handler first runs the completions queued on the
 * current thread, so it cannot wait for a completion queued behind itself.
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

    /**
     * Completes without the inline check: for completions handed to the reaper. Not before the submitting call has
     * returned the future (it is re-queued until then): completed earlier, the caller's {@code whenComplete} would
     * find it done and run the next step inline on the caller's stack again, which the hand-off is meant to end.
     */
    private static final AioHandler<EngineFuture<?>> HANDED_OFF = new AioHandler<>() {
        @Override
        public void completed(long result, EngineFuture<?> f) {
            if (f.submitter != null && !f.engine.isTerminated()) f.engine.completions.requeue(this, f, result, null);
            else f.completeNow(result, null);
        }

        @Override
        public void failed(AioException error, EngineFuture<?> f) {
            if (f.submitter != null && !f.engine.isTerminated()) f.engine.completions.requeue(this, f, -1, error);
            else f.completeNow(-1, error);
        }
    };

    private static final Object NO_VALUE = new Object();

    private final AioEngine engine;
    private final int type;
    private volatile long token;
    private volatile boolean cancelRequested;
    volatile VectorOp vector;
    /** The thread inside the submitting call, until it returns (inline completions are counted there). */
    private volatile Thread submitter = Thread.currentThread();
    /** Set when {@link #orTimeout} or {@link #completeOnTimeout} fired: the value to complete with once reaped. */
    private volatile Object onTimeout = NO_VALUE;

    EngineFuture(AioEngine engine, int type) {
        this.engine = engine;
        this.type = type;
    }

    void setToken(long t) {
        token = t;
        submitter = null;
        if (cancelRequested && t != 0) engine.cancel(t);
    }

    /** The submitting call returned (for futures without a token). */
    void submitReturned() {
        submitter = null;
    }

    void succeed(long result) {
        if (mustHandOff()) engine.completions.handOff(HANDED_OFF, this, result, null);
        else completeNow(result, null);
    }

    void fail(AioException error) {
        if (mustHandOff()) engine.completions.handOff(HANDED_OFF, this, -1, error);
        else completeNow(-1, error);
    }

    private boolean mustHandOff() {
        return submitter == Thread.currentThread() && !Trampoline.mayCompleteInline();
    }

    @SuppressWarnings("unchecked")
    private void completeNow(long result, AioException error) {
        Object timeout = onTimeout;
        if (timeout instanceof TimeoutException te) {
            if (error != null) te.addSuppressed(error);
            super.completeExceptionally(te);
        } else if (timeout != NO_VALUE) {
            super.complete(timeout == NULL_VALUE ? null : (T) timeout);
        } else if (error instanceof AioCancelledException) {
            CancellationException ce = new CancellationException(error.getMessage());
            ce.initCause(error);
            super.completeExceptionally(ce);
        } else if (error != null) {
            super.completeExceptionally(error);
        } else {
            Object v;
            if (type == INT) v = Integer.valueOf((int) result);
            else if (type == LONG) v = Long.valueOf(result);
            else v = null;
            super.complete((T) v);
        }
    }

    private static final Object NULL_VALUE = new Object();

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

    /**
     * Cancel-and-wait: after {@code timeout}, asks the engine to cancel the operation; the future completes with a
     * {@link TimeoutException} once the operation was reaped (its buffer free), not before. If the operation
     * completed first, its own outcome stands.
     */
    @Override
    public CompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        return onTimeout(timeout, unit, new TimeoutException());
    }

    /**
     * Cancel-and-wait: after {@code timeout}, asks the engine to cancel the operation; the future completes with
     * {@code value} once the operation was reaped (its buffer free), not before. If the operation completed first,
     * its own outcome stands.
     */
    @Override
    public CompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        return onTimeout(timeout, unit, value == null ? NULL_VALUE : value);
    }

    private CompletableFuture<T> onTimeout(long timeout, TimeUnit unit, Object outcome) {
        if (!isDone()) {
            CompletableFuture.delayedExecutor(timeout, unit).execute(() -> {
                if (isDone()) return;
                onTimeout = outcome;
                cancel(false);
            });
        }
        return this;
    }

    /** Refused: only the engine completes this future, once the operation was reaped. */
    @Override
    public boolean complete(T value) {
        throw refused();
    }

    /** Refused: only the engine completes this future, once the operation was reaped. */
    @Override
    public boolean completeExceptionally(Throwable ex) {
        throw refused();
    }

    /** Refused: only the engine completes this future, once the operation was reaped. */
    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
        throw refused();
    }

    /** Refused: only the engine completes this future, once the operation was reaped. */
    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
        throw refused();
    }

    /** Refused: only the engine completes this future, once the operation was reaped. */
    @Override
    public void obtrudeValue(T value) {
        throw refused();
    }

    /** Refused: only the engine completes this future, once the operation was reaped. */
    @Override
    public void obtrudeException(Throwable ex) {
        throw refused();
    }

    private static UnsupportedOperationException refused() {
        return new UnsupportedOperationException("an engine future completes only when its operation was reaped "
                + "(its buffer is then free): cancel it with cancel(true) or orTimeout, or complete a dependent "
                + "future such as copy()");
    }

    /** Runs the completions queued on this thread first (see the class comment), then waits. */
    @Override
    public T join() {
        Trampoline.helpUntilDone(this);
        try {
            return super.join();
        } catch (CancellationException e) {
            throw cancelled(e);
        }
    }

    /** Runs the completions queued on this thread first (see the class comment), then waits. */
    @Override
    public T get() throws InterruptedException, ExecutionException {
        Trampoline.helpUntilDone(this);
        try {
            return super.get();
        } catch (CancellationException e) {
            throw cancelled(e);
        }
    }

    /** Runs the completions queued on this thread first (see the class comment), then waits. */
    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        Trampoline.helpUntilDone(this);
        try {
            return super.get(timeout, unit);
        } catch (CancellationException e) {
            throw cancelled(e);
        }
    }

    /** Like {@link CompletableFuture#getNow}; a cancelled operation throws as {@link #join()} does. */
    @Override
    public T getNow(T valueIfAbsent) {
        try {
            return super.getNow(valueIfAbsent);
        } catch (CancellationException e) {
            throw cancelled(e);
        }
    }

    /**
     * The same {@link CancellationException} on every JDK: its cause is the {@link AioCancelledException} the
     * operation was cancelled with. Newer JDKs' {@code CompletableFuture.get} wraps a stored {@code
     * CancellationException} in a new one, which moved the cause one level deeper (seen on JDK 25; 17 and 21 throw
     * the stored one). A cancellation that did not come from the engine (none can: external completion is refused)
     * is passed on as it is.
     */
    private static CancellationException cancelled(CancellationException e) {
        Throwable c = e;
        while (c != null && !(c instanceof AioCancelledException)) c = c.getCause();
        if (c == null || e.getCause() == c) return e;
        CancellationException flat = new CancellationException(c.getMessage());
        flat.initCause(c);
        return flat;
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

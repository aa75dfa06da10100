package org.aio4j.engine;

import org.aio4j.AioException;

/**
 * Delivers completions on the current thread, bounded: never nested, and at most {@link #MAX_INLINE} per
 * activation.
 *
 * <p>A completion delivered while this thread is already inside a handler is queued and run when that handler
 * returns (no nesting, so a handler that resubmits cannot grow the stack). One activation (the outermost delivery and
 * what it queued) runs at most {@link #MAX_INLINE} completions; the next one is handed to its engine's completion
 * thread (the reaper, through {@link Completions#handOff}), like the JDK's {@code sun.nio.ch.Invoker} hands off after
 * 16 direct invocations. So a handler chain that keeps hitting the cached-read fast path cannot keep the submitting
 * thread (or the reaper) for itself: chains started from one thread all make progress. Where a completion comes from
 * and goes is told in {@link Completions}.
 *
 * <p>Per thread, array-backed: nothing is allocated per completion.
 */
final class Trampoline {
    /** Completions one thread runs in one activation before handing the next to the engine's reaper (the JDK's 16). */
    static final int MAX_INLINE = 16;

    private static final System.Logger LOG = System.getLogger(AioEngine.class.getName());
    private static final ThreadLocal<Trampoline> CURRENT = ThreadLocal.withInitial(Trampoline::new);

    private boolean active;
    /** Completions run or queued in the current activation. */
    private int used;

    private final AioHandler<Object>[] handlers = newHandlers(MAX_INLINE);
    private final Object[] attachments = new Object[MAX_INLINE];
    private final long[] results = new long[MAX_INLINE];
    private final AioException[] errors = new AioException[MAX_INLINE];
    private int head, size;

    /** Consecutive engine futures completed on this thread inside the call that submitted them. */
    private int inlineFutures;

    @SuppressWarnings("unchecked")
    private static AioHandler<Object>[] newHandlers(int n) {
        return (AioHandler<Object>[]) new AioHandler<?>[n];
    }

    /** True while the current thread runs a completion handler of some engine. */
    static boolean inHandler() {
        return CURRENT.get().active;
    }

    /**
     * For an engine future completed inside the call that submitted it: true if it may complete now, false if it
     * must be handed off (the 17th in a row on this thread). A resubmitting {@code whenComplete} loop nests one
     * level per inline completion outside the engine's view; handing every 17th off bounds that nesting.
     */
    static boolean mayCompleteInline() {
        Trampoline t = CURRENT.get();
        if (t.inlineFutures < MAX_INLINE) {
            t.inlineFutures++;
            return true;
        }
        t.inlineFutures = 0;
        return false;
    }

    @SuppressWarnings("unchecked")
    static void deliver(
            Completions completions, AioHandler<?> handler, Object attachment, long result, AioException error) {
        Trampoline t = CURRENT.get();
        if (t.active) {
            if (t.used < MAX_INLINE) {
                t.used++;
                t.push((AioHandler<Object>) handler, attachment, result, error);
            } else {
                completions.handOff(handler, attachment, result, error);
            }
            return;
        }
        t.active = true;
        t.used = 1;
        try {
            invoke((AioHandler<Object>) handler, attachment, result, error);
            while (t.size > 0) t.runOne();
        } finally {
            t.active = false;
            t.used = 0;
        }
    }

    /**
     * Runs the completions queued on the current thread until {@code f} is done or none is left: a handler that
     * waits for an engine future whose completion is queued behind it on this thread would otherwise wait forever.
     */
    static void helpUntilDone(EngineFuture<?> f) {
        Trampoline t = CURRENT.get();
        while (!f.isDone() && t.size > 0) t.runOne();
    }

    private void runOne() {
        int i = head;
        AioHandler<Object> h = handlers[i];
        Object a = attachments[i];
        long r = results[i];
        AioException e = errors[i];
        handlers[i] = null;
        attachments[i] = null;
        errors[i] = null;
        head = (i + 1) % MAX_INLINE;
        size--;
        invoke(h, a, r, e);
    }

    static void invoke(AioHandler<Object> h, Object a, long r, AioException e) {
        try {
            if (e == null) h.completed(r, a);
            else h.failed(e, a);
        } catch (Throwable x) {
            LOG.log(System.Logger.Level.WARNING, "aio4j completion handler threw", x);
        }
    }

    private void push(AioHandler<Object> h, Object a, long r, AioException e) {
        int i = (head + size) % MAX_INLINE;
        handlers[i] = h;
        attachments[i] = a;
        results[i] = r;
        errors[i] = e;
        size++;
    }
}

package org.aio4j.engine;

import org.aio4j.AioException;

/**
 * Delivers completions on the current thread without nesting: a completion delivered while this thread is already
 * inside a handler is queued and run when that handler returns. Per thread, array-backed: nothing is allocated per
 * completion once the arrays have grown to the deepest burst.
 */
final class Trampoline {
    private static final System.Logger LOG = System.getLogger(AioEngine.class.getName());
    private static final ThreadLocal<Trampoline> CURRENT = ThreadLocal.withInitial(Trampoline::new);

    private boolean active;
    private AioHandler<Object>[] handlers = newHandlers(16);
    private Object[] attachments = new Object[16];
    private long[] results = new long[16];
    private AioException[] errors = new AioException[16];
    private int head, size;

    @SuppressWarnings("unchecked")
    private static AioHandler<Object>[] newHandlers(int n) {
        return (AioHandler<Object>[]) new AioHandler<?>[n];
    }

    @SuppressWarnings("unchecked")
    static void deliver(AioHandler<?> handler, Object attachment, long result, AioException error) {
        Trampoline t = CURRENT.get();
        if (t.active) {
            t.push((AioHandler<Object>) handler, attachment, result, error);
            return;
        }
        t.active = true;
        try {
            invoke((AioHandler<Object>) handler, attachment, result, error);
            while (t.size > 0) {
                int i = t.head;
                AioHandler<Object> h = t.handlers[i];
                Object a = t.attachments[i];
                long r = t.results[i];
                AioException e = t.errors[i];
                t.handlers[i] = null;
                t.attachments[i] = null;
                t.errors[i] = null;
                t.head = (i + 1) & (t.handlers.length - 1);
                t.size--;
                invoke(h, a, r, e);
            }
        } finally {
            t.active = false;
        }
    }

    private static void invoke(AioHandler<Object> h, Object a, long r, AioException e) {
        try {
            if (e == null) h.completed(r, a);
            else h.failed(e, a);
        } catch (Throwable x) {
            LOG.log(System.Logger.Level.WARNING, "aio4j completion handler threw", x);
        }
    }

    private void push(AioHandler<Object> h, Object a, long r, AioException e) {
        if (size == handlers.length) grow();
        int i = (head + size) & (handlers.length - 1);
        handlers[i] = h;
        attachments[i] = a;
        results[i] = r;
        errors[i] = e;
        size++;
    }

    private void grow() {
        int n = handlers.length * 2;
        AioHandler<Object>[] h2 = newHandlers(n);
        Object[] a2 = new Object[n];
        long[] r2 = new long[n];
        AioException[] e2 = new AioException[n];
        for (int k = 0; k < size; k++) {
            int i = (head + k) & (handlers.length - 1);
            h2[k] = handlers[i];
            a2[k] = attachments[i];
            r2[k] = results[i];
            e2[k] = errors[i];
        }
        handlers = h2;
        attachments = a2;
        results = r2;
        errors = e2;
        head = 0;
    }
}

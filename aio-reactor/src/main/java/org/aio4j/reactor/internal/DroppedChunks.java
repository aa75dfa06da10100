package org.aio4j.reactor.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Hooks;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Gives back to {@link ChunkPool#shared()} the chunks that an operator drops through {@code
 * Operators.onNextDropped}.
 *
 * <p>A cancel from another thread can meet a chunk whose {@code onNext} is already under way (the stream checked
 * for a cancel just before it emitted). Most Reactor operators hand such an element to the discard hook ({@code
 * doOnDiscard(ByteBuffer.class, AioFiles::release)}), but some drop it through {@code Operators.onNextDropped}
 * instead: a disposed {@code Mono.subscribe(consumer)}, {@code timeout} after it fired, any operator that receives
 * an element after it terminated. Nobody owns a dropped chunk, so nobody would ever release it, and the pool would
 * count it as outstanding for the life of the JVM. {@link #install()} adds, once per class loader, a global {@link
 * Hooks#onNextDropped} consumer (Reactor's hooks are cumulative: hooks installed by the application still run)
 * that releases pooled chunks and, for anything else, logs at DEBUG on Reactor's logger as Reactor does when no
 * hook is set. {@code Hooks.resetOnNextDropped()} removes it; a context-local {@code onNextDropped} hook replaces
 * it for its subscription.
 */
public final class DroppedChunks {
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();
    private static final Logger LOG = Loggers.getLogger("reactor.core.publisher.Operators");

    private DroppedChunks() {}

    /** Installs the hook unless this class already did. Called when the first read is created. */
    public static void install() {
        if (INSTALLED.compareAndSet(false, true)) Hooks.onNextDropped(DroppedChunks::onDropped);
    }

    /** The hook: a pooled chunk goes back to the pool; anything else is logged at DEBUG, as by default. */
    static void onDropped(Object dropped) {
        if (dropped instanceof ByteBuffer && ChunkPool.shared().release((ByteBuffer) dropped)) return;
        if (LOG.isDebugEnabled()) LOG.debug("onNextDropped: " + dropped);
    }
}

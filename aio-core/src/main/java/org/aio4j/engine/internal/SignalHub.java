package org.aio4j.engine.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Process-wide JVM handlers for the classic signals that {@code SIGNAL} mode uses as wake-ups ({@code USR1},
 * {@code USR2}).
 *
 * <p>While at least one engine uses a signal, the engine owns it: its handler only wakes the reapers and does
 * <em>not</em> chain to the handler found before. Chaining ran the application's handler for nearly every completion
 * (9,983 of 10,000 reads, issue 9), each on a thread the JVM starts per delivery; a completion wake-up is not the
 * application's signal. A signal the application raises itself while an engine owns it only wakes the reapers.
 *
 * <p>When the last engine using the signal closes, the handler found when the first one registered is put back if it
 * was the application's own handler or {@code SIG_IGN} (if the application replaced the engine's handler
 * meanwhile, its handler is left in place). {@code SIG_DFL} is never put back: a completion signal still on its way
 * (queued before its op was reaped, delivered to the JVM later) would then terminate the JVM, so the engine's handler stays installed,
 * doing nothing while no engine uses it. A late completion signal may likewise reach a restored application handler
 * once.
 */
final class SignalHub {
    /** Guarded by the class lock. */
    private static final Map<String, Hub> HUBS = new HashMap<>();

    private SignalHub() {}

    static final class Hub implements SignalHandler {
        final CopyOnWriteArrayList<JvmSignalWaiter> waiters = new CopyOnWriteArrayList<>();
        /** The handler to put back when the last waiter leaves (guarded by the class lock). */
        SignalHandler previous;

        @Override
        public void handle(Signal sig) {
            for (JvmSignalWaiter w : waiters) w.signalled();
        }
    }

    /**
     * Registers {@code w} and (re)installs the engine's handler for {@code name}; remembers the handler it replaces,
     * unless that is already the engine's.
     *
     * @throws IllegalArgumentException if the JVM refuses the signal (for example one it uses itself)
     */
    static synchronized void register(String name, JvmSignalWaiter w) {
        Hub hub = HUBS.get(name);
        if (hub == null) hub = new Hub();
        SignalHandler found = Signal.handle(new Signal(name), hub);
        HUBS.put(name, hub);
        if (found != hub) hub.previous = found; // first engine, or the application installed its own since
        hub.waiters.add(w);
    }

    /** Unregisters {@code w}; the last one out puts the previous handler back (see the class comment). */
    static synchronized void unregister(String name, JvmSignalWaiter w) {
        Hub hub = HUBS.get(name);
        if (hub == null || !hub.waiters.remove(w) || !hub.waiters.isEmpty()) return;
        SignalHandler p = hub.previous;
        if (p == null || p == SignalHandler.SIG_DFL) return; // keep ours: a late signal must not terminate the JVM
        Signal sig = new Signal(name);
        SignalHandler current = Signal.handle(sig, p);
        if (current != hub) Signal.handle(sig, current); // the application replaced ours meanwhile: keep its own
        hub.previous = null;
        HUBS.remove(name);
    }
}

package org.aio4j.engine.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Process-wide JVM handlers for the classic signals that {@code SIGNAL} mode uses as wake-ups ({@code USR1},
 * {@code USR2}). A handler is installed once per signal name and never removed: restoring the default action while
 * a late completion signal is still on its way would kill the JVM. A handler found installed before is chained.
 */
final class SignalHub {
    private static final Map<String, Hub> HUBS = new ConcurrentHashMap<>();

    private SignalHub() {}

    static final class Hub implements SignalHandler {
        final CopyOnWriteArrayList<JvmSignalWaiter> waiters = new CopyOnWriteArrayList<>();
        volatile SignalHandler previous;

        @Override
        public void handle(Signal sig) {
            for (JvmSignalWaiter w : waiters) w.signalled();
            SignalHandler p = previous;
            if (p != null && p != SignalHandler.SIG_DFL && p != SignalHandler.SIG_IGN) {
                try {
                    p.handle(sig);
                } catch (RuntimeException ignored) {
                    // a foreign handler's failure must not stop our wake-ups
                }
            }
        }
    }

    /**
     * Registers {@code w}; installs the JVM handler for {@code name} on first use.
     *
     * @throws IllegalArgumentException if the JVM refuses the signal (for example one it uses itself)
     */
    static synchronized void register(String name, JvmSignalWaiter w) {
        Hub hub = HUBS.get(name);
        if (hub == null) {
            hub = new Hub();
            hub.previous = Signal.handle(new Signal(name), hub);
            HUBS.put(name, hub);
        }
        hub.waiters.add(w);
    }

    static synchronized void unregister(String name, JvmSignalWaiter w) {
        Hub hub = HUBS.get(name);
        if (hub != null) hub.waiters.remove(w);
    }
}

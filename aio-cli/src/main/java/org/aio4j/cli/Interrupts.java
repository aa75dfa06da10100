package org.aio4j.cli;

/**
 * Runs an action on Ctrl-C (SIGINT) instead of letting the JVM die, so a command can cancel cleanly and choose its
 * exit code. Uses {@code sun.misc.Signal} (module jdk.unsupported); where that is missing, a shutdown hook.
 */
final class Interrupts {
    private Interrupts() {}

    /** Installs {@code action} for SIGINT until the returned handle is closed. */
    @SuppressWarnings("removal")
    static AutoCloseable onInterrupt(Runnable action) {
        try {
            sun.misc.Signal sigint = new sun.misc.Signal("INT");
            sun.misc.SignalHandler previous = sun.misc.Signal.handle(sigint, s -> action.run());
            return () -> sun.misc.Signal.handle(sigint, previous);
        } catch (Throwable unsupported) {
            Thread hook = new Thread(action, "aio-interrupt");
            Runtime.getRuntime().addShutdownHook(hook);
            return () -> {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: nothing to remove
                }
            };
        }
    }
}

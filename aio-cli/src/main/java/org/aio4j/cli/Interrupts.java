package org.aio4j.cli;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Runs an action on SIGINT (Ctrl-C), SIGTERM and SIGHUP instead of letting the JVM die, so a command can cancel,
 * clean up and choose its exit code (128 + the signal number: 130, 143, 129).
 *
 * <p>Uses {@code sun.misc.Signal} (module jdk.unsupported, reached by reflection, so nothing of it loads unless a
 * command asks for it). A signal that was ignored when the JVM started (SIGHUP under {@code nohup}) stays ignored:
 * the JVM does not install a handler for it. Where {@code sun.misc.Signal} is missing or refuses the signal (a JVM
 * run with {@code -Xrs}), the action runs from a shutdown hook instead: then the JVM still exits (with its own
 * code), and the action should finish its cleanup before it returns.
 */
final class Interrupts {
    /** SIGHUP, SIGINT, SIGTERM: the same numbers on Linux, the BSDs and macOS. */
    static final int SIGHUP = 1;

    static final int SIGINT = 2;
    static final int SIGTERM = 15;

    private Interrupts() {}

    /** The short name of a signal number this class handles ({@code "INT"}...), or its number. */
    static String name(int signal) {
        return switch (signal) {
            case SIGHUP -> "HUP";
            case SIGINT -> "INT";
            case SIGTERM -> "TERM";
            default -> Integer.toString(signal);
        };
    }

    /**
     * Installs {@code action} for SIGINT, SIGTERM and SIGHUP until the returned handle is closed; it gets the signal
     * number. {@code atExit} runs from a shutdown hook where a handler could not be installed for one of them.
     */
    static AutoCloseable onTermination(IntConsumer action, Runnable atExit) {
        return install(new int[] {SIGINT, SIGTERM, SIGHUP}, action, atExit);
    }

    private static AutoCloseable install(int[] signals, IntConsumer action, Runnable atExit) {
        List<AutoCloseable> undo = new ArrayList<>();
        boolean hook = false;
        for (int s : signals) {
            AutoCloseable u = handle(s, action);
            if (u != null) undo.add(u);
            else hook = true;
        }
        if (hook) {
            Thread t = new Thread(atExit, "aio-shutdown");
            Runtime.getRuntime().addShutdownHook(t);
            undo.add(() -> {
                try {
                    Runtime.getRuntime().removeShutdownHook(t);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: nothing to remove
                }
            });
        }
        return () -> {
            for (int i = undo.size() - 1; i >= 0; i--) undo.get(i).close();
        };
    }

    /** A {@code sun.misc.Signal} handler for {@code signal}, or null where none can be installed. */
    private static AutoCloseable handle(int signal, IntConsumer action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object sig = signalClass.getConstructor(String.class).newInstance(name(signal));
            Object handler = Proxy.newProxyInstance(
                    handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "handle" -> action.accept(signal);
                            case "equals" -> {
                                return proxy == args[0];
                            }
                            case "hashCode" -> {
                                return System.identityHashCode(proxy);
                            }
                            case "toString" -> {
                                return "aio SIG" + name(signal) + " handler";
                            }
                            default -> {}
                        }
                        return null;
                    });
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Object previous = handle.invoke(null, sig, handler);
            return () -> handle.invoke(null, sig, previous);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError unsupported) {
            return null;
        }
    }
}

package org.aio4j.cli;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Runs an action on Ctrl-C (SIGINT) instead of letting the JVM die, so a command can cancel cleanly and choose its
 * exit code. Uses {@code sun.misc.Signal} (module jdk.unsupported, reached by reflection); where that is missing, a
 * shutdown hook.
 */
final class Interrupts {
    private Interrupts() {}

    /** Installs {@code action} for SIGINT until the returned handle is closed. */
    static AutoCloseable onInterrupt(Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object sigint = signalClass.getConstructor(String.class).newInstance("INT");
            Object handler = Proxy.newProxyInstance(
                    handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "handle" -> action.run();
                            case "equals" -> {
                                return proxy == args[0];
                            }
                            case "hashCode" -> {
                                return System.identityHashCode(proxy);
                            }
                            case "toString" -> {
                                return "aio SIGINT handler";
                            }
                            default -> {}
                        }
                        return null;
                    });
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Object previous = handle.invoke(null, sigint, handler);
            return () -> handle.invoke(null, sigint, previous);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError unsupported) {
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

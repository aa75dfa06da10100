package org.aio4j.engine.internal;

import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import org.aio4j.engine.AioEngine;

/**
 * Internal, not API: lets another aio4j module (the {@code aio-test} kit) wrap the {@link Backend} an {@link
 * AioEngine.Builder} builds, through the builder's package-private decoration hook. May change or disappear in any
 * release.
 *
 * <p>{@link AioEngine} hands its setter over once, from its static initializer; {@link #decorate} makes sure that
 * has run.
 */
public final class BackendDecoration {
    private static volatile BiConsumer<AioEngine.Builder, UnaryOperator<Backend>> setter;

    private BackendDecoration() {}

    /**
     * Called once by {@link AioEngine}'s static initializer with the setter of the builder's hook.
     *
     * @throws IllegalStateException if a setter was installed before
     */
    public static synchronized void install(BiConsumer<AioEngine.Builder, UnaryOperator<Backend>> hook) {
        if (setter != null) throw new IllegalStateException("already installed");
        setter = Objects.requireNonNull(hook, "hook");
    }

    /**
     * Makes {@code builder} pass the backend it builds through {@code decorator} (replacing a decorator set
     * before), and returns the builder.
     */
    public static AioEngine.Builder decorate(AioEngine.Builder builder, UnaryOperator<Backend> decorator) {
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(decorator, "decorator");
        BiConsumer<AioEngine.Builder, UnaryOperator<Backend>> s = setter;
        if (s == null) {
            try { // a builder exists, so AioEngine was initialized; this only guards odd class loading
                Class.forName(AioEngine.class.getName(), true, AioEngine.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            s = setter;
        }
        s.accept(builder, decorator);
        return builder;
    }
}

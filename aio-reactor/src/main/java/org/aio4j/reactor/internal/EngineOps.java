package org.aio4j.reactor.internal;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.aio4j.AioFile;
import org.aio4j.AioFsyncMode;
import org.aio4j.engine.AioEngine;
import org.aio4j.engine.AioHandler;

/** {@link AioOps} over an {@link AioEngine}; {@code null} means {@link AioEngine#shared()}, looked up lazily. */
public final class EngineOps implements AioOps {
    private final AioEngine configured;
    private volatile AioEngine engine;

    private EngineOps(AioEngine engine) {
        this.configured = engine;
        this.engine = engine;
    }

    /** Ops over {@code engine}, or over the shared engine (first used at the first submission) when null. */
    public static AioOps of(AioEngine engine) {
        return new EngineOps(engine);
    }

    /** The engine these ops submit to (the shared one is looked up here, never at assembly time). */
    public AioEngine engine() {
        AioEngine e = engine;
        if (e == null) {
            e = AioEngine.shared();
            engine = e;
        }
        return e;
    }

    @Override
    public <A> long read(AioFile file, long position, ByteBuffer dst, A attachment, AioHandler<? super A> handler) {
        return engine().read(file, position, dst, attachment, handler);
    }

    @Override
    public <A> long write(AioFile file, long position, ByteBuffer src, A attachment, AioHandler<? super A> handler) {
        return engine().write(file, position, src, attachment, handler);
    }

    @Override
    public <A> long fsync(AioFile file, AioFsyncMode mode, A attachment, AioHandler<? super A> handler) {
        return engine().fsync(file, mode, attachment, handler);
    }

    @Override
    public boolean cancel(long token) {
        return engine().cancel(token);
    }

    @Override
    public int cancelAll(AioFile file) {
        return engine().cancelAll(file);
    }

    @Override
    public String toString() {
        return "EngineOps[" + Objects.toString(configured, "shared") + "]";
    }
}

package org.aio4j.reactor.spring;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferWrapper;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.core.io.buffer.PooledDataBuffer;

/**
 * A stand-in for Spring's {@code LeakAwareDataBufferFactory} (a spring-core test fixture that is not published to
 * Maven Central): every buffer it makes is reference counted, and {@link #checkForLeaks} fails while any of them
 * has not been released (waiting a little for asynchronous releases).
 */
public final class LeakTrackingDataBufferFactory implements DataBufferFactory {
    private final DataBufferFactory delegate;
    private final ConcurrentLinkedQueue<Tracked> created = new ConcurrentLinkedQueue<>();

    public LeakTrackingDataBufferFactory() {
        this(DefaultDataBufferFactory.sharedInstance);
    }

    public LeakTrackingDataBufferFactory(DataBufferFactory delegate) {
        this.delegate = delegate;
    }

    private DataBuffer track(DataBuffer b) {
        Tracked t = new Tracked(b, this, new Throwable("allocated here"));
        created.add(t);
        return t;
    }

    /** Buffers made by this factory. */
    public int created() {
        return created.size();
    }

    /** Buffers not yet released. */
    public long unreleased() {
        return created.stream().filter(Tracked::isAllocated).count();
    }

    /** Fails if a buffer is still unreleased after up to 5 s; then forgets all buffers made so far. */
    public void checkForLeaks() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (unreleased() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<Tracked> leaks = created.stream().filter(Tracked::isAllocated).toList();
        created.clear();
        if (!leaks.isEmpty()) {
            AssertionError e = new AssertionError(leaks.size() + " DataBuffer(s) leaked");
            for (Tracked t : leaks) e.addSuppressed(t.where);
            throw e;
        }
    }

    @Override
    @Deprecated
    public DataBuffer allocateBuffer() {
        return track(delegate.allocateBuffer(256));
    }

    @Override
    public DataBuffer allocateBuffer(int initialCapacity) {
        return track(delegate.allocateBuffer(initialCapacity));
    }

    @Override
    public DataBuffer wrap(ByteBuffer byteBuffer) {
        return track(delegate.wrap(byteBuffer));
    }

    @Override
    public DataBuffer wrap(byte[] bytes) {
        return track(delegate.wrap(bytes));
    }

    @Override
    public DataBuffer join(List<? extends DataBuffer> dataBuffers) {
        DataBuffer joined = allocateBuffer(
                dataBuffers.stream().mapToInt(DataBuffer::readableByteCount).sum());
        for (DataBuffer b : dataBuffers) {
            joined.write(b);
            org.springframework.core.io.buffer.DataBufferUtils.release(b);
        }
        return joined;
    }

    @Override
    public boolean isDirect() {
        return delegate.isDirect();
    }

    /** A reference-counted wrapper. */
    static final class Tracked extends DataBufferWrapper implements PooledDataBuffer {
        final AtomicInteger refs = new AtomicInteger(1);
        final LeakTrackingDataBufferFactory factory;
        final Throwable where;

        Tracked(DataBuffer delegate, LeakTrackingDataBufferFactory factory, Throwable where) {
            super(delegate);
            this.factory = factory;
            this.where = where;
        }

        @Override
        public boolean isAllocated() {
            return refs.get() > 0;
        }

        @Override
        public PooledDataBuffer retain() {
            refs.incrementAndGet();
            return this;
        }

        @Override
        public PooledDataBuffer touch(Object hint) {
            return this;
        }

        @Override
        public boolean release() {
            int r = refs.decrementAndGet();
            if (r < 0) throw new IllegalStateException("released more often than retained");
            return r == 0;
        }

        @Override
        public DataBufferFactory factory() {
            return factory;
        }
    }
}

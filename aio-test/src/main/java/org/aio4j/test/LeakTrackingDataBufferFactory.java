package org.aio4j.test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DataBufferWrapper;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.core.io.buffer.PooledDataBuffer;

/**
 * A Spring {@link DataBufferFactory} that remembers every buffer it hands out until it is released ({@link
 * DataBufferUtils#release}): {@link #assertNoLeaks()} names each one still held, with the stack where it was
 * allocated. Its buffers are {@link PooledDataBuffer}s with a reference count ({@code retain} adds one, {@code
 * release} takes one; the last gives the memory back to the delegate factory). Needs spring-core on the class path
 * (the rest of this kit does not). {@link AioTestExtension#bufferFactory()} makes one checked after each test.
 */
public final class LeakTrackingDataBufferFactory implements DataBufferFactory {
    private final DataBufferFactory delegate;
    private final Set<Tracked> live = ConcurrentHashMap.newKeySet();

    /** Over {@link DefaultDataBufferFactory#sharedInstance} (heap buffers). */
    public LeakTrackingDataBufferFactory() {
        this(DefaultDataBufferFactory.sharedInstance);
    }

    /**
     * Over {@code delegate}, which allocates the memory.
     *
     * @param delegate the factory the buffers come from
     */
    public LeakTrackingDataBufferFactory(DataBufferFactory delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** A new factory whose {@link #leaks()} is added to {@code checks}. */
    static DataBufferFactory checkedBy(List<java.util.function.Supplier<List<String>>> checks) {
        LeakTrackingDataBufferFactory f = new LeakTrackingDataBufferFactory();
        checks.add(f::leaks);
        return f;
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

    /** A new tracked buffer with the bytes of {@code buffers}, which are released. */
    @Override
    public DataBuffer join(List<? extends DataBuffer> buffers) {
        int n = 0;
        for (DataBuffer b : buffers) n += b.readableByteCount();
        DataBuffer joined = allocateBuffer(n);
        for (DataBuffer b : buffers) {
            joined.write(b);
            DataBufferUtils.release(b);
        }
        return joined;
    }

    @Override
    public boolean isDirect() {
        return delegate.isDirect();
    }

    /**
     * The buffers handed out and not released, each with the stack where it was allocated.
     *
     * @return one description per leaked buffer, empty when none leaked
     */
    public List<String> leaks() {
        List<String> l = new ArrayList<>();
        for (Tracked t : live) {
            StringWriter w = new StringWriter();
            t.site.printStackTrace(new PrintWriter(w));
            l.add("DataBuffer not released (" + t.dataBuffer().readableByteCount() + " readable bytes"
                    + (t.hint != null ? ", last touched: " + t.hint : "") + "), "
                    + w.toString().strip());
        }
        return l;
    }

    /**
     * Checks every buffer was released.
     *
     * @throws AssertionError naming each buffer still held, with its allocation site
     */
    public void assertNoLeaks() {
        List<String> l = leaks();
        if (!l.isEmpty()) {
            throw new AssertionError("aio-test: " + l.size() + " DataBuffer leak(s):\n  " + String.join("\n  ", l));
        }
    }

    private DataBuffer track(DataBuffer b) {
        Tracked t = new Tracked(b);
        live.add(t);
        return t;
    }

    /** A buffer with a reference count and its allocation site. */
    private final class Tracked extends DataBufferWrapper implements PooledDataBuffer {
        final Throwable site = new Throwable("allocated at");
        final AtomicInteger refs = new AtomicInteger(1);
        volatile Object hint;

        Tracked(DataBuffer delegate) {
            super(delegate);
        }

        @Override
        public boolean isAllocated() {
            return refs.get() > 0;
        }

        @Override
        public PooledDataBuffer retain() {
            refs.updateAndGet(r -> {
                if (r <= 0) throw new IllegalStateException("retain of a released DataBuffer");
                return r + 1;
            });
            return this;
        }

        @Override
        public PooledDataBuffer touch(Object hint) {
            this.hint = hint;
            return this;
        }

        @Override
        public boolean release() {
            int r = refs.updateAndGet(x -> {
                if (x <= 0) throw new IllegalStateException("DataBuffer released more often than retained");
                return x - 1;
            });
            if (r > 0) return false;
            live.remove(this);
            DataBufferUtils.release(dataBuffer());
            return true;
        }

        // identity, not the content equality of the wrapped buffer: the set of live buffers relies on it
        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }
}

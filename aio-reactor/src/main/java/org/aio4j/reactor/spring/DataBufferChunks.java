package org.aio4j.reactor.spring;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import org.aio4j.reactor.internal.ChunkPool;
import org.aio4j.reactor.internal.Chunks;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * The buffers a Spring read reads into. When the factory hands out direct memory (Netty's pooled direct buffers,
 * {@code new DefaultDataBufferFactory(true)}), the engine reads straight into the {@code DataBuffer} (as Spring's
 * own {@code DataBufferUtils.read} does with {@code writableByteBuffers()}); otherwise into a pooled direct chunk
 * that is copied into a new {@code DataBuffer} when emitted.
 */
final class DataBufferChunks implements Chunks {
    private record Entry(DataBuffer buffer, DataBuffer.ByteBufferIterator iterator) {
        void close() {
            iterator.close();
        }
    }

    private final DataBufferFactory factory;
    private final ChunkPool pool = ChunkPool.shared();
    private final ConcurrentHashMap<Key, Entry> direct = new ConcurrentHashMap<>();
    private volatile boolean tryDirect;

    DataBufferChunks(DataBufferFactory factory) {
        this.factory = factory;
        this.tryDirect = factory.isDirect();
    }

    @Override
    public ByteBuffer acquire(int size) {
        if (tryDirect) {
            DataBuffer db = factory.allocateBuffer(size);
            DataBuffer.ByteBufferIterator it = null;
            boolean kept = false;
            try {
                it = db.writableByteBuffers();
                if (it.hasNext()) {
                    ByteBuffer bb = it.next();
                    if (bb.isDirect() && !bb.isReadOnly() && bb.remaining() >= size) {
                        ByteBuffer view = bb.slice(bb.position(), size);
                        direct.put(new Key(view), new Entry(db, it));
                        kept = true;
                        return view;
                    }
                }
                tryDirect = false; // this factory does not give direct memory: copy from now on
            } finally {
                if (!kept) {
                    if (it != null) it.close();
                    DataBufferUtils.release(db);
                }
            }
        }
        return pool.acquire(size);
    }

    @Override
    public boolean release(ByteBuffer buffer) {
        Entry e = buffer == null ? null : direct.remove(new Key(buffer));
        if (e != null) {
            e.close();
            DataBufferUtils.release(e.buffer());
            return true;
        }
        return pool.release(buffer);
    }

    /** The chunk (position 0, limit = bytes read) as the DataBuffer to emit; the chunk is consumed. */
    DataBuffer toDataBuffer(ByteBuffer chunk) {
        Entry e = direct.remove(new Key(chunk));
        if (e != null) {
            e.close();
            DataBuffer db = e.buffer();
            db.writePosition(db.writePosition() + chunk.remaining());
            return db;
        }
        try {
            DataBuffer db = factory.allocateBuffer(chunk.remaining());
            boolean ok = false;
            try {
                db.write(chunk);
                ok = true;
                return db;
            } finally {
                if (!ok) DataBufferUtils.release(db);
            }
        } finally {
            pool.release(chunk);
        }
    }

    /** Identity key: ByteBuffer's own equals/hashCode compare contents. */
    private static final class Key {
        final ByteBuffer buffer;
        final int hash;

        Key(ByteBuffer buffer) {
            this.buffer = buffer;
            this.hash = System.identityHashCode(buffer);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && ((Key) o).buffer == buffer;
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}

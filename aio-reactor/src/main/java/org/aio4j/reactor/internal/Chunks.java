package org.aio4j.reactor.internal;

import java.nio.ByteBuffer;

/**
 * Where {@link ReadFlux} gets the buffers it reads into: {@link ChunkPool} by default; the Spring module reads
 * straight into {@code DataBuffer}s this way when their memory is direct.
 */
public interface Chunks {
    /** A direct, writable buffer with position 0 and limit {@code size}; owned by the caller until released. */
    ByteBuffer acquire(int size);

    /** Gives back a buffer from {@link #acquire} that will not be emitted (or was consumed); false if unknown. */
    boolean release(ByteBuffer buffer);
}

package org.aio4j.reactor.spring;

import java.nio.ByteBuffer;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.ReadOptions;
import org.aio4j.reactor.WriteOptions;
import org.aio4j.reactor.internal.ChunkPool;
import org.aio4j.reactor.internal.EngineOps;
import org.aio4j.reactor.internal.ReadFlux;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Drop-in replacements for the file methods of Spring's {@link DataBufferUtils}, on the aio4j engine, with the
 * same contracts and buffer-release rules:
 *
 * <ul>
 *   <li>Buffers emitted by {@code read} belong to the consumer, who must release them ({@link
 *       DataBufferUtils#release}); buffers read but not emitted (read ahead, then cancelled) are released here.
 *       Add {@code doOnDiscard(DataBuffer.class, DataBufferUtils::release)} where operators may drop buffers.
 *   <li>{@code write} releases every buffer it receives (once its bytes were taken) and closes the file; its
 *       {@code Mono<Void>} completes after the file was closed.
 * </ul>
 *
 * <p>When the factory hands out direct memory (Netty's pooled direct buffers, {@code new
 * DefaultDataBufferFactory(true)}) the engine reads straight into the {@code DataBuffer}s; otherwise (heap buffers)
 * it reads into pooled direct chunks that are copied into the {@code DataBuffer}s when emitted, so any {@link
 * DataBufferFactory} works. Written buffers are always copied into pooled direct chunks first. Reads have up to 4 chunks read ahead (Spring's: none). Threads
 * are those of {@link AioFiles}: files are opened and closed on {@code boundedElastic()}, data arrives on the
 * engine's reaper thread. This class needs spring-core on the classpath; the rest of aio4j does not.
 */
public final class AioDataBufferUtils {
    private AioDataBufferUtils() {}

    /**
     * Reads the whole file as {@code DataBuffer}s of at most {@code bufferSize} bytes, like {@link
     * DataBufferUtils#read(Path, DataBufferFactory, int, OpenOption...)}.
     *
     * <p>The file is always opened read-only; options are checked as Spring checks them but otherwise not used.
     *
     * @throws IllegalArgumentException if {@code bufferSize <= 0} or options contain {@code APPEND} or {@code
     *     WRITE}
     */
    public static Flux<DataBuffer> read(Path path, DataBufferFactory factory, int bufferSize, OpenOption... options) {
        Objects.requireNonNull(path, "Path must not be null");
        Objects.requireNonNull(factory, "DataBufferFactory must not be null");
        Objects.requireNonNull(options, "options");
        if (bufferSize <= 0) throw new IllegalArgumentException("'bufferSize' must be > 0: " + bufferSize);
        for (OpenOption option : options) {
            Objects.requireNonNull(option, "open option");
            if (option == StandardOpenOption.APPEND || option == StandardOpenOption.WRITE) {
                throw new IllegalArgumentException("'" + option + "' not allowed");
            }
        }
        return read(path, 0, Long.MAX_VALUE, factory, bufferSize, ReadOptions.DEFAULT_MAX_IN_FLIGHT);
    }

    /**
     * Reads {@code count} bytes from {@code position} (fewer at the end of the file) as {@code DataBuffer}s of at
     * most {@code bufferSize} bytes: the body of an HTTP {@code Range} response.
     *
     * @throws IllegalArgumentException for a negative position or count, or {@code bufferSize <= 0}
     */
    public static Flux<DataBuffer> read(
            Path path, long position, long count, DataBufferFactory factory, int bufferSize) {
        Objects.requireNonNull(path, "Path must not be null");
        Objects.requireNonNull(factory, "DataBufferFactory must not be null");
        if (bufferSize <= 0) throw new IllegalArgumentException("'bufferSize' must be > 0: " + bufferSize);
        if (position < 0) throw new IllegalArgumentException("'position' must not be negative: " + position);
        if (count < 0) throw new IllegalArgumentException("'count' must not be negative: " + count);
        return read(path, position, count, factory, bufferSize, ReadOptions.DEFAULT_MAX_IN_FLIGHT);
    }

    private static Flux<DataBuffer> read(
            Path path, long position, long count, DataBufferFactory factory, int bufferSize, int maxInFlight) {
        DataBufferChunks chunks = new DataBufferChunks(factory);
        return new ReadFlux(
                        EngineOps.of(null),
                        path,
                        bufferSize,
                        maxInFlight,
                        position,
                        count,
                        chunks,
                        null,
                        Schedulers.boundedElastic(),
                        null)
                .map(chunks::toDataBuffer);
    }

    /**
     * Writes {@code source} to {@code path}, like {@link DataBufferUtils#write(Publisher, Path, OpenOption...)}:
     * no options means {@code CREATE, TRUNCATE_EXISTING, WRITE}; {@code WRITE} is added to options given; every
     * buffer is released; the Mono completes once all bytes are written and the file is closed.
     *
     * @throws IllegalArgumentException if options contain {@code READ}
     */
    public static Mono<Void> write(Publisher<DataBuffer> source, Path path, OpenOption... options) {
        Objects.requireNonNull(source, "'source' must not be null");
        Objects.requireNonNull(path, "'destination' must not be null");
        Objects.requireNonNull(options, "options");
        for (OpenOption option : options) {
            Objects.requireNonNull(option, "open option");
            if (option == StandardOpenOption.READ) throw new IllegalArgumentException("READ not allowed");
        }
        Flux<ByteBuffer> chunks = Flux.from(source).map(AioDataBufferUtils::toChunk);
        return AioFiles.write(chunks, path, WriteOptions.defaults().openOptions(options))
                .then();
    }

    /** Copies the readable bytes into a pooled chunk (which the write releases) and releases the buffer. */
    private static ByteBuffer toChunk(DataBuffer buffer) {
        try {
            int n = buffer.readableByteCount();
            ByteBuffer chunk = ChunkPool.shared().acquire(n);
            try {
                buffer.toByteBuffer(buffer.readPosition(), chunk, 0, n);
            } catch (RuntimeException | Error e) {
                ChunkPool.shared().release(chunk);
                throw e;
            }
            chunk.position(0).limit(n);
            return chunk;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }
}

package org.aio4j.reactor.spring;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
import org.springframework.util.Assert;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

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
 * DataBufferFactory} works. Written buffers are always copied into pooled direct chunks first. Reads have up to 4
 * chunks read ahead (Spring's: none). Threads are those of {@link AioFiles}: files are opened and closed on {@code
 * boundedElastic()}, data arrives on the engine's reaper thread. This class needs spring-core on the classpath; the
 * rest of aio4j does not.
 *
 * <h2>Engine and tuning</h2>
 * The methods shaped like Spring's use the {@linkplain org.aio4j.engine.AioEngine#shared() shared engine} and the
 * defaults above. The overloads taking {@link ReadOptions} or {@link WriteOptions} use the options' engine ({@link
 * ReadOptions#engine}, for example the one a Spring context made), read-ahead or writes in flight ({@code
 * maxInFlight}), signal and blocking schedulers, and for reads the buffer size ({@link ReadOptions#chunkSize}) and
 * range ({@link ReadOptions#position}, {@link ReadOptions#length}):
 *
 * <pre>{@code
 * ReadOptions reads = ReadOptions.defaults().engine(engine).chunkSize(128 * 1024).maxInFlight(8);
 * Flux<DataBuffer> body = AioDataBufferUtils.read(path, bufferFactory, reads);
 * Mono<Void> saved = AioDataBufferUtils.write(body, copy, WriteOptions.defaults().engine(engine).fsync(true));
 * }</pre>
 */
public final class AioDataBufferUtils {
    private AioDataBufferUtils() {}

    /**
     * Reads the whole file as {@code DataBuffer}s of at most {@code bufferSize} bytes, like {@link
     * DataBufferUtils#read(Path, DataBufferFactory, int, OpenOption...)}.
     *
     * <p>The file is always opened read-only. Options are checked as Spring checks them; {@code DELETE_ON_CLOSE}
     * unlinks the file once it is open (the read still sees all of it), as the JDK's channel does; others are not
     * used. A null option is signalled as a {@code NullPointerException} on subscription, as Spring's read does.
     *
     * @param path the file
     * @param factory where the buffers come from
     * @param bufferSize the largest buffer
     * @param options open options ({@code READ} is implied)
     * @return the file's bytes, cold: nothing is opened before subscription
     * @throws IllegalArgumentException for a null path or factory, {@code bufferSize <= 0}, or options with {@code
     * APPEND} or {@code WRITE} (Spring's {@code Assert})
     * @throws NullPointerException for a null options array
     */
    public static Flux<DataBuffer> read(Path path, DataBufferFactory factory, int bufferSize, OpenOption... options) {
        Assert.notNull(path, "Path must not be null");
        Assert.notNull(factory, "DataBufferFactory must not be null");
        Assert.isTrue(bufferSize > 0, "'bufferSize' must be > 0");
        boolean nullOption = false;
        boolean deleteOnClose = false;
        for (OpenOption option : options) {
            Assert.isTrue(
                    !(option == StandardOpenOption.APPEND || option == StandardOpenOption.WRITE),
                    () -> "'" + option + "' not allowed");
            nullOption |= option == null;
            deleteOnClose |= option == StandardOpenOption.DELETE_ON_CLOSE;
        }
        if (nullOption) return Flux.error(new NullPointerException("null open option"));
        return read(path, factory, ReadOptions.defaults().chunkSize(bufferSize), 0, Long.MAX_VALUE, deleteOnClose);
    }

    /**
     * Reads {@code count} bytes from {@code position} (fewer at the end of the file) as {@code DataBuffer}s of at
     * most {@code bufferSize} bytes: the body of an HTTP {@code Range} response.
     *
     * @param path the file
     * @param position the first offset read
     * @param count bytes to read at most
     * @param factory where the buffers come from
     * @param bufferSize the largest buffer
     * @return the range's bytes, cold: nothing is opened before subscription
     * @throws IllegalArgumentException for a null path or factory, a negative position or count, or {@code
     * bufferSize <= 0}
     */
    public static Flux<DataBuffer> read(
            Path path, long position, long count, DataBufferFactory factory, int bufferSize) {
        Assert.notNull(path, "Path must not be null");
        Assert.notNull(factory, "DataBufferFactory must not be null");
        Assert.isTrue(bufferSize > 0, "'bufferSize' must be > 0");
        if (position < 0) throw new IllegalArgumentException("'position' must not be negative: " + position);
        if (count < 0) throw new IllegalArgumentException("'count' must not be negative: " + count);
        return read(path, factory, ReadOptions.defaults().chunkSize(bufferSize), position, count, false);
    }

    /**
     * Reads the file, or the range {@link ReadOptions#position()} and {@link ReadOptions#length()} of it, as {@code
     * DataBuffer}s of at most {@link ReadOptions#chunkSize()} bytes, on the options' engine (the shared one if
     * none), with at most {@link ReadOptions#maxInFlight()} buffers read ahead, signalled on the options'
     * scheduler. The file is opened read-only on the options' blocking scheduler. The release rules are those of
     * the class comment.
     *
     * @param path the file
     * @param factory where the buffers come from
     * @param options engine, buffer size, read-ahead, range and schedulers
     * @return the file's bytes, cold: nothing is opened before subscription
     * @throws IllegalArgumentException for a null path, factory or options (Spring's {@code Assert})
     */
    public static Flux<DataBuffer> read(Path path, DataBufferFactory factory, ReadOptions options) {
        Assert.notNull(path, "Path must not be null");
        Assert.notNull(factory, "DataBufferFactory must not be null");
        Assert.notNull(options, "ReadOptions must not be null");
        long count = options.length() < 0 ? Long.MAX_VALUE : options.length();
        return read(path, factory, options, options.position(), count, false);
    }

    private static Flux<DataBuffer> read(
            Path path,
            DataBufferFactory factory,
            ReadOptions options,
            long position,
            long count,
            boolean deleteOnClose) {
        DataBufferChunks chunks = new DataBufferChunks(factory);
        // onSize runs on the blocking scheduler right after the file was opened: the JDK's DELETE_ON_CLOSE moment
        return new ReadFlux(
                        EngineOps.of(options.engine()),
                        path,
                        options.chunkSize(),
                        options.maxInFlight(),
                        position,
                        count,
                        chunks,
                        options.scheduler(),
                        options.blockingScheduler(),
                        deleteOnClose ? size -> deleteQuietly(path) : null)
                .map(chunks::toDataBuffer);
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException | RuntimeException ignored) {
            // best effort, as the JDK's DELETE_ON_CLOSE
        }
    }

    /**
     * Writes {@code source} to {@code path}, like {@link DataBufferUtils#write(Publisher, Path, OpenOption...)}:
     * no options means {@code CREATE, TRUNCATE_EXISTING, WRITE}; {@code WRITE} is added to options given; every
     * buffer is released; the Mono completes once all bytes are written and the file is closed. As with the JDK's
     * channels, {@code DELETE_ON_CLOSE} unlinks the file once it is open (the write completes, the file is gone)
     * and {@code SPARSE} is a hint that is ignored. A null option is signalled as a {@code NullPointerException} on
     * subscription, as Spring's write does.
     *
     * @param source the buffers to write, in order, from offset 0
     * @param path the file
     * @param options open options (none: {@code CREATE, TRUNCATE_EXISTING, WRITE})
     * @return completes after the file was closed, cold: nothing is opened before subscription
     * @throws IllegalArgumentException for a null source or destination, or options with {@code READ}
     * @throws NullPointerException for a null options array
     */
    public static Mono<Void> write(Publisher<DataBuffer> source, Path path, OpenOption... options) {
        Assert.notNull(source, "Source must not be null");
        Assert.notNull(path, "Destination must not be null");
        boolean nullOption = false;
        for (OpenOption option : options) {
            if (option == StandardOpenOption.READ) throw new IllegalArgumentException("READ not allowed");
            nullOption |= option == null;
        }
        if (nullOption) return Mono.error(new NullPointerException("null open option"));
        return write(source, path, WriteOptions.defaults().openOptions(options));
    }

    /**
     * Writes {@code source} to {@code path} with the options' engine (the shared one if none), open options,
     * writes in flight, fsync and schedulers; every buffer is released, and the Mono completes once all bytes are
     * written (and fsynced, with {@link WriteOptions#fsync(boolean)}) and the file is closed.
     *
     * @param source the buffers to write, in order, from offset 0
     * @param path the file
     * @param options engine, open options, writes in flight, fsync and schedulers
     * @return completes after the file was closed, cold: nothing is opened before subscription
     * @throws IllegalArgumentException for a null source, path or options, or open options with {@code READ}
     */
    public static Mono<Void> write(Publisher<DataBuffer> source, Path path, WriteOptions options) {
        Assert.notNull(source, "Source must not be null");
        Assert.notNull(path, "Destination must not be null");
        Assert.notNull(options, "WriteOptions must not be null");
        for (OpenOption option : options.openOptions()) {
            if (option == StandardOpenOption.READ) throw new IllegalArgumentException("READ not allowed");
        }
        Flux<ByteBuffer> chunks = Flux.from(source).map(AioDataBufferUtils::toChunk);
        return AioFiles.write(chunks, path, options).then();
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

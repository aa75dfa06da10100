package org.aio4j.reactor;

import java.util.Objects;
import org.aio4j.engine.AioEngine;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Options of {@link AioFiles#read(java.nio.file.Path, ReadOptions)}. Immutable: each wither returns a new instance
 * and checks its argument at once.
 *
 * <pre>{@code
 * ReadOptions opts = ReadOptions.defaults().chunkSize(1 << 20).maxInFlight(8).position(4096).length(1 << 30);
 * }</pre>
 *
 * <p>Defaults: 64 KiB chunks, 4 reads in flight, from position 0 to the end of the file, the {@linkplain
 * AioEngine#shared() shared engine}, no signal scheduler (signals on the engine's threads, see {@link AioFiles}),
 * files opened and closed on {@link Schedulers#boundedElastic()}.
 */
public final class ReadOptions {
    /** The default chunk size: 64 KiB. */
    public static final int DEFAULT_CHUNK_SIZE = 64 * 1024;
    /** The default bound of reads in flight: 4. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 4;

    private static final ReadOptions DEFAULTS =
            new ReadOptions(DEFAULT_CHUNK_SIZE, DEFAULT_MAX_IN_FLIGHT, 0, -1, null, null, null);

    private final int chunkSize;
    private final int maxInFlight;
    private final long position;
    private final long length;
    private final AioEngine engine;
    private final Scheduler scheduler;
    private final Scheduler blockingScheduler;

    private ReadOptions(
            int chunkSize,
            int maxInFlight,
            long position,
            long length,
            AioEngine engine,
            Scheduler scheduler,
            Scheduler blockingScheduler) {
        this.chunkSize = chunkSize;
        this.maxInFlight = maxInFlight;
        this.position = position;
        this.length = length;
        this.engine = engine;
        this.scheduler = scheduler;
        this.blockingScheduler = blockingScheduler;
    }

    /**
     * The defaults (see the class comment).
     *
     * @return the default options
     */
    public static ReadOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Bytes per chunk (the last chunk of a range may be shorter).
     *
     * @param chunkSize the value
     * @return a copy with this value
     * @throws IllegalArgumentException if not positive
     */
    public ReadOptions chunkSize(int chunkSize) {
        if (chunkSize <= 0) throw new IllegalArgumentException("chunkSize must be positive: " + chunkSize);
        return new ReadOptions(chunkSize, maxInFlight, position, length, engine, scheduler, blockingScheduler);
    }

    /**
     * Reads ahead at most: chunks read but not yet emitted plus reads in flight never exceed this.
     *
     * @param maxInFlight the value
     * @return a copy with this value
     * @throws IllegalArgumentException if not positive
     */
    public ReadOptions maxInFlight(int maxInFlight) {
        if (maxInFlight <= 0) throw new IllegalArgumentException("maxInFlight must be positive: " + maxInFlight);
        return new ReadOptions(chunkSize, maxInFlight, position, length, engine, scheduler, blockingScheduler);
    }

    /**
     * The file offset of the first byte read. At or past the end of the file the stream is empty.
     *
     * @param position the value
     * @return a copy with this value
     * @throws IllegalArgumentException if negative
     */
    public ReadOptions position(long position) {
        if (position < 0) throw new IllegalArgumentException("position must not be negative: " + position);
        return new ReadOptions(chunkSize, maxInFlight, position, length, engine, scheduler, blockingScheduler);
    }

    /**
     * Bytes to read at most from {@link #position()}; the stream ends earlier at the end of the file.
     *
     * @param length the value
     * @return a copy with this value
     * @throws IllegalArgumentException if negative
     */
    public ReadOptions length(long length) {
        if (length < 0) throw new IllegalArgumentException("length must not be negative: " + length);
        return new ReadOptions(chunkSize, maxInFlight, position, length, engine, scheduler, blockingScheduler);
    }

    /**
     * The engine to submit to; null means {@link AioEngine#shared()} (looked up at subscription).
     *
     * @param engine the value
     * @return a copy with this value
     */
    public ReadOptions engine(@Nullable AioEngine engine) {
        return new ReadOptions(chunkSize, maxInFlight, position, length, engine, scheduler, blockingScheduler);
    }

    /**
     * Where {@code onNext}, {@code onError} and {@code onComplete} run: with a scheduler, all of them on one
     * worker of it, in order (like {@code publishOn}, but without an extra queue: read-ahead stays bounded by
     * {@link #maxInFlight()}). Null (the default): on the engine's reaper thread, the requesting thread or the
     * thread that opened or closed the file.
     *
     * @param scheduler the value
     * @return a copy with this value
     */
    public ReadOptions scheduler(@Nullable Scheduler scheduler) {
        return new ReadOptions(chunkSize, maxInFlight, position, length, engine, scheduler, blockingScheduler);
    }

    /**
     * Where the file is opened and closed (blocking system calls). Null (the default) means {@link
     * Schedulers#boundedElastic()}. Never pass a non-blocking scheduler such as {@code parallel()}.
     *
     * @param blockingScheduler the value
     * @return a copy with this value
     */
    public ReadOptions blockingScheduler(@Nullable Scheduler blockingScheduler) {
        return new ReadOptions(chunkSize, maxInFlight, position, length, engine, scheduler, blockingScheduler);
    }

    /** {@return bytes per chunk} */
    public int chunkSize() {
        return chunkSize;
    }

    /** {@return the bound of chunks read ahead} */
    public int maxInFlight() {
        return maxInFlight;
    }

    /** {@return the first offset read} */
    public long position() {
        return position;
    }

    /** {@return the bytes to read at most, or -1 for "to the end of the file"} */
    public long length() {
        return length;
    }

    /** {@return the engine, or null for the shared one} */
    @Nullable
    public AioEngine engine() {
        return engine;
    }

    /** {@return the signal scheduler, or null} */
    @Nullable
    public Scheduler scheduler() {
        return scheduler;
    }

    /** {@return the scheduler that opens and closes files (never null: the default is {@code boundedElastic()})} */
    public Scheduler blockingScheduler() {
        return blockingScheduler != null ? blockingScheduler : Schedulers.boundedElastic();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ReadOptions)) return false;
        ReadOptions r = (ReadOptions) o;
        return chunkSize == r.chunkSize
                && maxInFlight == r.maxInFlight
                && position == r.position
                && length == r.length
                && engine == r.engine
                && scheduler == r.scheduler
                && blockingScheduler == r.blockingScheduler;
    }

    @Override
    public int hashCode() {
        return Objects.hash(chunkSize, maxInFlight, position, length);
    }

    @Override
    public String toString() {
        return "ReadOptions[chunkSize=" + chunkSize + ", maxInFlight=" + maxInFlight + ", position=" + position
                + ", length=" + (length < 0 ? "to end" : Long.toString(length)) + ", engine="
                + (engine == null ? "shared" : engine) + ", scheduler=" + scheduler + "]";
    }
}

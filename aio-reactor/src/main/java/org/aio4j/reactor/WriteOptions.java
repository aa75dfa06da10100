package org.aio4j.reactor;

import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import org.aio4j.engine.AioEngine;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Options of {@link AioFiles#write(org.reactivestreams.Publisher, java.nio.file.Path, WriteOptions)}. Immutable:
 * each wither returns a new instance and checks its argument at once.
 *
 * <p>Defaults: 4 writes in flight, no fsync, open options {@code CREATE, TRUNCATE_EXISTING, WRITE}, the shared
 * engine, no signal scheduler, files opened and closed on {@link Schedulers#boundedElastic()}.
 */
public final class WriteOptions {
    /** The default bound of writes in flight: 4. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 4;

    private static final OpenOption[] DEFAULT_OPEN = {
        StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE
    };
    private static final WriteOptions DEFAULTS =
            new WriteOptions(DEFAULT_MAX_IN_FLIGHT, false, DEFAULT_OPEN, null, null, null);

    private final int maxInFlight;
    private final boolean fsync;
    private final OpenOption[] openOptions;
    private final AioEngine engine;
    private final Scheduler scheduler;
    private final Scheduler blockingScheduler;

    private WriteOptions(
            int maxInFlight,
            boolean fsync,
            OpenOption[] openOptions,
            AioEngine engine,
            Scheduler scheduler,
            Scheduler blockingScheduler) {
        this.maxInFlight = maxInFlight;
        this.fsync = fsync;
        this.openOptions = openOptions;
        this.engine = engine;
        this.scheduler = scheduler;
        this.blockingScheduler = blockingScheduler;
    }

    /**
     * The defaults (see the class comment).
     *
     * @return the default options
     */
    public static WriteOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Writes in flight at most; the source is asked for one more buffer per buffer written. With {@code APPEND}
     * the bound is 1 (the kernel ignores offsets then, so order must come from going one at a time).
     *
     * @param maxInFlight the value
     * @return a copy with this value
     * @throws IllegalArgumentException if not positive
     */
    public WriteOptions maxInFlight(int maxInFlight) {
        if (maxInFlight <= 0) throw new IllegalArgumentException("maxInFlight must be positive: " + maxInFlight);
        return new WriteOptions(maxInFlight, fsync, openOptions, engine, scheduler, blockingScheduler);
    }

    /**
     * Whether an {@code aio_fsync} (data and metadata) runs after the last write, before the result.
     *
     * @param fsync the value
     * @return a copy with this value
     */
    public WriteOptions fsync(boolean fsync) {
        return new WriteOptions(maxInFlight, fsync, openOptions, engine, scheduler, blockingScheduler);
    }

    /**
     * How to open the target. No options means the defaults ({@code CREATE, TRUNCATE_EXISTING, WRITE}); otherwise
     * {@code WRITE} is added to the ones given (as {@code DataBufferUtils.write} does). As with the JDK's channels
     * on Unix, {@code DELETE_ON_CLOSE} unlinks the file right after it was opened (the bytes are written, then the
     * file is gone) and {@code SPARSE} is ignored.
     *
     * @param openOptions the value
     * @return a copy with this value
     * @throws NullPointerException for a null array or element
     */
    public WriteOptions openOptions(OpenOption... openOptions) {
        return new WriteOptions(maxInFlight, fsync, normalize(openOptions), engine, scheduler, blockingScheduler);
    }

    static OpenOption[] normalize(OpenOption... options) {
        Objects.requireNonNull(options, "openOptions");
        for (OpenOption o : options) Objects.requireNonNull(o, "open option");
        if (options.length == 0) return DEFAULT_OPEN;
        Set<OpenOption> set = new LinkedHashSet<>(Arrays.asList(options));
        if (!set.contains(StandardOpenOption.APPEND)) set.add(StandardOpenOption.WRITE);
        return set.toArray(new OpenOption[0]);
    }

    /**
     * The engine to submit to; null means {@link AioEngine#shared()}.
     *
     * @param engine the value
     * @return a copy with this value
     */
    public WriteOptions engine(@Nullable AioEngine engine) {
        return new WriteOptions(maxInFlight, fsync, openOptions, engine, scheduler, blockingScheduler);
    }

    /**
     * Where the result or error is signalled (and the write loop runs): one worker of this scheduler. Null (the
     * default): the thread that closed the file or the engine's thread.
     *
     * @param scheduler the value
     * @return a copy with this value
     */
    public WriteOptions scheduler(@Nullable Scheduler scheduler) {
        return new WriteOptions(maxInFlight, fsync, openOptions, engine, scheduler, blockingScheduler);
    }

    /**
     * Where the file is opened and closed; null (the default) means {@link Schedulers#boundedElastic()}.
     *
     * @param blockingScheduler the value
     * @return a copy with this value
     */
    public WriteOptions blockingScheduler(@Nullable Scheduler blockingScheduler) {
        return new WriteOptions(maxInFlight, fsync, openOptions, engine, scheduler, blockingScheduler);
    }

    /** {@return writes in flight at most} */
    public int maxInFlight() {
        return maxInFlight;
    }

    /** {@return whether the file is fsynced at the end} */
    public boolean fsync() {
        return fsync;
    }

    /** {@return the open options (a copy)} */
    public OpenOption[] openOptions() {
        return openOptions.clone();
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

    /** {@return the scheduler that opens and closes files} */
    public Scheduler blockingScheduler() {
        return blockingScheduler != null ? blockingScheduler : Schedulers.boundedElastic();
    }

    @Override
    public String toString() {
        return "WriteOptions[maxInFlight=" + maxInFlight + ", fsync=" + fsync + ", openOptions="
                + Arrays.toString(openOptions) + ", engine=" + (engine == null ? "shared" : engine) + ", scheduler="
                + scheduler + "]";
    }
}

package org.aio4j.reactor;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;
import org.aio4j.AioFile;
import org.aio4j.AioFsyncMode;
import org.aio4j.reactor.internal.AioOps;
import org.aio4j.reactor.internal.OpMono;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * An open file with reactive positional I/O, made by {@link AioFiles#open}. Meant for {@code Flux.usingWhen}:
 *
 * <pre>{@code
 * Flux.usingWhen(AioFiles.open(path, StandardOpenOption.READ),
 *         f -> f.read(0, ByteBuffer.allocateDirect(4096)),
 *         ReactiveAioFile::close);
 * }</pre>
 *
 * <p>Each returned {@link Mono} is cold: every subscription submits its own op at its first request. Buffers must
 * be direct (a heap buffer is refused with {@link IllegalArgumentException} at assembly); they stay the caller's.
 * Signals arrive on the engine's reaper thread (or the requesting thread for reads the page cache served at once);
 * use {@code publishOn} to move them. Cancelling a subscription asks the engine to cancel that one op ({@code
 * aio_cancel}; with glibc only when no other request shares its fd number, otherwise the op completes normally and
 * nothing is signalled); the buffer of a cancelled op must not be reused, since the op may still run until the
 * engine reaps it.
 */
public final class ReactiveAioFile {
    private final AioFile file;
    private final AioOps ops;
    private final Scheduler blockingScheduler;

    ReactiveAioFile(AioFile file, AioOps ops, Scheduler blockingScheduler) {
        this.file = Objects.requireNonNull(file, "file");
        this.ops = ops;
        this.blockingScheduler = blockingScheduler;
    }

    /**
     * Reads up to {@code dst.remaining()} bytes at {@code position} into {@code dst} from its position, emitting
     * the count (0 at the end of the file). {@code dst}'s position and limit are not changed.
     *
     * @param position the file offset
     * @param dst a direct buffer
     * @return the byte count, on subscription
     * @throws IllegalArgumentException for a heap buffer or a negative position (at assembly)
     */
    public Mono<Integer> read(long position, ByteBuffer dst) {
        return OpMono.read(ops, file, position, dst);
    }

    /**
     * Writes {@code src}'s remaining bytes at {@code position}, emitting the count written (which may be short).
     * {@code src}'s position and limit are not changed.
     *
     * @param position the file offset
     * @param src a direct buffer
     * @return the byte count, on subscription
     * @throws IllegalArgumentException for a heap buffer or a negative position (at assembly)
     */
    public Mono<Integer> write(long position, ByteBuffer src) {
        return OpMono.write(ops, file, position, src);
    }

    /**
     * {@code aio_fsync} in the given mode; completes empty.
     *
     * @param mode data and metadata ({@code O_SYNC}) or data only ({@code O_DSYNC})
     * @return completes once the data is on stable storage
     */
    public Mono<Void> fsync(AioFsyncMode mode) {
        return OpMono.fsync(ops, file, mode);
    }

    /** {@return the current size of the file, on subscription} */
    public Mono<Long> size() {
        return Mono.fromCallable(file::size);
    }

    /**
     * Closes the file on the blocking scheduler. Idempotent. Ops still in flight keep the fd until they are
     * reaped (the close is deferred, never a reused fd under a pending op).
     *
     * @return completes once the file is closed
     */
    public Mono<Void> close() {
        return Mono.<Void>fromRunnable(file::close).subscribeOn(blockingScheduler);
    }

    /** {@return the path the file was opened from} */
    public Path path() {
        return file.path();
    }

    /** {@return the underlying file (for use with the engine directly)} */
    public AioFile file() {
        return file;
    }

    @Override
    public String toString() {
        return "ReactiveAioFile[" + file + "]";
    }
}

package org.aio4j.reactor;

import org.aio4j.engine.AioEngine;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Options of {@link AioFiles#copy} and {@link AioFiles#copyWithProgress}. Immutable: each wither returns a new
 * instance and checks its argument at once.
 *
 * <p>Defaults: copied inside the kernel where it can ({@link #kernelCopy(boolean)}), otherwise with 256 KiB chunks,
 * 4 reads and 4 writes in flight; no fsync, an existing target is an error (like {@link
 * java.nio.file.Files#copy(java.nio.file.Path, java.nio.file.Path, java.nio.file.CopyOption...)}), the shared engine,
 * no signal scheduler, files opened and closed (and kernel copy steps run) on {@link Schedulers#boundedElastic()}; the
 * target written under a temporary name and renamed into place ({@link #atomic(boolean)}).
 */
public final class CopyOptions {
    /** The default chunk size: 256 KiB. */
    public static final int DEFAULT_CHUNK_SIZE = 256 * 1024;
    /** The default bound of reads (and of writes) in flight: 4. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 4;

    private static final CopyOptions DEFAULTS =
            new CopyOptions(DEFAULT_CHUNK_SIZE, DEFAULT_MAX_IN_FLIGHT, false, false, true, true, null, null, null);

    private final int chunkSize;
    private final int maxInFlight;
    private final boolean fsync;
    private final boolean replaceExisting;
    private final boolean kernelCopy;
    private final boolean atomic;
    private final AioEngine engine;
    private final Scheduler scheduler;
    private final Scheduler blockingScheduler;

    private CopyOptions(
            int chunkSize,
            int maxInFlight,
            boolean fsync,
            boolean replaceExisting,
            boolean kernelCopy,
            boolean atomic,
            AioEngine engine,
            Scheduler scheduler,
            Scheduler blockingScheduler) {
        this.chunkSize = chunkSize;
        this.maxInFlight = maxInFlight;
        this.fsync = fsync;
        this.replaceExisting = replaceExisting;
        this.kernelCopy = kernelCopy;
        this.atomic = atomic;
        this.engine = engine;
        this.scheduler = scheduler;
        this.blockingScheduler = blockingScheduler;
    }

    /**
     * The defaults (see the class comment).
     *
     * @return the default options
     */
    public static CopyOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Bytes per read and write.
     *
     * @param chunkSize the value
     * @return a copy with this value
     * @throws IllegalArgumentException if not positive
     */
    public CopyOptions chunkSize(int chunkSize) {
        if (chunkSize <= 0) throw new IllegalArgumentException("chunkSize must be positive: " + chunkSize);
        return new CopyOptions(
                chunkSize,
                maxInFlight,
                fsync,
                replaceExisting,
                kernelCopy,
                atomic,
                engine,
                scheduler,
                blockingScheduler);
    }

    /**
     * Reads ahead at most, and writes in flight at most: at most {@code 2 * maxInFlight} chunks exist at once.
     *
     * @param maxInFlight the value
     * @return a copy with this value
     * @throws IllegalArgumentException if not positive
     */
    public CopyOptions maxInFlight(int maxInFlight) {
        if (maxInFlight <= 0) throw new IllegalArgumentException("maxInFlight must be positive: " + maxInFlight);
        return new CopyOptions(
                chunkSize,
                maxInFlight,
                fsync,
                replaceExisting,
                kernelCopy,
                atomic,
                engine,
                scheduler,
                blockingScheduler);
    }

    /**
     * Whether the target is fsynced before the result.
     *
     * @param fsync the value
     * @return a copy with this value
     */
    public CopyOptions fsync(boolean fsync) {
        return new CopyOptions(
                chunkSize,
                maxInFlight,
                fsync,
                replaceExisting,
                kernelCopy,
                atomic,
                engine,
                scheduler,
                blockingScheduler);
    }

    /**
     * Whether an existing target is replaced (true) or is an error (false, the default: the copy fails with a {@link
     * java.nio.file.FileAlreadyExistsException} whose cause is the {@code AioException} EEXIST). In place ({@link
     * #atomic(boolean) atomic(false)}) the existing target is truncated and overwritten.
     *
     * @param replaceExisting the value
     * @return a copy with this value
     */
    public CopyOptions replaceExisting(boolean replaceExisting) {
        return new CopyOptions(
                chunkSize,
                maxInFlight,
                fsync,
                replaceExisting,
                kernelCopy,
                atomic,
                engine,
                scheduler,
                blockingScheduler);
    }

    /**
     * Whether the copy may run inside the kernel (true, the default) or always goes through AIO reads and writes
     * (false). With true, two regular files on Linux are copied with {@code copy_file_range(2)} (a reflink where the
     * file system shares extents), or {@code sendfile(2)} where {@code copy_file_range} refuses the pair (EXDEV
     * between two file systems), in steps of 16 MiB on the {@link #blockingScheduler}; only the data extents of the
     * source are copied (holes stay holes) and the engine is used only for the fsync. Where the kernel refuses, for
     * special files (pipes, devices, files claiming size 0 such as those of {@code /proc}), and on other systems,
     * the copy uses AIO reads and writes of {@link #chunkSize} with {@link #maxInFlight} as with false.
     *
     * @param kernelCopy the value
     * @return a copy with this value
     */
    public CopyOptions kernelCopy(boolean kernelCopy) {
        return new CopyOptions(
                chunkSize,
                maxInFlight,
                fsync,
                replaceExisting,
                kernelCopy,
                atomic,
                engine,
                scheduler,
                blockingScheduler);
    }

    /**
     * Whether the target appears only complete (true, the default) or is written in place (false). With true the
     * copy writes a new file under a temporary name in the target's folder ({@code .NAME.RANDOM.part}, created
     * {@code CREATE_NEW}) and renames it over the target once every byte is written (and fsynced, with {@link
     * #fsync}; the folder is then fsynced too): a failed or cancelled copy removes its temporary file and leaves an
     * existing target as it was, and its operations still in flight after a cancel (a kernel copy step, AIO writes
     * that had started) land in the removed file, never in the target or in a later copy's target. Without {@link
     * #replaceExisting} the rename does not replace: a target that appeared meanwhile fails the copy (EEXIST), as an
     * existing one does before anything is copied. The new file has default permissions, as with {@link
     * java.nio.file.Files#copy}. With false the target is created (or truncated) and written where it is: a cancel
     * leaves part of the source there and writes that already started may still land after it.
     *
     * @param atomic the value
     * @return a copy with this value
     */
    public CopyOptions atomic(boolean atomic) {
        return new CopyOptions(
                chunkSize,
                maxInFlight,
                fsync,
                replaceExisting,
                kernelCopy,
                atomic,
                engine,
                scheduler,
                blockingScheduler);
    }

    /**
     * The engine to submit to; null means the shared one.
     *
     * @param engine the value
     * @return a copy with this value
     */
    public CopyOptions engine(@Nullable AioEngine engine) {
        return new CopyOptions(
                chunkSize,
                maxInFlight,
                fsync,
                replaceExisting,
                kernelCopy,
                atomic,
                engine,
                scheduler,
                blockingScheduler);
    }

    /**
     * Where the result, progress and errors are signalled (one worker of it); null: the engine's threads.
     *
     * @param scheduler the value
     * @return a copy with this value
     */
    public CopyOptions scheduler(@Nullable Scheduler scheduler) {
        return new CopyOptions(
                chunkSize,
                maxInFlight,
                fsync,
                replaceExisting,
                kernelCopy,
                atomic,
                engine,
                scheduler,
                blockingScheduler);
    }

    /**
     * Where files are opened and closed and the steps of a kernel copy run; null (the default) means {@link
     * Schedulers#boundedElastic()}.
     *
     * @param blockingScheduler the value
     * @return a copy with this value
     */
    public CopyOptions blockingScheduler(@Nullable Scheduler blockingScheduler) {
        return new CopyOptions(
                chunkSize,
                maxInFlight,
                fsync,
                replaceExisting,
                kernelCopy,
                atomic,
                engine,
                scheduler,
                blockingScheduler);
    }

    /** {@return bytes per chunk of AIO reads and writes} */
    public int chunkSize() {
        return chunkSize;
    }

    /** {@return reads (and writes) in flight at most} */
    public int maxInFlight() {
        return maxInFlight;
    }

    /** {@return whether the target is fsynced} */
    public boolean fsync() {
        return fsync;
    }

    /** {@return whether an existing target is replaced} */
    public boolean replaceExisting() {
        return replaceExisting;
    }

    /** {@return whether the copy may run inside the kernel} */
    public boolean kernelCopy() {
        return kernelCopy;
    }

    /** {@return whether the target is written under a temporary name and renamed into place} */
    public boolean atomic() {
        return atomic;
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

    /** {@return the scheduler that opens and closes files and runs the steps of a kernel copy} */
    public Scheduler blockingScheduler() {
        return blockingScheduler != null ? blockingScheduler : Schedulers.boundedElastic();
    }

    @Override
    public String toString() {
        return "CopyOptions[chunkSize=" + chunkSize + ", maxInFlight=" + maxInFlight + ", fsync=" + fsync
                + ", replaceExisting=" + replaceExisting + ", kernelCopy=" + kernelCopy + ", atomic=" + atomic
                + ", engine="
                + (engine == null ? "shared" : engine)
                + ", scheduler=" + scheduler + "]";
    }
}

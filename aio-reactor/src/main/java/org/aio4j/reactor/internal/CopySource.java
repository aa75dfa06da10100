package org.aio4j.reactor.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.jspecify.annotations.Nullable;

/**
 * The source of one copy (one subscription), opened and checked before the target is touched, as {@link
 * Files#copy} does: a source that cannot be read (missing, a directory, no permission) fails the copy while an
 * existing target is still intact, and no empty target is created.
 *
 * <p>{@link WriteMono} calls {@link #open()} on its blocking scheduler before it opens the target; the {@link
 * ReadFlux} it then subscribes {@link #take()}s the open file at subscription instead of opening the path again.
 * Whatever was opened and not taken (the target could not be opened, the copy was cancelled in between) is closed
 * by {@link #closeIfNotTaken()} when the write ends.
 */
public final class CopySource {
    private final Path source;
    private final Path target;
    private final AtomicReference<AioFile> file = new AtomicReference<>();

    @Nullable
    private final KernelCopier kernel;

    @Nullable
    private final LongConsumer onSize;

    private volatile long size = -1;

    @Nullable
    private final AtomicTarget atomic;

    /** A source to open later, copied by reads and writes only; one instance per subscription of a copy. */
    public CopySource(Path source, Path target) {
        this(source, target, null, null, null);
    }

    /**
     * A source to open later, copied inside the kernel where {@code kernel} applies (else by reads and writes); one
     * instance per subscription of a copy.
     *
     * @param onSize told the source size when a kernel copy starts (the read reports it otherwise)
     */
    public CopySource(Path source, Path target, @Nullable KernelCopier kernel, @Nullable LongConsumer onSize) {
        this(source, target, kernel, onSize, null);
    }

    /**
     * As {@link #CopySource(Path, Path, KernelCopier, LongConsumer)}, written atomically when {@code atomic} is given
     * ({@code target} is then its {@link AtomicTarget#target()}; the write's path is its {@link AtomicTarget#temp()}).
     */
    public CopySource(
            Path source,
            Path target,
            @Nullable KernelCopier kernel,
            @Nullable LongConsumer onSize,
            @Nullable AtomicTarget atomic) {
        this.source = Objects.requireNonNull(source, "source");
        this.target = Objects.requireNonNull(target, "target");
        this.kernel = kernel;
        this.onSize = onSize;
        this.atomic = atomic;
    }

    /** The atomic target of this copy, or null when it writes in place. */
    @Nullable
    AtomicTarget atomic() {
        return atomic;
    }

    /** The source path. */
    public Path path() {
        return source;
    }

    /**
     * Blocking. When source and target are the same existing file, returns its size and opens nothing (a copy onto
     * itself copies nothing, like {@link Files#copy}); otherwise opens the source for reading, reads its size and
     * returns -1.
     *
     * @throws IOException with the source path: NoSuchFileException, AccessDeniedException, FileSystemException
     *     (EISDIR)... (see {@link AioException#ofPath}), or an AioException
     */
    long open() throws IOException {
        long same = sameFile();
        if (same >= 0) return same;
        AioFile f = AioFile.open(source, StandardOpenOption.READ);
        try {
            size = f.size();
        } catch (Throwable t) {
            Support.closeQuietly(f);
            throw t;
        }
        file.set(f);
        return -1;
    }

    /** The size of source when source and target are the same existing file, else -1. Blocking. */
    private long sameFile() {
        try {
            if (Files.exists(target) && Files.isSameFile(source, target)) return Files.size(source);
        } catch (IOException e) {
            // not comparable (missing source...): opening the source reports the typed error
        }
        return -1;
    }

    /** The source size read by {@link #open()}. */
    long size() {
        return size;
    }

    /**
     * Blocking: starts a kernel copy of the opened source into {@code target} (open and empty), or returns null when
     * there is no kernel copier, no opened source, an empty source (files such as {@code /proc/version} claim size 0
     * and are read to their end by the read instead), or the copier does not apply. The source stays here: a copy
     * that the kernel refuses goes on with the read, which then {@link #take()}s it.
     */
    KernelCopier.@Nullable Copy startKernel(AioFile target) {
        AioFile f = file.get();
        long s = size;
        if (kernel == null || f == null || s <= 0) return null;
        KernelCopier.@Nullable Copy copy = kernel.start(f, target, s);
        if (copy != null && onSize != null) onSize.accept(s);
        return copy;
    }

    /** Hands the opened source over (once): the caller owns and closes it. Null if there is none (any more). */
    @Nullable
    AioFile take() {
        return file.getAndSet(null);
    }

    /** Closes the opened source unless it was taken. Idempotent; call on a blocking-capable thread. */
    void closeIfNotTaken() {
        AioFile f = take();
        if (f != null) Support.closeQuietly(f);
    }
}

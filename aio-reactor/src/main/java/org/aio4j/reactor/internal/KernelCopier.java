package org.aio4j.reactor.internal;

import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.internal.KernelCopy;
import org.jspecify.annotations.Nullable;

/**
 * The seam between a copy ({@link WriteMono} with a {@link CopySource}) and the copy inside the kernel: {@link
 * #of(long)} is {@link KernelCopy} (Linux: {@code copy_file_range}, {@code sendfile}); tests pass fakes.
 */
@FunctionalInterface
public interface KernelCopier {
    /**
     * A kernel copy of the first {@code size} bytes of {@code in} into the empty file {@code out}, or null where none
     * applies (not Linux, not two regular files). Blocking; neither file is closed by the copy.
     */
    @Nullable
    Copy start(AioFile in, AioFile out, long size);

    /** One kernel copy in progress, stepped one bounded chunk at a time (see {@link KernelCopy#step()}). */
    interface Copy {
        /** Copies the next chunk; blocking. {@link KernelCopy.Step#REFUSED} only before anything was copied. */
        KernelCopy.Step step() throws AioException;

        /** The offset below which the copy is done (data copied or holes skipped). */
        long position();
    }

    /** The real kernel copy, moving at most {@code chunk} bytes per system call. */
    static KernelCopier of(long chunk) {
        if (chunk <= 0) throw new IllegalArgumentException("chunk must be positive: " + chunk);
        return (in, out, size) -> {
            if (size <= 0 || !KernelCopy.applies(in, out)) return null;
            KernelCopy k = new KernelCopy(in, out, size, chunk);
            return new Copy() {
                @Override
                public KernelCopy.Step step() throws AioException {
                    return k.step();
                }

                @Override
                public long position() {
                    return k.position();
                }
            };
        };
    }
}

package org.aio4j.benchmarks;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.CopyOptions;
import org.aio4j.reactor.ReadOptions;

/** The aio4j Reactor candidates of {@link ReactorReadBenchmark} and {@link ReactorCopyBenchmark}. */
final class AioCandidates {
    private AioCandidates() {}

    /**
     * {@code AioFiles.read} of the whole file into a {@link CountingSubscriber} that gives every chunk back with
     * {@code AioFiles.release}; engine, schedulers and pool are the library's defaults (shared engine).
     *
     * @return the bytes counted
     */
    static long readFile(Path path, int chunk, int maxInFlight) throws InterruptedException {
        return CountingSubscriber.count(
                AioFiles.read(path, ReadOptions.defaults().chunkSize(chunk).maxInFlight(maxInFlight)),
                (ByteBuffer b) -> {
                    int n = b.remaining();
                    AioFiles.release(b);
                    return n;
                });
    }

    /**
     * {@code AioFiles.copy(source, target)}, replacing the target.
     *
     * @return the byte count the copy reported
     */
    static long copyFile(Path source, Path target, int chunk, int maxInFlight) {
        Long n = AioFiles.copy(
                        source,
                        target,
                        CopyOptions.defaults()
                                .chunkSize(chunk)
                                .maxInFlight(maxInFlight)
                                .replaceExisting(true))
                .block();
        return n == null ? -1 : n;
    }

    /** {@link #copyFile} with {@code kernelCopy(false)}: AIO reads and writes of {@code chunk}. */
    static long copyFileReadWrite(Path source, Path target, int chunk, int maxInFlight) {
        Long n = AioFiles.copy(
                        source,
                        target,
                        CopyOptions.defaults()
                                .kernelCopy(false)
                                .chunkSize(chunk)
                                .maxInFlight(maxInFlight)
                                .replaceExisting(true))
                .block();
        return n == null ? -1 : n;
    }
}

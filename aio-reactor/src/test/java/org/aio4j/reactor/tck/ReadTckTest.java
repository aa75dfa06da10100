package org.aio4j.reactor.tck;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.ReadOptions;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * TCK of {@link AioFiles#read(Path, ReadOptions)}: {@code createPublisher(n)} reads a file of exactly {@code n}
 * chunks. Each chunk is checked (size, order, content) and released, and the element is its index, so ordering
 * and completeness errors become {@code onError}. Up to {@code Integer.MAX_VALUE} chunks (a sparse file), which
 * lets rule 3.17 (demand above {@code Long.MAX_VALUE}) run.
 */
public class ReadTckTest extends AioPublisherVerification<Long> {
    /** The options under test (chunk size is always {@link #CHUNK}). */
    ReadOptions options() {
        return ReadOptions.defaults().chunkSize(CHUNK).maxInFlight(4);
    }

    @Override
    public Publisher<Long> createPublisher(long elements) {
        Path file = chunkFile(elements);
        return Flux.defer(() -> {
            AtomicLong next = new AtomicLong();
            return AioFiles.read(file, options()).map(chunk -> checkAndRelease(chunk, next.getAndIncrement()));
        });
    }

    static long checkAndRelease(ByteBuffer chunk, long index) {
        try {
            return verifyChunk(chunk, index);
        } finally {
            AioFiles.release(chunk);
        }
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        return AioFiles.read(missing(), options()).map(chunk -> checkAndRelease(chunk, 0));
    }

    @Override
    public long maxElementsFromPublisher() {
        return Integer.MAX_VALUE;
    }
}

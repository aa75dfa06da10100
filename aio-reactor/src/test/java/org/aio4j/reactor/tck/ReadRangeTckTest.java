package org.aio4j.reactor.tck;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.ReadOptions;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * TCK of a ranged {@link AioFiles#read(Path, ReadOptions)}: {@code n} chunks from {@code position = 3 chunks} with
 * {@code length = n chunks}, inside a file with 3 more chunks after the range (so the range, not the end of the
 * file, ends the stream).
 */
public class ReadRangeTckTest extends AioPublisherVerification<Long> {
    static final int SKIP = 3;

    @Override
    public Publisher<Long> createPublisher(long elements) {
        Path file = chunkFile(elements + 2L * SKIP);
        ReadOptions options = ReadOptions.defaults()
                .chunkSize(CHUNK)
                .maxInFlight(3)
                .position((long) SKIP * CHUNK)
                .length(elements * CHUNK);
        return Flux.defer(() -> {
            AtomicLong next = new AtomicLong(SKIP);
            return AioFiles.read(file, options)
                    .map(chunk -> ReadTckTest.checkAndRelease(chunk, next.getAndIncrement()) - SKIP);
        });
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        return AioFiles.read(missing(), ReadOptions.defaults().position(CHUNK).length(CHUNK))
                .map(chunk -> ReadTckTest.checkAndRelease(chunk, 0));
    }

    @Override
    public long maxElementsFromPublisher() {
        return Integer.MAX_VALUE; // the file is sparse beyond its first chunks
    }
}

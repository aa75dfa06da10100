package org.aio4j.reactor.tck;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.reactor.spring.AioDataBufferUtils;
import org.aio4j.reactor.spring.LeakTrackingDataBufferFactory;
import org.reactivestreams.Publisher;
import org.testng.annotations.AfterClass;
import reactor.core.publisher.Flux;

/**
 * TCK of the ranged {@link AioDataBufferUtils#read(Path, long, long,
 * org.springframework.core.io.buffer.DataBufferFactory, int)} (an HTTP Range body): {@code n} buffers from chunk 2
 * of a file with 2 chunks before and after the range; checked, released and leak-tracked like {@link
 * SpringReadTckTest}.
 */
public class SpringRangedReadTckTest extends AioPublisherVerification<Long> {
    static final int SKIP = 2;
    final LeakTrackingDataBufferFactory factory = new LeakTrackingDataBufferFactory();

    @AfterClass(alwaysRun = true)
    public void checkDataBufferLeaks() {
        factory.checkForLeaks();
    }

    @Override
    public Publisher<Long> createPublisher(long elements) {
        Path file = chunkFile(elements + 2L * SKIP);
        return Flux.defer(() -> {
            AtomicLong next = new AtomicLong(SKIP);
            return AioDataBufferUtils.read(file, (long) SKIP * CHUNK, elements * CHUNK, factory, CHUNK)
                    .map(b -> SpringReadTckTest.checkAndRelease(b, next.getAndIncrement()) - SKIP);
        });
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        return AioDataBufferUtils.read(missing(), CHUNK, CHUNK, factory, CHUNK)
                .map(b -> SpringReadTckTest.checkAndRelease(b, 0));
    }

    @Override
    public long maxElementsFromPublisher() {
        return Integer.MAX_VALUE; // the file is sparse beyond its first chunks
    }
}

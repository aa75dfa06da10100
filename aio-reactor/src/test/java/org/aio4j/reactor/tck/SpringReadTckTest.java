package org.aio4j.reactor.tck;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.reactor.spring.AioDataBufferUtils;
import org.aio4j.reactor.spring.LeakTrackingDataBufferFactory;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.testng.annotations.AfterClass;
import reactor.core.publisher.Flux;

/**
 * TCK of {@link AioDataBufferUtils#read(Path, org.springframework.core.io.buffer.DataBufferFactory, int,
 * java.nio.file.OpenOption...)}: {@code n} DataBuffers from a file of {@code n} chunks, each checked and released
 * (the element is its index). The factory tracks every buffer: none may be left unreleased after the class, which
 * covers the buffers read ahead and dropped by cancels.
 */
public class SpringReadTckTest extends AioPublisherVerification<Long> {
    final LeakTrackingDataBufferFactory factory = new LeakTrackingDataBufferFactory();

    @AfterClass(alwaysRun = true)
    public void checkDataBufferLeaks() {
        factory.checkForLeaks();
    }

    @Override
    public Publisher<Long> createPublisher(long elements) {
        Path file = chunkFile(elements);
        return Flux.defer(() -> {
            AtomicLong next = new AtomicLong();
            return AioDataBufferUtils.read(file, factory, CHUNK).map(b -> checkAndRelease(b, next.getAndIncrement()));
        });
    }

    static long checkAndRelease(DataBuffer buffer, long index) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return verifyChunk(ByteBuffer.wrap(bytes), index);
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        return AioDataBufferUtils.read(missing(), factory, CHUNK).map(b -> checkAndRelease(b, 0));
    }

    @Override
    public long maxElementsFromPublisher() {
        return Integer.MAX_VALUE;
    }
}

package org.aio4j.reactor.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.TestFiles;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/** Every test of {@link AioDataBufferUtilsTest} again, with a factory of direct buffers: reads go straight in. */
class AioDataBufferUtilsDirectTest extends AioDataBufferUtilsTest {
    @Override
    LeakTrackingDataBufferFactory newFactory() {
        return new LeakTrackingDataBufferFactory(new DefaultDataBufferFactory(true));
    }

    @Test
    void readsIntoTheFactorysBuffersWithoutPoolChunks() {
        Path f = TestFiles.create(dir.resolve("f"), 100_000, 3);
        int chunksBefore = AioFiles.outstandingChunks();
        int[] maxChunks = {0};
        long n = AioDataBufferUtils.read(f, factory, 8192)
                .doOnNext(b -> maxChunks[0] = Math.max(maxChunks[0], AioFiles.outstandingChunks() - chunksBefore))
                .map(b -> {
                    int r = b.readableByteCount();
                    DataBufferUtils.release(b);
                    return (long) r;
                })
                .reduce(0L, Long::sum)
                .block(Duration.ofSeconds(10));
        assertThat(n).isEqualTo(100_000);
        assertThat(maxChunks[0]).as("no pooled chunk used").isZero();
        assertThat(factory.created()).isEqualTo((100_000 + 8191) / 8192);
    }
}

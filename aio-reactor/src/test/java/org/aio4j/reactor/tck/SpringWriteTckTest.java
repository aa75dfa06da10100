package org.aio4j.reactor.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aio4j.reactor.spring.AioDataBufferUtils;
import org.aio4j.reactor.spring.LeakTrackingDataBufferFactory;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.testng.annotations.AfterClass;
import reactor.core.publisher.Flux;

/**
 * TCK of {@link AioDataBufferUtils#write(Publisher, Path, java.nio.file.OpenOption...)}: a {@code Mono<Void>} that
 * writes 4 DataBuffers to a new file (size checked on completion). Every buffer must be released by the write,
 * including those of cancelled and failed writes: the tracking factory checks after the class.
 */
public class SpringWriteTckTest extends VoidMonoVerification {
    static final int BUFFERS = 4;
    static final int SIZE = 3000;
    final LeakTrackingDataBufferFactory factory = new LeakTrackingDataBufferFactory();

    @AfterClass(alwaysRun = true)
    public void checkDataBufferLeaks() {
        factory.checkForLeaks();
    }

    Flux<DataBuffer> source() {
        return Flux.range(0, BUFFERS).map(i -> factory.wrap(new byte[SIZE]));
    }

    @Override
    Publisher<Void> single() {
        Path target = newPath("write");
        return AioDataBufferUtils.write(source(), target).doOnSuccess(v -> {
            try {
                if (Files.size(target) != (long) BUFFERS * SIZE) {
                    throw new IllegalStateException("file has " + Files.size(target) + " bytes");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public Publisher<Void> createFailedPublisher() {
        // ENOENT on open: the parent directory does not exist. The source is never subscribed (nothing allocated).
        return AioDataBufferUtils.write(source(), missing().resolve("target"));
    }
}

package org.aio4j.reactor.tck;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aio4j.reactor.AioFiles;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * TCK of {@link AioFiles#write(Publisher, Path, java.nio.file.OpenOption...)}: a {@code Mono<Long>} of the bytes
 * written, here 5 buffers (direct and heap, one empty) to a new file; the value and the file size are checked.
 */
public class WriteTckTest extends MonoVerification<Long> {
    static final long EXPECTED = 3 * 1000 + 4096;

    @Override
    Publisher<Long> single() {
        Path target = newPath("write");
        Flux<ByteBuffer> source = Flux.range(0, 5).map(i -> switch (i) {
            case 0 -> ByteBuffer.allocateDirect(1000);
            case 1 -> ByteBuffer.allocate(1000);
            case 2 -> ByteBuffer.allocateDirect(0);
            case 3 -> ByteBuffer.allocateDirect(4096);
            default -> ByteBuffer.allocate(1000);
        });
        return AioFiles.write(source, target).doOnNext(n -> check(n, target));
    }

    static void check(long n, Path target) {
        try {
            if (n != EXPECTED || Files.size(target) != EXPECTED) {
                throw new IllegalStateException("wrote " + n + ", file has " + Files.size(target));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        // ENOENT: the parent directory does not exist (fails when opening, before any demand)
        return AioFiles.write(
                Mono.just(ByteBuffer.allocateDirect(10)), missing().resolve("target"));
    }
}

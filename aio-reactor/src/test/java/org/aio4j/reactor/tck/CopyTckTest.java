package org.aio4j.reactor.tck;

import java.nio.file.Path;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.CopyOptions;
import org.reactivestreams.Publisher;

/**
 * TCK of {@link AioFiles#copy}: a {@code Mono<Long>} of the bytes copied (a file of 5 chunks and a bit, to a new
 * target each time; {@code replaceExisting} so that the optional multi-subscribe rules may copy twice). The value
 * and the copy's content are checked.
 *
 * <p>No failed publisher: unlike {@code read} and {@code write}, which open their file at subscription, {@code
 * copy} does nothing (not even its same-file check) before the first request, so a missing source is signalled
 * only after {@code request(n)}, while the TCK's failed-publisher rules (1.4, 1.9) never request. That error path
 * is checked by {@link #missingSourceFailsAfterRequest()}.
 */
public class CopyTckTest extends MonoVerification<Long> {
    static final int SIZE = 5 * 4096 + 123;

    Path source;

    CopyOptions options() {
        return CopyOptions.defaults().chunkSize(4096).maxInFlight(2).replaceExisting(true);
    }

    @Override
    Publisher<Long> single() {
        if (source == null) source = patternFile("source", SIZE);
        Path target = newPath("copy");
        return AioFiles.copy(source, target, options())
                .doOnNext(n -> MismatchTckTest.checkSame(n, SIZE, source, target));
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        return null; // see the class comment
    }

    /** The error path the TCK cannot reach without demand: ENOENT once requested, no target fd left open. */
    @org.testng.annotations.Test
    public void missingSourceFailsAfterRequest() {
        reactor.test.StepVerifier.create(AioFiles.copy(missing(), newPath("copy"), options()))
                .expectErrorSatisfies(e -> {
                    if (!(e instanceof org.aio4j.AioException)
                            || !"ENOENT".equals(((org.aio4j.AioException) e).errnoName())) {
                        throw new AssertionError("expected ENOENT, got " + e);
                    }
                })
                .verify(java.time.Duration.ofSeconds(10));
    }
}

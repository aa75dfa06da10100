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
 * <p>The failed publisher copies a missing source: the copy opens (and checks) its source at subscription, before
 * it touches the target, so the error arrives without demand (rules 1.4, 1.9), and no target is created.
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
        return AioFiles.copy(missing(), newPath("copy"), options());
    }

    /** ENOENT once requested too, with the source's path. */
    @org.testng.annotations.Test
    public void missingSourceFailsAfterRequest() {
        reactor.test.StepVerifier.create(AioFiles.copy(missing(), newPath("copy"), options()))
                .expectErrorSatisfies(e -> org.aio4j.PathErrors.assertPathError(e, "ENOENT"))
                .verify(java.time.Duration.ofSeconds(10));
    }
}

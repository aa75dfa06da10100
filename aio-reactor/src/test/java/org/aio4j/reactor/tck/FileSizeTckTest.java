package org.aio4j.reactor.tck;

import org.aio4j.reactor.ReactiveAioFile;
import org.reactivestreams.Publisher;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

/**
 * TCK of {@link ReactiveAioFile#size}: a {@code Mono<Long>} (12,345 bytes).
 *
 * <p>No failed publisher: {@code size()} is {@code Mono.fromCallable}, which (in reactor-core 3.8) calls the
 * callable at the first request, so the size of a closed file ({@code AioException} EBADF) is signalled only after
 * {@code request(n)}, while the TCK's failed-publisher rules (1.4, 1.9) never request. That error path is checked
 * by {@link #closedFileFailsAfterRequest()}.
 */
public class FileSizeTckTest extends MonoVerification<Long> {
    final OpenFiles files = new OpenFiles();
    ReactiveAioFile file;
    ReactiveAioFile closed;

    @BeforeClass
    public void openFile() {
        file = files.open(patternFile("file", 12_345));
        closed = files.open(newPath("closed"));
        closed.file().close();
    }

    @AfterClass(alwaysRun = true)
    public void closeFile() {
        files.closeAll();
    }

    @Override
    Publisher<Long> single() {
        return file.size().doOnNext(n -> {
            if (n != 12_345) throw new IllegalStateException("size " + n);
        });
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        return null; // see the class comment
    }

    /** The error path the TCK cannot reach without demand: EBADF once requested. */
    @org.testng.annotations.Test
    public void closedFileFailsAfterRequest() {
        reactor.test.StepVerifier.create(closed.size())
                .expectErrorSatisfies(e -> {
                    if (!(e instanceof org.aio4j.AioException)
                            || !"EBADF".equals(((org.aio4j.AioException) e).errnoName())) {
                        throw new AssertionError("expected EBADF, got " + e);
                    }
                })
                .verify(java.time.Duration.ofSeconds(10));
    }
}

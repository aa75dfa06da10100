package org.aio4j.reactor.tck;

import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.ReactiveAioFile;
import org.reactivestreams.Publisher;

/**
 * TCK of {@link AioFiles#open}: a {@code Mono<ReactiveAioFile>}. The subscriber owns an emitted file, so each one
 * is closed as it passes ({@code doOnNext}); files opened but never emitted (cancelled) are the Mono's to close,
 * which the class's fd check verifies.
 */
public class OpenTckTest extends MonoVerification<ReactiveAioFile> {
    Path file;

    @Override
    Publisher<ReactiveAioFile> single() {
        if (file == null) file = patternFile("file", 100);
        return AioFiles.open(file, StandardOpenOption.READ).doOnNext(f -> {
            f.file().close();
            if (!f.path().equals(file)) throw new IllegalStateException("opened " + f.path());
        });
    }

    @Override
    public Publisher<ReactiveAioFile> createFailedPublisher() {
        return AioFiles.open(missing(), StandardOpenOption.READ);
    }
}

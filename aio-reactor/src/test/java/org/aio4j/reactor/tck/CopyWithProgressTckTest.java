package org.aio4j.reactor.tck;

import java.nio.file.Path;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.CopyOptions;
import org.aio4j.reactor.CopyProgress;
import org.reactivestreams.Publisher;

/**
 * TCK of {@link AioFiles#copyWithProgress}. The number of progress samples is not a property of the input: under
 * backpressure only the latest sample is kept (documented), so a copy of k chunks emits between 1 and k+1 samples
 * depending on when the subscriber requests. The one length that is exact is 1: the copy of an empty file emits
 * just the final sample ({@code done == true}). So {@link #maxElementsFromPublisher()} is 1, and rules needing
 * longer streams are skipped by the TCK. (The copy itself is verified with longer files by {@link CopyTckTest}.)
 */
public class CopyWithProgressTckTest extends MonoVerification<CopyProgress> {
    Path empty;

    @Override
    Publisher<CopyProgress> single() {
        if (empty == null) empty = patternFile("empty", 0);
        return AioFiles.copyWithProgress(
                        empty, newPath("copy"), CopyOptions.defaults().replaceExisting(true))
                .doOnNext(p -> {
                    if (!p.done() || p.bytesDone() != 0 || p.totalBytes() != 0 || p.fraction() != 1.0) {
                        throw new IllegalStateException("unexpected sample " + p);
                    }
                });
    }

    @Override
    public Publisher<CopyProgress> createFailedPublisher() {
        return AioFiles.copyWithProgress(missing(), newPath("copy"), CopyOptions.defaults());
    }
}

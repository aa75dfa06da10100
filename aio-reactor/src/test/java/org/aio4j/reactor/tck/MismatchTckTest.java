package org.aio4j.reactor.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.ReadOptions;
import org.reactivestreams.Publisher;

/**
 * TCK of {@link AioFiles#mismatch}: a {@code Mono<Long>}, alternately of two equal files (-1) and of two files that
 * differ at a known offset; the value is checked.
 */
public class MismatchTckTest extends MonoVerification<Long> {
    static final int SIZE = 3 * 4096 + 17;
    static final int DIFF_AT = 2 * 4096 + 5;

    Path a;
    Path b;
    Path c;
    int calls;

    @Override
    Publisher<Long> single() {
        if (a == null) {
            a = patternFile("a", SIZE);
            b = patternFile("b", SIZE);
            c = patternFile("c", SIZE);
            try {
                byte[] bytes = Files.readAllBytes(c);
                bytes[DIFF_AT] ^= 1;
                Files.write(c, bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        ReadOptions options = ReadOptions.defaults().chunkSize(4096).maxInFlight(2);
        boolean equal = (calls++ & 1) == 0;
        long expected = equal ? -1 : DIFF_AT;
        return AioFiles.mismatch(a, equal ? b : c, options).doOnNext(m -> {
            if (m != expected) throw new IllegalStateException("mismatch " + m + ", expected " + expected);
        });
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        return AioFiles.mismatch(missing(), missing());
    }

    /** Throws unless {@code n == size} and both files have the same bytes. */
    static void checkSame(long n, long size, Path x, Path y) {
        try {
            if (n != size || Files.mismatch(x, y) != -1) {
                throw new IllegalStateException(
                        "copied " + n + " of " + size + ", mismatch at " + Files.mismatch(x, y));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

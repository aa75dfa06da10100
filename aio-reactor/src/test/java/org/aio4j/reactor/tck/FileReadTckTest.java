package org.aio4j.reactor.tck;

import java.nio.ByteBuffer;
import org.aio4j.reactor.ReactiveAioFile;
import org.reactivestreams.Publisher;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

/**
 * TCK of {@link ReactiveAioFile#read}: a {@code Mono<Integer>} of the bytes read, from a 10,000-byte file at offset
 * 8,000 into a fresh 4 KiB direct buffer (a buffer whose op was cancelled must not be reused): 2,000, with the
 * content checked.
 *
 * <p>No failed publisher: {@code ReactiveAioFile}'s Monos submit their op at the first request (cold and lazy), so
 * a failing op (for example on a closed file) signals {@code onError} only after {@code request(n)}, while the
 * TCK's failed-publisher rules (1.4, 1.9) never request. Returning null makes the TCK skip them.
 */
public class FileReadTckTest extends MonoVerification<Integer> {
    final OpenFiles files = new OpenFiles();
    ReactiveAioFile file;

    @BeforeClass
    public void openFile() {
        file = files.open(patternFile("file", 10_000));
    }

    @AfterClass(alwaysRun = true)
    public void closeFile() {
        files.closeAll();
    }

    @Override
    Publisher<Integer> single() {
        ByteBuffer dst = ByteBuffer.allocateDirect(4096);
        return file.read(8000, dst).doOnNext(n -> {
            if (n != 2000) throw new IllegalStateException("read " + n);
            for (int i = 0; i < n; i++) {
                if (dst.get(i) != (byte) ((8000 + i) * 31 + 3)) throw new IllegalStateException("corrupt at " + i);
            }
        });
    }

    @Override
    public Publisher<Integer> createFailedPublisher() {
        return null; // see the class comment
    }
}

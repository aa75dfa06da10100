package org.aio4j.reactor.tck;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.reactor.ReactiveAioFile;
import org.reactivestreams.Publisher;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

/**
 * TCK of {@link ReactiveAioFile#write}: a {@code Mono<Integer>} of the bytes written (3,000 from a fresh direct
 * buffer, each Mono at its own offset). No failed publisher: see {@link FileReadTckTest}.
 */
public class FileWriteTckTest extends MonoVerification<Integer> {
    final OpenFiles files = new OpenFiles();
    final AtomicLong offset = new AtomicLong();
    ReactiveAioFile file;

    @BeforeClass
    public void openFile() {
        file = files.open(newPath("file"));
    }

    @AfterClass(alwaysRun = true)
    public void closeFile() {
        files.closeAll();
    }

    @Override
    Publisher<Integer> single() {
        ByteBuffer src = ByteBuffer.allocateDirect(3000);
        return file.write(offset.getAndAdd(3000), src).doOnNext(n -> {
            if (n != 3000) throw new IllegalStateException("wrote " + n);
        });
    }

    @Override
    public Publisher<Integer> createFailedPublisher() {
        return null; // the op is submitted at the first request: see FileReadTckTest
    }
}

package org.aio4j.reactor.tck;

import org.aio4j.reactor.ReactiveAioFile;
import org.reactivestreams.Publisher;
import org.testng.annotations.AfterClass;

/**
 * TCK of {@link ReactiveAioFile#close}: a {@code Mono<Void>} closing a file opened for it (checked closed when the
 * Mono completes). No failed publisher: closing never fails (it is idempotent and defers the close of an fd with
 * ops in flight).
 */
public class FileCloseTckTest extends VoidMonoVerification {
    final OpenFiles files = new OpenFiles();

    @AfterClass(alwaysRun = true)
    public void closeFiles() {
        files.closeAll();
    }

    @Override
    Publisher<Void> single() {
        ReactiveAioFile f = files.open(newPath("file"));
        return f.close().doOnSuccess(v -> {
            if (f.file().isOpen()) throw new IllegalStateException("still open: " + f);
        });
    }

    @Override
    public Publisher<Void> createFailedPublisher() {
        return null; // see the class comment
    }
}

package org.aio4j.reactor.tck;

import org.aio4j.AioFsyncMode;
import org.aio4j.reactor.ReactiveAioFile;
import org.reactivestreams.Publisher;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

/**
 * TCK of {@link ReactiveAioFile#fsync}: a {@code Mono<Void>} (alternately O_SYNC and O_DSYNC). No failed publisher:
 * the op is submitted at the first request (see {@link FileReadTckTest}).
 */
public class FileFsyncTckTest extends VoidMonoVerification {
    final OpenFiles files = new OpenFiles();
    ReactiveAioFile file;
    int calls;

    @BeforeClass
    public void openFile() {
        file = files.open(patternFile("file", 5000));
    }

    @AfterClass(alwaysRun = true)
    public void closeFile() {
        files.closeAll();
    }

    @Override
    Publisher<Void> single() {
        return file.fsync((calls++ & 1) == 0 ? AioFsyncMode.O_SYNC : AioFsyncMode.O_DSYNC);
    }

    @Override
    public Publisher<Void> createFailedPublisher() {
        return null; // see the class comment
    }
}

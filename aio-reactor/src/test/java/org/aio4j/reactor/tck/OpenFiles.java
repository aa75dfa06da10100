package org.aio4j.reactor.tck;

import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.ReactiveAioFile;

/** Files a verification of {@link ReactiveAioFile}'s Monos opens itself; all closed by {@link #closeAll()}. */
final class OpenFiles {
    private final List<ReactiveAioFile> open = new CopyOnWriteArrayList<>();

    /** Opens {@code path} for reading and writing (created if missing); blocks the test thread. */
    ReactiveAioFile open(Path path) {
        ReactiveAioFile f = AioFiles.open(
                        path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE)
                .block(Duration.ofSeconds(10));
        open.add(f);
        return f;
    }

    void closeAll() {
        for (ReactiveAioFile f : open) f.close().block(Duration.ofSeconds(10));
        open.clear();
    }
}

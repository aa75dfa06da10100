package org.aio4j.webflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.aio4j.reactor.internal.AtomicTarget;
import org.aio4j.reactor.spring.AioDataBufferUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.publisher.Flux;

/**
 * The temporary file of an upload or server-side copy ({@link AtomicTarget#createTemp()}, removed by {@link
 * FileHandlers#discard}): removed once, never before it exists, and an open without CREATE after the removal cannot bring it back (the race the soak found: a cancel's
 * removal ran before the writer's own open created the file, which then stayed as an empty {@code .part}).
 */
class FileHandlersTempFileTest {
    @TempDir
    Path dir;

    @Test
    void createThenDiscardRemovesIt() throws Exception {
        AtomicTarget tmp = temp("a");
        assertThat(tmp.createTemp()).exists();
        FileHandlers.discard(tmp);
        FileHandlers.discard(tmp); // a second signal (error after cancel) changes nothing
        assertThat(awaitGone(tmp.temp())).isTrue();
    }

    @Test
    void aDiscardThatComesWhileTheFileIsBeingCreatedIsCarriedOutByTheCreator() throws Exception {
        AtomicTarget tmp = temp("b");
        FileHandlers.discard(tmp); // the cancel came first: nothing exists yet, nothing is removed yet
        tmp.createTemp(); // the creating task finishes afterwards
        assertThat(tmp.temp()).doesNotExist();
    }

    @Test
    void theWritersOpenAfterTheRemovalFailsInsteadOfCreatingTheFile() throws Exception {
        AtomicTarget tmp = temp("c");
        tmp.createTemp();
        FileHandlers.discard(tmp);
        assertThat(awaitGone(tmp.temp())).isTrue();
        // what the upload's writer does when its open runs late, after the cancel's removal
        assertThatThrownBy(
                        () -> AioDataBufferUtils.write(Flux.<DataBuffer>empty(), tmp.temp(), StandardOpenOption.WRITE)
                                .block(Duration.ofSeconds(10)))
                .isNotNull();
        assertThat(tmp.temp()).doesNotExist();
    }

    /** The router's temporary file for {@code name}. */
    private AtomicTarget temp(String name) {
        AtomicTarget tmp = FileHandlers.tempFor(dir.resolve(name));
        assertThat(RootedPaths.isTemporaryName(tmp.temp().getFileName().toString()))
                .as("hidden by the router")
                .isTrue();
        return tmp;
    }

    static boolean awaitGone(Path p) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (Files.exists(p)) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(10);
        }
        return true;
    }
}

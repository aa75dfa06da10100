package org.aio4j.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.aio4j.AioException;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.ReadOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/** The "Done when" scenarios. */
class DoneWhenTest {
    @TempDir
    Path dir;

    Path file(int size) throws Exception {
        byte[] b = new byte[size];
        new Random(7).nextBytes(b);
        return Files.write(dir.resolve("data-" + size), b);
    }

    @Test
    void thirdOfFourReadsFailsWithEio() throws Exception {
        Path f = file(4 * 4096);
        try (AioTestEngine test =
                AioTestEngine.builder().fail(OpType.READ, 3, "EIO").build()) {
            ReadOptions opts =
                    ReadOptions.defaults().chunkSize(4096).maxInFlight(1).engine(test.engine());
            StepVerifier.create(AioFiles.read(f, opts).map(c -> {
                        int n = c.remaining();
                        AioFiles.release(c);
                        return n;
                    }))
                    .expectNext(4096, 4096)
                    .expectErrorSatisfies(e -> {
                        assertThat(e).isInstanceOf(AioException.class);
                        assertThat(((AioException) e).errnoName()).isEqualTo("EIO");
                    })
                    .verify(Duration.ofSeconds(10));
            test.assertNoLeaks();
            assertThat(test.log()).hasSize(3);
            assertThat(test.log().get(2).result()).isEqualTo(-5);
        }
    }

    @Test
    void tenSecondDelayPerReadInVirtualTime() throws Exception {
        Path f = file(4 * 4096);
        try (AioTestEngine test = AioTestEngine.builder()
                .delay(OpType.READ, Duration.ofSeconds(10))
                .build()) {
            ReadOptions opts =
                    ReadOptions.defaults().chunkSize(4096).maxInFlight(1).engine(test.engine());
            long t0 = System.nanoTime();
            StepVerifier.withVirtualTime(() -> AioFiles.read(f, opts).doOnNext(AioFiles::release))
                    .expectSubscription()
                    .expectNoEvent(Duration.ofSeconds(9))
                    .thenAwait(Duration.ofSeconds(40))
                    .expectNextCount(4)
                    .expectComplete()
                    .verify(Duration.ofSeconds(5));
            // 40 s of virtual time; in real time it takes milliseconds (the bound is loose, this is no timing test)
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            test.assertNoLeaks();
        }
    }
}

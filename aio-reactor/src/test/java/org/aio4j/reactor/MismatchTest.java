package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import org.aio4j.PathErrors;
import org.aio4j.engine.AioEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

class MismatchTest {
    @TempDir
    Path dir;

    TestFiles.Probe probe;

    @BeforeEach
    void before() {
        AioEngine.shared();
        probe = TestFiles.Probe.take();
    }

    @AfterEach
    void after() {
        probe.assertNoLeaks();
    }

    @Test
    void agreesWithFilesMismatch() throws Exception {
        SplittableRandom rnd = new SplittableRandom(77);
        int chunk = 4096;
        for (int i = 0; i < 60; i++) {
            int size = rnd.nextInt(0, 5 * chunk);
            byte[] a = TestFiles.expected(size, i);
            byte[] b = a.clone();
            int kind = rnd.nextInt(4);
            if (kind == 1 && size > 0) b[rnd.nextInt(size)] ^= 1; // one flipped byte
            if (kind == 2) b = java.util.Arrays.copyOf(b, rnd.nextInt(0, size + 1)); // a prefix
            if (kind == 3) b = java.util.Arrays.copyOf(b, size + rnd.nextInt(1, 3 * chunk)); // longer
            Path pa = dir.resolve("a" + i);
            Path pb = dir.resolve("b" + i);
            Files.write(pa, a);
            Files.write(pb, b);
            long want = Files.mismatch(pa, pb);
            ReadOptions o = ReadOptions.defaults().chunkSize(chunk).maxInFlight(rnd.nextInt(1, 5));
            StepVerifier.create(AioFiles.mismatch(pa, pb, o)).expectNext(want).verifyComplete();
            StepVerifier.create(AioFiles.mismatch(pb, pa)).expectNext(want).verifyComplete();
        }
    }

    @Test
    void differenceAtChunkBoundaries() throws Exception {
        int chunk = 4096;
        byte[] a = TestFiles.expected(4 * chunk, 5);
        Path pa = dir.resolve("a");
        Files.write(pa, a);
        for (int off : new int[] {0, chunk - 1, chunk, chunk + 1, 4 * chunk - 1}) {
            byte[] b = a.clone();
            b[off] ^= (byte) 0x80;
            Path pb = dir.resolve("b" + off);
            Files.write(pb, b);
            StepVerifier.create(AioFiles.mismatch(pa, pb, ReadOptions.defaults().chunkSize(chunk)))
                    .expectNext((long) off)
                    .verifyComplete();
        }
    }

    @Test
    void missingFileIsTypedError() throws Exception {
        Path pa = dir.resolve("a");
        Files.write(pa, new byte[100]);
        StepVerifier.create(AioFiles.mismatch(pa, dir.resolve("nope")))
                .expectErrorSatisfies(e -> PathErrors.assertPathError(e, "ENOENT"))
                .verify(Duration.ofSeconds(10));
    }

    /**
     * Flux.zip takes an inner's error on one thread racing its drain on another for a completion; mismatch carries a
     * failure in band so that it always surfaces (before: now and then a missing file compared as an empty one and
     * the Mono completed empty; seen in CI under load).
     */
    @Test
    void aMissingFileIsAnErrorEveryTime() throws Exception {
        Path pa = dir.resolve("a");
        Files.write(pa, new byte[100]);
        Path none = dir.resolve("nope");
        for (int i = 0; i < 400; i++) {
            Path x = i % 2 == 0 ? pa : none;
            Path y = i % 2 == 0 ? none : pa;
            StepVerifier.create(AioFiles.mismatch(x, y))
                    .expectErrorSatisfies(e -> PathErrors.assertPathError(e, "ENOENT"))
                    .verify(Duration.ofSeconds(10));
        }
    }

    @Test
    void nothingIsReadBeforeTheFirstRequest() throws Exception {
        Path pa = Files.write(dir.resolve("a"), new byte[50_000]);
        Path pb = Files.write(dir.resolve("b"), new byte[50_000]);
        int chunks = AioFiles.outstandingChunks();
        StepVerifier.create(AioFiles.mismatch(pa, pb, ReadOptions.defaults().chunkSize(4096)), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(100))
                // the files are open (so a missing one fails at once) but no chunk was read
                .then(() -> assertThat(AioFiles.outstandingChunks()).isEqualTo(chunks))
                .thenRequest(1)
                .expectNext(-1L)
                .verifyComplete();
    }
}

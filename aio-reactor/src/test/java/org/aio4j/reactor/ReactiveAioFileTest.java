package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.aio4j.AioException;
import org.aio4j.AioFsyncMode;
import org.aio4j.PathErrors;
import org.aio4j.engine.AioEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class ReactiveAioFileTest {
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
    void usingWhenWriteFsyncSizeReadClose() throws Exception {
        Path f = dir.resolve("f");
        ByteBuffer src =
                ByteBuffer.allocateDirect(5).put(new byte[] {1, 2, 3, 4, 5}).flip();
        ByteBuffer dst = ByteBuffer.allocateDirect(16);
        Mono<Long> m = Mono.usingWhen(
                AioFiles.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
                file -> file.write(10, src)
                        .doOnNext(n -> assertThat(n).isEqualTo(5))
                        .then(file.fsync(AioFsyncMode.O_DSYNC))
                        .then(file.size())
                        .flatMap(size -> file.read(8, dst).map(n -> size * 100 + n)),
                ReactiveAioFile::close);
        StepVerifier.create(m).expectNext(15L * 100 + 7).verifyComplete();
        assertThat(src.position()).isZero();
        byte[] got = new byte[7];
        dst.get(0, got);
        assertThat(got).containsExactly(0, 0, 1, 2, 3, 4, 5);
        assertThat(Files.size(f)).isEqualTo(15);
    }

    @Test
    void readAtEndOfFileGivesZero() throws Exception {
        Path f = dir.resolve("f");
        Files.write(f, new byte[3]);
        StepVerifier.create(Flux.usingWhen(
                        AioFiles.open(f), file -> file.read(3, ByteBuffer.allocateDirect(8)), ReactiveAioFile::close))
                .expectNext(0)
                .verifyComplete();
    }

    @Test
    void assemblyChecks() throws Exception {
        Path f = dir.resolve("f");
        Files.write(f, new byte[3]);
        ReactiveAioFile file = AioFiles.open(f).block(Duration.ofSeconds(10));
        try {
            assertThat(file.path()).isEqualTo(f);
            assertThatThrownBy(() -> file.read(0, ByteBuffer.allocate(3))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> file.write(0, ByteBuffer.allocate(3)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> file.read(-1, ByteBuffer.allocateDirect(3)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> file.read(0, null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> file.fsync(null)).isInstanceOf(NullPointerException.class);
        } finally {
            file.close().block(Duration.ofSeconds(10));
        }
        assertThatThrownBy(() -> AioFiles.open(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void errorsAreTyped() throws Exception {
        StepVerifier.create(AioFiles.open(dir.resolve("missing")))
                .expectErrorSatisfies(e -> PathErrors.assertPathError(e, "ENOENT"))
                .verify(Duration.ofSeconds(10));
        Path f = dir.resolve("f");
        Files.write(f, new byte[3]);
        // a write on a read-only fd
        StepVerifier.create(Mono.usingWhen(
                        AioFiles.open(f), file -> file.write(0, ByteBuffer.allocateDirect(1)), ReactiveAioFile::close))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(AioException.class);
                    assertThat(((AioException) e).path()).isEqualTo(f);
                    assertThat(((AioException) e).position()).isEqualTo(0);
                })
                .verify(Duration.ofSeconds(10));
        // use after close
        ReactiveAioFile file = AioFiles.open(f).block(Duration.ofSeconds(10));
        file.close().block(Duration.ofSeconds(10));
        StepVerifier.create(file.read(0, ByteBuffer.allocateDirect(1)))
                .expectError(AioException.class)
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void openCancelledBeforeEmissionClosesTheFile() throws Exception {
        Path f = dir.resolve("f");
        Files.write(f, new byte[3]);
        for (int i = 0; i < 200; i++) {
            StepVerifier.create(AioFiles.open(f), 0).thenCancel().verify(Duration.ofSeconds(10));
        }
    }
}

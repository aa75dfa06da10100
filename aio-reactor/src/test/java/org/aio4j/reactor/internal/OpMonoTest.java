package org.aio4j.reactor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.AioFsyncMode;
import org.aio4j.internal.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/** Every signal path of a single-op Mono, driven by the fake engine. */
class OpMonoTest {
    @TempDir
    Path dir;

    AioFile file;
    FakeOps ops;

    @BeforeEach
    void before() throws Exception {
        Path f = Files.write(dir.resolve("f"), new byte[] {1, 2, 3, 4});
        file = AioFile.open(f);
        ops = new FakeOps(new byte[] {1, 2, 3, 4});
    }

    @AfterEach
    void after() {
        file.close();
    }

    @Test
    void valueThenComplete() {
        ByteBuffer dst = ByteBuffer.allocateDirect(8);
        StepVerifier.create(OpMono.read(ops, file, 1, dst), 0)
                .expectSubscription()
                .then(() ->
                        assertThat(ops.submitted()).as("nothing before request").isZero())
                .thenRequest(1)
                .then(() -> ops.awaitPending(1).get(0).complete())
                .expectNext(3)
                .verifyComplete();
        assertThat(dst.get(0)).isEqualTo((byte) 2);
    }

    @Test
    void fsyncCompletesEmpty() {
        StepVerifier.create(OpMono.fsync(ops, file, AioFsyncMode.O_SYNC))
                .then(() -> ops.awaitPending(1).get(0).complete())
                .verifyComplete();
    }

    @Test
    void errorCarriesPathAndPosition() {
        StepVerifier.create(OpMono.write(ops, file, 7, ByteBuffer.allocateDirect(2)))
                .then(() -> ops.awaitPending(1).get(0).fail(Errno.ENOSPC.value()))
                .expectErrorSatisfies(e -> {
                    AioException a = (AioException) e;
                    assertThat(a.errnoName()).isEqualTo("ENOSPC");
                    assertThat(a.path()).isEqualTo(file.path());
                    assertThat(a.position()).isEqualTo(7);
                })
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void cancelCallsAioCancelOnceAndSignalsNothing() {
        StepVerifier.create(OpMono.read(ops, file, 0, ByteBuffer.allocateDirect(2)))
                .then(() -> ops.awaitPending(1))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        FakeOps.Op op = ops.pending().get(0);
        assertThat(op.cancelRequested).isTrue();
        assertThat(ops.cancels.get()).isEqualTo(1);
        op.cancelled(); // reaped later: nothing more is signalled (StepVerifier would fail on it)
    }

    @Test
    void submissionFailureIsAnError() {
        ops.throwOnSubmit = new IllegalStateException("closed");
        StepVerifier.create(OpMono.read(ops, file, 0, ByteBuffer.allocateDirect(2)))
                .expectErrorMessage("closed")
                .verify(Duration.ofSeconds(5));
    }
}

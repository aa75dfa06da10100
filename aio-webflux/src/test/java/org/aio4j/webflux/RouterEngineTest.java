package org.aio4j.webflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.aio4j.engine.AioEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.WebTestClient;

/** {@link AioFileRouter.Builder#engine} and {@link AioFileRouter.Builder#maxInFlight}: the router's I/O goes there. */
class RouterEngineTest {
    @TempDir
    Path root;

    /** No fast path: every read is submitted, so the engine's counters show each one. */
    final AioEngine engine =
            AioEngine.builder().name("router-engine").cachedReadFastPath(false).build();

    @AfterEach
    void close() throws Exception {
        engine.close();
        assertThat(engine.awaitTermination(Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void downloadsRangesUploadsAndCopiesRunOnTheGivenEngine() throws Exception {
        byte[] data = new byte[200_000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31);
        Files.write(root.resolve("a.bin"), data);
        WebTestClient c = WebTestClient.bindToRouterFunction(AioFileRouter.builder(root)
                        .engine(engine)
                        .bufferSize(64 * 1024)
                        .maxInFlight(2)
                        .writable(true)
                        .build())
                .build();

        long before = engine.metrics().submitted();
        byte[] got = c.get()
                .uri("/files/a.bin")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(byte[].class)
                .returnResult()
                .getResponseBody();
        assertThat(got).isEqualTo(data);
        assertThat(engine.metrics().submitted() - before)
                .as("4 reads of up to 64 KiB")
                .isEqualTo(4);

        before = engine.metrics().submitted();
        byte[] part = c.get()
                .uri("/files/a.bin")
                .header(HttpHeaders.RANGE, "bytes=1000-1999")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.PARTIAL_CONTENT)
                .expectBody(byte[].class)
                .returnResult()
                .getResponseBody();
        assertThat(part).isEqualTo(Arrays.copyOfRange(data, 1000, 2000));
        assertThat(engine.metrics().submitted() - before).isEqualTo(1);

        before = engine.metrics().submitted();
        c.put()
                .uri("/files/b.bin")
                .bodyValue(new byte[10_000])
                .exchange()
                .expectStatus()
                .isCreated();
        assertThat(Files.size(root.resolve("b.bin"))).isEqualTo(10_000);
        assertThat(engine.metrics().submitted() - before).as("the write").isPositive();

        before = engine.metrics().submitted();
        c.post().uri("/copy?from=a.bin&to=c.bin").exchange().expectStatus().isCreated();
        assertThat(Files.readAllBytes(root.resolve("c.bin"))).isEqualTo(data);
        assertThat(engine.metrics().submitted() - before)
                .as("a read, a write and the fsync")
                .isGreaterThanOrEqualTo(3);
        assertThat(engine.metrics().inFlight()).isZero();
    }

    @Test
    void maxInFlightMustBePositive() {
        assertThatThrownBy(() -> AioFileRouter.builder(root).maxInFlight(0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

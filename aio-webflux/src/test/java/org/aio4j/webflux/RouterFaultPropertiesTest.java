package org.aio4j.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.statistics.Statistics;
import org.aio4j.engine.AioEngine;
import org.aio4j.engine.FaultInjectingBackend;
import org.aio4j.engine.FaultyEngines;
import org.aio4j.engine.Notification;
import org.aio4j.reactor.AioFiles;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The router on an engine whose backend injects faults (errno failures, short results, delayed and reordered
 * completions, failed submits): GET, Range and PUT, seeded. Properties: a response is either complete and byte-exact
 * or an error status (a failed body is a failed exchange, never wrong bytes); afterwards every pooled chunk is back,
 * no fd under the root is open, the engine has nothing in flight or queued, and it serves again once the faults stop.
 * ({@code DataBuffer} release under faults is checked at the AioDataBufferUtils level, with a leak-tracking factory,
 * by aio-reactor's SpringFaultPropertiesTest; WebTestClient's mock server uses plain heap buffers.)
 */
class RouterFaultPropertiesTest {
    private Path root;
    private byte[] content;

    @BeforeProperty
    void setUp() throws Exception {
        root = Files.createTempDirectory("aio4j-router-faults");
        content = new byte[150_001];
        new SplittableRandom(11).nextBytes(content);
        Files.write(root.resolve("a.bin"), content);
    }

    @AfterProperty
    void tearDown() throws Exception {
        try (var s = Files.list(root)) {
            for (Path p : s.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(root);
    }

    @Property(tries = 40)
    void responsesExactOrFailedAndNothingLeaks(
            @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 2) int kind,
            @ForAll @IntRange(min = 1, max = 8) int maxInFlight,
            @ForAll @IntRange(min = 1024, max = 70_000) int bufferSize)
            throws Exception {
        int chunks = AioFiles.outstandingChunks();
        FaultyEngines.Faulty faulty =
                FaultyEngines.build(Notification.SUSPEND, FaultInjectingBackend.Plan.random(seed, 0.1), 16);
        AioEngine engine = faulty.engine();
        try {
            WebTestClient c = WebTestClient.bindToRouterFunction(AioFileRouter.builder(root)
                            .engine(engine)
                            .bufferSize(bufferSize)
                            .maxInFlight(maxInFlight)
                            .writable(true)
                            .build())
                    .configureClient()
                    .responseTimeout(Duration.ofSeconds(60))
                    .codecs(cc -> cc.defaultCodecs().maxInMemorySize(1 << 20))
                    .build();
            String outcome;
            try {
                outcome = switch (kind) {
                    case 0 ->
                        check(
                                c.get()
                                        .uri("/files/a.bin")
                                        .exchange()
                                        .expectBody(byte[].class)
                                        .returnResult(),
                                200,
                                content);
                    case 1 -> {
                        int from = (int) Math.floorMod(seed, content.length);
                        int to = Math.min(content.length - 1, from + (int) Math.floorMod(seed >>> 17, 40_000));
                        yield check(
                                c.get()
                                        .uri("/files/a.bin")
                                        .header(HttpHeaders.RANGE, "bytes=" + from + "-" + to)
                                        .exchange()
                                        .expectBody(byte[].class)
                                        .returnResult(),
                                206,
                                Arrays.copyOfRange(content, from, to + 1));
                    }
                    default -> {
                        EntityExchangeResult<byte[]> r = c.put()
                                .uri("/files/up-" + seed + ".bin")
                                .bodyValue(content)
                                .exchange()
                                .expectBody(byte[].class)
                                .returnResult();
                        int status = r.getStatus().value();
                        if (status == 201) {
                            assertThat(Files.readAllBytes(root.resolve("up-" + seed + ".bin")))
                                    .isEqualTo(content);
                            yield "201";
                        }
                        // an injected EFBIG (the file size limit) answers 413 since e905a3f, every other fault 5xx
                        assertThat(status)
                                .as("a failed upload is a server error, or 413 for EFBIG")
                                .matches(st -> st >= 500 || st == 413);
                        assertThat(root.resolve("up-" + seed + ".bin")).doesNotExist();
                        yield "failed " + status;
                    }
                };
            } catch (AssertionError e) {
                throw e;
            } catch (RuntimeException e) {
                outcome = "exchange failed"; // a body failing after the head was sent
            }
            Statistics.collect(new String[] {"get", "range", "put"}[kind], outcome);
            waitFor(() -> engine.metrics().inFlight() == 0
                    && engine.metrics().queued() == 0
                    && AioFiles.outstandingChunks() == chunks
                    && openFdsUnder(root) == 0);
            assertThat(engine.metrics().inFlight()).as("in flight").isZero();
            assertThat(engine.metrics().queued()).as("queued").isZero();
            assertThat(AioFiles.outstandingChunks()).as("chunks back").isEqualTo(chunks);
            assertThat(openFdsUnder(root)).as("fds under the root").isZero();
            faulty.faults().enabled(false);
            c.get()
                    .uri("/files/a.bin")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody(byte[].class)
                    .isEqualTo(content);
        } finally {
            engine.close();
        }
        assertThat(engine.awaitTermination(Duration.ofSeconds(10))).isTrue();
    }

    /** The response is the expected status and bytes, or a server error (nothing else). */
    private static String check(EntityExchangeResult<byte[]> r, int ok, byte[] expected) {
        int status = r.getStatus().value();
        if (status == ok) {
            assertThat(r.getResponseBody()).as("byte-exact").isEqualTo(expected);
            return String.valueOf(status);
        }
        assertThat(status).as("a failed read is a server error").isGreaterThanOrEqualTo(500);
        return "failed " + status;
    }

    private static long openFdsUnder(Path dir) {
        String prefix = dir.toAbsolutePath().toString();
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.filter(p -> {
                        try {
                            return Files.readSymbolicLink(p).toString().startsWith(prefix);
                        } catch (Exception e) {
                            return false;
                        }
                    })
                    .count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
        for (int i = 0; i < 1000 && !c.getAsBoolean(); i++) Thread.sleep(10);
    }
}

package org.aio4j.spring.boot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.aio4j.engine.AioEngine;
import org.aio4j.test.AioTestEngine;
import org.aio4j.test.OpRecord;
import org.aio4j.test.OpType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.FluxExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.test.StepVerifier;

/**
 * The Spring Boot example of docs/testing.md: an application with the starter, its engine bean replaced by a test
 * engine whose disk fails 1 MiB into a download, tested over a real port with {@code WebTestClient}. DocsInSyncTest
 * (aio-test) checks the page's code blocks appear here.
 */
// --- docs: boot-test
@SpringBootTest(
        classes = FailingDiskDownloadTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "server.address=127.0.0.1",
            // every GET read through the engine: zero-copy would send page-cached files without reading them
            "aio4j.files.zero-copy=false"
        })
@Import(FailingDiskDownloadTest.FailingDisk.class)
class FailingDiskDownloadTest {
    /** The disk under the application: every read fails with EIO once 1 MiB was read. */
    @TestConfiguration(proxyBeanMethods = false)
    static class FailingDisk {
        @Bean // closed with the context (AioTestEngine.close)
        AioTestEngine aioTestEngine() {
            return AioTestEngine.builder()
                    .failAfterBytes(OpType.READ, 1 << 20, "EIO")
                    .build();
        }

        @Bean(destroyMethod = "") // the application's AioEngine: the starter makes none and mounts the router on it
        AioEngine aioEngine(AioTestEngine aioTestEngine) {
            return aioTestEngine.engine();
        }
    }
    // --- end

    /** The application under test: nothing but the starter (an application's own @SpringBootApplication works). */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {}

    static final Path ROOT;
    static final byte[] DATA = new byte[4 << 20];

    static {
        try {
            new Random(4).nextBytes(DATA);
            ROOT = Files.createTempDirectory("aio4j-failing-disk");
            Files.write(ROOT.resolve("big.bin"), DATA);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void root(DynamicPropertyRegistry registry) {
        registry.add("aio4j.files.root", ROOT::toString);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        Files.deleteIfExists(ROOT.resolve("big.bin"));
        Files.deleteIfExists(ROOT);
    }

    // --- docs: boot-method
    @LocalServerPort
    int port;

    @Autowired
    AioTestEngine disk;

    @Test
    void aReadErrorOneMebibyteIntoADownload() {
        WebTestClient client = WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30))
                .build();

        // The error comes after the headers were sent: 200, then the server closes the connection
        FluxExchangeResult<DataBuffer> download = client.get()
                .uri("/files/big.bin")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentLength(4 << 20)
                .returnResult(DataBuffer.class);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        StepVerifier.create(download.getResponseBody())
                .thenConsumeWhile(b -> {
                    byte[] bytes = new byte[b.readableByteCount()];
                    b.read(bytes);
                    DataBufferUtils.release(b);
                    received.writeBytes(bytes);
                    return true;
                })
                // the server closed the connection before the 4 MiB the headers promised (Reactor Netty's client)
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("Connection prematurely closed"))
                .verify(Duration.ofSeconds(30));
        assertThat(received.size()).isLessThanOrEqualTo(1 << 20); // at most what was read before the error
        assertThat(received.toByteArray()).isEqualTo(Arrays.copyOf(DATA, received.size()));

        // The disk has failed: the next download fails at its first read, before any header: 500
        client.get().uri("/files/big.bin").exchange().expectStatus().isEqualTo(500);

        List<OpRecord> reads = disk.log();
        assertThat(reads.stream()
                        .filter(r -> r.result() > 0)
                        .mapToLong(OpRecord::result)
                        .sum())
                .isEqualTo(1 << 20);
        assertThat(reads).anyMatch(r -> r.result() == -5 && r.fault().contains("fail EIO"));
        disk.assertNoLeaks(); // no read in flight, and the router closed every file it opened
    }
    // --- end
}

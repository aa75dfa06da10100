package org.aio4j.test.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.AioException;
import org.aio4j.engine.AioEngine;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.ReadOptions;
import org.aio4j.test.AioTestEngine;
import org.aio4j.test.AioTestExtension;
import org.aio4j.test.OpType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.test.web.reactive.server.FluxExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.test.StepVerifier;

/** The WebFlux example of docs/testing.md, runnable. */
class DownloadEndpointExampleTest {
    @RegisterExtension
    static AioTestExtension aio = AioTestExtension.create();

    @TempDir
    Path dir;

    // --- docs: endpoint
    /** The endpoint under test: a download read through the engine it is given. */
    static RouterFunction<ServerResponse> downloads(Path file, AioEngine engine, DataBufferFactory buffers) {
        return RouterFunctions.route(
                RequestPredicates.GET("/download"),
                request -> ServerResponse.ok()
                        .body(
                                AioFiles.read(file, ReadOptions.defaults().engine(engine))
                                        .map(chunk -> {
                                            DataBuffer b = buffers.allocateBuffer(chunk.remaining());
                                            b.write(chunk);
                                            AioFiles.release(chunk);
                                            return b;
                                        }),
                                DataBuffer.class));
    }
    // --- end

    // --- docs: endpoint eio
    @Test
    void aReadErrorOneMebibyteIntoADownload() throws Exception {
        Path file = Files.write(dir.resolve("big.bin"), new byte[4 << 20]);
        AioTestEngine disk = aio.engine(b -> b.failAfterBytes(OpType.READ, 1 << 20, "EIO"));
        WebTestClient client = WebTestClient.bindToRouterFunction(downloads(file, disk.engine(), aio.bufferFactory()))
                .build();

        FluxExchangeResult<DataBuffer> response =
                client.get().uri("/download").exchange().returnResult(DataBuffer.class);
        assertThat(response.getStatus().value()).isEqualTo(200); // sent before the first byte was read

        AtomicLong received = new AtomicLong();
        StepVerifier.create(response.getResponseBody())
                .thenConsumeWhile(b -> {
                    received.addAndGet(b.readableByteCount());
                    DataBufferUtils.release(b);
                    return true;
                })
                .expectErrorSatisfies(e -> assertThat(AioException.find(e))
                        .hasValueSatisfying(io -> assertThat(io.errnoName()).isEqualTo("EIO")))
                .verify(Duration.ofSeconds(10));
        assertThat(received.get()).isEqualTo(1 << 20); // the client got the first MiB, then the error
        // (a real server, reached over the network, ends the response early: the client sees a truncated body)
    }
    // --- end
}

package com.example.pipeline;

import static com.example.pipeline.Files4k.CHUNK;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.aio4j.AioException;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.WriteOptions;
import org.aio4j.test.AioTestEngine;
import org.aio4j.test.AioTestExtension;
import org.aio4j.test.OpRecord;
import org.aio4j.test.OpType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** A write pipeline against a volume that fills. */
class WriteFaultsTest {
    @RegisterExtension
    static AioTestExtension aio = AioTestExtension.create();

    @TempDir
    Path dir;

    @Test
    void aVolumeThatFillsFailsTheWriteWithEnospc() throws Exception {
        AioTestEngine disk = aio.engine(b -> b.failAfterBytes(OpType.WRITE, 10 * CHUNK, "ENOSPC"));
        Path out = dir.resolve("out.bin");
        Flux<ByteBuffer> data = Flux.range(0, 16).map(i -> ByteBuffer.allocateDirect(CHUNK));

        StepVerifier.create(AioFiles.write(data, out, WriteOptions.defaults().maxInFlight(1).engine(disk.engine())))
                .expectErrorSatisfies(e -> assertEquals(
                        "ENOSPC",
                        AioException.find(e).orElseThrow(() -> new AssertionError(e)).errnoName()))
                .verify(Duration.ofSeconds(10));

        List<OpRecord> log = disk.log();
        assertEquals(11, log.size()); // ten writes that fit, then the one that did not
        for (OpRecord w : log.subList(0, 10)) assertEquals(CHUNK, w.result());
        assertEquals(10L * CHUNK, Files.size(out));
    }
}

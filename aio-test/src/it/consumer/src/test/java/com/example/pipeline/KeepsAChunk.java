package com.example.pipeline;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.ReadOptions;
import org.aio4j.test.AioTestEngine;
import org.aio4j.test.AioTestExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test that keeps a chunk, on purpose: {@link LeakCheckTest} runs it through EngineTestKit and checks that it
 * fails. (Surefire does not run it: its name does not end in Test.)
 */
public class KeepsAChunk {
    /** The chunk kept, released by {@link LeakCheckTest} afterwards. */
    static volatile ByteBuffer kept;

    @RegisterExtension
    static AioTestExtension aio = AioTestExtension.create();

    @TempDir
    Path dir;

    @Test
    void keepsAChunk() throws Exception {
        Path file = Files4k.create(dir, "kept.bin", 2);
        AioTestEngine disk = aio.engine();
        kept = AioFiles.read(file, ReadOptions.defaults().chunkSize(Files4k.CHUNK).engine(disk.engine()))
                .take(1)
                .blockLast(Duration.ofSeconds(10));
    }
}

package com.example.pipeline;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.aio4j.reactor.AioFiles;
import reactor.core.publisher.Flux;

/** Test data and helpers of this project (the consumer's own, not the kit's). */
final class Files4k {
    static final int CHUNK = 4096;

    private Files4k() {}

    /** A file of {@code chunks} chunks of random bytes. */
    static Path create(Path dir, String name, int chunks) throws Exception {
        byte[] data = new byte[chunks * CHUNK];
        new Random(chunks).nextBytes(data);
        return Files.write(dir.resolve(name), data);
    }

    /** The size of each chunk, each released at once. */
    static Flux<Integer> sizes(Flux<ByteBuffer> chunks) {
        return chunks.map(c -> {
            int n = c.remaining();
            AioFiles.release(c);
            return n;
        });
    }
}

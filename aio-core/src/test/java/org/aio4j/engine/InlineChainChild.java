package org.aio4j.engine;

import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.aio4j.AioFile;

/** Child JVM for {@link EngineInlineCompletionTest}: a future chain on a small thread stack ({@code -Xss256k}). */
public final class InlineChainChild {
    private InlineChainChild() {}

    public static void main(String[] args) throws Exception {
        long count = Long.parseLong(args[1]);
        long done;
        try (AioEngine engine = AioEngine.builder().build();
                AioFile file = AioFile.open(Path.of(args[0]), StandardOpenOption.READ)) {
            if (!engine.cachedReadFastPath()) throw new IllegalStateException("no fast path here");
            done = EngineInlineCompletionTest.futureChain(engine, file, count);
        }
        System.out.println("CHAIN DONE " + done);
        System.out.flush();
        System.exit(done == count ? 0 : 1);
    }
}

package org.aio4j.reactor.tck;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.ReadOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class MismatchLeakReproTest {
    @TempDir
    Path dir;

    void report(String what, int before) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (AioFiles.outstandingChunks() > before && System.nanoTime() < deadline) Thread.onSpinWait();
        System.out.println("REPRO " + what + ": leaked " + (AioFiles.outstandingChunks() - before));
    }

    @Test
    void repro() throws Exception {
        byte[] b = new byte[3 * 4096 + 17];
        Path a = Files.write(dir.resolve("a"), b);
        Path c = Files.write(dir.resolve("c"), b);
        b[2 * 4096 + 5] ^= 1;
        Path d = Files.write(dir.resolve("d"), b);
        ReadOptions o = ReadOptions.defaults().chunkSize(4096).maxInFlight(2);
        int before = AioFiles.outstandingChunks();
        for (int i = 0; i < 200; i++) AioFiles.mismatch(a, c, o).block(Duration.ofSeconds(5));
        report("equal, block", before);
        before = AioFiles.outstandingChunks();
        for (int i = 0; i < 200; i++) AioFiles.mismatch(a, d, o).block(Duration.ofSeconds(5));
        report("differ, block", before);
        before = AioFiles.outstandingChunks();
        for (int i = 0; i < 200; i++) {
            StepVerifier.create(AioFiles.mismatch(a, c, o), 0).thenAwait(Duration.ofMillis(2)).thenCancel().verify();
        }
        report("equal, cancel without request after 2ms", before);
        before = AioFiles.outstandingChunks();
        for (int i = 0; i < 200; i++) {
            StepVerifier.create(AioFiles.mismatch(a, c, o), 0).thenCancel().verify();
        }
        report("equal, cancel at once", before);
        before = AioFiles.outstandingChunks();
        for (int i = 0; i < 200; i++) {
            StepVerifier.create(AioFiles.mismatch(a, d, o), 0).thenAwait(Duration.ofMillis(2)).thenCancel().verify();
        }
        report("differ, cancel without request after 2ms", before);
        before = AioFiles.outstandingChunks();
        for (int i = 0; i < 200; i++) {
            StepVerifier.create(AioFiles.mismatch(a, d, o), 0).thenAwait(Duration.ofMillis(2)).thenRequest(1).expectNextCount(1).verifyComplete();
        }
        report("differ, request after 2ms", before);
        before = AioFiles.outstandingChunks();
        for (int i = 0; i < 200; i++) {
            StepVerifier.create(AioFiles.mismatch(a, d), 0).thenAwait(Duration.ofMillis(2)).thenRequest(1).expectNextCount(1).verifyComplete();
        }
        report("differ default options, request after 2ms", before);
        for (Path other : new Path[] {c, d}) {
            for (int delayMicros : new int[] {0, 50, 200, 1000}) {
                before = AioFiles.outstandingChunks();
                for (int i = 0; i < 300; i++) {
                    reactor.core.Disposable disp = AioFiles.mismatch(a, other, o).subscribe();
                    long t = System.nanoTime() + delayMicros * 1000L;
                    while (System.nanoTime() < t) Thread.onSpinWait();
                    disp.dispose();
                }
                report((other == c ? "equal" : "differ") + ", request then cancel after " + delayMicros + "us", before);
            }
        }
    }
}

package org.aio4j.reactor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.BaseSubscriber;

class ZzMismatchLeakTest {
    @TempDir
    Path dir;

    @Test
    void stress() throws Exception {
        int size = 3 * 4096 + 17;
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) bytes[i] = (byte) (i * 31 + 3);
        Path a = Files.write(dir.resolve("a"), bytes);
        Path b = Files.write(dir.resolve("b"), bytes);
        bytes[2 * 4096 + 5] ^= 1;
        Path c = Files.write(dir.resolve("c"), bytes);
        ReadOptions o = ReadOptions.defaults().chunkSize(4096).maxInFlight(2);
        int base = AioFiles.outstandingChunks();
        for (int i = 0; i < 3000; i++) {
            AioFiles.mismatch(a, (i & 1) == 0 ? b : c, o).block(Duration.ofSeconds(5));
        }
        Thread.sleep(200);
        System.err.println("LEAK after plain: " + (AioFiles.outstandingChunks() - base));
        for (int i = 0; i < 3000; i++) {
            BaseSubscriber<Long> s = new BaseSubscriber<>() {};
            AioFiles.mismatch(a, (i & 1) == 0 ? b : c, o).subscribe(s);
            if ((i % 3) == 0) Thread.onSpinWait();
            s.dispose();
        }
        Thread.sleep(500);
        System.err.println("LEAK after cancel: " + (AioFiles.outstandingChunks() - base));
        for (int i = 0; i < 3000; i++) {
            BaseSubscriber<Long> s = new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(org.reactivestreams.Subscription sub) {}
            };
            AioFiles.mismatch(a, (i & 1) == 0 ? b : c, o).subscribe(s);
            s.request(1);
            s.dispose();
        }
        Thread.sleep(500);
        System.err.println("LEAK after request+cancel: " + (AioFiles.outstandingChunks() - base));
        BaseSubscriber<Long> idle = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription sub) {}
        };
        AioFiles.mismatch(a, c, o).subscribe(idle);
        Thread.sleep(300);
        System.err.println("LEAK idle: " + (AioFiles.outstandingChunks() - base) + " fds " + TestFiles.openFdsUnder(dir));
        idle.dispose();
        Thread.sleep(300);
        System.err.println("LEAK idle cancelled: " + (AioFiles.outstandingChunks() - base) + " fds " + TestFiles.openFdsUnder(dir));
        for (long n : new long[] {0, -1}) {
            BaseSubscriber<Long> bad = new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(org.reactivestreams.Subscription sub) {
                    sub.request(n);
                }
                @Override
                protected void hookOnError(Throwable t) {
                    System.err.println("LEAK got " + t);
                }
            };
            AioFiles.mismatch(a, c, o).subscribe(bad);
            Thread.sleep(300);
            System.err.println("LEAK after request(" + n + "): " + (AioFiles.outstandingChunks() - base) + " fds " + TestFiles.openFdsUnder(dir));
        }
    }
}

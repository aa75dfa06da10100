package org.aio4j.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.ReadOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Hooks;

/**
 * Cancels racing the delay timers, scripted failures, late cancels and kernel completions (real time, sub-ms
 * delays): every op completes exactly once, nothing leaks, nothing hangs.
 */
class ScriptedBackendRaceTest {
    @TempDir
    Path dir;

    @Test
    void cancelsRaceTimersAndCompletions() throws Exception {
        byte[] data = new byte[64 * 4096];
        new Random(3).nextBytes(data);
        Path f = Files.write(dir.resolve("f"), data);
        // an error of a read in flight when the subscriber cancels is dropped (Operators.onErrorDropped): expected here
        Hooks.onErrorDropped(e -> {});
        try (AioTestEngine t = AioTestEngine.builder()
                .delay(OpType.READ, Duration.ofNanos(200_000))
                .random(99, 0.3)
                .build()) {
            ReadOptions opts =
                    ReadOptions.defaults().chunkSize(4096).maxInFlight(8).engine(t.engine());
            for (int i = 0; i < 300; i++) {
                Disposable d = AioFiles.read(f, opts).subscribe(AioFiles::release, e -> {});
                long pause = ThreadLocalRandom.current().nextLong(1_500_000);
                if (pause > 0) TimeUnit.NANOSECONDS.sleep(pause);
                d.dispose();
            }
            assertThat(t.awaitIdle(Duration.ofSeconds(20))).isTrue();
            t.assertNoLeaks();
            List<OpRecord> log = t.log();
            assertThat(log).allMatch(OpRecord::completed);
            assertThat(log).anyMatch(OpRecord::cancelled);
        } finally {
            Hooks.resetOnErrorDropped();
        }
    }
}

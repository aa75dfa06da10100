package com.example.pipeline;

import static com.example.pipeline.Files4k.CHUNK;
import static com.example.pipeline.Files4k.sizes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.aio4j.AioException;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.ReadOptions;
import org.aio4j.test.AioTestEngine;
import org.aio4j.test.AioTestExtension;
import org.aio4j.test.OpRecord;
import org.aio4j.test.OpType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/** A read pipeline against a disk that fails, stalls, and is cancelled under it. */
class ReadFaultsTest {
    @RegisterExtension
    static AioTestExtension aio = AioTestExtension.create();

    @TempDir
    Path dir;

    static ReadOptions reads(AioTestEngine disk, int maxInFlight) {
        return ReadOptions.defaults().chunkSize(CHUNK).maxInFlight(maxInFlight).engine(disk.engine());
    }

    @Test
    void theThirdOfFourReadsFailsWithEio() throws Exception {
        Path file = Files4k.create(dir, "four.bin", 4);
        AioTestEngine disk = aio.engine(b -> b.fail(OpType.READ, 3, "EIO"));

        StepVerifier.create(sizes(AioFiles.read(file, reads(disk, 2))))
                .expectNext(CHUNK, CHUNK)
                .expectErrorSatisfies(e -> {
                    AioException io = AioException.find(e).orElseThrow(() -> new AssertionError(e));
                    assertEquals("EIO", io.errnoName());
                })
                .verify(Duration.ofSeconds(10));
        OpRecord third = disk.log().get(2);
        assertEquals(2L * CHUNK, third.position());
        assertEquals(-5, third.result()); // minus EIO
        // the extension checks after the test that no op, fd or chunk was left behind
    }

    @Test
    void aTenSecondDelayPerReadRunsInVirtualTime() throws Exception {
        Path file = Files4k.create(dir, "slow.bin", 4);
        AioTestEngine disk = aio.engine(b -> b.delay(OpType.READ, Duration.ofSeconds(10)));

        long start = System.nanoTime();
        StepVerifier.withVirtualTime(() -> sizes(AioFiles.read(file, reads(disk, 1))))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(9)) // the first read waits 10 s
                .thenAwait(Duration.ofSeconds(40))
                .expectNextCount(4)
                .verifyComplete();
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        System.out.println("40 s of virtual time took " + wall.toMillis() + " ms");
        // milliseconds in practice; the bound is loose so that a loaded machine does not fail it, and still far
        // below the 40 s that real delays would take
        assertTrue(wall.compareTo(Duration.ofSeconds(10)) < 0, wall.toString());
    }

    @Test
    void theOpLogShowsTheBoundAndTheCancelledReads() throws Exception {
        Path file = Files4k.create(dir, "many.bin", 16);
        AioTestEngine disk = aio.engine(b -> b.delay(OpType.READ, Duration.ofSeconds(10)));

        StepVerifier.withVirtualTime(() -> sizes(AioFiles.read(file, reads(disk, 3))))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(25)) // two rounds of three reads
                .expectNextCount(6)
                .thenCancel()
                .verify(Duration.ofSeconds(10));

        assertTrue(disk.awaitIdle(Duration.ofSeconds(10)));
        assertEquals(3, disk.maxInFlight()); // every read waits, so the read keeps its bound full, never more
        List<OpRecord> log = disk.log();
        for (OpRecord done : log.subList(0, 6)) {
            assertEquals(CHUNK, done.result());
            assertFalse(done.cancelled());
        }
        // the reads waiting for the disk when the subscriber cancelled were cancelled without touching the file,
        // and none was submitted after the cancel
        List<OpRecord> rest = log.subList(6, log.size());
        assertFalse(rest.isEmpty());
        assertTrue(rest.size() <= 3, rest.toString());
        for (OpRecord r : rest) assertTrue(r.cancelled(), r.toString());
    }

    @Test
    void aSeedReplaysTheSameOpLog() throws Exception {
        Path file = Files4k.create(dir, "random.bin", 64);
        List<String> first = randomRun(file, 2026), second = randomRun(file, 2026);
        assertEquals(first, second);
        assertTrue(first.stream().anyMatch(op -> op.contains("random seed=2026")), first.toString());
    }

    /** A read with seeded random faults (errors, short reads, late cancels, delays of a few ms), as a log. */
    private List<String> randomRun(Path file, long seed) {
        AioTestEngine disk = aio.engine(b -> b.random(seed, 0.2));
        AioFiles.read(file, reads(disk, 1))
                .doOnNext(AioFiles::release)
                .onErrorResume(e -> reactor.core.publisher.Flux.empty())
                .blockLast(Duration.ofSeconds(30));
        return disk.log().stream()
                .map(op -> op.type() + "@" + op.position() + "+" + op.length() + "=" + op.result() + " " + op.fault())
                .toList();
    }
}

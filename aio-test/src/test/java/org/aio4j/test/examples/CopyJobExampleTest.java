package org.aio4j.test.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeoutException;
import org.aio4j.AioException;
import org.aio4j.engine.AioEngine;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.ReadOptions;
import org.aio4j.reactor.WriteOptions;
import org.aio4j.test.AioTestEngine;
import org.aio4j.test.AioTestExtension;
import org.aio4j.test.GoldenFile;
import org.aio4j.test.OpRecord;
import org.aio4j.test.OpType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The examples of docs/testing.md, runnable (only public API: this package is not the kit's). DocsInSyncTest checks
 * each code block of the page appears here.
 */
class CopyJobExampleTest {
    @TempDir
    Path dir;

    Path source, target;

    @BeforeEach
    void files() throws Exception {
        byte[] data = new byte[4 << 20];
        new Random(1).nextBytes(data);
        source = Files.write(dir.resolve("source.bin"), data);
        target = dir.resolve("target.bin");
    }

    // --- docs: the job
    /** The job under test: copies a file through an engine it is given. */
    static Mono<Long> copyJob(Path from, Path to, AioEngine engine) {
        return AioFiles.write(
                AioFiles.read(from, ReadOptions.defaults().engine(engine)),
                to,
                WriteOptions.defaults().engine(engine));
    }
    // --- end

    // --- docs: extension
    @RegisterExtension
    static AioTestExtension aio = AioTestExtension.create();
    // --- end

    // --- docs: eio
    @Test
    void aReadErrorFailsTheJob() {
        AioTestEngine disk = aio.engine(b -> b.fail(OpType.READ, 3, "EIO"));

        StepVerifier.create(copyJob(source, target, disk.engine()))
                .expectErrorSatisfies(e -> assertThat(AioException.find(e))
                        .hasValueSatisfying(io -> assertThat(io.errnoName()).isEqualTo("EIO")))
                .verify(Duration.ofSeconds(10));
        // after the test the extension checks that no op, fd or chunk was left behind
    }
    // --- end

    // --- docs: enospc
    @Test
    void aFullVolumeFailsTheJob() {
        AioTestEngine disk = aio.engine(b -> b.failAfterBytes(OpType.WRITE, 1 << 20, "ENOSPC"));

        StepVerifier.create(copyJob(source, target, disk.engine()))
                .expectErrorSatisfies(e -> assertThat(AioException.find(e))
                        .hasValueSatisfying(io -> assertThat(io.errnoName()).isEqualTo("ENOSPC")))
                .verify(Duration.ofSeconds(10));
        long written = disk.log().stream()
                .filter(op -> op.type() == OpType.WRITE && op.result() > 0)
                .mapToLong(OpRecord::result)
                .sum();
        assertThat(written).isLessThanOrEqualTo(1 << 20); // the writes before the volume filled
    }
    // --- end

    // --- docs: short write
    @Test
    void aShortWriteIsCompleted() {
        AioTestEngine disk = aio.engine(b -> b.shorten(OpType.WRITE, 1, 1000));

        StepVerifier.create(copyJob(source, target, disk.engine()).then(GoldenFile.matches(target, source)))
                .verifyComplete();
    }
    // --- end

    // --- docs: cancel
    @Test
    void aCancelledSubscriberStopsTheReads() {
        AioTestEngine disk = aio.engine(b -> b.delay(OpType.READ, Duration.ofSeconds(10)));

        StepVerifier.withVirtualTime(() -> copyJob(source, target, disk.engine()))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(1)) // the first reads are waiting for the disk
                .thenCancel()
                .verify(Duration.ofSeconds(10));

        assertThat(disk.awaitIdle(Duration.ofSeconds(10))).isTrue(); // the cancelled reads are reaped
        List<OpRecord> log = disk.log();
        assertThat(log).isNotEmpty().allMatch(op -> op.type() == OpType.READ && op.cancelled());
        assertThat(disk.maxInFlight()).isLessThanOrEqualTo(ReadOptions.DEFAULT_MAX_IN_FLIGHT);
    }
    // --- end

    // --- docs: stall
    @Test
    void aStalledDiskTimesOutInVirtualTime() {
        AioTestEngine disk = aio.engine(b -> b.delay(OpType.WRITE, Duration.ofSeconds(30)));

        StepVerifier.withVirtualTime(
                        () -> copyJob(source, target, disk.engine()).timeout(Duration.ofSeconds(20)))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(19))
                .thenAwait(Duration.ofSeconds(1))
                .expectError(TimeoutException.class)
                .verify(Duration.ofSeconds(10)); // 20 s of virtual time, milliseconds of real time

        assertThat(disk.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(disk.log())
                .filteredOn(op -> op.type() == OpType.WRITE)
                .isNotEmpty()
                .allMatch(OpRecord::cancelled); // no write reached the file
    }
    // --- end
}

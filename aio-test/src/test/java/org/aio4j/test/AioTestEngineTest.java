package org.aio4j.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.internal.Errno;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.ReadOptions;
import org.aio4j.reactor.WriteOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class AioTestEngineTest {
    static final int CHUNK = 4096;

    @RegisterExtension
    static AioTestExtension aio = AioTestExtension.create();

    @TempDir
    Path dir;

    static Path file(Path dir, String name, int size) throws Exception {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return Files.write(dir.resolve(name), b);
    }

    static ReadOptions reads(AioTestEngine t, int maxInFlight) {
        return ReadOptions.defaults().chunkSize(CHUNK).maxInFlight(maxInFlight).engine(t.engine());
    }

    static Flux<Integer> sizes(Flux<ByteBuffer> chunks) {
        return chunks.map(c -> {
            int n = c.remaining();
            AioFiles.release(c);
            return n;
        });
    }

    @Test
    void everyReadIsLoggedIncludingFastPathOnes() throws Exception {
        Path f = file(dir, "f", 8 * CHUNK);
        Files.readAllBytes(f); // in the page cache: the engine's fast path serves the reads inline
        AioTestEngine t = aio.engine();
        StepVerifier.create(sizes(AioFiles.read(f, reads(t, 2))))
                .expectNextCount(8)
                .verifyComplete();
        List<OpRecord> log = t.log();
        assertThat(log).hasSize(8).allMatch(r -> r.type() == OpType.READ && r.result() == CHUNK && r.completed());
        assertThat(log)
                .extracting(OpRecord::position)
                .containsExactly(0L, 4096L, 8192L, 12288L, 16384L, 20480L, 24576L, 28672L);
        assertThat(log.get(0).path()).isEqualTo(f.toRealPath());
        if (t.engine().metrics().fastPathReads() == 0) {
            System.out.println("note: no fast-path read here (no preadv2 RWF_NOWAIT)");
        }
    }

    @Test
    void maxInFlightOfAReadIsItsBound() throws Exception {
        Path f = file(dir, "f", 16 * CHUNK);
        for (int bound : new int[] {3, 8}) {
            AioTestEngine t = aio.engine(b -> b.delay(OpType.READ, Duration.ofSeconds(10)));
            StepVerifier.withVirtualTime(() -> sizes(AioFiles.read(f, reads(t, bound))))
                    .thenAwait(Duration.ofMinutes(10))
                    .expectNextCount(16)
                    .expectComplete()
                    .verify(Duration.ofSeconds(10));
            // every read waits 10 s, so the stream keeps its bound full: the op log shows exactly the bound
            assertThat(t.maxInFlight()).as("bound %d", bound).isEqualTo(bound);
        }
    }

    @Test
    void aCancelledSubscriberCancelsTheReadsInFlightAndSubmitsNoMore() throws Exception {
        Path f = file(dir, "f", 16 * CHUNK);
        AioTestEngine t = aio.engine(b -> b.delay(OpType.READ, Duration.ofSeconds(10)));
        StepVerifier.withVirtualTime(() -> sizes(AioFiles.read(f, reads(t, 3))))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(25)) // two rounds of reads
                .expectNextCount(6)
                .thenCancel() // inside the 6th onNext
                .verify(Duration.ofSeconds(10));
        t.assertNoLeaks();
        List<OpRecord> log = t.log();
        assertThat(log.subList(0, 6)).allMatch(r -> r.result() == CHUNK && !r.cancelled());
        // the reads submitted after the 6th chunk's were parked in their delay: cancelled without reaching the
        // file, and none was submitted after the cancel
        List<OpRecord> rest = log.subList(6, log.size());
        assertThat(rest).isNotEmpty().hasSizeLessThanOrEqualTo(3);
        assertThat(rest).allMatch(r -> r.cancelled() && r.result() == -Errno.ECANCELED.value());
    }

    @Test
    void aNotCancelableReadCompletesNormallyAfterTheCancel() throws Exception {
        Path f = file(dir, "f", 16 * CHUNK);
        AioTestEngine t =
                aio.engine(b -> b.delay(OpType.READ, Duration.ofSeconds(10)).notCancelable(OpType.READ, 2));
        VirtualTimeScheduler clock = VirtualTimeScheduler.getOrSet();
        try {
            Disposable reading = sizes(AioFiles.read(f, reads(t, 3))).subscribe();
            clock.advanceTimeBy(Duration.ofSeconds(1)); // opened; three reads parked
            assertThat(t.inFlight()).hasSize(3);
            reading.dispose();
            clock.advanceTimeBy(Duration.ofSeconds(20)); // the one the cancel came too late for reads
        } finally {
            VirtualTimeScheduler.reset();
        }
        t.assertNoLeaks();
        List<OpRecord> log = t.log();
        assertThat(log).hasSize(3);
        assertThat(log)
                .filteredOn(OpRecord::cancelled)
                .extracting(OpRecord::number)
                .containsExactly(1L, 3L);
        assertThat(log.get(1).result()).isEqualTo(CHUNK);
    }

    @Test
    void aVolumeThatFillsFailsTheWriteWithEnospc() throws Exception {
        AioTestEngine t = aio.engine(b -> b.failAfterBytes(OpType.WRITE, 10 * CHUNK, "ENOSPC"));
        Path out = dir.resolve("out");
        Flux<ByteBuffer> data = Flux.range(0, 16).map(i -> ByteBuffer.allocateDirect(CHUNK));
        StepVerifier.create(AioFiles.write(
                        data, out, WriteOptions.defaults().maxInFlight(1).engine(t.engine())))
                .expectErrorSatisfies(e -> assertThat(AioException.find(e))
                        .hasValueSatisfying(a -> assertThat(a.errnoName()).isEqualTo("ENOSPC")))
                .verify(Duration.ofSeconds(10));
        List<OpRecord> log = t.log();
        assertThat(log).hasSize(11);
        assertThat(log.subList(0, 10)).allMatch(r -> r.result() == CHUNK);
        assertThat(log.get(10).result()).isEqualTo(-Errno.ENOSPC.value());
        assertThat(Files.size(out)).isEqualTo(10L * CHUNK);
    }

    @Test
    void aShortWriteIsContinued() throws Exception {
        AioTestEngine t = aio.engine(b -> b.shorten(OpType.WRITE, 2, 100));
        Path src = file(dir, "src", 4 * CHUNK);
        Path out = dir.resolve("out");
        StepVerifier.create(AioFiles.write(
                        AioFiles.read(src, reads(t, 1)),
                        out,
                        WriteOptions.defaults().engine(t.engine())))
                .expectNext(4L * CHUNK)
                .verifyComplete();
        GoldenFile.assertMatches(out, src);
        List<OpRecord> writes =
                t.log().stream().filter(r -> r.type() == OpType.WRITE).toList();
        assertThat(writes).hasSize(5);
        assertThat(writes.get(1).result()).isEqualTo(100);
        assertThat(writes.get(1).fault()).contains("short 100");
        assertThat(writes) // the rest of the short write, written by AioFiles.write
                .anyMatch(w -> w.position() == CHUNK + 100 && w.length() == CHUNK - 100 && w.result() == CHUNK - 100);
    }

    @Test
    void theSameSeedGivesTheSameOpLog() throws Exception {
        Path f = file(dir, "f", 64 * CHUNK);
        List<String> first = randomRun(f, 42), second = randomRun(f, 42), other = randomRun(f, 43);
        assertThat(first).isEqualTo(second);
        assertThat(first).anyMatch(s -> !s.endsWith("|")); // some fault was injected
        assertThat(other).isNotEqualTo(first);
    }

    /** A sequential read (one op at a time, so the op numbers are the same each run) with random faults. */
    private List<String> randomRun(Path f, long seed) {
        AioTestEngine t = aio.engine(b -> b.random(seed, 0.2));
        // the faults include short reads (continued), delays of a few ms and errors that end the stream
        AioFiles.read(f, reads(t, 1))
                .doOnNext(AioFiles::release)
                .onErrorResume(e -> Flux.empty())
                .blockLast(Duration.ofSeconds(10));
        return t.log().stream()
                .map(r -> r.type() + "@" + r.position() + "+" + r.length() + "=" + r.result() + "|" + r.fault())
                .toList();
    }

    /** An op's fault without the random tag, so that runs compare by what was done, not by how it was named. */
    private static String outcome(OpRecord r) {
        return r.result() + "|" + r.fault().replaceAll(" \\(random [^)]*\\)", "");
    }

    @Test
    void aSeedGivesEachOpTheSameFaultWhateverTheOrderItIsSubmittedIn() throws Exception {
        Path f = file(dir, "f", 32 * CHUNK);
        Map<Long, String> ascending = readEveryChunkAtOnce(f, 42, false);
        Map<Long, String> descending = readEveryChunkAtOnce(f, 42, true);
        assertThat(ascending).hasSize(32);
        assertThat(descending).isEqualTo(ascending);
        // faults were injected, and of more than one kind
        assertThat(ascending.values()).anyMatch(o -> o.contains("fail EIO"));
        assertThat(ascending.values()).anyMatch(o -> o.contains("short "));
        assertThat(readEveryChunkAtOnce(f, 43, false)).isNotEqualTo(ascending);
    }

    /**
     * Submits a read of each chunk of {@code f}, all at once, in ascending or descending order of position; every
     * read waits 10 s in virtual time, so all 32 are in flight together. Returns position to result and fault.
     */
    private Map<Long, String> readEveryChunkAtOnce(Path f, long seed, boolean descending) throws Exception {
        AioTestEngine t = aio.engine(b -> b.random(seed, 0.3).delay(OpType.READ, Duration.ofSeconds(10)));
        VirtualTimeScheduler clock = VirtualTimeScheduler.getOrSet();
        try (AioFile file = AioFile.open(f)) {
            List<CompletableFuture<Integer>> reads = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                long position = (long) (descending ? 31 - i : i) * CHUNK;
                reads.add(t.engine()
                        .read(file, position, ByteBuffer.allocateDirect(CHUNK))
                        .exceptionally(e -> -1));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (t.inFlight().size() < 32 && System.nanoTime() < deadline) Thread.sleep(1);
            assertThat(t.inFlight()).hasSize(32); // all parked in their delay
            clock.advanceTimeBy(Duration.ofSeconds(20));
            CompletableFuture.allOf(reads.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        } finally {
            VirtualTimeScheduler.reset();
        }
        assertThat(t.maxInFlight()).isEqualTo(32);
        Map<Long, String> byPosition = new TreeMap<>();
        for (OpRecord r : t.log())
            assertThat(byPosition.put(r.position(), outcome(r))).isNull();
        return byPosition;
    }

    @Test
    void aSeedReplaysAReadWithSeveralReadsInFlight() throws Exception {
        Path f = file(dir, "f", 32 * CHUNK);
        int errorFree = 0, withError = 0, peak = 0;
        for (long seed = 1; seed <= 8; seed++) {
            PipelineRun first = pipelineRun(f, seed), second = pipelineRun(f, seed);
            peak = Math.max(peak, Math.max(first.maxInFlight(), second.maxInFlight()));
            // every op that both runs submitted got the same fault, and the same result unless the end of the read
            // cancelled it in one run (which ops were in flight when an error ended it depends on timing)
            Map<String, OpRecord> common = new TreeMap<>(first.ops());
            common.keySet().retainAll(second.ops().keySet());
            assertThat(common).as("seed %d", seed).isNotEmpty();
            for (String key : common.keySet()) {
                OpRecord a = first.ops().get(key), b = second.ops().get(key);
                assertThat(b.fault()).as("seed %d, %s", seed, key).isEqualTo(a.fault());
                if (!a.cancelled() && !b.cancelled()) {
                    assertThat(b.result()).as("seed %d, %s", seed, key).isEqualTo(a.result());
                }
            }
            // whether an error ends the read does not depend on timing either
            assertThat(second.failed()).as("seed %d", seed).isEqualTo(first.failed());
            if (first.failed()) {
                withError++;
            } else {
                // without an error the pipeline submits the same ops in every run: the whole log is replayed
                assertThat(outcomes(second)).as("seed %d", seed).isEqualTo(outcomes(first));
                errorFree++;
            }
        }
        assertThat(errorFree).isPositive();
        assertThat(withError).isPositive();
        assertThat(peak).isBetween(2, 4); // several reads were in flight at once, never more than the bound
    }

    private record PipelineRun(Map<String, OpRecord> ops, boolean failed, int maxInFlight) {}

    private static Map<String, String> outcomes(PipelineRun run) {
        Map<String, String> m = new TreeMap<>();
        run.ops().forEach((k, r) -> m.put(k, outcome(r)));
        return m;
    }

    /**
     * A read of {@code f} with 4 reads in flight and random faults; every read is delayed 2 ms (real time), so that
     * none completes inline on the fast path and several are in flight, submitted from the subscriber's thread and
     * the engine's. Ops keyed by position and occurrence.
     */
    private PipelineRun pipelineRun(Path f, long seed) {
        AioTestEngine t = aio.engine(b -> b.random(seed, 0.1).delay(OpType.READ, Duration.ofMillis(2)));
        boolean failed = AioFiles.read(f, reads(t, 4))
                .doOnNext(AioFiles::release)
                .then(Mono.just(false))
                .onErrorResume(e -> Mono.just(true))
                .block(Duration.ofSeconds(30));
        assertThat(t.awaitIdle(Duration.ofSeconds(10))).isTrue();
        Map<String, OpRecord> ops = new TreeMap<>();
        for (OpRecord r : t.log()) {
            String key = r.type() + "@" + r.position();
            int n = 1;
            while (ops.containsKey(key + "#" + n)) n++;
            ops.put(key + "#" + n, r);
        }
        return new PipelineRun(ops, failed, t.maxInFlight());
    }

    @Test
    void theBuilderRefusesBadInput() {
        AioTestEngine.Builder b = AioTestEngine.builder();
        assertThatThrownBy(() -> b.fail(OpType.READ, 0, "EIO")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.fail(OpType.READ, 1, "EWHAT"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("EWHAT");
        assertThatThrownBy(() -> b.fail(OpType.READ, 1, "ECANCELED")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.shorten(OpType.FSYNC, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.random(1, 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.delay(OpType.READ, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anFsyncCanFail() throws Exception {
        AioTestEngine t = aio.engine(b -> b.fail(OpType.FSYNC, 1, "EIO"));
        Path out = dir.resolve("out");
        StepVerifier.create(AioFiles.write(
                        Flux.just(ByteBuffer.allocateDirect(CHUNK)),
                        out,
                        WriteOptions.defaults().fsync(true).engine(t.engine())))
                .expectErrorSatisfies(e -> assertThat(AioException.errnoOf(e)).isEqualTo(5))
                .verify(Duration.ofSeconds(10));
        assertThat(t.log()).extracting(OpRecord::type).containsExactly(OpType.WRITE, OpType.FSYNC);
    }

    @Test
    void leaksAreNamed() throws Exception {
        Path f = file(dir, "f", 2 * CHUNK);
        try (AioTestEngine t = AioTestEngine.builder().build()) {
            ByteBuffer kept = AioFiles.read(f, reads(t, 1)).blockFirst(Duration.ofSeconds(10));
            AioFile open = AioFile.open(f);
            try {
                t.engine().read(open, 0, ByteBuffer.allocateDirect(16)).join();
                assertThatThrownBy(t::assertNoLeaks)
                        .isInstanceOf(AssertionError.class)
                        .hasMessageContaining("1 AioFiles chunk(s)")
                        .hasMessageContaining("fd " + open.fd() + " still open: " + f.toRealPath());
            } finally {
                open.close();
                AioFiles.release(kept);
            }
            t.assertNoLeaks();
        }
    }
}

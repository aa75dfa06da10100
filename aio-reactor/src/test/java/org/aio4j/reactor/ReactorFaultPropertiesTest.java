package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.aio4j.AioException;
import org.aio4j.engine.AioEngine;
import org.aio4j.engine.FaultInjectingBackend;
import org.aio4j.engine.FaultyEngines;
import org.aio4j.internal.NativeMemory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Issue 9, item 2, through the Reactor layer: reads, writes and copies over an engine whose backend injects faults
 * (errno failures, short results, AIO_NOTCANCELED, delayed and reordered completions, failed submits), some
 * cancelled part-way. Properties: each subscriber gets exactly one terminal signal (or none after its own cancel);
 * a failure is a typed {@link AioException}; a completed read or copy is byte-exact (short results are resumed, never
 * taken for the end of the file); every chunk goes back to the pool, the engine ends with nothing in flight, native
 * memory comes back, and the engine serves again once the faults stop. jqwik prints the seed of a failing try.
 */
class ReactorFaultPropertiesTest {
    private Path dir;
    private Path source;
    private byte[] content;

    @BeforeProperty
    void setUp() throws Exception {
        dir = Files.createTempDirectory("aio4j-reactor-faults");
        content = new byte[300_001];
        new SplittableRandom(5).nextBytes(content);
        source = dir.resolve("source");
        Files.write(source, content);
    }

    @AfterProperty
    void tearDown() throws Exception {
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }

    /** POSIX AIO in each notification mode, and io_uring where it is available. */
    @Provide
    Arbitrary<FaultyEngines.Config> configs() {
        return Arbitraries.of(FaultyEngines.Config.all());
    }

    @Property(tries = 60)
    void streamsTerminateOnceTypedByteExactAndLeakNothing(
            @ForAll long seed,
            @ForAll("configs") FaultyEngines.Config config,
            @ForAll @IntRange(min = 0, max = 2) int kind,
            @ForAll @IntRange(min = 1, max = 70_000) int chunkSize,
            @ForAll @IntRange(min = 1, max = 8) int maxInFlight,
            @ForAll @IntRange(min = 0, max = 3) int cancelAfter)
            throws Exception {
        long mem = NativeMemory.outstandingBytes();
        int chunks = AioFiles.outstandingChunks();
        FaultyEngines.Faulty faulty = FaultyEngines.build(config, FaultInjectingBackend.Plan.random(seed, 0.1), 16);
        AioEngine engine = faulty.engine();
        Path target = dir.resolve("target-" + seed);
        AtomicInteger terminal = new AtomicInteger();
        AtomicReference<Throwable> error = new AtomicReference<>();
        try {
            Mono<byte[]> job = switch (kind) {
                case 0 ->
                    AioFiles.read(
                                    source,
                                    ReadOptions.defaults()
                                            .chunkSize(chunkSize)
                                            .maxInFlight(maxInFlight)
                                            .engine(engine))
                            .collect(ByteArrayOutputStream::new, (out, b) -> {
                                byte[] a = new byte[b.remaining()];
                                b.get(a);
                                AioFiles.release(b);
                                out.write(a, 0, a.length);
                            })
                            .map(ByteArrayOutputStream::toByteArray);
                case 1 ->
                    AioFiles.copy(
                                    source,
                                    target,
                                    CopyOptions.defaults()
                                            .kernelCopy(false) // the faults are the engine's: AIO reads and writes
                                            .chunkSize(chunkSize)
                                            .maxInFlight(maxInFlight)
                                            .replaceExisting(true)
                                            .engine(engine))
                            .map(n -> readAll(target));
                default ->
                    AioFiles.write(
                                    Flux.range(0, (content.length + chunkSize - 1) / chunkSize)
                                            .map(i -> {
                                                int from = i * chunkSize;
                                                int len = Math.min(chunkSize, content.length - from);
                                                return ByteBuffer.allocateDirect(len)
                                                        .put(content, from, len)
                                                        .flip();
                                            }),
                                    target,
                                    WriteOptions.defaults()
                                            .maxInFlight(maxInFlight)
                                            .engine(engine))
                            .map(n -> readAll(target));
            };
            if (cancelAfter == 1) job = job.timeout(Duration.ofMillis(1), Mono.empty());
            byte[] got = job.doOnEach(s -> {
                        if (s.isOnComplete() || s.isOnError()) terminal.incrementAndGet();
                        if (s.isOnError()) error.set(s.getThrowable());
                    })
                    .onErrorResume(e -> Mono.empty())
                    .block(Duration.ofSeconds(60));
            Throwable e = error.get();
            net.jqwik.api.statistics.Statistics.collect(
                    new String[] {"read", "copy", "write"}[kind],
                    e != null ? "failed" : got != null ? "completed" : "cancelled");
            if (e != null) {
                assertThat(e).as("typed failure").isInstanceOf(java.io.IOException.class);
                AioException a = AioException.find(e).orElseThrow(() -> new AssertionError("untyped: " + e));
                assertThat(a.errno()).isPositive();
                assertThat(a.operation()).isNotNull();
            } else if (got != null) {
                assertThat(got).as("byte-exact (%s)", faulty.faults()).isEqualTo(content);
            }
            assertThat(terminal.get()).as("terminal signals").isLessThanOrEqualTo(1);
            waitFor(() ->
                    AioFiles.outstandingChunks() == chunks && engine.metrics().inFlight() == 0);
            // in flight first: a chunk still owned by a read the faulty engine holds back is not a leak
            assertThat(engine.metrics().inFlight())
                    .as("ops in flight (%s)", faulty.faults())
                    .isZero();
            assertThat(AioFiles.outstandingChunks())
                    .as("chunks back in the pool (%s)", faulty.faults())
                    .isEqualTo(chunks);
            // the engine keeps serving once the faults stop
            faulty.faults().enabled(false);
            byte[] again = AioFiles.read(source, ReadOptions.defaults().engine(engine))
                    .collect(ByteArrayOutputStream::new, (out, b) -> {
                        byte[] a = new byte[b.remaining()];
                        b.get(a);
                        AioFiles.release(b);
                        out.write(a, 0, a.length);
                    })
                    .map(ByteArrayOutputStream::toByteArray)
                    .block(Duration.ofSeconds(30));
            assertThat(again).isEqualTo(content);
        } finally {
            engine.close();
        }
        assertThat(engine.awaitTermination(Duration.ofSeconds(10))).isTrue();
        waitFor(() -> NativeMemory.outstandingBytes() == mem);
        assertThat(NativeMemory.outstandingBytes()).as("native bytes").isEqualTo(mem);
    }

    private static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
        for (int i = 0; i < 3_000 && !c.getAsBoolean(); i++) Thread.sleep(10); // 30 s: CI machines are busy
    }
}

package org.aio4j.reactor.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import net.jqwik.api.statistics.Statistics;
import org.aio4j.AioException;
import org.aio4j.engine.AioEngine;
import org.aio4j.engine.FaultInjectingBackend;
import org.aio4j.engine.FaultyEngines;
import org.aio4j.reactor.ReadOptions;
import org.aio4j.reactor.TestFiles;
import org.aio4j.reactor.WriteOptions;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Issue 9, item 2, for the Spring layer: {@link AioDataBufferUtils} reads, ranged reads, writes and read-to-write
 * pipelines over an engine whose backend injects faults (errno failures, short results, AIO_NOTCANCELED, delayed and
 * reordered completions, failed submits), some cancelled part-way, with heap and with direct buffers (the engine then
 * reads straight into the {@code DataBuffer}s). Every {@code DataBuffer} comes from a {@link
 * LeakTrackingDataBufferFactory}. Properties: at most one terminal signal; a failure is a typed {@code IOException}
 * carrying an {@link AioException}; a completed read or copy is byte-exact; and afterwards every {@code DataBuffer}
 * was released (a leak names where it was allocated), every pooled chunk is back, no fd under the test directory is
 * open, and the engine has nothing in flight or queued. jqwik prints the seed of a failing try.
 */
class SpringFaultPropertiesTest {
    private Path dir;
    private Path source;
    private byte[] content;

    @BeforeProperty
    void setUp() throws Exception {
        dir = Files.createTempDirectory("aio4j-spring-faults");
        content = new byte[200_003];
        new SplittableRandom(9).nextBytes(content);
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

    @Property(tries = 200)
    void everyDataBufferReleasedUnderFaults(
            @ForAll long seed,
            @ForAll("configs") FaultyEngines.Config config,
            @ForAll @IntRange(min = 0, max = 3) int kind,
            @ForAll boolean direct,
            @ForAll @IntRange(min = 1, max = 70_000) int bufferSize,
            @ForAll @IntRange(min = 1, max = 8) int maxInFlight,
            @ForAll @IntRange(min = 0, max = 3) int cancelAfter)
            throws Exception {
        LeakTrackingDataBufferFactory factory = new LeakTrackingDataBufferFactory(new DefaultDataBufferFactory(direct));
        FaultyEngines.Faulty faulty = FaultyEngines.build(config, FaultInjectingBackend.Plan.random(seed, 0.1), 16);
        AioEngine engine = faulty.engine();
        // after the engine was built: an io_uring engine holds two fds of its own (the ring, its eventfd) until closed
        TestFiles.Probe probe = TestFiles.Probe.take();
        ReadOptions reads =
                ReadOptions.defaults().engine(engine).chunkSize(bufferSize).maxInFlight(maxInFlight);
        WriteOptions writes = WriteOptions.defaults().engine(engine).maxInFlight(maxInFlight);
        Path target = dir.resolve("target-" + seed);
        long from = Math.floorMod(seed, content.length);
        long count = Math.floorMod(seed >>> 20, content.length - from + 1);
        byte[] expected = content;
        AtomicInteger terminal = new AtomicInteger();
        AtomicReference<Throwable> error = new AtomicReference<>();
        try {
            Mono<byte[]> job;
            switch (kind) {
                case 0 -> job = bytes(AioDataBufferUtils.read(source, factory, reads));
                case 1 -> {
                    job = bytes(AioDataBufferUtils.read(
                            source, factory, reads.position(from).length(count)));
                    expected = java.util.Arrays.copyOfRange(content, (int) from, (int) (from + count));
                }
                case 2 -> {
                    int chunk = bufferSize;
                    Flux<DataBuffer> buffers = Flux.range(0, (content.length + chunk - 1) / chunk)
                            .map(i -> factory.wrap(java.util.Arrays.copyOfRange(
                                    content, i * chunk, Math.min(content.length, (i + 1) * chunk))));
                    job = AioDataBufferUtils.write(buffers, target, writes)
                            .then(Mono.fromCallable(() -> readAll(target)));
                }
                default ->
                    job = AioDataBufferUtils.write(AioDataBufferUtils.read(source, factory, reads), target, writes)
                            .then(Mono.fromCallable(() -> readAll(target)));
            }
            if (cancelAfter == 1) job = job.timeout(Duration.ofMillis(1), Mono.empty());
            byte[] got = job.doOnEach(s -> {
                        if (s.isOnComplete() || s.isOnError()) terminal.incrementAndGet();
                        if (s.isOnError()) error.set(s.getThrowable());
                    })
                    .onErrorResume(e -> Mono.empty())
                    .block(Duration.ofSeconds(60));
            Throwable e = error.get();
            Statistics.collect(
                    new String[] {"read", "range", "write", "pipeline"}[kind],
                    direct ? "direct" : "heap",
                    e != null ? "failed" : got != null ? "completed" : "cancelled");
            if (e != null) {
                assertThat(e).as("typed failure").isInstanceOf(IOException.class);
                AioException a = AioException.find(e).orElseThrow(() -> new AssertionError("untyped: " + e));
                assertThat(a.errno()).isPositive();
                assertThat(a.operation()).isNotNull();
            } else if (got != null) {
                assertThat(got).as("byte-exact (%s)", faulty.faults()).isEqualTo(expected);
            }
            assertThat(terminal.get()).as("terminal signals").isLessThanOrEqualTo(1);
            factory.checkForLeaks(); // waits up to 5 s for late releases, then names each leak's allocation site
            TestFiles.await(
                    () -> engine.metrics().inFlight() == 0
                            && engine.metrics().queued() == 0
                            && TestFiles.openFdsUnder(dir) == 0,
                    () -> "engine idle and no fd open under " + dir + ": " + engine.metrics() + " "
                            + TestFiles.fdTargets());
            probe.assertNoLeaks(); // pooled chunks back, no fd more than before
        } finally {
            engine.close();
        }
        assertThat(engine.awaitTermination(Duration.ofSeconds(10))).isTrue();
    }

    /** The buffers' bytes, each buffer released once read; buffers an operator drops are released too. */
    private static Mono<byte[]> bytes(Flux<DataBuffer> buffers) {
        return buffers.collect(ByteArrayOutputStream::new, (out, b) -> {
                    try {
                        byte[] a = new byte[b.readableByteCount()];
                        b.read(a);
                        out.write(a, 0, a.length);
                    } finally {
                        DataBufferUtils.release(b);
                    }
                })
                .map(ByteArrayOutputStream::toByteArray)
                .doOnDiscard(DataBuffer.class, DataBufferUtils::release);
    }

    private static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

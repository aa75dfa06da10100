package org.aio4j.reactor.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.aio4j.engine.AioEngine;
import org.aio4j.reactor.ReadOptions;
import org.aio4j.reactor.TestFiles;
import org.aio4j.reactor.WriteOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** The overloads of {@link AioDataBufferUtils} taking options: the engine, buffer size, range and threads used. */
class AioDataBufferUtilsEngineTest {
    @TempDir
    Path dir;

    final LeakTrackingDataBufferFactory factory = new LeakTrackingDataBufferFactory();
    final AioEngine engine =
            AioEngine.builder().name("dbu-options").cachedReadFastPath(false).build();

    @AfterEach
    void after() throws Exception {
        factory.checkForLeaks();
        engine.close();
        assertThat(engine.awaitTermination(Duration.ofSeconds(10))).isTrue();
    }

    private static byte[] bytes(Flux<DataBuffer> flux) {
        return DataBufferUtils.join(flux)
                .map(b -> {
                    byte[] a = new byte[b.readableByteCount()];
                    b.read(a);
                    DataBufferUtils.release(b);
                    return a;
                })
                .defaultIfEmpty(new byte[0])
                .block(Duration.ofSeconds(30));
    }

    @Test
    void readSubmitsToTheGivenEngineInBuffersOfTheChunkSizeOverTheRange() throws Exception {
        Path file = TestFiles.create(dir.resolve("f"), 100_000, 1);
        byte[] all = Files.readAllBytes(file);
        long before = engine.metrics().submitted();
        ReadOptions options = ReadOptions.defaults()
                .engine(engine)
                .chunkSize(1000)
                .position(10_000)
                .length(5_500);
        byte[] range = bytes(AioDataBufferUtils.read(file, factory, options));
        assertThat(range).isEqualTo(Arrays.copyOfRange(all, 10_000, 15_500));
        // 6 reads (5 of 1000 bytes, one of 500), on this engine (no fast path: each is submitted)
        assertThat(engine.metrics().submitted() - before).isEqualTo(6);
    }

    @Test
    void buffersHaveAtMostTheChunkSize() {
        Path file = TestFiles.create(dir.resolve("g"), 10_001, 2);
        var sizes = AioDataBufferUtils.read(
                        file, factory, ReadOptions.defaults().engine(engine).chunkSize(4096))
                .map(b -> {
                    int n = b.readableByteCount();
                    DataBufferUtils.release(b);
                    return n;
                })
                .collectList()
                .block(Duration.ofSeconds(30));
        assertThat(sizes).containsExactly(4096, 4096, 1809);
    }

    @Test
    void signalsOnTheOptionsScheduler() {
        Path file = TestFiles.create(dir.resolve("h"), 50_000, 3);
        Scheduler single = Schedulers.newSingle("dbu-signals");
        try {
            var threads = AioDataBufferUtils.read(
                            file,
                            factory,
                            ReadOptions.defaults()
                                    .engine(engine)
                                    .chunkSize(8192)
                                    .scheduler(single))
                    .map(b -> {
                        DataBufferUtils.release(b);
                        return Thread.currentThread().getName();
                    })
                    .collectList()
                    .block(Duration.ofSeconds(30));
            assertThat(threads).isNotEmpty().allMatch(n -> n.startsWith("dbu-signals"));
        } finally {
            single.dispose();
        }
    }

    @Test
    void writeSubmitsToTheGivenEngineAndReleasesEveryBuffer() throws Exception {
        Path target = dir.resolve("out");
        long before = engine.metrics().submitted();
        Flux<DataBuffer> source = Flux.range(0, 10).map(i -> factory.wrap(new byte[] {i.byteValue(), i.byteValue()}));
        AioDataBufferUtils.write(
                        source, target, WriteOptions.defaults().engine(engine).fsync(true))
                .block(Duration.ofSeconds(30));
        assertThat(Files.readAllBytes(target))
                .hasSize(20)
                .startsWith(0, 0, 1, 1)
                .endsWith(9, 9);
        assertThat(engine.metrics().submitted() - before).isEqualTo(11); // ten writes and the fsync
    }

    @Test
    void optionsVariantsCheckTheirArgumentsAtAssembly() {
        Path p = dir.resolve("x");
        assertThatThrownBy(() -> AioDataBufferUtils.read(p, factory, (ReadOptions) null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AioDataBufferUtils.read(null, factory, ReadOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AioDataBufferUtils.write(Flux.empty(), p, (WriteOptions) null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AioDataBufferUtils.write(
                        Flux.empty(), p, WriteOptions.defaults().openOptions(java.nio.file.StandardOpenOption.READ)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

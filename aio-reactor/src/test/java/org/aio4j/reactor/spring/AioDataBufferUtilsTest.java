package org.aio4j.reactor.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.aio4j.AioException;
import org.aio4j.engine.AioEngine;
import org.aio4j.reactor.TestFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class AioDataBufferUtilsTest {
    @TempDir
    Path dir;

    final LeakTrackingDataBufferFactory factory = newFactory();

    /** Heap buffers here: the copy path. {@link AioDataBufferUtilsDirectTest} runs everything on direct ones. */
    LeakTrackingDataBufferFactory newFactory() {
        return new LeakTrackingDataBufferFactory();
    }

    TestFiles.Probe probe;

    @BeforeEach
    void before() {
        AioEngine.shared();
        probe = TestFiles.Probe.take();
    }

    @AfterEach
    void after() {
        factory.checkForLeaks();
        probe.assertNoLeaks();
    }

    private static byte[] join(Flux<DataBuffer> flux) {
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
    void readMatchesSpringsReadByteForByte() {
        for (int size : new int[] {0, 1, 4095, 4096, 4097, 100_003}) {
            Path f = TestFiles.create(dir.resolve("f" + size), size, size);
            byte[] ours = join(AioDataBufferUtils.read(f, factory, 4096));
            byte[] spring = join(DataBufferUtils.read(f, factory, 4096));
            assertThat(ours).isEqualTo(spring).isEqualTo(TestFiles.expected(size, size));
        }
    }

    @Test
    void buffersHaveTheRequestedSize() {
        Path f = TestFiles.create(dir.resolve("f"), 10_000, 1);
        StepVerifier.create(AioDataBufferUtils.read(f, factory, 4096)
                        .doOnNext(DataBufferUtils::release)
                        .map(DataBuffer::readableByteCount))
                .expectNext(4096, 4096, 10_000 - 8192)
                .verifyComplete();
    }

    @Test
    void rangedRead() {
        int size = 50_000;
        Path f = TestFiles.create(dir.resolve("f"), size, 2);
        byte[] all = TestFiles.expected(size, 2);
        assertThat(join(AioDataBufferUtils.read(f, 1000, 20_000, factory, 4096)))
                .isEqualTo(Arrays.copyOfRange(all, 1000, 21_000));
        assertThat(join(AioDataBufferUtils.read(f, 45_000, 20_000, factory, 4096)))
                .isEqualTo(Arrays.copyOfRange(all, 45_000, size));
        assertThat(join(AioDataBufferUtils.read(f, 60_000, 10, factory, 4096))).isEmpty();
        assertThat(join(AioDataBufferUtils.read(f, 0, 0, factory, 4096))).isEmpty();
    }

    @Test
    void cancelAndTakeLeakNothing() {
        Path f = TestFiles.create(dir.resolve("f"), 400_000, 3);
        for (int i = 0; i < 200; i++) {
            StepVerifier.create(AioDataBufferUtils.read(f, factory, 4096)
                            .doOnDiscard(DataBuffer.class, DataBufferUtils::release)
                            .take(i % 7)
                            .doOnNext(DataBufferUtils::release))
                    .expectNextCount(i % 7)
                    .verifyComplete();
        }
        StepVerifier.create(AioDataBufferUtils.read(f, factory, 4096), 2)
                .consumeNextWith(DataBufferUtils::release)
                .consumeNextWith(DataBufferUtils::release)
                .thenCancel()
                .verify();
    }

    @Test
    void argumentChecks() {
        Path f = dir.resolve("x");
        assertThatThrownBy(() -> AioDataBufferUtils.read(f, factory, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AioDataBufferUtils.read(f, factory, 10, StandardOpenOption.WRITE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AioDataBufferUtils.read(f, factory, 10, StandardOpenOption.APPEND))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AioDataBufferUtils.read(f, -1, 10, factory, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AioDataBufferUtils.read(f, 0, -1, factory, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AioDataBufferUtils.read(null, factory, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AioDataBufferUtils.read(f, null, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AioDataBufferUtils.read(null, 0, 10, factory, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AioDataBufferUtils.read(f, 0, 10, null, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AioDataBufferUtils.write(Flux.empty(), f, StandardOpenOption.READ))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AioDataBufferUtils.write(null, f)).isInstanceOf(IllegalArgumentException.class);
    }

    /** What a call of a read or write does: throws at assembly, or signals / completes once subscribed. */
    private static String outcome(Supplier<Publisher<?>> call) {
        Publisher<?> p;
        try {
            p = call.get();
        } catch (RuntimeException e) {
            // Spring's NullPointerException for a null array is the JVM's, with the JVM's message
            String message = e instanceof NullPointerException ? "" : ": " + e.getMessage();
            return "throws " + e.getClass().getName() + message;
        }
        try {
            Flux.from(p).doOnNext(o -> DataBufferUtils.release((DataBuffer) o)).blockLast(Duration.ofSeconds(10));
            return "completes";
        } catch (RuntimeException e) {
            return "signals " + Exceptions.unwrap(e).getClass().getName();
        }
    }

    /**
     * Issue 16.6: the drop-in answers bad arguments and open options as Spring's {@code DataBufferUtils} does, case
     * by case against Spring itself: null arguments are {@code IllegalArgumentException}s with Spring's messages
     * ({@code Assert.notNull}), a null array is a {@code NullPointerException}, a null option an error once
     * subscribed; {@code DELETE_ON_CLOSE} (read and write) and {@code SPARSE} (write) work, as with the JDK's
     * channels.
     */
    @Test
    void argumentsAndOpenOptionsAreAnsweredAsSpringAnswersThem() throws Exception {
        Path in = TestFiles.create(dir.resolve("in"), 10_000, 5);
        Path out = dir.resolve("out");
        Supplier<Flux<DataBuffer>> src = () -> Flux.range(0, 3).map(i -> factory.wrap(new byte[100]));
        OpenOption[] nullArray = null;
        OpenOption[] nullElement = {null};
        record Case(String name, Supplier<Publisher<?>> spring, Supplier<Publisher<?>> aio) {}
        List<Case> cases = List.of(
                new Case(
                        "read, null path",
                        () -> DataBufferUtils.read((Path) null, factory, 4096),
                        () -> AioDataBufferUtils.read(null, factory, 4096)),
                new Case(
                        "read, null factory",
                        () -> DataBufferUtils.read(in, null, 4096),
                        () -> AioDataBufferUtils.read(in, null, 4096)),
                new Case(
                        "read, buffer size 0",
                        () -> DataBufferUtils.read(in, factory, 0),
                        () -> AioDataBufferUtils.read(in, factory, 0)),
                new Case(
                        "read, null options",
                        () -> DataBufferUtils.read(in, factory, 4096, nullArray),
                        () -> AioDataBufferUtils.read(in, factory, 4096, nullArray)),
                new Case(
                        "read, null option",
                        () -> DataBufferUtils.read(in, factory, 4096, nullElement),
                        () -> AioDataBufferUtils.read(in, factory, 4096, nullElement)),
                new Case(
                        "read, APPEND",
                        () -> DataBufferUtils.read(in, factory, 4096, StandardOpenOption.APPEND),
                        () -> AioDataBufferUtils.read(in, factory, 4096, StandardOpenOption.APPEND)),
                new Case(
                        "write, null source",
                        () -> DataBufferUtils.write(null, out),
                        () -> AioDataBufferUtils.write(null, out)),
                new Case(
                        "write, null destination",
                        () -> DataBufferUtils.write(src.get(), (Path) null),
                        () -> AioDataBufferUtils.write(src.get(), null)),
                new Case(
                        "write, null options",
                        () -> DataBufferUtils.write(src.get(), out, nullArray),
                        () -> AioDataBufferUtils.write(src.get(), out, nullArray)),
                new Case(
                        "write, null option",
                        () -> DataBufferUtils.write(src.get(), out, nullElement),
                        () -> AioDataBufferUtils.write(src.get(), out, nullElement)),
                new Case(
                        "write, READ",
                        () -> DataBufferUtils.write(src.get(), out, StandardOpenOption.READ),
                        () -> AioDataBufferUtils.write(src.get(), out, StandardOpenOption.READ)));
        for (Case c : cases) {
            assertThat(outcome(c.aio())).as(c.name()).isEqualTo(outcome(c.spring()));
        }
        // DELETE_ON_CLOSE: the file is unlinked once open, the read or the write completes, the file is gone
        for (boolean spring : new boolean[] {true, false}) {
            Path r = Files.copy(in, dir.resolve("read-" + spring));
            OpenOption del = StandardOpenOption.DELETE_ON_CLOSE;
            String read = outcome(() -> spring
                    ? DataBufferUtils.read(r, factory, 4096, del)
                    : AioDataBufferUtils.read(r, factory, 4096, del));
            assertThat(read).as("read, DELETE_ON_CLOSE, spring=%s", spring).isEqualTo("completes");
            assertThat(r).as("read, DELETE_ON_CLOSE, spring=%s", spring).doesNotExist();
            Path w = dir.resolve("write-" + spring);
            String write = outcome(() -> spring
                    ? DataBufferUtils.write(src.get(), w, StandardOpenOption.CREATE, del)
                    : AioDataBufferUtils.write(src.get(), w, StandardOpenOption.CREATE, del));
            assertThat(write).as("write, DELETE_ON_CLOSE, spring=%s", spring).isEqualTo("completes");
            assertThat(w).as("write, DELETE_ON_CLOSE, spring=%s", spring).doesNotExist();
            Path sparse = dir.resolve("sparse-" + spring);
            String s = outcome(() -> spring
                    ? DataBufferUtils.write(src.get(), sparse, StandardOpenOption.CREATE_NEW, StandardOpenOption.SPARSE)
                    : AioDataBufferUtils.write(
                            src.get(), sparse, StandardOpenOption.CREATE_NEW, StandardOpenOption.SPARSE));
            assertThat(s).as("write, SPARSE, spring=%s", spring).isEqualTo("completes");
            assertThat(Files.size(sparse))
                    .as("write, SPARSE, spring=%s", spring)
                    .isEqualTo(300);
        }
    }

    @Test
    void missingFileIsTypedError() {
        StepVerifier.create(AioDataBufferUtils.read(dir.resolve("missing"), factory, 4096))
                .expectErrorSatisfies(e -> org.aio4j.PathErrors.assertPathError(e, "ENOENT", dir.resolve("missing")))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void writeReleasesWhatItWroteAndRoundTrips() throws Exception {
        byte[] data = TestFiles.expected(123_457, 4);
        Path out = dir.resolve("out");
        Flux<DataBuffer> src = Flux.range(0, (data.length + 9999) / 10000).map(i -> {
            int from = i * 10000;
            return factory.wrap(Arrays.copyOfRange(data, from, Math.min(data.length, from + 10000)));
        });
        StepVerifier.create(AioDataBufferUtils.write(src, out)).verifyComplete();
        assertThat(Files.readAllBytes(out)).isEqualTo(data);
        // Spring read -> aio4j write -> aio4j read
        Path out2 = dir.resolve("out2");
        StepVerifier.create(AioDataBufferUtils.write(DataBufferUtils.read(out, factory, 3000), out2))
                .verifyComplete();
        assertThat(join(AioDataBufferUtils.read(out2, factory, 8192))).isEqualTo(data);
    }

    @Test
    void writeErrorsReleaseEverything() {
        Flux<DataBuffer> src = Flux.range(0, 50).map(i -> factory.wrap(new byte[4096]));
        StepVerifier.create(AioDataBufferUtils.write(src, Path.of("/dev/full"), StandardOpenOption.WRITE))
                .expectErrorSatisfies(
                        e -> assertThat(((AioException) e).errnoName()).isEqualTo("ENOSPC"))
                .verify(Duration.ofSeconds(10));
        RuntimeException boom = new RuntimeException("boom");
        Flux<DataBuffer> failing =
                Flux.range(0, 5).map(i -> factory.wrap(new byte[100])).concatWith(Mono.error(boom));
        StepVerifier.create(AioDataBufferUtils.write(failing, dir.resolve("o")))
                .expectErrorSatisfies(e -> assertThat(e).isSameAs(boom))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void cancelledWriteReleasesEverything() {
        Flux<DataBuffer> endless = Flux.generate(s -> s.next(factory.wrap(new byte[8192])));
        StepVerifier.create(AioDataBufferUtils.write(
                        endless.doOnDiscard(DataBuffer.class, DataBufferUtils::release), dir.resolve("o")))
                .thenAwait(Duration.ofMillis(50))
                .thenCancel()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void theLeakCheckerCatchesALeak() {
        LeakTrackingDataBufferFactory other = new LeakTrackingDataBufferFactory();
        Path f = TestFiles.create(dir.resolve("f"), 10_000, 1);
        // forget to release the second buffer
        AioDataBufferUtils.read(f, other, 4096)
                .index()
                .doOnNext(t -> {
                    if (t.getT1() != 1) DataBufferUtils.release(t.getT2());
                })
                .blockLast(Duration.ofSeconds(10));
        assertThatThrownBy(other::checkForLeaks)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("1 DataBuffer");
    }
}

package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.AioException;
import org.aio4j.PathErrors;
import org.aio4j.engine.AioEngine;
import org.aio4j.engine.EngineBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

class WriteCopyTest {
    static final int CHUNK = 64 * 1024;

    @TempDir
    Path dir;

    TestFiles.Probe probe;

    @BeforeEach
    void before() {
        AioEngine.shared();
        probe = TestFiles.Probe.take();
    }

    @AfterEach
    void after() {
        probe.assertNoLeaks();
    }

    static Flux<ByteBuffer> heapChunks(byte[] data, int chunk) {
        List<ByteBuffer> l = new ArrayList<>();
        for (int i = 0; i < data.length; i += chunk) {
            l.add(ByteBuffer.wrap(data, i, Math.min(chunk, data.length - i)));
        }
        return Flux.fromIterable(l);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 3})
    void writeRoundTripSizes(int size) throws Exception {
        byte[] data = TestFiles.expected(size, size + 1);
        Path out = dir.resolve("out");
        StepVerifier.create(AioFiles.write(heapChunks(data, 10_000), out))
                .expectNext((long) size)
                .verifyComplete();
        assertThat(Files.readAllBytes(out)).isEqualTo(data);
    }

    @Test
    void copyRoundTripSizesAndRandom() throws Exception {
        SplittableRandom rnd = new SplittableRandom(3);
        int[] fixed = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1};
        for (int i = 0; i < fixed.length + 25; i++) {
            int size = i < fixed.length ? fixed[i] : rnd.nextInt(0, 2_000_000);
            int chunk = i < fixed.length ? CHUNK : rnd.nextInt(1, 300_000);
            int inFlight = rnd.nextInt(1, 9);
            Path src = TestFiles.create(dir.resolve("s" + i), size, i);
            Path dst = dir.resolve("d" + i);
            boolean kernel = i % 2 == 0; // both the kernel copy and AIO reads and writes
            StepVerifier.create(AioFiles.copy(
                            src,
                            dst,
                            CopyOptions.defaults()
                                    .chunkSize(chunk)
                                    .maxInFlight(inFlight)
                                    .kernelCopy(kernel)))
                    .expectNext((long) size)
                    .verifyComplete();
            assertThat(Files.mismatch(src, dst))
                    .as("case %d, kernel %s", i, kernel)
                    .isEqualTo(-1);
            StepVerifier.create(AioFiles.mismatch(src, dst)).expectNext(-1L).verifyComplete();
        }
    }

    @Test
    void copyHundredMiBPlusSeven() {
        long size = (100L << 20) + 7;
        Path src = TestFiles.create(dir.resolve("big"), size, 100);
        Path dst = dir.resolve("big.copy");
        StepVerifier.create(AioFiles.copy(src, dst, CopyOptions.defaults().chunkSize(1 << 20)))
                .expectNext(size)
                .verifyComplete();
        assertThat(TestFiles.sha256(dst)).isEqualTo(TestFiles.sha256(src));
        StepVerifier.create(AioFiles.mismatch(src, dst))
                .expectNext(-1L)
                .expectComplete()
                .verify(Duration.ofSeconds(60));
        // read -> write pipeline as well, 100 MiB + 7 through the façade
        Path dst2 = dir.resolve("big.copy2");
        StepVerifier.create(AioFiles.write(AioFiles.read(src), dst2))
                .expectNext(size)
                .verifyComplete();
        assertThat(TestFiles.sha256(dst2)).isEqualTo(TestFiles.sha256(src));
    }

    @Test
    void writeRequestsUpstreamOnlyAsWritesComplete() {
        Path out = dir.resolve("out");
        TestPublisher<ByteBuffer> pub = TestPublisher.createCold();
        AtomicLong requested = new AtomicLong();
        AtomicInteger emitted = new AtomicInteger();
        Flux<ByteBuffer> src = Flux.range(0, 200)
                .map(i -> ByteBuffer.allocateDirect(4096))
                .doOnRequest(n -> requested.addAndGet(n))
                .doOnNext(b -> emitted.incrementAndGet());
        Mono<Long> w = AioFiles.write(src, out, WriteOptions.defaults().maxInFlight(3));
        StepVerifier.create(w).expectNext(200L * 4096).verifyComplete();
        // never more requested than written + in flight
        assertThat(requested.get()).isLessThanOrEqualTo(200 + 3);
        assertThat(pub.wasSubscribed()).isFalse();
    }

    @Test
    void writeWithFsyncAppendAndOptions() throws Exception {
        Path out = dir.resolve("out");
        byte[] a = TestFiles.expected(10_000, 1);
        StepVerifier.create(AioFiles.write(
                        heapChunks(a, 999), out, WriteOptions.defaults().fsync(true)))
                .expectNext(10_000L)
                .verifyComplete();
        StepVerifier.create(AioFiles.write(heapChunks(a, 333), out, StandardOpenOption.APPEND))
                .expectNext(10_000L)
                .verifyComplete();
        byte[] both = new byte[20_000];
        System.arraycopy(a, 0, both, 0, 10_000);
        System.arraycopy(a, 0, both, 10_000, 10_000);
        assertThat(Files.readAllBytes(out)).isEqualTo(both);
        // CREATE_NEW on an existing file: EEXIST
        StepVerifier.create(AioFiles.write(heapChunks(a, 333), out, StandardOpenOption.CREATE_NEW))
                .expectErrorSatisfies(e -> PathErrors.assertPathError(e, "EEXIST"))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void writeReadOnlyAndDirectAndEmptyBuffers() throws Exception {
        Path out = dir.resolve("out");
        ByteBuffer ro = ByteBuffer.wrap(new byte[] {1, 2, 3}).asReadOnlyBuffer();
        ByteBuffer direct =
                ByteBuffer.allocateDirect(2).put((byte) 4).put((byte) 5).flip();
        ByteBuffer empty = ByteBuffer.allocate(0);
        ByteBuffer roDirect = ByteBuffer.allocateDirect(1).put((byte) 6).flip().asReadOnlyBuffer();
        StepVerifier.create(AioFiles.write(Flux.just(ro, empty, direct, roDirect), out))
                .expectNext(6L)
                .verifyComplete();
        assertThat(Files.readAllBytes(out)).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void writeSourceErrorPropagatesAndClosesFile() {
        Path out = dir.resolve("out");
        RuntimeException boom = new RuntimeException("boom");
        StepVerifier.create(
                        AioFiles.write(Flux.just(ByteBuffer.wrap(new byte[10])).concatWith(Flux.error(boom)), out))
                .expectErrorSatisfies(e -> assertThat(e).isSameAs(boom))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void writeToDevFullIsTypedEnospc() {
        Path full = Path.of("/dev/full");
        StepVerifier.create(AioFiles.write(Flux.just(ByteBuffer.wrap(new byte[4096])), full, StandardOpenOption.WRITE))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(AioException.class);
                    AioException a = (AioException) e;
                    assertThat(a.errnoName()).isEqualTo("ENOSPC");
                    assertThat(a.path()).isEqualTo(full);
                    assertThat(a.position()).isEqualTo(0);
                })
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void writeToProcVersionIsTypedError() {
        Path p = Path.of("/proc/version");
        StepVerifier.create(AioFiles.write(Flux.just(ByteBuffer.wrap(new byte[16])), p, StandardOpenOption.WRITE))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(AioException.class);
                    assertThat(((AioException) e).path()).isEqualTo(p);
                })
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void writeIntoMissingDirectoryOrOntoDirectory() {
        StepVerifier.create(AioFiles.write(Flux.just(ByteBuffer.wrap(new byte[1])), dir.resolve("no/such/file")))
                .expectErrorSatisfies(e -> PathErrors.assertPathError(e, "ENOENT"))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(AioFiles.write(Flux.just(ByteBuffer.wrap(new byte[1])), dir))
                .expectErrorSatisfies(e -> PathErrors.assertPathError(e, "EISDIR"))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void writeAssemblyChecksAndLaziness() {
        Path out = dir.resolve("lazy");
        assertThatThrownBy(() -> AioFiles.write(null, out)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AioFiles.write(Flux.empty(), null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AioFiles.write(Flux.empty(), out, (java.nio.file.OpenOption) null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> WriteOptions.defaults().maxInFlight(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CopyOptions.defaults().chunkSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CopyOptions.defaults().maxInFlight(-3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AioFiles.copy(out, null, CopyOptions.defaults()))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AioFiles.mismatch(null, out)).isInstanceOf(NullPointerException.class);
        Mono<Long> m = AioFiles.write(Flux.empty(), out);
        assertThat(Files.exists(out)).isFalse();
        StepVerifier.create(m).expectNext(0L).verifyComplete();
        assertThat(Files.exists(out)).isTrue();
    }

    @Test
    void contextReachesTheSource() {
        Path out = dir.resolve("ctx");
        Flux<ByteBuffer> src = Flux.deferContextual(
                ctx -> Flux.just(ByteBuffer.wrap(ctx.<String>get("k").getBytes())));
        StepVerifier.create(AioFiles.write(src, out).contextWrite(c -> c.put("k", "hello")))
                .expectNext(5L)
                .verifyComplete();
    }

    @Test
    void copyProgressAndExistingTarget() throws Exception {
        long size = 3L * CHUNK * 4 + 5;
        Path src = TestFiles.create(dir.resolve("s"), size, 8);
        Path dst = dir.resolve("d");
        List<CopyProgress> samples = AioFiles.copyWithProgress(
                        src, dst, CopyOptions.defaults().chunkSize(CHUNK))
                .collectList()
                .block(Duration.ofSeconds(30));
        assertThat(samples).isNotEmpty();
        CopyProgress last = samples.get(samples.size() - 1);
        assertThat(last.done()).isTrue();
        assertThat(last.bytesDone()).isEqualTo(size);
        assertThat(last.totalBytes()).isEqualTo(size);
        assertThat(last.fraction()).isEqualTo(1.0);
        long prev = -1;
        for (CopyProgress p : samples) {
            assertThat(p.bytesDone()).isGreaterThanOrEqualTo(prev);
            assertThat(p.bytesPerSecond()).isGreaterThanOrEqualTo(0);
            prev = p.bytesDone();
        }
        assertThat(samples.stream().filter(CopyProgress::done).count()).isEqualTo(1);
        assertThat(Files.mismatch(src, dst)).isEqualTo(-1);
        // the target exists now: without replaceExisting that is EEXIST, with it the copy overwrites
        StepVerifier.create(AioFiles.copy(src, dst, CopyOptions.defaults()))
                .expectErrorSatisfies(e -> PathErrors.assertPathError(e, "EEXIST"))
                .verify(Duration.ofSeconds(10));
        Files.write(dst, new byte[(int) size + 100]);
        StepVerifier.create(AioFiles.copy(
                        src, dst, CopyOptions.defaults().replaceExisting(true).fsync(true)))
                .expectNext(size)
                .verifyComplete();
        assertThat(Files.mismatch(src, dst)).isEqualTo(-1);
        // onto itself: nothing copied, nothing truncated
        StepVerifier.create(AioFiles.copy(src, src, CopyOptions.defaults().replaceExisting(true)))
                .expectNext(size)
                .verifyComplete();
        assertThat(Files.size(src)).isEqualTo(size);
    }

    @Test
    void copyMissingSourceIsTypedErrorAndLeavesNothingOpen() {
        Path dst = dir.resolve("d");
        StepVerifier.create(AioFiles.copy(dir.resolve("missing"), dst, CopyOptions.defaults()))
                .expectErrorSatisfies(e -> {
                    PathErrors.assertPathError(e, "ENOENT", dir.resolve("missing"));
                })
                .verify(Duration.ofSeconds(10));
    }

    /** Through the engine on both backends; the in-kernel copy does not use the engine's I/O (POSIX_AIO only). */
    @ParameterizedTest
    @CsvSource({"POSIX_AIO,false", "POSIX_AIO,true", "IO_URING,false"})
    void cancelInTheMiddleOfACopyLeaksNothing(EngineBackend backend, boolean kernel) throws Exception {
        long size = 64L << 20;
        Path src = TestFiles.create(dir.resolve("s"), size, 12);
        TestFiles.Probe before = TestFiles.Probe.take();
        try (AioEngine engine = TestFiles.engine(backend).build()) {
            for (int i = 0; i < 5; i++) {
                Path dst = dir.resolve("d" + i);
                long stopAt = (1L << 20) * (i + 1);
                AtomicLong progress = new AtomicLong();
                StepVerifier.create(AioFiles.copyWithProgress(
                                        src,
                                        dst,
                                        CopyOptions.defaults()
                                                .kernelCopy(kernel)
                                                .engine(engine)
                                                .chunkSize(64 * 1024)
                                                .maxInFlight(8))
                                .doOnNext(p -> progress.set(p.bytesDone())))
                        .thenAwait(Duration.ofMillis(1))
                        .thenConsumeWhile(p -> p.bytesDone() < stopAt)
                        .thenCancel()
                        .verify(Duration.ofSeconds(30));
                assertThat(progress.get()).isLessThan(size);
            }
        }
        before.assertNoLeaksIncludingNative();
    }

    @Test
    void writeSignalsOnConfiguredScheduler() {
        Path out = dir.resolve("out");
        var s = Schedulers.newSingle("aio-write-test");
        try {
            StepVerifier.create(AioFiles.write(
                                    Flux.just(ByteBuffer.wrap(new byte[100])),
                                    out,
                                    WriteOptions.defaults().scheduler(s))
                            .map(n -> Thread.currentThread().getName()))
                    .assertNext(name -> assertThat(name).startsWith("aio-write-test"))
                    .verifyComplete();
        } finally {
            s.dispose();
        }
    }
}

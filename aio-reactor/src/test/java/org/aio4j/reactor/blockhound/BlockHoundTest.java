package org.aio4j.reactor.blockhound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.AioFsyncMode;
import org.aio4j.engine.AioEngine;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.CopyOptions;
import org.aio4j.reactor.CopyProgress;
import org.aio4j.reactor.ReactiveAioFile;
import org.aio4j.reactor.ReadOptions;
import org.aio4j.reactor.WriteOptions;
import org.aio4j.reactor.internal.AioBlockHoundIntegration;
import org.aio4j.reactor.spring.AioDataBufferUtils;
import org.aio4j.reactor.spring.LeakTrackingDataBufferFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Proves that no aio-reactor pipeline blocks a non-blocking thread: BlockHound is installed (with every {@code
 * BlockHoundIntegration} on the class path, among them the module's own {@link AioBlockHoundIntegration}) and
 * each pipeline is subscribed on {@code Schedulers.parallel()}, with its requests (hence its submissions to the
 * engine) and often its signals on parallel threads too.
 *
 * <p>BlockHound cannot see native calls, and aio4j opens and closes files with native {@code open}/{@code close}
 * (through JNR). So this test also marks {@link AioFile#open} and {@link AioFile#close} as blocking: any open or
 * close on a non-blocking thread is then reported like a JDK blocking call (the controls below prove that both
 * the JDK's calls and these are detected). Every detection is also recorded, so one swallowed by an operator (or
 * thrown on a scheduler thread) still fails the test.
 *
 * <p>BlockHound stays installed in the JVM for good, so this class runs in its own Surefire execution (see the
 * module's pom), and skips itself elsewhere.
 */
class BlockHoundTest {
    static final ConcurrentLinkedQueue<String> DETECTED = new ConcurrentLinkedQueue<>();
    static final int CHUNK = 16 * 1024;

    @TempDir
    Path dir;

    Path file;
    byte[] content;
    int chunksBefore;

    /** Records and reports every blocking call; marks aio4j's native open/close as blocking. */
    public static final class Recording implements BlockHoundIntegration {
        @Override
        public void applyTo(BlockHound.Builder builder) {
            builder.markAsBlocking(
                    AioFile.class, "open", "(Ljava/nio/file/Path;[Ljava/nio/file/OpenOption;)Lorg/aio4j/AioFile;");
            builder.markAsBlocking(AioFile.class, "close", "()V");
            builder.blockingMethodCallback(m -> {
                DETECTED.add(m + " on " + Thread.currentThread().getName());
                throw new BlockingOperationError(m);
            });
        }
    }

    @BeforeAll
    static void install() {
        assumeTrue(
                Boolean.getBoolean("aio4j.blockhound"),
                "BlockHound tests run in their own Surefire execution (aio4j.blockhound=true)");
        AioEngine.shared();
        BlockHound.install(new Recording());
    }

    @BeforeEach
    void before() throws IOException {
        DETECTED.clear();
        content = new byte[5 * CHUNK + 123];
        new SplittableRandom(42).nextBytes(content);
        file = Files.write(dir.resolve("source"), content);
        chunksBefore = AioFiles.outstandingChunks();
    }

    @AfterEach
    void after() {
        assertThat(DETECTED).as("blocking calls on non-blocking threads").isEmpty();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (AioFiles.outstandingChunks() > chunksBefore && System.nanoTime() < deadline) Thread.onSpinWait();
        assertThat(AioFiles.outstandingChunks()).as("outstanding chunks").isEqualTo(chunksBefore);
    }

    // ---- controls: BlockHound is really active, and sees what these tests claim it sees

    @Test
    void controlSleepOnParallelIsDetected() {
        StepVerifier.create(Mono.fromRunnable(() -> sleep(1)).subscribeOn(Schedulers.parallel()))
                .expectError(BlockingOperationError.class)
                .verify(Duration.ofSeconds(10));
        assertThat(DETECTED).anyMatch(d -> d.contains("sleep"));
        DETECTED.clear();
    }

    @Test
    void controlJdkFileReadOnParallelIsDetected() {
        StepVerifier.create(Mono.fromCallable(() -> {
                            try (FileInputStream in = new FileInputStream(file.toFile())) {
                                return in.read(new byte[10]);
                            }
                        })
                        .subscribeOn(Schedulers.parallel()))
                .expectError(BlockingOperationError.class)
                .verify(Duration.ofSeconds(10));
        assertThat(DETECTED).isNotEmpty();
        DETECTED.clear();
    }

    @Test
    void controlNativeOpenAndCloseOnParallelAreDetected() throws java.io.IOException {
        StepVerifier.create(Mono.fromCallable(() -> AioFile.open(file)).subscribeOn(Schedulers.parallel()))
                .expectError(BlockingOperationError.class)
                .verify(Duration.ofSeconds(10));
        AioFile f = AioFile.open(file); // the test thread may block
        StepVerifier.create(Mono.fromRunnable(f::close).subscribeOn(Schedulers.parallel()))
                .expectError(BlockingOperationError.class)
                .verify(Duration.ofSeconds(10));
        f.close();
        assertThat(DETECTED).anyMatch(d -> d.contains("open")).anyMatch(d -> d.contains("close"));
        DETECTED.clear();
    }

    @Test
    void controlNothingOnBlockingThreads() throws AioException {
        StepVerifier.create(Mono.fromCallable(() -> {
                            sleep(1);
                            AioFile.open(file).close();
                            return 1;
                        })
                        .subscribeOn(Schedulers.boundedElastic()))
                .expectNext(1)
                .verifyComplete();
    }

    @Test
    void moduleShipsItsIntegration() {
        List<Class<?>> loaded = new ArrayList<>();
        for (BlockHoundIntegration i : ServiceLoader.load(BlockHoundIntegration.class)) loaded.add(i.getClass());
        assertThat(loaded).contains(AioBlockHoundIntegration.class);
    }

    // ---- the pipelines

    /** Marks that a request reached the aio publisher from a non-blocking thread (where it submits reads). */
    static <T> Flux<T> requestedOnParallel(Flux<T> flux, AtomicBoolean seen) {
        return flux.doOnRequest(n -> {
            if (Schedulers.isInNonBlockingThread()) seen.set(true);
        });
    }

    byte[] collect(Flux<ByteBuffer> chunks) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        StepVerifier.create(chunks.doOnNext(b -> {
                            byte[] a = new byte[b.remaining()];
                            b.get(a);
                            out.write(a, 0, a.length);
                            AioFiles.release(b);
                        })
                        .then())
                .verifyComplete();
        return out.toByteArray();
    }

    @Test
    void readSubscribedAndRequestedOnParallel() {
        AtomicBoolean seen = new AtomicBoolean();
        Flux<ByteBuffer> read = requestedOnParallel(
                        AioFiles.read(file, ReadOptions.defaults().chunkSize(CHUNK)), seen)
                .subscribeOn(Schedulers.parallel())
                .publishOn(Schedulers.parallel(), 1);
        assertThat(collect(read)).isEqualTo(content);
        assertThat(seen).isTrue();
    }

    @Test
    void readWithParallelSignalScheduler() {
        AtomicBoolean onParallel = new AtomicBoolean(true);
        Flux<ByteBuffer> read = AioFiles.read(
                        file,
                        ReadOptions.defaults()
                                .chunkSize(CHUNK)
                                .position(100)
                                .length(3 * CHUNK)
                                .scheduler(Schedulers.parallel()))
                .doOnNext(b -> onParallel.compareAndSet(true, Schedulers.isInNonBlockingThread()))
                .subscribeOn(Schedulers.parallel());
        assertThat(collect(read)).isEqualTo(java.util.Arrays.copyOfRange(content, 100, 100 + 3 * CHUNK));
        assertThat(onParallel).isTrue();
    }

    @Test
    void readCancelledOnParallel() {
        AtomicBoolean seen = new AtomicBoolean();
        StepVerifier.create(requestedOnParallel(
                                AioFiles.read(file, ReadOptions.defaults().chunkSize(CHUNK)), seen)
                        .doOnNext(AioFiles::release)
                        .map(ByteBuffer::capacity)
                        .subscribeOn(Schedulers.parallel())
                        .take(2, true))
                .expectNextCount(2)
                .verifyComplete();
        assertThat(seen).isTrue();
    }

    @Test
    void readOfMissingFileOnParallel() {
        StepVerifier.create(AioFiles.read(dir.resolve("missing")).subscribeOn(Schedulers.parallel()))
                .expectError(java.nio.file.NoSuchFileException.class)
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void writeFromParallelSource() throws IOException {
        Path target = dir.resolve("written");
        Flux<ByteBuffer> source = Flux.range(0, 8)
                .map(i -> {
                    ByteBuffer b = (i % 2 == 0) ? ByteBuffer.allocateDirect(CHUNK) : ByteBuffer.allocate(CHUNK);
                    b.put(content, i * 1000, CHUNK).flip();
                    return b;
                })
                .publishOn(Schedulers.parallel(), 2);
        StepVerifier.create(AioFiles.write(
                                source,
                                target,
                                WriteOptions.defaults().fsync(true).scheduler(Schedulers.parallel()))
                        .subscribeOn(Schedulers.parallel()))
                .expectNext(8L * CHUNK)
                .verifyComplete();
        assertThat(Files.size(target)).isEqualTo(8L * CHUNK);
        assertThat(Files.readAllBytes(target)).startsWith(java.util.Arrays.copyOfRange(content, 0, 1000));
    }

    @Test
    void writeOfReadChunksWithOpenOptionsOnParallel() {
        Path target = dir.resolve("copied-by-write");
        OpenOption[] options = {StandardOpenOption.CREATE_NEW};
        StepVerifier.create(AioFiles.write(AioFiles.read(file).publishOn(Schedulers.parallel(), 1), target, options)
                        .subscribeOn(Schedulers.parallel()))
                .expectNext((long) content.length)
                .verifyComplete();
        StepVerifier.create(AioFiles.mismatch(file, target).subscribeOn(Schedulers.parallel()))
                .expectNext(-1L)
                .verifyComplete();
    }

    @Test
    void copyAndMismatchOnParallel() throws IOException {
        Path target = dir.resolve("copy");
        CopyOptions options =
                CopyOptions.defaults().chunkSize(CHUNK).fsync(true).scheduler(Schedulers.parallel());
        StepVerifier.create(AioFiles.copy(file, target, options).subscribeOn(Schedulers.parallel()))
                .expectNext((long) content.length)
                .verifyComplete();
        StepVerifier.create(AioFiles.mismatch(
                                file,
                                target,
                                ReadOptions.defaults().chunkSize(CHUNK).scheduler(Schedulers.parallel()))
                        .subscribeOn(Schedulers.parallel()))
                .expectNext(-1L)
                .verifyComplete();
        byte[] changed = content.clone();
        changed[3 * CHUNK + 7] ^= 1;
        Files.write(target, changed);
        StepVerifier.create(AioFiles.mismatch(file, target).subscribeOn(Schedulers.parallel()))
                .expectNext(3L * CHUNK + 7)
                .verifyComplete();
    }

    @Test
    void copyWithProgressOnParallel() throws IOException {
        Path target = dir.resolve("progress");
        List<CopyProgress> samples = new ArrayList<>();
        StepVerifier.create(AioFiles.copyWithProgress(
                                file,
                                target,
                                CopyOptions.defaults().chunkSize(CHUNK).scheduler(Schedulers.parallel()))
                        .subscribeOn(Schedulers.parallel())
                        .publishOn(Schedulers.parallel(), 1)
                        .doOnNext(samples::add))
                .thenConsumeWhile(p -> true)
                .verifyComplete();
        assertThat(samples).last().satisfies(p -> {
            assertThat(p.done()).isTrue();
            assertThat(p.bytesDone()).isEqualTo(content.length);
        });
        assertThat(Files.readAllBytes(target)).isEqualTo(content);
    }

    @Test
    void copyCancelledOnParallel() {
        Path target = dir.resolve("cancelled");
        StepVerifier.create(AioFiles.copy(
                                file,
                                target,
                                // AIO reads and writes of 4 KiB, one at a time, so that the cancel meets them (a kernel
                                // copy of this file is one step, done before the cancel)
                                CopyOptions.defaults()
                                        .chunkSize(4096)
                                        .maxInFlight(1)
                                        .kernelCopy(false))
                        .subscribeOn(Schedulers.parallel()))
                .thenAwait(Duration.ofMillis(1))
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        sleepOnTestThread(50); // let the cancelled copy close its files (on boundedElastic)
    }

    @Test
    void openAndFileOpsOnParallel() {
        Path path = dir.resolve("random-access");
        ByteBuffer src = ByteBuffer.allocateDirect(5000);
        for (int i = 0; i < 5000; i++) src.put(i, (byte) i);
        ByteBuffer dst = ByteBuffer.allocateDirect(5000);
        AtomicLong size = new AtomicLong();
        Mono<Integer> ops = Mono.usingWhen(
                AioFiles.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE)
                        .publishOn(Schedulers.parallel()),
                (ReactiveAioFile f) -> f.write(100, src)
                        .publishOn(Schedulers.parallel())
                        .then(f.fsync(AioFsyncMode.O_DSYNC))
                        .publishOn(Schedulers.parallel())
                        .then(f.size().doOnNext(size::set))
                        .then(f.read(100, dst))
                        .publishOn(Schedulers.parallel()),
                ReactiveAioFile::close);
        StepVerifier.create(ops.subscribeOn(Schedulers.parallel()))
                .expectNext(5000)
                .verifyComplete();
        assertThat(size).hasValue(5100);
        assertThat(dst).isEqualTo(src);
    }

    @Test
    void openCancelledOnParallel() {
        for (int i = 0; i < 20; i++) {
            StepVerifier.create(AioFiles.open(file).subscribeOn(Schedulers.parallel()), 0)
                    .thenCancel()
                    .verify(Duration.ofSeconds(10));
        }
        sleepOnTestThread(50);
    }

    @Test
    void springReadRangedReadAndWriteOnParallel() throws IOException {
        LeakTrackingDataBufferFactory factory = new LeakTrackingDataBufferFactory();
        Path target = dir.resolve("spring");
        Flux<DataBuffer> read = AioDataBufferUtils.read(file, factory, CHUNK)
                .subscribeOn(Schedulers.parallel())
                .publishOn(Schedulers.parallel(), 1);
        StepVerifier.create(AioDataBufferUtils.write(read, target).subscribeOn(Schedulers.parallel()))
                .verifyComplete();
        assertThat(Files.readAllBytes(target)).isEqualTo(content);

        AtomicLong bytes = new AtomicLong();
        StepVerifier.create(AioDataBufferUtils.read(file, 1000, 2 * CHUNK, factory, 4096)
                        .subscribeOn(Schedulers.parallel())
                        .publishOn(Schedulers.parallel(), 1)
                        .doOnNext(b -> {
                            bytes.addAndGet(b.readableByteCount());
                            DataBufferUtils.release(b);
                        })
                        .take(3)
                        .doOnDiscard(DataBuffer.class, DataBufferUtils::release))
                .expectNextCount(3)
                .verifyComplete();
        assertThat(bytes).hasValue(3 * 4096);
        factory.checkForLeaks();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The JUnit thread is not a non-blocking thread: waiting here is fine. */
    static void sleepOnTestThread(long millis) {
        sleep(millis);
    }
}

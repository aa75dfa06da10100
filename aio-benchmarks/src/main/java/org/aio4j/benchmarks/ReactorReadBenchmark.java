package org.aio4j.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Issue 4, read: the whole page-cached 1 GiB file streamed into a counting subscriber (unbounded demand, every chunk
 * released as soon as it is counted), in chunks of {@code chunk} bytes. One op is the whole file (1 GiB =
 * 1073.74 MB), so MB/s = ops/s x 1073.74.
 *
 * <p>Candidates ({@code impl}):
 *
 * <ul>
 *   <li>{@code aio}: {@code AioFiles.read(path, ReadOptions.defaults().chunkSize(chunk).maxInFlight(inflight))}
 *       (pooled direct chunks, given back with {@code AioFiles.release}; the shared engine, default schedulers);
 *   <li>{@code spring}: {@code DataBufferUtils.read(Path, new DefaultDataBufferFactory(), chunk)} (heap buffers,
 *       one {@code AsynchronousFileChannel} read in flight), each buffer released with
 *       {@code DataBufferUtils.release};
 *   <li>{@code elastic}: {@code Flux.generate} over a blocking {@code FileChannel} on
 *       {@code Schedulers.boundedElastic()}, a new heap {@code ByteBuffer} per chunk;
 *   <li>{@code plain}: a single-thread {@code FileChannel} loop into one reused direct buffer on the benchmark
 *       thread (no Reactor at all): the floor.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class ReactorReadBenchmark {
    /** The candidate. */
    @Param({"aio", "spring", "elastic", "plain"})
    public String impl;

    /** Chunk size in bytes. */
    @Param({"65536", "1048576"})
    public int chunk;

    /** Read-ahead of the {@code aio} candidate ({@code ReadOptions.maxInFlight}; the library default is 4). */
    @Param({"4"})
    public int inflight;

    private Path path;
    private ByteBuffer plainBuffer;
    private DefaultDataBufferFactory factory;

    /** Creates the data file if needed and warms the page cache. */
    @Setup(Level.Trial)
    public void setUp() {
        path = BenchData.dataFile();
        BenchData.warmPageCache(path);
        plainBuffer = ByteBuffer.allocateDirect(chunk);
        factory = new DefaultDataBufferFactory();
    }

    /** Reads the whole file once. */
    @Benchmark
    public long readFile() throws Exception {
        long bytes = switch (impl) {
            case "aio" -> AioCandidates.readFile(path, chunk, inflight);
            case "spring" ->
                CountingSubscriber.count(DataBufferUtils.read(path, factory, chunk), (DataBuffer b) -> {
                    int n = b.readableByteCount();
                    DataBufferUtils.release(b);
                    return n;
                });
            case "elastic" -> CountingSubscriber.count(elasticRead(path, chunk), ByteBuffer::remaining);
            case "plain" -> plainRead();
            default -> throw new IllegalArgumentException("impl: " + impl);
        };
        if (bytes != BenchData.FILE_SIZE) {
            throw new IllegalStateException(impl + " read " + bytes + " bytes, expected " + BenchData.FILE_SIZE);
        }
        return bytes;
    }

    static Flux<ByteBuffer> elasticRead(Path path, int chunk) {
        return Flux.<ByteBuffer, FileChannel>generate(
                        () -> FileChannel.open(path, StandardOpenOption.READ),
                        (ch, sink) -> {
                            ByteBuffer b = ByteBuffer.allocate(chunk);
                            try {
                                int n = ch.read(b);
                                if (n < 0) {
                                    sink.complete();
                                } else {
                                    sink.next(b.flip());
                                }
                            } catch (IOException e) {
                                sink.error(e);
                            }
                            return ch;
                        },
                        ch -> {
                            try {
                                ch.close();
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        })
                .subscribeOn(Schedulers.boundedElastic());
    }

    private long plainRead() throws IOException {
        long total = 0;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            int n;
            while ((n = ch.read(plainBuffer.clear())) >= 0) {
                total += n;
            }
        }
        return total;
    }

    /** Nothing to release: every stream closed its file. */
    @TearDown(Level.Trial)
    public void tearDown() {}
}

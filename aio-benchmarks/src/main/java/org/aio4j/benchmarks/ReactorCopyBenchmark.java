package org.aio4j.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * Issue 4, copy: the page-cached 1 GiB file copied to a file in the same folder (replaced every op; the written data
 * goes to the page cache and is written back by the kernel in the background). One op is one whole copy (1 GiB =
 * 1073.74 MB), so MB/s = ops/s x 1073.74.
 *
 * <p>Candidates ({@code impl}): {@code aio} ({@code AioFiles.copy} with {@code CopyOptions.defaults().chunkSize(chunk)
 * .maxInFlight(inflight).replaceExisting(true)}: since issue 10 a kernel copy, which ignores the chunk size), {@code
 * aio-rw} (the same with {@code kernelCopy(false)}: AIO reads and writes of {@code chunk}), {@code spring}
 * ({@code DataBufferUtils.write(DataBufferUtils.read(source, new DefaultDataBufferFactory(), chunk), target)}), and
 * {@code files} ({@code Files.copy(source, target, REPLACE_EXISTING)}, which has no chunk size: its two rows are the
 * same measurement twice).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class ReactorCopyBenchmark {
    /** The candidate. */
    @Param({"aio", "aio-rw", "spring", "files"})
    public String impl;

    /** Chunk size in bytes (ignored by {@code files}). */
    @Param({"65536", "1048576"})
    public int chunk;

    /**
     * Where the copy goes: {@code tmpfs} ({@code /dev/shm}: the written pages stay in memory, so the score is the
     * cost of the copy pipeline itself) or {@code disk} (next to the source, on the disk's file system: the score
     * then also depends on the kernel's write-back and, on a file system mounted with {@code discard}, on the
     * discards of the replaced target, which vary from second to second with what ran before).
     */
    @Param({"tmpfs", "disk"})
    public String target;

    /** Ops in flight of the {@code aio} candidate ({@code CopyOptions.maxInFlight}; the library default is 4). */
    @Param({"4"})
    public int inflight;

    private Path source;
    private Path targetFile;
    private DefaultDataBufferFactory factory;

    /** Creates the data file if needed and warms the page cache. */
    @Setup(Level.Trial)
    public void setUp() {
        source = BenchData.dataFile();
        BenchData.warmPageCache(source);
        Path dir = switch (target) {
            case "disk" -> BenchData.dir();
            case "tmpfs" -> {
                Path shm = Path.of("/dev/shm");
                if (!Files.isDirectory(shm) || !Files.isWritable(shm)) {
                    throw new IllegalStateException("no writable /dev/shm for target=tmpfs; use -p target=disk");
                }
                yield shm;
            }
            default -> throw new IllegalArgumentException("target: " + target);
        };
        targetFile = dir.resolve(
                "aio4j-copy-target-" + impl + "-" + ProcessHandle.current().pid() + ".dat");
        factory = new DefaultDataBufferFactory();
    }

    /** Copies the whole file once. */
    @Benchmark
    public long copyFile() throws Exception {
        switch (impl) {
            case "aio" -> {
                long n = AioCandidates.copyFile(source, targetFile, chunk, inflight);
                if (n != BenchData.FILE_SIZE) {
                    throw new IllegalStateException("AioFiles.copy reported " + n + " bytes");
                }
            }
            case "aio-rw" -> {
                long n = AioCandidates.copyFileReadWrite(source, targetFile, chunk, inflight);
                if (n != BenchData.FILE_SIZE) {
                    throw new IllegalStateException("AioFiles.copy reported " + n + " bytes");
                }
            }
            case "spring" ->
                DataBufferUtils.write(DataBufferUtils.read(source, factory, chunk), targetFile)
                        .block();
            case "files" -> Files.copy(source, targetFile, StandardCopyOption.REPLACE_EXISTING);
            default -> throw new IllegalArgumentException("impl: " + impl);
        }
        long size = Files.size(targetFile);
        if (size != BenchData.FILE_SIZE) {
            throw new IllegalStateException(impl + " copied " + size + " bytes, expected " + BenchData.FILE_SIZE);
        }
        return size;
    }

    /** Deletes the copy. */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        Files.deleteIfExists(targetFile);
    }
}

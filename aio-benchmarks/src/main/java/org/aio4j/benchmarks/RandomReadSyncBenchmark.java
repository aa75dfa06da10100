package org.aio4j.benchmarks;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Issue 3, the floor: a single thread doing blocking 4 KiB {@code pread}s ({@code FileChannel.read(dst, position)}) at
 * random block-aligned offsets of the same 1 GiB file (queue depth 1 by nature), page-cached or O_DIRECT.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RandomReadSyncBenchmark {
    /** {@code cached} (page cache warmed) or {@code direct} (O_DIRECT). */
    @Param({"cached", "direct"})
    public String file;

    private FileChannel channel;
    private ByteBuffer buffer;
    private long rnd = 0x9E3779B97F4A7C15L;

    /** Opens the file. */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path path = BenchData.dataFile();
        boolean direct = "direct".equals(file);
        if (!direct) {
            BenchData.warmPageCache(path);
        }
        channel = FileChannel.open(path, PeerLoops.readOptions(direct));
        buffer = BenchData.alignedDirect(BenchData.BLOCK);
    }

    /** {@link RandomReadBenchmark#BATCH} reads in a loop on the benchmark thread. */
    @Benchmark
    @OperationsPerInvocation(RandomReadBenchmark.BATCH)
    public long preadLoop() throws Exception {
        long total = 0;
        for (int i = 0; i < RandomReadBenchmark.BATCH; i++) {
            rnd = BenchData.xorshift(rnd);
            long position = BenchData.blockOffset(rnd);
            int n = channel.read(buffer.clear(), position);
            if (n != BenchData.BLOCK) {
                throw new IllegalStateException("read at " + position + " returned " + n);
            }
            total += n;
        }
        return total;
    }

    /** Closes the file. */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        channel.close();
    }
}

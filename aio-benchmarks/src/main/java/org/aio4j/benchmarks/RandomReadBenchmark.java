package org.aio4j.benchmarks;

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
 * Issue 3: 4 KiB random reads of a 1 GiB file, closed loop at queue depth {@code qd}, page-cached ({@code cached})
 * or with {@code O_DIRECT} ({@code direct}, 4096-aligned direct buffers and offsets for every candidate). One
 * submitting thread (the JMH thread) keeps {@code qd} reads in flight and counts completions (see
 * {@link ClosedLoop}).
 *
 * <p>Candidates ({@code impl}):
 *
 * <ul>
 *   <li>{@code engine-MODE} / {@code engine-MODE-nofast}: the aio4j engine in notification mode MODE, with and
 *       without the cached-read fast path, callback form (no allocation per op), engine defaults otherwise (one
 *       lane, {@code maxInFlight} 1024, glibc's 20 helper threads);
 *   <li>{@code engine-SUSPEND-nofast-lanes16}: the default mode without the fast path and with 16 dup'ed fds per
 *       file (glibc serializes the requests of one fd number, which matters for uncached reads); see
 *       {@link EngineLoop} for the naming;
 *   <li>{@code engine-uring} / {@code engine-uring-nofast}: the engine on the io_uring backend ({@code
 *       EngineBackend.IO_URING}), with and without the cached-read fast path;
 *   <li>{@code afc-default}: {@code AsynchronousFileChannel} on the JDK default pool;
 *   <li>{@code afc-fixed4}: {@code AsynchronousFileChannel} on a fixed pool of 4 threads;
 *   <li>{@code pool16}: blocking {@code FileChannel} positional reads as tasks on a fixed pool of 16 threads.
 * </ul>
 *
 * A control that is not in the default set, {@code -p impl=harness}, completes every "read" at once without I/O: it
 * shows the harness's own ceiling and that it allocates nothing per op.
 *
 * <p>The single-thread {@code pread} loop is {@link RandomReadSyncBenchmark} (it has queue depth 1 by nature). One op is
 * one completed 4 KiB read; the score is ops/s. Run with {@code -prof gc} for bytes allocated per op (all threads).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RandomReadBenchmark {
    /** Completions counted per benchmark invocation. */
    public static final int BATCH = 256;

    /** The candidate. */
    @Param({
        "engine-SUSPEND",
        "engine-SUSPEND-nofast",
        "engine-SIGNAL",
        "engine-SIGNAL-nofast",
        "engine-THREAD",
        "engine-THREAD-nofast",
        "engine-SUSPEND-nofast-lanes16",
        "engine-uring",
        "engine-uring-nofast",
        "afc-default",
        "afc-fixed4",
        "pool16"
    })
    public String impl;

    /** Reads kept in flight. */
    @Param({"1", "16", "64"})
    public int qd;

    /** {@code cached} (page cache warmed) or {@code direct} (O_DIRECT). */
    @Param({"cached", "direct"})
    public String file;

    private ClosedLoop loop;

    /** Creates the data file if needed, warms the page cache, starts the loop. */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path path = BenchData.dataFile();
        boolean direct = switch (file) {
            case "cached" -> false;
            case "direct" -> true;
            default -> throw new IllegalArgumentException("file: " + file);
        };
        if (!direct) {
            BenchData.warmPageCache(path);
        }
        loop = create(impl, path, direct, qd);
        loop.start();
    }

    static ClosedLoop create(String impl, Path path, boolean direct, int qd) throws Exception {
        if (impl.startsWith("engine-")) {
            return EngineLoop.create(impl.substring("engine-".length()), path, direct, qd);
        }
        return switch (impl) {
            case "afc-default" -> new PeerLoops.AsyncChannelLoop(path, direct, qd, 0);
            case "afc-fixed4" -> new PeerLoops.AsyncChannelLoop(path, direct, qd, 4);
            case "pool16" -> new PeerLoops.BlockingPoolLoop(path, direct, qd, 16);
            case "harness" -> new PeerLoops.HarnessLoop(qd);
            default -> throw new IllegalArgumentException("impl: " + impl);
        };
    }

    /** Counts {@link #BATCH} completed reads, submitting a new read for each. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long read4k() throws Exception {
        return loop.awaitCompletions(BATCH);
    }

    /** Stops the loop after every read in flight has completed. */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (loop != null) {
            loop.close();
        }
    }
}

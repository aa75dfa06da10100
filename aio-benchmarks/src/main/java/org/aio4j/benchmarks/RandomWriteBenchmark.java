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
 * Issue 12 item 3: 4 KiB random writes into a 1 GiB file ({@link BenchData#writeFile()}, never the read benchmarks'
 * file), closed loop at queue depth {@code qd}, through the page cache ({@code cached}) or with {@code O_DIRECT}
 * ({@code direct}). The same harness as {@link RandomReadBenchmark} ({@link ClosedLoop}: one JMH thread keeps {@code
 * qd} writes in flight). No {@code fsync}: the cached numbers are page-cache writes.
 *
 * <p>Candidates ({@code impl}): {@code engine-uring} (the io_uring backend), {@code engine-SUSPEND} (POSIX AIO, one
 * fd), {@code engine-SUSPEND-lanes16} (POSIX AIO over 16 dup'ed fds), {@code afc-fixed4} ({@code
 * AsynchronousFileChannel} on 4 threads), {@code pool16} (blocking {@code pwrite} tasks on 16 threads). Not done: the
 * sequential 1 MiB write benchmark of the issue.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RandomWriteBenchmark {
    /** The candidate. */
    @Param({"engine-uring", "engine-SUSPEND", "engine-SUSPEND-lanes16", "afc-fixed4", "pool16"})
    public String impl;

    /** Writes kept in flight. */
    @Param({"16", "64"})
    public int qd;

    /** {@code cached} (page-cache writes) or {@code direct} (O_DIRECT). */
    @Param({"cached", "direct"})
    public String file;

    private ClosedLoop loop;

    /** Creates the file if needed and starts the loop. */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path path = BenchData.writeFile();
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
            return EngineLoop.create(impl.substring("engine-".length()), path, direct, qd, true);
        }
        return switch (impl) {
            case "afc-fixed4" -> new PeerLoops.AsyncChannelLoop(path, direct, qd, 4, true);
            case "pool16" -> new PeerLoops.BlockingPoolLoop(path, direct, qd, 16, true);
            default -> throw new IllegalArgumentException("impl: " + impl);
        };
    }

    /** Counts {@link RandomReadBenchmark#BATCH} completed writes, submitting a new write for each. */
    @Benchmark
    @OperationsPerInvocation(RandomReadBenchmark.BATCH)
    public long write4k() throws Exception {
        return loop.awaitCompletions(RandomReadBenchmark.BATCH);
    }

    /** Stops the loop after every write in flight has completed. */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (loop != null) {
            loop.close();
        }
    }
}

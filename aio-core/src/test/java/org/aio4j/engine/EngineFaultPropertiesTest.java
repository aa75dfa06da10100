package org.aio4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.aio4j.AioCancelledException;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.AioFsyncMode;
import org.aio4j.internal.FdTracker;
import org.aio4j.internal.NativeMemory;

/**
 * Issue 9, item 2: random op sequences through an engine whose backend injects faults ({@link
 * FaultInjectingBackend}: errno failures, short results, AIO_NOTCANCELED, delayed and reordered completions, failed
 * submits, fast-path misses). Properties: every future and handler is signalled exactly once; errors are typed
 * ({@link AioException} with an errno and the operation, or a cancellation caused by {@link AioCancelledException});
 * every byte a successful read returns is the file's; slots, fds and native memory come back; the engine keeps
 * serving once the faults stop. jqwik prints the seed (and the plan, whose seed drives the faults) of a failing try,
 * so it can be replayed with {@code @Property(seed = ...)}.
 */
class EngineFaultPropertiesTest {
    static final int BLOCK = 4096, BLOCKS = 64;

    private Path dir;
    private Path file;
    private byte[] content;

    @BeforeProperty
    void setUp() throws Exception {
        dir = Files.createTempDirectory("aio4j-faults");
        file = dir.resolve("data");
        content = new byte[BLOCK * BLOCKS];
        new SplittableRandom(99).nextBytes(content);
        Files.write(file, content);
    }

    @AfterProperty
    void tearDown() throws Exception {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    /** POSIX AIO in each notification mode, and io_uring where it is available. */
    @Provide
    Arbitrary<FaultyEngines.Config> configs() {
        return Arbitraries.of(FaultyEngines.Config.all());
    }

    @Property(tries = 100)
    void everyOpIsSignalledOnceWithTypedErrorsAndNothingLeaks(
            @ForAll long seed,
            @ForAll("configs") FaultyEngines.Config config,
            @ForAll @IntRange(min = 10, max = 300) int ops,
            @ForAll @IntRange(min = 2, max = 64) int maxInFlight)
            throws Exception {
        long mem = NativeMemory.outstandingBytes();
        FaultInjectingBackend.Plan plan = FaultInjectingBackend.Plan.random(seed, 0.3);
        FaultyEngines.Faulty faulty = FaultyEngines.build(config, plan, maxInFlight);
        AioEngine engine = faulty.engine();
        SplittableRandom rnd = new SplittableRandom(seed);
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        List<AtomicInteger> signals = new ArrayList<>();
        List<String> described = new ArrayList<>();
        CountDownLatch all = new CountDownLatch(ops);
        int fd;
        try (AioFile f = AioFile.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            fd = f.fd();
            List<CompletableFuture<?>> futures = new ArrayList<>();
            List<Long> tokens = new ArrayList<>();
            for (int i = 0; i < ops; i++) {
                AtomicInteger count = new AtomicInteger();
                signals.add(count);
                int block = rnd.nextInt(BLOCKS);
                long pos = (long) block * BLOCK;
                int kind = rnd.nextInt(10);
                boolean future = rnd.nextBoolean();
                ByteBuffer buf = ByteBuffer.allocateDirect(BLOCK);
                if (kind >= 4 && kind < 8)
                    buf.put(content, block * BLOCK, BLOCK).flip(); // writes keep the content
                String what = kind < 4 ? "read" : kind < 8 ? "write" : kind < 9 ? "fsync" : "readAtEnd";
                described.add(i + ":" + what + (future ? "(future)" : "(handler)"));
                Runnable once = () -> {
                    if (count.incrementAndGet() != 1) problems.add(what + " signalled " + count.get() + " times");
                    all.countDown();
                };
                java.util.function.BiConsumer<Long, Throwable> check = (n, err) -> {
                    if (err != null) {
                        Throwable e =
                                err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                        if (e instanceof CancellationException) e = e.getCause();
                        if (!(e instanceof AioException ae) || ae.errno() <= 0 || ae.operation() == null) {
                            problems.add(what + " failed untyped: " + err);
                        }
                    } else if (what.equals("read") && n > 0) {
                        if (n > BLOCK) problems.add("read returned " + n);
                        else if (buf.duplicate()
                                        .position(0)
                                        .limit((int) (long) n)
                                        .mismatch(ByteBuffer.wrap(content, block * BLOCK, (int) (long) n))
                                != -1) problems.add("read bytes differ at block " + block);
                    } else if (what.equals("readAtEnd") && n != 0) {
                        problems.add("read at end of file returned " + n);
                    }
                    once.run();
                };
                long at = what.equals("readAtEnd") ? (long) BLOCK * BLOCKS : pos;
                if (future) {
                    CompletableFuture<?> cf = switch (what) {
                        case "read", "readAtEnd" -> engine.read(f, at, buf);
                        case "write" -> engine.write(f, pos, buf);
                        default -> engine.fsync(f, AioFsyncMode.O_DSYNC);
                    };
                    cf.whenComplete((n, err) -> {
                        Long value = null;
                        if (n != null) value = ((Number) n).longValue();
                        else if (err == null) value = 0L; // fsync
                        check.accept(value, err);
                    });
                    futures.add(cf);
                } else {
                    AioHandler<Object> h = new AioHandler<>() {
                        @Override
                        public void completed(long result, Object a) {
                            check.accept(result, null);
                        }

                        @Override
                        public void failed(AioException error, Object a) {
                            check.accept(null, error);
                        }
                    };
                    long t = switch (what) {
                        case "read", "readAtEnd" -> engine.read(f, at, buf, null, h);
                        case "write" -> engine.write(f, pos, buf, null, h);
                        default -> engine.fsync(f, AioFsyncMode.O_DSYNC, null, h);
                    };
                    tokens.add(t);
                }
                int c = rnd.nextInt(20);
                if (c == 0 && !futures.isEmpty())
                    futures.get(rnd.nextInt(futures.size())).cancel(true);
                else if (c == 1 && !tokens.isEmpty()) engine.cancel(tokens.get(rnd.nextInt(tokens.size())));
                else if (c == 2) engine.cancelAll(f);
            }
            if (!all.await(20, TimeUnit.SECONDS)) {
                List<String> missing = new ArrayList<>();
                for (int i = 0; i < ops; i++) if (signals.get(i).get() == 0) missing.add(described.get(i));
                throw new AssertionError("not signalled: " + missing + " of " + described + " (" + faulty.faults()
                        + ", " + engine + ")");
            }
            Thread.sleep(20); // a second signal would come now
            assertThat(problems).as("%s", faulty.faults()).isEmpty();
            assertThat(signals).allSatisfy(s -> assertThat(s.get()).isEqualTo(1));
            assertThat(engine.metrics().inFlight()).isZero();
            // the engine keeps serving once the faults stop
            faulty.faults().enabled(false);
            ByteBuffer b = ByteBuffer.allocateDirect(BLOCK);
            assertThat(engine.read(f, BLOCK, b).get(10, TimeUnit.SECONDS)).isEqualTo(BLOCK);
            assertThat(b.mismatch(ByteBuffer.wrap(content, BLOCK, BLOCK))).isEqualTo(-1);
        } finally {
            engine.close();
        }
        assertThat(engine.awaitTermination(Duration.ofSeconds(10))).isTrue();
        assertThat(FdTracker.inFlight(fd)).as("ops in flight on fd %d", fd).isZero();
        assertThat(FdTracker.pendingCloses())
                .as("fds whose close is pending: %s", org.aio4j.internal.PendingCloses.describe())
                .isZero();
        assertThat(NativeMemory.outstandingBytes())
                .as("native bytes after close")
                .isEqualTo(mem);
        assertThat(Files.readAllBytes(file)).as("writes kept the content").isEqualTo(content);
    }
}

package org.aio4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.internal.Errno;
import org.aio4j.internal.FdTracker;
import org.aio4j.internal.FileCloseHooks;
import org.aio4j.internal.NativeLib;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lanes of a file (its {@code dup()}'d fds) are closed by the file's own close, each one as soon as no op is in
 * flight on it, never under an op; {@link EngineMetrics#laneFds()} counts those still open. Before, they stayed open
 * until the reaper's sweep, about once a second, so a load that opens many files with lanes held hundreds of fds
 * (the soak's "fds trends upward", docs/reliability.md). O_DIRECT files are covered in {@link EngineDirectLanesTest};
 * these use buffered files with an explicit {@code lanes(4)}, which need no file system accepting O_DIRECT.
 */
class EngineLaneLifetimeTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needsNative() {
        Assumptions.assumeTrue(NativeLib.isAvailable(), "native library unavailable");
    }

    /** The fd numbers of this process open on {@code file} (a real path), from {@code /proc/self/fd}. */
    static Set<Integer> fdsOpenOn(Path file) throws IOException {
        Set<Integer> r = new TreeSet<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : s.toList()) {
                try {
                    if (Files.readSymbolicLink(p).equals(file))
                        r.add(Integer.parseInt(p.getFileName().toString()));
                } catch (IOException gone) {
                    // closed meanwhile (the directory's own fd, another thread's file)
                }
            }
        }
        return r;
    }

    /**
     * Two reads pending on a FIFO nobody writes to, on two of the file's four lanes; the file is closed: the two idle
     * copies are closed at once, the two fds with a read in flight stay open (and counted) until those reads are
     * reaped, and then nothing of the file is left.
     */
    @Test
    void idleLanesCloseWithTheFileAndBusyOnesWhenTheirOpIsReaped() throws Exception {
        Path fifo = dir.resolve("fifo");
        Assumptions.assumeTrue(
                new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo");
        Path real = fifo.toRealPath();
        var base = EngineTestSupport.Baseline.take();
        int hooks0 = FileCloseHooks.size(); // other tests may have left files with lanes open
        try (AioEngine engine =
                AioEngine.builder().lanes(4).cachedReadFastPath(false).build()) {
            AioFile f = AioFile.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
            CompletableFuture<Integer> r1 = engine.read(f, 0, ByteBuffer.allocateDirect(4));
            CompletableFuture<Integer> r2 = engine.read(f, 0, ByteBuffer.allocateDirect(4));
            int[] lanes = engine.laneFds(f);
            assertThat(lanes).hasSize(4).doesNotHaveDuplicates();
            assertThat(fdsOpenOn(real)).hasSize(4);
            assertThat(engine.metrics().laneFds()).isEqualTo(3);
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            new EngineMeterBinder(engine).bindTo(reg);
            assertThat(reg.get("aio4j.engine.lane.fds").gauge().value()).isEqualTo(3.0);
            Set<Integer> busy = new TreeSet<>();
            for (int fd : lanes) if (FdTracker.inFlight(fd) > 0) busy.add(fd);
            assertThat(busy)
                    .as("lanes %s with a read in flight", Arrays.toString(lanes))
                    .hasSize(2);

            f.close();
            assertThat(fdsOpenOn(real))
                    .as("fds open on the FIFO right after its close (lanes %s)", Arrays.toString(lanes))
                    .isEqualTo(busy);
            int busyCopies = (int) busy.stream().filter(fd -> fd != lanes[0]).count();
            assertThat(engine.metrics().laneFds()).isEqualTo(busyCopies);
            assertThat(r1).isNotDone();
            assertThat(r2).isNotDone();

            try (OutputStream out = Files.newOutputStream(fifo)) {
                out.write(new byte[8]);
            }
            assertThat(r1.get(30, TimeUnit.SECONDS)).isEqualTo(4);
            assertThat(r2.get(30, TimeUnit.SECONDS)).isEqualTo(4);
            // each fd is released before its op's future completes: closed by now
            assertThat(fdsOpenOn(real)).isEmpty();
            assertThat(engine.metrics().laneFds()).isZero();
            assertThat(FileCloseHooks.size()).isEqualTo(hooks0);
        }
        base.assertBack();
    }

    /** A read the racing test submitted: its future, its buffer and the byte its file is filled with. */
    record Op(CompletableFuture<Integer> future, ByteBuffer buf, byte expected) {}

    /**
     * Two threads submit reads to whichever file is current while the main thread opens files and closes each after
     * a random moment, so first ops (which make the lanes) and closes race. File {@code i} is filled with byte {@code
     * i}, so a read that ran on a closed lane whose number was reused by a later file would bring the wrong bytes.
     * Every op completes once, with its own file's bytes or EBADF (refused before submission); no fd of any file is
     * left, and no lane fd is counted, once the last read completed.
     */
    @Test
    void opsRacingTheirFilesCloseLeaveNoLane() throws Exception {
        int files = 200;
        int size = 8192;
        Path[] paths = new Path[files];
        Set<Path> reals = new java.util.HashSet<>();
        for (int i = 0; i < files; i++) {
            byte[] content = new byte[size];
            Arrays.fill(content, (byte) i);
            paths[i] = Files.write(dir.resolve("data-" + i), content);
            reals.add(paths[i].toRealPath());
        }
        var base = EngineTestSupport.Baseline.take();
        int hooks0 = FileCloseHooks.size(); // other tests may have left files with lanes open
        try (AioEngine engine =
                AioEngine.builder().lanes(4).cachedReadFastPath(false).build()) {
            AtomicReference<AioFile> current = new AtomicReference<>();
            AtomicInteger currentIndex = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<Op> ops = new ConcurrentLinkedQueue<>();
            AtomicInteger count = new AtomicInteger();
            List<Thread> submitters = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int seed = t;
                Thread th = new Thread(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    while (!stop.get()) {
                        int index = currentIndex.get();
                        AioFile f = current.get();
                        if (index < 0 || f == null || count.get() >= 40_000) { // not ready, or enough ops
                            Thread.yield();
                            continue;
                        }
                        if (currentIndex.get() != index) continue; // a new file meanwhile
                        count.incrementAndGet();
                        ByteBuffer b = ByteBuffer.allocateDirect(512);
                        ops.add(new Op(engine.read(f, 512L * rnd.nextInt(size / 512), b), b, (byte) index));
                    }
                });
                th.start();
                submitters.add(th);
            }
            SplittableRandom rnd = new SplittableRandom(42);
            try {
                for (int i = 0; i < files; i++) {
                    AioFile f = AioFile.open(paths[i]);
                    currentIndex.set(-1); // while both change
                    current.set(f);
                    currentIndex.set(i);
                    long until = System.nanoTime() + rnd.nextInt(300_000);
                    while (System.nanoTime() < until) Thread.onSpinWait();
                    f.close();
                }
            } finally {
                stop.set(true);
                for (Thread th : submitters) th.join(30_000);
            }
            int ok = 0, ebadf = 0;
            for (Op op : ops) {
                try {
                    assertThat(op.future().get(30, TimeUnit.SECONDS)).isEqualTo(512);
                    for (int j = 0; j < 512; j++) {
                        assertThat(op.buf().get(j))
                                .as("byte %d of a read of file %d", j, op.expected())
                                .isEqualTo(op.expected());
                    }
                    ok++;
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(AioException.class);
                    assertThat(((AioException) e.getCause()).errno()).isEqualTo(Errno.EBADF.value());
                    ebadf++;
                }
            }
            System.out.println(
                    "ops racing their file's close: " + ok + " read, " + ebadf + " EBADF over " + files + " files");
            assertThat(ok).isPositive();
            for (Path real : reals)
                assertThat(fdsOpenOn(real)).as("fds still open on %s", real).isEmpty();
            assertThat(engine.metrics().laneFds()).isZero();
            assertThat(FileCloseHooks.size()).isEqualTo(hooks0);
        }
        base.assertBack();
    }

    /**
     * An engine closed before the file: its copies are closed at engine close and its hook is forgotten, while the
     * file stays open (and usable by another engine, whose own copies go with the file's close).
     */
    @Test
    void engineCloseClosesItsLanesButNotTheFile() throws Exception {
        Path p = dir.resolve("data");
        Files.write(p, new byte[4096]);
        Path real = p.toRealPath();
        var base = EngineTestSupport.Baseline.take();
        int hooks0 = FileCloseHooks.size(); // other tests may have left files with lanes open
        try (AioFile f = AioFile.open(p)) {
            AioEngine first = AioEngine.builder().lanes(3).build();
            AioEngine second = AioEngine.builder().lanes(2).build();
            try {
                assertThat(first.read(f, 0, ByteBuffer.allocateDirect(512)).get(10, TimeUnit.SECONDS))
                        .isEqualTo(512);
                assertThat(second.read(f, 0, ByteBuffer.allocateDirect(512)).get(10, TimeUnit.SECONDS))
                        .isEqualTo(512);
                assertThat(fdsOpenOn(real)).hasSize(1 + 2 + 1);
                assertThat(FileCloseHooks.size()).isEqualTo(hooks0 + 1);
                first.close();
                assertThat(first.awaitTermination(java.time.Duration.ofSeconds(30)))
                        .isTrue();
                assertThat(first.metrics().laneFds()).isZero();
                assertThat(fdsOpenOn(real)).hasSize(1 + 1);
                assertThat(f.isOpen()).isTrue();
                assertThat(second.read(f, 0, ByteBuffer.allocateDirect(512)).get(10, TimeUnit.SECONDS))
                        .isEqualTo(512);
                f.close();
                assertThat(fdsOpenOn(real)).isEmpty();
                assertThat(second.metrics().laneFds()).isZero();
                assertThat(FileCloseHooks.size()).isEqualTo(hooks0);
            } finally {
                first.close();
                second.close();
            }
        }
        base.assertBack();
    }
}

package org.aio4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.aio4j.AioCancelledException;
import org.aio4j.AioFile;
import org.aio4j.AioOpenOption;
import org.aio4j.internal.NativeLib;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adaptive per-file defaults: {@code O_DIRECT} files get {@link AioEngine#directLanes()} dup'd fds and skip the
 * {@code RWF_NOWAIT} fast path; buffered files keep one fd and the fast path; explicit builder settings win.
 */
class EngineDirectLanesTest {
    static final int BLOCK = 4096;

    @TempDir
    Path tmp;

    /** A directory on a file system that accepts O_DIRECT (tmpfs refuses it with EINVAL). */
    Path dir;

    @BeforeEach
    void findDirectDir() throws IOException {
        Assumptions.assumeTrue(NativeLib.isAvailable(), "native library unavailable");
        Assumptions.assumeTrue(
                NativeLib.abi().O_DIRECT != org.aio4j.internal.AioAbi.ABSENT, "no O_DIRECT on " + NativeLib.abi());
        List<Path> tried = new ArrayList<>();
        for (Path base : List.of(tmp, Path.of("/var/tmp"), Path.of("").toAbsolutePath())) {
            Path d = null;
            try {
                d = base == tmp ? tmp : Files.createTempDirectory(base, "aio4j-direct-");
                Path probe = d.resolve("probe");
                try (AioFile f = AioFile.open(
                        probe, StandardOpenOption.WRITE, StandardOpenOption.CREATE, AioOpenOption.DIRECT)) {
                    assertThat(f.isDirect()).isTrue();
                }
                Files.delete(probe);
                dir = d;
                return;
            } catch (IOException e) {
                tried.add(base);
                if (d != null && d != tmp) deleteTree(d);
            }
        }
        Assumptions.abort("no file system accepting O_DIRECT among " + tried + " (tmpfs gives EINVAL)");
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (dir != null && !dir.equals(tmp)) deleteTree(dir);
    }

    private static void deleteTree(Path d) throws IOException {
        if (!Files.exists(d)) return;
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** A 4096-aligned direct buffer of {@code n} bytes. */
    static ByteBuffer aligned(int n) {
        ByteBuffer b = ByteBuffer.allocateDirect(n + BLOCK).alignedSlice(BLOCK);
        b.limit(n);
        return b;
    }

    private AioFile openDirect(String name) throws java.io.IOException {
        return AioFile.open(
                dir.resolve(name),
                StandardOpenOption.READ,
                StandardOpenOption.WRITE,
                StandardOpenOption.CREATE,
                AioOpenOption.DIRECT);
    }

    private static long distinct(int[] fds) {
        return Arrays.stream(fds).distinct().count();
    }

    @Test
    void isDirectIsRecordedAtOpenAndPropagatedByDupAndAdopt() throws Exception {
        Path buffered = dir.resolve("buffered");
        Files.write(buffered, new byte[BLOCK]);
        try (AioFile d = openDirect("direct");
                AioFile dd = d.dup();
                AioFile b = AioFile.open(buffered);
                AioFile bd = b.dup()) {
            assertThat(d.isDirect()).isTrue();
            assertThat(dd.isDirect()).isTrue();
            assertThat(b.isDirect()).isFalse();
            assertThat(bd.isDirect()).isFalse();
            int raw = NativeLib.libc().dup(d.fd());
            assertThat(raw).isNotNegative();
            try (AioFile adopted = AioFile.adopt(raw, null)) {
                assertThat(adopted.isDirect()).as("adopt reads F_GETFL").isTrue();
            }
            int rawB = NativeLib.libc().dup(b.fd());
            assertThat(rawB).isNotNegative();
            try (AioFile adopted = AioFile.adopt(rawB, buffered)) {
                assertThat(adopted.isDirect()).isFalse();
            }
        }
    }

    /**
     * The default engine on an O_DIRECT file: 4096-aligned writes then reads, byte-exact (through the engine and on
     * disk), spread over 12 fd numbers, no fast-path read; everything back to the baseline after close.
     */
    @Test
    void directFileIsByteExactOverTwelveLanesWithoutTheFastPath() throws Exception {
        int n = 128;
        var base = EngineTestSupport.Baseline.take();
        try (AioEngine engine = AioEngine.builder().build();
                AioFile f = openDirect("data")) {
            assertThat(engine.lanes()).isEqualTo(1);
            assertThat(engine.directLanes()).isEqualTo(12);
            List<CompletableFuture<Integer>> writes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ByteBuffer b = aligned(BLOCK);
                EngineTestSupport.fill(b, i, 1);
                writes.add(engine.write(f, (long) i * BLOCK, b));
            }
            for (CompletableFuture<Integer> w : writes)
                assertThat(w.get(30, TimeUnit.SECONDS)).isEqualTo(BLOCK);
            int[] lanes = engine.laneFds(f);
            assertThat(distinct(lanes))
                    .as("fds of the direct file: %s", Arrays.toString(lanes))
                    .isEqualTo(12);
            assertThat(lanes[0]).isEqualTo(f.fd());
            assertThat(EngineTestSupport.fdCount()).isGreaterThanOrEqualTo(base.fds() + 12);

            ByteBuffer[] bufs = new ByteBuffer[n];
            List<CompletableFuture<Integer>> reads = new ArrayList<>();
            for (int i = n - 1; i >= 0; i--) {
                bufs[i] = aligned(BLOCK);
                reads.add(engine.read(f, (long) i * BLOCK, bufs[i]));
            }
            for (CompletableFuture<Integer> r : reads)
                assertThat(r.get(30, TimeUnit.SECONDS)).isEqualTo(BLOCK);
            for (int i = 0; i < n; i++) {
                assertThat(EngineTestSupport.matches(bufs[i], i, 1))
                        .as("block %d", i)
                        .isTrue();
            }
            // a multi-block aligned read at an aligned offset
            ByteBuffer big = aligned(8 * BLOCK);
            assertThat(engine.read(f, 16L * BLOCK, big).get(30, TimeUnit.SECONDS))
                    .isEqualTo(8 * BLOCK);
            for (int i = 0; i < 8; i++) {
                assertThat(EngineTestSupport.matches(big.slice(i * BLOCK, BLOCK), 16 + i, 1))
                        .isTrue();
            }
            assertThat(engine.metrics().fastPathReads())
                    .as("no RWF_NOWAIT attempt on a direct file by default")
                    .isZero();
            assertThat(engine.metrics().completed()).isEqualTo(2L * n + 1);
            byte[] disk = Files.readAllBytes(dir.resolve("data"));
            assertThat(disk.length).isEqualTo(n * BLOCK);
            for (int i = 0; i < n; i++) {
                assertThat(EngineTestSupport.blockIs(disk, i, BLOCK, 1))
                        .as("block %d on disk", i)
                        .isTrue();
            }
        }
        base.assertBack();
    }

    /**
     * io_uring on an O_DIRECT file: no lanes (the kernel runs the requests of one fd in parallel), no fast-path
     * attempt, byte-exact single and vectored (one READV/WRITEV of aligned buffers) reads and writes.
     */
    @Test
    void directFileIsByteExactOnIoUringWithOneFdAndVectors() throws Exception {
        int n = 64;
        var base = EngineTestSupport.Baseline.take();
        try (AioEngine engine =
                        EngineTestSupport.builder(EngineBackend.IO_URING).build();
                AioFile f = openDirect("uring")) {
            List<CompletableFuture<Integer>> writes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ByteBuffer b = aligned(BLOCK);
                EngineTestSupport.fill(b, i, 2);
                writes.add(engine.write(f, (long) i * BLOCK, b));
            }
            for (CompletableFuture<Integer> w : writes)
                assertThat(w.get(30, TimeUnit.SECONDS)).isEqualTo(BLOCK);
            assertThat(engine.laneFds(f)).containsExactly(f.fd());
            List<CompletableFuture<Integer>> reads = new ArrayList<>();
            ByteBuffer[] bufs = new ByteBuffer[n];
            for (int i = n - 1; i >= 0; i--) {
                bufs[i] = aligned(BLOCK);
                reads.add(engine.read(f, (long) i * BLOCK, bufs[i]));
            }
            for (CompletableFuture<Integer> r : reads)
                assertThat(r.get(30, TimeUnit.SECONDS)).isEqualTo(BLOCK);
            for (int i = 0; i < n; i++)
                assertThat(EngineTestSupport.matches(bufs[i], i, 2))
                        .as("block %d", i)
                        .isTrue();
            // vectored: blocks 8..11 rewritten with version 3 by one WRITEV, read back by one READV
            ByteBuffer[] vw = new ByteBuffer[4];
            for (int i = 0; i < 4; i++) EngineTestSupport.fill(vw[i] = aligned(BLOCK), 8 + i, 3);
            long before = engine.metrics().submitted();
            assertThat(engine.writev(f, 8L * BLOCK, vw).get(30, TimeUnit.SECONDS))
                    .isEqualTo(4L * BLOCK);
            ByteBuffer[] vr = new ByteBuffer[4];
            for (int i = 0; i < 4; i++) vr[i] = aligned(BLOCK);
            assertThat(engine.readv(f, 8L * BLOCK, vr).get(30, TimeUnit.SECONDS))
                    .isEqualTo(4L * BLOCK);
            assertThat(engine.metrics().submitted() - before)
                    .as("one op per vector")
                    .isEqualTo(2);
            for (int i = 0; i < 4; i++)
                assertThat(EngineTestSupport.matches(vr[i], 8 + i, 3)).isTrue();
            assertThat(engine.metrics().fastPathReads()).isZero();
            byte[] disk = Files.readAllBytes(dir.resolve("uring"));
            for (int i = 0; i < n; i++) {
                assertThat(EngineTestSupport.blockIs(disk, i, BLOCK, i >= 8 && i < 12 ? 3 : 2))
                        .as("block %d on disk", i)
                        .isTrue();
            }
        }
        base.assertBack();
    }

    /** A buffered file on the default engine: one fd, reads served by the fast path where the kernel has it. */
    @Test
    void bufferedFileKeepsOneLaneAndTheFastPath() throws Exception {
        int n = 32;
        Path p = dir.resolve("buffered");
        EngineTestSupport.writeInitial(p, n, BLOCK);
        var base = EngineTestSupport.Baseline.take();
        try (AioEngine engine = AioEngine.builder().build();
                AioFile f = AioFile.open(p)) {
            for (int i = 0; i < n; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(BLOCK);
                assertThat(engine.read(f, (long) i * BLOCK, b).get(10, TimeUnit.SECONDS))
                        .isEqualTo(BLOCK);
                assertThat(EngineTestSupport.matches(b, i, 0)).isTrue();
            }
            assertThat(engine.laneFds(f)).containsExactly(f.fd());
            if (engine.cachedReadFastPath())
                assertThat(engine.metrics().fastPathReads()).isPositive();
        }
        base.assertBack();
    }

    /** lanes(n) applies to both kinds of file; directLanes(n) only to direct ones. */
    @Test
    void explicitSettingsStayAuthoritative() throws Exception {
        Path p = dir.resolve("buffered");
        EngineTestSupport.writeInitial(p, 8, BLOCK);
        var base = EngineTestSupport.Baseline.take();
        try (AioEngine two = AioEngine.builder().lanes(2).build();
                AioEngine four = AioEngine.builder().directLanes(4).build();
                AioFile d = openDirect("d");
                AioFile b = AioFile.open(p)) {
            assertThat(two.lanes()).isEqualTo(2);
            assertThat(two.directLanes()).isEqualTo(2);
            assertThat(four.lanes()).isEqualTo(1);
            assertThat(four.directLanes()).isEqualTo(4);
            for (AioEngine e : List.of(two, four)) {
                for (int i = 0; i < 8; i++) {
                    ByteBuffer w = aligned(BLOCK);
                    EngineTestSupport.fill(w, i, 2);
                    assertThat(e.write(d, (long) i * BLOCK, w).get(10, TimeUnit.SECONDS))
                            .isEqualTo(BLOCK);
                    ByteBuffer r = ByteBuffer.allocateDirect(BLOCK);
                    assertThat(e.read(b, (long) i * BLOCK, r).get(10, TimeUnit.SECONDS))
                            .isEqualTo(BLOCK);
                    assertThat(EngineTestSupport.matches(r, i, 0)).isTrue();
                }
            }
            assertThat(distinct(two.laneFds(d))).isEqualTo(2);
            assertThat(distinct(two.laneFds(b))).isEqualTo(2);
            assertThat(distinct(four.laneFds(d))).isEqualTo(4);
            assertThat(four.laneFds(b)).containsExactly(b.fd());
        }
        base.assertBack();
    }

    /**
     * cachedReadFastPath(true) set explicitly makes direct files try {@code preadv2(RWF_NOWAIT)} too, byte-exact either
     * way (the kernel may serve it or answer EAGAIN, which goes to aio_read).
     */
    @Test
    void forcedFastPathIsTriedOnDirectFiles() throws Exception {
        int n = 32;
        var base = EngineTestSupport.Baseline.take();
        try (AioEngine plain = AioEngine.builder().build();
                AioFile f = openDirect("forced")) {
            for (int i = 0; i < n; i++) {
                ByteBuffer w = aligned(BLOCK);
                EngineTestSupport.fill(w, i, 3);
                assertThat(plain.write(f, (long) i * BLOCK, w).get(10, TimeUnit.SECONDS))
                        .isEqualTo(BLOCK);
            }
            Assumptions.assumeTrue(plain.cachedReadFastPath(), "no preadv2(RWF_NOWAIT) here");
            try (AioEngine forced = AioEngine.builder().cachedReadFastPath(true).build()) {
                for (int i = 0; i < n; i++) {
                    ByteBuffer r = aligned(BLOCK);
                    assertThat(forced.read(f, (long) i * BLOCK, r).get(10, TimeUnit.SECONDS))
                            .isEqualTo(BLOCK);
                    assertThat(EngineTestSupport.matches(r, i, 3)).isTrue();
                }
                System.out.println("forced fast path on O_DIRECT: "
                        + forced.metrics().fastPathReads() + " of " + n + " reads served by preadv2(RWF_NOWAIT)");
            }
        }
        base.assertBack();
    }

    /**
     * cancelAll(file) on a direct file with 12 lanes and a full overflow queue: every op completes exactly once,
     * with its right bytes or as cancelled; the count is a lower bound of the cancelled ones; every lane still
     * works afterwards; no fd left after close.
     */
    @Test
    void cancelAllOverDirectLanes() throws Exception {
        int blocks = 64;
        int n = 1024;
        var base = EngineTestSupport.Baseline.take();
        try (AioEngine engine = AioEngine.builder().maxInFlight(32).build();
                AioFile f = openDirect("cancel")) {
            for (int i = 0; i < blocks; i++) {
                ByteBuffer b = aligned(BLOCK);
                EngineTestSupport.fill(b, i, 0);
                assertThat(engine.write(f, (long) i * BLOCK, b).get(10, TimeUnit.SECONDS))
                        .isEqualTo(BLOCK);
            }
            EngineCancelTest.Recorder rec = new EngineCancelTest.Recorder(n);
            ByteBuffer[] bufs = new ByteBuffer[n];
            for (int i = 0; i < n; i++) bufs[i] = aligned(BLOCK);
            for (int i = 0; i < n; i++) engine.read(f, (long) (i % blocks) * BLOCK, bufs[i], i, rec);
            int count = engine.cancelAll(f);
            assertThat(rec.await(30_000))
                    .as("%d of %d handlers called", rec.called(), n)
                    .isTrue();
            rec.assertEachCalledOnce();
            int cancelled = 0;
            for (int i = 0; i < n; i++) {
                if (rec.errors[i] != null) {
                    assertThat(rec.errors[i]).isInstanceOf(AioCancelledException.class);
                    cancelled++;
                } else {
                    assertThat(rec.results[i]).isEqualTo(BLOCK);
                    assertThat(EngineTestSupport.matches(bufs[i], i % blocks, 0))
                            .as("op %d", i)
                            .isTrue();
                }
            }
            assertThat(count).isLessThanOrEqualTo(cancelled);
            assertThat(cancelled).as("queued ops cancelled").isPositive();
            assertThat(engine.metrics().cancelled()).isEqualTo(cancelled);
            System.out.println("cancelAll over direct lanes: " + n + " reads, cancelAll returned " + count
                    + ", cancelled " + cancelled + ", completed " + (n - cancelled));
            // every lane still serves (round-robin over the 12 fds)
            assertThat(distinct(engine.laneFds(f))).isEqualTo(12);
            for (int i = 0; i < 32; i++) {
                ByteBuffer b = aligned(BLOCK);
                assertThat(engine.read(f, (long) i * BLOCK, b).get(10, TimeUnit.SECONDS))
                        .isEqualTo(BLOCK);
                assertThat(EngineTestSupport.matches(b, i, 0)).isTrue();
            }
        }
        base.assertBack();
    }

    /**
     * The 11 lane fds of an O_DIRECT file are closed by the file's own close when no op is in flight on them: no fd
     * of the file is left right after its close, 20 files in a row. They used to wait for the reaper's sweep (about
     * once a second), so a load opening 60 O_DIRECT files a second held hundreds of them at any time.
     */
    @Test
    void lanesOfAnIdleDirectFileAreClosedByItsClose() throws Exception {
        var base = EngineTestSupport.Baseline.take();
        try (AioEngine engine = AioEngine.builder().build()) {
            for (int i = 0; i < 20; i++) {
                AioFile f = openDirect("closed-" + i);
                Path real = dir.resolve("closed-" + i).toRealPath();
                ByteBuffer b = aligned(BLOCK);
                EngineTestSupport.fill(b, i, 0);
                assertThat(engine.write(f, 0, b).get(10, TimeUnit.SECONDS)).isEqualTo(BLOCK);
                assertThat(distinct(engine.laneFds(f))).isEqualTo(12);
                assertThat(EngineLaneLifetimeTest.fdsOpenOn(real)).hasSize(12);
                assertThat(engine.metrics().laneFds()).isEqualTo(11);
                f.close();
                assertThat(EngineLaneLifetimeTest.fdsOpenOn(real))
                        .as("fds open on file %d right after its close", i)
                        .isEmpty();
                assertThat(engine.metrics().laneFds()).isZero();
            }
        }
        base.assertBack();
    }
}

package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.aio4j.AioException;
import org.aio4j.engine.AioEngine;
import org.aio4j.engine.EngineBackend;
import org.aio4j.internal.KernelCopy;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.BaseSubscriber;
import reactor.test.StepVerifier;

/**
 * {@link AioFiles#copy} and {@link AioFiles#copyWithProgress} inside the kernel (the default, {@link
 * CopyOptions#kernelCopy(boolean)}): no AIO operation is submitted, progress comes in steps of at most 16 MiB,
 * holes stay holes (also across file systems), a cancel stops between two steps and leaves nothing open, files
 * the kernel cannot copy go through reads and writes, and errors stay typed.
 */
class CopyInKernelTest {
    static final long STEP = 16L << 20;

    @TempDir
    Path dir;

    @BeforeEach
    void before() {
        Assumptions.assumeTrue(KernelCopy.isSupported(), "no kernel copy on this platform");
    }

    static long blocks(Path p) throws Exception {
        Process proc = new ProcessBuilder("stat", "-c", "%b", p.toString()).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertThat(proc.waitFor()).isZero();
        return Long.parseLong(out);
    }

    /** 1 GiB of holes with 8 KiB of data in three places, one at the very end. */
    private Path sparse() throws Exception {
        Path p = dir.resolve("sparse");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(1L << 30);
            byte[] data = TestFiles.expected(8192, 1);
            for (long at : new long[] {0, 300L << 20, (1L << 30) - 8192}) {
                f.seek(at);
                f.write(data);
            }
        }
        return p;
    }

    private List<CopyProgress> copyWithProgress(Path src, Path dst, CopyOptions options) {
        List<CopyProgress> samples = new CopyOnWriteArrayList<>();
        StepVerifier.create(AioFiles.copyWithProgress(src, dst, options).doOnNext(samples::add))
                .thenConsumeWhile(p -> true)
                .expectComplete()
                .verify(Duration.ofSeconds(60));
        return samples;
    }

    @Test
    void realDataGoesInStepsOfAtMost16MiBWithoutTheEngine() throws Exception {
        long size = 40L << 20;
        Path src = TestFiles.create(dir.resolve("src"), size, 4);
        TestFiles.Probe before = TestFiles.Probe.take();
        try (AioEngine engine = AioEngine.builder().build()) {
            List<CopyProgress> samples = copyWithProgress(
                    src,
                    dir.resolve("dst"),
                    CopyOptions.defaults().engine(engine).chunkSize(64 << 10));
            // a sample per step (two steps may meet in one sample when the drain loop was busy), then the final one
            List<Long> done = samples.stream().map(CopyProgress::bytesDone).toList();
            assertThat(done).hasSizeBetween(2, 4).isSorted().endsWith(size, size);
            assertThat(done.subList(0, done.size() - 2))
                    .allSatisfy(n -> assertThat(n % STEP).isZero());
            assertThat(samples.get(samples.size() - 1).done()).isTrue();
            assertThat(samples.get(0).totalBytes()).isEqualTo(size);
            assertThat(engine.metrics().submitted()).as("AIO operations").isZero();

            StepVerifier.create(AioFiles.copy(
                            src,
                            dir.resolve("fsynced"),
                            CopyOptions.defaults().engine(engine).fsync(true)))
                    .expectNext(size)
                    .verifyComplete();
            assertThat(engine.metrics().submitted()).as("the fsync").isEqualTo(1);
        }
        assertThat(Files.mismatch(src, dir.resolve("dst"))).isEqualTo(-1L);
        assertThat(Files.mismatch(src, dir.resolve("fsynced"))).isEqualTo(-1L);
        before.assertNoLeaksIncludingNative();
    }

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void kernelCopyFalseGoesThroughTheEngine(EngineBackend backend) throws Exception {
        long size = 3L << 20;
        Path src = TestFiles.create(dir.resolve("src"), size, 5);
        try (AioEngine engine = TestFiles.engine(backend).build()) {
            List<CopyProgress> samples = copyWithProgress(
                    src,
                    dir.resolve("dst"),
                    CopyOptions.defaults().engine(engine).chunkSize(64 << 10).kernelCopy(false));
            assertThat(samples).hasSize(48 + 1);
            assertThat(engine.metrics().submitted()).isGreaterThanOrEqualTo(96); // 48 reads, 48 writes
        }
        assertThat(Files.mismatch(src, dir.resolve("dst"))).isEqualTo(-1L);
        assertThat(CopyOptions.defaults().kernelCopy()).isTrue();
        assertThat(CopyOptions.defaults().kernelCopy(false).kernelCopy()).isFalse();
    }

    @Test
    void holesStayHoles() throws Exception {
        Path src = sparse();
        Path dst = dir.resolve("copy");
        List<CopyProgress> samples = copyWithProgress(src, dst, CopyOptions.defaults());
        // a step per data extent: holes are skipped, not read
        assertThat(samples).hasSizeLessThanOrEqualTo(4);
        assertThat(samples.get(samples.size() - 1).bytesDone()).isEqualTo(1L << 30);
        assertThat(Files.size(dst)).isEqualTo(1L << 30);
        assertThat(blocks(dst)).as("blocks of the copy").isLessThanOrEqualTo(blocks(src) + 16);
        assertThat(Files.mismatch(src, dst)).isEqualTo(-1L);
    }

    @Test
    void holesStayHolesOnAnotherFileSystem() throws Exception {
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no /dev/shm");
        Assumptions.assumeFalse(Files.getFileStore(shm).equals(Files.getFileStore(dir)), "same file system");
        Path src = sparse();
        Path dst = shm.resolve("aio4j-copy-in-kernel-" + ProcessHandle.current().pid());
        try {
            StepVerifier.create(AioFiles.copy(src, dst, CopyOptions.defaults().replaceExisting(true)))
                    .expectNext(1L << 30)
                    .expectComplete()
                    .verify(Duration.ofSeconds(60));
            assertThat(blocks(dst)).isLessThanOrEqualTo(blocks(src) + 16);
            assertThat(Files.mismatch(src, dst)).isEqualTo(-1L);
        } finally {
            Files.deleteIfExists(dst);
        }
    }

    @Test
    void aCancelInTheFirstSampleStopsBetweenStepsAndLeavesNothingOpen() throws Exception {
        long size = 64L << 20;
        Path src = TestFiles.create(dir.resolve("src"), size, 6);
        TestFiles.Probe before = TestFiles.Probe.take();
        for (int i = 0; i < 3; i++) {
            Path dst = dir.resolve("dst" + i);
            List<CopyProgress> seen = new CopyOnWriteArrayList<>();
            BaseSubscriber<CopyProgress> s = new BaseSubscriber<>() {
                @Override
                protected void hookOnNext(CopyProgress p) {
                    seen.add(p);
                    cancel();
                }
            };
            // in place: the steps that ran are visible in the target (atomic, it would be removed)
            AioFiles.copyWithProgress(src, dst, CopyOptions.defaults().atomic(false))
                    .subscribe(s);
            TestFiles.await(() -> !seen.isEmpty(), () -> "a first sample");
            TestFiles.await(() -> TestFiles.openFdsUnder(dir) == 0, () -> "fds closed: " + TestFiles.fdTargets());
            Thread.sleep(50);
            assertThat(seen).hasSize(1);
            assertThat(seen.get(0).bytesDone()).isEqualTo(STEP);
            // the task checks for the cancel before each step; it can only have started the next one when the
            // sample was delivered from another thread's drain loop
            assertThat(Files.size(dst)).as("steps after the cancel").isBetween(STEP, 2 * STEP);
        }
        before.assertNoLeaks();
    }

    @Test
    void specialFilesGiveWhatReadsAndWritesGive() throws Exception {
        // sysfs claims 4096 bytes and has fewer: copied up to its real end, as reads and writes do
        Path sys = Path.of("/sys/devices/system/cpu/online");
        Assumptions.assumeTrue(Files.isReadable(sys) && Files.size(sys) == 4096, "no sysfs file of 4096 bytes");
        Long kernel =
                AioFiles.copy(sys, dir.resolve("a"), CopyOptions.defaults()).block(Duration.ofSeconds(10));
        Long aio = AioFiles.copy(sys, dir.resolve("b"), CopyOptions.defaults().kernelCopy(false))
                .block(Duration.ofSeconds(10));
        assertThat(Files.readAllBytes(dir.resolve("a")))
                .isEqualTo(Files.readAllBytes(dir.resolve("b")))
                .isEqualTo(Files.readAllBytes(sys));
        assertThat(kernel).isEqualTo(aio);
        // a character device as the source (size 0: nothing for the kernel to do)
        StepVerifier.create(AioFiles.copy(Path.of("/dev/null"), dir.resolve("c"), CopyOptions.defaults()))
                .expectNext(0L)
                .verifyComplete();
        // procfs answers lseek(SEEK_END) with EINVAL: the same typed error either way
        for (boolean k : new boolean[] {true, false}) {
            StepVerifier.create(AioFiles.copy(
                            Path.of("/proc/version"),
                            dir.resolve("d" + k),
                            CopyOptions.defaults().kernelCopy(k)))
                    .expectErrorSatisfies(
                            e -> assertThat(((AioException) e).errnoName()).isEqualTo("EINVAL"))
                    .verify(Duration.ofSeconds(10));
        }
    }

    /** RLIMIT_FSIZE in a child JVM: the kernel copy fails with a typed EFBIG on the target, nothing left open. */
    @Test
    void pastTheFileSizeLimitIsATypedEfbigOnTheTarget() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path src = TestFiles.create(dir.resolve("src"), 3L << 20, 8);
        Path out = dir.resolve("limited.bin");
        Process proc = new ProcessBuilder(
                        "prlimit",
                        "--fsize=1048576",
                        javaBin,
                        "-cp",
                        System.getProperty("java.class.path"),
                        EfbigCopyChild.class.getName(),
                        src.toString(),
                        out.toString())
                .redirectErrorStream(true)
                .start();
        String text = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(proc.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(text).as(text).contains("EFBIG copy_file_range " + out).contains("OPEN " + 0);
        assertThat(proc.exitValue()).as(text).isZero();
    }

    /** Child JVM: copies 3 MiB under a 1 MiB RLIMIT_FSIZE and prints the error and the fds left on its files. */
    public static final class EfbigCopyChild {
        public static void main(String[] args) throws Exception {
            Path src = Path.of(args[0]);
            Path out = Path.of(args[1]);
            try {
                // generous: a 3 MiB copy takes milliseconds natively, but an emulated JVM (qemu-user) under a load
                // of ~30 did not finish it within 30 s (it did within 180 s); a hang still fails
                AioFiles.copy(src, out, CopyOptions.defaults()).block(Duration.ofSeconds(180));
                System.out.println("NO ERROR");
            } catch (RuntimeException e) {
                Throwable t = reactor.core.Exceptions.unwrap(e);
                System.out.println(
                        t instanceof AioException a
                                ? a.errnoName() + " " + a.operation() + " " + a.path()
                                : "OTHER " + t);
            }
            System.out.println("OPEN " + TestFiles.openFdsUnder(src.getParent()));
            System.out.flush();
            System.exit(0);
        }
    }
}

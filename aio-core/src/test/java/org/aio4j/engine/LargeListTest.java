package org.aio4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.aio4j.Aio;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.AioRead;
import org.aio4j.AioReadv;
import org.aio4j.LioListioException;
import org.aio4j.LioMode;
import org.aio4j.PosixAio;
import org.aio4j.SigevNotify;
import org.aio4j.internal.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Lists longer than {@link PosixAio#MAX_LIST_ENTRIES} (issue 9, defect 2): glibc puts arrays of the list's length on
 * the calling thread's stack, so {@code aio_suspend} with 30,000 entries, {@code lio_listio} with 130,000 and an
 * engine batch of 200,000 killed the JVM with SIGSEGV. The crash-prone sizes run in child JVMs with a 256 KiB thread
 * stack; sizes just past the cap run here.
 */
class LargeListTest {
    static final int CAP = PosixAio.MAX_LIST_ENTRIES;

    @TempDir
    Path dir;

    /** The sizes of the issue, in a child JVM with {@code -Xss256k}: refused or split, never a crash. */
    @ParameterizedTest
    @CsvSource({"suspend, 30000, REFUSED", "lio, 130000, OK", "liowait, 130000, OK", "batch, 200000, OK"})
    void theIssuesSizesDoNotCrashOnA256KibStack(String what, int n, String expected) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process proc = new ProcessBuilder(
                        javaBin,
                        "-Xss256k",
                        "-cp",
                        System.getProperty("java.class.path"),
                        EngineChild.class.getName(),
                        "largelist",
                        dir.toString(),
                        what,
                        String.valueOf(n))
                .redirectErrorStream(true)
                .start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(proc.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(proc.exitValue())
                .as("child exit status (134/139: crashed); output:%n%s", out)
                .isZero();
        assertThat(out).contains(expected + " ");
        if (expected.equals("REFUSED")) assertThat(out).contains("at most " + CAP);
        // the submitted ops (aioSuspend refuses only the wait) were all reaped with the right byte
        if (expected.equals("OK")) assertThat(out).contains("OK " + n + " " + n);
    }

    @Test
    void aioSuspendRefusesMoreThanTheCapBeforeAnyNativeCall() throws Exception {
        Path p = file();
        try (AioFile f = AioFile.open(p)) {
            List<AioRead> ops = reads(f, CAP + 1, 0);
            for (AioRead r : ops) r.submit();
            assertThatThrownBy(() -> PosixAio.aioSuspend(ops, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at most " + CAP);
            PosixAio.aioSuspend(ops.subList(0, CAP), null); // the cap itself is accepted
            reapAll(ops);
        }
    }

    @Test
    void lioListioRefusesALongListItCannotSplitAndSplitsAWaitedOne() throws Exception {
        Path p = file();
        try (AioFile f = AioFile.open(p)) {
            List<AioRead> ops = reads(f, CAP + 1, 0);
            assertThatThrownBy(() -> PosixAio.lioListio(
                            LioMode.LIO_NOWAIT, ops, SigevNotify.signal(org.aio4j.internal.NativeLib.abi().SIGUSR1, 0)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at most " + CAP);
            // nothing was submitted: every op is still NEW
            PosixAio.lioListio(LioMode.LIO_WAIT, ops.subList(0, CAP), SigevNotify.none());
            reapAll(ops.subList(0, CAP));
            ops.get(CAP).submit();
            reapAll(ops.subList(CAP, CAP + 1));
        }
        // LIO_WAIT is queued as LIO_NOWAIT calls and waited for: a long waited list is split too
        try (AioFile f = AioFile.open(p)) {
            List<AioRead> ops = reads(f, 2 * CAP + 3, 0);
            PosixAio.lioListio(LioMode.LIO_WAIT, ops, SigevNotify.none());
            for (AioRead r : ops) assertThat(r.error()).isZero(); // all complete on return
            reapAll(ops);
        }
        ByteBuffer[] many = new ByteBuffer[CAP + 1];
        for (int i = 0; i < many.length; i++) many[i] = ByteBuffer.allocateDirect(1);
        assertThatThrownBy(() -> new AioReadv(0, 0, many, 0, SigevNotify.none()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most " + CAP);
    }

    /**
     * 2,500 reads with LIO_NOWAIT are split into calls of 1024, 1024 and 452; a call that fails (here the second,
     * through one entry with a priority glibc refuses) leaves the third unmade: its ops are reported not queued and
     * are still NEW.
     */
    @Test
    void lioListioSplitsALongNowaitListAndStopsAtAFailedCall() throws Exception {
        Path p = file();
        try (AioFile f = AioFile.open(p)) {
            List<AioRead> ops = reads(f, 2500, 0);
            PosixAio.lioListio(LioMode.LIO_NOWAIT, ops, SigevNotify.none());
            reapAll(ops);

            List<AioRead> second = reads(f, 2500, 1500); // op 1500 has aio_reqprio 21: glibc refuses it
            LioListioException e = org.junit.jupiter.api.Assertions.assertThrows(
                    LioListioException.class, () -> PosixAio.lioListio(LioMode.LIO_NOWAIT, second, SigevNotify.none()));
            assertThat(e.notQueued()).as("ops of the call never made").hasSize(2500 - 2 * CAP);
            assertThat(e.notQueued()).containsExactlyElementsOf(second.subList(2 * CAP, 2500));
            assertThat(e.queued()).hasSize(2 * CAP);
            for (Aio a : e.queued()) {
                while (a.error() == Errno.EINPROGRESS.value()) Thread.onSpinWait();
                try {
                    assertThat(a.aioReturn()).isEqualTo(1);
                } catch (AioException x) {
                    assertThat(a).isSameAs(second.get(1500));
                    assertThat(x.errnoName()).isEqualTo("EINVAL");
                }
            }
            for (Aio a : e.notQueued()) a.submit(); // still NEW
            reapAll(second.subList(2 * CAP, 2500));
        }
    }

    /** An engine batch of 2,500 goes to lio_listio in calls of at most 1024 entries. */
    @Test
    void engineBatchIsSplitIntoCallsOfAtMostTheCap() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(EngineBatchTest.glibc(), "glibc only");
        Path p = file();
        byte[] content = Files.readAllBytes(p);
        int n = 2500;
        EngineBatchTest.CountingPosix px = new EngineBatchTest.CountingPosix();
        try (AioEngine engine = EngineBatchTest.counting(px, 4096);
                AioFile f = AioFile.open(p)) {
            ByteBuffer big = ByteBuffer.allocateDirect(n);
            CountDownLatch done = new CountDownLatch(n);
            AtomicInteger good = new AtomicInteger();
            AioHandler<Integer> h = new AioHandler<>() {
                @Override
                public void completed(long result, Integer i) {
                    if (result == 1 && big.get(i) == content[i % 4096]) good.incrementAndGet();
                    done.countDown();
                }

                @Override
                public void failed(AioException error, Integer i) {
                    done.countDown();
                }
            };
            AioEngine.Batch batch = engine.batch();
            for (int i = 0; i < n; i++) batch.read(f, i % 4096, big.slice(i, 1), i, h);
            batch.submit();
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(good.get()).isEqualTo(n);
            assertThat(px.maxLioEntries.get()).as("longest lio_listio list").isEqualTo(CAP);
            assertThat(px.lioCalls.get()).as("lio_listio calls").isEqualTo(3);
            assertThat(px.singleSubmits.get()).isZero();
        }
    }

    private Path file() throws Exception {
        Path p = dir.resolve("data");
        Files.write(p, EngineTestSupport.pattern(4096, 3, 3));
        return p;
    }

    /** {@code n} 1-byte reads; the one at {@code badPrio} (if > 0) has an aio_reqprio glibc refuses. */
    private static List<AioRead> reads(AioFile f, int n, int badPrio) {
        ByteBuffer big = ByteBuffer.allocateDirect(n);
        List<AioRead> ops = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int prio = badPrio > 0 && i == badPrio ? 21 : 0;
            ops.add(new AioRead(f.fd(), i % 4096, big.slice(i, 1), prio, SigevNotify.none()));
        }
        return ops;
    }

    private static void reapAll(List<? extends Aio> ops) throws Exception {
        for (Aio a : ops) {
            while (a.error() == Errno.EINPROGRESS.value()) Thread.onSpinWait();
            assertThat(a.aioReturn()).isEqualTo(1);
        }
    }
}

package org.aio4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.aio4j.engine.internal.Symbols;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Notification#SIGNAL}: which form is chosen, and what it does to the application's signals (issue 9). */
class SignalModeTest {
    @TempDir
    Path dir;

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs {@code EngineChild} with {@code args} behind {@code prefix} (a launcher); returns {exit status, output}. */
    static Object[] child(List<String> prefix, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(java(), "-cp", System.getProperty("java.class.path"), EngineChild.class.getName()));
        cmd.addAll(List.of(args));
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(proc.waitFor(120, TimeUnit.SECONDS)).as(out).isTrue();
        return new Object[] {proc.exitValue(), out};
    }

    /**
     * Defect 3: the real-time signal blocked in the building thread only (the JVM's other threads do not block it).
     * The exact form used to be chosen from that thread's mask, and the first completion signal killed the JVM
     * ("Real-time signal 6", exit status 168). Now every thread's mask is checked and the JVM-handled form is used.
     */
    @Test
    void signalBlockedInTheBuildingThreadOnlyFallsBackToTheJvmHandledForm() throws Exception {
        int rt = Symbols.defaultRealtimeSignal();
        org.junit.jupiter.api.Assumptions.assumeTrue(rt > 0, "no real-time signals here");
        Object[] r = child(List.of(), "onethreadblocked", dir.resolve("data").toString(), "1000");
        String out = (String) r[1];
        assertThat((int) r[0])
                .as("child exit status (%d: killed by signal %d); output:%n%s", 128 + rt, rt, out)
                .isZero();
        assertThat(out).contains("MECHANISM SIGNAL(SIGUSR1 via JVM handler").contains("READS 1000");
    }

    /** A JVM launched with the signal blocked (in every thread) still gets the exact form. */
    @Test
    void signalBlockedInEveryThreadGivesTheExactForm() throws Exception {
        String python = EngineStressTest.findPython();
        org.junit.jupiter.api.Assumptions.assumeTrue(python != null, "python3 not found");
        int rt = Symbols.defaultRealtimeSignal();
        Object[] r = child(
                List.of(
                        python,
                        "-c",
                        "import os, signal, sys; signal.pthread_sigmask(signal.SIG_BLOCK, [int(sys.argv[1])]);"
                                + " os.execv(sys.argv[2], sys.argv[2:])",
                        String.valueOf(rt)),
                "signalfd",
                dir.toString(),
                "2000");
        assertThat((int) r[0]).as((String) r[1]).isZero();
        abortWhereSignalMasksAreEmulated((String) r[1], rt);
        assertThat((String) r[1])
                .contains("MECHANISM SIGNAL(signalfd, signal " + rt)
                .contains("RATE ");
    }

    /**
     * Null on a native kernel, where the signal a launcher blocked before {@code exec} is blocked in the child JVM's
     * thread and {@code /proc} shows it so ({@code SIGMASK <rt> thread=true proc=true}, printed by {@link
     * EngineChild#printSignalMask}); otherwise why the exact form cannot be chosen in this child. Under qemu-user
     * (7.2) the emulated process numbers real-time signals differently from the host (host 40 is guest 38), and
     * {@code /proc/<pid>/task/<tid>/status} shows the host's masks: the engine cannot prove the signal blocked in
     * every thread there and uses the JVM-handled form, which is the documented, safe outcome (docs/platforms.md).
     */
    static String emulatedSignalMasks(String out, int rt) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("SIGMASK " + rt + " thread=(\\w+) proc=(\\w+)")
                .matcher(out);
        assertThat(m.find()).as("the child reports its signal mask:%n%s", out).isTrue();
        if (m.group(1).equals("true") && m.group(2).equals("true")) return null;
        return "the launcher blocked signal " + rt + " before exec, yet the child JVM's thread sees it "
                + (m.group(1).equals("true") ? "blocked" : "unblocked") + " and /proc/thread-self/status shows it "
                + (m.group(2).equals("true") ? "blocked" : "unblocked") + ": an emulator (qemu-user numbers"
                + " real-time signals differently from the host, and /proc shows the host's masks), so the exact form"
                + " cannot be proven safe here and the engine used the JVM-handled form (checked)";
    }

    /**
     * Where {@link #emulatedSignalMasks} finds the child's signal masks emulated: checks the documented outcome
     * there (the JVM-handled form, every op done: {@code RATE}, or the phase counts for {@code sigpending}) and
     * aborts the test with the reason, since the exact form it is about cannot run.
     */
    static void abortWhereSignalMasksAreEmulated(String out, int rt) {
        String emulated = emulatedSignalMasks(out, rt);
        if (emulated == null) return;
        assertThat(out)
                .as("the safe form where the exact one cannot be proven")
                .contains("MECHANISM SIGNAL(SIGUSR1 via JVM handler");
        assertThat(out).as("every op done").containsPattern("RATE |PHASE1 \\{ok=512}\\s+PHASE1 WRITTEN 512");
        org.junit.jupiter.api.Assumptions.abort(emulated);
    }

    /**
     * Defect 5: in the JVM-handled form every completion signal used to be chained to the application's own SIGUSR1
     * handler (9,983 of 10,000 reads ran it). Now the engine owns the signal while it is open, and puts the
     * application's handler back when it closes.
     */
    @Test
    void jvmHandledFormDoesNotRunTheApplicationsHandlerAndPutsItBackAtClose() throws Exception {
        sun.misc.Signal usr1 = new sun.misc.Signal("USR1");
        java.util.concurrent.atomic.AtomicInteger appCalls = new java.util.concurrent.atomic.AtomicInteger();
        sun.misc.SignalHandler app = s -> appCalls.incrementAndGet();
        sun.misc.SignalHandler original = sun.misc.Signal.handle(usr1, app);
        try {
            Path p = dir.resolve("data");
            java.nio.file.Files.write(p, EngineTestSupport.pattern(4096, 9, 9));
            int reads = 10_000, qd = 16;
            try (AioEngine engine = AioEngine.builder()
                            .notification(Notification.SIGNAL)
                            .cachedReadFastPath(false)
                            .build();
                    org.aio4j.AioFile f = org.aio4j.AioFile.open(p)) {
                assertThat(engine.mechanism()).contains("SIGUSR1 via JVM handler");
                java.nio.ByteBuffer[] bufs = new java.nio.ByteBuffer[qd];
                for (int i = 0; i < qd; i++) bufs[i] = java.nio.ByteBuffer.allocateDirect(4096);
                for (int done = 0; done < reads; done += qd) {
                    List<java.util.concurrent.CompletableFuture<Integer>> fs = new ArrayList<>();
                    for (int i = 0; i < qd; i++) fs.add(engine.read(f, 0, bufs[i]));
                    for (int i = 0; i < qd; i++) {
                        assertThat(fs.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(4096);
                        assertThat(EngineTestSupport.matches(bufs[i], 9, 9)).isTrue();
                    }
                }
                assertThat(engine.metrics().completed()).isEqualTo(reads);
                assertThat(appCalls.get())
                        .as("application handler calls during %d reads", reads)
                        .isZero();
            }
            // closed: the application's handler is back
            int before = appCalls.get();
            sun.misc.Signal.raise(usr1);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (appCalls.get() == before && System.nanoTime() < end) Thread.sleep(5);
            assertThat(appCalls.get())
                    .as("the application's handler after close")
                    .isGreaterThan(before);
        } finally {
            sun.misc.Signal.handle(
                    usr1, original == sun.misc.SignalHandler.SIG_DFL ? sun.misc.SignalHandler.SIG_IGN : original);
        }
    }

    /**
     * Defect 6: with RLIMIT_SIGPENDING reached, glibc cannot queue the completion signal and overwrites the finished
     * op's result with EAGAIN, which surfaced as the retry-inviting {@code AioTryAgainException} although the write
     * had happened. In a child JVM under {@code prlimit --sigpending=32} with the signal blocked everywhere (exact
     * form): the engine keeps at most 16 ops in flight, so 512 writes with a stalled reaper all succeed; with the
     * limit filled by other signals, each write completes with {@code AioNotificationLostException} and its data is
     * on disk.
     */
    @Test
    void exhaustedSigpendingLimitIsPreventedAndOtherwiseReportedAsNotificationLost() throws Exception {
        String python = EngineStressTest.findPython();
        Path prlimit = Path.of("/usr/bin/prlimit");
        org.junit.jupiter.api.Assumptions.assumeTrue(python != null, "python3 not found");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(prlimit), "no prlimit");
        int rt = Symbols.defaultRealtimeSignal();
        int limit = 32;
        Object[] r = child(
                List.of(
                        prlimit.toString(),
                        "--sigpending=" + limit,
                        "--",
                        python,
                        "-c",
                        "import os, signal, sys; signal.pthread_sigmask(signal.SIG_BLOCK, [int(sys.argv[1]),"
                                + " int(sys.argv[1]) + 1]); os.execv(sys.argv[2], sys.argv[2:])",
                        String.valueOf(rt)),
                "sigpending",
                dir.toString(),
                String.valueOf(limit));
        String out = (String) r[1];
        assertThat((int) r[0]).as(out).isZero();
        abortWhereSignalMasksAreEmulated(out, rt);
        assertThat(out).contains("MECHANISM SIGNAL(signalfd, signal " + rt);
        assertThat(out).as("slots: half the limit").contains("MAXINFLIGHT " + limit / 2);
        assertThat(out).as("prevented: no op lost its result").contains("PHASE1 {ok=512}");
        assertThat(out).contains("PHASE1 WRITTEN 512");
        // Phase 2 needs the user's queue full while the writes complete. It was found not full once in CI under a
        // load average of ~35 (all 8 writes then completed normally, which is right when the signal could be
        // queued): the test then says so instead of failing. Queued signals count per user, not per process.
        java.util.regex.Matcher q =
                java.util.regex.Pattern.compile("SIGQ AFTER (\\d+)/(\\d+)").matcher(out);
        org.junit.jupiter.api.Assumptions.assumeTrue(
                !q.find() || Integer.parseInt(q.group(1)) >= Integer.parseInt(q.group(2)),
                "the pending-signal queue was not full during phase 2 here: " + out);
        assertThat(out).as("reported as unknown outcome").contains("PHASE2 {AioNotificationLostException=8}");
        assertThat(out).as("the writes happened").contains("PHASE2 WRITTEN 8");
        assertThat(out).contains("may have been performed");
    }
}

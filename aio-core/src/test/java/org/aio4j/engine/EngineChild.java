package org.aio4j.engine;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import org.aio4j.AioException;
import org.aio4j.AioFile;

/** Main class for tests that need a JVM of their own (a resource limit, a blocked signal). */
public final class EngineChild {
    private EngineChild() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "efbig" -> efbig(Path.of(args[1]), EngineBackend.valueOf(args[2]));
            case "signalfd" -> signalfd(Path.of(args[1]), Integer.parseInt(args[2]));
            case "helpers" -> helpers(Path.of(args[1]), Integer.parseInt(args[2]));
            case "onethreadblocked" -> oneThreadBlocked(Path.of(args[1]), Integer.parseInt(args[2]));
            case "sigpending" -> sigpending(Path.of(args[1]), Integer.parseInt(args[2]));
            case "largelist" -> largeList(Path.of(args[1]), args[2], Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
        System.exit(0);
    }

    /**
     * Counts the glibc helper threads that a fresh process gets: optionally sizes the pool itself first ({@code
     * appThreads} > 0, through {@code PosixAio.aioInit}), builds a default engine, then blocks one read on each of
     * 30 FIFOs (30 fd numbers, nobody writing) and prints how many threads the process gained, and the thread count
     * the engine passed to {@code aio_init} ({@code APPLIED}, 0 for none).
     */
    private static void helpers(Path dir, int appThreads) throws Exception {
        if (appThreads > 0) org.aio4j.PosixAio.aioInit(appThreads, 64, 0);
        int fifos = 30;
        java.util.List<AioFile> files = new java.util.ArrayList<>();
        java.util.List<java.util.concurrent.CompletableFuture<Integer>> reads = new java.util.ArrayList<>();
        try (AioEngine engine = AioEngine.builder().cachedReadFastPath(false).build()) {
            for (int i = 0; i < fifos; i++) {
                Path fifo = dir.resolve("fifo" + i);
                Process mk = new ProcessBuilder("mkfifo", fifo.toString())
                        .inheritIO()
                        .start();
                if (mk.waitFor() != 0) throw new IllegalStateException("mkfifo failed");
                files.add(AioFile.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE));
            }
            Thread.sleep(300); // let the JVM's own start-up threads settle
            long before = threads();
            for (AioFile f : files) reads.add(engine.read(f, 0, ByteBuffer.allocateDirect(16)));
            long gained = 0;
            for (int i = 0; i < 50; i++) { // helpers start one after another: wait until the count is stable
                Thread.sleep(100);
                long g = threads() - before;
                if (g == gained && i >= 5) break;
                gained = g;
            }
            System.out.println("GAINED " + gained + " APPLIED " + engine.aioInitThreads());
            for (AioFile f : files) {
                try (var out = java.nio.file.Files.newOutputStream(f.path())) {
                    out.write(1);
                }
            }
            for (var r : reads) {
                if (r.get(30, java.util.concurrent.TimeUnit.SECONDS) != 1)
                    throw new IllegalStateException("short read");
            }
        } finally {
            for (AioFile f : files) f.close();
        }
    }

    /**
     * One list call whose length used to crash the JVM (glibc puts arrays of the list's length on the calling
     * thread's stack), with {@code n} 1-byte reads of a 4 KiB file: {@code suspend} ({@code PosixAio.aioSuspend} on
     * {@code n} submitted ops), {@code lio} ({@code lioListio(LIO_NOWAIT, none)}), {@code liowait} ({@code
     * lioListio(LIO_WAIT)}), {@code batch} (one engine batch, {@code maxInFlight(n)}). Prints {@code REFUSED
     * <message>} or {@code OK <ops> <bytes checked>}; crashing (SIGSEGV) is the failure.
     */
    private static void largeList(Path dir, String what, int n) throws Exception {
        if (what.equals("suspend")) {
            largeSuspend(dir, n);
            return;
        }
        Path p = dir.resolve("large-" + what);
        byte[] content = EngineTestSupport.pattern(4096, 7, 7);
        java.nio.file.Files.write(p, content);
        ByteBuffer big = ByteBuffer.allocateDirect(n);
        try (AioFile f = AioFile.open(p)) {
            if (what.equals("batch")) {
                try (AioEngine engine = AioEngine.builder()
                        .maxInFlight(n)
                        .cachedReadFastPath(false)
                        .build()) {
                    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(n);
                    java.util.concurrent.atomic.AtomicInteger bad = new java.util.concurrent.atomic.AtomicInteger();
                    AioHandler<Integer> h = new AioHandler<>() {
                        @Override
                        public void completed(long result, Integer i) {
                            if (result != 1 || big.get(i) != content[i % 4096]) bad.incrementAndGet();
                            done.countDown();
                        }

                        @Override
                        public void failed(AioException error, Integer i) {
                            bad.incrementAndGet();
                            done.countDown();
                        }
                    };
                    AioEngine.Batch batch = engine.batch();
                    for (int i = 0; i < n; i++) batch.read(f, i % 4096, big.slice(i, 1), i, h);
                    batch.submit();
                    if (!done.await(120, java.util.concurrent.TimeUnit.SECONDS))
                        throw new IllegalStateException("stuck");
                    System.out.println("OK " + n + " " + (n - bad.get()));
                }
                return;
            }
            java.util.List<org.aio4j.AioRead> ops = new java.util.ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ops.add(new org.aio4j.AioRead(f.fd(), i % 4096, big.slice(i, 1), 0, org.aio4j.SigevNotify.none()));
            }
            try {
                switch (what) {
                    case "lio" ->
                        org.aio4j.PosixAio.lioListio(org.aio4j.LioMode.LIO_NOWAIT, ops, org.aio4j.SigevNotify.none());
                    case "liowait" ->
                        org.aio4j.PosixAio.lioListio(org.aio4j.LioMode.LIO_WAIT, ops, org.aio4j.SigevNotify.none());
                    default -> throw new IllegalArgumentException(what);
                }
                System.out.println("CALLED");
            } catch (IllegalArgumentException e) {
                System.out.println("REFUSED " + e.getMessage());
                for (org.aio4j.AioRead r : ops) r.close(); // still NEW
                return;
            }
            int good = 0;
            for (int i = 0; i < n; i++) {
                org.aio4j.AioRead r = ops.get(i);
                while (r.error() == org.aio4j.internal.Errno.EINPROGRESS.value()) Thread.onSpinWait();
                if (r.aioReturn() == 1 && big.get(i) == content[i % 4096]) good++;
            }
            System.out.println("OK " + n + " " + good);
        }
    }

    /**
     * {@code aioSuspend} on {@code n} reads that are all still pending (queued on a FIFO nobody writes: the first
     * runs and blocks, the others wait behind it), so that glibc's {@code aio_suspend} really gets the whole list.
     * Then cancels the queued ones, writes one byte for the running one, and reaps all ({@code OK <n> <reaped>}).
     */
    private static void largeSuspend(Path dir, int n) throws Exception {
        Path fifo = dir.resolve("suspend-fifo");
        if (new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor() != 0) {
            throw new IllegalStateException("mkfifo failed");
        }
        ByteBuffer big = ByteBuffer.allocateDirect(n);
        try (AioFile f = AioFile.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.util.List<org.aio4j.AioRead> ops = new java.util.ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                org.aio4j.AioRead r =
                        new org.aio4j.AioRead(f.fd(), 0, big.slice(i, 1), 0, org.aio4j.SigevNotify.none());
                r.submit();
                ops.add(r);
            }
            try {
                org.aio4j.PosixAio.aioSuspend(ops, java.time.Duration.ofMillis(100));
                System.out.println("CALLED");
            } catch (IllegalArgumentException e) {
                System.out.println("REFUSED " + e.getMessage());
            } catch (org.aio4j.AioTryAgainException e) {
                System.out.println("CALLED (timed out)");
            }
            org.aio4j.PosixAio.aioCancelAll(f.fd());
            try (var out = java.nio.file.Files.newOutputStream(fifo)) {
                out.write(1); // for the read that was running
            }
            int reaped = 0;
            for (org.aio4j.AioRead r : ops) {
                while (r.error() == org.aio4j.internal.Errno.EINPROGRESS.value()) Thread.onSpinWait();
                try {
                    r.aioReturn();
                } catch (org.aio4j.AioCancelledException e) {
                    // cancelled while queued: expected for all but the running one
                }
                reaped++;
            }
            System.out.println("OK " + n + " " + reaped);
        }
    }

    /**
     * Blocks the default real-time signal in this (the main) thread only, through {@code pthread_sigmask}, builds a
     * {@code SIGNAL} engine and runs {@code reads} reads with it: prints {@code MECHANISM ...} and {@code READS <n>}.
     * Dying from the signal (exit status 128 + signo) is the failure.
     */
    private static void oneThreadBlocked(Path p, int reads) throws Exception {
        int rt = org.aio4j.engine.internal.Symbols.defaultRealtimeSignal();
        org.aio4j.internal.LibCGnu g = org.aio4j.internal.NativeLib.gnu();
        long set = org.aio4j.internal.NativeMemory.allocate(128);
        try {
            g.sigemptyset(set);
            g.sigaddset(set, rt);
            if (g.pthread_sigmask(0 /* SIG_BLOCK */, set, 0) != 0) throw new IllegalStateException("pthread_sigmask");
        } finally {
            org.aio4j.internal.NativeMemory.free(set, 128);
        }
        System.out.println(
                "BLOCKED " + rt + " in thread " + Thread.currentThread().getName() + " only");
        java.nio.file.Files.write(p, EngineTestSupport.pattern(4096, 5, 5));
        try (AioEngine engine = AioEngine.builder()
                        .notification(Notification.SIGNAL)
                        .cachedReadFastPath(false)
                        .build();
                AioFile f = AioFile.open(p)) {
            System.out.println("MECHANISM " + engine.mechanism());
            System.out.flush();
            ByteBuffer b = ByteBuffer.allocateDirect(4096);
            for (int i = 0; i < reads; i++) {
                int n = engine.read(f, 0, b).get(10, java.util.concurrent.TimeUnit.SECONDS);
                if (n != 4096 || !EngineTestSupport.matches(b, 5, 5)) throw new IllegalStateException("bad read " + n);
            }
            System.out.println("READS " + reads);
        }
    }

    /** {@code kill(2)}, to queue real-time signals to this process. */
    public interface Kill {
        /** {@code int kill(pid_t pid, int sig);} */
        int kill(int pid, int sig);
    }

    /**
     * Writes through a {@code SIGNAL} engine of the exact form in a process started under {@code prlimit
     * --sigpending=<limit>} with the default real-time signal and the next one blocked in every thread. Phase 1: 512
     * writes at once while the reaper is stalled 300 ms by the first handler (completion signals pile up); prints
     * the outcome counts and whether every block holds the new data. Phase 2: {@code limit} signals of the next
     * real-time signal are queued to this process first (so the limit is full whatever the engine does), then 8
     * writes one by one; prints their outcome types and whether the data was written anyway.
     */
    private static void sigpending(Path dir, int limit) throws Exception {
        int rt = org.aio4j.engine.internal.Symbols.defaultRealtimeSignal();
        printSignalMask(rt);
        int blocks = 512, bs = 4096;
        Path p = dir.resolve("sigpending.bin");
        EngineTestSupport.writeInitial(p, blocks, bs);
        try (AioEngine engine = AioEngine.builder()
                        .notification(Notification.SIGNAL)
                        .cachedReadFastPath(false)
                        .build();
                AioFile f = AioFile.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            System.out.println("MECHANISM " + engine.mechanism());
            System.out.println("MAXINFLIGHT " + engine.maxInFlight());
            java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> outcomes =
                    new java.util.concurrent.ConcurrentSkipListMap<>();
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(blocks);
            java.util.concurrent.atomic.AtomicBoolean stalled = new java.util.concurrent.atomic.AtomicBoolean();
            AioHandler<Integer> h = new AioHandler<>() {
                @Override
                public void completed(long result, Integer i) {
                    record(result == bs ? "ok" : "short");
                }

                @Override
                public void failed(AioException error, Integer i) {
                    record(error.getClass().getSimpleName());
                }

                private void record(String what) {
                    if (!stalled.getAndSet(true)) {
                        try {
                            Thread.sleep(300); // the reaper stops reading signals: they pile up
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    outcomes.computeIfAbsent(what, k -> new java.util.concurrent.atomic.AtomicInteger())
                            .incrementAndGet();
                    done.countDown();
                }
            };
            for (int i = 0; i < blocks; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(bs);
                EngineTestSupport.fill(b, i, 1);
                engine.write(f, (long) i * bs, b, i, h);
            }
            if (!done.await(60, java.util.concurrent.TimeUnit.SECONDS)) throw new IllegalStateException("stuck");
            System.out.println("PHASE1 " + outcomes);
            byte[] all = java.nio.file.Files.readAllBytes(p);
            int written = 0;
            for (int i = 0; i < blocks; i++) if (EngineTestSupport.blockIs(all, i, bs, 1)) written++;
            System.out.println("PHASE1 WRITTEN " + written);

            if (!blockedHere(rt + 1)) {
                // queuing a real-time signal that no thread blocks would end this JVM (its default action): under
                // qemu-user the launcher's blocked signals arrive with other numbers (see printSignalMask)
                System.out.println("PHASE2 NOT RUN: signal " + (rt + 1) + " is not blocked in this thread");
                return;
            }
            Kill k = jnr.ffi.LibraryLoader.create(Kill.class).load("c");
            int pid = org.aio4j.internal.NativeLib.libc().getpid();
            for (int i = 0; i < limit; i++) {
                if (k.kill(pid, rt + 1) != 0) throw new IllegalStateException("kill");
            }
            System.out.println("SIGQ BEFORE " + sigQ());
            java.util.Map<String, Integer> types = new java.util.TreeMap<>();
            for (int i = 0; i < 8; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(bs);
                EngineTestSupport.fill(b, i, 2);
                String t;
                try {
                    engine.write(f, (long) i * bs, b).get(10, java.util.concurrent.TimeUnit.SECONDS);
                    t = "ok";
                } catch (ExecutionException e) {
                    t = e.getCause().getClass().getSimpleName();
                    if (i == 0) System.out.println("MESSAGE " + e.getCause().getMessage());
                }
                types.merge(t, 1, Integer::sum);
            }
            System.out.println("SIGQ AFTER " + sigQ());
            System.out.println("PHASE2 " + types);
            all = java.nio.file.Files.readAllBytes(p);
            written = 0;
            for (int i = 0; i < 8; i++) if (EngineTestSupport.blockIs(all, i, bs, 2)) written++;
            System.out.println("PHASE2 WRITTEN " + written);
        }
    }

    /**
     * Prints {@code SIGMASK <signo> thread=<b> proc=<b>}: whether {@code signo} is blocked in this thread as the C
     * library sees it ({@code pthread_sigmask}) and as {@code /proc/thread-self/status} shows it ({@code SigBlk}). A
     * launcher that blocked it before {@code exec} gives {@code thread=true proc=true} on a native kernel; under
     * qemu-user the emulated process numbers real-time signals differently from the host (qemu 7.2: host 40 is
     * guest 38) and {@code /proc} shows the host's masks, so the two disagree (see {@link
     * SignalModeTest#emulatedSignalMasks}).
     */
    static void printSignalMask(int signo) throws java.io.IOException {
        boolean thread = blockedHere(signo);
        boolean proc = false;
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/thread-self/status"))) {
            if (line.startsWith("SigBlk:")) {
                proc = (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << (signo - 1))) != 0;
            }
        }
        System.out.println("SIGMASK " + signo + " thread=" + thread + " proc=" + proc);
    }

    /** True if {@code signo} is blocked in the calling thread, as the C library sees it. */
    static boolean blockedHere(int signo) {
        org.aio4j.internal.LibCGnu g = org.aio4j.internal.NativeLib.gnu();
        long old = org.aio4j.internal.NativeMemory.allocate(128);
        try {
            if (g.pthread_sigmask(0 /* SIG_BLOCK */, 0, old) != 0) throw new IllegalStateException("pthread_sigmask");
            return g.sigismember(old, signo) == 1;
        } finally {
            org.aio4j.internal.NativeMemory.free(old, 128);
        }
    }

    /** The {@code SigQ} line of /proc/self/status: signals queued for this user / RLIMIT_SIGPENDING. */
    private static String sigQ() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("SigQ:")) return line.substring(5).trim();
        }
        return "?";
    }

    private static long threads() throws java.io.IOException {
        try (var s = java.nio.file.Files.list(Path.of("/proc/self/task"))) {
            return s.count();
        }
    }

    private static void efbig(Path p, EngineBackend backend) throws Exception {
        try (AioEngine engine = AioEngine.builder().backend(backend).build();
                AioFile f =
                        AioFile.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocateDirect(4096);
            try {
                engine.write(f, 64L << 20, b).get();
                System.out.println("RESULT no error");
            } catch (ExecutionException e) {
                System.out.println("RESULT " + ((AioException) e.getCause()).errnoName());
            }
            int n = engine.write(f, 0, b).get();
            int r = engine.read(f, 0, ByteBuffer.allocateDirect(4096)).get();
            System.out.println(n == 4096 && r == 4096 ? "SERVING ok" : "SERVING broken " + n + " " + r);
            System.out.println("BACKEND " + engine.backend());
        }
    }

    private static void signalfd(Path p, int ops) throws Exception {
        printSignalMask(org.aio4j.engine.internal.Symbols.defaultRealtimeSignal());
        AioEngine.Builder b =
                AioEngine.builder().notification(Notification.SIGNAL).cachedReadFastPath(false);
        try (AioEngine probe = b.build()) {
            System.out.println("MECHANISM " + probe.mechanism());
        }
        double rate = EngineStressTest.runIn(p, b, ops);
        System.out.printf("RATE %.0f%n", rate);
    }
}

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
            case "efbig" -> efbig(Path.of(args[1]));
            case "signalfd" -> signalfd(Path.of(args[1]), Integer.parseInt(args[2]));
            case "helpers" -> helpers(Path.of(args[1]), Integer.parseInt(args[2]));
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

    private static long threads() throws java.io.IOException {
        try (var s = java.nio.file.Files.list(Path.of("/proc/self/task"))) {
            return s.count();
        }
    }

    private static void efbig(Path p) throws Exception {
        try (AioEngine engine = AioEngine.builder().build();
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
        }
    }

    private static void signalfd(Path p, int ops) throws Exception {
        AioEngine.Builder b =
                AioEngine.builder().notification(Notification.SIGNAL).cachedReadFastPath(false);
        try (AioEngine probe = b.build()) {
            System.out.println("MECHANISM " + probe.mechanism());
        }
        double rate = EngineStressTest.runIn(p, b, ops);
        System.out.printf("RATE %.0f%n", rate);
    }
}

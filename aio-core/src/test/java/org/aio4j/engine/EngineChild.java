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
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
        System.exit(0);
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

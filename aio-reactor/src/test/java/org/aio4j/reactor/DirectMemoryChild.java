package org.aio4j.reactor;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

/**
 * Main class of {@link DirectMemoryExhaustionTest}, run in a JVM of its own with a small {@code
 * -XX:MaxDirectMemorySize}: a read or a write that runs out of direct memory while it acquires a chunk. Prints one
 * line {@code RESULT <what> signal=<error class, COMPLETE or HANG> fds=<open fds under dir> chunks=<outstanding>}.
 */
public final class DirectMemoryChild {
    private DirectMemoryChild() {}

    /** {@code args}: {@code read} or {@code write}, then the directory to work in. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        String result = switch (args[0]) {
            case "read" -> read(dir);
            case "write" -> write(dir);
            default -> throw new IllegalArgumentException(args[0]);
        };
        System.out.println("RESULT " + args[0] + " " + result);
        System.out.flush();
        System.exit(0);
    }

    /** 24 MiB chunks, 4 in flight, over a sparse 120 MiB file; the subscriber keeps every chunk it gets. */
    private static String read(Path dir) throws Exception {
        Path f = dir.resolve("sparse");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(120L << 20);
        }
        ReadOptions options = ReadOptions.defaults().chunkSize(24 << 20).maxInFlight(4);
        return run(dir, AioFiles.read(f, options), Long.MAX_VALUE, new ArrayList<>());
    }

    /** Heap buffers of 40 MiB: each is copied into a pooled direct chunk of 40 MiB before it is written. */
    private static String write(Path dir) throws Exception {
        Flux<ByteBuffer> source = Flux.range(0, 4).map(i -> ByteBuffer.allocate(40 << 20));
        return run(dir, AioFiles.write(source, dir.resolve("out")), 1, new ArrayList<>());
    }

    private static <T> String run(Path dir, Publisher<T> p, long request, List<ByteBuffer> held) throws Exception {
        CompletableFuture<String> signal = new CompletableFuture<>();
        CompletableFuture<Subscription> subscription = new CompletableFuture<>();
        p.subscribe(new CoreSubscriber<T>() {
            @Override
            public void onSubscribe(Subscription s) {
                subscription.complete(s);
                s.request(request);
            }

            @Override
            public void onNext(T t) {
                if (t instanceof ByteBuffer) {
                    synchronized (held) {
                        held.add((ByteBuffer) t);
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                signal.complete(t.getClass().getName());
            }

            @Override
            public void onComplete() {
                signal.complete("COMPLETE");
            }
        });
        String s;
        try {
            s = signal.get(120, TimeUnit.SECONDS); // generous: an emulated JVM under load took more than 10 s
        } catch (TimeoutException e) {
            s = "HANG";
            subscription.get().cancel();
        }
        synchronized (held) {
            for (ByteBuffer b : held) AioFiles.release(b);
            held.clear();
        }
        // cleanup is asynchronous (ops reaped, then the file closed): give it time
        long deadline = System.nanoTime() + 5_000_000_000L;
        while ((TestFiles.openFdsUnder(dir) != 0 || AioFiles.outstandingChunks() != 0)
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return "signal=" + s + " fds=" + TestFiles.openFdsUnder(dir) + " chunks=" + AioFiles.outstandingChunks();
    }
}

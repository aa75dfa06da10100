package org.aio4j.reactor.tck;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.aio4j.engine.AioEngine;
import org.aio4j.reactor.AioFiles;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

/**
 * The base of every Reactive Streams TCK verification of aio-reactor: a test environment with short timeouts (the
 * positive waits end as soon as the signal arrives; the "no signal" waits are what the suite's run time is made of),
 * a temporary directory per class, chunk files whose content identifies each chunk, and a leak check after the class
 * (no chunk of the pool outstanding, no fd open on the class's directory).
 */
abstract class AioPublisherVerification<T> extends PublisherVerification<T> {
    /** Waits for expected signals (end early when they arrive). */
    static final long TIMEOUT_MILLIS = 3000;
    /** How long "no further signal" is observed. */
    static final long NO_SIGNALS_MILLIS = 60;
    /** Poll interval of the TCK's waits. */
    static final long POLL_MILLIS = 5;
    /** Rule 3.13: the time after a cancel by which the subscriber must be unreachable. */
    static final long GC_MILLIS = 300;

    /** Bytes per chunk of the chunk files. */
    static final int CHUNK = 64;
    /** Chunk files have real content for this many chunks; beyond, they are sparse (zeros). */
    static final long WRITTEN_CHUNKS = 4096;

    private final AtomicInteger names = new AtomicInteger();
    private final Map<Long, Path> chunkFiles = new ConcurrentHashMap<>();
    Path dir;
    private int chunksBefore;

    /** The TCK environment of this class (the superclass keeps its own reference private). */
    final TestEnvironment env;

    AioPublisherVerification() {
        this(new TestEnvironment(TIMEOUT_MILLIS, NO_SIGNALS_MILLIS, POLL_MILLIS));
    }

    private AioPublisherVerification(TestEnvironment env) {
        super(env, GC_MILLIS);
        this.env = env;
    }

    @BeforeClass
    public void createDirectory() throws IOException {
        AioEngine.shared(); // started outside the measured subscriptions
        dir = Files.createTempDirectory("aio4j-tck-" + getClass().getSimpleName());
        chunksBefore = AioFiles.outstandingChunks();
    }

    @AfterClass(alwaysRun = true)
    public void checkLeaksAndDelete() throws IOException {
        try {
            await(() -> AioFiles.outstandingChunks() <= chunksBefore
                    && openFdsUnder(dir).isEmpty());
            if (AioFiles.outstandingChunks() > chunksBefore) {
                throw new AssertionError("chunks not released: " + (AioFiles.outstandingChunks() - chunksBefore));
            }
            List<String> fds = openFdsUnder(dir);
            if (!fds.isEmpty()) throw new AssertionError("fds left open: " + fds);
        } finally {
            deleteRecursively(dir);
        }
    }

    /** A fresh path in this class's directory (nothing there yet). */
    Path newPath(String prefix) {
        return dir.resolve(prefix + "-" + names.incrementAndGet());
    }

    /** A path that does not exist: reading it fails with {@code NoSuchFileException} (caused by the ENOENT {@code AioException}). */
    Path missing() {
        return dir.resolve("missing-" + names.incrementAndGet());
    }

    /**
     * A file of exactly {@code chunks * CHUNK} bytes whose chunk {@code i} starts with the long {@code i} followed
     * by {@link #fill} bytes (up to {@link #WRITTEN_CHUNKS}; later chunks are a sparse hole of zeros, so a file of
     * {@code Integer.MAX_VALUE} chunks costs nothing). Made once per count and class.
     */
    Path chunkFile(long chunks) {
        return chunkFiles.computeIfAbsent(chunks, n -> {
            Path p = dir.resolve("chunks-" + n);
            int written = (int) Math.min(n, WRITTEN_CHUNKS);
            ByteBuffer content = ByteBuffer.allocate(written * CHUNK);
            for (int i = 0; i < written; i++) {
                content.putLong(i * CHUNK, i);
                for (int j = Long.BYTES; j < CHUNK; j++) content.put(i * CHUNK + j, fill(i, j));
            }
            try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                f.write(content.array());
                f.setLength(n * CHUNK);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return p;
        });
    }

    static byte fill(long chunk, int offset) {
        return (byte) (chunk * 7 + offset);
    }

    /**
     * Checks that {@code chunk} (position to limit) is chunk number {@code index} of a {@link #chunkFile} and
     * returns {@code index}; throws {@link IllegalStateException} (which the operator turns into {@code onError})
     * for a short, misplaced or corrupt chunk.
     */
    static long verifyChunk(ByteBuffer chunk, long index) {
        if (chunk.remaining() != CHUNK) {
            throw new IllegalStateException("chunk " + index + " has " + chunk.remaining() + " bytes");
        }
        int p = chunk.position();
        boolean written = index < WRITTEN_CHUNKS;
        long header = chunk.getLong(p);
        if (header != (written ? index : 0)) {
            throw new IllegalStateException("chunk " + index + " out of order: header " + header);
        }
        for (int j = Long.BYTES; j < CHUNK; j++) {
            byte expected = written ? fill(index, j) : 0;
            if (chunk.get(p + j) != expected) throw new IllegalStateException("chunk " + index + " corrupt at " + j);
        }
        return index;
    }

    /** A file of {@code size} bytes with a simple pattern. */
    Path patternFile(String prefix, int size) {
        Path p = newPath(prefix);
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) b[i] = (byte) (i * 31 + 3);
        try {
            Files.write(p, b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Open fds of this process that point into {@code dir}. */
    static List<String> openFdsUnder(Path dir) {
        String prefix = dir.toAbsolutePath().toString();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(fd -> {
                        try {
                            return Files.readSymbolicLink(fd).toString();
                        } catch (IOException e) {
                            return ""; // closed meanwhile
                        }
                    })
                    .filter(t -> t.startsWith(prefix))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits (at most 10 s) for the asynchronous cleanup to make {@code condition} true. */
    static void await(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}

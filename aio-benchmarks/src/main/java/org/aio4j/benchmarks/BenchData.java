package org.aio4j.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The data file every benchmark reads: one file of {@link #FILE_SIZE} bytes (1 GiB) filled with a repeating
 * pattern, created once and reused by later runs when its size is right.
 *
 * <p>Its folder is the system property {@code aio.bench.dir}, else the environment variable
 * {@code AIO_BENCH_DIR}, else {@code /var/tmp} (falling back to {@code java.io.tmpdir}). JMH forks inherit
 * the environment, so {@code AIO_BENCH_DIR=/data ./run.sh} moves it.
 */
public final class BenchData {
    /** Size of the benchmark file: 1 GiB. */
    public static final long FILE_SIZE = 1L << 30;

    /** Block size of the random-read benchmarks, also the O_DIRECT alignment: 4 KiB. */
    public static final int BLOCK = 4096;

    private static final String FILE_NAME = "aio4j-bench-1g.dat";

    private BenchData() {}

    /**
     * The folder that holds the benchmark files.
     *
     * @return the folder, created if missing
     */
    public static Path dir() {
        String configured = System.getProperty("aio.bench.dir");
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("AIO_BENCH_DIR");
        }
        Path dir;
        if (configured != null && !configured.isBlank()) {
            dir = Paths.get(configured);
        } else if (Files.isDirectory(Paths.get("/var/tmp")) && Files.isWritable(Paths.get("/var/tmp"))) {
            dir = Paths.get("/var/tmp");
        } else {
            dir = Paths.get(System.getProperty("java.io.tmpdir"));
        }
        try {
            return Files.createDirectories(dir.resolve("aio4j-bench"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Returns the 1 GiB data file, creating it (fast sequential writes of a repeating pattern, then a rename) when
     * it is missing or has the wrong size.
     *
     * @return the path of the data file
     */
    public static Path dataFile() {
        return dataFile(FILE_NAME);
    }

    /**
     * The 1 GiB file the write benchmarks overwrite ({@code aio4j-bench-write-1g.dat}), made like {@link #dataFile()}:
     * the read benchmarks' file is never written to.
     *
     * @return the path of the file
     */
    public static Path writeFile() {
        return dataFile("aio4j-bench-write-1g.dat");
    }

    private static synchronized Path dataFile(String name) {
        Path file = dir().resolve(name);
        try {
            if (Files.isRegularFile(file) && Files.size(file) == FILE_SIZE) {
                return file;
            }
            Path tmp = Files.createTempFile(file.getParent(), name, ".tmp");
            try (FileChannel ch =
                    FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
                for (int i = 0; i < chunk.capacity(); i++) {
                    // 251 is prime: the pattern does not repeat on any power-of-two boundary.
                    chunk.put(i, (byte) (i % 251));
                }
                for (long written = 0; written < FILE_SIZE; ) {
                    chunk.clear();
                    while (chunk.hasRemaining()) {
                        written += ch.write(chunk, written);
                    }
                }
                ch.force(false);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads the whole file once so that it sits in the page cache.
     *
     * @param file the file to warm
     */
    public static void warmPageCache(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            long pos = 0;
            int n;
            while ((n = ch.read(buf.clear(), pos)) > 0) {
                pos += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A direct buffer of {@code size} bytes whose address is a multiple of {@link #BLOCK}, as O_DIRECT needs.
     *
     * @param size capacity in bytes
     * @return an aligned direct buffer
     */
    public static ByteBuffer alignedDirect(int size) {
        return ByteBuffer.allocateDirect(size + BLOCK)
                .alignedSlice(BLOCK)
                .limit(size)
                .slice();
    }

    /**
     * One xorshift64 step; never returns 0 for a non-zero seed.
     *
     * @param x the previous state
     * @return the next state
     */
    public static long xorshift(long x) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x;
    }

    /**
     * A random block-aligned offset inside the data file.
     *
     * @param rnd a random state from {@link #xorshift(long)}
     * @return an offset that is a multiple of {@link #BLOCK} and below {@link #FILE_SIZE}
     */
    public static long blockOffset(long rnd) {
        return ((rnd >>> 1) % (FILE_SIZE / BLOCK)) * BLOCK;
    }
}

package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.aio4j.internal.NativeMemory;

/** Test files with seeded content, and the leak probes: open fds, outstanding chunks, native memory. */
public final class TestFiles {
    private TestFiles() {}

    /** Writes {@code size} seeded pseudo-random bytes to {@code path}. */
    /**
     * An engine builder for {@code backend}; the test is skipped (with the reason) where that backend is unavailable
     * (io_uring refused by seccomp, {@code kernel.io_uring_disabled}, an old kernel), so the POSIX_AIO half still runs.
     */
    public static org.aio4j.engine.AioEngine.Builder engine(org.aio4j.engine.EngineBackend backend) {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                backend.isAvailable(), () -> backend + " unavailable here: " + backend.unavailabilityCause());
        return org.aio4j.engine.AioEngine.builder().backend(backend);
    }

    public static Path create(Path path, long size, long seed) {
        try (FileChannel ch = FileChannel.open(
                path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            SplittableRandom rnd = new SplittableRandom(seed);
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            long left = size;
            while (left > 0) {
                buf.clear();
                int n = (int) Math.min(buf.capacity(), left);
                while (buf.position() + 8 <= n) buf.putLong(rnd.nextLong());
                while (buf.position() < n) buf.put((byte) rnd.nextInt());
                buf.flip();
                while (buf.hasRemaining()) ch.write(buf);
                left -= n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return path;
    }

    /** The bytes [from, from+len) of a seeded file, computed without reading it. */
    public static byte[] expected(long size, long seed) {
        if (size > Integer.MAX_VALUE) throw new IllegalArgumentException();
        byte[] out = new byte[(int) size];
        ByteBuffer buf = ByteBuffer.wrap(out);
        SplittableRandom rnd = new SplittableRandom(seed);
        // mirror create(): 1 MiB blocks, longs then trailing bytes per block
        int blockStart = 0;
        while (blockStart < size) {
            int n = (int) Math.min(1 << 20, size - blockStart);
            int p = 0;
            while (p + 8 <= n) {
                buf.putLong(blockStart + p, rnd.nextLong());
                p += 8;
            }
            while (p < n) out[blockStart + p++] = (byte) rnd.nextInt();
            blockStart += n;
        }
        return out;
    }

    public static String sha256(Path path) {
        try (FileChannel ch = FileChannel.open(path)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
            while (ch.read(b) >= 0) {
                b.flip();
                md.update(b);
                b.clear();
            }
            return hex(md.digest());
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    public static String hex(byte[] d) {
        StringBuilder sb = new StringBuilder();
        for (byte x : d) sb.append(String.format("%02x", x));
        return sb.toString();
    }

    /** Open fds of this process. */
    public static int openFds() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Open fds of this process on files under {@code dir}. */
    public static long openFdsUnder(Path dir) {
        String prefix = dir.toAbsolutePath().toString();
        return fdTargets().stream().filter(t -> t.contains(" -> " + prefix)).count();
    }

    public static List<String> fdTargets() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(p -> {
                        try {
                            return p.getFileName() + " -> " + Files.readSymbolicLink(p);
                        } catch (IOException e) {
                            return p.getFileName() + " -> ?";
                        }
                    })
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits (at most 10 s) for a condition that asynchronous cleanup makes true. */
    public static void await(BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        for (int spins = 0; !condition.getAsBoolean(); spins++) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for: " + what.get());
            if (spins < 2000) {
                Thread.onSpinWait();
                continue;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** A snapshot of the leak probes, compared again after a test with {@link #assertNoLeaks}. */
    public record Probe(int fds, int chunks, long nativeBytes) {
        public static Probe take() {
            return new Probe(openFds(), AioFiles.outstandingChunks(), NativeMemory.outstandingBytes());
        }

        public void assertNoLeaks() {
            await(
                    () -> AioFiles.outstandingChunks() == chunks && openFds() <= fds,
                    () -> "leak probes back to " + this + ", now " + Probe.take() + " fds " + fdTargets());
            assertThat(AioFiles.outstandingChunks()).isEqualTo(chunks);
        }

        /** Also native memory (use with an engine of the test's own, closed before this check). */
        public void assertNoLeaksIncludingNative() {
            assertNoLeaks();
            await(
                    () -> NativeMemory.outstandingBytes() <= nativeBytes,
                    () -> "native memory back to " + nativeBytes + ", now " + NativeMemory.outstandingBytes());
        }
    }
}

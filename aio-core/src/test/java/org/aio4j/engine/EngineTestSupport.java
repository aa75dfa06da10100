package org.aio4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.aio4j.internal.NativeMemory;

/** Leak checks and data patterns for the engine tests. */
final class EngineTestSupport {
    private EngineTestSupport() {}

    /**
     * A builder for {@code backend}; the test is skipped (with the reason) where that backend is unavailable, so
     * that the POSIX_AIO half still runs where io_uring is refused (containers, {@code kernel.io_uring_disabled}).
     */
    static AioEngine.Builder builder(EngineBackend backend) {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                backend.isAvailable(), () -> backend + " unavailable here: " + backend.unavailabilityCause());
        return AioEngine.builder().backend(backend);
    }

    /** Open fds of this process. */
    static long fdCount() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static String fdList() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(p -> {
                        try {
                            return p.getFileName() + "->" + Files.readSymbolicLink(p);
                        } catch (IOException e) {
                            return p.getFileName() + "->?";
                        }
                    })
                    .toList()
                    .toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Live reaper threads. */
    static long reaperThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive()
                        && t.getName().startsWith("aio4j-reaper-")
                        && !t.getName().endsWith("shared"))
                .count();
    }

    /** A snapshot of what must come back after an engine closed. */
    record Baseline(long nativeBytes, long fds, long reapers) {
        static Baseline take() {
            return new Baseline(NativeMemory.outstandingBytes(), fdCount(), reaperThreads());
        }

        /** Asserts the process is back to this baseline (retrying briefly for deferred closes). */
        void assertBack() throws InterruptedException {
            // Other threads of the JVM (class loading, the test framework) may hold an fd for a moment: the lowest
            // count seen over a few seconds must be back at the baseline.
            long end = System.nanoTime() + 5_000_000_000L;
            long minFds = Long.MAX_VALUE;
            while (true) {
                minFds = Math.min(minFds, fdCount());
                boolean ok =
                        NativeMemory.outstandingBytes() == nativeBytes && minFds <= fds && reaperThreads() <= reapers;
                if (ok || System.nanoTime() > end) break;
                if (Boolean.getBoolean("aio4j.engine.debugBaseline")) {
                    System.out.println("baseline: native " + NativeMemory.outstandingBytes() + "/" + nativeBytes
                            + " fds " + minFds + "/" + fds + " reapers " + reaperThreads() + "/" + reapers);
                }
                Thread.sleep(5);
            }
            assertThat(NativeMemory.outstandingBytes())
                    .as("native bytes outstanding")
                    .isEqualTo(nativeBytes);
            assertThat(minFds).as("open fds: %s", fdList()).isLessThanOrEqualTo(fds);
            assertThat(reaperThreads()).as("reaper threads").isLessThanOrEqualTo(reapers);
        }
    }

    /** Fills {@code len} bytes of {@code b} from its position with the pattern of (block, version); no move. */
    static void fill(ByteBuffer b, int block, int version) {
        long x = seed(block, version);
        int p = b.position();
        for (int i = 0; i < b.remaining(); i += 8) {
            x = next(x);
            b.putLong(p + i, x);
        }
    }

    /** True if the remaining bytes of {@code b} hold the pattern of (block, version). */
    static boolean matches(ByteBuffer b, int block, int version) {
        long x = seed(block, version);
        int p = b.position();
        for (int i = 0; i < b.remaining(); i += 8) {
            x = next(x);
            if (b.getLong(p + i) != x) return false;
        }
        return true;
    }

    static byte[] pattern(int len, int block, int version) {
        ByteBuffer b = ByteBuffer.allocate(len);
        long x = seed(block, version);
        for (int i = 0; i < len; i += 8) {
            x = next(x);
            b.putLong(i, x);
        }
        return b.array();
    }

    private static long seed(int block, int version) {
        return ((long) block << 32) ^ (version * 0x9E3779B97F4A7C15L) ^ 0x5DEECE66DL;
    }

    private static long next(long x) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x;
    }

    /** Writes blocks of {@code blockSize} with version 0 patterns. */
    static void writeInitial(Path p, int blocks, int blockSize) throws IOException {
        byte[] all = new byte[blocks * blockSize];
        for (int i = 0; i < blocks; i++) {
            System.arraycopy(pattern(blockSize, i, 0), 0, all, i * blockSize, blockSize);
        }
        Files.write(p, all);
    }

    static boolean blockIs(byte[] file, int block, int blockSize, int version) {
        return Arrays.equals(
                file, block * blockSize, (block + 1) * blockSize, pattern(blockSize, block, version), 0, blockSize);
    }

    /**
     * Skips a test that needs the cached-read fast path where {@code preadv2(RWF_NOWAIT)} is refused (EOPNOTSUPP:
     * qemu-user, some network and FUSE file systems): reads {@code f} until the engine either served one on the
     * fast path or turned the fast path off.
     */
    static void assumeFastPathWorks(AioEngine engine, org.aio4j.AioFile f) throws Exception {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(1);
        long before = engine.metrics().fastPathReads();
        for (int i = 0; i < 32 && engine.cachedReadFastPath(); i++) {
            engine.read(f, 0, b.clear()).get(5, java.util.concurrent.TimeUnit.SECONDS);
            if (engine.metrics().fastPathReads() > before) break;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(
                engine.cachedReadFastPath() && engine.metrics().fastPathReads() > before,
                "the cached-read fast path does not work here: preadv2(RWF_NOWAIT) answers EOPNOTSUPP (qemu-user, or a"
                        + " network or FUSE file system), so the engine turned it off");
    }
}

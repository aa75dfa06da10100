package org.aio4j.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link KernelCopy} on real files: byte-exact, bounded chunks, holes kept, across file systems, closed fds. */
class KernelCopyTest {
    static final int CHUNK = 1 << 20;

    @TempDir
    Path dir;

    long nativeBefore;

    @BeforeEach
    void before() {
        Assumptions.assumeTrue(KernelCopy.isSupported(), "no kernel copy on this platform");
        nativeBefore = NativeMemory.outstandingBytes();
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** 512-byte blocks allocated to {@code p} ({@code stat -c %b}). */
    static long blocks(Path p) throws Exception {
        Process proc = new ProcessBuilder("stat", "-c", "%b", p.toString()).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertThat(proc.waitFor()).isZero();
        return Long.parseLong(out);
    }

    /** Runs a copy to the end; returns the positions after each step. */
    static List<Long> copyAll(Path src, Path dst, int chunk) throws Exception {
        List<Long> positions = new ArrayList<>();
        try (AioFile in = AioFile.open(src);
                AioFile out = AioFile.open(dst, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
            assertThat(KernelCopy.applies(in, out)).isTrue();
            KernelCopy copy = new KernelCopy(in, out, in.size(), chunk);
            KernelCopy.Step s;
            long last = 0;
            while ((s = copy.step()) == KernelCopy.Step.MORE) {
                long p = copy.position();
                assertThat(p).isGreaterThan(last);
                positions.add(p);
                last = p;
                assertThat(positions.size()).as("steps").isLessThan(100_000);
            }
            assertThat(s).isEqualTo(KernelCopy.Step.DONE);
            assertThat(copy.step()).as("idempotent at the end").isEqualTo(KernelCopy.Step.DONE);
            if (NativeLib.hasSymbol("copy_file_range") && !positions.isEmpty()) {
                // one file system: copy_file_range itself must have worked (it did not while a jnr-ffi stub passed
                // garbage flags and every call fell back to sendfile)
                assertThat(copy.usesSendfile()).as("fell back to sendfile").isFalse();
            }
            positions.add(copy.position());
        }
        return positions;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4095, 4096, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 3})
    void copiesByteExactInBoundedChunks(int size) throws Exception {
        byte[] data = random(size, size);
        Path src = Files.write(dir.resolve("src"), data);
        Path dst = dir.resolve("dst");
        List<Long> positions = copyAll(src, dst, CHUNK);
        assertThat(Files.readAllBytes(dst)).isEqualTo(data);
        assertThat(positions.get(positions.size() - 1)).isEqualTo(size);
        long prev = 0;
        for (long p : positions) {
            assertThat(p - prev).as("bytes per step").isLessThanOrEqualTo(CHUNK);
            prev = p;
        }
        assertThat(positions).hasSize((size + CHUNK - 1) / CHUNK); // one step per chunk, the last one DONE
        assertThat(NativeMemory.outstandingBytes()).isEqualTo(nativeBefore);
    }

    /** A 64 MiB file with three small data extents (one at the very end) and a trailing-hole variant. */
    private Path sparse(String name, boolean dataAtEnd) throws IOException {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(64L << 20);
            f.seek(1 << 20);
            f.write(random(8192, 1));
            f.seek(20L << 20);
            f.write(random(100_000, 2));
            if (dataAtEnd) {
                f.seek((64L << 20) - 100);
                f.write(random(100, 3));
            }
        }
        return p;
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void keepsHoles(boolean dataAtEnd) throws Exception {
        Path src = sparse("sparse", dataAtEnd);
        Path dst = dir.resolve("copy");
        List<Long> positions = copyAll(src, dst, CHUNK);
        assertThat(Files.size(dst)).isEqualTo(64L << 20);
        assertThat(Files.mismatch(src, dst)).isEqualTo(-1L);
        // only the data extents were copied: a step per extent, and about as few blocks as the source has
        assertThat(positions).hasSizeLessThanOrEqualTo(4);
        assertThat(blocks(dst)).isLessThanOrEqualTo(blocks(src) + 16).isLessThan(1024);
    }

    @Test
    void aFileOfHolesOnlyIsOneStepAndNoBlocks() throws Exception {
        Path src = dir.resolve("holes");
        try (RandomAccessFile f = new RandomAccessFile(src.toFile(), "rw")) {
            f.setLength(1L << 30);
        }
        Path dst = dir.resolve("copy");
        assertThat(copyAll(src, dst, CHUNK)).containsExactly(1L << 30);
        assertThat(Files.size(dst)).isEqualTo(1L << 30);
        assertThat(blocks(dst)).isZero();
    }

    @Test
    void acrossFileSystemsFallsBackToSendfileAndKeepsHoles() throws Exception {
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no /dev/shm");
        Assumptions.assumeFalse(Files.getFileStore(shm).equals(Files.getFileStore(dir)), "same file system");
        Path src = sparse("sparse", true);
        Path dst = Files.createTempFile(shm, "kernel-copy", ".bin");
        Files.delete(dst);
        try {
            boolean sendfile;
            try (AioFile in = AioFile.open(src);
                    AioFile out = AioFile.open(dst, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                KernelCopy copy = new KernelCopy(in, out, in.size(), CHUNK);
                while (copy.step() == KernelCopy.Step.MORE) {
                    // copy on
                }
                sendfile = copy.usesSendfile();
            }
            assertThat(sendfile)
                    .as("copy_file_range refuses EXDEV between file systems")
                    .isTrue();
            assertThat(Files.mismatch(src, dst)).isEqualTo(-1L);
            assertThat(blocks(dst)).isLessThan(1024);
        } finally {
            Files.deleteIfExists(dst);
        }
    }

    @Test
    void aSourceThatEndsEarlierThanTheSizeGivenEndsThere() throws Exception {
        byte[] data = random(3 * CHUNK + 5, 7);
        Path src = Files.write(dir.resolve("src"), data);
        Path dst = dir.resolve("dst");
        try (AioFile in = AioFile.open(src);
                AioFile out = AioFile.open(dst, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
            KernelCopy copy = new KernelCopy(in, out, 10L * CHUNK, CHUNK); // as if it had shrunk after open
            while (copy.step() == KernelCopy.Step.MORE) {
                // copy on
            }
            assertThat(copy.size()).isEqualTo(data.length);
        }
        assertThat(Files.readAllBytes(dst)).isEqualTo(data);
    }

    @Test
    void onlyRegularFilesApply() throws Exception {
        Path reg = Files.write(dir.resolve("reg"), new byte[10]);
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor())
                .isZero();
        try (AioFile r = AioFile.open(reg);
                AioFile zero = AioFile.open(Path.of("/dev/zero"));
                AioFile null_ = AioFile.open(Path.of("/dev/null"), StandardOpenOption.WRITE);
                AioFile p = AioFile.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            assertThat(KernelCopy.applies(r, r)).isTrue();
            assertThat(KernelCopy.applies(zero, r)).isFalse();
            assertThat(KernelCopy.applies(r, null_)).isFalse();
            assertThat(KernelCopy.applies(p, r)).isFalse();
            assertThat(KernelCopy.applies(r, p)).isFalse();
        }
    }

    @Test
    void aClosedFileIsEbadfAndNoCallIsMade() throws Exception {
        Path src = Files.write(dir.resolve("src"), random(3 * CHUNK, 1));
        Path dst = dir.resolve("dst");
        AioFile in = AioFile.open(src);
        AioFile out = AioFile.open(dst, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
        try {
            KernelCopy copy = new KernelCopy(in, out, in.size(), CHUNK);
            assertThat(copy.step()).isEqualTo(KernelCopy.Step.MORE);
            out.close();
            assertThatThrownBy(copy::step)
                    .isInstanceOf(AioException.class)
                    .satisfies(e -> assertThat(((AioException) e).errnoName()).isEqualTo("EBADF"));
            assertThat(Files.size(dst)).as("nothing written after the close").isEqualTo(CHUNK);
        } finally {
            in.close();
            out.close();
        }
        assertThat(NativeMemory.outstandingBytes()).isEqualTo(nativeBefore);
    }

    @Test
    void argumentsAreChecked() throws Exception {
        Path src = Files.write(dir.resolve("src"), new byte[1]);
        try (AioFile in = AioFile.open(src)) {
            assertThatThrownBy(() -> new KernelCopy(in, in, -1, CHUNK)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new KernelCopy(in, in, 1, 0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new KernelCopy(null, in, 1, 1)).isInstanceOf(NullPointerException.class);
        }
    }
}

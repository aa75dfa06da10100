package org.aio4j.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.aio4j.internal.PageCache.Residency;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PageCache} against the kernel: cached, evicted and partly re-read files, and the edges of a region. */
class PageCacheTest {
    @TempDir
    Path dir;

    /** A file of {@code size} random bytes, written back to the disk (so that it can be evicted). */
    private Path file(int size) throws Exception {
        Path p = dir.resolve("f" + size);
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        Files.write(p, b);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        return p;
    }

    /** Drops the file's clean pages from the page cache ({@code posix_fadvise(DONTNEED)} through GNU dd). */
    private static void evict(Path p) throws Exception {
        Process dd = new ProcessBuilder("dd", "if=" + p, "iflag=nocache", "count=0", "status=none")
                .redirectErrorStream(true)
                .start();
        dd.getInputStream().readAllBytes();
        assertThat(dd.waitFor()).isZero();
    }

    private static void readRange(Path p, long position, int count) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
            f.seek(position);
            f.readFully(new byte[count]);
        }
    }

    @Test
    void aCachedFileIsCachedAndAnEvictedOneIsNot() throws Exception {
        Assumptions.assumeTrue(PageCache.isSupported(), "no cachestat here");
        long before = NativeMemory.outstandingBytes();
        Path p = file(1 << 20);
        readRange(p, 0, 1 << 20);
        assertThat(PageCache.residency(p, 0, 1 << 20)).isEqualTo(Residency.CACHED);
        Assumptions.assumeTrue(PageCache.isSupported(), "the kernel answered ENOSYS");

        evict(p);
        Residency evicted = PageCache.residency(p, 0, 1 << 20);
        // a file system that cannot drop pages (tmpfs keeps them: they are the file) stays cached
        Assumptions.assumeTrue(evicted == Residency.NOT_CACHED, "this file system keeps its pages: " + dir);

        // only the second 4 KiB page read back: the region is judged page by page, rounded out to whole pages
        readRange(p, 4096, 4096);
        assertThat(PageCache.residency(p, 4096, 4096)).isEqualTo(Residency.CACHED);
        assertThat(PageCache.residency(p, 4100, 10)).isEqualTo(Residency.CACHED);
        assertThat(PageCache.residency(p, 4095, 2))
                .as("one byte of an evicted page")
                .isEqualTo(Residency.NOT_CACHED);
        assertThat(PageCache.residency(p, 4096, 4097)).isEqualTo(Residency.NOT_CACHED);
        assertThat(PageCache.residency(p, 0, 1 << 20)).isEqualTo(Residency.NOT_CACHED);
        assertThat(NativeMemory.outstandingBytes()).isEqualTo(before);
    }

    @Test
    void edges() throws Exception {
        Path p = file(10_000);
        assertThat(PageCache.residency(p, 5, 0)).isEqualTo(Residency.CACHED);
        assertThat(PageCache.residency(dir.resolve("missing"), 0, 1)).isEqualTo(Residency.UNKNOWN);
        assertThatThrownBy(() -> PageCache.residency(p, -1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PageCache.residency(p, 0, -1)).isInstanceOf(IllegalArgumentException.class);
        if (PageCache.isSupported()) {
            readRange(p, 0, 10_000);
            // the last page is partial; the region may reach past the end of the file (those pages are not cached)
            assertThat(PageCache.residency(p, 8192, 10_000 - 8192)).isEqualTo(Residency.CACHED);
            assertThat(PageCache.residency(p, 0, 1 << 20)).isEqualTo(Residency.NOT_CACHED);
        } else {
            assertThat(PageCache.residency(p, 0, 1)).isEqualTo(Residency.UNKNOWN);
        }
    }
}

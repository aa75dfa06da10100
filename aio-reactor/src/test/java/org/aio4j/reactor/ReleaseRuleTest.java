package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.BufferOverflowException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AioFiles#release}: a released chunk is poisoned; a second release or a foreign buffer is refused. */
class ReleaseRuleTest {
    @TempDir
    Path dir;

    private ByteBuffer oneChunk() throws Exception {
        Path f = Files.write(dir.resolve("f"), new byte[] {1, 2, 3});
        return AioFiles.read(f).next().block(Duration.ofSeconds(10));
    }

    @Test
    void aReleasedChunkCanNoLongerBeReadOrWritten() throws Exception {
        ByteBuffer chunk = oneChunk();
        assertThat(chunk.remaining()).isEqualTo(3);
        AioFiles.release(chunk);
        assertThat(chunk.position()).isZero();
        assertThat(chunk.limit()).isZero();
        assertThat(chunk.hasRemaining()).isFalse();
        assertThatThrownBy(chunk::get).isInstanceOf(BufferUnderflowException.class);
        assertThatThrownBy(() -> chunk.get(0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> chunk.put((byte) 1)).isInstanceOf(BufferOverflowException.class);
    }

    @Test
    void aSecondReleaseIsAnIllegalState() throws Exception {
        int before = AioFiles.outstandingChunks();
        ByteBuffer chunk = oneChunk();
        AioFiles.release(chunk);
        assertThatThrownBy(() -> AioFiles.release(chunk))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("released twice");
        assertThat(AioFiles.outstandingChunks()).isLessThanOrEqualTo(before);
    }

    @Test
    void aForeignBufferIsAnIllegalArgument() throws Exception {
        assertThatThrownBy(() -> AioFiles.release(ByteBuffer.allocate(8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a chunk");
        assertThatThrownBy(() -> AioFiles.release(ByteBuffer.allocateDirect(8)))
                .isInstanceOf(IllegalArgumentException.class);
        ByteBuffer chunk = oneChunk();
        assertThatThrownBy(() -> AioFiles.release(chunk.duplicate())).isInstanceOf(IllegalArgumentException.class);
        AioFiles.release(chunk); // the chunk itself is still outstanding
        assertThatThrownBy(() -> AioFiles.release(null)).isInstanceOf(NullPointerException.class);
    }
}

package org.aio4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibTest {
    @Test
    void loadsAndWritesThroughRawAiocb(@TempDir Path dir) throws Exception {
        assertThat(NativeLib.unavailabilityCause()).isNull();
        AioAbi abi = NativeLib.abi();
        LibC c = NativeLib.libc();
        Path f = dir.resolve("x");
        int fd = c.open((f + "\0").getBytes(StandardCharsets.UTF_8), abi.O_RDWR | abi.O_CREAT, 0644);
        assertThat(fd).isGreaterThanOrEqualTo(0);
        ByteBuffer buf = ByteBuffer.allocateDirect(5).put("hello".getBytes(StandardCharsets.US_ASCII));
        long cb = NativeMemory.allocate(abi.aiocb.size());
        try {
            NativeMemory.putInt(cb + abi.aiocb.fildes(), fd);
            NativeMemory.putLong(cb + abi.aiocb.buf(), NativeMemory.addressOf(buf));
            NativeMemory.putLong(cb + abi.aiocb.nbytes(), 5);
            NativeMemory.putLong(cb + abi.aiocb.offset(), 3);
            NativeMemory.putInt(cb + abi.aiocb.sigevent() + abi.sigevent.notifyField(), abi.SIGEV_NONE);
            assertThat(c.aio_write(cb)).isZero();
            int err;
            while ((err = c.aio_error(cb)) == Errno.EINPROGRESS.value()) Thread.onSpinWait();
            assertThat(err).isZero();
            assertThat(c.aio_return(cb)).isEqualTo(5);
        } finally {
            NativeMemory.free(cb, abi.aiocb.size());
            c.close(fd);
        }
        assertThat(Files.readAllBytes(f)).containsExactly(0, 0, 0, 'h', 'e', 'l', 'l', 'o');
    }
}

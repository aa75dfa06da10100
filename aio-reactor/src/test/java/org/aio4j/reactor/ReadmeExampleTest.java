package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.aio4j.AioFile;
import org.aio4j.AioWrite;
import org.aio4j.PosixAio;
import org.aio4j.SigevNotify;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's ten-line example, compiled and run, so the README cannot drift from the API. */
class ReadmeExampleTest {
    @Test
    void readmeExampleWorks(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("hello.txt");
        Path source = path;
        Path target = dir.resolve("copy.txt");
        long written;
        // --- README example starts here
        try (AioFile file =
                AioFile.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE)) {
            ByteBuffer buf =
                    ByteBuffer.allocateDirect(4096).put("hello".getBytes()).flip();
            try (AioWrite w = new AioWrite(file.fd(), 0, buf, 0, SigevNotify.none())) {
                w.submit();
                PosixAio.aioSuspend(List.of(w), null); // wait for completion
                written = w.aioReturn(); // exactly once; throws the typed AioException on failure
            }
        }
        // or, with the engine and Reactor:
        long copied = AioFiles.copy(
                        source,
                        target,
                        CopyOptions.defaults().chunkSize(1 << 20).maxInFlight(16))
                .block();
        // --- README example ends here
        assertThat(written).isEqualTo(5);
        assertThat(copied).isEqualTo(5);
        assertThat(Files.readString(target, StandardCharsets.UTF_8)).isEqualTo("hello");
    }
}

package example;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.CopyOptions;
import reactor.core.publisher.Flux;

public class QuickStart {
    /** Writes "hello" to {@code file}, copies it to {@code copy} and returns the bytes copied. */
    public static long run(Path file, Path copy) {
        long written = AioFiles.write(
                        Flux.just(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8))),
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)
                .block();
        long copied = AioFiles.copy(
                        file, copy, CopyOptions.defaults().chunkSize(1 << 20).maxInFlight(16))
                .block();
        return written == copied ? copied : -1;
    }
}

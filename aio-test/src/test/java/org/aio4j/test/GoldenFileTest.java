package org.aio4j.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class GoldenFileTest {
    @TempDir
    Path dir;

    byte[] data(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void equalFilesMatch() throws Exception {
        byte[] b = data(100_000);
        Path golden = Files.write(dir.resolve("g"), b), produced = Files.write(dir.resolve("p"), b);
        StepVerifier.create(GoldenFile.matches(produced, golden)).verifyComplete();
        GoldenFile.assertMatches(produced, golden);
    }

    @Test
    void aDifferenceNamesItsOffsetWithAHexWindow() throws Exception {
        byte[] b = new byte[100];
        for (int i = 0; i < b.length; i++) b[i] = (byte) i;
        Path golden = Files.write(dir.resolve("g"), b);
        b[40] = (byte) 0xAB;
        Path produced = Files.write(dir.resolve("p"), b);
        StepVerifier.create(GoldenFile.matches(produced, golden))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(AssertionError.class)
                        .hasMessageContaining("first at offset 40 (0x28)")
                        .hasMessageContaining("produced @0x18: 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 [ab] 29")
                        .hasMessageContaining(
                                "golden   @0x18: 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 [28] 29"))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void aShorterFileIsReportedWhereItEnds() throws Exception {
        byte[] b = data(1000);
        Path golden = Files.write(dir.resolve("g"), b);
        Path produced = Files.write(dir.resolve("p"), java.util.Arrays.copyOf(b, 990));
        assertThatThrownBy(() -> GoldenFile.assertMatches(produced, golden))
                .hasMessageContaining("first at offset 990")
                .hasMessageContaining("ends there")
                .hasMessageContaining("[EOF]");
    }

    @Test
    void dataBuffersAreComparedAndReleased() throws Exception {
        byte[] b = data(10_000);
        Path golden = Files.write(dir.resolve("g"), b);
        LeakTrackingDataBufferFactory f = new LeakTrackingDataBufferFactory();
        StepVerifier.create(GoldenDataBuffers.matches(chunks(f, b), golden)).verifyComplete();

        byte[] other = b.clone();
        other[5000] ^= 1;
        StepVerifier.create(GoldenDataBuffers.matches(chunks(f, other), golden))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(AssertionError.class)
                        .hasMessageContaining("first at offset 5000 (0x1388)")
                        .hasMessageContaining(String.format("[%02x]", other[5000] & 0xff))
                        .hasMessageContaining(String.format("[%02x]", b[5000] & 0xff))
                        .hasMessageContaining(String.format(" %02x %02x [", b[4998] & 0xff, b[4999] & 0xff)))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(GoldenDataBuffers.matches(chunks(f, java.util.Arrays.copyOf(b, 9000)), golden))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("first at offset 9000"))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(GoldenDataBuffers.matches(chunks(f, java.util.Arrays.copyOf(b, 10_001)), golden))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("first at offset 10000"))
                .verify(Duration.ofSeconds(10));
        f.assertNoLeaks(); // every buffer released, on success and on failure
    }

    /** {@code bytes} as buffers of 999 bytes (the difference falls inside one, the window spans two). */
    static Flux<DataBuffer> chunks(LeakTrackingDataBufferFactory f, byte[] bytes) {
        return Flux.range(0, (bytes.length + 998) / 999).map(i -> {
            int from = i * 999, n = Math.min(999, bytes.length - from);
            DataBuffer d = f.allocateBuffer(n);
            d.write(bytes, from, n);
            return d;
        });
    }

    @Test
    void theBufferFactoryNamesEachLeakWithItsSite() {
        LeakTrackingDataBufferFactory f = new LeakTrackingDataBufferFactory();
        DataBuffer kept = f.allocateBuffer(8);
        DataBuffer shared = f.wrap(new byte[] {1, 2});
        DataBufferUtils.retain(shared);
        DataBufferUtils.release(shared);
        assertThatThrownBy(f::assertNoLeaks)
                .hasMessageContaining("2 DataBuffer leak(s)")
                .hasMessageContaining("GoldenFileTest.theBufferFactoryNamesEachLeakWithItsSite");
        DataBufferUtils.release(kept);
        DataBufferUtils.release(shared);
        f.assertNoLeaks();
        assertThatThrownBy(((org.springframework.core.io.buffer.PooledDataBuffer) shared)::release)
                .isInstanceOf(IllegalStateException.class);
    }
}

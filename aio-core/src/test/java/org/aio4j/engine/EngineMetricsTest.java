package org.aio4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.aio4j.AioFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EngineMetricsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void countsAndHistogramAndMicrometer(EngineBackend backend) throws Exception {
        Path p = dir.resolve("m");
        Files.write(p, new byte[4096]);
        try (AioEngine engine = EngineTestSupport.builder(backend)
                        .cachedReadFastPath(false)
                        .build();
                AioFile f = AioFile.open(p)) {
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            new EngineMeterBinder(engine, Tags.of("engine", "test")).bindTo(reg);
            ByteBuffer b = ByteBuffer.allocateDirect(512);
            for (int i = 0; i < 20; i++) engine.read(f, 0, b).get(5, TimeUnit.SECONDS);
            EngineMetrics m = engine.metrics();
            assertThat(m.submitted()).isEqualTo(20);
            assertThat(m.completed()).isEqualTo(20);
            assertThat(m.peakInFlight()).isEqualTo(1);
            long[] h = m.latencyHistogram();
            long sum = 0;
            for (long c : h) sum += c;
            assertThat(sum).isEqualTo(20);
            assertThat(m.latencyCount()).isEqualTo(20);
            long p50 = m.latencyQuantileUpperBoundNanos(0.5);
            assertThat(p50).isPositive().isLessThanOrEqualTo(m.latencyQuantileUpperBoundNanos(1.0));
            assertThatThrownBy(() -> m.latencyQuantileUpperBoundNanos(0)).isInstanceOf(IllegalArgumentException.class);
            assertThat(reg.get("aio4j.engine.ops")
                            .tag("outcome", "completed")
                            .functionCounter()
                            .count())
                    .isEqualTo(20.0);
            assertThat(reg.get("aio4j.engine.latency").functionTimer().count()).isEqualTo(20.0);
            assertThat(reg.get("aio4j.engine.inflight")
                            .tag("engine", "test")
                            .gauge()
                            .value())
                    .isZero();
            assertThat(EngineMetrics.bucketUpperBoundNanos(10)).isEqualTo(2048);
        }
    }
}

package org.aio4j.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.aio4j.AioFile;
import org.aio4j.engine.AioEngine;
import org.aio4j.engine.EngineBackend;
import org.aio4j.engine.EngineMeterBinder;
import org.aio4j.engine.Notification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The engine, meter and health auto-configurations, condition by condition. */
class AioEngineAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    AioEngineAutoConfiguration.class,
                    AioEngineMetricsAutoConfiguration.class,
                    AioEngineHealthAutoConfiguration.class));

    @TempDir
    Path dir;

    @Test
    void engineFromProperties() {
        runner.withPropertyValues(
                        "aio4j.engine.notification=THREAD",
                        "aio4j.engine.max-in-flight=64",
                        "aio4j.engine.lanes=2",
                        "aio4j.engine.cached-read-fast-path=false")
                .run(context -> {
                    AioEngine engine = context.getBean(AioEngine.class);
                    assertThat(engine.notification()).isEqualTo(Notification.THREAD);
                    assertThat(engine.maxInFlight()).isEqualTo(64);
                    assertThat(engine.lanes()).isEqualTo(2);
                    assertThat(engine.directLanes()).isEqualTo(2);
                    assertThat(engine.cachedReadFastPath()).isFalse();
                    assertThat(context).hasSingleBean(AioEngineShutdown.class);
                });
    }

    /**
     * {@code aio4j.engine.backend}: io_uring where this kernel permits it, else the start fails with the reason; a
     * notification mode beside it is refused either way (it applies to POSIX AIO only).
     */
    @Test
    void backendFromProperties() {
        runner.withPropertyValues("aio4j.engine.backend=io_uring").run(context -> {
            if (EngineBackend.IO_URING.isAvailable()) {
                AioEngine engine = context.getBean(AioEngine.class);
                assertThat(engine.backend()).isEqualTo(EngineBackend.IO_URING);
                assertThat(engine.notification()).isNull();
            } else {
                assertThat(context).getFailure().hasStackTraceContaining("UnsupportedOperationException: io_uring");
            }
        });
        runner.withPropertyValues("aio4j.engine.backend=IO_URING", "aio4j.engine.notification=SIGNAL")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("notification(SIGNAL) applies to POSIX_AIO only"));
    }

    @Test
    void defaultsAreTheBuildersAndTheEngineClosesWithTheContext() {
        AioEngine[] seen = new AioEngine[1];
        runner.run(context -> {
            seen[0] = context.getBean(AioEngine.class);
            assertThat(seen[0].maxInFlight()).isEqualTo(1024);
            assertThat(seen[0].backend()).isEqualTo(EngineBackend.POSIX_AIO);
            assertThat(seen[0].isClosed()).isFalse();
        });
        assertThat(seen[0].isClosed()).isTrue();
        assertThat(seen[0].isTerminated()).isTrue();
    }

    @Test
    void anEngineOfTheApplicationWinsAndIsNotClosedByTheStarter() throws Exception {
        try (AioEngine own = AioEngine.builder().name("own").build()) {
            runner.withBean(AioEngine.class, () -> own, d -> d.setDestroyMethodName(""))
                    .run(context -> {
                        assertThat(context).hasSingleBean(AioEngine.class);
                        assertThat(context.getBean(AioEngine.class)).isSameAs(own);
                        assertThat(context).doesNotHaveBean(AioEngineShutdown.class);
                        // meters and health still cover the application's engine
                        assertThat(context).hasSingleBean(EngineMeterBinder.class);
                        assertThat(context).hasBean("aio4jHealthIndicator");
                    });
            assertThat(own.isClosed()).isFalse();
        }
    }

    @Test
    void metersWhenMicrometerIsPresentAndNoneWithout() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(EngineMeterBinder.class);
            MeterRegistry registry = new SimpleMeterRegistry();
            context.getBean(EngineMeterBinder.class).bindTo(registry);
            assertThat(registry.find("aio4j.engine.ops")
                            .tag("outcome", "completed")
                            .functionCounter())
                    .isNotNull();
            assertThat(registry.find("aio4j.engine.inflight").gauge()).isNotNull();
        });
        runner.withClassLoader(new FilteredClassLoader("io.micrometer")).run(context -> {
            assertThat(context).hasSingleBean(AioEngine.class);
            assertThat(context).doesNotHaveBean(EngineMeterBinder.class);
        });
    }

    @Test
    void healthWhenPresentUpWhileOpenDownOnceClosedAndSwitchable() {
        runner.run(context -> {
            HealthIndicator h = context.getBean("aio4jHealthIndicator", HealthIndicator.class);
            Health health = h.health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails())
                    .containsEntry("open", true)
                    .containsEntry("inFlight", 0)
                    .containsEntry("backend", "POSIX_AIO")
                    .containsKeys("mechanism", "failed", "queued", "maxInFlight");
            context.getBean(AioEngine.class).close();
            assertThat(h.health().getStatus()).isEqualTo(Status.DOWN);
        });
        // no spring-boot-health at all (its annotations included), as without Actuator
        runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
                .run(context -> assertThat(context).doesNotHaveBean("aio4jHealthIndicator"));
        runner.withPropertyValues("management.health.aio4j.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("aio4jHealthIndicator"));
    }

    @Test
    void noEngineClassNoBeans() {
        runner.withClassLoader(new FilteredClassLoader(AioEngine.class))
                .run(context -> assertThat(context).doesNotHaveBean("aioEngine"));
    }

    /** A read on a FIFO stays in flight until someone writes: close waits for it, up to the shutdown timeout. */
    @Test
    void contextCloseWaitsForOperationsInFlight() throws Exception {
        Path fifo = mkfifo("wait");
        java.util.concurrent.atomic.AtomicReference<CompletableFuture<Integer>> read =
                new java.util.concurrent.atomic.AtomicReference<>();
        AioFile[] file = new AioFile[1];
        AioEngine[] engine = new AioEngine[1];
        CompletableFuture<Void> closed = new CompletableFuture<>();
        runner.withPropertyValues("aio4j.engine.shutdown-timeout=20s", "aio4j.engine.cached-read-fast-path=false")
                .run(context -> {
                    engine[0] = context.getBean(AioEngine.class);
                    file[0] = AioFile.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    read.set(engine[0].read(file[0], 0, ByteBuffer.allocateDirect(16)));
                    // the context closes when run returns: write to the FIFO only after a while
                    CompletableFuture.runAsync(() -> {
                        try {
                            Thread.sleep(300);
                            assertThat(engine[0].isClosed())
                                    .as("closed before the op finished")
                                    .isFalse();
                            try (OutputStream out = Files.newOutputStream(fifo)) {
                                out.write("hello".getBytes());
                            }
                            closed.complete(null);
                        } catch (Throwable e) {
                            closed.completeExceptionally(e);
                        }
                    });
                });
        closed.get(10, TimeUnit.SECONDS);
        assertThat(read.get().get(10, TimeUnit.SECONDS))
                .as("completed normally, not cancelled")
                .isEqualTo(5);
        assertThat(engine[0].isClosed()).isTrue();
        file[0].close();
    }

    @Test
    void contextCloseGivesUpAfterTheShutdownTimeout() throws Exception {
        Path fifo = mkfifo("give-up");
        AioFile[] file = new AioFile[1];
        AioEngine[] engine = new AioEngine[1];
        long[] start = new long[1];
        runner.withPropertyValues(
                        "aio4j.engine.shutdown-timeout=200ms",
                        "aio4j.engine.close-timeout=200ms",
                        "aio4j.engine.cached-read-fast-path=false")
                .run(context -> {
                    engine[0] = context.getBean(AioEngine.class);
                    file[0] = AioFile.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    engine[0].read(file[0], 0, ByteBuffer.allocateDirect(16));
                    start[0] = System.nanoTime(); // the context closes now
                });
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start[0]);
        assertThat(engine[0].isClosed()).isTrue();
        assertThat(millis).as("gave up after the timeouts (0.2 s + 0.2 s)").isLessThan(3_000);
        // free the read that no cancel can stop (it runs in glibc's helper thread)
        try (OutputStream out = Files.newOutputStream(fifo)) {
            out.write(1);
        }
        assertThat(engine[0].awaitTermination(Duration.ofSeconds(10))).isTrue();
        file[0].close();
    }

    private Path mkfifo(String name) throws Exception {
        Path p = dir.resolve(name);
        assertThat(new ProcessBuilder("mkfifo", p.toString()).start().waitFor()).isZero();
        return p;
    }
}

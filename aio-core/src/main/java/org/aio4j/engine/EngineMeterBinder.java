package org.aio4j.engine;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Publishes an engine's {@link EngineMetrics} to Micrometer. Micrometer is an optional dependency of aio-core:
 * this class is the only one that refers to it and is loaded only when an application uses it.
 *
 * <pre>{@code
 * new EngineMeterBinder(engine, Tags.of("engine", "files")).bindTo(registry);
 * }</pre>
 *
 * Meters: {@code aio4j.engine.ops} (function counter, tag {@code outcome}: submitted, completed, failed,
 * cancelled, rejected, fastpath, retried), {@code aio4j.engine.inflight}, {@code aio4j.engine.inflight.peak},
 * {@code aio4j.engine.queued}, {@code aio4j.engine.lane.fds} (gauges) and {@code aio4j.engine.latency} (function
 * timer: count and total time).
 */
public final class EngineMeterBinder implements MeterBinder {
    private final AioEngine engine;
    private final Iterable<Tag> tags;

    /**
     * Binds {@code engine}'s metrics without extra tags.
     *
     * @param engine the engine whose {@link AioEngine#metrics()} the meters read
     */
    public EngineMeterBinder(AioEngine engine) {
        this(engine, Tags.empty());
    }

    /**
     * Binds {@code engine}'s metrics with {@code tags} on every meter.
     *
     * @param engine the engine whose {@link AioEngine#metrics()} the meters read
     * @param tags added to every meter, for example the engine's name
     */
    public EngineMeterBinder(AioEngine engine, Iterable<Tag> tags) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.tags = Objects.requireNonNull(tags, "tags");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        EngineMetrics m = engine.metrics();
        counter(registry, m, "submitted", EngineMetrics::submitted);
        counter(registry, m, "completed", EngineMetrics::completed);
        counter(registry, m, "failed", EngineMetrics::failed);
        counter(registry, m, "cancelled", EngineMetrics::cancelled);
        counter(registry, m, "rejected", EngineMetrics::rejected);
        counter(registry, m, "fastpath", EngineMetrics::fastPathReads);
        counter(registry, m, "retried", EngineMetrics::retries);
        gauge(registry, m, "aio4j.engine.inflight", "operations holding a slot now", EngineMetrics::inFlight);
        gauge(registry, m, "aio4j.engine.inflight.peak", "highest in-flight count", EngineMetrics::peakInFlight);
        gauge(registry, m, "aio4j.engine.queued", "operations waiting for a slot", EngineMetrics::queued);
        gauge(registry, m, "aio4j.engine.lane.fds", "dup'd lane fds held", EngineMetrics::laneFds);
        FunctionTimer.builder(
                        "aio4j.engine.latency",
                        m,
                        EngineMetrics::latencyCount,
                        EngineMetrics::totalLatencyNanos,
                        TimeUnit.NANOSECONDS)
                .description("submit-to-completion time")
                .tags(tags)
                .register(registry);
    }

    private void counter(MeterRegistry r, EngineMetrics m, String outcome, ToDoubleFunction<EngineMetrics> f) {
        FunctionCounter.builder("aio4j.engine.ops", m, f)
                .description("engine operations by outcome")
                .tags(tags)
                .tag("outcome", outcome)
                .register(r);
    }

    private void gauge(MeterRegistry r, EngineMetrics m, String name, String desc, ToDoubleFunction<EngineMetrics> f) {
        Gauge.builder(name, m, f).description(desc).tags(tags).register(r);
    }
}

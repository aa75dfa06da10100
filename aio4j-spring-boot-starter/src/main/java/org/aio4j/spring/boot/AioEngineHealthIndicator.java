package org.aio4j.spring.boot;

import java.util.Objects;
import org.aio4j.engine.AioEngine;
import org.aio4j.engine.EngineMetrics;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The engine's health: UP while it is open, DOWN once closed, with details {@code mechanism} (for example {@code
 * SUSPEND(aio_suspend)}), {@code maxInFlight}, {@code inFlight}, {@code queued}, {@code completed}, {@code failed}
 * (operations that ended with an error), {@code cancelled} and {@code rejected}.
 */
public final class AioEngineHealthIndicator implements HealthIndicator {
    private final AioEngine engine;

    /**
     * Reports on {@code engine}.
     *
     * @param engine the engine
     */
    public AioEngineHealthIndicator(AioEngine engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    /** UP with the engine's details while it is open, DOWN once it is closed. */
    @Override
    public Health health() {
        EngineMetrics m = engine.metrics();
        Health.Builder b = engine.isClosed() ? Health.down() : Health.up();
        return b.withDetail("open", !engine.isClosed())
                .withDetail("backend", engine.backend().name())
                .withDetail("mechanism", engine.mechanism())
                .withDetail("maxInFlight", engine.maxInFlight())
                .withDetail("inFlight", m.inFlight())
                .withDetail("queued", m.queued())
                .withDetail("completed", m.completed())
                .withDetail("failed", m.failed())
                .withDetail("cancelled", m.cancelled())
                .withDetail("rejected", m.rejected())
                .build();
    }
}

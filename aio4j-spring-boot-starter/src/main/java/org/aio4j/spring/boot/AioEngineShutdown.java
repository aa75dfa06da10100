package org.aio4j.spring.boot;

import java.time.Duration;
import java.util.Objects;
import org.aio4j.engine.AioEngine;
import org.aio4j.engine.EngineMetrics;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * Closes the auto-configured {@link AioEngine} when the context closes: first waits, up to a timeout, until no
 * operation is in flight or queued (the web server has stopped taking requests by then), then calls {@link
 * AioEngine#close()}, which cancels what is left and waits for it to be reaped. An engine bean the application
 * defines itself is not touched.
 */
public final class AioEngineShutdown implements DisposableBean {
    private static final Log log = LogFactory.getLog(AioEngineShutdown.class);

    private final AioEngine engine;
    private final Duration timeout;

    /**
     * Closes {@code engine} at context close, after its operations finished or {@code timeout} passed.
     *
     * @param engine the engine to close
     * @param timeout the longest wait for the operations in flight
     */
    public AioEngineShutdown(AioEngine engine, Duration timeout) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** Waits for the operations in flight (up to the timeout), then closes the engine. */
    @Override
    public void destroy() throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        EngineMetrics m = engine.metrics();
        while (m.inFlight() + m.queued() > 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        int left = m.inFlight() + m.queued();
        if (left > 0) {
            log.warn("aio4j engine: " + left + " operations still in flight after " + timeout
                    + " (aio4j.engine.shutdown-timeout): closing cancels them");
        }
        engine.close();
    }
}

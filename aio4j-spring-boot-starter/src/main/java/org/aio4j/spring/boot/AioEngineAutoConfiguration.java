package org.aio4j.spring.boot;

import org.aio4j.engine.AioEngine;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * An {@link AioEngine} bean built from the {@code aio4j.engine.*} properties ({@link AioEngineProperties}), unless
 * the application defines its own {@code AioEngine} bean, and an {@link AioEngineShutdown} that closes it with the
 * context after its operations finished or {@code aio4j.engine.shutdown-timeout} passed.
 */
@AutoConfiguration
@ConditionalOnClass(AioEngine.class)
@ConditionalOnMissingBean(AioEngine.class)
@EnableConfigurationProperties(AioEngineProperties.class)
public class AioEngineAutoConfiguration {
    /** Creates the auto-configuration (Spring does). */
    public AioEngineAutoConfiguration() {}

    /**
     * The engine. Its own {@code close()} is not the bean's destroy method: {@link #aioEngineShutdown} closes it
     * gracefully.
     *
     * @param properties the {@code aio4j.engine.*} settings
     * @return a started engine
     */
    @Bean(destroyMethod = "")
    public AioEngine aioEngine(AioEngineProperties properties) {
        AioEngine.Builder b =
                AioEngine.builder().maxInFlight(properties.getMaxInFlight()).closeTimeout(properties.getCloseTimeout());
        if (properties.getBackend() != null) b.backend(properties.getBackend());
        if (properties.getNotification() != null) b.notification(properties.getNotification());
        if (properties.getLanes() != null) b.lanes(properties.getLanes());
        if (properties.getDirectLanes() != null) b.directLanes(properties.getDirectLanes());
        if (properties.getCachedReadFastPath() != null) b.cachedReadFastPath(properties.getCachedReadFastPath());
        if (properties.getName() != null && !properties.getName().isBlank()) b.name(properties.getName());
        return b.build();
    }

    /**
     * Closes {@link #aioEngine} when the context closes.
     *
     * @param aioEngine the engine made here
     * @param properties the shutdown timeout
     * @return the closer
     */
    @Bean
    public AioEngineShutdown aioEngineShutdown(AioEngine aioEngine, AioEngineProperties properties) {
        return new AioEngineShutdown(aioEngine, properties.getShutdownTimeout());
    }
}

package org.aio4j.spring.boot;

import io.micrometer.core.instrument.binder.MeterBinder;
import org.aio4j.engine.AioEngine;
import org.aio4j.engine.EngineMeterBinder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * When Micrometer is on the classpath: an {@link EngineMeterBinder} for the {@link AioEngine} bean, so Spring Boot's
 * metrics support binds the {@code aio4j.engine.*} meters (operations by outcome, in flight, queued, latency) to
 * every registry.
 */
@AutoConfiguration(after = AioEngineAutoConfiguration.class)
@ConditionalOnClass({MeterBinder.class, EngineMeterBinder.class})
@ConditionalOnBean(AioEngine.class)
public class AioEngineMetricsAutoConfiguration {
    /** Creates the auto-configuration (Spring does). */
    public AioEngineMetricsAutoConfiguration() {}

    /**
     * The meters of the engine.
     *
     * @param engine the engine bean
     * @return its binder
     */
    @Bean
    @ConditionalOnMissingBean
    public EngineMeterBinder aioEngineMeterBinder(AioEngine engine) {
        return new EngineMeterBinder(engine);
    }
}

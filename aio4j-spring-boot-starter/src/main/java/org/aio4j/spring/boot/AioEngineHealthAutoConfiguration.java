package org.aio4j.spring.boot;

import org.aio4j.engine.AioEngine;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With Spring Boot's health support (Actuator): an {@link AioEngineHealthIndicator} for the {@link AioEngine} bean,
 * shown as {@code aio4j} under {@code /actuator/health}; {@code management.health.aio4j.enabled=false} turns it off.
 */
@AutoConfiguration(after = AioEngineAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
public class AioEngineHealthAutoConfiguration {
    /** Creates the auto-configuration (Spring does). */
    public AioEngineHealthAutoConfiguration() {}

    /**
     * The indicator's own conditions, nested: {@code @ConditionalOnEnabledHealthIndicator}'s condition class lives in
     * spring-boot-health, so it must be looked at only once the outer class found that module.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean(AioEngine.class)
    @ConditionalOnEnabledHealthIndicator("aio4j")
    public static class IndicatorConfiguration {
        /** Creates the configuration (Spring does). */
        public IndicatorConfiguration() {}

        /**
         * The health indicator, named {@code aio4j} in the health report.
         *
         * @param engine the engine bean
         * @return its indicator
         */
        @Bean(name = "aio4jHealthIndicator")
        @ConditionalOnMissingBean(name = "aio4jHealthIndicator")
        public AioEngineHealthIndicator aio4jHealthIndicator(AioEngine engine) {
            return new AioEngineHealthIndicator(engine);
        }
    }
}

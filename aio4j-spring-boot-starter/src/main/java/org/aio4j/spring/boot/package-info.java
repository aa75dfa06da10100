/**
 * Spring Boot auto-configuration for aio4j: an {@link org.aio4j.engine.AioEngine} bean from {@code aio4j.engine.*},
 * closed with the context, its Micrometer meters and Actuator health, and the aio4j file router from {@code
 * aio4j.files.*}. See {@link org.aio4j.spring.boot.AioEngineAutoConfiguration} and {@link
 * org.aio4j.spring.boot.AioFilesAutoConfiguration}.
 */
package org.aio4j.spring.boot;

/**
 * A WebFlux functional router that serves, receives and copies the files of one directory through aio4j: {@link
 * org.aio4j.webflux.AioFileRouter}. Needs spring-webflux on the classpath (an optional dependency of this module,
 * the application's own); the Spring Boot starter {@code aio4j-spring-boot-starter} mounts it from properties.
 */
package org.aio4j.webflux;

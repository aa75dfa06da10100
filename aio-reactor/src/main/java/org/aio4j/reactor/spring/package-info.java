/**
 * Spring {@code DataBuffer} file I/O on aio4j: {@link org.aio4j.reactor.spring.AioDataBufferUtils}, a drop-in for
 * the file methods of Spring's {@code DataBufferUtils}. Needs spring-core on the classpath (an optional dependency
 * of this module).
 */
package org.aio4j.reactor.spring;

/**
 * Implementation of aio4j-reactor: the operators ({@link org.aio4j.reactor.internal.ReadFlux}, {@link
 * org.aio4j.reactor.internal.WriteMono}, {@link org.aio4j.reactor.internal.OpMono}, {@link
 * org.aio4j.reactor.internal.OpenMono}), the chunk pool and the seam to the engine ({@link
 * org.aio4j.reactor.internal.AioOps}). Not an API: it may change in any release.
 */
package org.aio4j.reactor.internal;

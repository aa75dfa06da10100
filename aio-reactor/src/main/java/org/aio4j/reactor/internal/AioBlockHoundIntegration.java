package org.aio4j.reactor.internal;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * What aio4j-reactor tells BlockHound (loaded through {@code META-INF/services} when BlockHound is installed; the
 * dependency is optional).
 *
 * <ul>
 *   <li>{@link ChunkPool#allocate}: {@code ByteBuffer.allocateDirect} may sleep briefly while the JVM reclaims
 *       direct memory (in {@code java.nio.Bits.reserveMemory}); that is bounded, rare and legitimate on any
 *       thread that reads a file chunk.
 * </ul>
 *
 * <p>Opening and closing files is never allowed here: aio4j-reactor does both on {@code boundedElastic()} (or the
 * configured blocking scheduler), so BlockHound keeps flagging any regression.
 */
public final class AioBlockHoundIntegration implements BlockHoundIntegration {
    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside(ChunkPool.class.getName(), "allocate");
    }
}

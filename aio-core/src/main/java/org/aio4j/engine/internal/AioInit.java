package org.aio4j.engine.internal;

import org.aio4j.internal.AioAbi;
import org.aio4j.internal.NativeLib;
import org.aio4j.internal.NativeMemory;

/**
 * glibc's {@code aio_init}. {@code struct aioinit} is eight ints (checked with gcc on glibc 2.36 x86_64: 32 bytes,
 * {@code aio_threads} at 0, {@code aio_num} at 4, {@code aio_idle_time} at 24): aio_threads, aio_num, aio_locks,
 * aio_usedba, aio_debug, aio_numusers, aio_idle_time, aio_reserved.
 */
public final class AioInit {
    private AioInit() {}

    /**
     * Calls {@code aio_init}; -1 keeps glibc's default for a value (20 threads, 64 requests, 1 s idle).
     *
     * @throws UnsupportedOperationException where the C library has no {@code aio_init}
     */
    public static void apply(AioAbi abi, int threads, int requests, int idleSeconds) {
        if (abi.sizeofAioinit < 32) {
            throw new UnsupportedOperationException("aio_init is not available on " + abi);
        }
        long p = NativeMemory.allocate(abi.sizeofAioinit);
        try {
            NativeMemory.putInt(p, threads >= 0 ? threads : 20);
            NativeMemory.putInt(p + 4, requests >= 0 ? requests : 64);
            NativeMemory.putInt(p + 24, idleSeconds >= 0 ? idleSeconds : 1);
            NativeLib.gnu().aio_init(p);
        } catch (LinkageError e) {
            throw new UnsupportedOperationException("aio_init is not available: " + e, e);
        } finally {
            NativeMemory.free(p, abi.sizeofAioinit);
        }
    }
}

package org.aio4j.internal;

/**
 * glibc's {@code aio_init} (a GNU extension), in one place: who called it and how.
 *
 * <p>{@code struct aioinit} (glibc {@code <aio.h>}, 32 bytes): {@code int aio_threads, aio_num, aio_locks,
 * aio_usedba, aio_debug, aio_numusers, aio_idle_time, aio_reserved}. glibc applies {@code aio_threads} and {@code
 * aio_num} only before the process's first AIO request, and {@code aio_idle_time} only when it is not 0.
 *
 * <p>The completion engine sizes glibc's helper pool by default (see {@code AioEngine.Builder#directLanes}) but
 * never overrides a size the application chose itself: {@link #configuredByApplication()} says whether it did.
 */
public final class AioInit {
    private static volatile boolean byApplication;

    private AioInit() {}

    /** True where the C library has {@code aio_init} (glibc). */
    public static boolean isAvailable() {
        return NativeLib.isAvailable() && NativeLib.abi().sizeofAioinit > 0 && NativeLib.hasSymbol("aio_init");
    }

    /** True once the application called {@code aio_init} through aio4j's public API. */
    public static boolean configuredByApplication() {
        return byApplication;
    }

    /**
     * Calls {@code aio_init}.
     *
     * @param byApp true for a call the application asked for (then the engine's default sizing stays away)
     * @param idleTimeSeconds 0 leaves glibc's idle time as it is
     * @throws UnsupportedOperationException where the C library has no {@code aio_init}
     */
    public static void apply(int threads, int num, int idleTimeSeconds, boolean byApp) {
        if (threads < 1 || num < 1 || idleTimeSeconds < 0) {
            throw new IllegalArgumentException("aioInit(" + threads + ", " + num + ", " + idleTimeSeconds
                    + "): threads and num must be positive, idleTimeSeconds not negative");
        }
        AioAbi abi = NativeLib.abi();
        if (abi.sizeofAioinit <= 0) {
            throw new UnsupportedOperationException("aio_init exists only in glibc, not on " + abi.name);
        }
        if (byApp) byApplication = true;
        long init = NativeMemory.allocate(abi.sizeofAioinit);
        try {
            NativeMemory.putInt(init, threads); // aio_threads
            NativeMemory.putInt(init + 4, num); // aio_num
            NativeMemory.putInt(init + 24, idleTimeSeconds); // aio_idle_time
            NativeLib.gnu().aio_init(init);
        } catch (UnsatisfiedLinkError e) {
            throw new UnsupportedOperationException("aio_init is missing from this C library", e);
        } finally {
            NativeMemory.free(init, abi.sizeofAioinit);
        }
    }
}

package org.aio4j.engine;

import java.util.Locale;
import org.aio4j.engine.internal.IoUring;
import org.aio4j.internal.NativeLib;

/**
 * The mechanism an {@link AioEngine} moves bytes with, chosen with {@link AioEngine.Builder#backend(EngineBackend)}
 * and reported by {@link AioEngine#backend()}. The default is {@link #POSIX_AIO}; the system property {@code
 * aio4j.backend} ({@code posix_aio} or {@code io_uring}) sets the backend of {@link AioEngine#shared()}.
 *
 * <pre>{@code
 * EngineBackend b = EngineBackend.IO_URING.isAvailable() ? EngineBackend.IO_URING : EngineBackend.POSIX_AIO;
 * try (AioEngine engine = AioEngine.builder().backend(b).build()) { ... }
 * }</pre>
 */
public enum EngineBackend {
    /**
     * POSIX AIO ({@code aio_read}/{@code aio_write}/{@code aio_fsync}, glibc's helper threads on Linux), with the
     * {@link Notification} modes, lanes and glibc's pool sizing. Available wherever aio4j's C binding loads.
     */
    POSIX_AIO,
    /**
     * Linux io_uring (5.11 or later): one ring per engine, submitted and reaped by the engine's reaper thread, no
     * helper thread pool of the C library. Notification modes, lanes and {@code aioInit} do not apply. May be
     * refused by the kernel ({@code kernel.io_uring_disabled}) or a container's seccomp filter: see {@link
     * #unavailabilityCause()}.
     */
    IO_URING;

    /** The system property that sets the backend of {@link AioEngine#shared()}. */
    public static final String PROPERTY = "aio4j.backend";

    /**
     * True if an engine with this backend can be built in this process.
     *
     * @return true when {@link #unavailabilityCause()} is null
     */
    public boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    /**
     * Null if {@link #isAvailable()}; otherwise why not: for {@link #IO_URING} an exception whose message names the
     * refusal (for a refused {@code io_uring_setup}, its cause is the {@link org.aio4j.AioException} with the errno).
     *
     * @return null, or the reason this backend cannot be used here
     */
    public Throwable unavailabilityCause() {
        if (this == POSIX_AIO) return NativeLib.isAvailable() ? null : NativeLib.unavailabilityCause();
        return IoUring.unavailabilityCause();
    }

    /**
     * The backend named by {@code aio4j.backend} ({@code posix_aio} or {@code io_uring}, any case), {@link
     * #POSIX_AIO} when it is not set.
     *
     * @throws IllegalArgumentException for any other value
     */
    static EngineBackend fromSystemProperty() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) return POSIX_AIO;
        try {
            return valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + v + ": expected posix_aio or io_uring", e);
        }
    }
}

package org.aio4j.engine;

import org.aio4j.engine.internal.Backend;
import org.aio4j.engine.internal.IoUringBackend;
import org.aio4j.engine.internal.JvmSignalWaiter;
import org.aio4j.engine.internal.KeventWaiter;
import org.aio4j.engine.internal.NativePosix;
import org.aio4j.engine.internal.Posix;
import org.aio4j.engine.internal.PosixAioBackend;
import org.aio4j.engine.internal.SemaphoreWaiter;
import org.aio4j.engine.internal.SignalFdWaiter;
import org.aio4j.engine.internal.SuspendWaiter;
import org.aio4j.engine.internal.Symbols;
import org.aio4j.engine.internal.Waiter;
import org.aio4j.internal.AioAbi;
import org.aio4j.internal.AioInit;
import org.aio4j.internal.NativeLib;

/**
 * Room "build" of {@link AioEngine}: what {@link AioEngine.Builder#build()} does. Chooses and checks the backend
 * ({@link EngineBackend#POSIX_AIO}: the notification mode and its {@link Waiter}, glibc's {@code aio_init}, the
 * exact-signal claim; {@link EngineBackend#IO_URING}: the availability probe and the ring), decides the cached-read
 * fast path, applies the test hooks (a fake {@link Posix}, a decorating backend) and makes the engine.
 */
final class EngineFactory {
    private EngineFactory() {}

    /** {@link AioEngine.Builder#build()}. */
    static AioEngine build(AioEngine.Builder b) {
        Posix px = b.posix;
        AioAbi a = b.abi;
        if (px == null) {
            NativeLib.ensureAvailable();
            px = NativePosix.INSTANCE;
            a = NativeLib.abi();
        }
        if (b.backend == EngineBackend.IO_URING) return buildIoUring(b, px, a);
        Notification mode = b.notification;
        if (mode == null) mode = a.SIGEV_KEVENT != AioAbi.ABSENT ? Notification.KEVENT : Notification.SUSPEND;
        int initThreads = 0;
        if (b.aioThreads >= 0 || b.aioIdleSeconds >= 0 || b.aioNum >= 0) {
            // the application's own sizing: unset values are the engine's default thread count, glibc's 64
            // requests, and the idle time left as it is (0)
            initThreads = b.aioThreads >= 0 ? b.aioThreads : b.directLanes;
            AioInit.apply(
                    initThreads, b.aioNum >= 0 ? b.aioNum : 64, b.aioIdleSeconds >= 0 ? b.aioIdleSeconds : 0, true);
        } else if (px == NativePosix.INSTANCE && AioInit.isAvailable() && !AioInit.configuredByApplication()) {
            // Default sizing: as many helper threads as an O_DIRECT file has lanes. More threads than busy fd
            // numbers make glibc start and end helper threads all the time (measured here at QD 64 over 16
            // lanes: about 1,400 thread starts per second with glibc's 20 threads, 400 with 12 threads on 12
            // lanes); see docs/engine.md. glibc ignores the count once the process has made an AIO request.
            initThreads = b.directLanes;
            AioInit.apply(initThreads, 64, 0, false);
        }
        boolean fp = fastPath(b, a);
        int claimed = -1;
        int slots = b.maxInFlight;
        Waiter w;
        switch (mode) {
            case SUSPEND -> w = new SuspendWaiter(b.suspendSlice.toNanos());
            case THREAD -> w = new SemaphoreWaiter(Symbols.semPost());
            case KEVENT -> {
                if (a.SIGEV_KEVENT == AioAbi.ABSENT) {
                    throw new UnsupportedOperationException("KEVENT needs SIGEV_KEVENT (FreeBSD), not " + a);
                }
                w = new KeventWaiter();
            }
            case SIGNAL -> {
                int rt = b.realtimeSignal > 0 ? b.realtimeSignal : Symbols.defaultRealtimeSignal();
                if (b.posix == null && rt > 0 && SignalFdWaiter.blockedInEveryThread(rt) && SignalFdWaiter.claim(rt)) {
                    claimed = rt;
                    w = new SignalFdWaiter(rt);
                    slots = SignalFdWaiter.boundInFlight(b.maxInFlight); // below RLIMIT_SIGPENDING
                } else {
                    w = new JvmSignalWaiter(b.signal, b.signal.equals("USR1") ? a.SIGUSR1 : a.SIGUSR2);
                }
            }
            default -> throw new AssertionError(mode);
        }
        Backend backend;
        try {
            backend = new PosixAioBackend(px, a, slots, w, fp);
            if (b.decorate != null) backend = b.decorate.apply(backend);
        } catch (RuntimeException | Error e) {
            if (claimed > 0) SignalFdWaiter.unclaim(claimed);
            throw e;
        }
        return new AioEngine(b, backend, mode, initThreads);
    }

    private static AioEngine buildIoUring(AioEngine.Builder b, Posix px, AioAbi a) {
        if (b.notification != null) {
            throw new IllegalArgumentException("notification(" + b.notification + ") applies to POSIX_AIO only; an"
                    + " IO_URING engine is notified by its ring (leave notification unset)");
        }
        Throwable cause = EngineBackend.IO_URING.unavailabilityCause();
        if (cause != null) {
            String m = cause.getMessage();
            throw new UnsupportedOperationException(
                    m != null && m.startsWith("io_uring") ? m : "io_uring is unavailable: " + cause, cause);
        }
        Backend backend = new IoUringBackend(px, a, b.maxInFlight, fastPath(b, a));
        if (b.decorate != null) backend = b.decorate.apply(backend);
        return new AioEngine(b, backend, null, 0);
    }

    /**
     * Whether reads try {@code preadv2(RWF_NOWAIT)} first: as set, else where the C library and kernel have it.
     *
     * @throws UnsupportedOperationException if it was set on where there is no {@code preadv2(RWF_NOWAIT)}
     */
    private static boolean fastPath(AioEngine.Builder b, AioAbi a) {
        boolean hasPreadv2 = a.RWF_NOWAIT != AioAbi.ABSENT && NativeLib.hasSymbol("preadv2");
        if (b.fastPath == Boolean.TRUE && !hasPreadv2) {
            throw new UnsupportedOperationException(
                    "the cached-read fast path needs preadv2(RWF_NOWAIT), which " + a.name + " lacks here");
        }
        return b.fastPath == null ? hasPreadv2 : b.fastPath;
    }
}

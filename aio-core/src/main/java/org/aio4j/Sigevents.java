package org.aio4j;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.aio4j.internal.AioAbi;
import org.aio4j.internal.NativeLib;
import org.aio4j.internal.NativeMemory;

/**
 * Writes a {@link SigevNotify} into a native {@code struct sigevent}: the ONE place that does so, used by every
 * operation and by {@link PosixAio#lioListio}.
 */
final class Sigevents {
    /**
     * Native trampolines of Java callbacks, one per callback instance, never released: glibc starts the
     * SIGEV_THREAD notification thread under its lock but the thread may call the function after the operation was
     * reaped, so the code must outlive every operation that named it.
     */
    private static final Map<SigevNotify.Callback, Closure> CLOSURES = new ConcurrentHashMap<>();

    /** A trampoline and the guarded callback it calls, both kept reachable. */
    private record Closure(Pointer pointer, SigevNotify.Callback target) {}

    private Sigevents() {}

    /**
     * Zeroes the {@code struct sigevent} at {@code address} and writes {@code notify} into it.
     *
     * @return an object that must stay strongly reachable as long as the C library may use this sigevent (the
     *     closure of a Java callback), or null
     */
    static Object write(long address, SigevNotify notify) {
        AioAbi abi = NativeLib.abi();
        AioAbi.SigeventLayout s = abi.sigevent;
        NativeMemory.zero(address, s.size());
        if (notify instanceof SigevNotify.SigevNone) {
            NativeMemory.putInt(address + s.notifyField(), abi.SIGEV_NONE);
            return null;
        } else if (notify instanceof SigevNotify.SigevSignal sig) {
            NativeMemory.putInt(address + s.notifyField(), abi.SIGEV_SIGNAL);
            NativeMemory.putInt(address + s.signo(), sig.signo());
            NativeMemory.putLong(address + s.value(), sig.value());
            return null;
        } else if (notify instanceof SigevNotify.SigevThread t) {
            Pointer closure = closureOf(t.callback());
            NativeMemory.putInt(address + s.notifyField(), abi.SIGEV_THREAD);
            NativeMemory.putLong(address + s.notifyFunction(), closure.address());
            NativeMemory.putLong(address + s.value(), t.value());
            return closure;
        } else if (notify instanceof SigevNotify.SigevThreadNative t) {
            NativeMemory.putInt(address + s.notifyField(), abi.SIGEV_THREAD);
            NativeMemory.putLong(address + s.notifyFunction(), t.functionAddress());
            NativeMemory.putLong(address + s.value(), t.value());
            return null;
        } else if (notify instanceof SigevNotify.SigevKevent k) {
            if (abi.SIGEV_KEVENT == AioAbi.ABSENT || s.notifyKqueue() < 0) {
                throw new UnsupportedOperationException("SIGEV_KEVENT does not exist on " + abi.name);
            }
            NativeMemory.putInt(address + s.notifyField(), abi.SIGEV_KEVENT);
            NativeMemory.putInt(address + s.notifyKqueue(), k.kq());
            NativeMemory.putLong(address + s.value(), k.udata());
            return null;
        }
        throw new IllegalArgumentException("unknown SigevNotify " + notify);
    }

    private static Pointer closureOf(SigevNotify.Callback callback) {
        return CLOSURES.computeIfAbsent(callback, cb -> {
                    SigevNotify.Callback guarded = value -> {
                        try {
                            cb.onCompletion(value);
                        } catch (Throwable t) {
                            // must not unwind into the C library's notification thread
                        }
                    };
                    Pointer p = Runtime.getSystemRuntime()
                            .getClosureManager()
                            .getClosurePointer(SigevNotify.Callback.class, guarded);
                    return new Closure(p, guarded);
                })
                .pointer();
    }
}

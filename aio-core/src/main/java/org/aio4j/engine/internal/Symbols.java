package org.aio4j.engine.internal;

import com.kenai.jffi.Library;
import org.aio4j.internal.NativeLib;

/** Native symbol addresses and values the engine needs. */
public final class Symbols {
    private Symbols() {}

    /** The address of libc's {@code sem_post}, for {@code SIGEV_THREAD} notification without a JVM callback. */
    public static long semPost() {
        NativeLib.ensureAvailable();
        String[] names = {"libc.so.6", "libc.so.7", "libc.so", "libSystem.B.dylib"};
        for (String n : names) {
            Library lib = Library.getCachedInstance(n, Library.LAZY | Library.GLOBAL);
            if (lib != null) {
                long a = lib.getSymbolAddress("sem_post");
                if (a != 0) return a;
            }
        }
        long a = Library.getDefault().getSymbolAddress("sem_post");
        if (a == 0) throw new UnsupportedOperationException("sem_post not found");
        return a;
    }

    /** SIGRTMIN+6 where the C library reports SIGRTMIN (glibc: 40), else 0. */
    public static int defaultRealtimeSignal() {
        try {
            return NativeLib.gnu().__libc_current_sigrtmin() + 6;
        } catch (RuntimeException | LinkageError e) {
            return 0;
        }
    }
}

package org.aio4j;

import java.util.Objects;
import jnr.ffi.annotations.Delegate;
import org.aio4j.internal.AioAbi;
import org.aio4j.internal.NativeLib;

/**
 * How the C library tells you that an operation (or a {@link PosixAio#lioListio lio_listio} group) has completed:
 * the {@code sigev_notify} part of a {@code struct sigevent}. Mirrors nix's {@code SigevNotify}.
 *
 * <ul>
 *   <li>{@link #none()}: no notification; poll with {@link Aio#error()} or wait with {@link PosixAio#aioSuspend}.
 *   <li>{@link #signal(int, long)}: {@code SIGEV_SIGNAL}, a process-directed signal carrying {@code value}. Use a
 *       signal the JVM lets you handle ({@code SIGUSR1}/{@code SIGUSR2} through {@code sun.misc.Signal}): a
 *       real-time signal whose action is the default kills the JVM. Each unconsumed completion signal counts against
 *       {@code RLIMIT_SIGPENDING}; past it glibc reports finished operations as {@code EAGAIN} although they were
 *       performed ({@link AioException#ofSignalledCompletion} types that as {@link AioNotificationLostException}).
 *   <li>{@link #thread(Callback, long)}: {@code SIGEV_THREAD} calling back into Java on a new native thread per
 *       completion (about 340 us each on glibc).
 *   <li>{@link #threadNative(long, long)}: {@code SIGEV_THREAD} calling a native function such as {@code sem_post}.
 *   <li>{@link #kevent(int, long)}: {@code SIGEV_KEVENT} (FreeBSD only).
 * </ul>
 *
 * <pre>{@code
 * SigevNotify sev = SigevNotify.signal(NativeLib.abi().SIGUSR2, 42);
 * AioWrite w = new AioWrite(fd, 0, buf, 0, sev);
 * }</pre>
 */
public sealed interface SigevNotify
        permits SigevNotify.SigevNone,
                SigevNotify.SigevSignal,
                SigevNotify.SigevThread,
                SigevNotify.SigevThreadNative,
                SigevNotify.SigevKevent {

    /**
     * No notification ({@code SIGEV_NONE}).
     *
     * @return the one {@code SIGEV_NONE} notification
     */
    static SigevNotify none() {
        return SigevNone.INSTANCE;
    }

    /**
     * {@code SIGEV_SIGNAL}: send {@code signo} with {@code sigev_value = value} on completion.
     *
     * @param signo the signal number
     * @param value the {@code sigev_value} delivered with the signal (as {@code si_value})
     * @return a {@code SIGEV_SIGNAL} notification
     * @throws IllegalArgumentException unless {@code 1 <= signo <= 64}
     */
    static SigevNotify signal(int signo, long value) {
        return new SigevSignal(signo, value);
    }

    /**
     * {@code SIGEV_THREAD} with a Java callback: the C library starts a thread per completion that calls {@code
     * callback.onCompletion(value)}. The native trampoline of a callback is created once per callback instance and
     * kept for the life of the process, because glibc may run the notification thread after the operation has been
     * reaped: reuse one callback instance instead of making one per operation. An exception thrown by the callback
     * is caught and ignored (it must not unwind into C).
     *
     * @param callback called once per completion, on a thread the C library starts
     * @param value passed to the callback
     * @return a {@code SIGEV_THREAD} notification
     */
    static SigevNotify thread(Callback callback, long value) {
        return new SigevThread(callback, value);
    }

    /**
     * {@code SIGEV_THREAD} calling the native function at {@code functionAddress} (signature {@code void f(union
     * sigval)}) with {@code value}, for example libc's {@code sem_post} with the address of a {@code sem_t}. The
     * function and whatever {@code value} points to must stay valid until the notification has run.
     *
     * @param functionAddress the native function's address, not 0
     * @param value passed to the function as its {@code union sigval}
     * @return a {@code SIGEV_THREAD} notification
     * @throws IllegalArgumentException if {@code functionAddress} is 0
     */
    static SigevNotify threadNative(long functionAddress, long value) {
        return new SigevThreadNative(functionAddress, value);
    }

    /**
     * {@code SIGEV_KEVENT}: post an {@code EVFILT_AIO} event with {@code udata} to the kqueue {@code kq} (FreeBSD).
     *
     * @param kq the kqueue's file descriptor
     * @param udata the {@code udata} of the posted event
     * @return a {@code SIGEV_KEVENT} notification
     * @throws UnsupportedOperationException where the OS has no {@code SIGEV_KEVENT} (Linux, macOS)
     */
    static SigevNotify kevent(int kq, long udata) {
        return new SigevKevent(kq, udata);
    }

    /** A Java completion callback for {@link #thread(Callback, long)}. */
    @FunctionalInterface
    interface Callback {
        /**
         * Called on a native thread started by the C library, with the {@code sigev_value} of the notification.
         *
         * @param value the value given to {@link #thread(Callback, long)}
         */
        @Delegate
        void onCompletion(long value);
    }

    /** {@code SIGEV_NONE}. */
    record SigevNone() implements SigevNotify {
        static final SigevNone INSTANCE = new SigevNone();
    }

    /**
     * {@code SIGEV_SIGNAL}.
     *
     * @param signo the signal number
     * @param value the {@code sigev_value} ({@code sival_ptr}) delivered with it
     */
    record SigevSignal(int signo, long value) implements SigevNotify {
        /**
         * Checks the signal number.
         *
         * @param signo the signal number, 1 to 64
         * @param value the {@code sigev_value} delivered with it
         */
        public SigevSignal {
            if (signo < 1 || signo > 64) throw new IllegalArgumentException("not a signal number: " + signo);
        }
    }

    /**
     * {@code SIGEV_THREAD} with a Java callback.
     *
     * @param callback called on completion
     * @param value passed to the callback
     */
    record SigevThread(Callback callback, long value) implements SigevNotify {
        /**
         * Checks the callback.
         *
         * @param callback called on completion, not null
         * @param value passed to the callback
         */
        public SigevThread {
            Objects.requireNonNull(callback, "callback");
        }
    }

    /**
     * {@code SIGEV_THREAD} with a native function.
     *
     * @param functionAddress address of {@code void f(union sigval)}
     * @param value passed to the function
     */
    record SigevThreadNative(long functionAddress, long value) implements SigevNotify {
        /**
         * Checks the address.
         *
         * @param functionAddress address of {@code void f(union sigval)}, not 0
         * @param value passed to the function
         */
        public SigevThreadNative {
            if (functionAddress == 0) throw new IllegalArgumentException("functionAddress must not be 0");
        }
    }

    /**
     * {@code SIGEV_KEVENT} (FreeBSD).
     *
     * @param kq the kqueue fd
     * @param udata the {@code udata} of the posted event
     */
    record SigevKevent(int kq, long udata) implements SigevNotify {
        /**
         * Refuses platforms without {@code SIGEV_KEVENT}.
         *
         * @param kq the kqueue fd
         * @param udata the {@code udata} of the posted event
         */
        public SigevKevent {
            AioAbi abi = NativeLib.abi();
            if (abi.SIGEV_KEVENT == AioAbi.ABSENT) {
                throw new UnsupportedOperationException(
                        "SIGEV_KEVENT does not exist on " + abi.name + ": use none(), signal() or thread()");
            }
        }
    }
}

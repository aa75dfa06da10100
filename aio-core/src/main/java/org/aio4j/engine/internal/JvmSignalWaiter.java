package org.aio4j.engine.internal;

import java.util.concurrent.locks.LockSupport;
import org.aio4j.engine.internal.Backend.CompletionSink;
import org.aio4j.internal.NativeMemory;

/**
 * {@code SIGNAL} through a JVM-handled classic signal ({@code SIGUSR1} by default): sigevents say {@code
 * SIGEV_SIGNAL} with that signal; the JVM's handler (see {@link SignalHub}) unparks the reaper, which scans every
 * op in flight, since classic signals coalesce and the JVM drops {@code si_value}. The handler is installed before
 * the first op is submitted, so no completion signal can meet the default action. While the engine is open it owns
 * the signal: completion wake-ups are not passed on to a handler the application installed before (it is put back
 * when the last engine using the signal closes, see {@link SignalHub}).
 */
public final class JvmSignalWaiter extends Waiter {
    private final String signalName;
    private final int signo;
    private PosixAioBackend b;
    private volatile boolean signalled;
    private boolean woke;

    /** @param signalName {@code "USR1"} or {@code "USR2"} */
    public JvmSignalWaiter(String signalName, int signo) {
        this.signalName = signalName;
        this.signo = signo;
    }

    @Override
    protected void init(PosixAioBackend b) {
        this.b = b;
        SignalHub.register(signalName, this);
    }

    @Override
    protected void initSigevent(long sev, int slot) {
        var l = b.abi.sigevent;
        NativeMemory.putInt(sev + l.notifyField(), b.abi.SIGEV_SIGNAL);
        NativeMemory.putInt(sev + l.signo(), signo);
        NativeMemory.putLong(sev + l.value(), slot);
    }

    void signalled() {
        signalled = true;
        unparkReaper();
    }

    @Override
    protected boolean await(PosixAioBackend b, CompletionSink sink, long timeoutNanos) {
        // JVM signal delivery coalesces and goes through a dispatcher thread: with ops in flight, also rescan every
        // 5 ms so that a wake-up lost that way costs at most that.
        long t = b.n > 0 ? Math.min(timeoutNanos, 5_000_000L) : timeoutNanos;
        if (!signalled) LockSupport.parkNanos(this, t);
        woke = signalled;
        signalled = false;
        return true;
    }

    @Override
    protected boolean wokenByCompletion() {
        return woke;
    }

    @Override
    protected void wakeup() {
        unparkReaper();
    }

    @Override
    protected boolean close(long deadlineNanos) {
        SignalHub.unregister(signalName, this);
        return true;
    }

    @Override
    protected String name() {
        return "SIGNAL(SIG" + signalName + " via JVM handler, scan)";
    }
}

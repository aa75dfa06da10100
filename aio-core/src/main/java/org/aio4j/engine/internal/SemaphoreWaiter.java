package org.aio4j.engine.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.aio4j.engine.internal.Backend.CompletionSink;
import org.aio4j.internal.NativeMemory;

/**
 * {@code THREAD}, cheap form: {@code SIGEV_THREAD} with libc's own {@code sem_post} as the notify function and a
 * native {@code sem_t} as its argument, so glibc's notification thread never enters the JVM. The reaper waits in
 * {@code sem_timedwait} and then scans the ops in flight.
 *
 * <p>glibc may run the notification thread after the op already reads as complete, so the semaphore is destroyed
 * only once the reaper has consumed one post per submitted op (and per wake-up); if that does not happen by the
 * close deadline the semaphore is leaked on purpose rather than freed under a thread that may still post it.
 */
public final class SemaphoreWaiter extends Waiter {
    private final long semPost;
    private PosixAioBackend b;
    private long sem;
    private int semSize;
    private long ts;
    private final AtomicLong expected = new AtomicLong();
    private long consumed;
    private boolean woke;

    /** @param semPostAddress the address of libc's {@code sem_post} */
    public SemaphoreWaiter(long semPostAddress) {
        if (semPostAddress == 0) throw new IllegalArgumentException("no address for sem_post");
        this.semPost = semPostAddress;
    }

    @Override
    protected void init(PosixAioBackend b) {
        this.b = b;
        semSize = Math.max(32, b.abi.sizeofSemT);
        sem = NativeMemory.allocate(semSize);
        if (b.px.sem_init(sem, 0, 0) != 0) {
            int e = b.px.errno();
            NativeMemory.free(sem, semSize);
            throw new IllegalStateException("sem_init failed, errno " + e);
        }
        ts = NativeMemory.allocate(16);
    }

    @Override
    protected void initSigevent(long sev, int slot) {
        var l = b.abi.sigevent;
        NativeMemory.putInt(sev + l.notifyField(), b.abi.SIGEV_THREAD);
        NativeMemory.putLong(sev + l.notifyFunction(), semPost);
        NativeMemory.putLong(sev + l.value(), sem);
        NativeMemory.putLong(sev + l.notifyAttributes(), 0);
    }

    @Override
    protected void beforeSubmit(int slot) {
        expected.incrementAndGet();
    }

    @Override
    protected void submitFailed(int slot) {
        expected.decrementAndGet();
    }

    @Override
    protected boolean await(PosixAioBackend b, CompletionSink sink, long timeoutNanos) {
        woke = false;
        if (timeoutNanos <= 100_000L) {
            if (b.px.sem_trywait(sem) != 0) {
                LockSupport.parkNanos(this, timeoutNanos);
                if (b.px.sem_trywait(sem) == 0) consume();
            } else {
                consume();
            }
        } else {
            absolute(timeoutNanos);
            if (b.px.sem_timedwait(sem, ts) == 0) consume();
        }
        while (b.px.sem_trywait(sem) == 0) consume();
        return true;
    }

    private void consume() {
        consumed++;
        woke = true;
    }

    private void absolute(long timeoutNanos) {
        long now = System.currentTimeMillis() * 1_000_000L;
        timespec(ts, now + timeoutNanos);
    }

    @Override
    protected boolean wokenByCompletion() {
        return woke;
    }

    @Override
    protected synchronized void wakeup() {
        if (sem == 0) return;
        expected.incrementAndGet();
        b.px.sem_post(sem);
    }

    @Override
    protected synchronized boolean close(long deadlineNanos) {
        while (consumed < expected.get() && System.nanoTime() < deadlineNanos) {
            absolute(10_000_000L);
            if (b.px.sem_timedwait(sem, ts) == 0) consumed++;
        }
        while (b.px.sem_trywait(sem) == 0) consumed++;
        NativeMemory.free(ts, 16);
        if (consumed >= expected.get()) {
            b.px.sem_destroy(sem);
            NativeMemory.free(sem, semSize);
            sem = 0;
            return true;
        }
        sem = 0;
        return false; // a notification thread may still post: keep the semaphore
    }

    @Override
    protected String name() {
        return "THREAD(SIGEV_THREAD + sem_post)";
    }
}

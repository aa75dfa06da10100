package org.aio4j.reactor.internal;

import static org.aio4j.reactor.internal.WriteMono.COMPLETE;
import static org.aio4j.reactor.internal.WriteMono.FREE;
import static org.aio4j.reactor.internal.WriteMono.SUBMITTED;

import org.aio4j.internal.KernelCopy;

/**
 * The kernel copy of one {@link WriteMono} subscription (see "Kernel copy" there), split out of its subscriber: the
 * task on {@code blockingScheduler} that runs the steps ({@link #run}), and the drain loop's side, which starts it
 * once ({@link #step}) and takes in its progress and its end ({@link #reap}). Apart from {@link #run}, everything
 * runs in the subscriber's drain loop. The task's last step and error are written before {@link #state} becomes
 * {@code COMPLETE}.
 */
final class WriteKernelCopy {
    private final WriteMono.WriteSubscriber w;

    volatile int state;
    /**
     * The position after each step, in order: the drain loop reports every one ("a sample after each step"), also
     * when one pass of the loop comes after several steps (a {@code drain()} from this task may fold into a pass
     * already running on another thread).
     */
    private final java.util.Queue<Long> positions = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Set by the drain loop when it stops: the task runs no further step. */
    volatile boolean stop;

    private KernelCopy.Step lastStep;
    private Throwable error;

    WriteKernelCopy(WriteMono.WriteSubscriber w) {
        this.w = w;
    }

    /** Starts the kernel copy's task once; ends the copy after it has copied everything. Drain loop. */
    void step() {
        if (state == SUBMITTED) return; // the task calls drain() after each step and when it returns
        if (w.kernelDone) {
            w.end();
            return;
        }
        state = SUBMITTED;
        w.inFlight++;
        try {
            w.parent.blockingScheduler.schedule(this::run);
        } catch (Throwable t) { // rejected: never run a blocking step on this thread
            lastStep = null;
            error = t;
            state = COMPLETE;
            w.drain(); // inside the loop: only makes it go round once more
        }
    }

    /**
     * Runs on the blocking scheduler: the steps of the kernel copy until the end, a refusal, an error, a cancel or a
     * stop of the drain loop (checked before each step). Nothing closes the files while it runs: the loop closes them
     * only once this task was reaped. When the kernel refuses the files, the source is subscribed here, before the
     * task completes, so the loop neither requests nor ends the write while it is being subscribed.
     */
    void run() {
        KernelCopier.Copy kernel = w.kernel;
        KernelCopy.Step s = null;
        Throwable err = null;
        try {
            while (!w.cancelled && !stop) {
                s = kernel.step();
                if (s == KernelCopy.Step.REFUSED) break; // nothing copied: no progress
                positions.offer(kernel.position());
                if (s != KernelCopy.Step.MORE) break;
                w.drain(); // progress
            }
        } catch (Throwable t) { // fatal ones too: the task must complete
            err = t;
        }
        if (s == KernelCopy.Step.REFUSED && !w.cancelled && !stop) {
            try {
                w.parent.source.subscribe(w);
            } catch (Throwable t) {
                err = t;
            }
        }
        lastStep = s;
        error = err;
        state = COMPLETE;
        w.drain();
    }

    /**
     * Reports the kernel copy's progress; takes in its task when it returned: the end, a refusal or an error. Drain
     * loop.
     */
    void reap() {
        int st = state;
        if (st == FREE) return;
        for (Long p; (p = positions.poll()) != null; ) {
            if (!w.stopping && !w.cancelled && p != w.written) {
                w.written = p;
                if (w.parent.onProgress != null) w.parent.onProgress.accept(w.written);
            }
        }
        if (st != COMPLETE) return;
        w.inFlight--;
        KernelCopy.Step s = lastStep;
        Throwable err = error;
        lastStep = null;
        error = null;
        state = FREE;
        if (w.stopping || w.cancelled) return;
        if (err != null) {
            if (w.failure == null) w.failure = w.parent.reported(err);
            return;
        }
        if (s == KernelCopy.Step.REFUSED) {
            w.kernelMode = false; // the task subscribed the source: the read takes the opened source file
            return;
        }
        if (s == KernelCopy.Step.DONE) w.kernelDone = true;
    }
}

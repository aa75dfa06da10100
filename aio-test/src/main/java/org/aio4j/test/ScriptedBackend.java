package org.aio4j.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.aio4j.engine.internal.Backend;
import org.aio4j.engine.internal.ForwardingBackend;
import org.aio4j.internal.AioAbi;
import org.aio4j.internal.Errno;
import org.aio4j.internal.FdTracker;
import org.aio4j.internal.NativeLib;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The backend under an {@link AioTestEngine}: every op goes through the {@link Script} and into the log, then to the
 * real backend (or not at all, for a scripted failure or a cancel during a delay).
 *
 * <p>Ops are tracked per engine slot. A scripted failure is not submitted: it completes with its errno through
 * {@link #poll}, like a kernel completion. A delayed op is parked on a timer of {@link Schedulers#parallel()} (looked
 * up at submission, so virtual under {@code StepVerifier.withVirtualTime}) and reaches the real backend when the
 * timer fires; a cancel before that completes it with ECANCELED. Per-op cancels are guarded here (the engine is told
 * no guard is needed): a parked op can always be cancelled; a submitted one only as the engine itself would, when it
 * is alone on its fd number (glibc's queue-stranding bug).
 *
 * <p>Lock order: the fd's {@link FdTracker#lock} first, then this backend's monitor. Nothing calls into the engine
 * while holding the monitor.
 */
final class ScriptedBackend extends ForwardingBackend {
    private static final int ARMED = 0, DELAYED = 1, KERNEL = 2, SYNTHETIC = 3, DONE = 4;
    private static final int ECANCELED = Errno.ECANCELED.value(), EAGAIN = Errno.EAGAIN.value();
    private static final long VIRTUAL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** One op, mutable under the backend's monitor. */
    private static final class Op {
        final long number;
        final OpType type;
        final int op, fd, fsyncOp;
        final long buf, len, offset;
        final Path path;
        final Script.Decision decision;
        int state = ARMED;
        long result = OpRecord.IN_FLIGHT;
        boolean cancelled;
        Disposable timer;
        /** The poll round in which it was reported, or -1. */
        volatile long reportedInPoll = -1;

        Op(long number, int op, int fd, long buf, long len, long offset, int fsyncOp, Path path, Script.Decision d) {
            this.number = number;
            this.type = OpType.of(op);
            this.op = op;
            this.fd = fd;
            this.buf = buf;
            this.len = len;
            this.offset = offset;
            this.fsyncOp = fsyncOp;
            this.path = path;
            this.decision = d;
        }

        boolean sameRequest(int op, int fd, long buf, long len, long offset) {
            return this.op == op && this.fd == fd && this.buf == buf && this.len == len && this.offset == offset;
        }

        OpRecord record() {
            return new OpRecord(
                    number,
                    type,
                    path,
                    type == OpType.FSYNC ? 0 : offset,
                    len,
                    result,
                    cancelled,
                    state == DONE,
                    String.join(", ", decision.faults));
        }
    }

    private record Synthetic(int slot, Op op, int errno) {}

    private final Script script;
    private final Op[] slots;
    private final List<Op> log = new ArrayList<>();
    private final Map<Integer, Path> fds = new LinkedHashMap<>();
    private final ConcurrentLinkedQueue<Synthetic> synthetic = new ConcurrentLinkedQueue<>();
    private final int aioCanceled, aioNotCanceled, aioAllDone;
    private long numbers;
    private int inFlight, maxInFlight;
    private volatile Thread reaper;
    private volatile long polls;

    ScriptedBackend(Backend real, Script script) {
        super(real);
        this.script = script;
        this.slots = new Op[real.capacity()];
        AioAbi abi = NativeLib.abi();
        this.aioCanceled = real.canceledValue();
        this.aioNotCanceled = abi.AIO_NOTCANCELED;
        this.aioAllDone = abi.AIO_ALLDONE;
    }

    // ------------------------------------------------------------------------------------------ what tests read

    synchronized List<OpRecord> log() {
        List<OpRecord> l = new ArrayList<>(log.size());
        for (Op o : log) l.add(o.record());
        return l;
    }

    synchronized int maxInFlight() {
        return maxInFlight;
    }

    synchronized List<OpRecord> inFlight() {
        List<OpRecord> l = new ArrayList<>();
        for (Op o : log) if (o.state != DONE) l.add(o.record());
        return l;
    }

    /** The fd numbers ops were submitted on, with the file each referred to then. */
    synchronized Map<Integer, Path> fds() {
        return new LinkedHashMap<>(fds);
    }

    // ------------------------------------------------------------------------------------------ submission

    /** The file an fd refers to now (Linux: {@code /proc/self/fd}), or null. */
    static Path pathOf(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    private Op begin(int slot, int op, int fd, long buf, long len, long offset, int fsyncOp) {
        Path path = pathOf(fd);
        synchronized (this) {
            Op stale = slots[slot];
            if (stale != null) {
                // the engine gave up on an op after EAGAIN retries (or cancelled it while it waited to retry)
                // without telling the backend: it ended with the last error the real backend gave
                finish(slot, stale, -1, EAGAIN);
            }
            long number = ++numbers;
            OpType type = OpType.of(op);
            Path name = path == null ? null : path.getFileName();
            Script.Decision d =
                    script.decide(type, name == null ? null : name.toString(), type == OpType.FSYNC ? 0 : offset, len);
            Op o = new Op(number, op, fd, buf, len, offset, fsyncOp, path, d);
            slots[slot] = o;
            log.add(o);
            if (path != null) fds.put(fd, path);
            if (++inFlight > maxInFlight) maxInFlight = inFlight;
            return o;
        }
    }

    @Override
    public boolean supportsBatch() {
        return false; // op by op, so each is scripted and logged
    }

    @Override
    public int submitBatch(
            int[] slots, int n, byte[] ops, int[] fds, long[] bufs, long[] lens, long[] offsets, int[] status) {
        throw new UnsupportedOperationException("supportsBatch() is false");
    }

    @Override
    public long tryReadNow(int slot, int fd, long buf, long len, long offset) {
        Op o = begin(slot, OP_READ, fd, buf, len, offset, 0);
        if (!o.decision.plain() || !real.supportsReadNow()) return -1; // the script needs it submitted
        long r = real.tryReadNow(slot, fd, buf, len, offset);
        if (r >= 0) {
            synchronized (this) {
                finish(slot, o, r, 0);
            }
            o.reportedInPoll = polls;
        }
        return r;
    }

    @Override
    public boolean supportsReadNow() {
        return real.supportsReadNow();
    }

    @Override
    public int submit(int slot, int op, int fd, long buf, long len, long offset, int fsyncOp) {
        Op o;
        synchronized (this) {
            o = slots[slot];
            // the same request again: after a fast-path miss, or the engine's retry after EAGAIN
            if (o != null && !(o.state == ARMED && o.sameRequest(op, fd, buf, len, offset))) o = null;
        }
        if (o == null) o = begin(slot, op, fd, buf, len, offset, fsyncOp);
        long delay = o.decision.delayNanos;
        if (delay > 0) {
            Scheduler timers = Schedulers.parallel();
            boolean virtual = VirtualTimeScheduler.isFactoryEnabled(); // parallel() is a cached wrapper of it
            Op parked = o;
            synchronized (this) {
                o.state = DELAYED;
            }
            Disposable t;
            try {
                t = timers.schedule(() -> fire(slot, parked, virtual), delay, TimeUnit.NANOSECONDS);
            } catch (RuntimeException e) { // a disposed scheduler: no delay, rather than an op never reported
                synchronized (this) {
                    o.state = ARMED;
                }
                return launch(slot, o, false);
            }
            synchronized (this) {
                if (o.state == DELAYED) o.timer = t;
            }
            return 0;
        }
        return launch(slot, o, false);
    }

    /**
     * Hands the op to the real backend (or completes a scripted failure). Caller: the engine's submit call (under
     * the fd lock) or a timer (which takes it).
     */
    private int launch(int slot, Op o, boolean fromTimer) {
        if (o.decision.fail != null) {
            synchronized (this) {
                o.state = SYNTHETIC;
            }
            complete(slot, o, o.decision.fail.value());
            return 0;
        }
        synchronized (this) {
            o.state = KERNEL; // before the call: its completion may be polled before the call returns
        }
        int rc = real.submit(slot, o.op, o.fd, o.buf, o.decision.length, o.offset, o.fsyncOp);
        if (rc == 0) return 0;
        if (fromTimer) {
            synchronized (this) {
                o.state = SYNTHETIC;
            }
            complete(slot, o, rc);
            return 0;
        }
        synchronized (this) {
            if (rc == EAGAIN) o.state = ARMED; // the engine retries the same request
            else finish(slot, o, -1, rc); // the engine reports it itself
        }
        return rc;
    }

    /** A parked op's delay ended. */
    private void fire(int slot, Op o, boolean virtual) {
        synchronized (FdTracker.lock(o.fd)) {
            synchronized (this) {
                if (o.state != DELAYED) return; // cancelled meanwhile
                o.timer = null;
            }
            launch(slot, o, true);
        }
        // In virtual time the next op of a pipeline is submitted by this op's completion handler, on the reaper
        // thread; wait for it (for the reaper's next round, after its hand-offs) so that the clock advance running
        // this timer also sees the timer of that next op, instead of racing it.
        if (virtual && Thread.currentThread() != reaper) awaitReported(o);
    }

    private void awaitReported(Op o) {
        long deadline = System.nanoTime() + VIRTUAL_WAIT_NANOS;
        while (System.nanoTime() < deadline) {
            long at = o.reportedInPoll;
            if (at >= 0 && polls > at + 1) return;
            Thread.onSpinWait();
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000L);
        }
    }

    /** Queues a completion that the real backend will not report; {@link #poll} reports it. */
    private void complete(int slot, Op o, int errno) {
        synthetic.add(new Synthetic(slot, o, errno));
        real.wakeup();
    }

    // ------------------------------------------------------------------------------------------ cancel

    @Override
    public boolean perOpCancelNeedsGuard() {
        return false; // guarded in cancel(), which can always cancel a parked op
    }

    @Override
    public int cancel(int slot, int fd) {
        synchronized (FdTracker.lock(fd)) {
            synchronized (this) {
                Op o = slots[slot];
                if (o == null) return aioAllDone;
                if (o.decision.notCancelable) return aioNotCanceled;
                switch (o.state) {
                    case DELAYED -> {
                        cancelParked(slot, o);
                        return aioCanceled;
                    }
                    case KERNEL -> {} // below
                    case ARMED -> {
                        return aioNotCanceled; // its submit call is under way
                    }
                    default -> {
                        return aioAllDone;
                    }
                }
            }
            if (real.perOpCancelNeedsGuard() && FdTracker.inFlight(fd) != 1) return aioNotCanceled;
            return real.cancel(slot, fd);
        }
    }

    /** Caller holds the monitor. */
    private void cancelParked(int slot, Op o) {
        o.state = SYNTHETIC;
        if (o.timer != null) o.timer.dispose();
        o.timer = null;
        synthetic.add(new Synthetic(slot, o, ECANCELED));
        real.wakeup();
    }

    @Override
    public int cancelAll(int fd) {
        synchronized (FdTracker.lock(fd)) {
            boolean keep = false, parked = false;
            synchronized (this) {
                for (int s = 0; s < slots.length; s++) {
                    Op o = slots[s];
                    if (o == null || o.fd != fd) continue;
                    if (o.state == DELAYED && !o.decision.notCancelable) {
                        cancelParked(s, o);
                        parked = true;
                    } else if (o.state == KERNEL && o.decision.notCancelable) {
                        keep = true;
                    }
                }
            }
            // aio_cancel(fd, NULL) cannot spare one request: with a not-cancelable op in the kernel on this fd,
            // everything already there runs to its end (the cancel "came too late" for all of them)
            if (keep) return aioNotCanceled;
            int r = real.cancelAll(fd);
            return parked && r == aioAllDone ? aioCanceled : r;
        }
    }

    @Override
    public boolean isCancelled(int slot) {
        synchronized (this) {
            Op o = slots[slot];
            if (o == null) return false;
            if (o.state == SYNTHETIC) {
                for (Synthetic s : synthetic) if (s.op() == o) return s.errno() == ECANCELED;
                return false;
            }
            if (o.state != KERNEL) return false;
        }
        return real.isCancelled(slot);
    }

    // ------------------------------------------------------------------------------------------ completion

    /** Caller holds the monitor. */
    private void finish(int slot, Op o, long result, int errno) {
        if (o.state == DONE) return;
        o.state = DONE;
        o.result = errno == 0 ? result : -errno;
        o.cancelled = errno == ECANCELED;
        if (slots[slot] == o) slots[slot] = null;
        inFlight--;
    }

    @Override
    public int poll(CompletionSink sink, long timeoutNanos) {
        reaper = Thread.currentThread();
        long round = polls;
        int n = drainSynthetic(sink, round);
        // a wake-up between the drain above and the real poll may be lost: wait in slices
        n += real.poll(
                (slot, result, errno) -> {
                    Op o;
                    synchronized (this) {
                        o = slots[slot];
                        if (o != null) finish(slot, o, result, errno);
                    }
                    sink.complete(slot, result, errno);
                    if (o != null) o.reportedInPoll = round;
                },
                n > 0 ? 0 : Math.min(timeoutNanos, 1_000_000L));
        n += drainSynthetic(sink, round);
        polls = round + 1;
        return n;
    }

    private int drainSynthetic(CompletionSink sink, long round) {
        int n = 0;
        Synthetic s;
        while ((s = synthetic.poll()) != null) {
            synchronized (this) {
                finish(s.slot(), s.op(), -1, s.errno());
            }
            sink.complete(s.slot(), -1, s.errno());
            s.op().reportedInPoll = round;
            n++;
        }
        return n;
    }

    @Override
    public String mechanism() {
        return "scripted(" + real.mechanism() + ", " + script + ")";
    }

    @Override
    public boolean close(long deadlineNanos) {
        synchronized (this) {
            for (Op o : slots) if (o != null && o.timer != null) o.timer.dispose();
        }
        return real.close(deadlineNanos);
    }
}

package org.aio4j.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.engine.internal.Backend;
import org.aio4j.engine.internal.ForwardingBackend;
import org.aio4j.internal.Errno;
import org.aio4j.internal.NativeLib;

/**
 * A {@link Backend} decorator that makes the disk misbehave, driven by a seed: completions that fail with an errno
 * (EIO; ENOSPC or EFBIG for writes), short results, cancels answered {@code AIO_NOTCANCELED} without being tried,
 * completions held back and released later in random order (delayed and reordered), failed submit calls (EAGAIN,
 * which the engine retries, or ENOMEM) and fast-path misses. Every op the real backend runs is still reported exactly
 * once; nothing is ever reported for a slot that was not submitted.
 *
 * <p>Test scope only. Build an engine with one through {@link FaultyEngines}.
 */
public final class FaultInjectingBackend extends ForwardingBackend {
    /** What to inject and how often (each a probability per opportunity), with the seed that drives it. */
    public record Plan(
            long seed,
            double errorRate,
            double shortRate,
            double notCanceledRate,
            double submitFailRate,
            double delayRate,
            double readNowMissRate) {
        /** No faults at all. */
        public static Plan none(long seed) {
            return new Plan(seed, 0, 0, 0, 0, 0, 0);
        }

        /** A random mix of faults for {@code seed}, each rate in [0, max). */
        public static Plan random(long seed, double max) {
            SplittableRandom r = new SplittableRandom(seed);
            return new Plan(
                    seed,
                    r.nextDouble() * max,
                    r.nextDouble() * max,
                    r.nextDouble() * max,
                    r.nextDouble() * max,
                    r.nextDouble() * max,
                    r.nextDouble() * max);
        }
    }

    private static final int EIO = Errno.EIO.value(),
            ENOSPC = Errno.ENOSPC.value(),
            EFBIG = Errno.EFBIG.value(),
            EAGAIN = Errno.EAGAIN.value(),
            ENOMEM = Errno.ENOMEM.value();

    private final Plan plan;
    private final SplittableRandom rnd;
    private final int[] ops;
    /** Completions held back (reaper thread only): {slot, result, errno}. */
    private final List<long[]> held = new ArrayList<>();

    private volatile boolean enabled = true;

    /** Counters of what was injected. */
    public final AtomicLong errors = new AtomicLong(),
            shorts = new AtomicLong(),
            notCanceled = new AtomicLong(),
            submitFailures = new AtomicLong(),
            delayed = new AtomicLong(),
            readNowMisses = new AtomicLong();

    public FaultInjectingBackend(Backend real, Plan plan) {
        super(real);
        this.plan = plan;
        this.rnd = new SplittableRandom(plan.seed());
        this.ops = new int[real.capacity()];
    }

    /** Turns injection on or off (off: a plain pass-through, for checking the engine still serves). */
    public void enabled(boolean on) {
        enabled = on;
    }

    public Plan plan() {
        return plan;
    }

    private boolean roll(double p) {
        if (!enabled || p <= 0) return false;
        synchronized (rnd) {
            return rnd.nextDouble() < p;
        }
    }

    private int nextInt(int bound) {
        synchronized (rnd) {
            return rnd.nextInt(bound);
        }
    }

    @Override
    public int submit(int slot, int op, int fd, long buf, long len, long offset, int fsyncOp) {
        ops[slot] = op;
        if (roll(plan.submitFailRate())) {
            submitFailures.incrementAndGet();
            return nextInt(4) == 0 ? ENOMEM : EAGAIN;
        }
        return real.submit(slot, op, fd, buf, len, offset, fsyncOp);
    }

    @Override
    public int submitBatch(
            int[] slots, int n, byte[] ops, int[] fds, long[] bufs, long[] lens, long[] offsets, int[] status) {
        for (int i = 0; i < n; i++) this.ops[slots[i]] = ops[slots[i]];
        if (roll(plan.submitFailRate())) {
            submitFailures.incrementAndGet();
            for (int i = 0; i < n; i++) status[i] = EAGAIN; // nothing queued: the engine submits each alone
            return EAGAIN;
        }
        return real.submitBatch(slots, n, ops, fds, bufs, lens, offsets, status);
    }

    /** Vectored ops pass through (their results are faulted like any other). */
    @Override
    public boolean supportsVector() {
        return real.supportsVector();
    }

    @Override
    public long tryReadNowVector(int fd, long iov, int iovcnt, long total, long offset) {
        if (roll(plan.readNowMissRate())) {
            readNowMisses.incrementAndGet();
            return -1;
        }
        return real.tryReadNowVector(fd, iov, iovcnt, total, offset);
    }

    @Override
    public long tryReadNow(int slot, int fd, long buf, long len, long offset) {
        if (roll(plan.readNowMissRate())) {
            readNowMisses.incrementAndGet();
            return -1;
        }
        return real.tryReadNow(slot, fd, buf, len, offset);
    }

    @Override
    public int cancel(int slot, int fd) {
        if (roll(plan.notCanceledRate())) {
            notCanceled.incrementAndGet();
            return NativeLib.abi().AIO_NOTCANCELED;
        }
        return real.cancel(slot, fd);
    }

    @Override
    public int poll(CompletionSink sink, long timeoutNanos) {
        int[] reported = {0};
        if (!held.isEmpty()) {
            // release some of the held completions, in random order
            for (int i = held.size() - 1; i >= 0; i--) {
                if (!enabled || nextInt(2) == 0) {
                    long[] h = held.remove(i);
                    sink.complete((int) h[0], h[1], (int) h[2]);
                    reported[0]++;
                }
            }
            timeoutNanos = Math.min(timeoutNanos, 1_000_000L);
        }
        int got = real.poll(
                (slot, result, errno) -> {
                    long r = result;
                    int e = errno;
                    if (e == 0 && roll(plan.errorRate())) {
                        errors.incrementAndGet();
                        e = ops[slot] == OP_WRITE || ops[slot] == OP_WRITEV
                                ? new int[] {EIO, ENOSPC, EFBIG}[nextInt(3)]
                                : EIO;
                        r = -1;
                    } else if (e == 0 && r > 1 && ops[slot] != OP_FSYNC && roll(plan.shortRate())) {
                        shorts.incrementAndGet();
                        r = 1 + nextInt((int) Math.min(Integer.MAX_VALUE - 1, r - 1));
                    }
                    if (roll(plan.delayRate())) {
                        delayed.incrementAndGet();
                        held.add(new long[] {slot, r, e});
                        return;
                    }
                    sink.complete(slot, r, e);
                    reported[0]++;
                },
                timeoutNanos);
        if (got == 0 && !held.isEmpty()) { // nothing new: let everything held go, so nothing waits forever
            for (long[] h : held) {
                sink.complete((int) h[0], h[1], (int) h[2]);
                reported[0]++;
            }
            held.clear();
        }
        return reported[0];
    }

    @Override
    public String mechanism() {
        return "faults(" + real.mechanism() + ", " + plan + ")";
    }

    @Override
    public boolean close(long deadlineNanos) {
        if (!held.isEmpty()) throw new IllegalStateException("closed with held completions: " + held.size());
        return real.close(deadlineNanos);
    }

    @Override
    public String toString() {
        return "FaultInjectingBackend[" + plan + ", errors=" + errors + ", shorts=" + shorts + ", notCanceled="
                + notCanceled + ", submitFailures=" + submitFailures + ", delayed=" + delayed + ", readNowMisses="
                + readNowMisses + "]";
    }
}

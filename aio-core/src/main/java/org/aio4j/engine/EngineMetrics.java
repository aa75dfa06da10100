package org.aio4j.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of one {@link AioEngine}. Every accepted operation ends in exactly one of {@link #completed()},
 * {@link #failed()} or {@link #cancelled()}. The latency histogram has 64 fixed buckets, bucket {@code i} counting
 * operations whose submit-to-completion time was in {@code [2^i, 2^(i+1))} nanoseconds; recording allocates
 * nothing.
 */
public final class EngineMetrics {
    private static final int BUCKETS = 64;

    final LongAdder submitted = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder cancelled = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder fastPath = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder handOffs = new LongAdder();
    final LongAdder latencyTotalNanos = new LongAdder();
    final LongAdder latencyCount = new LongAdder();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger peak = new AtomicInteger();
    final AtomicInteger queued = new AtomicInteger();
    final AtomicInteger laneFds = new AtomicInteger();
    private final AtomicLongArray histogram = new AtomicLongArray(BUCKETS);

    EngineMetrics() {}

    void slotTaken() {
        int n = inFlight.incrementAndGet();
        int p;
        while (n > (p = peak.get()) && !peak.compareAndSet(p, n)) {
            // retry
        }
    }

    void record(long startNanos, boolean ok, boolean wasCancelled) {
        if (ok) completed.increment();
        else if (wasCancelled) cancelled.increment();
        else failed.increment();
        if (startNanos != 0) {
            long d = Math.max(1, System.nanoTime() - startNanos);
            histogram.incrementAndGet(63 - Long.numberOfLeadingZeros(d));
            latencyTotalNanos.add(d);
            latencyCount.increment();
        }
    }

    /**
     * Operations accepted (validated and queued or submitted), including cached reads served at once.
     *
     * @return the count since the engine was built
     */
    public long submitted() {
        return submitted.sum();
    }

    /**
     * Operations that completed successfully.
     *
     * @return the count since the engine was built
     */
    public long completed() {
        return completed.sum();
    }

    /**
     * Operations that completed with an error other than cancellation.
     *
     * @return the count since the engine was built
     */
    public long failed() {
        return failed.sum();
    }

    /**
     * Operations that completed as cancelled.
     *
     * @return the count since the engine was built
     */
    public long cancelled() {
        return cancelled.sum();
    }

    /**
     * Submissions refused because the engine was full ({@link Overflow#FAIL}); not counted as submitted.
     *
     * @return the count since the engine was built
     */
    public long rejected() {
        return rejected.sum();
    }

    /**
     * Reads served by the cached-read fast path on the submitting thread.
     *
     * @return the count since the engine was built
     */
    public long fastPathReads() {
        return fastPath.sum();
    }

    /**
     * Completions handed to the reaper thread because the thread that got them had already run its budget of 16
     * inline completions (see the engine's "Threads" documentation).
     *
     * @return the count since the engine was built
     */
    public long handOffs() {
        return handOffs.sum();
    }

    /**
     * Submit calls retried after EAGAIN.
     *
     * @return the count since the engine was built
     */
    public long retries() {
        return retries.sum();
    }

    /**
     * Operations holding a slot now (submitted and not yet reaped).
     *
     * @return the count at this moment
     */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * The highest {@link #inFlight()} seen.
     *
     * @return the highest count since the engine was built
     */
    public int peakInFlight() {
        return peak.get();
    }

    /**
     * Operations waiting for a free slot ({@link Overflow#WAIT}).
     *
     * @return the count at this moment
     */
    public int queued() {
        return queued.get();
    }

    /**
     * The extra fds the engine holds now for lanes: the {@code dup()}s of files it spreads ops over ({@link
     * AioEngine.Builder#lanes(int)}, {@link AioEngine.Builder#directLanes(int)}), made on a file's first op and not
     * yet closed. They are closed when the file is closed (one with an op still in flight when that op was reaped)
     * and at engine close, so this stays at most {@code (lanes - 1)} times the files the engine used that are open
     * or have ops in flight. 0 with {@link EngineBackend#IO_URING}, which makes no lanes.
     *
     * @return the lane fds open now
     */
    public int laneFds() {
        return laneFds.get();
    }

    /**
     * Operations whose latency was recorded (all completed ones).
     *
     * @return the count since the engine was built
     */
    public long latencyCount() {
        return latencyCount.sum();
    }

    /**
     * Sum of all recorded latencies, in nanoseconds.
     *
     * @return the sum in nanoseconds since the engine was built
     */
    public long totalLatencyNanos() {
        return latencyTotalNanos.sum();
    }

    /**
     * A copy of the latency histogram: element {@code i} counts latencies in {@code [2^i, 2^(i+1))} ns.
     *
     * @return a new array of 64 counts, index {@code i} for latencies from {@code 2^i} ns
     */
    public long[] latencyHistogram() {
        long[] h = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) h[i] = histogram.get(i);
        return h;
    }

    /**
     * The exclusive upper bound of bucket {@code i}, in nanoseconds.
     *
     * @param i the bucket's index, from 0
     * @return {@code 2^(i+1)} ns, or {@link Long#MAX_VALUE} for the last buckets
     */
    public static long bucketUpperBoundNanos(int i) {
        return i >= 62 ? Long.MAX_VALUE : 1L << (i + 1);
    }

    /**
     * The upper bound of the bucket holding the {@code q} quantile ({@code 0 < q <= 1}), or 0 when nothing was
     * recorded: an over-estimate by less than a factor of two.
     *
     * @param q the quantile, such as 0.99
     * @return a bound in nanoseconds below which the latencies of at least that share of the recorded operations
     *     lie, or 0
     */
    public long latencyQuantileUpperBoundNanos(double q) {
        if (!(q > 0 && q <= 1)) throw new IllegalArgumentException("q must be in (0, 1]: " + q);
        long[] h = latencyHistogram();
        long total = 0;
        for (long c : h) total += c;
        if (total == 0) return 0;
        long want = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += h[i];
            if (seen >= want) return bucketUpperBoundNanos(i);
        }
        return Long.MAX_VALUE;
    }

    @Override
    public String toString() {
        return "EngineMetrics[submitted=" + submitted() + ", completed=" + completed() + ", failed=" + failed()
                + ", cancelled=" + cancelled() + ", rejected=" + rejected() + ", fastPath=" + fastPathReads()
                + ", inFlight=" + inFlight() + ", peak=" + peakInFlight() + ", queued=" + queued() + ", laneFds="
                + laneFds()
                + "]";
    }
}

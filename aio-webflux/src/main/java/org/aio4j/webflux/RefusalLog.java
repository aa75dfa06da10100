package org.aio4j.webflux;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The log of refused requests: each at DEBUG, and at most one WARN per interval summing up the refusals since the
 * last one (counts per status), so that a client sending bad requests in a loop cannot flood the log.
 *
 * <p>The first refusal after a quiet interval is reported at once; the ones that follow within the interval are
 * counted and reported with the next refusal after it ends.
 */
final class RefusalLog {
    /** The default interval between two WARN summaries. */
    static final long DEFAULT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Consumer<String> warn;
    private final Consumer<String> debug;
    private final Map<Integer, Long> counts = new TreeMap<>();
    private long windowStart;
    private boolean started;

    RefusalLog(long intervalNanos, LongSupplier nanoClock, Consumer<String> warn, Consumer<String> debug) {
        this.intervalNanos = intervalNanos;
        this.nanoClock = nanoClock;
        this.warn = warn;
        this.debug = debug;
    }

    /** Records one refused request answered {@code status}; {@code detail} says what and why. */
    void refused(int status, String detail) {
        debug.accept("aio file router: " + status + " " + detail);
        String summary = null;
        synchronized (this) {
            counts.merge(status, 1L, Long::sum);
            long now = nanoClock.getAsLong();
            if (!started || now - windowStart >= intervalNanos) {
                long total = counts.values().stream().mapToLong(Long::longValue).sum();
                summary = "aio file router: refused " + total + (total == 1 ? " request" : " requests")
                        + (started ? " in the last " + TimeUnit.NANOSECONDS.toSeconds(now - windowStart) + " s" : "")
                        + " " + counts + " (last: " + status + " " + detail
                        + "; each refusal is logged at DEBUG, at most one WARN per "
                        + TimeUnit.NANOSECONDS.toSeconds(intervalNanos) + " s)";
                counts.clear();
                windowStart = now;
                started = true;
            }
        }
        if (summary != null) warn.accept(summary);
    }
}

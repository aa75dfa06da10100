package org.aio4j.webflux;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The soak's account of operations: every operation the load starts (an engine op, a Flux subscription, an HTTP
 * exchange, an open) takes a {@link Ticket} and must end it exactly once with an {@link Outcome}. A ticket never
 * ended is a lost operation; a ticket ended twice is a duplicate signal; an {@link Outcome#ERROR} is an outcome the
 * load did not provoke. All three fail the soak.
 */
final class SoakLedger {
    /** How an operation ended. */
    enum Outcome {
        /** Completed, with its result checked. */
        OK,
        /** Cancelled by the load (future.cancel, engine cancel/cancelAll, Flux cancel): an expected outcome. */
        CANCELLED,
        /** Aborted by the load's HTTP client mid-body: an expected outcome. */
        ABORTED,
        /** Anything else: an unexpected failure, a wrong result, a timeout. */
        ERROR
    }

    /** The counters of one kind of operation. */
    static final class Kind {
        final String name;
        final LongAdder submitted = new LongAdder();
        final LongAdder[] outcomes = new LongAdder[Outcome.values().length];
        final LongAdder duplicates = new LongAdder();

        Kind(String name) {
            this.name = name;
            for (int i = 0; i < outcomes.length; i++) outcomes[i] = new LongAdder();
        }

        long ended() {
            long n = 0;
            for (LongAdder a : outcomes) n += a.sum();
            return n;
        }

        long count(Outcome o) {
            return outcomes[o.ordinal()].sum();
        }
    }

    private final Map<String, Kind> kinds = new ConcurrentSkipListMap<>();
    /** Tickets ended, all kinds: the ops/s of the samples. */
    final LongAdder ended = new LongAdder();
    /** HTTP exchanges ended: the requests/s of the samples. */
    final LongAdder httpEnded = new LongAdder();

    private final Queue<String> errors = new ConcurrentLinkedQueue<>();
    private final AtomicInteger errorCount = new AtomicInteger();

    /** Starts an operation of {@code kind} (names starting with {@code http.} count as HTTP requests). */
    Ticket begin(String kind) {
        Kind k = kinds.computeIfAbsent(kind, Kind::new);
        k.submitted.increment();
        return new Ticket(k);
    }

    /** One operation: {@link #end} must be called exactly once. */
    final class Ticket {
        private final Kind kind;
        private final AtomicBoolean done = new AtomicBoolean();

        private Ticket(Kind kind) {
            this.kind = kind;
        }

        /** Ends the operation; a second call is counted as a duplicate signal. */
        void end(Outcome outcome, Object detail) {
            if (!done.compareAndSet(false, true)) {
                kind.duplicates.increment();
                error(kind.name + ": second terminal signal " + outcome + (detail != null ? " (" + detail + ")" : ""));
                return;
            }
            kind.outcomes[outcome.ordinal()].increment();
            ended.increment();
            if (kind.name.startsWith("http.")) httpEnded.increment();
            if (outcome == Outcome.ERROR) error(kind.name + ": " + describe(detail));
        }

        void ok() {
            end(Outcome.OK, null);
        }

        boolean isDone() {
            return done.get();
        }
    }

    /** Records an unexpected event (the first 100 are kept with their text). */
    void error(String text) {
        if (errorCount.incrementAndGet() <= 100) {
            errors.add(text);
            System.out.println("soak: ERROR " + text);
        }
    }

    int errorCount() {
        return errorCount.get();
    }

    List<String> errors() {
        return new ArrayList<>(errors);
    }

    List<Kind> kinds() {
        return new ArrayList<>(kinds.values());
    }

    static String describe(Object detail) {
        if (detail instanceof Throwable t) {
            StringBuilder sb = new StringBuilder(t.toString());
            for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause())
                sb.append(" <- ").append(c);
            return sb.toString();
        }
        return String.valueOf(detail);
    }
}

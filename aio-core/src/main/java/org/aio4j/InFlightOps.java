package org.aio4j;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The core API's ops submitted and not yet reaped, process-wide (split out of {@link AbstractAio}). The set keeps
 * them strongly reachable, with their buffers and notification closures, while the C library owns their memory: an
 * op the user dropped or failed to close is never freed early; {@link PosixAio#opsInFlight()} reports such leaks.
 * Per fd number they are ordered by their submission order number, the order of glibc's queue for that fd (numbers
 * are taken under the fd lock, {@code FdTracker.lock}): the predecessors the cancel guard of {@link AbstractAio}
 * looks for, and the ops a heal submits again.
 */
final class InFlightOps {
    private static final Set<AbstractAio> ALL = ConcurrentHashMap.newKeySet();

    private static final ConcurrentHashMap<Integer, ConcurrentSkipListMap<Long, AbstractAio>> BY_FD =
            new ConcurrentHashMap<>();

    private static final AtomicLong SEQ = new AtomicLong();

    private InFlightOps() {}

    /** How many ops are in flight. */
    static int count() {
        return ALL.size();
    }

    /** A new submission order number. */
    static long nextSeq() {
        return SEQ.incrementAndGet();
    }

    /** Registers {@code op}, submitted on {@code fd} with order number {@code seq}. */
    static void add(AbstractAio op, int fd, long seq) {
        ALL.add(op);
        BY_FD.computeIfAbsent(fd, k -> new ConcurrentSkipListMap<>()).put(seq, op);
    }

    /** Moves {@code op} from order number {@code old} to {@code seq} (submitted again), if it is still registered. */
    static void reorder(AbstractAio op, int fd, long old, long seq) {
        ConcurrentSkipListMap<Long, AbstractAio> m = BY_FD.get(fd);
        if (m != null && m.remove(old, op)) m.put(seq, op);
    }

    /** The op was reaped, or its submission failed. */
    static void remove(AbstractAio op, int fd, long seq) {
        ALL.remove(op);
        BY_FD.computeIfPresent(fd, (k, m) -> {
            m.remove(seq);
            return m.isEmpty() ? null : m;
        });
    }

    /** The ops in flight on {@code fd} by order number, or null if there are none. */
    static ConcurrentSkipListMap<Long, AbstractAio> onFd(int fd) {
        return BY_FD.get(fd);
    }
}

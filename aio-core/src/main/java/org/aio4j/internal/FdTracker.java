package org.aio4j.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Counts operations in flight per fd number, process-wide, and closes an fd whose owner asked for it only when
 * its count drops to zero. glibc queues requests by fd number and {@code close()} cancels nothing: closing the
 * number while an op is pending would let a new {@code open()} reuse it and stall behind the old op.
 *
 * <p>Every submission path (the core {@code Aio} ops and the engine) calls {@link #acquire} before the submit call
 * and {@link #release} after the op has been reaped (or when the submit call failed).
 */
public final class FdTracker {
    private static final int DENSE = 1 << 16;
    private static final AtomicIntegerArray COUNTS = new AtomicIntegerArray(DENSE);
    private static final ConcurrentHashMap<Integer, Integer> SPARSE = new ConcurrentHashMap<>();
    /** fds whose owner called close while ops were in flight. */
    private static final ConcurrentHashMap<Integer, Boolean> CLOSE_PENDING = new ConcurrentHashMap<>();
    /** What to run once an fd was closed ({@link #whenClosed}). */
    private static final ConcurrentHashMap<Integer, Runnable> ON_CLOSE = new ConcurrentHashMap<>();

    /**
     * Process-wide locks by fd number (striped), shared by the core ops and every engine. Every submit call on an fd
     * number ({@code aio_read}, {@code aio_write}, {@code aio_fsync}, {@code lio_listio}) runs under its lock, after
     * {@link #acquire}; a guarded per-op {@code aio_cancel} checks its preconditions and calls under the same lock.
     * So the order in which aio4j queues requests on one fd number is the order of these critical sections, and no
     * aio4j request can join an fd's queue between a cancel's check and its call. Lock order: this lock first, then
     * an op's or a slot's own monitor; several of these locks only in ascending index order.
     */
    private static final Object[] LOCKS = new Object[256];

    static {
        for (int i = 0; i < LOCKS.length; i++) LOCKS[i] = new Object();
    }

    private FdTracker() {}

    /** The lock of fd number {@code fd} (see {@link #LOCKS}). */
    public static Object lock(int fd) {
        return LOCKS[lockIndex(fd)];
    }

    /** The index of {@code fd}'s lock, for taking several in ascending order. */
    public static int lockIndex(int fd) {
        return fd & (LOCKS.length - 1);
    }

    /** The lock at {@code index}. */
    public static Object lockAt(int index) {
        return LOCKS[index];
    }

    /** One more op in flight on {@code fd}. */
    public static void acquire(int fd) {
        if (fd >= 0 && fd < DENSE) COUNTS.incrementAndGet(fd);
        else SPARSE.merge(fd, 1, Integer::sum);
    }

    /** One op fewer on {@code fd}; closes it if its owner asked to and this was the last. */
    public static void release(int fd) {
        int left;
        if (fd >= 0 && fd < DENSE) {
            left = COUNTS.decrementAndGet(fd);
        } else {
            Integer v = SPARSE.compute(fd, (k, n) -> n == null || n <= 1 ? null : n - 1);
            left = v == null ? 0 : v;
        }
        if (left == 0) closeIfPendingAndIdle(fd);
    }

    /**
     * Closes {@code fd} if its owner asked to and no op is in flight on it. The one thread that removes the pending
     * mark closes; if an op was acquired meanwhile, the mark is put back, and taken again if that op was released
     * before the mark was back (its own release may have missed it): so a pending fd is never left open once idle.
     */
    private static void closeIfPendingAndIdle(int fd) {
        while (CLOSE_PENDING.remove(fd) != null) {
            if (inFlight(fd) == 0) {
                closeNow(fd);
                return;
            }
            CLOSE_PENDING.put(fd, Boolean.TRUE);
            if (inFlight(fd) != 0) return; // that op's release sees the mark
        }
    }

    /** {@code close(2)}, then the action {@link #whenClosed} registered for this fd, if any. */
    private static void closeNow(int fd) {
        Runnable then = ON_CLOSE.remove(fd); // before close(2): the number may be reused right after it
        Syscalls.close(fd);
        if (then != null) then.run();
    }

    /**
     * Runs {@code action} right after this class closes {@code fd} ({@link #closeWhenIdle}, now or when its last op
     * is released). For an fd the caller owns and is about to close through {@link #closeWhenIdle}; the action must
     * be short and must not throw (it runs on the thread that closes: the closer, or the one reaping the last op).
     */
    public static void whenClosed(int fd, Runnable action) {
        ON_CLOSE.put(fd, action);
    }

    /** Ops in flight on {@code fd} now. */
    public static int inFlight(int fd) {
        if (fd >= 0 && fd < DENSE) return COUNTS.get(fd);
        return SPARSE.getOrDefault(fd, 0);
    }

    /**
     * Closes {@code fd} now if no op is in flight on it, else when the last one is released.
     *
     * @return true if the fd was closed now
     */
    public static synchronized boolean closeWhenIdle(int fd) {
        CLOSE_PENDING.put(fd, Boolean.TRUE);
        if (inFlight(fd) == 0 && CLOSE_PENDING.remove(fd) != null) {
            closeNow(fd);
            return true;
        }
        return false;
    }

    /** fds whose close is deferred until their ops are reaped (for leak checks in tests). */
    public static int pendingCloses() {
        return CLOSE_PENDING.size();
    }

    /** The fd numbers of {@link #pendingCloses()}, in ascending order (for leak reports in tests). */
    public static java.util.List<Integer> pendingCloseFds() {
        return CLOSE_PENDING.keySet().stream().sorted().toList();
    }
}

package org.aio4j.engine;

/** What a submission does when {@code maxInFlight} operations are already in flight. */
public enum Overflow {
    /**
     * Queue the operation (without blocking the caller) and submit it when a slot frees; its future or handler
     * completes later. The queue is unbounded; each queued op allocates one small object.
     */
    WAIT,
    /** Complete at once with {@link org.aio4j.AioTryAgainException} (EAGAIN). */
    FAIL
}

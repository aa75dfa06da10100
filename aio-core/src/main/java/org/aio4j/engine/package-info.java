/**
 * The completion engine: {@link org.aio4j.engine.AioEngine} submits POSIX AIO reads, writes and fsyncs for many
 * callers, reaps every completion on one reaper thread through one notification mechanism ({@link
 * org.aio4j.engine.Notification}) and delivers it exactly once to a {@link java.util.concurrent.CompletableFuture}
 * or an {@link org.aio4j.engine.AioHandler}. See {@code docs/engine.md} for the threads handlers run on, the modes,
 * lanes, the cached-read fast path and the measurements.
 */
package org.aio4j.engine;

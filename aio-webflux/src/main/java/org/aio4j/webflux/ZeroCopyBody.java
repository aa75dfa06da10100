package org.aio4j.webflux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aio4j.internal.PageCache;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.http.ZeroCopyHttpOutputMessage;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * GET bodies sent by zero-copy ({@link ZeroCopyHttpOutputMessage#writeWith(Path, long, long)}: Reactor Netty's
 * {@code sendfile} on the connection's event loop) when the region is in the page cache, so that the event loop's
 * {@code sendfile} calls copy from memory and never wait for the disk; the other regions go through AIO.
 *
 * <p>The decision is {@link #cached}: one {@code cachestat(2)} call ({@link PageCache}), made on the thread that
 * stat'ed the file (the bounded elastic scheduler), never on a non-blocking thread. Pages evicted between the
 * decision and the send would make that {@code sendfile} read them from the disk on the event loop: the window is
 * the time to send the response, and the kernel evicts the least recently used pages first (the ones just found
 * cached are the most recent).
 */
final class ZeroCopyBody {
    private static final Log log = LogFactory.getLog(AioFileRouter.class);

    /** Responses whose body went out by zero-copy, in this JVM (tests and diagnostics). */
    static final java.util.concurrent.atomic.LongAdder SENDS = new java.util.concurrent.atomic.LongAdder();

    private ZeroCopyBody() {}

    /**
     * True when {@code count} bytes at {@code position} of {@code path} are all in the page cache: worth sending by
     * zero-copy. False on a non-blocking thread (the probe opens the file), where the answer is unknown ({@code
     * cachestat} missing: not Linux, a kernel before 6.5), and when any page is missing.
     */
    static boolean cached(Path path, long position, long count) {
        if (Schedulers.isInNonBlockingThread()) return false;
        return PageCache.residency(path, position, count) == PageCache.Residency.CACHED;
    }

    /**
     * Whether {@code response} can send a file region itself (Reactor Netty's response does; a decorator that does
     * not implement {@link ZeroCopyHttpOutputMessage} is respected: no zero-copy through it).
     */
    static boolean supported(ServerHttpResponse response) {
        return response instanceof ZeroCopyHttpOutputMessage;
    }

    /**
     * Sends {@code count} bytes at {@code position} of {@code path} by zero-copy. A file that shrinks while it is sent
     * makes Netty's file region fail the write ("Underlying file size ... smaller then requested count"; left alone,
     * Reactor Netty closes the connection and WebFlux logs an ERROR with a stack trace): the connection is closed at
     * once and one WARN names the file, as the AIO body does ({@link FileHandlers}). Any other failure of the send
     * closes the connection too, with a WARN unless the client went away (DEBUG). After a complete send {@code onComplete} runs with the next batch of
     * {@link AfterSendChecks} (the growth check).
     *
     * @param response a response for which {@link #supported} is true
     */
    static Mono<Void> send(
            ServerHttpResponse response, Path path, long position, long count, long promised, Runnable onComplete) {
        SENDS.increment();
        return ((ZeroCopyHttpOutputMessage) response)
                .writeWith(path, position, count)
                .doOnSuccess(v -> AfterSendChecks.SHARED.later(onComplete))
                .onErrorResume(e -> {
                    // On the event loop. The connection is closed here, at once (Reactor Netty may close it too and
                    // cancel what is still pending: the WARN must not depend on a later signal of this chain); the
                    // file's size is read on the blocking scheduler, and decides the log line.
                    Throwable abort = NettyAbort.abortOrIo(response, "the zero-copy send ended: " + e.getMessage());
                    Schedulers.boundedElastic().schedule(() -> {
                        long size = sizeOrMinusOne(path);
                        if (size >= 0 && size < position + count) {
                            log.warn("aio file router: " + path + " shrank while it was sent: it has " + size
                                    + " bytes now, short of " + promised + " promised bytes (zero-copy);"
                                    + " the connection is aborted");
                        } else if (!NettyAbort.isLostClient(e)) {
                            log.warn("aio file router: the zero-copy send of " + path + " failed: " + e
                                    + "; the connection is aborted");
                        } else if (log.isDebugEnabled()) {
                            log.debug("aio file router: the client of " + path + " went away: " + e);
                        }
                    });
                    return Mono.error(abort);
                });
    }

    private static long sizeOrMinusOne(Path path) {
        try {
            return Files.size(path);
        } catch (IOException e) {
            return -1;
        }
    }
}

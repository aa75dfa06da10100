package org.aio4j.webflux;

import java.io.IOException;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

/** Ends a response whose body cannot be completed: the connection is closed at once. */
final class NettyAbort {
    private static final boolean REACTOR_NETTY = org.springframework.util.ClassUtils.isPresent(
            "reactor.netty.Connection", NettyAbort.class.getClassLoader());

    private NettyAbort() {}

    /**
     * On Reactor Netty closes the response's connection and returns an {@code AbortedException} to fail the body
     * with (WebFlux takes it for a lost client and logs it at DEBUG only); elsewhere an {@link IOException}.
     */
    static Throwable abortOrIo(ServerHttpResponse response, String message) {
        return REACTOR_NETTY ? Netty.abort(response, message) : new IOException(message);
    }

    /** Whether {@code e} says that the client closed or reset the connection (nothing to report at WARN). */
    static boolean isLostClient(Throwable e) {
        if (REACTOR_NETTY && Netty.isLostClient(e)) return true;
        String m = e.getMessage() == null ? "" : e.getMessage();
        return m.contains("Connection reset") || m.contains("Broken pipe");
    }

    /** Reactor Netty only (loaded only when it is present: the router also runs on other servers). */
    private static final class Netty {
        static Throwable abort(ServerHttpResponse response, String message) {
            Object nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
            if (nativeResponse instanceof reactor.netty.Connection connection) {
                connection.channel().close();
            }
            return new reactor.netty.channel.AbortedException(message);
        }

        static boolean isLostClient(Throwable e) {
            return e instanceof reactor.netty.channel.AbortedException
                    || reactor.netty.channel.AbortedException.isConnectionReset(e);
        }
    }
}

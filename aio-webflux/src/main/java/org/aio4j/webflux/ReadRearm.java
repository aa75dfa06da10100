package org.aio4j.webflux;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.util.ClassUtils;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Keeps a keep-alive connection reading after a response that was written on its event loop (the router answers a
 * cached GET or HEAD there, and refusals). Reactor Netty before 1.3.8 (reactor-netty#4361, fixed by #4347) stops
 * reading a connection for good when a request that arrived while the previous one was still finishing is answered
 * and terminated re-entrantly on the event loop: nobody re-arms the read, the next request waits in the socket, and the
 * client hangs until it gives up (soak finding 9 in docs/reliability.md: every connection of a mixed keep-alive load
 * stalled within a second). So after such a response, one task on that event loop asks the channel for a read if it
 * reads on demand and is still open. An extra read is harmless: data that comes early is buffered by Reactor Netty
 * as any pipelined request is. Only on Reactor Netty (looked up by name: the router also runs on other servers), only
 * for responses written on the connection's event loop (the others end later, from another thread, and are re-armed
 * by Reactor Netty itself).
 */
final class ReadRearm {
    private static final boolean REACTOR_NETTY =
            ClassUtils.isPresent("reactor.netty.Connection", ReadRearm.class.getClassLoader());

    /** Re-arms scheduled, in this JVM (tests, diagnostics). */
    static final java.util.concurrent.atomic.LongAdder SCHEDULED = new java.util.concurrent.atomic.LongAdder();

    private ReadRearm() {}

    /** The filter for every route of the router; passes responses through unchanged where Reactor Netty is absent. */
    static HandlerFilterFunction<ServerResponse, ServerResponse> filter() {
        if (!REACTOR_NETTY) return (request, next) -> next.handle(request);
        return (request, next) -> next.handle(request).map(Rearming::new);
    }

    /** A response that, when written on its connection's event loop, re-arms the read after it ended. */
    private record Rearming(ServerResponse delegate) implements ServerResponse {
        @Override
        public HttpStatusCode statusCode() {
            return delegate.statusCode();
        }

        @Override
        public HttpHeaders headers() {
            return delegate.headers();
        }

        @Override
        public MultiValueMap<String, ResponseCookie> cookies() {
            return delegate.cookies();
        }

        @Override
        public Mono<Void> writeTo(ServerWebExchange exchange, Context context) {
            Runnable rearm = Netty.onEventLoop(nativeResponse(exchange.getResponse()));
            Mono<Void> written = delegate.writeTo(exchange, context);
            return rearm == null ? written : written.doFinally(signal -> rearm.run());
        }
    }

    /** The server's own response under {@code response}'s decorators, or null (a mock response has none). */
    private static Object nativeResponse(ServerHttpResponse response) {
        try {
            return ServerHttpResponseDecorator.getNativeResponse(response);
        } catch (IllegalArgumentException | IllegalStateException e) { // none found; a mock's "no native response"
            return null;
        }
    }

    /** Reactor Netty only (loaded only when it is present). */
    private static final class Netty {
        /** The re-arm for {@code nativeResponse}'s channel when the caller is on its event loop, else null. */
        static Runnable onEventLoop(Object nativeResponse) {
            if (!(nativeResponse instanceof reactor.netty.Connection connection)) return null;
            io.netty.channel.Channel channel = connection.channel();
            if (!channel.eventLoop().inEventLoop()) return null;
            return () -> {
                SCHEDULED.increment();
                channel.eventLoop().execute(() -> {
                    if (channel.isActive() && !channel.config().isAutoRead()) channel.read();
                });
            };
        }
    }
}

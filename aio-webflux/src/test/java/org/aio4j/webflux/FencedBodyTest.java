package org.aio4j.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DataBufferWrapper;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.core.io.buffer.PooledDataBuffer;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * The router's download body ({@link FileHandlers#body}, ending with {@link FencedBody}) against WebFlux's own
 * {@code ChannelSendOperator} (the one every {@code writeWith} of a {@code Flux} goes through): a client that goes
 * away while the body's first buffer is on its way leaks nothing.
 *
 * <p>The HTTP benchmark's AIO-only server logged one Netty LEAK per run, allocated by the read that the opening thread
 * submitted: the first buffer had passed the body's own operators ({@code limitRate} checked for a cancel, then
 * emitted), the client's cancel then ran all of {@code ChannelSendOperator}'s cleanup (cancel the body, release the
 * kept first buffer: none yet), and the buffer arrived afterwards: it was kept, the connection's subscription asked
 * for it through a cancelled barrier, and nobody wrote or released it. The test holds the first buffer at that point
 * (inside the body's {@code doOnNext}) until the cancel returned, so it fails on the old body every time.
 */
class FencedBodyTest {
    private static final NettyDataBufferFactory NETTY =
            new NettyDataBufferFactory(Unpooled.buffer().alloc());

    @Test
    void theFirstBufferOnItsWayWhenTheClientGoesAwayIsReleased() throws Exception {
        for (int i = 0; i < 20; i++) {
            CountDownLatch onItsWay = new CountDownLatch(1);
            CountDownLatch cancelled = new CountDownLatch(1);
            Gated first = new Gated(NETTY.wrap(Unpooled.directBuffer(3).writeBytes(new byte[] {1, 2, 3})), () -> {
                onItsWay.countDown();
                await(cancelled);
            });
            MockServerHttpResponse response = new MockServerHttpResponse(NETTY);
            // as Reactor Netty does: the connection subscribes to the body WebFlux hands it, writes and releases
            response.setWriteHandler(
                    body -> body.doOnNext(DataBufferUtils::release).then());
            // emitted on another thread than the one that cancels, as a read served on the opening thread (a plain
            // thread: a scheduler's task would be interrupted by the cancel)
            Flux<DataBuffer> source = Flux.create(sink -> new Thread(
                            () -> {
                                sink.next(first);
                                sink.complete();
                            },
                            "emitter")
                    .start());
            FileHandlers.FileInfo info = new FileHandlers.FileInfo(Path.of("f"), 3, Instant.EPOCH, "\"e\"", 0, null);
            Disposable exchange = FileHandlers.body(factory -> source, 3, info)
                    .insert(response, null)
                    .subscribe(v -> {}, e -> {});
            await(onItsWay);
            exchange.dispose(); // the client went away: WebFlux cancels the write
            cancelled.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (first.isAllocated() && System.nanoTime() < deadline) Thread.sleep(1);
            assertThat(first.isAllocated())
                    .as("the first buffer, on its way when the client went away (round %d)", i)
                    .isFalse();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) throw new AssertionError("timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A pooled buffer whose first {@code readableByteCount()} (the body's byte count) runs {@code gate} first. */
    private static final class Gated extends DataBufferWrapper implements PooledDataBuffer {
        private final PooledDataBuffer pooled;
        private final Runnable gate;
        private final AtomicBoolean first = new AtomicBoolean(true);

        Gated(DataBuffer delegate, Runnable gate) {
            super(delegate);
            this.pooled = (PooledDataBuffer) delegate;
            this.gate = gate;
        }

        @Override
        public int readableByteCount() {
            if (first.compareAndSet(true, false)) {
                new Throwable("DEBUG gate").printStackTrace(System.out);
                gate.run();
            }
            return super.readableByteCount();
        }

        @Override
        public boolean isAllocated() {
            return pooled.isAllocated();
        }

        @Override
        public PooledDataBuffer retain() {
            pooled.retain();
            return this;
        }

        @Override
        public PooledDataBuffer touch(Object hint) {
            return this;
        }

        @Override
        public boolean release() {
            return pooled.release();
        }

        @Override
        public DataBufferFactory factory() {
            return NETTY;
        }
    }
}

package org.aio4j.cli;

import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.aio4j.reactor.AioFiles;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

/**
 * Consumes a {@code Flux<ByteBuffer>} from {@link AioFiles#read} on the calling thread, one chunk at a time, so slow
 * or blocking work (writing to a pipe) never runs on the engine's threads. Every chunk is released after the
 * consumer returns, and also when the consumer throws.
 */
final class ChunkPump {
    /** What is done with each chunk; may block. */
    interface ChunkConsumer {
        void accept(ByteBuffer chunk) throws Exception;
    }

    private static final Object COMPLETE = new Object();

    private ChunkPump() {}

    /** Pumps {@code chunks} into {@code consumer}; returns the byte count, rethrows the first error. */
    static long pump(Flux<ByteBuffer> chunks, int prefetch, ChunkConsumer consumer) throws Exception {
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        BaseSubscriber<ByteBuffer> subscriber = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                s.request(prefetch);
            }

            @Override
            protected void hookOnNext(ByteBuffer chunk) {
                queue.add(chunk);
            }

            @Override
            protected void hookOnComplete() {
                queue.add(COMPLETE);
            }

            @Override
            protected void hookOnError(Throwable e) {
                queue.add(e);
            }
        };
        chunks.subscribe(subscriber);
        long total = 0;
        try {
            while (true) {
                Object o = queue.take();
                if (o == COMPLETE) return total;
                if (o instanceof Throwable t) {
                    if (t instanceof Exception e) throw e;
                    throw (Error) t;
                }
                ByteBuffer chunk = (ByteBuffer) o;
                try {
                    total += chunk.remaining();
                    consumer.accept(chunk);
                } finally {
                    AioFiles.release(chunk);
                }
                subscriber.request(1);
            }
        } finally {
            subscriber.dispose();
            // chunks that arrived before the cancel took effect
            for (Object o; (o = queue.poll()) != null; ) {
                if (o instanceof ByteBuffer b) AioFiles.release(b);
            }
        }
    }
}

package org.aio4j.benchmarks;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

/**
 * Subscribes with unbounded demand, counts the bytes of every element (and releases it through {@code sizeAndRelease},
 * which returns the element's readable byte count), and lets the caller wait for the end of the stream.
 *
 * @param <T> the element type
 */
final class CountingSubscriber<T> implements CoreSubscriber<T> {
    private final ToIntFunction<? super T> sizeAndRelease;
    private final CountDownLatch done = new CountDownLatch(1);
    private long bytes;
    private Throwable error;

    private CountingSubscriber(ToIntFunction<? super T> sizeAndRelease) {
        this.sizeAndRelease = sizeAndRelease;
    }

    /**
     * Subscribes to {@code source} and returns the byte count once it completes.
     *
     * @throws IllegalStateException if the stream fails or does not end within 10 minutes
     */
    static <T> long count(Publisher<T> source, ToIntFunction<? super T> sizeAndRelease) throws InterruptedException {
        CountingSubscriber<T> s = new CountingSubscriber<>(sizeAndRelease);
        source.subscribe(s);
        if (!s.done.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("stream did not end within 10 minutes");
        }
        if (s.error != null) {
            throw new IllegalStateException("stream failed", s.error);
        }
        return s.bytes;
    }

    @Override
    public void onSubscribe(Subscription s) {
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(T t) {
        bytes += sizeAndRelease.applyAsInt(t);
    }

    @Override
    public void onError(Throwable t) {
        error = t;
        done.countDown();
    }

    @Override
    public void onComplete() {
        done.countDown();
    }
}

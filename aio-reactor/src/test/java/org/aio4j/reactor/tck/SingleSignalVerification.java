package org.aio4j.reactor.tck;

import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.reactivestreams.tck.TestEnvironment.ManualSubscriber;
import org.reactivestreams.tck.TestEnvironment.ManualSubscriberWithSubscriptionSupport;
import org.testng.annotations.Test;

/**
 * A verification of a publisher of at most one element (a {@code Mono}). The TCK runs most §3 rules only with 3 to
 * 20 elements, so for these publishers it skips them; the {@code single_*} tests here check the same rules with the
 * single signal, using the TCK's own subscribers and environment: requests from onSubscribe/onNext (3.2), requests
 * after cancel are no-ops (3.6), request(0) and negative requests signal {@link IllegalArgumentException} (3.9),
 * cancel stops signalling (3.12, raced against completion), the subscriber is dropped after a cancel (3.13), and
 * demand up to and beyond {@code Long.MAX_VALUE} (3.17).
 */
abstract class SingleSignalVerification<T> extends AioPublisherVerification<T> {
    static final int RACE_ROUNDS = 100;

    /** A new publisher of the kind under test. */
    abstract Publisher<T> single();

    /** Whether {@link #single()} emits one value (true) or completes empty (false). */
    abstract boolean emitsValue();

    /**
     * Always {@link #single()}: the TCK asks for 0 elements only in rules that never request (1.9: onSubscribe is
     * signalled; subscribe(null) throws), where one value waiting for demand is just as valid, and in 1.5's optional
     * empty-stream rule (not verified for publishers that always emit one value).
     */
    @Override
    public Publisher<T> createPublisher(long elements) {
        return single();
    }

    private void expectTheSignal(ManualSubscriber<T> sub) throws InterruptedException {
        if (emitsValue()) sub.nextElement();
        sub.expectCompletion();
    }

    @Test
    public void single_spec302_mustAllowSynchronousRequestCallsFromOnNextAndOnSubscribe() throws Throwable {
        ManualSubscriber<T> sub = new ManualSubscriberWithSubscriptionSupport<T>(env) {
            volatile Subscription upstream;

            @Override
            public void onSubscribe(Subscription s) {
                upstream = s;
                super.onSubscribe(s);
                s.request(1);
                s.request(1);
                s.request(1);
            }

            @Override
            public void onNext(T element) {
                upstream.request(1);
                super.onNext(element);
            }
        };
        env.subscribe(single(), sub);
        expectTheSignal(sub);
        sub.expectNone();
        env.verifyNoAsyncErrors();
    }

    /**
     * After a cancel, requests are no-ops: no value, no error. A {@code Mono<Void>} may complete without demand,
     * so its completion may race the cancel (rule 1.8: signals stop <em>eventually</em>); a value never may.
     */
    @Test
    public void single_spec306_afterSubscriptionIsCancelledRequestMustBeNops() throws Throwable {
        Recorder<T> sub = Recorder.subscribe(single());
        sub.subscription.cancel();
        sub.subscription.request(1);
        sub.subscription.request(1);
        sub.subscription.request(1);
        Thread.sleep(NO_SIGNALS_MILLIS);
        sub.assertNo(true, true, emitsValue());
    }

    @Test
    public void single_spec309_requestZeroMustSignalIllegalArgumentException() throws Throwable {
        expectIllegalArgument(0);
    }

    @Test
    public void single_spec309_requestNegativeNumberMustSignalIllegalArgumentException() throws Throwable {
        expectIllegalArgument(-42);
    }

    private void expectIllegalArgument(long n) throws InterruptedException {
        Recorder<T> sub = Recorder.subscribe(single());
        boolean completedBefore = sub.completes.get() > 0;
        sub.subscription.request(n);
        if (completedBefore) {
            // a Mono<Void> that completed without demand: 3.9 concerns live subscriptions only
            throw new org.testng.SkipException("completed before the request, rule 3.9 does not apply");
        }
        Throwable e = sub.awaitError(TIMEOUT_MILLIS);
        if (!(e instanceof IllegalArgumentException)) {
            if (!emitsValue() && e == null && sub.completes.get() > 0) {
                throw new org.testng.SkipException("completed (without demand) while requesting: 3.9 not observable");
            }
            throw new AssertionError("expected onError(IllegalArgumentException) for request(" + n + "), got " + e);
        }
        sub.assertNo(true, false, false);
    }

    /** Records every signal; requests nothing by itself. */
    static final class Recorder<T> implements Subscriber<T> {
        volatile Subscription subscription;
        final AtomicInteger nexts = new AtomicInteger();
        final AtomicInteger completes = new AtomicInteger();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final java.util.concurrent.CountDownLatch errored = new java.util.concurrent.CountDownLatch(1);

        static <T> Recorder<T> subscribe(Publisher<T> pub) {
            Recorder<T> r = new Recorder<>();
            pub.subscribe(r);
            if (r.subscription == null) throw new AssertionError("onSubscribe not signalled synchronously");
            return r;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
        }

        @Override
        public void onNext(T t) {
            nexts.incrementAndGet();
        }

        @Override
        public void onError(Throwable t) {
            error.set(t);
            errored.countDown();
        }

        @Override
        public void onComplete() {
            completes.incrementAndGet();
        }

        Throwable awaitError(long millis) throws InterruptedException {
            errored.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
            return error.get();
        }

        void assertNo(boolean next, boolean err, boolean complete) {
            if (next && nexts.get() > 0) throw new AssertionError(nexts.get() + " unexpected onNext");
            if (err && error.get() != null) throw new AssertionError("unexpected onError", error.get());
            if (complete && completes.get() > 0) throw new AssertionError("unexpected onComplete");
            if (completes.get() > 1) throw new AssertionError(completes.get() + " onComplete");
        }
    }

    /** Cancel right after the request, racing the completion: never an error, nothing after a value's absence. */
    @Test
    public void single_spec312_cancelMustMakeThePublisherToEventuallyStopSignaling() throws Throwable {
        for (int round = 0; round < RACE_ROUNDS; round++) {
            AtomicInteger nexts = new AtomicInteger();
            AtomicInteger completes = new AtomicInteger();
            AtomicReference<Throwable> error = new AtomicReference<>();
            AtomicReference<Subscription> subscription = new AtomicReference<>();
            single().subscribe(new Subscriber<T>() {
                @Override
                public void onSubscribe(Subscription s) {
                    subscription.set(s);
                }

                @Override
                public void onNext(T t) {
                    nexts.incrementAndGet();
                }

                @Override
                public void onError(Throwable t) {
                    error.set(t);
                }

                @Override
                public void onComplete() {
                    completes.incrementAndGet();
                }
            });
            Subscription s = subscription.get();
            s.request(1);
            if ((round & 1) == 0) Thread.onSpinWait();
            s.cancel();
            int n = nexts.get();
            int c = completes.get();
            if (error.get() != null) throw new AssertionError("onError after cancel, round " + round, error.get());
            if (n > 1 || c > 1 || (emitsValue() && c > n) || (!emitsValue() && n > 0)) {
                throw new AssertionError("round " + round + ": " + n + " onNext, " + c + " onComplete");
            }
        }
        Thread.sleep(NO_SIGNALS_MILLIS); // late signals of the last rounds would show as errors of the next test
        env.verifyNoAsyncErrorsNoDelay();
    }

    @Test
    public void single_spec313_cancelMustMakeThePublisherEventuallyDropAllReferencesToTheSubscriber() throws Throwable {
        Publisher<T> pub = single();
        WeakReference<ManualSubscriber<T>> cancelledEarly = subscribeAndCancel(pub, false);
        WeakReference<ManualSubscriber<T>> cancelledAfter = subscribeAndCancel(single(), true);
        Thread.sleep(GC_MILLIS);
        for (int i = 0; i < 5 && (cancelledEarly.get() != null || cancelledAfter.get() != null); i++) {
            System.gc();
            Thread.sleep(20);
        }
        if (cancelledEarly.get() != null) env.flop("subscriber still referenced after a cancel without request");
        if (cancelledAfter.get() != null) env.flop("subscriber still referenced after its signal and a cancel");
        env.verifyNoAsyncErrorsNoDelay();
    }

    private WeakReference<ManualSubscriber<T>> subscribeAndCancel(Publisher<T> pub, boolean afterSignal)
            throws InterruptedException {
        ManualSubscriber<T> sub = env.newManualSubscriber(pub);
        if (afterSignal) {
            sub.request(1);
            expectTheSignal(sub);
        }
        sub.cancel();
        return new WeakReference<>(sub);
    }

    @Test
    public void single_spec317_mustSupportACumulativePendingElementCountUpToLongMaxValue() throws Throwable {
        ManualSubscriber<T> sub = env.newManualSubscriber(single());
        sub.request(Long.MAX_VALUE / 2);
        sub.request(Long.MAX_VALUE / 2);
        sub.request(1);
        sub.request(Long.MAX_VALUE); // beyond Long.MAX_VALUE: must not signal an error
        expectTheSignal(sub);
        sub.expectNone();
        env.verifyNoAsyncErrorsNoDelay();
    }
}

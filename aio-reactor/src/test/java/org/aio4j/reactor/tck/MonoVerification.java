package org.aio4j.reactor.tck;

import org.reactivestreams.Publisher;

/**
 * A verification of a {@code Mono} that always emits exactly one value (a byte count, an offset, a file handle):
 * {@link #maxElementsFromPublisher()} is 1, so the TCK skips every rule that needs a longer stream.
 */
abstract class MonoVerification<T> extends AioPublisherVerification<T> {
    /** A new Mono of the kind under test (one value, then complete). */
    abstract Publisher<T> mono();

    /**
     * Always {@link #mono()}: the TCK asks for 0 elements only in rules that never request (1.9: onSubscribe is
     * signalled; subscribe(null) throws), where one value waiting for demand is just as valid, and in 1.5's optional
     * empty-stream rule, which is not verified here (see below).
     */
    @Override
    public Publisher<T> createPublisher(long elements) {
        return mono();
    }

    @Override
    public long maxElementsFromPublisher() {
        return 1;
    }

    /** Not applicable: this Mono always emits exactly one value, so no empty variant of it exists. */
    @Override
    public void optional_spec105_emptyStreamMustTerminateBySignallingOnComplete() throws Throwable {
        notVerified("this Mono always emits exactly one value; it has no empty variant");
    }
}

package org.aio4j.reactor.tck;

import org.reactivestreams.Publisher;

/**
 * A verification of a {@code Mono<Void>} (fsync, close, Spring's write): a stream of exactly 0 elements, so
 * {@link #maxElementsFromPublisher()} is 0 and the rules that need elements are skipped by the TCK; the ones that
 * run check onSubscribe, completion of an empty stream and the error path.
 */
abstract class VoidMonoVerification extends AioPublisherVerification<Void> {
    /** A new Mono of the kind under test. */
    abstract Publisher<Void> mono();

    @Override
    public Publisher<Void> createPublisher(long elements) {
        return mono();
    }

    @Override
    public long maxElementsFromPublisher() {
        return 0;
    }
}

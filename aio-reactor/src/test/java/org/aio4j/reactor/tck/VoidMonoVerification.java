package org.aio4j.reactor.tck;

/**
 * A verification of a {@code Mono<Void>} (fsync, close, Spring's write): a stream of exactly 0 elements, so
 * {@link #maxElementsFromPublisher()} is 0 and the TCK skips the rules that need elements; the ones that run check
 * onSubscribe, completion of an empty stream and the error path, and {@link SingleSignalVerification} checks the
 * skipped §3 rules with the completion signal.
 */
abstract class VoidMonoVerification extends SingleSignalVerification<Void> {
    @Override
    boolean emitsValue() {
        return false;
    }

    @Override
    public long maxElementsFromPublisher() {
        return 0;
    }
}

package org.aio4j.reactor.tck;

/**
 * A verification of a {@code Mono} that always emits exactly one value (a byte count, an offset, a file handle):
 * {@link #maxElementsFromPublisher()} is 1, so the TCK skips every rule that needs a longer stream; {@link
 * SingleSignalVerification} checks those rules with the one value.
 */
abstract class MonoVerification<T> extends SingleSignalVerification<T> {
    @Override
    boolean emitsValue() {
        return true;
    }

    @Override
    public long maxElementsFromPublisher() {
        return 1;
    }

    /** Not applicable: this publisher always emits exactly one value, so no empty variant of it exists. */
    @Override
    public void optional_spec105_emptyStreamMustTerminateBySignallingOnComplete() throws Throwable {
        notVerified("this publisher always emits exactly one value; it has no empty variant");
    }
}

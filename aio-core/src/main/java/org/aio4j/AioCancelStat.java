package org.aio4j;

import org.aio4j.internal.AioAbi;
import org.aio4j.internal.NativeLib;

/** What {@code aio_cancel} did. */
public enum AioCancelStat {
    /** Every request named was cancelled; each still completes with ECANCELED and must be reaped. */
    AIO_CANCELED,
    /** At least one request was running and could not be cancelled: poll it with {@code error()}. */
    AIO_NOTCANCELED,
    /** Every request named had already finished. */
    AIO_ALLDONE;

    /**
     * Maps a non-negative return value of {@code aio_cancel} on this platform.
     *
     * @param value what {@code aio_cancel} returned, not negative (a negative return is an error, not a status)
     * @return the constant this platform's {@code <aio.h>} gives that value
     * @throws IllegalStateException for a value POSIX does not define
     */
    public static AioCancelStat fromNative(int value) {
        AioAbi abi = NativeLib.abi();
        if (value == abi.AIO_CANCELED) return AIO_CANCELED;
        if (value == abi.AIO_NOTCANCELED) return AIO_NOTCANCELED;
        if (value == abi.AIO_ALLDONE) return AIO_ALLDONE;
        throw new IllegalStateException("unknown aio_cancel return value " + value);
    }
}

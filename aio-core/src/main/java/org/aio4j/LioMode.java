package org.aio4j;

import org.aio4j.internal.NativeLib;

/** Mode of {@link PosixAio#lioListio}: wait for every op, or return at once. */
public enum LioMode {
    /** {@code lio_listio} blocks until every op has completed. */
    LIO_WAIT,
    /** {@code lio_listio} returns once the ops are queued. */
    LIO_NOWAIT;

    /**
     * The value of this mode on this platform.
     *
     * @return the {@code LIO_WAIT} or {@code LIO_NOWAIT} constant of this platform's {@code <aio.h>}
     */
    public int value() {
        return this == LIO_WAIT ? NativeLib.abi().LIO_WAIT : NativeLib.abi().LIO_NOWAIT;
    }
}

package org.aio4j.test;

import org.aio4j.engine.internal.Backend;

/** The kinds of engine operation a test engine scripts and logs. */
public enum OpType {
    /** A read ({@code aio_read}, or a read the cached-read fast path would complete on the calling thread). */
    READ,
    /** A write ({@code aio_write}). */
    WRITE,
    /** An {@code aio_fsync}. */
    FSYNC;

    static OpType of(int backendOp) {
        return switch (backendOp) {
            case Backend.OP_READ -> READ;
            case Backend.OP_WRITE -> WRITE;
            case Backend.OP_FSYNC -> FSYNC;
            default -> throw new IllegalArgumentException("unknown backend op " + backendOp);
        };
    }
}

package org.aio4j.test;

import java.nio.file.Path;

/**
 * One engine operation as a test engine saw it, in {@link AioTestEngine#log()}.
 *
 * @param number the op's number in submission order, from 1 (with several ops in flight, that order may change from
 *     run to run; {@link AioTestEngine.Builder#random} does not draw from it)
 * @param type read, write or fsync
 * @param path the file the op's fd referred to when it was submitted (read from {@code /proc/self/fd}), or null
 *     where that is unavailable (not Linux, or the fd was closed meanwhile)
 * @param position the file offset (0 for an fsync)
 * @param length the bytes asked for (0 for an fsync)
 * @param result bytes transferred (0 for an fsync that succeeded), or minus the errno it completed with; {@link
 *     Long#MIN_VALUE} while the op is in flight
 * @param cancelled true if it completed as cancelled ({@code ECANCELED})
 * @param completed false while the op is in flight
 * @param fault what the script did to it ({@code "fail EIO"}, {@code "short 100"}, {@code "delay PT10S"}, ...), or
 *     the empty string
 */
public record OpRecord(
        long number,
        OpType type,
        Path path,
        long position,
        long length,
        long result,
        boolean cancelled,
        boolean completed,
        String fault) {

    /** The result of an op still in flight. */
    public static final long IN_FLIGHT = Long.MIN_VALUE;

    /**
     * True if the op completed with an error (cancelled ones included).
     *
     * @return true for a completed op with a negative result
     */
    public boolean failed() {
        return completed && result < 0;
    }
}

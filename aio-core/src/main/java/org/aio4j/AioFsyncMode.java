package org.aio4j;

import org.aio4j.internal.NativeLib;

/** Whether {@code aio_fsync} syncs data and metadata ({@link #O_SYNC}, like {@code fsync}) or only data. */
public enum AioFsyncMode {
    /** Data and metadata, like {@code fsync(2)}. */
    O_SYNC,
    /** Data only, like {@code fdatasync(2)}; on Linux and macOS (FreeBSD 13+ too). */
    O_DSYNC;

    /**
     * The value of this mode on this platform, as {@code aio_fsync} takes it.
     *
     * @return the {@code O_SYNC} or {@code O_DSYNC} flag of this platform's C library
     */
    public int value() {
        return this == O_SYNC ? NativeLib.abi().O_SYNC : NativeLib.abi().O_DSYNC;
    }
}

package org.aio4j.internal;

import com.kenai.jffi.MemoryIO;
import java.nio.Buffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one owner of native memory in aio4j: explicit {@code calloc}/{@code free} (never memory that the garbage
 * collector frees behind our back), raw field access, and an account of what is outstanding so that tests can
 * prove every allocation was returned.
 *
 * <p>Memory handed to the kernel or glibc (an {@code aiocb}, its buffer, an {@code aiocb*} list, a sigevent) must
 * not be freed before the operation that uses it is reaped with {@code aio_return}. The callers enforce that; this
 * class only counts.
 */
public final class NativeMemory {
    private static final MemoryIO IO = MemoryIO.getInstance();
    private static final AtomicLong OUTSTANDING_BYTES = new AtomicLong();
    private static final AtomicLong OUTSTANDING_BLOCKS = new AtomicLong();

    private NativeMemory() {}

    /**
     * Allocates {@code size} zeroed bytes.
     *
     * @throws OutOfMemoryError when the C library has none left
     */
    public static long allocate(long size) {
        if (size <= 0) throw new IllegalArgumentException("size must be positive: " + size);
        long address = IO.allocateMemory(size, true);
        if (address == 0) throw new OutOfMemoryError("native allocation of " + size + " bytes failed");
        OUTSTANDING_BYTES.addAndGet(size);
        OUTSTANDING_BLOCKS.incrementAndGet();
        return address;
    }

    /** Frees a block of {@code size} bytes from {@link #allocate}; 0 is ignored. */
    public static void free(long address, long size) {
        if (address == 0) return;
        IO.freeMemory(address);
        OUTSTANDING_BYTES.addAndGet(-size);
        OUTSTANDING_BLOCKS.decrementAndGet();
    }

    /** Bytes allocated through this class and not yet freed. */
    public static long outstandingBytes() {
        return OUTSTANDING_BYTES.get();
    }

    /** Blocks allocated through this class and not yet freed. */
    public static long outstandingBlocks() {
        return OUTSTANDING_BLOCKS.get();
    }

    /** Sets {@code size} bytes at {@code address} to zero. */
    public static void zero(long address, long size) {
        IO.setMemory(address, size, (byte) 0);
    }

    /** The native address of element 0 of a direct buffer (not of its position). */
    public static long addressOf(Buffer direct) {
        return IO.getDirectBufferAddress(direct);
    }

    public static int getInt(long address) {
        return IO.getInt(address);
    }

    public static void putInt(long address, int value) {
        IO.putInt(address, value);
    }

    public static long getLong(long address) {
        return IO.getLong(address);
    }

    public static void putLong(long address, long value) {
        IO.putLong(address, value);
    }

    public static short getShort(long address) {
        return IO.getShort(address);
    }

    public static void putShort(long address, short value) {
        IO.putShort(address, value);
    }

    public static void putByte(long address, byte value) {
        IO.putByte(address, value);
    }

    public static byte getByte(long address) {
        return IO.getByte(address);
    }
}

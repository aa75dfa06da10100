package org.aio4j.engine;

import java.nio.ByteBuffer;
import org.aio4j.AioFile;
import org.aio4j.engine.internal.Backend;
import org.aio4j.engine.internal.IntStack;
import org.aio4j.engine.internal.IoUring;
import org.aio4j.internal.NativeMemory;

/**
 * Room "slots" of {@link AioEngine}: the registry of ops in flight. An op holds a slot {@code 0..capacity-1} from
 * {@link #fill} until {@link Completions#reaped} frees it; the backend keeps its native state (an {@code aiocb}) under
 * the same index. Everything the op needs is kept in parallel arrays indexed by slot (handler, attachment, the
 * buffer, so it stays reachable while the kernel or glibc may write to it, file, fd, position, start time), and the
 * free slots are a lock-free stack of ints: nothing is allocated per op.
 *
 * <p>Tokens are {@code generation << 32 | slot}; the generation changes each time a slot is freed, so a stale token
 * never reaches a later op on the same slot. The per-op fields are written by the thread that popped the slot and read
 * by the reaper after the backend's publication; {@link #liveTokens}, {@link #states} and {@link #cancelRequested}
 * are guarded by the slot's stripe lock ({@link #stripe}), which {@link Cancellation} also takes, so a slot is never
 * freed (or its {@code aiocb} reused) under a cancel.
 */
final class SlotRegistry {
    static final byte K_READ = Backend.OP_READ, K_WRITE = Backend.OP_WRITE, K_FSYNC = Backend.OP_FSYNC;
    /**
     * Vectored ops (backends with {@link Backend#supportsVector()}): {@link #addrs} holds the native {@code iovec}
     * array the slot owns (allocated by {@link #fillVector}, freed by {@link #retire}), {@link #lens} its entry
     * count, {@link #vectors} the buffers it names.
     */
    static final byte K_READV = Backend.OP_READV, K_WRITEV = Backend.OP_WRITEV;
    /** Slot states (guarded by the stripe lock): free, in flight, waiting for an EAGAIN retry, in its submit call. */
    static final byte S_FREE = 0, S_SUBMITTED = 1, S_RETRY = 2, S_SUBMITTING = 3;

    static final int STRIPES = 64;

    final int capacity;
    final IntStack free;
    final int[] gens;
    final long[] liveTokens;
    final byte[] states;
    final boolean[] cancelRequested;
    private final Object[] stripes = new Object[STRIPES];
    final AioHandler<?>[] handlers;
    final Object[] attachments;
    final ByteBuffer[] buffers;
    /** The buffers of a vectored op (kept reachable until it was reaped), else null. */
    final ByteBuffer[][] vectors;

    final AioFile[] files;
    final byte[] kinds;
    final int[] fds;
    final int[] fsyncOps;
    final long[] positions;
    final long[] addrs;
    final long[] lens;
    final long[] starts;
    final int[] attempts;

    SlotRegistry(int cap) {
        capacity = cap;
        free = new IntStack(cap);
        gens = new int[cap];
        java.util.Arrays.fill(gens, 1);
        liveTokens = new long[cap];
        states = new byte[cap];
        cancelRequested = new boolean[cap];
        for (int i = 0; i < STRIPES; i++) stripes[i] = new Object();
        handlers = new AioHandler<?>[cap];
        attachments = new Object[cap];
        buffers = new ByteBuffer[cap];
        vectors = new ByteBuffer[cap][];
        files = new AioFile[cap];
        kinds = new byte[cap];
        fds = new int[cap];
        fsyncOps = new int[cap];
        positions = new long[cap];
        addrs = new long[cap];
        lens = new long[cap];
        starts = new long[cap];
        attempts = new int[cap];
    }

    /** The lock guarding the slot's token, state and cancel request. */
    Object stripe(int slot) {
        return stripes[slot & (STRIPES - 1)];
    }

    /** Stripe lock number {@code i} ({@code 0..STRIPES-1}), for taking them all in index order. */
    Object stripeAt(int i) {
        return stripes[i];
    }

    /** The token the slot's current op has (or will have) while it is live. */
    long token(int slot) {
        return ((long) gens[slot] << 32) | slot;
    }

    /** Writes an op into a slot just popped from {@link #free}; {@code fd} is the lane's fd it will run on. */
    void fill(
            int slot,
            byte kind,
            AioFile file,
            int fd,
            long position,
            ByteBuffer buf,
            int fsyncOp,
            Object att,
            AioHandler<?> h,
            long t0) {
        kinds[slot] = kind;
        files[slot] = file;
        fds[slot] = fd;
        positions[slot] = position;
        fsyncOps[slot] = fsyncOp;
        buffers[slot] = buf;
        if (buf != null) {
            addrs[slot] = NativeMemory.addressOf(buf) + buf.position();
            lens[slot] = buf.remaining();
        } else {
            addrs[slot] = 0;
            lens[slot] = 0;
        }
        attachments[slot] = att;
        handlers[slot] = h;
        starts[slot] = t0;
        attempts[slot] = 0;
    }

    /**
     * Writes a vectored op ({@link #K_READV} or {@link #K_WRITEV}) into a slot just popped from {@link #free}: a
     * native {@code iovec} array for {@code bufs} (each buffer's remaining bytes from its position) is allocated here
     * and belongs to the slot until {@link #retire}, i.e. until the backend reported the op (the kernel may read it
     * until then).
     */
    void fillVector(
            int slot,
            byte kind,
            AioFile file,
            int fd,
            long position,
            ByteBuffer[] bufs,
            Object att,
            AioHandler<?> h,
            long t0) {
        int n = bufs.length;
        long iov = NativeMemory.allocate((long) n * IoUring.IOVEC_SIZE);
        for (int i = 0; i < n; i++) {
            ByteBuffer b = bufs[i];
            long e = iov + (long) i * IoUring.IOVEC_SIZE;
            NativeMemory.putLong(e + IoUring.IOVEC_BASE, NativeMemory.addressOf(b) + b.position());
            NativeMemory.putLong(e + IoUring.IOVEC_LEN, b.remaining());
        }
        kinds[slot] = kind;
        files[slot] = file;
        fds[slot] = fd;
        positions[slot] = position;
        fsyncOps[slot] = 0;
        buffers[slot] = null;
        vectors[slot] = bufs;
        addrs[slot] = iov;
        lens[slot] = n;
        attachments[slot] = att;
        handlers[slot] = h;
        starts[slot] = t0;
        attempts[slot] = 0;
    }

    /** Makes the slot live under {@code token}, in its submit call (cancel waits for {@link #submitted}). */
    void submitting(int slot, long token) {
        synchronized (stripe(slot)) {
            liveTokens[slot] = token;
            states[slot] = S_SUBMITTING;
        }
    }

    /** After a successful submit call: the op may now be cancelled (unless it was already reaped). */
    void submitted(int slot, long token) {
        synchronized (stripe(slot)) {
            if (liveTokens[slot] == token && states[slot] == S_SUBMITTING) states[slot] = S_SUBMITTED;
        }
    }

    /** The op goes on the EAGAIN retry list (state only; see {@link Backlog#retryLater}). */
    void retrying(int slot) {
        synchronized (stripe(slot)) {
            states[slot] = S_RETRY;
        }
    }

    /**
     * Ends the slot's op: no longer live (a cancel now answers false), references dropped, generation bumped. The
     * caller read what it needs before, and pushes the slot on {@link #free} after releasing the fd.
     */
    void retire(int slot) {
        synchronized (stripe(slot)) {
            liveTokens[slot] = 0;
            states[slot] = S_FREE;
            cancelRequested[slot] = false;
        }
        // cleared only after the slot is no longer live: cancelAll(file) reads files[] of live slots
        handlers[slot] = null;
        attachments[slot] = null;
        buffers[slot] = null;
        files[slot] = null;
        if (vectors[slot] != null) {
            // the op was reported (or never submitted): nothing reads its iovec array any more
            NativeMemory.free(addrs[slot], lens[slot] * IoUring.IOVEC_SIZE);
            vectors[slot] = null;
        }
        int g = (gens[slot] + 1) & 0x3FFFFFFF;
        gens[slot] = g == 0 ? 1 : g;
    }
}

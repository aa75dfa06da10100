package org.aio4j.reactor.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pool of direct, 4096-byte aligned {@link ByteBuffer}s: the chunks that {@code AioFiles.read} emits.
 *
 * <p>Every buffer handed out by {@link #acquire} is <em>outstanding</em> until it is given back with {@link
 * #release}. The pool counts outstanding chunks ({@link #outstanding()}), so a consumer that forgets the release
 * rule is visible in tests: the count does not return to its start value. A forgotten chunk is not a native leak
 * (the JVM frees direct buffers when they are collected) but it is lost to the pool.
 *
 * <p>Each {@link #acquire} hands out a new view ({@link ByteBuffer#duplicate()}) of a pooled block, so that
 * releasing can <em>poison</em> the view the consumer holds: its position and limit become 0 (any relative or
 * absolute get or put then throws) while the block goes back to the pool under a fresh view.
 *
 * <p>{@link #release} accepts any buffer: one that is not outstanding from this pool (a foreign buffer, or one
 * released before) is ignored and reported as {@code false}. {@link #releaseChecked} refuses those instead.
 */
public final class ChunkPool implements Chunks {
    /** Chunks are aligned to this, so they also suit {@code O_DIRECT}. */
    public static final int ALIGNMENT = 4096;

    private static final ChunkPool SHARED = new ChunkPool(64L << 20, 16 << 20);

    private final long maxRetainedBytes;
    private final int maxPooledCapacity;
    private final ConcurrentHashMap<Integer, ConcurrentLinkedDeque<ByteBuffer>> free = new ConcurrentHashMap<>();
    /** Outstanding views to their pooled blocks. */
    private final ConcurrentHashMap<Key, ByteBuffer> out = new ConcurrentHashMap<>();
    /**
     * The last {@link #RELEASED_MEMORY} views released (weakly held: they keep no memory alive), so that {@link
     * #releaseChecked} can tell a second release from a foreign buffer.
     */
    private final java.util.Set<WeakKey> released = java.util.Collections.newSetFromMap(
            java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<WeakKey, Boolean>(16, 0.75f, false) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<WeakKey, Boolean> eldest) {
                    return size() > RELEASED_MEMORY;
                }
            }));

    private static final int RELEASED_MEMORY = 4096;
    private final AtomicLong retainedBytes = new AtomicLong();
    private final AtomicLong outstandingBytes = new AtomicLong();
    private final AtomicLong allocations = new AtomicLong();

    /**
     * @param maxRetainedBytes free chunks kept for reuse, in bytes, at most
     * @param maxPooledCapacity chunks larger than this are not kept when released
     */
    public ChunkPool(long maxRetainedBytes, int maxPooledCapacity) {
        this.maxRetainedBytes = maxRetainedBytes;
        this.maxPooledCapacity = maxPooledCapacity;
    }

    /** The pool of the whole JVM. */
    public static ChunkPool shared() {
        return SHARED;
    }

    /** The capacity class of a request: {@code size} rounded up to {@link #ALIGNMENT}. */
    static int capacityFor(int size) {
        if (size <= 0) return ALIGNMENT;
        long c = ((long) size + ALIGNMENT - 1) & -ALIGNMENT;
        return c > Integer.MAX_VALUE - ALIGNMENT ? size : (int) c;
    }

    /**
     * A direct buffer with position 0 and limit {@code size} (its capacity may be larger), outstanding until
     * {@link #release}d.
     */
    @Override
    public ByteBuffer acquire(int size) {
        int cap = capacityFor(size);
        ByteBuffer b = null;
        ConcurrentLinkedDeque<ByteBuffer> q = free.get(cap);
        if (q != null) {
            b = q.pollFirst();
            if (b != null) retainedBytes.addAndGet(-cap);
        }
        if (b == null) {
            b = allocate(cap);
            allocations.incrementAndGet();
        }
        b.clear();
        ByteBuffer view = b.duplicate().limit(size);
        out.put(new Key(view), b);
        outstandingBytes.addAndGet(b.capacity());
        return view;
    }

    /** Allocation of a new chunk (BlockHound: {@code allocateDirect} may sleep while the JVM reclaims memory). */
    static ByteBuffer allocate(int capacity) {
        ByteBuffer raw = ByteBuffer.allocateDirect(capacity + ALIGNMENT - 1);
        ByteBuffer aligned = raw.alignedSlice(ALIGNMENT);
        return aligned.limit(capacity).slice();
    }

    /**
     * Gives a chunk back. Returns {@code false} (and does nothing) when {@code buffer} is null, not from this pool,
     * or already released.
     */
    @Override
    public boolean release(ByteBuffer buffer) {
        if (buffer == null || !buffer.isDirect()) return false;
        Key key = new Key(buffer);
        ByteBuffer block = out.remove(key);
        if (block == null) return false;
        buffer.position(0).limit(0); // poisoned: the consumer's view can no longer read or write
        released.add(new WeakKey(buffer));
        int cap = block.capacity();
        outstandingBytes.addAndGet(-cap);
        if (cap <= maxPooledCapacity && retainedBytes.addAndGet(cap) <= maxRetainedBytes) {
            block.clear();
            free.computeIfAbsent(cap, k -> new ConcurrentLinkedDeque<>()).offerFirst(block);
        } else if (cap <= maxPooledCapacity) {
            retainedBytes.addAndGet(-cap);
        }
        return true;
    }

    /**
     * {@link #release}, refusing what it would ignore.
     *
     * @throws NullPointerException for null
     * @throws IllegalStateException for a chunk of this pool released before (among the last few thousand released)
     * @throws IllegalArgumentException for a buffer this pool did not hand out (or released long ago)
     */
    public void releaseChecked(ByteBuffer buffer) {
        java.util.Objects.requireNonNull(buffer, "chunk");
        if (release(buffer)) return;
        if (released.contains(new WeakKey(buffer))) {
            throw new IllegalStateException("chunk released twice: " + buffer);
        }
        throw new IllegalArgumentException("not a chunk of AioFiles.read (or one released long ago): " + buffer);
    }

    /** True when {@code buffer} is outstanding from this pool. */
    public boolean isOutstanding(ByteBuffer buffer) {
        return buffer != null && out.containsKey(new Key(buffer));
    }

    /** Chunks handed out and not yet released. */
    public int outstanding() {
        return out.size();
    }

    /** Capacity of the chunks handed out and not yet released, in bytes. */
    public long outstandingBytes() {
        return outstandingBytes.get();
    }

    /** Bytes kept in free chunks for reuse. */
    public long retainedBytes() {
        return retainedBytes.get();
    }

    /** How many new chunks were allocated so far. */
    public long allocations() {
        return allocations.get();
    }

    /** Drops the free chunks (outstanding ones are not affected). */
    public void trim() {
        for (ConcurrentLinkedDeque<ByteBuffer> q : free.values()) {
            ByteBuffer b;
            while ((b = q.pollFirst()) != null) retainedBytes.addAndGet(-b.capacity());
        }
    }

    /** Identity key: ByteBuffer's own equals/hashCode compare contents. */
    private static final class Key {
        final ByteBuffer buffer;
        final int hash;

        Key(ByteBuffer buffer) {
            this.buffer = buffer;
            this.hash = System.identityHashCode(buffer);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && ((Key) o).buffer == buffer;
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** Identity key that does not keep its buffer alive. */
    private static final class WeakKey extends java.lang.ref.WeakReference<ByteBuffer> {
        final int hash;

        WeakKey(ByteBuffer buffer) {
            super(buffer);
            this.hash = System.identityHashCode(buffer);
        }

        @Override
        public boolean equals(Object o) {
            if (o == this) return true;
            if (!(o instanceof WeakKey)) return false;
            ByteBuffer b = get();
            return b != null && ((WeakKey) o).get() == b;
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}

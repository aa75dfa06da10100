package org.aio4j.engine;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.aio4j.AioException;
import org.aio4j.AioFile;

/**
 * Room "lanes" of {@link AioEngine}: the {@code dup()}'d fds over which a file's ops are spread round-robin, because
 * glibc runs the requests of one fd number one at a time. Made on a file's first op ({@link #lane}), closed by the
 * reaper's {@link #sweep} once the file was closed (each copy only after its last op was reaped, through {@code
 * FdTracker}), and all at engine close.
 */
final class Lanes {
    private static final System.Logger LOG = System.getLogger(AioEngine.class.getName());

    /** Lanes per buffered file and per {@code O_DIRECT} file; the larger of the two. */
    final int buffered, direct, max;

    private final Map<AioFile, AioFile[]> laneMap = new ConcurrentHashMap<>();
    private final AtomicInteger laneCounter = new AtomicInteger();

    Lanes(int buffered, int direct) {
        this.buffered = buffered;
        this.direct = direct;
        this.max = Math.max(buffered, direct);
    }

    /** Lanes this engine would use for {@code file}. */
    private int lanesFor(AioFile file) {
        return file.isDirect() ? direct : buffered;
    }

    /** The file (or one of its copies) the next op of {@code file} runs on. */
    AioFile lane(AioFile file) {
        if (lanesFor(file) <= 1) return file;
        AioFile[] ls = laneMap.get(file);
        if (ls == null) ls = laneMap.computeIfAbsent(file, this::makeLanes);
        if (ls.length == 1) return ls[0];
        return ls[(laneCounter.getAndIncrement() & 0x7FFFFFFF) % ls.length];
    }

    /** The lanes made for {@code file} (the file itself first), or null if none were. */
    AioFile[] existing(AioFile file) {
        return max > 1 ? laneMap.get(file) : null;
    }

    /** The fd numbers {@code file}'s ops are spread over (the file's own fd first). For tests. */
    int[] fds(AioFile file) {
        AioFile[] ls = laneMap.get(file);
        if (ls == null) return new int[] {file.fd()};
        int[] r = new int[ls.length];
        for (int i = 0; i < ls.length; i++) r[i] = ls[i].fd();
        return r;
    }

    private AioFile[] makeLanes(AioFile file) {
        int lanes = lanesFor(file);
        AioFile[] ls = new AioFile[lanes];
        ls[0] = file;
        int n = 1;
        for (; n < lanes; n++) {
            try {
                ls[n] = file.dup();
            } catch (AioException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "aio4j: dup for a lane failed, using " + n + " lanes", e);
                break;
            }
        }
        return n == lanes ? ls : java.util.Arrays.copyOf(ls, n);
    }

    /** Closes the copies of closed files ({@code all}: of every file). Reaper thread. */
    void sweep(boolean all) {
        for (Iterator<Map.Entry<AioFile, AioFile[]>> it = laneMap.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<AioFile, AioFile[]> e = it.next();
            if (all || !e.getKey().isOpen()) {
                it.remove();
                AioFile[] ls = e.getValue();
                for (int i = 1; i < ls.length; i++) ls[i].close(); // deferred while ops are in flight
            }
        }
    }
}

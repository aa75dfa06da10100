package org.aio4j.engine;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.internal.FdTracker;
import org.aio4j.internal.FileCloseHooks;

/**
 * Room "lanes" of {@link AioEngine}: the {@code dup()}'d fds over which a file's ops are spread round-robin, because
 * glibc runs the requests of one fd number one at a time. Made on a file's first op ({@link #lane}); closed when the
 * file is closed ({@link #fileClosed}, a {@link FileCloseHooks} hook run by {@link AioFile#close()} on the closing
 * thread), and all at engine close ({@link #sweep}). Each copy goes through {@link FdTracker#closeWhenIdle}: closed at
 * once if no op is in flight on it, else when its last op was reaped, never under an op (glibc queues by fd number;
 * a reused number would stall behind the old request).
 *
 * <p>Why closing at file close is safe against a submitter that picked a lane just before: every submit path pins the
 * lane's fd ({@code FdTracker.acquire}) and only then checks that the file is open ({@link Submitter#launch}); the
 * file is marked closed before its hooks run. So either the submitter sees the file closed (and completes the op
 * with EBADF without submitting), or its pin came first and the lane's close waits for that op.
 *
 * <p>{@link EngineMetrics#laneFds()} counts the copies made and not yet closed ({@code close(2)} done, through
 * {@link FdTracker#whenClosed}).
 */
final class Lanes implements FileCloseHooks.Hook {
    private static final System.Logger LOG = System.getLogger(AioEngine.class.getName());

    /** Lanes per buffered file and per {@code O_DIRECT} file; the larger of the two. */
    final int buffered, direct, max;

    private final Map<AioFile, AioFile[]> laneMap = new ConcurrentHashMap<>();
    private final AtomicInteger laneCounter = new AtomicInteger();
    /** The copies made and not yet closed: {@link EngineMetrics#laneFds()}. */
    private final AtomicInteger held;

    private final Runnable copyClosed;

    Lanes(int buffered, int direct, EngineMetrics metrics) {
        this.buffered = buffered;
        this.direct = direct;
        this.max = Math.max(buffered, direct);
        this.held = metrics.laneFds;
        this.copyClosed = held::decrementAndGet;
    }

    /** Lanes this engine would use for {@code file}. */
    private int lanesFor(AioFile file) {
        return file.isDirect() ? direct : buffered;
    }

    /** The file (or one of its copies) the next op of {@code file} runs on. */
    AioFile lane(AioFile file) {
        if (lanesFor(file) <= 1) return file;
        AioFile[] ls = laneMap.get(file);
        if (ls == null) {
            ls = laneMap.computeIfAbsent(file, this::makeLanes);
            // The file may have been closed (and its hooks run) before makeLanes added ours: close the copies now.
            // The op that asked still pins its lane before it checks the file, so it fails with EBADF.
            if (!file.isOpen()) fileClosed(file);
        }
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
                held.incrementAndGet();
            } catch (AioException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "aio4j: dup for a lane failed, using " + n + " lanes", e);
                break;
            }
        }
        if (n > 1) FileCloseHooks.add(file, this);
        return n == lanes ? ls : java.util.Arrays.copyOf(ls, n);
    }

    /**
     * {@code file} was closed: closes its copies, each now or after its last op was reaped. Runs on the thread that
     * closed the file (its {@link FileCloseHooks} hook), or on a submitter or the reaper that found it closed; once.
     */
    @Override
    public void fileClosed(AioFile file) {
        AioFile[] ls = laneMap.remove(file);
        if (ls == null) return;
        FileCloseHooks.remove(file, this); // if it was closed before the hook was added
        closeCopies(ls);
    }

    private void closeCopies(AioFile[] ls) {
        for (int i = 1; i < ls.length; i++) {
            FdTracker.whenClosed(ls[i].fd(), copyClosed);
            ls[i].close(); // FdTracker: deferred while ops are in flight on it
        }
    }

    /**
     * Closes the copies of closed files ({@code all}: of every file, at engine close). Reaper thread, about once a
     * second: a backstop only, since {@link #fileClosed} runs at each file's close.
     */
    void sweep(boolean all) {
        for (Iterator<Map.Entry<AioFile, AioFile[]>> it = laneMap.entrySet().iterator(); it.hasNext(); ) {
            AioFile file = it.next().getKey();
            if (all) {
                AioFile[] ls = laneMap.remove(file);
                if (ls == null) continue;
                FileCloseHooks.remove(file, this);
                closeCopies(ls);
            } else if (!file.isOpen()) {
                fileClosed(file);
            }
        }
    }
}

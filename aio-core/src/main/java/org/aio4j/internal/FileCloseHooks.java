package org.aio4j.internal;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import org.aio4j.AioFile;

/**
 * Code that must learn when an {@link AioFile} is closed: the completion engine closes the file's lanes (its {@code
 * dup()}'d fds) then. {@link AioFile#close()} calls {@link #fire} once, on the closing thread, after the file is marked
 * closed and its own fd was handed to {@link FdTracker#closeWhenIdle}. Files are keys by identity ({@code AioFile}
 * keeps {@code Object}'s {@code equals}); a file with no hook costs one lookup in an empty map at close.
 */
public final class FileCloseHooks {
    /** Made when a hook fails, not when the class loads: the JDK's logging set-up costs a command's start. */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(FileCloseHooks.class.getName());
    }

    /** What runs when a file is closed. */
    public interface Hook {
        /** {@code file} was closed ({@link AioFile#isOpen()} is false). Short; must not block. */
        void fileClosed(AioFile file);
    }

    private static final ConcurrentHashMap<AioFile, Hook[]> HOOKS = new ConcurrentHashMap<>();

    private FileCloseHooks() {}

    /**
     * Runs {@code hook} when {@code file} is closed (once, even if added twice). If the file is closed already, or
     * closed while this call runs, the hook may never run: the caller checks {@link AioFile#isOpen()} after adding.
     */
    public static void add(AioFile file, Hook hook) {
        HOOKS.compute(file, (f, hs) -> {
            if (hs == null) return new Hook[] {hook};
            for (Hook h : hs) if (h == hook) return hs;
            Hook[] r = Arrays.copyOf(hs, hs.length + 1);
            r[hs.length] = hook;
            return r;
        });
    }

    /** Forgets {@code hook} for {@code file} (nothing if it was not added, or already ran). */
    public static void remove(AioFile file, Hook hook) {
        HOOKS.computeIfPresent(file, (f, hs) -> {
            int n = 0;
            Hook[] r = new Hook[hs.length];
            for (Hook h : hs) if (h != hook) r[n++] = h;
            return n == 0 ? null : n == hs.length ? hs : Arrays.copyOf(r, n);
        });
    }

    /** Runs and forgets the hooks of {@code file}; called by {@link AioFile#close()} once the file is closed. */
    public static void fire(AioFile file) {
        if (HOOKS.isEmpty()) return;
        Hook[] hs = HOOKS.remove(file);
        if (hs == null) return;
        for (Hook h : hs) {
            try {
                h.fileClosed(file);
            } catch (RuntimeException e) {
                Log.LOG.log(System.Logger.Level.WARNING, "aio4j: a close hook of " + file + " failed", e);
            }
        }
    }

    /** Files with a hook now (for leak checks in tests). */
    public static int size() {
        return HOOKS.size();
    }
}

package org.aio4j.reactor.internal;

import java.nio.file.Path;
import java.util.concurrent.RejectedExecutionException;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import reactor.core.scheduler.Scheduler;

/** Small helpers shared by the operators. */
final class Support {
    private Support() {}

    /** Runs {@code task} on {@code scheduler}, or on the calling thread when the scheduler refuses it. */
    static void runOn(Scheduler scheduler, Runnable task) {
        try {
            scheduler.schedule(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /** Runs {@code task} on {@code worker} when there is one (falling back to this thread), else right here. */
    static void deliver(Scheduler.Worker worker, Runnable task) {
        if (worker == null) {
            task.run();
            return;
        }
        try {
            worker.schedule(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /** Closes without throwing (AioFile.close never throws; the catch only guards against the unexpected). */
    static void closeQuietly(AioFile file) {
        if (file == null) return;
        try {
            file.close();
        } catch (RuntimeException ignored) {
            // nothing more can be done for this fd
        }
    }

    /** Unlinks {@code path} if it exists, ignoring failures (DELETE_ON_CLOSE: best effort, as the JDK). Blocking. */
    static void deleteQuietly(Path path) {
        try {
            java.nio.file.Files.deleteIfExists(path);
        } catch (java.io.IOException | RuntimeException ignored) {
            // best effort, as FileChannel's DELETE_ON_CLOSE
        }
    }

    /**
     * The error of an op at {@code position} of {@code path}: an {@link AioException} gets the context added,
     * anything else is returned as it is (fatal JVM errors too: the operators end the stream with them, after the
     * cleanup, rather than throw them out of their drain loop).
     */
    static Throwable withContext(Throwable error, Path path, long position) {
        if (error instanceof AioException) {
            AioException a = (AioException) error;
            if (path != null && path.equals(a.path()) && a.position() == position) return a;
            return a.withContext(path, position);
        }
        return error;
    }
}

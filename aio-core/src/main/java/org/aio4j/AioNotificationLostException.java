package org.aio4j;

import java.nio.file.Path;

/**
 * The operation's completion signal could not be queued, and the C library replaced the operation's result with
 * this error ({@code EAGAIN}): <strong>the operation may have been performed; its result is unknown</strong>.
 *
 * <p>glibc's helper thread performs the read or write, stores its result, and then queues the completion signal of
 * a {@code SIGEV_SIGNAL} notification with {@code sigqueue}. When that fails (a real-time signal with the
 * process owner's {@code RLIMIT_SIGPENDING} of queued signals reached, {@code ulimit -i}), glibc overwrites the result
 * with -1 and the signal's errno ({@code rt/aio_notify.c}). So a write reported this way has usually been written,
 * a read has usually filled the buffer, and how many bytes were transferred is lost.
 *
 * <p>Unlike {@link AioTryAgainException}, this is not an invitation to retry: retrying a write may duplicate it (an
 * append, a log record), retrying a read of a pipe or socket consumes more data. Treat the operation's outcome as
 * unknown: re-read what a write was meant to store, or fail the request. Reported by the completion engine in its
 * {@code SIGNAL} exact ({@code signalfd}) form, which also keeps its own operations in flight below half of {@code
 * RLIMIT_SIGPENDING} so that this only happens when other signals of the same user fill the limit (see {@code
 * docs/errors.md}).
 */
public final class AioNotificationLostException extends AioException {
    private static final long serialVersionUID = 1L;

    AioNotificationLostException(String operation, int errno, Path path, long position) {
        super(message(operation, errno, path, position), operation, errno, path, position);
    }

    private static String message(String operation, int errno, Path path, long position) {
        StringBuilder sb = new StringBuilder(operation)
                .append(": the completion signal could not be queued (")
                .append(org.aio4j.internal.Errno.name(errno))
                .append(", RLIMIT_SIGPENDING reached?) and the C library replaced the result with that error; the "
                        + "operation may have been performed, its result is unknown: do not retry it blindly");
        if (path != null) sb.append(", file ").append(path);
        if (position >= 0) sb.append(", position ").append(position);
        return sb.toString();
    }
}

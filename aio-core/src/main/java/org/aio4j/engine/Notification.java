package org.aio4j.engine;

/**
 * How the engine learns that an operation finished. Whatever the mode, handlers run on the engine's reaper thread
 * (or on the submitting thread for immediate completions); see {@code docs/engine.md} for measurements.
 */
public enum Notification {
    /**
     * The reaper waits in {@code aio_suspend} over the ops in flight ({@code SIGEV_NONE}). Default on Linux and
     * macOS.
     */
    SUSPEND,
    /**
     * {@code SIGEV_SIGNAL}. Exact form when the configured real-time signal is blocked in every thread of the process
     * (the JVM was launched with it blocked): a {@code signalfd} names each finished op. Otherwise a JVM-handled {@code SIGUSR1}
     * (or {@code USR2}) wakes the reaper, which scans the ops in flight.
     */
    SIGNAL,
    /**
     * {@code SIGEV_THREAD} with libc's own {@code sem_post} as the notify function: glibc starts a short native
     * thread per completion that posts a semaphore the reaper waits on. No JVM code runs on those threads.
     */
    THREAD,
    /** FreeBSD {@code SIGEV_KEVENT}: a kqueue names each finished op. Untested on a real FreeBSD. */
    KEVENT
}

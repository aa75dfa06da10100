package org.aio4j.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.aio4j.PosixAio;
import org.aio4j.engine.AioEngine;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.CopyOptions;
import org.aio4j.reactor.CopyProgress;
import org.aio4j.reactor.ReadOptions;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * One {@code aio copy} with an atomic destination: the copy goes to a new temporary file next to the destination
 * ({@code .NAME.<random>.part}, which the copy creates with {@code O_EXCL}: {@code replaceExisting(false)}), through
 * {@link AioFiles#copyWithProgress}; then,
 * optionally, CRC32C of both files read back through {@link AioFiles#read}; only then is the temporary file renamed
 * over the destination ({@code rename(2)}, atomic). An existing destination is therefore either untouched or
 * replaced whole, never truncated or half written.
 *
 * <p>{@link #cancel(int)} (what SIGINT, SIGTERM and SIGHUP call) disposes the subscription, which stops the copy;
 * {@link #await()} then waits (bounded) for the AIO operations in flight to be reaped and for the copy's own blocking
 * scheduler to finish its tasks (the one that opens, and so creates, the temporary file among them: a cancel that
 * came just before it must not let it create the file after the file was removed), and removes the temporary file
 * unless asked to keep it.
 *
 * <p>Why the copy creates the temporary file rather than opening one made here beforehand: that open would need
 * {@code O_TRUNC}, and ext4 takes a truncation to size 0 as a "replace by truncate" and writes the whole file back
 * when it is closed ({@code auto_da_alloc}): measured, 0.5 s more for a page-cached 1 GiB copy. Cancel and the end exclude each other: a cancel that comes once {@link #await()} has seen
 * the copy end (complete, verified or failed) is refused, and a copy that was cancelled is never renamed into place.
 */
final class CopyJob {
    /** The checksums of both files. */
    record Checksums(long source, long target) {
        boolean match() {
            return source == target;
        }
    }

    /** How the job ended. */
    enum State {
        /** Copied (and verified) and renamed into place. */
        DONE,
        /** An error; the destination is as it was. */
        FAILED,
        /** Cancelled (a signal); the destination is as it was. */
        CANCELLED,
        /** The checksums differ; the destination is as it was. */
        VERIFY_FAILED
    }

    /**
     * The outcome: state, the last progress seen, checksums (when verified), the error, the signal that cancelled
     * (0 when cancelled otherwise), whether the temporary file was kept, the whole time and the copy's time (without
     * the verification).
     */
    record Outcome(
            State state,
            CopyProgress last,
            Checksums checksums,
            Throwable error,
            int signal,
            boolean tempKept,
            long nanos,
            long copyNanos) {}

    private static final int RUNNING = 0;
    /** The copy ended; it is renamed into place (when complete) or cleaned up: a cancel comes too late. */
    private static final int ENDED = 1;

    private static final int CANCELLED = 2;

    private final Path source;
    private final Path destination;
    private final Path temp;
    private final CopyOptions copyOptions;
    private final ReadOptions verifyOptions;
    private final boolean keepPartial;
    private final CountDownLatch done = new CountDownLatch(1);
    private final CountDownLatch settled = new CountDownLatch(1);
    /** Opens, closes and runs the kernel copy: waited for after a cancel, before the temporary file is removed. */
    private final Scheduler blocking = Schedulers.newBoundedElastic(4, 1024, "aio-copy", 60, true);

    private final AtomicInteger phase = new AtomicInteger(RUNNING);

    private final BaseSubscriber<Object> subscriber = new BaseSubscriber<>() {
        @Override
        protected void hookOnNext(Object o) {
            if (o instanceof Checksums c) checksums = c;
        }

        @Override
        protected void hookOnError(Throwable e) {
            error = e;
            done.countDown();
        }

        @Override
        protected void hookOnComplete() {
            done.countDown();
        }
    };
    private volatile int signal;
    private volatile CopyProgress last;
    private volatile long copyDone;
    private volatile Checksums checksums;
    private volatile Throwable error;
    private long start;
    private int opsBefore;

    /**
     * A copy of {@code source} to {@code destination} (a regular file or nothing; resolve symbolic links first)
     * through a temporary file in the destination's directory.
     *
     * @param copyOptions the copy's options; the job sets {@code replaceExisting(false)} (the copy creates the
     *     temporary file, never opening someone else's) and its own blocking scheduler
     */
    CopyJob(Path source, Path destination, CopyOptions copyOptions, ReadOptions verifyOptions, boolean keepPartial) {
        this.source = source;
        this.destination = destination;
        this.temp = tempFor(destination);
        this.copyOptions = copyOptions.replaceExisting(false).blockingScheduler(blocking);
        this.verifyOptions = verifyOptions;
        this.keepPartial = keepPartial;
    }

    /** {@code DIR/.NAME.<8 hex digits>.part} next to {@code destination} (NAME cut to keep within NAME_MAX). */
    static Path tempFor(Path destination) {
        Path abs = destination.toAbsolutePath();
        String name = abs.getFileName().toString();
        if (name.length() > 200) name = name.substring(0, 200);
        String random =
                String.format(Locale.ROOT, "%08x", ThreadLocalRandom.current().nextInt());
        return abs.resolveSibling("." + name + "." + random + ".part");
    }

    /** The temporary file the copy writes. */
    Path temp() {
        return temp;
    }

    /** The destination. */
    Path destination() {
        return destination;
    }

    /**
     * Starts the copy into the temporary file; {@code progress} sees every progress event on the copy's threads. Does
     * nothing after a cancel.
     */
    CopyJob start(Consumer<CopyProgress> progress) {
        if (phase.get() != RUNNING) return this;
        opsBefore = opsInFlight();
        start = System.nanoTime();
        // in place into our own temporary file: this job renames it (and keeps it with --keep-partial)
        Flux<Object> copy = AioFiles.copyWithProgress(source, temp, copyOptions.atomic(false))
                .doOnNext(p -> {
                    last = p;
                    if (p.done()) copyDone = System.nanoTime();
                    progress.accept(p);
                })
                .cast(Object.class);
        Flux<Object> all = verifyOptions == null
                ? copy
                : copy.concatWith(Mono.zip(crc32c(source, verifyOptions), crc32c(temp, verifyOptions))
                        .map(t -> new Checksums(t.getT1(), t.getT2())));
        // the subscriber exists before the subscription: a cancel that races with subscribe() is never lost
        all.subscribe(subscriber);
        return this;
    }

    /**
     * Cancels the copy unless it has ended (idempotent, safe from any thread, e.g. a signal handler).
     *
     * @param signal the signal number that asked for it, or 0
     * @return false when the copy had already ended (a complete copy is then renamed into place) or was cancelled
     */
    boolean cancel(int signal) {
        if (!phase.compareAndSet(RUNNING, CANCELLED)) return false;
        this.signal = signal;
        subscriber.dispose();
        done.countDown();
        return true;
    }

    /** {@link #cancel(int)} without a signal. */
    boolean cancel() {
        return cancel(0);
    }

    /**
     * For a shutdown hook (where no signal handler could be installed): cancels, then waits (at most 10 s) until
     * {@link #await()} has cleaned up, since the JVM halts when its hooks return.
     */
    void cancelAndWait() {
        cancel(0);
        try {
            settled.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isCancelled() {
        return phase.get() == CANCELLED;
    }

    /**
     * Waits for the end. A copy that completed (and verified) is renamed over the destination; otherwise, after a
     * cancel, the operations in flight are reaped (bounded wait) and the temporary file is removed (unless kept).
     */
    Outcome await() throws InterruptedException {
        try {
            done.await();
            long nanos = System.nanoTime() - start;
            State state;
            Throwable err = error;
            if (!phase.compareAndSet(RUNNING, ENDED)) {
                state = State.CANCELLED; // also a cancel that came after the copy, before this point
            } else if (err != null) {
                state = State.FAILED;
            } else if (checksums != null && !checksums.match()) {
                state = State.VERIFY_FAILED;
            } else {
                try {
                    commit();
                    state = State.DONE;
                } catch (IOException | RuntimeException e) {
                    err = e;
                    state = State.FAILED;
                }
            }
            boolean kept = false;
            if (state == State.CANCELLED) {
                awaitReaped(5_000);
                settle();
            }
            if (state != State.DONE && !someoneElses(err)) {
                if (keepPartial) {
                    kept = Files.exists(temp);
                } else {
                    try {
                        Files.deleteIfExists(temp);
                    } catch (IOException e) {
                        kept = Files.exists(temp);
                    }
                }
            }
            long copyNanos = copyDone == 0 ? nanos : copyDone - start;
            return new Outcome(state, last, checksums, err, signal, kept, nanos, copyNanos);
        } finally {
            blocking.dispose();
            settled.countDown();
        }
    }

    /** Waits (at most 5 s) until the blocking scheduler has run every task it was given; it takes no more after. */
    private void settle() {
        try {
            blocking.disposeGracefully().block(java.time.Duration.ofSeconds(5));
        } catch (RuntimeException timeout) {
            // a task still runs (a kernel step on a very slow disk): remove the file all the same
        }
    }

    /** True when the copy failed because the temporary file's name was taken: that file is not ours to remove. */
    private boolean someoneElses(Throwable err) {
        // the open's error is a FileAlreadyExistsException caused by the AioException (EEXIST, with the path)
        if (err == null) return false;
        org.aio4j.AioException a =
                org.aio4j.AioException.find(Errors.unwrap(err)).orElse(null);
        return a != null && "EEXIST".equals(a.errnoName()) && temp.equals(a.path());
    }

    /**
     * Renames the temporary file over the destination. An existing destination's permission bits are kept (like
     * {@code cp} over an existing file); with fsync, the directory is fsynced too, so the rename is durable.
     */
    private void commit() throws IOException {
        if (Files.exists(destination)) {
            try {
                Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(destination));
            } catch (UnsupportedOperationException notPosix) {
                // keep the temporary file's own
            }
        }
        Files.move(temp, destination, StandardCopyOption.ATOMIC_MOVE);
        if (copyOptions.fsync()) {
            Path dir = destination.toAbsolutePath().getParent();
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        }
    }

    /** After a cancel, waits (bounded) until the operations this job had in flight have been reaped. */
    private void awaitReaped(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (opsInFlight() > opsBefore && System.nanoTime() < deadline) Thread.sleep(5);
    }

    /** Operations submitted and not yet reaped: the shared engine's and any made directly through aio-core. */
    static int opsInFlight() {
        if (!PosixAio.isAvailable()) return 0;
        try {
            // an engine not made yet has nothing in flight: looking must not start it (a kernel copy never does)
            AioEngine shared = AioEngine.sharedIfMade();
            return (shared == null ? 0 : shared.metrics().inFlight()) + PosixAio.opsInFlight();
        } catch (RuntimeException | LinkageError e) {
            return PosixAio.opsInFlight();
        }
    }

    /** CRC32C of a file read through {@link AioFiles#read}; every chunk is released. */
    static Mono<Long> crc32c(Path file, ReadOptions options) {
        return Mono.defer(() -> {
            CRC32C crc = new CRC32C();
            return AioFiles.read(file, options)
                    .doOnNext(chunk -> update(crc, chunk))
                    .then(Mono.fromSupplier(crc::getValue));
        });
    }

    private static void update(CRC32C crc, ByteBuffer chunk) {
        try {
            crc.update(chunk);
        } finally {
            AioFiles.release(chunk);
        }
    }
}

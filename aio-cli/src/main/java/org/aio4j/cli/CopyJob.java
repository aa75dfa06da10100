package org.aio4j.cli;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

/**
 * One {@code aio copy}: the copy through {@link AioFiles#copyWithProgress}, then optionally a CRC32C of both files
 * read back through {@link AioFiles#read}. {@link #cancel()} (what Ctrl-C calls) disposes the subscription, which
 * cancels the AIO operations in flight; {@link #await()} then waits for them to be reaped and removes the partial
 * target unless asked to keep it.
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
        DONE,
        FAILED,
        CANCELLED
    }

    /**
     * The outcome: state, the last progress seen, checksums (when verified), the error, what happened to the target,
     * the whole time and the copy's time (without the verification).
     */
    record Outcome(
            State state,
            CopyProgress last,
            Checksums checksums,
            Throwable error,
            boolean partialRemoved,
            long nanos,
            long copyNanos) {}

    private final Path source;
    private final Path target;
    private final CopyOptions copyOptions;
    private final ReadOptions verifyOptions;
    private final boolean keepPartial;
    private final boolean targetExisted;
    private final CountDownLatch done = new CountDownLatch(1);

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
    private volatile boolean cancelled;
    private volatile CopyProgress last;
    private volatile long copyDone;
    private volatile Checksums checksums;
    private volatile Throwable error;
    private long start;
    private int opsBefore;

    CopyJob(Path source, Path target, CopyOptions copyOptions, ReadOptions verifyOptions, boolean keepPartial) {
        this.source = source;
        this.target = target;
        this.copyOptions = copyOptions;
        this.verifyOptions = verifyOptions;
        this.keepPartial = keepPartial;
        this.targetExisted = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
    }

    /** Starts the copy; {@code progress} sees every progress event on the copy's threads. */
    CopyJob start(Consumer<CopyProgress> progress) {
        opsBefore = opsInFlight();
        start = System.nanoTime();
        Flux<Object> copy = AioFiles.copyWithProgress(source, target, copyOptions)
                .doOnNext(p -> {
                    last = p;
                    if (p.done()) copyDone = System.nanoTime();
                    progress.accept(p);
                })
                .cast(Object.class);
        Flux<Object> all = verifyOptions == null
                ? copy
                : copy.concatWith(Mono.zip(crc32c(source, verifyOptions), crc32c(target, verifyOptions))
                        .map(t -> new Checksums(t.getT1(), t.getT2())));
        // the subscriber exists before the subscription: a cancel that races with subscribe() is never lost
        all.subscribe(subscriber);
        return this;
    }

    /** Cancels the copy (idempotent, safe from any thread, e.g. a signal handler). */
    void cancel() {
        cancelled = true;
        subscriber.dispose();
        done.countDown();
    }

    boolean isCancelled() {
        return cancelled;
    }

    /** Waits for the end, reaps after a cancel and removes a partial target (unless kept). */
    Outcome await() throws InterruptedException {
        done.await();
        long nanos = System.nanoTime() - start;
        State state = cancelled ? State.CANCELLED : error != null ? State.FAILED : State.DONE;
        boolean removed = false;
        if (state != State.DONE) {
            awaitReaped(5_000);
            // Only a target this copy created or started writing is ours to remove.
            boolean ours = !targetExisted || last != null;
            if (!keepPartial && ours) {
                try {
                    removed = Files.deleteIfExists(target);
                } catch (Exception e) {
                    removed = false;
                }
            }
        }
        long copyNanos = copyDone == 0 ? nanos : copyDone - start;
        return new Outcome(state, last, checksums, error, removed, nanos, copyNanos);
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
            return AioEngine.shared().metrics().inFlight() + PosixAio.opsInFlight();
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

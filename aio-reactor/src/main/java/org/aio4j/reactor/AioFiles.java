package org.aio4j.reactor;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.reactor.internal.AtomicTarget;
import org.aio4j.reactor.internal.ChunkPool;
import org.aio4j.reactor.internal.CopySource;
import org.aio4j.reactor.internal.DemandGate;
import org.aio4j.reactor.internal.EngineOps;
import org.aio4j.reactor.internal.KernelCopier;
import org.aio4j.reactor.internal.OpenMono;
import org.aio4j.reactor.internal.ReadFlux;
import org.aio4j.reactor.internal.WriteMono;
import org.reactivestreams.Publisher;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Reactive file I/O over the aio4j completion engine: streams of chunks with bounded read-ahead, pipelined writes,
 * copy and compare. Every publisher here is cold and lazy: nothing is opened or submitted before subscription,
 * and each subscription works on its own open file. Arguments are checked when the publisher is made
 * ({@link IllegalArgumentException}, {@link NullPointerException}); I/O failures (a missing file, a directory, no
 * permission, a full disk) arrive as {@code onError} and leave nothing open or allocated. A failure to open a
 * path is its {@code java.nio.file} type ({@link java.nio.file.NoSuchFileException}, {@link
 * java.nio.file.AccessDeniedException}, {@link java.nio.file.FileAlreadyExistsException}...) caused by the {@link
 * org.aio4j.AioException} with the errno ({@link org.aio4j.AioException#ofPath}); a failure of the I/O is the typed
 * {@link org.aio4j.AioException}, carrying the path and the file position. {@link
 * org.aio4j.AioException#errnoOf(Throwable)} reads the errno from either.
 *
 * <h2>The release rule</h2>
 * The chunks that {@link #read} emits are direct buffers from a pool. <b>The subscriber owns each chunk it receives
 * and must give it back with {@link #release(ByteBuffer)} once it is done with the bytes</b> (or pass it to {@link
 * #write}, which releases what it wrote). Chunks the stream itself never emitted (read ahead, then cancelled) are
 * released by the stream. Operators that drop elements (such as {@code take} or {@code filter}) should release
 * them too: add {@code .doOnDiscard(ByteBuffer.class, AioFiles::release)}. Forgetting is not a native leak (the JVM
 * frees collected direct buffers) but it defeats the pool, and {@link #outstandingChunks()} shows it.
 *
 * <h2>Threads</h2>
 * Files are opened and closed, and a copy inside the kernel runs its steps, on {@link Schedulers#boundedElastic()}
 * (or the options' {@code blockingScheduler}): never on the subscriber's thread. Without a {@code scheduler} in the options, {@code onNext} runs on the engine's
 * reaper thread (or the thread that called {@code request}, when the page cache served the read at once), and the
 * terminal signal runs on the thread that closed the file. With a {@code scheduler}, every signal runs on one
 * worker of it, in order (like {@code publishOn}, with no extra queue). Do not block in {@code onNext} on the
 * reaper thread: it delays every completion of the engine.
 *
 * <h2>Backpressure and cancel</h2>
 * A read has at most {@code maxInFlight} chunks read ahead (in flight or waiting for demand), and starts reading
 * only after the first request. A write asks its source for one buffer per buffer written, never more than {@code
 * maxInFlight} in flight. Cancelling calls {@code aio_cancel} for every op in flight; buffers are released and the
 * file closed only after the engine has reaped each op. No {@code onNext} starts after the stream saw the cancel,
 * but a cancel from another thread can meet one {@code onNext} already under way: the cancel then returns only once
 * that {@code onNext} has returned, and the chunk belongs to the subscriber. Operators that record their own cancel
 * before they cancel upstream and receive it afterwards discard it ({@code doOnDiscard} releases it) or drop it
 * through {@code Operators.onNextDropped}, where a hook this module installs gives pooled chunks back to the pool
 * (see docs/reactor.md, "Delivery after a cancel").
 */
public final class AioFiles {
    private static final ByteBuffer EOF = ByteBuffer.allocateDirect(0);
    private static final long CONTINUE = Long.MIN_VALUE;
    /** Bytes per system call of a kernel copy: the step between two progress samples and two cancel checks. */
    private static final long KERNEL_CHUNK = 16L << 20;

    private static final KernelCopier KERNEL = KernelCopier.of(KERNEL_CHUNK);

    private AioFiles() {}

    /**
     * The whole file as 64 KiB chunks with {@link ReadOptions#defaults()}.
     *
     * <pre>{@code
     * long bytes = AioFiles.read(path)
     * .map(chunk -> { int n = chunk.remaining(); AioFiles.release(chunk); return n; })
     * .reduce(0L, Long::sum)
     * .block();
     * }</pre>
     *
     * @param path the file
     * @return its chunks, cold: nothing is opened before subscription
     */
    public static Flux<ByteBuffer> read(Path path) {
        return read(path, ReadOptions.defaults());
    }

    /**
     * A range of the file as ordered chunks of {@code options.chunkSize()} bytes (the last may be shorter), each
     * with position 0 and limit = its byte count. Release each chunk with {@link #release(ByteBuffer)}.
     *
     * @param path the file
     * @param options chunk size, read-ahead, range, engine and schedulers
     * @return the chunks, cold: nothing is opened before subscription
     */
    public static Flux<ByteBuffer> read(Path path, ReadOptions options) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        return new ReadFlux(
                EngineOps.of(options.engine()),
                path,
                options.chunkSize(),
                options.maxInFlight(),
                options.position(),
                options.length() < 0 ? Long.MAX_VALUE : options.length(),
                ChunkPool.shared(),
                options.scheduler(),
                options.blockingScheduler(),
                null);
    }

    /**
     * Gives a chunk emitted by {@link #read} back to the pool. The chunk is then <em>poisoned</em>: its position
     * and limit are 0, so any later get or put on it throws ({@link java.nio.BufferUnderflowException}, {@link
     * java.nio.BufferOverflowException}, {@link IndexOutOfBoundsException}) instead of reading or writing memory
     * the pool has handed to someone else.
     *
     * @param chunk a chunk {@link #read} emitted
     * @throws NullPointerException for null
     * @throws IllegalStateException for a chunk released before
     * @throws IllegalArgumentException for a buffer {@link #read} did not emit (a heap buffer, one of your own, a
     * slice or duplicate of a chunk)
     */
    public static void release(ByteBuffer chunk) {
        ChunkPool.shared().releaseChecked(chunk);
    }

    /**
     * Chunks emitted by {@link #read} (or taken by a write to copy a heap buffer) and not yet released, in this
     * JVM. Tests assert it returns to its start value: a consumer that forgets {@link #release} shows here.
     *
     * @return the count of chunks handed out and not released
     */
    public static int outstandingChunks() {
        return ChunkPool.shared().outstanding();
    }

    /**
     * Writes every buffer of {@code source}, in order, from offset 0, and emits the number of bytes written. No
     * options means {@code CREATE, TRUNCATE_EXISTING, WRITE}; otherwise {@code WRITE} is added to the ones given.
     * Each buffer is written from its position to its limit and then released ({@link #release}: chunks of {@link
     * #read} go back to the pool, so {@code write(read(a), b)} copies without leaking).
     *
     * @param source the buffers, each released once written
     * @param path the file
     * @param options open options (none: {@code CREATE, TRUNCATE_EXISTING, WRITE})
     * @return the byte count, after the file was closed
     */
    public static Mono<Long> write(Publisher<ByteBuffer> source, Path path, OpenOption... options) {
        return write(source, path, WriteOptions.defaults().openOptions(options));
    }

    /**
     * Writes {@code source} to {@code path} with the given options; emits the number of bytes written.
     *
     * @param source the buffers, each released once written
     * @param path the file
     * @param options open options, writes in flight, fsync, engine and schedulers
     * @return the byte count, after the file was closed
     */
    public static Mono<Long> write(Publisher<ByteBuffer> source, Path path, WriteOptions options) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        return new WriteMono(
                source,
                EngineOps.of(options.engine()),
                path,
                options.openOptions(),
                options.maxInFlight(),
                options.fsync(),
                ChunkPool.shared(),
                options.scheduler(),
                options.blockingScheduler(),
                null);
    }

    /**
     * Copies {@code source} to {@code target} and emits the byte count (the source's length). If both are the same
     * file, nothing is copied and the size is emitted (like {@link Files#copy}). The source is opened (and checked)
     * before the target is touched: a missing source, a directory or an unreadable one fails the copy with the
     * source's error and leaves an existing target as it was (no empty target is created either).
     *
     * <p>By default ({@link CopyOptions#kernelCopy(boolean)}) two regular files are copied inside the kernel ({@code
     * copy_file_range}, or {@code sendfile} between file systems) in 16 MiB steps on the blocking scheduler, holes
     * kept; where the kernel refuses, and for special files, the copy uses AIO reads and writes. A cancelled copy
     * stops between two steps (kernel) or cancels its AIO operations, and leaves no fd open once the step or the
     * operations in flight returned. By default ({@link CopyOptions#atomic(boolean)}) the target is written under a
     * temporary name and renamed into place when complete: a failed or cancelled copy leaves an existing target as
     * it was, and what it still had in flight never reaches the target; in place, the target holds part of the
     * source after a cancel.
     *
     * @param source the file copied
     * @param target the copy
     * @param options chunk size, in flight, fsync, replace, kernel copy, atomic, engine and schedulers
     * @return the byte count, after the target was in place
     */
    public static Mono<Long> copy(Path source, Path target, CopyOptions options) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(options, "options");
        return copy(source, target, options, null, null);
    }

    private static Mono<Long> copy(
            Path source,
            Path target,
            CopyOptions options,
            java.util.function.LongConsumer onSize,
            java.util.function.LongConsumer onProgress) {
        OpenOption[] inPlace = options.replaceExisting()
                ? new OpenOption[] {
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE
                }
                : new OpenOption[] {StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE};
        if (!options.atomic()) return copyTo(source, target, inPlace, null, options, onSize, onProgress);
        // The write checks the target (EEXIST without replaceExisting) after the source, writes a new temporary file
        // and renames it into place when done (AtomicTarget); a copy onto itself stays a no-op (CopySource).
        return copyTo(
                source,
                target,
                new OpenOption[] {StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE},
                new AtomicTarget(target, options.replaceExisting(), options.fsync()),
                options,
                onSize,
                onProgress);
    }

    private static Mono<Long> copyTo(
            Path source,
            Path target,
            OpenOption[] open,
            @org.jspecify.annotations.Nullable AtomicTarget atomic,
            CopyOptions options,
            java.util.function.LongConsumer onSize,
            java.util.function.LongConsumer onProgress) {
        // One read, one write and one source file per subscription. The write first checks for a copy onto itself
        // (Files.copy semantics: nothing copied, nothing truncated), then opens and checks the source, and only then
        // opens (creates, truncates) the target; the read takes the source file it opened. Mono.defer hands the
        // subscriber straight to the WriteMono (no operator in between: rule 3.9 and the rest are its own).
        return Mono.defer(() -> {
            EngineOps ops = (EngineOps) EngineOps.of(options.engine());
            CopySource opened = new CopySource(source, target, options.kernelCopy() ? KERNEL : null, onSize, atomic);
            ReadFlux read = new ReadFlux(
                    ops,
                    source,
                    options.chunkSize(),
                    options.maxInFlight(),
                    0,
                    Long.MAX_VALUE,
                    ChunkPool.shared(),
                    null,
                    options.blockingScheduler(),
                    onSize,
                    opened);
            return new WriteMono(
                    read,
                    ops,
                    atomic != null ? atomic.temp() : target,
                    open,
                    options.maxInFlight(),
                    options.fsync(),
                    ChunkPool.shared(),
                    options.scheduler(),
                    options.blockingScheduler(),
                    onProgress,
                    opened);
        });
    }

    /**
     * Copies like {@link #copy} and reports progress: a sample after each chunk written (each step of a kernel copy:
     * {@code bytesDone} then counts holes skipped as done), then a last sample with {@code done() == true} after the
     * target was closed. Under backpressure only the latest sample is kept (the final one is never dropped).
     *
     * @param source the file copied
     * @param target the copy
     * @param options as for {@link #copy}
     * @return progress samples, the last one with {@code done() == true}
     */
    public static Flux<CopyProgress> copyWithProgress(Path source, Path target, CopyOptions options) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(options, "options");
        return Flux.create(
                sink -> {
                    long start = System.nanoTime();
                    AtomicLong total = new AtomicLong();
                    Mono<Long> copy = copy(
                            source,
                            target,
                            options,
                            total::set,
                            done -> sink.next(sample(done, total.get(), start, false)));
                    sink.onDispose(copy.contextWrite(sink.contextView())
                            .subscribe(
                                    n -> {
                                        if (total.get() == 0) total.set(n);
                                        sink.next(sample(n, total.get(), start, true));
                                    },
                                    sink::error,
                                    sink::complete));
                },
                FluxSink.OverflowStrategy.LATEST);
    }

    private static CopyProgress sample(long done, long total, long startNanos, boolean last) {
        double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        return new CopyProgress(done, total, done / seconds, last);
    }

    /**
     * The offset of the first byte where {@code a} and {@code b} differ, the size of the smaller file when one is a
     * prefix of the other, or -1 when they are equal: {@link Files#mismatch} as a {@link Mono}, reading both files
     * in 256 KiB chunks with at most 4 reads ahead each.
     *
     * <pre>{@code
     * StepVerifier.create(AioFiles.mismatch(produced, golden)).expectNext(-1L).verifyComplete();
     * }</pre>
     *
     * @param a a file
     * @param b another file
     * @return the first differing offset, or -1 when equal
     */
    public static Mono<Long> mismatch(Path a, Path b) {
        return mismatch(a, b, ReadOptions.defaults().chunkSize(CopyOptions.DEFAULT_CHUNK_SIZE));
    }

    /**
     * {@link #mismatch(Path, Path)} with the chunk size, read-ahead, engine and schedulers of {@code options}
     * (its position and length are ignored: whole files are compared).
     *
     * @param a a file
     * @param b another file
     * @param options chunk size, read-ahead, engine and schedulers
     * @return the first differing offset, or -1 when equal
     */
    public static Mono<Long> mismatch(Path a, Path b, ReadOptions options) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        Objects.requireNonNull(options, "options");
        ReadOptions whole = options.position(0).length(Long.MAX_VALUE);
        // Both files are opened (and closed) first, on the blocking scheduler: a missing or unreadable file fails the
        // Mono at once, without demand, whatever the other file does.
        Mono<Void> openable = Mono.<Void>fromRunnable(() -> {
                    checkOpenable(a);
                    checkOpenable(b);
                })
                .subscribeOn(
                        options.blockingScheduler() != null
                                ? options.blockingScheduler()
                                : Schedulers.boundedElastic());
        return openable.then(Mono.defer(() -> {
                    // nothing is read before the first request: zip prefetches from its sources as soon as it is
                    // subscribed
                    DemandGate gate = new DemandGate();
                    // A failure travels in band, as an element: Flux.zip takes an inner's onError on one thread
                    // racing its drain on another for a completion (the inner is marked done before the error is
                    // recorded), which made a missing file compare as an empty one now and then.
                    Flux<Object> ra = gate.gate(read(a, whole))
                            .cast(Object.class)
                            .concatWith(Mono.just(EOF))
                            .onErrorResume(e -> Mono.just(new Failed(e)));
                    Flux<Object> rb = gate.gate(read(b, whole))
                            .cast(Object.class)
                            .concatWith(Mono.just(EOF))
                            .onErrorResume(e -> Mono.just(new Failed(e)));
                    long[] offset = {0};
                    return Flux.zip(pair -> compare(pair[0], pair[1], offset), options.maxInFlight(), ra, rb)
                            .filter(r -> r != CONTINUE)
                            .next()
                            .doOnRequest(n -> gate.open());
                }))
                .doOnDiscard(ByteBuffer.class, ChunkPool.shared()::release);
    }

    private static void checkOpenable(Path p) {
        try {
            org.aio4j.AioFile.open(p, java.nio.file.StandardOpenOption.READ).close();
        } catch (org.aio4j.AioException e) {
            throw Exceptions.propagate(e.withContext(p, -1));
        } catch (java.io.IOException e) { // NoSuchFileException... with the path, from AioFile.open
            throw Exceptions.propagate(e);
        }
    }

    /** A read's failure, as an element of the zipped streams. */
    private record Failed(Throwable error) {}

    private static long compare(Object ox, Object oy, long[] offset) {
        if (ox instanceof Failed || oy instanceof Failed) {
            if (ox instanceof ByteBuffer bx) ChunkPool.shared().release(bx);
            if (oy instanceof ByteBuffer by) ChunkPool.shared().release(by);
            Throwable e = ox instanceof Failed f ? f.error() : ((Failed) oy).error();
            throw Exceptions.propagate(e);
        }
        ByteBuffer x = (ByteBuffer) ox;
        ByteBuffer y = (ByteBuffer) oy;
        try {
            if (x == EOF && y == EOF) return -1L;
            if (x == EOF || y == EOF) return offset[0];
            int m = x.mismatch(y);
            if (m >= 0) return offset[0] + m;
            offset[0] += x.remaining();
            return CONTINUE;
        } finally {
            ChunkPool.shared().release(x);
            ChunkPool.shared().release(y);
        }
    }

    /**
     * Opens a file (on {@link Schedulers#boundedElastic()}) for positional I/O on the shared engine; meant for
     * {@code Flux.usingWhen(open(...), use, ReactiveAioFile::close)}. Options as {@link
     * org.aio4j.AioFile#open}: none means READ.
     *
     * @param path the file
     * @param options open options (none: {@code READ})
     * @return the open file, on subscription
     */
    public static Mono<ReactiveAioFile> open(Path path, OpenOption... options) {
        return open(path, null, options);
    }

    /**
     * {@link #open(Path, OpenOption...)} on the given engine (null: the shared one).
     *
     * @param path the file
     * @param engine the engine, or null for the shared one
     * @param options open options (none: {@code READ})
     * @return the open file, on subscription
     */
    public static Mono<ReactiveAioFile> open(Path path, org.aio4j.engine.AioEngine engine, OpenOption... options) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        var ops = EngineOps.of(engine);
        var blocking = Schedulers.boundedElastic();
        return new OpenMono<>(path, options, blocking, f -> new ReactiveAioFile(f, ops, blocking));
    }
}

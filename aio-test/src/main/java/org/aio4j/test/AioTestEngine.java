package org.aio4j.test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.aio4j.engine.AioEngine;
import org.aio4j.engine.internal.BackendDecoration;
import org.aio4j.reactor.AioFiles;

/**
 * A real {@link AioEngine} over the real files, with scripted disk behaviour applied below it: errors, a volume
 * that fills, short transfers, cancels that come too late, delays (in virtual time under {@code
 * StepVerifier.withVirtualTime}) and seeded random faults. Anything that accepts an engine ({@code
 * ReadOptions.engine(...)}, {@code WriteOptions}, {@code CopyOptions}, ...) runs unchanged against {@link
 * #engine()}. Every op is logged ({@link #log()}), reads that the cached-read fast path completes on the calling
 * thread included, and {@link #assertNoLeaks()} checks what a test left behind.
 *
 * <pre>{@code
 * try (AioTestEngine test = AioTestEngine.builder().fail(OpType.READ, 3, "EIO").build()) {
 *     StepVerifier.create(AioFiles.read(path, ReadOptions.defaults().engine(test.engine())).doOnNext(AioFiles::release))
 *             .expectNextCount(2)
 *             .expectErrorSatisfies(e -> assertThat(((AioException) e).errnoName()).isEqualTo("EIO"))
 *             .verify();
 *     test.assertNoLeaks();
 * }
 * }</pre>
 *
 * <h2>Counting and logging</h2>
 * Ops are numbered in submission order from 1, over all types; {@code nth} in the builder ({@link Builder#fail},
 * {@link Builder#shorten}, {@link Builder#notCancelable}) counts the ops of one {@link OpType} from 1 in submission
 * order, and {@link Builder#failAfterBytes} adds up bytes in that order: with several ops in flight, the order is the
 * pipeline's (for {@code AioFiles.read} and {@code write}, ascending positions, except the continuation of a short
 * transfer, submitted when it completes). {@link Builder#random} does not depend on the order. A short read that
 * {@code AioFiles.read} continues, or a write it continues, is a new op.
 * The path of each op is read from {@code /proc/self/fd} when it is submitted (Linux; elsewhere {@link
 * OpRecord#path()} is null and {@link #assertNoLeaks()} cannot check fds): the engine sees fds, not paths, and a
 * lookup at submission also names files opened without aio4j.
 *
 * <h2>What the engine does differently</h2>
 * Batches ({@link AioEngine#batch()}) are submitted op by op, so each op is scripted. A scripted failure never
 * reaches the kernel: nothing is read or written. A per-op cancel of a delayed op always succeeds (it has not reached
 * the kernel); once submitted, the engine's own rule applies (with glibc only an op alone on its fd number is
 * cancelled per op). {@code cancelAll(file)} cancels the delayed ops of the file, and everything in the kernel on it
 * unless one of those is {@linkplain Builder#notCancelable not cancelable}: then all of those run to their end.
 */
public final class AioTestEngine implements AutoCloseable {
    private static final Duration LEAK_GRACE =
            Duration.ofMillis(1500); // the engine closes the lanes of a closed O_DIRECT file within a second

    private final AioEngine engine;
    private final ScriptedBackend backend;
    private final Script script;
    private final int chunksAtStart;

    private AioTestEngine(AioEngine engine, ScriptedBackend backend, Script script, int chunksAtStart) {
        this.engine = engine;
        this.backend = backend;
        this.script = script;
        this.chunksAtStart = chunksAtStart;
    }

    /**
     * A builder of a test engine with no faults (every op logged, nothing changed).
     *
     * @return a new builder; {@link Builder#build()} makes the engine
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The engine to pass to the code under test.
     *
     * @return the real engine over the scripted backend; closed by {@link #close()}
     */
    public AioEngine engine() {
        return engine;
    }

    /**
     * Every op submitted so far, in submission order, with its outcome if it completed.
     *
     * @return a snapshot of the op records, oldest first
     */
    public List<OpRecord> log() {
        return backend.log();
    }

    /**
     * The largest number of ops in flight at once so far (submitted, parked in a delay, or in the kernel).
     *
     * @return the peak count of ops in flight
     */
    public int maxInFlight() {
        return backend.maxInFlight();
    }

    /**
     * The ops in flight now.
     *
     * @return a snapshot of the records of the ops not completed yet
     */
    public List<OpRecord> inFlight() {
        return backend.inFlight();
    }

    /**
     * Waits until no op is in flight, for example after a cancel (a cancelled op completes, as cancelled, when the
     * engine has reaped it, a moment after the cancel). Returns true if none is in flight, false on timeout.
     *
     * @param timeout the longest wait
     * @return true if no op is in flight, false if the timeout passed first
     */
    public boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!backend.inFlight().isEmpty()) {
            if (System.nanoTime() - deadline >= 0) return false;
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * The seed of {@link Builder#random}, if set: replay a failing run with the same seed.
     *
     * @return the random seed, or empty when the script has no {@link Builder#random} rule
     */
    public OptionalLong seed() {
        Long s = script.seed();
        return s == null ? OptionalLong.empty() : OptionalLong.of(s);
    }

    /**
     * Checks that the test left nothing behind, waiting up to 1.5 s for things still finishing (a file closed
     * after the last signal, a cancelled op being reaped): no op in flight, no fd that an op was submitted on still
     * open on the same file, and no more {@code AioFiles} chunks outstanding than when this engine was built
     * ({@link AioFiles#outstandingChunks()}: JVM-wide, so tests running in parallel in one JVM blur it).
     *
     * @throws AssertionError naming each leak, with the engine's script (and seed)
     */
    public void assertNoLeaks() {
        List<String> leaks = leaks(true);
        if (!leaks.isEmpty()) throw new AssertionError(leakReport(leaks));
    }

    /** The leaks, waiting up to the grace time for them to clear if {@code wait}. */
    List<String> leaks(boolean wait) {
        long deadline = System.nanoTime() + (wait ? LEAK_GRACE.toNanos() : 0);
        while (true) {
            List<String> leaks = findLeaks();
            if (leaks.isEmpty() || System.nanoTime() >= deadline) return leaks;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return leaks;
            }
        }
    }

    String leakReport(List<String> leaks) {
        return "aio-test: " + leaks.size() + " leak(s) of " + this + ":\n  " + String.join("\n  ", leaks);
    }

    private List<String> findLeaks() {
        List<String> leaks = new ArrayList<>();
        for (OpRecord r : backend.inFlight()) leaks.add("op in flight: " + r);
        for (Map.Entry<Integer, Path> e : backend.fds().entrySet()) {
            Path now = ScriptedBackend.pathOf(e.getKey());
            if (e.getValue().equals(now)) leaks.add("fd " + e.getKey() + " still open: " + now);
        }
        int chunks = AioFiles.outstandingChunks() - chunksAtStart;
        if (chunks > 0) {
            leaks.add(chunks + " AioFiles chunk(s) taken since the engine was built not released"
                    + " (AioFiles.release)");
        }
        return leaks;
    }

    /**
     * Closes the engine: ops still in flight are cancelled (delayed ones at once) and reaped first. Does not check
     * for leaks: call {@link #assertNoLeaks()} before.
     */
    @Override
    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return "AioTestEngine[" + script + ", ops=" + backend.log().size() + ", maxInFlight=" + maxInFlight() + "]";
    }

    /**
     * Scripts a test engine. Every rule applies below the engine: the op still goes through the engine's slots,
     * cancels and handlers. Rules may be combined; on one op a {@link #fail} wins over {@link #failAfterBytes}.
     */
    public static final class Builder {
        private final Script script = new Script();
        private Consumer<AioEngine.Builder> engineSettings = b -> {};

        private Builder() {}

        /**
         * The {@code nth} op of {@code type} (counting from 1) completes with {@code errnoName} (such as {@code
         * "EIO"}) without reaching the kernel.
         *
         * @param type the kind of op the rule counts
         * @param nth which op of that kind fails, from 1
         * @param errnoName the C name of the error, such as {@code "EIO"} or {@code "ENOSPC"}
         * @return this builder
         * @throws IllegalArgumentException if {@code nth < 1} or the errno name is unknown (or {@code ECANCELED})
         */
        public Builder fail(OpType type, int nth, String errnoName) {
            Objects.requireNonNull(type, "type");
            checkNth(nth);
            script.fail(type, nth, Script.errno(errnoName));
            return this;
        }

        /**
         * A volume that fills: every op of {@code type} that would take the bytes of that type past {@code bytes}
         * in total fails with {@code errnoName} (such as {@code "ENOSPC"}) without reaching the kernel; ops before
         * it run.
         *
         * @param type the kind of op the rule counts
         * @param bytes the total of that kind's bytes that still succeeds
         * @param errnoName the C name of the error, such as {@code "ENOSPC"}
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes < 0} or the errno name is unknown
         */
        public Builder failAfterBytes(OpType type, long bytes, String errnoName) {
            Objects.requireNonNull(type, "type");
            if (bytes < 0) throw new IllegalArgumentException("bytes must be >= 0: " + bytes);
            script.failAfterBytes(type, bytes, Script.errno(errnoName));
            return this;
        }

        /**
         * The {@code nth} op of {@code type} transfers at most {@code bytes} bytes (a short read or write: the real
         * op is submitted with that length).
         *
         * @param type {@link OpType#READ} or {@link OpType#WRITE}
         * @param nth which op of that kind is shortened, from 1
         * @param bytes the most bytes it transfers
         * @return this builder
         * @throws IllegalArgumentException if {@code nth < 1}, {@code bytes < 0}, or {@code type} is FSYNC
         */
        public Builder shorten(OpType type, int nth, int bytes) {
            Objects.requireNonNull(type, "type");
            checkNth(nth);
            if (type == OpType.FSYNC) throw new IllegalArgumentException("an fsync transfers no bytes");
            if (bytes < 0) throw new IllegalArgumentException("bytes must be >= 0: " + bytes);
            script.shorten(type, nth, bytes);
            return this;
        }

        /**
         * A cancel of the {@code nth} op of {@code type} answers {@code AIO_NOTCANCELED} and the op completes
         * normally (a cancel that comes too late).
         *
         * @param type the kind of op the rule counts
         * @param nth which op of that kind refuses its cancel, from 1
         * @return this builder
         * @throws IllegalArgumentException if {@code nth < 1}
         */
        public Builder notCancelable(OpType type, int nth) {
            Objects.requireNonNull(type, "type");
            checkNth(nth);
            script.notCancelable(type, nth);
            return this;
        }

        /**
         * Every op of {@code type} reaches the kernel {@code delay} after its submission, on a timer of Reactor's
         * {@code Schedulers.parallel()} looked up at submission: virtual time inside {@code
         * StepVerifier.withVirtualTime} (a 10-second stall takes no time), real time otherwise. A cancel during the
         * delay completes the op as cancelled without touching the file.
         *
         * @param type the kind of op delayed
         * @param delay how long each op waits before it reaches the kernel, not negative
         * @return this builder
         * @throws IllegalArgumentException if {@code delay} is negative
         */
        public Builder delay(OpType type, Duration delay) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) throw new IllegalArgumentException("negative delay: " + delay);
            script.delay(type, delay);
            return this;
        }

        /**
         * Seeded random faults: each op, with {@code probability}, gets one of an error (EIO; ENOSPC for some
         * writes), a short transfer, a cancel that comes too late, or a delay of 1 to 5 ms (on the same timers as
         * {@link #delay}: advance virtual time if you use it), decided from {@code seed} and the op's key only: the
         * name of its file (the last element of {@link OpRecord#path()}, not the directory, so a fresh temporary
         * directory replays too), its type, its position, and how many ops of that name, type and position came
         * before it. Never from timing or submission order: with several ops in flight, submitted from several
         * threads in an order that changes from run to run, each op still gets the same fault. So a pipeline that
         * submits the same ops replays exactly (the same op log, up to its order); one that an error ends may have
         * submitted a few more or fewer ops after it, depending on timing, but those both runs submitted got the
         * same faults. (Two files of the same name read at the same position at the same time share a key; they
         * are told apart by submission order.) The seed is in the engine's {@link #toString()}, its {@link
         * AioTestEngine#assertNoLeaks()} messages and, under {@link AioTestExtension}, in the failure of a test.
         *
         * @param seed decides the faults; the same seed gives the same faults for the same ops
         * @param probability the chance that an op gets a fault, from 0 to 1
         * @return this builder
         * @throws IllegalArgumentException if {@code probability} is not in [0, 1]
         */
        public Builder random(long seed, double probability) {
            if (!(probability >= 0 && probability <= 1)) {
                throw new IllegalArgumentException("probability must be in [0, 1]: " + probability);
            }
            script.random(seed, probability);
            return this;
        }

        /**
         * Settings of the engine itself (such as {@link AioEngine.Builder#maxInFlight(int)}), applied at {@link
         * #build()}. The backend is always the scripted one.
         *
         * @param settings applied to the engine's builder before it is built
         * @return this builder
         */
        public Builder engine(Consumer<AioEngine.Builder> settings) {
            this.engineSettings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * Builds and starts the engine.
         *
         * @return the started test engine; close it (or let {@link AioTestExtension} do it) when done
         * @throws UnsupportedOperationException where POSIX AIO is unavailable
         */
        public AioTestEngine build() {
            Script s = script.copy();
            AioEngine.Builder b = AioEngine.builder().name("aio-test");
            engineSettings.accept(b);
            AtomicReference<ScriptedBackend> ref = new AtomicReference<>();
            BackendDecoration.decorate(b, real -> {
                ScriptedBackend sb = new ScriptedBackend(real, s);
                ref.set(sb);
                return sb;
            });
            int chunks = AioFiles.outstandingChunks();
            AioEngine e = b.build();
            return new AioTestEngine(e, ref.get(), s, chunks);
        }

        private static void checkNth(int nth) {
            if (nth < 1) throw new IllegalArgumentException("nth counts from 1: " + nth);
        }
    }
}

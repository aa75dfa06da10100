package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.aio4j.engine.AioEngine;
import org.aio4j.reactor.spring.AioDataBufferUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

/**
 * The write side against sources that signal inside {@code request(n)}: a source that fails (or completes) on
 * demand while no write is in flight and nothing is queued, across every in-flight bound and {@code APPEND}; and a
 * source that checks its {@code request} calls are serial (rule 2.7).
 */
class WriteSourceSignalsTest {
    static final int LEN = 1000;

    @TempDir
    Path dir;

    TestFiles.Probe probe;

    @BeforeEach
    void before() {
        AioEngine.shared();
        probe = TestFiles.Probe.take();
    }

    @AfterEach
    void after() {
        probe.assertNoLeaks();
    }

    /** The terminal signal of a {@code Mono<Long>}: the value (or null when empty) or the error. */
    record Outcome(Long value, Throwable error) {}

    /** Subscribes with a raw {@link CoreSubscriber} (no Reactor operator in between), requests 1, awaits the end. */
    static Outcome await(Publisher<Long> mono) throws Exception {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        AtomicReference<Long> value = new AtomicReference<>();
        mono.subscribe(new CoreSubscriber<Long>() {
            @Override
            public void onSubscribe(Subscription s) {
                s.request(1);
            }

            @Override
            public void onNext(Long v) {
                value.set(v);
            }

            @Override
            public void onError(Throwable t) {
                done.complete(new Outcome(null, t));
            }

            @Override
            public void onComplete() {
                done.complete(new Outcome(value.get(), null));
            }
        });
        return done.get(10, TimeUnit.SECONDS);
    }

    /**
     * A source that emits synchronously inside {@code request(n)} and, at its {@code endAt}-th element, fails with
     * {@code error} (or completes when {@code error} is null), also inside {@code request(n)}. It records whether
     * {@code request} was ever entered by a second thread while a first was inside it (rule 2.7; reentrant calls on
     * the same thread, which the rules allow, are not counted).
     */
    static final class SyncSource implements Publisher<ByteBuffer> {
        final int endAt;
        final Throwable error;
        final long spinNanosPerElement;
        final AtomicBoolean concurrentRequest = new AtomicBoolean();
        final AtomicInteger emitted = new AtomicInteger();

        SyncSource(int endAt, Throwable error, long spinNanosPerElement) {
            this.endAt = endAt;
            this.error = error;
            this.spinNanosPerElement = spinNanosPerElement;
        }

        @Override
        public void subscribe(Subscriber<? super ByteBuffer> s) {
            s.onSubscribe(new Subscription() {
                final AtomicReference<Thread> inside = new AtomicReference<>();
                long requested;
                boolean done;
                boolean emitting;

                @Override
                public void request(long n) {
                    Thread me = Thread.currentThread();
                    Thread other = inside.get();
                    boolean reentrant = other == me;
                    if (!reentrant && !inside.compareAndSet(null, me)) concurrentRequest.set(true);
                    try {
                        requested += n;
                        if (emitting) return; // reentrant: the outer call emits
                        emitting = true;
                        try {
                            while (!done && requested > 0) {
                                if (emitted.get() == endAt) {
                                    done = true;
                                    if (error != null) s.onError(error);
                                    else s.onComplete();
                                    return;
                                }
                                requested--;
                                emitted.incrementAndGet();
                                s.onNext(ByteBuffer.allocateDirect(LEN));
                                long until = System.nanoTime() + spinNanosPerElement;
                                while (System.nanoTime() < until) Thread.onSpinWait();
                            }
                        } finally {
                            emitting = false;
                        }
                    } finally {
                        if (!reentrant) inside.compareAndSet(me, null);
                    }
                }

                @Override
                public void cancel() {
                    done = true;
                }
            });
        }
    }

    /**
     * Issue 16.1: a source that fails inside {@code request(n)} while nothing is written or queued. With one write
     * in flight the failure arrives from the drain loop's own request; the write must fail, never complete with
     * the bytes written so far.
     */
    @Test
    void aSourceThatFailsOnDemandFailsTheWrite() throws Exception {
        RuntimeException boom = new RuntimeException("boom");
        int completedNormally = 0;
        for (int i = 0; i < 1000; i++) {
            Path out = dir.resolve("out" + (i % 4));
            Flux<ByteBuffer> src = Flux.generate(() -> 0, (n, sink) -> {
                if (n == 3) sink.error(boom);
                else sink.next(ByteBuffer.allocate(LEN));
                return n + 1;
            });
            Outcome o = await(AioFiles.write(src, out, WriteOptions.defaults().maxInFlight(1)));
            if (o.error() == null) completedNormally++;
            else assertThat(o.error()).isSameAs(boom);
        }
        assertThat(completedNormally).as("writes that completed normally").isZero();
    }

    /** Issue 16.1 with APPEND (one write at a time), through the Spring variant, as Spring's own write does. */
    @Test
    void anAppendOfASourceThatFailsOnDemandFailsLikeSpring() throws Exception {
        RuntimeException boom = new RuntimeException("boom");
        DefaultDataBufferFactory f = DefaultDataBufferFactory.sharedInstance;
        int completedNormally = 0;
        for (int i = 0; i < 500; i++) {
            Path out = dir.resolve("append" + (i % 4));
            Flux<DataBuffer> src = Flux.generate(() -> 0, (n, sink) -> {
                if (n == 3) sink.error(boom);
                else sink.next(f.wrap(new byte[LEN]));
                return n + 1;
            });
            CompletableFuture<Throwable> end = new CompletableFuture<>();
            AioDataBufferUtils.write(src, out, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
                    .subscribe(v -> {}, end::complete, () -> end.complete(null));
            Throwable t = end.get(10, TimeUnit.SECONDS);
            if (t == null) completedNormally++;
            else assertThat(t).isSameAs(boom);
        }
        assertThat(completedNormally).as("appends that completed normally").isZero();
    }

    /**
     * Races of the source's signals against the drain loop: a source that fails (or completes) synchronously
     * inside {@code request(n)} after {@code k} buffers, for every in-flight bound 1..8 and for APPEND. A failing
     * source always fails the write; a completing one always yields all its bytes; the file never holds more than
     * the buffers emitted, and exactly those when writes go one at a time.
     */
    @Test
    void sourcesThatEndInsideRequestAcrossBoundsAndAppend() throws Exception {
        RuntimeException boom = new RuntimeException("boom");
        int iterations = 0;
        for (int bound = 1; bound <= 9; bound++) {
            boolean append = bound == 9;
            for (int i = 0; i < 300; i++) {
                int k = i % 6; // 0..5 buffers before the end
                boolean fail = (i & 1) == 0;
                Path out = dir.resolve("race" + bound + "-" + (i % 3));
                Files.deleteIfExists(out);
                OpenOption[] open = append
                        ? new OpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.APPEND}
                        : new OpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING};
                SyncSource src = new SyncSource(k, fail ? boom : null, 0);
                WriteOptions opts =
                        WriteOptions.defaults().maxInFlight(append ? 4 : bound).openOptions(open);
                Outcome o = await(AioFiles.write(src, out, opts));
                long size = Files.size(out);
                String what = "bound " + (append ? "APPEND" : bound) + ", k " + k + ", fail " + fail;
                if (fail) {
                    assertThat(o.error()).as(what).isSameAs(boom);
                    assertThat(size).as(what).isLessThanOrEqualTo((long) k * LEN);
                    if (append || bound == 1) assertThat(size).as(what).isEqualTo((long) k * LEN);
                } else {
                    assertThat(o.error()).as(what).isNull();
                    assertThat(o.value()).as(what).isEqualTo((long) k * LEN);
                    assertThat(size).as(what).isEqualTo((long) k * LEN);
                }
                iterations++;
            }
        }
        assertThat(iterations).isEqualTo(9 * 300);
    }

    /**
     * Issue 16.5, rule 2.7: the write calls {@code request} on its source serially. The source emits inside
     * {@code request} and spins a little after each buffer, so a write that completes meanwhile on the reaper
     * thread would request from there while the first call is still running.
     */
    @Test
    void requestsToTheSourceAreSerial() throws Exception {
        int concurrent = 0;
        for (int i = 0; i < 300; i++) {
            Path out = dir.resolve("serial" + (i % 3));
            SyncSource src = new SyncSource(12, null, 50_000);
            Outcome o = await(AioFiles.write(src, out, WriteOptions.defaults().maxInFlight(2 + i % 3)));
            assertThat(o.value()).isEqualTo(12L * LEN);
            if (src.concurrentRequest.get()) concurrent++;
        }
        assertThat(concurrent)
                .as("writes whose source saw concurrent request calls")
                .isZero();
    }
}

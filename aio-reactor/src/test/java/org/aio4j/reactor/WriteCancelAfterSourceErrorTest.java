package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.aio4j.engine.AioEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A write whose source failed and whose subscriber cancelled before the error was signalled (the file was still being
 * closed): the subscriber gave up on the write, the source's error is its own business, so nothing goes to Reactor's
 * {@code onErrorDropped} hook (whose default logs an ERROR with a stack trace). This is the order of events when an
 * HTTP client leaves in the middle of an upload on Reactor Netty: the request body fails with the server's
 * {@code AbortedException}, then the server cancels the handler; each such client logged "Operator called default
 * onErrorDropped".
 */
class WriteCancelAfterSourceErrorTest {
    @TempDir
    Path dir;

    TestFiles.Probe probe;
    final List<Throwable> dropped = new CopyOnWriteArrayList<>();

    @BeforeEach
    void before() {
        AioEngine.shared();
        probe = TestFiles.Probe.take();
        Hooks.onErrorDropped(dropped::add);
    }

    @AfterEach
    void after() {
        Hooks.resetOnErrorDropped();
        probe.assertNoLeaks();
    }

    @Test
    void aSourceErrorThatCameBeforeTheCancelIsNotDropped() throws Exception {
        ExecutorService closer = Executors.newSingleThreadExecutor();
        Scheduler blocking = Schedulers.fromExecutorService(closer);
        try {
            Sinks.Many<ByteBuffer> source = Sinks.many().unicast().onBackpressureBuffer();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            Disposable write = AioFiles.write(
                            source.asFlux(),
                            dir.resolve("out.bin"),
                            WriteOptions.defaults().blockingScheduler(blocking))
                    .subscribe(n -> {}, errors::add);
            // the file is open once the source is subscribed
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (source.currentSubscriberCount() == 0 && System.nanoTime() < deadline) Thread.sleep(1);
            assertThat(source.currentSubscriberCount()).isEqualTo(1);

            // hold the thread that closes the file, so the error waits there for its signal
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            closer.execute(() -> {
                running.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            IOException gone = new IOException("the client went away");
            source.tryEmitError(gone); // nothing in flight: the write stops and queues the close at once
            write.dispose(); // the subscriber cancels before the error was signalled
            release.countDown();
            closer.submit(() -> {}).get(10, TimeUnit.SECONDS); // the close and the signal ran

            assertThat(errors).as("nothing signalled after the cancel").isEmpty();
            assertThat(dropped).as("the source's error is not dropped").isEmpty();
        } finally {
            blocking.dispose();
            closer.shutdownNow();
        }
    }
}

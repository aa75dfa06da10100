package org.aio4j.webflux;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * Test helpers that make leaks visible: Netty's leak detector (run at paranoid level by the build) reports through
 * its logger, which this appender records; open descriptors are counted in {@code /proc/self/fd}.
 */
final class LeakWatch extends AppenderBase<ILoggingEvent> {
    final List<String> leaks = new CopyOnWriteArrayList<>();

    private static final LeakWatch INSTANCE = new LeakWatch();

    /**
     * Attaches the recorder to Netty's leak logger (again, if a logging reset, such as Spring Boot's start, removed
     * it). Call after the application started, e.g. in {@code @BeforeEach}.
     */
    static LeakWatch install() {
        Logger logger = (Logger) LoggerFactory.getLogger("io.netty.util.ResourceLeakDetector");
        synchronized (INSTANCE) {
            if (!INSTANCE.isStarted()) {
                INSTANCE.setContext(logger.getLoggerContext());
                INSTANCE.start();
            }
            if (!logger.isAttached(INSTANCE)) logger.addAppender(INSTANCE);
        }
        return INSTANCE;
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (event.getFormattedMessage().contains("LEAK")) leaks.add(event.getFormattedMessage());
    }

    /** Collects garbage and allocates, so Netty reports every buffer that was dropped unreleased. */
    List<String> collectLeaks() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            for (int j = 0; j < 200; j++) {
                ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
                b.release();
            }
        }
        return leaks;
    }

    /** How many descriptors of this process are open on {@code file}. */
    static long openFds(Path file) throws IOException {
        Path real = file.toRealPath();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                        try {
                            return Files.readSymbolicLink(fd).equals(real);
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .count();
        }
    }

    /** Waits up to {@code millis} until no descriptor is open on {@code file}; returns the last count. */
    static long awaitNoFds(Path file, long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        long n;
        while ((n = openFds(file)) > 0 && System.nanoTime() < deadline) Thread.sleep(20);
        return n;
    }
}

package org.aio4j.benchmarks;

import java.io.IOException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The JDK peers of the engine, as {@link ClosedLoop}s. */
final class PeerLoops {
    private PeerLoops() {}

    static Set<OpenOption> readOptions(boolean direct) {
        return options(direct, false);
    }

    static Set<OpenOption> options(boolean direct, boolean write) {
        Set<OpenOption> options = new HashSet<>();
        options.add(write ? StandardOpenOption.WRITE : StandardOpenOption.READ);
        if (direct) {
            options.add(com.sun.nio.file.ExtendedOpenOption.DIRECT);
        }
        return options;
    }

    static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * {@link AsynchronousFileChannel} with a completion handler that submits the next read: on the JDK default pool
     * when {@code poolThreads} is 0, else on a fixed pool of that many threads.
     */
    static final class AsyncChannelLoop extends ClosedLoop implements CompletionHandler<Integer, ClosedLoop.Slot> {
        private final AsynchronousFileChannel channel;
        private final ExecutorService pool;

        private final boolean write;

        AsyncChannelLoop(Path file, boolean direct, int queueDepth, int poolThreads) throws IOException {
            this(file, direct, queueDepth, poolThreads, false);
        }

        /** With {@code write}, each op writes its 4 KiB buffer instead of reading into it. */
        AsyncChannelLoop(Path file, boolean direct, int queueDepth, int poolThreads, boolean write) throws IOException {
            super(queueDepth);
            this.write = write;
            pool = poolThreads == 0 ? null : Executors.newFixedThreadPool(poolThreads, daemons("afc-pool-"));
            channel = AsynchronousFileChannel.open(file, options(direct, write), pool);
        }

        @Override
        void submit(Slot slot) {
            if (write) channel.write(slot.buffer, slot.position, slot, this);
            else channel.read(slot.buffer, slot.position, slot, this);
        }

        @Override
        public void completed(Integer result, Slot slot) {
            completed(slot, result);
        }

        @Override
        public void failed(Throwable exc, Slot slot) {
            failed(slot, exc);
        }

        @Override
        void closeResources() throws Exception {
            channel.close();
            if (pool != null) {
                pool.shutdown();
                pool.awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Blocking positional reads ({@code FileChannel.read(dst, position)}, i.e. {@code pread}) run as tasks on a fixed
     * thread pool; a finished task submits its slot's next read to the pool.
     */
    static final class BlockingPoolLoop extends ClosedLoop {
        private final FileChannel channel;
        private final ExecutorService pool;

        BlockingPoolLoop(Path file, boolean direct, int queueDepth, int poolThreads) throws IOException {
            this(file, direct, queueDepth, poolThreads, false);
        }

        /** With {@code write}, each task is a positional write ({@code pwrite}) of its 4 KiB buffer. */
        BlockingPoolLoop(Path file, boolean direct, int queueDepth, int poolThreads, boolean write) throws IOException {
            super(queueDepth);
            channel = FileChannel.open(file, options(direct, write));
            pool = Executors.newFixedThreadPool(poolThreads, daemons("pread-pool-"));
            for (Slot s : slots) {
                s.tag = (Runnable) () -> {
                    long n;
                    try {
                        n = write ? channel.write(s.buffer, s.position) : channel.read(s.buffer, s.position);
                    } catch (Throwable t) {
                        failed(s, t);
                        return;
                    }
                    completed(s, n);
                };
            }
        }

        @Override
        void submit(Slot slot) {
            pool.execute((Runnable) slot.tag);
        }

        @Override
        void closeResources() throws Exception {
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
            channel.close();
        }
    }

    /** The control: every "read" completes at once on the submitting thread, without I/O. */
    static final class HarnessLoop extends ClosedLoop {
        HarnessLoop(int queueDepth) {
            super(queueDepth);
        }

        @Override
        void submit(Slot slot) {
            completed(slot, BenchData.BLOCK);
        }

        @Override
        void closeResources() {}
    }
}

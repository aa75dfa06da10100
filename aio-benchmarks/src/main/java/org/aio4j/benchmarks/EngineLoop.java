package org.aio4j.benchmarks;

import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.AioOpenOption;
import org.aio4j.engine.AioEngine;
import org.aio4j.engine.AioHandler;
import org.aio4j.engine.EngineBackend;
import org.aio4j.engine.Notification;

/**
 * The aio4j engine as a {@link ClosedLoop}, through its callback form ({@code read(file, position, dst, attachment,
 * handler)}, which allocates nothing per op). A completion submits the slot's next read from the thread that
 * delivered it: the reaper, or the submitting thread when the cached-read fast path served the read at once.
 *
 * <p>The candidate is named {@code MODE[-nofast][-lanesN][-aioN]}: the {@link Notification} mode, or {@code uring}
 * for the io_uring backend ({@link EngineBackend#IO_URING}); {@code nofast}
 * turns the cached-read fast path off (it is on by default where the kernel has it); {@code lanesN} gives each file N
 * dup'ed fds (engine default 1); {@code aioN} calls {@code aio_init} with N helper threads (glibc default 20). Every
 * other setting is the engine's default.
 */
final class EngineLoop extends ClosedLoop {
    private final AioEngine engine;
    private final AioFile file;
    private final AioHandler<Slot> handler = new AioHandler<>() {
        @Override
        public void completed(long result, Slot slot) {
            EngineLoop.this.completed(slot, result);
        }

        @Override
        public void failed(AioException error, Slot slot) {
            EngineLoop.this.failed(slot, error);
        }
    };

    private final boolean write;

    private EngineLoop(AioEngine engine, AioFile file, int queueDepth, boolean write) {
        super(queueDepth);
        this.engine = engine;
        this.file = file;
        this.write = write;
    }

    static ClosedLoop create(String spec, Path path, boolean direct, int qd) throws Exception {
        return create(spec, path, direct, qd, false);
    }

    /** With {@code write}, each op writes its 4 KiB buffer (the file is opened for writing). */
    static ClosedLoop create(String spec, Path path, boolean direct, int qd, boolean write) throws Exception {
        String[] parts = spec.split("-");
        // "uring": the io_uring backend (no notification mode); otherwise a POSIX AIO notification mode
        AioEngine.Builder builder = parts[0].equals("uring")
                ? AioEngine.builder().backend(EngineBackend.IO_URING)
                : AioEngine.builder().notification(Notification.valueOf(parts[0].toUpperCase(Locale.ROOT)));
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            if (p.equals("nofast")) {
                builder.cachedReadFastPath(false);
            } else if (p.startsWith("lanes")) {
                builder.lanes(Integer.parseInt(p.substring("lanes".length())));
            } else if (p.startsWith("aio")) {
                builder.aioInit(Integer.parseInt(p.substring("aio".length())), -1);
            } else {
                throw new IllegalArgumentException("unknown engine option '" + p + "' in " + spec);
            }
        }
        AioEngine engine = builder.build();
        AioFile file;
        try {
            StandardOpenOption mode = write ? StandardOpenOption.WRITE : StandardOpenOption.READ;
            file = direct ? AioFile.open(path, mode, AioOpenOption.DIRECT) : AioFile.open(path, mode);
        } catch (Exception e) {
            engine.close();
            throw e;
        }
        System.out.println("engine: " + engine);
        return new EngineLoop(engine, file, qd, write);
    }

    @Override
    void submit(Slot slot) {
        if (write) engine.write(file, slot.position, slot.buffer, slot, handler);
        else engine.read(file, slot.position, slot.buffer, slot, handler);
    }

    @Override
    void closeResources() {
        System.out.println("engine metrics: " + engine.metrics());
        file.close();
        engine.close();
    }
}

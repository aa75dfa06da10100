package org.aio4j.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** Builds engines whose backend is a {@link FaultInjectingBackend} (for tests of this and other modules). */
public final class FaultyEngines {
    private FaultyEngines() {}

    /** An engine and the fault backend under it. */
    public record Faulty(AioEngine engine, FaultInjectingBackend faults) {}

    /**
     * A backend and, for {@link EngineBackend#POSIX_AIO}, its notification mode (null for {@link
     * EngineBackend#IO_URING}, whose ring is the notification).
     */
    public record Config(EngineBackend backend, Notification mode) {
        /**
         * What the property tests draw from: POSIX AIO in {@code SUSPEND}, {@code THREAD} and {@code SIGNAL}, and
         * io_uring where it is available here (else it is left out, so the POSIX cases still run).
         */
        public static Config[] all() {
            List<Config> c = new ArrayList<>();
            for (Notification m : new Notification[] {Notification.SUSPEND, Notification.THREAD, Notification.SIGNAL}) {
                c.add(new Config(EngineBackend.POSIX_AIO, m));
            }
            if (EngineBackend.IO_URING.isAvailable()) c.add(new Config(EngineBackend.IO_URING, null));
            return c.toArray(new Config[0]);
        }

        @Override
        public String toString() {
            return mode == null ? backend.name() : backend + "/" + mode;
        }
    }

    /** A new POSIX AIO engine in {@code mode} whose backend injects the faults of {@code plan}. */
    public static Faulty build(Notification mode, FaultInjectingBackend.Plan plan, int maxInFlight) {
        return build(new Config(EngineBackend.POSIX_AIO, mode), plan, maxInFlight);
    }

    /** A new engine of {@code config} whose backend injects the faults of {@code plan}. */
    public static Faulty build(Config config, FaultInjectingBackend.Plan plan, int maxInFlight) {
        AtomicReference<FaultInjectingBackend> ref = new AtomicReference<>();
        AioEngine.Builder b = AioEngine.builder()
                .backend(config.backend())
                .maxInFlight(maxInFlight)
                .name("faulty-" + plan.seed());
        if (config.mode() != null) b.notification(config.mode());
        b.decorate = real -> {
            FaultInjectingBackend f = new FaultInjectingBackend(real, plan);
            ref.set(f);
            return f;
        };
        AioEngine e = b.build();
        return new Faulty(e, ref.get());
    }
}

package org.aio4j.engine;

import java.util.concurrent.atomic.AtomicReference;

/** Builds engines whose backend is a {@link FaultInjectingBackend} (for tests of this and other modules). */
public final class FaultyEngines {
    private FaultyEngines() {}

    /** An engine and the fault backend under it. */
    public record Faulty(AioEngine engine, FaultInjectingBackend faults) {}

    /** A new engine in {@code mode} whose backend injects the faults of {@code plan}. */
    public static Faulty build(Notification mode, FaultInjectingBackend.Plan plan, int maxInFlight) {
        AtomicReference<FaultInjectingBackend> ref = new AtomicReference<>();
        AioEngine.Builder b =
                AioEngine.builder().notification(mode).maxInFlight(maxInFlight).name("faulty-" + plan.seed());
        b.decorate = real -> {
            FaultInjectingBackend f = new FaultInjectingBackend(real, plan);
            ref.set(f);
            return f;
        };
        AioEngine e = b.build();
        return new Faulty(e, ref.get());
    }
}

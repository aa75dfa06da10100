package org.aio4j.reactor;

import java.util.Locale;
import org.aio4j.engine.EngineBackend;
import org.aio4j.engine.internal.IoUring;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.launcher.PostDiscoveryFilter;

/**
 * The io-uring run of this suite ({@code -Daio4j.backend=io_uring}, surefire execution {@code io-uring} of this
 * module's pom) where io_uring is unavailable: every test but {@link SharedEngineBackendTest} is left out, for all
 * test engines (Jupiter, jqwik, the TCK's TestNG), since each would otherwise fail on {@code AioEngine.shared()}.
 * That one test says why, and fails when {@code AIO4J_REQUIRE_ALL_CHECKS=true} (CI) instead of skipping. Registered
 * through {@code META-INF/services}; does nothing in the default run or where io_uring is available.
 *
 * <p>{@code -Daio4j.test.failIoUringSetup=ERRNO} makes io_uring unavailable for the test JVM (the engine's test
 * hook, as {@code kernel.io_uring_disabled} would with EPERM = 1): how this guard is checked by hand.
 */
public final class IoUringRunFilter implements PostDiscoveryFilter {
    static {
        String errno = System.getProperty("aio4j.test.failIoUringSetup");
        if (errno != null && !errno.isBlank()) IoUring.failSetupForTests(Integer.parseInt(errno.trim()));
    }

    /** True when the shared engine is asked to be io_uring ({@code aio4j.backend=io_uring}). */
    static boolean ioUringRun() {
        String v = System.getProperty(EngineBackend.PROPERTY);
        return v != null && v.trim().toUpperCase(Locale.ROOT).equals(EngineBackend.IO_URING.name());
    }

    @Override
    public FilterResult apply(TestDescriptor descriptor) {
        if (!ioUringRun() || EngineBackend.IO_URING.isAvailable()) return FilterResult.included("io_uring available");
        if (descriptor.getUniqueId().toString().contains(SharedEngineBackendTest.class.getName())) {
            return FilterResult.included("says why the io_uring run is skipped");
        }
        return FilterResult.excluded("io_uring unavailable here: " + EngineBackend.IO_URING.unavailabilityCause());
    }
}

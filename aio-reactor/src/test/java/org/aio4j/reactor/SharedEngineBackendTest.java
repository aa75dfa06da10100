package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import org.aio4j.engine.AioEngine;
import org.aio4j.engine.EngineBackend;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * This module's suite runs twice (its pom): on the default shared engine (POSIX AIO) and, in the surefire
 * execution {@code io-uring}, with {@code -Daio4j.backend=io_uring}. This test checks that each run exercises the
 * backend it claims to, and is the one test left in the io_uring run where io_uring is unavailable ({@link
 * IoUringRunFilter}): it then skips with the reason, or fails when {@code AIO4J_REQUIRE_ALL_CHECKS=true} (CI must not
 * pass green without having run the suite on io_uring).
 */
class SharedEngineBackendTest {
    @Test
    void theSharedEngineRunsOnTheBackendThisRunNames() {
        if (IoUringRunFilter.ioUringRun() && !EngineBackend.IO_URING.isAvailable()) {
            String why = "io_uring is unavailable here, so aio-reactor's io_uring run (surefire execution io-uring)"
                    + " skipped every other test: " + EngineBackend.IO_URING.unavailabilityCause();
            if ("true".equalsIgnoreCase(System.getenv("AIO4J_REQUIRE_ALL_CHECKS"))) {
                Assertions.fail(why + "; AIO4J_REQUIRE_ALL_CHECKS=true forbids skipping it");
            }
            Assumptions.abort(why);
        }
        EngineBackend expected = IoUringRunFilter.ioUringRun() ? EngineBackend.IO_URING : EngineBackend.POSIX_AIO;
        assertThat(AioEngine.shared().backend()).isEqualTo(expected);
    }
}

package org.aio4j.cli;

import org.aio4j.engine.AioEngine;
import org.aio4j.engine.EngineBackend;
import picocli.CommandLine.Option;

/**
 * {@code --backend posix_aio|io_uring} of {@code copy}, {@code cat}, {@code bench} and {@code serve}: the backend of
 * the shared engine the first three submit to (the system property {@code aio4j.backend}, set before the engine is
 * first used), and of the starter's engine bean that {@code serve} uses ({@code aio4j.engine.backend}). A backend that
 * is unavailable here fails the command with its cause.
 */
final class BackendOption {
    @Option(
            names = "--backend",
            paramLabel = "posix_aio|io_uring",
            description = "The engine's backend (default posix_aio; io_uring on Linux 5.11+ where it is permitted).")
    EngineBackend backend;

    /** Sets the shared engine's backend; fails if the engine already runs on another one or it is unavailable. */
    void apply() {
        if (backend == null) return;
        System.setProperty(EngineBackend.PROPERTY, backend.name());
        AioEngine engine = AioEngine.shared(); // throws the backend's unavailability cause
        if (engine.backend() != backend) {
            throw new CliException("--backend " + backend + ": the shared engine already runs on " + engine.backend());
        }
    }

    /**
     * For {@code serve}, whose engine is the starter's bean, not the shared one: the backend asked for, checked to be
     * available here, or null when the option was not given.
     */
    EngineBackend checked() {
        if (backend == null) return null;
        Throwable cause = backend.unavailabilityCause();
        if (cause != null) throw new CliException("--backend " + backend + ": " + Errors.describe(cause));
        return backend;
    }
}

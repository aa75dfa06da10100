package org.aio4j.spring.boot;

import java.time.Duration;
import org.aio4j.engine.EngineBackend;
import org.aio4j.engine.Notification;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the {@code AioEngine} bean, under {@code aio4j.engine}. Unset values keep the defaults of {@link
 * org.aio4j.engine.AioEngine.Builder}.
 */
@ConfigurationProperties("aio4j.engine")
public class AioEngineProperties {
    /**
     * How the engine learns of completions: SUSPEND (the default on Linux), SIGNAL, THREAD or KEVENT (FreeBSD).
     * Unset: the platform's default.
     */
    private Notification notification;

    /**
     * What moves the bytes: POSIX_AIO (the default) or IO_URING (Linux 5.11+, where the kernel and the container
     * permit it; the start fails with the reason otherwise). With IO_URING leave notification unset; lanes,
     * direct-lanes and the C library's thread pool do not apply.
     */
    private EngineBackend backend;

    /** Operations in flight at once (the engine's slots); more wait for a slot. */
    private int maxInFlight = 1024;

    /**
     * File descriptors per file for every file, buffered or O_DIRECT. Unset: 1 for a buffered file and
     * direct-lanes for an O_DIRECT file.
     */
    private Integer lanes;

    /** File descriptors per O_DIRECT file when lanes is unset. */
    private Integer directLanes;

    /**
     * Whether reads first try preadv2(RWF_NOWAIT) on the calling thread, so page-cached data returns at once. Unset:
     * on for buffered files where the kernel has it.
     */
    private Boolean cachedReadFastPath;

    /** Name of the engine's reaper thread (aio4j-reaper-NAME). */
    private String name = "spring";

    /**
     * At context close: how long to wait for the operations in flight to finish before the engine is closed (which
     * cancels what is left).
     */
    private Duration shutdownTimeout = Duration.ofSeconds(30);

    /** At context close: how long closing waits for cancelled operations to be reaped. */
    private Duration closeTimeout = Duration.ofSeconds(5);

    /** Properties with the defaults above; Spring binds the {@code application.properties} values on it. */
    public AioEngineProperties() {}

    /** {@return the notification mode, or null for the platform's default} */
    public Notification getNotification() {
        return notification;
    }

    /**
     * Sets the notification mode.
     *
     * @param notification the new value
     */
    public void setNotification(Notification notification) {
        this.notification = notification;
    }

    /** {@return the backend, or null for the builder's default (POSIX AIO)} */
    public EngineBackend getBackend() {
        return backend;
    }

    /**
     * Sets the backend.
     *
     * @param backend the new value
     */
    public void setBackend(EngineBackend backend) {
        this.backend = backend;
    }

    /** {@return operations in flight at once} */
    public int getMaxInFlight() {
        return maxInFlight;
    }

    /**
     * Sets the operations in flight at once.
     *
     * @param maxInFlight the new value
     */
    public void setMaxInFlight(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    /** {@return lanes per file, or null for adaptive} */
    public Integer getLanes() {
        return lanes;
    }

    /**
     * Sets the lanes per file.
     *
     * @param lanes the new value
     */
    public void setLanes(Integer lanes) {
        this.lanes = lanes;
    }

    /** {@return lanes per O_DIRECT file, or null for the builder's default} */
    public Integer getDirectLanes() {
        return directLanes;
    }

    /**
     * Sets the lanes per O_DIRECT file.
     *
     * @param directLanes the new value
     */
    public void setDirectLanes(Integer directLanes) {
        this.directLanes = directLanes;
    }

    /** {@return whether the cached-read fast path is on, or null for the default} */
    public Boolean getCachedReadFastPath() {
        return cachedReadFastPath;
    }

    /**
     * Turns the cached-read fast path on or off.
     *
     * @param cachedReadFastPath the new value
     */
    public void setCachedReadFastPath(Boolean cachedReadFastPath) {
        this.cachedReadFastPath = cachedReadFastPath;
    }

    /** {@return the reaper thread's name suffix} */
    public String getName() {
        return name;
    }

    /**
     * Sets the reaper thread's name suffix.
     *
     * @param name the new value
     */
    public void setName(String name) {
        this.name = name;
    }

    /** {@return how long context close waits for operations in flight} */
    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    /**
     * Sets how long context close waits for operations in flight.
     *
     * @param shutdownTimeout the new value
     */
    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    /** {@return how long the engine's close waits for cancelled operations} */
    public Duration getCloseTimeout() {
        return closeTimeout;
    }

    /**
     * Sets how long the engine's close waits for cancelled operations.
     *
     * @param closeTimeout the new value
     */
    public void setCloseTimeout(Duration closeTimeout) {
        this.closeTimeout = closeTimeout;
    }
}

package org.aio4j.spring.boot;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the file router, under {@code aio4j.files}: the router is mounted only when {@code aio4j.files.root} is
 * set.
 */
@ConfigurationProperties("aio4j.files")
public class AioFilesProperties {
    /** The directory served (must exist). Setting it mounts the file router. */
    private Path root;

    /** URL prefix of the file routes: GET and HEAD (and PUT when writable) BASE-PATH/**. */
    private String basePath = "/files";

    /** URL of the server-side copy route (POST COPY-PATH?from=A&to=B, writable servers only). */
    private String copyPath = "/copy";

    /** Whether PUT and the copy route are served. Without it the router is read-only (405). */
    private boolean writable = false;

    /**
     * Bearer token that PUT and POST must carry (Authorization: Bearer TOKEN). A writable router on a server not
     * bound to a loopback address (server.address) refuses to start without one.
     */
    private String token;

    /** Largest accepted upload or copy; larger ones are answered 413. */
    private DataSize maxUploadSize = DataSize.ofGigabytes(1);

    /** Size of the buffers files are read into. */
    private DataSize bufferSize = DataSize.ofKilobytes(128);

    /** Read-ahead of a download and writes in flight of an upload or copy, per request. */
    private int maxInFlight = 4;

    /**
     * Whether page-cached regions of a GET are sent by zero-copy (sendfile) and only the rest read through AIO; false
     * reads every GET through AIO.
     */
    private boolean zeroCopy = true;

    /** An upload receiving no bytes this long is cut with 408. */
    private Duration uploadIdleTimeout = Duration.ofSeconds(30);

    /** An upload not done after this long is cut with 408. */
    private Duration uploadTimeout = Duration.ofHours(1);

    /** Properties with the defaults above; Spring binds the {@code application.properties} values on it. */
    public AioFilesProperties() {}

    /** {@return the directory served, or null (no router)} */
    public Path getRoot() {
        return root;
    }

    /**
     * Sets the directory served.
     *
     * @param root the new value
     */
    public void setRoot(Path root) {
        this.root = root;
    }

    /** {@return the URL prefix of the file routes} */
    public String getBasePath() {
        return basePath;
    }

    /**
     * Sets the URL prefix of the file routes.
     *
     * @param basePath the new value
     */
    public void setBasePath(String basePath) {
        this.basePath = basePath;
    }

    /** {@return the URL of the copy route} */
    public String getCopyPath() {
        return copyPath;
    }

    /**
     * Sets the URL of the copy route.
     *
     * @param copyPath the new value
     */
    public void setCopyPath(String copyPath) {
        this.copyPath = copyPath;
    }

    /** {@return whether PUT and the copy route are served} */
    public boolean isWritable() {
        return writable;
    }

    /**
     * Makes the router writable or read-only.
     *
     * @param writable the new value
     */
    public void setWritable(boolean writable) {
        this.writable = writable;
    }

    /** {@return the bearer token, or null} */
    public String getToken() {
        return token;
    }

    /**
     * Sets the bearer token.
     *
     * @param token the new value
     */
    public void setToken(String token) {
        this.token = token;
    }

    /** {@return the largest accepted upload} */
    public DataSize getMaxUploadSize() {
        return maxUploadSize;
    }

    /**
     * Sets the largest accepted upload.
     *
     * @param maxUploadSize the new value
     */
    public void setMaxUploadSize(DataSize maxUploadSize) {
        this.maxUploadSize = maxUploadSize;
    }

    /** {@return the read buffer size} */
    public DataSize getBufferSize() {
        return bufferSize;
    }

    /**
     * Sets the read buffer size.
     *
     * @param bufferSize the new value
     */
    public void setBufferSize(DataSize bufferSize) {
        this.bufferSize = bufferSize;
    }

    /** {@return read-ahead and writes in flight per request} */
    public int getMaxInFlight() {
        return maxInFlight;
    }

    /**
     * Sets read-ahead and writes in flight per request.
     *
     * @param maxInFlight the new value
     */
    public void setMaxInFlight(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    /** {@return whether page-cached regions are sent by zero-copy} */
    public boolean isZeroCopy() {
        return zeroCopy;
    }

    /**
     * Sets whether page-cached regions are sent by zero-copy.
     *
     * @param zeroCopy the new value
     */
    public void setZeroCopy(boolean zeroCopy) {
        this.zeroCopy = zeroCopy;
    }

    /** {@return the upload idle timeout} */
    public Duration getUploadIdleTimeout() {
        return uploadIdleTimeout;
    }

    /**
     * Sets the upload idle timeout.
     *
     * @param uploadIdleTimeout the new value
     */
    public void setUploadIdleTimeout(Duration uploadIdleTimeout) {
        this.uploadIdleTimeout = uploadIdleTimeout;
    }

    /** {@return the whole-upload timeout} */
    public Duration getUploadTimeout() {
        return uploadTimeout;
    }

    /**
     * Sets the whole-upload timeout.
     *
     * @param uploadTimeout the new value
     */
    public void setUploadTimeout(Duration uploadTimeout) {
        this.uploadTimeout = uploadTimeout;
    }
}

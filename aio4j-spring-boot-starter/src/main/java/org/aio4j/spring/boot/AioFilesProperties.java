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

    /** An upload receiving no bytes this long is cut with 408. */
    private Duration uploadIdleTimeout = Duration.ofSeconds(30);

    /** An upload not done after this long is cut with 408. */
    private Duration uploadTimeout = Duration.ofHours(1);

    /** The directory served, or null (no router). */
    public Path getRoot() {
        return root;
    }

    /** Sets the directory served. */
    public void setRoot(Path root) {
        this.root = root;
    }

    /** The URL prefix of the file routes. */
    public String getBasePath() {
        return basePath;
    }

    /** Sets the URL prefix of the file routes. */
    public void setBasePath(String basePath) {
        this.basePath = basePath;
    }

    /** The URL of the copy route. */
    public String getCopyPath() {
        return copyPath;
    }

    /** Sets the URL of the copy route. */
    public void setCopyPath(String copyPath) {
        this.copyPath = copyPath;
    }

    /** Whether PUT and the copy route are served. */
    public boolean isWritable() {
        return writable;
    }

    /** Makes the router writable or read-only. */
    public void setWritable(boolean writable) {
        this.writable = writable;
    }

    /** The bearer token, or null. */
    public String getToken() {
        return token;
    }

    /** Sets the bearer token. */
    public void setToken(String token) {
        this.token = token;
    }

    /** The largest accepted upload. */
    public DataSize getMaxUploadSize() {
        return maxUploadSize;
    }

    /** Sets the largest accepted upload. */
    public void setMaxUploadSize(DataSize maxUploadSize) {
        this.maxUploadSize = maxUploadSize;
    }

    /** The read buffer size. */
    public DataSize getBufferSize() {
        return bufferSize;
    }

    /** Sets the read buffer size. */
    public void setBufferSize(DataSize bufferSize) {
        this.bufferSize = bufferSize;
    }

    /** Read-ahead and writes in flight per request. */
    public int getMaxInFlight() {
        return maxInFlight;
    }

    /** Sets read-ahead and writes in flight per request. */
    public void setMaxInFlight(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    /** The upload idle timeout. */
    public Duration getUploadIdleTimeout() {
        return uploadIdleTimeout;
    }

    /** Sets the upload idle timeout. */
    public void setUploadIdleTimeout(Duration uploadIdleTimeout) {
        this.uploadIdleTimeout = uploadIdleTimeout;
    }

    /** The whole-upload timeout. */
    public Duration getUploadTimeout() {
        return uploadTimeout;
    }

    /** Sets the whole-upload timeout. */
    public void setUploadTimeout(Duration uploadTimeout) {
        this.uploadTimeout = uploadTimeout;
    }
}

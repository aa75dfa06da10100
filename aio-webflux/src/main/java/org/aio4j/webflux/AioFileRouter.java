package org.aio4j.webflux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * A WebFlux functional router that serves a directory through aio4j: any WebFlux application can mount it.
 *
 * <ul>
 *   <li>{@code GET|HEAD {filesPath}/{path}}: the file, streamed through {@code AioDataBufferUtils}, with
 *       {@code Content-Length}, {@code Last-Modified}, a strong {@code ETag}, conditional requests (304/412),
 *       {@code Accept-Ranges: bytes} and HTTP ranges handled like Spring's {@code ResourceHttpMessageWriter}: one range
 *       gives 206 with {@code Content-Range}, several give {@code multipart/byteranges}, an invalid or unsatisfiable one
 *       gives 416 (here with {@code Content-Range: bytes *}{@code /length}, as RFC 9110 recommends). {@code If-Range} is
 *       honoured.
 *   <li>{@code PUT {filesPath}/{path}}: the request body is written through {@code AioDataBufferUtils.write} to a
 *       temporary file in the target's directory, fsynced, then renamed atomically over the target; 201 with a JSON
 *       body; 413 beyond {@link Builder#maxUploadSize(long)} (no partial file is left behind).
 *   <li>{@code POST {copyPath}?from=a/b&to=c/d}: a server-side {@code AioFiles.copy} (to a temporary file, fsync,
 *       atomic rename); 201 with the byte count.
 * </ul>
 *
 * <p>Security: request paths are decoded segment by segment and refused (400) when they contain {@code .}/{@code ..}
 * (also percent-encoded), empty segments (absolute paths), encoded separators, NUL or other control characters, or raw
 * non-ASCII characters; a path whose real path (symbolic links resolved) lies outside the root, a link loop or a name
 * too long for the file system is answered 404. Every refusal is logged at WARN. Nothing outside the root is read or
 * written.
 *
 * <pre>{@code
 * @Bean
 * RouterFunction<ServerResponse> files() {
 *     return AioFileRouter.builder(Path.of("/srv/files")).maxUploadSize(512L << 20).build();
 * }
 * }</pre>
 */
public final class AioFileRouter {
    private AioFileRouter() {}

    /**
     * A builder for a router serving {@code root}.
     *
     * @param root an existing directory; it is resolved to its real path when the router is built
     */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** Options of {@link AioFileRouter}. Not thread-safe; {@link #build()} may be called more than once. */
    public static final class Builder {
        private final Path root;
        private String filesPath = "/files";
        private String copyPath = "/copy";
        private long maxUploadSize = 1L << 30;
        private int bufferSize = 128 * 1024;
        private boolean writable = true;

        private Builder(Path root) {
            this.root = Objects.requireNonNull(root, "root");
        }

        /** URL prefix of the file routes, {@code /files} by default. */
        public Builder filesPath(String prefix) {
            this.filesPath = normalisePrefix(prefix);
            return this;
        }

        /** URL of the server-side copy route, {@code /copy} by default; {@code null} leaves the route out. */
        public Builder copyPath(String path) {
            this.copyPath = path == null ? null : normalisePrefix(path);
            return this;
        }

        /** Largest accepted upload in bytes (1 GiB by default); larger uploads are answered 413. */
        public Builder maxUploadSize(long bytes) {
            if (bytes < 0) throw new IllegalArgumentException("maxUploadSize < 0: " + bytes);
            this.maxUploadSize = bytes;
            return this;
        }

        /** Size of the buffers files are read into (128 KiB by default). */
        public Builder bufferSize(int bytes) {
            if (bytes <= 0) throw new IllegalArgumentException("bufferSize <= 0: " + bytes);
            this.bufferSize = bytes;
            return this;
        }

        /** {@code false} leaves out the PUT and copy routes (read-only server). {@code true} by default. */
        public Builder writable(boolean writable) {
            this.writable = writable;
            return this;
        }

        /**
         * The router.
         *
         * @throws UncheckedIOException when the root does not exist or is not a directory
         */
        public RouterFunction<ServerResponse> build() {
            RootedPaths paths;
            try {
                paths = new RootedPaths(root);
            } catch (IOException e) {
                throw new UncheckedIOException("aio file router root: " + e.getMessage(), e);
            }
            FileHandlers h = new FileHandlers(paths, filesPath, maxUploadSize, bufferSize);
            String pattern = filesPath + "/**";
            RouterFunctions.Builder b = RouterFunctions.route()
                    .route(RequestPredicates.method(HttpMethod.GET).and(RequestPredicates.path(pattern)), h::get)
                    .route(RequestPredicates.method(HttpMethod.HEAD).and(RequestPredicates.path(pattern)), h::get);
            if (writable) {
                b.route(RequestPredicates.method(HttpMethod.PUT).and(RequestPredicates.path(pattern)), h::put);
                if (copyPath != null) {
                    b.route(RequestPredicates.method(HttpMethod.POST).and(RequestPredicates.path(copyPath)), h::copy);
                }
            }
            return b.build();
        }

        private static String normalisePrefix(String p) {
            Objects.requireNonNull(p, "path");
            if (!p.startsWith("/")) p = "/" + p;
            while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
            if (p.equals("/")) throw new IllegalArgumentException("the prefix must not be '/'");
            return p;
        }
    }
}

package org.aio4j.webflux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Objects;
import org.aio4j.engine.AioEngine;
import org.aio4j.reactor.ReadOptions;
import org.aio4j.reactor.WriteOptions;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * A WebFlux functional router that serves a directory through aio4j: any WebFlux application can mount it.
 *
 * <ul>
 *   <li>{@code GET|HEAD {filesPath}/{path}}: the file, streamed through {@code AioDataBufferUtils}, with
 *       {@code Content-Length}, {@code Last-Modified}, a strong {@code ETag}, conditional requests (304/412),
 *       {@code Accept-Ranges: bytes} and HTTP ranges as RFC 9110 14 describes them: one range gives 206 with
 *       {@code Content-Range}, several give {@code multipart/byteranges}; unsatisfiable ranges of a set are left out,
 *       overlapping or adjacent ones coalesced, more than 100 ranges ignored (200); a malformed Range or one with no
 *       satisfiable range gives 416 with {@code Content-Range: bytes *}{@code /length}. {@code If-Range} is honoured.
 *   <li>Zero-copy where the data is in memory ({@link Builder#zeroCopy(boolean)}, on by default): a GET of a whole
 *       file or of one range whose pages are all in the page cache (one {@code cachestat(2)} call, Linux 6.5+) is sent
 *       by Reactor Netty's {@code sendfile} ({@code ZeroCopyHttpOutputMessage}); other regions, multipart ranges and
 *       platforms without {@code cachestat} are read through AIO, so the event loop never waits for the disk.
 *   <li>The file's metadata is read on the event loop only when the kernel answers from its caches without waiting
 *       ({@code openat2} with {@code RESOLVE_CACHED | RESOLVE_NO_SYMLINKS}, then {@code statx} and {@code cachestat} on
 *       that descriptor; Linux 6.5+): the common cached GET costs no thread hop. A path not in the lookup cache, one
 *       with a symbolic link, and every other platform take a blocking thread ({@code boundedElastic}), with the same
 *       answer.
 *   <li>{@code PUT {filesPath}/{path}}: the request body is written through {@code AioDataBufferUtils.write} to a
 *       temporary file in the target's directory, fsynced, then renamed atomically over the target; 201 with a JSON
 *       body; 413 beyond {@link Builder#maxUploadSize(long)} (no partial file is left behind).
 *   <li>{@code POST {copyPath}?from=a/b&to=c/d}: a server-side {@code AioFiles.copy} (to a temporary file, fsync,
 *       atomic rename); 201 with the byte count; 413 when the source is larger than the maximum upload size.
 *   <li>Read-only by default ({@link Builder#writable(boolean)}): PUT then answers 405 with {@code Allow: GET, HEAD},
 *       and the copy route 405 with an empty {@code Allow}; any other method gets 405 with the route's methods in
 *       {@code Allow}. With a
 *       {@link Builder#token(String) token}, PUT and POST without {@code Authorization: Bearer <token>} get 401.
 * </ul>
 *
 * <p>Security: request paths are decoded segment by segment and refused (400) when they contain {@code .}/{@code ..}
 * (also percent-encoded), empty segments (absolute paths), encoded separators, NUL or other control characters, or raw
 * non-ASCII characters; a path whose real path (symbolic links resolved) lies outside the root, a link loop or a name
 * too long for the file system is answered 404, as is any name of a temporary upload file
 * ({@code .<name>.<uuid>.part}). Refusals are logged at DEBUG, and summed up at WARN at most once per 10 s. Nothing
 * outside the root is read or written.
 *
 * <pre>{@code
 * @Bean
 * RouterFunction<ServerResponse> files(AioEngine engine) {
 *     return AioFileRouter.builder(Path.of("/srv/files")).engine(engine).maxUploadSize(512L << 20).build();
 * }
 * }</pre>
 */
public final class AioFileRouter {
    private AioFileRouter() {}

    /**
     * A builder for a router serving {@code root}.
     *
     * @param root an existing directory; it is resolved to its real path when the router is built
     * @return a builder with the defaults
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
        private boolean writable = false;
        private String token;
        private Duration uploadIdleTimeout = Duration.ofSeconds(30);
        private Duration uploadTimeout = Duration.ofHours(1);
        private AioEngine engine;
        private int maxInFlight = ReadOptions.DEFAULT_MAX_IN_FLIGHT;
        private boolean zeroCopy = true;

        private Builder(Path root) {
            this.root = Objects.requireNonNull(root, "root");
        }

        /**
         * URL prefix of the file routes, {@code /files} by default.
         *
         * @param prefix the prefix, such as {@code /files}
         * @return this builder
         */
        public Builder filesPath(String prefix) {
            this.filesPath = normalisePrefix(prefix);
            return this;
        }

        /**
         * URL of the server-side copy route, {@code /copy} by default; {@code null} leaves the route out.
         *
         * @param path the route's URL, or {@code null}
         * @return this builder
         */
        public Builder copyPath(String path) {
            this.copyPath = path == null ? null : normalisePrefix(path);
            return this;
        }

        /**
         * Largest accepted upload in bytes (1 GiB by default); larger uploads are answered 413.
         *
         * @param bytes the limit in bytes
         * @return this builder
         */
        public Builder maxUploadSize(long bytes) {
            if (bytes < 0) throw new IllegalArgumentException("maxUploadSize < 0: " + bytes);
            this.maxUploadSize = bytes;
            return this;
        }

        /**
         * Size of the buffers files are read into (128 KiB by default).
         *
         * @param bytes the buffer size in bytes
         * @return this builder
         */
        public Builder bufferSize(int bytes) {
            if (bytes <= 0) throw new IllegalArgumentException("bufferSize <= 0: " + bytes);
            this.bufferSize = bytes;
            return this;
        }

        /**
         * The engine every read and write of this router is submitted to (for example the {@code AioEngine} bean of
         * a Spring context); {@code null}, the default, means {@link AioEngine#shared()}. The router does not close
         * it.
         *
         * @param engine the engine, or {@code null} for the shared one
         * @return this builder
         */
        public Builder engine(AioEngine engine) {
            this.engine = engine;
            return this;
        }

        /**
         * Read-ahead of a download and writes in flight of an upload or copy: buffers read but not yet sent plus
         * reads in flight never exceed it, per response (default {@value ReadOptions#DEFAULT_MAX_IN_FLIGHT}). More
         * keeps a slow disk busier; each buffer is {@link #bufferSize(int)} bytes.
         *
         * @param maxInFlight buffers per response
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxInFlight(int maxInFlight) {
            if (maxInFlight <= 0) throw new IllegalArgumentException("maxInFlight <= 0: " + maxInFlight);
            this.maxInFlight = maxInFlight;
            return this;
        }

        /**
         * {@code true} (the default) sends page-cached regions by zero-copy ({@code sendfile} through Spring's {@code
         * ZeroCopyHttpOutputMessage}) and the rest through AIO; {@code false} reads every GET through AIO.
         *
         * @param zeroCopy whether page-cached regions go out by zero-copy
         * @return this builder
         */
        public Builder zeroCopy(boolean zeroCopy) {
            this.zeroCopy = zeroCopy;
            return this;
        }

        /**
         * {@code true} serves PUT and the copy route; {@code false} (the default) makes a read-only server, where PUT
         * answers 405 with {@code Allow: GET, HEAD} and the copy route 405 with an empty {@code Allow}.
         *
         * @param writable whether uploads and copies are served
         * @return this builder
         */
        public Builder writable(boolean writable) {
            this.writable = writable;
            return this;
        }

        /**
         * How long an upload (PUT) may receive no bytes, 30 s by default: then it is cut with 408 and its temporary
         * file removed.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder uploadIdleTimeout(Duration timeout) {
            this.uploadIdleTimeout = positive(timeout, "uploadIdleTimeout");
            return this;
        }

        /**
         * How long a whole upload (PUT) may take, 1 h by default: then it is cut with 408 and its temporary file
         * removed.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder uploadTimeout(Duration timeout) {
            this.uploadTimeout = positive(timeout, "uploadTimeout");
            return this;
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive: " + d);
            return d;
        }

        /**
         * A bearer token that PUT and POST must carry ({@code Authorization: Bearer <token>}), or 401; {@code null}
         * (the default) asks for none.
         *
         * @param token the token, or {@code null}
         * @return this builder
         */
        public Builder token(String token) {
            if (token != null && (token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
                throw new IllegalArgumentException("the token must be non-empty printable ASCII without spaces");
            }
            this.token = token;
            return this;
        }

        /**
         * The router.
         *
         * @return the routes, to mount as a bean or with {@code RouterFunctions.route().add(...)}
         * @throws UncheckedIOException when the root does not exist or is not a directory
         */
        public RouterFunction<ServerResponse> build() {
            RootedPaths paths;
            try {
                paths = new RootedPaths(root);
            } catch (IOException e) {
                throw new UncheckedIOException("aio file router root: " + e.getMessage(), e);
            }
            ReadOptions reads =
                    ReadOptions.defaults().engine(engine).chunkSize(bufferSize).maxInFlight(maxInFlight);
            WriteOptions writes = WriteOptions.defaults().engine(engine).maxInFlight(maxInFlight);
            FileHandlers h = new FileHandlers(
                    paths, filesPath, maxUploadSize, reads, writes, uploadIdleTimeout, uploadTimeout, zeroCopy);
            String pattern = filesPath + "/**";
            String filesAllow = writable ? "GET, HEAD, PUT" : "GET, HEAD";
            RouterFunctions.Builder b = RouterFunctions.route()
                    .route(RequestPredicates.method(HttpMethod.GET).and(RequestPredicates.path(pattern)), h::get)
                    .route(RequestPredicates.method(HttpMethod.HEAD).and(RequestPredicates.path(pattern)), h::get);
            if (writable) {
                HandlerFilterFunction<ServerResponse, ServerResponse> auth = bearer(h, token);
                b.route(
                        RequestPredicates.method(HttpMethod.PUT).and(RequestPredicates.path(pattern)),
                        auth.apply(h::put));
                if (copyPath != null) {
                    b.route(
                            RequestPredicates.method(HttpMethod.POST).and(RequestPredicates.path(copyPath)),
                            auth.apply(h::copy));
                }
            }
            b.route(RequestPredicates.path(pattern), request -> notAllowed(h, request, filesAllow));
            if (copyPath != null) {
                // read-only: the copy route allows no method at all, an empty Allow (RFC 9110 10.2.1: "temporarily
                // disabled by configuration"); "GET, HEAD" would invite a GET that gets 405 again
                String copyAllow = writable ? "POST" : "";
                b.route(RequestPredicates.path(copyPath), request -> notAllowed(h, request, copyAllow));
            }
            return b.filter(ReadRearm.filter()).build();
        }

        private static Mono<ServerResponse> notAllowed(FileHandlers h, ServerRequest request, String allow) {
            h.refused(request, HttpStatus.METHOD_NOT_ALLOWED, "method not allowed (Allow: " + allow + ")");
            return ServerResponse.status(HttpStatus.METHOD_NOT_ALLOWED)
                    .header(HttpHeaders.ALLOW, allow)
                    .build();
        }

        /** Lets a request through when no token is set or it carries {@code Authorization: Bearer <token>}. */
        private static HandlerFilterFunction<ServerResponse, ServerResponse> bearer(FileHandlers h, String token) {
            if (token == null) return (request, next) -> next.handle(request);
            byte[] expected = token.getBytes(StandardCharsets.US_ASCII);
            return (request, next) -> {
                String given = request.headers().firstHeader(HttpHeaders.AUTHORIZATION);
                String credentials = given == null ? "" : given.strip();
                // the scheme is case-insensitive (RFC 9110 11.1); the token is compared in constant time
                if (credentials.regionMatches(true, 0, "Bearer ", 0, 7)
                        && MessageDigest.isEqual(
                                expected, credentials.substring(7).strip().getBytes(StandardCharsets.ISO_8859_1))) {
                    return next.handle(request);
                }
                h.refused(
                        request,
                        HttpStatus.UNAUTHORIZED,
                        given == null ? "no Authorization header" : "wrong bearer token");
                return ServerResponse.status(HttpStatus.UNAUTHORIZED)
                        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                        .build();
            };
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

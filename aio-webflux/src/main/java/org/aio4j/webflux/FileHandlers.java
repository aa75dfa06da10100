package org.aio4j.webflux;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.internal.HotStat;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.CopyOptions;
import org.aio4j.reactor.ReadOptions;
import org.aio4j.reactor.WriteOptions;
import org.aio4j.reactor.internal.AtomicTarget;
import org.aio4j.reactor.spring.AioDataBufferUtils;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.ETag;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpRange;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.MediaTypeFactory;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.util.MimeTypeUtils;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** The handler functions behind {@link AioFileRouter}. All file-system calls run on {@code boundedElastic}. */
final class FileHandlers {
    private static final Log log = LogFactory.getLog(AioFileRouter.class);

    private final RootedPaths paths;
    private final String filesPath;
    private final long maxUploadSize;
    /** The engine, buffer size and read-ahead of every file read (downloads and the copy's source). */
    private final ReadOptions reads;
    /** The engine and writes in flight of every file write (uploads and the copy's target). */
    private final WriteOptions writes;

    private final boolean zeroCopy;

    /**
     * Whether GET/HEAD first try {@link #hotStat} on the event loop. On, unless the system property {@code
     * aio4j.router.hotStat} is {@code false} (for measurements; tests switch it per instance).
     */
    boolean hotStat = !"false".equals(System.getProperty("aio4j.router.hotStat"));

    /** GET/HEAD requests whose metadata {@link #hotStat} read on the event loop, in this JVM (tests, diagnostics). */
    static final java.util.concurrent.atomic.LongAdder HOT_STATS = new java.util.concurrent.atomic.LongAdder();

    private final RefusalLog refusals =
            new RefusalLog(RefusalLog.DEFAULT_INTERVAL_NANOS, System::nanoTime, log::warn, m -> {
                if (log.isDebugEnabled()) log.debug(m);
            });

    private final Duration uploadIdleTimeout;
    private final Duration uploadTimeout;

    FileHandlers(
            RootedPaths paths,
            String filesPath,
            long maxUploadSize,
            ReadOptions reads,
            WriteOptions writes,
            Duration uploadIdleTimeout,
            Duration uploadTimeout,
            boolean zeroCopy) {
        this.paths = paths;
        this.zeroCopy = zeroCopy;
        this.filesPath = filesPath;
        this.maxUploadSize = maxUploadSize;
        this.reads = reads;
        this.writes = writes;
        this.uploadIdleTimeout = uploadIdleTimeout;
        this.uploadTimeout = uploadTimeout;
    }

    /** An upload stalled longer than the idle timeout, or lasted longer than the total one. */
    private static final class UploadTimeoutException extends RuntimeException {
        UploadTimeoutException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The upload body, cut with an {@link UploadTimeoutException} when no bytes come for the idle timeout or the
     * whole body takes longer than the total timeout; buffers that come after it ended are released
     * ({@link TimedBody}).
     */
    private Flux<DataBuffer> timed(Flux<DataBuffer> body) {
        return new TimedBody(
                body,
                uploadIdleTimeout,
                uploadTimeout,
                Schedulers.parallel(),
                System::nanoTime,
                total -> new UploadTimeoutException(
                        total
                                ? "upload took longer than " + uploadTimeout
                                : "no upload bytes for " + uploadIdleTimeout));
    }

    /**
     * What a GET needs to know about the file, read once. {@code inode} identifies the file for the growth check;
     * {@code wholeFileCached} is true, false, or null (not asked) for "every page of the file is in the page cache".
     */
    record FileInfo(Path path, long size, Instant lastModified, String etag, long inode, Boolean wholeFileCached) {}

    /** An upload went past the configured maximum. */
    private static final class TooLargeException extends RuntimeException {
        TooLargeException() {
            super("upload larger than the maximum", null, false, false);
        }
    }

    private String rawRelative(ServerRequest request) {
        String path = request.requestPath().pathWithinApplication().value();
        if (path.length() <= filesPath.length() + 1) return "";
        return path.substring(filesPath.length() + 1);
    }

    // ---------------------------------------------------------------- GET / HEAD

    Mono<ServerResponse> get(ServerRequest request) {
        String raw = rawRelative(request);
        FileInfo hot = hotStat(request, raw);
        if (hot != null) return respond(request, hot).onErrorResume(e -> refusal(request, raw, e));
        return Mono.fromCallable(() -> stat(raw))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(info -> respond(request, info))
                .onErrorResume(e -> refusal(request, raw, e));
    }

    private FileInfo stat(String raw) throws Exception {
        Path file = paths.existing(raw, true);
        Map<String, Object> attrs = Files.readAttributes(file, "unix:isRegularFile,size,lastModifiedTime,ino");
        if (!Boolean.TRUE.equals(attrs.get("isRegularFile"))) {
            throw new NoSuchFileException(raw, null, "not a regular file");
        }
        Instant modified = ((FileTime) attrs.get("lastModifiedTime")).toInstant();
        return info(file, (Long) attrs.get("size"), modified, (Long) attrs.get("ino"), null);
    }

    private static FileInfo info(Path file, long size, Instant modified, long inode, Boolean wholeFileCached) {
        String etag = "\"" + Long.toHexString(size) + "-" + Long.toHexString(modified.getEpochSecond()) + "."
                + Integer.toHexString(modified.getNano()) + "\"";
        return new FileInfo(file, size, modified, etag, inode, wholeFileCached);
    }

    /**
     * The file's metadata read on the calling thread (an event loop) when that cannot block: the path is checked
     * lexically (as {@link RootedPaths#existing} does first), then {@link HotStat} opens it only if every component
     * is in the kernel's lookup cache and none is a symbolic link (so the lexical path is the real path, inside the
     * root), reads its attributes and asks whether the whole file is in the page cache. Null (the request takes the
     * blocking path on {@code boundedElastic}) for anything else: a cold path, a link, not a regular file, an error,
     * a request with a body, no support here. Saves the hop to a blocking thread and back, the main cost of a small
     * cached GET (docs/benchmarks.md, "HTTP file serving").
     */
    private FileInfo hotStat(ServerRequest request, String raw) {
        if (!hotStat || !HotStat.isSupported()) return null;
        Path file;
        try {
            file = paths.readableLexical(raw);
        } catch (Exception e) {
            return null; // refused or malformed: the blocking path says why, with the same answer as before
        }
        HotStat.Attributes a = HotStat.stat(file, request.method() == HttpMethod.GET);
        if (a == null) return null;
        HOT_STATS.increment();
        Instant modified = Instant.ofEpochSecond(a.modifiedSeconds(), a.modifiedNanos());
        return info(
                file, a.size(), modified, a.inode(), request.method() == HttpMethod.GET ? a.wholeFileCached() : null);
    }

    private Mono<ServerResponse> respond(ServerRequest request, FileInfo info) {
        Instant lastModified = info.lastModified().truncatedTo(ChronoUnit.SECONDS);
        HttpStatus precondition = preconditions(request.headers().asHttpHeaders(), info.etag(), lastModified);
        if (precondition == HttpStatus.NOT_MODIFIED) {
            // Reactor Netty opens every response with Transfer-Encoding: chunked and removes it on a 304 to a GET,
            // but not to a HEAD: a 304 has no body, so it goes out without any body framing header (RFC 9110 15.4.5)
            return ServerResponse.status(HttpStatus.NOT_MODIFIED)
                    .eTag(info.etag())
                    .lastModified(lastModified)
                    .build((exchange, context) -> {
                        ServerHttpResponse response = exchange.getResponse();
                        response.getHeaders().remove(HttpHeaders.TRANSFER_ENCODING);
                        response.getHeaders().remove(HttpHeaders.CONTENT_LENGTH);
                        return response.setComplete();
                    });
        }
        if (precondition != null) return ServerResponse.status(precondition).build();
        return content(request, info, lastModified);
    }

    /**
     * The preconditions of a GET or HEAD in the order of RFC 9110 13.2.2: {@code If-Match} (strong comparison,
     * {@code *} matches) or, without it, {@code If-Unmodified-Since} give 412; then {@code If-None-Match} (weak
     * comparison, {@code *} matches) or, without it, {@code If-Modified-Since} give 304. Invalid dates are ignored.
     * Null when the request goes on. ({@code ServerRequest.checkNotModified} skips {@code If-Match} and
     * {@code If-None-Match: *} on safe methods and evaluates {@code If-Unmodified-Since} even after a matching
     * {@code If-Match}.)
     */
    static HttpStatus preconditions(HttpHeaders headers, String etag, Instant lastModified) {
        ETag current = ETag.create(etag);
        List<String> ifMatch = headers.get(HttpHeaders.IF_MATCH);
        if (ifMatch != null) {
            if (!anyMatches(ifMatch, current, true)) return HttpStatus.PRECONDITION_FAILED;
        } else {
            long since = headers.getIfUnmodifiedSince(); // -1: absent or not a date
            if (since != -1 && lastModified.isAfter(Instant.ofEpochMilli(since))) return HttpStatus.PRECONDITION_FAILED;
        }
        List<String> ifNoneMatch = headers.get(HttpHeaders.IF_NONE_MATCH);
        if (ifNoneMatch != null) {
            if (anyMatches(ifNoneMatch, current, false)) return HttpStatus.NOT_MODIFIED;
        } else {
            long since = headers.getIfModifiedSince();
            if (since != -1 && !lastModified.isAfter(Instant.ofEpochMilli(since))) return HttpStatus.NOT_MODIFIED;
        }
        return null;
    }

    private static boolean anyMatches(List<String> values, ETag current, boolean strong) {
        for (String value : values) {
            for (ETag tag : ETag.parse(value)) {
                if (tag.isWildcard() || tag.compare(current, strong)) return true;
            }
        }
        return false;
    }

    private Mono<ServerResponse> content(ServerRequest request, FileInfo info, Instant lastModified) {
        boolean head = request.method() == HttpMethod.HEAD;
        MediaType type = MediaTypeFactory.getMediaType(info.path().getFileName().toString())
                .orElse(MediaType.APPLICATION_OCTET_STREAM);
        long length = info.size();

        List<HttpRange> ranges = List.of();
        String rangeHeader = request.headers().firstHeader(HttpHeaders.RANGE);
        if (rangeHeader != null && ifRangeMatches(request, info, lastModified)) {
            try {
                ranges = byteRanges(rangeHeader);
            } catch (IllegalArgumentException e) {
                return unsatisfiable(length);
            }
        }
        if (ranges.isEmpty()) {
            // ETag and Last-Modified are added only when the 200 is written: ServerResponse.writeTo runs
            // checkNotModified again on a 200 carrying them, whose order differs from preconditions() (it evaluates
            // If-Unmodified-Since even after a matching If-Match) and whose late 412 left a 200 head without body.
            BodyInserter<Flux<DataBuffer>, ServerHttpResponse> fileBody =
                    body(factory -> read(info.path(), 0, length, factory), length, info);
            // decided here, on the thread that stat'ed the file (bounded elastic), never on the event loop
            boolean cached = zeroCopy
                    && !head
                    && length > 0
                    && (info.wholeFileCached() != null
                            ? info.wholeFileCached()
                            : ZeroCopyBody.cached(info.path(), 0, length));
            return ServerResponse.ok()
                    .header(HttpHeaders.ACCEPT_RANGES, "bytes")
                    .contentType(type)
                    .contentLength(length)
                    .build((exchange, context) -> {
                        ServerHttpResponse response = exchange.getResponse();
                        response.getHeaders().setETag(info.etag());
                        response.getHeaders().setLastModified(lastModified);
                        if (head || length == 0) return response.setComplete();
                        if (cached && ZeroCopyBody.supported(response)) {
                            return ZeroCopyBody.send(response, info.path(), 0, length, length, () -> checkGrowth(info));
                        }
                        return fileBody.insert(response, null);
                    });
        }

        List<long[]> regions = regions(ranges, length);
        if (regions.isEmpty()) return unsatisfiable(length);

        ServerResponse.BodyBuilder ok = base(HttpStatus.PARTIAL_CONTENT, info, lastModified);
        if (regions.size() == 1) {
            long start = regions.get(0)[0];
            long count = regions.get(0)[1];
            long end = Math.min(start + count - 1, length - 1);
            ok.contentType(type)
                    .header(HttpHeaders.CONTENT_RANGE, "bytes " + start + '-' + end + '/' + length)
                    .contentLength(end - start + 1);
            if (head) return ok.build();
            long n = end - start + 1;
            BodyInserter<Flux<DataBuffer>, ServerHttpResponse> aio =
                    body(factory -> read(info.path(), start, count, factory), n, info);
            boolean regionCached = Boolean.TRUE.equals(info.wholeFileCached())
                    || ZeroCopyBody.cached(info.path(), start, n); // false on an event loop: AIO then
            if (!zeroCopy || !regionCached) return ok.body(aio);
            BodyInserter<Flux<DataBuffer>, ServerHttpResponse> zeroCopied =
                    (response, context) -> ZeroCopyBody.supported(response)
                            ? ZeroCopyBody.send(response, info.path(), start, n, n, () -> checkGrowth(info))
                            : aio.insert(response, context);
            return ok.body(zeroCopied);
        }

        String boundary = MimeTypeUtils.generateMultipartBoundaryString();
        ok.contentType(MediaType.parseMediaType("multipart/byteranges;boundary=" + boundary));
        byte[] startBoundary = ascii("\r\n--" + boundary + "\r\n");
        byte[] contentType = ascii("Content-Type: " + type + "\r\n");
        byte[] endBoundary = ascii("\r\n--" + boundary + "--");
        long contentLength = endBoundary.length;
        for (long[] region : regions) {
            contentLength +=
                    startBoundary.length + contentType.length + contentRange(region, length).length + region[1];
        }
        ok.contentLength(contentLength);
        if (head) return ok.build();
        return ok.body(body(
                factory -> Flux.fromIterable(regions)
                        .concatMap(region -> Flux.just(
                                        factory.wrap(startBoundary),
                                        factory.wrap(contentType),
                                        factory.wrap(contentRange(region, length)))
                                .concatWith(read(info.path(), region[0], region[1], factory)))
                        .concatWithValues(factory.wrap(endBoundary)),
                contentLength,
                info));
    }

    /** {@code count} bytes of {@code path} from {@code position}, with the router's engine and read options. */
    private Flux<DataBuffer> read(Path path, long position, long count, DataBufferFactory factory) {
        return AioDataBufferUtils.read(path, factory, reads.position(position).length(count));
    }

    /** More ranges than this in one {@code Range} make the server ignore it (RFC 9110 14.2 allows it). */
    static final int MAX_RANGES = 100;

    /**
     * The regions ({start, count}) to send for {@code ranges} of a file of {@code length} bytes (RFC 9110 14.1.2,
     * 14.3): unsatisfiable ranges (a start at or past the end, a suffix of 0, any range of an empty file) are left
     * out, and ranges that overlap or touch are coalesced into one, in the place of the first of them; the others
     * keep the order of the request. Empty when no range is satisfiable (416).
     */
    static List<long[]> regions(List<HttpRange> ranges, long length) {
        List<long[]> regions = new ArrayList<>(ranges.size()); // {start, endInclusive} while merging
        for (HttpRange r : ranges) {
            if (length <= 0) break;
            long start = r.getRangeStart(length);
            long end = r.getRangeEnd(length);
            if (start >= length || end < start) continue;
            int first = -1;
            for (int i = 0; i < regions.size(); ) {
                long[] o = regions.get(i);
                if (touch(o[0], o[1], start, end)) {
                    start = Math.min(start, o[0]);
                    end = Math.max(end, o[1]);
                    if (first < 0) {
                        first = i;
                        i++;
                    } else {
                        regions.remove(i);
                    }
                } else {
                    i++;
                }
            }
            if (first < 0) {
                regions.add(new long[] {start, end});
            } else {
                regions.set(first, new long[] {start, end});
            }
        }
        // the union of touching intervals touches another one only if one of them did: one pass is enough
        List<long[]> out = new ArrayList<>(regions.size());
        for (long[] r : regions) out.add(new long[] {r[0], r[1] - r[0] + 1});
        return out;
    }

    /** Whether the inclusive intervals [a0, a1] and [b0, b1] overlap or are adjacent; without overflow. */
    private static boolean touch(long a0, long a1, long b0, long b1) {
        return (a0 <= b1 && b0 <= a1) || (a1 < b0 && b0 - a1 == 1) || (b1 < a0 && a0 - b1 == 1);
    }

    /**
     * The ranges of a {@code Range} value, parsed by Spring's {@link HttpRange}, except that the range unit is
     * case-insensitive and a unit other than {@code bytes}, or more than {@link #MAX_RANGES} ranges, give no ranges:
     * RFC 9110 14.1 and 14.2 (a server must ignore a Range with a unit it does not understand, and may ignore one
     * with many ranges).
     *
     * @throws IllegalArgumentException when the value is malformed
     */
    static List<HttpRange> byteRanges(String value) {
        value = value.strip();
        int eq = value.indexOf('=');
        if (eq <= 0) throw new IllegalArgumentException("no range unit: " + value);
        String unit = value.substring(0, eq);
        for (int i = 0; i < unit.length(); i++) {
            char c = unit.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) throw new IllegalArgumentException("malformed range unit: " + value);
        }
        if (!unit.equalsIgnoreCase("bytes")) return List.of();
        // HttpRange.parseRanges refuses more than 100 ranges (416); they are ignored instead
        if (org.springframework.util.StringUtils.tokenizeToStringArray(value.substring(eq + 1), ",").length
                > MAX_RANGES) {
            return List.of();
        }
        return HttpRange.parseRanges("bytes" + value.substring(eq));
    }

    private static ServerResponse.BodyBuilder base(HttpStatus status, FileInfo info, Instant lastModified) {
        return ServerResponse.status(status)
                .header(HttpHeaders.ACCEPT_RANGES, "bytes")
                .eTag(info.etag())
                .lastModified(lastModified);
    }

    /**
     * {@code If-Range}: a strong ETag equal to ours, or an HTTP date equal to our Last-Modified; else ignore Range.
     * The date may come in any of the three HTTP-date formats (RFC 9110 5.6.7), parsed by {@link HttpHeaders}.
     */
    private static boolean ifRangeMatches(ServerRequest request, FileInfo info, Instant lastModified) {
        String ifRange = request.headers().firstHeader(HttpHeaders.IF_RANGE);
        if (ifRange == null) return true;
        ifRange = ifRange.trim();
        if (ifRange.startsWith("\"")) return ifRange.equals(info.etag());
        if (ifRange.startsWith("W/")) return false;
        try {
            ZonedDateTime date = request.headers().asHttpHeaders().getFirstZonedDateTime(HttpHeaders.IF_RANGE);
            return date != null && date.toInstant().equals(lastModified);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] contentRange(long[] region, long length) {
        long start = region[0];
        long end = start + region[1] - 1;
        return ascii("Content-Range: bytes " + start + '-' + end + '/' + length + "\r\n\r\n");
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static Mono<ServerResponse> unsatisfiable(long length) {
        return ServerResponse.status(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                .header(HttpHeaders.ACCEPT_RANGES, "bytes")
                .header(HttpHeaders.CONTENT_RANGE, "bytes */" + length)
                .build();
    }

    /** Buffers read ahead of the connection at most, per response (see {@link #body}). */
    static final int READ_AHEAD = 8;

    /**
     * The body, checked against the Content-Length already promised: a file that shrank while it was sent (truncated
     * by another process) ends the body short, and a response that simply completed would leave the client waiting
     * for bytes that never come on a kept-alive connection. The body then fails instead, which makes the server
     * abort the connection: the client sees a premature end, at once. (The reads are bounded by the length taken
     * when the headers were made, so a file that grew sends the promised bytes only.)
     *
     * <p>The demand passed up to the file is at most {@link #READ_AHEAD} buffers: Reactor Netty asks a body for 128
     * buffers at once (MonoSendMany) and keeps what it cannot write yet, so a slow client had up to 128 read-ahead
     * buffers (16 MiB at 128 KiB) waiting for it; with 200 such downloads the server held gigabytes
     * (docs/benchmarks.md, "Memory").
     */
    static BodyInserter<Flux<DataBuffer>, ServerHttpResponse> body(
            java.util.function.Function<DataBufferFactory, Flux<DataBuffer>> source,
            long contentLength,
            FileInfo info) {
        // FencedBody outermost: WebFlux keeps the body's first buffer, and one still on its way when the client went
        // away would be kept after WebFlux released what it kept (leaked); the fence makes that cancel wait for it
        return (response, context) -> response.writeWith(new FencedBody(Flux.defer(() -> {
            long[] sent = {0};
            return source.apply(response.bufferFactory())
                    // limitRate queues what it received: buffers still queued when the response is cancelled
                    // (a client gone) are released through the discard hook, which applies to the operators above it
                    .limitRate(READ_AHEAD)
                    .doOnDiscard(DataBuffer.class, DataBufferUtils::release)
                    .doOnNext(b -> sent[0] += b.readableByteCount())
                    .concatWith(Mono.defer(() -> {
                        if (sent[0] == contentLength) {
                            AfterSendChecks.SHARED.later(() -> checkGrowth(info));
                            return Mono.empty();
                        }
                        log.warn("aio file router: " + info.path() + " shrank while it was sent: " + sent[0] + " of "
                                + contentLength + " promised bytes; the connection is aborted");
                        // Close the connection first, then fail with an AbortedException: WebFlux takes that for a
                        // lost client (DEBUG), and Reactor Netty does not log an error for a closed channel, so the
                        // WARN above is the only log line (otherwise both logged it at ERROR, with stack traces).
                        String message =
                                "the file changed while it was sent: " + sent[0] + " of " + contentLength + " bytes";
                        return Mono.error(NettyAbort.abortOrIo(response, message));
                    }));
        })));
    }

    /**
     * After a complete response, a WARN if the file (the same one: same file key) is now larger than when the response
     * began: the client got the bytes it was promised, the ones appended since were not sent. A file replaced by
     * another (an upload's atomic rename) is no change of the file that was sent.
     */
    private static void checkGrowth(FileInfo info) {
        try {
            Map<String, Object> now = Files.readAttributes(info.path(), "unix:size,ino");
            long size = (Long) now.get("size");
            if (size > info.size() && (Long) now.get("ino") == info.inode()) {
                log.warn("aio file router: " + info.path() + " grew while it was sent: " + info.size()
                        + " bytes sent as promised, it now has " + size);
            }
        } catch (IOException | RuntimeException e) {
            // gone or unreadable meanwhile: nothing to report about the response that was sent
        }
    }

    // ---------------------------------------------------------------- PUT

    Mono<ServerResponse> put(ServerRequest request) {
        String raw = rawRelative(request);
        long declared = request.headers().contentLength().orElse(-1);
        if (declared > maxUploadSize) {
            refused(
                    request,
                    HttpStatus.CONTENT_TOO_LARGE,
                    "upload of " + declared + " bytes to '" + raw + "' (maximum " + maxUploadSize + ")");
            return tooLarge();
        }
        return Mono.fromCallable(() -> paths.writable(raw, true))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(target -> {
                    AtomicLong received = new AtomicLong();
                    Flux<DataBuffer> body = timed(request.bodyToFlux(DataBuffer.class))
                            .handle((buffer, sink) -> {
                                if (received.addAndGet(buffer.readableByteCount()) > maxUploadSize) {
                                    DataBufferUtils.release(buffer);
                                    sink.error(new TooLargeException());
                                } else {
                                    sink.next(buffer);
                                }
                            });
                    return atomically(
                                    target,
                                    tmp -> AioDataBufferUtils.write(
                                                    body, tmp, writes.openOptions(StandardOpenOption.WRITE))
                                            .then(Mono.fromCallable(received::get)))
                            .flatMap(size -> created(Map.of("path", relative(target), "size", size), target));
                })
                .onErrorResume(TooLargeException.class, e -> {
                    refused(
                            request,
                            HttpStatus.CONTENT_TOO_LARGE,
                            "upload to '" + raw + "' passed the maximum of " + maxUploadSize + " bytes");
                    return tooLarge();
                })
                .onErrorResume(UploadTimeoutException.class, e -> {
                    refused(request, HttpStatus.REQUEST_TIMEOUT, "'" + raw + "': " + e.getMessage());
                    // the rest of the body may still come: the connection cannot be reused
                    return ServerResponse.status(HttpStatus.REQUEST_TIMEOUT)
                            .header(HttpHeaders.CONNECTION, "close")
                            .build();
                })
                .onErrorResume(e -> refusal(request, raw, e))
                .doOnCancel(() -> cancelled(request, raw));
    }

    private static Mono<ServerResponse> tooLarge() {
        return ServerResponse.status(HttpStatus.CONTENT_TOO_LARGE).build();
    }

    /**
     * Runs {@code writer} against a fresh temporary file next to {@code target}, then fsyncs it, renames it over the
     * target atomically and fsyncs the directory. The temporary file is removed on error and on cancel.
     *
     * <p>The temporary file is created here, before the writer starts, and the writer must open it without {@code
     * CREATE} (plain {@code WRITE}): a cancel can come at any moment, also while the writer's own open is under way on
     * another thread, and a removal that ran before such an open created the file would leave an empty {@code .part}
     * behind for good (the soak found 62 in 11,070 aborted uploads, see docs/reliability.md). {@link AtomicTarget} removes
     * the file exactly once and never before it exists; an open after the removal fails (ENOENT) instead of creating
     * it again.
     */
    private static <T> Mono<T> atomically(Path target, java.util.function.Function<Path, Mono<T>> writer) {
        return Mono.defer(() -> {
            AtomicTarget tmp = tempFor(target);
            return Mono.fromCallable(tmp::createTemp)
                    .subscribeOn(Schedulers.boundedElastic())
                    .flatMap(writer)
                    .flatMap(result -> Mono.fromCallable(() -> {
                                try (FileChannel ch = FileChannel.open(tmp.temp(), StandardOpenOption.WRITE)) {
                                    ch.force(true);
                                }
                                tmp.commit(); // rename over the target, then fsync the folder
                                return result;
                            })
                            .subscribeOn(Schedulers.boundedElastic()))
                    .doOnError(e -> discard(tmp))
                    .doOnCancel(() -> discard(tmp));
        });
    }

    /**
     * The temporary file {@code .NAME.UUID.part} of one {@link #atomically} run, replacing {@code target} with fsyncs.
     * A UUID in the name: {@link RootedPaths#isTemporaryName} hides exactly these names from listings and requests.
     */
    static AtomicTarget tempFor(Path target) {
        return new AtomicTarget(
                target, AtomicTarget.tempPath(target, UUID.randomUUID().toString()), true, true);
    }

    /**
     * Removes the temporary file of one {@link #atomically} run (on the bounded elastic scheduler), at most once and
     * never before it exists ({@link AtomicTarget#discard()}). After a successful rename the removal finds nothing.
     */
    static void discard(AtomicTarget tmp) {
        if (tmp.discard()) deleteQuietly(tmp.temp());
    }

    private static void deleteQuietly(Path tmp) {
        Schedulers.boundedElastic().schedule(() -> {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                log.warn("aio file router: could not remove temporary file " + tmp + ": " + e);
            }
        });
    }

    private Mono<ServerResponse> created(Map<String, Object> body, Path target) {
        Map<String, Object> ordered = new LinkedHashMap<>(body);
        return ServerResponse.created(URI.create(filesPath + "/" + encodePath(relative(target))))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(ordered);
    }

    private String relative(Path target) {
        return paths.root().relativize(target).toString().replace('\\', '/');
    }

    private static String encodePath(String relative) {
        StringBuilder sb = new StringBuilder();
        for (String segment : relative.split("/")) {
            if (sb.length() > 0) sb.append('/');
            sb.append(org.springframework.web.util.UriUtils.encodePathSegment(segment, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- POST /copy

    Mono<ServerResponse> copy(ServerRequest request) {
        String from = request.queryParam("from").orElse("");
        String to = request.queryParam("to").orElse("");
        return Mono.fromCallable(() -> {
                    Path source = paths.existing(from, false);
                    if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
                        throw new NoSuchFileException(from, null, "not a regular file");
                    }
                    long size = Files.size(source);
                    if (size > maxUploadSize) {
                        throw new TooLargeException();
                    }
                    return new Path[] {source, paths.writable(to, false)};
                })
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(st -> atomically(
                                st[1],
                                // AioFiles.copy would create the target; atomically needs an open without CREATE
                                tmp -> AioFiles.write(
                                        AioFiles.read(st[0], reads.chunkSize(CopyOptions.DEFAULT_CHUNK_SIZE)),
                                        tmp,
                                        writes.openOptions(StandardOpenOption.WRITE)
                                                .fsync(true)))
                        .flatMap(bytes ->
                                created(Map.of("from", relative(st[0]), "to", relative(st[1]), "bytes", bytes), st[1])))
                .onErrorResume(TooLargeException.class, e -> {
                    refused(
                            request,
                            HttpStatus.CONTENT_TOO_LARGE,
                            "copy of '" + from + "' larger than the maximum of " + maxUploadSize + " bytes");
                    return tooLarge();
                })
                .onErrorResume(e -> refusal(request, from + " -> " + to, e))
                .doOnCancel(() -> cancelled(request, from + " -> " + to));
    }

    // ---------------------------------------------------------------- errors

    private Mono<ServerResponse> refusal(ServerRequest request, String what, Throwable e) {
        if (NettyAbort.isLostClient(e)) return clientWentAway(request, what, e);
        HttpStatus status = ErrorStatus.statusFor(e);
        if (status == null) return Mono.error(e);
        if (status == HttpStatus.BAD_REQUEST || e instanceof RootedPaths.OutsideRootException) {
            refused(request, status, "'" + what + "': " + e.getMessage());
        }
        return ServerResponse.status(status).build();
    }

    /**
     * The client closed or reset the connection before its request was done (an upload cut mid-body: the body fails
     * with Reactor Netty's {@code AbortedException} or a connection reset): no server error and no refusal, so one
     * DEBUG line and no WARN summary. The temporary file was removed by {@link #atomically}. The 400 with {@code
     * Connection: close} reaches no one; answering it keeps WebFlux from answering 500, which it logs at ERROR with a
     * stack trace (it sets the 500 before it checks for a lost client).
     */
    private Mono<ServerResponse> clientWentAway(ServerRequest request, String what, Throwable e) {
        if (log.isDebugEnabled()) {
            log.debug("aio file router: client went away during " + request.method() + " "
                    + request.requestPath().value() + " ('" + what + "'): " + e);
        }
        return ServerResponse.status(HttpStatus.BAD_REQUEST)
                .header(HttpHeaders.CONNECTION, "close")
                .build();
    }

    /**
     * The server cancelled a PUT or copy before it ended: on Reactor Netty, the client closed or reset the connection
     * (it cancels the handler of a closed connection; the body's error may come first, see {@link #clientWentAway}).
     * One DEBUG line; the temporary file is removed by {@link #atomically}.
     */
    private static void cancelled(ServerRequest request, String what) {
        if (log.isDebugEnabled()) {
            log.debug("aio file router: client went away during " + request.method() + " "
                    + request.requestPath().value() + " ('" + what + "'): cancelled");
        }
    }

    /**
     * Logs a refused request: at DEBUG each time, at WARN at most once per 10 s with the counts since the last WARN
     * ({@link RefusalLog}).
     */
    void refused(ServerRequest request, HttpStatus status, String detail) {
        refusals.refused(
                status.value(), request.method() + " " + request.requestPath().value() + ": " + detail);
    }
}

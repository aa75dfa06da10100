package org.aio4j.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.aio4j.engine.AioEngine;
import org.aio4j.reactor.AioFiles;
import org.aio4j.webflux.example.AioFileServerApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

/** The example server over real HTTP (Reactor Netty), with a fresh root directory for the whole class. */
@SpringBootTest(classes = AioFileServerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AioFileServerTest {
    static final int MAX_UPLOAD = 8 * 1024 * 1024;
    static final Path TMP;
    static final Path ROOT;
    static final Path SECRET;

    static {
        try {
            TMP = Files.createTempDirectory("aio-webflux-test");
            ROOT = Files.createDirectories(TMP.resolve("root"));
            SECRET = Files.writeString(TMP.resolve("secret.txt"), "TOP-SECRET-OUTSIDE-ROOT");
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("aio.server.root", ROOT::toString);
        registry.add("aio.server.max-upload-size", () -> MAX_UPLOAD + "B");
        registry.add("aio.server.buffer-size", () -> "64KB");
        registry.add("aio.server.writable", () -> "true");
        registry.add("server.address", () -> "127.0.0.1");
    }

    static LeakWatch leakWatch;
    static byte[] data;

    @LocalServerPort
    int port;

    WebTestClient client;

    @BeforeAll
    static void files() throws Exception {
        data = random(3 * 1024 * 1024 + 7, 1);
        Files.write(ROOT.resolve("data.bin"), data);
        Files.writeString(ROOT.resolve("hello.txt"), "hello, world\n");
        Files.write(ROOT.resolve("empty.bin"), new byte[0]);
        Files.createDirectories(ROOT.resolve("dir"));
        Files.createSymbolicLink(ROOT.resolve("link-out"), SECRET);
        Files.createSymbolicLink(ROOT.resolve("dir-out"), TMP);
        Files.createSymbolicLink(ROOT.resolve("link-in"), ROOT.resolve("hello.txt"));
        Files.createSymbolicLink(ROOT.resolve("loop-a"), Path.of("loop-b"));
        Files.createSymbolicLink(ROOT.resolve("loop-b"), Path.of("loop-a"));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        assertThat(leakWatch.collectLeaks()).as("Netty buffer leaks").isEmpty();
        try (Stream<Path> s = Files.walk(TMP)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @BeforeEach
    void client() {
        leakWatch = LeakWatch.install();
        client = WebTestClient.bindToServer()
                .baseUrl("http://localhost:" + port)
                .responseTimeout(Duration.ofSeconds(60))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(64 * 1024 * 1024))
                .build();
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    // ------------------------------------------------------------------ full downloads

    @Test
    void fullDownloadIsByteExact() {
        EntityExchangeResult<byte[]> r = client.get()
                .uri("/files/data.bin")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentLength(data.length)
                .expectHeader()
                .valueEquals(HttpHeaders.ACCEPT_RANGES, "bytes")
                .expectHeader()
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .expectBody(byte[].class)
                .returnResult();
        assertThat(r.getResponseBody()).isEqualTo(data);
        assertThat(r.getResponseHeaders().getETag()).startsWith("\"");
        assertThat(r.getResponseHeaders().getLastModified()).isPositive();
    }

    @Test
    void smallAndEmptyFilesAndContentType() {
        client.get()
                .uri("/files/hello.txt")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.TEXT_PLAIN)
                .expectBody(String.class)
                .isEqualTo("hello, world\n");
        client.get()
                .uri("/files/empty.bin")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentLength(0)
                .expectBody()
                .isEmpty();
        client.get()
                .uri("/files/link-in")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .isEqualTo("hello, world\n");
    }

    @Test
    void missingAndDirectoryAre404() {
        client.get()
                .uri("/files/nope.bin")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .returnResult();
        client.get()
                .uri("/files/dir")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .returnResult();
    }

    @Test
    void pathsThroughAFileAreNotFoundOrConflict() {
        client.get()
                .uri("/files/hello.txt/x")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .returnResult();
        client.put()
                .uri("/files/hello.txt/x")
                .bodyValue("x")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.CONFLICT)
                .expectBody()
                .returnResult();
    }

    @Test
    void symlinkLoopsAndOverlongNamesAreNotFound() throws Exception {
        String tooLong = "x".repeat(256);
        for (String target :
                List.of("/files/loop-a", "/files/loop-a/x", "/files/" + tooLong, "/files/dir/" + tooLong)) {
            for (String method : List.of("GET", "PUT")) {
                assertThat(raw(method, target)[0]).as(method + " " + target).isEqualTo("404");
            }
        }
        assertThat(Files.isSymbolicLink(ROOT.resolve("loop-a"))).isTrue();
    }

    @Test
    void namesUpToTheFileSystemLimitCanBeUploaded() throws Exception {
        // the temporary ".<name>.<uuid>.part" would pass 255 bytes: a shorter temporary name is used
        for (String name : List.of("y".repeat(213), "y".repeat(255), "語".repeat(85))) {
            client.put()
                    .uri("/files/long/{name}", name)
                    .bodyValue("long")
                    .exchange()
                    .expectStatus()
                    .isCreated()
                    .expectBody()
                    .returnResult();
            assertThat(Files.readString(ROOT.resolve("long").resolve(name))).isEqualTo("long");
        }
        assertNoTemporaryFiles(ROOT.resolve("long"));
    }

    @Test
    void uploadAbortedByTheClientLeavesNothing() throws Exception {
        Path dir = Files.createDirectories(ROOT.resolve("aborted"));
        try (Socket socket = new Socket("localhost", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /files/aborted/half.bin HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + (4 * 1024 * 1024)
                            + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(random(1024 * 1024, 3));
            out.flush();
            Thread.sleep(300);
            socket.setSoLinger(true, 0);
        }
        assertNoTemporaryFiles(dir);
        assertThat(dir.resolve("half.bin")).doesNotExist();
        client.get()
                .uri("/files/hello.txt")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult();
    }

    @Test
    void headHasHeadersOnly() {
        client.head()
                .uri("/files/data.bin")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentLength(data.length)
                .expectBody()
                .isEmpty();
    }

    // ------------------------------------------------------------------ conditional requests

    @Test
    void conditionalRequests() {
        HttpHeaders h = client.get()
                .uri("/files/data.bin")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(byte[].class)
                .returnResult()
                .getResponseHeaders();
        String etag = h.getETag();
        long lastModified = h.getLastModified();

        client.get()
                .uri("/files/data.bin")
                .header(HttpHeaders.IF_NONE_MATCH, etag)
                .exchange()
                .expectStatus()
                .isNotModified()
                .expectHeader()
                .valueEquals(HttpHeaders.ETAG, etag)
                .expectBody()
                .isEmpty();
        client.get()
                .uri("/files/data.bin")
                .ifModifiedSince(ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(lastModified), ZoneOffset.UTC))
                .exchange()
                .expectStatus()
                .isNotModified()
                .expectBody()
                .returnResult();
        client.get()
                .uri("/files/data.bin")
                .header(HttpHeaders.IF_NONE_MATCH, "\"something-else\"")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult();
        // a Range with a matching If-Range is served, a stale one gets the whole file
        client.get()
                .uri("/files/data.bin")
                .header(HttpHeaders.RANGE, "bytes=0-9")
                .header(HttpHeaders.IF_RANGE, etag)
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.PARTIAL_CONTENT)
                .expectBody()
                .returnResult();
        client.get()
                .uri("/files/data.bin")
                .header(HttpHeaders.RANGE, "bytes=0-9")
                .header(HttpHeaders.IF_RANGE, "\"stale\"")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentLength(data.length)
                .expectBody()
                .returnResult();
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(lastModified), ZoneOffset.UTC));
        client.get()
                .uri("/files/data.bin")
                .header(HttpHeaders.RANGE, "bytes=0-9")
                .header(HttpHeaders.IF_RANGE, date)
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.PARTIAL_CONTENT)
                .expectBody()
                .returnResult();
        // the obsolete RFC 850 form of the same date (RFC 9110 5.6.7: recipients accept all three formats)
        String rfc850 = DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'", java.util.Locale.US)
                .format(ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(lastModified), ZoneOffset.UTC));
        client.get()
                .uri("/files/data.bin")
                .header(HttpHeaders.RANGE, "bytes=0-9")
                .header(HttpHeaders.IF_RANGE, rfc850)
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.PARTIAL_CONTENT)
                .expectBody()
                .returnResult();
    }

    private HttpStatus statusWith(String... headers) {
        WebTestClient.RequestHeadersSpec<?> spec = client.get().uri("/files/data.bin");
        for (int i = 0; i < headers.length; i += 2) spec = spec.header(headers[i], headers[i + 1]);
        EntityExchangeResult<byte[]> r = spec.exchange().expectBody().returnResult();
        return HttpStatus.valueOf(r.getStatus().value());
    }

    @Test
    void preconditionsInTheOrderOfRfc9110() {
        HttpHeaders h = client.head()
                .uri("/files/data.bin")
                .exchange()
                .expectBody()
                .returnResult()
                .getResponseHeaders();
        String etag = h.getETag();
        String lastModified = h.getFirst(HttpHeaders.LAST_MODIFIED);
        String earlier = "Sun, 06 Nov 1994 08:49:37 GMT";
        assertThat(statusWith(HttpHeaders.IF_MATCH, "\"other\"")).isEqualTo(HttpStatus.PRECONDITION_FAILED);
        assertThat(statusWith(HttpHeaders.IF_MATCH, "W/" + etag)).isEqualTo(HttpStatus.PRECONDITION_FAILED);
        assertThat(statusWith(HttpHeaders.IF_MATCH, "\"other\", " + etag)).isEqualTo(HttpStatus.OK);
        assertThat(statusWith(HttpHeaders.IF_MATCH, "*")).isEqualTo(HttpStatus.OK);
        // a matching If-Match makes If-Unmodified-Since irrelevant
        assertThat(statusWith(HttpHeaders.IF_MATCH, etag, HttpHeaders.IF_UNMODIFIED_SINCE, earlier))
                .isEqualTo(HttpStatus.OK);
        assertThat(statusWith(HttpHeaders.IF_UNMODIFIED_SINCE, earlier)).isEqualTo(HttpStatus.PRECONDITION_FAILED);
        assertThat(statusWith(HttpHeaders.IF_UNMODIFIED_SINCE, lastModified)).isEqualTo(HttpStatus.OK);
        assertThat(statusWith(HttpHeaders.IF_NONE_MATCH, "*")).isEqualTo(HttpStatus.NOT_MODIFIED);
        assertThat(statusWith(HttpHeaders.IF_NONE_MATCH, "W/" + etag)).isEqualTo(HttpStatus.NOT_MODIFIED);
        // a non-matching If-None-Match makes If-Modified-Since irrelevant
        assertThat(statusWith(HttpHeaders.IF_NONE_MATCH, "\"other\"", HttpHeaders.IF_MODIFIED_SINCE, lastModified))
                .isEqualTo(HttpStatus.OK);
        // 412 before 304
        assertThat(statusWith(HttpHeaders.IF_MATCH, "\"other\"", HttpHeaders.IF_NONE_MATCH, etag))
                .isEqualTo(HttpStatus.PRECONDITION_FAILED);
    }

    @Test
    void rangeUnitsAreCaseInsensitiveAndUnknownOnesIgnored() {
        assertThat(statusWith(HttpHeaders.RANGE, "BYTES=0-9")).isEqualTo(HttpStatus.PARTIAL_CONTENT);
        assertThat(statusWith(HttpHeaders.RANGE, "Bytes=0-9")).isEqualTo(HttpStatus.PARTIAL_CONTENT);
        client.get()
                .uri("/files/data.bin")
                .header(HttpHeaders.RANGE, "items=0-5")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentLength(data.length)
                .expectBody()
                .returnResult();
    }

    // ------------------------------------------------------------------ ranges

    private void assertSingleRange(String range, long start, long end) {
        EntityExchangeResult<byte[]> r = client.get()
                .uri("/files/data.bin")
                .header(HttpHeaders.RANGE, range)
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.PARTIAL_CONTENT)
                .expectHeader()
                .valueEquals(HttpHeaders.CONTENT_RANGE, "bytes " + start + "-" + end + "/" + data.length)
                .expectHeader()
                .contentLength(end - start + 1)
                .expectHeader()
                .valueEquals(HttpHeaders.ACCEPT_RANGES, "bytes")
                .expectBody(byte[].class)
                .returnResult();
        assertThat(r.getResponseBody()).isEqualTo(Arrays.copyOfRange(data, (int) start, (int) end + 1));
    }

    @Test
    void singleRanges() {
        int n = data.length;
        assertSingleRange("bytes=0-0", 0, 0);
        assertSingleRange("bytes=0-99", 0, 99);
        assertSingleRange("bytes=1000-200000", 1000, 200000);
        assertSingleRange("bytes=100000-", 100000, n - 1);
        assertSingleRange("bytes=-500", n - 500, n - 1);
        assertSingleRange("bytes=-" + (n + 10), 0, n - 1);
        assertSingleRange("bytes=" + (n - 1) + "-", n - 1, n - 1);
        assertSingleRange("bytes=5-" + (n + 1000), 5, n - 1);
        assertSingleRange("bytes=65535-65536", 65535, 65536);
    }

    @Test
    void unsatisfiableRangesOfASetAreLeftOut() {
        int n = data.length;
        // RFC 9110 14.1.2: the satisfiable subset is served
        assertSingleRange("bytes=0-4," + n + "-" + (n + 100), 0, 4);
        assertSingleRange("bytes=-0, 10-19, " + (n + 5) + "-", 10, 19);
    }

    @Test
    void overlappingAndAdjacentRangesAreCoalesced() {
        int n = data.length;
        assertSingleRange("bytes=0-4,3-9", 0, 9);
        assertSingleRange("bytes=0-4,5-9", 0, 9);
        assertSingleRange("bytes=5-9,0-4,2-3", 0, 9);
        assertSingleRange("bytes=0-" + (n - 1) + ",0-10", 0, n - 1); // was 416 (the sum reached the length)
        assertSingleRange("bytes=-10,0-0," + (n - 20) + "-" + (n - 9) + ",1-" + (n - 21), 0, n - 1);
        // the ranges that stay apart keep the order of the request; a coalesced one takes its first part's place
        EntityExchangeResult<byte[]> r = client.get()
                .uri("/files/data.bin")
                .header(HttpHeaders.RANGE, "bytes=100-109,0-1,110-119,1-2")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.PARTIAL_CONTENT)
                .expectBody(byte[].class)
                .returnResult();
        String body = new String(r.getResponseBody(), StandardCharsets.ISO_8859_1);
        int first = body.indexOf("Content-Range: bytes 100-119/" + n);
        int second = body.indexOf("Content-Range: bytes 0-2/" + n);
        assertThat(first).as(body.substring(0, 200)).isPositive();
        assertThat(second).isGreaterThan(first);
        assertThat(body.split("Content-Range:", -1)).hasSize(3);
    }

    @Test
    void moreThanAHundredRangesAreIgnored() {
        String hundred = IntStream.range(0, 100)
                .mapToObj(i -> (2 * i) + "-" + (2 * i))
                .collect(java.util.stream.Collectors.joining(","));
        client.get()
                .uri("/files/hello.txt")
                .header(HttpHeaders.RANGE, "bytes=" + hundred)
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.PARTIAL_CONTENT)
                .expectBody()
                .returnResult();
        client.get()
                .uri("/files/hello.txt")
                .header(HttpHeaders.RANGE, "bytes=" + hundred + ",300-300")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .isEqualTo("hello, world\n");
    }

    @Test
    void multipleRangesAreMultipartByteranges() {
        int n = data.length;
        long[][] expected = {{0, 9}, {65530, 65545}, {n - 5, n - 1}};
        EntityExchangeResult<byte[]> r = client.get()
                .uri("/files/data.bin")
                .header(HttpHeaders.RANGE, "bytes=0-9, 65530-65545, -5")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.PARTIAL_CONTENT)
                .expectBody(byte[].class)
                .returnResult();
        MediaType type = r.getResponseHeaders().getContentType();
        assertThat(type.toString()).startsWith("multipart/byteranges");
        String boundary = type.getParameter("boundary");
        assertThat(boundary).isNotBlank();
        byte[] body = r.getResponseBody();
        assertThat((long) body.length).isEqualTo(r.getResponseHeaders().getContentLength());
        int pos = 0;
        for (long[] e : expected) {
            byte[] head = ("\r\n--" + boundary + "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes "
                            + e[0] + "-" + e[1] + "/" + n + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            assertThat(Arrays.copyOfRange(body, pos, pos + head.length)).isEqualTo(head);
            pos += head.length;
            int len = (int) (e[1] - e[0] + 1);
            assertThat(Arrays.copyOfRange(body, pos, pos + len))
                    .isEqualTo(Arrays.copyOfRange(data, (int) e[0], (int) e[1] + 1));
            pos += len;
        }
        byte[] tail = ("\r\n--" + boundary + "--").getBytes(StandardCharsets.US_ASCII);
        assertThat(Arrays.copyOfRange(body, pos, body.length)).isEqualTo(tail);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "bytes=3145735-", // start == length
                "bytes=99999999-100000000",
                "bytes=10-5", // last < first
                "bytes=abc",
                "bytes =0-5",
                "bytes=3145735-,99999999-100000000,-0", // none of the set is satisfiable
                "bytes=-0"
            })
    void unsatisfiableRangesAre416(String range) {
        client.get()
                .uri("/files/data.bin")
                .header(HttpHeaders.RANGE, range)
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                .expectHeader()
                .valueEquals(HttpHeaders.CONTENT_RANGE, "bytes */" + data.length)
                .expectBody()
                .isEmpty();
    }

    @Test
    void rangeOfEmptyFileIs416() {
        client.get()
                .uri("/files/empty.bin")
                .header(HttpHeaders.RANGE, "bytes=0-")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                .expectBody()
                .returnResult();
    }

    // ------------------------------------------------------------------ uploads and copy

    @Test
    void uploadThenDownload() throws Exception {
        byte[] up = random(5 * 1024 * 1024 + 3, 7);
        client.put()
                .uri("/files/up/nested/file.bin")
                .bodyValue(up)
                .exchange()
                .expectStatus()
                .isCreated()
                .expectHeader()
                .location("/files/up/nested/file.bin")
                .expectBody()
                .jsonPath("$.size")
                .isEqualTo(up.length);
        assertThat(Files.readAllBytes(ROOT.resolve("up/nested/file.bin"))).isEqualTo(up);
        EntityExchangeResult<byte[]> r = client.get()
                .uri("/files/up/nested/file.bin")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(byte[].class)
                .returnResult();
        assertThat(r.getResponseBody()).isEqualTo(up);

        // replace it, streamed in chunks without Content-Length
        byte[] second = random(300_001, 8);
        Flux<DataBuffer> chunks = Flux.range(0, 3)
                .map(i -> org.springframework.core.io.buffer.DefaultDataBufferFactory.sharedInstance.wrap(
                        Arrays.copyOfRange(
                                second, i * 100_000, Math.min(second.length, (i + 1) * 100_000 + (i == 2 ? 1 : 0)))));
        client.put()
                .uri("/files/up/nested/file.bin")
                .body(chunks, DataBuffer.class)
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody()
                .returnResult();
        assertThat(Files.readAllBytes(ROOT.resolve("up/nested/file.bin"))).isEqualTo(second);
        assertNoTemporaryFiles(ROOT.resolve("up/nested"));
    }

    @Test
    void uploadOverTheLimitIs413AndLeavesNothing() throws Exception {
        byte[] big = random(MAX_UPLOAD + 1, 9);
        client.put()
                .uri("/files/big/too-big.bin")
                .bodyValue(big)
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.CONTENT_TOO_LARGE)
                .expectBody()
                .returnResult();
        // without Content-Length the server counts and stops at the limit
        Flux<DataBuffer> chunks = Flux.range(0, 9)
                .map(i -> org.springframework.core.io.buffer.DefaultDataBufferFactory.sharedInstance.wrap(
                        random(1024 * 1024, i)));
        client.put()
                .uri("/files/big/too-big-chunked.bin")
                .body(chunks, DataBuffer.class)
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.CONTENT_TOO_LARGE)
                .expectBody()
                .returnResult();
        Thread.sleep(200);
        assertThat(Files.exists(ROOT.resolve("big/too-big.bin"))).isFalse();
        assertThat(Files.exists(ROOT.resolve("big/too-big-chunked.bin"))).isFalse();
        if (Files.isDirectory(ROOT.resolve("big"))) assertNoTemporaryFiles(ROOT.resolve("big"));
    }

    private static void assertNoTemporaryFiles(Path dir) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<Path> parts;
        do {
            try (Stream<Path> s = Files.list(dir)) {
                parts = s.filter(p -> p.getFileName().toString().endsWith(".part"))
                        .toList();
            }
            if (parts.isEmpty()) return;
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        assertThat(parts).isEmpty();
    }

    @Test
    void serverSideCopy() throws Exception {
        client.post()
                .uri("/copy?from=data.bin&to=copies/data-copy.bin")
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody()
                .jsonPath("$.bytes")
                .isEqualTo(data.length);
        assertThat(Files.readAllBytes(ROOT.resolve("copies/data-copy.bin"))).isEqualTo(data);
        client.post()
                .uri("/copy?from=nope.bin&to=x.bin")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .returnResult();
        client.post()
                .uri("/copy?from=link-out&to=x.bin")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .returnResult();
        client.post()
                .uri("/copy?from=data.bin&to=../x.bin")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .returnResult();
        client.post()
                .uri("/copy?from=data.bin&to=dir-out/x.bin")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .returnResult();
        assertThat(Files.exists(TMP.resolve("x.bin"))).isFalse();
    }

    // ------------------------------------------------------------------ security

    /** Sends the request line exactly as given (no client-side normalisation) and returns status and body. */
    private String[] raw(String method, String target) throws Exception {
        try (Socket s = new Socket("localhost", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write((method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                            + (method.equals("PUT") ? "Content-Length: 4\r\n\r\nEVIL" : "\r\n"))
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String response = all.toString(StandardCharsets.ISO_8859_1);
            String status = response.isEmpty() ? "" : response.substring(9, 12);
            return new String[] {status, response};
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/files/../secret.txt",
                "/files/%2e%2e/secret.txt",
                "/files/%2E%2E/secret.txt",
                "/files/.%2e/secret.txt",
                "/files/dir/../../secret.txt",
                "/files/dir/%2e%2e/%2e%2e/secret.txt",
                "/files/..%2fsecret.txt",
                "/files/..%5csecret.txt",
                "/files//" + "tmp/secret.txt",
                "/files/%2ftmp%2fsecret.txt",
                "/files/link-out",
                "/files/dir-out/secret.txt",
                "/files/secret.txt%00.bin",
                "/files/hello.txt%00",
                "/files/%c0%ae%c0%ae/secret.txt"
            })
    void traversalIsRefused(String target) throws Exception {
        String t = target.replace("/tmp/secret.txt", SECRET.toString())
                .replace("%2ftmp%2fsecret.txt", SECRET.toString().replace("/", "%2f"));
        for (String method : List.of("GET", "PUT")) {
            String[] r = raw(method, t);
            assertThat(r[0]).as(method + " " + t).isIn("400", "404");
            assertThat(r[1]).doesNotContain("TOP-SECRET");
        }
        assertThat(Files.readString(SECRET)).isEqualTo("TOP-SECRET-OUTSIDE-ROOT");
        try (Stream<Path> s = Files.list(TMP)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder("root", "secret.txt");
        }
    }

    // ------------------------------------------------------------------ concurrency and abort

    @Test
    void hundredConcurrentDownloads() throws Exception {
        Path dir = Files.createDirectories(ROOT.resolve("many"));
        List<byte[]> contents = new ArrayList<>();
        Random sizes = new Random(42);
        for (int i = 0; i < 100; i++) {
            byte[] b = random(1 + sizes.nextInt(400_000), 1000 + i);
            contents.add(b);
            Files.write(dir.resolve("f" + i + ".bin"), b);
        }
        int chunksBefore = AioFiles.outstandingChunks();
        WebClient web = WebClient.builder()
                .baseUrl("http://localhost:" + port)
                .codecs(c -> c.defaultCodecs().maxInMemorySize(1024 * 1024))
                .build();
        List<Integer> ok = Flux.range(0, 100)
                .flatMap(
                        i -> web.get()
                                .uri("/files/many/f" + i + ".bin")
                                .retrieve()
                                .bodyToMono(byte[].class)
                                .map(body -> Arrays.equals(body, contents.get(i)) ? i : -1 - i),
                        100)
                .collectList()
                .block(Duration.ofSeconds(60));
        assertThat(ok).hasSize(100).allMatch(i -> i >= 0);
        assertThat(IntStream.range(0, 100).boxed().toList()).containsExactlyInAnyOrderElementsOf(ok);
        for (int i = 0; i < 100; i++)
            assertThat(LeakWatch.awaitNoFds(dir.resolve("f" + i + ".bin"), 5000))
                    .isZero();
        assertThat(awaitQuiet(chunksBefore)).isTrue();
    }

    @Test
    void clientAbortInTheMiddleOfAGibibyteDownload() throws Exception {
        Path big = ROOT.resolve("sparse-1g.bin");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(1L << 30);
        }
        try {
            int chunksBefore = AioFiles.outstandingChunks();
            long target = 16L * 1024 * 1024;
            long received = 0;
            // a plain socket, closed after 16 MiB: the server sees the connection go away mid-body
            try (Socket socket = new Socket("localhost", port)) {
                socket.setSoTimeout(30_000);
                socket.getOutputStream()
                        .write("GET /files/sparse-1g.bin HTTP/1.1\r\nHost: localhost\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                byte[] buf = new byte[64 * 1024];
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) head.append((char) in.read());
                assertThat(head.toString().toLowerCase(java.util.Locale.ROOT))
                        .startsWith("http/1.1 200")
                        .contains("content-length: 1073741824");
                while (received < target) {
                    int n = in.read(buf);
                    assertThat(n).isPositive();
                    for (int i = 0; i < n; i++) if (buf[i] != 0) throw new AssertionError("not zero");
                    received += n;
                }
                socket.setSoLinger(true, 0); // reset, like a killed client
            }
            assertThat(received).isBetween(target, (1L << 30) - 1);
            // the server notices the closed connection, cancels the read and closes the file
            assertThat(LeakWatch.awaitNoFds(big, 10_000)).isZero();
            // every AIO op of that read was cancelled and reaped, every pooled chunk given back
            assertThat(awaitQuiet(chunksBefore)).isTrue();
            // and the server is still fine
            client.get()
                    .uri("/files/hello.txt")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody()
                    .returnResult();
        } finally {
            Files.deleteIfExists(big);
        }
    }

    /** Waits until the engine has no op in flight and the chunk pool is back to {@code chunksBefore}. */
    private static boolean awaitQuiet(int chunksBefore) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (AioEngine.shared().metrics().inFlight() == 0 && AioFiles.outstandingChunks() <= chunksBefore) {
                return true;
            }
            Thread.sleep(10);
        }
        System.err.println("in flight " + AioEngine.shared().metrics().inFlight() + ", chunks "
                + AioFiles.outstandingChunks() + " (before " + chunksBefore + ")");
        return false;
    }

    @Test
    void routerCanBeMountedElsewhere() throws Exception {
        var router = AioFileRouter.builder(ROOT)
                .filesPath("/static/")
                .writable(false)
                .build();
        WebTestClient local = WebTestClient.bindToRouterFunction(router).build();
        local.get()
                .uri("/static/hello.txt")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .isEqualTo("hello, world\n");
        local.put()
                .uri("/static/x.txt")
                .bodyValue("x")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
                .expectHeader()
                .valueEquals(HttpHeaders.ALLOW, "GET, HEAD")
                .expectBody()
                .returnResult();
        local.get()
                .uri("/files/hello.txt")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .returnResult();
    }
}

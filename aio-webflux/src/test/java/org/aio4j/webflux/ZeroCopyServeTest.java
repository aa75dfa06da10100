package org.aio4j.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.aio4j.internal.PageCache;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.server.RouterFunctions;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Issue 10, item 2: which GETs go out by zero-copy on a real Reactor Netty server: page-cached whole files and single
 * ranges do, an evicted file, multipart ranges and a router built with {@code zeroCopy(false)} read through AIO; the
 * bytes are right either way. (A file that shrinks while sent by zero-copy: ServerRealFaultsTest.)
 */
class ZeroCopyServeTest {
    @TempDir
    static Path root;

    static DisposableServer on;
    static DisposableServer off;
    static final HttpClient client = HttpClient.newHttpClient();
    static byte[] data;

    static DisposableServer start(boolean zeroCopy) {
        var router = AioFileRouter.builder(root).zeroCopy(zeroCopy).build();
        var adapter = new ReactorHttpHandlerAdapter(RouterFunctions.toHttpHandler(router));
        return HttpServer.create().host("127.0.0.1").port(0).handle(adapter).bindNow();
    }

    @BeforeAll
    static void setUp() throws Exception {
        data = new byte[3 << 20];
        new Random(7).nextBytes(data);
        Files.write(root.resolve("f.bin"), data);
        on = start(true);
        off = start(false);
    }

    @AfterAll
    static void tearDown() {
        on.disposeNow();
        off.disposeNow();
    }

    static HttpResponse<byte[]> get(DisposableServer server, String range) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/files/f.bin"));
        if (range != null) b.header("Range", range);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The zero-copy sends a GET caused. */
    static long sends(DisposableServer server, String range, int status, byte[] expected) throws Exception {
        long before = ZeroCopyBody.SENDS.sum();
        HttpResponse<byte[]> r = get(server, range);
        assertThat(r.statusCode()).isEqualTo(status);
        if (expected != null) assertThat(r.body()).isEqualTo(expected);
        return ZeroCopyBody.SENDS.sum() - before;
    }

    @Test
    void cachedWholeFilesAndSingleRangesGoByZeroCopyTheRestThroughAio() throws Exception {
        Assumptions.assumeTrue(PageCache.isSupported(), "no cachestat here: everything goes through AIO");
        Path f = root.resolve("f.bin");
        Files.readAllBytes(f); // cached
        assertThat(sends(on, null, 200, data)).isEqualTo(1);
        assertThat(sends(on, "bytes=1000-1999999", 206, Arrays.copyOfRange(data, 1000, 2_000_000)))
                .isEqualTo(1);
        assertThat(sends(on, "bytes=-10", 206, Arrays.copyOfRange(data, data.length - 10, data.length)))
                .isEqualTo(1);
        HttpResponse<byte[]> multi = get(on, "bytes=0-9,100-109");
        assertThat(multi.statusCode()).isEqualTo(206);
        assertThat(sends(on, "bytes=0-9,100-109", 206, null))
                .as("multipart stays AIO")
                .isZero();
        assertThat(sends(off, null, 200, data)).as("zeroCopy(false)").isZero();
        assertThat(sends(off, "bytes=5-9", 206, Arrays.copyOfRange(data, 5, 10)))
                .isZero();

        // evicted (written back first, so the pages are clean and can be dropped): AIO, and the same bytes
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Process dd = new ProcessBuilder("dd", "if=" + f, "iflag=nocache", "count=0", "status=none").start();
        assertThat(dd.waitFor()).isZero();
        Assumptions.assumeTrue(
                PageCache.residency(f, 0, data.length) == PageCache.Residency.NOT_CACHED,
                "this file system keeps its pages");
        assertThat(sends(on, "bytes=0-99999", 206, Arrays.copyOfRange(data, 0, 100_000)))
                .as("an evicted range")
                .isZero();
        assertThat(sends(on, null, 200, data)).as("a partly cached file").isZero();
        // that AIO read cached it: the next GET goes by zero-copy
        assertThat(sends(on, null, 200, data)).isEqualTo(1);
    }
}

package org.aio4j.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.aio4j.internal.HotStat;
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
 * GET/HEAD whose metadata is read on the event loop ({@code FileHandlers.hotStat}, {@link HotStat}) answer exactly as
 * the blocking path does: the same status, headers and bytes for plain, conditional and range requests, links inside
 * and outside the root, temporary upload names, malformed paths, directories and missing files; and a cached plain
 * GET takes the hot path.
 */
class HotStatServeTest {
    @TempDir
    static Path root;

    @TempDir
    static Path outside;

    static DisposableServer hot;
    static DisposableServer cold;
    static final HttpClient client = HttpClient.newHttpClient();
    static byte[] data;

    static DisposableServer start(boolean hotStat) {
        String before = System.getProperty("aio4j.router.hotStat");
        System.setProperty("aio4j.router.hotStat", Boolean.toString(hotStat));
        try {
            var router = AioFileRouter.builder(root).build();
            var adapter = new ReactorHttpHandlerAdapter(RouterFunctions.toHttpHandler(router));
            return HttpServer.create().host("127.0.0.1").port(0).handle(adapter).bindNow();
        } finally {
            if (before == null) System.clearProperty("aio4j.router.hotStat");
            else System.setProperty("aio4j.router.hotStat", before);
        }
    }

    @BeforeAll
    static void setUp() throws Exception {
        data = new byte[200_000];
        new Random(11).nextBytes(data);
        Files.write(root.resolve("f.bin"), data);
        Files.write(root.resolve("page.html"), "<p>hi</p>".getBytes());
        Files.write(root.resolve("empty.txt"), new byte[0]);
        Files.createDirectories(root.resolve("dir/sub"));
        Files.write(root.resolve("dir/sub/n.txt"), "nested".getBytes());
        Files.write(root.resolve(".f.bin.0123abcd-0123-4567-89ab-0123456789ab.part"), new byte[5]);
        Files.write(outside.resolve("secret.txt"), "secret".getBytes());
        Files.createSymbolicLink(root.resolve("inside-link.bin"), root.resolve("f.bin"));
        Files.createSymbolicLink(root.resolve("outside-link.txt"), outside.resolve("secret.txt"));
        hot = start(true);
        cold = start(false);
    }

    @AfterAll
    static void tearDown() {
        hot.disposeNow();
        cold.disposeNow();
    }

    record Answer(int status, Map<String, List<String>> headers, byte[] body) {}

    static Answer send(DisposableServer server, String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        Map<String, List<String>> h = new TreeMap<>();
        r.headers().map().forEach((k, v) -> {
            String name = k.toLowerCase();
            if (name.equals("date") || name.equals("content-type") && v.get(0).startsWith("multipart/")) return;
            h.put(name, v);
        });
        return new Answer(r.statusCode(), h, r.body());
    }

    @Test
    void everyAnswerIsTheBlockingPathsAnswer() throws Exception {
        Files.readAllBytes(root.resolve("f.bin"));
        String etag = send(cold, "GET", "/files/f.bin").headers().get("etag").get(0);
        String lastModified =
                send(cold, "GET", "/files/f.bin").headers().get("last-modified").get(0);
        List<String[]> cases = new ArrayList<>(List.of(
                new String[] {"GET", "/files/f.bin"},
                new String[] {"HEAD", "/files/f.bin"},
                new String[] {"GET", "/files/page.html"},
                new String[] {"GET", "/files/empty.txt"},
                new String[] {"GET", "/files/dir/sub/n.txt"},
                new String[] {"GET", "/files/f.bin", "Range", "bytes=100-199"},
                new String[] {"GET", "/files/f.bin", "Range", "bytes=-10"},
                new String[] {"GET", "/files/f.bin", "Range", "bytes=999999-"},
                new String[] {"HEAD", "/files/f.bin", "Range", "bytes=0-0"},
                new String[] {"GET", "/files/f.bin", "If-None-Match", etag},
                new String[] {"HEAD", "/files/f.bin", "If-None-Match", etag},
                new String[] {"GET", "/files/f.bin", "If-Match", "\"other\""},
                new String[] {"GET", "/files/f.bin", "If-Modified-Since", lastModified},
                new String[] {"GET", "/files/f.bin", "If-Unmodified-Since", "Thu, 01 Jan 1970 00:00:00 GMT"},
                new String[] {"GET", "/files/f.bin", "Range", "bytes=0-4", "If-Range", etag},
                new String[] {"GET", "/files/f.bin", "Range", "bytes=0-4", "If-Range", "\"stale\""},
                new String[] {"GET", "/files/inside-link.bin"},
                new String[] {"GET", "/files/outside-link.txt"},
                new String[] {"GET", "/files/.f.bin.0123abcd-0123-4567-89ab-0123456789ab.part"},
                new String[] {"GET", "/files/dir"},
                new String[] {"GET", "/files/dir/sub"},
                new String[] {"GET", "/files/missing.bin"},
                new String[] {"GET", "/files/dir/%2e%2e/f.bin"},
                new String[] {"GET", "/files/f.bin/x"}));
        for (String[] c : cases) {
            String[] headers = java.util.Arrays.copyOfRange(c, 2, c.length);
            Answer h = send(hot, c[0], c[1], headers);
            Answer b = send(cold, c[0], c[1], headers);
            String what = String.join(" ", c);
            assertThat(h.status()).as("status of %s", what).isEqualTo(b.status());
            assertThat(h.headers()).as("headers of %s", what).isEqualTo(b.headers());
            assertThat(h.body()).as("body of %s", what).isEqualTo(b.body());
        }
        assertThat(send(hot, "GET", "/files/f.bin").body()).isEqualTo(data);
        assertThat(send(hot, "GET", "/files/outside-link.txt").status()).isEqualTo(404);
    }

    @Test
    void aCachedPlainGetTakesTheHotPathALinkDoesNot() throws Exception {
        Assumptions.assumeTrue(
                HotStat.isSupported(), "no openat2/statx/cachestat here: every GET takes the blocking path");
        Files.readAllBytes(root.resolve("f.bin"));
        send(hot, "GET", "/files/f.bin"); // the path into the lookup cache
        long before = FileHandlers.HOT_STATS.sum();
        assertThat(send(hot, "GET", "/files/f.bin").body()).isEqualTo(data);
        assertThat(FileHandlers.HOT_STATS.sum() - before).isEqualTo(1);

        before = FileHandlers.HOT_STATS.sum();
        assertThat(send(hot, "GET", "/files/inside-link.bin").body()).isEqualTo(data);
        assertThat(send(cold, "GET", "/files/f.bin").body()).isEqualTo(data);
        assertThat(FileHandlers.HOT_STATS.sum() - before)
                .as("a link, and a router with the hot path off")
                .isZero();
    }
}

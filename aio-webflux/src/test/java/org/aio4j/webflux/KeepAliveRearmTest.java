package org.aio4j.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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
 * A keep-alive connection keeps reading after a request that arrived while the previous one was finishing is answered
 * on the event loop ({@link ReadRearm}; soak finding 9 in docs/reliability.md). Reactor Netty before 1.3.8
 * (reactor-netty#4361) left such a connection unread for good: a PUT with a HEAD right behind it in the same packet,
 * the HEAD answered at once by the event-loop stat, and the next request on the connection got no answer. The build
 * pins a fixed Reactor Netty; {@code .ci/run} also runs this class with {@code -Pboot-managed}, on the Reactor Netty
 * Spring Boot 4.0.7 manages (1.3.6), where it failed without {@link ReadRearm} (the first round hung).
 */
class KeepAliveRearmTest {
    @TempDir
    static Path root;

    static DisposableServer server;

    @BeforeAll
    static void setUp() throws Exception {
        Files.write(root.resolve("f.bin"), new byte[4096]);
        Files.createDirectories(root.resolve("up"));
        var router = AioFileRouter.builder(root).writable(true).build();
        var adapter = new ReactorHttpHandlerAdapter(RouterFunctions.toHttpHandler(router));
        server = HttpServer.create().host("127.0.0.1").port(0).handle(adapter).bindNow();
    }

    @AfterAll
    static void tearDown() {
        server.disposeNow();
    }

    @Test
    void aPipelinedRequestAnsweredOnTheEventLoopLeavesTheConnectionReading() throws Exception {
        Assumptions.assumeTrue(
                HotStat.isSupported(), "no openat2/statx/cachestat here: no GET is answered on the event loop");
        Files.readAllBytes(root.resolve("f.bin"));
        long hotBefore = FileHandlers.HOT_STATS.sum();
        byte[] body = new byte[1000];
        String put = "PUT /files/up/u.bin HTTP/1.1\r\nHost: t\r\nContent-Length: " + body.length + "\r\n\r\n";
        String head = "HEAD /files/f.bin HTTP/1.1\r\nHost: t\r\n\r\n";
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int round = 0; round < 200; round++) {
                ByteArrayOutputStream both = new ByteArrayOutputStream();
                both.write(put.getBytes(StandardCharsets.US_ASCII));
                both.write(body);
                both.write(head.getBytes(StandardCharsets.US_ASCII));
                out.write(both.toByteArray()); // the HEAD arrives while the PUT is still being answered
                out.flush();
                assertThat(status(in, false, round, "PUT")).isEqualTo(201);
                assertThat(status(in, true, round, "pipelined HEAD")).isEqualTo(200);
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(status(in, true, round, "HEAD after it")).isEqualTo(200);
            }
        }
        assertThat(FileHandlers.HOT_STATS.sum() - hotBefore)
                .as("HEADs answered on the event loop (else this test shows nothing)")
                .isPositive();
        assertThat(ReadRearm.SCHEDULED.sum()).isPositive();
    }

    /** Reads one response (status line, headers, a Content-Length body unless {@code head}); its status. */
    private static int status(InputStream in, boolean head, int round, String what) throws IOException {
        String headers;
        try {
            headers = readHead(in);
        } catch (SocketTimeoutException e) {
            throw new AssertionError(
                    "round " + round + ": no answer to the " + what + " within 15 s: the connection stopped reading",
                    e);
        }
        int status = Integer.parseInt(headers.substring(9, 12));
        long length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(line.substring(15).trim());
            }
        }
        if (!head) in.readNBytes((int) length);
        return status;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            byte[] a = b.toByteArray();
            int n = a.length;
            if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') break;
        }
        if (c < 0) throw new IOException("the connection was closed");
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}

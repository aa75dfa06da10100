package org.aio4j.webflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.aio4j.webflux.example.AioFileServerApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** The example server's safe defaults, over real sockets: loopback, read-only, no writable server open to all. */
class ServerSafeDefaultsTest {
    static Path root;

    @BeforeAll
    static void root() throws Exception {
        root = Files.createTempDirectory("aio-webflux-server-defaults");
        Files.writeString(root.resolve("hello.txt"), "hello");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void defaultsAreLoopbackAndReadOnly() throws Exception {
        try (ConfigurableApplicationContext server =
                AioFileServerApplication.start(root, 0, "--spring.main.banner-mode=off")) {
            assertThat(server.getEnvironment().getProperty("server.address")).isEqualTo("127.0.0.1");
            RawHttp http = new RawHttp(server.getEnvironment().getProperty("local.server.port", Integer.class));
            RawHttp.Response put = http.send("PUT", "/files/new.txt", Map.of(), new byte[] {1}, null);
            assertThat(put.status()).as(put.toString()).isEqualTo(405);
            assertThat(put.header("Allow")).isEqualTo("GET, HEAD");
            RawHttp.Response copy = http.send("POST", "/copy?from=hello.txt&to=c.txt", Map.of(), null, null);
            assertThat(copy.status()).as(copy.toString()).isEqualTo(405);
            assertThat(copy.header("Allow")).as(copy.toString()).isEmpty();
            assertThat(root.resolve("c.txt")).doesNotExist();
            assertThat(root.resolve("new.txt")).doesNotExist();
        }
    }

    @Test
    void headNotModifiedHasNoBodyFraming() throws Exception {
        try (ConfigurableApplicationContext server =
                AioFileServerApplication.start(root, 0, "--spring.main.banner-mode=off")) {
            RawHttp http = new RawHttp(server.getEnvironment().getProperty("local.server.port", Integer.class));
            String etag =
                    http.send("HEAD", "/files/hello.txt", Map.of(), null, null).header("ETag");
            for (String method : new String[] {"GET", "HEAD"}) {
                RawHttp.Response r = http.send(method, "/files/hello.txt", Map.of("If-None-Match", etag), null, null);
                assertThat(r.status()).as(r.toString()).isEqualTo(304);
                assertThat(r.header("Content-Length")).as(method + " " + r).isNull();
                assertThat(r.header("Transfer-Encoding")).as(method + " " + r).isNull();
                assertThat(r.body()).isEmpty();
            }
        }
    }

    @Test
    void writableBeyondLoopbackWithoutATokenDoesNotStart() {
        for (String address : new String[] {"0.0.0.0", "::"}) {
            assertThatThrownBy(() -> AioFileServerApplication.start(
                                    root,
                                    0,
                                    "--spring.main.banner-mode=off",
                                    "--aio.server.writable=true",
                                    "--server.address=" + address)
                            .close())
                    .hasRootCauseInstanceOf(IllegalStateException.class)
                    .rootCause()
                    .hasMessage(AioFileServerApplication.unsafeMessage(address));
        }
    }

    @Test
    void writableBeyondLoopbackWithATokenStarts() throws Exception {
        try (ConfigurableApplicationContext server = AioFileServerApplication.start(
                root,
                0,
                "--spring.main.banner-mode=off",
                "--aio.server.writable=true",
                "--aio.server.token=t0ken",
                "--server.address=0.0.0.0")) {
            RawHttp http = new RawHttp(server.getEnvironment().getProperty("local.server.port", Integer.class));
            assertThat(http.send("PUT", "/files/a.txt", Map.of(), new byte[] {1}, null)
                            .status())
                    .isEqualTo(401);
            assertThat(http.send("PUT", "/files/a.txt", Map.of("Authorization", "Bearer t0ken"), new byte[] {1}, null)
                            .status())
                    .isEqualTo(201);
        }
    }

    @Test
    void loopbackCheck() {
        assertThat(AioFileServerApplication.isLoopback("127.0.0.1")).isTrue();
        assertThat(AioFileServerApplication.isLoopback("::1")).isTrue();
        assertThat(AioFileServerApplication.isLoopback("0.0.0.0")).isFalse();
        assertThat(AioFileServerApplication.isLoopback(null)).isFalse();
        assertThat(AioFileServerApplication.isLoopback("no-such-host.invalid")).isFalse();
    }

    @Test
    void stalledUploadIsCutWith408AndLeavesNothing() throws Exception {
        Path dir = Files.createDirectories(root.resolve("stalled"));
        try (ConfigurableApplicationContext server = AioFileServerApplication.start(
                root,
                0,
                "--spring.main.banner-mode=off",
                "--aio.server.writable=true",
                "--aio.server.upload-idle-timeout=300ms")) {
            int port = server.getEnvironment().getProperty("local.server.port", Integer.class);
            String head = slowUpload(port, "/files/stalled/x.bin", 0);
            assertThat(head).startsWith("HTTP/1.1 408");
            assertNoFilesEventually(dir);
        }
    }

    @Test
    void uploadOverTheTotalTimeoutIsCutWith408AndLeavesNothing() throws Exception {
        Path dir = Files.createDirectories(root.resolve("slow"));
        try (ConfigurableApplicationContext server = AioFileServerApplication.start(
                root,
                0,
                "--spring.main.banner-mode=off",
                "--aio.server.writable=true",
                "--aio.server.upload-idle-timeout=30s",
                "--aio.server.upload-timeout=500ms")) {
            int port = server.getEnvironment().getProperty("local.server.port", Integer.class);
            // one byte every 50 ms: never idle, but never done within 500 ms
            String head = slowUpload(port, "/files/slow/x.bin", 50);
            assertThat(head).startsWith("HTTP/1.1 408");
            assertNoFilesEventually(dir);
        }
    }

    /**
     * Sends a PUT promising 1 MiB and 10 bytes of it, then (dripMillis > 0) one more byte every dripMillis until the
     * server answers; returns the response head.
     */
    private static String slowUpload(int port, String target, long dripMillis) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(("PUT " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1048576\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[10]);
            out.flush();
            Thread dripper = null;
            if (dripMillis > 0) {
                dripper = new Thread(() -> {
                    try {
                        for (int i = 0; i < 1000; i++) {
                            Thread.sleep(dripMillis);
                            out.write(1);
                            out.flush();
                        }
                    } catch (Exception ignored) {
                        // the server answered and closed
                    }
                });
                dripper.setDaemon(true);
                dripper.start();
            }
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            int c;
            while ((c = in.read()) != -1) {
                head.append((char) c);
                if (head.toString().endsWith("\r\n\r\n")) break;
            }
            if (dripper != null) dripper.interrupt();
            return head.toString();
        }
    }

    /** The temporary file is removed asynchronously, right after the 408. */
    private static void assertNoFilesEventually(Path dir) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        String[] left;
        while ((left = dir.toFile().list()).length > 0 && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(left).as("files left in " + dir).isEmpty();
    }
}

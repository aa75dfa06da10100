package org.aio4j.webflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}

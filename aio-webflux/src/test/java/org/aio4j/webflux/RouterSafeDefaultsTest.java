package org.aio4j.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The router's safe defaults: read-only unless asked, 405 with Allow, bearer token, temporary files hidden. */
class RouterSafeDefaultsTest {
    static final String UUID = "0123abcd-4567-89ab-cdef-0123456789ab";
    Path root;

    @BeforeEach
    void root() throws Exception {
        root = Files.createTempDirectory("aio-webflux-defaults");
        Files.writeString(root.resolve("hello.txt"), "hello");
        Files.write(root.resolve("big.bin"), new byte[100]);
        Files.writeString(root.resolve(".hello.txt." + UUID + ".part"), "half");
        Files.writeString(root.resolve("." + UUID + ".part"), "half");
        Files.writeString(root.resolve(".notes.part"), "a dot file that is no temporary file");
    }

    @AfterEach
    void cleanUp() throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private WebTestClient client(AioFileRouter.Builder b) {
        return WebTestClient.bindToRouterFunction(b.build()).build();
    }

    @Test
    void readOnlyByDefaultWrites405WithAllow() {
        WebTestClient c = client(AioFileRouter.builder(root));
        c.put()
                .uri("/files/new.txt")
                .bodyValue("x")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
                .expectHeader()
                .valueEquals(HttpHeaders.ALLOW, "GET, HEAD")
                .expectBody()
                .isEmpty();
        c.post()
                .uri("/copy?from=hello.txt&to=copy.txt")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
                .expectHeader()
                .valueEquals(HttpHeaders.ALLOW, "");
        c.get()
                .uri("/copy")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
                .expectHeader()
                .valueEquals(HttpHeaders.ALLOW, "");
        assertThat(root.resolve("new.txt")).doesNotExist();
        assertThat(root.resolve("copy.txt")).doesNotExist();
        c.get().uri("/files/hello.txt").exchange().expectStatus().isOk();
    }

    @ParameterizedTest
    @ValueSource(strings = {"DELETE", "PATCH", "OPTIONS", "POST", "PROPFIND"})
    void otherMethodsAre405WithAllow(String method) {
        WebTestClient c = client(AioFileRouter.builder(root).writable(true));
        c.method(HttpMethod.valueOf(method))
                .uri("/files/hello.txt")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
                .expectHeader()
                .valueEquals(HttpHeaders.ALLOW, "GET, HEAD, PUT");
        assertThat(root.resolve("hello.txt")).hasContent("hello");
    }

    @Test
    void copyRouteAllowsPostOnly() {
        WebTestClient c = client(AioFileRouter.builder(root).writable(true));
        c.get()
                .uri("/copy?from=hello.txt&to=x.txt")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
                .expectHeader()
                .valueEquals(HttpHeaders.ALLOW, "POST");
        c.get().uri("/elsewhere").exchange().expectStatus().isNotFound();
    }

    @Test
    void tokenIsCheckedOnPutAndPost() {
        WebTestClient c = client(AioFileRouter.builder(root).writable(true).token("s3cret"));
        c.put()
                .uri("/files/a.txt")
                .bodyValue("a")
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectHeader()
                .valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        c.put()
                .uri("/files/a.txt")
                .header(HttpHeaders.AUTHORIZATION, "Bearer wrong")
                .bodyValue("a")
                .exchange()
                .expectStatus()
                .isUnauthorized();
        c.post()
                .uri("/copy?from=hello.txt&to=b.txt")
                .header(HttpHeaders.AUTHORIZATION, "Basic czNjcmV0")
                .exchange()
                .expectStatus()
                .isUnauthorized();
        c.put()
                .uri("/files/a.txt")
                .header(HttpHeaders.AUTHORIZATION, "Bearer s3cretX")
                .bodyValue("a")
                .exchange()
                .expectStatus()
                .isUnauthorized();
        assertThat(root.resolve("a.txt")).doesNotExist();
        assertThat(root.resolve("b.txt")).doesNotExist();
        c.put()
                .uri("/files/a.txt")
                .header(HttpHeaders.AUTHORIZATION, "bearer  s3cret")
                .bodyValue("a")
                .exchange()
                .expectStatus()
                .isCreated();
        c.post()
                .uri("/copy?from=hello.txt&to=b.txt")
                .header(HttpHeaders.AUTHORIZATION, "Bearer s3cret")
                .exchange()
                .expectStatus()
                .isCreated();
        assertThat(root.resolve("a.txt")).hasContent("a");
        assertThat(root.resolve("b.txt")).hasContent("hello");
        // reads need no token
        c.get().uri("/files/hello.txt").exchange().expectStatus().isOk();
    }

    @ParameterizedTest
    @ValueSource(strings = {".hello.txt." + UUID + ".part", "." + UUID + ".part", "%2Ehello.txt." + UUID + ".part"})
    void temporaryFilesAreNotReachable(String name) throws Exception {
        WebTestClient c = client(AioFileRouter.builder(root).writable(true));
        String decoded = name.replace("%2E", "."); // query parameters are taken decoded; paths go out as given
        c.get().uri(URI.create("/files/" + name)).exchange().expectStatus().isNotFound();
        c.head().uri(URI.create("/files/" + name)).exchange().expectStatus().isNotFound();
        c.put()
                .uri(URI.create("/files/" + name))
                .bodyValue("overwritten")
                .exchange()
                .expectStatus()
                .isNotFound();
        c.post()
                .uri("/copy?from=hello.txt&to=" + decoded)
                .exchange()
                .expectStatus()
                .isNotFound();
        c.post()
                .uri("/copy?from=" + decoded + "&to=stolen.txt")
                .exchange()
                .expectStatus()
                .isNotFound();
        assertThat(root.resolve(".hello.txt." + UUID + ".part")).hasContent("half");
        assertThat(root.resolve("." + UUID + ".part")).hasContent("half");
        assertThat(root.resolve("stolen.txt")).doesNotExist();
        // a link to a temporary file does not reach it either
        Files.createSymbolicLink(root.resolve("link.txt"), root.resolve("." + UUID + ".part"));
        c.get().uri("/files/link.txt").exchange().expectStatus().isNotFound();
        // a dot file that is not a temporary file's name is served as any other
        c.get().uri("/files/.notes.part").exchange().expectStatus().isOk();
    }

    @Test
    void copyObeysTheMaximumUploadSize() {
        WebTestClient c = client(AioFileRouter.builder(root).writable(true).maxUploadSize(99));
        c.post()
                .uri("/copy?from=big.bin&to=big-copy.bin")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.CONTENT_TOO_LARGE);
        assertThat(root.resolve("big-copy.bin")).doesNotExist();
        c.post()
                .uri("/copy?from=hello.txt&to=small-copy.txt")
                .exchange()
                .expectStatus()
                .isCreated();
    }
}

package org.aio4j.webflux;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.aio4j.reactor.spring.AioDataBufferUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

/**
 * Issue 11's "done when": an annotated controller streaming a missing file with {@link AioDataBufferUtils#read}
 * gets {@link NoSuchFileException}, so the application's own {@code @ExceptionHandler} for it answers, exactly as
 * for the same controller on Spring's {@link DataBufferUtils#read} (before, aio4j's {@code AioException} fell
 * through to a 500).
 */
class ControllerMissingFileTest {
    @TempDir
    Path dir;

    @RestController
    static class FileController {
        private final Path dir;

        FileController(Path dir) {
            this.dir = dir;
        }

        @GetMapping("/spring/{name}")
        Flux<DataBuffer> spring(@PathVariable("name") String name) {
            return DataBufferUtils.read(dir.resolve(name), DefaultDataBufferFactory.sharedInstance, 4096);
        }

        @GetMapping("/aio/{name}")
        Flux<DataBuffer> aio(@PathVariable("name") String name) {
            return AioDataBufferUtils.read(dir.resolve(name), DefaultDataBufferFactory.sharedInstance, 4096);
        }
    }

    /** The application's error handling: a missing file is a 404 naming it. */
    @ControllerAdvice
    static class MissingFileAdvice {
        @ExceptionHandler(NoSuchFileException.class)
        ResponseEntity<String> missing(NoSuchFileException e) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND)
                    .body("no such file: " + Path.of(e.getFile()).getFileName());
        }
    }

    private WebTestClient client() {
        return WebTestClient.bindToController(new FileController(dir))
                .controllerAdvice(new MissingFileAdvice())
                .build();
    }

    @Test
    void aMissingFileIsTheApplicationsNotFoundWithAio4jAsWithSpring() {
        WebTestClient client = client();
        for (String impl : new String[] {"spring", "aio"}) {
            client.get()
                    .uri("/" + impl + "/missing.txt")
                    .exchange()
                    .expectStatus()
                    .isNotFound()
                    .expectBody(String.class)
                    .isEqualTo("no such file: missing.txt");
        }
    }

    @Test
    void anExistingFileIsServedByBoth() throws Exception {
        Files.writeString(dir.resolve("hello.txt"), "hello");
        WebTestClient client = client();
        for (String impl : new String[] {"spring", "aio"}) {
            client.get()
                    .uri("/" + impl + "/hello.txt")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody(String.class)
                    .isEqualTo("hello");
        }
    }
}

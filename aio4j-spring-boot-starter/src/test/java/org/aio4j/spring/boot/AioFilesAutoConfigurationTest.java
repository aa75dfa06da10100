package org.aio4j.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.aio4j.engine.AioEngine;
import org.aio4j.webflux.AioFileRouter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The file router's auto-configuration, condition by condition. */
class AioFilesAutoConfigurationTest {
    private final ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(AioEngineAutoConfiguration.class, AioFilesAutoConfiguration.class));

    @TempDir
    Path root;

    @SuppressWarnings("unchecked")
    private static WebTestClient client(org.springframework.context.ApplicationContext context) {
        return WebTestClient.bindToRouterFunction(
                        (RouterFunction<ServerResponse>) context.getBean("aio4jFileRouter", RouterFunction.class))
                .build();
    }

    @Test
    void noRootNoRouter() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(AioEngine.class);
            assertThat(context).doesNotHaveBean("aio4jFileRouter");
        });
    }

    @Test
    void rootMountsAReadOnlyRouterUnderTheBasePathOnTheEngineBean() throws Exception {
        Files.writeString(root.resolve("a.txt"), "hello");
        runner.withPropertyValues("aio4j.files.root=" + root, "aio4j.files.base-path=/data")
                .run(context -> {
                    WebTestClient c = client(context);
                    AioEngine engine = context.getBean(AioEngine.class);
                    long before =
                            engine.metrics().submitted() + engine.metrics().fastPathReads();
                    c.get()
                            .uri("/data/a.txt")
                            .exchange()
                            .expectStatus()
                            .isOk()
                            .expectBody(String.class)
                            .isEqualTo("hello");
                    assertThat(engine.metrics().submitted() + engine.metrics().fastPathReads())
                            .as("read on the engine bean")
                            .isGreaterThan(before);
                    c.get().uri("/files/a.txt").exchange().expectStatus().isNotFound();
                    c.put()
                            .uri("/data/b.txt")
                            .bodyValue("x")
                            .exchange()
                            .expectStatus()
                            .isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
                            .expectHeader()
                            .valueEquals(HttpHeaders.ALLOW, "GET, HEAD");
                });
    }

    @Test
    void defaultBasePathIsFiles() throws Exception {
        Files.writeString(root.resolve("a.txt"), "hello");
        runner.withPropertyValues("aio4j.files.root=" + root)
                .run(context -> client(context)
                        .get()
                        .uri("/files/a.txt")
                        .exchange()
                        .expectStatus()
                        .isOk());
    }

    @Test
    void writableWithATokenAndLimits() {
        runner.withPropertyValues(
                        "aio4j.files.root=" + root,
                        "aio4j.files.writable=true",
                        "aio4j.files.token=s3cret",
                        "aio4j.files.max-upload-size=10B",
                        "aio4j.files.buffer-size=4KB")
                .run(context -> {
                    WebTestClient c = client(context);
                    c.put()
                            .uri("/files/b.txt")
                            .bodyValue("x")
                            .exchange()
                            .expectStatus()
                            .isUnauthorized();
                    c.put()
                            .uri("/files/b.txt")
                            .header(HttpHeaders.AUTHORIZATION, "Bearer s3cret")
                            .bodyValue("xyz")
                            .exchange()
                            .expectStatus()
                            .isCreated();
                    assertThat(Files.readString(root.resolve("b.txt"))).isEqualTo("xyz");
                    c.put()
                            .uri("/files/c.txt")
                            .header(HttpHeaders.AUTHORIZATION, "Bearer s3cret")
                            .bodyValue("0123456789ab")
                            .exchange()
                            .expectStatus()
                            .isEqualTo(HttpStatus.CONTENT_TOO_LARGE);
                });
    }

    @Test
    void writableWithoutTokenStartsOnlyOnLoopback() {
        runner.withPropertyValues("aio4j.files.root=" + root, "aio4j.files.writable=true")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("refusing to serve writable on all interfaces"));
        runner.withPropertyValues("aio4j.files.root=" + root, "aio4j.files.writable=true", "server.address=127.0.0.1")
                .run(context -> assertThat(context).hasBean("aio4jFileRouter"));
    }

    @Test
    void missingRootFailsTheStart() {
        runner.withPropertyValues("aio4j.files.root=" + root.resolve("nope"))
                .run(context -> assertThat(context).hasFailed());
    }

    @Test
    void notAReactiveWebApplicationNoRouter() {
        new ApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(AioEngineAutoConfiguration.class, AioFilesAutoConfiguration.class))
                .withPropertyValues("aio4j.files.root=" + root)
                .run(context -> assertThat(context).doesNotHaveBean("aio4jFileRouter"));
    }

    @Test
    void withoutAioWebfluxNoRouter() {
        runner.withPropertyValues("aio4j.files.root=" + root)
                .withClassLoader(new FilteredClassLoader(AioFileRouter.class))
                .run(context -> assertThat(context).doesNotHaveBean("aio4jFileRouter"));
    }

    @Test
    void aRouterOfTheApplicationWins() {
        RouterFunction<ServerResponse> own = AioFileRouter.builder(root).build();
        runner.withPropertyValues("aio4j.files.root=" + root)
                .withBean("aio4jFileRouter", RouterFunction.class, () -> own)
                .run(context -> assertThat(context.getBean("aio4jFileRouter")).isSameAs(own));
    }
}

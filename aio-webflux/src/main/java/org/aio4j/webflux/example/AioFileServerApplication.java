package org.aio4j.webflux.example;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aio4j.webflux.AioFileRouter;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The example file server: Spring Boot WebFlux on Reactor Netty, serving {@code aio.server.root} through
 * {@link AioFileRouter} under {@code /files/**} (GET, HEAD, PUT) and {@code POST /copy?from=..&to=..}.
 *
 * <pre>{@code
 * java -cp ... org.aio4j.webflux.example.AioFileServerApplication --aio.server.root=/srv/files --server.port=8080
 * curl -T big.iso http://localhost:8080/files/big.iso
 * curl -r 0-99 http://localhost:8080/files/big.iso
 * }</pre>
 */
@SpringBootApplication
@EnableConfigurationProperties(AioFileServerProperties.class)
public class AioFileServerApplication {

    /** The router over the configured root. */
    @Bean
    public RouterFunction<ServerResponse> aioFileRoutes(AioFileServerProperties properties) {
        return AioFileRouter.builder(properties.root())
                .maxUploadSize(properties.maxUploadSize().toBytes())
                .bufferSize(Math.toIntExact(properties.bufferSize().toBytes()))
                .writable(properties.writable())
                .build();
    }

    /**
     * Starts the server on {@code root} and {@code port} (0 for a free one) and returns at once; close the returned
     * context to stop it.
     */
    public static ConfigurableApplicationContext start(Path root, int port, String... extraArgs) {
        List<String> args = new ArrayList<>();
        args.add("--aio.server.root=" + root.toAbsolutePath());
        args.add("--server.port=" + port);
        args.addAll(List.of(extraArgs));
        return SpringApplication.run(AioFileServerApplication.class, args.toArray(String[]::new));
    }

    /** Runs the server; arguments are Spring Boot's ({@code --aio.server.root=DIR --server.port=8080}). */
    public static void main(String[] args) {
        SpringApplication.run(AioFileServerApplication.class, args);
    }
}

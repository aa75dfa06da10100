package org.aio4j.webflux.example;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aio4j.webflux.AioFileRouter;
import org.springframework.beans.factory.annotation.Value;
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

    /**
     * The router over the configured root.
     *
     * @throws IllegalStateException when the server is writable, bound beyond the loopback interface
     *     ({@code server.address} unset or not a loopback address) and has no {@code aio.server.token}
     */
    @Bean
    public RouterFunction<ServerResponse> aioFileRoutes(
            AioFileServerProperties properties, @Value("${server.address:#{null}}") String address) {
        String token = properties.token() == null || properties.token().isBlank() ? null : properties.token();
        if (properties.writable() && token == null && !isLoopback(address)) {
            throw new IllegalStateException(unsafeMessage(address));
        }
        return AioFileRouter.builder(properties.root())
                .maxUploadSize(properties.maxUploadSize().toBytes())
                .bufferSize(Math.toIntExact(properties.bufferSize().toBytes()))
                .writable(properties.writable())
                .token(token)
                .uploadIdleTimeout(properties.uploadIdleTimeout())
                .uploadTimeout(properties.uploadTimeout())
                .build();
    }

    /**
     * The one-line error for a writable server without a token on {@code address} (null: all interfaces).
     *
     * @param address the bind address, or null for all interfaces
     */
    public static String unsafeMessage(String address) {
        return "refusing to serve writable on " + (address == null ? "all interfaces" : address)
                + " without a token: set a token (aio.server.token, aio serve --token) or bind to 127.0.0.1";
    }

    /**
     * Whether {@code address} (an IP literal or a host name, resolved) is a loopback address; null (all interfaces)
     * and names that do not resolve are not.
     *
     * @param address the bind address, or null
     */
    public static boolean isLoopback(String address) {
        if (address == null || address.isBlank()) return false;
        try {
            for (InetAddress a : InetAddress.getAllByName(address.strip())) {
                if (!a.isLoopbackAddress()) return false;
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * Starts the server on {@code root} and {@code port} (0 for a free one) and returns at once; close the returned
     * context to stop it. It binds to 127.0.0.1 unless {@code --server.address} is given.
     */
    public static ConfigurableApplicationContext start(Path root, int port, String... extraArgs) {
        List<String> args = new ArrayList<>();
        args.add("--aio.server.root=" + root.toAbsolutePath());
        args.add("--server.port=" + port);
        args.addAll(List.of(extraArgs));
        return application().run(args.toArray(String[]::new));
    }

    /**
     * Runs the server; arguments are Spring Boot's ({@code --aio.server.root=DIR --server.port=8080}). It binds to
     * 127.0.0.1 unless {@code server.address} is set.
     */
    public static void main(String[] args) {
        application().run(args);
    }

    private static SpringApplication application() {
        SpringApplication app = new SpringApplication(AioFileServerApplication.class);
        app.setDefaultProperties(Map.of("server.address", "127.0.0.1"));
        return app;
    }
}
